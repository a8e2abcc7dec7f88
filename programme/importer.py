"""``programme import``: films (or screenings) from a spreadsheet into the content folder.

One row a film (or, with ``screenings=True``, a screening). Columns are matched to fields
by their header, case- and accent-insensitive, with the spellings festivals use
(:data:`FILM_COLUMNS`, :data:`SCREENING_COLUMNS`); a mapping file (``--map``) names any
other column. Cells are read into the values the content model takes (:func:`convert`),
merged into each film's YAML data (a film keeps every field the sheet does not hold), and
each merged film is validated like ``programme validate`` would, with every problem
reported at its cell (``films.xlsx:Films!D14: runtime: …``) or, for a field the sheet does
not hold, at its YAML file and line. Nothing is written when there is an error.

The reading of the sheet itself (limits, formulas, encodings) is :mod:`programme.sheets`;
the writing of the files (new ones in the content's style, changed ones with their comments
and key order kept) is :mod:`programme.yamlwrite`.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from . import yamlcache, yamlwrite
from .loader import (_load_list, _load_one, _validate, overlap_problem, overlapping,
                     project_folder, screening_slots, unknown)
from .model import Festival, Film, Section, Venue
from .problems import Problem, ProgrammeError, display_path
from .sheets import CellProblem, Table, read_tables
from .sorting import NameError_, file_name, fold
from .typography import smarten
from .yamlfile import CONTROL_CHARS, MAX_BYTES, format_loc, read_bounded, read_yaml_safely


# ------------------------------------------------------------------------------ columns
@dataclass(frozen=True)
class Column:
    """A field a sheet's column can hold."""

    key: str  # where it goes: "credits.director" (a film), "date" (a screening)
    name: str  # its name in a mapping file: "director"
    header: str  # its header in an exported sheet: "Director(s)"
    kind: str  # how a cell is read (see convert)
    aliases: tuple[str, ...] = ()  # other headers that mean it (normalised by header_key)

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.key.split("."))


FILM_COLUMNS = [
    Column("slug", "slug", "Slug", "slug", ("film slug", "id", "film id", "file", "file name")),
    Column("title", "title", "Title", "text",
           ("english title", "film title", "film", "film name", "title english", "uk title",
            "international title", "english language title", "title en")),
    Column("original_title", "original_title", "Original title", "text",
           ("title original", "original", "original film title", "title in original language",
            "native title", "title original language", "title in original")),
    Column("original_language", "original_language", "Original language", "lang",
           ("language code", "original language code", "title language")),
    Column("section", "section", "Section", "section",
           ("strand", "programme strand", "program strand", "sidebar", "programme section",
            "program section", "category", "sections", "strands")),
    Column("credits.director", "director", "Director(s)", "names",
           ("directors", "directed by", "direction", "dir", "director s")),
    Column("credits.producer", "producer", "Producer(s)", "names", ("producers", "produced by")),
    Column("credits.screenwriter", "screenwriter", "Screenwriter(s)", "names",
           ("screenwriters", "writer", "writers", "written by", "screenplay", "screenplay by",
            "script", "scriptwriter")),
    Column("credits.cast", "cast", "Cast", "names",
           ("starring", "actors", "main cast", "with", "cast members", "cast list")),
    Column("countries", "countries", "Countries", "list",
           ("country", "country of production", "production country", "production countries",
            "country of origin", "countries of production", "origin", "country ies")),
    Column("year", "year", "Year", "year",
           ("production year", "release year", "year of production", "yr", "year made")),
    Column("runtime", "runtime", "Running time", "runtime",
           ("run time", "duration", "length", "minutes", "mins", "min", "rt",
            "running time mins", "running time minutes", "runtime mins", "runtime minutes",
            "duration mins", "duration minutes", "length mins")),
    Column("tagline", "tagline", "Tagline", "text",
           ("logline", "strapline", "short synopsis", "one line synopsis", "one liner",
            "log line")),
    Column("distributor.name", "distributor", "Distributor", "text",
           ("distribution", "uk distributor", "distributor name", "distribution company")),
    Column("distributor.label", "distributor_label", "Distributor label", "text",
           ("distribution label", "territory label", "distribution territory")),
    Column("review.text", "review", "Review", "prose",
           ("synopsis", "description", "programme note", "program note", "review text", "blurb",
            "copy", "programme notes", "program notes")),
    Column("review.by", "review_by", "Review by", "text",
           ("critic", "reviewer", "review author", "review written by")),
    Column("review.lang", "review_lang", "Review language", "lang", ("review lang",)),
    Column("statement.text", "statement", "Director statement", "prose",
           ("directors statement", "director s statement", "statement",
            "director statement text")),
    Column("statement.by", "statement_by", "Statement by", "text", ("statement author",)),
    Column("statement.lang", "statement_lang", "Statement language", "lang",
           ("statement lang",)),
    Column("biography.text", "biography", "Biography", "prose",
           ("director biography", "directors biography", "director s biography", "bio",
            "director bio")),
    Column("biography.lang", "biography_lang", "Biography language", "lang",
           ("biography lang", "bio language")),
]

SCREENING_COLUMNS = [
    Column("slug", "slug", "Slug", "slug", ("film slug", "film id")),
    Column("film", "film", "Film", "film",
           ("title", "film title", "event", "event title", "event name", "programme title",
            "program title", "show", "production", "film name", "english title")),
    Column("year", "year", "Year", "year", ("production year",)),
    Column("start", "start", "Start", "start",
           ("starts", "date and time", "date time", "datetime", "start date time",
            "starts at", "start date and time", "screening start", "performance",
            "screening", "show start")),
    Column("date", "date", "Date", "date",
           ("day", "screening date", "show date", "performance date", "event date",
            "start date")),
    Column("time", "time", "Time", "time",
           ("start time", "screening time", "show time", "showtime", "performance time",
            "event time", "time of screening")),
    Column("venue", "venue", "Venue", "venue",
           ("venue code", "screen", "cinema", "location", "theatre", "theater", "auditorium",
            "venue name")),
    Column("certificate", "certificate", "Certificate", "certificate",
           ("cert", "rating", "age rating", "classification", "bbfc", "bbfc certificate",
            "age certificate", "certification")),
    Column("sold_out", "sold_out", "Sold out", "bool", ("soldout", "sold")),
    Column("subtitled", "subtitled", "Subtitled", "bool",
           ("subtitles", "english subtitles", "subs", "st", "en subs", "subtitled in english")),
    Column("audio_described", "audio_described", "Audio described", "bool",
           ("audio description", "ad", "audio desc")),
    Column("note", "note", "Note", "text",
           ("notes", "screening note", "event note", "event notes", "screening notes")),
]
# Columns of a screenings sheet that describe the film or the screening but that the
# screenings in the content do not hold (an exported schedule has them): not imported,
# not warned about.
SCREENING_INFO = {"screening id", "id", "end", "ends", "end time", "finish", "finishes",
                  "venue name", "running time", "runtime", "duration", "original title",
                  "section", "strand", "director", "directors", "director s", "countries",
                  "country", "original language", "section name", "end date time"}
IGNORE = "ignore"

SCREENING_KEYS = ("venue", "start", "certificate", "sold_out", "subtitled", "audio_described",
                  "note")


