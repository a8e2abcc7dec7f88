"""Box-office handouts: which sheets to print, chosen from the command line's options.

A handout is one PDF of *sheets*, each starting on a new page:

* a **day sheet** lists every screening of one day (or of one day at one venue) in time
  order, with running and end times, certificate, access, sold-out state and the
  festival's box-office notes;
* a **film sheet** gives one film on one page: title, credits, a shortened synopsis and
  all its screenings.

This module only decides *what* goes on the sheets (and checks the options, reporting
every mistake at once with a "did you mean" hint). *How* they look – paper size, large
print, wording – belongs to the layout (``layouts/handout``), which receives the sheets
and the ``paper`` and ``large_print`` choices as template variables. The PDF is built by
:func:`programme.build.build_pdf` like every other document, as a tagged PDF/UA-1 file so
that screen readers read it in order.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from . import markup
from .build import BuildResult, build_pdf
from .loader import Content, load_content
from .model import AttributedText, Film, Programme, Section, Venue
from .navigation import Slot, slots
from .problems import Problem, ProgrammeError
from .sorting import fold

PAPERS = ("a4", "letter")
_PAPER_NAMES = {"a4": "a4", "letter": "letter", "usletter": "letter", "us-letter": "letter"}
#: How long the synopsis on a film sheet may be, in words (the layout may ask otherwise).
SYNOPSIS_WORDS = 100
#: WeasyPrint's accessible PDF: tagged structure, document language, title shown by viewers.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}
WHERE = "programme handout"  # how problems with the options are reported


# ------------------------------------------------------------------------------ sheets

@dataclass(frozen=True)
class DaySheet:
    """Every screening of ``day`` (at ``venue`` only, when given), in time order."""

    day: dt.date
    venue: Venue | None
    showings: list[Slot]  # each screening with its film and venue
    venues: list[Venue]  # the venues it mentions, in the order of venues.yaml
    kind: str = field(default="day", init=False)

    @property
    def id(self) -> str:
        return f"day-{self.day.isoformat()}" + (f"-{self.venue.code.lower()}" if self.venue else "")

    @property
    def any_sold_out(self) -> bool:
        return any(s.sold_out for s in self.showings)


@dataclass(frozen=True)
class FilmSheet:
    """One film: its details and all its screenings, in time order."""

    film: Film
    section: Section | None
    showings: list[Slot]  # each screening with its film and venue
    kind: str = field(default="film", init=False)

    @property
    def id(self) -> str:
        return f"film-{self.film.slug}"

    @property
    def any_sold_out(self) -> bool:
        return any(s.sold_out for s in self.showings)


def day_sheet(programme: Programme, day: dt.date, venue: Venue | None = None) -> DaySheet:
    showings = [s for s in slots(programme) if s.start.date() == day
                and (venue is None or s.venue.code == venue.code)]
    codes = {s.venue.code for s in showings} | ({venue.code} if venue else set())
    return DaySheet(day, venue, showings, [v for v in programme.venues if v.code in codes])


def film_sheet(programme: Programme, film: Film) -> FilmSheet:
    sections = {s.slug: s for s in programme.sections}
    return FilmSheet(film, sections.get(film.section), slots(programme, [film]))


# ---------------------------------------------------------------------------- synopsis
@dataclass(frozen=True)
class Synopsis:
    text: str            # with its inline markup; paragraphs on lines of their own
    by: str | None       # who wrote it: the critic, or the authors of the statement
    shortened: bool
    source: str = ""     # "review", "tagline" or "statement"


_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "prof", "jr", "sr", "vs", "etc", "eg", "ie",
                  "cf", "no", "vol", "dir", "approx", "ca", "fig", "mt", "ft"}
_SENTENCE_END = re.compile(r"[.!?…]+[*\"”’»)\]]*(?=\s|$)")
_SENTENCE_START = re.compile(r"[\s]*[*\"“‘'«(¿¡]*[A-Z0-9À-ÖØ-ÞĀ-ſΑ-ΩА-Я]")


def sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences, keeping abbreviations (Dr., St.) and initials
    (J. Audiard) inside theirs."""
    out, start = [], 0
    for match in _SENTENCE_END.finditer(paragraph):
        stop = match.end()
        if match.group().startswith(".") and not match.group().startswith("..."):
            word = re.search(r"(\S+)$", paragraph[start:match.start()])
            token = markup.plain(word.group(1)).strip("*“\"‘'(«").lower() if word else ""
            if token in _ABBREVIATIONS or re.fullmatch(r"[^\W\d_]", token) or "." in token:
                continue
        if stop < len(paragraph) and not _SENTENCE_START.match(paragraph, stop):
            continue
        out.append(paragraph[start:stop].strip())
        start = stop
    rest = paragraph[start:].strip()
    if rest:
        out.append(rest)
    return out


