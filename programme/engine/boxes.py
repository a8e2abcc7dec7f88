"""Reading WeasyPrint's laid-out pages: what its public API does not tell.

``Document.pages`` gives each page's size, anchors, links and bookmarks. What a page
*holds* – its text, lines, images and page type – is only in the page's box tree
(``Page._page_box``, private), which WeasyPrint 70 builds with the classes of
``weasyprint.formatting_structure.boxes``. Every read of that tree is here.
"""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urljoin


def page_box(page):
    """The box tree of one page of a ``Document`` (``weasyprint.document.Page._page_box``)."""
    return page._page_box


def element_ids(page):
    """(id, classes) of each element that has a box on ``page``, in box order."""
    for box in page_box(page).descendants():
        element = getattr(box, "element", None)
        if element is not None and box.element_tag and element.get("id"):
            yield element.get("id"), (element.get("class") or "").split()


def texts(page):
    """The text of every text box on ``page`` (``boxes.TextBox``)."""
    from weasyprint.formatting_structure.boxes import TextBox

    for box in page_box(page).descendants():
        if isinstance(box, TextBox):
            yield box.text


def measure(pages, classes: set[str], first: int = 1):
    """For every film entry (class ``film``, id ``film-<slug>``) the pages each element of
    a class in ``classes`` touches and the lines (``boxes.LineBox``) it takes; and per
    page the films on it. Returns ({slug: {class: [pages, lines]}}, [[slug…] per page])."""
    from weasyprint.formatting_structure.boxes import LineBox

    extents: dict = defaultdict(lambda: defaultdict(lambda: [set(), 0]))
    films_on_page: list[list[str]] = []

    def count_lines(box) -> int:
        if isinstance(box, LineBox):
            return 1
        return sum(count_lines(child) for child in getattr(box, "children", ()))

    def walk(box, page: int, film: str | None, seen: frozenset):
        element = getattr(box, "element", None)
        if element is not None and id(element) not in seen:
            seen = seen | {id(element)}
            box_classes = set((element.get("class") or "").split())
            element_id = element.get("id") or ""
            if "film" in box_classes and element_id.startswith("film-"):
                film = element_id[len("film-"):]
                if film not in films_on_page[-1]:
                    films_on_page[-1].append(film)
            if film is not None:
                for name in box_classes & classes:
                    extent = extents[film][name]
                    extent[0].add(page)
                    extent[1] += count_lines(box)
        for child in getattr(box, "children", ()):
            walk(child, page, film, seen)

    for number, page in enumerate(pages, first):
        films_on_page.append([])
        walk(page_box(page), number, None, frozenset())
    return {k: dict(v) for k, v in extents.items()}, films_on_page


def raster_images(pages, base_url: str | None = None, first: int = 1):
    """Every raster image drawn on ``pages``: (page number, WeasyPrint's image id, URL or
    None, (pixels wide, high), (drawn width, height) in CSS px after ``object-fit`` or
    ``background-size``). Mirrors ``weasyprint.layout.replaced.replacedbox_layout``."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.images import RasterImage
    from weasyprint.layout.replaced import replacedbox_layout

    found = []
    for number, page in enumerate(pages, first):
        for box in page_box(page).descendants():
            if (isinstance(box, boxes.ReplacedBox) and isinstance(box.replacement, RasterImage)
                    and box.width and box.height):
                width, height, _, _ = replacedbox_layout(box)
                src = box.element.get("src") if box.element is not None else None
                url = urljoin(base_url, src) if (src and base_url) else src
                image = box.replacement
                found.append((number, image.id, url, (image.width, image.height),
                              (width, height)))
            background = getattr(box, "background", None)
            for layer in (background.layers if background else ()):
                image = layer.image
                if isinstance(image, RasterImage) and layer.size[0] and layer.size[1]:
                    found.append((number, image.id, None, (image.width, image.height),
                                  tuple(layer.size)))
    return found


def page_type_of(page) -> list:
    """A page's type as JSON data: side, blank, name, index, groups
    (``weasyprint.layout.page.PageType``)."""
    side, blank, name, index, groups = page_box(page).page_type
    return [side, blank, name, index, [list(group) for group in groups]]


def strings_of(page_box) -> dict[str, list[str]]:
    """The running strings (``string-set``) set on a page box, by name, in order."""
    found: dict[str, list[str]] = {}
    for child in page_box.descendants():
        string_sets = child.string_set
        if string_sets and string_sets != "none":
            for name, text in string_sets:
                found.setdefault(name, []).append(text)
    return found


def sizes_along(root_box, resume_at) -> list:
    """The child count of each box along ``resume_at`` (a position in the box tree, as
    ``weasyprint.layout`` keeps it), so that two positions with equal indexes are known
    to count from the same siblings."""
    found = []

    def walk(box, skip):
        if not skip:
            return
        children = getattr(box, "children", None)
        for index, deeper in sorted(skip.items()):
            if children is None or not isinstance(index, int) or index >= len(children):
                found.append([index, None])
                continue
            found.append([index, len(children)])
            walk(children[index], deeper)

    walk(root_box, resume_at)
    return found
