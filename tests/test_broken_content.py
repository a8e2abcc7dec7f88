"""The broken-content corpus (tests/broken/): one case per kind of bad input.

Each case is a folder with the files it adds to a copy of the example festival project
(``content/…``) and an ``expect.yaml`` saying what ``programme validate`` and ``programme
build`` must report: the problem's location (``at``: file:line as printed, ``file:*`` for
any line, a bare file for a file-level problem), ``field``, ``message`` and ``severity``.
Errors exit with status 1, never a traceback, and leave the last good PDF untouched;
warnings exit with 0 and the PDF is written. Files too big (or too odd) to keep in the
repository are made by the ``generate`` entries. See tests/broken/README.md.
"""

from __future__ import annotations

import os
import shutil
import struct
import textwrap
import zlib
from pathlib import Path

import pytest
import yaml

from .conftest import REPO, run_cli

CORPUS = Path(__file__).resolve().parent / "broken"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expect.yaml").is_file())
LAST_GOOD = b"%PDF-1.7\n% the last good brochure\n%%EOF\n"


def test_the_corpus_has_a_case_for_every_problem_in_the_issue():
    problems = {yaml.safe_load((CORPUS / c / "expect.yaml").read_text("utf-8"))["problem"]
                for c in CASES}
    for wanted in ["YAML syntax error", "wrong type", "slug", "unknown venue",
                   "unknown section", "overlapping", "outside the festival", "missing image",
                   "not an image", "20 000 × 20 000", "10 MB review", "control character",
                   "layout"]:
        assert any(wanted in p for p in problems), wanted


def test_the_corpus_has_the_hostile_content_of_issue_14():
    problems = {yaml.safe_load((CORPUS / c / "expect.yaml").read_text("utf-8"))["problem"]
                for c in CASES}
    for wanted in ["nine levels of ten <use>", "entities", "/etc/passwd", "/dev/zero",
                   "named pipe", "3 GB content file", "1.5 GB", "5 000 digits",
                   "300 000 characters", "200 000 characters", "2.5 million days",
                   "YAML tag on a mapping", "YAML tag on a list", "Python class",
                   "two problems on one line"]:
        assert any(wanted in p for p in problems), wanted


@pytest.fixture(params=CASES)
def case(request, tmp_path):
    """The example project with the case's files added; returns (project, expectation)."""
    folder = CORPUS / request.param
    expect = yaml.safe_load((folder / "expect.yaml").read_text("utf-8"))
    project = tmp_path / "project"
    shutil.copytree(REPO / "content", project / "content")
    for source in sorted(folder.rglob("*")):
        if source.is_file() and source.name != "expect.yaml":
            target = project / source.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    for item in expect.get("generate", []):
        GENERATORS[item["kind"]](project, **{k: v for k, v in item.items() if k != "kind"})
    if "layout" in expect:
        spec = expect["layout"]
        layout = project / "layouts" / spec["name"]
        shutil.copytree(REPO / "layouts" / spec["copy_of"], layout)
        page = layout / spec["file"]
        lines = page.read_text("utf-8").splitlines()
        lines.insert(spec["line"] - 1, spec["insert"])
        page.write_text("\n".join(lines) + "\n", "utf-8")
    return project, expect


def reported(stderr: str, expect: dict) -> list[str]:
    """The lines of ``stderr`` at the expected location (and field)."""
    at = expect["at"]
    if at.endswith(":*"):
        prefixes = [line.split(": ")[0] + ": " for line in stderr.splitlines()
                    if line.startswith(at[:-1]) and line[len(at) - 1:].split(":")[0].isdigit()]
    else:
        prefixes = [at + ": "]
    warning = "warning: " if expect["severity"] == "warning" else ""
    field = f"{expect['field']}: " if expect.get("field") else ""
    return [line for line in stderr.splitlines()
            for prefix in prefixes if line.startswith(prefix + warning + field)]


def _check_output(command: str, stderr: str, returncode: int, expect: dict) -> None:
    error = expect["severity"] == "error"
    assert "Traceback" not in stderr, stderr
    assert "internal error" not in stderr, stderr
    assert returncode == (1 if error else 0), (command, stderr)
    lines = reported(stderr, expect)
    assert lines, (command, expect["at"], stderr[-3000:])
    assert any(expect["message"] in line for line in lines), (command, lines)
    if "contains" in expect:
        assert any(expect["contains"] in line for line in lines), lines
    if error:
        assert "nothing was written" in stderr


def test_case_validates(case, monkeypatch):
    """Each case through `programme validate`, in this process (the fast set)."""
    from click.testing import CliRunner

    from programme.cli import main

    project, expect = case
    if "layout" in expect:
        pytest.skip("a layout problem shows when building")
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["validate", "content"])
    _check_output("validate", result.stderr, result.exit_code, expect)


