"""Which characters the project's fonts can print, checked before anything is typeset.

Fonts come only from the project (``typeset.isolate_fonts``): a character that no font in
the font folders has would print as an empty box (.notdef, "tofu"). Instead of finding the
box after typesetting, every character of every content text is checked against the union
of the character maps (cmap) of those fonts, and each text with characters no font has is
reported as a warning at its file, line and field. The union is what counts because
fontconfig, pointed at the font folders, falls back to any font there that has a
character, whatever the layout's font-family list says.

Characters that print no glyph (spaces, line breaks, joiners, bidirectional marks,
variation selectors) are not checked. The cmaps are read with fontTools once per process,
and their union per font folder is kept in ``.programme-cache/``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import unicodedata
from pathlib import Path

from .output import write_atomically

FONT_SUFFIXES = {".ttf", ".otf", ".ttc", ".otc", ".woff", ".woff2"}


def font_files(font_dirs: list[Path]) -> list[Path]:
    files = []
    for folder in font_dirs:
        if folder.is_dir():
            files += sorted(p for p in folder.rglob("*") if p.suffix.lower() in FONT_SUFFIXES
                            and p.is_file())
    return files


@functools.lru_cache(maxsize=64)
def _cmap(path: str, stamp: tuple) -> frozenset[int]:
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    points: set[int] = set()
    try:
        if path.lower().endswith((".ttc", ".otc")):
            fonts = TTCollection(path, lazy=True).fonts
        else:
            fonts = [TTFont(path, lazy=True, fontNumber=0)]
        for font in fonts:
            cmap = font.getBestCmap() or {}
            points.update(cmap)
    except (TTLibError, OSError, ValueError, KeyError, AssertionError, ImportError):
        pass  # not a font fontTools can read (or WOFF2 without brotli): it covers nothing
    return frozenset(points)


def coverage(font_dirs: list[Path]) -> frozenset[int]:
    """Every code point some font in ``font_dirs`` has a glyph for."""
    points: set[int] = set()
    for folder in font_dirs:
        points |= _folder_coverage(Path(folder))
    return frozenset(points)


def _folder_coverage(folder: Path) -> frozenset[int]:
    """The union of the cmaps of the fonts in ``folder``, kept in the project's cache
    (``.programme-cache/`` beside the folder) keyed by the fonts' names, sizes and dates:
    reading cmaps with fontTools takes a third of a second for the built-in fonts."""
    files = font_files([folder])
    stamps = [(str(path), path.stat().st_mtime_ns, path.stat().st_size) for path in files]
    key = hashlib.sha256(json.dumps(stamps).encode("utf-8")).hexdigest()
    cached = folder.parent / ".programme-cache" / "cmaps" / f"{key}.json"
    try:
        if cached.is_file() and not cached.is_symlink() and cached.stat().st_size < 1_000_000:
            ranges = json.loads(cached.read_text(encoding="utf-8"))
            if _valid_ranges(ranges):  # the cache is not trusted: a range is checked first
                return frozenset(c for first, last in ranges for c in range(first, last + 1))
    except (OSError, ValueError, TypeError):
        pass
    points: set[int] = set()
    for path, mtime, size in stamps:
        points |= _cmap(path, (mtime, size))
    try:
        write_atomically(cached, json.dumps(_ranges(points)).encode("utf-8"))
    except OSError:
        pass  # a read-only folder: read the cmaps again next time
    return frozenset(points)


def _valid_ranges(ranges) -> bool:
    """Sorted, disjoint ranges of Unicode code points (the cache as this module writes it)."""
    if not isinstance(ranges, list):
        return False
    last_seen = -1
    for item in ranges:
        if (not isinstance(item, list) or len(item) != 2
                or not all(type(v) is int for v in item)
                or not last_seen < item[0] <= item[1] <= 0x10FFFF):
            return False
        last_seen = item[1]
    return True


def _ranges(points: set[int]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for code in sorted(points):
        if out and out[-1][1] == code - 1:
            out[-1][1] = code
        else:
            out.append([code, code])
    return [tuple(r) for r in out]


def needs_glyph(char: str) -> bool:
    if char.isspace():
        return False
    category = unicodedata.category(char)
    if category in ("Cc", "Cf", "Zl", "Zp"):  # controls, joiners, bidi marks, soft hyphen
        return False
    code = ord(char)
    if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:  # variation selectors
        return False
    return True


def missing(text: str, covered: frozenset[int]) -> list[str]:
    """The distinct characters of ``text`` that need a glyph no font has, in text order."""
    absent = {c for c in set(text) if ord(c) not in covered and needs_glyph(c)}
    return sorted(absent, key=text.index)


def describe(chars: list[str], limit: int = 5) -> str:
    parts = []
    for char in chars[:limit]:
        name = unicodedata.name(char, "")
        parts.append(f"{char} (U+{ord(char):04X}{' ' + name if name else ''})")
    more = len(chars) - limit
    return ", ".join(parts) + (f" and {more} more" if more > 0 else "")
