"""The live proof's builder: builds, renders the changed pages, and says what it has.

One thread runs :meth:`Builder.run`: a build at once, then one after every saved change
(``watchfiles``, the same folders as ``programme watch``). Each build is the ordinary one –
the brochure in parts with the cache, so a one-film edit lays out only the pages that
changed – or a proof or a handout. The PDF it writes is copied beside the page images
(the download is then always the PDF the images show), and only the pages whose
fingerprint changed are rendered again, the edited films' pages first.

Everything the browser shows is one JSON *state* (:meth:`Builder.state`); each change of
it is handed to ``publish``. A build with problems keeps the last good pages and adds the
problems to the state as ``errors``.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import markup
from ..build import project_folder
from ..output import machine_error
from ..problems import Problem, ProgrammeError, display_path
from .pages import PageImages, PdfInfo, RenderFailed, anchor_pages, read_pdf
from .sources import LastChanges

KINDS = ("brochure", "proof", "handout")
DEFAULT_OUTPUT = {kind: Path(f"out/{kind}.pdf") for kind in KINDS}
CONTENT_FILES = ("festival.yaml", "sections.yaml", "venues.yaml")
MAX_LISTED_FILMS = 20_000
LAYOUT_SUFFIXES = (".html", ".css", ".yaml", ".yml", ".txt", ".md")   # text, for /source/
MAX_LISTED_LAYOUT_FILES = 2_000
LAYOUT_OF = {"brochure": "brochure", "proof": "brochure", "handout": "handout"}
_PAGES_IN = re.compile(r"\bpages? (\d+(?:, \d+)*)")


@dataclass
class FilmInfo:
    slug: str
    title: str
    source: Path | None          # the film's YAML file
    pages: list[int] = field(default_factory=list)
    changed: str | None = None   # "last changed by …, date"


@dataclass
class Good:
    """What the last good build left: its PDF, its pages and what is on them."""

    pdf: Path
    info: PdfInfo
    seconds: float
    built: float                         # time.time() when it finished
    warnings: list[Problem]
    films: dict[str, FilmInfo]
    labels: list[list[str]]              # per page: what is on it
    missing: dict[str, list[str]]        # slug -> optional fields left empty


class Builder:
    def __init__(self, content_dir: Path, kind: str = "brochure",
                 layout: str | Path | None = None, output: Path | None = None,
                 echo: Callable[[str], None] = print, images: PageImages | None = None):
        if kind not in KINDS:
            raise ValueError(kind)
        self.content_dir = Path(content_dir)
        self.kind, self.layout = kind, layout
        self.output = Path(output) if output else DEFAULT_OUTPUT[kind]
        self.echo = echo
        self.images = images or PageImages()
        self.pdf_copy = self.images.folder / "output.pdf"
        self.last_changes = LastChanges(self.content_dir)
        self.publish: Callable[[dict], None] = lambda state: None
        self._lock = threading.RLock()
        self._version = 0
        self._status = "starting"
        self._detail = ""
        self._reason = ""
        self._good: Good | None = None
        self._errors: list[Problem] = []
        self._sources: dict[str, Path] = {}   # "films/x.yaml", "festival.yaml" -> file
        self._layout_folder: Path | None = None
        self._by_file: dict[str, str] = {}     # the files as problems name them -> key
        self._progress_at = 0.0
        self.stopping = threading.Event()   # set when the server stops: a build that fails
        # then (its workers interrupted) is not reported

    # ----------------------------------------------------------------- the browser's view
    def source(self, key: str) -> tuple[Path, Path] | None:
        """The file shown at /source/KEY and the folder it must be in: only names found by
        listing the content folder (``festival.yaml``, ``films/<name>.yaml``…) and the
        layout's (``layout/style.css``…), never a path from a request."""
        with self._lock:
            path = self._sources.get(key)
            base = (self._layout_folder if key.startswith("layout/")
                    else project_folder(self.content_dir))   # as the loader reads them
        return (path, base) if path is not None and base is not None else None

    def pdf(self) -> Path | None:
        with self._lock:
            return self.pdf_copy if self._good else None

    @property
    def download_name(self) -> str:
        return f"{self.kind}.pdf"

    def state(self) -> dict:
        with self._lock:
            good = self._good
            images = self.images.all()
            pages = []
            films = {}
            problems = []
            if good:
                on_page: dict[int, list[str]] = {}
                for film in good.films.values():
                    for n in film.pages:
                        on_page.setdefault(n, []).append(film.slug)
                for n, page in enumerate(good.info.pages, 1):
                    image = images.get(n)
                    pages.append({
                        "n": n,
                        "src": f"/page/{n}.png?v={image.pixels}" if image else None,
                        "ready": bool(image and image.fingerprint == page.fingerprint),
                        "w": round(page.width, 2), "h": round(page.height, 2),
                        "labels": good.labels[n - 1] if n - 1 < len(good.labels) else [],
                        "films": on_page.get(n, []),
                    })
                for slug, film in good.films.items():
                    films[slug] = {
                        "title": film.title,
                        "file": display_path(film.source) if film.source else None,
                        "source": self._source_url(film.source),
                        "changed": film.changed,
                        "pages": film.pages,
                    }
                problems = [self._problem_json(p, good) for p in good.warnings]
                for slug, fields in good.missing.items():
                    if fields and slug in good.films:
                        film = good.films[slug]
                        problems.append({
                            "text": f"{display_path(film.source) if film.source else slug}: "
                                    f"missing: {', '.join(fields)}",
                            "severity": "missing", "file": self._file_label(film.source),
                            "line": None, "page": film.pages[0] if film.pages else None,
                            "source": self._source_url(film.source)})
            return {
                "version": self._version,
                "kind": self.kind,
                "content": display_path(self.content_dir),
                "status": self._status,
                "detail": self._detail,
                "reason": self._reason,
                "seconds": round(good.seconds, 2) if good else None,
                "built": good.built if good else None,
                "pdf": ({"url": f"/{self.download_name}?v={good.info.pages[0].fingerprint}"
                                if good.info.pages else f"/{self.download_name}",
                         "name": self.download_name} if good else None),
                "pages": pages,
                "films": films,
                "problems": problems,
                "errors": [self._problem_json(p, good) for p in self._errors],
            }

    def _source_url(self, path: Path | None) -> str | None:
        if path is None:
            return None
        key = self._source_key(path)
        return f"/source/{key}" if key and key in self._sources else None

    def _source_key(self, path: Path) -> str | None:
        path = Path(path)
        if path.parent.name == "films" and path.suffix in (".yaml", ".yml"):
            return f"films/{path.name}"
        if path.name in CONTENT_FILES:
            return path.name
        return None

    def _file_label(self, path: Path | None) -> str | None:
        return display_path(path) if path else None

    def _problem_json(self, problem: Problem, good: Good | None) -> dict:
        page = None
        match = _PAGES_IN.search(problem.message)
        if match:
            page = int(match.group(1).split(",")[0])
        source = None
        with self._lock:
            key = self._by_file.get(problem.file)
        if key:
            source = f"/source/{key}" + (f"#L{problem.line}" if problem.line else "")
            if page is None and good:
                for film in good.films.values():
                    if film.source and display_path(film.source) == problem.file and film.pages:
                        page = film.pages[0]
                        break
        if page is not None and good and not 1 <= page <= len(good.info.pages):
            page = None
        return {"text": str(problem), "severity": problem.severity, "file": problem.file,
                "line": problem.line, "field": problem.field, "message": problem.message,
                "page": page, "source": source}

    def _changed(self, status: str, detail: str = "") -> None:
        with self._lock:
            self._version += 1
            self._status, self._detail = status, detail
        self.publish(self.state())

    # ------------------------------------------------------------------------ building
    def _list_sources(self) -> None:
        found: dict[str, Path] = {}
        root = self.content_dir
        for name in CONTENT_FILES:
            if (root / name).is_file():
                found[name] = root / name
        try:
            with os.scandir(root / "films") as entries:
                for i, entry in enumerate(entries):
                    if i >= MAX_LISTED_FILMS:
                        break
                    if entry.name.endswith((".yaml", ".yml")) and not entry.name.startswith("."):
                        found[f"films/{entry.name}"] = root / "films" / entry.name
        except OSError:
            pass
        found.update(self._layout_files())
        by_file = {display_path(path): key for key, path in found.items()}
        with self._lock:
            self._sources, self._by_file = found, by_file

    def _layout_files(self) -> dict[str, Path]:
        """The layout's text files (templates, CSS), as ``layout/<path in the layout>``."""
        from ..render import Layout

        try:
            folder = Layout.find(self.layout, LAYOUT_OF[self.kind],
                                 project_folder(self.content_dir)).folder
        except (ProgrammeError, OSError):
            return {}
        with self._lock:
            self._layout_folder = folder
        found: dict[str, Path] = {}
        for top, dirs, files in os.walk(folder):   # links to folders are not followed
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                path = Path(top) / name
                if name.startswith(".") or not name.endswith(LAYOUT_SUFFIXES) \
                        or path.is_symlink():
                    continue
                found["layout/" + path.relative_to(folder).as_posix()] = path
                if len(found) >= MAX_LISTED_LAYOUT_FILES:
                    return found
        return found

    def build(self, reason: str = "start", changed: list[str] | None = None) -> None:
        """One build, its pages rendered; the state published as it goes."""
        with self._lock:
            self._reason = reason
        self._changed("building", "building")
        started = time.perf_counter()
        self._list_sources()
        try:
            with self._progress():
                pdf_warnings, films, labels, missing = self._run_build()
        except ProgrammeError as exc:
            self._failed(exc.problems, reason, started)
            return
        except Exception as exc:  # noqa: BLE001 - reported; serving goes on
            if os.environ.get("PROGRAMME_DEBUG"):
                traceback.print_exc()
            if isinstance(exc, OSError) and exc.errno is not None:
                what = machine_error(exc)
            else:
                what = (f"internal error: {type(exc).__name__}: {exc} (a bug in programme; "
                        "set PROGRAMME_DEBUG=1 for details)")
            self._failed([Problem(f"programme {self.kind}", None, None, what)], reason, started)
            return
        seconds = time.perf_counter() - started
        try:
            rendered = self._show(pdf_warnings, films, labels, missing, seconds, changed or [])
        except (RenderFailed, OSError) as exc:
            self._failed([Problem("programme serve", None, None,
                                  f"could not show the pages: {exc}")], reason, started)
            return
        if self.stopping.is_set():
            return
        total = time.perf_counter() - started
        pages = len(self._good.info.pages) if self._good else 0
        which = _pages_text(rendered) if len(rendered) < pages else "every page"
        self.echo(f"{reason}: wrote {display_path(self.output)} – {pages} pages in "
                  f"{seconds:.1f} s; rendered {which}, shown {total:.1f} s after the start")

    def _failed(self, problems: list[Problem], reason: str, started: float) -> None:
        if self.stopping.is_set():
            return
        with self._lock:
            self._errors = list(problems)
        for problem in problems:
            self.echo(str(problem))
        self.echo(f"{reason}: {len(problems)} problem(s); showing the last good pages "
                  f"({time.perf_counter() - started:.1f} s)")
        self._changed("error")

    def _run_build(self):
        from ..loader import load_content

        films: dict[str, FilmInfo] = {}
        missing: dict[str, list[str]] = {}
        if self.kind == "proof":
            from ..proof import build_proof

            result = build_proof(self.content_dir, self.output, layout=self.layout)
            content = load_content(self.content_dir)   # parsed files come from the cache
            info = result.info
            for slug in result.films:
                source = info.sources.get(slug)
                films[slug] = FilmInfo(slug, info.titles.get(slug, slug),
                                       Path(source) if source else None)
            for n, slugs in enumerate(info.films_on_page, 1):
                for slug in slugs:
                    if slug in films and n not in films[slug].pages:
                        films[slug].pages.append(n)
            missing = {slug: [info.labels.get(f, f) for f in fields]
                       for slug, fields in info.missing.items()}
            return result.warnings, films, _names(films, content), missing
        from ..fastbuild import warm_up

        if self.kind == "brochure":
            warm_up(project_folder(self.content_dir))  # while the content loads
        content = load_content(self.content_dir)
        if self.kind == "brochure":
            from ..build import build_pdf
            from ..press import Production
            from ..proof import LABELS, missing_fields

            result = build_pdf(self.content_dir, self.output, layout=self.layout,
                               content=content, production=Production(), in_parts=True)
            missing = {f.slug: [LABELS.get(m, m) for m in missing_fields(f)]
                       for f in content.programme.films}
        else:
            from ..handout import Request, build_handout

            result, _ = build_handout(self.content_dir, self.output, Request(),
                                      layout=self.layout, content=content)
        for film in content.programme.films:
            films[film.slug] = FilmInfo(film.slug, markup.plain(film.title),
                                        content.film_sources.get(film.slug))
        return result.warnings, films, _names(films, content), missing

    def _show(self, warnings, films, names, missing, seconds, changed) -> None:
        self._changed("rendering", "rendering pages")
        copy = self.pdf_copy.with_suffix(".part")
        copy.write_bytes(Path(self.output).read_bytes())
        info = read_pdf(copy)
        # what is on each page: the PDF's named destinations (the layout's ids) and the
        # pages each one's element covers; a proof knows its films' pages exactly
        labels: list[list[str]] = [[] for _ in info.pages]
        known = self.kind == "proof"
        covered = anchor_pages(info.destinations, len(info.pages))
        for anchor, pages in covered.items():
            if anchor.startswith("film-") and anchor[5:] in films:
                if known:
                    continue
                films[anchor[5:]].pages = pages
            label = names.get(anchor) or _humane(anchor)
            for n in pages:
                if label and label not in labels[n - 1]:
                    labels[n - 1].append(label)
        if known:
            for film in films.values():
                for n in film.pages:
                    if 0 < n <= len(labels) and film.title not in labels[n - 1]:
                        labels[n - 1].append(film.title)
        if self.kind == "brochure" and info.destinations:
            for n in range(1, info.destinations[0].page):
                labels[n - 1] = labels[n - 1] or ["Cover"]
        for film in films.values():
            if film.source:
                film.changed = self.last_changes.last_change(film.source).describe()
        changed_files = {os.path.abspath(p) for p in changed}
        first = sorted({n for film in films.values()
                        if film.source and os.path.abspath(film.source) in changed_files
                        for n in film.pages})
        with self._lock:
            os.replace(copy, self.pdf_copy)
            self._good = Good(self.pdf_copy, info, seconds, time.time(), list(warnings),
                              films, labels, missing)
            self._errors = []
        rendered = self.images.update(
            self.pdf_copy, info, first=first,
            on_batch=lambda: self._changed("rendering", "rendering pages"),
            stop=self.stopping)
        self._changed("ok")
        return rendered

    # ---------------------------------------------------------------------- progress
    def _progress(self):
        builder = self

        class Handler(logging.Handler):
            def emit(self, record):
                from ..progress import _STEPS

                now = time.monotonic()
                if now - builder._progress_at < 0.25:
                    return
                message = record.getMessage()
                for pattern, text in _STEPS:
                    match = pattern.search(message)
                    if match:
                        builder._progress_at = now
                        builder._changed("building", text.format(*match.groups()))
                        return

        return _Logging(Handler(logging.INFO))

    # ------------------------------------------------------------------------ watching
    def run(self, stop: threading.Event) -> None:
        """Build now, then after every change, until ``stop`` is set."""
        from watchfiles import watch as file_changes

        self.stopping = stop

        from ..watch import _interesting, watched_folders

        try:
            folders = watched_folders(self.content_dir, self.layout)
        except ProgrammeError as exc:   # an unknown --layout
            self._failed(exc.problems, "start", time.perf_counter())
            return
        changes = file_changes(*folders, stop_event=stop, debounce=200, step=50,
                               raise_interrupt=False, yield_on_timeout=True, rust_timeout=200)
        next(changes)   # watching: edits made during the first build are caught
        self.build("start")
        for batch in changes:
            if stop.is_set():
                break
            paths = [path for _, path in batch]
            shown = _interesting(paths)
            if shown:
                self.build("changed " + ", ".join(shown), paths)


