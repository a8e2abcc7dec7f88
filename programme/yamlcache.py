"""Parsed content files kept between runs: a YAML file read before is not parsed again.

Parsing YAML with the line of every value (yamlfile.py) is most of the time it takes to
load a festival: about half a second for 300 films, paid by every build, proof and
handout. A file that parsed cleanly (no problem of any kind) leaves its data and line map
in ``.programme-cache/yaml/``, keyed by the SHA-256 of its bytes and by programme's code
(cache.code_key: a change to the parser is a new key); the next run that reads the same
bytes takes them from there.

The cache is not trusted: an entry is sealed with the digest of its text, read only from
a regular file inside the cache folder, and checked to be data the parser could have
produced from a clean file (plain JSON types, text keys, no character YAML refuses, no
deeper or larger than the parser allows) before it is used; anything else is a miss.
What it holds then goes through the same schema as freshly parsed YAML.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
import math
from pathlib import Path

from . import cache as part_cache

FOLDER = "yaml"
_LIMIT = 8 * 1024 * 1024  # an entry: content files are limited to 5 MB

_current: contextvars.ContextVar["YamlCache | None"] = contextvars.ContextVar(
    "programme_yaml_cache", default=None)


class YamlCache:
    def __init__(self, project: Path):
        self.root = Path(project) / part_cache.FOLDER
        self.folder = self.root / FOLDER
        self.code = part_cache.code_key()
        self.writable = True
        self.parsed: list[Path] = []  # files parsed in this run (not found in the cache)

    def _path(self, raw: bytes) -> Path:
        key = hashlib.sha256(self.code.encode("ascii") + b"\0" + raw).hexdigest()
        return self.folder / key[:2] / f"{key}.json"

    def get(self, raw: bytes, limits: dict):
        """(data, lines) for a file of these bytes parsed before, or None."""
        entry = part_cache.unseal(part_cache.read_regular(self.root, self._path(raw), _LIMIT))
        if entry is None:
            return None
        data, lines = entry.get("data"), entry.get("lines")
        if not _plain(data, limits) or not isinstance(lines, list):
            return None
        found = {}
        for item in lines:
            if (not isinstance(item, list) or len(item) != 2 or not isinstance(item[0], list)
                    or type(item[1]) is not int or item[1] < 1
                    or not all(type(p) in (str, int) for p in item[0])):
                return None
            found[tuple(item[0])] = item[1]
        return data, found

    def put(self, raw: bytes, data, lines: dict) -> None:
        if not self.writable:
            return
        try:
            body = {"data": data, "lines": [[list(loc), line] for loc, line in lines.items()]}
            text = json.dumps(body, sort_keys=True, allow_nan=False)
            sealed = json.dumps({"sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                                 "body": text}).encode("utf-8")  # as cache.seal
        except (TypeError, ValueError):
            return  # not plain JSON data (a number too long, a key that is not text…)
        from .output import write_atomically

        try:
            if self.root.is_symlink() or self.folder.is_symlink():
                raise OSError("a link")
            write_atomically(self._path(raw), sealed)
        except OSError:
            self.writable = False  # a read-only project: parse every time


def _plain(data, limits: dict) -> bool:
    """Whether ``data`` is what yamlfile's parser gives for a clean file."""
    refused, max_depth, max_nodes = limits["refused"], limits["depth"], limits["nodes"]
    count = 0
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > max_nodes or depth > max_depth:
            return False
        if isinstance(value, dict):
            for key, item in value.items():
                if type(key) is not str or refused.search(key):
                    return False
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif type(value) is str:
            if refused.search(value):
                return False
        elif type(value) is float:
            if not math.isfinite(value):
                return False
        elif value is not None and type(value) not in (bool, int):
            return False
    return True


def current() -> YamlCache | None:
    return _current.get()


@contextlib.contextmanager
def using(project: Path | None):
    """Content files read inside this block use the project's cache (none: no cache)."""
    token = _current.set(YamlCache(project) if project is not None else None)
    try:
        yield
    finally:
        _current.reset(token)
