"""The fast build's coordinator: renders the parts, runs the scheduler against the
workers, and gathers what the parts found into one result.

    build_in_parts
      1. checks the layout can be built in parts (else :class:`UseOneDocument`);
      2. renders each part's HTML (render.py) and opens the cache (cache.py);
      3. loops: the scheduler (scheduler.py) says which tasks to run; idle workers
         (workers.py) get them; what they report goes back to the scheduler, which
         decides what is known and what can run next;
      4. checks the parts give the one-document brochure, and returns a
         :class:`PartsResult`, which joins the parts' PDFs (join.py).
"""

from __future__ import annotations

import logging
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .. import fillers, stills
from ..budgets import load_budgets
from ..cache import PartCache, code_key, digest, files_digest, stat_digest
from ..join import Joiner, PartPDF, join
from ..loader import Content
from ..problems import Problem, ProgrammeError, display_path
from ..render import Layout, Renderer, section_id
from ..typeset import glyph_warnings
from .messages import Setup, Task
from .scheduler import FILLERS, Scheduler, UseOneDocument, task_before_the_rest
from .server import languages_of, remember_languages
from .workers import Workers, cores

PROGRESS = logging.getLogger("programme.progress")


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
    trimmed: dict[str, int] = field(default_factory=dict)  # part -> elements left empty
    joiner: Joiner | None = None  # the join, begun while the workers were busy

    def join(self, finish=None) -> bytes:
        """One PDF of the parts' own pages; ``finish(pdf)`` post-processes it first."""
        joiner, self.joiner = self.joiner, None
        return join(self.pdfs, finish, joiner)

    def close(self) -> None:
        """Tidy the cache (a ``--no-cache`` build's part PDFs go)."""
        if self.joiner is not None:
            self.joiner.close()
            self.joiner = None
        self.cache.tidy()


class _EarlyJoin:
    """The join of the parts done so far, made while the workers lay out the others: a
    part laid out or taken from the cache is added once its first page number is sure
    (the pages of every part before it are known, and give the number it was laid out
    with: not a provisional one)."""

    def __init__(self):
        self.joiner: Joiner | None = Joiner()

    def _next(self, scheduler: Scheduler):
        if self.joiner is None:
            return None
        for index, part in enumerate(scheduler.parts):
            if (index not in self.joiner.added and part.done is not None
                    and part.start is not None and part.start == part.done.start):
                return index, part
        return None

    def can_add(self, scheduler: Scheduler) -> bool:
        return self._next(scheduler) is not None

    def add_one(self, scheduler: Scheduler) -> None:
        found = self._next(scheduler)
        if found is None:
            return
        index, part = found
        try:
            self.joiner.add(PartPDF(part.pdf, part.done.lead, part.done.pages), index)
        except Exception:  # noqa: BLE001 - only a head start: the join proper reports it
            self.give_up()

    def give_up(self) -> None:
        if self.joiner is not None:
            self.joiner.close()
            self.joiner = None


_FILE_URL = re.compile(r"""file://[^"')\s<>]+""")


def _images(html: str) -> list[Path]:
    return [Path(unquote(urlsplit(url).path)) for url in _FILE_URL.findall(html)]


