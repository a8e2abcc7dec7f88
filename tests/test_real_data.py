"""Issue 15: what a real festival's data showed, on made-up content built for each case.

``make_content(folder)`` writes a festival (the example's festival, venues and stills, and
films made here) with: films whose screenings fall at a page end (reviews of many lengths),
titles equal to their original titles, stills of many shapes, right-to-left names in a
cast list, words the English patterns split badly, and CJK titles and names. Each test
reads the PDFs back (pdftotext, pikepdf, pdffonts, pdftoppm).

    python3 -m tests.test_real_data /tmp/somewhere   # writes /tmp/somewhere/content
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageDraw

from .conftest import EXAMPLE, run_cli
from .pdfcheck import MM, boxes, destinations, flat, page_texts, run

pytestmark = pytest.mark.slow

HYPHEN = "\u2010"  # WeasyPrint's hyphenate-character
FSI, PDI = "\u2068", "\u2069"

# ------------------------------------------------------------------------ the content
SECTIONS = """\
- slug: features
  name: Features
  colour: "#1d4e89"
  order: 1
  introduction: >-
    New features from around the world, in every length of review.
- slug: stills
  name: Stills
  colour: "#2d6a4f"
  order: 2
- slug: world
  name: World
  colour: "#8c1c13"
  order: 3
