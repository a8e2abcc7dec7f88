"""Broken content: every problem reported at once, with file, line and field; exit 1; no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import run_cli

SEED_FILM = "content/films/rust-and-bone.yaml"


def edit(project: Path, name: str, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` in a content file; return the 1-based line of the change."""
    path = project / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    before = text[: text.index(old)]
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return before.count("\n") + 1


def validate(project: Path):
    result = run_cli("validate", "content", cwd=project)
    assert "Traceback" not in result.stderr
    return result


def test_example_content_is_valid(project):
    result = validate(project)
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout


@pytest.mark.parametrize("old, new, field, message", [
    ("runtime: 120", 'runtime: "120 mins"', "runtime",
     'expected minutes as a whole number, got "120 mins"'),
    ("  director: [Jacques Audiard]", "  directr: [Jacques Audiard]", "credits.directr",
     "unknown field (did you mean 'director'?)"),
    ("year: 2012\n", "year: twenty twelve\n", "year", 'expected a four-digit year, got "twenty twelve"'),
    ("section: gala", "section: galas", "section", "unknown section 'galas' (did you mean 'gala'?)"),
    ("{venue: NFT1, start: 2012-10-15 14:45", "{venue: NFT9, start: 2012-10-15 14:45",
     "screenings[1].venue", "unknown venue 'NFT9'"),
    ("start: 2012-10-15 14:45", "start: 2012-11-15 14:45", "screenings[1].start",
     "2012-11-15 is outside the festival (2012-10-10 to 2012-10-21)"),
    ("start: 2012-10-15 14:45", "start: next tuesday", "screenings[1].start",
     'expected a date and time such as 2012-10-14 18:30, got "next tuesday"'),
    ("file: rust-and-bone-2.jpg", "file: missing.jpg", "stills[1].file",
     "image file not found: content/images/missing.jpg"),
    ("file: rust-and-bone-2.jpg", "file: ../../../etc/passwd.jpg", "stills[1].file",
     "is outside the images folder"),
])
def test_located_error(project, old, new, field, message):
    line = edit(project, SEED_FILM, old, new)
    result = validate(project)
    assert result.returncode == 1
    expected = f"{SEED_FILM}:{line}: {field}: "
    lines = [entry for entry in result.stderr.splitlines() if entry.startswith(expected)]
    assert lines, result.stderr
    assert message in lines[0], result.stderr
    assert "nothing was written" in result.stderr


def test_missing_required_field_points_at_the_file(project):
    edit(project, SEED_FILM, "title: Rust and Bone\n", "")
    result = validate(project)
    assert result.returncode == 1
    assert f"{SEED_FILM}:1: title: required field is missing" in result.stderr


def test_yaml_syntax_error_has_a_line(project):
    line = edit(project, SEED_FILM, "runtime: 120", "runtime: [120")
    result = validate(project)
    assert result.returncode == 1
    assert f"{SEED_FILM}:" in result.stderr and "YAML syntax error" in result.stderr
    reported = int(result.stderr.split(f"{SEED_FILM}:")[1].split(":")[0])
    assert abs(reported - line) <= 2


def test_duplicate_key(project):
    line = edit(project, SEED_FILM, "runtime: 120\n", "runtime: 120\nruntime: 121\n") + 1
    result = validate(project)
    assert result.returncode == 1
    assert f"{SEED_FILM}:{line}: runtime: duplicate key (first given on line {line - 1})" in result.stderr


def test_times_and_country_codes_are_not_mangled_by_yaml(project):
    # In YAML 1.1, 18:30 is the number 1110 and NO is false; here they stay text.
    edit(project, SEED_FILM, "countries: [France, Belgium]", "countries: [France, NO]")
    edit(project, SEED_FILM, "start: 2012-10-15 14:45", "start: 2012-10-15 14:45")
    from programme.loader import load_content
    content = load_content(project / "content")
    film = next(f for f in content.programme.films if f.slug == "rust-and-bone")
    assert film.countries == ["France", "NO"]
    assert [s.start.strftime("%H:%M") for s in film.screenings][1] == "14:45"


def test_all_problems_in_all_files_reported_at_once(project):
    l1 = edit(project, SEED_FILM, "runtime: 120", "runtime: long")
    l2 = edit(project, "content/venues.yaml", "code: NFT2", "code: nft 2")
    l3 = edit(project, "content/sections.yaml", 'colour: "#b8336a"', "colour: pink")
    l4 = edit(project, "content/festival.yaml", "starts: 2012-10-10", "starts: 10/10/2012")
    result = validate(project)
    assert result.returncode == 1
    for where in (f"{SEED_FILM}:{l1}: runtime:", f"content/venues.yaml:{l2}: [1].code:",
                  f"content/sections.yaml:{l3}: [1].colour:", f"content/festival.yaml:{l4}: starts:"):
        assert where in result.stderr, (where, result.stderr)
    assert "4 problems found" in result.stderr


def test_build_reports_the_same_errors(project):
    edit(project, SEED_FILM, "runtime: 120", 'runtime: "120 mins"')
    result = run_cli("build", "content", "-o", "out.pdf", cwd=project)
    assert result.returncode == 1
    assert "runtime: expected minutes as a whole number" in result.stderr
    assert not (project / "out.pdf").exists()


def test_problems_at_one_place_with_and_without_a_field_sort():
    # Issue 18: sorted(problems) compared None with a field name and crashed (TypeError).
    from programme.problems import Problem, ProgrammeError
    problems = [Problem("a.yaml", 3, "tagline", "duplicate key"),
                Problem("a.yaml", 3, None, "contains the control character U+0007"),
                Problem("a.yaml", None, None, "file-level"),
                Problem("a.yaml", 1, "title", "x", "warning")]
    error = ProgrammeError(problems)
    assert [(p.line, p.field) for p in error.problems] == [
        (None, None), (1, "title"), (3, None), (3, "tagline")]
    assert sorted(problems) == error.problems


def test_duplicate_key_with_a_control_character_is_two_located_errors(project):
    # Issue 18 item 4: a tagline appended with a bell character in it and in its comment.
    path = project / SEED_FILM
    line = path.read_text("utf-8").count("\n") + 1
    with path.open("a", encoding="utf-8") as handle:
        handle.write('tagline: "bell \a here"   # \a\n')
    result = validate(project)
    assert result.returncode == 1, result.stderr
    assert "internal error" not in result.stderr
    assert f"{SEED_FILM}:{line}: tagline: duplicate key (first given on line 5)" in result.stderr
    assert f"{SEED_FILM}:{line}: tagline: contains the control character U+0007" in result.stderr
    assert f"{SEED_FILM}:{line}: contains the control character U+0007" in result.stderr
