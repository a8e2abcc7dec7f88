"""The example brochure, read back from the PDF."""

from __future__ import annotations

import re

import pikepdf
import pytest

from programme.loader import load_content
from programme.markup import plain

from .conftest import EXAMPLE, REPO
from .pdfcheck import (MM, boxes, destinations, flat, fonts, images, outline, page_texts,
                       running_head)

SEED = (REPO.parent / "shared" / "seed")


@pytest.fixture(scope="module")
def content():
    return load_content(EXAMPLE)


@pytest.fixture(scope="module")
def texts(example_pdf):
    return page_texts(example_pdf)


def test_page_boxes_are_a5_with_3mm_bleed(example_pdf):
    a5 = (148 * MM, 210 * MM)
    all_boxes = boxes(example_pdf)
    assert len(all_boxes) >= 20
    for number, box in enumerate(all_boxes, 1):
        x0, y0, x1, y1 = box["TrimBox"]
        assert (x1 - x0, y1 - y0) == pytest.approx(a5, abs=0.05), f"page {number}"
        bx0, by0, bx1, by1 = box["BleedBox"]
        for trim, bleed, sign in ((x0, bx0, -1), (y0, by0, -1), (x1, bx1, 1), (y1, by1, 1)):
            assert (bleed - trim) * sign == pytest.approx(3 * MM, abs=0.05), f"page {number}"
        mx0, my0, mx1, my1 = box["MediaBox"]
        assert mx0 <= bx0 and my0 <= by0 and mx1 >= bx1 and my1 >= by1


def test_every_film_starts_on_a_page_headed_by_its_section(example_pdf, texts, content):
    dests = destinations(example_pdf)
    sections = {s.slug: s.name for s in content.programme.sections}
    assert len(content.programme.films) >= 12
    for film in content.programme.films:
        page = dests[f"film-{film.slug}"]
        assert flat(plain(film.title)) in flat(texts[page - 1]), film.slug
        head = running_head(example_pdf, page)
        assert sections[film.section].upper() in head, (film.slug, page, head)


def test_seed_film_credits_exactly(texts):
    page = next(t for t in texts if "De rouille et d’os" in t)
    text = flat(page)
    for line in [
        "Director Jacques Audiard",
        "Producer Jacques Audiard, Martine Cassinelli, Pascal Caucheteux",
        "Screenwriter Jacques Audiard, Thomas Bidegain",
        "With Marion Cotillard, Matthias Schoenaerts, Armand Verdure",
        "France-Belgium 2012",
        "120 mins",
        "UK distribution STUDIOCANAL",
    ]:
        assert line in text, line


def test_seed_critic_statement_and_filmography_exactly(texts):
    everything = flat("\n".join(texts))
    assert "surprisingly poetic too. Jonathan Romney" in everything
    assert "stubborn attempts to escape their condition. Jacques Audiard & Thomas Bidegain" in everything
    seed = SEED / "000_3e070434b1f20134.txt"
    expected = [
        "1994 Regarde les hommes tomber (See How They Fall)",
        "1996 Un héros très discret (A Self-Made Hero)",
        "1998 Norme française [doc s]",
        "2001 Sur mes lèvres (Read My Lips)",
        "2005 De battre mon cœur s’est arrêté (The Beat That My Heart Skipped)",
        "2009 Un prophète (A Prophet)",
        "2012 De rouille et d’os (Rust and Bone)",
    ]
    if seed.exists():  # the page the seed came from, where it is available
        assert all(line in seed.read_text(encoding="utf-8") for line in expected)
    for line in expected:
        assert line in everything, line
    # in order, as one list
    assert " ".join(expected) in everything


def test_only_project_fonts_all_embedded(example_pdf):
    families = {re.sub(r"[^a-z]", "", p.stem.split("-")[0].lower()) for p in (REPO / "fonts").glob("*.ttf")}
    found = fonts(example_pdf)
    assert found
    for font in found:
        assert font["emb"] == "yes" and font["sub"] == "yes", font
        name = re.sub(r"[^a-z]", "", font["name"].split("+", 1)[-1].lower())
        assert any(name.startswith(f) for f in families), font["name"]


def test_stills_embedded_at_300_ppi_or_more(example_pdf, content):
    found = images(example_pdf)
    stills = sum(len(f.stills) for f in content.programme.films)
    assert len([i for i in found if i["type"] == "image"]) >= stills
    for image in found:
        if image["type"] == "image":
            assert min(image["x_ppi"], image["y_ppi"]) >= 300, image


def test_metadata_title_author_language(example_pdf, content):
    festival = content.programme.festival
    with pikepdf.open(example_pdf) as pdf:
        assert festival.name in str(pdf.docinfo["/Title"])
        assert str(pdf.docinfo["/Author"]) == festival.organiser
        assert str(pdf.Root.Lang) == festival.lang
        with pdf.open_metadata() as xmp:
            assert festival.name in xmp["dc:title"]


def test_outline_has_sections_then_films_only(example_pdf, content):
    marks = outline(example_pdf)
    dests = destinations(example_pdf)
    level1 = [title for level, title, _ in marks if level == 1]
    assert level1 == [s.name for s in content.programme.ordered_sections]
    films = {plain(f.title): dests[f"film-{f.slug}"] for f in content.programme.films}
    level2 = {title: page for level, title, page in marks if level == 2}
    assert level2 == films
    assert not [m for m in marks if m[0] > 2]


def test_sections_open_on_their_own_page_in_order(texts, content):
    opener_pages = []
    for section in content.programme.ordered_sections:
        # the opener page is the one whose text starts with the section name
        pages = [i for i, t in enumerate(texts) if t.strip().startswith(section.name)]
        assert pages, section.name
        opener_pages.append(pages[0])
    assert opener_pages == sorted(opener_pages)
