"""Contract tests for programme/engine: every use of WeasyPrint's internals, on tiny
documents (2–4 pages), fast.

An upgrade of WeasyPrint means reviewing programme/engine/ and this file: each test here
pins one thing the engine expects of WeasyPrint's internals. If one fails on a new
release, the fast paths stay off for it (engine.TESTED) until the hook is mended.
"""

from __future__ import annotations

import ast
import io
import re
import struct
import zlib
from pathlib import Path

import pikepdf
import pytest

from programme import engine, parts
from programme.engine import boxes
from programme.engine.hooks import (Furnisher, LatePaging, Recorder, Resumer, comparable,
                                    marked_drawing, page_box, side_of, why_not_resumable)
from programme.furniture import BACKGROUND, FURNITURE, renumber
from programme.resume import CannotResume, PageFacts, Record, changed_span, decode

from .pdfcheck import page_texts

REPO = Path(__file__).resolve().parents[1]

_STYLE = """
@page { size: A6; margin: 12mm 20mm 12mm 10mm; @bottom-center { content: counter(page) } }
@page :left { margin: 12mm 10mm 12mm 20mm; @top-left { content: "verso " counter(page) } }
@page :right { @top-right { content: "recto " counter(page) } }
h1 { string-set: head content(); font-size: 10pt }
section { break-after: page; }
"""


def _html(words=("alpha", "bravo", "charlie", "delta"), style=_STYLE, extra="") -> str:
    body = "".join(f'<section id="s{i}"><h1>Head {i}</h1><p>{word} text</p></section>'
                   for i, word in enumerate(words, 1))
    return f"<html><head><style>{style}</style></head><body>{extra}{body}</body></html>"


def _render(html: str, *hooks):
    from weasyprint import HTML

    import contextlib

    with contextlib.ExitStack() as stack:
        for hook in hooks:
            stack.enter_context(hook)
        return HTML(string=html).render()


def _texts(document) -> list[str]:
    buffer = io.BytesIO()
    document.write_pdf(buffer)
    path = Path(pytest.importorskip("tempfile").mkdtemp()) / "d.pdf"
    path.write_bytes(buffer.getvalue())
    return [" ".join(t.split()) for t in page_texts(path)]


def _record(html: str, start: int = 1):
    """A full layout with the recorder and late paging, as a fast-build worker does it."""
    paging = LatePaging(0, 0, side_of(start), lambda pages: start)
    recorder = Recorder()
    document = _render(html, paging.installed(), recorder.installed())
    starts = recorder.starts(len(document.pages))
    facts = [PageFacts(state, clear, sizes, list(page.anchors),
                       [[level, shown] for level, _, _, shown in page.bookmarks],
                       recorder.strings(index + 1), page_type=boxes.page_type_of(page))
             for index, (page, (state, clear, sizes)) in enumerate(zip(document.pages, starts))]
    record = Record(html, side_of(start), paging.moved, paging.start, "",
                    why_not_resumable(recorder.context, document.pages), facts)
    return document, record


# --------------------------------------------------------------------------- versions
def test_the_tested_release_is_the_installed_one_and_others_switch_fast_paths_off(monkeypatch):
    assert engine.weasyprint_version().split(".")[0] == engine.TESTED
    assert engine.fast_paths() == ""
    monkeypatch.setenv("PROGRAMME_ENGINE_VERSION", "71.0")
    assert "71.0" in engine.fast_paths() and "70.x" in engine.fast_paths()


def test_pyproject_pins_the_tested_series():
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(rf'"weasyprint>={engine.TESTED},<{int(engine.TESTED) + 1}"', text), \
        "pyproject.toml must pin weasyprint to the series engine.TESTED names"


def test_loading_weasyprint_quickly_opens_every_library_it_opens_slowly():
    """load_weasyprint answers ctypes.util.find_library at once during the import; the
    same libraries (HarfBuzz subsetting too, which WeasyPrint may do without) must open."""
    import subprocess
    import sys

    probe = ("import weasyprint.text.ffi as f; print(sorted(n for n in ('gobject', 'pango', "
             "'harfbuzz', 'harfbuzz_subset', 'fontconfig', 'pangoft2') "
             "if getattr(f, n, None) is not None))")
    quick = subprocess.run([sys.executable, "-c", "from programme.engine import load_weasyprint;"
                            " load_weasyprint(); " + probe], capture_output=True, text=True)
    slow = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert quick.returncode == 0 and slow.returncode == 0, quick.stderr + slow.stderr
    assert quick.stdout == slow.stdout and "harfbuzz_subset" in quick.stdout


