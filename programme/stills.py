"""Which still is where: placed sizes, the resolution check, and labels in the PDF.

A still has to reach 300 ppi at the size it is printed. That size is known only after
layout, so the build reads it from WeasyPrint's laid-out pages (1 CSS px = 1/96 in): every
``<img>`` and every background image, with ``object-fit`` and ``background-size`` applied.
A still whose pixels cannot reach 300 ppi is reported against the film file that uses it.

So that ``programme preflight`` can name the film and the file of an image it finds in a
finished PDF, the build labels each image XObject with a small XMP metadata stream
(``/Metadata``, as PDF allows for any XObject) saying which file it is (``dc:source``) and
which film uses it (``dc:relation``, ``dc:title``). The label travels inside the PDF, so it
survives renaming and moving the file, and tools that keep the image keep its label. The
XObject of an image is found by WeasyPrint's id for it (the MD5 of its URL), which names
the XObject ``/i<id>…``; a still that cannot be matched is reported as unlabelled.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape

import pikepdf

from .loader import Content
from .problems import Problem, display_path
from .yamlfile import read_yaml

PRESS_PPI = 300      # below this at the placed size: a warning (preflight: a warning)
MINIMUM_PPI = 150    # below this: preflight reports an error
MM_PER_PX = 25.4 / 96


@dataclass(frozen=True)
class Placement:
    """One image drawn on one page, at a size in CSS px."""

    page: int                       # 1-based
    image_id: str                   # WeasyPrint's id: MD5 of the image URL
    url: str | None                 # known for <img>; None for backgrounds
    pixels: tuple[int, int]
    size: tuple[float, float]       # drawn size in CSS px (after object-fit)

    @property
    def ppi(self) -> float:
        w, h = self.size
        return min(self.pixels[0] / (w / 96), self.pixels[1] / (h / 96))

    @property
    def size_mm(self) -> tuple[float, float]:
        return self.size[0] * MM_PER_PX, self.size[1] * MM_PER_PX

    def pixels_for(self, ppi: float) -> tuple[int, int]:
        """The pixels this placement needs to reach ``ppi``."""
        w, h = self.size
        return math.ceil(w / 96 * ppi - 1e-6), math.ceil(h / 96 * ppi - 1e-6)


@dataclass(frozen=True)
class Source:
    """Where a still comes from: its file, and the content file (and field) that uses it."""

    image: str                      # display path of the image file
    used_by: str                    # display path of the film's (or festival's) YAML file
    title: str                      # the film's title, or the festival's name
    field: str                      # e.g. stills[1].file
    line: int | None = None


def _image_id(url: str) -> str:
    return hashlib.md5(url.encode(), usedforsecurity=False).hexdigest()


def _path_of(url: str | None) -> Path | None:
    if not url or urlsplit(url).scheme != "file":
        return None
    return Path(unquote(urlsplit(url).path)).resolve()


def placements(document, base_url: str | None = None) -> list[Placement]:
    """Every raster image drawn in a laid-out WeasyPrint document, page by page."""
    from .engine.boxes import raster_images

    return [Placement(*found) for found in raster_images(document.pages, base_url)]


def sources(content: Content) -> dict[Path, Source]:
    """The stills (and cover image) the content uses, by resolved file path."""
    images = content.images_dir
    found: dict[Path, Source] = {}
    for film in content.programme.films:
        yaml_path = content.film_sources.get(film.slug)
        label = display_path(yaml_path) if yaml_path else film.slug
        for i, still in enumerate(film.stills):
            path = (images / still.file).resolve()
            found.setdefault(path, Source(display_path(images / still.file), label,
                                          _plain(film.title), f"stills[{i}].file"))
    festival = content.programme.festival
    if festival.cover_image:
        path = (images / festival.cover_image).resolve()
        found.setdefault(path, Source(display_path(images / festival.cover_image),
                                      display_path(content.root / "festival.yaml"),
                                      festival.name, "cover_image"))
    return found


def _plain(text: str) -> str:
    from .markup import plain
    return plain(text)


def sources_by_id(content: Content, placed: list[Placement]) -> dict[str, Source]:
    """WeasyPrint image ids -> sources: from <img> URLs, and from the files' own URLs."""
    by_path = sources(content)
    out = {_image_id(path.as_uri()): source for path, source in by_path.items()}
    for placement in placed:
        path = _path_of(placement.url)
        if path in by_path:
            out[placement.image_id] = by_path[path]
    return out


