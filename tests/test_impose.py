"""`programme impose`: saddle-stitch sheets, read back with poppler."""

from __future__ import annotations

import re
import subprocess

import pikepdf
import pytest

from programme.impose import saddle_order

from .conftest import run_cli
from .pdfcheck import boxes, region_text
from .printkit import A5, MM, numbered_pdf, small_project

EXPECTED = {
    8: [(8, 1), (2, 7), (6, 3), (4, 5)],
    16: [(16, 1), (2, 15), (14, 3), (4, 13), (12, 5), (6, 11), (10, 7), (8, 9)],
}


def halves(pdf, side: int) -> tuple[int, int]:
    """The page numbers printed on the left and right halves of a sheet side (1-based)."""
    w, h = A5
    found = []
    for x in (0, w):
        text = region_text(pdf, side, x, 0, w, h)
        found.append(int(re.search(r"Page (\d+)", text).group(1)))
    return tuple(found)


@pytest.mark.parametrize("n", [8, 16])
def test_saddle_stitch_page_order(tmp_path, n):
    booklet = numbered_pdf(tmp_path / "booklet.pdf", n)
    out = tmp_path / "sheets.pdf"
    result = run_cli("impose", booklet, "-o", out)
    assert result.returncode == 0, result.stderr
    assert f"{n // 4} sheets, {n // 2} sides of 297 × 210 mm" in result.stdout
    assert saddle_order(n) == EXPECTED[n]
    sides = [halves(out, side) for side in range(1, n // 2 + 1)]
    assert sides == EXPECTED[n]
    # every page once; each sheet side is A4 landscape, exactly, with the two A5 pages in
    # its middle (the trim box)
    assert sorted(p for side in sides for p in side) == list(range(1, n + 1))
    for box in boxes(out):
        x0, y0, x1, y1 = box["MediaBox"]
        assert (x0, y0, x1 - x0, y1 - y0) == pytest.approx((0, 0, 297 * MM, 210 * MM), abs=0.01)
        tx0, ty0, tx1, ty1 = box["TrimBox"]
        assert (tx1 - tx0, ty1 - ty0) == pytest.approx((2 * A5[0], A5[1]), abs=0.05)
        assert tx0 == pytest.approx(0.5 * MM, abs=0.01) and ty0 == pytest.approx(0, abs=0.01)
    # folded: the two pages on a side always add up to n + 1
    assert all(left + right == n + 1 for left, right in sides)


def word_x(pdf, side: int, word: str) -> list[float]:
    """x positions (pt) of a word on a sheet side, from pdftotext -bbox."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(side), "-l", str(side), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return [float(m.group(1)) for m in re.finditer(
        r'<word xMin="([\d.]+)"[^>]*>' + re.escape(word) + "</word>", html)]


def test_creep_shifts_inner_pages_toward_the_spine(tmp_path):
    booklet = numbered_pdf(tmp_path / "booklet.pdf", 16)
    flat, crept = tmp_path / "flat.pdf", tmp_path / "crept.pdf"
    assert run_cli("impose", booklet, "-o", flat).returncode == 0
    assert run_cli("impose", booklet, "-o", crept, "--creep", "1.4").returncode == 0
    # "Page" appears twice per side: left page first, right page second (by x)
    for side, expected_mm in ((1, 0.0), (3, 1.4 / 3), (7, 1.4), (8, 1.4)):
        before, after = sorted(word_x(flat, side, "Page")), sorted(word_x(crept, side, "Page"))
        assert after[0] - before[0] == pytest.approx(expected_mm * MM, abs=0.3), side  # left: →
        assert before[1] - after[1] == pytest.approx(expected_mm * MM, abs=0.3), side  # right: ←


def test_not_a_multiple_of_4_is_refused(tmp_path):
    booklet = numbered_pdf(tmp_path / "six.pdf", 6)
    out = tmp_path / "sheets.pdf"
    result = run_cli("impose", booklet, "-o", out)
    assert result.returncode == 1
    assert "6 pages is not a multiple of 4" in result.stderr
    assert not out.exists()


@pytest.mark.slow
def test_impose_a_built_brochure(tmp_path):
    content = small_project(tmp_path)
    built = tmp_path / "brochure.pdf"
    assert run_cli("build", content, "-o", built).returncode == 0
    result = run_cli("impose", built)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "brochure-imposed.pdf"
    with pikepdf.open(built) as source, pikepdf.open(out) as sheets:
        assert len(sheets.pages) == len(source.pages) // 2
    subprocess.run(["qpdf", "--check", str(out)], check=True, capture_output=True)
    # the cover is on the right of the first side, the last page on its left
    w, h = A5
    cover = region_text(out, 1, 0.5 * MM + w, 0, w, h)
    assert "Northbank" in cover


@pytest.mark.slow
def test_impose_the_press_pdf(tmp_path):
    """The documented path: build --press, preflight, impose. The output intent (a direct
    array in a PDF/X file) travels to the sheets."""
    content = small_project(tmp_path)
    built = tmp_path / "press.pdf"
    done = run_cli("build", content, "--press", "-o", built)
    assert done.returncode == 0, done.stderr
    assert run_cli("preflight", built).returncode == 0
    result = run_cli("impose", built)
    assert result.returncode == 0, result.stderr
    assert "sides of 297 × 210 mm" in result.stdout
    out = tmp_path / "press-imposed.pdf"
    subprocess.run(["qpdf", "--check", str(out)], check=True, capture_output=True)
    with pikepdf.open(built) as source, pikepdf.open(out) as sheets:
        assert len(sheets.pages) == len(source.pages) // 2
        intent = sheets.Root.OutputIntents[0]
        assert str(intent.S) == "/GTS_PDFX"
        assert len(intent.DestOutputProfile.read_bytes()) == len(
            source.Root.OutputIntents[0].DestOutputProfile.read_bytes())
    assert "Northbank" in region_text(out, 1, 0.5 * MM + A5[0], 0, A5[0], A5[1])