def header_key(text: object) -> str:
    """A header as it is matched: folded (case, accents), '(s)' dropped, punctuation as
    spaces: 'Director(s)' -> 'director', 'Running time (mins)' -> 'running time mins'."""
    text = fold(unicodedata.normalize("NFKC", str(text)))
    text = re.sub(r"\((?:s|es|ies)\)", "", text)
    text = re.sub(r"[^\w]+", " ", text).replace("_", " ")
    return " ".join(text.split())


def _lookup(columns: list[Column]) -> dict[str, Column]:
    table = {}
    for column in columns:
        for alias in (header_key(column.header), header_key(column.name),
                      header_key(column.key), *column.aliases):
            table.setdefault(header_key(alias), column)
    return table


FILM_LOOKUP = _lookup(FILM_COLUMNS)
SCREENING_LOOKUP = _lookup(SCREENING_COLUMNS)


# ----------------------------------------------------------------------- mapping files
class Mapping(BaseModel):
    """A ``--map`` file: which column holds which field, how lists are split, how
    numeric dates are read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    columns: dict[str, str] = Field(
        default_factory=dict, json_schema_extra={
            "expect": "a mapping of column headers to field names, such as Réalisateur: director"})
    lists: dict[str, str] = Field(
        default_factory=dict, json_schema_extra={
            "expect": "a mapping of list fields to separators, such as cast: ';'"})
    dates: Literal["dmy", "mdy"] = Field(
        default="dmy", json_schema_extra={
            "expect": "dmy (14/10/2012, the default) or mdy (10/14/2012)"})


SEPARATORS = {"auto": "auto", "semicolon": ";", "comma": ",", "newline": "\n", "slash": "/",
              "pipe": "|"}


def load_mapping(path: Path, columns: list[Column]) -> tuple[Mapping, dict[str, str | None],
                                                              dict[str, str]]:
    """The mapping file at ``path``: (mapping, {header_key: field key or None to ignore},
    {field key: separator}). Raises ProgrammeError with each problem at its line."""
    label = display_path(path)
    doc = read_yaml_safely(path, label)
    problems = list(doc.problems)
    if doc.has_errors:
        raise ProgrammeError(problems)
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise ProgrammeError([Problem(label, 1, None, "expected a mapping of fields "
                                                      "(columns, lists, dates)")])
    mapping = _validate(Mapping, data, doc, problems)
    by_name = {}
    for column in columns:
        by_name[column.name] = column
        by_name[column.key] = column
    names = sorted({c.name for c in columns})
    targets: dict[str, str | None] = {}
    def strings(name: str) -> dict[str, str]:
        # checked here even when another field is wrong: every problem at once
        value = data.get(name)
        if not isinstance(value, dict):
            return {}
        return {str(k): v for k, v in value.items() if isinstance(v, str)}

    for header, target in strings("columns").items():
        target_key = target.strip()
        if target_key.lower() in (IGNORE, "none", "-"):
            targets[header_key(header)] = None
        elif target_key in by_name:
            targets[header_key(header)] = by_name[target_key].key
        else:
            problems.append(doc.problem(("columns", header), _unknown_field(target_key, names)))
    separators = {}
    for name, separator in strings("lists").items():
        column = by_name.get(name.strip())
        if column is None or column.kind not in ("names", "list"):
            lists = sorted({c.name for c in columns if c.kind in ("names", "list")})
            problems.append(doc.problem(("lists", name), f"{name!r} is not a list field "
                                                         f"(list fields: {', '.join(lists)})"))
            continue
        value = SEPARATORS.get(separator.strip().lower(), separator.strip() or None)
        if not value:
            problems.append(doc.problem(("lists", name), "give a separator such as ';' or ',' "
                                                         "(or auto, newline)"))
            continue
        separators[column.key] = value
    if mapping is None or any(p.severity == "error" for p in problems):
        raise ProgrammeError(problems)
    return mapping, targets, separators


def _unknown_field(name: str, names: list[str]) -> str:
    hint = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    if hint:
        return f"unknown field {name!r} (did you mean {hint[0]!r}?)"
    return f"unknown field {name!r} (fields: {', '.join(names)}; or ignore)"


# ------------------------------------------------------------------------ reading cells
class Bad(ValueError):
    """A cell that cannot be read as its field: the message says what it should hold."""


@dataclass
class Settings:
    """What reading a cell depends on."""

    festival: Festival
    sections: list[Section]
    venues: list[Venue]
    dates: str = "dmy"
    separators: dict[str, str] = field(default_factory=dict)
    epoch: dt.datetime = dt.datetime(1899, 12, 30)


def _show(value) -> str:
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return '"' + text.replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return repr(value)


_ESCAPED = re.compile(r"^'(?=[=+\-@\t\r])")  # what export puts before a formula-like cell


def _text(value, what: str = "text") -> str:
    """A cell as text: numbers as written (120, not 120.0), the apostrophe that export
    puts before =, +, - and @ taken off."""
    if isinstance(value, bool):
        raise Bad(f"expected {what}, got {_show(value)} (a true/false cell)")
    if isinstance(value, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        raise Bad(f"expected {what}, got the date or time {_show(value)}: the spreadsheet "
                  "read what was typed as a date; format the column as Text and type it again")
    if isinstance(value, float):
        value = int(value) if value.is_integer() else value
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = _ESCAPED.sub("", text)
    match = CONTROL_CHARS.search(text)
    if match:
        raise Bad(f"contains the control character U+{ord(match.group()):04X}; remove it")
    return text


def _line(value) -> str:
    return " ".join(_text(value).split())


def _prose(value) -> str:
    text = _text(value).strip()
    text = re.sub(r"[ \t]*\n\s*", "\n", text)  # paragraphs: blank lines between them or not
    return "\n".join(" ".join(p.split()) for p in text.split("\n"))


def _split(text: str, separator: str, names: bool) -> list[str]:
    if separator == "auto":
        if ";" in text:
            separator = ";"
        elif "\n" in text:
            separator = "\n"
        else:
            separator = ","
    parts = [" ".join(p.split()) for p in text.split(separator)]
    if names and separator == "," and len(parts) == 2 and all(parts) and any(
            len(p.split()) == 1 for p in parts) and not _suffix(parts[1]):
        # "Audiard, Jacques", "Ferreiro Calvo, Xosé": one name, family name first (two
        # people are two full names, or separated by ';')
        return [_ESCAPED.sub("", f"{parts[0]}, {parts[1]}")]
    if names and separator == ",":
        # "Sammy Davis, Jr.": a suffix after a comma belongs to the name before it
        joined: list[str] = []
        for part in parts:
            if joined and _suffix(part):
                joined[-1] += ", " + part
            else:
                joined.append(part)
        parts = joined
    return [_ESCAPED.sub("", p) for p in parts if p]


def _suffix(part: str) -> bool:
    return bool(re.fullmatch(r"(?i)(?:jr|sr)\.?|ii|iii|iv", part))


def split_list(value, key: str, settings: Settings, names: bool) -> list[str]:
    text = _text(value).strip()
    return _split(text, settings.separators.get(key, "auto"), names)


def join_list(items: list[str], names: bool) -> str:
    """List items as one cell that :func:`split_list` reads back as the same items."""
    text = "; ".join(items)
    if _split(text, "auto", names) == [" ".join(i.split()) for i in items]:
        return text
    return text + ";"  # one item with a comma: a ';' says the comma is part of it


def _whole(value, what: str, unit_pattern: str = "") -> int:
    if isinstance(value, bool):
        raise Bad(f"{_show(value)} is not {what}")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise Bad(f"{value:g} is not {what}")
    if isinstance(value, str):
        text = _text(value).strip()
        match = re.fullmatch(r"(\d{1,6})(?:\.0+)?" + unit_pattern, text, re.IGNORECASE)
        if match:
            return int(match.group(1))
        raise Bad(f"{_show(text)} is not {what}")
    raise Bad(f"{_show(value)} is not {what}")


def _runtime(value) -> int:
    what = "a whole number of minutes"
    if isinstance(value, dt.timedelta):
        minutes = value.total_seconds() / 60
        if minutes.is_integer():
            return int(minutes)
        raise Bad(f"{value} is not {what}")
    if isinstance(value, dt.time):  # a cell formatted h:mm: 1:45 is 105 minutes
        if value.second or value.microsecond:
            raise Bad(f"{value.isoformat()} is not {what}")
        return value.hour * 60 + value.minute
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d{1,2}):([0-5]\d)\s*", value)
        if match:  # h:mm
            return int(match.group(1)) * 60 + int(match.group(2))
    return _whole(value, what, r"\s*(?:'|mins?\.?|minutes|m)?")


MONTHS = {name: number for number, names in enumerate([
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
    ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
    ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
    ("december", "dec")], start=1) for name in names}
WEEKDAYS = {name: number for number, names in enumerate([
    ("monday", "mon"), ("tuesday", "tue", "tues"), ("wednesday", "wed"),
    ("thursday", "thu", "thur", "thurs"), ("friday", "fri"), ("saturday", "sat"),
    ("sunday", "sun")]) for name in names}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_TIME = (r"(?P<h>\d{1,2})(?:[:.h](?P<m>\d{2})(?::(?P<s>\d{2}))?)?\s*"
         r"(?P<ampm>[ap]\.?m\.?)?")
DATE_EXAMPLE = "a date such as 2012-10-14 or 14/10/2012"
TIME_EXAMPLE = "a time such as 18:30 or 6.30pm"


def _year_for(month: int, day: int, festival: Festival) -> int:
    """A date written without its year: the year that puts it in the festival."""
    for year in range(festival.starts.year, festival.ends.year + 1):
        try:
            if festival.starts <= dt.date(year, month, day) <= festival.ends:
                return year
        except ValueError:
            pass
    return festival.starts.year


def parse_date(text: str, settings: Settings) -> dt.date:
    """A date as festivals type them: 2012-10-14, 14/10/2012 (or 10/14/2012 with dates:
    mdy), 14.10.12, 14 October 2012, Sun 14 Oct, October 14, 2012."""
    raw = text
    text = fold(text).strip().rstrip(".")
    weekday = None
    match = re.match(rf"^({_WEEKDAY})\.?,?\s+", text)
    if match:
        weekday = WEEKDAYS[match.group(1)]
        text = text[match.end():]
    year = month = day = None
    if m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text):
        year, month, day = map(int, m.groups())
    elif m := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})", text):
        a, b, year = map(int, m.groups())
        if settings.dates == "mdy" and not a > 12 or b > 12:
            month, day = a, b
        else:
            day, month = a, b
    elif m := re.fullmatch(rf"(\d{{1,2}})(?:st|nd|rd|th)?\.?\s*(?:of\s+)?({_MONTH})\.?,?"
                           r"(?:\s+(\d{4}))?", text):
        day, month = int(m.group(1)), MONTHS[m.group(2)]
        year = int(m.group(3)) if m.group(3) else None
    elif m := re.fullmatch(rf"({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?(?:\s+(\d{{4}}))?",
                           text):
        month, day = MONTHS[m.group(1)], int(m.group(2))
        year = int(m.group(3)) if m.group(3) else None
    elif m := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})", text):
        a, b = map(int, m.groups())
        if settings.dates == "mdy" and not a > 12 or b > 12:
            month, day = a, b
        else:
            day, month = a, b
    else:
        raise Bad(f"{_show(raw)} is not {DATE_EXAMPLE}")
    if year is None:
        year = _year_for(month, day, settings.festival)
    elif year < 100:
        year += 2000
    try:
        date = dt.date(year, month, day)
    except ValueError:
        raise Bad(f"{_show(raw)} is not a date (there is no day {day} in month {month} of "
                  f"{year})") from None
    if weekday is not None and date.weekday() != weekday:
        raise Bad(f"{_show(raw)}: {date:%d %B %Y} is a {date:%A}")
    return date


def parse_time(text: str) -> dt.time:
    raw = text
    text = fold(text).strip()
    if text in ("noon", "midday"):
        return dt.time(12, 0)
    m = re.fullmatch(_TIME, text) or re.fullmatch(r"(?P<h>\d{2})(?P<m>\d{2})", text)
    if not m or (m.groupdict().get("m") is None and not m.groupdict().get("ampm")):
        raise Bad(f"{_show(raw)} is not {TIME_EXAMPLE}")
    hour, minute = int(m.group("h")), int(m.group("m") or 0)
    ampm = (m.groupdict().get("ampm") or "").replace(".", "")
    if ampm:
        if not 1 <= hour <= 12:
            raise Bad(f"{_show(raw)} is not a time ({hour} {ampm})")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59:
        raise Bad(f"{_show(raw)} is not a time of day")
    return dt.time(hour, minute)


def _serial(value: float, settings: Settings) -> dt.datetime:
    if not 1 <= value < 2_958_466:  # 1900 to 9999 in Excel's serial days
        raise Bad(f"{value:g} is not {DATE_EXAMPLE}")
    from openpyxl.utils.datetime import from_excel

    result = from_excel(value, settings.epoch)
    return result if isinstance(result, dt.datetime) else dt.datetime.combine(
        settings.epoch.date(), result)


def _minute(value: dt.datetime | dt.time):
    """Rounded to the minute (a serial fraction is seldom exact)."""
    if isinstance(value, dt.datetime):
        return (value + dt.timedelta(seconds=30)).replace(second=0, microsecond=0)
    total = value.hour * 60 + value.minute + (1 if value.second >= 30 else 0)
    return dt.time(min(total // 60, 23), total % 60 if total < 1440 else 59)


def date_and_time(value, kind: str, settings: Settings) -> tuple[dt.date | None, dt.time | None]:
    """What a date, time or start cell says: (date or None, time or None)."""
    if isinstance(value, bool):
        raise Bad(f"{_show(value)} is not {DATE_EXAMPLE if kind != 'time' else TIME_EXAMPLE}")
    if isinstance(value, dt.datetime):
        value = _minute(value)
        if kind == "time":
            return None, value.time()
        # a date cell is a date-time at midnight: no time
        return value.date(), value.time() if value.time() != dt.time(0, 0) else None
    if isinstance(value, dt.date):
        return (value, None) if kind != "time" else (None, None)
    if isinstance(value, dt.time):
        if kind == "date":
            raise Bad(f"{_show(value)} is a time, not {DATE_EXAMPLE}")
        return None, _minute(value)
    if isinstance(value, (int, float)):
        if kind == "time":
            if 0 <= value < 1:
                total = round(value * 1440)
                return None, dt.time(min(total // 60, 23), total % 60 if total < 1440 else 59)
            if isinstance(value, int) and 0 <= value <= 2359 and value % 100 < 60:  # 1830
                return None, dt.time(value // 100, value % 100)
            raise Bad(f"{value:g} is not {TIME_EXAMPLE}")
        moment = _minute(_serial(float(value), settings))
        has_time = not float(value).is_integer()
        return moment.date(), moment.time() if has_time else None
    text = _text(value).strip()
    if kind == "time":
        return None, parse_time(text)
    if re.fullmatch(r"\d{5}(?:\.\d+)?", text):  # a serial number saved as text
        return date_and_time(float(text), kind, settings)
    # a date and a time: '2012-10-14 18:30', '2012-10-14T18:30:00', '14/10/2012 6.30pm'
    folded = fold(text)
    m = re.fullmatch(r"(.+?)(?:[t\s,]+|\s+at\s+)" + _TIME, folded)
    if m and (m.group("m") is not None or m.group("ampm")):
        return parse_date(m.group(1), settings), parse_time(folded[m.start("h"):])
    if kind == "start":
        try:
            return parse_date(text, settings), None
        except Bad:
            try:
                return None, parse_time(text)
            except Bad:
                raise Bad(f"{_show(text)} is not a date and time such as 2012-10-14 18:30") \
                    from None
    return parse_date(text, settings), None


TRUE = {"yes", "y", "true", "1", "x", "✓", "✔", "sold out", "soldout", "sold-out", "full",
        "oui", "ja", "si", "sí"}
FALSE = {"no", "n", "false", "0", "-", "available", "on sale", "non", "nein"}


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = fold(_text(value)).strip()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise Bad(f"expected yes or no, got {_show(value)}")


def _find(kind: str, value, items, code_of, name_of, choices: list[str]) -> str:
    """The code of the item (section or venue) ``value`` names: its code as written, else
    its code or name whatever the case and accents."""
    text = _line(value)
    for item in items:
        if text == code_of(item):
            return code_of(item)
    key = header_key(text)
    for item in items:
        if key in (header_key(code_of(item)), header_key(name_of(item))):
            return code_of(item)
    raise Bad(unknown(kind, text, choices))


def find_section(value, settings: Settings) -> str:
    sections = settings.sections
    return _find("section", value, sections, lambda s: s.slug, lambda s: s.name,
                 [s.name for s in sections] + [s.slug for s in sections])


def find_venue(value, settings: Settings) -> str:
    venues = settings.venues
    return _find("venue", value, venues, lambda v: v.code, lambda v: v.name,
                 [v.code for v in venues] + [v.name for v in venues])


def convert(column: Column, value, settings: Settings):
    """The value of ``column`` that the cell ``value`` holds; raises Bad."""
    kind = column.kind
    if kind in ("text", "film"):
        return _line(value)
    if kind == "prose":
        return _prose(value)
    if kind in ("lang", "slug", "certificate"):
        return _line(value)
    if kind == "names":
        return split_list(value, column.key, settings, names=True)
    if kind == "list":
        return split_list(value, column.key, settings, names=False)
    if kind == "year":
        return _whole(value, "a year (four digits such as 2012)")
    if kind == "runtime":
        return _runtime(value)
    if kind == "section":
        return find_section(value, settings)
    if kind == "venue":
        return find_venue(value, settings)
    if kind == "bool":
        return parse_bool(value)
    if kind in ("date", "time", "start"):
        return date_and_time(value, kind, settings)
    raise AssertionError(kind)


# --------------------------------------------------------------------------------- rows
@dataclass
class Row:
    """One row of a sheet: where each field's cell is and what it holds."""

    table: Table
    number: int
    cells: dict[str, tuple[int, object]]  # field key -> (column number, value read)
    columns: dict[str, int]  # field key -> column number, for every column of the sheet
    screening: dict | None = None  # the screening the row gives (screenings sheet)

    def ref(self, key: str | None = None) -> str:
        return self.table.ref(self.number, self.column(key))

    def column(self, key: str | None) -> int | None:
        if key is not None and key in self.columns:
            return self.columns[key]
        for first in ("slug", "title", "film"):
            if first in self.columns:
                return self.columns[first]
        return min(self.columns.values(), default=1)

    def problem(self, key: str | None, field_name: str | None, message: str,
                severity: str = "error") -> CellProblem:
        return self.table.problem(self.number, self.column(key), field_name, message, severity)

    def value(self, key: str):
        cell = self.cells.get(key)
        return cell[1] if cell else None

    @property
    def label(self) -> str:
        title = self.value("title") or self.value("film") or self.value("slug")
        return f"{self.ref()}" + (f" ({title})" if title else "")


