"""What is swapped into WeasyPrint for the length of one layout or one drawing.

Each hook names the WeasyPrint 70 function it replaces or mirrors. They are installed as
context managers, in the process laying out one part, and removed afterwards:

- :class:`LatePaging` replaces ``weasyprint.layout.make_margin_boxes``: a part's pages
  are numbered once its first page number is known (after its content is laid out), and
  a part laid out on the wrong side is moved to the other side (paging, fast build);
- :func:`page_box` mirrors the page sizing at the start of
  ``weasyprint.layout.page.make_page``;
- :func:`marked_drawing` replaces ``weasyprint.document.draw_page`` (a copy of
  ``weasyprint.draw.draw_page`` with the background marked) and wraps
  ``weasyprint.draw.draw_stacking_context`` (margin boxes marked), so that renumbering
  can swap a page's furniture (furniture.py);
- :class:`Recorder` wraps ``weasyprint.document.layout_document`` and
  ``weasyprint.layout.page.make_page`` to keep each page's start state (resume.py);
- :class:`Resumer` replaces ``weasyprint.document.layout_document``: the page maker is
  restarted from a recorded page (``remake_page``), and the end of ``layout_document``
  is mirrored for the new pages only;
- :class:`Furnisher` replaces ``weasyprint.document.layout_document``: the margin boxes
  and backgrounds of recorded pages, without content.

The page maker's state (``context.page_maker[i][:4]``: resume_at, next_page, right_page,
(quote_depth, counters, counter scopes, page groups)) is read by :func:`comparable`.
"""

from __future__ import annotations

import contextlib
import copy
import json
from types import SimpleNamespace
from typing import Callable

from ..furniture import BACKGROUND, FURNITURE
from ..resume import CannotResume, ReachedTrimmed, Record, decode, encode
from .boxes import page_box as page_box_of, sizes_along, strings_of


# ------------------------------------------------------------------ paging
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


# ----------------------------------------------------------------- drawing
@contextlib.contextmanager
def marked_drawing():
    """Draw pages with the background and the margin boxes in marked sequences (they
    change nothing on the page)."""
    import weasyprint.document as document
    import weasyprint.draw as draw
    from weasyprint.formatting_structure import boxes
    from weasyprint.stacking import StackingContext

    original_page = document.draw_page
    original_context = draw.draw_stacking_context

    def draw_page(page, stream):
        # weasyprint.draw.draw_page, with the background marked
        marks = page.style["marks"]
        stacking_context = StackingContext.from_page(page)
        stream.begin_marked_content(BACKGROUND)
        draw.draw_background(stream, stacking_context.box.background, clip_box=False,
                             bleed=page.bleed, marks=marks)
        draw.set_mask_border(stream, page)
        draw.draw_background(stream, page.canvas_background, clip_box=False)
        draw.draw_border(stream, page)
        stream.end_marked_content()
        draw.draw_stacking_context(stream, stacking_context)

    def draw_stacking_context(stream, stacking_context):
        if isinstance(stacking_context.box, boxes.MarginBox):
            stream.begin_marked_content(FURNITURE)
            original_context(stream, stacking_context)
            stream.end_marked_content()
        else:
            original_context(stream, stacking_context)

    document.draw_page = draw_page
    draw.draw_stacking_context = draw_stacking_context
    try:
        yield
    finally:
        document.draw_page = original_page
        draw.draw_stacking_context = original_context


# ---------------------------------------------------------- page-maker state
_NUMBERED_LATE = {"page", "pages"}


def comparable(state) -> str:
    """A page's start state without its page number and the page count: the margin
    boxes get them late (:class:`LatePaging` sets ``page``), and a part may not print
    the count (the fast build lays such a layout out as one document)."""
    resume_at, next_page, right_page, (quote_depth, counters, scopes, groups) = state
    counters = {k: v for k, v in counters.items() if k not in _NUMBERED_LATE}
    scopes = [set(s) - _NUMBERED_LATE for s in scopes]
    return json.dumps(encode((resume_at, next_page, right_page,
                              (quote_depth, counters, scopes, groups))), sort_keys=True)