# ------------------------------------------------------------------------------ boxes
def test_reading_pages_text_ids_types_and_strings():
    document = _render(_html())
    assert len(document.pages) == 4
    assert "bravo" in " ".join(boxes.texts(document.pages[1]))
    assert ("s2", []) in list(boxes.element_ids(document.pages[1]))
    assert [boxes.page_type_of(page)[0] for page in document.pages] == [
        "right", "left", "right", "left"]
    assert boxes.strings_of(boxes.page_box(document.pages[2])) == {"head": ["Head 3"]}


def test_measuring_film_entries_counts_pages_and_lines():
    review = " ".join(["word"] * 400)
    html = (f"<html><head><style>@page {{ size: A6 }}</style></head><body>"
            f'<div class="film" id="film-one"><p class="review">{review}</p></div>'
            f'<div class="film" id="film-two"><p class="review">short</p></div></body></html>')
    document = _render(html)
    extents, films_on_page = boxes.measure(document.pages, {"review"})
    pages, lines = extents["one"]["review"]
    assert len(pages) == len(document.pages) >= 2
    assert lines > 20
    assert extents["two"]["review"][1] == 1
    assert films_on_page[0] == ["one"] and "two" in films_on_page[-1]


def _png(width: int, height: int) -> bytes:
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    raw = b"".join(b"\0" + b"\x80\x20\x20" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                            0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_raster_images_with_their_pixels_and_drawn_size(tmp_path):
    (tmp_path / "still.png").write_bytes(_png(40, 20))
    html = ('<html><body><img src="still.png" style="width: 96px; height: 96px; '
            'object-fit: contain"><div style="width: 50px; height: 50px; '
            'background: url(still.png); background-size: 50px 25px"></div></body></html>')
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(tmp_path) + "/").render()
    found = boxes.raster_images(document.pages, (tmp_path / "x").as_uri())
    assert [(page, pixels, size) for page, _, _, pixels, size in found] == [
        (1, (40, 20), (96, 48)), (1, (40, 20), (50, 25))]
    assert found[0][2] == (tmp_path / "still.png").as_uri() and found[1][2] is None


def test_sizes_along_counts_children_on_the_path():
    document, record = _record(_html())
    assert record.pages[2].sizes and all(
        isinstance(index, int) for index, _ in record.pages[2].sizes)


# ----------------------------------------------------------------------------- arrays
def test_sized_cffi_arrays_are_made_as_unsized_ones():
    """WeasyPrint's cffi allocates sized arrays (``hb_codepoint_t[519]``); they are made
    as unsized arrays of that length (cffi parses each new type text once)."""
    from weasyprint.text.ffi import ffi

    from programme.engine.arrays import share_array_types

    share_array_types()
    array = ffi.new("hb_codepoint_t[3]", [7, 8, 9])
    assert list(array) == [7, 8, 9] and ffi.typeof(array) == ffi.typeof("hb_codepoint_t[]")
    assert len(ffi.new("char[4]")) == 4
    assert list(ffi.new("unsigned int[2]", [5])) == [5, 0]  # shorter: left as asked
    assert ffi.new("int *")[0] == 0


# ----------------------------------------------------------------------------- paging
_PAGES = """<html><head><style>
@page { size: A6; margin: 12mm 20mm 12mm 10mm; @bottom-center { content: counter(page) } }
@page :left { margin: 12mm 10mm 12mm 20mm; @top-left { content: "verso " counter(page) } }
@page :right { @top-right { content: "recto " counter(page) } }
p { break-after: page; }
a.ref::after { content: " p. " target-counter(attr(href url), page); }
</style></head><body><p>one <a class="ref" href="#far">far</a></p><p>two</p><p>three</p>
</body></html>"""


def _lay_out(html: str, start: int, first_side: str, lead: bool = True):
    part = parts.prepare("t", html, {"far": 41}, first_side, lead)
    asked = []
    paging = LatePaging(part.lead, part.trail, first_side,
                        lambda pages: asked.append(pages) or start)
    document = _render(part.html, paging.installed())
    own = document.pages[part.lead:part.lead + paging.pages]
    assert asked == [paging.pages]
    return document.copy(own), paging


