"""cffi: WeasyPrint's sized C arrays allocated as unsized ones.

WeasyPrint allocates C arrays through its cffi instance (``weasyprint.text.ffi.ffi``)
with sized types such as ``hb_codepoint_t[519]`` (font subsetting asks for a new size for
every font of every part). cffi parses a type the first time it sees its text, about
10 ms; ``hb_codepoint_t[]`` of 519 is the same memory and is parsed once. This replaces
``ffi.new`` process-wide, on the tested WeasyPrint only (see :func:`programme.engine.fast_paths`).
"""

from __future__ import annotations

import re

_SIZED_ARRAY = re.compile(r"\s*([A-Za-z_][\w ]*?)\s*\[(\d+)\]\s*")
_shared = False

#: the C types WeasyPrint 70 allocates while laying out and drawing (warmed in the
#: workers' fork server)
TYPES = ("PangoRectangle *", "PangoLogAttr[]", "unsigned int *", "FcChar8 **",
         "FcResult *", "char[]", "hb_tag_t[]", "hb_codepoint_t[]", "PangoFcFontMap *")


def share_array_types() -> None:
    """Replace WeasyPrint's ``ffi.new`` by one that allocates sized arrays as unsized
    ones (once per process; nothing on an untested WeasyPrint)."""
    global _shared
    from . import fast_paths

    if _shared or fast_paths():
        return
    from weasyprint.text.ffi import ffi

    new = ffi.new

    def new_array(cdecl, init=None):
        if not isinstance(cdecl, str) or cdecl[-1:] != "]" or cdecl.endswith("[]"):
            return new(cdecl, init)  # most calls: pointers and unsized arrays
        match = _SIZED_ARRAY.fullmatch(cdecl)
        if match is None:
            return new(cdecl, init)
        size = int(match.group(2))
        if init is None:
            return new(f"{match.group(1)}[]", size)
        if hasattr(init, "__len__") and len(init) == size:
            return new(f"{match.group(1)}[]", init)
        return new(cdecl, init)

    new_array.original = new
    ffi.new = new_array
    _shared = True


def warm_types() -> None:
    """Parse the C types WeasyPrint allocates, so that forked workers find them parsed."""
    from weasyprint.text.ffi import ffi

    for cdecl in TYPES:
        try:
            ffi.typeof(cdecl)
        except Exception:  # a type this WeasyPrint does not declare: nothing to warm
            pass
