"""The fast build's fork server: started while the content loads, it has imported
WeasyPrint and warmed what every worker needs (``programme/engine/warm.py``) by the time
workers are forked from it (``workers.py``, ``typesetter.py``).

Kept apart from the workers' code, so that starting it costs the command nothing: this
module imports neither WeasyPrint nor the worker's code; the fork server imports them.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
from pathlib import Path

from ..cache import FOLDER as CACHE_FOLDER, read_regular


#: What the fork server imports before any worker is forked from it.
PRELOAD = ["programme.fastbuild.worker", "programme.engine.warm"]


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


def warm_up_early(content_dir: Path) -> None:
    """Start the fork server for the project of ``content_dir`` first thing in a command
    that will lay out (a proof), unless the fast paths are off (an untested WeasyPrint)."""
    from ..engine import fast_paths

    if fast_paths():
        return
    try:
        warm_up(Path(content_dir).resolve().parent)
    except Exception:  # noqa: BLE001 - only a head start
        pass
