"""Stage 5 of a build: write the file atomically.

The PDF goes to a temporary file in the same folder, is flushed to disk, then renamed
over the target. A reader never sees half a file, and a build that fails at any earlier
stage never reaches this point, so the last good PDF stays as it was.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all. A failure of the machine (no
    permission, a read-only file system, a full disk) raises OSError naming ``path`` (or
    the folder that could not be made), not the temporary file, and leaves ``path`` as it
    was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _naming(exc, path) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise _naming(exc, path) from None
        raise


def _naming(exc: OSError, path: Path) -> OSError:
    if exc.errno is None:
        return exc
    return OSError(exc.errno, exc.strerror or os.strerror(exc.errno), str(path))


def machine_error(exc: OSError) -> str:
    """One line for a failure of the machine: ``file: cause``."""
    from .problems import display_path

    cause = exc.strerror or str(exc) or type(exc).__name__
    if exc.filename is None:
        return cause
    try:
        where = display_path(Path(os.fsdecode(exc.filename)))
    except (TypeError, ValueError, OSError):
        where = str(exc.filename)
    return f"{where}: {cause}"
