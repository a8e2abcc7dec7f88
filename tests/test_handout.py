"""Box-office handouts (`programme handout`), read back from the PDFs.

Font sizes are measured from the page content streams (pikepdf): the size given to ``Tf``
scaled by the text matrix and the current transformation matrix, for every operator that
shows text, with poppler's word boxes (``pdftotext -bbox``) as a cross-check. Reading
order is checked on the PDF's structure tree as poppler reports it (``pdfinfo
-struct-text``): that is what a screen reader follows.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
import re
from pathlib import Path

import pikepdf
import pytest

from programme import handout as ho
from programme.loader import load_content
from programme.markup import plain

from .conftest import EXAMPLE, run_cli
from .pdfcheck import MM, boxes, flat, fonts, page_texts, run

A4 = (595.276, 841.890)
LETTER = (612.0, 792.0)
SEED_DAY = dt.date(2012, 10, 14)


@pytest.fixture(scope="module")
def programme():
    return load_content(EXAMPLE).programme


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("handouts")


def build(out: Path, name: str, *options) -> Path:
    """A handout built through the real command line."""
    pdf = out / f"{name}.pdf"
    if not pdf.exists():
        result = run_cli("handout", EXAMPLE, "-o", pdf, *options)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    return pdf


# --------------------------------------------------------------------------- readers
def _mul(m, n):
    """m then n, for PDF's row-vector matrices (a b c d e f)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)


IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _nums(operands):
    return tuple(float(x) for x in operands)


def _text_sizes(stream_owner, resources, ctm, page_number, found):
    state = {"ctm": ctm, "size": 0.0, "leading": 0.0}
    stack = []
    tm = tlm = IDENTITY
    for operands, operator in pikepdf.parse_content_stream(stream_owner):
        op = str(operator)
        if op == "q":
            stack.append(dict(state))
        elif op == "Q":
            state = stack.pop()
        elif op == "cm":
            state["ctm"] = _mul(_nums(operands), state["ctm"])
        elif op == "BT":
            tm = tlm = IDENTITY
        elif op == "Tm":
            tm = tlm = _nums(operands)
        elif op in ("Td", "TD"):
            tx, ty = _nums(operands)
            if op == "TD":
                state["leading"] = -ty
            tm = tlm = _mul((1, 0, 0, 1, tx, ty), tlm)
        elif op == "T*":
            tm = tlm = _mul((1, 0, 0, 1, 0, -state["leading"]), tlm)
        elif op == "TL":
            state["leading"] = float(operands[0])
        elif op == "Tf":
            state["size"] = float(operands[1])
        elif op in ("Tj", "TJ", "'", '"'):
            m = _mul(tm, state["ctm"])
            scale = math.hypot(m[2], m[3])  # length of the text space's y unit on the page
            strings = operands[-1] if op == "TJ" else [operands[-1]]
            chars = sum(len(bytes(s)) for s in strings if isinstance(s, pikepdf.String))
            found.append((page_number, round(state["size"] * scale, 2), chars))
        elif op == "Do":
            xobject = resources.XObject[operands[0]]
            if xobject.get("/Subtype") == "/Form":
                matrix = _nums(xobject.get("/Matrix", IDENTITY))
                _text_sizes(xobject, xobject.get("/Resources", resources),
                            _mul(matrix, state["ctm"]), page_number, found)


def text_sizes(pdf: Path) -> list[tuple[int, float, int]]:
    """(page, size in points, bytes of text) for every text-showing operator."""
    found: list[tuple[int, float, int]] = []
    with pikepdf.open(pdf) as doc:
        for number, page in enumerate(doc.pages, 1):
            _text_sizes(page, page.Resources, IDENTITY, number, found)
    return found


