"""Laying an edited part out again from the page where it changed (resume.py).

Every case edits the example festival after a first build, rebuilds in parts with the
cache, and compares the brochure with a fresh one-document build of the same content:
text on every page, page boxes, outline, destinations, links, and every page pixel for
pixel. The edits are the ones editors make: a word in a review, a title (a bookmark), a
review that grows by pages, the first and the last film of a section, a film removed.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from .pdfcheck import destinations, page_texts
from .test_fast_build import _build, _same_document, _section_of
from programme import resume


def _pixels_equal(a: Path, b: Path, folder: Path) -> None:
    for pdf, stem in ((a, "a"), (b, "b")):
        subprocess.run(["pdftoppm", "-png", "-r", "100", str(pdf), str(folder / stem)],
                       check=True)
    pictures = sorted(folder.glob("a-*.png"))
    assert len(pictures) == len(sorted(folder.glob("b-*.png")))
    for picture in pictures:
        other = picture.with_name("b-" + picture.name[2:])
        difference = ImageChops.difference(Image.open(picture).convert("RGB"),
                                           Image.open(other).convert("RGB"))
        assert difference.getbbox() is None, f"{picture.name} differs"


def _edit(project: Path, slug: str, change) -> None:
    film = project / "content" / "films" / f"{slug}.yaml"
    text = film.read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text
    film.write_text(changed, encoding="utf-8")


def _longer_review(text: str) -> str:
    long = " ".join(["A sentence that makes the review much longer than it was."] * 40)
    return text.replace("review:\n  text: >-\n", f"review:\n  text: >-\n    {long}\n", 1)


EDITS = {
    "a word in a review": ("the-drowned-city", lambda t: t.replace(
        "review:\n  text: >-\n", "review:\n  text: >-\n    A new first sentence.\n", 1)),
    "a title": ("the-drowned-city", lambda t: re.sub(
        r"^title: (.*)$", r"title: \1 Again", t, count=1, flags=re.M)),
    "a review pages longer": ("the-drowned-city", _longer_review),
    "the first film of a section": ("harbour-lights", lambda t: t.replace(
        "review:\n  text: >-\n", "review:\n  text: >-\n    A new first sentence.\n", 1)),
    "the last film of a section": ("the-last-summer-of-anna-weiss", lambda t: t.replace(
        "review:\n  text: >-\n", "review:\n  text: >-\n    A new first sentence.\n", 1)),
}


@pytest.mark.slow
@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edited_section_is_laid_out_again_from_where_it_changed(project, tmp_path,
                                                                   edit):
    slug, change = EDITS[edit]
    out = tmp_path / "brochure.pdf"
    _build(project, out, in_parts=True, jobs=2)
    _edit(project, slug, change)
    again = _build(project, out, in_parts=True, jobs=2)
    section = _section_of(project, slug)
    assert section in again.parts.rendered
    assert section in again.parts.resumed, f"{section} was laid out in full"
    first, new, pages = again.parts.resumed[section]
    assert 0 <= first < pages and 1 <= new <= pages - first
    if edit == "a word in a review":
        assert new < pages, "the layout rejoined the old one"
    fresh = tmp_path / "fresh.pdf"
    _build(project, fresh, in_parts=False)
    _same_document(fresh, out)
    _pixels_equal(fresh, out, tmp_path)
    # and the record it left resumes the next edit as well
    _edit(project, slug, lambda t: t.replace("A new first sentence.", "A newer one.")
          if "A new first sentence." in t else _longer_review(t))
    third = _build(project, out, in_parts=True, jobs=2)
    assert section in third.parts.resumed
    _build(project, fresh, in_parts=False)
    _same_document(fresh, out)


@pytest.mark.slow
def test_a_film_removed_from_a_section(project, tmp_path):
    out = tmp_path / "brochure.pdf"
    _build(project, out, in_parts=True, jobs=2)
    section = _section_of(project, "the-drowned-city")
    _edit(project, "the-drowned-city", lambda t: re.sub(
        r"^section: .*$", "section: journey", t, count=1, flags=re.M))
    again = _build(project, out, in_parts=True, jobs=2)
    assert section in again.parts.rendered
    fresh = tmp_path / "fresh.pdf"
    _build(project, fresh, in_parts=False)
    _same_document(fresh, out)
    _pixels_equal(fresh, out, tmp_path)


@pytest.mark.slow
def test_parts_that_print_page_numbers_are_not_resumed(project, tmp_path):
    """The schedule and the indexes print other parts' page numbers: laid out in full."""
    out = tmp_path / "brochure.pdf"
    _build(project, out, in_parts=True, jobs=2)
    _edit(project, "the-drowned-city", lambda t: re.sub(
        r"^title: (.*)$", r"title: \1 Again", t, count=1, flags=re.M))
    again = _build(project, out, in_parts=True, jobs=2)
    assert {"index-titles", "schedule"} <= set(again.parts.rendered)
    assert not {"index-titles", "schedule"} & set(again.parts.resumed)


