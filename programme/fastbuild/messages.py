"""What the coordinator and the workers of a fast build send each other.

    Setup   once per worker: what every part of this build is laid out with
    Task    coordinator -> worker: lay out this part (its HTML, the page numbers it refers
            to, its first page number if known, where to write its PDF and record)
    Done    worker -> coordinator: what laying it out found (pages, anchors, warnings…);
            also what the cache keeps of a part, so it is checked field by field when read
            back (:meth:`Done.from_cache`)

Plain data only: the scheduler (``scheduler.py``) uses these without WeasyPrint.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import stills
from ..problems import Problem


@dataclass(frozen=True)
class Setup:
    """What every worker needs, the same for all parts of a build."""

    base_folder: Path
    roots: tuple[Path, ...]
    font_dirs: tuple[Path, ...]
    where: str
    reported: frozenset[str]
    typeset_options: dict
    pdf_options: dict
    budgets: tuple            # the layout's space budgets (budgets.py)


@dataclass
class Task:
    name: str
    html: str
    numbers: dict[str, int]     # anchors in other parts -> their page numbers
    lead: bool                  # stand-ins before the part (they refer back)
    start: int | None           # first page number, when already known
    pdf: str | None             # where to write the PDF; None for a counting layout
    fillers: int = 0            # for the fillers part: how many it must hold
    images: str = ""            # the size and date of its images
    record: str | None = None   # where to keep its layout's record (see resume.py)
    previous: tuple[str, str] | None = None  # the last layout's record and PDF


@dataclass
class Done:
    """What laying out one part found."""

    pages: int
    lead: int
    start: int
    anchors: dict[str, int]            # anchor -> index among the part's own pages
    warnings: list[Problem] = field(default_factory=list)
    glyphs: dict[str, list[int]] = field(default_factory=dict)
    overset: list[tuple[str, str]] = field(default_factory=list)  # (film slug, message)
    placements: list[stills.Placement] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    moved: bool = False
    relaid: bool = False
    resumed: tuple[int, int, int] | None = None  # laid out again from page, new pages, pages
    renumbered: bool = False     # its old pages with new numbers (furniture.py)
    trimmed: int = 0             # elements left empty when it was resumed (resume.trimmed)
    own_numbers: str = ""        # why its content prints its own page numbers, if it does

    def to_json(self) -> dict:
        data = dataclasses.asdict(self)
        data["warnings"] = [dataclasses.astuple(w) for w in self.warnings]
        return data

    @classmethod
    def from_cache(cls, data, pdf_pages: int | None = None) -> "Done | None":
        """The entry, or None when it is not one this version wrote, or does not fit the
        PDF it came with (``pdf_pages``: the pages that PDF has): a miss, never an error."""
        try:
            done = cls.from_json(data)
            _check(done)
        except (TypeError, KeyError, ValueError, AttributeError):
            return None
        if pdf_pages is not None:
            # the part's own pages, after its stand-ins, and maybe one stand-in page after
            trail = pdf_pages - done.lead - done.pages
            if trail not in (0, 1):
                return None
        return done

    @classmethod
    def from_json(cls, data: dict) -> "Done":
        if not isinstance(data, dict):
            raise TypeError("not a mapping")
        data = dict(data)
        data["warnings"] = [Problem(*(_printable(x) for x in w)) for w in data["warnings"]]
        data["placements"] = [stills.Placement(p["page"], p["image_id"], p["url"],
                                               tuple(p["pixels"]), tuple(p["size"]))
                              for p in data["placements"]]
        data["overset"] = [tuple(_printable(x) for x in o) for o in data["overset"]]
        data["kinds"] = [_printable(k) for k in data["kinds"]]
        if data.get("resumed") is not None:
            data["resumed"] = tuple(data["resumed"])
        return cls(**data)


# ------------------------------------------------------------------- a cached entry
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _printable(value):
    """Text read back from the cache, safe to print: control characters (a terminal's
    escape codes) shown as escapes, not sent to the terminal."""
    if isinstance(value, str):
        return _CONTROL.sub(lambda m: repr(m.group(0))[1:-1], value)
    return value


def _int(value, least: int = 0) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= least


def _str(value) -> bool:
    return isinstance(value, str)


def _check(done: Done) -> None:
    """Every field of a Done read back from the cache has the type and range a layout
    gives it; raises ValueError otherwise."""
    def need(condition: bool, what: str) -> None:
        if not condition:
            raise ValueError(what)

    need(_int(done.pages, 1), "pages")
    need(_int(done.lead, 0) and done.lead <= 1, "lead")   # one stand-in page at most
    need(_int(done.start, 1), "start")
    need(isinstance(done.anchors, dict) and all(
        _str(k) and _int(v) and v < done.pages for k, v in done.anchors.items()), "anchors")
    for w in done.warnings:
        need(_str(w.file) and (w.line is None or _int(w.line)) and (
            w.field is None or _str(w.field)) and _str(w.message)
            and w.severity in ("warning", "error"), "warnings")
    last = done.start + done.pages - 1
    need(isinstance(done.glyphs, dict) and all(
        _str(k) and isinstance(v, list) and all(_int(n, done.start) and n <= last for n in v)
        for k, v in done.glyphs.items()), "glyphs")
    need(isinstance(done.overset, list) and all(
        len(o) == 2 and all(_str(x) for x in o) for o in done.overset), "overset")
    for p in done.placements:
        need(_int(p.page, done.start) and p.page <= last and _str(p.image_id)
             and (p.url is None or _str(p.url)) and len(p.pixels) == 2
             and all(_int(x) for x in p.pixels) and len(p.size) == 2
             and all(isinstance(x, (int, float)) and not isinstance(x, bool)
                     for x in p.size), "placements")
    need(isinstance(done.kinds, list) and all(_str(k) for k in done.kinds), "kinds")
    need(all(isinstance(b, bool) for b in (done.moved, done.relaid, done.renumbered)),
         "flags")
    need(done.resumed is None or (len(done.resumed) == 3 and all(
        _int(x) for x in done.resumed)), "resumed")
    need(_int(done.trimmed), "trimmed")
    need(isinstance(done.own_numbers, str) and not _CONTROL.search(done.own_numbers),
         "own_numbers")