def word_boxes(pdf: Path) -> list[dict]:
    """poppler's words with their boxes (points, from the top left) and page sizes."""
    xml = run("pdftotext", "-bbox", str(pdf), "-")
    words, page = [], None
    for line in xml.splitlines():
        m = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', line)
        if m:
            page = (float(m.group(1)), float(m.group(2)))
            continue
        m = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line)
        if m:
            x0, y0, x1, y1 = map(float, m.groups()[:4])
            words.append({"page": page, "x0": x0, "y0": y0, "x1": x1, "y1": y1, "text": m.group(5)})
    return words


def structure(pdf: Path) -> dict:
    """The structure tree (``pdfinfo -struct-text``) as nested dicts: type, kids, text."""
    lines = run("pdfinfo", "-struct-text", str(pdf)).splitlines()
    root = {"type": "root", "kids": [], "text": []}
    stack = [(-1, root)]
    for line in lines:
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        item = line.strip()
        while stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1]
        if item.startswith('"') and item.endswith('"'):
            parent["text"].append(item[1:-1])
        elif item.startswith("/"):
            continue  # attributes, such as /Headers
        else:
            node = {"type": re.split(r"[\s:<]", item, maxsplit=1)[0], "kids": [], "text": []}
            parent["kids"].append(node)
            stack.append((indent, node))
    return root


def all_text(node) -> str:
    return flat(" ".join(node["text"] + [all_text(k) for k in node["kids"]]))


def find(node, kind: str) -> list[dict]:
    found = [node] if node["type"] == kind else []
    for kid in node["kids"]:
        found += find(kid, kind)
    return found


def table_rows(pdf: Path) -> list[list[list[str]]]:
    """The body rows of every table, as the cells' text, table by table."""
    return [[[all_text(cell) for cell in row["kids"] if cell["type"] == "TD"]
             for body in find(table, "TBody") for row in find(body, "TR")]
            for table in find(structure(pdf), "Table")]


def expected_day(programme, day: dt.date, venue: str | None = None) -> list[tuple]:
    """(start, end, title, venue code, sold out) of the day's screenings, from the content."""
    rows = []
    for film in programme.films:
        for s in film.screenings:
            if s.start.date() == day and (venue is None or s.venue == venue):
                end = s.start + dt.timedelta(minutes=film.runtime)
                rows.append((s.start, f"{s.start:%H:%M}", f"{end:%H:%M}", plain(film.title),
                             s.venue, s.sold_out))
    return [r[1:] for r in sorted(rows)]


def colours(pdf: Path) -> set[tuple[float, ...]]:
    """Every fill and stroke colour set in the content streams."""
    found = set()
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) in ("rg", "RG", "k", "K", "sc", "SC", "scn", "SCN", "g", "G"):
                    numbers = [float(x) for x in operands if isinstance(x, (int, float, Decimal))]
                    found.add((str(operator),) + tuple(numbers))
    return found


# --------------------------------------------------------------------------- day sheets
@pytest.mark.slow
def test_day_sheet_lists_exactly_that_days_screenings_in_time_order(out, programme):
    pdf = build(out, "day", "--day", "2012-10-14")
    expected = expected_day(programme, SEED_DAY)
    assert len(expected) >= 3
    # The structure tree (what a screen reader reads): one row per screening, in order.
    [rows] = table_rows(pdf)
    assert [(r[0], r[1]) for r in rows] == [(start, end) for start, end, *_ in expected]
    for row, (start, end, title, venue, sold_out) in zip(rows, expected):
        assert row[2].startswith(title), row
        assert f"({venue})" in row[3], row
        assert row[-1] == ("Sold out" if sold_out else "Available"), row
    # The printed page: each row's start, end and title on one line, nothing else timed.
    text = page_texts(pdf)
    assert len(text) == 1
    printed = re.findall(r"^\s*(\d\d:\d\d)\s+(\d\d:\d\d)\s+(\S.*?)(?:\s{2,}|$)",
                         run("pdftotext", "-layout", str(pdf), "-"), re.M)
    assert [(s, e) for s, e, _ in printed] == [(s, e) for s, e, *_ in expected]
    assert [t for _, _, t in printed] == [title for _, _, title, *_ in expected]
    # No film screened on another day only is on the sheet.
    on_day = {title for _, _, title, _, _ in expected}
    for film in programme.films:
        title = plain(film.title)
        assert (title in flat(text[0])) == (title in on_day), title


