"""Fast builds (issue 7): the brochure laid out in parts, in parallel, cached, and joined.

The reference is the same brochure laid out as one WeasyPrint document
(``build --one-document``): the parts build must give the same pages, the same text on
every page, the same page boxes, bookmarks, named destinations and links.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageChops

from .conftest import run_cli
from .pdfcheck import boxes, destinations, fonts, links, outline, page_texts
from programme import parts
from programme.build import build_pdf
from programme.press import Production

REPO = Path(__file__).resolve().parent.parent


def _build(project: Path, out: Path, **options):
    return build_pdf(project / "content", out, production=Production(), **options)


def _own_layout(project: Path, name: str = "brochure") -> Path:
    """A copy of the brochure layout in the project, with the fonts its CSS imports."""
    layout = project / "layouts" / name
    shutil.copytree(REPO / "layouts" / "brochure", layout)
    if not (project / "fonts").exists():
        shutil.copytree(REPO / "fonts", project / "fonts")
    return layout


def _same_document(a: Path, b: Path) -> None:
    assert page_texts(a) == page_texts(b)
    assert boxes(a) == boxes(b)
    assert outline(a) == outline(b)
    assert destinations(a) == destinations(b)
    assert [(l["page"], l["dest"]) for l in links(a)] == [(l["page"], l["dest"]) for l in links(b)]


@pytest.fixture(scope="module")
def one_document(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("one") / "one.pdf"
    result = run_cli("build", REPO / "content", "-o", out, "--one-document", "-q")
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.slow
def test_parts_build_is_the_one_document_build(one_document, project, tmp_path):
    out = tmp_path / "parts.pdf"
    result = _build(project, out, in_parts=True, jobs=2, use_cache=False)
    parts_built = result.parts
    assert parts_built is not None, "the brochure layout builds in parts"
    # front, 4 sections, 4 back-matter pages, fillers
    assert len(parts_built.rendered) == 10 and parts_built.cached == []
    _same_document(one_document, out)
    assert {f["name"].split("+", 1)[1] for f in fonts(out)} <= {
        f["name"].split("+", 1)[1] for f in fonts(one_document)}
    assert all(f["emb"] == "yes" for f in fonts(out))
    # each part embeds its own font subsets, nothing else is repeated
    assert out.stat().st_size < 1.15 * one_document.stat().st_size
    # and it looks the same: every page, pixel for pixel at 100 dpi (0.25 mm is a pixel)
    for pdf, stem in ((one_document, "one"), (out, "parts")):
        subprocess.run(["pdftoppm", "-png", "-r", "100", str(pdf), str(tmp_path / stem)],
                       check=True)
    pictures = sorted(tmp_path.glob("one-*.png"))
    assert len(pictures) == len(page_texts(out))
    for picture in pictures:
        other = picture.with_name(picture.name.replace("one-", "parts-"))
        difference = ImageChops.difference(Image.open(picture).convert("RGB"),
                                           Image.open(other).convert("RGB"))
        assert difference.getbbox() is None, f"{picture.name} differs"


@pytest.mark.slow
def test_one_process_gives_the_same_document(project, tmp_path):
    two = _build(project, tmp_path / "two.pdf", in_parts=True, jobs=2, use_cache=False)
    one = _build(project, tmp_path / "one.pdf", in_parts=True, jobs=1, use_cache=False)
    assert one.parts is not None and two.parts is not None
    _same_document(tmp_path / "one.pdf", tmp_path / "two.pdf")


def _section_of(project: Path, slug: str) -> str:
    import yaml

    return "section-" + yaml.safe_load((project / "content" / "films" / f"{slug}.yaml")
                                       .read_text(encoding="utf-8"))["section"]


@pytest.mark.slow
def test_rebuild_after_one_edit_lays_out_only_that_part(project, tmp_path):
    out = tmp_path / "brochure.pdf"
    first = _build(project, out, in_parts=True, jobs=2)
    assert first.parts.cached == []
    film = project / "content" / "films" / "rust-and-bone.yaml"
    text = film.read_text(encoding="utf-8")
    assert "Audiard" in text
    film.write_text(text.replace("Audiard", "Audiardo", 1), encoding="utf-8")
    second = _build(project, out, in_parts=True, jobs=2)
    assert second.parts.rendered == [_section_of(project, "rust-and-bone")]
    assert len(second.parts.cached) == len(first.parts.rendered) - 1
    assert any("Audiardo" in page for page in page_texts(out))
    # the cached build is the document a fresh one-document build gives
    _build(project, tmp_path / "fresh.pdf", in_parts=False)
    _same_document(tmp_path / "fresh.pdf", out)
    # nothing changed: nothing is laid out, and the file, which holds this brochure
    # already, is kept as it is (not joined or written again)
    written = out.read_bytes()
    third = _build(project, out, in_parts=True, jobs=2)
    assert third.parts.rendered == [] and third.unchanged
    assert out.read_bytes() == written
    # a file that is not the one written (damaged, or another PDF) is written again
    out.write_bytes(written[:-100])
    fourth = _build(project, out, in_parts=True, jobs=2)
    assert fourth.parts.rendered == [] and not fourth.unchanged
    assert page_texts(out) == page_texts(tmp_path / "fresh.pdf")
    # another output file, or other metadata, is another brochure
    other = tmp_path / "other.pdf"
    assert not _build(project, other, in_parts=True, jobs=2).unchanged
    assert _build(project, other, in_parts=True, jobs=2).unchanged
    assert not _build(project, other, in_parts=True, jobs=2, subject="Another").unchanged


@pytest.mark.slow
def test_a_longer_film_renumbers_the_parts_after_it(project, tmp_path):
    out = tmp_path / "brochure.pdf"
    first = _build(project, out, in_parts=True, jobs=2)
    before = destinations(out)
    film = project / "content" / "films" / "rust-and-bone.yaml"
    text = film.read_text(encoding="utf-8")
    long = " ".join(["A sentence that makes the review much longer than it was."] * 60)
    film.write_text(text.replace("review:\n  text: >-\n", f"review:\n  text: >-\n    {long}\n",
                                 1), encoding="utf-8")
    second = _build(project, out, in_parts=True, jobs=2)
    after = destinations(out)
    section = _section_of(project, "rust-and-bone")
    assert section in second.parts.rendered and "front" in second.parts.rendered
    grown = second.pages - first.pages
    assert after["index-titles"] > before["index-titles"] or grown > 0
    _build(project, tmp_path / "fresh.pdf", in_parts=False)
    _same_document(tmp_path / "fresh.pdf", out)


@pytest.mark.slow
def test_replacing_a_still_lays_its_section_out_again(project, tmp_path):
    out = tmp_path / "brochure.pdf"
    _build(project, out, in_parts=True, jobs=2)
    images = project / "content" / "images"
    still = sorted(images.glob("*.jpg"))[0]
    with Image.open(still) as image:
        image.transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(still, quality=90)
    again = _build(project, out, in_parts=True, jobs=2)
    assert again.parts.rendered, "a changed image file is not a cache hit"
    assert again.parts.resumed == {}, "nor a part to resume: its HTML is the same"


@pytest.mark.slow
def test_layout_files_are_part_of_the_cache_key(project, tmp_path):
    layout = _own_layout(project)
    out = tmp_path / "brochure.pdf"
    _build(project, out, in_parts=True, jobs=2, layout=str(layout))
    css = layout / "style.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.byline { color: #333; }\n",
                   encoding="utf-8")
    again = _build(project, out, in_parts=True, jobs=2, layout=str(layout))
    assert again.parts.cached == []


@pytest.mark.slow
def test_a_layout_without_parts_is_built_as_one_document(project, tmp_path):
    layout = _own_layout(project, "plain")
    index = layout / "index.html"
    # no part() calls left: each becomes an expression that is always true
    index.write_text(index.read_text(encoding="utf-8").replace("part(", "(true or "),
                     encoding="utf-8")
    result = _build(project, tmp_path / "plain.pdf", in_parts=True, jobs=2,
                    layout=str(layout))
    assert result.parts is None and result.one_document == "the layout marks no parts"
    assert result.pages == len(page_texts(tmp_path / "plain.pdf"))


@pytest.mark.slow
def test_an_error_in_a_part_keeps_the_last_good_pdf(project, tmp_path):
    layout = _own_layout(project)
    out = tmp_path / "brochure.pdf"
    _build(project, out, in_parts=True, jobs=2, layout=str(layout))
    good = out.read_bytes()
    css = layout / "style.css"
    css.write_text(css.read_text(encoding="utf-8")
                   + '\n.film { background: url("http://example.com/x.png"); }\n',
                   encoding="utf-8")
    result = run_cli("build", project / "content", "-o", out, "--layout", layout, "-q")
    assert result.returncode == 1
    assert "refused to load http://example.com/x.png" in result.stderr
    assert "Traceback" not in result.stderr
    assert out.read_bytes() == good


@pytest.mark.slow
def test_cli_reports_parts_and_cache(project, tmp_path):
    out = tmp_path / "b.pdf"
    first = run_cli("build", project / "content", "-o", out, "-q", "--jobs", "2")
    assert first.returncode == 0, first.stderr
    assert "10 of 10 parts laid out, 0 from the cache" in first.stdout
    second = run_cli("build", project / "content", "-o", out, "-q")
    assert "0 of 10 parts laid out, 10 from the cache" in second.stdout
    assert (project / ".programme-cache").is_dir()
    third = run_cli("build", project / "content", "-o", out, "-q", "--no-cache")
    assert "10 of 10 parts laid out" in third.stdout
    bad = run_cli("build", project / "content", "-o", out, "--jobs", "0")
    assert bad.returncode == 2 and "--jobs" in bad.stderr


# ------------------------------------------------------------------ the pieces on their own
# (late paging, moving a part to the other side, cffi arrays: tests/test_engine.py)


@pytest.mark.slow
def test_stand_ins_are_dropped_and_links_kept(project, tmp_path):
    out = tmp_path / "b.pdf"
    result = _build(project, out, in_parts=True, jobs=2, use_cache=False)
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == result.pages
    texts = page_texts(out)
    assert not any("programme-stand-in" in t for t in texts)
    dests = destinations(out)
    every = links(out)
    assert every and all(link["dest"] in dests for link in every)
    # a contents link lands on its section's opener
    assert dests["section-gala"] == next(i for i, t in enumerate(texts, 1)
                                         if t.strip().startswith("Galas"))


def test_part_prepare_places_the_first_page_on_the_asked_side():
    html = "<html><head></head><body><p>x</p></body></html>"
    for lead in (True, False):
        for side in ("left", "right"):
            prepared = parts.prepare("t", html, {"a": 3}, side, lead)
            assert (prepared.lead, prepared.trail) == ((1, 0) if lead else (0, 1))
            root = prepared.html.split("html { break-before: ")[1].split(" ")[0]
            # one stand-in page before: the root starts on the other side
            assert root == ({"left": "right", "right": "left"}[side] if lead else side)
    bare = parts.prepare("t", html, {}, "left", True)
    assert (bare.lead, bare.trail) == (0, 0) and "programme-stand-in\"" not in bare.html
    with pytest.raises(ValueError):
        parts.prepare("t", "<p>no head</p>", {"a": 1}, "left", True)


def test_progress_line_counts_parts():
    import io
    import logging

    from programme.progress import showing_progress

    stream = io.StringIO()
    with showing_progress(True, delay=0, stream=stream):
        logging.getLogger("programme.progress").info("parts %d of %d", 3, 16)
    assert "laid out 3 of 16 parts" in stream.getvalue()


def test_font_coverage_is_cached_per_font_folder(tmp_path):
    from programme import glyphs

    fonts = tmp_path / "fonts"
    fonts.mkdir()
    shutil.copy(REPO / "fonts" / "NotoSans-Regular.ttf", fonts)
    first = glyphs.coverage([fonts])
    cached = list((tmp_path / ".programme-cache" / "cmaps").glob("*.json"))
    assert len(cached) == 1 and ord("é") in first
    glyphs._cmap.cache_clear()
    assert glyphs.coverage([fonts]) == first
    # a new font in the folder is a new key: its glyphs count
    shutil.copy(REPO / "fonts" / "NotoSansHebrew-Regular.ttf", fonts)
    assert ord("א") in glyphs.coverage([fonts]) and ord("א") not in first


@pytest.mark.slow
def test_an_image_in_several_parts_is_embedded_once(project, tmp_path):
    """The same still in two sections: two parts embed it, the join keeps one copy."""
    import yaml

    films = project / "content" / "films"
    by_section: dict[str, Path] = {}
    for path in sorted(films.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data.get("stills"):
            by_section.setdefault(data["section"], path)
    first, second = list(by_section.values())[:2]
    still = yaml.safe_load(first.read_text(encoding="utf-8"))["stills"][0]["file"]
    other = yaml.safe_load(second.read_text(encoding="utf-8"))["stills"][0]["file"]
    second.write_text(second.read_text(encoding="utf-8").replace(other, still),
                      encoding="utf-8")
    out = tmp_path / "b.pdf"
    _build(project, out, in_parts=True, jobs=2, use_cache=False)
    one = tmp_path / "one.pdf"
    _build(project, one, in_parts=False)

    def unique_images(pdf: Path) -> int:
        rows = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True,
                              text=True, check=True).stdout.splitlines()[2:]
        return len({row.split()[10] for row in rows})

    assert unique_images(out) == unique_images(one)


@pytest.mark.slow
def test_a_damaged_cache_is_a_miss(project, tmp_path):
    out = tmp_path / "b.pdf"
    first = _build(project, out, in_parts=True, jobs=2)
    for entry in (project / ".programme-cache").rglob("*.json"):
        entry.write_text('{"pages": "many", "unexpected": 1}', encoding="utf-8")
    again = _build(project, out, in_parts=True, jobs=2)
    assert sorted(again.parts.rendered) == sorted(first.parts.rendered)
    assert again.pages == first.pages


@pytest.mark.slow
def test_a_layout_printing_the_page_count_is_built_as_one_document(project, tmp_path):
    layout = _own_layout(project)
    css = layout / "style.css"
    css.write_text(css.read_text(encoding="utf-8").replace(
        "@bottom-left { content: counter(page);",
        '@bottom-left { content: counter(page) " of " counter(pages);'), encoding="utf-8")
    out = tmp_path / "b.pdf"
    result = _build(project, out, in_parts=True, jobs=2, layout=str(layout))
    assert result.parts is None and "counter(pages)" in result.one_document
    total = len(page_texts(out))
    assert any(f" of {total}" in page for page in page_texts(out))


@pytest.mark.slow
def test_the_fork_server_reads_the_document_language_of_the_last_build(project, tmp_path):
    import json

    from programme.fastbuild.server import _languages_used

    _build(project, tmp_path / "brochure.pdf", in_parts=True, jobs=1)
    used = json.loads((project / ".programme-cache" / "languages.json").read_text())
    assert used == ["en"] and _languages_used(project) == ["en"]
    (project / ".programme-cache" / "languages.json").write_text('["en", "../../x", 3]')
    assert _languages_used(project) == ["en"]
