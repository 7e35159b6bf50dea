"""Files the commands write: whole or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def write_atomically(output: Path, chunks: Iterable[str], prefix: str) -> None:
    """Write `chunks` to a temporary file beside `output`, then rename it: a reader never sees half."""
    handle, temporary = tempfile.mkstemp(dir=output.resolve().parent, prefix=prefix)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            for chunk in chunks:
                stream.write(chunk)
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