def _read_rows(table: Table, lookup: dict[str, Column], targets: dict[str, str | None],
               columns: list[Column], settings: Settings, problems: list[Problem],
               info: set[str]) -> tuple[list[Row], dict[str, int], list[str]]:
    """The rows of ``table`` under its header row, each cell read as its field."""
    by_key = {c.key: c for c in columns}
    header_row, mapped = _header(table, lookup, targets, by_key, info)
    if header_row is None:
        return [], {}, []
    number, cells = header_row
    seen: dict[str, int] = {}
    unknown_headers = []
    for column_number in sorted(cells):
        text = cells[column_number]
        key = mapped.get(column_number)
        if key is None:
            if header_key(text) not in info and header_key(text) not in targets:
                unknown_headers.append(str(text).strip())
            continue
        if key in seen:
            problems.append(table.problem(
                number, column_number, None,
                f"column {str(text).strip()!r} holds {by_key[key].name}, as column "
                f"{_letter(seen[key])} does; remove one of them (or name it in --map)"))
            continue
        seen[key] = column_number
    rows = []
    for row_number, values in table.rows:
        if row_number <= number:
            continue
        row = Row(table, row_number, {}, seen)
        for key, column_number in seen.items():
            if column_number not in values:
                continue
            try:
                row.cells[key] = (column_number, convert(by_key[key], values[column_number],
                                                         settings))
            except Bad as exc:
                problems.append(table.problem(row_number, column_number,
                                              by_key[key].name, str(exc)))
                row.cells[key] = (column_number, _BAD)
        if row.cells:
            rows.append(row)
    return rows, seen, unknown_headers


