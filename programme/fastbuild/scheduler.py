"""Which parts to lay out, in what order, and with which first page numbers.

The scheduler is the fast build's bookkeeping, in plain Python: no WeasyPrint, no
processes, no files. It sees each part as its HTML (the anchors it defines and the ones
it refers to), asks the cache (anything with the methods of :class:`Cache`) what is
known already, and hands out :class:`~.messages.Task` objects; the coordinator sends
them to workers and tells the scheduler what comes back. What each part needs:

- a **section** refers to no other part: it is laid out at once and learns its first
  page number (from the page counts of the parts before it) once its own pages are
  counted;
- a **back-matter** part (schedule, indexes) refers to earlier parts (films): it waits
  until those are laid out, then gets stand-in pages carrying their page numbers (see
  ``parts.py``);
- the **front** (contents) refers to later parts (it is *forward*): a first, *counting*
  layout with placeholder numbers counts its pages, and the real one runs once every
  part it refers to is laid out and numbered;
- the **fillers** come last, decided once every other part's pages are known, as many as
  make the page count a multiple of the signature.

A part whose pages are counted but whose first page number is not known yet (the parts
before it are still being laid out) waits in its worker. When other parts are waiting
for a worker, it goes on with a *provisional* number instead (its start if the parts not
counted yet had no pages), and when the real number turns out different it is laid out
again – which, from the cache's record of its layout, is a renumbering without a layout
(``furniture.py``).

A layout the parts cannot reproduce exactly raises :class:`UseOneDocument`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable, Protocol

from ..cache import digest
from ..parts import anchors_defined, anchors_wanted
from .messages import Done, Task

FILLERS = "fillers"
PLACEHOLDER_PAGE = 888  # the numbers a counting layout prints: three wide digits


class UseOneDocument(Exception):
    """The layout cannot be built in parts; build it as one document."""


class Cache(Protocol):
    """What the scheduler asks of the part cache (``programme.cache.PartCache``)."""

    enabled: bool   # False: nothing is read, and parts are not renumbered later

    def layout(self, key: str) -> dict | None: ...          # {"pages": n}, checked
    def save_layout(self, key: str, data: dict) -> None: ...
    def render(self, key: str): ...             # checked: .data, .pdf, .pdf_pages; or None
    def keep_render(self, key: str, pdf, data: dict): ...    # -> where its PDF now is
    def pdf_path(self, key: str): ...
    def scratch_path(self, key: str): ...
    def record_path(self, key: str): ...
    def latest(self, key: str) -> tuple[str, str] | None: ...  # (record, PDF), checked
    def save_latest(self, key: str, layout_key: str, render_key: str) -> None: ...


@dataclass
class Part:
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
    pdf: object = None              # where its PDF is (a path)
    queued: bool = False
    fillers: int = 0
    images: str = ""

    @property
    def render_key(self) -> str | None:
        """The cache key of its PDF: its layout and its first page number."""
        if self.layout_key is None or self.start is None:
            return None
        return digest(self.layout_key, str(self.start))

    @property
    def counting(self) -> bool:
        """Whether its next layout only counts its pages (placeholder numbers)."""
        return self.forward and self.counted is None


def cached_pages(entry: dict | None) -> int | None:
    pages = entry.get("pages") if isinstance(entry, dict) else None
    return pages if isinstance(pages, int) and not isinstance(pages, bool) and pages > 0 \
        else None


def _layout_key(signature_key: str, name: str, html: str, numbers: dict[str, int],
                forward: bool, images: str) -> str:
    return digest(signature_key, name, html, json.dumps(numbers, sort_keys=True),
                  str(not forward), images)


def _latest_key(signature_key: str, name: str, forward: bool) -> str:
    return digest(signature_key, name, str(not forward))


def task_before_the_rest(name: str, html: str, cache: Cache, *, signature_key: str,
                         images_of: Callable[[str], str]) -> Task | None:
    """The task of a part that may go to a worker before the other parts are rendered
    (the coordinator renders first the parts an edit most likely changed), or None.

    Such a part refers to no anchor outside itself, so it needs no other part's page
    numbers and its task is the one the scheduler would make: no stand-in numbers, no
    first page number yet (the worker asks for it once its pages are counted; by then the
    scheduler, made with every part, has adopted the task: ``Scheduler(adopted=...)``).
    And the cache has no layout of it, so it would be laid out whatever the other parts
    are."""
    if name == FILLERS or not cache.enabled or anchors_wanted(html) - anchors_defined(html):
        return None
    images = images_of(html)
    layout_key = _layout_key(signature_key, name, html, {}, False, images)
    if cached_pages(cache.layout(layout_key)) is not None:
        return None
    return Task(name, html, {}, True, None, str(cache.scratch_path(layout_key)), 0, images,
                str(cache.record_path(layout_key)),
                cache.latest(_latest_key(signature_key, name, False)))


class Scheduler:
    """The state of one fast build's parts, and the decisions made on it.

    ``bodies``: each part's name and HTML, in brochure order (fillers not included);
    ``signature_key``: what every cache key of this build starts from (code, versions,
    options, layout files); ``images_of(html)``: a digest of the size and date of the
    images the HTML shows; ``render_fillers(need)``: the fillers part's HTML for ``need``
    pages; ``signature``: the page count must be a multiple of it (fillers make it so);
    ``adopted``: tasks given to workers already (see :func:`task_before_the_rest`), by
    part name."""

    def __init__(self, bodies: list[tuple[str, str]], cache: Cache, *, signature_key: str,
                 images_of: Callable[[str], str],
                 render_fillers: Callable[[int], str] | None = None,
                 signature: int | None = None, has_fillers: bool = False,
                 adopted: dict[str, Task] | None = None):
        self.adopted = dict(adopted or {})
        self.cache = cache
        self.signature_key = signature_key
        self.images_of = images_of
        self.render_fillers = render_fillers
        self.signature = signature
        self.has_fillers = has_fillers
        self.parts: list[Part] = [
            Part(name, index, html, anchors_defined(html), set(), False,
                 anchors_wanted(html)) for index, (name, html) in enumerate(bodies)]
        self.by_name = {part.name: part for part in self.parts}
        self.owner: dict[str, Part] = {}
        for part in self.parts:
            for anchor in part.defines:
                self.owner.setdefault(anchor, part)
        for part in self.parts:
            part.wanted = {a for a in part.wanted - part.defines if a in self.owner}
            part.needs = {self.owner[a].name for a in part.wanted}
            part.forward = any(self.owner[a].index > part.index for a in part.wanted)
        self.fillers_part: Part | None = None
        self.fillers_decided = not has_fillers
        self.total_parts = len(self.parts) + (1 if has_fillers else 0)
        self.queue: list[tuple[int, Task]] = []   # (priority, task): counting ones first
        self.in_flight: set[str] = set()          # parts being laid out by a worker
        self.waiting: dict[str, None] = {}        # parts waiting for their first number
        self.rendered: list[str] = []             # parts laid out (not from the cache)

    # ----------------------------------------------------------------- the parts
    def sequence(self) -> list[Part]:
        """Every part in brochure order, the fillers last once decided."""
        return self.parts + ([self.fillers_part] if self.fillers_part else [])

    def part(self, name: str) -> Part:
        return self.fillers_part if name == FILLERS else self.by_name[name]

    def pages_of(self, part: Part) -> int | None:
        """Its page count as far as it is known (a forward part's, from its counting)."""
        if part.pages is not None:
            return part.pages
        return part.counted if part.forward else None

    def provisional_start(self, part: Part) -> int:
        """Its first page number if the parts before it whose pages are not known yet
        had none: renumbering (furniture.py) mends it, whatever it is."""
        running = 1
        for other in self.sequence():
            if other is part:
                return running
            running += self.pages_of(other) or 0
        return running

    @property
    def finished(self) -> bool:
        return self.fillers_decided and all(part.done for part in self.sequence())

    @property
    def parts_done(self) -> int:
        return sum(1 for part in self.sequence() if part.done)

    # ------------------------------------------------------------------ cache keys
    def layout_key(self, part: Part, numbers: dict[str, int], html: str) -> str:
        """The cache key of a layout of ``html`` with stand-ins for ``numbers``."""
        if not part.images:
            part.images = self.images_of(html)
        return _layout_key(self.signature_key, part.name, html, numbers, part.forward,
                           part.images)

    def latest_key(self, part: Part) -> str:
        """Names the last layout of this part with these layout files (resume.py)."""
        return _latest_key(self.signature_key, part.name, part.forward)

    # --------------------------------------------------------------- the decisions
    def begin(self) -> None:
        """Take in the tasks given out already; queue the counting layouts of forward parts
        (unless the cache counted them); then all that can be decided before any layout."""
        for name, task in self.adopted.items():
            self._adopt(self.by_name[name], task)
        for part in self.parts:
            if part.forward:
                numbers = {a: PLACEHOLDER_PAGE for a in part.wanted}
                part.count_key = self.layout_key(part, numbers, part.html)
                part.counted = cached_pages(self.cache.layout(part.count_key))
                if part.counted is None:
                    self.queue.append((-1, Task(part.name, part.html, numbers, False, 1, None)))
        self.update()

    def _adopt(self, part: Part, task: Task) -> None:
        """A part being laid out already: its task must be the one it would get here."""
        if part.forward or part.wanted:
            raise RuntimeError(f"{part.name} was given out early but refers to other parts")
        part.numbers = {}
        part.layout_key = self.layout_key(part, {}, part.html)
        part.pdf = self.cache.scratch_path(part.layout_key)
        expected = Task(part.name, part.html, {}, True, None, str(part.pdf), 0, part.images,
                        str(self.cache.record_path(part.layout_key)),
                        task.previous)  # the cache checked it for the task (read once)
        if task != expected:
            raise RuntimeError(f"{part.name} was given out early with another task")
        part.queued = True
        self.in_flight.add(part.name)

    def update(self) -> None:
        """Work out all that is known, until nothing more is (a part taken from the cache
        can make the next one ready)."""
        while True:
            before = self._state()
            self._step()
            if self._state() == before:
                return

    def _state(self) -> list:
        return [(p.numbers is not None, p.pages, p.start, bool(p.done), p.queued)
                for p in self.sequence()] + [self.fillers_decided]

    def _step(self) -> None:
        self._give_numbers()
        running = self._number_pages()
        self._decide_fillers(running)
        self._forget_wrong_starts()
        self._queue_or_take_from_cache()

    def _give_numbers(self) -> None:
        """Stand-in numbers, once the parts referred to are laid out and numbered (at once
        for a part that refers to none)."""
        for part in self.parts:
            if part.numbers is None and all(self.by_name[n].done for n in part.needs):
                if part.forward and part.counted is None:
                    continue
                part.numbers = {a: self.owner[a].done.start + self.owner[a].done.anchors[a]
                                for a in part.wanted if a in self.owner[a].done.anchors}
                part.layout_key = self.layout_key(part, part.numbers, part.html)
                part.pages = cached_pages(self.cache.layout(part.layout_key))

    def _number_pages(self) -> int | None:
        """First page numbers: known up to the first part whose pages are not. Returns
        the number after the last part's pages, or None."""
        running: int | None = 1
        for part in self.sequence():
            part.start = running
            pages = self.pages_of(part)
            running = running + pages if running is not None and pages is not None else None
        return running

    def _decide_fillers(self, running: int | None) -> None:
        """The fillers, once every other part's pages are known."""
        if (not self.has_fillers or self.fillers_decided or running is None
                or any(p.pages is None for p in self.parts)):
            return
        self.fillers_decided = True
        content_pages = running - 1
        signature = self.signature
        need = -content_pages % signature if signature and signature > 1 else 0
        if not need:
            return
        html = self.render_fillers(need)
        part = Part(FILLERS, len(self.parts), html, anchors_defined(html), set(), False,
                    fillers=need)
        part.start = running
        part.numbers = {}
        part.layout_key = self.layout_key(part, {}, html)
        self.fillers_part = part

    def _forget_wrong_starts(self) -> None:
        """Parts laid out with a provisional first page number that turned out wrong."""
        for part in self.sequence():
            if (part.done is not None and part.start is not None
                    and part.done.start != part.start):
                part.done, part.queued, part.pdf = None, False, None

    def _queue_or_take_from_cache(self) -> None:
        """Parts whose numbers are known: from the cache when it has them, else queued."""
        for part in self.sequence():
            if part.done or part.queued or part.numbers is None:
                continue
            if part.start is not None:
                hit = self.cache.render(part.render_key)
                done = Done.from_cache(hit.data, hit.pdf_pages) if hit is not None else None
                if done is not None and done.start == part.start:
                    part.done = done
                    part.pages = done.pages
                    part.pdf = hit.pdf
                    continue
            if part.pages is not None and part.start is None:
                continue  # its layout is known: lay it out when its start is
            part.pdf = (self.cache.pdf_path(part.render_key) if part.start is not None
                        else self.cache.scratch_path(part.layout_key))
            latest = self.cache.latest(self.latest_key(part))
            self.queue.append((part.index, Task(
                part.name, part.html, part.numbers, not part.forward, part.start,
                str(part.pdf), part.fillers, part.images,
                str(self.cache.record_path(part.layout_key)) if self.cache.enabled else None,
                latest)))
            part.queued = True

    # ------------------------------------------------------ what the workers report
    def has_queued(self) -> bool:
        return bool(self.queue)

    def take(self) -> Task:
        """The next task to give a worker: counting layouts first, then brochure order."""
        self.queue.sort(key=lambda item: item[0])
        _, task = self.queue.pop(0)
        self.in_flight.add(task.name)
        return task

    def raise_if_stalled(self) -> None:
        """Nothing to lay out and nothing being laid out, yet not finished: a bug."""
        if not self.queue and not self.in_flight:
            raise RuntimeError("fast build stalled: " + ", ".join(
                p.name for p in self.sequence() if not p.done))

    def counted_pages(self, name: str, pages: int) -> None:
        """A worker counted the part's pages and waits for its first page number."""
        part = self.part(name)
        if not part.counting and part.pages is None:
            part.pages = pages
        self.waiting[name] = None

    def laid_out(self, name: str, done: Done) -> None:
        """A worker finished the part."""
        part = self.part(name)
        self.in_flight.discard(name)
        self.waiting.pop(name, None)
        if part.counting:
            part.counted = done.pages
            self.cache.save_layout(part.count_key, {"pages": done.pages})
            return
        part.done = done
        part.pages = done.pages
        part.start = done.start
        if part.name not in self.rendered:
            self.rendered.append(part.name)
        self.cache.save_layout(part.layout_key, {"pages": done.pages})
        part.pdf = self.cache.keep_render(part.render_key, part.pdf, done.to_json())
        if self.cache.enabled and part.name != FILLERS:
            self.cache.save_latest(self.latest_key(part), part.layout_key, part.render_key)

    def starts_to_give(self) -> list[tuple[str, int]]:
        """The first page numbers to send to the parts waiting for one: the real one when
        it is known; a provisional one when other parts are waiting for a worker (rather
        than sit idle until the parts before it are counted, the part goes on, and is
        renumbered once the real one is known)."""
        given = []
        for name in list(self.waiting):
            part = self.part(name)
            if part.start is not None:
                given.append((name, part.start))
            elif (self.queue and self.cache.enabled and not part.forward
                  and part is not self.fillers_part):
                given.append((name, self.provisional_start(part)))
            else:
                continue
            del self.waiting[name]
        return given

    # ------------------------------------------------------------------- the end
    def checked(self) -> list[Part]:
        """Every part in order, once finished; :class:`UseOneDocument` when the parts
        cannot give the one-document brochure."""
        ordered = self.sequence()
        for part in ordered:
            if part.forward and part.counted != part.pages:
                raise UseOneDocument(f"{part.name} changes length with its page numbers")
            # laid out alone, a part numbers its own pages from 1 (right only for the first)
            if part.done.own_numbers and (part.done.start != 1 or part.done.lead):
                raise UseOneDocument(f"{part.name} prints page numbers of its own pages "
                                     f"({part.done.own_numbers})")
        fillers = self.fillers_part
        if fillers is not None:
            wanted = [f"filler-{n}" for n in range(1, fillers.fillers + 1)]
            if (fillers.pages != fillers.fillers
                    or sorted(fillers.done.anchors.get(w, -1) for w in wanted)
                    != list(range(fillers.fillers))):
                raise UseOneDocument("each filler must take one page")
        return ordered
