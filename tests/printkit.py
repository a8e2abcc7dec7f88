"""Fixtures made by the print-production tests themselves: small projects and PDFs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
from PIL import Image

from .conftest import EXAMPLE

MM = 72 / 25.4
A5 = (148 * MM, 210 * MM)


def small_project(root: Path, keep=("rust-and-bone", "undertow")) -> Path:
    """A copy of the example with only the films in ``keep``: quick to build."""
    content = root / "content"
    shutil.copytree(EXAMPLE, content)
    for path in (content / "films").glob("*.yaml"):
        if path.stem not in keep:
            path.unlink()
    return content


def replace_image(content: Path, name: str, size: tuple[int, int]) -> Path:
    """Overwrite a still with a smaller version of itself (same aspect, fewer pixels)."""
    path = content / "images" / name
    with Image.open(path) as image:
        image.convert("RGB").resize(size).save(path, "JPEG", quality=90)
    return path


def _text_stream(pdf: pikepdf.Pdf, text: str, x: float, y: float,
                 size: float = 24) -> pikepdf.Stream:
    return pdf.make_stream(f"BT /F1 {size} Tf {x:.2f} {y:.2f} Td ({text}) Tj ET".encode())


def numbered_pdf(path: Path, pages: int, bleed_mm: float = 3.0, embed: bool = True,
                 trim: tuple[float, float] = A5) -> Path:
    """A booklet of ``pages`` A5 pages, each saying "Page N" near its left edge.

    Text is in Helvetica, a standard 14 font that is not embedded: fine for reading the
    text back, and exactly what an unembedded-font fixture needs."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font,
                                                Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica,
                                                Encoding=pikepdf.Name.WinAnsiEncoding))
    b = bleed_mm * MM
    w, h = trim
    for n in range(1, pages + 1):
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=pikepdf.Array([-b, -b, w + b, h + b]),
            BleedBox=pikepdf.Array([-b, -b, w + b, h + b]),
            TrimBox=pikepdf.Array([0, 0, w, h]),
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
            Contents=_text_stream(pdf, f"Page {n}", 20 * MM, h / 2),
        )
        pdf.pages.append(pikepdf.Page(pdf.make_indirect(page)))
    pdf.save(path)
    return path