_BAD = object()  # a cell already reported


def _letter(column: int) -> str:
    from .sheets import column_letter

    return column_letter(column)


def _header(table: Table, lookup, targets, by_key, info):
    """The header row (the first of the first ten rows that names two fields, else the
    first row) and {column: field key}."""
    best = None
    for row_number, cells in table.rows[:10]:
        mapped = {}
        for column_number, text in cells.items():
            key = header_key(text)
            if key in targets:
                if targets[key] is not None and targets[key] in by_key:
                    mapped[column_number] = targets[key]
                continue
            column = lookup.get(key) or lookup.get(_without_units(key))
            if column is not None:
                mapped[column_number] = column.key
        # a column an exported schedule has beside the one it describes (Venue name beside
        # Venue) is passed over; alone, it is read (a sheet with only venue names)
        for column_number, key in list(mapped.items()):
            if header_key(cells[column_number]) in info and any(
                    k == key and header_key(cells[n]) not in info
                    for n, k in mapped.items() if n != column_number):
                del mapped[column_number]
        if len(mapped) >= 2 or (best is None and mapped):
            best = ((row_number, cells), mapped)
            if len(mapped) >= 2:
                break
    if best is None:
        if not table.rows:
            return None, {}
        return table.rows[0], {}
    return best


def _without_units(key: str) -> str:
    """'running time mins' -> 'running time', 'year yyyy' -> 'year' (a word in parentheses
    or a unit at the end)."""
    return re.sub(r"\s+(?:mins?|minutes|yyyy|hh mm|dd mm yyyy|yyyy mm dd|y n|code|codes|"
                  r"names?|list|en|english)$", "", key)