@pytest.mark.parametrize("lead", [True, False])
def test_late_numbers_and_stand_in_references(tmp_path, lead):
    document, paging = _lay_out(_PAGES, 12, "left", lead)
    assert paging.pages == 3 and not paging.moved
    pdf = tmp_path / "part.pdf"
    document.write_pdf(pdf)
    texts = [" ".join(t.split()) for t in page_texts(pdf)]
    assert texts[0].startswith("verso 12") and "one far p. 41" in texts[0]
    assert "recto 13" in texts[1]
    assert "verso 14" in texts[2]


def test_a_part_laid_out_on_the_wrong_side_is_moved(tmp_path):
    """Laid out as if starting on a right page, then told it starts on page 12 (a left
    page): the pages must be the ones laid out on the left from the start."""
    from PIL import Image, ImageChops

    moved, paging = _lay_out(_PAGES, 12, "right")
    assert paging.moved
    direct, direct_paging = _lay_out(_PAGES, 12, "left")
    assert not direct_paging.moved
    import subprocess

    for document, name in ((moved, "moved"), (direct, "direct")):
        document.write_pdf(tmp_path / f"{name}.pdf")
        subprocess.run(["pdftoppm", "-png", "-r", "100", str(tmp_path / f"{name}.pdf"),
                        str(tmp_path / name)], check=True)
    pictures = sorted(tmp_path.glob("direct-*.png"))
    assert len(pictures) == 3
    for picture in pictures:
        other = picture.with_name(picture.name.replace("direct-", "moved-"))
        difference = ImageChops.difference(Image.open(picture).convert("RGB"),
                                           Image.open(other).convert("RGB"))
        assert difference.getbbox() is None, picture.name


def test_an_empty_page_box_is_sized_as_make_page_sizes_it():
    seen = {}

    class Watch(LatePaging):
        def __call__(self, context, page, state):
            from types import SimpleNamespace

            html = SimpleNamespace(etree_element=page.children[0].element, base_url=None)
            empty = page_box(context, html, page.page_type, page.style["overflow"])
            seen[context.current_page] = (empty.width, empty.height, empty.content_box_x(),
                                          empty.content_box_y(), page.width, page.height,
                                          page.content_box_x(), page.content_box_y())
            return super().__call__(context, page, state)

    _render(_html(("a", "b")), Watch(0, 0, "right", lambda pages: 1).installed())
    assert len(seen) == 2
    for values in seen.values():
        assert values[:4] == pytest.approx(values[4:])


# ---------------------------------------------------------------------------- drawing
def test_marked_drawing_marks_background_and_margin_boxes():
    document = _render(_html(("a", "b")))
    with marked_drawing():
        marked = document.write_pdf()
    plain = document.write_pdf()
    with pikepdf.open(io.BytesIO(marked)) as pdf:
        for page in pdf.pages:
            tags = [str(operands[0]) for operands, operator in
                    pikepdf.parse_content_stream(page) if str(operator) == "BMC"]
            assert f"/{BACKGROUND}" in tags and f"/{FURNITURE}" in tags
    with pikepdf.open(io.BytesIO(plain)) as pdf:
        assert not any(str(operator) == "BMC" for page in pdf.pages
                       for _, operator in pikepdf.parse_content_stream(page))


# ---------------------------------------------------------------- recording, resuming
def test_recorded_states_compare_without_the_page_number():
    _, record = _record(_html())
    assert record.resumable == "" and len(record.pages) == 4
    assert record.pages[0].page_type[0] == "right"
    state = decode(record.pages[1].start)
    again = (state[0], state[1], state[2], (state[3][0], {**state[3][1], "page": [99]},
                                            state[3][2], state[3][3]))
    assert comparable(state) == comparable(again)
    assert comparable(state) != comparable(decode(record.pages[2].start))
    assert record.pages[1].strings == {"head": ["Head 2"]}


def test_page_based_content_is_not_resumable():
    style = _STYLE + "a::after { content: target-counter(attr(href url), page) }"
    _, record = _record(_html(style=style, extra='<p><a href="#s3">x</a></p>'))
    assert "page-based" in record.resumable