def test_seed_screening_row_exactly(out):
    """Rust and Bone, 14 October: 18:30 at ODN, 120 minutes, so it ends at 20:30; sold out."""
    pdf = build(out, "day", "--day", "2012-10-14")
    [rows] = table_rows(pdf)
    [row] = [r for r in rows if r[2].startswith("Rust and Bone")]
    assert row == ["18:30", "20:30", "Rust and Bone De rouille et d’os Introduced by Jacques Audiard",
                   "Odeon Quayside (ODN)", "120 mins", "15", "–", "Sold out"]


def test_day_sheet_has_box_office_notes_venues_and_counts(out, programme):
    pdf = build(out, "day", "--day", "2012-10-14")
    text = flat(page_texts(pdf)[0])
    festival = programme.festival
    assert "Sunday 14 October 2012" in text
    assert "All venues: 3 screenings, 1 sold out" in text
    assert flat(festival.box_office) in text
    for note in festival.box_office_notes:
        assert flat(note) in text
    for venue in programme.venues:
        if venue.code in ("NFT1", "ODN", "CUR"):
            assert f"{venue.name} ({venue.code})" in text
            assert flat(venue.accessibility) in text
    assert "Northbank Film Theatre 2" not in text  # no screening there that day


def test_end_time_past_midnight_says_next_day(project):
    film = project / "content" / "films" / "rust-and-bone.yaml"
    film.write_text(film.read_text(encoding="utf-8").replace(
        "start: 2012-10-14 18:30", "start: 2012-10-14 23:15"), encoding="utf-8")
    pdf = project / "late.pdf"
    result = run_cli("handout", "content", "--day", "2012-10-14", "-o", pdf, cwd=project)
    assert result.returncode == 0, result.stderr
    [rows] = table_rows(pdf)
    assert rows[-1][:3] == ["23:15", "01:15 next day", "Rust and Bone De rouille et d’os "
                                                       "Introduced by Jacques Audiard"]


def test_one_venue_only(out, programme):
    pdf = build(out, "venue", "--day", "2012-10-14", "--venue", "odn")  # codes in any case
    [rows] = table_rows(pdf)
    expected = expected_day(programme, SEED_DAY, "ODN")
    assert [(r[0], r[1]) for r in rows] == [(s, e) for s, e, *_ in expected]
    text = flat(page_texts(pdf)[0])
    assert "Odeon Quayside (ODN): 1 screening, 1 sold out" in text
    assert "12 Quayside Street" in text and "Curzon" not in text and "Cold Meridian" not in text


@pytest.mark.slow
def test_several_days_one_pdf_page_break_between_days_in_date_order(out, programme):
    pdf = build(out, "days", "--day", "2012-10-15", "--day", "2012-10-14", "--day", "2012-10-15")
    texts = page_texts(pdf)
    assert len(texts) == 2
    assert "Sunday 14 October 2012" in texts[0] and "Monday 15 October 2012" not in texts[0]
    assert "Monday 15 October 2012" in texts[1]
    first, second = table_rows(pdf)
    assert [r[0] for r in first] == [s for s, *_ in expected_day(programme, SEED_DAY)]
    assert [r[0] for r in second] == [s for s, *_ in expected_day(programme, dt.date(2012, 10, 15))]


@pytest.mark.slow
def test_default_is_every_festival_day_with_screenings(out, programme):
    pdf = build(out, "all-days")
    days = sorted({s.start.date() for f in programme.films for s in f.screenings})
    tables = table_rows(pdf)
    assert len(tables) == len(days)
    for day, rows in zip(days, tables):
        assert [tuple(r[:2]) for r in rows] == [(s, e) for s, e, *_ in expected_day(programme, day)]
    starts = [i for i, t in enumerate(page_texts(pdf))
              if re.match(r"Northbank Film Festival 2012 · 56th edition \w+day \d+ October", flat(t))]
    assert len(starts) == len(days)


