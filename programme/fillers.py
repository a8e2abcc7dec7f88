"""Whole sheets: pad the brochure to a multiple of 4 pages (or 8, 16) with designed pages.

A saddle-stitched booklet is sheets folded once, 4 pages to a sheet; a printer may print
8 or 16 pages to a sheet (the *signature*). A page count that does not fill the last sheet
gets blank pages from the printer. Instead, the layout designs the pages that fill the gap,
in ``partials/filler-pages.html``: the festival's adverts first (``adverts`` in
festival.yaml), then notes pages. Each is one page with the id ``filler-N``.

The templates get ``filler_pages``: how many to render. The build asks for signature - 1 of
them (the most a page count can need), lays the document out once, counts the pages before
them and keeps as many filler pages as the count needs; the rest are dropped from the
laid-out document. Fillers come last, before an optional back cover (an element with the
id ``back-cover``). When dropping pages would change something already laid out – the
back cover's side and folio, or a ``counter(pages)`` – the document is laid out again with
exactly the fillers it needs.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Callable

from .engine.boxes import element_ids
from .problems import Problem, ProgrammeError, display_path
from .typeset import Typeset

SIGNATURES = (4, 8, 16)
PARTIAL = "partials/filler-pages.html"
_FILLER = re.compile(r"filler-(\d+)")


def to_render(signature: int | None) -> int:
    """How many filler pages the templates should render for one layout pass."""
    return signature - 1 if signature and signature > 1 else 0


def _filler_pages(document) -> dict[int, int]:
    """filler number -> 0-based page index."""
    found: dict[int, int] = {}
    for index, page in enumerate(document.pages):
        for name in page.anchors:
            match = _FILLER.fullmatch(name)
            if match:
                found.setdefault(int(match.group(1)), index)
    return found


def _uses_total_pages(folder: Path) -> bool:
    """Does the layout print the page count (``counter(pages)``) anywhere?"""
    texts = [p.read_text(encoding="utf-8", errors="replace")
             for p in sorted(folder.rglob("*")) if p.suffix in (".css", ".html")]
    return any(re.search(r"counter\(\s*pages\s*[,)]", t) for t in texts)


def pad(laid_out: Typeset, signature: int | None, layout_folder: Path,
        relayout: Callable[[int], Typeset],
        strict: bool = False) -> tuple[Typeset, list[Problem]]:
    """Keep the filler pages ``signature`` needs; a warning says how many were added.

    ``relayout(n)`` lays the document out again with ``n`` filler pages. With ``strict``
    (press builds), a page count that cannot be made whole is an error."""
    if not signature or signature <= 1:
        return laid_out, []
    where = display_path(layout_folder / PARTIAL)
    document = laid_out.document
    pages = document.pages
    fillers = _filler_pages(document)
    numbers = sorted(fillers)
    positions = [fillers[n] for n in numbers]
    if not positions:
        remainder = len(pages) % signature
        if not remainder:
            return laid_out, []
        blank = signature - remainder
        message = (f"{len(pages)} pages is not a multiple of {signature} and the layout has no "
                   f"filler pages ({PARTIAL}, elements with the id filler-1, filler-2…): the "
                   f"printer would add {blank} blank page{'s' if blank != 1 else ''}")
        problem = Problem(display_path(layout_folder), None, None, message,
                          "error" if strict else "warning")
        if strict:
            raise ProgrammeError([problem])
        return laid_out, [problem]
    for a, b, n in zip(positions, positions[1:], numbers[1:]):
        if b != a + 1:
            raise ProgrammeError([Problem(where, None, None,
                                          f"filler page {n - 1} takes {b - a} pages; each "
                                          "filler must fit on one page")])
    first, last = positions[0], positions[-1]
    after = pages[last + 1:]
    if after and "back-cover" not in after[0].anchors:
        raise ProgrammeError([Problem(where, None, None,
                                      f"filler page {numbers[-1]} takes more than one page (or "
                                      "pages follow the fillers without a back cover, an "
                                      "element with the id back-cover): each filler must fit "
                                      "on one page, and fillers come last")])
    content = first + len(after)
    need = -content % signature
    if need > len(positions):
        raise ProgrammeError([Problem(where, None, None,
                                      f"{content} pages need {need} filler pages to make a "
                                      f"multiple of {signature}, but the layout rendered only "
                                      f"{len(positions)} (it gets filler_pages = "
                                      f"{to_render(signature)})")])
    dropped = len(positions) - need
    if dropped and (after or _uses_total_pages(layout_folder)):
        laid_out = relayout(need)
        if need and sorted(_filler_pages(laid_out.document)) != list(range(1, need + 1)):
            raise ProgrammeError([Problem(where, None, None,
                                          "the filler pages changed between two layouts")])
    elif dropped:
        keep = pages[:first + need] + after
        laid_out = dataclasses.replace(laid_out, document=document.copy(keep))
    total = len(laid_out.document.pages)
    if total % signature:
        raise ProgrammeError([Problem(where, None, None,
                                      f"padding to a multiple of {signature} failed: "
                                      f"{total} pages")])
    if not need:
        return laid_out, []
    kinds = _kinds(laid_out.document, need)
    return laid_out, [Problem(where, None, None,
                              f"added {need} filler page{'s' if need != 1 else ''}"
                              + (f" ({', '.join(kinds)})" if kinds else "")
                              + f" to make {total} pages, a multiple of {signature} "
                              f"({content} pages of content)", "warning")]


def _kinds(document, count: int) -> list[str]:
    """What the kept filler pages are, from their classes (filler-advert -> advert)."""
    wanted = {f"filler-{n}" for n in range(1, count + 1)}
    kinds = {}
    for page in document.pages:
        if not wanted & set(page.anchors):
            continue
        for element_id, classes in element_ids(page):
            if element_id in wanted:
                kind = next((c[len("filler-"):] for c in classes if c.startswith("filler-")), "")
                kinds.setdefault(element_id, kind or "filler")
                break
    return [kinds[k] for k in sorted(kinds, key=lambda k: int(k.split("-")[1]))]
