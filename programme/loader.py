"""Stage 1 of a build: read a content folder, validate it, and return the typed model.

A content folder holds::

    festival.yaml     the festival itself
    venues.yaml       a list of venues
    sections.yaml     a list of sections (strands)
    films/*.yaml      one file per film; the file name (without .yaml) is the film's slug
    images/           stills referred to by the films

Every problem in every file is collected and raised together as a
:class:`~programme.problems.ProgrammeError`.
"""

from __future__ import annotations

import difflib
import hashlib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from .model import Festival, Film, Programme, Section, Venue
from .problems import Problem, ProgrammeError, display_path
from .yamlfile import YamlDocument, format_loc, read_yaml_safely

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg"}


@dataclass
class Content:
    """The validated programme plus where each part came from."""

    root: Path
    programme: Programme
    film_sources: dict[str, Path] = field(default_factory=dict)  # slug -> YAML file
    warnings: list[Problem] = field(default_factory=list)

    @property
    def images_dir(self) -> Path:
        return self.root / "images"

    def fingerprint(self) -> str:
        """A hash of every content file, for proofs and caches."""
        digest = hashlib.sha256()
        for path in sorted(self.root.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(self.root)).encode())
                digest.update(path.read_bytes())
        return digest.hexdigest()[:12]


def load_content(root: Path) -> Content:
    """Read and validate ``root``; raise ProgrammeError listing every problem."""
    root = Path(root)
    problems: list[Problem] = []
    if not root.is_dir():
        raise ProgrammeError([Problem(display_path(root), None, None,
                                      "content folder not found")])

    def label(path: Path) -> str:
        return display_path(path)

    festival_doc, festival = _load_one(root / "festival.yaml", label, Festival, problems)
    before = len(problems)
    venue_doc, venues = _load_list(root / "venues.yaml", label, Venue, problems)
    venues_complete = len(problems) == before  # else, skip checks that would only echo errors
    before = len(problems)
    section_doc, sections = _load_list(root / "sections.yaml", label, Section, problems)
    sections_complete = len(problems) == before

    film_files = sorted((root / "films").glob("*.yaml")) + sorted((root / "films").glob("*.yml"))
    if not film_files:
        problems.append(Problem(label(root / "films"), None, None, "no film files (*.yaml) found"))
    films: list[tuple[YamlDocument, Film]] = []
    for path in film_files:
        doc = read_yaml_safely(path, label(path))
        problems.extend(doc.problems)
        if doc.problems:
            continue
        if not isinstance(doc.data, dict):
            problems.append(Problem(doc.label, 1, None, "a film file must be a mapping of fields"))
            continue
        data = dict(doc.data)
        data.setdefault("slug", path.stem)
        film = _validate(Film, data, doc, problems)
        if film is not None:
            films.append((doc, film))

    # ---- cross-checks between files
    _unique(venue_doc, venues, "code", problems)
    _unique(section_doc, sections, "slug", problems)
    seen_slugs: dict[str, str] = {}
    for doc, film in films:
        if film.slug in seen_slugs:
            problems.append(doc.problem(("slug",), f"duplicate film slug {film.slug!r} "
                                                   f"(also used by {seen_slugs[film.slug]})"))
        seen_slugs.setdefault(film.slug, doc.label)
    section_slugs = [s.slug for s in sections]
    venue_codes = [v.code for v in venues]
    images_dir = root / "images"
    warnings: list[Problem] = []
    for doc, film in films:
        if sections_complete and film.section not in section_slugs:
            problems.append(doc.problem(("section",), _unknown("section", film.section, section_slugs)))
        for i, screening in enumerate(film.screenings):
            loc = ("screenings", i)
            if venues_complete and screening.venue not in venue_codes:
                problems.append(doc.problem(loc + ("venue",),
                                            _unknown("venue", screening.venue, venue_codes)))
            if festival and not festival.starts <= screening.start.date() <= festival.ends:
                problems.append(doc.problem(
                    loc + ("start",),
                    f"{screening.start:%Y-%m-%d} is outside the festival "
                    f"({festival.starts} to {festival.ends})"))
        for i, still in enumerate(film.stills):
            problems.extend(_check_image(images_dir, still.file, doc, ("stills", i, "file")))
    problems.extend(_overlapping_screenings(films))
    if festival is not None and festival.cover_image:
        problems.extend(_check_image(images_dir, festival.cover_image, festival_doc,
                                     ("cover_image",)))

    errors = [p for p in problems if p.severity == "error"]
    if errors or festival is None:
        raise ProgrammeError(problems)
    warnings.extend(p for p in problems if p.severity == "warning")
    programme = Programme(festival=festival, venues=venues, sections=sections,
                          films=[f for _, f in films])
    return Content(root=root, programme=programme,
                   film_sources={f.slug: d.path for d, f in films}, warnings=warnings)


