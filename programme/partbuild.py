"""Fast builds: the brochure's parts laid out side by side, cached, and joined.

The same pipeline as :mod:`programme.build`, with stage 3 split by part:

    Renderer           one HTML document per part                    (render.py, parts.py)
    lay_out_part       WeasyPrint lays out and writes each part, in   (this module, paging.py)
                       worker processes, numbering its pages late
    join               the parts' PDFs -> one PDF                     (join.py)

The coordinator (:func:`build_in_parts`) decides what each part needs before it can be
laid out and hands parts to the workers in brochure order:

- a section needs nothing: it is laid out at once and learns its first page number
  (from the page counts of the parts before it) when its layout is done;
- a back-matter part (schedule, indexes) refers to films: it waits until the sections
  are laid out, then gets stand-in pages with their page numbers (see parts.py);
- the front (contents) refers to later parts: a first layout with placeholder numbers
  counts its pages, and the real one runs once every part's pages are known;
- fillers come last, as many as the page count needs.

Unchanged parts come from the cache (:mod:`programme.cache`). A layout the parts cannot
reproduce exactly (a contents page that changes length with its numbers, fillers that are
not one page each, ``counter(pages)``…) raises :class:`UseOneDocument`, and the build lays the brochure out
as one document instead.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import multiprocessing
import os
import re
import resource
import sys
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit

from . import __version__, fillers, furniture, parts, resume, stills
from .budgets import Extent, Measurement, load_budgets, measure, overset
from .cache import FOLDER as CACHE_FOLDER, PartCache, digest, files_digest, stat_digest
from .join import PartPDF, join, splice
from .loader import Content
from .output import write_atomically
from .engine import fast_paths, weasyprint_version
from .engine.boxes import page_type_of
from .engine.hooks import (Furnisher, LatePaging, Recorder, Resumer, WrongSide, marked_drawing,
                           side_of, why_not_resumable)
from .problems import Problem, ProgrammeError, display_path
from .render import Layout, Renderer
from .typeset import glyph_pages, glyph_warnings, typeset

PROGRESS = logging.getLogger("programme.progress")
FILLERS = "fillers"
PLACEHOLDER_PAGE = 888  # the numbers a counting layout prints: three wide digits


class UseOneDocument(Exception):
    """The layout cannot be built in parts; build it as one document."""


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

    def to_json(self) -> dict:
        data = dataclasses.asdict(self)
        data["warnings"] = [dataclasses.astuple(w) for w in self.warnings]
        return data

    @classmethod
    def from_cache(cls, data: dict) -> "Done | None":
        """The entry, or None when it is not one this version wrote (treated as a miss)."""
        try:
            return cls.from_json(data)
        except (TypeError, KeyError, ValueError, AttributeError):
            return None

    @classmethod
    def from_json(cls, data: dict) -> "Done":
        data = dict(data)
        data["warnings"] = [Problem(*w) for w in data["warnings"]]
        data["placements"] = [stills.Placement(p["page"], p["image_id"], p["url"],
                                               tuple(p["pixels"]), tuple(p["size"]))
                              for p in data["placements"]]
        data["overset"] = [tuple(o) for o in data["overset"]]
        return cls(**data)


# ------------------------------------------------------------------------------ worker
def lay_out_part(task: Task, setup: Setup, ask_start) -> Done:
    """Lay out one part, number its pages, write its PDF. ``ask_start(pages)`` gives the
    number of its first page once its own pages are counted. A part laid out before is
    laid out again from where it changed, when that can be vouched for (resume.py)."""
    if task.previous is not None and task.pdf is not None:
        try:
            return _lay_out_again(task, setup, ask_start)
        except resume.CannotResume as why:
            if why.start is not None:
                task = dataclasses.replace(task, start=why.start)
            if os.environ.get("PROGRAMME_DEBUG_PARTS"):
                print(f"[{os.getpid()}] {task.name}: laid out in full: {why}",
                      file=sys.stderr, flush=True)
        except Exception:  # a full layout is always right, only slower
            if os.environ.get("PROGRAMME_DEBUG_PARTS"):
                print(f"[{os.getpid()}] {task.name}: laid out in full after an error in "
                      f"resuming:\n{traceback.format_exc()}", file=sys.stderr, flush=True)
    return _lay_out_whole(task, setup, ask_start)


def _lay_out_whole(task: Task, setup: Setup, ask_start) -> Done:
    start = task.start
    side = side_of(start) if start else "right"
    may_move, relaid = True, False
    base_url = setup.base_folder.as_uri() + "/"
    while True:
        prepared = parts.prepare(task.name, task.html, task.numbers, side, task.lead)
        known = start
        paging = LatePaging(prepared.lead, prepared.trail, side,
                            (lambda pages: known) if known else ask_start, base_url, may_move)
        recorder = Recorder()
        try:
            with paging.installed(), recorder.installed():
                laid = _typeset(prepared.html, setup)
            break
        except WrongSide as wrong:  # the sides differ in more than their margins
            start, side, may_move, relaid = wrong.start, side_of(wrong.start), False, True
    document = laid.document
    own = document.pages[prepared.lead:prepared.lead + paging.pages]
    starts = recorder.starts(len(document.pages)) if recorder.context is not None else None
    facts = _page_facts(
        own, setup, base_url,
        starts[prepared.lead:] if starts else [(None, False, [])] * len(own),
        [recorder.strings(prepared.lead + index + 1) if starts else {}
         for index in range(len(own))])
    done = _done(facts, prepared.lead, paging.start, laid.warnings, setup,
                 fillers._kinds(SimpleNamespace(pages=own), task.fillers) if task.fillers else [],
                 paging.moved, relaid)
    if task.pdf is not None:
        with _layers_marked(setup):
            write_atomically(Path(task.pdf), document.write_pdf(**setup.pdf_options))
    if task.record is not None and starts is not None and not task.fillers:
        # every part can be renumbered later; only some can be resumed
        why = why_not_resumable(recorder.context, document.pages)
        if prepared.lead or prepared.trail:
            why = why or "it has stand-in pages"
        write_atomically(Path(task.record), resume.Record(
            prepared.html, side, paging.moved, paging.start, task.images, why,
            facts, prepared.lead).to_bytes())
    return done


def _lay_out_again(task: Task, setup: Setup, ask_start) -> Done:
    """Lay the part out again from the page where its HTML changed, keeping the old
    PDF's pages before and after (see resume.py). A part whose first page number is not
    known yet is laid out as if it kept the old one, and asks; if it did not, it is laid
    out in full."""
    record_path, old_pdf = task.previous
    record = resume.Record.load(Path(record_path))
    if task.fillers:
        raise resume.CannotResume("fillers are laid out for their count")
    if task.images != record.images:
        raise resume.CannotResume("one of its images changed")
    if not Path(old_pdf).is_file():
        raise resume.CannotResume("the last layout's PDF is gone")
    base_url = setup.base_folder.as_uri() + "/"
    prepared = parts.prepare(task.name, task.html, task.numbers, record.side, task.lead)
    if prepared.html == record.html and prepared.lead == record.lead:
        return _renumber(task, setup, record, Path(old_pdf), prepared.html, ask_start)
    if record.resumable:
        raise resume.CannotResume(record.resumable)
    if prepared.lead or prepared.trail:
        raise resume.CannotResume("it has stand-in pages")
    if task.start is not None and task.start != record.start:
        raise resume.CannotResume("its first page number changed")
    why = resume.far_reaching_css(resume.css_of(prepared.html, setup.roots[1:]))
    if why:
        raise resume.CannotResume(why)
    change = resume.changed_span(record.html, prepared.html)
    restart = 0
    if change.restart is not None:
        page_of = next((i for i, page in enumerate(record.pages)
                        if change.restart in page.anchors), None)
        if page_of is None:
            raise resume.CannotResume(f"the anchor {change.restart!r} was on no page")
        restart = max(page_of - 1, 0)
    paging = LatePaging(0, 0, record.side, ask_start, base_url)
    if task.start is not None:
        paging.start, paging.moved = task.start, record.moved
    resumer = Resumer(record, restart, change.resync, paging)
    with resumer.installed():
        laid = _typeset(prepared.html, setup)
    new = laid.document.pages
    facts = _page_facts(new, setup, base_url, resumer.new_starts, resumer.new_strings)
    rejoined = resumer.rejoined
    kept_after = record.pages[rejoined:] if rejoined is not None else []
    facts = record.pages[:restart] + facts + kept_after
    done = _done(facts, 0, paging.start, laid.warnings, setup, [], record.moved, False)

    scratch = Path(task.pdf).with_suffix(".new.pdf")
    with _layers_marked(setup):
        write_atomically(scratch, laid.document.write_pdf(**setup.pdf_options))
    try:
        pieces = [PartPDF(Path(old_pdf), 0, restart), PartPDF(scratch, 0, len(new))]
        if rejoined is not None:
            pieces.append(PartPDF(Path(old_pdf), rejoined, len(kept_after)))
        try:
            pdf = splice(pieces, [(level, state) for page in facts
                                  for level, state in page.bookmarks])
        except ValueError as exc:
            raise resume.CannotResume(f"its outline does not splice: {exc}") from None
        write_atomically(Path(task.pdf), pdf)
    finally:
        scratch.unlink(missing_ok=True)
    if task.record is not None:
        write_atomically(Path(task.record), resume.Record(
            prepared.html, record.side, record.moved, paging.start, task.images, "",
            facts).to_bytes())
    done.resumed = (restart, len(new), len(facts))
    return done


def _renumber(task: Task, setup: Setup, record: resume.Record, old_pdf: Path, html: str,
              ask_start) -> Done:
    """The part as it was, with new page numbers: its old pages' content between a new
    background and new margin boxes (furniture.py), moved when their side changed."""
    if not _marks_layers(setup):
        raise resume.CannotResume("its PDF variant keeps layers unmarked")
    count = len(record.pages)
    start = task.start if task.start is not None else ask_start(count)
    if start == record.start:
        raise resume.CannotResume("nothing changed", start)  # the cache had it: a miss
    sides = [side_of(start + index) for index in range(count)]
    furnisher = Furnisher(record.pages, start, sides)
    try:
        with furnisher.installed(), _layers_marked(setup):
            laid = _typeset(furniture.head_only(html), setup)
            drawn = laid.document.write_pdf(**setup.pdf_options)
        pdf = furniture.renumber(old_pdf, drawn, furnisher.shifts, record.lead)
    except resume.CannotResume as why:  # laid out in full, with the number it learned
        raise resume.CannotResume(str(why), start) from None
    write_atomically(Path(task.pdf), pdf)
    facts = [dataclasses.replace(page, page_type=[side, *page.page_type[1:]])
             for page, side in zip(record.pages, sides)]
    moved = side_of(start) != record.side
    if task.record is not None:
        write_atomically(Path(task.record), resume.Record(
            html, record.side, moved, start, task.images, record.resumable, facts,
            record.lead).to_bytes())
    done = _done(facts, record.lead, start, laid.warnings, setup, [], moved, False)
    done.renumbered = True
    return done


def _marks_layers(setup: Setup) -> bool:
    """Whether part PDFs mark their furniture layers (furniture.py): not in a PDF
    variant, whose marked content has rules of its own."""
    return not setup.pdf_options.get("pdf_variant")


def _layers_marked(setup: Setup):
    return marked_drawing() if _marks_layers(setup) else contextlib.nullcontext()


def _typeset(html: str, setup: Setup):
    return typeset(html, setup.base_folder, list(setup.roots), list(setup.font_dirs),
                   where=setup.where, reported=setup.reported, check_glyphs=False,
                   **setup.typeset_options)


def _missing_glyphs(pages, setup: Setup) -> list[list[str]]:
    """For each page, the characters on it that no font has."""
    found: list[list[str]] = [[] for _ in pages]
    for char, indexes in glyph_pages(pages, list(setup.font_dirs), setup.reported,
                                     0).items():
        for index in indexes:
            found[index].append(char)
    return found


def _page_facts(pages, setup: Setup, base_url: str, starts, strings) -> list[resume.PageFacts]:
    """What each laid-out page holds (anchors, bookmarks, missing glyphs, measured
    entries, stills), so that a later layout that keeps the page knows it. ``starts``
    and ``strings``: each page's recorded start and running strings (resume.py)."""
    classes = {b.element for b in setup.budgets}
    glyphs = _missing_glyphs(pages, setup)
    return [_facts(page, base_url, start, page_strings, classes, page_glyphs)
            for page, start, page_strings, page_glyphs in zip(pages, starts, strings, glyphs)]


