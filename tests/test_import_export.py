"""programme import / export (issue 16): spreadsheets in, schedules out.

Sheets are made on the fly: CSV as text, XLSX with openpyxl or, for what openpyxl does not
write (formulas with saved values, spreadsheet errors, a lying <dimension>, zip bombs),
part by part (:func:`xlsx`). The fast tests run in-process (click's CliRunner); the slow
ones build brochures or import 2 000 films through the real command line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner

from programme.cli import main
from programme.exporter import escape_csv, export
from programme.importer import Settings, date_and_time, import_sheet, parse_date, slugify
from programme.loader import load_content
from programme.problems import ProgrammeError
from programme import sheets

from .conftest import EXAMPLE, REPO, run_cli

EXAMPLES = REPO / "examples"


# ---------------------------------------------------------------------------- helpers
def festival_only(folder: Path) -> Path:
    """A content folder with the example's festival, venues and sections and no films."""
    content = folder / "content"
    content.mkdir(parents=True)
    for name in ("festival.yaml", "venues.yaml", "sections.yaml"):
        shutil.copy(EXAMPLE / name, content / name)
    return content


def write_csv(path: Path, rows, delimiter=",", encoding="utf-8") -> Path:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def cli(*args, cwd: Path):
    """The command line in-process (fast), run from ``cwd`` so paths print short."""
    import os

    before = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(before)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def models(content: Path, without=("stills", "filmography")) -> dict:
    """Each film as the model reads it (typography applied), without the fields a sheet
    cannot hold; names with how they are filed."""
    out = {}
    for film in load_content(content, use_cache=False).programme.films:
        data = film.model_dump()
        for key in without:
            data.pop(key)
        data["filed"] = {role: [n.filed for n in getattr(film.credits, role)]
                         for role in ("director", "producer", "screenwriter", "cast")}
        out[film.slug] = data
    return out


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
STYLES = (f'<styleSheet xmlns="{MAIN}"><fonts count="1"><font/></fonts><fills count="1"><fill>'
          '<patternFill patternType="none"/></fill></fills><borders count="1"><border/>'
          '</borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="4">'
          '<xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/>'  # 1: a date
          '<xf numFmtId="20" applyNumberFormat="1"/>'  # 2: h:mm
          '<xf numFmtId="22" applyNumberFormat="1"/></cellXfs></styleSheet>')  # 3: date time


def c(ref: str, value=None, *, style: int | None = None, formula: str | None = None,
      kind: str | None = None) -> str:
    """One cell's XML: text inline, numbers as numbers, a formula with or without its
    saved value, an error (kind 'e')."""
    attrs = f' r="{ref}"' + (f' s="{style}"' if style else "")
    inner = f"<f>{escape(formula)}</f>" if formula is not None else ""
    if isinstance(value, str) and kind is None:
        if formula is not None:
            return f'<c{attrs} t="str">{inner}<v>{escape(value)}</v></c>'
        return f'<c{attrs} t="inlineStr"><is><t>{escape(value)}</t></is></c>'
    if kind:
        attrs += f' t="{kind}"'
    if value is not None:
        inner += f"<v>{escape(str(value))}</v>"
    return f"<c{attrs}>{inner}</c>"


def xlsx(sheets_: dict, dimension: str | None = None, date1904: bool = False,
         replace: dict | None = None) -> bytes:
    """A workbook written part by part: {sheet name: [[cell xml, …] a row] or the
    sheetData XML}; ``replace`` swaps in parts as given."""
    replace = replace or {}
    names = list(sheets_)
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
            'openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/>' + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="'
                'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                for i in range(len(names))) + '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'styles+xml"/></Types>'),
        "_rels/.rels": (f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/'
                        'officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><workbookPr'
            + (' date1904="1"' if date1904 else "") + "/><sheets>" + "".join(
                f'<sheet name="{escape(n)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                for i, n in enumerate(names)) + "</sheets></workbook>"),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PKG}">' + "".join(
                f'<Relationship Id="rId{i + 1}" Type="{REL}/worksheet" '
                f'Target="worksheets/sheet{i + 1}.xml"/>' for i in range(len(names)))
            + f'<Relationship Id="rId{len(names) + 1}" Type="{REL}/styles" '
              'Target="styles.xml"/></Relationships>'),
        "xl/styles.xml": STYLES,
    }
    for i, name in enumerate(names):
        rows = sheets_[name]
        data = rows if isinstance(rows, str) else "".join(
            f'<row r="{n + 1}">{"".join(r)}</row>' for n, r in enumerate(rows))
        dim = f'<dimension ref="{dimension}"/>' if dimension else ""
        parts[f"xl/worksheets/sheet{i + 1}.xml"] = (
            f'<worksheet xmlns="{MAIN}">{dim}<sheetData>{data}</sheetData></worksheet>')
    parts.update(replace)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


FILM_HEADER = ["Title", "Director(s)", "Country", "Year", "Running time", "Strand"]


# ------------------------------------------------------------------- round trip (1, 4, 5)
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_round_trip_into_an_empty_folder(tmp_path, suffix):
    """The example exported, then imported into a folder without films: the same films
    (as the model reads them, names filed the same), stills and filmographies aside."""
    films, screenings = tmp_path / f"films{suffix}", tmp_path / f"screenings{suffix}"
    done = export(EXAMPLE, screenings=screenings, films=films)
    assert [(d.what, d.rows) for d in done] == [("screenings", 31), ("films", 14)]
    content = festival_only(tmp_path / "new")
    result = import_sheet(films, content)
    assert (len(result.plans), sum(p.new for p in result.plans)) == (14, 14)
    result = import_sheet(screenings, content, screenings=True)
    assert len(result.plans) == 13  # one film has no screenings
    assert models(content) == models(EXAMPLE)
    # and importing the same sheets again changes nothing
    before = snapshot(content)
    assert not import_sheet(films, content).plans
    assert not import_sheet(screenings, content, screenings=True).plans
    assert snapshot(content) == before


