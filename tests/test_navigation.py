"""Contents, indexes, schedule, bookmarks and links: every page number is where the film really starts."""

from __future__ import annotations

import pytest

from programme import navigation
from programme.loader import load_content
from programme.markup import plain

from .conftest import EXAMPLE
from .pdfcheck import destinations, flat, layout_lines, links, page_texts, printed_references


@pytest.fixture(scope="module")
def content():
    return load_content(EXAMPLE)


@pytest.fixture(scope="module")
def dests(example_pdf):
    return destinations(example_pdf)


def pages_of(dests, start_id, end_id=None, total=None):
    start = dests[start_id]
    end = dests[end_id] - 1 if end_id else total
    return range(start, end + 1)


def test_film_pages_are_where_the_titles_are(example_pdf, content, dests):
    texts = page_texts(example_pdf)
    for film in content.programme.films:
        page = dests[f"film-{film.slug}"]
        assert plain(film.title) in texts[page - 1]


def check_references(example_pdf, dests, pages, content, expect_each_film=1):
    refs = printed_references(example_pdf, pages)
    assert refs, f"no page references on pages {pages}"
    for dest, number, text in refs:
        assert number == dests[dest], (dest, number, text)
    targets = [dest for dest, _, _ in refs]
    for film in content.programme.films:
        assert targets.count(f"film-{film.slug}") >= expect_each_film, film.slug
    return refs


def test_title_index_pages_and_cross_references(example_pdf, content, dests):
    pages = pages_of(dests, "index-titles", "index-directors")
    refs = check_references(example_pdf, dests, pages, content)
    seed = [text for dest, _, text in refs if dest == "film-rust-and-bone"]
    assert any(text.startswith("Rust and Bone") for text in seed)
    assert any(text.startswith("De rouille et d’os see Rust and Bone") for text in seed)
    # every film with a different original title has a cross-reference to it
    for film in content.programme.films:
        if film.original_title:
            assert any("see" in text for dest, _, text in refs if dest == f"film-{film.slug}"), film.slug


def test_title_index_order(example_pdf, dests):
    pages = pages_of(dests, "index-titles", "index-directors")
    lines = [text for _, _, text in printed_references(example_pdf, pages)]
    order = ["7 Days in Lisbon", "Cold Meridian", "De rouille et d’os", "The Drowned City",
             "L’Étoile du désert", "Harbour Lights", "The Last Summer of Anna Weiss",
             "Der letzte Sommer der Anna Weiss", "Öresund", "The Road East", "Rust and Bone",
             "Τα γράμματα της Ελένης", "Холодный меридиан"]
    positions = [next(i for i, line in enumerate(lines) if line.startswith(title)) for title in order]
    assert positions == sorted(positions), [t for _, t in sorted(zip(positions, order))]


def test_title_index_headings(content):
    """Latin letters in order, then each other script under its name: the Cyrillic
    "Холодный меридиан" is not under an "Х" that reads as a Latin X after W."""
    groups = navigation.title_index(content.programme.films, "en")
    assert [g.heading for g in groups] == ["0–9", "C", "D", "E", "F", "H", "L", "O", "R",
                                           "S", "U", "W", "Greek", "Cyrillic"]
    assert [g.script for g in groups][-3:] == ["Latn", "Grek", "Cyrl"]


def test_director_index_files_by_family_name(content):
    entries = [e.text for g in navigation.director_index(content.programme.films)
               for e in g.entries]
    assert entries == sorted(entries, key=str.casefold)
    # a Spanish (Galician) name files under its first surname, given as the family field
    assert "Ferreiro Calvo, Xosé" in entries and "Audiard, Jacques" in entries


def test_director_index(example_pdf, content, dests):
    pages = pages_of(dests, "index-directors", "index-countries")
    check_references(example_pdf, dests, pages, content)
    text = flat(" ".join(page_texts(example_pdf)[p - 1] for p in pages))
    assert "Audiard, Jacques Rust and Bone" in text
    assert "Ferreiro Calvo, Xosé The Silence of the Harbour" in text


def test_country_index(example_pdf, content, dests):
    total = len(page_texts(example_pdf))
    pages = pages_of(dests, "index-countries", total=total)
    refs = check_references(example_pdf, dests, pages, content)
    seed = [d for d, _, _ in refs if d == "film-rust-and-bone"]
    assert len(seed) == 2  # France and Belgium


def test_schedule(example_pdf, content, dests):
    pages = pages_of(dests, "schedule", "index-titles")
    refs = printed_references(example_pdf, pages)
    for dest, number, text in refs:
        assert number == dests[dest], (dest, number, text)
    for film in content.programme.films:
        # one row per screening: the title and page-number links of a row read as one line
        rows = [t for d, n, t in refs if d == f"film-{film.slug}"]
        assert len(rows) == len(film.screenings), (film.slug, rows)
    # each screening under its own day, in time order, with its flags on its row
    lines = layout_lines(example_pdf, pages)
    days = sorted({s.start.date() for f in content.programme.films for s in f.screenings})
    heads = [lines.index(f"{d:%A} {d.day} {d:%B}") for d in days]
    assert heads == sorted(heads)
    bounds = dict(zip(days, zip(heads, heads[1:] + [len(lines)])))
    rows_in_order = []
    for film in content.programme.films:
        for s in film.screenings:
            start, end = bounds[s.start.date()]
            prefix = f"{s.start:%H:%M} {s.venue} {plain(film.title)}"
            row = next((i for i in range(start, end) if lines[i].startswith(prefix)), None)
            assert row is not None, prefix
            assert lines[row].endswith(str(dests[f"film-{film.slug}"])), lines[row]
            assert ("Sold out" in lines[row]) == s.sold_out, lines[row]
            assert (" AD " in lines[row] + " ") == s.audio_described, lines[row]
            rows_in_order.append((row, s.start))
    rows_in_order.sort()
    starts = [start for _, start in rows_in_order]
    assert starts == sorted(starts)


def test_contents_gives_section_and_back_matter_pages(example_pdf, content, dests):
    refs = printed_references(example_pdf, range(2, 3))
    targets = {dest: number for dest, number, _ in refs}
    for section in content.programme.sections:
        assert targets[f"section-{section.slug}"] == dests[f"section-{section.slug}"]
    for part in ("schedule", "index-titles", "index-directors", "index-countries"):
        assert targets[part] == dests[part]


def test_every_link_resolves(example_pdf, dests):
    found = links(example_pdf)
    assert len(found) > 50
    for link in found:
        assert link["dest"] in dests, link
