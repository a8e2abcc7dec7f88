"""Sorting titles and names the way readers expect in an index.

* Leading articles in the title's language are ignored: "The Hunt" sorts under H,
  "Les Misérables" under M, "L’Avventura" under A. When the language is unknown, the
  English articles and the unambiguous articles of other languages are used.
* Accents are folded (É with E, Œ as OE, ß as SS) and case is ignored.
* Titles starting with a digit come before letters, in numeric order (2 before 10).
* Titles in non-Latin scripts come after Latin ones, grouped by script, in code-point
  order within a script.
"""

from __future__ import annotations

import re
import functools
import unicodedata

ARTICLES = {
    "en": ["the", "a", "an"],
    "fr": ["le", "la", "les", "l'", "un", "une", "des"],
    "it": ["il", "lo", "la", "i", "gli", "le", "l'", "un", "uno", "una", "un'"],
    "es": ["el", "la", "los", "las", "un", "una"],
    "pt": ["o", "a", "os", "as", "um", "uma"],
    "de": ["der", "die", "das", "ein", "eine"],
    "nl": ["de", "het", "een", "'t"],
    "ca": ["el", "la", "els", "les", "l'"],
    "el": ["ο", "η", "το", "οι", "τα", "ένας", "μια", "ένα"],
    "sv": ["en", "ett"],
    "da": ["en", "et"],
}
# Without a language: articles that are not also common words in another language.
DEFAULT_ARTICLES = ["the", "a", "an", "le", "la", "les", "l'", "der", "die", "das", "el", "los",
                    "las", "il", "gli", "het"]

_FOLD = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ł": "l",
         "ı": "i"}
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "`": "'"})


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case, accents removed, ligatures expanded, apostrophes made straight."""
    text = text.translate(_APOSTROPHES).casefold()
    text = "".join(_FOLD.get(c, c) for c in text)
    # canonical (not compatibility) decomposition: accents come off, but ½ stays one
    # character; Hangul syllables stay whole (their code points are in dictionary order)
    return "".join(ch if _is_hangul(ch) else
                   "".join(c for c in unicodedata.normalize("NFD", ch)
                           if not unicodedata.combining(c))
                   for ch in text)


def _is_hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


# The initial consonants of Hangul syllables, as index headings (ㄱ, ㄴ, ㄷ…)
_HANGUL_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"


def strip_article(title: str, lang: str | None = None) -> str:
    """The title without its leading article, as it should be filed."""
    articles = ARTICLES.get((lang or "").split("-")[0].lower(), None) or DEFAULT_ARTICLES
    folded = fold(title)
    for article in sorted({fold(a) for a in articles}, key=len, reverse=True):
        if article.endswith("'"):
            if folded.startswith(article) and len(folded) > len(article):
                return title[len(article):].lstrip()
        elif folded.startswith(article + " ") and len(folded) > len(article) + 1:
            return title[len(article) + 1:].lstrip()
    return title


def _script_rank(ch: str) -> int:
    name = unicodedata.name(ch, "")
    for rank, script in enumerate(["LATIN", "GREEK", "CYRILLIC", "ARMENIAN", "HEBREW", "ARABIC",
                                   "DEVANAGARI", "THAI", "HANGUL", "HIRAGANA", "KATAKANA", "CJK"]):
        if name.startswith(script):
            return 10 + rank
    return 90


@functools.lru_cache(maxsize=65536)
def sort_key(title: str, lang: str | None = None) -> tuple:
    """A key that files ``title`` where a reader would look for it."""
    filed = strip_article(title.strip(), lang)
    folded = fold(filed)
    # skip leading punctuation such as quotes or an ellipsis
    folded = re.sub(r"^[^\w]+", "", folded) or folded
    first = folded[:1]
    if first.isdigit():
        group = 0
    elif first.isascii() and first.isalpha():
        group = 1
    else:
        group = _script_rank(first) if first else 99
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p)
                  for p in re.findall(r"\d+|\D+", folded))
    return (group, parts, title)


def index_letter(title: str, lang: str | None = None) -> str:
    """The heading an entry goes under in an A–Z index: a letter, '0–9' or the script's first letter."""
    folded = re.sub(r"^[^\w]+", "", fold(strip_article(title.strip(), lang)))
    if not folded:
        return "#"
    first = folded[0]
    if first.isdigit():
        return "0–9"
    if _is_hangul(first):
        return _HANGUL_INITIALS[(ord(first) - 0xAC00) // 588]
    return first.upper()


def name_key(name: str) -> tuple:
    """Sort a person's name family name first: 'Jacques Audiard' files as 'Audiard, Jacques'."""
    return sort_key(inverted_name(name))


def inverted_name(name: str) -> str:
    """'Jacques Audiard' -> 'Audiard, Jacques'; 'Lars von Trier' -> 'Trier, Lars von'.

    The family name is taken to be the last word. Names written family name first (many
    East Asian names) should be entered as the index should show them.
    """
    parts = name.split()
    if len(parts) < 2:
        return name
    return f"{parts[-1]}, {' '.join(parts[:-1])}"
