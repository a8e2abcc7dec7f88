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
import os
import re
import types
import typing
import warnings as python_warnings
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from . import glyphs, yamlcache
from .model import LONG, UNION_TAGS, Festival, Film, Programme, Section, Venue
from .problems import Problem, ProgrammeError, display_path
from .resources import builtin_fonts, builtin_layouts
from .yamlfile import (MAX_BYTES, LongNumber, Unreadable, YamlDocument, inside, open_checked,
                       read_bounded, read_yaml_safely)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg"}
IMAGE_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "GIF": "GIF", "WEBP": "WebP"}
# Far more than print needs (a full-bleed A5 page at 300 ppi is 1,819 x 2,551 px, 4.6
# megapixels); above this an image is refused before anything decodes it.
MAX_IMAGE_PIXELS = 50_000_000
# An image file's size is checked before anything reads it (a 1.5 GB JPEG, sparse on disk,
# would be read whole by the build); a full A5 page at 300 ppi is about 5 MB as a JPEG.
MAX_IMAGE_BYTES = 100_000_000
# SVG stills are drawn element by element: limits keep that to seconds (10,000 elements
# take about 1–3 s to draw), checked without drawing anything (see svg_problems).
MAX_SVG_BYTES = 5_000_000
MAX_SVG_ELEMENTS = 10_000
MAX_SVG_DEPTH = 50
BUILTIN_FONTS = builtin_fonts()  # in the package when installed, else the checkout's fonts/


@dataclass
class Content:
    """The validated programme plus where each part came from."""

    root: Path
    programme: Programme
    film_sources: dict[str, Path] = field(default_factory=dict)  # slug -> YAML file
    warnings: list[Problem] = field(default_factory=list)
    unprintable: frozenset[str] = frozenset()  # characters no font has, already warned about
    raw_films: dict[str, dict] = field(default_factory=dict)  # file stem -> data as read
    # the files parsed in this run, not taken from the parsed-file cache (yamlcache.py):
    # the ones changed since they were last read; None when no cache was used
    parsed: frozenset[Path] | None = None

    @property
    def images_dir(self) -> Path:
        return self.root / "images"

    def fingerprint(self) -> str:
        """A hash of every content file, for proofs: the text of the YAML files, and the
        size and date of the others (images can run to gigabytes)."""
        digest = hashlib.sha256()
        for path in sorted(self.root.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(self.root)).encode())
                try:  # YAML read only as the loader reads it: a regular file in the project,
                    # bounded (a link elsewhere or a huge file is hashed by size and date)
                    if path.suffix.lower() not in (".yaml", ".yml"):
                        raise Unreadable("not YAML")
                    digest.update(read_bounded(path, MAX_BYTES, project_folder(self.root)))
                except Unreadable:
                    stat = path.stat()
                    digest.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
        return digest.hexdigest()[:12]


def load_content(root: Path, use_cache: bool = True) -> Content:
    """Read and validate ``root``; raise ProgrammeError listing every problem. Files read
    before are not parsed again (yamlcache.py) unless ``use_cache`` is false."""
    root = Path(root)
    with yamlcache.using(project_folder(root) if use_cache and root.is_dir() else None):
        content = _load_content(root)
        cache = yamlcache.current()
        if cache is not None:
            content.parsed = frozenset(cache.parsed)
        return content


