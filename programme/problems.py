"""Problems found in content or layouts, reported all at once as ``file:line: field: message``."""

from __future__ import annotations

import os
from functools import lru_cache
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    field: str | None
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        what = f"{self.field}: {self.message}" if self.field else self.message
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{what}"

    def sort_key(self) -> tuple:
        """File, then line (a whole-file problem first), then field (none first), message.
        Explicit, because line and field may be None for one problem and not for another
        at the same place (a duplicate key next to a bad value on the same line)."""
        return (self.file, self.line is not None, self.line or 0, self.field is not None,
                self.field or "", self.message, self.severity)

    def __lt__(self, other: "Problem") -> bool:  # sorted(problems) works too
        if not isinstance(other, Problem):
            return NotImplemented
        return self.sort_key() < other.sort_key()


class ProgrammeError(Exception):
    """A failure the user can fix: carries every problem found, never a traceback."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=Problem.sort_key)
        super().__init__("\n".join(str(p) for p in self.problems))


def display_path(path: Path, root: Path | None = None) -> str:
    """A path as the user should read it: relative to the working folder when possible."""
    path = Path(path)
    # The folders resolved, the file's own name kept: a film file that is a link shows
    # its own name, not its target's.
    real = (Path(_real(str(path))) if path.name in ("", ".", "..")
            else Path(_real(str(path.parent))) / path.name)
    for base in (os.getcwd(), root):
        if base is None:
            continue
        try:
            return str(real.relative_to(_real(str(base))))
        except ValueError:
            pass
    return str(path)


@lru_cache(maxsize=4096)
def _real(folder: str) -> str:
    """A folder's real path, remembered: a build names hundreds of files in a few folders
    (the lookups were a quarter of a second of every rebuild)."""
    return os.path.realpath(folder)
