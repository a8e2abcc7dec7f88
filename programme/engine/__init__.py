"""The one place that knows WeasyPrint's internals.

Everything else in programme uses only WeasyPrint's public API (``HTML``, ``CSS``,
``Document`` and its pages' ``anchors``/``bookmarks``/``links``, ``FontConfiguration``,
``URLFetcher``). What the fast build, the space budgets, the stills check and the glyph
check need beyond it lives in this package, each piece naming the WeasyPrint function it
mirrors or replaces:

    boxes.py     reading laid-out pages (page boxes, text, lines, images, page types)
    hooks.py     what is swapped in for the length of one layout or one drawing
                 (margin boxes made late, layers marked, layout resumed or recorded)
    arrays.py    cffi: sized arrays allocated as unsized ones; warming the fork server
    versions.py  the versions of WeasyPrint, Pango and HarfBuzz in use

The internals are those of the release series in :data:`TESTED` (``pyproject.toml`` pins
it). On any other release builds still work: :func:`fast_paths` says why the paths that
need internals (building in parts, resuming, renumbering, cffi arrays) are off, and the
build is laid out as one document, with a warning. ``tests/test_engine.py`` holds a
contract test for every hook; an upgrade means reviewing this package and that file.
"""

from __future__ import annotations

import os
from functools import lru_cache

#: The WeasyPrint release series whose internals this package was written and tested for.
TESTED = "70"


class EngineMismatch(Exception):
    """WeasyPrint's internals are not what this package expects."""


@lru_cache(maxsize=1)
def weasyprint_version() -> str:
    """WeasyPrint's version, without importing it (the coordinator of a fast build never
    lays out, and importing WeasyPrint costs half a second)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("weasyprint")
    except PackageNotFoundError:
        return "unknown"


def _series(version: str) -> str:
    return version.split(".", 1)[0]


def fast_paths() -> str:
    """"" when the internals may be used; otherwise why not (a sentence for a warning).

    ``PROGRAMME_ENGINE_VERSION`` stands in for WeasyPrint's version (tests use it to see
    what an untested release does)."""
    version = os.environ.get("PROGRAMME_ENGINE_VERSION") or weasyprint_version()
    if _series(version) != TESTED:
        return (f"WeasyPrint {version} is not the release programme's fast paths are tested "
                f"on ({TESTED}.x)")
    return ""


def load_weasyprint():
    """Import WeasyPrint, finding its C libraries by their file names at once.

    ``weasyprint.text.ffi._dlopen`` tries several names for each library
    (``libpango-1.0-0``, ``pango-1.0``… ``libpango-1.0.so.0``), and cffi asks
    ``ctypes.util.find_library`` about each name it cannot open directly, which runs
    ``ldconfig`` and a compiler in subprocesses: a quarter of a second per process on
    Linux. During the import it answers "not found" at once, so the file name
    (``libpango-1.0.so.0``) that WeasyPrint tries next is opened; should that fail,
    WeasyPrint is imported again the slow way."""
    import sys

    if "weasyprint" in sys.modules or not sys.platform.startswith("linux"):
        import weasyprint
        return weasyprint
    import ctypes.util

    real = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        import weasyprint
        import weasyprint.text.ffi  # noqa: F401  (the libraries are opened here)
        return weasyprint
    except OSError:
        for name in [name for name in sys.modules if name.split(".")[0] == "weasyprint"]:
            del sys.modules[name]
    finally:
        ctypes.util.find_library = real
    import weasyprint
    return weasyprint


def font_configuration():
    """A new ``FontConfiguration`` (public, but in ``weasyprint.text.fonts``, a module
    whose neighbours are internals: imported here so that nothing outside the engine names
    ``weasyprint.text``)."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()
