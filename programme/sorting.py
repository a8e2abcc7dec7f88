"""Sorting titles and names the way readers expect in an index.

* Leading articles in the title's language are ignored: "The Hunt" sorts under H,
  "Les Misérables" under M, "L’Avventura" under A. When the language is unknown, the
  English articles and the unambiguous articles of other languages are used.
* Accents are folded (É with E, Œ as OE, ß as SS) and case is ignored.
* Titles starting with a digit come before letters, in numeric order (2 before 10).
* Titles in non-Latin scripts come after Latin ones, grouped by script, in code-point
  order within a script, under a heading naming the script ("Cyrillic", "Greek"): a
  Cyrillic В as a heading would read as a Latin B out of order.
* People's names are filed by family name (:func:`file_name`): "Audiard, Jacques",
  "Trier, Lars von", "Van Sant, Gus"; names written family name first ("Kim Ki-duk", with
  the family name given, or "王家卫") are filed as written.
"""

from __future__ import annotations

import re
import functools
import unicodedata
from dataclasses import dataclass

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


# ------------------------------------------------------------------------------ scripts
# Scripts in index order after Latin: (start of the Unicode character name, ISO 15924 code).
# Chinese, Japanese and Korean share one heading: a Japanese title may start with a Han
# character, and a reader looks for all three in one place.
_SCRIPTS = [
    ("LATIN", "Latn"), ("GREEK", "Grek"), ("COPTIC", "Grek"), ("CYRILLIC", "Cyrl"),
    ("ARMENIAN", "Armn"), ("GEORGIAN", "Geor"), ("HEBREW", "Hebr"), ("ARABIC", "Arab"),
    ("SYRIAC", "Syrc"), ("THAANA", "Thaa"), ("DEVANAGARI", "Deva"), ("BENGALI", "Beng"),
    ("GURMUKHI", "Guru"), ("GUJARATI", "Gujr"), ("ORIYA", "Orya"), ("TAMIL", "Taml"),
    ("TELUGU", "Telu"), ("KANNADA", "Knda"), ("MALAYALAM", "Mlym"), ("SINHALA", "Sinh"),
    ("THAI", "Thai"), ("LAO", "Laoo"), ("TIBETAN", "Tibt"), ("MYANMAR", "Mymr"),
    ("KHMER", "Khmr"), ("MONGOLIAN", "Mong"), ("ETHIOPIC", "Ethi"),
    ("HIRAGANA", "CJK"), ("KATAKANA", "CJK"), ("HALFWIDTH KATAKANA", "CJK"),
    ("BOPOMOFO", "CJK"), ("CJK", "CJK"), ("HANGUL", "CJK"), ("HALFWIDTH HANGUL", "CJK"),
]
_SCRIPT_RANK = {code: rank for rank, code in enumerate(dict.fromkeys(c for _, c in _SCRIPTS))}

