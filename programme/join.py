"""Join the parts' PDFs into one brochure (post-processing of a fast build, with pikepdf).

Each part's PDF (see :mod:`programme.parts`) is its own pages, maybe with stand-in pages
before or after them. The join keeps the part's own pages, in order, and rebuilds what
spans parts:

- **Named destinations.** WeasyPrint writes internal links as ``/Dest (name)`` and each
  anchor as a named destination. The join keeps every part's destinations that are on
  its own pages (never a stand-in's), so a link in the contents finds its section.
- **Outline.** Each part's bookmarks, in order, pointing at the joined pages.

- **Images.** A still (or logo, or advert) shown in several parts is embedded by each of
  them; the join keeps one copy of each identical image.

Fonts stay as each part embedded them: each part carries its own subset of a font.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pikepdf


@dataclass(frozen=True)
class PartPDF:
    path: Path
    lead: int     # stand-in pages to drop before the part's own pages
    pages: int    # the part's own pages


def _destinations(pdf: pikepdf.Pdf) -> list[tuple[str, pikepdf.Array]]:
    names = pdf.Root.get("/Names")
    dests = names.get("/Dests") if names is not None else None
    if dests is None:
        return []
    found = []
    for name, dest in pikepdf.NameTree(dests).items():
        found.append((str(name), dest))
    return found


def _page_index(pdf: pikepdf.Pdf) -> dict[tuple[int, int], int]:
    return {page.obj.objgen: i for i, page in enumerate(pdf.pages)}


def join(parts: list[PartPDF], finish: Callable[[pikepdf.Pdf], None] | None = None,
         joiner: "Joiner | None" = None) -> bytes:
    """The parts' own pages as one PDF. ``finish`` (post-processing: metadata…) gets the
    joined PDF before it is saved, so the brochure is written once. ``joiner``: a join
    begun already (:class:`Joiner`), used when the parts it has are the first of
    ``parts``, else closed."""
    if joiner is not None:
        try:
            if all(position < len(parts) and parts[position] == part
                   for position, part in joiner.added.items()):
                for position, part in enumerate(parts):
                    if position not in joiner.added:
                        joiner.add(part, position)
                return joiner.result(finish)
        finally:
            joiner.close()
    return _join(parts, finish=finish)


def splice(pieces: list[PartPDF], bookmarks: list[tuple[int, str]]) -> bytes:
    """One part's PDF made of page ranges of several PDFs (the old layout's pages around
    the pages laid out again, see resume.py). ``bookmarks``: the (level, state) of each
    bookmark on the pages kept, in order; the outline is nested again from them, as
    WeasyPrint nests it, since a range cut from its PDF has lost its parents."""
    return _join(pieces, bookmarks=bookmarks, compact=False, share_images=False)


def _join(parts: list[PartPDF], finish=None, bookmarks=None, compact: bool = True,
          share_images: bool = True) -> bytes:
    joiner = Joiner(bookmarks, compact, share_images)
    try:
        for part in parts:
            joiner.add(part)
        return joiner.result(finish)
    finally:
        joiner.close()


class Joiner:
    """A join made one part at a time, then saved: a fast build adds the parts it has
    while its workers lay out the others, so a part may come before one that goes before
    it (``position``: its place among the parts). ``bookmarks``, ``compact`` and
    ``share_images``: as for :func:`splice` and :func:`join`."""

    def __init__(self, bookmarks=None, compact: bool = True, share_images: bool = True):
        self.out = pikepdf.new()
        self.version = "1.4"  # the highest of the parts'
        self.opened: dict[Path, pikepdf.Pdf] = {}
        self.bookmarks, self.compact, self.share_images = bookmarks, compact, share_images
        self.added: dict[int, PartPDF] = {}    # position -> part
        # position -> its destinations, outline items (or flat bookmarks), in its order
        self._found: dict[int, tuple[list, list]] = {}

    def add(self, part: PartPDF, position: int | None = None) -> None:
        """The part's own pages, where they go among those added so far, with its
        destinations and bookmarks. ``position``: by default, after every part added."""
        if position is None:
            position = max(self.added, default=-1) + 1
        if position in self.added:
            raise ValueError(f"a part is at {position} already")
        self.added[position] = part
        self._found[position] = ([], [])
        if part.pages == 0:
            return
        out = self.out
        src = self.opened.get(Path(part.path))
        if src is None:
            src = self.opened[Path(part.path)] = pikepdf.open(part.path)
        self.version = max(self.version, src.pdf_version)
        if len(src.pages) < part.lead + part.pages:
            raise ValueError(f"{part.path} has {len(src.pages)} pages, expected "
                             f"{part.lead + part.pages}")
        at = sum(other.pages for where, other in self.added.items() if where < position)
        own = range(part.lead, part.lead + part.pages)
        for offset, i in enumerate(own):
            out.pages.insert(at + offset, src.pages[i])
        objects = [out.pages[at + offset].obj for offset in range(part.pages)]
        where = _page_index(src)

        def moved(dest, own=own, part=part, where=where, objects=objects):
            """``dest`` (an explicit destination in src) in the joined PDF, or None."""
            if not isinstance(dest, pikepdf.Array) or len(dest) < 1:
                return None
            index = where.get(dest[0].objgen)
            if index is None or index not in own:
                return None
            return pikepdf.Array([objects[index - part.lead], *list(dest)[1:]])

        destinations, outline = self._found[position]
        for name, dest in _destinations(src):
            target = moved(dest)
            if target is not None:
                destinations.append((name, target))
        with src.open_outline() as src_outline:
            if self.bookmarks is None:
                outline += [_copy_item(item, moved) for item in src_outline.root]
            else:
                outline += _flatten(src_outline.root, moved)

    def result(self, finish=None) -> bytes:
        """The joined PDF; ``finish(pdf)`` post-processes it first."""
        out = self.out
        destinations: dict[str, pikepdf.Array] = {}
        outline: list = []
        for position in sorted(self._found):  # the first part naming an anchor has it
            found, items = self._found[position]
            for name, target in found:
                destinations.setdefault(name, target)
            outline += items
        if self.bookmarks is not None:
            outline = _nest(outline, self.bookmarks)
        if destinations:
            tree = pikepdf.NameTree.new(out)
            for name in sorted(destinations):
                tree[name] = destinations[name]
            out.Root.Names = pikepdf.Dictionary(Dests=tree.obj)
        if self.share_images:
            _share_identical_images(out)
        if outline:
            with out.open_outline() as out_outline:
                out_outline.root.extend(item for item in outline if item is not None)
            out.Root.PageMode = pikepdf.Name.UseOutlines
        if finish is not None:
            finish(out)
        buffer = io.BytesIO()
        out.save(buffer, min_version=self.version,
                 object_stream_mode=(pikepdf.ObjectStreamMode.generate if self.compact
                                     else pikepdf.ObjectStreamMode.preserve))
        return buffer.getvalue()

    def close(self) -> None:
        for src in self.opened.values():
            src.close()
        self.opened.clear()


def _destination(item: pikepdf.OutlineItem):
    dest = item.destination
    if dest is None and item.action is not None and item.action.get("/S") == "/GoTo":
        dest = item.action.get("/D")
    return dest


def _flatten(items, moved) -> list[tuple[str, pikepdf.Array]]:
    """Outline items in document order (titles and moved destinations), those on pages
    kept."""
    found = []
    for item in items:
        target = moved(_destination(item))
        if target is not None:
            found.append((str(item.title), target))
        found += _flatten(item.children, moved)
    return found


def _nest(flat: list[tuple[str, pikepdf.Array]],
          bookmarks: list[tuple[int, str]]) -> list[pikepdf.OutlineItem]:
    """Outline items nested by bookmark level, the way WeasyPrint nests them
    (``Document.make_bookmark_tree``: a skipped level does not make an empty parent)."""
    if len(flat) != len(bookmarks):
        raise ValueError(f"{len(flat)} outline items for {len(bookmarks)} bookmarks")
    root: list[pikepdf.OutlineItem] = []
    skipped: list[int] = []
    last_by_depth = [root]
    previous = 0
    for (title, dest), (level, state) in zip(flat, bookmarks):
        if level > previous:
            skipped.append(level - previous - 1)
        else:
            temp = level
            while temp < previous:
                temp += 1 + skipped.pop()
            if temp > previous:
                skipped.append(temp - previous - 1)
        previous = level
        depth = level - sum(skipped)
        item = pikepdf.OutlineItem(title, dest)
        item.is_closed = state == "closed"
        last_by_depth[depth - 1].append(item)
        del last_by_depth[depth:]
        last_by_depth.append(item.children)
    return root


def _copy_item(item: pikepdf.OutlineItem, moved) -> pikepdf.OutlineItem | None:
    target = moved(_destination(item))
    copy = pikepdf.OutlineItem(str(item.title), target if target is not None else None)
    copy.is_closed = item.is_closed
    copy.children.extend(child for child in (_copy_item(c, moved) for c in item.children)
                         if child is not None)
    return copy if target is not None or copy.children else None


def _fingerprint(obj, depth: int = 0) -> bytes:
    """The bytes that make an object what it is, whatever its object number."""
    if depth > 8:
        return b"deep"
    if isinstance(obj, pikepdf.Stream):
        return b"stream(" + _fingerprint(obj.stream_dict, depth + 1) + \
            hashlib.sha256(obj.read_raw_bytes()).digest() + b")"
    if isinstance(obj, pikepdf.Dictionary):
        return b"<<" + b"".join(
            key.encode() + b"=" + _fingerprint(obj[key], depth + 1)
            for key in sorted(obj.keys()) if key not in ("/Length", "/Metadata")) + b">>"
    if isinstance(obj, pikepdf.Array):
        return b"[" + b",".join(_fingerprint(item, depth + 1) for item in obj) + b"]"
    if isinstance(obj, pikepdf.Object):
        return obj.unparse()
    return repr(obj).encode()  # numbers and booleans come back as Python values


_WEASYPRINT_IMAGE = re.compile(r"/i[0-9a-f]{32}[01]")


def _share_identical_images(pdf: pikepdf.Pdf) -> None:
    """Point every use of identical image XObjects at one of them.

    WeasyPrint names an image XObject after the MD5 of its URL (``/i<md5><interpolate>``),
    so two parts' images of the same name, size and length are the same file: they are
    shared without reading their bytes (stills at 300 ppi are megabytes each). Other
    images are told apart by size and length first, and by their bytes only when those
    agree."""
    uses: list[tuple[pikepdf.Dictionary, pikepdf.Name, pikepdf.Object]] = []
    seen: set[tuple[int, int]] = set()

    def visit(resources) -> None:
        if resources is None or "/XObject" not in resources:
            return
        if resources.is_indirect:  # a part's pages share one resource dictionary
            if resources.objgen in seen:
                return
            seen.add(resources.objgen)
        xobjects = resources.XObject
        for name in list(xobjects.keys()):
            xobject = xobjects[name]
            subtype = xobject.get("/Subtype")
            if subtype == "/Image":
                uses.append((xobjects, name, xobject))
            elif subtype == "/Form" and xobject.objgen not in seen:
                seen.add(xobject.objgen)
                visit(xobject.get("/Resources"))

    for page in pdf.pages:
        visit(page.obj.get("/Resources"))

    def rough(name, image) -> tuple:
        size = tuple(repr(image.get(key)) for key in
                     ("/Width", "/Height", "/BitsPerComponent", "/Filter", "/Length"))
        return (str(name), *size) if _WEASYPRINT_IMAGE.fullmatch(str(name)) else size

    groups: dict[tuple, set[tuple[int, int]]] = {}
    keys_of_uses = []
    for xobjects, name, image in uses:
        key = rough(name, image)
        keys_of_uses.append(key)
        groups.setdefault(key, set()).add(image.objgen)
    digests: dict[tuple[int, int], bytes] = {}
    first: dict[object, pikepdf.Object] = {}
    for (xobjects, name, image), key in zip(uses, keys_of_uses):
        if len(groups[key]) < 2:
            continue
        if not _WEASYPRINT_IMAGE.fullmatch(str(name)):
            digest = digests.get(image.objgen)
            if digest is None:
                digest = digests[image.objgen] = hashlib.sha256(_fingerprint(image)).digest()
            key = digest
        kept = first.setdefault(key, image)
        if kept.objgen != image.objgen:
            xobjects[name] = kept
