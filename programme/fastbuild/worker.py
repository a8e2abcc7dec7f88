"""A worker of the fast build: lays out the parts it is sent, one at a time.

Each worker is a process forked from the fork server (``workers.py``). It gets a
:class:`~.messages.Setup` once, then :class:`~.messages.Task` objects, and for each lays
the part out with WeasyPrint, writes its PDF and its record (resume.py), and answers
with a :class:`~.messages.Done`. A part is laid out one of three ways:

- **in full** (:func:`_lay_out_whole`): its pages are counted first, then the worker asks
  the coordinator for its first page number (``ask_start``) and WeasyPrint makes the
  folios; a part laid out on the wrong side (left/right) is moved, or laid out again;
- **resumed** (:func:`_lay_out_again`): only its HTML changed, and it is laid out again
  from the page where it changed until its pages start again where they did; the old
  PDF's pages before and after are kept;
- **renumbered** (:func:`_renumber`): only its first page number changed; its old pages
  get new folios, running heads and sides, with no layout (furniture.py).

When resuming or renumbering cannot be vouched for, the part is laid out in full.

What the worker sends back (on its pipe): ``("pages", name, n)`` when it has counted a
part's pages and waits for its first page number (it then receives that number);
``("done", name, Done)``; ``("error", name, problems)`` for a problem in the content or
layout; ``("crash", name, traceback)`` for anything else.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import resource
import sys
import time
import traceback
from pathlib import Path
from types import SimpleNamespace

from .. import fillers, furniture, parts, resume, stills
from ..budgets import Extent, Measurement, measure, overset
from ..engine.boxes import page_type_of
from ..engine.hooks import (Furnisher, LatePaging, Recorder, Resumer, WrongSide,
                            marked_drawing, side_of, why_not_renumberable,
                            why_not_resumable)
from ..join import PartPDF, splice
from ..output import write_atomically
from ..problems import ProgrammeError
from ..typeset import glyph_pages, typeset, write_pdf
from .messages import Done, Setup, Task


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
    if recorder.context is not None:
        done.own_numbers = why_not_renumberable(recorder.context, task.numbers)
    if task.pdf is not None:
        with _layers_marked(setup):
            write_atomically(Path(task.pdf), write_pdf(laid, **setup.pdf_options))
    if task.record is not None and starts is not None and not task.fillers:
        # every part can be renumbered later; only some can be resumed
        why = why_not_resumable(recorder.context, document.pages)
        if prepared.lead or prepared.trail:
            why = why or "it has stand-in pages"
        write_atomically(Path(task.record), resume.Record(
            prepared.html, side, paging.moved, paging.start, task.images, why,
            facts, prepared.lead,
            why_not_renumberable(recorder.context, task.numbers)).to_bytes())
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

    def resumed(html: str, limit: int | None):
        paging = LatePaging(0, 0, record.side, ask_start, base_url)
        if task.start is not None:
            paging.start, paging.moved = task.start, record.moved
        resumer = Resumer(record, restart, change.resync, paging, limit)
        with resumer.installed():
            return _typeset(html, setup), resumer, paging

    # WeasyPrint parses, styles and builds boxes for the whole document before the first
    # page: the elements the layout never reaches are left empty (resume.trimmed)
    # (not when the change is long: text that adds or takes away much of a page moves
    # every page after it, the layout will not rejoin, and a trimmed try would be wasted)
    trim = resume.trimmed(prepared.html, change.at, record.pages, restart) \
        if change.at is not None and abs(len(prepared.html) - len(record.html)) < 1500 \
        else None
    try:
        if trim is None or not trim.emptied:
            raise resume.ReachedTrimmed("nothing trimmed")
        laid, resumer, paging = resumed(trim.html, trim.limit)
    except resume.ReachedTrimmed:
        laid, resumer, paging = resumed(prepared.html, None)
        trim = None
    new = laid.document.pages
    facts = _page_facts(new, setup, base_url, resumer.new_starts, resumer.new_strings)
    rejoined = resumer.rejoined
    kept_after = record.pages[rejoined:] if rejoined is not None else []
    facts = record.pages[:restart] + facts + kept_after
    done = _done(facts, 0, paging.start, laid.warnings, setup, [], record.moved, False)

    scratch = Path(task.pdf).with_suffix(".new.pdf")
    with _layers_marked(setup):
        write_atomically(scratch, write_pdf(laid, **setup.pdf_options))
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
    done.trimmed = trim.emptied if trim is not None else 0
    return done


def _renumber(task: Task, setup: Setup, record: resume.Record, old_pdf: Path, html: str,
              ask_start) -> Done:
    """The part as it was, with new page numbers: its old pages' content between a new
    background and new margin boxes (furniture.py), moved when their side changed."""
    if not _marks_layers(setup):
        raise resume.CannotResume("its PDF variant keeps layers unmarked")
    if record.renumberable:
        raise resume.CannotResume(record.renumberable)
    count = len(record.pages)
    start = task.start if task.start is not None else ask_start(count)
    if start == record.start:
        raise resume.CannotResume("nothing changed", start)  # the cache had it: a miss
    sides = [side_of(start + index) for index in range(count)]
    furnisher = Furnisher(record.pages, start, sides)
    try:
        with furnisher.installed(), _layers_marked(setup):
            laid = _typeset(furniture.head_only(html), setup)
            drawn = write_pdf(laid, **setup.pdf_options)
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
            record.lead, record.renumberable).to_bytes())
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


def serve(conn, setup: Setup) -> None:
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
            done = _profiled(lay_out_part, task, setup, ask_start)
            if os.environ.get("PROGRAMME_DEBUG_PARTS"):
                print(f"[{os.getpid()}] {task.name:24} {done.pages:4d} pages from {done.start:4d}"
                      f" laid out {waited[0] - began if waited[0] else 0:6.2f} s, waited "
                      f"{waited[1] - waited[0]:5.2f} s, total {time.perf_counter() - began:6.2f}"
                      f" s, rss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
                      f"{' moved' if done.moved else ''}{' relaid' if done.relaid else ''}"
                      + (" resumed at page {}: {} new of {}".format(*done.resumed)
                         if done.resumed else "")
                      + (f" ({done.trimmed} elements left empty)" if done.trimmed else "") + (" renumbered" if done.renumbered else ""),
                      file=sys.stderr, flush=True)
            conn.send(("done", task.name, done))
        except ProgrammeError as exc:
            conn.send(("error", task.name, exc.problems))
        except Exception:
            conn.send(("crash", task.name, traceback.format_exc()))


def _profiled(function, task: Task, *args):
    """``function(task, *args)``; with ``PROGRAMME_PROFILE_PARTS=FOLDER`` (a developer's
    tool), its profile is written there as ``PART.prof`` (read it with ``pstats``)."""
    folder = os.environ.get("PROGRAMME_PROFILE_PARTS")
    if not folder:
        return function(task, *args)
    import cProfile

    profile = cProfile.Profile()
    try:
        return profile.runcall(function, task, *args)
    finally:
        profile.dump_stats(str(Path(folder) / f"{task.name}.prof"))


def _injected_fault(name: str) -> None:
    """For the tests of failing soft: ``PROGRAMME_TEST_FAULT=crash:PART`` makes the worker
    laying out PART raise an error, ``die:PART`` makes it exit at once."""
    kind, _, part = os.environ.get("PROGRAMME_TEST_FAULT", "").partition(":")
    if part == name:
        if kind == "die":
            os._exit(70)
        if kind == "crash":
            raise RuntimeError("a fault injected by PROGRAMME_TEST_FAULT")