# Index headings for scripts other than Latin, in the brochure's language (``lang``); other
# languages get the English heading. A script missing here is headed by its Unicode name.
SCRIPT_HEADINGS: dict[str, dict[str, str]] = {
    #        en               fr              de               es             it            pt            nl
    "Grek": dict(en="Greek", fr="Grec", de="Griechisch", es="Griego", it="Greco", pt="Grego",
                 nl="Grieks"),
    "Cyrl": dict(en="Cyrillic", fr="Cyrillique", de="Kyrillisch", es="Cirílico",
                 it="Cirillico", pt="Cirílico", nl="Cyrillisch"),
    "Armn": dict(en="Armenian", fr="Arménien", de="Armenisch", es="Armenio", it="Armeno",
                 pt="Arménio", nl="Armeens"),
    "Geor": dict(en="Georgian", fr="Géorgien", de="Georgisch", es="Georgiano",
                 it="Georgiano", pt="Georgiano", nl="Georgisch"),
    "Hebr": dict(en="Hebrew", fr="Hébreu", de="Hebräisch", es="Hebreo", it="Ebraico",
                 pt="Hebraico", nl="Hebreeuws"),
    "Arab": dict(en="Arabic script", fr="Alphabet arabe", de="Arabische Schrift",
                 es="Alfabeto árabe", it="Alfabeto arabo", pt="Alfabeto árabe",
                 nl="Arabisch schrift"),
    "Syrc": dict(en="Syriac"), "Thaa": dict(en="Thaana"),
    "Deva": dict(en="Devanagari", fr="Dévanagari", pt="Devanágari"),
    "Beng": dict(en="Bengali", de="Bengalisch", es="Bengalí", it="Bengalese", nl="Bengaals"),
    "Guru": dict(en="Gurmukhi"), "Gujr": dict(en="Gujarati"), "Orya": dict(en="Odia"),
    "Taml": dict(en="Tamil", fr="Tamoul", de="Tamilisch", pt="Tâmil"),
    "Telu": dict(en="Telugu"), "Knda": dict(en="Kannada"), "Mlym": dict(en="Malayalam"),
    "Sinh": dict(en="Sinhala", fr="Cingalais", de="Singhalesisch", es="Cingalés",
                 it="Singalese", pt="Cingalês", nl="Singalees"),
    "Thai": dict(en="Thai", fr="Thaï", de="Thailändisch", es="Tailandés", it="Thailandese",
                 pt="Tailandês"),
    "Laoo": dict(en="Lao", fr="Lao", de="Laotisch", es="Lao", it="Lao", pt="Laosiano",
                 nl="Laotiaans"),
    "Tibt": dict(en="Tibetan", fr="Tibétain", de="Tibetisch", es="Tibetano", it="Tibetano",
                 pt="Tibetano", nl="Tibetaans"),
    "Mymr": dict(en="Burmese", fr="Birman", de="Birmanisch", es="Birmano", it="Birmano",
                 pt="Birmanês", nl="Birmaans"),
    "Khmr": dict(en="Khmer", es="Jemer"),
    "Mong": dict(en="Mongolian", fr="Mongol", de="Mongolisch", es="Mongol", it="Mongolo",
                 pt="Mongol", nl="Mongools"),
    "Ethi": dict(en="Ethiopic", fr="Éthiopien", de="Äthiopisch", es="Etíope", it="Etiopico",
                 pt="Etíope", nl="Ethiopisch"),
    "CJK": dict(en="Chinese, Japanese and Korean", fr="Chinois, japonais et coréen",
                de="Chinesisch, Japanisch und Koreanisch", es="Chino, japonés y coreano",
                it="Cinese, giapponese e coreano", pt="Chinês, japonês e coreano",
                nl="Chinees, Japans en Koreaans"),
}


@functools.lru_cache(maxsize=4096)
def script_of(ch: str) -> str:
    """The script of a letter: an ISO 15924 code such as 'Latn', 'Cyrl' or 'Arab', 'CJK' for
    Chinese, Japanese and Korean (Han, kana, Hangul), else the first word of its Unicode
    name ('Cherokee'); '' for a character without a name."""
    name = unicodedata.name(ch, "")
    for prefix, code in _SCRIPTS:
        if name.startswith(prefix):
            return code
    return name.split(" ")[0].capitalize()


def script_heading(script: str, lang: str | None = "en") -> str:
    """The index heading for titles or names in ``script`` (from :func:`script_of`), in the
    brochure's language ``lang``: 'Cyrillic', 'Greek', 'Chinese, Japanese and Korean'…"""
    names = SCRIPT_HEADINGS.get(script)
    if names is None:
        return script
    return names.get((lang or "en").split("-")[0].lower(), names["en"])


def _group(first: str) -> tuple:
    """Where entries starting with ``first`` go: numbers, then Latin, then each script."""
    if first.isdigit():
        return (0, "")
    if not first.isalpha():  # nothing, or a symbol: last, under '#'
        return (99, "")
    script = script_of(first)
    if script == "Latn" or first.isascii():
        return (1, "")
    return (10 + _SCRIPT_RANK.get(script, 80), script)


def _filed_text(text: str) -> str:
    """Folded, without leading punctuation such as quotes or an ellipsis."""
    folded = fold(text)
    return re.sub(r"^[^\w]+", "", folded) or folded


@functools.lru_cache(maxsize=65536)
def sort_key(title: str, lang: str | None = None) -> tuple:
    """A key that files ``title`` where a reader would look for it."""
    folded = _filed_text(strip_article(title.strip(), lang))
    parts = tuple((0, int(p), "") if p.isdecimal() else (1, 0, p)
                  for p in re.findall(r"\d+|\D+", folded))
    return (_group(folded[:1]), parts, title)


def heading(folded: str, lang: str | None = "en") -> tuple[str, str | None]:
    """The heading for an entry filed as ``folded`` (already folded, punctuation skipped),
    and its script: a Latin letter, '0–9' or, for every other script, the script's name in
    the brochure's language ``lang``. A Cyrillic В or a Greek Α never heads entries as a
    letter: it would read as a Latin B or A out of order."""
    first = re.sub(r"^[^\w]+", "", folded)[:1]
    group = _group(first)
    if group[0] == 0:
        return "0–9", None
    if group[0] == 1:
        return first.upper(), "Latn"
    script = group[1] or None
    return (script_heading(script, lang) if script else "#"), script