# --------------------------------------------------------------------------- content
@dataclass
class Existing:
    """A film file in the content folder, as programme reads it."""

    slug: str
    path: Path
    doc: object  # YamlDocument
    data: dict

    @property
    def title(self) -> str:
        title = self.data.get("title")
        return title if isinstance(title, str) else self.slug


def _read_content(root: Path, problems: list[Problem]):
    project = project_folder(root)
    # (without the parsed-file cache: filling it costs more than an import saves)
    with yamlcache.using(None):
        _doc, festival = _load_one(root / "festival.yaml", display_path, Festival, problems,
                                   base=project)
        context = {"lang": festival.lang if festival else "en"}
        _vdoc, venues = _load_list(root / "venues.yaml", display_path, Venue, problems,
                                   context, base=project)
        _sdoc, sections = _load_list(root / "sections.yaml", display_path, Section, problems,
                                     context, base=project)
        films: dict[str, Existing] = {}
        paths = sorted((root / "films").glob("*.yaml")) + sorted((root / "films").glob("*.yml"))
        for path in paths:
            doc = read_yaml_safely(path, display_path(path), base=project)
            if doc.has_errors:
                problems.extend(doc.problems)
                continue
            if not isinstance(doc.data, dict):
                problems.append(Problem(doc.label, 1, None,
                                        "a film file must be a mapping of fields"))
                continue
            slug = doc.data.get("slug") if isinstance(doc.data.get("slug"), str) else path.stem
            films.setdefault(slug, Existing(slug, path, doc, doc.data))
    return festival, venues, sections, films


def slugify(title: str) -> str:
    """An ASCII slug from a title: 'Eleni’s Letters' -> 'elenis-letters'."""
    text = unicodedata.normalize("NFKD", fold(title))
    text = re.sub(r"['’]", "", text)
    text = "".join(c for c in text if c.isascii())
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > 60:
        slug = slug[:60].rsplit("-", 1)[0] or slug[:60]
    return slug or "film"


def _title_key(text) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", fold(str(text))).split())


class FilmIndex:
    """Existing films by slug and title, and the slugs given out to new ones."""

    def __init__(self, films: dict[str, Existing]):
        self.films = films
        self.by_title: dict[str, list[str]] = {}
        self.by_original: dict[str, list[str]] = {}
        for slug, film in films.items():
            self.by_title.setdefault(_title_key(film.title), []).append(slug)
            original = film.data.get("original_title")
            if isinstance(original, str):
                self.by_original.setdefault(_title_key(original), []).append(slug)
        self.taken = set(films)

    def find(self, title: str | None, year=None, original: bool = False) -> list[str]:
        if not title:
            return []
        key = _title_key(title)
        found = self.by_title.get(key, [])
        if not found and original:
            found = self.by_original.get(key, [])
        if len(found) > 1 and isinstance(year, int):
            found = [s for s in found if self.films[s].data.get("year") == year] or found
        if not found:
            slug = slugify(title)
            if slug in self.films:
                found = [slug]
        return found

    def new_slug(self, title: str, year=None) -> str:
        base = slugify(title)
        candidates = [base] + ([f"{base}-{year}"] if isinstance(year, int) else [])
        candidates += [f"{base}-{n}" for n in range(2, 10_000)]
        for slug in candidates:
            if slug not in self.taken:
                self.taken.add(slug)
                return slug
        raise AssertionError("no free slug")


# ------------------------------------------------------------------------------- plans
@dataclass
class Plan:
    """What the import does to one film file."""

    slug: str
    path: Path
    existing: Existing | None
    row: Row | None  # the film's row (films sheet)
    data: dict  # the film's data after the import
    changes: list[tuple[str, object, object]] = field(default_factory=list)  # field, old, new
    paths: dict[tuple, object] = field(default_factory=dict)  # YAML paths set
    screening_rows: list[Row | None] = field(default_factory=list)  # where each came from
    screening_old: list[int | None] = field(default_factory=list)  # its index in the file
    text: str = ""
    unread: bool = False  # a cell of its row could not be read (and is reported)

    @property
    def new(self) -> bool:
        return self.existing is None

    def problem(self, loc, message: str, severity: str = "error") -> Problem:
        """A problem with the merged film at ``loc``, where the user can fix it: its
        cell when the sheet gave the value, else its YAML file and line."""
        loc = tuple(loc)
        if loc[:1] == ("screenings",) and len(loc) >= 2 and isinstance(loc[1], int) \
                and self.screening_rows:
            index = loc[1]
            row = self.screening_rows[index] if index < len(self.screening_rows) else None
            if row is not None:
                key = str(loc[2]) if len(loc) > 2 else None
                if key == "start":
                    key = next((k for k in ("time", "start", "date") if k in row.columns), None)
                return row.problem(key, format_loc(loc[2:]) or "screening", message, severity)
            old = self.screening_old[index] if index < len(self.screening_old) else None
            if self.existing is not None and old is not None:
                return self.existing.doc.problem(("screenings", old) + loc[2:], message,
                                                 severity)
        if self.row is not None:
            for key in self.row.columns:
                path = tuple(key.split("."))
                if loc[:len(path)] == path and key in self.row.cells:
                    return self.row.problem(key, format_loc(loc), message, severity)
            if self.existing is None:
                column = next((k for k in self.row.columns
                               if tuple(k.split("."))[:len(loc)] == loc), None)
                return self.row.problem(column, format_loc(loc), message, severity)
        if self.existing is not None:
            return self.existing.doc.problem(loc, message, severity)
        return Problem(display_path(self.path), None, format_loc(loc) or None, message, severity)


def _same_text(a, b, lang: str) -> bool:
    if not isinstance(a, str) or not isinstance(b, str):
        return a == b

    def norm(text: str) -> str:
        text = unicodedata.normalize("NFC", text)
        text = "\n".join(" ".join(p.split()) for p in text.strip().split("\n"))
        return smarten(text, lang)

    return a == b or norm(a) == norm(b)


def _printed(name) -> str | None:
    try:
        if isinstance(name, dict):
            return file_name(str(name.get("name", "")), str(name.get("family", ""))).printed
        return file_name(str(name)).printed
    except (NameError_, TypeError):
        return None


def _merge_names(old, new: list[str]) -> list:
    """The sheet's names; where a name was already in the file (the same name as
    printed), the file's own entry ({name, family} kept)."""
    olds = old if isinstance(old, list) else []
    by_printed = {}
    for item in olds:
        printed = _printed(item)
        if printed is not None:
            by_printed.setdefault(unicodedata.normalize("NFC", printed), item)
    out = []
    for name in new:
        printed = _printed(name)
        key = unicodedata.normalize("NFC", printed) if printed is not None else None
        out.append(by_printed.get(key, name) if key is not None else name)
    return out