@pytest.mark.slow
def test_case(case):
    """Each case through the real command line: validate, then build."""
    project, expect = case
    error = expect["severity"] == "error"
    out = project / "out" / "brochure.pdf"
    out.parent.mkdir()
    out.write_bytes(LAST_GOOD)
    stamp = out.stat().st_mtime_ns

    commands = [] if "layout" in expect else [("validate", "content")]
    if expect.get("build", True):
        commands.append(("build", "content", "-o", out)
                        + (("--layout", expect["layout"]["name"]) if "layout" in expect else ()))
    for command in commands:
        result = run_cli(*command, cwd=project)
        _check_output(command[0], result.stderr, result.returncode, expect)
        if command[0] == "build":
            if error:  # the last good PDF is never overwritten, nothing is left behind
                assert out.read_bytes() == LAST_GOOD and out.stat().st_mtime_ns == stamp
                assert sorted(p.name for p in out.parent.iterdir()) == ["brochure.pdf"]
            else:  # printing goes on
                assert out.read_bytes().startswith(b"%PDF") and out.read_bytes() != LAST_GOOD


# ------------------------------------------------------------------------ generated files
def make_png(project: Path, path: str, width: int, height: int) -> None:
    """A real 1-bit PNG of width x height: 50 kB on disk for 20 000 x 20 000 px (a
    decompression bomb: 1.2 GB as RGB pixels), written row by row without Pillow."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    row = b"\x00" + b"\xff" * ((width + 7) // 8)  # filter byte + white pixels
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    target = project / path
    target.write_bytes(b"\x89PNG\r\n\x1a\n"
                       + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
                       + chunk(b"IDAT", data) + chunk(b"IEND", b""))


def make_bmp(project: Path, path: str, width: int, height: int) -> None:
    from PIL import Image
    Image.new("RGB", (width, height), "white").save(project / path, format="BMP")


def make_truncated(project: Path, path: str, source: str) -> None:
    data = (project / source).read_bytes()
    (project / path).write_bytes(data[: len(data) // 2])


def make_review(project: Path, path: str, characters: int) -> None:
    """A film whose review text (line 10 onwards) has ``characters`` characters."""
    words = "an unlikely relationship taking root under extreme conditions "
    text = (words * (characters // len(words) + 1))[:characters - 1].rstrip() + "."
    text += "x" * (characters - len(text))
    # lines broken at spaces: the folded block (>-) joins them with one space again
    lines = textwrap.wrap(text, 80, break_long_words=False, break_on_hyphens=False)
    (project / path).write_text(
        "# The review was pasted in with its whole press kit.\n"
        "title: The Endless Review\nsection: journey\ncredits:\n  director: [Ana Ruiz]\n"
        "countries: [Spain]\nyear: 2012\nruntime: 95\n"
        "review:\n  text: >-\n" + "".join(f"    {line}\n" for line in lines), "utf-8")


def make_link(project: Path, path: str, target: str) -> None:
    """A symbolic link (content/films/passwd.yaml -> /etc/passwd)."""
    (project / path).symlink_to(target)


def make_fifo(project: Path, path: str) -> None:
    """A named pipe: a reader that opens it waits for a writer that never comes."""
    os.mkfifo(project / path)


def make_sparse(project: Path, path: str, size: int, source: str | None = None) -> None:
    """A file of ``size`` bytes that takes no room on disk (a hole after ``source``'s bytes)."""
    with (project / path).open("wb") as handle:
        if source:
            handle.write((project / source).read_bytes())
        handle.truncate(size)


def make_edit(project: Path, path: str, old: str, new: str, fill: str = "", count: int = 0):
    """Replace ``old`` by ``new`` (its ``{fill}`` by ``fill`` × ``count``) in a file."""
    target = project / path
    text = target.read_text("utf-8")
    assert old in text, old
    target.write_text(text.replace(old, new.replace("{fill}", fill * count), 1), "utf-8")


GENERATORS = {"png": make_png, "bmp": make_bmp, "truncated": make_truncated,
              "review": make_review, "link": make_link, "fifo": make_fifo,
              "sparse": make_sparse, "edit": make_edit}


def test_the_generated_bomb_is_small_and_valid(tmp_path):
    from PIL import Image
    (tmp_path / "x").mkdir()
    make_png(tmp_path, "x/huge.png", 20000, 20000)
    assert (tmp_path / "x" / "huge.png").stat().st_size < 200_000
    Image.MAX_IMAGE_PIXELS, limit = None, Image.MAX_IMAGE_PIXELS
    try:
        with Image.open(tmp_path / "x" / "huge.png") as image:
            assert image.size == (20000, 20000) and image.format == "PNG"
    finally:
        Image.MAX_IMAGE_PIXELS = limit