# --------------------------------------------------------------------------- film sheets
@pytest.mark.slow
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_every_film_sheet_fits_one_page(out, programme, paper):
    slugs = [f.slug for f in programme.films]
    args = [a for slug in slugs for a in ("--film", slug)]
    pdf = build(out, f"films-{paper}", "--paper", paper, *args)
    texts = page_texts(pdf)
    assert len(texts) == len(slugs)
    for film, text in zip(programme.films, texts):
        assert flat(plain(film.title)) in flat(text)
        assert f"Director {', '.join(film.credits.director)}" in flat(text)


@pytest.mark.slow
def test_film_sheet_of_the_seed_film(out, programme):
    pdf = build(out, "film", "--film", "rust-and-bone")
    [text] = page_texts(pdf)
    text = flat(text)
    for line in ["Rust and Bone", "De rouille et d’os", "France-Belgium 2012 · 120 mins",
                 "Director Jacques Audiard", "Screenwriter Jacques Audiard, Thomas Bidegain",
                 "Producer Jacques Audiard, Martine Cassinelli, Pascal Caucheteux",
                 "With Marion Cotillard, Matthias Schoenaerts, Armand Verdure",
                 "From the review by Jonathan Romney"]:
        assert line in text, line
    # the synopsis: the review's opening sentences, whole, then an ellipsis
    film = next(f for f in programme.films if f.slug == "rust-and-bone")
    shortened, cut = ho.shorten(film.review.text, 100)
    assert cut and shortened.endswith("who trains killer whales in the local aqua park. …")
    squeeze = lambda t: re.sub(r"[\s-]", "", t)  # pdftotext joins words hyphenated at line ends
    assert squeeze(plain(shortened)) in squeeze(text)
    assert "intensely moving" not in text  # the end of the review is left out
    # all its screenings, in order, with end times
    [rows] = table_rows(pdf)
    assert rows == [
        ["Sun 14 Oct", "18:30", "20:30", "Odeon Quayside (ODN)", "15", "Introduced by Jacques Audiard",
         "Sold out"],
        ["Mon 15 Oct", "14:45", "16:45", "Northbank Film Theatre 1 (NFT1)", "15", "English subtitles",
         "Available"],
        ["Sat 20 Oct", "20:45", "22:45", "Curzon Marchmont (CUR)", "15",
         "English subtitles, Audio description", "Available"],
    ]


@pytest.mark.slow
def test_film_without_screenings_or_review(out):
    pdf = build(out, "no-screenings", "--film", "the-road-east", "--film", "where-the-horses-run")
    texts = [flat(t) for t in page_texts(pdf)]
    assert len(texts) == 2
    assert "No screenings yet: dates to be announced." in texts[0]
    # no review: the tagline stands in, whole
    assert "A year with a family of herders on the Mongolian steppe" in texts[1]


# --------------------------------------------------------------------------- large print
@pytest.fixture(scope="module")
def large(out, programme) -> list[Path]:
    films = [a for f in programme.films for a in ("--film", f.slug)]
    return [build(out, "large-days", "--large-print"),
            build(out, "large-films", "--large-print", "--paper", "letter", *films),
            build(out, "large-venue", "--large-print", "--day", "2012-10-14", "--venue", "ODN")]


@pytest.mark.slow
def test_large_print_has_no_text_under_16pt(large):
    for pdf in large:
        sizes = text_sizes(pdf)
        assert sizes
        small = [s for s in sizes if s[1] < 16]
        assert not small, (pdf.name, small[:5])
        # the body text (most of the characters) is 18 pt or more
        by_size: dict[float, int] = {}
        for _, size, chars in sizes:
            by_size[size] = by_size.get(size, 0) + chars
        assert max(by_size, key=by_size.get) >= 18, (pdf.name, by_size)
        # cross-check with poppler: a word's box is (ascent - descent) x size, over 1.3 em
        # for the Noto fonts, so no word box under 16 x 1.3 pt
        heights = [w["y1"] - w["y0"] for w in word_boxes(pdf)]
        assert min(heights) >= 16 * 1.3, (pdf.name, min(heights))


