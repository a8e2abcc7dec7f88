"""The fast build's scheduler on its own (programme/fastbuild/scheduler.py): fake parts,
an in-memory cache and make-believe workers; no WeasyPrint, no processes, no files.

A fake part is a list of anchors it defines and refers to, and a page count; a fake
worker "lays out" a task by answering as a real one would: it counts the part's pages,
asks for its first page number when the task has none, and reports a Done."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

from programme.fastbuild.messages import Done
from programme.fastbuild.scheduler import (FILLERS, PLACEHOLDER_PAGE, Scheduler,
                                           UseOneDocument, task_before_the_rest)


# ------------------------------------------------------------------------ fakes
@dataclass
class Fake:
    pages: int
    defines: list[str] = field(default_factory=list)
    refers: list[str] = field(default_factory=list)
    counted: int | None = None      # pages of its counting layout (default: pages)

    def html(self) -> str:
        ids = "".join(f'<p id="{a}">x</p>' for a in self.defines)
        refs = "".join(f'<a href="#{a}">y</a>' for a in self.refers)
        return f"<html><head></head><body>{ids}{refs}</body></html>"


def brochure(**changes) -> dict[str, Fake]:
    """The shape of the example brochure: a front referring to every section, sections
    referring to nothing, an index referring back to the sections."""
    parts = {
        "front": Fake(2, ["cover"], ["film-a", "film-c", "index"]),
        "section-1": Fake(5, ["film-a", "film-b"]),
        "section-2": Fake(3, ["film-c"]),
        "index": Fake(1, ["index"], ["film-a", "film-b", "film-c"]),
    }
    parts.update(changes)
    return parts


class MemoryCache:
    """The part cache's methods, on dictionaries."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self.layouts: dict[str, dict] = {}
        self.renders: dict[str, dict] = {}
        self.latests: dict[str, tuple[str, str]] = {}

    def layout(self, key):
        return self.layouts.get(key) if self.enabled else None

    def save_layout(self, key, data):
        self.layouts[key] = dict(data)

    def render(self, key):
        entry = self.renders.get(key) if self.enabled else None
        if entry is None:
            return None
        return SimpleNamespace(data=entry["data"], pdf=f"render/{key}.pdf",
                               pdf_pages=entry["pdf_pages"])

    def keep_render(self, key, pdf, data):
        self.renders[key] = {"data": data, "pdf_pages": data["lead"] + data["pages"]}
        return f"render/{key}.pdf"

    def pdf_path(self, key):
        return f"render/{key}.pdf"

    def scratch_path(self, key):
        return f"scratch/{key}.pdf"

    def record_path(self, key):
        return f"record/{key}.json"

    def latest(self, key):
        return self.latests.get(key) if self.enabled else None

    def save_latest(self, key, layout_key, render_key):
        self.latests[key] = (f"record/{layout_key}.json", f"render/{render_key}.pdf")


class Run:
    """One build: a scheduler driven as the coordinator drives it, by ``workers`` fake
    workers. ``first(ready)`` picks which of the workers with something to say answers
    first (default: the one that got its task first); every event is logged."""

    def __init__(self, parts: dict[str, Fake], cache=None, workers: int = 2,
                 signature: int | None = 4, fillers: bool = True, first=None,
                 early: tuple[str, ...] = ()):
        self.parts = parts
        self.cache = cache if cache is not None else MemoryCache()
        self.fillers_asked: list[int] = []
        self.busy: dict[str, dict] = {}     # part -> {"task", "start"}
        self.tasks: list = []               # every task handed out, in order
        self.log: list[tuple] = []
        adopted = {}
        for name in early:  # as the coordinator does: given out before the rest render
            task = task_before_the_rest(name, parts[name].html(), self.cache,
                                        signature_key="test", images_of=lambda h: "no images")
            if task is not None:
                adopted[name] = task
                self.tasks.append(task)
                self.log.append(("early", name))
                self.busy[name] = {"task": task, "start": None}
        self.scheduler = Scheduler(
            [(name, fake.html()) for name, fake in parts.items()], self.cache,
            signature_key="test", images_of=lambda html: "no images",
            render_fillers=self._fillers, signature=signature, has_fillers=fillers,
            adopted=adopted)
        self.workers = workers
        self.first = first or (lambda ready: ready[0])

    def _fillers(self, need: int) -> str:
        self.fillers_asked.append(need)
        ids = "".join(f'<p id="filler-{n}">f</p>' for n in range(1, need + 1))
        return f"<html><head></head><body>{ids}</body></html>"

    def _fake(self, name: str) -> Fake:
        if name == FILLERS:
            need = self.fillers_asked[-1]
            return Fake(need, [f"filler-{n}" for n in range(1, need + 1)])
        return self.parts[name]

    def _done(self, task, start: int) -> Done:
        fake = self._fake(task.name)
        counting = task.pdf is None
        pages = (fake.counted or fake.pages) if counting else fake.pages
        lead = 1 if task.lead and task.numbers else 0
        anchors = {a: min(i, pages - 1) for i, a in enumerate(fake.defines)}
        return Done(pages, lead, start, anchors)

    def step(self) -> None:
        """One message from one worker, then what the coordinator does after it."""
        s = self.scheduler
        ready = [name for name, job in self.busy.items()
                 if "asked" not in job or job["start"] is not None
                 or job["task"].start is not None]
        assert ready, f"every busy worker waits for a start: {list(self.busy)}"
        name = self.first(ready)
        job = self.busy[name]
        task = job["task"]
        start = task.start if task.start is not None else job["start"]
        if start is None and "asked" not in job:
            job["asked"] = True
            pages = self._fake(name).pages
            self.log.append(("pages", name, pages))
            s.counted_pages(name, pages)
        elif start is not None:
            del self.busy[name]
            done = self._done(task, start)
            self.log.append(("done", name, done.start, done.pages))
            s.laid_out(name, done)
        s.update()
        for part, given in s.starts_to_give():
            self.log.append(("start", part, given))
            self.busy[part]["start"] = given

    def go(self) -> "Run":
        s = self.scheduler
        s.begin()
        while not s.finished:
            s.raise_if_stalled()
            while s.has_queued() and len(self.busy) < self.workers:
                task = s.take()
                self.tasks.append(task)
                self.log.append(("take", task.name, task.start, task.pdf is None))
                self.busy[task.name] = {"task": task, "start": None}
            self.step()
        self.ordered = s.checked()
        return self

    def starts(self) -> dict[str, int]:
        return {part.name: part.done.start for part in self.ordered}

    def tasks_of(self, name: str) -> list:
        return [t for t in self.tasks if t.name == name]


