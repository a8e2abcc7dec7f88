"""Nothing is fetched from the network or read outside the project; failed builds keep the old PDF."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from programme.fetcher import ProjectFetcher, RefusedURL
from programme.markup import inline, paragraphs

from .conftest import REPO, run_cli
from .pdfcheck import page_texts


@pytest.fixture
def fetcher(tmp_path):
    (tmp_path / "inside.css").write_text("p { color: red }")
    return ProjectFetcher([tmp_path])


def test_fetcher_refuses_files_outside_the_project(fetcher):
    with pytest.raises(RefusedURL):
        fetcher.fetch("file:///etc/passwd")
    assert fetcher.refused and "outside the project" in fetcher.refused[-1][1]


@pytest.mark.parametrize("url", ["http://example.com/style.css", "https://example.com/font.ttf",
                                 "ftp://example.com/x.png"])
def test_fetcher_refuses_the_network(fetcher, url):
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    assert "no network" in fetcher.refused[-1][1]


def test_fetcher_refuses_traversal_and_symlinks(fetcher, tmp_path):
    with pytest.raises(RefusedURL):
        fetcher.fetch((tmp_path / ".." / ".." / "etc" / "passwd").as_uri().replace("/etc", "/../etc"))
    link = tmp_path / "link.css"
    link.symlink_to("/etc/passwd")
    with pytest.raises(RefusedURL):
        fetcher.fetch(link.as_uri())


def test_fetcher_serves_project_files(fetcher, tmp_path):
    response = fetcher.fetch((tmp_path / "inside.css").as_uri())
    assert response.read() == b"p { color: red }"


def layout_copy(project: Path) -> Path:
    layout = project / "layouts" / "mine"
    shutil.copytree(REPO / "layouts" / "brochure", layout)
    shutil.copytree(REPO / "fonts", project / "fonts")
    return layout


@pytest.mark.parametrize("snippet", [
    '<img src="file:///etc/passwd">',
    '<link rel="stylesheet" href="http://example.com/evil.css">',
    '<style>@import url("https://example.com/x.css");</style>',
])
@pytest.mark.slow
def test_layout_that_reaches_out_fails_the_build(project, snippet):
    layout = layout_copy(project)
    index = layout / "index.html"
    index.write_text(index.read_text().replace("</head>", snippet + "</head>"))
    result = run_cli("build", "content", "-o", "out.pdf", "--layout", layout, cwd=project)
    assert result.returncode == 1, result.stderr
    assert "refused to load" in result.stderr and "Traceback" not in result.stderr
    assert not (project / "out.pdf").exists()


@pytest.mark.slow
def test_copied_layout_is_used(project):
    layout = layout_copy(project)
    (layout / "style.css").write_text((layout / "style.css").read_text()
                                      + "\n.film-title::after { content: ' (mine)'; }\n")
    out = project / "mine.pdf"
    result = run_cli("build", "content", "-o", out, "--layout", "mine", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "Rust and Bone (mine)" in "".join(page_texts(out))


@pytest.mark.slow
def test_failed_build_keeps_the_last_good_pdf(project):
    out = project / "out" / "brochure.pdf"
    first = run_cli("build", "content", "-o", out, cwd=project)
    assert first.returncode == 0, first.stderr
    good = hashlib.sha256(out.read_bytes()).hexdigest()
    stamp = out.stat().st_mtime_ns
    film = project / "content" / "films" / "rust-and-bone.yaml"
    film.write_text(film.read_text().replace("runtime: 120", "runtime: two hours"))
    second = run_cli("build", "content", "-o", out, cwd=project)
    assert second.returncode == 1
    assert hashlib.sha256(out.read_bytes()).hexdigest() == good
    assert out.stat().st_mtime_ns == stamp
    assert [p.name for p in out.parent.iterdir()] == ["brochure.pdf"]  # no temporary left over


@pytest.mark.slow
def test_template_error_is_located(project):
    layout = layout_copy(project)
    film = layout / "film.html"
    lines = film.read_text().splitlines()
    lines.insert(3, "{{ film.no_such_field }}")
    film.write_text("\n".join(lines))
    result = run_cli("build", "content", "-o", "out.pdf", "--layout", layout, cwd=project)
    assert result.returncode == 1
    assert "layouts/mine/film.html:4:" in result.stderr and "no_such_field" in result.stderr
    assert "Traceback" not in result.stderr


def test_content_html_is_text_not_markup():
    html = str(inline('<script>alert(1)</script> *A Prophet* and **bold** <img src="x">'))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<em>A Prophet</em>" in html and "<strong>bold</strong>" in html
    assert "&lt;img" in html
    assert str(paragraphs("One.\nTwo.")) == "<p>One.</p>\n<p>Two.</p>\n"
    assert "<br>" in str(inline("line one\\\nline two"))
    assert str(inline("5 * 3 = 15, 2*x")) == "5 * 3 = 15, 2*x"


def test_cli_version_and_help():
    assert re.match(r"programme \S+ \(WeasyPrint 70\.\S+, Pango \S+, HarfBuzz \S+\)\n$",
                    run_cli("--version").stdout)
    for command in ([], ["build"], ["validate"]):
        result = run_cli(*command, "--help")
        assert result.returncode == 0 and "Usage:" in result.stdout