def images_digest(html: str) -> str:
    """The size and date of the images an HTML document shows."""
    return stat_digest(_images(html))


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
    project = content.root.resolve().parent
    setup = Setup(layout.folder, tuple([content.root.resolve(), *layout.folders,
                                        *layout.font_dirs]),
                  tuple(layout.font_dirs), where, content.unprintable,
                  dict(typeset_options), dict(pdf_options),
                  tuple(load_budgets(layout.folder)))
    signature_key = digest(code_key(), repr(sorted(typeset_options.items())),
                           repr(sorted(pdf_options.items())),
                           files_digest([*layout.folders, *layout.font_dirs]))
    cache = PartCache.for_project(project, use_cache)
    notes: list[Problem] = []
    if cache.skipped:
        notes.append(Problem(display_path(project / ".programme-cache"), None, None,
                             f"the part cache cannot be used ({cache.skipped}): "
                             "the parts were laid out without it", "warning"))

    jobs = max(1, jobs or cores())
    workers: Workers | None = None
    early_join = _EarlyJoin()
    try:
        # The parts an edit most likely changed are rendered first, and go to a worker at
        # once: their layout overlaps the rendering of the others.
        first = _first_to_render(content, body, jobs) if cache.enabled else []
        htmls: dict[str, str] = {}
        adopted: dict[str, Task] = {}
        for name in first + [name for name in body if name not in first]:
            htmls[name] = render(only_part=name)
            task = task_before_the_rest(name, htmls[name], cache, signature_key=signature_key,
                                        images_of=images_digest) if name in first else None
            if task is not None:
                workers = workers or Workers(jobs, setup)
                worker = workers.free()
                if worker is not None:
                    workers.give(worker, task)
                    adopted[name] = task
        bodies = [(name, htmls[name]) for name in body]
        if cache.enabled:
            # the document's language: most of its text (one dictionary is a third of a
            # second to read; a title in another language rarely needs hyphenating)
            remember_languages(project, languages_of(html for _, html in bodies))
        scheduler = Scheduler(
            bodies, cache, signature_key=signature_key, images_of=images_digest,
            render_fillers=lambda need: render(only_part=FILLERS, filler_pages=need),
            signature=signature, has_fillers=has_fillers, adopted=adopted)
        scheduler.begin()
        while not scheduler.finished:
            scheduler.raise_if_stalled()
            if workers is None:
                workers = Workers(jobs, setup)
            while scheduler.has_queued():
                worker = workers.free()
                if worker is None:
                    break
                workers.give(worker, scheduler.take())
            # while the workers work, the parts done so far are joined, one at a time
            joining = early_join.can_add(scheduler)
            heard = False
            for _, (kind, name, payload) in workers.messages(0 if joining else None):
                heard = True
                if kind == "pages":
                    scheduler.counted_pages(name, payload)
                elif kind == "done":
                    scheduler.laid_out(name, payload)
                    PROGRESS.info("parts %d of %d", scheduler.parts_done,
                                  scheduler.total_parts)
                elif kind == "error":
                    raise ProgrammeError(payload)
                else:
                    if os.environ.get("PROGRAMME_DEBUG_PARTS"):
                        print(payload, file=sys.stderr, flush=True)
                    last = (payload.strip().splitlines() or ["?"])[-1]
                    raise RuntimeError(f"laying out {name} failed: {last}")
            if not heard:
                early_join.add_one(scheduler)
                continue
            scheduler.update()
            for name, start in scheduler.starts_to_give():
                workers.tell(name, start)
    except BaseException:
        if workers is not None:
            workers.close(graceful=False)
        early_join.give_up()
        cache.tidy()
        raise
    if workers is not None:
        workers.close()
    try:
        ordered = scheduler.checked()
    except UseOneDocument:
        early_join.give_up()
        cache.tidy()
        raise
    result = _result(scheduler, ordered, cache, layout, where, signature, notes)
    result.joiner = early_join.joiner
    return result


def _first_to_render(content: Content, names: list[str], most: int) -> list[str]:
    """The parts an edit most likely changed: the sections of the films whose files were
    read afresh (changed since the last build read them), by the name the built-in
    layouts give a section's part (``section_id``). None when a file other than a film's
    changed (the festival, venues or sections: every part may show it), or when more
    than ``most`` parts did (a first build: the parts go in brochure order). Only an
    order: a wrong guess costs nothing."""
    parsed = content.parsed
    if not parsed:
        return []
    sources = {path: slug for slug, path in content.film_sources.items()}
    if any(path not in sources for path in parsed):
        return []
    slugs = {sources[path] for path in parsed}
    sections = {section.slug: section for section in content.programme.sections}
    found = dict.fromkeys(section_id(sections[film.section])
                          for film in content.programme.films
                          if film.slug in slugs and film.section in sections)
    first = [name for name in found if name in names]
    return first if len(first) <= most else []


def _result(scheduler: Scheduler, ordered, cache: PartCache, layout: Layout, where: str,
            signature: int | None, notes: list[Problem]) -> PartsResult:
    """What the parts found, in brochure order: warnings (each once), missing glyphs,
    overset entries, stills, and the fillers added."""
    warnings: list[Problem] = list(notes)
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
    fillers_part = scheduler.fillers_part
    if fillers_part is not None:
        content_pages = total - fillers_part.pages
        kinds = fillers_part.done.kinds
        need = fillers_part.fillers
        warnings.append(Problem(display_path(layout.folder / fillers.PARTIAL), None, None,
                                f"added {need} filler page{'s' if need != 1 else ''}"
                                + (f" ({', '.join(kinds)})" if kinds else "")
                                + f" to make {total} pages, a multiple of {signature} "
                                f"({content_pages} pages of content)", "warning"))
    rendered = scheduler.rendered
    return PartsResult([PartPDF(part.pdf, part.done.lead, part.done.pages) for part in ordered],
                       total, warnings,
                       [item for part in ordered for item in part.done.overset],
                       [p for part in ordered for p in part.done.placements],
                       rendered, [p.name for p in ordered if p.name not in rendered], cache,
                       {p.name: tuple(p.done.resumed) for p in ordered
                        if p.name in rendered and p.done.resumed},
                       [p.name for p in ordered if p.name in rendered and p.done.renumbered],
                       {p.name: p.done.trimmed for p in ordered
                        if p.name in rendered and p.done.trimmed})