def _facts(page, base_url: str, start, strings, measured_classes: set[str],
           glyphs: list[str]) -> resume.PageFacts:
    state, clear, sizes = start
    view = SimpleNamespace(pages=[page])
    measured = measure(view, measured_classes).extents if measured_classes else {}
    return resume.PageFacts(
        state, clear, sizes, list(page.anchors),
        [[level, shown] for level, _, _, shown in page.bookmarks], strings,
        sorted(glyphs),
        {film: {name: extent.lines for name, extent in by_class.items()}
         for film, by_class in measured.items()},
        [{k: v for k, v in dataclasses.asdict(p).items() if k != "page"}
         for p in stills.placements(view, base_url)],
        page_type_of(page))


def _done(facts: list[resume.PageFacts], lead: int, start: int, warnings, setup: Setup,
          kinds: list[str], moved: bool, relaid: bool) -> Done:
    """What the part's pages hold, put together from each page's facts."""
    anchors: dict[str, int] = {}
    glyphs: dict[str, list[int]] = {}
    extents: dict[str, dict[str, Extent]] = {}
    placed = []
    for index, page in enumerate(facts):
        for name in page.anchors:
            anchors.setdefault(name, index)
        for char in page.glyphs:
            glyphs.setdefault(char, []).append(start + index)
        for film, by_class in page.measures.items():
            for name, lines in by_class.items():
                extent = extents.setdefault(film, {}).setdefault(name, Extent())
                extent.pages.add(index + 1)
                extent.lines += lines
        placed += [stills.Placement(start + index, p["image_id"], p["url"],
                                    tuple(p["pixels"]), tuple(p["size"]))
                   for p in page.placements]
    found = overset(Measurement(extents, []), setup.budgets) if setup.budgets else []
    return Done(len(facts), lead, start, anchors, warnings, glyphs,
                [(item.film, item.message) for item in found], placed, kinds, moved, relaid)


