"""``programme impose``: a built PDF as printer sheets for a saddle-stitched booklet.

A booklet of n pages (a multiple of 4) is n / 4 sheets folded once and nested, stapled on
the fold. Each sheet is printed on both sides with two pages side by side, so the sheet is
twice the page width (A4 landscape for A5 pages). From the outermost sheet in, the front of
sheet s (0-based) carries pages n - 2s and 2s + 1, and its back 2s + 2 and n - 2s - 1
(1-based); printed double-sided, flipped on the short edge, folded and nested, the pages
read in order. Page 1 is on the right of the first sheet's front, the last page on its left.

Each page is cut at its TrimBox; the sheets carry no bleed or marks (a print shop imposing
for itself takes the press PDF instead).

Creep: the sheets inside stick out further at the fore-edge than the outer ones, so after
trimming their outer margins come out narrower. ``creep`` is how much the centre sheet
sticks out (about the paper's thickness times the number of sheets); each sheet's pages are
shifted toward the spine by its share, from nothing on the outermost sheet to ``creep``
on the innermost. A negative creep shifts pages away from the spine instead.

This is done with pikepdf: each page becomes a form XObject, placed twice per sheet side
with a clip to its half of the sheet.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from .output import write_atomically
from .problems import Problem, ProgrammeError, display_path

MM = 72 / 25.4


def saddle_order(n: int) -> list[tuple[int, int]]:
    """(left, right) page numbers (1-based) of each sheet side: front, back, outside in."""
    if n <= 0 or n % 4:
        raise ValueError(f"a saddle-stitched booklet has a multiple of 4 pages, not {n}")
    sides = []
    for s in range(n // 4):
        sides.append((n - 2 * s, 2 * s + 1))        # front of sheet s
        sides.append((2 * s + 2, n - 2 * s - 1))    # back of sheet s
    return sides


def creep_shift(sheet: int, sheets: int, creep_mm: float) -> float:
    """How far (mm) the pages of ``sheet`` (0 = outermost) move toward the spine."""
    return 0.0 if sheets <= 1 else creep_mm * sheet / (sheets - 1)


@dataclass
class Imposed:
    output: Path
    pages: int
    sheets: int
    sheet_size_mm: tuple[float, float]


#: printer sheets (mm, landscape), smallest first: a spread goes on the smallest that holds it
SHEETS = {"A5": (210, 148), "US Letter": (279.4, 215.9), "A4": (297, 210),
          "US Tabloid": (431.8, 279.4), "A3": (420, 297), "SRA3": (450, 320)}


def sheet_for(spread_width: float, spread_height: float) -> tuple[float, float]:
    """The sheet (pt) a spread of this size (pt) is printed on: the smallest standard sheet
    that holds it (A4 landscape for two A5 pages), else the spread itself."""
    fits = [(w * h, w * MM, h * MM) for w, h in SHEETS.values()
            if w * MM >= spread_width - 0.01 and h * MM >= spread_height - 0.01]
    if not fits:
        return spread_width, spread_height
    _, width, height = min(fits)
    return width, height


def _box(page, name, number: int, where: str) -> list[float]:
    """A page's box (the MediaBox when it has no such box), four numbers, not empty."""
    from .preflight import BadBox, read_box

    try:
        box = read_box(page.obj.get(f"/{name}"), name)
        if box is None:
            name = "MediaBox"
            box = read_box(page.obj.get("/MediaBox"), name) or read_box(page.mediabox, name)
    except BadBox as exc:
        raise ProgrammeError([Problem(where, None, None, f"page {number}: {exc}")]) from None
    if box[2] - box[0] < 1 or box[3] - box[1] < 1:
        raise ProgrammeError([Problem(where, None, None, f"page {number}: its {name} "
                                      f"{box} has no area")])
    return box


def impose(source: Path, output: Path, creep_mm: float = 0.0) -> Imposed:
    source, output = Path(source), Path(output)
    where = display_path(source)
    try:
        pdf = pikepdf.open(source)
    except pikepdf.PasswordError:
        raise ProgrammeError([Problem(where, None, None, "the PDF is protected by a password: "
                                      "save it without one to impose it")]) from None
    except pikepdf.PdfError as exc:
        raise ProgrammeError([Problem(where, None, None, f"cannot read this PDF: {exc}")])
    try:
        with pdf:
            data, sheets, sheet_w, sheet_h = _impose(pdf, source, where, creep_mm)
    except (pikepdf.PdfError, ValueError, TypeError, KeyError, IndexError, AttributeError,
            RecursionError, NotImplementedError) as exc:
        raise ProgrammeError([Problem(where, None, None, f"cannot impose this PDF, it is "
                                      f"malformed: {type(exc).__name__}: {exc}")]) from None
    write_atomically(output, data)
    return Imposed(output, 2 * sheets, sheets, (round(sheet_w / MM, 1), round(sheet_h / MM, 1)))