def test_standard_print_is_measured_smaller(out):
    """The measurement is not blind: the standard day sheet has text well under 16 pt."""
    sizes = text_sizes(build(out, "day", "--day", "2012-10-14"))
    assert min(s for _, s, _ in sizes) < 10
    assert any(10 <= s < 12 for _, s, _ in sizes)


def test_large_print_no_italics_and_the_same_screenings(large, programme):
    for pdf in large:
        assert not [f for f in fonts(pdf) if "italic" in f["name"].lower()], pdf.name
    text = flat(" ".join(page_texts(large[0])))
    for day in sorted({s.start.date() for f in programme.films for s in f.screenings}):
        for start, end, title, venue, sold_out in expected_day(programme, day):
            assert f"{start} to {end} {title}" in text, (day, start, title)
    # sold out in words, next to the screening it belongs to
    assert "18:30 to 20:30 Rust and Bone Sold out Odeon Quayside (ODN)." in text


def test_large_print_film_sheet_is_one_sheet_of_paper_double_sided(large, programme):
    """18 pt never shrinks to fit: a film sheet takes two pages, its screenings on one."""
    request = ho.Request(films=tuple(f.slug for f in programme.films), large_print=True,
                         paper="letter")
    pages = ho.sheet_pages(large[1], ho.choose(programme, request))
    assert len(pages) == len(programme.films) and max(pages.values()) <= 2, pages
    texts = page_texts(large[1])
    first = 0
    for film in programme.films:
        sheet = texts[first:first + pages[f"film-{film.slug}"]]
        first += len(sheet)
        assert flat(plain(film.title)) in flat(sheet[0])
        if len(sheet) == 2:
            assert f"{flat(plain(film.title))} (continued)" in flat(sheet[1])
        if film.screenings:  # all of them on one page, under the heading
            [page] = [t for t in sheet if "Screenings" in t]
            for s in film.screenings:
                assert f"{s.start:%H:%M} to " in page, (film.slug, s.start)


# --------------------------------------------------------------------------- paper
@pytest.mark.parametrize("args, size", [((), A4), (("--paper", "letter"), LETTER),
                                        (("--paper", "Letter", "--large-print"), LETTER),
                                        (("--large-print",), A4)])
@pytest.mark.slow
def test_paper_sizes_no_bleed(out, args, size):
    pdf = build(out, "-".join(["paper", *(a.strip("-").lower() for a in args)]),
                "--day", "2012-10-14", "--day", "2012-10-15", *args)
    found = boxes(pdf)
    assert found
    for box in found:
        x0, y0, x1, y1 = box["MediaBox"]
        assert (x1 - x0, y1 - y0) == pytest.approx(size, abs=0.5)
        for name in ("TrimBox", "BleedBox"):  # no bleed: every box is the sheet
            if name in box:
                assert box[name] == pytest.approx(box["MediaBox"], abs=0.01)


@pytest.mark.parametrize("name, args", [("day", ("--day", "2012-10-14")),
                                        ("large-films", None), ("films-letter", None)])
def test_everything_inside_margins_an_office_printer_prints(out, large, programme, name, args):
    if name == "films-letter":  # the same file test_every_film_sheet_fits_one_page builds
        args = ("--paper", "letter", *(a for f in programme.films for a in ("--film", f.slug)))
    pdf = out / f"{name}.pdf" if args is None else build(out, name, *args)
    for word in word_boxes(pdf):
        width, height = word["page"]
        assert word["x0"] >= 11 * MM and word["y0"] >= 11 * MM, word
        assert word["x1"] <= width - 11 * MM and word["y1"] <= height - 11 * MM, word