def _with_line(source: Source) -> Source:
    """The YAML line of the field that names the still, read only when it is reported."""
    path = Path(source.used_by)
    if not path.is_file():
        return source
    loc = tuple(int(p) if p.isdigit() else p for p in re.findall(r"[A-Za-z_]+|\d+", source.field))
    try:
        line = read_yaml(path, source.used_by).line_of(loc)
    except Exception:  # the line is a courtesy; never fail a build for it
        line = None
    return Source(source.image, source.used_by, source.title, source.field, line)


def check_resolution(placed: list[Placement], by_id: dict[str, Source],
                     where: str = "layout") -> list[Problem]:
    """A warning for each still that cannot reach 300 ppi at its largest placed size."""
    worst: dict[str, Placement] = {}
    for placement in placed:
        key = placement.image_id
        if key not in worst or placement.ppi < worst[key].ppi:
            worst[key] = placement
    problems = []
    for key, placement in worst.items():
        if placement.ppi >= PRESS_PPI - 0.5:
            continue
        w_mm, h_mm = placement.size_mm
        need = placement.pixels_for(PRESS_PPI)
        have = placement.pixels
        source = by_id.get(key)
        what = source.image if source else (placement.url or "an image")
        message = (f"{what} is {placement.ppi:.0f} ppi at its placed size "
                   f"({w_mm:.0f} × {h_mm:.0f} mm on page {placement.page}); print needs "
                   f"{PRESS_PPI} ppi: {have[0]} × {have[1]} pixels, needs {need[0]} × {need[1]}"
                   + (" (preflight rejects it under 150 ppi)"
                      if placement.ppi < MINIMUM_PPI else ""))
        if source:
            source = _with_line(source)
            problems.append(Problem(source.used_by, source.line, source.field, message,
                                    "warning"))
        else:
            problems.append(Problem(where, None, None, message, "warning"))
    return problems


# ----------------------------------------------------------------------------- labels
_XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:source>{image}</dc:source>
<dc:relation><rdf:Bag><rdf:li>{used_by}</rdf:li></rdf:Bag></dc:relation>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>"""


def label_images(pdf: pikepdf.Pdf, by_id: dict[str, Source]) -> list[str]:
    """Attach an XMP label to each image XObject whose WeasyPrint id is known.

    Returns the image ids in ``by_id`` that were found in the PDF."""
    labelled = set()
    seen = set()
    for page in pdf.pages:
        for name, xobject in image_xobjects(page.obj.get("/Resources"), seen):
            match = re.match(r"/i([0-9a-f]{32})", name)
            if not match or match.group(1) not in by_id:
                continue
            source = by_id[match.group(1)]
            packet = _XMP.format(image=escape(source.image), used_by=escape(source.used_by),
                                 title=escape(source.title)).encode("utf-8")
            stream = pikepdf.Stream(pdf, packet)
            stream.Type = pikepdf.Name.Metadata
            stream.Subtype = pikepdf.Name.XML
            xobject.Metadata = pdf.make_indirect(stream)
            labelled.add(match.group(1))
    return sorted(labelled)


def image_xobjects(resources, seen):
    """(name, image XObject) pairs in ``resources`` and the forms they use, once each."""
    if resources is None or "/XObject" not in resources:
        return
    if resources.is_indirect:  # pages often share one resource dictionary: walk it once
        if resources.objgen in seen:
            return
        seen.add(resources.objgen)
    for name, xobject in resources.XObject.items():
        if xobject.objgen in seen and xobject.objgen != (0, 0):
            continue
        seen.add(xobject.objgen)
        if xobject.get("/Subtype") == pikepdf.Name.Image:
            yield str(name), xobject
        elif xobject.get("/Subtype") == pikepdf.Name.Form:
            yield from image_xobjects(xobject.get("/Resources"), seen)


def read_label(xobject) -> dict | None:
    """The label :func:`label_images` wrote: {"image", "used_by", "title"}, or None."""
    metadata = xobject.get("/Metadata") if xobject is not None else None
    if metadata is None:
        return None
    try:
        text = metadata.read_bytes().decode("utf-8")
    except (UnicodeDecodeError, pikepdf.PdfError):
        return None
    from html import unescape

    def field(pattern):
        match = re.search(pattern, text, re.S)
        return unescape(match.group(1).strip()) if match else None

    image = field(r"<dc:source>(.*?)</dc:source>")
    if image is None:
        return None
    return {"image": image,
            "used_by": field(r"<dc:relation>.*?<rdf:li>(.*?)</rdf:li>"),
            "title": field(r"<dc:title>.*?<rdf:li[^>]*>(.*?)</rdf:li>")}