def _words(text: str) -> int:
    """Words, not counting dashes and other punctuation that stands alone."""
    return sum(1 for w in markup.plain(text).split() if any(c.isalnum() for c in w))


def _close_markup(text: str) -> str:
    """Close a ``**bold**`` or ``*italic*`` span left open by cutting the text."""
    if text.count("**") % 2:
        text += "**"
    if text.replace("**", "").count("*") % 2:
        text += "*"
    return text


def shorten(text: str | None, max_words: int = SYNOPSIS_WORDS) -> tuple[str, bool]:
    """The opening of ``text`` in at most ``max_words`` words, ending at the end of a
    sentence: the first paragraph when it fits, then as many whole sentences after it as
    fit. Whatever is left out is marked with an ellipsis. A first sentence longer than
    ``max_words`` is cut between words.

    Returns the text (with its inline markup; paragraphs separated by a new line, for the
    ``paragraphs`` filter) and whether anything was left out.
    """
    paragraphs = [re.sub(r"\s+", " ", p.replace("\\\n", " ")).strip()
                  for p in markup.split_paragraphs(text)]
    kept: list[list[str]] = []  # the sentences kept, paragraph by paragraph
    words = 0
    for paragraph in paragraphs:
        room = sentences(paragraph)
        taken: list[str] = []
        for sentence in room:
            if words + _words(sentence) > max_words:
                break
            words += _words(sentence)
            taken.append(sentence)
        if taken:
            kept.append(taken)
        if len(taken) < len(room):
            break
    if not paragraphs:
        return "", False
    if not kept:  # the first sentence alone is too long: cut it between words
        cut = " ".join(paragraphs[0].split()[:max(max_words, 1)]).rstrip(",;:–—-")
        return _close_markup(cut) + "…", True
    complete = words == sum(_words(p) for p in paragraphs)
    text = "\n".join(" ".join(taken) for taken in kept)
    return (text, False) if complete else (text + " …", True)


def synopsis(film: Film, words: int = SYNOPSIS_WORDS) -> Synopsis:
    """A short text about ``film`` for its sheet: the review shortened, or else the tagline,
    or else the director statement."""
    source: AttributedText | None = film.review
    if source is not None:
        text, cut = shorten(source.text, words)
        return Synopsis(text, source.by, cut, "review")
    if film.tagline:
        text, cut = shorten(film.tagline, words)
        return Synopsis(text, None, cut, "tagline")
    if film.statement is not None:
        text, cut = shorten(film.statement.text, words)
        return Synopsis(text, film.statement.by, cut, "statement")
    return Synopsis("", None, False)


# -------------------------------------------------------------------- reading the options
@dataclass
class Request:
    """What to print, as typed on the command line."""

    days: tuple[str, ...] = ()
    venue: str | None = None
    films: tuple[str, ...] = ()
    paper: str = "a4"
    large_print: bool = False


@dataclass
class Handout:
    """The sheets to print and how, once the options have been checked."""

    sheets: list[DaySheet | FilmSheet]
    paper: str
    large_print: bool
    warnings: list[Problem] = field(default_factory=list)

    @property
    def subject(self) -> str:
        kinds = {s.kind for s in self.sheets}
        what = "film sheets" if kinds == {"film"} else "day sheets"
        if len(self.sheets) == 1:
            sheet = self.sheets[0]
            if sheet.kind == "film":
                what = f"film sheet, {markup.plain(sheet.film.title)}"
            else:
                what = f"day sheet, {sheet.day:%A} {sheet.day.day} {sheet.day:%B %Y}"
                if sheet.venue:
                    what += f", {sheet.venue.name}"
        return f"Box-office handout: {what}" + (" (large print)" if self.large_print else "")


def _problem(option: str, message: str) -> Problem:
    return Problem(WHERE, None, option, message)


def _hint(value: str, choices: list[str], cutoff: float = 0.5, most: int = 3) -> str | None:
    """The closest choice, or the equally close ones ("'NFT1' or 'NFT2'") when there are
    no more than ``most`` of them; None when nothing is close."""
    def score(choice):
        return difflib.SequenceMatcher(None, value, choice).ratio()
    scored = sorted(((score(c), i, c) for i, c in enumerate(choices)), key=lambda t: (-t[0], t[1]))
    if not scored or scored[0][0] < cutoff:
        return None
    best = [c for r, _, c in scored if r == scored[0][0]]
    if len(best) > most:
        return None
    return " or ".join(repr(b) for b in best)


HINT_DAYS = 366  # festival days a "did you mean" for --day looks at, at most

_MONTHS = {m.lower(): i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}


