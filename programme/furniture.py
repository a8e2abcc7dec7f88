"""Page furniture as layers: renumbering a part without laying it out again.

A part's folios and running heads (its margin boxes) and its page background are the
only things on its pages that depend on its first page number: the number itself, and the
side (left or right) each page falls on, which decides the page style and, with mirrored
margins, how far the content sits from the page's left edge. So the workers draw every
part with those layers marked (:func:`marked_drawing`):

    /ProgrammeBackground BMC … EMC    the page background, bleed and crop marks
    /ProgrammeFurniture BMC … EMC     each margin box

and a part whose HTML did not change but whose first page number did (a section after one
that grew by a page) is renumbered instead of laid out again (:func:`renumber`): a
*furniture document* is drawn for the new numbers from the part's record (resume.py:
each page's type, page state and running strings), without any content, so it takes
only the layout's stylesheets (:class:`Furnisher`); then each old page keeps its content,
moved sideways when its side changed, between the new background and the new margin
boxes. Links, destinations and bookmarks move with the content.

A part whose sides differ in more than their margins' order, or whose PDF has no marked
layers (written before them, or with a PDF variant), is laid out again instead.
"""

from __future__ import annotations

import contextlib
import copy
import io

from .paging import page_box
from .resume import CannotResume, decode, replacing_layout

BACKGROUND = "ProgrammeBackground"
FURNITURE = "ProgrammeFurniture"


# ------------------------------------------------------------------------ drawing
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


# --------------------------------------------------------------- furniture document
def page_type_of(page_box) -> list:
    """A page's type as JSON data (side, blank, name, index, groups)."""
    side, blank, name, index, groups = page_box.page_type
    return [side, blank, name, index, [list(group) for group in groups]]


def head_only(html: str) -> str:
    """A part's HTML without its body's content: what the furniture needs (the root
    element and the stylesheets)."""
    import re

    match = re.search(r"<body\b[^>]*>", html, re.I)
    end = html.lower().rfind("</body>")
    if match is None or end < match.end():
        raise CannotResume("its HTML has no body")
    return html[:match.end()] + html[end:]


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


# ------------------------------------------------------------------------ compose
def renumber(old_pdf, furniture_pdf: bytes, shifts: list[float], lead: int = 0) -> bytes:
    """The old part's own pages (after ``lead`` stand-in pages, kept as they are) with
    the furniture document's layers instead of their own, their content moved
    ``shifts[i]`` CSS px sideways (links and destinations too)."""
    import pikepdf

    with pikepdf.open(old_pdf) as pdf, pikepdf.open(io.BytesIO(furniture_pdf)) as furniture:
        own = list(pdf.pages)[lead:lead + len(shifts)]
        if len(furniture.pages) != len(shifts) or len(own) != len(shifts):
            raise CannotResume("the furniture does not match the pages")
        moved: dict[tuple[int, int], float] = {}
        for index, (page, furnished) in enumerate(zip(own, furniture.pages)):
            dx = shifts[index] * 0.75  # CSS px to PDF points
            content, dropped = _without_layers(pikepdf.parse_content_stream(page))
            xobjects = page.obj.get("/Resources", {}).get("/XObject", {})
            for name in dropped:  # the layers of an earlier renumbering
                if str(name).startswith("/ProgrammePage") and name in xobjects:
                    del xobjects[name]
            background, top = _layers(pikepdf.parse_content_stream(furnished))
            if "/Resources" not in furnished.obj:
                raise CannotResume("the furniture has no resources")
            resources = pdf.copy_foreign(furnished.obj.Resources)
            names = []
            for layer_number, layer in enumerate((background, top)):
                form = pikepdf.Stream(pdf, pikepdf.unparse_content_stream(layer))
                form.Type = pikepdf.Name.XObject
                form.Subtype = pikepdf.Name.Form
                form.BBox = pikepdf.Array([float(v) for v in furnished.obj.MediaBox])
                form.Resources = resources
                # named per page: pages may share one resource dictionary
                name = pikepdf.Name(f"/ProgrammePage{index}Layer{layer_number}")
                names.append(name)
                if "/Resources" not in page.obj:
                    page.obj.Resources = pikepdf.Dictionary()
                if "/XObject" not in page.obj.Resources:
                    page.obj.Resources.XObject = pikepdf.Dictionary()
                page.obj.Resources.XObject[name] = form
            def layer(tag, name):  # marked again, so that the page can be renumbered again
                return [([pikepdf.Name("/" + tag)], _operator("BMC")), ([], _operator("q")),
                        ([name], _operator("Do")), ([], _operator("Q")),
                        ([], _operator("EMC"))]

            ops = layer(BACKGROUND, names[0]) + [([], _operator("q"))]
            if dx:
                ops.append(([1, 0, 0, 1, dx, 0], _operator("cm")))
            ops += content + [([], _operator("Q"))] + layer(FURNITURE, names[1])
            page.obj.Contents = pikepdf.Stream(pdf, pikepdf.unparse_content_stream(ops))
            if dx:
                moved[page.obj.objgen] = dx
                for annotation in page.obj.get("/Annots", []):
                    rect = annotation.get("/Rect")
                    if rect is not None:
                        annotation.Rect = [float(rect[0]) + dx, rect[1],
                                           float(rect[2]) + dx, rect[3]]
        if moved:
            _move_destinations(pdf, moved)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def _marked(ops, tag: str) -> list[tuple[int, int]]:
    """(begin, end) indexes of the top-level marked sequences tagged ``tag``."""
    found, depth, begin = [], 0, None
    for index, (operands, operator) in enumerate(ops):
        name = str(operator)
        if name in ("BMC", "BDC"):
            if depth == 0 and operands and str(operands[0]) == f"/{tag}":
                begin = index
            depth += 1
        elif name == "EMC":
            depth -= 1
            if depth == 0 and begin is not None:
                found.append((begin, index))
                begin = None
    return found


