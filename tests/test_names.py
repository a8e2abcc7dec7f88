"""Issue 15, items 3 and 4: names filed the way their cultures file them, and titles in other
scripts under a heading naming the script.

Made-up content: the example festival plus a "World" section whose films have directors
written every way the README describes (a plain name, a family name first with the family
field, "Family, Given", particles, a compound Spanish surname, one name, Chinese script)
and titles in Cyrillic, Greek, Arabic and Japanese script whose first letters look like
Latin ones (В, Α, Β, Ε). Fast tests read the model and the navigation module; the slow
ones build the brochure and read its director index, title index and credits boxes back
from the PDF.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from programme import navigation
from programme.loader import load_content
from programme.markup import plain
from programme.model import Name
from programme.problems import ProgrammeError

from .conftest import EXAMPLE, run_cli
from .pdfcheck import destinations, flat, page_texts

# slug: (title, original title, language, directors as YAML)
WORLD = {
    "world-kim": ("Spring, Summer", None, None, "[{name: Kim Ki-duk, family: Kim}]"),
    "world-lee": ("Poetry Reading", None, None, "['Lee, Chang-dong']"),
    "world-trier": ("Dancer in Daylight", None, None, "[Lars von Trier]"),
    "world-sant": ("Elephant Walk", None, None, "[Gus Van Sant]"),
    "world-almodovar": ("Talk to Him", None, None,
                        "[{name: Pedro Almodóvar Caballero, family: Almodóvar Caballero}]"),
    "world-madonna": ("Filth and Wonder", None, None, "[Madonna]"),
    "world-wong": ("Moods for Love", "花样年华", "zh", "[王家卫]"),
    "world-vera": ("Faith", "Вера", "ru", "[Андрей Звягинцев]"),
    "world-alexis": ("Alexis", "Αλέξης", "el", "[Γιώργος Λάνθιμος]"),
    "world-bals": ("Waltz", "Βαλς", "el", "[{name: Katerina Zervou, family: Zervou}]"),
    "world-eleni": ("Eleni", "Ελένη", "el", "[Nikos Adamantidis]"),
    "world-wadjda": ("The Green Bicycle", "وجدة", "ar", "[Haifaa al-Mansour]"),
    "world-shoplifters": ("Shoplifters", "万引き家族", "ja",
                          "[{name: Kore-eda Hirokazu, family: Kore-eda}]"),
}
# the director index as filed, in order
DIRECTORS = ["Adamantidis, Nikos", "Almodóvar Caballero, Pedro", "Audiard, Jacques",
             "Kim Ki-duk", "Kore-eda Hirokazu", "Lee, Chang-dong", "Madonna",
             "al-Mansour, Haifaa", "Trier, Lars von", "Van Sant, Gus", "Zervou, Katerina",
             "Λάνθιμος, Γιώργος", "Звягинцев, Андрей", "王家卫"]
# the credits box's director line, as printed
CREDITS = {"world-kim": "Kim Ki-duk", "world-lee": "Chang-dong Lee",
           "world-trier": "Lars von Trier", "world-sant": "Gus Van Sant",
           "world-almodovar": "Pedro Almodóvar Caballero", "world-madonna": "Madonna",
           "world-wong": "王家卫", "rust-and-bone": "Jacques Audiard"}
CJK = "Chinese, Japanese and Korean"


def add_world(content: Path) -> None:
    q = lambda s: json.dumps(s, ensure_ascii=False)  # noqa: E731 - a JSON string is YAML
    with (content / "sections.yaml").open("a", encoding="utf-8") as handle:
        handle.write('- slug: world\n  name: World\n  colour: "#5b3a8c"\n  order: 5\n')
    for slug, (title, original, lang, directors) in WORLD.items():
        text = f"title: {q(title)}\n"
        if original:
            text += f"original_title: {q(original)}\noriginal_language: {lang}\n"
        text += (f"section: world\ncredits:\n  director: {directors}\n"
                 "countries: [Somewhere]\nyear: 2012\nruntime: 100\n")
        (content / "films" / f"{slug}.yaml").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def world_content(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("names")
    shutil.copytree(EXAMPLE, project / "content")
    add_world(project / "content")
    return project / "content"


@pytest.fixture(scope="module")
def world(world_content):
    return load_content(world_content)


def only_world(content):
    return [f for f in content.programme.films if f.section == "world"
            or f.slug == "rust-and-bone"]


# -------------------------------------------------------------------- model and indexes
def test_names_keep_printing_as_written(world):
    films = {f.slug: f for f in world.programme.films}
    for slug, printed in CREDITS.items():
        (name,) = films[slug].credits.director
        assert isinstance(name, Name) and name == printed, (slug, name)
    # other credits are names too
    assert films["rust-and-bone"].credits.cast[0].filed == "Cotillard, Marion"


def test_director_index_files_each_name_as_its_culture_does(world):
    groups = navigation.director_index(only_world(world))
    entries = [e.text for g in groups for e in g.entries]
    assert entries == DIRECTORS
    assert not any(text.endswith(",") for text in entries)
    headings = {e.text: g.heading for g in groups for e in g.entries}
    assert headings["al-Mansour, Haifaa"] == "M"          # al- is not filed
    assert headings["Kim Ki-duk"] == "K"
    assert headings["Звягинцев, Андрей"] == "Cyrillic"
    by_name = {e.name: e.text for g in groups for e in g.entries}
    assert by_name["Chang-dong Lee"] == "Lee, Chang-dong"   # printed, and filed


def test_chinese_script_name_filed_as_written(world):
    groups = navigation.director_index([f for f in world.programme.films
                                        if f.slug == "world-wong"])
    assert [(g.heading, g.script, [e.text for e in g.entries]) for g in groups] == \
        [(CJK, "CJK", ["王家卫"])]


def test_one_person_one_entry_the_family_field_wins(world):
    """A name given with its family field in one film and as text in another is one entry,
    filed as the field says."""
    kim = next(f for f in world.programme.films if f.slug == "world-kim")
    plain_kim = kim.model_copy(update={
        "slug": "other-kim", "title": "Arirang",
        "credits": kim.credits.model_copy(update={"director": [Name("Kim Ki-duk")]})})
    for films in ([plain_kim, kim], [kim, plain_kim]):
        groups = navigation.director_index(films)
        (entry,) = [e for g in groups for e in g.entries]
        assert entry.text == "Kim Ki-duk" and len(entry.films) == 2


def test_title_index_headings_name_the_script(world):
    groups = navigation.title_index(only_world(world), "en")
    headings = [g.heading for g in groups]
    # Latin letters, then each script by name: no Cyrillic В or Greek Α, Β, Ε as a letter
    latin = [h for h in headings if len(h) == 1]
    assert latin == sorted(latin) and all(h.isascii() for h in latin), headings
    assert headings[len(latin):] == ["Greek", "Cyrillic", "Arabic script", CJK]
    under = {g.heading: [e.text for e in g.entries] for g in groups}
    assert under["Greek"] == ["Αλέξης", "Βαλς", "Ελένη"]
    assert under["Cyrillic"] == ["Вера"]
    assert under["Arabic script"] == ["وجدة"]
    assert under[CJK] == ["万引き家族", "花样年华"]
    assert {g.heading: g.script for g in groups}["Greek"] == "Grek"
    # the English titles stay under their letters
    assert "Faith" in under["F"] and "Waltz" in under["W"]


def test_title_index_headings_in_the_brochures_language(world):
    groups = navigation.title_index(only_world(world), "fr")
    assert [g.heading for g in groups if g.script not in (None, "Latn")] == \
        ["Grec", "Cyrillique", "Alphabet arabe", "Chinois, japonais et coréen"]


@pytest.mark.parametrize("directors, field, message", [
    ("[{name: Kim Ki-duk, family: Ki}]", "credits.director[0]",
     "family 'Ki' is neither the first nor the last words of name 'Kim Ki-duk'"),
    ("[{name: Kim Ki-duk, famly: Kim}]", "credits.director[0].famly",
     "unknown field (did you mean 'family'?)"),
    ("[{name: Kim Ki-duk}]", "credits.director[0].family", "required field is missing"),
    ("[{name: 'Kim, Ki-duk', family: Kim}]", "credits.director[0]", "without a comma"),
    ("['Kim,']", "credits.director[0]", "write the name as 'Family, Given'"),
    ("['Straub, Huillet, Godard']", "credits.director[0]", "has more than one comma"),
    ("[3]", "credits.director[0]", "expected a list of names, got 3"),
])
def test_names_that_cannot_be_read_are_located_errors(tmp_path, directors, field, message):
    shutil.copytree(EXAMPLE, tmp_path / "content")
    film = tmp_path / "content" / "films" / "rust-and-bone.yaml"
    film.write_text(film.read_text(encoding="utf-8").replace(
        "director: [Jacques Audiard]", f"director: {directors}"), encoding="utf-8")
    with pytest.raises(ProgrammeError) as caught:
        load_content(tmp_path / "content")
    found = [(p.field, p.message) for p in caught.value.problems]
    assert any(f == field and message in m for f, m in found), found
    assert all(p.line == 10 for p in caught.value.problems), caught.value.problems


# ------------------------------------------------------------------------ the brochure
@pytest.fixture(scope="module")
def brochure(world_content):
    out = world_content.parent / "out" / "brochure.pdf"
    result = run_cli("build", world_content, "--one-document", "-o", out)
    assert result.returncode == 0, result.stderr
    return out, page_texts(out), destinations(out)


def lines_between(pdf, dests, start, end) -> list[str]:
    """The lines of the pages from ``start`` to before ``end`` in the order they were set
    (column by column), without the index's dot leaders."""
    texts = page_texts(pdf, raw=True)
    return [line.strip() for p in range(dests[start], dests[end])
            for line in texts[p - 1].splitlines() if line.strip(" .")]


