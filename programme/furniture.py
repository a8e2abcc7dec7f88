"""Page furniture as layers: renumbering a part without laying it out again.

A part's folios and running heads (its margin boxes) and its page background are the
only things on its pages that depend on its first page number: the number itself, and the
side (left or right) each page falls on, which decides the page style and, with mirrored
margins, how far the content sits from the page's left edge. So the workers draw every
part with those layers marked (``engine.hooks.marked_drawing``):

    /ProgrammeBackground BMC … EMC    the page background, bleed and crop marks
    /ProgrammeFurniture BMC … EMC     each margin box

and a part whose HTML did not change but whose first page number did (a section after one
that grew by a page) is renumbered instead of laid out again (:func:`renumber`): a
*furniture document* is drawn for the new numbers from the part's record (resume.py:
each page's type, page state and running strings), without any content, so it takes
only the layout's stylesheets (``engine.hooks.Furnisher``); then each old page keeps its content,
moved sideways when its side changed, between the new background and the new margin
boxes. Links, destinations and bookmarks move with the content.

A part whose sides differ in more than their margins' order, or whose PDF has no marked
layers (written before them, or with a PDF variant), is laid out again instead.
"""

from __future__ import annotations

import io

from .resume import CannotResume

BACKGROUND = "ProgrammeBackground"
FURNITURE = "ProgrammeFurniture"


# --------------------------------------------------------------- furniture document
def head_only(html: str) -> str:
    """A part's HTML without its body's content: what the furniture needs (the root
    element and the stylesheets)."""
    import re

    match = re.search(r"<body\b[^>]*>", html, re.I)
    end = html.lower().rfind("</body>")
    if match is None or end < match.end():
        raise CannotResume("its HTML has no body")
    return html[:match.end()] + html[end:]


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
