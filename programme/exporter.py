"""``programme export``: the schedule (and the films) as sheets for the box office,
ticketing systems and programmers.

``--screenings OUT`` gives one row a screening, in time order: a screening id, the film's
title, original title and slug, its section, the venue's code and name, start and end
(ISO 8601 date-times; the end is the start plus the running time), running time,
certificate, the flags (sold out, subtitled, audio described) and the note. ``--films OUT``
gives one row a film with every field a sheet can hold, under the headers ``programme
import`` reads, so a films sheet exported, edited and imported again changes only what was
edited.

``.csv`` is UTF-8 (with a byte order mark, so spreadsheet programs read accents right),
comma separated; ``.xlsx`` has a bold header row, frozen, a filter, dates as dates and
flags as true/false. A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return would be run as a formula by a spreadsheet program opening the file (CSV
injection): in a CSV it gets an apostrophe in front (``'=cmd|…``), which ``programme
import`` takes off again; in an XLSX it is written as a text cell marked to show as text
(``quotePrefix``), never as a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from .importer import FILM_COLUMNS, join_list
from .problems import Problem, ProgrammeError, display_path
from .sorting import NameError_, file_name

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

SCREENING_HEADERS = ["Screening ID", "Film", "Original title", "Slug", "Section", "Venue",
                     "Venue name", "Start", "End", "Running time", "Certificate", "Sold out",
                     "Subtitled", "Audio described", "Note"]
FLAG_HEADERS = {"Sold out", "Subtitled", "Audio described"}
DATE_HEADERS = {"Start", "End"}


@dataclass
class Exported:
    path: Path
    rows: int
    what: str  # "screenings" or "films"


def escape_csv(value: str) -> str:
    """A text cell a spreadsheet program will not run as a formula: an apostrophe before
    =, +, -, @, tab and carriage return (and before an apostrophe already followed by one
    of them, so that import, which takes one apostrophe off, gives the text back)."""
    if value.startswith(FORMULA_START) or (value[:1] == "'" and value[1:2] and
                                           value[1:].lstrip("'").startswith(FORMULA_START)):
        return "'" + value
    return value


def export(content_dir: Path, screenings: Path | None = None,
           films: Path | None = None) -> list[Exported]:
    from .loader import load_content
    from .output import write_atomically

    targets = [(p, what) for p, what in ((screenings, "screenings"), (films, "films")) if p]
    if not targets:
        raise ProgrammeError([Problem("export", None, None,
                                      "say what to export: --screenings OUT.csv|OUT.xlsx "
                                      "and/or --films OUT.csv|OUT.xlsx")])
    for path, what in targets:
        if Path(path).suffix.lower() not in (".csv", ".xlsx"):
            raise ProgrammeError([Problem(display_path(Path(path)), None, None,
                                          f"--{what}: the file must end in .csv or .xlsx")])
    content = load_content(content_dir)
    done = []
    for path, what in targets:
        headers, rows = (screening_rows(content) if what == "screenings"
                         else film_rows(content))
        data = (_csv(headers, rows) if Path(path).suffix.lower() == ".csv"
                else _xlsx(headers, rows, "Screenings" if what == "screenings" else "Films"))
        write_atomically(Path(path), data)
        done.append(Exported(Path(path), len(rows), what))
    return done


# ---------------------------------------------------------------------------- rows
def screening_rows(content) -> tuple[list[str], list[list]]:
    programme = content.programme
    venues = programme.venue_by_code
    sections = {s.slug: s.name for s in programme.sections}
    rows = []
    for film in programme.films:
        for screening in film.screenings:
            start = screening.start
            end = start + dt.timedelta(minutes=film.runtime)
            rows.append([
                f"{film.slug}-{start:%Y%m%d-%H%M}-{screening.venue.lower()}",
                film.title,
                film.original_title or "",
                film.slug,
                sections.get(film.section, film.section),
                screening.venue,
                venues[screening.venue].name if screening.venue in venues else "",
                start,
                end,
                film.runtime,
                screening.certificate or "",
                screening.sold_out,
                screening.subtitled,
                screening.audio_described,
                screening.note or "",
            ])
    rows.sort(key=lambda r: (r[7], r[5], r[1]))
    return SCREENING_HEADERS, rows


def name_as_text(item) -> str:
    """A name from a film file as one sheet cell reads it back: as written, or a
    {name, family} name as 'Family, Given' when that files it the same way; a name
    written family name first ({name: Kim Ki-duk, family: Kim}) cannot be, and is given
    as printed (re-importing it keeps the file's own entry)."""
    if not isinstance(item, dict):
        return str(item)
    name, family = str(item.get("name", "")), str(item.get("family", ""))
    try:
        target = file_name(name, family)
    except NameError_:
        return name
    candidates = [name]
    if target.given and not target.family_first:
        candidates.append(f"{target.family}, {target.given}"
                          + (f", {target.suffix}" if target.suffix else ""))
    for text in candidates:
        try:
            filing = file_name(text)
        except NameError_:
            continue
        if (filing.printed, filing.filed) == (target.printed, target.filed):
            return text
    return name


def _raw(content, film) -> dict:
    source = content.film_sources.get(film.slug)
    data = content.raw_films.get(source.stem) if source is not None else None
    return data if isinstance(data, dict) else {}


def _cell(value, kind: str) -> object:
    if value is None:
        return ""
    if kind in ("names", "list"):
        items = value if isinstance(value, list) else [value]
        texts = [name_as_text(i) if kind == "names" else str(i) for i in items]
        return join_list(texts, names=kind == "names") if texts else ""
    if kind == "prose":
        return "\n\n".join(p.strip() for p in str(value).split("\n") if p.strip())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return str(value)


def film_rows(content) -> tuple[list[str], list[list]]:
    programme = content.programme
    names = [s.name for s in programme.sections]
    section_cell = {s.slug: (s.name if names.count(s.name) == 1 else s.slug)
                    for s in programme.sections}
    rows = []
    for section in programme.ordered_sections:
        for film in programme.films_in(section):
            data = dict(_raw(content, film))
            data["slug"] = film.slug
            row = []
            for column in FILM_COLUMNS:
                value = data
                for key in column.path:
                    value = value.get(key) if isinstance(value, dict) else None
                if column.key == "section":
                    value = section_cell.get(film.section, film.section)
                row.append(_cell(value, column.kind))
            rows.append(row)
    return [c.header for c in FILM_COLUMNS], rows


# --------------------------------------------------------------------------- writers
def _csv(headers: list[str], rows: list[list]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_value(v, h) for v, h in zip(row, headers)])
    return out.getvalue().encode("utf-8-sig")


def _csv_value(value, header: str) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, (int, float)):
        return str(value)
    return escape_csv(str(value))


def _xlsx(headers: list[str], rows: list[list], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    bold = Font(bold=True)
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=column, value=header)
        cell.font = bold
    widths = [len(h) for h in headers]
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            if value == "" or value is None:
                continue
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, str):
                cell.value = value
                cell.data_type = "s"  # text, never a formula, whatever it starts with
                if value.startswith(FORMULA_START) or value.startswith("'"):
                    cell.quotePrefix = True  # shown and edited as text
                if "\n" in value:
                    cell.alignment = wrap
                widths[c - 1] = max(widths[c - 1], min(60, max(
                    len(line) for line in value.split("\n"))))
            else:
                cell.value = value
                if isinstance(value, dt.datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                    widths[c - 1] = max(widths[c - 1], 16)
                else:
                    widths[c - 1] = max(widths[c - 1], len(str(value)))
    for c, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = width + 2
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
