"""The on-disk cache of rendered parts (``.programme-cache/`` in the festival project).

A part (see :mod:`programme.parts`) is stored under two keys:

- its **layout key**: a hash of everything its layout depends on – the part's HTML (with
  the page numbers it refers to), the layout's files, the fonts, the size and time of
  each image it shows, and the code (:func:`code_key`: programme's own source files, the
  WeasyPrint, pydyf, Pango and HarfBuzz versions). It records the part's page count, so
  a build knows the page numbers of an unchanged part without laying it out.
- its **render key**: the layout key and the number of its first page. It holds the
  part's PDF and what its layout reported (warnings, overset entries, placed stills).

A rebuild therefore lays out only the parts whose content changed, and the parts after
one whose page count changed (their folios moved). Entries unused for two weeks are
removed. Delete the folder at any time; ``build --no-cache`` neither reads nor writes it.
The cache holds JSON and PDF files only, never code.

Nothing in it is trusted. Every JSON entry carries the SHA-256 of its own text, every
render entry the SHA-256 and page count of its PDF, every "latest layout" entry the keys
(never paths) of a record and a PDF and their SHA-256; an entry is read only when all of
it checks out, else it is a miss and the part is laid out again. Only regular files under
``.programme-cache/parts`` are opened, never through a link, and nothing outside it is
touched. A cache that cannot be written (a read-only project) is skipped, with a warning
(:attr:`PartCache.skipped`).
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import re
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import __version__
from .output import write_atomically

FOLDER = ".programme-cache"
MAX_AGE = 14 * 24 * 3600
SCRATCH_AGE = 3600          # a scratch or temporary file this old is a killed build's
_KEY = re.compile(r"[0-9a-f]{64}")
_SCRATCH = re.compile(r"(?P<key>[0-9a-f]{64})\.(?P<pid>[0-9]+)\.pdf")
_ENTRY_LIMIT = 64 << 20     # bytes: a JSON entry or a record
_PDF_LIMIT = 1 << 30        # bytes: a part's PDF


def digest(*pieces: str | bytes) -> str:
    h = hashlib.sha256()
    for piece in pieces:
        data = piece.encode("utf-8") if isinstance(piece, str) else piece
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def files_digest(folders: list[Path], suffixes: tuple[str, ...] | None = None) -> str:
    """A hash of the names and contents of the files in ``folders``."""
    h = hashlib.sha256()
    for folder in folders:
        for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
            if suffixes and path.suffix.lower() not in suffixes:
                continue
            if FOLDER in path.parts or "__pycache__" in path.parts:
                continue
            h.update(str(path).encode("utf-8") + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def stat_digest(paths: list[Path]) -> str:
    """A hash of the size and modification time of each file (missing ones included)."""
    h = hashlib.sha256()
    for path in sorted(set(paths)):
        try:
            st = path.stat()
            h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode("utf-8"))
        except OSError:
            h.update(f"{path}\0missing\n".encode("utf-8"))
    return h.hexdigest()




# -------------------------------------------------------------------- what keys know
@lru_cache(maxsize=None)
def source_digest(package: Path | None = None) -> str:
    """A hash of programme's own source files (every ``.py`` under the package, by path
    and bytes), computed once per process: a change to any of them is a new key."""
    root = Path(package) if package is not None else Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        h.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


# The sonames WeasyPrint's bindings load (weasyprint/text/ffi.py) on Linux, macOS and
# Windows: the dynamic linker gives this process the same library files.
_LIBRARIES = {
    "pango": ("libpango-1.0.so.0", "libpango-1.0.0.dylib", "libpango-1.0-0.dll"),
    "harfbuzz": ("libharfbuzz.so.0", "libharfbuzz.0.dylib", "libharfbuzz-0.dll"),
}


def _library_version(name: str) -> str | None:
    """Pango's or HarfBuzz's version straight from the C library (a few milliseconds;
    asking WeasyPrint's bindings means importing WeasyPrint, half a second)."""
    import ctypes

    for soname in _LIBRARIES[name]:
        try:
            library = ctypes.CDLL(soname)
        except OSError:
            continue
        try:
            if name == "pango":
                number = int(library.pango_version())
                return f"{number // 10000}.{number // 100 % 100}.{number % 100}"
            library.hb_version_string.restype = ctypes.c_char_p
            return library.hb_version_string().decode("ascii")
        except (AttributeError, ValueError, UnicodeDecodeError):
            return None
    return None


@lru_cache(maxsize=1)
def engine_versions() -> dict[str, str]:
    """The versions of what lays out and writes the parts: WeasyPrint, pydyf, Pango and
    HarfBuzz ("unknown" for one that cannot be found)."""
    from importlib.metadata import PackageNotFoundError, version

    from .engine import weasyprint_version

    found = {"weasyprint": weasyprint_version()}
    try:
        found["pydyf"] = version("pydyf")
    except PackageNotFoundError:
        found["pydyf"] = "unknown"
    for name in ("pango", "harfbuzz"):
        found[name] = _library_version(name) or ""
    if not all(found.values()):
        try:  # the engine's own lookup (engine/versions.py), through WeasyPrint
            from .engine.versions import library_versions

            libraries = library_versions()
        except Exception:  # noqa: BLE001 - a version is a key piece, never an error
            libraries = {}
        for name in ("pango", "harfbuzz"):
            found[name] = found[name] or str(libraries.get(name) or "unknown")
    return found


def code_key() -> str:
    """What every cache key starts from: programme's version and source files, and the
    engine's versions. A cached part is reused only with the code that made it."""
    return digest(__version__, source_digest(), json.dumps(engine_versions(), sort_keys=True))


# ---------------------------------------------------------------------- reading safely
def _inside(root: Path, path: Path) -> bool:
    """Whether ``path`` is ``root`` or under it with no link on the way (checked with
    lstat from ``root`` down, so a link to a folder elsewhere is never followed)."""
    try:
        relative = Path(path).relative_to(root)
    except ValueError:
        return False
    if ".." in relative.parts:
        return False
    at = Path(root)
    for piece in relative.parts:
        at = at / piece
        try:
            if stat.S_ISLNK(os.lstat(at).st_mode):
                return False
        except FileNotFoundError:
            return True   # nothing there yet: nothing is followed either
        except OSError:
            return False
    return True


def read_regular(root: Path, path: Path, limit: int) -> bytes | None:
    """The bytes of the regular file ``path`` under ``root`` (no link, no FIFO, at most
    ``limit`` bytes), or None."""
    if not _inside(root, path):
        return None
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
        return data if len(data) <= limit else None
    except OSError:
        return None
    finally:
        os.close(fd)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def seal(data: dict) -> bytes:
    """A JSON entry as stored: its text, and the SHA-256 of that text."""
    body = json.dumps(data, sort_keys=True)
    return json.dumps({"sha256": _sha(body.encode("utf-8")), "body": body}).encode("utf-8")


def unseal(raw: bytes | None) -> dict | None:
    """The entry ``raw`` holds, when its digest checks out and it is a JSON object."""
    if raw is None:
        return None
    try:
        outer = json.loads(raw)
        body = outer["body"]
        if not isinstance(body, str) or outer.get("sha256") != _sha(body.encode("utf-8")):
            return None
        data = json.loads(body)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def pdf_pages(data: bytes) -> int | None:
    """The page count of the PDF ``data``, or None when it is not a PDF pikepdf opens."""
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages)
    except Exception:  # noqa: BLE001 - any damage is a miss
        return None