def _load_content(root: Path) -> Content:
    root = Path(root)
    problems: list[Problem] = []
    if not root.is_dir():
        raise ProgrammeError([Problem(display_path(root), None, None,
                                      "content folder not found")])

    def label(path: Path) -> str:
        return display_path(path)

    # Content files are read only from inside the festival project (the folder that holds
    # the content folder): a link to /etc/passwd or /dev/zero is refused, not read.
    project = project_folder(root)
    festival_doc, festival = _load_one(root / "festival.yaml", label, Festival, problems,
                                       base=project)
    context = {"lang": festival.lang if festival else "en"}  # the language of content text
    def errors() -> int:
        return sum(p.severity == "error" for p in problems)

    before = errors()
    venue_doc, venues = _load_list(root / "venues.yaml", label, Venue, problems, context,
                                   base=project)
    venues_complete = errors() == before  # else, skip checks that would only echo errors
    before = errors()
    section_doc, sections = _load_list(root / "sections.yaml", label, Section, problems,
                                       context, base=project)
    sections_complete = errors() == before

    film_files = sorted((root / "films").glob("*.yaml")) + sorted((root / "films").glob("*.yml"))
    if not film_files:
        problems.append(Problem(label(root / "films"), None, None, "no film files (*.yaml) found"))
    films: list[tuple[YamlDocument, Film]] = []
    raw_films: dict[str, dict] = {}
    for path in film_files:
        doc = read_yaml_safely(path, label(path), base=project)
        problems.extend(doc.problems)
        if doc.has_errors:
            continue
        if isinstance(doc.data, dict):
            raw_films[path.stem] = doc.data
        if not isinstance(doc.data, dict):
            problems.append(Problem(doc.label, 1, None, "a film file must be a mapping of fields"))
            continue
        data = dict(doc.data)
        data.setdefault("slug", path.stem)
        film = _validate(Film, data, doc, problems, context=context)
        if film is not None:
            films.append((doc, film))

    # ---- cross-checks between files
    # (only when every item validated: the index of an item is then its place in the file)
    if venues_complete:
        _unique(venue_doc, venues, "code", problems)
    if sections_complete:
        _unique(section_doc, sections, "slug", problems)
    by_slug: dict[str, list[YamlDocument]] = {}
    for doc, film in films:
        by_slug.setdefault(film.slug, []).append(doc)
    for slug, docs in by_slug.items():
        if len(docs) < 2:
            continue
        # Blame the files that give the slug explicitly, else all but the first.
        explicit = [d for d in docs if isinstance(d.data, dict) and "slug" in d.data]
        for doc in explicit or docs[1:]:
            others = ", ".join(d.label for d in docs if d is not doc)
            hint = "" if explicit else "; the file name gives the slug: rename one of the files"
            problems.append(doc.problem(("slug",), f"duplicate film slug {slug!r} "
                                                   f"(also used by {others}){hint}"))
    section_slugs = [s.slug for s in sections]
    venue_codes = [v.code for v in venues]
    images_dir = root / "images"
    warnings: list[Problem] = []
    images: dict[str, list[tuple[str, str]]] = {}  # checked once per file name
    for doc, film in films:
        if sections_complete and film.section not in section_slugs:
            problems.append(doc.problem(("section",), unknown("section", film.section, section_slugs)))
        for i, screening in enumerate(film.screenings):
            loc = ("screenings", i)
            if venues_complete and screening.venue not in venue_codes:
                problems.append(doc.problem(loc + ("venue",),
                                            unknown("venue", screening.venue, venue_codes)))
            if festival and not festival.starts <= screening.start.date() <= festival.ends:
                problems.append(doc.problem(
                    loc + ("start",),
                    f"{screening.start:%Y-%m-%d} is outside the festival "
                    f"({festival.starts} to {festival.ends})"))
        for i, still in enumerate(film.stills):
            problems.extend(_check_image(images_dir, still.file, doc, ("stills", i, "file"),
                                         images))
    problems.extend(_overlapping_screenings(films))
    if festival is not None and festival.cover_image:
        problems.extend(_check_image(images_dir, festival.cover_image, festival_doc,
                                     ("cover_image",), images))
    docs = [festival_doc, venue_doc, section_doc] + [doc for doc, _ in films]
    unprintable: set[str] = set()
    problems.extend(_check_glyphs(docs, font_dirs(root), unprintable))

    errors = [p for p in problems if p.severity == "error"]
    if errors or festival is None:
        raise ProgrammeError(problems)
    warnings.extend(p for p in problems if p.severity == "warning")
    programme = Programme(festival=festival, venues=venues, sections=sections,
                          films=[f for _, f in films])
    return Content(root=root, programme=programme,
                   film_sources={f.slug: d.path for d, f in films}, warnings=warnings,
                   unprintable=frozenset(unprintable), raw_films=raw_films)


# ----------------------------------------------------------------------------- helpers
def project_folder(root: Path) -> Path:
    """The festival project of the content folder ``root``: the folder that holds it."""
    return Path(root).resolve().parent