def test_reimporting_an_export_changes_no_byte(tmp_path):
    """Export the example, import it back into a copy: every file byte for byte as it
    was (comments, key order, flow lists, {name, family} names)."""
    shutil.copytree(EXAMPLE, tmp_path / "content")
    before = snapshot(tmp_path / "content")
    for suffix in (".csv", ".xlsx"):
        export(EXAMPLE, screenings=tmp_path / f"s{suffix}", films=tmp_path / f"f{suffix}")
        result = import_sheet(tmp_path / f"f{suffix}", tmp_path / "content")
        assert (result.plans, result.unchanged) == ([], 14)
        result = import_sheet(tmp_path / f"s{suffix}", tmp_path / "content", screenings=True)
        assert (result.plans, result.unchanged) == ([], 13)
    assert snapshot(tmp_path / "content") == before


def test_sample_sheets_match_the_example(tmp_path):
    """examples/films.csv, films.xlsx and screenings.csv hold what the example festival
    says (regenerate them with examples/make_samples.py when it changes)."""
    shutil.copytree(EXAMPLE, tmp_path / "content")
    before = snapshot(tmp_path / "content")
    assert import_sheet(EXAMPLES / "films.csv", tmp_path / "content").unchanged == 14
    assert import_sheet(EXAMPLES / "films.xlsx", tmp_path / "content").unchanged == 14
    result = import_sheet(EXAMPLES / "screenings.csv", tmp_path / "content", screenings=True)
    assert (result.plans, result.unchanged) == ([], 13)
    assert snapshot(tmp_path / "content") == before


# ---------------------------------------------------------------- merging (point 3)
def test_import_merges_never_clobbers(project):
    """Only the fields the sheet holds change, and only their lines; comments, reviews,
    stills and key order stay; a film not in the sheet is reported, never deleted."""
    path = project / "content" / "films" / "rust-and-bone.yaml"
    old = path.read_text(encoding="utf-8").splitlines()
    sheet = write_csv(project / "films.csv", [
        FILM_HEADER + ["Cast", "Review"],
        ["Rust and Bone", "Jacques Audiard", "France, Belgium", "2012", "121 mins", "Galas",
         "Marion Cotillard; Matthias Schoenaerts; Armand Verdure; Céline Sallette", ""],
        ["Brand New Film", "Jane Doe; John Roe", "France", "2012", "95", "love", "", ""],
    ])
    result = cli("import", sheet, "content", cwd=project)
    assert result.exit_code == 0, result.output
    assert "updated content/films/rust-and-bone.yaml: credits.cast, runtime" in result.stdout
    assert "created content/films/brand-new-film.yaml from films.csv:A3" in result.stdout
    assert "films.csv: 2 film rows – 1 new film, 1 film changed, 0 unchanged." in result.stdout
    # the 13 other films: reported, still there
    assert result.stderr.count("is not in the sheet; its file is left as it is") == 13
    assert (project / "content/films/undertow.yaml").exists()
    new = path.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(old, new) if a != b]
    assert len(old) == len(new)
    assert changed == [
        ("  cast: [Marion Cotillard, Matthias Schoenaerts, Armand Verdure]",
         "  cast: [Marion Cotillard, Matthias Schoenaerts, Armand Verdure, Céline Sallette]"),
        ("runtime: 120", "runtime: 121")]
    created = (project / "content/films/brand-new-film.yaml").read_text(encoding="utf-8")
    assert created.splitlines()[1:] == [
        "title: Brand New Film", "section: love", "credits:",
        "  director: [Jane Doe, John Roe]", "countries: [France]", "year: 2012",
        "runtime: 95"]
    assert run_cli("validate", "content", cwd=project).returncode == 0


def test_dry_run_lists_changes_field_by_field_and_writes_nothing(project):
    before = snapshot(project / "content")
    sheet = write_csv(project / "s.csv", [
        ["Film", "Date", "Time", "Venue", "Certificate", "Sold out", "Note"],
        ["Rust and Bone", "14/10/2012", "18:30", "Odeon Quayside", "15", "yes",
         "Introduced by Jacques Audiard"],
        ["Rust and Bone", "15/10/2012", "2:45pm", "NFT1", "15", "yes", ""],
        ["Rust and Bone", "Sun 21 Oct", "11.00", "NFT2", "15", "no", "Extra screening"],
    ])
    result = cli("import", sheet, "content", "--screenings", "--dry-run", cwd=project)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "would update content/films/rust-and-bone.yaml",
        "    screenings (NFT1 2012-10-15 14:45) sold_out: no → yes",
        "    screenings: added NFT2 2012-10-21 11:00",
        "    screenings: removed CUR 2012-10-20 20:45",
        "s.csv: 3 screening rows – 1 film changed, 0 unchanged; nothing written (--dry-run).",
    ]
    assert "has 2 screenings but none in the sheet; they are left as they are" in result.stderr
    assert snapshot(project / "content") == before
    result = cli("import", sheet, "content", "--screenings", cwd=project)
    assert result.exit_code == 0, result.output
    text = (project / "content/films/rust-and-bone.yaml").read_text(encoding="utf-8")
    assert ("  - {venue: ODN, start: 2012-10-14 18:30, certificate: \"15\", sold_out: true, "
            "note: Introduced by Jacques Audiard}\n"
            "  - {venue: NFT1, start: 2012-10-15 14:45, certificate: \"15\", sold_out: true, "
            "subtitled: true}\n"
            "  - {venue: NFT2, start: 2012-10-21 11:00, certificate: \"15\", "
            "note: Extra screening}\n") in text


def test_names_kept_as_the_file_writes_them(project):
    """A name the file gives as {name, family} stays so when the sheet gives it as text
    (as printed or as 'Family, Given')."""
    path = project / "content/films/the-silence-of-the-harbour.yaml"
    before = path.read_bytes()
    for cell in ("Xosé Ferreiro Calvo", "Ferreiro Calvo, Xosé"):
        sheet = write_csv(project / "f.csv", [["Title", "Director"],
                                              ["The Silence of the Harbour", cell]])
        result = import_sheet(sheet, project / "content")
        assert (result.plans, result.unchanged) == ([], 1)
    assert path.read_bytes() == before