"""

BIRDS = ["Avocet", "Bittern", "Curlew", "Dunlin", "Egret", "Fulmar", "Garganey", "Heron",
         "Kestrel", "Lapwing", "Merlin", "Osprey", "Plover", "Redshank", "Siskin", "Wigeon"]
PLACES = ["Morning", "Nights", "Song", "Tide", "Summer", "Crossing", "Road", "Harbour",
          "Hours", "Sands", "Winter", "Lights", "Avenue", "Shore", "Weather", "Field"]

SENTENCES = [
    "The camera lingers on faces until they give something away, and the {w} sequences "
    "are shot with a patience that most directors would not risk.",
    "Nothing here is hurried: the {w} story unfolds in long takes, in kitchens and on "
    "station platforms, and the performances are never less than truthful.",
    "It is funny too, in a dry and unexpected way, and the {w} scenes in the second half "
    "are as moving as anything the festival has shown this year.",
    "The score is sparse, the editing unfussy, and the {w} landscape becomes a character "
    "in its own right, by turns generous and unforgiving.",
    "By the end we know these people as well as our neighbours, which is to say not at "
    "all, and the {w} film is wise enough to leave it there.",
]


def _review(word: str, sentences: int, seed: int) -> str:
    rng = random.Random(seed)
    out = [rng.choice(SENTENCES).format(w=word.lower()) for _ in range(sentences)]
    # paragraphs of up to four sentences
    paras = [" ".join(out[i:i + 4]) for i in range(0, len(out), 4)]
    return "\n\n".join(paras)


def _block(text: str, indent: str = "    ") -> str:
    """A folded YAML block (>-); blank lines start paragraphs."""
    return "\n".join((indent + line) if line else "" for line in text.split("\n"))


def _slot(k: int) -> tuple[str, str]:
    """A screening slot no other film uses: (venue, start)."""
    venues = ["NFT1", "NFT2", "ODN", "CUR"]
    day = 10 + k % 12
    venue = venues[(k // 12) % 4]
    hour = 10 + 2 * (k // 48)
    return venue, f"2012-10-{day:02d} {hour:02d}:15"


class Slots:
    def __init__(self):
        self.k = 0

    def take(self, n: int, code: str) -> list[str]:
        out = []
        for i in range(n):
            venue, start = _slot(self.k)
            self.k += 1
            note = f", note: Screening code {code}" if i == 0 else ""
            out.append(f'  - {{venue: {venue}, start: {start}, certificate: "15"{note}}}')
        return out


def film_yaml(title: str, section: str, slots: Slots, code: str, *, sentences: int = 6,
              seed: int = 0, word: str = "", original: str | None = None,
              original_language: str | None = None, stills: list[str] = (),
              cast: list[str] | None = None, director: str = "Ada Lindqvist",
              screenings: int = 2, review: str | None = None, tagline: str | None = None,
              statement: str | None = None) -> str:
    lines = [f"title: {title}"]
    if original:
        lines.append(f"original_title: {original}")
    if original_language:
        lines.append(f"original_language: {original_language}")
    if tagline:
        lines += ["tagline: >-", _block(tagline, "  ")]
    lines += [f"section: {section}", "credits:", f"  director: [{director}]",
              "  producer: [Jonas Brekke, Lucía Ferrer]"]
    if cast is not None:
        lines.append("  cast: [" + ", ".join(cast) + "]")
    lines += ["countries: [Norway, Spain]", "year: 2012", "runtime: 98"]
    text = review if review is not None else (_review(word or title.split()[0], sentences, seed)
                                              if sentences else None)
    if text:
        lines += ["review:", "  text: >-", _block(text), "  by: Morag Hendry"]
    if statement:
        lines += ["statement:", "  text: >-", _block(statement), "  by: Ada Lindqvist"]
    if stills:
        lines.append("stills:")
        for n, file in enumerate(stills, 1):
            lines += [f"  - file: {file}", f"    caption: Still {n} of {title}"]
    if screenings:
        lines += ["screenings:", *slots.take(screenings, code)]
    return "\n".join(lines) + "\n"


def _still(path: Path, size: tuple[int, int], hue: int) -> None:
    """A still with a frame 2 px inside its edges, so a crop shows."""
    img = Image.new("RGB", size, (40 + hue % 180, 90, 160 - hue % 120))
    draw = ImageDraw.Draw(img)
    w, h = size
    for i in range(0, w, max(w // 12, 1)):
        draw.line([(i, 0), (i + h, h)], fill=(220, 200, 120), width=3)
    draw.rectangle([2, 2, w - 3, h - 3], outline=(255, 255, 255), width=6)
    img.save(path, "JPEG", quality=85)


#: Still shapes (width, height in pixels; at least 300 ppi where the layout places them).
SHAPES = {"wide": (1800, 753),      # 2.39:1, scope
          "tall": (1000, 1500),     # 2:3, portrait
          "square": (1200, 1200),   # 1:1
          "four3": (1200, 900),     # 4:3
          "three2": (1500, 1000)}   # 3:2


#: Films whose screenings must stay with their entry: title -> screening code.
FEATURES: dict[str, str] = {}
#: Films for the stills: title -> list of (file, shape), lead first.
STILLS = {
    "Scope Horizon": ["wide", "four3"],
    "Portrait of Ines": ["tall", "three2", "square", "tall"],
    "Square Dance Hall": ["square", "wide", "three2"],
}
ARABIC, HEBREW = "هيفاء المنصور", "נטלי פורטמן"
CAST = ["Marion Cotillard", ARABIC, HEBREW, "Tom Hardy"]
CJK_TITLE, CJK_DIRECTOR = "万引き家族", "是枝裕和"
LONG_TITLE = "The Inconsolable Cartographers of Northumberland and Extraordinary Neighbourhoods"
LONG_ORIGINAL = "Die untröstlichen Kartographen Northumberlands und außergewöhnliche Nachbarschaften"


def make_content(folder: Path) -> Path:
    """Write the festival to ``folder``/content; returns that folder."""
    content = folder / "content"
    if content.exists():
        shutil.rmtree(content)
    (content / "films").mkdir(parents=True)
    (content / "images").mkdir()
    for name in ("festival.yaml", "venues.yaml"):
        shutil.copy(EXAMPLE / name, content / name)
    (content / "sections.yaml").write_text(SECTIONS, encoding="utf-8")
    slots = Slots()
    films = {}
    # 1. Sixteen features, reviews of 2 to 23 sentences, some with a lead still, some without,
    #    some with a statement: their screenings boxes fall all over their pages.
    lengths = [3, 9, 14, 5, 21, 7, 12, 17, 2, 19, 11, 6, 23, 8, 15, 4]
    for n, (bird, place) in enumerate(zip(BIRDS, PLACES)):
        title = f"{bird} {place}"
        code = f"SC{n:02d}X"
        FEATURES[title] = code
        stills = []
        if n % 3 != 2:
            stills = [f"{bird.lower()}-1.jpg"]
            _still(content / "images" / stills[0], SHAPES["three2"], n * 37)
        statement = _review("statement", 3, n + 100) if n % 4 == 1 else None
        original = ("Puerto de las garzas", "es") if bird == "Heron" else (None, None)
        films[bird.lower()] = film_yaml(title, "features", slots, code, sentences=lengths[n],
                                        seed=n, word=bird, stills=stills, statement=statement,
                                        screenings=2 + n % 3, original=original[0],
                                        original_language=original[1])
    # 7. Stills of every shape, lead and gallery.
    for n, (title, shapes) in enumerate(STILLS.items()):
        slug = title.lower().replace(" ", "-")
        files = []
        for i, shape in enumerate(shapes, 1):
            file = f"{slug}-{i}-{shape}.jpg"
            _still(content / "images" / file, SHAPES[shape], n * 50 + i * 20)
            files.append(file)
        films[slug] = film_yaml(title, "stills", slots, f"ST{n}X", sentences=6, seed=n,
                                stills=files)
    # 5. Original titles equal to the title, case and accents aside.
    films["amour"] = film_yaml("Amour", "world", slots, "AM1X", original="Amour",
                               original_language="fr", sentences=4, seed=1)
    films["leon"] = film_yaml("Leon", "world", slots, "LE1X", original="LÉON",
                              original_language="fr", sentences=4, seed=2)
    # 8. Right-to-left names in a cast list; words the English patterns split badly.
    london = ("The festival came to London with this film, and London took it to heart: at "
              "the festival in London last spring the festival audience stood to applaud a "
              "festival favourite, and festivals from London to Lisbon have asked for it "
              "since. Festival juries in London and festival programmers everywhere agree.")
    films["desert-voices"] = film_yaml(
        "Desert Voices", "world", slots, "DV1X", cast=CAST,
        review="\n\n".join([london] * 4), director="Haifa Al Mansour")
    films["cartographers"] = film_yaml(
        LONG_TITLE, "world", slots, "LT1X", original=LONG_ORIGINAL, original_language="de",
        sentences=3, seed=7, director="Maximilianus Hohenzollern-Sigmaringen",
        cast=["Konstantinopoulos Papadimitriou", "Wilhelmina Oppenheimer-Rosenkranz"])
    # 10. A CJK title (its original title the same), a CJK director.
    films["shoplifters"] = film_yaml(CJK_TITLE, "world", slots, "CJ1X", original=CJK_TITLE,
                                     original_language="ja", director=CJK_DIRECTOR,
                                     sentences=4, seed=5)
    # 6. For large-print film sheets: a film of one page, a film of three.
    films["short-sheet"] = film_yaml("Short Sheet", "world", slots, "SS1X", sentences=0,
                                     screenings=0)
    films["many-screenings"] = film_yaml("Many Screenings", "world", slots, "MS1X",
                                         sentences=5, seed=9, screenings=11,
                                         cast=["Ada Lindqvist", "Jonas Brekke"])
    for slug, text in films.items():
        (content / "films" / f"{slug}.yaml").write_text(text, encoding="utf-8")
    return content


# ------------------------------------------------------------------------ reading back
def all_titles(content: Path) -> list[str]:
    return [re.search(r"^title: (.*)$", p.read_text(encoding="utf-8"), re.M).group(1)
            for p in sorted((content / "films").glob("*.yaml"))]


def reading_texts(pdf: Path) -> list[str]:
    """Each page's text in reading order, whitespace collapsed."""
    return [flat(t) for t in page_texts(pdf)]