def _load_one(path, label, model, problems, base=None):
    doc = read_yaml_safely(path, label(path), base=base)
    problems.extend(doc.problems)
    if doc.has_errors:
        return doc, None
    if not isinstance(doc.data, dict):
        problems.append(Problem(doc.label, 1, None, "expected a mapping of fields"))
        return doc, None
    lang = doc.data.get("lang")  # the festival's language is the language of its own text
    context = {"lang": lang if isinstance(lang, str) and lang.strip() else "en"}
    return doc, _validate(model, doc.data, doc, problems, context=context)


def _load_list(path, label, model, problems, context=None, base=None):
    doc = read_yaml_safely(path, label(path), base=base)
    problems.extend(doc.problems)
    if doc.has_errors:
        return doc, []
    if not isinstance(doc.data, list):
        problems.append(Problem(doc.label, 1, None, "expected a list (items starting with '- ')"))
        return doc, []
    out = []
    for i, item in enumerate(doc.data):
        value = _validate(model, item, doc, problems, prefix=(i,), context=context)
        if value is not None:
            out.append(value)
    return doc, out


def _validate(model: type[BaseModel], data, doc: YamlDocument, problems, prefix=(), context=None):
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        for error in exc.errors():
            # without the tags of a union's branches (a name as text or as fields)
            error["loc"] = tuple(p for p in error["loc"] if p not in UNION_TAGS)
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
    if kind == "string_too_long" and isinstance(got, str):
        limit = error.get("ctx", {}).get("max_length", 0)
        text = (f"is {len(got):,} characters long; at most {limit:,} are allowed here")
        if limit >= LONG:
            text += f" (about {limit // 6:,} words): shorten it"
        return text
    expected = _expected(model, loc)
    if kind == "value_error":
        return str(error["ctx"]["error"]) if "ctx" in error else error["msg"]
    if kind in ("model_type", "model_attributes_type", "dict_type") and (
            not expected or isinstance(loc[-1], int)):
        # not "Input should be a valid dictionary or instance of AttributedText"
        owner = _model_at(model, loc)
        names = list(owner.model_fields) if owner else []
        return (f"expected fields ({', '.join(names)})" if names
                else "expected fields (name: value)") + f", got {_show(got)}"
    if kind in ("too_short", "string_too_short"):
        if error.get("ctx", {}).get("min_length") == 1:
            return "must not be empty" + (f" (expected {expected})" if expected else "")
    if kind == "string_type":  # title: 1984 is a number to YAML; "1984" is text
        hint = (f" (in quotes it is text: \"{got}\")" if isinstance(got, (int, float))
                and not isinstance(got, bool) and len(str(got)) <= 60 else "")
        return f"expected {expected or 'text'}, got {_show(got)}{hint}"
    if expected:
        return f"expected {expected}, got {_show(got)}"
    if kind == "list_type":
        return f"expected a list (items starting with '- ', or [a, b]), got {_show(got)}"
    return f"{error['msg']}, got {_show(got)}"


def _show(value) -> str:
    if isinstance(value, LongNumber):
        return f"a number {len(value.lstrip('+-')):,} digits long"
    if isinstance(value, str):
        short = value if len(value) <= 60 else value[:57] + "..."
        return '"' + short.replace('"', '\\"') + '"'
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10 ** 60:
        return f"a number {len(str(abs(value))):,} digits long"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


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


def unknown(kind: str, value: str, choices: list[str]) -> str:
    """'unknown venue 'NFT9' (did you mean 'NFT1'?)', or the known values when none is close."""
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


def _check_image(images_dir: Path, name: str, doc: YamlDocument, loc,
                 cache: dict | None = None) -> list[Problem]:
    path = (images_dir / name)
    if not inside(path, images_dir):
        if os.path.lexists(path) and inside(path.parent, images_dir):  # a link leading out
            return [doc.problem(loc, f"{name!r} is a link to {os.path.realpath(path)}, "
                                     "outside the images folder; copy the image in instead")]
        return [doc.problem(loc, f"{name!r} is outside the images folder")]
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        return [doc.problem(loc, f"{name!r} is not an image file "
                                 f"(expected one of {', '.join(sorted(IMAGE_SUFFIXES))})")]
    if cache is None:
        cache = {}
    if name not in cache:
        cache[name] = _image_problems(path, name)
    return [doc.problem(loc, message, severity) for severity, message in cache[name]]


