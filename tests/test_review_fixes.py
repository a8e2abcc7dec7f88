"""Regressions found in review: each was a crash, a wrong line or a silent mistake."""

from __future__ import annotations

import pytest

import json
import shutil
from pathlib import Path

from programme.markup import inline, plain
from programme.render import Layout

from .conftest import REPO, run_cli

SEED = "content/films/rust-and-bone.yaml"


def check(project: Path, *args):
    result = run_cli(*args, cwd=project)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    return result


@pytest.mark.slow
def test_deep_nesting_is_a_located_error_not_a_crash(project):
    (project / "content/films/deep.yaml").write_text("title: " + "[" * 50000 + "]" * 50000)
    result = check(project, "validate", "content")
    assert result.returncode == 1
    assert "content/films/deep.yaml:1: the file is nested more than 100 levels deep" in result.stderr


def test_still_file_names_are_used_as_written(project):
    images = project / "content/images"
    shutil.copy(images / "rust-and-bone-2.jpg", images / "rust-and-bone--still.jpg")
    shutil.copy(images / "rust-and-bone-3.jpg", images / "marion's pick.jpg")
    film = project / SEED
    film.write_text(film.read_text().replace("file: rust-and-bone-2.jpg", "file: rust-and-bone--still.jpg")
                    .replace("file: rust-and-bone-3.jpg", "file: \"marion's pick.jpg\""))
    assert check(project, "validate", "content").returncode == 0


def test_a_time_zone_is_a_located_error(project):
    film = project / SEED
    text = film.read_text()
    line = text[: text.index("start: 2012-10-15 14:45")].count("\n") + 1
    film.write_text(text.replace("start: 2012-10-15 14:45", "start: 2012-10-15T14:45+02:00"))
    result = check(project, "validate", "content")
    assert result.returncode == 1
    assert f"{SEED}:{line}: screenings[1].start: give the local time at the venue" in result.stderr


def test_every_overlap_behind_a_long_screening_is_reported(project):
    # Rust and Bone: ODN 2012-10-14 18:30-20:30. Two short films start inside it.
    for slug, start in (("short-a", "18:40"), ("short-b", "19:30")):
        (project / f"content/films/{slug}.yaml").write_text(
            f"title: {slug}\nsection: gala\ncredits: {{director: [A Person]}}\ncountries: [UK]\n"
            f"year: 2012\nruntime: 10\nscreenings:\n  - {{venue: ODN, start: 2012-10-14 {start}}}\n")
    result = check(project, "validate", "content")
    assert result.returncode == 1
    for slug in ("short-a", "short-b"):
        assert f"content/films/{slug}.yaml:8: screenings[0].start: overlaps 'Rust and Bone'" \
            in result.stderr, result.stderr


def test_duplicate_venue_code_points_at_the_duplicate(project):
    venues = project / "content/venues.yaml"
    text = venues.read_text()
    venues.write_text(text + "- code: ODN\n  name: Another\n  address: Somewhere\n")
    line = text.count("\n") + 1
    first = text[: text.index("- code: ODN")].count("\n") + 1
    result = check(project, "validate", "content")
    assert result.returncode == 1
    assert f"content/venues.yaml:{line}: [4].code: duplicate code 'ODN' (first on line {first})" \
        in result.stderr, result.stderr


@pytest.mark.slow
def test_any_template_error_is_located(project):
    layout = project / "layouts" / "mine"
    shutil.copytree(REPO / "layouts" / "brochure", layout)
    film = layout / "film.html"
    film.write_text(film.read_text().replace("</article>", "{{ 1 // 0 }}</article>"))
    result = check(project, "build", "content", "-o", "o.pdf", "--layout", layout)
    assert result.returncode == 1
    assert "layouts/mine/film.html:" in result.stderr and "ZeroDivisionError" in result.stderr


def test_line_break_in_a_folded_block():
    text = "First line\\ second line"  # how YAML's >- gives "First line\" + newline + "second line"
    assert str(inline(text)) == "First line<br>second line"
    assert plain(text) == "First line second line"


def test_creep_must_be_a_number(project, example_pdf):
    result = check(project, "impose", example_pdf, "-o", "sheets.pdf", "--creep", "nan")
    assert result.returncode == 1 and not (project / "sheets.pdf").exists()


def test_malformed_snapshot_is_reported(project):
    bad = project / "bad.snapshot.json"
    bad.write_text(json.dumps({"programme-snapshot": 1, "films": {"gone": "x"}}))
    result = check(project, "proof", "content", "--film", "rust-and-bone", "--since", bad,
                   "-o", "p.pdf")
    assert result.returncode == 1
    assert "bad.snapshot.json: cannot read proof snapshot" in result.stderr


def test_project_fonts_are_used_with_the_built_in_layout(tmp_path):
    (tmp_path / "fonts").mkdir()
    layout = Layout.find(None, "brochure", tmp_path)
    assert (tmp_path / "fonts").resolve() in layout.font_dirs
    assert (REPO / "fonts").resolve() in layout.font_dirs