def _loose_date(value: str, year: int) -> dt.date | None:
    """Dates written another way (14/10/2012, 14.10., 14 Oct, Sunday 14 October), to suggest
    the ISO form; None when the value does not look like a date at all."""
    text = value.strip().lower()
    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2}|\d{4}))?\.?", text)
    try:
        if m:
            y = int(m.group(3)) if m.group(3) else year
            y = y + 2000 if y < 100 else y
            return dt.date(y, int(m.group(2)), int(m.group(1)))
        m = re.fullmatch(r"(?:[a-z]+,?\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]{3})[a-z]*\.?(?:\s+(\d{4}))?", text)
        if m and m.group(2) in _MONTHS:
            return dt.date(int(m.group(3) or year), _MONTHS[m.group(2)], int(m.group(1)))
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return None


def _read_day(value: str, programme: Programme, today: dt.date,
              problems: list[Problem]) -> dt.date | None:
    festival = programme.festival
    span = f"the festival runs from {festival.starts} to {festival.ends}"
    if value.strip().lower() == "today":
        if festival.starts <= today <= festival.ends:
            return today
        problems.append(_problem("--day", f"today ({today}) is not a festival day; {span}"))
        return None
    try:
        day = dt.date.fromisoformat(value.strip())
        if not re.fullmatch(r"\d{4}-\d\d-\d\d", value.strip()):
            raise ValueError
    except ValueError:
        guess = _loose_date(value, festival.starts.year)
        text = f"{value!r} is not a date; write it as YYYY-MM-DD, such as {festival.starts}"
        if guess and festival.starts <= guess <= festival.ends:
            text += f" (did you mean {guess}?)"
        problems.append(_problem("--day", text))
        return None
    if not festival.starts <= day <= festival.ends:
        # the festival's days, never more than HINT_DAYS of them: a festival is at most
        # model.MAX_FESTIVAL_DAYS long, but a hint must stay cheap whatever it is given
        count = max(0, min((festival.ends - festival.starts).days + 1, HINT_DAYS))
        days = [(festival.starts + dt.timedelta(days=i)).isoformat() for i in range(count)]
        guess = _hint(day.isoformat(), days, cutoff=0.8, most=1)
        text = f"{day} is outside the festival ({span})"
        if guess:
            text += f" (did you mean {guess.strip(chr(39))}?)"
        problems.append(_problem("--day", text))
        return None
    return day


def _read_venue(value: str, programme: Programme, problems: list[Problem]) -> Venue | None:
    by_code = {v.code.upper(): v for v in programme.venues}
    found = by_code.get(value.strip().upper())
    if found is not None:
        return found
    # a venue given by its name instead of its code
    by_name = {fold(v.name): v for v in programme.venues}
    if fold(value.strip()) in by_name:
        venue = by_name[fold(value.strip())]
        problems.append(_problem("--venue", f"unknown venue code {value!r} "
                                            f"(did you mean {venue.code!r}, {venue.name}?)"))
        return None
    codes = [v.code for v in programme.venues]
    guess = _hint(value.strip().upper(), codes)
    text = f"unknown venue {value!r}"
    text += f" (did you mean {guess}?)" if guess else f" (known: {', '.join(codes)})"
    problems.append(_problem("--venue", text))
    return None


def _read_film(value: str, programme: Programme, problems: list[Problem]) -> Film | None:
    by_slug = {f.slug: f for f in programme.films}
    slug = value.strip().lower()
    if slug in by_slug:
        return by_slug[slug]
    # a title instead of a slug: match the title the way an index would
    by_title = {fold(markup.plain(f.title)): f for f in programme.films}
    if fold(value.strip()) in by_title:
        guess = repr(by_title[fold(value.strip())].slug)
    else:
        guess = _hint(slug, list(by_slug))
        if guess is None:
            titles = list(by_title)
            close = _hint(fold(value.strip()), titles, cutoff=0.6, most=1)
            guess = repr(by_title[titles[[repr(t) for t in titles].index(close)]].slug) if close else None
    text = f"unknown film {value!r}"
    if guess:
        text += f" (did you mean {guess}?)"
    else:
        text += " (a film is given by its slug, the name of its file in content/films without .yaml)"
    problems.append(_problem("--film", text))
    return None