def _get(data: dict, path: tuple):
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _put(data: dict, path: tuple, value) -> None:
    for key in path[:-1]:
        if not isinstance(data.get(key), dict):
            data[key] = {}
        data = data[key]
    data[path[-1]] = value


def _merge_film(plan: Plan, row: Row, by_key: dict[str, Column], lang: str) -> None:
    """Set the fields the row holds on ``plan.data``, noting each change."""
    for key, column in by_key.items():  # in the order of the fields, not of the sheet
        if key not in row.cells:
            continue
        value = row.cells[key][1]
        if value is _BAD or key == "slug":
            continue
        path = column.path
        old = _get(plan.data, path)
        if column.kind == "names":
            value = _merge_names(old, value)
            same = old == value
        elif column.kind == "list":
            same = isinstance(old, list) and len(old) == len(value) and all(
                _same_text(a, b, lang) for a, b in zip(old, value))
        elif column.kind in ("text", "prose"):
            same = _same_text(old, value, lang)
        else:
            same = old == value
        if same:
            continue
        _put(plan.data, path, value)
        plan.paths[path] = value
        plan.changes.append((key, old, value))


def _start_text(date: dt.date, time: dt.time) -> str:
    return f"{date:%Y-%m-%d} {time:%H:%M}"


def _screening_key(item) -> tuple[str, str]:
    if not isinstance(item, dict):
        return ("", "")
    start = re.sub(r"[T ]+", " ", str(item.get("start") or "").strip())
    start = re.sub(r"^(\d{4}-\d\d-\d\d \d\d:\d\d):00$", r"\1", start)
    return (str(item.get("venue") or "").strip(), start)


def _describe_screening(item: dict) -> str:
    return f"{item.get('venue')} {item.get('start')}"


# ------------------------------------------------------------------------------ import
@dataclass
class ImportResult:
    plans: list[Plan]  # files created or changed
    unchanged: int  # films in the sheet that needed no change
    warnings: list[Problem]
    rows: int  # rows imported
    dry_run: bool


def import_sheet(sheet: Path, content_dir: Path, *, screenings: bool = False,
                 sheet_name: str | None = None, mapping: Path | None = None,
                 dry_run: bool = False) -> ImportResult:
    """Import the films (or screenings) of ``sheet`` into ``content_dir``: every problem
    raised at once as a ProgrammeError, nothing written then (nor with ``dry_run``)."""
    root = Path(content_dir)
    columns = SCREENING_COLUMNS if screenings else FILM_COLUMNS
    lookup = SCREENING_LOOKUP if screenings else FILM_LOOKUP
    info = SCREENING_INFO if screenings else set()
    targets: dict[str, str | None] = {}
    settings_dates, separators = "dmy", {}
    if mapping is not None:
        parsed, targets, separators = load_mapping(mapping, columns)
        settings_dates = parsed.dates
    problems: list[Problem] = []
    if not root.is_dir():
        raise ProgrammeError([Problem(display_path(root), None, None,
                                      "content folder not found (festival.yaml, venues.yaml "
                                      "and sections.yaml are needed before films are imported)")])
    festival, venues, sections, films = _read_content(root, problems)
    if festival is None or any(p.severity == "error" for p in problems):
        raise ProgrammeError(problems)
    tables = read_tables(sheet, display_path(sheet), sheet_name)
    by_key = {c.key: c for c in columns}
    rows: list[Row] = []
    warnings: list[Problem] = []
    used_tables = 0
    for table in tables:
        problems.extend(table.problems)
        settings = Settings(festival, sections, venues, settings_dates, separators, table.epoch)
        table_rows, seen, unknown_headers = _read_rows(table, lookup, targets, columns,
                                                       settings, problems, info)
        if not seen:
            if table.rows and (sheet_name is not None or len(tables) == 1):
                problems.append(table.problem(
                    table.rows[0][0], None, None,
                    "no column names a " + ("screening" if screenings else "film") +
                    " field (expected headers such as " + (
                        "Film, Date, Time, Venue" if screenings else
                        "Title, Director(s), Year, Running time, Section") +
                    "); name the columns in --map"))
            elif table.rows:
                warnings.append(CellProblem(table.name, None, None,
                                            "sheet skipped: no column names a field", "warning",
                                            where=table.name))
            continue
        used_tables += 1
        if unknown_headers:
            warnings.append(CellProblem(
                table.name, 0, None,
                "columns not imported (no field has these names; name them in --map): "
                + ", ".join(repr(h) for h in unknown_headers), "warning",
                where=table.ref(_header_number(table, seen))))
        rows.extend(table_rows)
    index = FilmIndex(films)
    lang = festival.lang
    missing: set[str] = set()  # required fields without a column (reported once)
    if screenings:
        plans, unchanged = _plan_screenings(rows, index, root, problems, warnings, festival)
    else:
        plans, unchanged = _plan_films(rows, index, root, by_key, problems, warnings, lang,
                                       missing)
    # Every film whose cells could all be read is validated, even when other rows have
    # problems: all problems at once.
    checked: list[Problem] = []
    _check([p for p in plans if not p.unread], films, festival, venues, sections, checked)
    problems.extend(p for p in checked if not (
        p.message == "required field is missing" and p.field and isinstance(p, CellProblem)
        and any(key.startswith(p.field) or p.field.startswith(key) for key in missing)))
    if any(p.severity == "error" for p in problems):
        # the films left out of the sheet would only hide the problems here
        raise ProgrammeError(problems + [w for w in warnings if isinstance(w, CellProblem)])
    changed = [p for p in plans if p.new or p.paths]
    _write_texts(changed, root, sheet)
    if not dry_run:
        write_all([(plan.path, plan.text.encode("utf-8")) for plan in changed])
    return ImportResult(changed, unchanged, warnings, len(rows), dry_run)


def _header_number(table: Table, seen: dict[str, int]) -> int:
    for number, cells in table.rows[:10]:
        if set(seen.values()) <= set(cells):
            return number
    return 1


def _plan_films(rows, index: FilmIndex, root: Path, by_key, problems, warnings, lang,
                missing: set[str]):
    plans: dict[str, Plan] = {}
    first_row: dict[str, Row] = {}
    new_titles: dict[tuple, Row] = {}
    unchanged = 0
    missing_required: dict[str, int] = {}
    for row in rows:
        slug_cell = row.value("slug")
        title = row.value("title")
        year = row.value("year")
        if slug_cell is _BAD or title is _BAD:
            continue
        if slug_cell:
            slug = slug_cell
        else:
            found = index.find(title, year)
            if len(found) > 1:
                problems.append(_several(row, "title", found, index, "Slug (or Year) column"))
                continue
            if found:
                slug = found[0]
            elif not title:
                problems.append(row.problem("title", "title",
                                            "a new film needs a title (or a slug)"))
                continue
            else:
                key = (_title_key(title), year if isinstance(year, int) else None)
                if key in new_titles:
                    problems.append(row.problem(
                        "title", "title", f"the same film as row {new_titles[key].number} "
                                          "(same title and year); remove one of the rows"))
                    continue
                new_titles[key] = row
                slug = index.new_slug(title, year if any(
                    k[0] == key[0] and k != key for k in new_titles) else None)
        if slug in first_row:
            problems.append(row.problem("slug" if slug_cell else "title", "slug" if slug_cell
                                        else "title",
                                        f"the same film ({slug}) as row {first_row[slug].number}"
                                        "; a film is imported from one row"))
            continue
        first_row[slug] = row
        existing = index.films.get(slug)
        if existing is None:
            index.taken.add(slug)
            path = root / "films" / f"{slug}.yaml"
            data = {}
        else:
            path = existing.path
            data = copy.deepcopy(existing.data)
        plan = Plan(slug, path, existing, row, data,
                    unread=any(v is _BAD for _c, v in row.cells.values()))
        _merge_film(plan, row, by_key, lang)
        if existing is None:
            for required in ("title", "section", "credits.director", "countries", "year",
                             "runtime"):
                if required not in row.columns:
                    missing_required[required] = missing_required.get(required, 0) + 1
        elif not plan.paths:
            unchanged += 1
        plans[slug] = plan
    missing.update(missing_required)
    for required, count in missing_required.items():
        column = by_key[required]
        table = rows[0].table
        problems.append(table.problem(
            _header_number(table, rows[0].columns), None, None,
            f"no column for {column.name} ({column.header}), which new films need: "
            f"{count} new film{'s' if count != 1 else ''} in the sheet"))
    listed = set(plans)
    for slug, film in index.films.items():
        if slug not in listed:
            warnings.append(film.doc.problem(
                (), f"{film.title!r} is not in the sheet; its file is left as it is (delete "
                    "it yourself if the film was dropped)", "warning"))
    return list(plans.values()), unchanged