def _mul(m, n):
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)


def drawn_images(page: pikepdf.Page) -> list[tuple]:
    """Every image drawn on a page: (x0, y0, x1, y1) in PDF points, and its pixel size,
    from the content stream's transformation matrices (form XObjects followed)."""
    out = []

    def walk(owner, resources, ctm):
        stack = []
        for operands, operator in pikepdf.parse_content_stream(owner):
            op = str(operator)
            if op == "q":
                stack.append(ctm)
            elif op == "Q":
                ctm = stack.pop()
            elif op == "cm":
                ctm = _mul(tuple(float(v) for v in operands), ctm)
            elif op == "Do":
                xobject = resources.XObject[operands[0]]
                if xobject.Subtype == "/Image":
                    pts = [(x * ctm[0] + y * ctm[2] + ctm[4], x * ctm[1] + y * ctm[3] + ctm[5])
                           for x in (0, 1) for y in (0, 1)]
                    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
                    out.append((min(xs), min(ys), max(xs), max(ys),
                                int(xobject.Width), int(xobject.Height)))
                elif xobject.Subtype == "/Form":
                    matrix = tuple(float(v) for v in xobject.get("/Matrix", [1, 0, 0, 1, 0, 0]))
                    walk(xobject, xobject.get("/Resources", resources), _mul(matrix, ctm))

    walk(page, page.Resources, (1.0, 0.0, 0.0, 1.0, 0.0, 0.0))
    return out