def why_not_renumberable(context, stand_ins=()) -> str:
    """Why a part's pages cannot take other page numbers without a new layout, or "":
    its content prints page numbers of its own pages (``counter(page)`` in content, or
    ``target-counter()`` to its own anchors), which move with them. References to the
    anchors of ``stand_ins`` (other parts' pages, numbered already) do not move.
    Reads WeasyPrint's ``TargetCollector.counter_lookup_items``. In 70.x
    (``formatting_structure.build.compute_content_list``) an item's ``missing_counters``
    is, after a ``target-counter()``, the list of that target's counters (the name is
    reused), so only a list of its own counts as page counters in content."""
    for item in context.target_collector.counter_lookup_items.values():
        targets = item.missing_target_counters
        if set(targets) - set(stand_ins):
            return "it prints the page numbers of its own anchors"
        if item.missing_counters and not any(
                item.missing_counters is counters for counters in targets.values()):
            return "its content prints page counters"
    return ""


def why_not_resumable(context, pages=()) -> str:
    """Why a layout cannot be resumed later, or "". ``pages``: the document's pages."""
    if context.target_collector.counter_lookup_items:
        return "it has page-based content (target-counter(), counter(page)…)"
    if any(context.running_elements.values()):
        return "it has running elements"
    if context.footnotes:
        return "it has footnotes"
    if any(page_box_of(page).fixed_boxes for page in pages):
        return "it has fixed elements"
    return ""


# ----------------------------------------------------------------------- recording
class Recorder:
    """Keeps, during a full layout, what a :class:`Record` needs: the layout context,
    the box tree and whether anything was carried over into each page."""

    def __init__(self):
        self.context = None
        self.root_box = None
        self.clear: dict[int, bool] = {}

    @contextlib.contextmanager
    def installed(self):
        import weasyprint.document as document
        import weasyprint.layout.page as page_module

        layout_document = document.layout_document
        make_page = page_module.make_page

        def recording_layout(html, root_box, context, max_loops=8):
            yield from layout_document(html, root_box, context, max_loops)
            self.context, self.root_box = context, root_box

        def recording_make_page(context, root_box, page_type, resume_at, page_number,
                                page_state):
            self.clear[page_number] = not (context.broken_out_of_flow
                                           or context.reported_footnotes)
            return make_page(context, root_box, page_type, resume_at, page_number,
                             page_state)

        document.layout_document = recording_layout
        page_module.make_page = recording_make_page
        try:
            yield self
        finally:
            document.layout_document = layout_document
            page_module.make_page = make_page

    def starts(self, count: int) -> list[tuple[object, bool, list]]:
        """(encoded start state, clear, sizes) of the first ``count`` pages."""
        if self.context is None:
            raise CannotResume("the layout was not recorded")
        found = []
        for index in range(count):
            state = self.context.page_maker[index][:4]
            found.append((encode(state), self.clear.get(index + 1, False),
                          sizes_along(self.root_box, state[0])))
        return found

    def strings(self, page_number: int) -> dict[str, list[str]]:
        return {name: list(by_page[page_number])
                for name, by_page in self.context.string_set.items()
                if by_page.get(page_number)}


