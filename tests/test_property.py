"""Property tests: whatever the content, programme builds a PDF with every title in it, or
fails with located problems; it never raises anything else. And a bounded fuzz test of
the YAML reader.

Bounded for CI (2 cores, shared): set PROGRAMME_FUZZ_EXAMPLES to run longer locally, e.g.
PROGRAMME_FUZZ_EXAMPLES=5000 PROGRAMME_BUILD_EXAMPLES=200 python3 -m pytest tests/test_property.py
"""

from __future__ import annotations

import pytest

import os
import re
import tempfile
import unicodedata
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from programme.build import build_pdf
from programme.loader import load_content
from programme.markup import plain
from programme.problems import ProgrammeError
from programme.yamlfile import read_yaml_safely

from .pdfcheck import page_texts

FUZZ_EXAMPLES = int(os.environ.get("PROGRAMME_FUZZ_EXAMPLES", "300"))
BUILD_EXAMPLES = int(os.environ.get("PROGRAMME_BUILD_EXAMPLES", "15"))
QUICK = dict(deadline=None, database=None, suppress_health_check=list(HealthCheck))

FESTIVAL = {"name": "Property Festival", "starts": "2012-10-10", "ends": "2012-10-21",
            "organiser": "Hypothesis", "lang": "en"}
VENUES = [{"code": "NFT1", "name": "Screen One", "address": "Riverside Walk"}]
SECTIONS = [{"slug": "main", "name": "Main", "colour": "#336699", "order": 1}]

# Text as editors and press kits produce it: letters of several scripts, typographic and
# straight punctuation, markup and HTML characters, odd spaces, now and then a control
# character. (Right-to-left letters are drawn on their own: pdftotext returns a run that
# mixes directions in visual order, so such a title cannot be compared as one string.)
LTR = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ")
    + list("àéîõüçñßøåæœÀÉÎÕÜ") + list("αβγδεζηθλμπσωΑΒΓΔΩ") + list("абвгдежзийклмнопЖЩЯ")
    + list("一代宗师悲情城市万引き家族기생충") + list("'\".,;:!?()-–—…«»“”‘’*\\<>&/#@%_")
    + ["\u00a0", "\t", "--", "...", "**", " - ", "\x07", "\u200b", "\ufffd"])
RTL = st.sampled_from(list("אבגדהוזחטיכלמנסעפצקרשת") + list("ابتثجحخدذرزسشصضطظعغفقكلمنهوي")
                      + [" "])
REQUIRED = ["title", "section", "credits", "countries", "year", "runtime"]


FAULTS = ["drop a field", "wrong type", "unknown section", "year out of range",
          "runtime zero", "title not text", "empty title"]


@st.composite
def films(draw):
    """A film, well formed three times in four; else with one fault of FAULTS."""
    film = {
        "title": draw(st.one_of(st.lists(LTR, min_size=1, max_size=40).map("".join),
                                st.lists(RTL, min_size=1, max_size=20).map("".join))),
        "section": "main",
        "credits": {"director": draw(st.lists(st.lists(LTR, min_size=1, max_size=15)
                                              .map("".join), min_size=1, max_size=2))},
        "countries": ["France"],
        "year": draw(st.integers(1880, 2100)),
        "runtime": draw(st.integers(1, 999)),
    }
    if draw(st.booleans()):
        film["original_title"] = draw(st.lists(LTR, min_size=1, max_size=30).map("".join))
        film["original_language"] = draw(st.sampled_from(["fr", "ja", "de", "ru", "en"]))
    if draw(st.booleans()):
        film["review"] = {"text": draw(st.lists(LTR, min_size=1, max_size=200).map("".join))}
    if draw(st.integers(0, 3)) == 0:
        fault = draw(st.sampled_from(FAULTS))
        if fault == "drop a field":
            del film[draw(st.sampled_from(REQUIRED))]
        elif fault == "wrong type":
            film[draw(st.sampled_from(["year", "runtime", "countries", "credits"]))] = "text"
        elif fault == "unknown section":
            film["section"] = "nowhere"
        elif fault == "year out of range":
            film["year"] = draw(st.sampled_from([1700, 3000]))
        elif fault == "runtime zero":
            film["runtime"] = 0
        elif fault == "title not text":
            film["title"] = draw(st.one_of(st.integers(), st.none(), st.lists(st.integers())))
        else:
            film["title"] = draw(st.sampled_from(["", "   ", "\t"]))
    return film