def test_new_film_slugs(tmp_path):
    assert slugify("Eleni’s Letters") == "elenis-letters"
    assert slugify("Ça commence aujourd'hui") == "ca-commence-aujourdhui"
    assert slugify("Straße der Sehnsucht") == "strasse-der-sehnsucht"
    assert slugify("東京物語") == "film"
    content = festival_only(tmp_path)
    (content / "films").mkdir()
    sheet = write_csv(tmp_path / "f.csv", [
        FILM_HEADER,
        ["Hamlet", "Laurence Olivier", "UK", "1948", "155", "Galas"],
        ["Hamlet", "Kenneth Branagh", "UK", "1996", "242", "Galas"],
        ["東京物語", "Yasujirō Ozu", "Japan", "1953", "136", "Journey"],
        ["Ça commence aujourd'hui", "Bertrand Tavernier", "France", "1999", "117", "Love"],
    ])
    import_sheet(sheet, content)
    assert sorted(p.name for p in (content / "films").iterdir()) == [
        "ca-commence-aujourdhui.yaml", "film.yaml", "hamlet-1996.yaml", "hamlet.yaml"]
    assert run_cli("validate", content).returncode == 0


# ------------------------------------------------------------ problems at cells (point 2)
def test_every_problem_at_its_cell_nothing_written(project):
    before = snapshot(project / "content")
    sheet = write_csv(project / "films.csv", [
        FILM_HEADER + ["Original language"],
        ["Good Film", "Jane Doe", "France", "2012", "90", "Love", "fr"],
        ["Bad Runtime", "John Roe", "UK", "2012", "2h", "Galas", "en"],
        ["Bad Year", "A B", "UK", "twenty", "90", "Galas", "en"],
        ["Bad Strand", "A B", "UK", "2012", "90", "Comedy", "en"],
        ["", "No Title", "UK", "2012", "90", "Love", "en"],
        ["Bad Language", "A B", "UK", "2012", "90", "Love", "French"],
        ["Bad Name", "Doe, Jane, Smith;", "UK", "2012", "90", "Love", "en"],
        ["Control", "A\x07B", "UK", "2012", "90", "Love", "en"],
    ])
    result = cli("import", sheet, "content", cwd=project)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        'films.csv:E3: runtime: "2h" is not a whole number of minutes',
        'films.csv:D4: year: "twenty" is not a year (four digits such as 2012)',
        "films.csv:F5: section: unknown section 'Comedy' (known: Galas, Love, Thrill, "
        "Journey, gala, love, thrill, journey)",
        "films.csv:A6: title: a new film needs a title (or a slug)",
        'films.csv:G7: original_language: expected a language code such as fr or ru for the '
        'original title, got "French"',
        "films.csv:B8: credits.director[0]: 'Doe, Jane, Smith' has more than one comma: write "
        "one name as 'Family, Given' (or 'Given Family'); put each person in a list item of "
        "their own",
        "films.csv:B9: director: contains the control character U+0007; remove it",
        "7 problems found; nothing was written.",
    ]
    assert snapshot(project / "content") == before


def test_problems_name_the_sheet_and_cell_in_a_workbook(project):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["Nothing to import here"])
    films = workbook.create_sheet("Films")
    films.append(["Festival 2012: films"])  # a title row above the header
    films.append(FILM_HEADER)
    for n in range(10):
        films.append([f"Film {n}", "Jane Doe", "France", 2012, 90, "Love"])
    films.append(["Late Film", "Jane Doe", "France", 2012, "2h", "Love"])
    workbook.save(project / "films.xlsx")
    result = cli("import", "films.xlsx", "content", "--dry-run", cwd=project)
    assert result.exit_code == 1
    assert 'films.xlsx:Films!E13: runtime: "2h" is not a whole number of minutes' \
        in result.stderr.splitlines()
    assert "films.xlsx:Notes: warning: sheet skipped: no column names a field" in result.stderr
    result = cli("import", "films.xlsx", "content", "--sheet", "Notes", cwd=project)
    assert result.exit_code == 1
    assert "films.xlsx:Notes!A1: no column names a film field" in result.stderr
    result = cli("import", "films.xlsx", "content", "--sheet", "Programme", cwd=project)
    assert "films.xlsx: has no sheet named 'Programme' (its sheets: 'Notes', 'Films')" \
        in result.stderr


def test_screening_problems(project):
    sheet = write_csv(project / "s.csv", [
        ["Film", "Date", "Time", "Venue", "Sold out"],
        ["Rust and Bone", "14/10/2012", "6.30pm", "Odeon Quayside", "yes"],
        ["Rust and Bone", "Sun 14 Oct", "18:30", "ODN", "no"],
        ["Undertow", "2012-11-01", "18:00", "NFT1", "no"],
        ["Undertow", "15/10/2012", "25:00", "NFT1", "no"],
        ["Undertow", "15/10/2012", "20:00", "NFT9", "maybe"],
        ["No Such Film", "15/10/2012", "20:00", "NFT1", "no"],
        ["Cold Meridian", "Mon 14 Oct 2012", "20:00", "NFT1", "no"],
        ["Desert Star", "14/10/2012", "19:00", "ODN", "no"],
        ["Rust and Bon", "16/10/2012", "", "ODN", "no"],
    ])
    result = cli("import", sheet, "content", "--screenings", cwd=project)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "s.csv:C3: screening: the same screening (ODN 2012-10-14 18:30) as row 2",
        "s.csv:B4: date: 2012-11-01 is outside the festival (2012-10-10 to 2012-10-21)",
        's.csv:C5: time: "25:00" is not a time of day',
        's.csv:E6: sold_out: expected yes or no, got "maybe"',
        "s.csv:D6: venue: unknown venue 'NFT9' (did you mean 'NFT2'?)",
        "s.csv:A7: film: unknown film 'No Such Film': no film in the content folder has this "
        "title; import the films first",
        's.csv:B8: date: "Mon 14 Oct 2012": 14 October 2012 is a Sunday',
        "s.csv:C9: start: overlaps 'Rust and Bone' at ODN (14 Oct 18:30–20:30)",
        "s.csv:A10: film: unknown film 'Rust and Bon' (did you mean 'Rust and Bone'?)",
        "s.csv:C10: start: the screening has no time",
        "10 problems found; nothing was written.",
    ]


