"""Where programme's built-in files are: the layouts, the fonts and the starter project.

Installed from a wheel they are package data, inside the package: ``programme/layouts``,
``programme/fonts`` (side by side, so a layout's ``../../fonts/fonts.css`` reaches the fonts)
and ``programme/starter``. In a checkout, or an editable install of one, the layouts and the
fonts are the top-level ``layouts/`` and ``fonts/`` folders (``setup.py`` maps them into the
package when a wheel is built). Every lookup of a built-in file goes through this module; a
festival project's own ``layouts/`` and ``fonts/`` are looked up first, by the callers.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def _builtin(name: str) -> Path:
    """``name`` inside the package (an installed wheel), else beside it (a checkout)."""
    inside = PACKAGE / name
    if inside.is_dir():
        return inside
    return PACKAGE.parent / name


def builtin_layouts() -> Path:
    """The folder of the built-in layouts (``brochure``, ``handout``, ``proof``)."""
    return _builtin("layouts")


def builtin_fonts() -> Path:
    """The folder of the built-in fonts, with ``fonts.css`` and the licences."""
    return _builtin("fonts")


def starter() -> Path:
    """The project ``programme new`` copies: ``content/`` with one film, and a README."""
    return PACKAGE / "starter"