@pytest.mark.slow
def test_brochure_director_index(brochure):
    pdf, texts, dests = brochure
    text = flat(" ".join(lines_between(pdf, dests, "index-directors", "index-countries")))
    positions = [text.find(name + " ") for name in DIRECTORS]
    assert -1 not in positions, [n for n, p in zip(DIRECTORS, positions) if p < 0]
    assert positions == sorted(positions)
    assert "Kim Ki-duk Spring, Summer" in text
    assert "Lee, Chang-dong Poetry Reading" in text
    assert "王家卫 Moods for Love" in text
    assert "Ki-duk, Kim" not in text and "Chang-dong," not in text


@pytest.mark.slow
def test_brochure_credits_print_names_as_written(brochure):
    pdf, texts, dests = brochure
    for slug, printed in CREDITS.items():
        page = flat(texts[dests[f"film-{slug}"] - 1])
        assert f"Director {printed}" in page, (slug, page[:300])
    lee = flat(texts[dests["film-world-lee"] - 1])
    assert "Lee," not in lee


@pytest.mark.slow
def test_brochure_title_index_headings(brochure):
    pdf, texts, dests = brochure
    lines = lines_between(pdf, dests, "index-titles", "index-directors")
    heads = [line for line in lines if line in ("Greek", "Cyrillic", "Arabic script", CJK)
             or (len(line) == 1 and line.isalpha())]
    assert heads[-4:] == ["Greek", "Cyrillic", "Arabic script", CJK], heads
    assert all(h.isascii() for h in heads[:-4]), heads      # no В, Α, Β, Ε, Х as letters
    assert heads[:-4] == sorted(heads[:-4])
    joined = " ".join(lines)
    order = ["Greek", "Αλέξης see", "Βαλς see", "Τα γράμματα της Ελένης see", "Ελένη see",
             "Cyrillic", "Вера see", "Холодный меридиан see", "Arabic script", CJK,
             "万引き家族 see", "花样年华 see"]
    positions = [joined.find(t) for t in order]
    assert -1 not in positions and positions == sorted(positions), list(zip(order, positions))
