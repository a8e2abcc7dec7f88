"""Make the sample sheets in examples/ from the example festival (content/).

    python3 examples/make_samples.py

- ``films.csv`` and ``films.xlsx``: one row a film, with the headers a programmer's sheet
  has ("Director(s)", "Country", "Running time", "Strand"…), no slugs (films are matched
  by title) and no long text;
- ``screenings.csv``: the schedule, one row a screening, with "Date" (14/10/2012),
  "Time" (18:30) and the venue by name.

Importing them into content/ changes nothing (tests/test_import_export.py checks it): they
hold what the films already say. Edit a copy to try ``programme import``.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from programme.exporter import name_as_text  # noqa: E402
from programme.importer import join_list  # noqa: E402
from programme.loader import load_content  # noqa: E402

FILM_HEADERS = ["Title", "Original title", "Original language", "Director(s)", "Cast",
                "Country", "Year", "Running time", "Strand", "Distributor"]
SCREENING_HEADERS = ["Film", "Date", "Time", "Venue", "Certificate", "Sold out",
                     "Subtitled", "Audio described", "Note"]


def _names(items) -> str:
    return join_list([name_as_text(i) for i in items or []], names=True)


def rows(content_dir: Path):
    content = load_content(content_dir, use_cache=False)
    programme = content.programme
    sections = {s.slug: s.name for s in programme.sections}
    venues = programme.venue_by_code
    films, screenings = [], []
    for section in programme.ordered_sections:
        for film in programme.films_in(section):
            raw = content.raw_films[content.film_sources[film.slug].stem]
            credits = raw.get("credits", {})
            films.append([raw["title"], raw.get("original_title", ""),
                          raw.get("original_language", ""), _names(credits.get("director")),
                          _names(credits.get("cast")), ", ".join(raw["countries"]),
                          raw["year"], raw["runtime"], sections[film.section],
                          (raw.get("distributor") or {}).get("name", "")])
            for s in raw.get("screenings", []):
                date, time = str(s["start"]).replace("T", " ").split()
                year, month, day = date.split("-")
                screenings.append([raw["title"], f"{day}/{month}/{year}", time[:5],
                                   venues[s["venue"]].name, s.get("certificate", ""),
                                   "yes" if s.get("sold_out") else "no",
                                   "yes" if s.get("subtitled") else "no",
                                   "yes" if s.get("audio_described") else "no",
                                   s.get("note", "")])
    screenings.sort(key=lambda r: (r[1][6:] + r[1][3:5] + r[1][:2], r[2], r[3]))
    return films, screenings


def write_csv(path: Path, headers, data) -> None:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(data)
    path.write_bytes(out.getvalue().encode("utf-8-sig"))


def write_xlsx(path: Path, headers, data) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Films"
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in data:
        sheet.append(row)
    for column, width in zip("ABCDEFGHIJ", (30, 30, 10, 28, 40, 22, 6, 8, 10, 24)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    workbook.properties.creator = "programme"
    # a fixed date, so the file changes only when the films do
    import datetime as dt

    workbook.properties.created = workbook.properties.modified = dt.datetime(2012, 10, 1)
    workbook.save(path)


def main() -> int:
    films, screenings = rows(HERE.parent / "content")
    write_csv(HERE / "films.csv", FILM_HEADERS, films)
    write_xlsx(HERE / "films.xlsx", FILM_HEADERS, films)
    write_csv(HERE / "screenings.csv", SCREENING_HEADERS, screenings)
    print(f"wrote examples/films.csv, films.xlsx ({len(films)} films) and "
          f"screenings.csv ({len(screenings)} screenings)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