def test_required_columns_missing_reported_once(tmp_path):
    content = festival_only(tmp_path)
    sheet = write_csv(tmp_path / "f.csv", [["Title", "Year"]] + [
        [f"Film {n}", "2012"] for n in range(5)])
    with pytest.raises(ProgrammeError) as caught:
        import_sheet(sheet, content)
    shown = [str(p) for p in caught.value.problems]
    assert len(shown) == 4, shown
    assert all("new films need: 5 new films in the sheet" in s for s in shown)
    assert any(s.startswith("f.csv:A1: no column for runtime (Running time)") or
               "no column for runtime" in s for s in shown)


# ---------------------------------------------------------------- headers and cells (1)
@pytest.mark.parametrize("headers", [
    ["Title", "Director(s)", "Country", "Year", "Running time", "Section"],
    ["TITLE", "DIRECTORS", "COUNTRIES", "YEAR", "RUNTIME", "STRAND"],
    ["Film title", "Directed by", "Country of production", "Production year",
     "Running time (mins)", "Programme strand"],
    ["title", "réalisateur", "pays", "année", "durée", "sélection"],  # with --map
])
def test_header_spellings(tmp_path, headers):
    content = festival_only(tmp_path)
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns:\n  Réalisateur: director\n  PAYS: countries\n  Annee: year\n"
                       "  Durée: runtime\n  Sélection: section\n", encoding="utf-8")
    sheet = write_csv(tmp_path / "f.csv", [headers, ["Rust and Bone", "Jacques Audiard",
                                                     "France, Belgium", "2012", "120",
                                                     "Galas"]])
    import_sheet(sheet, content, mapping=mapping if "pays" in headers else None)
    film = load_content(content).programme.films[0]
    assert (film.title, film.credits.director, film.countries, film.year, film.runtime,
            film.section) == ("Rust and Bone", ["Jacques Audiard"], ["France", "Belgium"],
                              2012, 120, "gala")


def test_mapping_file_problems_at_their_lines(tmp_path):
    content = festival_only(tmp_path)
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns:\n  Titre: titel\n  Pays: countries\nlists:\n  title: ';'\n"
                       "dates: ymd\nextra: 1\n", encoding="utf-8")
    result = cli("import", EXAMPLES / "films.csv", content, "--map", "map.yaml", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:4] == [
        "map.yaml:2: columns.Titre: unknown field 'titel' (did you mean 'title'?)",
        "map.yaml:5: lists.title: 'title' is not a list field (list fields: cast, countries, "
        "director, producer, screenwriter)",
        'map.yaml:6: dates: expected dmy (14/10/2012, the default) or mdy (10/14/2012), got '
        '"ymd"',
        "map.yaml:7: extra: unknown field (expected one of: columns, lists, dates)"]


def test_list_separators(tmp_path):
    content = festival_only(tmp_path)
    mapping = tmp_path / "map.yaml"
    mapping.write_text("lists:\n  countries: ' / '\n  cast: newline\n", encoding="utf-8")
    sheet = write_csv(tmp_path / "f.csv", [
        FILM_HEADER + ["Cast", "Producer(s)"],
        ["A", "Audiard, Jacques", "France / Belgium", "2012", "90", "Love",
         "Sammy Davis, Jr.\nJane Doe", "Joel Coen, Ethan Coen, Sammy Davis, Jr."]])
    import_sheet(sheet, content, mapping=mapping)
    film = load_content(content).programme.films[0]
    assert film.countries == ["France", "Belgium"]
    assert film.credits.director == ["Jacques Audiard"]  # 'Family, Given': one name
    assert film.credits.cast == ["Sammy Davis, Jr.", "Jane Doe"]
    assert film.credits.producer == ["Joel Coen", "Ethan Coen", "Sammy Davis, Jr."]


def _settings(dates="dmy", epoch=dt.datetime(1899, 12, 30)):
    festival = load_content(EXAMPLE).programme.festival
    return Settings(festival, [], [], dates, {}, epoch)


@pytest.mark.parametrize("value, kind, expected", [
    # real dates and times (openpyxl gives them for date-formatted cells)
    (dt.datetime(2012, 10, 14), "date", (dt.date(2012, 10, 14), None)),
    (dt.datetime(2012, 10, 14, 18, 30), "start", (dt.date(2012, 10, 14), dt.time(18, 30))),
    (dt.datetime(2012, 10, 14, 18, 29, 59, 990000), "start",
     (dt.date(2012, 10, 14), dt.time(18, 30))),
    (dt.time(18, 30), "time", (None, dt.time(18, 30))),
    (dt.date(2012, 10, 14), "date", (dt.date(2012, 10, 14), None)),
    # serial numbers (a cell formatted as General, or a CSV saved from one)
    (41196, "date", (dt.date(2012, 10, 14), None)),
    (41196.0, "date", (dt.date(2012, 10, 14), None)),
    (41196.770833333, "start", (dt.date(2012, 10, 14), dt.time(18, 30))),
    ("41196", "date", (dt.date(2012, 10, 14), None)),
    (0.770833333, "time", (None, dt.time(18, 30))),
    (1830, "time", (None, dt.time(18, 30))),
    # text
    ("2012-10-14", "date", (dt.date(2012, 10, 14), None)),
    ("14/10/2012", "date", (dt.date(2012, 10, 14), None)),
    ("14.10.12", "date", (dt.date(2012, 10, 14), None)),
    ("14 October 2012", "date", (dt.date(2012, 10, 14), None)),
    ("Sun 14 Oct", "date", (dt.date(2012, 10, 14), None)),
    ("Sunday, 14th October", "date", (dt.date(2012, 10, 14), None)),
    ("October 14, 2012", "date", (dt.date(2012, 10, 14), None)),
    ("18:30", "time", (None, dt.time(18, 30))),
    ("6.30pm", "time", (None, dt.time(18, 30))),
    ("6:30 p.m.", "time", (None, dt.time(18, 30))),
    ("18h30", "time", (None, dt.time(18, 30))),
    ("12pm", "time", (None, dt.time(12, 0))),
    ("12am", "time", (None, dt.time(0, 0))),
    ("2012-10-14 18:30", "start", (dt.date(2012, 10, 14), dt.time(18, 30))),
    ("2012-10-14T18:30:00", "start", (dt.date(2012, 10, 14), dt.time(18, 30))),
    ("14/10/2012 6.30pm", "start", (dt.date(2012, 10, 14), dt.time(18, 30))),
    ("Sun 14 Oct 2012 at 18:30", "start", (dt.date(2012, 10, 14), dt.time(18, 30))),
])
def test_dates_and_times(value, kind, expected):
    assert date_and_time(value, kind, _settings()) == expected


