"""Reading PDFs back for tests: poppler's command-line tools and pikepdf."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf

MM = 72 / 25.4


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def page_texts(pdf: Path, raw: bool = False) -> list[str]:
    """Text of every page (pdftotext), in reading order; ``raw``: in content-stream order,
    which keeps rotated text such as a watermark out of the lines it crosses."""
    pages = run("pdftotext", *(["-raw"] if raw else []), "-enc", "UTF-8", str(pdf),
                "-").split("\f")
    return pages[:-1] if pages and pages[-1] == "" else pages


def flat(text: str) -> str:
    """Whitespace collapsed: lines wrapped by the layout compare equal to the source."""
    return re.sub(r"\s+", " ", text).strip()


def region_text(pdf: Path, page: int, x: float, y: float, w: float, h: float) -> str:
    """Text inside a rectangle of a page (1-based), in PDF points from the top left."""
    return run("pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page), "-x", str(int(x)),
               "-y", str(int(y)), "-W", str(int(w)), "-H", str(int(h)), str(pdf), "-")


def running_head(pdf: Path, page: int) -> str:
    """The text above the type area (the top 19 mm of the sheet: 3 mm bleed + 16 mm margin)."""
    return flat(region_text(pdf, page, 0, 0, 1000, 19 * MM))


def fonts(pdf: Path) -> list[dict]:
    """pdffonts' table as dicts: name, type, emb, sub."""
    lines = run("pdffonts", str(pdf)).splitlines()[2:]
    out = []
    for line in lines:
        parts = line.split()
        # name type... encoding emb sub uni object ID: read from the right
        out.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return out


def images(pdf: Path) -> list[dict]:
    """pdfimages -list rows: page, width, height, x-ppi, y-ppi."""
    lines = run("pdfimages", "-list", str(pdf)).splitlines()[2:]
    out = []
    for line in lines:
        p = line.split()
        out.append({"page": int(p[0]), "type": p[2], "width": int(p[3]), "height": int(p[4]),
                    "color": p[5], "x_ppi": int(p[12]), "y_ppi": int(p[13])})
    return out


def destinations(pdf: Path) -> dict[str, int]:
    """Named destinations (HTML ids) -> 1-based page numbers."""
    with pikepdf.open(pdf) as doc:
        index = {page.objgen: i + 1 for i, page in enumerate(doc.pages)}
        out = {}
        names = doc.Root.get("/Names")
        if names is not None and "/Dests" in names:
            for name, dest in pikepdf.NameTree(names.Dests).items():
                if isinstance(dest, pikepdf.Dictionary):
                    dest = dest.D
                out[str(name)] = index[dest[0].objgen]
        return out


def outline(pdf: Path) -> list[tuple[int, str, int]]:
    """The bookmarks as (level, title, 1-based page)."""
    with pikepdf.open(pdf) as doc:
        index = {page.objgen: i + 1 for i, page in enumerate(doc.pages)}
        out = []

        def walk(items, level):
            for item in items:
                page = None
                dest = item.destination
                if isinstance(dest, pikepdf.Array):
                    page = index.get(dest[0].objgen)
                elif dest is not None:
                    page = destinations(pdf).get(str(dest))
                out.append((level, item.title, page))
                walk(item.children, level + 1)

        with doc.open_outline() as tree:
            walk(tree.root, 1)
        return out


def boxes(pdf: Path) -> list[dict[str, list[float]]]:
    with pikepdf.open(pdf) as doc:
        return [{name: [float(v) for v in page.obj[f"/{name}"]]
                 for name in ("MediaBox", "BleedBox", "TrimBox") if f"/{name}" in page.obj}
                for page in doc.pages]


def links(pdf: Path) -> list[dict]:
    """Every internal link: page (1-based), target name, rectangle (x0, top, x1, bottom) from the top left."""
    out = []
    with pikepdf.open(pdf) as doc:
        for number, page in enumerate(doc.pages, 1):
            # pdftotext measures from the MediaBox's top-left corner; WeasyPrint's MediaBox
            # starts at minus the bleed, so shift by its origin.
            mx0, my0, mx1, my1 = (float(v) for v in page.mediabox)
            for annot in page.obj.get("/Annots", []):
                if annot.get("/Subtype") != "/Link":
                    continue
                dest = annot.get("/Dest")
                if dest is None and "/A" in annot and "/D" in annot.A:
                    dest = annot.A.D
                if dest is None:
                    continue
                x0, y0, x1, y1 = (float(v) for v in annot.Rect)
                out.append({"page": number, "dest": str(dest),
                            "rect": (min(x0, x1) - mx0, my1 - max(y0, y1), max(x0, x1) - mx0,
                                     my1 - min(y0, y1))})
    return out


def printed_references(pdf: Path, pages: range) -> list[tuple[str, int, str]]:
    """(target, printed page number, line text) for each link line on ``pages`` that ends in a
    number, in reading order (page, then column, then top to bottom).

    A link may be drawn as several rectangles (text, leader, page number); rectangles of one
    target on one line are joined, and the text inside them is read back with pdftotext.
    """
    found = []
    by_line: dict[tuple, list] = {}
    for link in links(pdf):
        if link["page"] not in pages:
            continue
        x0, top, x1, bottom = link["rect"]
        key = (link["page"], link["dest"], round((top + bottom) / 2))
        by_line.setdefault(key, []).append(link["rect"])
    for (page, dest, _), rects in sorted(by_line.items()):
        x0 = min(r[0] for r in rects)
        top = min(r[1] for r in rects)
        x1 = max(r[2] for r in rects)
        bottom = max(r[3] for r in rects)
        text = flat(region_text(pdf, page, x0 - 1, top - 1, x1 - x0 + 2, bottom - top + 2))
        match = re.search(r"(\d+)$", text)
        if match:
            column = x0 > 220  # right-hand column of a two-column A5 page
            found.append(((page, column, top), (dest, int(match.group(1)), text)))
    return [ref for _, ref in sorted(found)]


def layout_lines(pdf: Path, pages: range) -> list[str]:
    """Lines of text as laid out (pdftotext -layout), whitespace collapsed: table rows stay whole."""
    text = run("pdftotext", "-enc", "UTF-8", "-layout", "-f", str(pages.start),
               "-l", str(pages.stop - 1), str(pdf), "-")
    return [flat(line) for line in text.splitlines() if line.strip()]
