"""`programme build --press`: PDF/X-4 in CMYK, read back with pikepdf and poppler."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pikepdf
import pytest
from PIL import Image

from programme.loader import load_content
from programme.preflight import find_rgb

from .conftest import EXAMPLE, REPO, run_cli
from .pdfcheck import boxes, fonts, images, page_texts
from .printkit import MM, small_project

pytestmark = pytest.mark.slow  # every test builds a brochure

PROFILE = REPO / "layouts" / "brochure" / "press" / "FOGRA39-programme.icc"


@pytest.fixture(scope="module")
def press(tmp_path_factory):
    """The example brochure built for the press through the real command line."""
    out = tmp_path_factory.mktemp("press") / "brochure-press.pdf"
    result = run_cli("build", EXAMPLE, "--press", "-o", out)
    assert result.returncode == 0, result.stderr
    return out, result.stderr


def test_pdfx4_identification_and_cmyk_output_intent(press):
    path, _ = press
    with pikepdf.open(path) as pdf:
        assert pdf.pdf_version == "1.6"
        with pdf.open_metadata() as xmp:
            assert xmp["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
        assert str(pdf.docinfo["/Trapped"]) == "/False"
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1
        intent = intents[0]
        assert intent.S == pikepdf.Name.GTS_PDFX
        assert str(intent.OutputConditionIdentifier) == "FOGRA39"
        assert str(intent.RegistryName) == "http://www.color.org"
        profile = intent.DestOutputProfile
        assert int(profile.N) == 4
        assert profile.read_bytes() == PROFILE.read_bytes()  # the shipped profile, embedded


def test_trim_and_bleed_boxes_on_every_page(press):
    path, _ = press
    found = boxes(path)
    assert found
    for number, box in enumerate(found, 1):
        x0, y0, x1, y1 = box["TrimBox"]
        assert (x1 - x0, y1 - y0) == pytest.approx((148 * MM, 210 * MM), abs=0.05), number
        bx0, by0, bx1, by1 = box["BleedBox"]
        # at least the 3 mm bleed (WeasyPrint writes 10 pt, 3.5 mm, for the press build’s 13 mm
        # CSS bleed, which leaves room for crop marks outside it)
        for bleed in (x0 - bx0, y0 - by0, bx1 - x1, by1 - y1):
            assert 3 * MM - 0.05 <= bleed <= 10.05, number  # at most 10 pt
        mx0, my0, mx1, my1 = box["MediaBox"]
        assert mx0 < bx0 and my0 < by0 and mx1 > bx1 and my1 > by1, number


def test_page_count_padded_to_a_multiple_of_4_with_a_warning(press):
    path, stderr = press
    texts = page_texts(path)
    assert len(texts) % 4 == 0
    match = re.search(r"warning: added (\d+) filler pages? .*to make (\d+) pages, a multiple of 4",
                      stderr)
    assert match, stderr
    added, total = int(match.group(1)), int(match.group(2))
    assert total == len(texts) and 1 <= added <= 3
    # designed, never blank: the example's advert first, then notes pages
    fillers = texts[-added:]
    assert all(t.strip() for t in fillers)
    assert "Become a member" in fillers[0]
    assert all("Notes" in t for t in fillers[1:])


def test_no_device_rgb_left(press):
    path, stderr = press
    with pikepdf.open(path) as pdf:
        assert find_rgb(pdf) == []
        content = b"".join(page.obj.Contents.read_bytes() for page in pdf.pages)
    assert not re.search(rb"(^|\s)[\d.]+ [\d.]+ [\d.]+ (rg|RG)\b", content)
    # the layout's device-cmyk() ink colour reaches the PDF as given (press.css: K 90 %)
    assert b"/DeviceCMYK cs" in content and b"0 0 0 0.9 scn" in content
    # the content's section colours were converted, and the warning lists them
    assert "converted" in stderr and "#8c1c13 → device-cmyk(" in stderr


def test_stills_cmyk_at_full_resolution(press):
    path, _ = press
    content = load_content(EXAMPLE)
    found = [i for i in images(path) if i["type"] == "image"]
    assert len(found) >= sum(len(f.stills) for f in content.programme.films)
    for image in found:
        assert image["color"] == "cmyk", image
        assert (image["width"], image["height"]) == (1500, 1000), image  # not downsampled
        assert min(image["x_ppi"], image["y_ppi"]) >= 300, image


def test_cmyk_stills_look_like_their_sources(press):
    """Converted with the profile, not inverted or channel-swapped: compare mean colours."""
    path, _ = press
    with pikepdf.open(path) as pdf:
        xobject = next(x for page in pdf.pages for x in page.get_images().values())
        label = xobject.Metadata.read_bytes().decode()
        source = REPO / re.search(r"<dc:source>(.*?)</dc:source>", label).group(1)
        pil = pikepdf.PdfImage(xobject).as_pil_image()
    assert pil.mode == "CMYK"
    converted = pil.convert("RGB").resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    with Image.open(source) as original:
        expected = original.convert("RGB").resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    assert max(abs(a - b) for a, b in zip(converted, expected)) < 40, (converted, expected)


def test_fonts_embedded_and_subset(press):
    path, _ = press
    found = fonts(path)
    assert found and all(f["emb"] == "yes" and f["sub"] == "yes" for f in found), found


def test_crop_marks_sit_outside_the_bleed(press, tmp_path):
    path, _ = press
    texts = page_texts(path)
    number = next(i for i, t in enumerate(texts, 1) if "Director" in t)  # a white film page
    box = boxes(path)[number - 1]
    subprocess.run(["pdftoppm", "-r", "150", "-gray", "-f", str(number), "-l", str(number),
                    "-png", str(path), str(tmp_path / "page")], check=True)
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    px = 150 / 72  # pixels per point
    media, bleed, trim = box["MediaBox"], box["BleedBox"], box["TrimBox"]
    outside = round((bleed[0] - media[0]) * px) - 2   # from the sheet's edge to the bleed
    inside = round((trim[0] - media[0]) * px)         # to the trim
    region = lambda x0, y0, x1, y1: [image.getpixel((x, y)) for x in range(x0, x1)
                                     for y in range(y0, y1)]
    # the top left corner: marks between the sheet's edge and the bleed, on the trim lines
    assert min(region(0, 0, outside, inside + 2)) < 128
    # nothing in the bleed of a white page, nor inside the trim near the corner
    assert min(region(outside + 4, outside + 4, inside - 2, inside - 2)) > 200
    assert min(region(inside + 2, inside + 2, inside + 40, inside + 40)) > 200
    w, h = image.size
    assert min(region(w - outside, h - inside - 2, w, h)) < 128    # bottom right too


def test_preflight_passes_the_press_build(press):
    path, _ = press
    result = run_cli("preflight", path, "--json")
    assert result.returncode == 0, result.stdout
    report = json.loads(result.stdout)
    assert report["ok"] and report["press"] and report["pdfx"] == "PDF/X-4"
    assert report["errors"] == 0
    assert all(c["status"] == "ok" for c in report["checks"].values()), report["checks"]


def test_signature_16_with_adverts_then_notes(tmp_path):
    content = small_project(tmp_path)
    festival = content / "festival.yaml"
    festival.write_text(festival.read_text(encoding="utf-8") + (
        "  - title: Friends of the festival\n"
        "    text: Our friends keep the festival going all year.\n"), encoding="utf-8")
    out = tmp_path / "out.pdf"
    result = run_cli("build", content, "--signature", "16", "-o", out)
    assert result.returncode == 0, result.stderr
    texts = page_texts(out)
    assert len(texts) % 16 == 0
    added = int(re.search(r"added (\d+) filler page", result.stderr).group(1))
    assert "a multiple of 16" in result.stderr
    fillers = texts[-added:]
    assert "Become a member" in fillers[0]
    if added > 1:
        assert "Friends of the festival" in fillers[1]
    assert all("Notes" in t for t in fillers[2:])
    assert all(t.strip() for t in texts)  # no page is blank


def test_press_build_without_press_css_fails_and_writes_nothing(tmp_path):
    content = small_project(tmp_path)
    layout = tmp_path / "layouts" / "plain"
    shutil.copytree(REPO / "layouts" / "brochure", layout)
    shutil.rmtree(layout / "press")
    out = tmp_path / "out.pdf"
    result = run_cli("build", content, "--press", "--layout", layout, "-o", out)
    assert result.returncode == 1
    assert "press/press.css" in result.stderr
    assert not out.exists()


def test_fillers_go_before_a_back_cover(tmp_path):
    content = small_project(tmp_path)
    layout = tmp_path / "layouts" / "backed"
    shutil.copytree(REPO / "layouts" / "brochure", layout)
    shutil.copytree(REPO / "fonts", tmp_path / "fonts")  # fonts.css: ../../fonts/
    index = layout / "index.html"
    index.write_text(index.read_text(encoding="utf-8").replace(
        '{% include "partials/filler-pages.html" %}',
        '{% include "partials/filler-pages.html" %}\n'
        '  <section id="back-cover" style="break-before: page">The back cover</section>'),
        encoding="utf-8")
    out = tmp_path / "out.pdf"
    result = run_cli("build", content, "--layout", layout, "-o", out)
    assert result.returncode == 0, result.stderr
    texts = page_texts(out)
    assert len(texts) % 4 == 0
    assert "The back cover" in texts[-1]
    added = int(re.search(r"added (\d+) filler page", result.stderr).group(1))
    assert "Become a member" in texts[-1 - added]
    assert all(t.strip() for t in texts)