# ----------------------------------------------------------------------------- helpers
def _load_one(path, label, model, problems):
    doc = read_yaml_safely(path, label(path))
    problems.extend(doc.problems)
    if doc.problems:
        return doc, None
    if not isinstance(doc.data, dict):
        problems.append(Problem(doc.label, 1, None, "expected a mapping of fields"))
        return doc, None
    return doc, _validate(model, doc.data, doc, problems)


def _load_list(path, label, model, problems):
    doc = read_yaml_safely(path, label(path))
    problems.extend(doc.problems)
    if doc.problems:
        return doc, []
    if not isinstance(doc.data, list):
        problems.append(Problem(doc.label, 1, None, "expected a list (items starting with '- ')"))
        return doc, []
    out = []
    for i, item in enumerate(doc.data):
        value = _validate(model, item, doc, problems, prefix=(i,))
        if value is not None:
            out.append(value)
    return doc, out


def _validate(model: type[BaseModel], data, doc: YamlDocument, problems, prefix=()):
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = prefix + tuple(error["loc"])
            problems.append(doc.problem(loc, _message(model, error, prefix)))
        return None


def _message(model: type[BaseModel], error: dict, prefix: tuple) -> str:
    kind = error["type"]
    loc = tuple(error["loc"])
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        owner = _model_at(model, loc[:-1])
        names = list(owner.model_fields) if owner else []
        hint = difflib.get_close_matches(str(loc[-1]), names, n=1, cutoff=0.6)
        text = "unknown field"
        if hint:
            text += f" (did you mean {hint[0]!r}?)"
        elif names:
            text += f" (expected one of: {', '.join(names)})"
        return text
    got = error.get("input")
    expected = _expected(model, loc)
    if kind == "value_error":
        return str(error["ctx"]["error"]) if "ctx" in error else error["msg"]
    if expected:
        return f"expected {expected}, got {_show(got)}"
    return f"{error['msg']}, got {_show(got)}"


def _show(value) -> str:
    if isinstance(value, str):
        short = value if len(value) <= 60 else value[:57] + "..."
        return '"' + short.replace('"', '\\"') + '"'
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _unwrap(annotation):
    """The model class inside Optional[...] / list[...], if any."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _unwrap(arg)
            if found is not None:
                return found
        return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _model_at(model, loc):
    current = model
    for part in loc:
        if isinstance(part, int):
            continue
        if current is None or part not in current.model_fields:
            return None
        current = _unwrap(current.model_fields[part].annotation)
    return current


def _expected(model, loc) -> str | None:
    # Walk to the last named field that is really a field (pydantic adds type tags such as 'int').
    current, found = model, None
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        info = current.model_fields.get(part)
        if info is None:
            break
        extra = info.json_schema_extra or {}
        found = extra.get("expect") if isinstance(extra, dict) else None
        current = _unwrap(info.annotation)
    return found


def _unknown(kind: str, value: str, choices: list[str]) -> str:
    hint = difflib.get_close_matches(value, choices, n=1, cutoff=0.5)
    text = f"unknown {kind} {value!r}"
    if hint:
        return text + f" (did you mean {hint[0]!r}?)"
    return text + f" (known: {', '.join(choices)})"


def _unique(doc: YamlDocument, items, attr: str, problems):
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        key = getattr(item, attr)
        if key in seen:
            problems.append(doc.problem((i, attr), f"duplicate {attr} {key!r} "
                                                   f"(first on line {doc.line_of((seen[key],))})"))
        seen.setdefault(key, i)


def _check_image(images_dir: Path, name: str, doc: YamlDocument, loc) -> list[Problem]:
    path = (images_dir / name)
    try:
        resolved = path.resolve()
        resolved.relative_to(images_dir.resolve())
    except ValueError:
        return [doc.problem(loc, f"{name!r} is outside the images folder")]
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        return [doc.problem(loc, f"{name!r} is not an image file "
                                 f"(expected one of {', '.join(sorted(IMAGE_SUFFIXES))})")]
    if not path.is_file():
        return [doc.problem(loc, f"image file not found: {display_path(path)}")]
    return []


def _overlapping_screenings(films) -> list[Problem]:
    """Two screenings at one venue whose times overlap (start + runtime)."""
    import datetime as dt

    slots = []
    for doc, film in films:
        for i, s in enumerate(film.screenings):
            slots.append((s.venue, s.start, s.start + dt.timedelta(minutes=film.runtime),
                          doc, i, film))
    slots.sort(key=lambda t: (t[0], t[1]))
    problems = []
    for a, b in zip(slots, slots[1:]):
        if a[0] == b[0] and b[1] < a[2]:
            doc, i, film = b[3], b[4], b[5]
            problems.append(doc.problem(
                ("screenings", i, "start"),
                f"overlaps {a[5].title!r} at {a[0]} ({a[1]:%d %b %H:%M}–{a[2]:%H:%M})"))
    return problems