def test_black_and_white_only(out, large):
    for pdf in [build(out, "day", "--day", "2012-10-14"), build(out, "film", "--film", "rust-and-bone"),
                large[0]]:
        for colour in colours(pdf):
            operator, *values = colour
            if operator in ("rg", "RG", "sc", "SC", "scn", "SCN") and len(values) == 3:
                assert values[0] == values[1] == values[2], (pdf.name, colour)  # a grey
            elif operator in ("k", "K"):
                assert values[0] == values[1] == values[2] == 0, (pdf.name, colour)


# --------------------------------------------------------------------------- accessibility
@pytest.mark.parametrize("name, args", [("day", ("--day", "2012-10-14")),
                                        ("film", ("--film", "rust-and-bone")),
                                        ("large-venue", None)])
def test_pdf_is_tagged_with_language_and_title(out, large, programme, name, args):
    pdf = out / f"{name}.pdf" if args is None else build(out, name, *args)
    with pikepdf.open(pdf) as doc:
        assert doc.Root.MarkInfo.Marked is True
        tree = doc.Root.StructTreeRoot
        assert tree.Type == "/StructTreeRoot" and len(tree.K) >= 1
        assert str(doc.Root.Lang) == programme.festival.lang
        assert doc.Root.ViewerPreferences.DisplayDocTitle is True
        assert "Box-office handout" in str(doc.docinfo["/Title"])
        with doc.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"
            assert "Box-office handout" in xmp["dc:title"]
        for page in doc.pages:
            assert page.obj.Tabs == "/S" and "/StructParents" in page.obj
    assert "Tagged:          yes" in run("pdfinfo", str(pdf))


def test_screen_reader_order_is_reading_order(out, programme):
    pdf = build(out, "day", "--day", "2012-10-14")
    tree = structure(pdf)
    [h1] = find(tree, "H1")
    assert all_text(h1) == "Sunday 14 October 2012"
    [table] = find(tree, "Table")
    headers = [all_text(th) for th in find(table, "TH")]
    assert headers == ["Starts", "Ends", "Film", "Venue", "Running time", "Cert", "Access", "Tickets"]
    spoken = all_text(tree)
    marks = ["Sunday 14 October 2012", "Starts", *[f"{s} {e} {t}" for s, e, t, *_ in
                                                    expected_day(programme, SEED_DAY)],
             "Box office", "Venues"]
    places = [spoken.find(m) for m in marks]
    assert -1 not in places, list(zip(marks, places))
    assert places == sorted(places)
    assert "Printed" not in spoken and "Page 1 of" not in spoken  # page furniture is not read


# --------------------------------------------------------------------------- options
def fails(*args, cwd=None) -> str:
    result = run_cli("handout", EXAMPLE, "-o", Path(cwd or "/nonexistent") / "never.pdf", *args)
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert "nothing was written" in result.stderr
    return result.stderr


@pytest.mark.parametrize("args, message", [
    (("--day", "2012-10-32"), "programme handout: --day: '2012-10-32' is not a date; write it as "
                              "YYYY-MM-DD, such as 2012-10-10"),
    (("--day", "14/10/2012"), "(did you mean 2012-10-14?)"),
    (("--day", "Sunday 14 October"), "(did you mean 2012-10-14?)"),
    (("--day", "2012-11-14"), "--day: 2012-11-14 is outside the festival (the festival runs from "
                              "2012-10-10 to 2012-10-21) (did you mean 2012-10-14?)"),
    (("--venue", "NTF1"), "--venue: unknown venue 'NTF1' (did you mean 'NFT1'?)"),
    (("--venue", "Odeon Quayside"), "(did you mean 'ODN', Odeon Quayside?)"),
    (("--venue", "XYZZY"), "(known: NFT1, NFT2, ODN, CUR)"),
    (("--film", "rust-and-bon"), "--film: unknown film 'rust-and-bon' (did you mean 'rust-and-bone'?)"),
    (("--film", "Rust and Bone"), "--film: unknown film 'Rust and Bone' (did you mean 'rust-and-bone'?)"),
    (("--paper", "a3"), "--paper: unknown paper size 'a3' (did you mean 'a4'?)"),
    (("--film", "rust-and-bone", "--day", "2012-10-14"), "--film: a film sheet lists all"),
])
def test_bad_options_are_named_with_a_hint(tmp_path, args, message):
    assert message in fails(*args, cwd=tmp_path)
    assert not list(tmp_path.iterdir())