def test_date_order_and_epochs():
    assert parse_date("10/14/2012", _settings()) == dt.date(2012, 10, 14)  # 14 > 12: clear
    assert parse_date("03/04/2012", _settings()) == dt.date(2012, 4, 3)
    assert parse_date("03/04/2012", _settings("mdy")) == dt.date(2012, 3, 4)
    # a workbook in the 1904 date system: serial 39734 is 2012-10-14
    assert date_and_time(39734, "date", _settings(epoch=dt.datetime(1904, 1, 1))) == \
        (dt.date(2012, 10, 14), None)


def test_xlsx_dates_times_and_serials(project):
    """Real date and time cells, serial numbers in General cells and text, in one workbook
    (and in the 1904 date system)."""
    for date1904, serial in ((False, 41196), (True, 39734)):
        rows = [[c("A1", "Film"), c("B1", "Date"), c("C1", "Time"), c("D1", "Venue"),
                 c("E1", "Sold out")],
                [c("A2", "Rust and Bone"), c("B2", serial, style=1), c("C2", 0.7708333333,
                                                                       style=2),
                 c("D2", "ODN"), c("E2", 1, kind="b")],
                [c("A3", "Rust and Bone"), c("B3", serial + 1), c("C3", "2:45 pm"),
                 c("D3", "Northbank Film Theatre 1"), c("E3", "no")],
                [c("A4", "Rust and Bone"), c("B4", "20/10/2012"), c("C4", 0.8645833333),
                 c("D4", "CUR"), c("E4", 0, kind="b")]]
        (project / "s.xlsx").write_bytes(xlsx({"Schedule": rows}, date1904=date1904))
        result = import_sheet(project / "s.xlsx", project / "content", screenings=True)
        assert (result.plans, result.unchanged) == ([], 1), [p.changes for p in result.plans]


def test_csv_delimiters_bom_and_encodings(tmp_path):
    content = festival_only(tmp_path)
    rows = [FILM_HEADER, ["Cœur", "Agnès Varda", "France", "2012", "90", "Love"]]
    for n, (delimiter, encoding) in enumerate([(",", "utf-8"), (";", "utf-8-sig"),
                                               ("\t", "utf-8"), ("|", "utf-8-sig")]):
        sheet = write_csv(tmp_path / f"f{n}.csv", rows, delimiter, encoding)
        result = import_sheet(sheet, content, dry_run=True)
        assert [p.data["title"] for p in result.plans] == ["Cœur"], delimiter
    latin = write_csv(tmp_path / "latin.csv", [FILM_HEADER, ["x", "y", "z", "1", "2", "3"],
                                                ["Cœur", "Agnès Varda", "France", "2012",
                                                 "90", "Love"]], encoding="cp1252")
    with pytest.raises(ProgrammeError) as caught:
        import_sheet(latin, content)
    assert str(caught.value).split("/")[-1].startswith(
        "latin.csv:3: the file is not UTF-8 text (byte 0x9C cannot be read: saved as "
        "Windows-1252, Latin-1 or Mac Roman?); save it as CSV UTF-8")
    utf16 = write_csv(tmp_path / "utf16.csv", rows, encoding="utf-16")
    with pytest.raises(ProgrammeError, match="is UTF-16 text"):
        import_sheet(utf16, content)


# ------------------------------------------------------------------ export (point 4)
def test_export_screenings_csv(tmp_path):
    export(EXAMPLE, screenings=tmp_path / "s.csv")
    data = (tmp_path / "s.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 31
    starts = [r["Start"] for r in rows]
    assert starts == sorted(starts)
    row = next(r for r in rows if r["Slug"] == "rust-and-bone" and r["Venue"] == "ODN")
    assert row == {
        "Screening ID": "rust-and-bone-20121014-1830-odn", "Film": "Rust and Bone",
        "Original title": "De rouille et d’os", "Slug": "rust-and-bone", "Section": "Galas",
        "Venue": "ODN", "Venue name": "Odeon Quayside", "Start": "2012-10-14T18:30:00",
        "End": "2012-10-14T20:30:00", "Running time": "120", "Certificate": "15",
        "Sold out": "yes", "Subtitled": "no", "Audio described": "no",
        "Note": "Introduced by Jacques Audiard"}


def test_export_screenings_xlsx(tmp_path):
    from openpyxl import load_workbook

    export(EXAMPLE, screenings=tmp_path / "s.xlsx")
    workbook = load_workbook(tmp_path / "s.xlsx")
    sheet = workbook["Screenings"]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.max_row == 32
    headers = [cell.value for cell in sheet[1]]
    start, end = sheet.cell(2, headers.index("Start") + 1), sheet.cell(2, headers.index("End") + 1)
    assert start.is_date and isinstance(start.value, dt.datetime)
    assert start.value == dt.datetime(2012, 10, 10, 19, 0)
    assert end.value == dt.datetime(2012, 10, 10, 21, 8)  # + 128 minutes
    assert sheet.cell(2, headers.index("Sold out") + 1).value is True


def test_export_refuses_invalid_content_and_bad_names(project):
    result = cli("export", "content", cwd=project)
    assert result.exit_code == 1 and "say what to export" in result.stderr
    result = cli("export", "content", "--screenings", "s.pdf", cwd=project)
    assert result.exit_code == 1 and "must end in .csv or .xlsx" in result.stderr
    path = project / "content/films/rust-and-bone.yaml"
    path.write_text(path.read_text().replace("runtime: 120", "runtime: 2h"))
    result = cli("export", "content", "--screenings", "s.csv", cwd=project)
    assert result.exit_code == 1 and "runtime" in result.stderr
    assert not (project / "s.csv").exists()


# ------------------------------------------------------------------ hostile (point 6)
FORMULAS = ["=cmd|' /C calc'!A0", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+9)*cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example","Click")',
            "\t=1+1", "\r=1+1", "'=already quoted"]