def _serve(conn, setup: Setup) -> None:
    """A worker process: lay out the parts it is sent until it is sent None."""
    while True:
        task = conn.recv()
        if task is None:
            return

        began = time.perf_counter()
        waited = [0.0, 0.0]

        def ask_start(pages: int) -> int:
            conn.send(("pages", task.name, pages))
            waited[0] = time.perf_counter()
            start = conn.recv()
            waited[1] = time.perf_counter()
            return start

        try:
            _injected_fault(task.name)
            done = lay_out_part(task, setup, ask_start)
            if os.environ.get("PROGRAMME_DEBUG_PARTS"):
                print(f"[{os.getpid()}] {task.name:24} {done.pages:4d} pages from {done.start:4d}"
                      f" laid out {waited[0] - began if waited[0] else 0:6.2f} s, waited "
                      f"{waited[1] - waited[0]:5.2f} s, total {time.perf_counter() - began:6.2f}"
                      f" s, rss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
                      f"{' moved' if done.moved else ''}{' relaid' if done.relaid else ''}"
                      + (" resumed at page {}: {} new of {}".format(*done.resumed)
                         if done.resumed else "") + (" renumbered" if done.renumbered else ""),
                      file=sys.stderr, flush=True)
            conn.send(("done", task.name, done))
        except ProgrammeError as exc:
            conn.send(("error", task.name, exc.problems))
        except Exception:
            conn.send(("crash", task.name, traceback.format_exc()))


