"""Reading PDFs back for tests: poppler's command-line tools and pikepdf."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf

MM = 72 / 25.4


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def page_texts(pdf: Path) -> list[str]:
    """Text of every page (pdftotext), in reading order."""
    pages = run("pdftotext", "-enc", "UTF-8", str(pdf), "-").split("\f")
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
