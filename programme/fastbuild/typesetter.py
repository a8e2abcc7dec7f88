"""One document laid out by a worker forked from the fast build's fork server (a proof).

Importing WeasyPrint takes a quarter of a second, about as long as loading a festival of
300 films. A proof starts the fork server (``server.warm_up``) before it loads the
content, so WeasyPrint is imported on another core meanwhile, and hands the HTML to a
worker forked from it: :class:`Typesetter`. The worker lays the document out, measures
its entries (``budgets.measure``) and draws its PDF; the proof gets a :class:`Laid`.

Whenever that cannot be done – WeasyPrint is not the release the fast paths are tested
on, the worker stops or fails – the same is done in this process, so the result is the
same, only slower. A problem in the content or layout (``ProgrammeError``) is raised as
it would be in this process.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from ..budgets import Measurement, measure
from ..problems import Problem, ProgrammeError

LOG = logging.getLogger("programme.typesetter")


@dataclass
class Request:
    html: str
    base_folder: Path
    roots: list[Path]
    font_dirs: list[Path]
    where: str
    reported: frozenset[str]
    classes: set[str]                     # the classes to measure
    options: dict = field(default_factory=dict)   # WeasyPrint's render options


@dataclass
class Laid:
    """A laid-out document: its page count, warnings, measured entries and PDF."""

    pages: int
    warnings: list[Problem]
    measured: Measurement
    pdf: bytes

    @property
    def page_count(self) -> int:
        return self.pages


def lay_out_here(request: Request) -> Laid:
    """Lay the document out in this process."""
    from ..typeset import typeset, write_pdf

    laid = typeset(request.html, request.base_folder, list(request.roots),
                   list(request.font_dirs), where=request.where, reported=request.reported,
                   **request.options)
    measured = measure(laid.document, set(request.classes))
    pdf = write_pdf(laid)
    return Laid(laid.page_count, list(laid.warnings), measured, pdf)


def serve(conn) -> None:
    """A worker: lays out the requests it is sent until it is sent None."""
    while True:
        request = conn.recv()
        if request is None:
            return
        try:
            from .worker import _injected_fault

            _injected_fault("typesetter")
            laid = lay_out_here(request)
            if os.environ.get("PROGRAMME_DEBUG_PARTS"):  # as the parts' workers do
                import resource

                print(f"[{os.getpid()}] proof {laid.pages:4d} pages, rss "
                      f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB",
                      file=sys.stderr, flush=True)
            conn.send(("done", laid))
        except ProgrammeError as exc:
            conn.send(("error", exc.problems))
        except Exception:  # noqa: BLE001 - reported, and the document laid out at home
            conn.send(("crash", traceback.format_exc()))


class Typesetter:
    """Lays documents out in a worker forked from the fork server, started now (call it
    before loading the content), or in this process when that cannot be done."""

    def __init__(self, project: Path | None):
        from ..engine import fast_paths

        self.remote = not fast_paths()
        self.conn = self.process = None
        self.failed = ""  # why the worker could not lay a document out, if it could not
        if self.remote:
            try:
                from .server import warm_up

                warm_up(project)
            except Exception:  # noqa: BLE001 - only a head start
                self.remote = False

    def lay_out(self, request: Request) -> Laid:
        if self.remote:
            try:
                answer = self._ask(request)
            except Exception as exc:  # noqa: BLE001 - fail soft: lay it out here
                self._stop()
                self.remote = False
                self.failed = f"{type(exc).__name__}: {exc}".strip(": ") or "it stopped"
                if os.environ.get("PROGRAMME_DEBUG_PARTS"):
                    print(f"laid out in this process: {exc}", file=sys.stderr, flush=True)
            else:
                kind, payload = answer
                if kind == "done":
                    return payload
                if kind == "error":
                    raise ProgrammeError(payload)
                self._stop()
                self.remote = False
                self.failed = (str(payload).strip().splitlines() or ["it failed"])[-1][:200]
                if os.environ.get("PROGRAMME_DEBUG_PARTS"):
                    print(payload, file=sys.stderr, flush=True)
        return lay_out_here(request)

    def _ask(self, request: Request):
        if self.process is None:
            from .server import _forkserver

            context = _forkserver()
            ours, theirs = context.Pipe()
            process = context.Process(target=serve, args=(theirs,), daemon=True)
            process.start()
            theirs.close()
            self.conn, self.process = ours, process
        self.conn.send(request)
        return self.conn.recv()

    def _stop(self) -> None:
        if self.conn is not None:
            try:
                self.conn.send(None)
            except OSError:
                pass
            self.conn.close()
        if self.process is not None:
            self.process.join(timeout=2)
            if self.process.is_alive():
                self.process.terminate()
                self.process.join()
        self.conn = self.process = None

    def close(self) -> None:
        self._stop()

    def __enter__(self) -> "Typesetter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