def test_pages_printing_their_own_numbers_cannot_be_renumbered():
    """A renumbered part keeps its content: content that prints the part's own page
    numbers would go stale, so such a part is laid out again. References to other parts'
    anchors (stand-ins, numbered already) do not move with it."""
    from programme.engine.hooks import why_not_renumberable

    def reason(style, links, stand_ins=()):
        recorder = Recorder()
        _render(_html(style=_STYLE + style, extra=links), recorder.installed())
        return why_not_renumberable(recorder.context, stand_ins)

    refers = "a.ref::after { content: target-counter(attr(href url), page) }"
    assert reason("", "") == ""
    assert "own anchors" in reason(refers, '<p><a class="ref" href="#s3">x</a></p>')
    stand_in = '<div><a id="elsewhere" style="counter-reset: page 40"></a></div>'
    assert reason(refers, stand_in + '<p><a class="ref" href="#elsewhere">x</a></p>',
                  {"elsewhere": 40}) == ""
    assert "counters" in reason("p::after { content: counter(page) }", "")


def test_a_layout_resumed_from_the_changed_page_equals_a_fresh_one():
    old_html = _html()
    _, record = _record(old_html)
    new_html = _html(("alpha", "bravissimo", "charlie", "delta"))
    change = changed_span(old_html, new_html)
    assert (change.restart, change.resync) == ("s2", "s3")
    page_of = next(i for i, page in enumerate(record.pages) if change.restart in page.anchors)
    restart = max(page_of - 1, 0)
    paging = LatePaging(0, 0, record.side, lambda pages: 1)
    paging.start = 1
    resumer = Resumer(record, restart, change.resync, paging)
    resumed = _render(new_html, resumer.installed())
    fresh = _render(new_html)
    assert resumer.rejoined is not None and resumer.rejoined < 4
    new = _texts(resumed)
    assert len(new) == resumer.rejoined - restart
    assert new == _texts(fresh)[restart:resumer.rejoined]
    assert "bravissimo" in " ".join(new)


def test_a_resume_that_cannot_be_vouched_for_says_so():
    _, record = _record(_html())
    paging = LatePaging(0, 0, record.side, lambda pages: 7)  # its number changed
    resumer = Resumer(record, 0, "s3", paging)
    with pytest.raises(CannotResume):
        _render(_html(("alpha", "bravissimo", "charlie", "delta")), resumer.installed())


def test_furniture_of_recorded_pages_renumbers_them(tmp_path):
    html = _html()
    document, record = _record(html)
    with marked_drawing():
        old_pdf = document.write_pdf()
    (tmp_path / "old.pdf").write_bytes(old_pdf)
    sides = [side_of(12 + index) for index in range(len(record.pages))]
    furnisher = Furnisher(record.pages, 12, sides)
    from programme.furniture import head_only

    furniture = _render(head_only(html), furnisher.installed())
    with marked_drawing():
        drawn = furniture.write_pdf()
    assert len(furnisher.shifts) == 4 and any(furnisher.shifts)  # the sides swapped
    (tmp_path / "new.pdf").write_bytes(renumber(tmp_path / "old.pdf", drawn,
                                                furnisher.shifts))
    texts = [" ".join(t.split()) for t in page_texts(tmp_path / "new.pdf")]
    assert "verso 12" in texts[0] and "alpha" in texts[0] and "recto 13" in texts[1]
    assert "Head 4" in texts[3] and "recto 1" not in texts[0]


# ----------------------------------------------------------------------- the boundary
_PUBLIC = {"weasyprint", "weasyprint.urls"}
_PUBLIC_NAMES = {"HTML", "CSS", "Document", "Page", "Attachment", "FontConfiguration",
                 "URLFetcher", "URLFetcherResponse", "default_url_fetcher", "__version__"}
_PRIVATE_ATTRIBUTES = {"_page_box", "page_maker", "layout_document", "make_margin_boxes",
                       "draw_page", "draw_stacking_context", "remake_page", "make_page"}


def test_weasyprint_internals_are_used_in_programme_engine_only():
    found = []
    for path in sorted((REPO / "programme").rglob("*.py")):
        if "engine" in path.relative_to(REPO / "programme").parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(REPO)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [f"{where}: import {a.name}" for a in node.names
                          if a.name.startswith("weasyprint") and a.name != "weasyprint"]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "weasyprint"):
                if node.module not in _PUBLIC or any(a.name not in _PUBLIC_NAMES
                                                     for a in node.names):
                    found.append(f"{where}: from {node.module} import "
                                 + ", ".join(a.name for a in node.names))
            elif isinstance(node, ast.Attribute) and node.attr in _PRIVATE_ATTRIBUTES:
                found.append(f"{where}:{node.lineno}: .{node.attr}")
    assert found == []
