"""Fast builds: the brochure's parts laid out side by side, cached, and joined.

The same pipeline as :mod:`programme.build`, with stage 3 split by part:

    Renderer           one HTML document per part                (render.py, parts.py)
    lay out            WeasyPrint lays out and writes each part, in worker processes,
                       numbering its pages late                  (fastbuild/, engine/)
    join               the parts' PDFs -> one PDF                (join.py)

The modules of this package, in the order a newcomer should read them:

    messages.py     Setup, Task, Done: what the coordinator and the workers send each other
    scheduler.py    which parts to lay out, in what order, with which first page numbers;
                    what the cache already has; when the fillers are decided (plain
                    Python: no WeasyPrint, no processes, no files; tests/test_scheduler.py)
    coordinator.py  build_in_parts: renders the parts, runs the scheduler against the
                    workers, gathers the result (PartsResult)
    server.py       the fork server the workers come from (warm_up starts it)
    workers.py      the pool of worker processes
    worker.py       one worker: lays a part out in full, resumed from where it changed,
                    or renumbered (resume.py, furniture.py), and writes its PDF
    typesetter.py   one whole document laid out by a worker (a proof)

Unchanged parts come from the cache (:mod:`programme.cache`). A layout the parts cannot
reproduce exactly (a contents page that changes length with its numbers, fillers that are
not one page each, ``counter(pages)``…) raises :class:`UseOneDocument`, and the build lays
the brochure out as one document instead.
"""

from __future__ import annotations

__all__ = ["PartsResult", "UseOneDocument", "build_in_parts", "warm_up"]

_WHERE = {"PartsResult": "coordinator", "build_in_parts": "coordinator",
          "UseOneDocument": "scheduler", "warm_up": "server"}


def __getattr__(name: str):
    # imported when first asked for, so that ``programme.fastbuild.scheduler`` can be
    # imported (and tested) without the worker processes' machinery
    if name in _WHERE:
        from importlib import import_module

        value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
