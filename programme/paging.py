"""Number a part's pages after its layout (stage 3 of a fast build, with typeset.py).

WeasyPrint lays out every page of a document first and only then makes the margin boxes
(running heads, folios) from each page's counters. A part of the brochure does not know
its first page number until the parts before it are laid out, so :class:`LatePaging`
waits at that moment: it reports the part's page count, gets the first page number, and
sets the ``page`` counter of each page before its margin boxes are made. The layout of
the part's content does not depend on its number, only on whether it starts on a left
or a right page. A part laid out on the wrong side is moved to the other side when both
sides have the same page area width (only the margins swap, as in the brochure): each
page takes the other side's page style and its content moves sideways. Otherwise it is
laid out again (:class:`WrongSide`). Stand-in pages (see :mod:`programme.parts`) get no
margin boxes.

This wraps one function of WeasyPrint (``weasyprint.layout.make_margin_boxes``), for the
length of one layout, in the process laying out the part.
"""

from __future__ import annotations

import contextlib
from types import SimpleNamespace
from typing import Callable


class WrongSide(Exception):
    """The part was laid out from the wrong side: lay it out again, starting at ``start``."""

    def __init__(self, start: int):
        super().__init__(f"part starts on page {start}")
        self.start = start


def side_of(page_number: int) -> str:
    return "right" if page_number % 2 else "left"


class LatePaging:
    """The margin-box maker for one part's layout.

    ``lead``/``trail``: stand-in pages before/after the part's own pages. ``first_side``:
    the side its first own page was laid out on. ``ask_start(page_count)`` returns the
    number of its first own page (it may wait for other parts)."""

    def __init__(self, lead: int, trail: int, first_side: str,
                 ask_start: Callable[[int], int], base_url: str | None = None,
                 may_move: bool = True):
        self.lead, self.trail, self.first_side = lead, trail, first_side
        self.ask_start = ask_start
        self.base_url = base_url
        self.may_move = may_move
        self.start: int | None = None
        self.pages: int | None = None
        self.moved = False  # laid out on the other side, then moved

    def __call__(self, context, page, state):
        from weasyprint.layout.page import make_margin_boxes

        if self.pages is None:
            self.pages = len(context.page_maker) - 1 - self.lead - self.trail
        if self.start is None:
            self.start = self.ask_start(self.pages)
            if side_of(self.start) != self.first_side:
                if not self.may_move:
                    raise WrongSide(self.start)
                self.moved = True
        own = context.current_page - self.lead  # 1-based among the part's own pages
        if own < 1 or own > self.pages:
            return iter(())
        if self.moved:
            self._move(context, page)
        counters = state[1]
        counters["page"] = [self.start + own - 1]
        return make_margin_boxes(context, page, state)

    def _move(self, context, page) -> None:
        """Make ``page`` a page of the other side: its style, margins and content."""
        other = "left" if page.page_type.side == "right" else "right"
        page_type = page.page_type._replace(side=other)
        root = page.children[0]
        html = SimpleNamespace(etree_element=root.element, base_url=self.base_url)
        moved = page_box(context, html, page_type, page.style["overflow"])
        if (abs(moved.width - page.width) > 0.01 or abs(moved.height - page.height) > 0.01
                or abs(moved.content_box_y() - page.content_box_y()) > 0.01):
            raise WrongSide(self.start)  # the sides differ in more than margins
        dx = moved.content_box_x() - page.content_box_x()
        for child in page.children:
            child.translate(dx, 0)
        children = page.children
        page.__dict__.update(moved.__dict__)
        page.children = children

    @contextlib.contextmanager
    def installed(self):
        import weasyprint.layout as layout

        original = layout.make_margin_boxes
        layout.make_margin_boxes = self
        try:
            yield self
        finally:
            layout.make_margin_boxes = original


def page_box(context, html, page_type, overflow):
    """An empty page box of ``page_type``, sized as ``make_page`` sizes it."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.page import page_height, page_width, set_page_type_computed_styles
    from weasyprint.layout.percent import resolve_percentages

    set_page_type_computed_styles(page_type, html, context.style_for)
    style = context.style_for(page_type)
    style["overflow"] = overflow
    page = boxes.PageBox(page_type, style)
    size = page.style["size"]
    resolve_percentages(page, size)
    page.position_x = page.position_y = 0
    page_width(page, context, size[0])
    page_height(page, context, size[1])
    return page
