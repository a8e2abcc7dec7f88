"""Hostile content (issue 14): each case ends in a clear, located error, in bounded time and
memory, with nothing written. The large inputs are made on the fly by
tests/hostile/make_large.py; each runs through the real command line in a process limited
to 2 GB of address space and a time limit, so a regression fails instead of hanging."""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .hostile.make_large import CASES, make

MEMORY = 2 * 1024 ** 3  # bytes of address space for each run


def _limits():  # in the child, before it runs programme
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_bounded(args, cwd: Path, seconds: float, code: str | None = None):
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "programme", *args]
    started = time.monotonic()
    try:
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True,
                                timeout=seconds, preexec_fn=_limits, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{' '.join(map(str, args or ['-c']))} ran for more than {seconds} s")
    return result, time.monotonic() - started


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))  # each takes a second or two
def test_hostile_case(name, tmp_path):
    case = make(tmp_path, name)
    (tmp_path / "out").mkdir()
    result, _ = run_bounded(case.command, tmp_path, case.seconds)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-3000:]
    assert "internal error" not in output, output[-3000:]
    assert "MemoryError" not in output, output[-3000:]
    assert result.returncode == case.status, output[-3000:]
    for expected in case.expect:
        assert expected in output, (expected, output[-3000:])
    assert len(output.splitlines()) < 100, "the report should stay short"
    if case.status:
        assert "nothing was written" in result.stderr
        assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.slow
def test_inline_markup_takes_linear_time(tmp_path):
    # "**a " × 4 999 took 4.2 s (quadratic); ten times as many would take minutes.
    code = ("from programme import markup\n"
            "for text in ['**a ' * 50000, '*a ' * 60000, 'a* ' * 60000, '**' * 100000,\n"
            "             '*a*' * 50000, ('x ' + '*' * 3 + ' y') * 30000]:\n"
            "    markup.paragraphs(text); markup.plain(text); markup.inline(text)\n")
    result, seconds = run_bounded(None, tmp_path, 20, code=code)
    assert result.returncode == 0, result.stderr
    assert seconds < 20


def test_inline_markup_is_unchanged():
    # The linear parser finds what the old regular expressions found.
    import random
    import re
    from programme import markup
    bold = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.S)
    italic = re.compile(r"(?<![\*\w])\*(?=\S)(.+?)(?<=\S)\*(?![\*\w])", re.S)
    assert markup.inline("*A Prophet* and **sold out**") == \
        "<em>A Prophet</em> and <strong>sold out</strong>"
    pick = random.Random(14)
    for _ in range(20_000):
        text = "".join(pick.choice("**  ab_.\n\u00a0é1") for _ in range(pick.randint(0, 16)))
        old = italic.sub(r"<em>\1</em>", bold.sub(r"<strong>\1</strong>", text))
        new = markup._replace(markup._replace(text, True, "<strong>", "</strong>"),
                              False, "<em>", "</em>")
        assert new == old, text


@pytest.mark.slow
def test_refused_characters_are_reported_in_linear_time():
    # yamlfile used to count the lines before every refused character
    from programme.yamlfile import read_yaml
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.yaml"
        path.write_text("title: x\ncountries:\n" + "- x\x01\n" * 100_000, "utf-8")
        started = time.monotonic()
        doc = read_yaml(path, "f.yaml")
        assert time.monotonic() - started < 10
    messages = [str(p) for p in doc.problems]
    assert len(messages) == 4, messages
    assert messages[-1] == ("f.yaml:6: countries[3]: and 99,997 more control characters in "
                            "countries; remove them")


def test_the_generator_script_lists_and_makes_cases(tmp_path):
    script = Path(__file__).parent / "hostile" / "make_large.py"
    listed = subprocess.run([sys.executable, script, "--list"], capture_output=True, text=True)
    assert listed.returncode == 0 and "control-items" in listed.stdout.split()
    made = subprocess.run([sys.executable, script, tmp_path / "p", "long-integer"],
                          capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "p/content/films/long-number.yaml").stat().st_size > 5000


@pytest.mark.parametrize("breaks", ["\x85", "\u2028", "\u2029"])
def test_lines_are_the_editors_when_yaml_breaks_lines_where_editors_do_not(tmp_path, breaks):
    """YAML also ends lines at NEL, LS and PS, which editors show inside a line (text
    pasted from the web holds them): problems name the line the editor shows."""
    from programme.yamlfile import read_yaml_safely

    text = (f"{breaks}title: A\nsection: gala\nyear: 2012\n"
            f"tagline: \"one{breaks}two{breaks}three\"\nruntime: [90\n")
    path = tmp_path / "film.yaml"
    path.write_text(text, encoding="utf-8")
    doc = read_yaml_safely(path, "film.yaml")
    assert [p.line for p in doc.problems] == [6], doc.problems  # the end: the open "["
    fine = text.replace("runtime: [90\n", "runtime: 90\n")
    path.write_text(fine, encoding="utf-8")
    doc = read_yaml_safely(path, "film.yaml")
    assert not doc.problems
    assert doc.lines[("year",)] == 3 and doc.lines[("runtime",)] == 5