@pytest.mark.parametrize("text", FORMULAS)
def test_csv_injection_escaped(text):
    escaped = escape_csv(text)
    assert escaped == "'" + text
    assert not escaped.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert escape_csv("Rust and Bone") == "Rust and Bone"


def test_exported_formula_like_text_is_escaped_and_comes_back(project):
    """Text from content that a spreadsheet would run: apostrophe first in a CSV, a text
    cell (never a formula) in an XLSX; imported again, the text as it was."""
    path = project / "content/films/rust-and-bone.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("note: Introduced by Jacques Audiard",
                        "note: \"=HYPERLINK(\\\"http://evil.example\\\",\\\"Click\\\")\"")
    text = text.replace("tagline: >-", "tagline: \"-2+3+cmd|' /C calc'!A0\"\nold_tagline: >-", 1)
    text = text.replace("old_tagline: >-\n  The latest film from Jacques Audiard (A Prophet) is "
                        "a moving and poetic love story\n  featuring great performances from "
                        "Marion Cotillard and Matthias Schoenaerts.\n", "")
    path.write_text(text, encoding="utf-8")
    assert run_cli("validate", "content", cwd=project).returncode == 0
    export(project / "content", screenings=project / "s.csv", films=project / "f.csv")
    export(project / "content", screenings=project / "s.xlsx", films=project / "f.xlsx")
    raw = (project / "s.csv").read_text(encoding="utf-8-sig")
    assert "\"'=HYPERLINK(“http://evil.example”," in raw  # (typography applied)
    for name in ("s.csv", "f.csv"):
        cells = [cell for row in csv.reader(io.StringIO(
            (project / name).read_text(encoding="utf-8-sig"))) for cell in row]
        assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert "'-2+3+cmd|' /C calc'!A0" in (project / "f.csv").read_text(encoding="utf-8-sig")
    with zipfile.ZipFile(project / "s.xlsx") as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    from openpyxl import load_workbook

    cell = next(c for row in load_workbook(project / "s.xlsx")["Screenings"].iter_rows()
                for c in row if isinstance(c.value, str) and c.value.startswith("=HYPER"))
    assert cell.data_type == "s" and cell.quotePrefix
    before = snapshot(project / "content")
    for suffix in (".csv", ".xlsx"):
        assert import_sheet(project / f"f{suffix}", project / "content").plans == []
        assert import_sheet(project / f"s{suffix}", project / "content",
                            screenings=True).plans == []
    assert snapshot(project / "content") == before


def test_formulas_read_as_saved_values_never_run(project):
    rows = [[c("A1", "Film"), c("B1", "Date"), c("C1", "Time"), c("D1", "Venue"),
             c("E1", "Note"), c("F1", "Certificate")],
            [c("A2", "Rust and Bone", formula='HYPERLINK("http://evil.example","Rust and Bone")'),
             c("B2", "14/10/2012"), c("C2", "18:30"), c("D2", "ODN"),
             c("E2", "=cmd|' /C calc'!A0"),  # text that looks like a formula: text
             c("F2", "15", formula="cmd|' /C calc'!A0")]]  # a DDE formula: its saved value
    (project / "s.xlsx").write_bytes(xlsx({"S": rows}))
    table, = sheets.read_tables(project / "s.xlsx", "s.xlsx")
    assert table.rows[1] == (2, {1: "Rust and Bone", 2: "14/10/2012", 3: "18:30", 4: "ODN",
                                 5: "=cmd|' /C calc'!A0", 6: "15"})
    assert table.problems == []


def test_formula_without_saved_value_and_error_cells_refused(project):
    rows = [[c("A1", "Film"), c("B1", "Date"), c("C1", "Time"), c("D1", "Venue")],
            [c("A2", "Rust and Bone"), c("B2", None, formula="TODAY()+1"), c("C2", "18:30"),
             c("D2", "#REF!", kind="e")]]
    (project / "s.xlsx").write_bytes(xlsx({"S": rows}))
    result = cli("import", "s.xlsx", "content", "--screenings", cwd=project)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        "s.xlsx:S!B2: is a formula without a saved value (=TODAY()+1); programme never runs "
        "formulas: open the sheet in a spreadsheet program and save it (saving stores each "
        "formula's value), or type the value",
        "s.xlsx:S!D2: the cell shows the spreadsheet error #REF!; correct it or type the value"]


HEADER_CELLS = [c("A1", "Title"), c("B1", "Year")]


@pytest.mark.parametrize("name, data, message", [
    ("rows.xlsx", lambda: xlsx({"S": [HEADER_CELLS]}, dimension="A1:B1048576"),
     "rows.xlsx:S: the sheet's range is A1:B1048576 (1,048,576 rows × 2 columns); programme "
     "reads at most 50,000 rows and 500 columns"),
    ("columns.xlsx", lambda: xlsx({"S": [HEADER_CELLS]}, dimension="A1:XFD1"),
     "columns.xlsx:S: the sheet's range is A1:XFD1 (1 row × 16,384 columns)"),
    ("far-row.xlsx", lambda: xlsx({"S": f'<row r="1">{"".join(HEADER_CELLS)}</row><row '
                                        'r="1048576"><c r="A1048576"><v>1</v></c></row>'}),
     "far-row.xlsx:S: the sheet has more than 50,000 rows"),
    ("far-column.xlsx", lambda: xlsx({"S": f'<row r="1">{"".join(HEADER_CELLS)}'
                                           '<c r="XFD1"><v>1</v></c></row>'}),
     "far-column.xlsx:S!XFD1: the sheet has a cell in column XFD (column 16,384)"),
    ("doctype.xlsx", lambda: xlsx({"S": [HEADER_CELLS]}, replace={
        "xl/worksheets/sheet1.xml": '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaa">]>'
                                    f'<worksheet xmlns="{MAIN}"><sheetData/></worksheet>'}),
     "doctype.xlsx: its part xl/worksheets/sheet1.xml declares a document type or entities"),
    ("old.xlsx", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100),
     "old.xlsx: is an old-style Excel file (.xls)"),
    ("text.xlsx", lambda: b"Title,Year\n", "text.xlsx: is not an .xlsx workbook"),
    ("broken.xlsx", lambda: b"PK\x03\x04" + bytes(100), "broken.xlsx: is not a readable "
                                                         ".xlsx workbook"),
])
def test_hostile_workbooks_refused_clearly(tmp_path, name, data, message):
    (tmp_path / name).write_bytes(data())
    started = time.monotonic()
    with pytest.raises(ProgrammeError) as caught:
        sheets.read_tables(tmp_path / name, name)
    assert time.monotonic() - started < 30  # a bound against hanging, not a speed target
    assert str(caught.value).startswith(message), str(caught.value)


