"""What changed in the content since a git revision or a saved proof snapshot, field by field.

A *snapshot* is the films' data as the editors wrote it (the YAML, not the model), keyed
by slug. Every proof saves one beside its PDF (``proof.pdf`` → ``proof.snapshot.json``);
``programme proof --since`` takes that file or any git revision of the content folder.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .problems import Problem, ProgrammeError, display_path
from .yamlfile import read_yaml_safely

SNAPSHOT_VERSION = 1


def snapshot(content_root: Path, read: dict[str, dict] | None = None) -> dict[str, dict]:
    """The raw data of every film file in a content folder (``read``: as the loader read
    them, file stem -> data, to save reading them again)."""
    if read is not None:
        return {stem: read[stem] for stem in sorted(read)}
    films = {}
    for path in sorted((Path(content_root) / "films").glob("*.y*ml")):
        doc = read_yaml_safely(path, display_path(path))
        if isinstance(doc.data, dict):
            films[path.stem] = doc.data
    return films


def save_snapshot(films: dict[str, dict], revision: str) -> bytes:
    data = {"programme-snapshot": SNAPSHOT_VERSION, "revision": revision, "films": films}
    return json.dumps(data, ensure_ascii=False, indent=1, default=str).encode("utf-8")


def snapshot_path(pdf: Path) -> Path:
    return Path(pdf).with_suffix(".snapshot.json")


def load_since(since: str, content_root: Path) -> tuple[dict[str, dict], str]:
    """The films at ``since``: a snapshot file, or a git revision of the content folder."""
    path = Path(since)
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("programme-snapshot") != SNAPSHOT_VERSION:
                raise ValueError("not a programme proof snapshot")
            films = data["films"]
            if not isinstance(films, dict) or not all(isinstance(f, dict) for f in films.values()):
                raise ValueError("its films are not a mapping of film data")
            return films, f"snapshot {display_path(path)} ({data.get('revision', '?')})"
        except (ValueError, KeyError, AttributeError, UnicodeDecodeError) as exc:
            raise ProgrammeError([Problem(display_path(path), None, None,
                                          f"cannot read proof snapshot: {exc}")]) from None
    return _films_at_revision(since, Path(content_root)), f"git {since}"


def _films_at_revision(revision: str, root: Path) -> dict[str, dict]:
    """The films in ``films/`` at a git revision, read by :mod:`programme.gitrev` from the
    repository's files: git is never run, so nothing in the repository runs a program."""
    from . import gitrev
    from .yamlfile import MAX_BYTES

    def fail(message):
        raise ProgrammeError([Problem("--since", None, None, message)])

    try:
        repo = gitrev.Repo.find(root)
        if repo is None:
            fail(f"{revision!r} is neither a snapshot file nor usable as a git revision: "
                 f"{display_path(root)} is not in a git repository")
        top = gitrev.relative(repo, root)
        files = gitrev.files_at(revision, root, "films", MAX_BYTES)
    except LookupError:
        fail(f"unknown git revision {revision!r}")
    except (gitrev.GitUnreadable, OSError, ValueError, IndexError, RecursionError) as exc:
        fail(f"cannot read git revision {revision!r} of {display_path(root)}: {exc}")
    films = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in sorted(files.items()):
            stem, suffix = name.rsplit(".", 1) if "." in name else (name, "")
            if suffix not in ("yaml", "yml"):
                continue
            label = f"{revision}:{top + '/' if top else ''}films/{name}"
            if data is None:
                fail(f"{label}: the file is larger than {MAX_BYTES:,} bytes")
            target = Path(tmp) / "film.yaml"
            target.write_bytes(data)
            doc = read_yaml_safely(target, label)
            if isinstance(doc.data, dict):
                films[stem] = doc.data
    return films


# ------------------------------------------------------------------------------- diff
@dataclass(frozen=True)
class FieldChange:
    field: str
    old: object
    new: object

    @staticmethod
    def show(value, limit: int = 70) -> str:
        if value is None:
            return "—"
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        text = " ".join(str(value).split())
        return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Changes:
    since: str
    changed: dict[str, list[FieldChange]] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)
    removed: dict[str, str] = field(default_factory=dict)  # slug -> title

    def __bool__(self) -> bool:
        return bool(self.changed or self.added or self.removed)


def flatten(data, prefix: str = "") -> dict[str, object]:
    """{'credits': {'cast': [..]}, 'screenings': [{..}]} -> {'credits.cast': [..], 'screenings[0].venue': ..}."""
    out: dict[str, object] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(data, list) and any(isinstance(v, (dict, list)) for v in data):
        for i, value in enumerate(data):
            out.update(flatten(value, f"{prefix}[{i}]"))
    else:
        out[prefix] = data
    return out


def compare(old: dict[str, dict], new: dict[str, dict], since: str) -> Changes:
    changes = Changes(since)
    for slug in sorted(new):
        if slug not in old:
            changes.added.append(slug)
            continue
        a, b = flatten(old[slug]), flatten(new[slug])
        diffs = [FieldChange(key, a.get(key), b.get(key))
                 for key in sorted(set(a) | set(b), key=_field_order(b, a))
                 if a.get(key) != b.get(key)]
        if diffs:
            changes.changed[slug] = diffs
    for slug in sorted(set(old) - set(new)):
        changes.removed[slug] = str(old[slug].get("title", slug))
    return changes


def _field_order(*dicts):
    """Fields in the order they appear in the file (new first, then old)."""
    order: dict[str, int] = {}
    for d in dicts:
        for key in d:
            order.setdefault(key, len(order))
    return lambda key: order[key]