# ------------------------------------------------------------------------ resuming
class Resumer:
    """The layout of a part resumed from ``record``: replaces WeasyPrint's
    ``layout_document`` so that the document rendered holds the new pages only.

    ``restart``: the index of the first page laid out again; ``resync``: the anchor after
    which the layout may rejoin the old one; ``paging``: the margin-box maker
    (:class:`~programme.paging.LatePaging`, told the part's first page number), told the
    page count here; ``limit``: for a trimmed document (``resume.trimmed``), the page
    index it must rejoin the old layout before (else :class:`ReachedTrimmed` is raised,
    before the paging is told anything)."""

    def __init__(self, record: Record, restart: int, resync: str | None, paging,
                 limit: int | None = None):
        self.record, self.restart, self.resync = record, restart, resync
        self.paging = paging
        self.limit = limit
        self.rejoined: int | None = None    # the first old page kept after the new ones
        self.new_strings: list[dict[str, list[str]]] = []
        self.new_starts: list[tuple[object, bool, list]] = []
        self.context = None

    def installed(self):
        return replacing_layout(self.lay_out)

    def lay_out(self, html, root_box, context, max_loops=8):
        from weasyprint.layout import initialize_page_maker
        from weasyprint.layout.background import layout_backgrounds
        from weasyprint.layout.page import remake_page

        self.context = context
        why = why_not_resumable(context, [])
        if why:
            raise CannotResume(why)
        old = self.record.pages
        restart = self.restart
        initialize_page_maker(context, root_box)
        context.rendered_notes = []
        first_state = context.page_maker[0][:4]
        if restart == 0 and comparable(first_state) != comparable(decode(old[0].start)):
            raise CannotResume("its first page starts differently")
        for index in range(1, restart + 1):
            context.page_maker.append((*decode(old[index].start), _fresh()))
        for index in range(restart):
            for name, values in old[index].strings.items():
                context.string_set[name][index + 1] = list(values)
        if not old[restart].clear:
            raise CannotResume("something is carried over into the page it restarts on")

        pages = []
        resync_seen_old = next((i for i, page in enumerate(old)
                                if self.resync in page.anchors), None)
        resync_seen_new: int | None = None
        index = restart
        while True:
            context.page_maker[index][-1].update(_fresh())
            clear = not (context.broken_out_of_flow or context.reported_footnotes)
            state = context.page_maker[index][:4]
            self.new_starts.append((encode(state), clear, sizes_along(root_box, state[0])))
            page, resume_at = remake_page(index, context, root_box, html)
            pages.append(page)
            self.new_strings.append(strings_of(page))
            if resync_seen_new is None and self.resync is not None and any(
                    child.style["anchor"] == self.resync
                    for child in page.descendants(placeholders=True)):
                resync_seen_new = index
            index += 1
            if resume_at is None and not context.reported_footnotes:
                if self.limit is not None:
                    raise ReachedTrimmed("the trimmed document ended")
                break
            if (self.resync is not None and resync_seen_new is not None
                    and resync_seen_old is not None
                    and index > max(resync_seen_new, resync_seen_old)
                    and index < len(old) and self._rejoins(index, context, root_box)):
                if self.limit is not None and index >= self.limit:
                    raise ReachedTrimmed(f"rejoined at page {index}, not before {self.limit}")
                self.rejoined = index
                break
            if self.limit is not None and index >= self.limit:
                raise ReachedTrimmed(f"not rejoined before page {self.limit}")
            if index > 4 * len(old) + 50:
                raise CannotResume("the layout does not end")
        for item in context.page_maker[restart + 1:index]:
            if item[-1]["content_changed"] or item[-1]["pages_wanted"]:
                raise CannotResume("its pages refer to each other")
        if any(page.fixed_boxes for page in pages):
            raise CannotResume("it has fixed elements")
        self.paging.pages = len(old) if self.rejoined is not None else index

        # what WeasyPrint does after paginating, for the new pages only (no bookmark of an
        # element is repeated, running strings, margin boxes)
        watched: dict[str, list] = {"": [], "::before": [], "::after": []}
        for offset, page in enumerate(pages):
            number = restart + offset + 1
            for child in page.descendants():
                if child.bookmark_label:
                    kind = ("::before" if child.element_tag.endswith("::before") else
                            "::after" if child.element_tag.endswith("::after") else "")
                    if child.element in watched[kind]:
                        child.bookmark_label = ""
                    else:
                        watched[kind].append(child.element)
            for name, values in self.new_strings[offset].items():
                context.string_set[name][number] = list(values)
        for offset, page in enumerate(pages):
            number = restart + offset + 1
            root, footnote_area, note_area = page.children
            context.current_page = number
            state = context.page_maker[number][3]
            children = [root]
            if footnote_area.children:
                children.append(footnote_area)
            if note_area.children:
                children.append(note_area)
            children.extend(self.paging(context, page, state))
            if self.paging.start != self.record.start:
                # its first page number is known now: the old pages' folios are not it
                raise CannotResume("its first page number changed", self.paging.start)
            page.children = tuple(children)
            layout_backgrounds(page, context.get_image_from_uri)
            yield page

    def _rejoins(self, index: int, context, root_box) -> bool:
        """Whether the page ``index`` now starts as the old page ``index`` did."""
        old = self.record.pages[index]
        if not old.clear or context.broken_out_of_flow or context.reported_footnotes:
            return False
        state = context.page_maker[index][:4]
        if comparable(state) != comparable(decode(old.start)):
            return False
        if sizes_along(root_box, state[0]) != old.sizes:
            return False
        # the running strings each page starts with
        carried_old: dict[str, list[str]] = {}
        for page in self.record.pages[:index]:
            carried_old.update(page.strings)
        carried_new: dict[str, list[str]] = {}
        for page in self.record.pages[:self.restart]:
            carried_new.update(page.strings)
        for strings in self.new_strings:
            carried_new.update(strings)
        return ({k: v[-1] for k, v in carried_old.items() if v}
                == {k: v[-1] for k, v in carried_new.items() if v})


