"""The on-disk cache of rendered parts (``.programme-cache/`` in the festival project).

A part (see :mod:`programme.parts`) is stored under two keys:

- its **layout key**: a hash of everything its layout depends on – the part's HTML (with
  the page numbers it refers to), the layout's files, the fonts, the size and time of
  each image it shows, the programme and WeasyPrint versions. It records the part's page
  count and where its anchors landed, so a build knows the page numbers of an unchanged
  part without laying it out.
- its **render key**: the layout key and the number of its first page. It holds the
  part's PDF and what its layout reported (warnings, overset entries, placed stills).

A rebuild therefore lays out only the parts whose content changed, and the parts after
one whose page count changed (their folios moved). Entries unused for two weeks are
removed. Delete the folder at any time; ``build --no-cache`` neither reads nor writes it.
The cache holds JSON and PDF files only, never code.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

from .output import write_atomically

FOLDER = ".programme-cache"
MAX_AGE = 14 * 24 * 3600


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


class PartCache:
    """Layout and render entries in ``folder``; with ``enabled=False`` nothing is read and
    the folder (a temporary one) only carries this build's part PDFs."""

    def __init__(self, folder: Path, enabled: bool = True):
        self.folder = Path(folder)
        self.enabled = enabled
        self.hits = 0
        self.used: set[Path] = set()

    @classmethod
    def for_project(cls, project: Path, enabled: bool = True) -> "PartCache":
        if enabled:
            return cls(Path(project) / FOLDER / "parts")
        return cls(Path(tempfile.mkdtemp(prefix="programme-parts-")), enabled=False)

    def _path(self, kind: str, key: str, suffix: str) -> Path:
        return self.folder / kind / key[:2] / f"{key}{suffix}"

    def _read(self, path: Path) -> dict | None:
        if not self.enabled:
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        self.used.add(path)
        return data if isinstance(data, dict) else None

    def _write(self, path: Path, data: dict) -> None:
        write_atomically(path, json.dumps(data).encode("utf-8"))
        self.used.add(path)

    # layout entries: pages and anchors
    def layout(self, key: str) -> dict | None:
        return self._read(self._path("layout", key, ".json"))

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

    def render(self, key: str) -> dict | None:
        data = self._read(self._path("render", key, ".json"))
        pdf = self._path("render", key, ".pdf")
        if data is None or not pdf.is_file():
            return None
        self.used.add(pdf)
        self.hits += 1
        return data

    def save_render(self, key: str, data: dict) -> None:
        self.used.add(self._path("render", key, ".pdf"))
        self._write(self._path("render", key, ".json"), data)

    # records of layouts (resume.py), and which was the last of each part
    def record_path(self, key: str) -> Path:
        path = self._path("record", key, ".json")
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def latest(self, key: str) -> dict | None:
        """The last layout of a part: its record and PDF, when both are still here."""
        data = self._read(self._path("latest", key, ".json"))
        if not data or not isinstance(data.get("record"), str) or not isinstance(
                data.get("pdf"), str):
            return None
        if not (Path(data["record"]).is_file() and Path(data["pdf"]).is_file()):
            return None
        self.used.update({Path(data["record"]), Path(data["pdf"])})
        return data

    def save_latest(self, key: str, layout_key: str, pdf: Path) -> None:
        record = self._path("record", layout_key, ".json")
        if record.is_file():
            self.used.add(record)
            self._write(self._path("latest", key, ".json"),
                        {"record": str(record), "pdf": str(pdf)})

    def tidy(self) -> None:
        """Touch what this build used; remove entries unused for :data:`MAX_AGE`."""
        if not self.enabled:
            import shutil

            shutil.rmtree(self.folder, ignore_errors=True)
            return
        now = time.time()
        for path in self.used:
            try:
                os.utime(path, (now, now))
            except OSError:
                pass
        for path in self.folder.rglob("*"):
            try:
                if path.is_file() and now - path.stat().st_mtime > MAX_AGE:
                    path.unlink()
            except OSError:
                pass