def _plan_screenings(rows, index: FilmIndex, root: Path, problems, warnings, festival):
    by_film: dict[str, list[Row]] = {}
    for row in rows:
        slug_cell, film_cell = row.value("slug"), row.value("film")
        row.screening = _screening_from_row(row, festival, problems)
        if slug_cell is _BAD or film_cell is _BAD:
            continue
        if slug_cell:
            if slug_cell not in index.films:
                problems.append(row.problem("slug", "slug", _unknown_film(
                    slug_cell, sorted(index.films))))
                continue
            slug = slug_cell
        elif film_cell:
            found = index.find(film_cell, row.value("year"), original=True)
            if len(found) > 1:
                problems.append(_several(row, "film", found, index, "Slug column"))
                continue
            if not found:
                titles = sorted(f.title for f in index.films.values())
                problems.append(row.problem("film", "film", _unknown_film(film_cell, titles)))
                continue
            slug = found[0]
        else:
            problems.append(row.problem("film", "film", "which film? (no title or slug)"))
            continue
        by_film.setdefault(slug, []).append(row)
    plans = []
    unchanged = 0
    for slug, film_rows in by_film.items():
        existing = index.films[slug]
        data = copy.deepcopy(existing.data)
        old = data.get("screenings") if isinstance(data.get("screenings"), list) else []
        old_by_key = {}
        for i, item in enumerate(old):
            old_by_key.setdefault(_screening_key(item), i)
        new_items, origins, old_index = [], [], []
        seen_keys: dict[tuple, Row] = {}
        for row in film_rows:
            item = row.screening
            if item is None:
                continue
            key = _screening_key(item)
            if key in seen_keys:
                problems.append(row.problem(
                    "time" if "time" in row.columns else "start", "screening",
                    f"the same screening ({_describe_screening(item)}) as row "
                    f"{seen_keys[key].number}"))
                continue
            seen_keys[key] = row
            j = old_by_key.get(key)
            if j is not None and isinstance(old[j], dict):
                merged = dict(old[j])
                for k, v in item.items():
                    if k == "start" and _screening_key({"start": merged.get(k)}) == \
                            _screening_key({"start": v}):
                        continue
                    if isinstance(v, bool) and merged.get(k, False) is v:
                        continue  # false is what an absent flag means
                    if isinstance(v, str) and _same_text(merged.get(k), v, festival.lang):
                        continue  # the same text as printed (an exported schedule's)
                    merged[k] = v
                item = yamlwrite.ordered(merged, yamlwrite.SCREENING_ORDER)
            else:
                item = yamlwrite.ordered(
                    {k: v for k, v in item.items() if v is not False}, yamlwrite.SCREENING_ORDER)
            new_items.append(item)
            origins.append(row)
            old_index.append(j)
        if len(new_items) != len(film_rows):
            continue  # a row's problem is reported; nothing more to check for this film
        if set(old_by_key) == set(seen_keys) and len(old) == len(new_items):
            order = sorted(range(len(new_items)), key=lambda n: old_index[n])
        else:
            order = sorted(range(len(new_items)),
                           key=lambda n: (_screening_key(new_items[n])[1],
                                          _screening_key(new_items[n])[0]))
        new_items = [new_items[n] for n in order]
        origins = [origins[n] for n in order]
        old_index = [old_index[n] for n in order]
        plan = Plan(slug, existing.path, existing, None, data, screening_rows=origins,
                    screening_old=old_index)
        if new_items != old:
            data["screenings"] = new_items
            plan.paths[("screenings",)] = new_items
            plan.changes.extend(_screening_changes(old, new_items))
        else:
            unchanged += 1
        plans.append(plan)
    for slug, film in index.films.items():
        count = len(film.data.get("screenings") or []) if isinstance(
            film.data.get("screenings"), list) else 0
        if slug not in by_film and count:
            warnings.append(film.doc.problem(
                ("screenings",), f"{film.title!r} has {count} screening"
                                 f"{'s' if count != 1 else ''} but none in the sheet; "
                                 "they are left as they are", "warning"))
    return plans, unchanged


def _several(row, column: str, found: list[str], index, add: str):
    """The problem of a row whose film title names several films (``found``)."""
    files = ", ".join(display_path(index.films[s].path) for s in found)
    return row.problem(column, column,
                       f"several films have this title ({files}); add a {add} to say which")


def _unknown_film(text: str, choices: list[str]) -> str:
    hint = difflib.get_close_matches(text, choices, n=1, cutoff=0.6)
    if hint:
        return f"unknown film {text!r} (did you mean {hint[0]!r}?)"
    return f"unknown film {text!r}: no film in the content folder has this title; import " \
           "the films first"


def _screening_from_row(row: Row, festival: Festival, problems) -> dict | None:
    cells = row.cells
    if any(value is _BAD for _column, value in cells.values()):
        return None
    date = time = None
    for key in ("start", "date", "time"):
        if key not in cells:
            continue
        d, t = cells[key][1]
        if d is not None:
            if date is not None and d != date:
                problems.append(row.problem(key, key, f"says {d}, but the row's date is {date}"))
                return None
            date = d
        if t is not None:
            if time is not None and t != time:
                problems.append(row.problem(key, key, f"says {t:%H:%M}, but the row's time is "
                                                      f"{time:%H:%M}"))
                return None
            time = t
    if date is None or time is None:
        missing = " and ".join(w for w, v in (("date", date), ("time", time)) if v is None)
        key = "date" if date is None else "time"
        problems.append(row.problem(key if key in row.columns else None, "start",
                                    f"the screening has no {missing}"))
        return None
    if not festival.starts <= date <= festival.ends:
        key = next((k for k in ("date", "start") if k in cells and cells[k][1][0]), None)
        problems.append(row.problem(key, key or "start",
                                    f"{date} is outside the festival ({festival.starts} to "
                                    f"{festival.ends})"))
        return None
    if "venue" not in cells:
        problems.append(row.problem("venue" if "venue" in row.columns else None, "venue",
                                    "the screening has no venue"))
        return None
    item = {"venue": cells["venue"][1], "start": _start_text(date, time)}
    for key in ("certificate", "sold_out", "subtitled", "audio_described", "note"):
        if key in cells:
            item[key] = cells[key][1]
    return item