def _image_problems(path: Path, name: str) -> list[tuple[str, str]]:
    """Check an image from its header only: nothing is decoded, so a decompression bomb
    (a small file that unpacks to gigabytes) costs nothing here and is refused. Only a
    regular file is opened (not a named pipe, a device or a folder), and its size is
    checked before anything is read."""
    try:
        fd, info = open_checked(path)
    except Unreadable as exc:
        if str(exc) == "file not found":
            return [("error", f"image file not found: {display_path(path)}")]
        return [("error", f"{name!r} {exc}")]
    with os.fdopen(fd, "rb") as handle:
        svg = path.suffix.lower() == ".svg"
        limit = MAX_SVG_BYTES if svg else MAX_IMAGE_BYTES
        if info.st_size > limit:
            return [("error", f"{name!r} is {info.st_size:,} bytes; "
                              f"{'SVG images' if svg else 'images'} are limited to "
                              f"{limit / 1e6:,.0f} MB" + ("" if svg else
                              " (a full A5 page at 300 ppi is about 5 MB as a JPEG)"))]
        if svg:
            return svg_problems(handle.read(limit + 1), name)
        return _raster_problems(handle, name)


def _raster_problems(handle, name: str) -> list[tuple[str, str]]:
    from PIL import Image

    limit = Image.MAX_IMAGE_PIXELS
    try:
        # Pillow's own bomb check would stop at the size we want to report; ours is lower.
        Image.MAX_IMAGE_PIXELS = None
        with python_warnings.catch_warnings():
            python_warnings.simplefilter("ignore")
            with Image.open(handle) as image:
                kind, (width, height) = image.format, image.size
    except Exception:  # noqa: BLE001 - any failure to read a header means "not an image"
        return [("error", f"{name!r} is not an image: it cannot be read as JPEG, PNG, GIF "
                          "or WebP")]
    finally:
        Image.MAX_IMAGE_PIXELS = limit
    if kind not in IMAGE_FORMATS:
        return [("error", f"{name!r} is a {kind} image; save it as JPEG or PNG")]
    if width * height > MAX_IMAGE_PIXELS:
        return [("error", f"{name!r} is {width:,} × {height:,} px ({width * height / 1e6:,.0f} "
                          f"megapixels); images are limited to {MAX_IMAGE_PIXELS / 1e6:.0f} "
                          "megapixels: scale it down (a full A5 page at 300 ppi is about "
                          "1,800 × 2,500 px)")]
    if _cut_short(handle, IMAGE_FORMATS[kind]):
        return [("warning", f"{name!r} seems cut short (an incomplete copy or download?); "
                            "it may print damaged or not at all")]
    return []


def _cut_short(handle, kind: str) -> bool:
    """A JPEG without its end marker or a PNG without its IEND chunk near the end."""
    if kind not in ("JPEG", "PNG"):
        return False
    size = handle.seek(0, 2)
    handle.seek(max(0, size - 1024))
    tail = handle.read(1024)
    return (b"\xff\xd9" if kind == "JPEG" else b"IEND") not in tail


# ------------------------------------------------------------------------ SVG stills
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_HREF = "http://www.w3.org/1999/xlink href"


class _SvgRefused(Exception):
    pass


def _check_svg_reference(href: str) -> None:
    """An SVG still is self-contained: it may embed a JPEG, PNG, GIF or WebP image as a
    ``data:`` URL (of at most MAX_IMAGE_PIXELS), nothing else: another SVG could hold
    what the limits here refuse, and files elsewhere are not for a still to read."""
    import base64
    import io
    from urllib.parse import unquote_to_bytes

    shown = href if len(href) <= 60 else href[:57] + "..."
    if not href.lower().startswith("data:"):
        raise _SvgRefused(f"it refers to another file ({shown}); an SVG still must be "
                          "self-contained: embed the image in it or save the still as PNG")
    header, _, payload = href.partition(",")
    if not re.match(r"(?i)data:image/(png|jpeg|jpg|gif|webp)(;|$)", header):
        raise _SvgRefused(f"it embeds {header[:40]!r}; only JPEG, PNG, GIF and WebP images "
                          "may be embedded in an SVG still")
    try:
        data = (base64.b64decode(payload) if header.lower().endswith(";base64")
                else unquote_to_bytes(payload))
    except ValueError:
        raise _SvgRefused("it embeds an image that cannot be decoded") from None
    for severity, message in _raster_problems(io.BytesIO(data), "the embedded image"):
        if severity == "error":
            raise _SvgRefused(f"it embeds an image that is refused: {message}")


