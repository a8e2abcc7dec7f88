"""Page images of a built PDF, rendered by poppler (``pdftoppm``), and what is on each page.

The images are rendered from the real PDF, so they show exactly what prints; each is cut
to the page's TrimBox (the finished page, without bleed and crop marks) when it has one.

After a rebuild only the pages that changed are rendered again. Whether a page changed is
decided from the PDF itself: each page gets a *fingerprint*, a hash of everything that
draws it – its content streams, and recursively the fonts, images and forms they use (by
their bytes, never by object number, which a join renumbers) and its page boxes. Links
and structure tags do not draw, so they are left out. Two pages with the same fingerprint
render to the same pixels; a rebuild after a one-film edit usually changes one page.

``pdftoppm`` writes its fastest format, PPM, and Pillow turns it into PNG at a low
compression level (poppler's own PNG writer is several times slower than its renderer).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

DPI = 150            # page images: 874 × 1240 pixels for an A5 page
PDFTOPPM = "pdftoppm"
_SKIPPED_KEYS = {"/Parent", "/Annots", "/StructParents", "/B", "/Tabs", "/Length"}


class RenderFailed(Exception):
    """pdftoppm is missing or could not render the PDF."""


# --------------------------------------------------------------------------- reading
@dataclass
class PageInfo:
    fingerprint: str
    width: float       # points, of the shown (trimmed) page
    height: float
    crop: tuple[float, float, float, float]  # trim box within the media box, as fractions
    # (left, top, right, bottom) of the media box's width and height


@dataclass
class Destination:
    name: str
    page: int   # 1-based
    y: float    # points from the bottom of the page (None-safe: 0 when unknown)


@dataclass
class PdfInfo:
    pages: list[PageInfo]
    destinations: list[Destination] = field(default_factory=list)


def _box(page: pikepdf.Dictionary, name: str) -> list[float] | None:
    box = page.get(name)
    if box is None:
        return None
    try:
        x0, y0, x1, y1 = (float(v) for v in box)
    except (TypeError, ValueError):
        return None
    return [min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)]


def _inherited_box(page: pikepdf.Page, name: str) -> list[float] | None:
    node, hops = page.obj, 0
    while node is not None and hops < 64:
        found = _box(node, name)
        if found:
            return found
        node, hops = node.get("/Parent"), hops + 1
    return None


class _Hasher:
    """Fingerprints of PDF objects by what they draw; shared objects are hashed once."""

    def __init__(self):
        self.memo: dict[tuple[int, int], bytes] = {}

    def __call__(self, obj) -> bytes:
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)) \
                and obj.is_indirect:
            key = obj.objgen
            if key in self.memo:
                return self.memo[key]
            self.memo[key] = b"cycle"
            value = self._direct(obj)
            self.memo[key] = value
            return value
        return self._direct(obj)

    def _direct(self, obj) -> bytes:
        digest = hashlib.sha256()
        if isinstance(obj, pikepdf.Stream):
            digest.update(b"S")
            self._dictionary(obj, digest)
            digest.update(obj.read_raw_bytes())
        elif isinstance(obj, pikepdf.Dictionary):
            digest.update(b"D")
            self._dictionary(obj, digest)
        elif isinstance(obj, pikepdf.Array):
            digest.update(b"A%d" % len(obj))
            for item in obj:
                digest.update(self(item))
        else:
            digest.update(repr(obj).encode("utf-8", "surrogateescape"))
        return digest.digest()

    def _dictionary(self, obj, digest) -> None:
        for key in sorted(obj.keys()):
            if key in _SKIPPED_KEYS:
                continue
            digest.update(key.encode("utf-8", "surrogateescape") + b"\0")
            digest.update(self(obj[key]))


def read_pdf(path: Path) -> PdfInfo:
    """Each page's fingerprint and size, and the named destinations (the layout's ``id``s)."""
    hasher = _Hasher()
    pages: list[PageInfo] = []
    destinations: list[Destination] = []
    with pikepdf.open(path) as pdf:
        numbers = {}
        for index, page in enumerate(pdf.pages):
            numbers[page.obj.objgen] = index + 1
            media = _inherited_box(page, "/MediaBox") or [0.0, 0.0, 595.0, 842.0]
            trim = _box(page.obj, "/TrimBox") or media
            mw, mh = media[2] - media[0], media[3] - media[1]
            crop = ((trim[0] - media[0]) / mw, (media[3] - trim[3]) / mh,
                    (trim[2] - media[0]) / mw, (media[3] - trim[1]) / mh) if mw and mh \
                else (0.0, 0.0, 1.0, 1.0)
            crop = tuple(min(max(c, 0.0), 1.0) for c in crop)
            fingerprint = hasher(page.obj).hex()[:20]
            pages.append(PageInfo(fingerprint, trim[2] - trim[0], trim[3] - trim[1], crop))
        names = pdf.Root.get("/Names")
        if names is not None and names.get("/Dests") is not None:
            for name, value in pikepdf.NameTree(names.Dests).items():
                if isinstance(value, pikepdf.Dictionary):
                    value = value.get("/D")
                if not isinstance(value, pikepdf.Array) or len(value) < 1:
                    continue
                target = value[0]
                number = numbers.get(target.objgen) if isinstance(
                    target, pikepdf.Dictionary) else None
                if number is None:
                    continue
                y = 0.0
                if len(value) >= 4 and str(value[1]) == "/XYZ":
                    try:
                        y = float(value[3])
                    except (TypeError, ValueError):
                        y = 0.0
                destinations.append(Destination(str(name), number, y))
    destinations.sort(key=lambda d: (d.page, -d.y, d.name))
    return PdfInfo(pages, destinations)


def anchor_pages(destinations: list[Destination], page_count: int) -> dict[str, list[int]]:
    """The pages each anchor's element covers: from its page to the page before the next
    anchor, or to the next anchor's page too when that anchor starts below the top of its
    page (the element ended on it). The top of a page is where most anchors start."""
    if not destinations:
        return {}
    tops: dict[float, int] = {}
    for d in destinations:
        tops[round(d.y, 1)] = tops.get(round(d.y, 1), 0) + 1
    usual_top = max(tops.items(), key=lambda kv: (kv[1], kv[0]))[0]
    covered: dict[str, list[int]] = {}
    for i, d in enumerate(destinations):
        after = destinations[i + 1] if i + 1 < len(destinations) else None
        if after is None:
            last = page_count
        elif after.page == d.page:
            last = d.page
        elif after.y >= usual_top - 1.0:
            last = after.page - 1
        else:
            last = after.page
        covered[d.name] = list(range(d.page, max(d.page, last) + 1))
    return covered


# --------------------------------------------------------------------------- images
@dataclass(frozen=True)
class PageImage:
    number: int
    fingerprint: str   # of the PDF page it shows
    path: Path
    width: int
    height: int
    pixels: str        # a hash of its pixels: the version browsers see, which moves only
    # when the page looks different (a page laid out again may draw the same pixels)


class PageImages:
    """The current image of every page, in a folder of its own; rendered again only for
    pages whose fingerprint changed. Thread-safe for readers: :meth:`get` returns a
    finished image or None."""

    def __init__(self, folder: Path | None = None, dpi: int = DPI, jobs: int = 2):
        self.folder = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="programme-serve-"))
        self._own_folder = folder is None
        self.dpi, self.jobs = dpi, max(1, jobs)
        self._images: dict[int, PageImage] = {}
        self._lock = threading.Lock()
        self._stale: list[Path] = []   # files of the generation before, deleted next time

    def get(self, number: int) -> PageImage | None:
        with self._lock:
            return self._images.get(number)

    def all(self) -> dict[int, PageImage]:
        with self._lock:
            return dict(self._images)

    def changed(self, info: PdfInfo) -> list[int]:
        """Page numbers whose image is missing or out of date."""
        current = self.all()
        return [n for n, page in enumerate(info.pages, 1)
                if n not in current or current[n].fingerprint != page.fingerprint]

    def update(self, pdf: Path, info: PdfInfo, first: list[int] | None = None,
               on_batch=None, stop: threading.Event | None = None) -> list[int]:
        """Render what changed (the pages in ``first`` before the others), dropping the
        images of pages the PDF no longer has. ``on_batch()`` is called after each batch
        is in place; no batch is started once ``stop`` is set. Returns the pages
        rendered."""
        wanted = self.changed(info)
        urgent = [n for n in wanted if first and n in first]
        rest = [n for n in wanted if n not in urgent]
        self._clean_stale()
        with self._lock:
            for number in [n for n in self._images if n > len(info.pages)]:
                self._stale.append(self._images.pop(number).path)
        # the edited pages first; then the rest in batches, each shown when it is ready
        size = max(4 * self.jobs, len(rest) // 4 + 1)
        batches = [urgent] + [rest[i:i + size] for i in range(0, len(rest), size)]
        for batch in batches:
            if stop is not None and stop.is_set():
                break
            if batch:
                self._render(pdf, info, batch)
                if on_batch:
                    on_batch()
        return wanted

    def _render(self, pdf: Path, info: PdfInfo, numbers: list[int]) -> None:
        runs = _runs(numbers)
        groups = _split(runs, self.jobs)
        scratch = Path(tempfile.mkdtemp(prefix="render-", dir=self.folder))
        try:
            def group(index: int, runs: list[tuple[int, int]]) -> dict[int, PageImage]:
                # each group renders and encodes its own pages: pdftoppm in its process,
                # and Pillow, which lets go of the GIL while it compresses
                files = self._pdftoppm(pdf, scratch, index, runs)
                return {number: self._encode(number, info.pages[number - 1], ppm,
                                             self.get(number))
                        for number, ppm in files.items()}

            with ThreadPoolExecutor(max_workers=len(groups)) as pool:
                results = list(pool.map(lambda g: group(*g), enumerate(groups)))
            made: dict[int, PageImage] = {}
            for images in results:
                made.update(images)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        with self._lock:
            for number, image in made.items():
                old = self._images.get(number)
                if old is not None and old.path != image.path:
                    self._stale.append(old.path)
                self._images[number] = image

    def _pdftoppm(self, pdf: Path, scratch: Path, index: int, runs: list[tuple[int, int]]
                  ) -> dict[int, Path]:
        files: dict[int, Path] = {}
        for first, last in runs:
            root = scratch / f"g{index}-{first}"
            try:
                done = subprocess.run(
                    [PDFTOPPM, "-r", str(self.dpi), "-f", str(first), "-l", str(last),
                     str(pdf), str(root)], capture_output=True, timeout=300,
                    start_new_session=True)  # a Ctrl-C in the terminal is the server's to
                # handle: it lets a render in progress finish
            except FileNotFoundError:
                raise RenderFailed("pdftoppm is not installed (Debian: poppler-utils)") \
                    from None
            except subprocess.TimeoutExpired:
                raise RenderFailed(f"pdftoppm took too long on pages {first}-{last}") from None
            if done.returncode != 0:
                raise RenderFailed("pdftoppm: " + done.stderr.decode("utf-8", "replace")
                                   .strip()[:300])
            for path in scratch.glob(f"g{index}-{first}-*.ppm"):
                number = int(path.stem.rsplit("-", 1)[1])
                files[number] = path
        return files

    def _encode(self, number: int, page: PageInfo, ppm: Path,
                old: PageImage | None) -> PageImage:
        from PIL import Image

        with Image.open(ppm) as image:
            w, h = image.size
            left, top, right, bottom = page.crop
            box = (round(left * w), round(top * h), round(right * w), round(bottom * h))
            if box != (0, 0, w, h) and box[2] > box[0] and box[3] > box[1]:
                image = image.crop(box)
            digest = hashlib.sha256(b"%dx%d:" % image.size)
            digest.update(image.tobytes())
            pixels = digest.hexdigest()[:20]
            if old is not None and old.pixels == pixels and old.path.exists():
                return PageImage(number, page.fingerprint, old.path, old.width, old.height,
                                 pixels)
            target = self.folder / f"page-{number}-{pixels}.png"
            partial = target.with_suffix(".part")
            image.save(partial, "PNG", compress_level=1)
            os.replace(partial, target)
            return PageImage(number, page.fingerprint, target, image.size[0], image.size[1],
                             pixels)

    def _clean_stale(self) -> None:
        """Delete the images replaced by the update before this one (a browser may still be
        fetching those of the last update)."""
        with self._lock:
            current = {image.path for image in self._images.values()}
            stale, self._stale = self._stale, []
        for path in stale:
            if path not in current:
                try:
                    path.unlink()
                except OSError:
                    pass

    def close(self) -> None:
        if self._own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Consecutive page numbers as (first, last) ranges."""
    runs: list[tuple[int, int]] = []
    for n in sorted(set(numbers)):
        if runs and runs[-1][1] == n - 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def _split(runs: list[tuple[int, int]], jobs: int) -> list[list[tuple[int, int]]]:
    """The ranges shared among ``jobs`` groups of about the same number of pages."""
    pages = [n for first, last in runs for n in range(first, last + 1)]
    if not pages:
        return []
    jobs = min(jobs, len(pages))
    size = -(-len(pages) // jobs)
    chunks = [pages[i:i + size] for i in range(0, len(pages), size)]
    return [_runs(chunk) for chunk in chunks]