def _expected_starts(parts: dict[str, Fake]) -> dict[str, int]:
    starts, running = {}, 1
    for name, fake in parts.items():
        starts[name] = running
        running += fake.pages
    return starts


# ------------------------------------------------------------------------ the tests
def test_the_scheduler_needs_no_weasyprint():
    code = ("import sys, programme.fastbuild.scheduler; "
            "assert 'weasyprint' not in sys.modules and 'multiprocessing' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_what_each_part_needs():
    s = Run(brochure()).scheduler
    front, one, two, index = s.parts
    assert front.forward and front.needs == {"section-1", "section-2", "index"}
    assert not one.forward and not one.needs and not two.needs
    assert not index.forward and index.needs == {"section-1", "section-2"}


def test_sections_are_laid_out_at_once_and_numbered_when_the_parts_before_are_counted():
    run = Run(brochure(), workers=8)
    run.scheduler.begin()
    queued = [(task.name, task.start) for _, task in run.scheduler.queue]
    # the front's counting layout, and every section, before anything is laid out; the
    # sections do not know their first page yet (the front is not counted)
    assert queued == [("front", 1), ("section-1", None), ("section-2", None)]
    run = Run(brochure(), workers=8).go()
    assert run.starts() == _expected_starts(run.parts) | {FILLERS: 12}
    # section-2 counted its pages first, and waited for section-1's to learn its start
    log = run.log
    assert log.index(("start", "section-2", 8)) > log.index(("pages", "section-1", 5))
    assert sorted(run.scheduler.rendered) == sorted(["front", "section-1", "section-2",
                                                     "index", FILLERS])


def test_back_matter_waits_for_the_sections_and_gets_their_page_numbers():
    run = Run(brochure(), workers=8).go()
    index_task = run.tasks_of("index")[0]
    took = run.log.index(("take", "index", index_task.start, False))
    assert took > max(run.log.index(e) for e in run.log
                      if e[0] == "done" and e[1].startswith("section"))
    # stand-ins before its pages, with the films' page numbers
    assert index_task.lead and index_task.numbers == {"film-a": 3, "film-b": 4,
                                                      "film-c": 8}
    assert index_task.start == 11


def test_the_front_is_counted_with_placeholder_numbers_then_laid_out_again():
    run = Run(brochure(front=Fake(2, ["cover"], ["film-a", "film-c", "index"])),
              workers=2).go()
    counting, real = run.tasks_of("front")
    assert counting.pdf is None and counting.start == 1 and not counting.lead
    assert set(counting.numbers.values()) == {PLACEHOLDER_PAGE}
    assert real.pdf is not None and real.numbers == {"film-a": 3, "film-c": 8, "index": 11}
    assert not real.lead      # its stand-ins come after it
    # the count is kept: the next build does not count again
    again = Run(brochure(), cache=run.cache).go()
    assert again.tasks == [] and again.scheduler.rendered == []


def test_a_front_that_changes_length_with_its_numbers_is_one_document():
    run = Run(brochure(front=Fake(2, ["cover"], ["film-a"], counted=3)))
    with pytest.raises(UseOneDocument, match="front changes length"):
        run.go()


def test_a_waiting_part_goes_on_with_a_provisional_start_and_is_renumbered_later():
    # two workers: the front's counting layout on one, section-1 on the other; section-1
    # counts its pages first while section-2 waits for a worker: rather than idle, it
    # goes on as if the front had no pages, and is laid out again once the front is
    # counted (from the cache's record: a renumbering)
    def section_first(ready):
        return next((n for n in ready if n != "front"), ready[0])

    run = Run(brochure(), workers=2, first=section_first).go()
    assert ("start", "section-1", 1) in run.log
    first, again = run.tasks_of("section-1")[:2]
    assert first.start is None and again.start == 3
    assert again.previous is not None       # the layout it made with the provisional start
    assert run.starts() == _expected_starts(run.parts) | {FILLERS: 12}


def test_no_provisional_start_without_a_cache():
    # nothing to renumber from: the part waits for its real start
    def section_first(ready):
        return next((n for n in ready if n != "front"), ready[0])

    run = Run(brochure(), cache=MemoryCache(enabled=False), workers=2, first=section_first)
    run.go()
    assert not any(e[0] == "start" and e[2] != run.starts()[e[1]] for e in run.log)
    assert len(run.tasks_of("section-1")) == 1


def test_fillers_are_decided_last():
    run = Run(brochure(), signature=4).go()
    # 11 pages of content: one filler, once every other part's pages were known
    assert run.fillers_asked == [1]
    fillers_task = run.tasks_of(FILLERS)[0]
    assert fillers_task.fillers == 1 and fillers_task.start == 12
    took = run.log.index(("take", FILLERS, 12, False))
    for name in run.parts:   # every other part's pages were counted before
        assert min(i for i, e in enumerate(run.log)
                   if e[0] in ("pages", "done") and e[1] == name) < took
    assert run.ordered[-1].name == FILLERS
    # a multiple already: no fillers part at all
    even = Run(brochure(index=Fake(2, ["index"], ["film-a"])), signature=4).go()
    assert even.fillers_asked == [] and even.scheduler.fillers_part is None


def test_fillers_must_take_one_page_each():
    run = Run(brochure(), signature=4)
    real = run._fake

    def two_page_fillers(name):
        fake = real(name)
        return Fake(2, fake.defines) if name == FILLERS else fake

    run._fake = two_page_fillers
    with pytest.raises(UseOneDocument, match="each filler"):
        run.go()


def test_a_second_build_comes_from_the_cache_and_an_edit_lays_out_what_moved():
    first = Run(brochure(), signature=4).go()
    same = Run(brochure(), cache=first.cache, signature=4).go()
    assert same.tasks == [] and same.starts() == first.starts()
    assert all(part.pdf.startswith("render/") for part in same.ordered)
    # section-1 grows by a page: it is laid out, and so is everything after it (new
    # numbers), each with its last layout to renumber or resume from
    grown = Run(brochure(**{"section-1": Fake(6, ["film-a", "film-b", "more"])}),
                cache=first.cache, signature=4).go()
    names = [t.name for t in grown.tasks if t.pdf is not None]
    assert set(names) >= {"section-1", "section-2", "index", "front"}
    assert all(t.previous is not None for t in grown.tasks
               if t.name in ("section-2", "index") and t.pdf is not None)
    assert grown.starts()["section-2"] == 9


def test_a_part_given_out_before_the_rest_is_adopted():
    """The coordinator renders first the section an edit changed and gives it to a worker
    before the other parts are rendered: the scheduler takes the task in as its own."""
    first = Run(brochure(), signature=4).go()
    edited = brochure(**{"section-2": Fake(4, ["film-c", "film-d"])})
    # a part that refers to other parts, or one the cache has, is not given out early
    assert task_before_the_rest("index", edited["index"].html(), first.cache,
                                signature_key="test", images_of=lambda h: "") is None
    assert task_before_the_rest("section-1", edited["section-1"].html(), first.cache,
                                signature_key="test", images_of=lambda h: "no images") is None
    run = Run(edited, cache=first.cache, signature=4, early=("section-2", "section-1"))
    assert run.log == [("early", "section-2")]
    early = run.tasks[0]
    assert early.start is None and early.previous is not None  # resumed, asks its start
    run.go()
    assert [t.name for t in run.tasks if t.pdf is not None].count("section-2") == 1
    assert run.starts()["section-2"] == 8 and run.starts()["index"] == 12
    assert ("start", "section-2", 8) in run.log
    # a task that is not the one the scheduler would make is refused
    wrong = dataclasses.replace(early, html=early.html + " ")
    with pytest.raises(RuntimeError, match="another task"):
        Scheduler([(n, f.html()) for n, f in edited.items()], first.cache,
                  signature_key="test", images_of=lambda h: "no images",
                  adopted={"section-2": wrong}).begin()


def test_a_cached_entry_that_does_not_check_out_is_a_miss():
    first = Run(brochure()).go()
    for entry in first.cache.renders.values():
        if entry["data"]["pages"] == 5:
            entry["data"]["pages"] = -3
    again = Run(brochure(), cache=first.cache).go()
    assert again.scheduler.rendered == ["section-1"]
    assert again.starts() == first.starts()


def test_parts_referring_to_each_other_stall():
    parts = {"a": Fake(1, ["x"], ["y"]), "b": Fake(1, ["y"], ["x"])}
    with pytest.raises(RuntimeError, match="fast build stalled: a, b"):
        Run(parts, fillers=False).go()