def _bomb(path: Path, megabytes: int) -> None:
    """An .xlsx whose sheet unpacks to ``megabytes`` MB of spaces (about 1 KB a MB packed),
    written in chunks."""
    source = zipfile.ZipFile(io.BytesIO(xlsx({"S": [HEADER_CELLS]})))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(info.filename, source.read(info.filename))
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(f'<worksheet xmlns="{MAIN}"><sheetData>'.encode())
            chunk = b" " * (1 << 20)
            for _ in range(megabytes):
                part.write(chunk)
            part.write(b"</sheetData></worksheet>")


def test_zip_bomb_refused_before_unpacking(tmp_path, monkeypatch):
    _bomb(tmp_path / "bomb.xlsx", 40)  # over the 32 MB a part may unpack to
    assert (tmp_path / "bomb.xlsx").stat().st_size < 200_000
    opened = zipfile.ZipFile.open

    def never_the_sheet(self, name, *args, **kwargs):
        assert "sheet1.xml" not in str(getattr(name, "filename", name)), "unpacked the bomb"
        return opened(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", never_the_sheet)
    started = time.monotonic()
    with pytest.raises(ProgrammeError, match=r"bomb.xlsx: its part xl/worksheets/sheet1.xml "
                                             r"unpacks to 41,943,\d+ bytes \(from [\d,]+ bytes "
                                             r"packed\); programme reads parts of at most "
                                             r"32,000,000 bytes"):
        sheets.read_tables(tmp_path / "bomb.xlsx", "bomb.xlsx")
    assert time.monotonic() - started < 30  # a bound against hanging


def test_refusals_through_the_command_line(project):
    (project / "films.ods").write_bytes(b"PK\x03\x04mimetypeapplication/vnd.oasis.opendocument"
                                        b".spreadsheet")
    result = cli("import", "films.ods", "content", cwd=project)
    assert result.exit_code == 1
    assert "films.ods: is an OpenDocument spreadsheet (.ods); save it as .xlsx" in result.stderr
    result = cli("import", "missing.csv", "content", cwd=project)
    assert result.exit_code == 1 and "missing.csv: cannot read file" in result.stderr
    (project / "films.csv").write_text("Title\n")
    result = cli("import", "films.csv", "content", "--sheet", "Films", cwd=project)
    assert "--sheet names a sheet of an .xlsx workbook" in result.stderr
    assert "Traceback" not in result.output


def test_sheet_text_does_not_drive_the_terminal(project):
    sheet = write_csv(project / "f.csv", [FILM_HEADER, ["\x1b[2JEvil", "A B", "UK", "2012",
                                                        "90", "Love"]])
    result = cli("import", sheet, "content", "--dry-run", cwd=project)
    assert "\x1b" not in result.output
    assert "control character U+001B" in result.stderr


# ------------------------------------------------------------------------------- slow
# The peak resident memory of this process's own address space (VmHWM). Not ru_maxrss: on
# Linux that keeps the high-water mark of the process it was forked from (here pytest,
# hundreds of MB into a full run) across exec.
_PEAK_KB = ("def peak_kb():\n    for line in open('/proc/self/status'):\n"
            "        if line.startswith('VmHWM:'):\n            return int(line.split()[1])\n")


@pytest.mark.slow
def test_huge_sheets_refused_in_bounded_memory(tmp_path):
    """A real zip bomb (1 GB unpacked) and a sheet with a million rows: refused, in a
    separate process whose peak memory is measured."""
    _bomb(tmp_path / "bomb.xlsx", 1024)
    rows = (f'<row r="1">{"".join(HEADER_CELLS)}</row>' + "".join(
        f'<row r="{i}"><c r="A{i}"><v>1</v></c></row>' for i in range(2, 400_001)))
    (tmp_path / "rows.xlsx").write_bytes(xlsx({"S": rows}))  # 20 MB of rows: under the limit
    for name, message in (("bomb.xlsx", "programme unpacks at most 128,000,000 bytes"),
                          ("rows.xlsx", "the sheet has more than 50,000 rows")):
        code = ("import resource, sys\nfrom pathlib import Path\n"
                "from programme.sheets import read_tables\nfrom programme.problems import "
                "ProgrammeError\ntry:\n    read_tables(Path(sys.argv[1]), sys.argv[1])\n"
                "except ProgrammeError as e:\n    print(e)\n"
                + _PEAK_KB + "print(peak_kb())\n")
        # a generous bound against hanging, not a speed target (those live in bench/)
        done = subprocess.run([sys.executable, "-c", code, str(tmp_path / name)],
                              capture_output=True, text=True, cwd=REPO, timeout=300)
        message_line, peak_kb = done.stdout.strip().rsplit("\n", 1)
        assert message in message_line, done.stdout + done.stderr
        assert int(peak_kb) < 400_000, peak_kb  # KB


@pytest.mark.slow
def test_two_thousand_films_import_in_under_ten_seconds(tmp_path):
    """A generated 2 000-film festival exported as sheets (reviews, statements and all),
    imported into an empty folder through the real command line: films under 10 s, with
    the peak memory of the process printed; then the schedule, then nothing to change."""
    sys.path.insert(0, str(REPO))
    from bench.generate_festival import generate

    source = generate(tmp_path / "src" / "content", films=2000, sections=12, seed=1)
    export(source, films=tmp_path / "films.xlsx", screenings=tmp_path / "screenings.csv")
    content = festival_only(tmp_path / "dst")
    for name in ("festival.yaml", "venues.yaml", "sections.yaml"):
        shutil.copy(Path(source) / name, content / name)
    figures = {}
    runs = {"films": ["films.xlsx"], "screenings": ["screenings.csv", "--screenings"],
            "films again": ["films.xlsx"]}
    for label, args in runs.items():
        code = (_PEAK_KB + "import resource, sys, time\nfrom programme.cli import main\n"
                "t = time.monotonic()\ntry:\n    main(sys.argv[1:])\nexcept SystemExit as e:\n"
                "    code = e.code\nprint(json.dumps({'seconds': time.monotonic() - t, "
                "'rss_mb': peak_kb() / 1024, "
                "'code': code}))\n").replace("import resource", "import json, resource")
        done = subprocess.run([sys.executable, "-c", code, "import",
                               str(tmp_path / args[0]), str(content), *args[1:]],
                              capture_output=True, text=True, cwd=REPO)
        figures[label] = json.loads(done.stdout.strip().rsplit("\n", 1)[1])
        assert figures[label]["code"] in (0, None), done.stderr[-2000:]
        assert "2000 unchanged" in done.stdout or label != "films again", done.stdout[-500:]
    print(figures)  # the time is reported, not asserted: speed targets live in bench/
    assert figures["films"]["rss_mb"] < 500
    assert len(list((content / "films").glob("*.yaml"))) == 2000
    assert run_cli("validate", content).returncode == 0


@pytest.mark.slow
def test_round_trip_builds_the_same_brochure_text(tmp_path):
    """The example exported and imported into a folder without films builds the brochure
    with the same text as the example does without what a sheet cannot hold (stills and
    filmographies, which the imported films do not have)."""
    original = tmp_path / "original"
    shutil.copytree(EXAMPLE, original / "content")
    for path in (original / "content" / "films").glob("*.yaml"):
        from programme.yamlwrite import read_text

        data, _ = read_text(path.read_text(encoding="utf-8"))
        if not ("stills" in data or "filmography" in data):
            continue
        from ruamel.yaml import YAML

        yaml = YAML()
        doc = yaml.load(path.read_text(encoding="utf-8"))
        doc.pop("stills", None)
        doc.pop("filmography", None)
        with path.open("w", encoding="utf-8") as handle:
            yaml.dump(doc, handle)
    export(EXAMPLE, films=tmp_path / "films.xlsx", screenings=tmp_path / "screenings.xlsx")
    imported = tmp_path / "imported"
    content = festival_only(imported)
    assert run_cli("import", tmp_path / "films.xlsx", content).returncode == 0
    assert run_cli("import", tmp_path / "screenings.xlsx", content,
                   "--screenings").returncode == 0
    texts = []
    for project in (original, imported):
        out = project / "brochure.pdf"
        result = run_cli("build", project / "content", "-o", out, "--no-cache")
        assert result.returncode == 0, result.stderr
        text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                              text=True, check=True).stdout
        texts.append(text)
    assert texts[0] == texts[1]