def test_every_bad_option_at_once_and_old_pdf_kept(tmp_path):
    target = tmp_path / "handout.pdf"
    target.write_bytes(b"%PDF- previous")
    result = run_cli("handout", EXAMPLE, "-o", target, "--day", "someday", "--venue", "NFT9",
                     "--paper", "legal")
    assert result.returncode == 1
    assert "--day:" in result.stderr and "--venue:" in result.stderr and "--paper:" in result.stderr
    assert "3 problems found; nothing was written." in result.stderr
    assert target.read_bytes() == b"%PDF- previous"


def test_help_lists_the_options():
    result = run_cli("handout", "--help")
    assert result.returncode == 0
    for option in ("--day", "--venue", "--film", "--paper", "--large-print", "-o, --output"):
        assert option in result.stdout


# --------------------------------------------------------------------------- selection
def test_today_during_the_festival(programme):
    chosen = ho.choose(programme, ho.Request(days=("today",)), today=SEED_DAY)
    [sheet] = chosen.sheets
    assert sheet.day == SEED_DAY and [s.end.strftime("%H:%M") for s in sheet.showings] == \
        [e for _, e, *_ in expected_day(programme, SEED_DAY)]
    with pytest.raises(ho.ProgrammeError, match="not a festival day"):
        ho.choose(programme, ho.Request(days=("today",)), today=dt.date(2013, 1, 1))


def test_venue_alone_gives_its_days(programme):
    chosen = ho.choose(programme, ho.Request(venue="CUR"))
    days = sorted({s.start.date() for f in programme.films for s in f.screenings if s.venue == "CUR"})
    assert [s.day for s in chosen.sheets] == days
    assert all(sh.venue.code == "CUR" for s in chosen.sheets for sh in s.showings)


def test_day_without_screenings_is_a_sheet_that_says_so(programme):
    chosen = ho.choose(programme, ho.Request(days=("2012-10-10",), venue="NFT2"))
    assert chosen.sheets[0].showings == []
    assert "no screenings on 2012-10-10 at NFT2" in str(chosen.warnings[0])


@pytest.mark.parametrize("text, words, expected, cut", [
    ("One two three. Four five six. Seven eight nine.", 7, "One two three. Four five six. …", True),
    ("One two three. Four five six.", 20, "One two three. Four five six.", False),
    ("First paragraph here.\nSecond one.", 20, "First paragraph here.\nSecond one.", False),
    ("First paragraph here.\nSecond one. And a third that is long.", 6,
     "First paragraph here.\nSecond one. …", True),
    ("Dr. Jones met J. Smith in St. Ives. Then left quietly for home.", 9,
     "Dr. Jones met J. Smith in St. Ives. …", True),
    ("A very long first sentence, with *a title in it* that goes on and on.", 8,
     "A very long first sentence, with *a title*…", True),
    ("He said “Stop.” Then he left the room in silence.", 3, "He said “Stop.” …", True),
    ("", 10, "", False),
])
def test_shorten(text, words, expected, cut):
    assert ho.shorten(text, words) == (expected, cut)


def test_synopsis_falls_back_to_tagline(programme):
    film = next(f for f in programme.films if f.slug == "where-the-horses-run")
    synopsis = ho.synopsis(film)
    assert synopsis.source == "tagline" and synopsis.by is None and not synopsis.shortened
