"""The fast build's worker processes: a pool of workers forked from the fork server.

Forking a process that has used Pango is not safe, and starting a fresh Python that
imports WeasyPrint costs half a second per worker. So workers come from a *fork server*
(multiprocessing's ``forkserver``, ``server.py``) that has imported this package's worker
module and ``programme.engine.warm`` once: WeasyPrint imported, the C types it uses
parsed, the hyphenation dictionary of the document's language read. ``server.warm_up``
starts it while the content loads; the language is the one the project's last build used
(kept in ``.programme-cache/languages.json``).
"""

from __future__ import annotations

import os
from multiprocessing.connection import wait

from .messages import Setup
from .server import _forkserver
from .worker import serve


def cores() -> int:
    """The cores this process may run on (all of the machine's where that is unknown)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


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
