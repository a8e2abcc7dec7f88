"""The versions of WeasyPrint, Pango and HarfBuzz in use (``programme --version``).

Pango's and HarfBuzz's versions are not in WeasyPrint's public API: they come from its cffi
bindings, ``weasyprint.text.ffi``, as WeasyPrint's own ``weasyprint --info`` gets Pango's
(``weasyprint/__main__.py``: ``pango.pango_version()``). Each lookup is guarded: on a
WeasyPrint whose bindings differ, or with a library missing, that version is "unknown",
never an error.
"""

from __future__ import annotations

from functools import lru_cache

UNKNOWN = "unknown"


def _weasyprint() -> str:
    try:
        from . import load_weasyprint

        weasyprint = load_weasyprint()
    except Exception:  # its libraries missing: the installed release, from its metadata
        from . import weasyprint_version

        return weasyprint_version()
    return str(weasyprint.__version__)


def _pango() -> str:
    # Mirrors weasyprint.__main__ (--info): the declared ``int pango_version (void)``, which
    # encodes 1.50.12 as 15012.
    from weasyprint.text.ffi import pango

    number = int(pango.pango_version())
    return f"{number // 10000}.{number // 100 % 100}.{number % 100}"


def _harfbuzz() -> str:
    # WeasyPrint 70 declares ``hb_version_atleast`` but not ``hb_version_string``: use the
    # string when a WeasyPrint declares it, else ask the library WeasyPrint loaded (the same
    # soname, so the same copy) through a cffi declaration of our own.
    from weasyprint.text.ffi import ffi, harfbuzz

    if hasattr(harfbuzz, "hb_version_string"):
        try:
            return ffi.string(harfbuzz.hb_version_string()).decode("ascii")
        except Exception:
            pass
    import cffi

    own = cffi.FFI()
    own.cdef("const char *hb_version_string (void);")
    # the names weasyprint.text.ffi tries for HarfBuzz, on Linux, macOS and Windows
    for name in ("libharfbuzz.so.0", "libharfbuzz-0", "harfbuzz", "libharfbuzz.0.dylib",
                 "libharfbuzz-0.dll"):
        try:
            library = own.dlopen(name)
        except OSError:
            continue
        return own.string(library.hb_version_string()).decode("ascii")
    return UNKNOWN


def _guarded(lookup) -> str:
    try:
        return lookup() or UNKNOWN
    except Exception:  # an unexpected WeasyPrint or a missing library: say so, don't crash
        return UNKNOWN


@lru_cache(maxsize=1)
def library_versions() -> dict[str, str]:
    """``{"weasyprint": "70.0", "pango": "1.50.12", "harfbuzz": "6.0.0"}``; a version that
    cannot be found is "unknown"."""
    return {"weasyprint": _guarded(_weasyprint), "pango": _guarded(_pango),
            "harfbuzz": _guarded(_harfbuzz)}