@pytest.mark.slow
def test_a_long_section_is_resumed_from_a_trimmed_document(tmp_path):
    """An edit in the middle of a long section: WeasyPrint is given the section with the
    films the layout never reaches left empty (resume.trimmed), and the brochure is the
    one a fresh layout gives, page for page and pixel for pixel."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.generate_festival import generate

    generate(tmp_path / "content", films=24, sections=1, seed=3, style="example")
    project = tmp_path
    out = tmp_path / "brochure.pdf"
    first = _build(project, out, in_parts=True, jobs=2)
    section = next(name for name in first.parts.rendered if name.startswith("section-"))
    films = sorted((project / "content" / "films").glob("*.yaml"))
    middle = [f.stem for f in films
              if "review:\n  text: >-\n" in f.read_text(encoding="utf-8")]
    slug = sorted(middle)[len(middle) // 2]
    _edit(project, slug, lambda t: t.replace(
        "review:\n  text: >-\n", "review:\n  text: >-\n    A new first sentence that is"
        " long enough to move the lines of the review after it.\n", 1))
    again = _build(project, out, in_parts=True, jobs=2)
    assert section in again.parts.resumed, f"{section} was laid out in full"
    assert again.parts.trimmed.get(section, 0) > 0, "nothing was trimmed"
    restart, new, pages = again.parts.resumed[section]
    assert restart > 0 and restart + new < pages
    fresh = tmp_path / "fresh.pdf"
    _build(project, fresh, in_parts=False)
    _same_document(fresh, out)
    _pixels_equal(fresh, out, tmp_path)


# ------------------------------------------------------------------ trimming
def _films_page(count: int = 10) -> str:
    films = "".join(f'<article id="a{i}" class="film"><h2>Film {i}</h2><p>Text {i}</p>'
                    f'</article>\n' for i in range(count))
    return f'<html><head><style>p {{ color: red }}</style></head><body>' \
           f'<h1 id="opener">Section</h1><div class="films">\n{films}</div></body></html>'


def _one_film_a_page(count: int = 10) -> list:
    pages = [resume.PageFacts(None, True, [], ["opener", "a0"])]
    pages += [resume.PageFacts(None, True, [], [f"a{i}"]) for i in range(1, count)]
    return pages


def test_trimming_empties_the_films_before_the_restart_page_and_far_after_the_change():
    html = _films_page()
    at = html.index('<p>Text 5</p>')
    trim = resume.trimmed(html, at, _one_film_a_page(), restart=4, ahead=2)
    # before: a0-a2 lie on pages 0-2, wholly before page 4 (a3 is on page 3: kept, since
    # page 4 may start inside it); after: from the first film 2 pages past the restart
    for i in (0, 1, 2, 6, 7, 8, 9):
        assert f'<article id="a{i}" class="film"></article>' in trim.html
    for i in (3, 4, 5):
        assert f"<h2>Film {i}</h2><p>Text {i}</p>" in trim.html
    assert trim.limit == 6 and trim.emptied == 7
    # the elements and their attributes stay: the same boxes, the same selectors match
    assert trim.html.count("<article") == 10 and "<h1 id=\"opener\">Section</h1>" in trim.html
    assert "<style>p { color: red }</style>" in trim.html


def test_trimming_keeps_what_it_cannot_place():
    html = _films_page()
    at = html.index('<p>Text 5</p>')
    # a change near the end: nothing is far enough after it
    trim = resume.trimmed(html, at, _one_film_a_page(), restart=4, ahead=20)
    assert trim.limit is None and '<p>Text 9</p>' in trim.html
    # anchors on no page (a record of other HTML): nothing is emptied
    trim = resume.trimmed(html, at, [resume.PageFacts(None, True, [], [])] * 10, restart=4)
    assert trim.html == html and trim.emptied == 0
    # tags that do not nest: nothing is emptied
    broken = html.replace("</h2>", "", 1)
    assert resume.trimmed(broken, broken.index("<p>Text 5"), _one_film_a_page(),
                          restart=4).html == broken


def test_a_change_says_where_its_element_starts():
    old, new = _films_page(), _films_page().replace("Text 5", "Text five")
    change = resume.changed_span(old, new)
    assert new[change.at:].startswith("<p>Text five</p>")
    assert change.restart == "a5" and change.resync == "a6"


# ------------------------------------------------------------------ the HTML diff
PAGE = ('<html><head><style>p {{ color: red }}</style></head><body>'
        '<article id="one"><h2>One</h2><p>{one}</p></article>'
        '<article id="two"><h2>Two</h2><p class="{cls}">{two}</p><img src="a.png"></article>'
        '<article id="three"><p>Three</p></article></body></html>')


def _page(one="First text.", two="Second text.", cls="x"):
    return PAGE.format(one=one, two=two, cls=cls)


def test_a_change_in_a_paragraph_is_between_the_anchors_around_it():
    change = resume.changed_span(_page(), _page(two="Second, <em>longer</em> text."))
    assert change == resume.Change("two", "three")


def test_a_change_in_an_attribute_takes_the_whole_element():
    change = resume.changed_span(_page(), _page(cls="y"))
    assert change == resume.Change("two", "three")


def test_a_change_in_the_first_element_restarts_at_its_anchor():
    assert resume.changed_span(_page(), _page(one="Changed.")) == resume.Change("one", "two")


def test_a_change_in_the_head_restarts_at_the_top():
    old = _page()
    new = old.replace("color: red", "color: blue")
    assert resume.changed_span(old, new) == resume.Change(None, None)


def test_the_same_html_or_broken_nesting_cannot_be_resumed():
    with pytest.raises(resume.CannotResume):
        resume.changed_span(_page(), _page())
    with pytest.raises(resume.CannotResume):
        resume.changed_span(_page(), _page(two="<b>unclosed"))


def test_page_state_survives_json():
    state = ({0: {1: {2: None}}}, {"break": "any", "page": "x"}, True,
             ([0], {"page": [3], "pages": [9]}, [{"page", "pages"}], [["x", 1, {0: None}]]))
    import json

    assert resume.decode(json.loads(json.dumps(resume.encode(state)))) == state


def test_a_change_that_restyles_the_document_is_laid_out_from_the_top():
    old = _page()
    assert resume.changed_span(old, old.replace("<h2>Two</h2>", "<h2>Two</h2><style>p {}</style>")
                               ) == resume.Change(None, None)


def test_css_whose_effects_reach_across_the_document_is_not_resumed():
    assert resume.far_reaching_css(["p { color: red }", "li::before { content: '-' }"]) == ""
    assert "counter-increment" in resume.far_reaching_css(["h2 { counter-increment: film }"])
    assert ":has" in resume.far_reaching_css(["article:has(img) { padding: 0 }"])
    assert resume.css_of('<p style="quotes: none; content: open-quote">x</p>', [])


@pytest.mark.slow
def test_a_layout_numbering_its_films_with_counters_is_laid_out_in_full(project, tmp_path):
    from .test_fast_build import _own_layout

    layout = _own_layout(project)
    css = layout / "style.css"
    css.write_text(css.read_text(encoding="utf-8")
                   + "\n.film { counter-increment: film; }\n", encoding="utf-8")
    out = tmp_path / "brochure.pdf"
    _build(project, out, in_parts=True, jobs=2, layout=str(layout))
    slug, change = EDITS["a word in a review"]
    _edit(project, slug, change)
    again = _build(project, out, in_parts=True, jobs=2, layout=str(layout))
    assert _section_of(project, slug) in again.parts.rendered
    assert again.parts.resumed == {}


@pytest.mark.slow
@pytest.mark.parametrize("grow", [False, True])
def test_edits_in_two_sections(project, tmp_path, grow):
    """The later section learns its first page number only when the earlier one is laid
    out: it resumes if the number stayed, and is laid out in full if it moved."""
    out = tmp_path / "brochure.pdf"
    _build(project, out, in_parts=True, jobs=2)
    _edit(project, "the-drowned-city", _longer_review if grow else EDITS["a word in a review"][1])
    _edit(project, "sunday-tightrope-walkers", EDITS["a word in a review"][1])
    again = _build(project, out, in_parts=True, jobs=2)
    earlier, later = _section_of(project, "the-drowned-city"), _section_of(
        project, "sunday-tightrope-walkers")
    assert {earlier, later} <= set(again.parts.rendered)
    assert earlier in again.parts.resumed
    fresh = tmp_path / "fresh.pdf"
    _build(project, fresh, in_parts=False)
    _same_document(fresh, out)
    _pixels_equal(fresh, out, tmp_path)
    if not grow:
        assert later in again.parts.resumed


# ------------------------------------------------------------------ renumbering
def _grow(sentences: int):
    long = " ".join(["A sentence that makes the review much longer than it was."] * sentences)
    return lambda t: t.replace("review:\n  text: >-\n", f"review:\n  text: >-\n    {long}\n", 1)


@pytest.mark.slow
def test_a_layout_whose_parts_print_their_own_page_numbers_is_one_document(project,
                                                                          tmp_path):
    """Film entries that print their own page ("p. 12", a target-counter() to an anchor
    in the same part): a part laid out alone numbers its pages from 1, so the brochure is
    laid out as one document, saying why, with the right numbers; the same after an edit
    that moves the sections (their parts come from the cache, and are not renumbered)."""
    from .test_fast_build import _own_layout

    layout = _own_layout(project)
    film = layout / "film.html"
    film.write_text(film.read_text(encoding="utf-8").replace(
        '<header class="film-head">',
        '<header class="film-head"><a class="self" href="#{{ film_id(film) }}"></a>', 1),
        encoding="utf-8")
    css = layout / "style.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.self { float: right; }\n"
                   ".self::after { content: \"p. \" target-counter(attr(href url), page) }\n",
                   encoding="utf-8")
    out, fresh = tmp_path / "brochure.pdf", tmp_path / "fresh.pdf"
    for edit in (None, _grow(60)):
        if edit is not None:
            _edit(project, "the-drowned-city", edit)
        built = _build(project, out, in_parts=True, jobs=2, layout=str(layout))
        assert "prints page numbers of its own pages" in (built.one_document or "")
        _build(project, fresh, in_parts=False, layout=str(layout))
        _same_document(fresh, out)
        numbers = [m for page in page_texts(out) for m in re.findall(r"p\. (\d+)", page)]
        assert len(numbers) > 5 and numbers == sorted(numbers, key=int)
        assert int(numbers[0]) > 1  # the first film is not on the part's first page


@pytest.mark.slow
@pytest.mark.parametrize("sentences, shift", [(60, 1), (120, 2)])
def test_sections_after_one_that_grew_are_renumbered_not_laid_out(project, tmp_path,
                                                                  sentences, shift):
    """Galas grows by one page (every later page changes side: content moves by the
    margin difference) or by two (same sides); the sections after it keep their
    content and get new numbers, running heads and backgrounds."""
    out = tmp_path / "brochure.pdf"
    _build(project, out, in_parts=True, jobs=2)
    grown = _section_of(project, "the-drowned-city")
    before = destinations(out)
    _edit(project, "the-drowned-city", _grow(sentences))
    again = _build(project, out, in_parts=True, jobs=2)
    after = destinations(out)
    assert after["section-love"] - before["section-love"] == shift
    later = [_section_of(project, slug) for slug in
             ("sunday-tightrope-walkers", "cold-meridian", "desert-star")]
    # renumbered, or from the cache when the first build had already laid one out with
    # that number (a provisional one: see programme/fastbuild/scheduler.py)
    assert set(later) <= set(again.parts.renumbered) | set(again.parts.cached)
    assert set(later) & set(again.parts.renumbered), again.parts.renumbered
    assert grown in again.parts.resumed
    fresh = tmp_path / "fresh.pdf"
    _build(project, fresh, in_parts=False)
    _same_document(fresh, out)
    _pixels_equal(fresh, out, tmp_path)
    # links and destinations moved with the content
    assert _where(fresh) == _where(out)
    # a renumbered section is resumed from its new record when it is edited in turn
    _edit(project, "sunday-tightrope-walkers", EDITS["a word in a review"][1])
    third = _build(project, out, in_parts=True, jobs=2)
    assert _section_of(project, "sunday-tightrope-walkers") in third.parts.resumed
    _build(project, fresh, in_parts=False)
    _same_document(fresh, out)
    _pixels_equal(fresh, out, tmp_path)
    # and renumbered pages can be renumbered again
    _edit(project, "the-drowned-city", _grow(60))
    fourth = _build(project, out, in_parts=True, jobs=2)
    assert set(later[1:]) & set(fourth.parts.renumbered), fourth.parts.renumbered
    _build(project, fresh, in_parts=False)
    _same_document(fresh, out)
    _pixels_equal(fresh, out, tmp_path)
    assert _where(fresh) == _where(out)


def _where(pdf: Path):
    """Each named destination's page and point, and each link's page and rectangle,
    rounded to a tenth of a point."""
    import pikepdf

    with pikepdf.open(pdf) as doc:
        index = {page.objgen: i for i, page in enumerate(doc.pages)}
        dests = {str(name): (index[dest[0].objgen],
                             [round(float(v), 1) for v in list(dest)[2:4]])
                 for name, dest in pikepdf.NameTree(doc.Root.Names.Dests).items()}
        rects = [(i, [round(float(v), 1) for v in annotation.Rect])
                 for i, page in enumerate(doc.pages)
                 for annotation in page.obj.get("/Annots", [])]
        return dests, rects


def test_a_pdf_without_marked_layers_is_not_renumbered():
    import pikepdf

    from programme import furniture

    ops = [([], pikepdf.Operator("q")), ([], pikepdf.Operator("Q"))]
    with pytest.raises(resume.CannotResume):
        furniture._without_layers(ops)
    marked = [([pikepdf.Name("/" + furniture.BACKGROUND)], pikepdf.Operator("BMC")),
              ([], pikepdf.Operator("q")), ([], pikepdf.Operator("Q")),
              ([], pikepdf.Operator("EMC")), ([], pikepdf.Operator("n"))]
    kept, drawn = furniture._without_layers(marked)
    assert [str(op) for _, op in kept] == ["n"] and drawn == []


@pytest.mark.slow
def test_the_command_line_says_how_parts_were_laid_out(project, tmp_path):
    from .conftest import run_cli

    out = tmp_path / "b.pdf"
    assert run_cli("build", project / "content", "-o", out, "-q").returncode == 0
    _edit(project, "the-drowned-city", _grow(60))
    again = run_cli("build", project / "content", "-o", out, "-q")
    assert again.returncode == 0, again.stderr
    found = re.search(r"from the cache; 1 from where it changed, (\d+) renumbered without a "
                      r"new layout(, \d+ in full)?\)", again.stdout)
    # the three sections after it, and parts given a provisional number to go on with
    assert found and int(found.group(1)) >= 3, again.stdout
