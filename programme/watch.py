"""``programme watch``: rebuild whenever content, the layout or the fonts change.

Each rebuild runs the ordinary build. When the content or the layout has an error, the
problems are printed and the last good PDF stays as it was (builds write atomically and
only on success); the next save that fixes the error builds again. A failing machine (a
full disk, say) or an internal error is reported in one line, and watching goes on.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path

from .build import build_pdf, project_folder
from .output import machine_error
from .press import Production
from .problems import ProgrammeError, display_path
from .render import Layout
from .terminal import printable

IGNORED_SUFFIXES = (".tmp", ".swp", "~", ".pdf", ".snapshot.json")


def watched_folders(content_dir: Path, layout: str | Path | None) -> list[Path]:
    chosen = Layout.find(layout, "brochure", project_folder(content_dir))
    folders = [Path(content_dir).resolve(), chosen.folder, *chosen.font_dirs]
    return list(dict.fromkeys(folders))


def _interesting(paths: Iterable[str]) -> list[str]:
    return sorted({display_path(Path(p)) for p in paths
                   if not Path(p).name.startswith(".") and not p.endswith(IGNORED_SUFFIXES)})


def watch(content_dir: Path, output: Path, layout: str | Path | None, echo: Callable[[str], None],
          strict: bool = False, stop=None) -> None:
    """Build now, then after every change until interrupted (or ``stop`` is set)."""
    from watchfiles import watch as file_changes

    def rebuild(reason: str) -> None:
        started = time.perf_counter()
        try:
            result = build_pdf(content_dir, output, layout=layout, strict=strict,
                               production=Production(), in_parts=True)
        except ProgrammeError as exc:
            for problem in exc.problems:
                echo(printable(problem))
            echo(printable(f"{reason}: {len(exc.problems)} problem(s); kept the last good "
                           f"{output} ({time.perf_counter() - started:.1f} s)"))
            return
        except Exception as exc:  # noqa: BLE001 - reported; watching goes on
            if os.environ.get("PROGRAMME_DEBUG"):
                traceback.print_exc()
            if isinstance(exc, OSError) and exc.errno is not None:  # the machine failed
                what = machine_error(exc)
            else:
                what = (f"internal error: {type(exc).__name__}: {exc} (a bug in programme; "
                        "set PROGRAMME_DEBUG=1 for details)")
            echo(printable(what))
            echo(printable(f"{reason}: failed; kept the last good {output} "
                           f"({time.perf_counter() - started:.1f} s)"))
            return
        for warning in result.warnings:
            echo(printable(warning))
        done = "kept" if getattr(result, "unchanged", False) else "wrote"  # kept: it held it
        echo(printable(f"{reason}: {done} {output} – {result.pages} pages in "
                       f"{time.perf_counter() - started:.1f} s"))

    folders = watched_folders(content_dir, layout)
    changes = file_changes(*folders, stop_event=stop, debounce=300, step=100,
                           raise_interrupt=False, yield_on_timeout=True, rust_timeout=200)
    next(changes)  # the watcher is running: edits made during the first build are caught
    echo("watching " + ", ".join(display_path(f) for f in folders) + " (Ctrl-C to stop)")
    rebuild("start")
    for batch in changes:
        changed = _interesting(path for _, path in batch)
        if changed:
            rebuild("changed " + ", ".join(changed))
