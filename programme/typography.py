"""Typography for content text: what editors type becomes what a typesetter would set.

Applied to every content text on its way into a template (by the ``inline``, ``paragraphs``
and ``plain`` filters, and to content text printed directly), in the text's language:

====================================  ===============================================
typed                                 printed
====================================  ===============================================
``"quoted"`` ``'quoted'``             “quoted” ‘quoted’ (en); « quoted » (fr, with
                                      narrow no-break spaces); „quoted“ (de); …
``don't`` ``'90s`` ``rock 'n' roll``  don’t ’90s rock ’n’ roll (apostrophes)
``--`` / ``---``                      – (en dash) / — (em dash)
``...``                               … (ellipsis)
``1994-1998`` ``1994-98``             1994–1998 1994–98 (year ranges)
``10:00-20:30``                       10:00–20:30 (time ranges)
``word - word``                       word – word (a spaced hyphen is a dash)
``120 mins`` ``35 mm``                no-break space between a number and its unit
``J. R. R. Tolkien``                  no-break spaces after initials
``Bonjour !`` (fr)                    narrow no-break space before ; ! ? and no-break
                                      space before : where a space was typed
====================================  ===============================================

Text that is already typographic stays exactly as it is, and applying the rules twice
changes nothing (``smarten(smarten(t)) == smarten(t)``). The markup characters (``*``,
``\\`` at a line end) are left alone for :mod:`programme.markup`.
"""

from __future__ import annotations

import re

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space (French « », ; ! ?)

# (open double, close double, open single, close single) for each primary language subtag.
QUOTES: dict[str, tuple[str, str, str, str]] = {
    "en": ("“", "”", "‘", "’"),
    "fr": ("«" + NNBSP, NNBSP + "»", "“", "”"),
    "de": ("„", "“", "‚", "‘"),
    "cs": ("„", "“", "‚", "‘"),
    "sk": ("„", "“", "‚", "‘"),
    "sl": ("„", "“", "‚", "‘"),
    "is": ("„", "“", "‚", "‘"),
    "lt": ("„", "“", "‚", "‘"),
    "ka": ("„", "“", "‚", "‘"),
    "pl": ("„", "”", "‚", "’"),
    "ro": ("„", "”", "«", "»"),
    "hu": ("„", "”", "»", "«"),
    "hr": ("„", "”", "‘", "’"),
    "bg": ("„", "“", "‚", "‘"),
    "nl": ("“", "”", "‘", "’"),
    "it": ("«", "»", "“", "”"),
    "es": ("«", "»", "“", "”"),
    "ca": ("«", "»", "“", "”"),
    "pt": ("«", "»", "“", "”"),
    "el": ("«", "»", "“", "”"),
    "ru": ("«", "»", "„", "“"),
    "uk": ("«", "»", "„", "“"),
    "be": ("«", "»", "„", "“"),
    "no": ("«", "»", "‘", "’"),
    "nb": ("«", "»", "‘", "’"),
    "nn": ("«", "»", "‘", "’"),
    "da": ("»", "«", "›", "‹"),
    "sv": ("”", "”", "’", "’"),
    "fi": ("”", "”", "’", "’"),
    "tr": ("“", "”", "‘", "’"),
    "ar": ("«", "»", "‹", "›"),
    "fa": ("«", "»", "‹", "›"),
    "he": ("„", "”", "‚", "’"),
    "ja": ("「", "」", "『", "』"),
    "zh": ("“", "”", "‘", "’"),
    "zh-hant": ("「", "」", "『", "』"),
    "zh-tw": ("「", "」", "『", "』"),
    "zh-hk": ("「", "」", "『", "』"),
    "ko": ("“", "”", "‘", "’"),
}
# Brazilian Portuguese uses curly quotes where European Portuguese uses guillemets.
QUOTES["pt-br"] = QUOTES["en"]

UNITS = ("mins?|minutes?|hrs?|hours?|secs?|seconds?|h|mm|cm|m|km|kg|g|fps|ppi|dpi|pt|px|"
         "kHz|Hz|MB|GB|TB|kB|°C|°F|%")