def _impose(pdf: pikepdf.Pdf, source: Path, where: str, creep_mm: float):
    """The imposed PDF's bytes, its sheets, and the sheet's width and height (pt)."""
    from .preflight import media_box_repairs

    for warning in media_box_repairs(pdf):
        raise ProgrammeError([Problem(where, None, None, f"a page's MediaBox is not four "
                                      f"numbers, so the page size is unknown ({warning})")])
    n = len(pdf.pages)
    if n == 0 or n % 4:
        raise ProgrammeError([Problem(where, None, None,
                                      f"{n} pages is not a multiple of 4: a saddle-stitched "
                                      "booklet needs whole sheets (programme build pads the "
                                      "brochure with filler pages)")])
    trims = [_box(page, "TrimBox", number, where)
             for number, page in enumerate(pdf.pages, 1)]
    width, height = trims[0][2] - trims[0][0], trims[0][3] - trims[0][1]
    for number, trim in enumerate(trims, 1):
        if abs(trim[2] - trim[0] - width) > 0.5 or abs(trim[3] - trim[1] - height) > 0.5:
            raise ProgrammeError([Problem(where, None, None,
                                          f"page {number} has another trim size than page 1: "
                                          "a booklet's pages must all be one size")])
    sheets = n // 4
    if not math.isfinite(creep_mm) or abs(creep_mm) * MM > width / 4:
        raise ProgrammeError([Problem(where, None, None,
                                      f"a creep of {creep_mm:g} mm is more than a quarter of "
                                      "the page width")])

    out = pikepdf.new()
    forms = []
    for number, page in enumerate(pdf.pages, 1):
        media = _box(page, "MediaBox", number, where)
        form = page.as_form_xobject()
        form.BBox = pikepdf.Array(media)
        forms.append(out.copy_foreign(form))
    sheet_width, sheet_height = sheet_for(2 * width, height)
    # the spread (two trimmed pages) in the middle of the sheet: the spine on its centre
    left_x, bottom_y = (sheet_width - 2 * width) / 2, (sheet_height - height) / 2
    sheet_box = [0, 0, sheet_width, sheet_height]
    spread_box = [left_x, bottom_y, left_x + 2 * width, bottom_y + height]
    for side, (left, right) in enumerate(saddle_order(n)):
        shift = creep_shift(side // 2, sheets, creep_mm) * MM
        content, xobjects = [], {}
        for slot, number in ((0, left), (1, right)):
            name = f"/P{number}"
            xobjects[name] = forms[number - 1]
            trim = trims[number - 1]
            # move the trim box's corner to the slot; inner pages toward the spine
            x = left_x + slot * width - trim[0] + (shift if slot == 0 else -shift)
            y = bottom_y - trim[1]
            content.append(f"q {left_x + slot * width:.4f} {bottom_y:.4f} {width:.4f} "
                           f"{height:.4f} re W n 1 0 0 1 {x:.4f} {y:.4f} cm {name} Do Q")
        stream = out.make_stream("\n".join(content).encode())
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=pikepdf.Array(sheet_box),
            TrimBox=pikepdf.Array(spread_box),
            Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(xobjects)),
            Contents=stream,
        )
        out.pages.append(pikepdf.Page(out.make_indirect(page)))
    if "/OutputIntents" in pdf.Root:  # keep the colour meaning of CMYK for the RIP
        intents = pdf.Root.OutputIntents
        if not intents.is_indirect:  # copy_foreign copies indirect objects only
            intents = pdf.make_indirect(intents)
        out.Root.OutputIntents = out.copy_foreign(intents)
    with out.open_metadata(set_pikepdf_as_editor=False) as xmp:
        xmp["dc:title"] = f"{source.name}, imposed for saddle stitching ({sheets} sheets)"
    out.docinfo["/Title"] = f"{source.name}, imposed for saddle stitching ({sheets} sheets)"
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue(), sheets, sheet_width, sheet_height