def _running(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:   # someone else's process: running
        return True
    return True


# ------------------------------------------------------------------------- the cache
@dataclass(frozen=True)
class Hit:
    """A render entry that checks out: what the layout found, and its PDF."""

    data: dict
    pdf: Path
    pdf_pages: int     # the pages the PDF has (stand-ins included)


class PartCache:
    """Layout and render entries in ``folder``; with ``enabled=False`` nothing is read or
    kept, and the folder (a temporary one) only carries this build's part PDFs.
    ``skipped``: why the project's cache is not used although it was asked for ("")."""

    def __init__(self, folder: Path, enabled: bool = True):
        self.folder = Path(folder)
        self.enabled = enabled
        self.skipped = ""
        self.hits = 0
        self.used: set[Path] = set()
        self._pdf_sha: dict[Path, str] = {}

    @classmethod
    def for_project(cls, project: Path, enabled: bool = True) -> "PartCache":
        """The project's cache; a temporary folder with ``enabled=False``, or when the
        project's cannot be written (then :attr:`skipped` says why)."""
        if enabled:
            root = Path(project) / FOLDER
            folder = root / "parts"
            try:
                for place in (root, folder):
                    if place.is_symlink():
                        raise OSError(errno.ELOOP, f"{FOLDER}/{place.relative_to(root)} "
                                      "is a link" if place != root else f"{FOLDER} is a link")
                folder.mkdir(parents=True, exist_ok=True)
                fd, probe = tempfile.mkstemp(prefix=".probe-", dir=folder)
                os.close(fd)
                os.unlink(probe)
            except OSError as exc:
                cache = cls.for_project(project, enabled=False)
                cache.skipped = exc.strerror or str(exc)
                return cache
            cache = cls(folder)
            cache.clean_scratch()
            return cache
        return cls(Path(tempfile.mkdtemp(prefix="programme-parts-")), enabled=False)

    def _path(self, kind: str, key: str, suffix: str) -> Path:
        if not _KEY.fullmatch(key or ""):
            raise ValueError("not a cache key")
        return self.folder / kind / key[:2] / f"{key}{suffix}"

    def _read(self, path: Path) -> dict | None:
        if not self.enabled:
            return None
        data = unseal(read_regular(self.folder, path, _ENTRY_LIMIT))
        if data is not None:
            self.used.add(path)
        return data

    def _write(self, path: Path, data: dict) -> None:
        if not self.enabled:
            return
        write_atomically(path, seal(data))
        self.used.add(path)

    def joined(self, key: str) -> dict | None:
        """What the last build of a brochure with these parts and this finishing wrote to
        its output (``{"sha256": …, "size": …}``), checked like every entry."""
        data = self._read(self._path("joined", key, ".json"))
        if (isinstance(data, dict) and isinstance(data.get("sha256"), str)
                and _KEY.fullmatch(data["sha256"]) and type(data.get("size")) is int):
            return data
        return None

    def save_joined(self, key: str, pdf: bytes) -> None:
        self._write(self._path("joined", key, ".json"), {"sha256": _sha(pdf),
                                                         "size": len(pdf)})

    def _pdf_digest(self, path: Path) -> tuple[str, int] | None:
        """The SHA-256 and page count of a PDF in the cache, or None."""
        data = read_regular(self.folder, path, _PDF_LIMIT)
        if data is None:
            return None
        pages = pdf_pages(data)
        if pages is None:
            return None
        self._pdf_sha[path] = _sha(data)
        return self._pdf_sha[path], pages

    def pdf_sha256(self, path) -> str | None:
        """The SHA-256 of a part PDF this build checked or kept (see :meth:`render`,
        :meth:`keep_render`), or None."""
        return self._pdf_sha.get(Path(path))

    # layout entries: page counts
    def layout(self, key: str) -> dict | None:
        data = self._read(self._path("layout", key, ".json"))
        pages = data.get("pages") if data is not None else None
        if not isinstance(pages, int) or isinstance(pages, bool) or pages < 1:
            return None
        return data

    def save_layout(self, key: str, data: dict) -> None:
        self._write(self._path("layout", key, ".json"), data)

    # render entries: the PDF and what the layout reported
    def pdf_path(self, key: str) -> Path:
        path = self._path("render", key, ".pdf")
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def scratch_path(self, key: str) -> Path:
        """Where a part whose first page is not known yet writes its PDF (moved later)."""
        path = self.folder / "scratch" / f"{key}.{os.getpid()}.pdf"
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def render(self, key: str) -> Hit | None:
        """The render entry, when it and its PDF check out (the PDF's digest and page
        count are the ones recorded)."""
        entry = self._read(self._path("render", key, ".json"))
        if entry is None:
            return None
        pdf = self._path("render", key, ".pdf")
        recorded = entry.get("pdf")
        if not isinstance(recorded, dict) or not isinstance(entry.get("done"), dict):
            return None
        found = self._pdf_digest(pdf)
        if found is None or [recorded.get("sha256"), recorded.get("pages")] != list(found):
            return None
        self.used.add(pdf)
        self.hits += 1
        return Hit(entry["done"], pdf, found[1])

    def keep_render(self, key: str, pdf, data: dict) -> Path:
        """Keep a part's PDF (moved under its render key) and what its layout found, with
        the PDF's digest and page count. Returns where the PDF is."""
        target = self._path("render", key, ".pdf")
        if pdf is None or Path(pdf).name != target.name:
            if pdf is not None and Path(pdf).is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(pdf, target)
        self.used.add(target)
        if self.enabled:
            found = self._pdf_digest(target)
            if found is not None:
                self._write(self._path("render", key, ".json"), {
                    "done": data, "pdf": {"sha256": found[0], "pages": found[1]}})
        return target

    # records of layouts (resume.py), and which was the last of each part
    def record_path(self, key: str) -> Path:
        path = self._path("record", key, ".json")
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def latest(self, key: str) -> tuple[str, str] | None:
        """The last layout of a part: its record and PDF, when both are still here and
        are the files the entry names (their digests)."""
        data = self._read(self._path("latest", key, ".json"))
        if data is None:
            return None
        layout, render = data.get("layout"), data.get("render")
        if not (isinstance(layout, str) and _KEY.fullmatch(layout)
                and isinstance(render, str) and _KEY.fullmatch(render)):
            return None
        record, pdf = self._path("record", layout, ".json"), self._path("render", render, ".pdf")
        record_bytes = read_regular(self.folder, record, _ENTRY_LIMIT)
        if record_bytes is None or data.get("record_sha256") != _sha(record_bytes):
            return None
        pdf_bytes = read_regular(self.folder, pdf, _PDF_LIMIT)
        if pdf_bytes is None or data.get("pdf_sha256") != _sha(pdf_bytes):
            return None
        self.used.update({record, pdf})
        return str(record), str(pdf)

    def save_latest(self, key: str, layout_key: str, render_key: str) -> None:
        record = self._path("record", layout_key, ".json")
        pdf = self._path("render", render_key, ".pdf")
        record_bytes = read_regular(self.folder, record, _ENTRY_LIMIT)
        pdf_sha = self._pdf_sha.get(pdf)
        if record_bytes is None or pdf_sha is None:
            return
        self.used.add(record)
        self._write(self._path("latest", key, ".json"), {
            "layout": layout_key, "render": render_key,
            "record_sha256": _sha(record_bytes), "pdf_sha256": pdf_sha})

    # housekeeping
    def clean_scratch(self) -> None:
        """Remove the scratch PDFs of builds that were killed: their process is gone, or
        they are over an hour old."""
        scratch = self.folder / "scratch"
        if not self.enabled or not _inside(self.folder, scratch) or not scratch.is_dir():
            return
        now = time.time()
        for path in scratch.iterdir():
            try:
                info = os.lstat(path)
                match = _SCRATCH.fullmatch(path.name)
                if (stat.S_ISLNK(info.st_mode) or not match
                        or now - info.st_mtime > SCRATCH_AGE
                        or not _running(int(match.group("pid")))):
                    if not stat.S_ISDIR(info.st_mode):
                        path.unlink()
            except OSError:
                pass

    def tidy(self) -> None:
        """Touch what this build used; remove entries unused for :data:`MAX_AGE`, this
        process's scratch files, and temporary files of killed builds. Only regular files
        under the cache folder are touched; links are removed, never followed."""
        if not self.enabled:
            shutil.rmtree(self.folder, ignore_errors=True)
            return
        now = time.time()
        for path in self.used:
            try:
                if _inside(self.folder, path) and stat.S_ISREG(os.lstat(path).st_mode):
                    os.utime(path, (now, now), follow_symlinks=False)
            except (OSError, NotImplementedError):
                pass
        own = f".{os.getpid()}.pdf"
        for folder, dirs, files in os.walk(self.folder, followlinks=False):
            for name in files + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
                path = os.path.join(folder, name)
                try:
                    info = os.lstat(path)
                    age = now - info.st_mtime
                    if (stat.S_ISLNK(info.st_mode) or age > MAX_AGE
                            or (name.endswith(".tmp") and age > SCRATCH_AGE)
                            or (name.endswith(".new.pdf") and age > SCRATCH_AGE)
                            or (os.path.basename(folder) == "scratch" and name.endswith(own))):
                        os.unlink(path)
                except OSError:
                    pass