def svg_problems(data: bytes, name: str) -> list[tuple[str, str]]:
    """Check an SVG image without drawing it: well-formed XML with an <svg> root, no
    entity declarations and nothing external read (the parser is told to refuse them,
    as defusedxml does), and small enough to draw in bounded time: at most
    MAX_SVG_ELEMENTS elements once every ``<use>`` is expanded (nine levels of ten
    ``<use>`` of the level below are a billion elements in 2 KB) and markers repeated
    at every vertex counted, and at most MAX_SVG_DEPTH levels of nesting."""
    from xml.parsers import expat

    children: list[list[int]] = []  # of each element, by its number in document order
    uses: dict[int, str] = {}  # element -> the id it refers to ("#id")
    ids: dict[str, list[int]] = {}
    markers: list[int] = []  # <marker> elements
    marked: list[int] = []  # vertices of the shapes that name a marker
    vertices = [0]  # of every shape, for markers set by a stylesheet
    tags: list[str] = []  # local name of each element
    styles: list[str] = []  # the text of <style> elements (it may set markers on every shape)
    stack: list[int] = []
    number = re.compile(rb"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")

    def refuse(*_args):
        raise _SvgRefused("it defines XML entities (<!ENTITY …>); export it again as plain "
                          "SVG without them")

    def start(tag, attrs):
        index = len(tags)
        if index >= MAX_SVG_ELEMENTS:
            raise _SvgRefused(f"it has more than {MAX_SVG_ELEMENTS:,} elements")
        if len(stack) >= MAX_SVG_DEPTH:
            raise _SvgRefused(f"it is nested more than {MAX_SVG_DEPTH} levels deep")
        local = tag.rsplit(" ", 1)[-1]
        tags.append(local)
        children.append([])
        if stack:
            children[stack[-1]].append(index)
        stack.append(index)
        if "id" in attrs:
            ids.setdefault(attrs["id"], []).append(index)
        href = (attrs.get("href") or attrs.get(XLINK_HREF) or "").strip()
        if local == "use" and href:
            uses[index] = href
        if href and not href.startswith("#") and local != "a":
            _check_svg_reference(href)
        if local == "marker":
            markers.append(index)
        points = attrs.get("d") or attrs.get("points")
        if points:
            count = len(number.findall(points.encode())) // 2 + 1
            vertices[0] += count
            style = attrs.get("style", "")
            if any(k in attrs for k in ("marker-start", "marker-mid", "marker-end", "marker")) \
                    or "marker" in style:
                marked.append(count)

    def end(tag):
        stack.pop()

    def character_data(data):
        if stack and tags[stack[-1]] == "style":
            styles.append(data)

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = character_data
    if len(data) > MAX_SVG_BYTES:
        return [("error", f"{name!r} is over {MAX_SVG_BYTES / 1e6:,.0f} MB; SVG images are "
                          f"limited to {MAX_SVG_BYTES / 1e6:,.0f} MB")]
    try:
        parser.Parse(data, True)
    except _SvgRefused as exc:
        return [("error", f"{name!r} is refused: {exc}")]
    except expat.ExpatError as exc:
        return [("error", f"{name!r} is not an SVG image: XML error on line {exc.lineno}: "
                          f"{expat.ErrorString(exc.code)}")]
    if not tags or tags[0] != "svg":
        return [("error", f"{name!r} is not an SVG image (its first element is not <svg>)")]

    # The cost of drawing each element: itself, its children, the element a <use> copies.
    # (and how many levels deep it goes), each computed once.
    memo: dict[int, tuple[int, int]] = {}
    too_deep = _SvgRefused(f"it is nested more than {MAX_SVG_DEPTH} levels deep once its <use> "
                           "elements are expanded (or a <use> refers to itself)")

    def cost(index: int, depth: int) -> int:
        if depth > MAX_SVG_DEPTH:
            raise too_deep
        if index not in memo:
            total, height = 1, 1
            targets = list(children[index])
            href = uses.get(index, "")
            targets += ids.get(href[1:], []) if href.startswith("#") else []
            for target in targets:
                total += cost(target, depth + 1)
                height = max(height, 1 + memo[target][1])
            # past the limit, how far past does not matter
            memo[index] = (min(total, MAX_SVG_ELEMENTS + 1), height)
        total, height = memo[index]
        if depth + height - 1 > MAX_SVG_DEPTH:
            raise too_deep
        return total

    try:
        total = cost(0, 1)
        if markers:  # a marker is drawn again at each vertex of the shapes that use it
            largest = max(cost(m, 1) for m in markers)
            repeated = vertices[0] if "marker" in "".join(styles) else sum(marked)
            total += largest * repeated
    except _SvgRefused as exc:
        return [("error", f"{name!r} is refused: {exc}")]
    if total > MAX_SVG_ELEMENTS:
        return [("error", f"{name!r} is refused: it draws more than {MAX_SVG_ELEMENTS:,} "
                          "elements once its <use> elements (and markers) are expanded; "
                          "simplify it or save it as PNG")]
    return []


