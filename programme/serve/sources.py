"""Who last changed a content file, read from git without running git.

:mod:`programme.gitrev` reads a repository's own files (a content folder's git
configuration must not run programs). It gives commits, their parents and trees; this
module walks the history from ``HEAD`` to find the last commit that changed a file, the
way ``git log -1 -- FILE`` does with its default history simplification: at a merge, the
walk follows a parent that has the same file, and a commit whose file differs from every
parent's (or that has no parent) is the one that changed it.

A file that differs from its committed version is "not committed" and dated by its
modification time; so is every file outside a repository, in a repository this reader
cannot read, or whose last change is more than :data:`MAX_STEPS` commits back.
Results are cached by the commit ``HEAD`` points to and the file's size and date, so
after an edit only the edited file is looked at again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import struct
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .. import gitrev

MAX_STEPS = 5000   # commits walked back for one file, at most
_UNREADABLE = (gitrev.GitUnreadable, OSError, ValueError, KeyError, IndexError, struct.error,
               RecursionError, zlib.error, UnicodeDecodeError)


@dataclass(frozen=True)
class LastChange:
    author: str | None       # None: not committed, or not known from git
    when: dt.datetime | None
    committed: bool
    in_git: bool = True      # False: the file is in no repository (dated by its mtime)

    def describe(self) -> str:
        date = f"{self.when:%Y-%m-%d %H:%M}" if self.when else "an unknown date"
        if self.author:
            return f"last changed by {self.author}, {date}"
        if self.committed or not self.in_git:
            return f"last changed {date}"
        return f"last changed {date} (not committed)"

    def as_json(self) -> dict:
        return {"author": self.author, "when": self.when.isoformat() if self.when else None,
                "committed": self.committed, "in_git": self.in_git, "text": self.describe()}


def _mtime(path: Path, committed: bool = False, in_git: bool = True) -> LastChange:
    try:
        when = dt.datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    except OSError:
        when = None
    return LastChange(None, when, committed, in_git)


def _blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _author(body: bytes) -> tuple[str, dt.datetime | None]:
    """The author's name and date from a commit object."""
    head = body.split(b"\n\n", 1)[0].decode("utf-8", "replace")
    for line in head.splitlines():
        if line.startswith("author "):
            rest = line[7:]
            name, _, stamp = rest.rpartition(">")
            name = name.split("<", 1)[0].strip()
            parts = stamp.split()
            when = None
            if parts and parts[0].lstrip("-").isdigit():
                offset = dt.timedelta()
                if len(parts) > 1 and len(parts[1]) == 5 and parts[1][1:].isdigit():
                    sign = -1 if parts[1][0] == "-" else 1
                    offset = sign * dt.timedelta(hours=int(parts[1][1:3]),
                                                 minutes=int(parts[1][3:5]))
                when = dt.datetime.fromtimestamp(int(parts[0]), dt.timezone(offset))
            return name or "(no name)", when
    return "(no author)", None


class LastChanges:
    """``last_change(path)`` for files of one content folder, cached."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._cache: dict[Path, tuple[tuple, LastChange]] = {}
        self._lock = threading.Lock()
        self._repo: tuple[str, gitrev.Repo] | None = None  # the repository read at a HEAD,
        # kept with the commits and trees it has read

    def _repository(self) -> tuple[gitrev.Repo | None, str | None]:
        repo = gitrev.Repo.find(self.folder)
        if repo is None:
            return None, None
        head = repo.head()
        if head is None:
            return None, None
        if self._repo and self._repo[0] == head and self._repo[1].git_dir == repo.git_dir:
            return self._repo[1], head
        self._repo = (head, repo)
        return repo, head

    def last_change(self, path: Path) -> LastChange:
        path = Path(os.path.abspath(path))
        try:
            st = path.stat()
            stamp = (st.st_size, st.st_mtime_ns)
        except OSError:
            return LastChange(None, None, False)
        with self._lock:
            try:
                repo, head = self._repository()
            except _UNREADABLE:
                repo = head = None
            key = (head, stamp)
            cached = self._cache.get(path)
            if cached and cached[0] == key:
                return cached[1]
            found = (self._look_up(repo, head, path) if repo and head
                     else _mtime(path, in_git=False))
            self._cache[path] = (key, found)
            return found

    def _look_up(self, repo: gitrev.Repo, head: str, path: Path) -> LastChange:
        try:
            rel = f"{gitrev.relative(repo, path.parent)}/{path.name}".lstrip("/")
            in_head = _blob_at(repo, head, rel)
            if in_head is None:
                return _mtime(path)   # not committed yet
            try:
                with open(path, "rb") as handle:
                    data = handle.read(gitrev.MAX_OBJECT + 1)
            except OSError:
                return _mtime(path)
            if _blob_id(data) != in_head:
                return _mtime(path)   # changed since the last commit
            commit, steps = head, 0
            while steps < MAX_STEPS:
                steps += 1
                blob = _blob_at(repo, commit, rel)
                parents = repo.parents(commit)
                same = [p for p in parents if _blob_at(repo, p, rel) == blob]
                if not same:
                    kind, body = repo.read(commit)
                    author, when = _author(body)
                    return LastChange(author, when, True)
                commit = same[0]
            return _mtime(path, committed=True)
        except _UNREADABLE:
            return _mtime(path, in_git=False)


def _blob_at(repo: gitrev.Repo, commit: str, rel: str) -> str | None:
    """The blob id of a file (posix path from the top of the work tree) in a commit."""
    parts = PurePosixPath(rel).parts
    tree = repo.peel(commit, "tree")
    for i, part in enumerate(parts):
        entries = {name: (mode, sha) for mode, name, sha in repo.tree(tree)}
        if part not in entries:
            return None
        mode, sha = entries[part]
        if i == len(parts) - 1:
            return sha if mode != 0o40000 else None
        if mode != 0o40000:
            return None
        tree = sha
    return None