def _injected_fault(name: str) -> None:
    """For the tests of failing soft: ``PROGRAMME_TEST_FAULT=crash:PART`` makes the worker
    laying out PART raise an error, ``die:PART`` makes it exit at once."""
    kind, _, part = os.environ.get("PROGRAMME_TEST_FAULT", "").partition(":")
    if part == name:
        if kind == "die":
            os._exit(70)
        if kind == "crash":
            raise RuntimeError("a fault injected by PROGRAMME_TEST_FAULT")


def _forkserver():
    """The multiprocessing context workers come from: a fork server that has imported
    WeasyPrint once (forking a process that has used Pango is not safe) and warmed what
    every worker needs (programme/warm.py)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["programme.partbuild", "programme.engine.warm"])
    return context


def warm_up(project: Path | None = None) -> None:
    """Start the fork server now, so that it is ready by the time the parts are: call it
    before loading the content. It reads the hyphenation dictionary of the document
    language of the project's last build."""
    from multiprocessing import forkserver

    if project is not None:
        os.environ["PROGRAMME_HYPHENATE"] = " ".join(_languages_used(project))
    _forkserver()
    forkserver.ensure_running()


def _languages_path(project: Path) -> Path:
    return Path(project) / CACHE_FOLDER / "languages.json"


def _languages_used(project: Path) -> list[str]:
    try:
        found = json.loads(_languages_path(project).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [lang for lang in found if isinstance(lang, str) and re.fullmatch(
        r"[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*", lang)][:20] if isinstance(found, list) else []


_LANG = re.compile(r"""<html\b[^>]*?\slang=(["'])([A-Za-z0-9_-]{2,20})\1""", re.I)


class _Workers:
    """Up to ``most`` worker processes, started as they are needed."""

    def __init__(self, most: int, setup: Setup):
        self.most, self.setup = most, setup
        self.conns, self.processes = [], []

    def add(self) -> bool:
        if len(self.conns) >= self.most:
            return False
        context = _forkserver()
        ours, theirs = context.Pipe()
        process = context.Process(target=_serve, args=(theirs, self.setup), daemon=True)
        process.start()
        theirs.close()
        self.conns.append(ours)
        self.processes.append(process)
        return True

    def close(self, graceful: bool = True) -> None:
        for conn, process in zip(self.conns, self.processes):
            if graceful:
                try:
                    conn.send(None)
                except OSError:
                    pass
        for process in self.processes:
            process.join(timeout=2 if graceful else 0)
            if process.is_alive():
                process.terminate()
                process.join()
        for conn in self.conns:
            conn.close()


# ------------------------------------------------------------------------- coordinator
@dataclass
class _Part:
    name: str
    index: int
    html: str
    defines: set[str]
    needs: set[str]                 # other parts whose anchors it refers to
    forward: bool                   # refers to a later part: count its pages first
    wanted: set[str] = field(default_factory=set)
    numbers: dict[str, int] | None = None
    layout_key: str | None = None
    pages: int | None = None
    counted: int | None = None      # pages found by the counting layout (forward parts)
    count_key: str | None = None
    start: int | None = None
    done: Done | None = None
    pdf: Path | None = None
    queued: bool = False
    fillers: int = 0
    images: str = ""

    @property
    def render_key(self) -> str | None:
        """The cache key of its PDF: its layout and its first page number."""
        if self.layout_key is None or self.start is None:
            return None
        return digest(self.layout_key, str(self.start))


@dataclass
class PartsResult:
    pdfs: list[PartPDF]         # each part's PDF, with its stand-in and own pages
    pages: int
    warnings: list[Problem]
    overset: list[tuple[str, str]]
    placements: list[stills.Placement]
    rendered: list[str]
    cached: list[str]
    cache: PartCache
    resumed: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    renumbered: list[str] = field(default_factory=list)  # old pages, new numbers
    # part -> (first page laid out again, pages laid out, pages), for parts laid out
    # again from where they changed (resume.py)

    def join(self, finish=None) -> bytes:
        """One PDF of the parts' own pages; ``finish(pdf)`` post-processes it first."""
        return join(self.pdfs, finish)

    def close(self) -> None:
        """Tidy the cache (a ``--no-cache`` build's part PDFs go)."""
        self.cache.tidy()


_FILE_URL = re.compile(r"""file://[^"')\s<>]+""")


def _images(html: str) -> list[Path]:
    return [Path(unquote(urlsplit(url).path)) for url in _FILE_URL.findall(html)]


def build_in_parts(content: Content, layout: Layout, template_extra: dict,
                   typeset_options: dict, pdf_options: dict, signature: int | None,
                   jobs: int | None = None, use_cache: bool = True) -> PartsResult:
    """Lay out the brochure part by part in ``jobs`` processes (default: every core)."""
    render = Renderer(content, layout, **template_extra)
    names = render.part_names()
    if not names:
        raise UseOneDocument("the layout marks no parts")
    if len(set(names)) != len(names):
        raise UseOneDocument("the layout marks a part twice")
    if FILLERS in names and names[-1] != FILLERS:
        raise UseOneDocument("fillers are not the last part")
    body = [n for n in names if n != FILLERS]
    has_fillers = FILLERS in names
    if signature and signature > 1 and not has_fillers:
        raise UseOneDocument("padding needs the fillers part")
    if any(fillers._uses_total_pages(folder) for folder in layout.folders):
        # each part would print its own page count
        raise UseOneDocument("the layout prints the page count (counter(pages))")

    where = display_path(layout.folder / layout.entry)
    setup = Setup(layout.folder, tuple([content.root.resolve(), *layout.folders,
                                        *layout.font_dirs]),
                  tuple(layout.font_dirs), where, content.unprintable,
                  dict(typeset_options), dict(pdf_options),
                  tuple(load_budgets(layout.folder)))
    signature_key = digest(__version__, weasyprint_version(), repr(sorted(
        typeset_options.items())), repr(sorted(pdf_options.items())),
        files_digest([*layout.folders, *layout.font_dirs]))
    cache = PartCache.for_project(content.root.resolve().parent, use_cache)

    found: list[_Part] = []
    for index, name in enumerate(body):
        html = render(only_part=name)
        found.append(_Part(name, index, html, parts.anchors_defined(html), set(), False,
                           parts.anchors_wanted(html)))
    if use_cache:
        # the document's language: most of its text (one dictionary is a third of a
        # second to read; a title in another language rarely needs hyphenating)
        languages = sorted({m.group(2) for part in found for m in _LANG.finditer(part.html)})
        if languages != _languages_used(content.root.resolve().parent):
            write_atomically(_languages_path(content.root.resolve().parent),
                             json.dumps(languages).encode("utf-8"))
    owner = {}
    for part in found:
        for anchor in part.defines:
            owner.setdefault(anchor, part)
    for part in found:
        part.wanted = {a for a in part.wanted - part.defines if a in owner}
        part.needs = {owner[a].name for a in part.wanted}
        part.forward = any(owner[a].index > part.index for a in part.wanted)
    by_name = {part.name: part for part in found}

    def layout_key(part: _Part, numbers: dict[str, int], html: str) -> str:
        if not part.images:
            part.images = stat_digest(_images(html))
        return digest(signature_key, part.name, html, json.dumps(numbers, sort_keys=True),
                      str(not part.forward), part.images)

    def latest_key(part: _Part) -> str:
        """Names the last layout of this part with these layout files (resume.py)."""
        return digest(signature_key, part.name, str(not part.forward))

    def provisional_start(part: _Part) -> int:
        """Its first page number if the parts before it whose pages are not known yet
        had none: renumbering (furniture.py) mends it, whatever it is."""
        running = 1
        for other in sequence():
            if other is part:
                return running
            running += pages_of(other) or 0
        return running

    def counting_task(part: _Part) -> Task | None:
        numbers = {a: PLACEHOLDER_PAGE for a in part.wanted}
        part.count_key = layout_key(part, numbers, part.html)
        part.counted = _cached_pages(cache.layout(part.count_key))
        if part.counted is not None:
            return None
        return Task(part.name, part.html, numbers, False, 1, None)

    total_parts = len(found) + (1 if has_fillers else 0)
    rendered: list[str] = []
    queue: list[tuple[int, Task]] = []
    for part in found:
        if part.forward:
            task = counting_task(part)
            if task is not None:
                queue.append((-1, task))

    fillers_part: _Part | None = None
    fillers_decided = not has_fillers
    jobs = max(1, jobs or _cores())
    workers: _Workers | None = None
    busy: dict[int, str] = {}          # worker -> part name
    waiting: dict[int, _Part] = {}     # worker -> part waiting for its start

    def sequence() -> list[_Part]:
        return found + ([fillers_part] if fillers_part else [])

    def pages_of(part: _Part) -> int | None:
        if part.pages is not None:
            return part.pages
        return part.counted if part.forward else None

    def update() -> None:
        """Work out all that is known, until nothing more is (a part taken from the
        cache can make the next one ready)."""
        while True:
            before = [(p.numbers is not None, p.pages, p.start, bool(p.done), p.queued)
                      for p in sequence()] + [fillers_decided]
            _update()
            after = [(p.numbers is not None, p.pages, p.start, bool(p.done), p.queued)
                     for p in sequence()] + [fillers_decided]
            if before == after:
                return

    def _update() -> None:
        nonlocal fillers_part
        # stand-in numbers, once the parts referred to are laid out and numbered (at once
        # for a part that refers to none)
        for part in found:
            if part.numbers is None and all(by_name[n].done for n in part.needs):
                if part.forward and part.counted is None:
                    continue
                part.numbers = {a: owner[a].done.start + owner[a].done.anchors[a]
                                for a in part.wanted if a in owner[a].done.anchors}
                part.layout_key = layout_key(part, part.numbers, part.html)
                part.pages = _cached_pages(cache.layout(part.layout_key))
        # first page numbers: known up to the first part whose pages are not
        running: int | None = 1
        for part in sequence():
            part.start = running
            pages = pages_of(part)
            running = running + pages if running is not None and pages is not None else None
        # fillers, once every other part's pages are known
        nonlocal fillers_decided
        if (has_fillers and not fillers_decided and running is not None
                and all(p.pages is not None for p in found)):
            fillers_decided = True
            content_pages = running - 1
            need = -content_pages % signature if signature and signature > 1 else 0
            if need:
                html = render(only_part=FILLERS, filler_pages=need)
                fillers_part = _Part(FILLERS, len(found), html, parts.anchors_defined(html),
                                     set(), False, fillers=need)
                fillers_part.start = running
                fillers_part.numbers = {}
                fillers_part.layout_key = layout_key(fillers_part, {}, html)
        # parts laid out with a provisional first page number that turned out wrong
        for part in sequence():
            if (part.done is not None and part.start is not None
                    and part.done.start != part.start):
                part.done, part.queued, part.pdf = None, False, None
        # cached renders, and renders to queue
        for part in sequence():
            if part.done or part.queued or part.numbers is None:
                continue
            if part.start is not None:
                entry = cache.render(part.render_key)
                done = Done.from_cache(entry) if entry is not None else None
                if done is not None:
                    part.done = done
                    part.pages = done.pages
                    part.pdf = cache.pdf_path(part.render_key)
                    continue
            if part.pages is not None and part.start is None:
                continue  # its layout is known: render it when its start is
            part.pdf = (cache.pdf_path(part.render_key) if part.start is not None
                        else cache.scratch_path(part.layout_key))
            latest = cache.latest(latest_key(part))
            queue.append((part.index, Task(
                part.name, part.html, part.numbers, not part.forward, part.start,
                str(part.pdf), part.fillers, part.images,
                str(cache.record_path(part.layout_key)) if cache.enabled else None,
                (latest["record"], latest["pdf"]) if latest else None)))
            part.queued = True

    try:
        update()
        while not (fillers_decided and all(part.done for part in sequence())):
            if not queue and not busy:
                raise RuntimeError("fast build stalled: " + ", ".join(
                    p.name for p in sequence() if not p.done))
            queue.sort(key=lambda item: item[0])
            if workers is None:
                workers = _Workers(jobs, setup)
            while queue and (len(busy) < len(workers.conns) or workers.add()):
                free = next(i for i in range(len(workers.conns)) if i not in busy)
                _, task = queue.pop(0)
                workers.conns[free].send(task)
                busy[free] = task.name
            ready = wait([workers.conns[i] for i in busy])
            for conn in ready:
                worker = workers.conns.index(conn)
                try:
                    kind, name, payload = conn.recv()
                except (EOFError, OSError):
                    raise RuntimeError(f"the worker laying out {busy[worker]} stopped") from None
                part = fillers_part if name == FILLERS else by_name[name]
                counting = part.forward and part.counted is None
                if kind == "pages":
                    if not counting and part.pages is None:
                        part.pages = payload
                    waiting[worker] = part
                elif kind == "done":
                    del busy[worker]
                    waiting.pop(worker, None)
                    if counting:
                        part.counted = payload.pages
                        cache.save_layout(part.count_key, {"pages": payload.pages})
                    else:
                        _finish(part, payload, cache, rendered)
                        if cache.enabled and part.name != FILLERS:
                            cache.save_latest(latest_key(part), part.layout_key, part.pdf)
                    PROGRESS.info("parts %d of %d", sum(1 for p in sequence() if p.done),
                                  total_parts)
                elif kind == "error":
                    raise ProgrammeError(payload)
                else:
                    if os.environ.get("PROGRAMME_DEBUG_PARTS"):
                        print(payload, file=sys.stderr, flush=True)
                    last = (payload.strip().splitlines() or ["?"])[-1]
                    raise RuntimeError(f"laying out {name} failed: {last}")
            update()
            for worker, part in list(waiting.items()):
                if part.start is not None:
                    workers.conns[worker].send(part.start)
                    del waiting[worker]
                elif queue and cache.enabled and not part.forward and part is not fillers_part:
                    # other parts wait for a worker: rather than sit idle until the parts
                    # before it are counted, this one goes on with a provisional first
                    # page number, and is renumbered once the real one is known
                    workers.conns[worker].send(provisional_start(part))
                    del waiting[worker]
    except BaseException:
        if workers is not None:
            workers.close(graceful=False)
            workers = None
        cache.tidy()
        raise
    if workers is not None:
        workers.close()

    ordered = sequence()
    for part in ordered:
        if part.forward and part.counted != part.pages:
            cache.tidy()
            raise UseOneDocument(f"{part.name} changes length with its page numbers")
    if fillers_part is not None:
        wanted = [f"filler-{n}" for n in range(1, fillers_part.fillers + 1)]
        if (fillers_part.pages != fillers_part.fillers
                or sorted(fillers_part.done.anchors.get(w, -1) for w in wanted)
                != list(range(fillers_part.fillers))):
            cache.tidy()
            raise UseOneDocument("each filler must take one page")

    warnings: list[Problem] = []
    seen_warnings: set[Problem] = set()
    glyphs: dict[str, list[int]] = {}
    for part in ordered:
        for warning in part.done.warnings:
            if warning not in seen_warnings:
                seen_warnings.add(warning)
                warnings.append(warning)
        for char, numbers in part.done.glyphs.items():
            glyphs.setdefault(char, []).extend(numbers)
    warnings += glyph_warnings(glyphs, where)
    total = sum(part.done.pages for part in ordered)
    if fillers_part is not None:
        content_pages = total - fillers_part.pages
        kinds = fillers_part.done.kinds
        need = fillers_part.fillers
        warnings.append(Problem(display_path(layout.folder / fillers.PARTIAL), None, None,
                                f"added {need} filler page{'s' if need != 1 else ''}"
                                + (f" ({', '.join(kinds)})" if kinds else "")
                                + f" to make {total} pages, a multiple of {signature} "
                                f"({content_pages} pages of content)", "warning"))
    return PartsResult([PartPDF(part.pdf, part.done.lead, part.done.pages) for part in ordered],
                       total, warnings,
                       [item for part in ordered for item in part.done.overset],
                       [p for part in ordered for p in part.done.placements],
                       rendered, [p.name for p in ordered if p.name not in rendered], cache,
                       {p.name: tuple(p.done.resumed) for p in ordered
                        if p.name in rendered and p.done.resumed},
                       [p.name for p in ordered if p.name in rendered and p.done.renumbered])


def _cores() -> int:
    """The cores this process may run on (all of the machine's where that is unknown)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def _cached_pages(entry: dict | None) -> int | None:
    pages = entry.get("pages") if entry is not None else None
    return pages if isinstance(pages, int) and pages > 0 else None


def _finish(part: _Part, done: Done, cache: PartCache, rendered: list[str]) -> None:
    part.done = done
    part.pages = done.pages
    part.start = done.start
    if part.name not in rendered:
        rendered.append(part.name)
    cache.save_layout(part.layout_key, {"pages": done.pages})
    key = part.render_key
    if part.pdf is None or Path(part.pdf).name != f"{key}.pdf":
        target = cache.pdf_path(key)
        if part.pdf is not None and Path(part.pdf).is_file():
            os.replace(part.pdf, target)
        part.pdf = target
    cache.save_render(key, done.to_json())