@contextlib.contextmanager
def replacing_layout(lay_out):
    """WeasyPrint's ``layout_document`` replaced by ``lay_out`` (same arguments, yields
    the page boxes of the document rendered) for the length of one render."""
    import weasyprint.document as document

    original = document.layout_document
    document.layout_document = lay_out
    try:
        yield
    finally:
        document.layout_document = original


def _fresh() -> dict:
    return {"content_changed": False, "pages_wanted": False, "anchors": [],
            "content_lookups": []}


# ------------------------------------------------------- furniture document
class Furnisher:
    """Replaces WeasyPrint's ``layout_document`` so that the document rendered is the
    furniture of ``pages`` (resume.PageFacts, with their page types) numbered from
    ``start``: page backgrounds and margin boxes, no content. ``sides[i]`` is the side
    page ``i`` falls on now."""

    def __init__(self, pages, start: int, sides: list[str]):
        self.pages, self.start, self.sides = pages, start, sides
        self.shifts: list[float] = []   # how far each page's content moves (CSS px)

    def installed(self):
        return replacing_layout(self.lay_out)

    def lay_out(self, html, root_box, context, max_loops=8):
        from weasyprint.formatting_structure import build
        from weasyprint.layout import initialize_page_maker
        from weasyprint.layout.background import layout_box_backgrounds
        from weasyprint.layout.page import (PageType, _standardize_page_based_counters,
                                            make_margin_boxes)

        for box in (root_box, *(child for child in root_box.children
                                if child.element_tag.lower() == "body")):
            style = box.style
            if style["background_color"].alpha or any(
                    image[0] != "none" for image in style["background_image"]):
                # the canvas background would depend on the root's box on each page
                raise CannotResume("its html or body element has a background")
        initialize_page_maker(context, root_box)
        for index, facts in enumerate(self.pages):
            for name, values in facts.strings.items():
                context.string_set[name][index + 1] = list(values)
        for index, facts in enumerate(self.pages):
            if facts.page_type is None:
                raise CannotResume("its record has no page types")
            side, blank, name, number, groups = facts.page_type
            groups = tuple(tuple(group) for group in groups)
            laid_out_on = PageType(side, blank, name, number, groups)
            now = laid_out_on._replace(side=self.sides[index])
            old_page = page_box(context, html, laid_out_on, root_box.viewport_overflow)
            page = page_box(context, html, now, root_box.viewport_overflow)
            if (abs(page.width - old_page.width) > 0.01
                    or abs(page.height - old_page.height) > 0.01
                    or abs(page.content_box_y() - old_page.content_box_y()) > 0.01):
                raise CannotResume("its left and right pages differ in more than margins")
            self.shifts.append(page.content_box_x() - old_page.content_box_x())
            # the page state after the page, as make_page leaves it
            state = copy.deepcopy(decode(facts.start)[3])
            _standardize_page_based_counters(page.style, None)
            build.update_counters(state, page.style)
            state[1]["page"] = [self.start + index]
            context.current_page = index + 1
            context.page_bottom = page.content_box_y() + page.height
            page.children = tuple(make_margin_boxes(context, page, state))
            # layout_backgrounds without the canvas (no html or body background)
            layout_box_backgrounds(page, page, context.get_image_from_uri)
            page.canvas_background = None
            yield page