def title_heading(title: str, lang: str | None = None,
                  heading_lang: str | None = "en") -> tuple[str, str | None]:
    """The heading a title goes under in an A–Z index and its script (see :func:`heading`).
    ``lang`` is the title's own language (for its leading article), ``heading_lang`` the
    brochure's."""
    return heading(fold(strip_article(title.strip(), lang)), heading_lang)


def index_letter(title: str, lang: str | None = None, heading_lang: str | None = "en") -> str:
    """The heading an entry goes under in an A–Z index: a Latin letter, '0–9', or the name of
    the script for titles in other scripts ('Cyrillic'), in the language ``heading_lang``.
    ``lang`` is the title's own language (for its leading article)."""
    return title_heading(title, lang, heading_lang)[0]


# -------------------------------------------------------------------------------- names
# Particles that, capitalised, file with the family name ("Gus Van Sant": "Van Sant, Gus";
# "Vittorio De Sica": "De Sica, Vittorio"). In lower case they stay with the given names
# ("Lars von Trier": "Trier, Lars von"; "Manoel de Oliveira": "Oliveira, Manoel de").
PARTICLES = {"van", "von", "de", "di", "da", "du", "del", "della", "delle", "dei", "degli",
             "des", "der", "den", "dos", "das", "la", "le", "lo", "ten", "ter", "te", "zu",
             "al", "el", "bin", "ibn", "bint"}
# Words after the family name: "Martin Luther King Jr." files as "King, Martin Luther, Jr."
SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
# Ignored in filing at the start of a family name, as Arabic indexes do: "al-Mansour, Haifaa"
# files under M.
_ARABIC_ARTICLE = re.compile(r"^(?:al|el)[-‐]", re.IGNORECASE)


class NameError_(ValueError):
    """A name that cannot be read (the message says what to write)."""


@dataclass(frozen=True)
class Filing:
    """How a person's name is printed and filed.

    ``printed`` is the name in credits ("Jacques Audiard", "Kim Ki-duk"); ``filed`` the name
    in an index ("Audiard, Jacques", "Kim Ki-duk": a name written family name first is filed
    as written); ``family`` and ``given`` are its parts ("Audiard", "Jacques"), ``suffix``
    a "Jr." after the family name.
    """

    printed: str
    filed: str
    family: str
    given: str = ""
    suffix: str = ""
    family_first: bool = False


def _words(text: str) -> list[re.Match]:
    return list(re.finditer(r"\S+", text))


def _is_suffix(word: str) -> bool:
    return word.rstrip(",").lower() in SUFFIXES and (word[:1].isupper())


def _split_suffix(text: str) -> tuple[str, str]:
    """'Martin Luther King Jr.' -> ('Martin Luther King', 'Jr.'); the comma before it goes."""
    words = _words(text)
    if len(words) >= 2 and _is_suffix(words[-1].group()):
        return text[:words[-1].start()].rstrip().rstrip(",").rstrip(), words[-1].group()
    return text, ""


def _starts_in_cjk(text: str) -> bool:
    first = re.sub(r"^[^\w]+", "", text)[:1]
    return bool(first) and script_of(first) == "CJK"


def _join(family: str, given: str, suffix: str, family_first: bool) -> str:
    if family_first:
        filed = f"{family} {given}" if given else family
    else:
        filed = f"{family}, {given}" if given else family
    return f"{filed}, {suffix}" if suffix else filed


def _family_by_rule(name: str) -> tuple[str, str]:
    """(given, family) of a name written given name first: the family name is the last word
    and any capitalised particles before it."""
    words = _words(name)
    start = len(words) - 1
    i = start - 1
    while i >= 1 and words[i].group().lower() in PARTICLES:  # keep a given name before
        if words[i].group()[:1].isupper():
            start = i  # a capitalised particle and the lower-case ones after it
        i -= 1
    return name[:words[start].start()].rstrip(), name[words[start].start():]


def file_name(name: str, family: str | None = None) -> Filing:
    """How ``name`` is printed and filed.

    Without ``family``: a name in Chinese, Japanese or Korean script ("王家卫") is printed and
    filed as written; "Family, Given" (with one comma) is printed "Given Family" and filed
    "Family, Given"; one word is filed as it is; otherwise the family name is the last word
    with any capitalised particles before it ("Audiard, Jacques", "Trier, Lars von",
    "Van Sant, Gus"). With ``family``, the first or last words of the name: a name that
    starts with it is written family name first and filed as written ("Kim Ki-duk"); else
    it is filed "Family, Given" ("Almodóvar Caballero, Pedro").

    Raises :class:`NameError_` for what cannot be read that way.
    """
    name = re.sub(r" {2,}", " ", name.strip())
    if family is not None:
        return _file_with_family(name, family.strip())
    if "," in name:
        before, _, after = name.rpartition(",")
        # "Sammy Davis, Jr." is a name and its suffix, not "Family, Given"
        suffix_only = ("," not in before and len(_words(after)) == 1
                       and _is_suffix(after.strip()))
        if not suffix_only:
            return _file_with_comma(name)
    if _starts_in_cjk(name):
        return Filing(name, name, name, family_first=True)
    base, suffix = _split_suffix(name)
    if len(_words(base)) < 2:
        return Filing(name, _join(base, "", suffix, False), base, suffix=suffix)
    given, fam = _family_by_rule(base)
    return Filing(name, _join(fam, given, suffix, False), fam, given, suffix)


