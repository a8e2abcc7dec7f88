"""Hostile content too large (or too odd) to keep in the repository, made on the fly.

Each case adds to a copy of the example festival project what issue 14 found to hang,
exhaust memory or crash ``programme``: 30 000 list items with a control character, a
string of 1 000 000 control characters, sparse files of gigabytes, a link to /dev/zero,
a named pipe, an SVG whose ``<use>`` elements expand to a billion, inline markup that
took quadratic time, a festival of 2.5 million days… ``tests/test_hostile_content.py``
runs each through the real command line with a time limit and a memory limit, so a
regression fails instead of hanging the test run.

By hand::

    python3 tests/hostile/make_large.py /tmp/project control-items   # one case
    python3 tests/hostile/make_large.py --list                        # the cases
    cd /tmp/project && programme validate content
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[2]

FILM = ("title: {title}\nsection: journey\ncredits:\n  director: [Ana Ruiz]\n"
        "countries: [Spain]\nyear: 2012\nruntime: 95\n")


@dataclass
class Case:
    make: Callable[[Path], None]  # adds the case's files to a project
    command: tuple[str, ...] = ("validate", "content")
    status: int = 1  # the exit status expected
    expect: list[str] = field(default_factory=list)  # parts of the output expected
    seconds: float = 30  # the time limit (a regression hangs for minutes or hours)


def write(project: Path, path: str, text: str | bytes) -> Path:
    target = project / path
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        target.write_bytes(text)
    else:
        target.write_text(text, "utf-8")
    return target


def film(title: str, extra: str = "") -> str:
    return FILM.format(title=title) + extra


def control_items(project: Path) -> None:
    """30 000 list items ``- x<U+0001>`` (210 KB): 83 s to validate, quadratic."""
    items = "".join("- x\x01\n" for _ in range(30_000))
    write(project, "content/films/many-controls.yaml",
          film("Many Controls").replace("countries: [Spain]\n", "countries:\n" + items))


def escaped_control_items(project: Path) -> None:
    """The same written as escapes (``"x\\a"``), which YAML accepts and the schema refuses."""
    items = "".join('- "x\\a"\n' for _ in range(30_000))
    write(project, "content/films/many-escapes.yaml",
          film("Many Escapes").replace("countries: [Spain]\n", "countries:\n" + items))


def control_string(project: Path) -> None:
    """One string of 1 000 000 × U+0001 (ran for hours: the lines recounted per character)."""
    write(project, "content/films/control-string.yaml",
          film("Controls").replace("title: Controls", 'title: "' + "\x01" * 1_000_000 + '"'))


def many_fields_with_controls(project: Path) -> None:
    """20 000 different keys, each with a control character: the report stays short."""
    keys = "".join(f"key{i}: x\x01\n" for i in range(20_000))
    write(project, "content/films/many-keys.yaml", film("Many Keys") + keys)


def sparse_content(project: Path) -> None:
    """A 3 GB film file, sparse on disk (it took 3 GB of memory before the 5 MB error)."""
    with (project / "content/films/huge.yaml").open("wb") as handle:
        handle.truncate(3_000_000_000)


def link_to_dev_zero(project: Path) -> None:
    """``films/z.yaml -> /dev/zero`` (MemoryError)."""
    (project / "content/films/z.yaml").symlink_to("/dev/zero")


def link_to_passwd(project: Path) -> None:
    """``films/p.yaml -> /etc/passwd`` (a file outside the project was read)."""
    (project / "content/films/p.yaml").symlink_to("/etc/passwd")


def fifo(project: Path) -> None:
    """A named pipe as a film file (reading it waited for ever)."""
    os.mkfifo(project / "content/films/pipe.yaml")


def fifo_image(project: Path) -> None:
    os.mkfifo(project / "content/images/pipe.jpg")
    write(project, "content/films/pipe-still.yaml",
          film("Piped Still", "stills:\n  - file: pipe.jpg\n"))


def sparse_image(project: Path) -> None:
    """A real JPEG padded to 1.5 GB, sparse on disk: validate passed, build ran out of memory."""
    with (project / "content/images/padded.jpg").open("wb") as handle:
        handle.write((project / "content/images/undertow-1.jpg").read_bytes())
        handle.truncate(1_500_000_000)
    write(project, "content/films/padded-still.yaml",
          film("Padded Still", "stills:\n  - file: padded.jpg\n"))


def svg_use_bomb(project: Path) -> None:
    """Nine levels of ``<g id="lN">`` each holding ten ``<use href="#lN-1">`` (2 KB)."""
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300">',
             '<g id="l0"><rect width="1" height="1"/></g>']
    for level in range(1, 10):
        parts.append(f'<g id="l{level}">'
                     + f'<use href="#l{level - 1}"/>' * 10 + "</g>")
    write(project, "content/images/bomb.svg", "".join(parts) + "</svg>")
    write(project, "content/films/bomb-still.yaml",
          film("Exploding Still", "stills:\n  - file: bomb.svg\n"))


def long_integer(project: Path) -> None:
    """``runtime: 111…1`` of 5 000 digits (internal error: Python's int digit limit)."""
    write(project, "content/films/long-number.yaml",
          film("Long Number").replace("runtime: 95", "runtime: " + "1" * 5_000))


def long_fields(project: Path) -> None:
    """A 300 000-character website and a 200 000-character certificate (no length limit)."""
    festival = project / "content/festival.yaml"
    festival.write_text(festival.read_text("utf-8").replace(
        "website: northbank-festival.example", "website: " + "w" * 300_000), "utf-8")
    write(project, "content/films/long-certificate.yaml", film(
        "Long Certificate", "screenings:\n  - {venue: NFT1, start: 2012-10-11 10:00, "
        f'certificate: "{"c" * 200_000}"}}\n'))


def markup_review(project: Path) -> None:
    """A review of ``"**a " × 4999``: valid, but 4.2 s in paragraphs() (quadratic)."""
    write(project, "content/films/bold-review.yaml",
          film("Bold Review", "review:\n  text: \"" + "**a " * 4999 + "\"\n"))


def festival_of_millions_of_days(project: Path) -> None:
    """``ends: 9012-10-21``: validated, then ``handout --day`` took 133 s for a hint."""
    festival = project / "content/festival.yaml"
    festival.write_text(festival.read_text("utf-8").replace(
        "ends: 2012-10-21", "ends: 9012-10-21"), "utf-8")


CASES: dict[str, Case] = {
    "control-items": Case(control_items, expect=[
        "many-controls.yaml:6: countries[0]: contains the control character U+0001",
        "countries[3]: and 29,997 more control characters in countries"]),
    "escaped-control-items": Case(escaped_control_items, expect=[
        "many-escapes.yaml:6: countries[0]: contains the control character U+0007",
        "and 29,997 more control characters in countries"]),
    "control-string": Case(control_string, expect=[
        "control-string.yaml:1: title: contains the control character U+0001; remove it "
        "(and 999,999 more control characters in this text)"]),
    "many-fields-with-controls": Case(many_fields_with_controls, expect=[
        "and 19,990 more control characters in other fields"]),
    "sparse-content": Case(sparse_content, expect=[
        "content/films/huge.yaml: file is 3,000,000,000 bytes; content files are limited"]),
    "link-to-dev-zero": Case(link_to_dev_zero, expect=[
        "content/films/z.yaml: is a link to /dev/zero, outside the project folder"]),
    "link-to-passwd": Case(link_to_passwd, expect=[
        "content/films/p.yaml: is a link to /etc/passwd, outside the project folder"]),
    "fifo": Case(fifo, expect=["content/films/pipe.yaml: is a named pipe (FIFO), not a file"]),
    "fifo-build": Case(fifo, command=("build", "content", "-o", "out/brochure.pdf"),
                       expect=["content/films/pipe.yaml: is a named pipe (FIFO), not a file"]),
    "fifo-image": Case(fifo_image, expect=["'pipe.jpg' is a named pipe (FIFO), not a file"]),
    "sparse-image": Case(sparse_image, expect=[
        "stills[0].file: 'padded.jpg' is 1,500,000,000 bytes; images are limited to 100 MB"]),
    "sparse-image-build": Case(sparse_image, command=("build", "content", "-o", "out/b.pdf"),
                               expect=["'padded.jpg' is 1,500,000,000 bytes"]),
    "svg-use-bomb": Case(svg_use_bomb, expect=[
        "stills[0].file: 'bomb.svg' is refused: it draws more than 10,000 elements"]),
    "svg-use-bomb-build": Case(svg_use_bomb, command=("build", "content", "-o", "out/b.pdf"),
                               expect=["'bomb.svg' is refused"]),
    "long-integer": Case(long_integer, expect=[
        "long-number.yaml:7: runtime: expected minutes as a whole number, got a number "
        "5,000 digits long"]),
    "long-fields": Case(long_fields, expect=[
        "festival.yaml:9: website: is 300,000 characters long; at most 1,000",
        "screenings[0].certificate: is 200,000 characters long; at most 1,000"]),
    "markup-review": Case(markup_review, status=0, expect=["OK"]),
    "festival-of-millions-of-days": Case(
        festival_of_millions_of_days, expect=["festival.yaml:5: ends: the festival would run "
                                              "2,556,709 days"]),
    "festival-of-millions-of-days-handout": Case(
        festival_of_millions_of_days,
        command=("handout", "content", "--day", "2012-10-09", "-o", "out/h.pdf"),
        expect=["ends: the festival would run 2,556,709 days"]),
}


def make(project: Path, name: str) -> Case:
    """A copy of the example project in ``project`` with case ``name`` added."""
    shutil.copytree(REPO / "content", project / "content")
    case = CASES[name]
    case.make(project)
    return case


def main(argv: list[str]) -> int:
    if "--list" in argv:
        print("\n".join(CASES))
        return 0
    if len(argv) != 2 or argv[1] not in CASES:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    case = make(Path(argv[0]), argv[1])
    print(f"made {argv[1]} in {argv[0]}; run: programme {' '.join(case.command)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