def test_files_laid_out_otherwise_keep_their_layout(project):
    """A file saved with Windows line ends keeps them, a flow mapping stays one, a tab
    after a colon is no obstacle; only the changed lines change."""
    films = project / "content" / "films"
    rust = films / "rust-and-bone.yaml"
    rust.write_bytes(rust.read_text(encoding="utf-8").replace(
        "distributor:\n  label: UK distribution\n  name: STUDIOCANAL\n",
        "distributor: {label: UK distribution, name: STUDIOCANAL}  # flow\n")
        .replace("\n", "\r\n").encode("utf-8"))
    undertow = films / "undertow.yaml"
    undertow.write_text(undertow.read_text(encoding="utf-8").replace("runtime: 99",
                                                                     "runtime:\t99"))
    before = {p: p.read_bytes().splitlines(keepends=True) for p in (rust, undertow)}
    sheet = write_csv(project / "f.csv", [["Title", "Distributor", "Running time"],
                                          ["Rust and Bone", "Studio Canal", "121"],
                                          ["Undertow", "", "100"]])
    import_sheet(sheet, project / "content")
    changed = {p.name: [(a, b) for a, b in zip(before[p], p.read_bytes().splitlines(
        keepends=True)) if a != b] for p in (rust, undertow)}
    assert changed == {
        "rust-and-bone.yaml": [
            (b"runtime: 120\r\n", b"runtime: 121\r\n"),
            (b"distributor: {label: UK distribution, name: STUDIOCANAL}  # flow\r\n",
             b"distributor: {label: UK distribution, name: Studio Canal}\r\n")],
        "undertow.yaml": [(b"runtime:\t99\n", b"runtime: 100\n")]}
    assert run_cli("validate", "content", cwd=project).returncode == 0


def test_a_broken_film_file_stops_the_import(project):
    path = project / "content/films/undertow.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("year: 2012", "year: [2012"))
    sheet = write_csv(project / "f.csv", [["Title", "Running time"], ["Rust and Bone", "121"]])
    result = cli("import", sheet, "content", cwd=project)
    assert result.exit_code == 1
    assert result.stderr.startswith("content/films/undertow.yaml:")
    assert "YAML syntax error" in result.stderr


def test_zip_that_lies_about_its_sizes_refused(tmp_path):
    """A sheet part that says it unpacks to 2,000 bytes but holds 50 MB: Python's zip
    reader gives no more than the size declared, and the damage is reported."""
    import struct

    source = zipfile.ZipFile(io.BytesIO(xlsx({"S": [HEADER_CELLS]})))
    out = io.BytesIO()
    head, tail = f'<worksheet xmlns="{MAIN}"><sheetData>'.encode(), b"</sheetData></worksheet>"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(info.filename, source.read(info.filename))
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            part.write(head)
            for _ in range(50):
                part.write(b" " * (1 << 20))
            part.write(tail)
    data = bytearray(out.getvalue())
    real = struct.pack("<I", (50 << 20) + len(head) + len(tail))
    assert data.count(real) == 2  # the local header and the central directory
    data = bytearray(bytes(data).replace(real, struct.pack("<I", 2000)))
    (tmp_path / "liar.xlsx").write_bytes(bytes(data))
    started = time.monotonic()
    with pytest.raises(ProgrammeError, match="liar.xlsx: is damaged: its part xl/worksheets/"
                                             "sheet1.xml cannot be unpacked"):
        sheets.read_tables(tmp_path / "liar.xlsx", "liar.xlsx")
    assert time.monotonic() - started < 30  # a bound against hanging
