"""Text for the terminal: what content, caches or PDFs say is shown, never obeyed.

A problem message may quote a file's text, a cached warning or a PDF's label. Printed
raw, an escape sequence in it could recolour, move or clear the terminal, or set its
title; a carriage return could hide the start of the line; bidi controls could reorder
it. :func:`printable` shows such characters escaped (``\\x1b``, ``\\r``, ``\\u202e``).
"""

from __future__ import annotations

import unicodedata

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _hidden(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Zl", "Zp", "Cs") or ch in _BIDI


def printable(text: object) -> str:
    """``text`` with control characters (C0, DEL, C1), line and paragraph separators and
    bidi controls escaped; other text (accents, non-breaking spaces, any script) as is."""
    text = str(text)
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if not _hidden(ch):
            out.append(ch)
        elif ch in _NAMED:
            out.append(_NAMED[ch])
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else
                       f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return "".join(out)


def printable_lines(text: object) -> str:
    """Each line of ``text`` made printable, the line breaks kept."""
    return "\n".join(printable(line) for line in str(text).split("\n"))