def _without_layers(ops) -> tuple[list, list]:
    """The page's operators without its background and furniture, and the XObjects
    those drew."""
    spans = _marked(ops, BACKGROUND) + _marked(ops, FURNITURE)
    if not _marked(ops, BACKGROUND):
        raise CannotResume("its PDF has no marked layers")
    drop = set()
    for begin, end in spans:
        drop.update(range(begin, end + 1))
    kept = [op for index, op in enumerate(ops) if index not in drop]
    drawn = [operands[0] for index, (operands, operator) in enumerate(ops)
             if index in drop and str(operator) == "Do" and operands]
    return kept, drawn


def _layers(ops) -> tuple[list, list]:
    """The furniture page's background and margin boxes, each with what its page
    stream set up before them (the coordinate system), its saves closed."""
    backgrounds, furniture = _marked(ops, BACKGROUND), _marked(ops, FURNITURE)
    if not backgrounds:
        raise CannotResume("the furniture has no marked layers")
    first = min(begin for begin, _ in backgrounds + furniture)
    prefix = [op for op in ops[:first] if str(op[1]) in ("q", "cm", "gs")]
    opened = sum(1 for op in prefix if str(op[1]) == "q")
    close = [([], _operator("Q"))] * opened

    def layer(spans):
        body = []
        for begin, end in spans:
            body += list(ops[begin:end + 1])
        return prefix + body + close

    return layer(backgrounds), layer(furniture)


def _operator(name: str):
    import pikepdf

    return pikepdf.Operator(name)


def _move_destinations(pdf, moved: dict[tuple[int, int], float]) -> None:
    """Named destinations and bookmarks on moved pages follow their content."""
    import pikepdf

    def shifted(dest):
        if (isinstance(dest, pikepdf.Array) and len(dest) >= 3
                and dest[0].objgen in moved and str(dest[1]) == "/XYZ"
                and dest[2] is not None):
            try:
                dest[2] = float(dest[2]) + moved[dest[0].objgen]
            except (TypeError, ValueError):
                pass

    names = pdf.Root.get("/Names")
    dests = names.get("/Dests") if names is not None else None
    if dests is not None:
        for _, dest in pikepdf.NameTree(dests).items():
            shifted(dest)
    with pdf.open_outline() as outline:
        def walk(items):
            for item in items:
                dest = item.destination
                if dest is None and item.action is not None:
                    dest = item.action.get("/D")
                shifted(dest)
                walk(item.children)

        walk(outline.root)
