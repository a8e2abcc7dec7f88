"""URLs that WeasyPrint fetches while drawing (attachments, images inside SVG images) go
through the same fetcher as layout: a refused one fails the build, naming the URL, and the
last PDF is kept."""

from __future__ import annotations

import shutil

import pytest

from .conftest import EXAMPLE, REPO, run_cli

pytestmark = pytest.mark.slow


@pytest.fixture
def hostile_layout(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "content")
    shutil.copytree(REPO / "fonts", tmp_path / "fonts")
    shutil.copytree(REPO / "layouts" / "brochure", tmp_path / "layouts" / "brochure")
    logo = tmp_path / "layouts" / "brochure" / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20">'
                    '<image href="http://127.0.0.1:9/x.png" width="10" height="10"/></svg>')
    index = tmp_path / "layouts" / "brochure" / "index.html"
    text = index.read_text(encoding="utf-8")
    index.write_text(text.replace(
        "<head>", '<head>\n<link rel="attachment" href="file:///etc/hostname" title="x">\n'
        '<style>body { background: url(logo.svg) no-repeat -50px -50px }</style>', 1),
        encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("mode", [["--one-document"], []])
def test_urls_refused_while_drawing_fail_the_build(hostile_layout, mode):
    out = hostile_layout / "out.pdf"
    out.write_bytes(b"%PDF-1.7 the last good one")
    done = run_cli("build", hostile_layout / "content", "-o", out, "-q", *mode)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "refused to load file:///etc/hostname: outside the project folder" in done.stderr
    assert "refused to load http://127.0.0.1:9/x.png" in done.stderr
    assert "Traceback" not in done.stderr
    assert out.read_bytes() == b"%PDF-1.7 the last good one"


def test_a_missing_fonts_folder_is_called_missing(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "content")
    shutil.copytree(REPO / "layouts" / "brochure", tmp_path / "layouts" / "brochure")
    done = run_cli("build", tmp_path / "content", "-o", tmp_path / "b.pdf", "-q",
                   "--one-document")
    assert done.returncode == 1
    assert "fonts/fonts.css: no such file" in done.stderr, done.stderr
    assert "outside the project" not in done.stderr
