"""A contact sheet: every page of a PDF as a thumbnail, in reading spreads, on one PNG.

Pages are rasterised by poppler's ``pdftoppm`` (bleed and crop marks included) and laid out with
Pillow: the first page alone on the right, as a printed booklet opens, then pairs of
facing pages. Each page has a thin gap on every side, so thumbnails never touch.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

BACKGROUND = (118, 118, 118)
GAP = 3  # pixels between facing pages
MARGIN = 24  # pixels around and between spreads


def spreads(pages: int) -> list[tuple[int | None, int | None]]:
    """(left, right) page numbers: (None, 1), (2, 3), (4, 5)… and (n, None) when n is even."""
    rows: list[tuple[int | None, int | None]] = [(None, 1)] if pages else []
    for left in range(2, pages + 1, 2):
        rows.append((left, left + 1 if left + 1 <= pages else None))
    return rows


def make_contact_sheet(pdf: Path, thumb_height: int = 220, per_row: int = 4) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-png", "-scale-to-y", str(thumb_height),
                        "-scale-to-x", "-1", str(pdf), f"{tmp}/p"], check=True,
                       capture_output=True)
        files = sorted(Path(tmp).glob("p-*.png"), key=lambda p: int(p.stem.split("-")[1]))
        thumbs = [Image.open(f).convert("RGB") for f in files]
    if not thumbs:
        raise ValueError(f"{pdf} has no pages")
    width, height = thumbs[0].size
    rows = spreads(len(thumbs))
    spread_w = 2 * width + 3 * GAP
    columns = min(per_row, len(rows))
    lines = -(-len(rows) // columns)
    sheet = Image.new("RGB", (MARGIN + columns * (spread_w + MARGIN),
                              MARGIN + lines * (height + 2 * GAP + MARGIN)), BACKGROUND)
    for i, (left, right) in enumerate(rows):
        x = MARGIN + (i % columns) * (spread_w + MARGIN)
        y = MARGIN + (i // columns) * (height + 2 * GAP + MARGIN)
        if left:
            sheet.paste(thumbs[left - 1], (x + GAP, y + GAP))
        if right:
            sheet.paste(thumbs[right - 1], (x + 2 * GAP + width, y + GAP))
    out = io.BytesIO()
    sheet.save(out, "PNG", optimize=True)
    return out.getvalue()
