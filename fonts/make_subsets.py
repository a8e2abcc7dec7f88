"""Make the script fonts in this folder from Debian's Noto packages (run by hand, not at build time).

    apt-get install fonts-noto-core fonts-noto-cjk     # the sources (fonts-noto-cjk is 90 MB)
    python3 fonts/make_subsets.py                      # rewrites the files listed below

The Latin/Greek/Cyrillic fonts (Noto Serif, Noto Sans) are copied whole and are not made here.
Every subset keeps all OpenType layout features (shaping for Arabic and Devanagari needs them)
and drops TrueType hinting, which a PDF for print never uses. See fonts/README.md for what each
file covers and why.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

HERE = Path(__file__).resolve().parent
CORE = Path("/usr/share/fonts/truetype/noto")
CJK = Path("/usr/share/fonts/opentype/noto")

# Characters every script font keeps: joiners, the dotted circle HarfBuzz shows for a stray
# mark, and no-break/narrow spaces so a run is not split between fonts at a space.
COMMON = [0x20, 0xA0, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0x202F, 0x25CC]


def span(first: int, last: int) -> list[int]:
    return list(range(first, last + 1))


SCRIPTS = {
    # output name: (source file, code points)
    "NotoSansHebrew-Regular.ttf": ("NotoSansHebrew-Regular.ttf", span(0x0590, 0x05FF) + span(0xFB1D, 0xFB4F)),
    "NotoSansHebrew-Bold.ttf": ("NotoSansHebrew-Bold.ttf", span(0x0590, 0x05FF) + span(0xFB1D, 0xFB4F)),
    "NotoNaskhArabic-Regular.ttf": ("NotoNaskhArabic-Regular.ttf",
                                    span(0x0600, 0x06FF) + span(0x0750, 0x077F) + span(0x08A0, 0x08FF)
                                    + span(0xFB50, 0xFDFF) + span(0xFE70, 0xFEFF)),
    "NotoNaskhArabic-Bold.ttf": ("NotoNaskhArabic-Bold.ttf",
                                 span(0x0600, 0x06FF) + span(0x0750, 0x077F) + span(0x08A0, 0x08FF)
                                 + span(0xFB50, 0xFDFF) + span(0xFE70, 0xFEFF)),
    # Symbols the text fonts lack: geometric shapes (the brochure's ● for sold out), stars
    # for ratings, arrows, check marks and other dingbats.
    "NotoSansSymbols2-Regular.ttf": ("NotoSansSymbols2-Regular.ttf",
                                     span(0x2190, 0x21FF) + span(0x25A0, 0x25FF) + span(0x2600, 0x26FF)
                                     + span(0x2700, 0x27BF) + span(0x2B00, 0x2BFF)),
    "NotoSansSymbols-Regular.ttf": ("NotoSansSymbols-Regular.ttf",  # arrows, music, astrology
                                    span(0x2190, 0x21FF) + span(0x2600, 0x26FF)),
    "NotoSansThai-Regular.ttf": ("NotoSansThai-Regular.ttf", span(0x0E00, 0x0E7F)),
    "NotoSansThai-Bold.ttf": ("NotoSansThai-Bold.ttf", span(0x0E00, 0x0E7F)),
    "NotoSansDevanagari-Regular.ttf": ("NotoSansDevanagari-Regular.ttf",
                                       span(0x0900, 0x097F) + span(0xA8E0, 0xA8FF) + span(0x1CD0, 0x1CFF)),
    "NotoSansDevanagari-Bold.ttf": ("NotoSansDevanagari-Bold.ttf",
                                    span(0x0900, 0x097F) + span(0xA8E0, 0xA8FF) + span(0x1CD0, 0x1CFF)),
}


def _double_byte(codec: str, rows: range, cells) -> set[str]:
    out = set()
    for row in rows:
        for cell in cells:
            try:
                char = bytes([row, cell]).decode(codec)
            except UnicodeDecodeError:
                continue
            if len(char) == 1:
                out.add(char)
    return out


def cjk_characters() -> set[int]:
    """The CJK subset, from character-set standards Python's codecs carry (no list to maintain).

    - GB 2312 level 1: the 3,755 most common simplified Chinese hanzi (rows 16-55)
    - Big5 level 1: the 5,401 common traditional Chinese hanzi (0xA440-0xC67E)
    - JIS X 0208 level 1: 2,965 common kanji (rows 16-47; covers the Joyo kanji in use)
    - KS X 1001: the 2,350 common hangul syllables (rows 16-40)
    - all of hiragana, katakana, hangul jamo, CJK symbols and punctuation, full-width forms.
    """
    high = range(0xA1, 0xFF)
    chars = _double_byte("gb2312", range(0xB0, 0xD8), high)
    chars |= {c for c in _double_byte("big5", range(0xA4, 0xC7), list(range(0x40, 0x7F)) + list(high))
              if c.encode("big5") <= b"\xc6\x7e"}
    chars |= _double_byte("euc_jp", range(0xB0, 0xD0), high)
    chars |= _double_byte("euc_kr", range(0xB0, 0xC9), high)
    points = {ord(c) for c in chars}
    points |= set(span(0x3000, 0x30FF)) | set(span(0x31F0, 0x31FF)) | set(span(0xFF00, 0xFFEF))
    points |= set(span(0x1100, 0x11FF)) | set(span(0x3130, 0x318F))  # hangul jamo (index letters)
    return points


def make(source: Path, target: Path, unicodes, font_number: int | None = None,
         features=("*",)) -> None:
    font = TTFont(source, fontNumber=font_number if font_number is not None else -1,
                  recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = list(features)
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.glyph_names = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(set(unicodes) | set(COMMON)))
    subsetter.subset(font)
    font.save(target)
    print(f"{target.name}: {len(font.getGlyphOrder())} glyphs, {target.stat().st_size:,} bytes")


def main() -> int:
    for name, (source, points) in SCRIPTS.items():
        make(CORE / source, HERE / name, points)
    # Noto Sans CJK SC (face 2 of the collection): one face for Chinese, Japanese and Korean.
    # Without the 'locl' feature, so Japanese and Korean text uses the simplified-Chinese
    # shapes of the few characters whose shape differs by region (keeping 'locl' would
    # nearly double the size).
    # Regular and bold, with the same characters, so a bold title never mixes in regular glyphs.
    for weight in ("Regular", "Bold"):
        make(CJK / f"NotoSansCJK-{weight}.ttc", HERE / f"NotoSansCJKsc-{weight}.otf", cjk_characters(),
             font_number=2, features=("ccmp", "kern", "mark", "mkmk", "liga"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