def choose(programme: Programme, request: Request, today: dt.date | None = None) -> Handout:
    """Check ``request`` against the programme and choose the sheets.

    * ``--film`` (repeatable): one film sheet per film, in the order given.
    * ``--day`` (repeatable) and/or ``--venue``: one day sheet per day, in date order; with
      ``--venue``, only that venue's screenings. Without ``--day``, every festival day that
      has screenings (at that venue, with ``--venue``).
    * Nothing given: a day sheet for every festival day with screenings.

    Every mistake in the options is reported at once as a ProgrammeError.
    """
    today = today or dt.date.today()
    problems: list[Problem] = []
    typed = request.paper.strip().lower().replace(" ", "")
    paper = _PAPER_NAMES.get(typed, typed)
    if paper not in PAPERS:
        guess = _hint(typed, list(PAPERS), cutoff=0.4, most=1)
        problems.append(_problem("--paper", f"unknown paper size {request.paper!r}"
                                 + (f" (did you mean {guess}?)" if guess
                                    else f" (choose {' or '.join(PAPERS)})")))
    if request.films and (request.days or request.venue):
        problems.append(_problem("--film", "a film sheet lists all of a film's screenings; "
                                           "give --film on its own, or --day/--venue for day sheets"))
    days = [_read_day(v, programme, today, problems) for v in request.days]
    venue = _read_venue(request.venue, programme, problems) if request.venue else None
    films = [_read_film(v, programme, problems) for v in request.films]
    if problems:
        raise ProgrammeError(problems)

    warnings: list[Problem] = []
    sheets: list[DaySheet | FilmSheet] = []
    if films:
        seen: set[str] = set()
        for film in films:
            if film.slug not in seen:
                seen.add(film.slug)
                sheets.append(film_sheet(programme, film))
                if not film.screenings:
                    warnings.append(Problem(WHERE, None, "--film", f"{film.slug} has no screenings; "
                                            "its sheet says so", "warning"))
    else:
        chosen = sorted(set(d for d in days if d is not None))
        if not chosen:
            chosen = sorted({s.start.date() for s in slots(programme)
                             if venue is None or s.venue.code == venue.code})
        for day in chosen:
            sheet = day_sheet(programme, day, venue)
            sheets.append(sheet)
            if not sheet.showings:
                where = f" at {venue.code}" if venue else ""
                warnings.append(Problem(WHERE, None, "--day", f"no screenings on {day}{where}; "
                                        "its sheet says so", "warning"))
        if not sheets:
            where = f" at {venue.code}" if venue else ""
            raise ProgrammeError([_problem("--venue" if venue else "--day",
                                           f"no screenings{where} during the festival; nothing to print")])
    return Handout(sheets, paper, request.large_print, warnings)


# ------------------------------------------------------------------------------ building
#: Content-stream operators that put ink on a page: text, painted paths, images, shadings.
_MARKING = {"Tj", "TJ", "'", '"', "Do", "BI", "sh", "f", "F", "f*", "S", "s", "B", "B*", "b", "b*"}


def blank(page: pikepdf.Page) -> bool:
    """Whether a page prints nothing: the back of a sheet the layout left blank (a large-print
    film sheet ending on a front, so that the next film starts on a new sheet of paper)."""
    return not any(str(op) in _MARKING for _, op in pikepdf.parse_content_stream(page))


def sheet_pages(pdf: Path, handout: Handout) -> dict[str, int]:
    """How many pages each sheet of a built handout prints on, by sheet id: its pages up to
    the next sheet's first page, less the blank backs left after it."""
    with pikepdf.open(pdf) as doc:
        index = {page.objgen: i for i, page in enumerate(doc.pages)}
        starts: dict[str, int] = {}
        names = doc.Root.get("/Names")
        if names is not None and "/Dests" in names:
            for name, dest in pikepdf.NameTree(names.Dests).items():
                if isinstance(dest, pikepdf.Dictionary):
                    dest = dest.D
                starts[str(name)] = index[dest[0].objgen]
        total = len(doc.pages)
        ids = [s.id for s in handout.sheets if s.id in starts]
        firsts = [starts[i] for i in ids] + [total]
        counts = {}
        for n, sheet_id in enumerate(ids):
            end = firsts[n + 1]
            while end - 1 > firsts[n] and blank(doc.pages[end - 1]):
                end -= 1
            counts[sheet_id] = end - firsts[n]
    return counts


def build_handout(content_dir: Path, output: Path, request: Request,
                  layout: str | Path | None = None, content: Content | None = None,
                  today: dt.date | None = None) -> tuple[BuildResult, Handout]:
    """Check the options, choose the sheets and build the handout PDF (tagged, PDF/UA-1)."""
    if content is None:
        content = load_content(Path(content_dir))
    handout = choose(content.programme, request, today)
    result = build_pdf(content_dir, output, layout=layout, kind="handout", content=content,
                       subject=handout.subject, pdf_options=PDF_OPTIONS,
                       sheets=handout.sheets, paper=handout.paper,
                       large_print=handout.large_print, synopsis=synopsis)
    result.warnings.extend(handout.warnings)
    # A film sheet is one page (two in large print, which never shrinks text to fit).
    most = 2 if handout.large_print else 1
    for sheet_id, pages in sheet_pages(Path(output), handout).items():
        if sheet_id.startswith("film-") and pages > most:
            result.warnings.append(Problem(WHERE, None, "--film", (
                f"the sheet for {sheet_id.removeprefix('film-')} runs to {pages} pages, "
                f"not {most}; check it before printing"), "warning"))
    return result, handout