def _file_with_comma(name: str) -> Filing:
    parts = [p.strip() for p in name.split(",")]
    suffix = ""
    if len(parts) > 2 and _is_suffix(parts[-1]) and len(_words(parts[-1])) == 1:
        suffix = parts.pop()
    if len(parts) > 2:
        raise NameError_(f"{name!r} has more than one comma: write one name as 'Family, "
                         "Given' (or 'Given Family'); put each person in a list item of "
                         "their own")
    fam, given = parts
    if not fam or not given:
        raise NameError_(f"{name!r}: write the name as 'Family, Given' (such as 'Audiard, "
                         "Jacques') or without a comma")
    printed = f"{given} {fam}" + (f" {suffix}" if suffix else "")
    return Filing(printed, _join(fam, given, suffix, False), fam, given, suffix)


def _file_with_family(name: str, family: str) -> Filing:
    base, suffix = _split_suffix(name)
    if "," in base:
        raise NameError_(f"name {name!r}: write the name as it is printed, without a comma "
                         "(family says how it is filed)")
    family = " ".join(family.split())
    if _starts_in_cjk(base) and " " not in base and base.startswith(family):
        # written without spaces, as Chinese, Japanese and Korean names are: 김기덕, family 김
        return Filing(name, _join(base, "", suffix, True), family, base[len(family):],
                      suffix, family_first=True)
    words = [m.group() for m in _words(base)]
    fwords = family.split()
    folded = [fold(w) for w in words]
    ffolded = [fold(w) for w in fwords]
    n = len(fwords)
    if not fwords or n > len(words):
        raise NameError_(f"family {family!r} is not part of name {name!r}: give the family "
                         "name as written in the name")
    matches_end = folded[len(words) - n:] == ffolded
    matches_start = folded[:n] == ffolded
    if matches_end and (not matches_start or not _starts_in_cjk(base)):
        given = base[:_words(base)[len(words) - n].start()].rstrip()
        fam = base[len(given):].strip()
        return Filing(name, _join(fam, given, suffix, False), fam, given, suffix)
    if matches_start:
        split = _words(base)[n - 1].end()
        fam, given = base[:split], base[split:].strip()
        return Filing(name, _join(fam, given, suffix, True), fam, given, suffix,
                      family_first=True)
    raise NameError_(f"family {family!r} is neither the first nor the last words of name "
                     f"{name!r}: give the family name as written in the name (such as "
                     "name: Kim Ki-duk, family: Kim)")


def filing(name) -> Filing:
    """The :class:`Filing` of a name from the content (which carries its own) or of text."""
    if isinstance(name, Filing):
        return name
    found = getattr(name, "filing", None)
    if isinstance(found, Filing):
        return found
    try:
        return file_name(str(name))
    except NameError_:
        return Filing(str(name), str(name), str(name))


def inverted_name(name) -> str:
    """The name as an index shows it: 'Jacques Audiard' -> 'Audiard, Jacques'; 'Lars von
    Trier' -> 'Trier, Lars von'; 'Gus Van Sant' -> 'Van Sant, Gus'; a name given family
    name first ('Kim Ki-duk' with family Kim, or '王家卫') as written. See :func:`file_name`."""
    return filing(name).filed


def name_key(name) -> tuple:
    """Sort a person's name by family name, then given names: 'Kim Jee-woon' before
    'Kim Ki-duk', 'al-Mansour' under M."""
    return _name_key(filing(name))


@functools.lru_cache(maxsize=65536)
def _name_key(f: Filing) -> tuple:
    family = _filed_text(_ARABIC_ARTICLE.sub("", f.family))
    return (_group(family[:1]), family, fold(f.given), fold(f.suffix), f.filed, f.printed)


def name_heading(name, lang: str | None = "en") -> tuple[str, str | None]:
    """The heading a name goes under in an index of names, and its script: the first letter
    of its family name ('al-Mansour' under M), or its script's name in the brochure's
    language ``lang`` ('Chinese, Japanese and Korean')."""
    return heading(_filed_text(_ARABIC_ARTICLE.sub("", filing(name).family)), lang)
