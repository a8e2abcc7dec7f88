"""Every script: original titles and names in Chinese, Japanese, Korean, Arabic, Hebrew,
Russian, Greek, Thai and Hindi print with real glyphs from the project's fonts.

The fixture is the example festival plus a "World" section with one film per script. The
PDF is read back three ways:

- pdftotext finds each title and name exactly (right-to-left runs come back in logical
  order between bidi embedding marks, which are dropped before comparing). One known quirk
  of poppler, not of the PDF: a ligature glyph standing for three or more Arabic letters
  (الله) reads back with its letters reversed, though the PDF's ToUnicode map has them in
  order; the names here avoid it;
- pdffonts lists only fonts from fonts/, all embedded, and every one with the Identity-H
  encoding: WeasyPrint gives a font its own encoding exactly when it had to draw .notdef
  (an empty box) for a character the font lacks, so Identity-H everywhere means no box;
- the pages as PNGs have no .notdef box: a detector for the hollow rectangles .notdef
  draws, which must find the box in a control PDF typeset with a character no font has.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import deque
from pathlib import Path

import pytest
from PIL import Image

from programme.typeset import isolate_fonts

from .conftest import REPO, run_cli
from .pdfcheck import flat, fonts, page_texts

# language, English title, original title, director, cast
FILMS = [
    ("zh", "The Grandmaster", "一代宗师", "王家卫", ["梁朝伟", "章子怡"]),
    ("zh-Hant", "A City of Sadness", "悲情城市", "侯孝賢", ["梁朝偉", "辛樹芬"]),
    ("ja", "Shoplifters", "万引き家族", "是枝裕和", ["リリー・フランキー", "安藤サクラ"]),
    ("ko", "Parasite", "기생충", "봉준호", ["송강호", "이선균"]),
    ("ar", "Wadjda", "وجدة", "هيفاء المنصور", ["وعد محمد", "سلطان العساف"]),
    ("he", "Waltz with Bashir", "ואלס עם באשיר", "ארי פולמן", ["מיקי ליאון"]),
    ("ru", "Leviathan", "Левиафан", "Андрей Звягинцев", ["Алексей Серебряков", "Елена Лядова"]),
    ("el", "Dogtooth", "Κυνόδοντας", "Γιώργος Λάνθιμος", ["Χρήστος Στέργιογλου"]),
    ("th", "Uncle Boonmee Who Can Recall His Past Lives", "ลุงบุญมีระลึกชาติ",
     "อภิชาติพงศ์ วีระเศรษฐกุล", ["ธนภัทร สายแสงจันทร์"]),
    ("hi", "Gangs of Wasseypur", "गैंग्स ऑफ़ वासेपुर", "अनुराग कश्यप", ["मनोज बाजपेयी"]),
]
BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
SCRIPT_FONTS = ["notosanscjk", "notonaskharabic", "notosanshebrew", "notosansthai",
                "notosansdevanagari"]


def add_world_section(content: Path) -> None:
    q = lambda s: json.dumps(s, ensure_ascii=False)  # noqa: E731 - a JSON string is YAML
    with (content / "sections.yaml").open("a", encoding="utf-8") as handle:
        handle.write('- slug: world\n  name: World\n  colour: "#5b3a8c"\n  order: 5\n')
    for lang, title, original, director, cast in FILMS:
        (content / "films" / f"world-{lang.lower()}.yaml").write_text(
            f"title: {q(title)}\noriginal_title: {q(original)}\noriginal_language: {lang}\n"
            f"section: world\ncredits:\n  director: [{q(director)}]\n"
            f"  cast: [{', '.join(q(c) for c in cast)}]\n"
            f"countries: [Somewhere]\nyear: 2012\nruntime: 100\n"
            f"review:\n  text: >-\n    The film's original title is {original}, and it's \"{title}\""
            f" in English -- {director} directed it.\n  by: {q(director)}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    project = tmp_path_factory.mktemp("world")
    shutil.copytree(REPO / "content", project / "content")
    add_world_section(project / "content")
    out = project / "world.pdf"
    result = run_cli("build", "content", "-o", out, cwd=project)
    assert result.returncode == 0, result.stderr
    return out, result.stderr


def normal(text: str) -> str:
    return flat(BIDI_MARKS.sub("", text))


@pytest.mark.slow
def test_validates_and_builds_without_glyph_warnings(world):
    _, stderr = world
    assert "no font has" not in stderr and ".notdef" not in stderr, stderr


@pytest.mark.slow
def test_pdf_text_has_every_title_and_name_exactly(world):
    pdf, _ = world
    text = normal("\n".join(page_texts(pdf)))
    squeezed = re.sub(r"\s+", "", text)
    for lang, title, original, director, cast in FILMS:
        assert original in text, (lang, original)       # a line of its own: exact
        assert title in text, (lang, title)
        for name in [director, *cast]:                  # may wrap in the credits box
            assert re.sub(r"\s+", "", name) in squeezed, (lang, name)


def test_only_project_fonts_and_no_notdef(world):
    pdf, _ = world
    families = {re.sub(r"[^a-z]", "", p.stem.split("-")[0].lower())
                for p in (REPO / "fonts").iterdir() if p.suffix in (".ttf", ".otf")}
    found = fonts(pdf)
    names = []
    for font in found:
        assert font["emb"] == "yes" and font["sub"] == "yes", font
        name = re.sub(r"[^a-z]", "", font["name"].split("+", 1)[-1].lower())
        names.append(name)
        assert any(name.startswith(f) or f.startswith(name) for f in families), font["name"]
    for script in SCRIPT_FONTS:
        assert any(n.startswith(script) for n in names), (script, names)
    table = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    encodings = {line.split()[0]: line.split()[-6] for line in table}  # name ... encoding
    assert set(encodings.values()) == {"Identity-H"}, encodings


# ------------------------------------------------------------------ .notdef boxes in pixels
def notdef_boxes(png: Path) -> list[tuple[int, int, int, int]]:
    """Hollow rectangles of glyph size: what .notdef looks like in the Noto fonts.

    Connected dark components whose bounding box is outlined on all four sides (every side
    at least 90 % dark) with an empty inside. Letters, even square ones like 口, have
    strokes that overshoot a corner or an inside that is not empty.
    """
    image = Image.open(png).convert("L")
    width, height = image.size
    dark = bytearray(image.point(lambda v: 1 if v < 170 else 0).tobytes())
    seen = bytearray(width * height)
    boxes = []
    start = -1
    while True:
        start = dark.find(1, start + 1)
        if start < 0:
            break
        if seen[start]:
            continue
        queue, pixels = deque([start]), []
        seen[start] = 1
        while queue:
            i = queue.popleft()
            pixels.append(i)
            x, y = i % width, i // width
            for j in (i - 1 if x else -1, i + 1 if x + 1 < width else -1,
                      i - width, i + width):
                if 0 <= j < width * height and dark[j] and not seen[j]:
                    seen[j] = 1
                    queue.append(j)
        xs = [i % width for i in pixels]
        ys = [i // width for i in pixels]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        w, h = x1 - x0 + 1, y1 - y0 + 1
        if not (8 <= w <= 150 and 16 <= h <= 200) or w > 0.8 * h:  # .notdef is narrow
            continue
        at = lambda x, y: dark[y * width + x]  # noqa: E731
        sides = [sum(at(x, y0) for x in range(x0, x1 + 1)) / w,
                 sum(at(x, y1) for x in range(x0, x1 + 1)) / w,
                 sum(at(x0, y) for y in range(y0, y1 + 1)) / h,
                 sum(at(x1, y) for y in range(y0, y1 + 1)) / h]
        inside = [at(x, y) for x in range(x0 + 3, x1 - 2) for y in range(y0 + 3, y1 - 2)]
        if min(sides) >= 0.9 and inside and sum(inside) / len(inside) <= 0.02:
            boxes.append((x0, y0, w, h))
    return boxes


def pages_as_png(pdf: Path, folder: Path, first: int = 1, last: int | None = None) -> list[Path]:
    args = ["pdftoppm", "-r", "300", "-gray", "-png", "-f", str(first)]
    if last:
        args += ["-l", str(last)]
    subprocess.run(args + [str(pdf), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"))


@pytest.mark.slow
def test_the_box_detector_finds_a_notdef_box(tmp_path):
    """Control: a character no font has (U+E000, private use) does print as a box."""
    fonts_dir = REPO / "fonts"
    isolate_fonts([fonts_dir])
    from weasyprint import HTML
    css = (fonts_dir / "fonts.css").read_text().replace('url("', f'url("{fonts_dir.as_uri()}/')
    HTML(string=f'<style>{css} p {{ font: 9.5pt "Noto Sans" }}</style>'
                '<p>Tofu \ue000 here; 口 ロ 日 and 기생충 are letters.</p>').write_pdf(
        tmp_path / "control.pdf")
    [png] = pages_as_png(tmp_path / "control.pdf", tmp_path)
    assert len(notdef_boxes(png)) == 1


@pytest.mark.slow
def test_pages_have_no_notdef_boxes(world, tmp_path):
    pdf, _ = world
    texts = page_texts(pdf)
    pages = [i + 1 for i, t in enumerate(texts) if any(f[2] in normal(t) for f in FILMS)]
    assert pages
    for number in pages:
        folder = tmp_path / f"p{number}"
        folder.mkdir()
        [png] = pages_as_png(pdf, folder, number, number)
        assert notdef_boxes(png) == [], (number, png)
