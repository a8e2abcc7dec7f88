"""`programme preflight`: findings a designer can act on, from poppler and qpdf."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pikepdf
import pytest

from .conftest import run_cli
from .printkit import numbered_pdf, replace_image, small_project


@pytest.fixture(scope="module")
def low_res(tmp_path_factory):
    """A small project whose Rust and Bone stills are too small: one badly, one a little."""
    root = tmp_path_factory.mktemp("lowres")
    content = small_project(root)
    replace_image(content, "rust-and-bone-1.jpg", (200, 133))   # the lead still: ~65 ppi
    replace_image(content, "rust-and-bone-2.jpg", (400, 267))   # a gallery still: ~170 ppi
    out = root / "brochure.pdf"
    result = run_cli("build", content, "-o", out)
    assert result.returncode == 0, result.stderr
    return out, result.stderr


@pytest.mark.slow
def test_build_reports_low_resolution_stills_with_the_film_file(low_res):
    _, stderr = low_res
    lines = [line for line in stderr.splitlines() if "ppi at its placed size" in line]
    assert len(lines) == 2, stderr
    lead = next(line for line in lines if "rust-and-bone-1.jpg" in line)
    # file:line: warning: field: message – the line of the film file that names the still
    assert re.search(r"films/rust-and-bone\.yaml:\d+: warning: stills\[0\]\.file: ", lead), lead
    assert "200 × 133 pixels" in lead and "needs" in lead
    gallery = next(line for line in lines if "rust-and-bone-2.jpg" in line)
    assert "stills[1].file" in gallery
    # the other film's stills are fine
    assert "undertow" not in "\n".join(lines)


@pytest.mark.slow
def test_preflight_names_the_film_and_file_of_low_resolution_images(low_res):
    path, _ = low_res
    result = run_cli("preflight", path)
    assert result.returncode == 1, result.stdout  # under 150 ppi is an error
    text = result.stdout
    error = next(line for line in text.splitlines()
                 if line.startswith("error:") and "rust-and-bone-1.jpg" in line)
    assert "Rust and Bone" in error and "films/rust-and-bone.yaml" in error
    assert re.search(r"is \d+ ppi at its placed size", error)
    warning = next(line for line in text.splitlines()
                   if line.startswith("warning:") and "rust-and-bone-2.jpg" in line)
    assert "films/rust-and-bone.yaml" in warning
    assert "Not ready for press" in text


@pytest.mark.slow
def test_preflight_json_for_machines(low_res):
    path, _ = low_res
    result = run_cli("preflight", path, "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["press"] is False
    images = [f for f in report["findings"] if f["check"] == "images"]
    by_file = {Path(f["image"]).name: f for f in images}
    assert set(by_file) == {"rust-and-bone-1.jpg", "rust-and-bone-2.jpg"}
    assert by_file["rust-and-bone-1.jpg"]["severity"] == "error"
    assert by_file["rust-and-bone-2.jpg"]["severity"] == "warning"
    for finding in images:
        assert finding["film"].endswith("films/rust-and-bone.yaml")
        assert finding["title"] == "Rust and Bone"
        assert finding["page"] >= 1
    assert report["checks"]["images"]["status"] == "ERROR"


@pytest.mark.slow
def test_unembedded_font_fails_preflight(tmp_path):
    pdf = numbered_pdf(tmp_path / "helvetica.pdf", 4)
    result = run_cli("preflight", pdf)
    assert result.returncode == 1
    line = next(line for line in result.stdout.splitlines()
                if line.startswith("error:") and "not embedded" in line)
    assert line.startswith("error: page 1: fonts: font Helvetica")
    report = json.loads(run_cli("preflight", pdf, "--json").stdout)
    fonts = [f for f in report["findings"] if f["check"] == "fonts"]
    assert fonts and fonts[0]["severity"] == "error"
    assert report["checks"]["fonts"]["status"] == "ERROR"


@pytest.mark.slow
def test_page_count_and_missing_boxes(tmp_path):
    pdf = numbered_pdf(tmp_path / "six.pdf", 6)
    with pikepdf.open(pdf, allow_overwriting_input=True) as doc:
        del doc.pages[2].obj["/TrimBox"]
        doc.save(pdf)
    report = json.loads(run_cli("preflight", pdf, "--json").stdout)
    pages = [f for f in report["findings"] if f["check"] == "pages"]
    assert pages and "6 pages is not a multiple of 4" in pages[0]["message"]
    boxes = [f for f in report["findings"] if f["check"] == "boxes"]
    assert any(f["page"] == 3 and "no TrimBox" in f["message"] for f in boxes)
    # one page with another trim size
    assert report["pages"] == 6
    assert run_cli("preflight", pdf, "--signature", "2", "--json").returncode == 1  # font still


@pytest.mark.slow
def test_rgb_slipped_into_a_press_file_is_an_error(tmp_path):
    content = small_project(tmp_path)
    out = tmp_path / "press.pdf"
    result = run_cli("build", content, "--press", "-o", out)
    assert result.returncode == 0, result.stderr
    assert run_cli("preflight", out).returncode == 0
    with pikepdf.open(out, allow_overwriting_input=True) as pdf:  # what a careless edit does
        page = pdf.pages[1]
        page.contents_add(pdf.make_stream(b"q 1 0 0 rg 10 10 50 50 re f Q"), prepend=False)
        pdf.save(out)
    result = run_cli("preflight", out)
    assert result.returncode == 1
    assert re.search(r"error: page 2: colour: text or shapes coloured in RGB", result.stdout)


def test_broken_file_fails_structure_check(tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.6\nthis is not a PDF at all\n")
    result = run_cli("preflight", bad, "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["checks"]["structure"]["status"] == "ERROR"


def test_missing_file_is_a_usage_error(tmp_path):
    result = run_cli("preflight", tmp_path / "nothing.pdf")
    assert result.returncode == 2
    assert "does not exist" in result.stderr
