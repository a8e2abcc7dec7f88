"""Typography filters: straight punctuation becomes typographic, in the text's language."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from programme.loader import load_content
from programme.markup import inline, paragraphs, plain
from programme.typography import NBSP, NNBSP, quote_marks, smarten
from programme.yamlfile import read_yaml

from .conftest import EXAMPLE


@pytest.mark.parametrize("typed, printed", [
    # quotes and apostrophes
    ('He said "no".', "He said “no”."),
    ("the 'expressionist' look", "the ‘expressionist’ look"),
    ("Audiard's film, don't go", "Audiard’s film, don’t go"),
    ("rock 'n' roll in the '90s", "rock ’n’ roll in the ’90s"),
    ("the directors' cut", "the directors’ cut"),
    ('"Quoted" at the start', "“Quoted” at the start"),
    ('*"Title"* in italics', "*“Title”* in italics"),
    ('("in brackets")', "(“in brackets”)"),
    # dashes, ellipsis
    ("abrasive -- but moving", "abrasive – but moving"),
    ("a pause---then", "a pause—then"),
    ("abrasive - but moving", "abrasive – but moving"),
    ("Wait...", "Wait…"),
    # ranges
    ("from 1994-1998 and 2001-05", "from 1994–1998 and 2001–05"),
    ("open 10:00-20:30 daily", "open 10:00–20:30 daily"),
    ("on 2012-10-14 at 18:30", "on 2012-10-14 at 18:30"),   # a date, not a range
    ("2012-10 is a month", "2012-10 is a month"),
    ("five-year-old", "five-year-old"),
    # no-break spaces
    ("120 mins on 35 mm", f"120{NBSP}mins on 35{NBSP}mm"),
    ("J. R. R. Tolkien", f"J.{NBSP}R.{NBSP}R.{NBSP}Tolkien"),
    ("top 10 films", "top 10 films"),
    # markup characters are left alone
    ("*A Prophet* and **bold**\\\nnext", "*A Prophet* and **bold**\\\nnext"),
    ("", ""),
])
def test_english(typed, printed):
    assert smarten(typed, "en") == printed


@pytest.mark.parametrize("lang, typed, printed", [
    ("fr", 'Il a dit "non" !', f"Il a dit «{NNBSP}non{NNBSP}»{NNBSP}!"),
    ("fr", "Vraiment ? Oui : l'homme", f"Vraiment{NNBSP}? Oui{NBSP}: l’homme"),
    ("fr-CA", '"Oui"', f"«{NNBSP}Oui{NNBSP}»"),
    ("de", 'Er sagte "nein"', "Er sagte „nein“"),
    ("ru", '"Левиафан"', "«Левиафан»"),
    ("ja", '"万引き家族"', "「万引き家族」"),
    ("zh-Hant", '"悲情城市"', "「悲情城市」"),
    ("zh", '"一代宗师"', "“一代宗师”"),
    ("xx", '"unknown"', "“unknown”"),
])
def test_language_aware_quotes(lang, typed, printed):
    assert smarten(typed, lang) == printed


def test_quote_marks_fall_back_to_the_primary_language():
    assert quote_marks("pt-BR") == quote_marks("en")
    assert quote_marks("pt-PT") == quote_marks("pt")
    assert quote_marks(None) == quote_marks("en")


def test_the_example_is_already_typographic():
    """Every text in the example festival prints exactly as typed (the seed film's page is
    typographic already); the only change is a no-break space between a number and its unit."""
    for path in sorted(EXAMPLE.rglob("*.yaml")):
        doc = read_yaml(path, path.name)
        for loc, text in doc.strings():
            assert smarten(text, "en").replace(NBSP, " ") == text, (path.name, loc)


def test_content_reaches_templates_typographic(project):
    film = project / "content" / "films" / "rust-and-bone.yaml"
    text = film.read_text(encoding="utf-8")
    text = text.replace("original_title: De rouille et d’os", 'original_title: "De rouille et d\'os"')
    text = text.replace("caption: Stephanie at the aqua park", "caption: Stephanie's \"aqua\" park")
    text = text.replace("  by: Jonathan Romney", '  by: Jonathan Romney\n  lang: de')
    text = text.replace("intensely moving and surprisingly poetic too.",
                        'intensely moving and "surprisingly" poetic too...')
    text = text.replace("{year: 1994, title: Regarde les hommes tomber,",
                        "{year: 1994, title: 'Regarde les \"hommes\" tomber',")
    film.write_text(text, encoding="utf-8")
    rust = next(f for f in load_content(project / "content").programme.films
                if f.slug == "rust-and-bone")
    assert rust.original_title == "De rouille et d’os"                         # fr
    assert rust.stills[0].caption == "Stephanie’s “aqua” park"                 # festival: en
    assert rust.review.text.endswith("„surprisingly“ poetic too…")             # review: de
    assert rust.filmography[0].title == f"Regarde les «{NNBSP}hommes{NNBSP}» tomber"  # film's fr
    assert plain(rust.original_title) == "De rouille et d’os"


def test_filters_apply_typography_and_mark_right_to_left_text():
    assert str(inline('"Quoted" -- *A Prophet*')) == "“Quoted” – <em>A Prophet</em>"
    assert str(inline("وجدة")) == '<span dir="rtl">وجدة</span>'
    assert str(inline("Wadjda (وجدة)")) == "Wadjda (وجدة)"  # starts left-to-right
    assert str(paragraphs("שלום.\nHello.")) == '<p dir="rtl">שלום.</p>\n<p>Hello.</p>\n'
    assert plain("*Don't* -- go") == "Don’t – go"
    # HTML stays text, quotes included
    assert str(inline('<script>alert("x")</script>')) == "&lt;script&gt;alert(“x”)&lt;/script&gt;"


TEXT = st.lists(st.sampled_from(list("ab 1'\"-.*\\\n«»–—…:;!?ÉéЖж日") + ["--", "...", "J. R. "]),
                max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXT, st.sampled_from(["en", "fr", "de", "ja", "ru"]))
def test_typography_is_idempotent_and_leaves_no_straight_quotes(text, lang):
    once = smarten(text, lang)
    assert smarten(once, lang) == once
    assert smarten(once, "en") == once  # filters re-apply English rules to model text: no-op
    assert "'" not in once and '"' not in once
    assert "--" not in once.replace("----", "") or "---" in text


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_characters="'\".-", blacklist_categories=("Cs",)),
               max_size=40))
def test_text_without_straight_punctuation_is_unchanged(text):
    assert smarten(text, "en").replace(NBSP, " ") == text.replace(NBSP, " ")


def test_readme_documents_every_rule():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for needle in ("`--`", "`...`", "« quoted »", "120 mins", "1994-1998", "J. R. R.", "rtl"):
        assert needle in readme, needle