def font_dirs(root: Path) -> list[Path]:
    """The font folders a build of the content folder ``root`` may use: the project's
    fonts/, those of its layouts, and the built-in fonts/ (see render.Layout.font_dirs)."""
    project = root.resolve().parent
    dirs = [project / "fonts", *sorted((project / "layouts").glob("*/fonts")),
            *sorted(builtin_layouts().glob("*/fonts")), BUILTIN_FONTS]
    return [d for d in dict.fromkeys(dirs) if d.is_dir()]


def _check_glyphs(docs: list[YamlDocument], dirs: list[Path],
                  reported: set[str]) -> list[Problem]:
    """A warning for each text with characters no font has (they would print as boxes);
    the characters go into ``reported``."""
    covered = glyphs.coverage(dirs)
    problems = []
    for doc in docs:
        if doc is None or doc.data is None or doc.has_errors:
            continue
        for loc, text in doc.strings():
            absent = glyphs.missing(text, covered)
            if absent:
                reported.update(absent)
                problems.append(doc.problem(
                    loc, f"no font has {glyphs.describe(absent)}: " + (
                        "it would print as an empty box; add a font with it to fonts/ or "
                        "change the text" if len(absent) == 1 else
                        "they would print as empty boxes; add a font with them to fonts/ or "
                        "change the text"), "warning"))
    return problems


def _overlapping_screenings(films) -> list[Problem]:
    """Screenings at one venue whose times overlap (start + runtime) an earlier one's."""
    slots = [slot for doc, film in films for slot in screening_slots(film, doc)]
    return [overlap_problem(later, earlier) for earlier, later in overlapping(slots)]


def screening_slots(film, owner) -> list[tuple]:
    """A film's screenings as (venue, start, end, owner, index, film): ``owner`` is what
    names the file a problem is in (anything with ``.problem(loc, message)``)."""
    import datetime as dt

    return [(s.venue, s.start, s.start + dt.timedelta(minutes=film.runtime), owner, i, film)
            for i, s in enumerate(film.screenings)]


def overlapping(slots):
    """(earlier, later) for each screening slot that starts at its venue before an
    earlier one ends (the earlier: the one ending last so far)."""
    latest = None  # the screening at this venue that ends last so far
    for slot in sorted(slots, key=lambda t: (t[0], t[1])):
        venue, start, end = slot[:3]
        if latest is not None and latest[0] == venue and start < latest[2]:
            yield latest, slot
        if latest is None or latest[0] != venue or end > latest[2]:
            latest = slot


def overlap_problem(slot, other) -> Problem:
    """The problem of screening ``slot`` overlapping ``other`` (slots as above)."""
    return slot[3].problem(("screenings", slot[4], "start"),
                           f"overlaps {other[5].title!r} at {other[0]} "
                           f"({other[1]:%d %b %H:%M}–{other[2]:%H:%M})")