def word_boxes(pdf: Path, page: int) -> list[tuple[str, float, float]]:
    """(word, xMin, yMin) of every word on a page (pdftotext -bbox)."""
    import html
    out = run("pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-")
    return [(html.unescape(w), float(x), float(y)) for x, y, w in
            re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">(.*?)</word>', out)]


# ------------------------------------------------------------------------ builds
@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("realdata")
    make_content(folder)
    return folder


def _build(project: Path, name: str, *args) -> Path:
    out = project / "out" / name
    if not out.exists():
        result = run_cli(*args[:1], project / "content", "-o", out, *args[1:])
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    return out


@pytest.fixture(scope="module")
def brochure(project) -> Path:
    """Built as a user builds it: in parts (no cache, so nothing is reused)."""
    return _build(project, "brochure.pdf", "build", "--no-cache")


@pytest.fixture(scope="module")
def press(project) -> Path:
    return _build(project, "press.pdf", "build", "--press")


# ------------------------------------------------------------------------ 1. screenings
def test_screenings_stay_with_their_film(brochure, project):
    """Each screenings box is on a page with its own film's title before it (the entry's
    heading, or the box's own label), never under another film's title, and never alone at
    the top of a page: lines of its own entry come with it."""
    texts = reading_texts(brochure)
    dests = destinations(brochure)
    last = dests["schedule"] - 1  # the film pages end where the schedule starts
    titles = all_titles(project / "content")
    moved = 0
    for n, (title, code) in enumerate(FEATURES.items()):
        [page] = [i for i, t in enumerate(texts[:last]) if f"Screening code {code}" in t]
        text = texts[page]
        at = text.index(f"Screening code {code}")
        before = max(((text.rfind(t, 0, at), t) for t in titles), default=(-1, None))
        before = before if before[0] >= 0 else (-1, None)  # no title at all before the box
        assert before[1] == title, (title, page + 1, before[1], text[:at][-200:])
        label = text.rfind(f"SCREENINGS {title}", 0, at)  # the box's label, if it has one
        label = at if label < 0 else label
        title_page = dests[f"film-{BIRDS[n].lower()}"]
        if page + 1 != title_page:  # the entry runs over a page: the box is not alone there
            moved += 1
            head = text[:label].replace("Northbank Film Festival 2012", "").replace("FEATURES", "")
            assert len(head.split()) >= 8, (title, page + 1, text[:label])
            assert not any(t in head for t in titles), (title, page + 1, head)
    # the case is there: several boxes fall past their entry's first page
    assert moved >= 4, moved


# ------------------------------------------------------------------------ 5. one title
def test_a_title_equal_to_the_original_title_is_printed_once(brochure, project):
    texts = reading_texts(brochure)
    dests = destinations(brochure)
    entry = {slug: texts[dests[f"film-{slug}"] - 1] for slug in ("amour", "leon", "heron",
                                                                  "shoplifters")}
    assert "Amour Director" in entry["amour"] and "Amour Amour" not in entry["amour"]
    assert "Leon Director" in entry["leon"] and "LÉON" not in entry["leon"]
    assert f"{CJK_TITLE} Director" in entry["shoplifters"]
    assert f"{CJK_TITLE} {CJK_TITLE}" not in entry["shoplifters"]
    # an original title that differs is printed
    assert "Heron Harbour Puerto de las garzas" in entry["heron"]


def test_handouts_print_an_equal_original_title_once(project):
    days = reading_texts(_build(project, "days.pdf", "handout"))
    sheets = reading_texts(_build(project, "films.pdf", "handout", "--film", "amour", "--film",
                                  "leon", "--film", "heron", "--film", "shoplifters"))
    everything = " ".join(days)
    # each film's two screenings, its title once in each row
    assert everything.count("Amour") == 2 and everything.count(CJK_TITLE) == 2
    assert everything.count("Leon") == 2 and "LÉON" not in everything
    assert everything.count("Puerto de las garzas") == 3  # the control: three screenings
    amour, leon, heron, cjk = sheets
    assert "Amour Norway-Spain 2012" in amour
    assert "Leon Norway-Spain 2012" in leon and "LÉON" not in leon
    assert f"{CJK_TITLE} Norway-Spain 2012" in cjk
    assert "Heron Harbour Puerto de las garzas Norway-Spain 2012" in heron


# ------------------------------------------------------------------------ 6. large print
def test_large_print_film_sheets_each_start_a_sheet_of_paper(project, tmp_path):
    from programme import handout as ho
    from programme.loader import load_content
    films = ["short-sheet", "many-screenings", "amour", "desert-voices"]
    pdf = _build(project, "large.pdf", "handout", "--large-print",
                 *[a for f in films for a in ("--film", f)])
    dests = destinations(pdf)
    firsts = [dests[f"film-{f}"] for f in films]
    assert all(page % 2 == 1 for page in firsts), firsts  # fronts: odd pages
    programme = load_content(project / "content").programme
    printed = ho.sheet_pages(pdf, ho.choose(programme, ho.Request(films=tuple(films),
                                                                   large_print=True)))
    # one page, three pages: the case where the next film would land on the back
    assert printed["film-short-sheet"] == 1 and printed["film-many-screenings"] == 3, printed
    texts = page_texts(pdf)
    with pikepdf.open(pdf) as doc:
        count = len(doc.pages)
        blanks = [n for n in range(1, count + 1) if ho.blank(doc.pages[n - 1])]
    assert count % 2 == 0
    assert blanks == [2, 6], blanks  # after the one-page and the three-page sheet
    for n in blanks:
        assert texts[n - 1].strip() == ""
        subprocess.run(["pdftoppm", "-r", "30", "-gray", "-f", str(n), "-l", str(n), "-png",
                        str(pdf), str(tmp_path / f"blank{n}")], check=True)
        image = Image.open(next(tmp_path.glob(f"blank{n}*.png"))).convert("L")
        assert image.getextrema() == (255, 255), n  # nothing printed at all
    # every page that is not a blank back has its furniture
    for n in set(range(1, count + 1)) - set(blanks):
        assert f"Page {n} of {count}" in flat(texts[n - 1])


# ------------------------------------------------------------------------ 7. stills
def test_stills_are_never_cropped_and_line_up_with_the_column(brochure):
    dests = destinations(brochure)
    first = min(dests[f"film-{t.lower().replace(' ', '-')}"] for t in STILLS)
    last = dests["film-amour"] - 1  # the World section's opener follows the Stills section
    column = {True: (15 * MM, (148 - 12) * MM), False: (12 * MM, (148 - 15) * MM)}  # right page?
    lead_width = (148 - 27 - 43.5) * MM
    third = ((148 - 27 - 6.2) / 3) * MM
    aspects = set()
    with pikepdf.open(brochure) as doc:
        for number in range(first, last + 1):
            page = doc.pages[number - 1]
            trim_x = float(page.TrimBox[0])
            left, right = (trim_x + x for x in column[number % 2 == 1])
            drawn = drawn_images(page)
            for x0, y0, x1, y1, w, h in drawn:
                width, height = x1 - x0, y1 - y0
                # the whole still, at its own shape: nothing cut off, nothing stretched
                assert width / height == pytest.approx(w / h, rel=0.01), (number, w, h)
                aspects.add(round(w / h, 2))
                # inside the text column, from its left edge or 3 mm after another still
                assert left - 0.3 <= x0 and x1 <= right + 0.3, (number, x0, x1, left, right)
                lead = (abs(width - lead_width) < 0.3 or abs(height - 52 * MM) < 0.3)
                if lead:
                    assert abs(x0 - left) < 0.3, (number, x0, left)
                    assert width <= lead_width + 0.3 and height <= 52 * MM + 0.3
                    assert width == pytest.approx(lead_width, abs=0.3) or height == pytest.approx(52 * MM, abs=0.3)
                else:  # in the gallery: a third of the column, in one of three places
                    assert width <= third + 0.3 and height <= 38 * MM + 0.3
                    places = [left, left + third + 3 * MM, right - third]
                    assert min(abs(x0 - p) for p in places) < 0.5, (number, x0, places)
                    if abs(x0 - places[2]) < 0.5 and w > h:  # the third, landscape: flush right
                        assert abs(x1 - right) < 0.3
            gallery = [d for d in drawn if d[2] - d[0] <= third + 0.3
                       and abs(d[3] - d[1] - 52 * MM) >= 0.3]
            for a in gallery:  # side by side, never overlapping
                for b in gallery:
                    if a is not b and a[1] < b[3] and b[1] < a[3]:
                        assert a[2] <= b[0] + 0.1 or b[2] <= a[0] + 0.1
    # every shape was there: scope, 4:3, 3:2, square, portrait
    assert {2.39, 1.33, 1.5, 1.0, 0.67} <= aspects, aspects


# ------------------------------------------------------------------------ 8. hyphens, bidi
def test_hyphenation_spares_short_words_headings_names_and_titles(brochure, project):
    lines = [line.strip() for text in page_texts(brochure) for line in text.splitlines()]
    protected = set()  # words of titles, original titles and names
    for path in (project / "content" / "films").glob("*.yaml"):
        for key in ("title", "original_title"):
            found = re.search(rf"^{key}: (.*)$", path.read_text(encoding="utf-8"), re.M)
            if found:
                protected |= {w.lower() for w in re.findall(r"\w+", found.group(1))}
    protected |= {w.lower() for name in CAST + ["Maximilianus Hohenzollern-Sigmaringen",
                                                "Konstantinopoulos Papadimitriou",
                                                "Wilhelmina Oppenheimer-Rosenkranz"]
                  for w in re.findall(r"\w+", name)}
    broken = []
    for n, line in enumerate(lines):
        if line.endswith(HYPHEN):
            before = re.findall(r"\w+", line)[-1]
            # the word goes on at the next line starting in lower case (past a folio and the
            # running head when it goes on over the page)
            following = next(rest for rest in lines[n + 1:] if re.match(r"[^\W\d_]", rest)
                             and rest[0].islower())
            after = re.findall(r"\w+", following)[0]
            broken.append((before, after))
    assert len(broken) >= 10  # running text is hyphenated
    for before, after in broken:
        word = (before + after).lower()
        assert len(before) >= 5 and len(after) >= 3, (before, after)
        assert word not in protected, (before, after)
        assert not word.startswith(("festival", "london")), (before, after)
    # the long title and names wrap between words only
    text = flat(" ".join(page_texts(brochure)))
    assert LONG_TITLE in text and LONG_ORIGINAL in text


def _name_order(pdf: Path, page: int) -> list[str]:
    """Which of the cast's names come first on their line, left to right."""
    words = word_boxes(pdf, page)
    line = [w for w in words if w[0] in ("Marion",)][0][2]
    on_line = sorted((x, w) for w, x, y in words if abs(y - line) < 2)
    parts = {name: {p for part in name.split() for p in (part, part[::-1])} for name in CAST}
    order = []
    for _, word in on_line:
        bare = word.strip(",")
        for name, pieces in parts.items():
            if bare in pieces and name not in order:
                order.append(name)
    return order


def test_right_to_left_names_keep_their_order_in_a_list(brochure, project):
    page = destinations(brochure)["film-desert-voices"]
    order = _name_order(brochure, page)
    assert order[:3] == CAST[:3], order  # Tom Hardy may wrap to the next line
    assert FSI not in "".join(page_texts(brochure)) and PDI not in "".join(page_texts(brochure))
    sheet = _build(project, "voices.pdf", "handout", "--film", "desert-voices")
    assert _name_order(sheet, 1) == CAST


def test_without_isolation_the_names_swap(tmp_path):
    """The check above is not blind: the same line set without isolates comes out with the
    Hebrew name before the Arabic one."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from programme.render import BUILTIN_FONTS, names
    config = FontConfiguration()
    css = CSS(string=f'@import url("{(BUILTIN_FONTS / "fonts.css").as_uri()}");'
                     'body { font-family: "Noto Sans", "Noto Naskh Arabic", "Noto Sans Hebrew" }',
              font_config=config)
    lines = ["With " + ", ".join(CAST), "With " + names(CAST)]
    html = "".join(f"<p>{line}</p>" for line in lines)
    pdf = tmp_path / "bidi.pdf"
    HTML(string=html).write_pdf(pdf, stylesheets=[css], font_config=config)
    words = word_boxes(pdf, 1)
    ys = sorted({round(y) for w, x, y in words if w == "Marion"})
    assert len(ys) == 2
    arabic = {p[::-1] for p in ARABIC.split()} | set(ARABIC.split())
    hebrew = {p[::-1] for p in HEBREW.split()} | set(HEBREW.split())
    def xs(y, pieces):
        return [x for w, x, wy in words if abs(wy - y) < 2 and w.strip(",") in pieces]
    plain_line, isolated_line = ys
    assert max(xs(plain_line, hebrew)) < min(xs(plain_line, arabic))        # swapped
    assert max(xs(isolated_line, arabic)) < min(xs(isolated_line, hebrew))  # in order


# ------------------------------------------------------------------------ 9. crop marks
def test_press_crop_marks_sit_outside_the_bleed(press, tmp_path):
    """MediaBox > BleedBox (3 mm or more) > TrimBox; the marks are drawn between the BleedBox
    and the MediaBox, on white, clear of the artwork, on dark pages and white ones."""
    dpi = 100
    with pikepdf.open(press) as doc:
        page = doc.pages[0]
        media, bleed, trim = ([float(v) for v in page.obj[k]] for k in
                              ("/MediaBox", "/BleedBox", "/TrimBox"))
    for k in range(4):
        sign = -1 if k < 2 else 1
        assert (bleed[k] - trim[k]) * sign >= 3 * MM - 0.05        # a bleed of 3 mm or more
        assert (media[k] - bleed[k]) * sign >= 6 * MM                # room for the marks
    assert all(b == {"MediaBox": media, "BleedBox": bleed, "TrimBox": trim} for b in boxes(press))
    texts = page_texts(press)
    opener = next(i for i, t in enumerate(texts, 1) if t.strip().startswith("Features"))
    white = next(i for i, t in enumerate(texts, 1) if "Director" in t)
    tx0, ty0, tx1, ty1 = (v - media[i % 2] for i, v in enumerate(trim))  # from the sheet's corner
    for number in (1, opener, white):  # the dark cover, a section opener, a white page
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-f", str(number), "-l",
                        str(number), "-png", str(press), str(tmp_path / f"p{number}")], check=True)
        image = Image.open(next(tmp_path.glob(f"p{number}-*.png"))).convert("L")
        w, h = image.size

        sx, sy = w / (media[2] - media[0]), h / (media[3] - media[1])

        def at(x, y):  # the pixel at (x, y) points from the sheet's bottom left corner
            return image.getpixel((min(w - 1, int(x * sx)), min(h - 1, int(h - y * sy))))

        # top left and bottom right corners: `out` is the direction away from the page
        for x_edge, y_edge, out in ((tx0, ty1, -1), (tx1, ty0, 1)):
            beyond = [d * MM for d in (7, 8, 9, 10, 11, 12)]  # 7-12 mm past the trim
            near = (-1, -0.5, 0, 0.5, 1)  # the mark is 0.75 pt wide, on the trim line
            horizontal = min(at(x_edge + out * d, y_edge + e) for d in beyond for e in near)
            vertical = min(at(x_edge + e, y_edge - out * d) for d in beyond for e in near)
            assert horizontal < 128 and vertical < 128, (number, horizontal, vertical)
            # white between the artwork (4 mm) and the marks (from 6.5 mm)
            assert at(x_edge + out * 5.3 * MM, y_edge) > 230, (number, "gap")
            assert at(x_edge, y_edge - out * 5.3 * MM) > 230, (number, "gap")
        if number != white:  # the colour reaches past the BleedBox (3.5 mm) all round
            for x, y in ((tx0 - 3.3 * MM, (ty0 + ty1) / 2), (tx1 + 3.3 * MM, (ty0 + ty1) / 2),
                         ((tx0 + tx1) / 2, ty0 - 3.3 * MM), ((tx0 + tx1) / 2, ty1 + 3.3 * MM)):
                assert at(x, y) < 200, (number, x, y)
    result = run_cli("preflight", press)
    assert result.returncode == 0, result.stdout


# ------------------------------------------------------------------------ 10. CJK bold
def test_cjk_titles_and_names_set_bold_print_bold(brochure):
    dests = destinations(brochure)

    def faces(page):
        return {re.sub(r"^[A-Z]{6}\+", "", f["name"]) for f in fonts_on(brochure, page)}
    entry = faces(dests["film-shoplifters"])
    assert "Noto-Sans-CJK-Bold" in entry  # the title, bold
    assert "Noto-Sans-CJK" in entry       # the director's name and the box's label, regular
    assert "Noto-Sans-CJK-Bold" in faces(dests["index-directors"])  # the director, bold
    # drawn as the bold face's own glyphs: no fake bold (text stroked as well as filled)
    with pikepdf.open(brochure) as doc:
        page = doc.pages[dests["film-shoplifters"] - 1]
        modes = {str(ops[0]) for ops, op in pikepdf.parse_content_stream(page) if str(op) == "Tr"}
    assert modes <= {"0"}, modes


def fonts_on(pdf: Path, page: int) -> list[dict]:
    lines = run("pdffonts", "-f", str(page), "-l", str(page), str(pdf)).splitlines()[2:]
    return [{"name": line.split()[0]} for line in lines]


if __name__ == "__main__":
    print(make_content(Path(sys.argv[1])))
