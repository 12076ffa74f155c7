"""Writing a file so that a crash or an interrupt never leaves half of it: a temporary file in the
same folder, then one rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..errors import OutputError


def _mode() -> int:
    """The mode a new file gets here (mkstemp's own is 0600: private, unlike any other output)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` to write to; it becomes `path` when the block ends without error,
    and is removed otherwise. Errors of the file system become OutputError."""
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.fchmod(fd, _mode())
        os.close(fd)
        yield Path(tmp)
        os.replace(tmp, path)
        tmp = None
    except OSError as e:
        raise OutputError(f"{path}: cannot write the output ({e.strerror}); choose a writable place") from e
    finally:
        if tmp is not None:  # failed or interrupted before the rename: leave nothing behind
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write `data` (text is UTF-8) to `path` whole or not at all."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
