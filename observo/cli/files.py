"""Files the commands write: whole or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(output: Path, prefix: str) -> Iterator[Path]:
    """A temporary file beside `output` (mode 0600) to fill in the block; renamed onto `output` when
    the block succeeds, removed when it fails: a reader never sees half a file."""
    handle, temporary = tempfile.mkstemp(dir=output.resolve().parent, prefix=prefix)
    os.close(handle)
    try:
        yield Path(temporary)
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_atomically(output: Path, chunks: Iterable[str], prefix: str) -> None:
    """Write `chunks` to `output` through `atomic_path`."""
    with atomic_path(output, prefix) as temporary, temporary.open("w", encoding="utf-8") as stream:
        for chunk in chunks:
            stream.write(chunk)