def _screening_changes(old: list, new: list) -> list[tuple[str, object, object]]:
    """('screenings', 'added', 'ODN 2012-10-14 18:30'), ('screenings', 'removed', …), or
    ('screenings (ODN 2012-10-14 18:30) sold_out', False, True)."""
    olds = {_screening_key(i): i for i in old if isinstance(i, dict)}
    news = {_screening_key(i): i for i in new}
    changes = []
    for key, item in news.items():
        before = olds.get(key)
        if before is None:
            changes.append(("screenings", ADDED, _describe_screening(item)))
            continue
        for k in dict.fromkeys(list(before) + list(item)):
            if k == "start":
                continue
            was, now = before.get(k), item.get(k)
            if k in ("sold_out", "subtitled", "audio_described"):
                was, now = bool(was), bool(now)
            if was != now:
                changes.append((f"screenings ({_describe_screening(item)}) {k}", was, now))
    for key, item in olds.items():
        if key not in news:
            changes.append(("screenings", REMOVED, _describe_screening(item)))
    if not changes:
        changes.append(("screenings", REORDERED, "in order of time"))
    return changes


ADDED, REMOVED, REORDERED = "added", "removed", "put"


def describe_change(plan: Plan, change: tuple[str, object, object]) -> str:
    """One line of a change list: 'runtime: 120 → 121', 'screenings: added ODN …'."""
    name, old, new = change
    if name == "screenings" and old in (ADDED, REMOVED, REORDERED):
        return f"screenings: {old} {new}"
    if plan.new:
        return f"{name}: {show_value(new)}"
    return f"{name}: {show_value(old)} → {show_value(new)}"


# ------------------------------------------------------------------------------ checks
def _check(plans: list[Plan], films: dict[str, Existing], festival: Festival, venues, sections,
           problems: list[Problem]) -> None:
    """Validate each film the import creates or changes as the loader would, problems at
    their cells (or lines); then the screenings against each other."""
    context = {"lang": festival.lang}
    section_slugs = [s.slug for s in sections]
    venue_codes = [v.code for v in venues]
    checked: dict[str, tuple[Plan | None, Film]] = {}
    for plan in plans:
        if not (plan.new or plan.paths):
            continue
        data = dict(plan.data)
        data.setdefault("slug", plan.slug)
        film = _validate(Film, data, plan, problems, context=context)
        if film is None:
            continue
        checked[plan.slug] = (plan, film)
        if film.section not in section_slugs:
            problems.append(plan.problem(("section",), unknown("section", film.section,
                                                               section_slugs)))
        for i, screening in enumerate(film.screenings):
            if screening.venue not in venue_codes:
                problems.append(plan.problem(("screenings", i, "venue"),
                                             unknown("venue", screening.venue, venue_codes)))
            if not festival.starts <= screening.start.date() <= festival.ends:
                problems.append(plan.problem(
                    ("screenings", i, "start"),
                    f"{screening.start:%Y-%m-%d} is outside the festival "
                    f"({festival.starts} to {festival.ends})"))
    if not checked:
        return
    # Overlaps at a venue, between a film the import changes and any other film.
    slots = []
    for slug, film_data in films.items():
        if slug in checked:
            continue
        if not film_data.data.get("screenings"):
            continue
        data = dict(film_data.data)
        data.setdefault("slug", slug)
        try:
            film = Film.model_validate(data, context=context)
        except Exception:  # noqa: BLE001 - a broken film the import leaves alone
            continue
        slots += screening_slots(film, None)
    for plan, film in checked.values():
        slots += screening_slots(film, plan)
    for earlier, later in overlapping(slots):  # blame the file the import writes
        if later[3] is not None:
            problems.append(overlap_problem(later, earlier))
        elif earlier[3] is not None:
            problems.append(overlap_problem(earlier, later))


# ------------------------------------------------------------------------------ output
def _write_texts(plans: list[Plan], root: Path, sheet: Path) -> None:
    """Each plan's new file text, checked to read back as its data."""
    project = project_folder(root)
    refused: list[Problem] = []
    for plan in plans:
        intended = plan.data
        if plan.new:
            source = plan.row.ref() if plan.row is not None else display_path(sheet)
            plan.text = yamlwrite.new_film_text(
                intended, f"Imported from {source} by programme import.")
        else:
            # only the changed keys' lines written again; where the file's layout is more
            # than that handles (flow mappings, tabs…), ruamel.yaml's round trip
            old_text = read_bounded(plan.path, MAX_BYTES, project).decode("utf-8")
            existing = plan.existing
            plan.text = yamlwrite.patched_film_text(old_text, existing.doc.lines,
                                                    existing.data, intended, plan.paths)
            if plan.text is not None and not yamlwrite.check_round_trip(plan.text, intended):
                continue
            try:
                plan.text = yamlwrite.updated_film_text(old_text, plan.paths)
            except Exception as exc:  # noqa: BLE001 - ruamel.yaml refuses what it cannot read
                refused.append(Problem(
                    display_path(plan.path), getattr(getattr(exc, "problem_mark", None),
                                                     "line", -1) + 1 or None, None,
                    "cannot be updated in place: it is laid out in a way programme's writers "
                    f"do not handle ({type(exc).__name__}: {' '.join(str(exc).split())[:160]}); "
                    "make the change by hand, or lay the file out as the example content is "
                    "(spaces, not tabs, after the colons)"))
                continue
        problem = yamlwrite.check_round_trip(plan.text, intended)
        if problem is not None:
            raise RuntimeError(f"the new text of {display_path(plan.path)} is not what was "
                               f"meant: {problem}")
    if refused:
        raise ProgrammeError(refused)


def write_all(files: list[tuple[Path, bytes]]) -> None:
    """Write every file whole or none of them: each to a temporary file beside it, then
    one flush of them all to disk (``os.sync``: one flush, not one per file, which for
    2 000 files takes seconds), then each renamed over its file. A failure before the
    renames (a full disk, no permission) leaves every file as it was."""
    import os
    import tempfile

    from .output import _naming

    temporary: list[tuple[str, Path]] = []
    try:
        for path, data in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                           dir=path.parent)
            except OSError as exc:
                raise _naming(exc, path) from None
            temporary.append((tmp, path))
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.chmod(tmp, 0o644)
            except OSError as exc:
                raise _naming(exc, path) from None
        os.sync()
    except BaseException:
        for tmp, _path in temporary:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        raise
    for n, (tmp, path) in enumerate(temporary):
        try:
            os.replace(tmp, path)
        except OSError as exc:
            for later, _path in temporary[n:]:
                try:
                    os.unlink(later)
                except OSError:
                    pass
            raise _naming(exc, path) from None


def show_value(value) -> str:
    """A value in a change list: names joined with '; ', long text shortened."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(show_value(v) for v in value) or "(none)"
    if isinstance(value, dict):
        if "name" in value:
            return str(value["name"])
        return ", ".join(f"{k}: {show_value(v)}" for k, v in value.items())
    text = " ".join(str(value).split())
    return text if len(text) <= 70 else text[:67] + "..."
