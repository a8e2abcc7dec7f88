"""The fast build's worker processes: a fork server, and a pool of workers forked from it.

Forking a process that has used Pango is not safe, and starting a fresh Python that
imports WeasyPrint costs half a second per worker. So workers come from a *fork server*
(multiprocessing's ``forkserver``) that has imported this package's worker module and
``programme.engine.warm`` once: WeasyPrint imported, the C types it uses parsed, the
hyphenation dictionary of the document's language read. :func:`warm_up` starts it while
the content loads; the language is the one the project's last build used (kept in
``.programme-cache/languages.json``).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
from multiprocessing.connection import wait
from pathlib import Path

from ..cache import FOLDER as CACHE_FOLDER, read_regular
from .messages import Setup
from .worker import serve

#: What the fork server imports before any worker is forked from it.
PRELOAD = ["programme.fastbuild.worker", "programme.engine.warm"]


def cores() -> int:
    """The cores this process may run on (all of the machine's where that is unknown)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def _forkserver():
    """The multiprocessing context workers come from: a fork server that has imported
    WeasyPrint once and warmed what every worker needs (programme/engine/warm.py)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
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
    # read only from inside the project's cache folder, never through a link
    raw = read_regular(Path(project), _languages_path(project), 1 << 16)
    try:
        found = json.loads(raw) if raw is not None else []
    except ValueError:
        return []
    return [lang for lang in found if isinstance(lang, str) and re.fullmatch(
        r"[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*", lang)][:20] if isinstance(found, list) else []


_LANG = re.compile(r"""<html\b[^>]*?\slang=(["'])([A-Za-z0-9_-]{2,20})\1""", re.I)


def languages_of(htmls) -> list[str]:
    """The document languages of these HTML documents (their root's ``lang``)."""
    return sorted({m.group(2) for html in htmls for m in _LANG.finditer(html)})


def remember_languages(project: Path, languages: list[str]) -> None:
    """Keep the document languages for the next build's fork server (best effort)."""
    from ..output import write_atomically

    if languages != _languages_used(project):
        try:
            write_atomically(_languages_path(project), json.dumps(languages).encode("utf-8"))
        except OSError:
            pass  # only an optimisation


class Workers:
    """Up to ``most`` worker processes, started as they are needed, each laying out one
    part at a time. Workers are numbered from 0 in the order they were started."""

    def __init__(self, most: int, setup: Setup):
        self.most, self.setup = most, setup
        self.conns, self.processes = [], []
        self.busy: dict[int, str] = {}     # worker -> the part it is laying out

    def free(self) -> int | None:
        """A worker with nothing to do, started if need be; None when all are busy."""
        for index in range(len(self.conns)):
            if index not in self.busy:
                return index
        if len(self.conns) >= self.most:
            return None
        context = _forkserver()
        ours, theirs = context.Pipe()
        process = context.Process(target=serve, args=(theirs, self.setup), daemon=True)
        process.start()
        theirs.close()
        self.conns.append(ours)
        self.processes.append(process)
        return len(self.conns) - 1

    def give(self, worker: int, task) -> None:
        self.conns[worker].send(task)
        self.busy[worker] = task.name

    def tell(self, name: str, start: int) -> None:
        """Send the worker laying out ``name`` its first page number."""
        worker = next(w for w, part in self.busy.items() if part == name)
        self.conns[worker].send(start)

    def messages(self, timeout: float | None = None):
        """Wait for the busy workers (at most ``timeout`` seconds); the messages they
        sent, as (worker, message). A worker that stopped raises RuntimeError."""
        ready = wait([self.conns[i] for i in self.busy], timeout)
        for conn in ready:
            worker = self.conns.index(conn)
            try:
                message = conn.recv()
            except (EOFError, OSError):
                raise RuntimeError(
                    f"the worker laying out {self.busy[worker]} stopped") from None
            if message[0] == "done":
                del self.busy[worker]
            yield worker, message

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
