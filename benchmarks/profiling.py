"""Optional py-spy profile of Observo's workers during one throughput pass.

One worker is recorded as a flame graph (SVG), the other as collapsed stacks, summarised into a
"top" table (self time per function, and inclusive time of Observo's own functions).
"""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path

from benchmarks import config

PY_SPY = config.PROJECT_BIN / "py-spy"


def ensure_py_spy() -> str:
    if not PY_SPY.exists() and shutil.which("py-spy") is None:
        subprocess.run([str(config.PROJECT_BIN / "pip"), "install", "-q", "py-spy"], check=True)
    return str(PY_SPY) if PY_SPY.exists() else str(shutil.which("py-spy"))


def start(pids: list[int], seconds: int, prefix: Path) -> list[subprocess.Popen[bytes]]:
    """Record each worker for ``seconds``: the first as SVG, the others as collapsed stacks."""
    py_spy = ensure_py_spy()
    for old in prefix.parent.glob(f"{prefix.name}-*"):  # a previous run's profile would be summarised
        old.unlink()
    processes = []
    for index, pid in enumerate(pids[:2]):
        kind, suffix = ("flamegraph", "svg") if index == 0 else ("raw", "txt")
        output = prefix.with_name(f"{prefix.name}-{pid}.{suffix}")
        command = [py_spy, "record", "-p", str(pid), "-d", str(seconds), "-f", kind, "-o", str(output)]
        processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return processes


def finish(processes: list[subprocess.Popen[bytes]], prefix: Path) -> Path | None:
    """Wait for py-spy; write the top table from the collapsed stacks; return its path."""
    for process in processes:
        process.wait(timeout=120)
    collapsed = sorted(prefix.parent.glob(f"{prefix.name}-*.txt"))
    if not collapsed:
        return None
    top = prefix.with_name(f"{prefix.name}-top.txt")
    top.write_text(summarise(collapsed[0]))
    return top


# Leaf frames of threads with nothing to do (gthread's pool and poller): not time spent on a request.
IDLE_LEAVES = ("_worker (concurrent/futures/thread.py", "select (selectors.py", "wait (threading.py")


def _idle(leaf: str) -> bool:
    return any(marker in leaf for marker in IDLE_LEAVES)


DATABASE_LEAF = "Connection.wait (psycopg/"


def summarise(collapsed: Path, rows: int = 25) -> str:
    """Where a busy worker's time goes: waiting on PostgreSQL, and Python by function (idle excluded)."""
    self_time: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    idle = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        count, frames = int(count_text), stack.split(";")
        if _idle(frames[-1]):
            idle += count
            continue
        self_time[frames[-1]] += count
        for frame in set(frames):
            if "observo/" in frame:
                inclusive[frame] += count
    busy = sum(self_time.values()) or 1
    database = sum(n for frame, n in self_time.items() if frame.startswith(DATABASE_LEAF))
    lines = [
        f"{busy + idle} samples, {idle} idle (thread pool / poller) left out; of the {busy} busy ones:",
        f"{100 * database / busy:5.1f}%  waiting on PostgreSQL (psycopg Connection.wait)",
        "",
        "self time (leaf frames):",
        *(f"{100 * n / busy:5.1f}%  {frame}" for frame, n in self_time.most_common(rows)),
        "",
        "inclusive time of Observo functions:",
        *(f"{100 * n / busy:5.1f}%  {frame}" for frame, n in inclusive.most_common(rows)),
    ]
    return "\n".join(lines) + "\n"