def write_festival(root: Path, film_list: list[dict]) -> Path:
    content = root / "content"
    (content / "films").mkdir(parents=True)
    for name, data in (("festival", FESTIVAL), ("venues", VENUES), ("sections", SECTIONS)):
        (content / f"{name}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    for i, film in enumerate(film_list):
        (content / "films" / f"film-{i}.yaml").write_text(
            yaml.safe_dump(film, allow_unicode=True), "utf-8")
    return content


LOCATED = re.compile(r"^content/(festival|venues|sections)\.yaml:\d+: |^content/films/film-\d+\.yaml:\d+: ")


def assert_located(error: ProgrammeError, root: Path) -> None:
    errors = [p for p in error.problems if p.severity == "error"]
    assert errors
    for problem in errors:
        where = str(problem).replace(str(root) + "/", "")
        assert LOCATED.match(where), where


def squeeze(text: str) -> str:
    """For comparing text as typeset with text read back: no whitespace, no hyphens (the
    layout wraps and hyphenates), no bidi marks or zero-width characters, composed."""
    text = unicodedata.normalize("NFC", text)
    return re.sub(r"[\s\u00ad\u2010\u200b-\u200f\u202a-\u202e\u2066-\u2069-]", "", text)


@pytest.mark.slow
@settings(max_examples=BUILD_EXAMPLES, **QUICK)
@given(st.lists(films(), min_size=1, max_size=3))
def test_builds_with_every_title_or_fails_located(film_list):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        content = write_festival(root, film_list)
        cwd = os.getcwd()
        os.chdir(root)  # problems name files relative to the working folder
        try:
            result = build_pdf(Path("content"), Path("out.pdf"))
        except ProgrammeError as error:
            assert_located(error, root)
            event("failed with located problems")
            return
        finally:
            os.chdir(cwd)
        event("built")
        texts = squeeze("".join(page_texts(root / "out.pdf")))
        for film in load_content(content).programme.films:
            assert squeeze(plain(film.title)) in texts, (film.title, result.warnings)


@pytest.mark.slow
@settings(max_examples=100, **QUICK)
@given(st.lists(films(), min_size=1, max_size=4))
def test_loading_any_content_succeeds_or_fails_located(film_list):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_festival(root, film_list)
        cwd = os.getcwd()
        os.chdir(root)
        try:
            load_content(Path("content"))
        except ProgrammeError as error:
            assert_located(error, root)
        finally:
            os.chdir(cwd)


# --------------------------------------------------------------------------- YAML fuzzing
SEED_FILM = (Path(__file__).resolve().parents[1] / "content" / "films" / "rust-and-bone.yaml"
             ).read_text("utf-8")
YAML_SIGNIFICANT = list(":-[]{},#&*!|>'\"%@`?\n\t ") + ["\\", "\x00", "\x85", "\ufeff",
                                                          "\ud800", "é", "日", "<<", "---", "..."]


@st.composite
def mutated(draw):
    text = SEED_FILM
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "duplicate"]))
        piece = draw(st.one_of(st.sampled_from(YAML_SIGNIFICANT), st.text(max_size=4)))
        if kind == "insert":
            text = text[:at] + piece + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        elif kind == "replace":
            text = text[:at] + piece + text[at + len(piece):]
        else:
            end = min(len(text), at + draw(st.integers(1, 200)))
            text = text[:end] + text[at:end] + text[end:]
    return text


@pytest.mark.slow
@settings(max_examples=FUZZ_EXAMPLES, **QUICK)
@given(st.one_of(mutated(), st.binary(max_size=300).map(lambda b: b.decode("latin-1"))))
def test_fuzz_yaml_reader_reports_problems_with_lines_never_raises(text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "film.yaml"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        doc = read_yaml_safely(path, "film.yaml")
        lines = text.count("\n") + 2
        for problem in doc.problems:
            assert problem.file == "film.yaml" and problem.message
            assert problem.line is None or 1 <= problem.line <= lines, problem
        if not doc.has_errors and isinstance(doc.data, dict):
            # ... and the whole loader, with the mutated film beside the example festival
            from programme.loader import _validate
            from programme.model import Film
            problems: list = []
            data = dict(doc.data)
            data.setdefault("slug", "rust-and-bone")
            _validate(Film, data, doc, problems, context={"lang": "en"})
            for problem in problems:
                assert problem.line is None or 1 <= problem.line <= lines, problem
