"""``programme new FOLDER``: a festival project a person can build at once.

The project is the starter shipped in the package (``programme/starter``: ``content/`` with
the example festival's first film, its stills, the section and venues it needs, and a
README). ``--with-layouts`` also copies the built-in layouts into the project's ``layouts/``
for a designer to change, and the fonts they import (``../../fonts/fonts.css``) into its
``fonts/``, so the copies build as they are.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .resources import builtin_fonts, builtin_layouts, starter

GITIGNORE = "# what programme writes\n/out/\n.programme-cache/\n"

# not part of a project: byte code, and the script that made the font subsets
_LEAVE_OUT = shutil.ignore_patterns("__pycache__", "*.pyc", "make_subsets.py")


class NotEmpty(Exception):
    """The folder given already holds something (nothing is written into it)."""


def create_project(folder: Path, with_layouts: bool = False) -> list[Path]:
    """Create the project in ``folder`` (which must not exist, or be empty); return what
    was made at its top level."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise NotEmpty(f"{folder} already exists and is not empty: programme new makes a "
                       f"project only in a new or empty folder; nothing was written.")
    source = starter()
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source / "content", folder / "content", ignore=_LEAVE_OUT)
    shutil.copy2(source / "README.md", folder / "README.md")
    (folder / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    made = [folder / "content", folder / "README.md"]
    if with_layouts:
        shutil.copytree(builtin_layouts(), folder / "layouts", ignore=_LEAVE_OUT)
        shutil.copytree(builtin_fonts(), folder / "fonts", ignore=_LEAVE_OUT)
        made += [folder / "layouts", folder / "fonts"]
    return made