_ELLIPSIS = re.compile(r"(?<!\.)\.\.\.(?!\.)")
_EM = re.compile(r"(?<!-)---(?!-)")
_EN = re.compile(r"(?<!-)--(?!-)")
_SPACED_HYPHEN = re.compile(r"(?<=\S) - (?=\S)")
_YEARS = re.compile(r"(?<![\w.,:/-])(1[89]\d\d|20\d\d)-(\d{4}|\d\d)(?![\w/-]|[.,:]\d)")
_TIMES = re.compile(r"(?<![\w:])([01]?\d|2[0-4])([:.][0-5]\d)-([01]?\d|2[0-4])([:.][0-5]\d)(?![\w:])")
_UNIT = re.compile(r"(?<=\d) (?=(?:" + UNITS + r")(?!\w))")
_INITIAL = re.compile(r"(?<![\w.])(\w)\. (?=\w)")
_FRENCH_BEFORE = re.compile(r" ([;!?»])")
_FRENCH_COLON = re.compile(r" :(?=\s|$)")
_FRENCH_AFTER = re.compile(r"« ")
_ELISIONS = ("tis", "twas", "em", "n", "cause", "til", "round")
_WORD = re.compile(r"\w+")
_TWO_DIGITS = re.compile(r"\d\d(?!\d)")

_OPENERS = set(" \t\n\r([{<–—-/\u00a0\u202f\u2009“‘«‹„‚「『") | {""}


def quote_marks(lang: str | None) -> tuple[str, str, str, str]:
    """The quotation marks for ``lang`` (a BCP 47 tag such as en, fr-CA, zh-Hant)."""
    tag = (lang or "en").lower().replace("_", "-")
    parts = tag.split("-")
    for candidate in ("-".join(parts[:2]), parts[0]):
        if candidate in QUOTES:
            return QUOTES[candidate]
    return QUOTES["en"]


def smarten(text: str, lang: str | None = "en") -> str:
    """``text`` with the typography rules above applied for language ``lang``."""
    if not text:
        return text
    base = (lang or "en").lower().split("-")[0]
    # (each rule only runs where its characters are: most text needs none of them)
    if "..." in text:
        text = _ELLIPSIS.sub("…", text)
    if "-" in text:
        if "--" in text:
            text = _EM.sub("—", text)
            text = _EN.sub("–", text)
        text = _SPACED_HYPHEN.sub(" – ", text)
        text = _YEARS.sub(_year_range, text)
        text = _TIMES.sub(lambda m: f"{m[1]}{m[2]}–{m[3]}{m[4]}", text)
    if "'" in text or '"' in text:
        text = _quotes(text, quote_marks(lang))
    if " " in text:
        text = _UNIT.sub(NBSP, text)
        if ". " in text:
            text = _INITIAL.sub(_initial, text)
    if base == "fr":
        text = _FRENCH_BEFORE.sub(NNBSP + r"\1", text)
        text = _FRENCH_COLON.sub(NBSP + ":", text)
        text = _FRENCH_AFTER.sub("«" + NNBSP, text)
    return text


def _year_range(match: re.Match) -> str:
    start, end = match[1], match[2]
    if len(end) == 2:
        if int(end) <= int(start[2:]):  # 2012-10 is a month, not a range
            return match[0]
    elif not int(start) < int(end) <= 2100:
        return match[0]
    return f"{start}–{end}"


def _initial(match: re.Match) -> str:
    letter = match[1]
    following = match.string[match.end()] if match.end() < len(match.string) else ""
    if letter.isupper() and following.isupper():
        return f"{letter}.{NBSP}"
    return match[0]


def _quotes(text: str, marks: tuple[str, str, str, str]) -> str:
    open_double, close_double, open_single, close_single = marks
    out: list[str] = []
    single_open = False  # an opening single quote is waiting for its closing one
    n = len(text)
    for i, char in enumerate(text):
        if char not in "'\"":
            out.append(char)
            continue
        before = _previous(text, i)
        after = text[i + 1] if i + 1 < n else ""
        opening = before in _OPENERS or before == "*" and _previous(text, i, skip="*") in _OPENERS
        if char == '"':
            if opening and after not in ("", " ", "\n", "\t"):
                out.append(open_double)
            else:
                out.append(close_double)
            continue
        # a single quote: apostrophe, or a quotation mark
        word_after = _WORD.match(text, i + 1)  # (no slice: a copy per quote is quadratic)
        if before.isalnum() and after.isalnum():  # don't, l'homme
            out.append("’")
        elif opening and word_after and (word_after[0].lower() in _ELISIONS
                                          or _TWO_DIGITS.match(text, i + 1)
                                          and not text.startswith("'", i + 3)):
            out.append("’")  # 'tis, rock 'n' roll, the '90s
        elif opening and after not in ("", " ", "\n", "\t"):
            out.append(open_single)
            single_open = True
        elif single_open:
            out.append(close_single)
            single_open = False
        else:
            out.append("’")  # the directors' cut
    return "".join(out)


def _previous(text: str, i: int, skip: str = "") -> str:
    """The character before position ``i`` ('' at the start), skipping characters in ``skip``."""
    i -= 1
    while i >= 0 and text[i] in skip:
        i -= 1
    return text[i] if i >= 0 else ""