class _Logging:
    """Adds a handler to the loggers that report a build's progress, for one build."""

    NAMES = ("weasyprint.progress", "programme.progress")

    def __init__(self, handler: logging.Handler):
        self.handler = handler
        self.loggers = [logging.getLogger(name) for name in self.NAMES]

    def __enter__(self):
        self.levels = [logger.level for logger in self.loggers]
        for logger in self.loggers:
            logger.setLevel(logging.INFO)
            logger.addHandler(self.handler)

    def __exit__(self, *exc):
        for logger, level in zip(self.loggers, self.levels):
            logger.removeHandler(self.handler)
            logger.setLevel(level)


def _names(films: dict[str, FilmInfo], content) -> dict[str, str]:
    """Anchor -> what to call it in the page list: films and sections by name."""
    names = {f"film-{slug}": film.title for slug, film in films.items()}
    names.update({f"section-{s.slug}": markup.plain(s.name) for s in content.programme.sections})
    return names


def _pages_text(numbers: list[int]) -> str:
    """[3, 4, 5, 9] -> "pages 3-5, 9"; [] -> "no page"."""
    from .pages import _runs

    if not numbers:
        return "no page"
    runs = [f"{a}" if a == b else f"{a}-{b}" for a, b in _runs(numbers)]
    return ("page " if len(numbers) == 1 else "pages ") + ", ".join(runs)


def _humane(anchor: str) -> str:
    """``index-titles`` -> ``Index titles``; ``filler-2`` -> ``Filler``;
    ``day-2012-10-14-odn`` -> ``Day 2012-10-14 ODN``."""
    day = re.fullmatch(r"day-(\d{4}-\d\d-\d\d)(?:-(\w+))?", anchor)
    if day:
        return f"Day {day.group(1)}" + (f" {day.group(2).upper()}" if day.group(2) else "")
    words = re.sub(r"-\d+$", "", anchor).replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else ""
