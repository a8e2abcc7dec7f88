"""Lay a part out again from the page where it changed (stage 3 of a fast build).

Editing one film changes its section's HTML in one place. The pages before that place
cannot change; and once the new layout reaches a page that starts at the same point of
the same content, in the same state, as the page with the same number in the previous
layout, the pages after it cannot change either. So every layout of a part leaves a
:class:`Record` (where each page starts and in what state, and what each page holds),
and the next layout of the part, when only its HTML changed:

1. finds the smallest element that encloses every difference between the old and the
   new HTML (:func:`changed_span`);
2. restarts WeasyPrint's page maker one page before the page holding the last anchor
   (``id``) at or before that element, from the recorded state of that page;
3. lays out pages until one starts, after the first anchor that follows the element, at
   the same place and in the same state as the old page with the same number: same
   position in the box tree, same page counters, side, page name and group, same running
   strings, no float or footnote carried over (:class:`Resumer`);
4. keeps the old PDF's pages before and after the new ones (``join.py`` splices them).

A layout it cannot vouch for is laid out in full (:class:`CannotResume`): the part uses
``target-counter()`` or other page-based content, running or fixed elements, footnotes;
it has stand-in pages; a float is carried over the restart page; an image changed; its
first page number, side or layout files differ from the previous layout's.

This drives WeasyPrint's page maker (``weasyprint.layout.page.remake_page``) directly:
it replaces ``layout_document`` for the length of one layout, in the process laying out
the part.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path


class CannotResume(Exception):
    """This part must be laid out in full; the message says why. ``start``: its first
    page number, when resuming learned it."""

    def __init__(self, why: str, start: int | None = None):
        super().__init__(why)
        self.start = start


# --------------------------------------------------------------------- state to JSON
def encode(value):
    """WeasyPrint's page-maker state (dicts with int keys, tuples, sets) as JSON data."""
    if isinstance(value, dict):
        return {"d": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {"t": [encode(v) for v in value]}
    if isinstance(value, (set, frozenset)):
        return {"s": sorted(encode(v) for v in value)}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise CannotResume(f"unexpected page state {type(value).__name__}")


def decode(value):
    if isinstance(value, dict):
        if "d" in value:
            return {decode(k): decode(v) for k, v in value["d"]}
        if "t" in value:
            return tuple(decode(v) for v in value["t"])
        if "s" in value:
            return {decode(v) for v in value["s"]}
        raise ValueError("not an encoded state")
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


_NUMBERED_LATE = {"page", "pages"}


def _comparable(state) -> str:
    """A page's start state without its page number and the page count: the margin
    boxes get them late (paging.LatePaging sets ``page``), and a part may not print the
    count (see partbuild.UseOneDocument)."""
    resume_at, next_page, right_page, (quote_depth, counters, scopes, groups) = state
    counters = {k: v for k, v in counters.items() if k not in _NUMBERED_LATE}
    scopes = [set(s) - _NUMBERED_LATE for s in scopes]
    return json.dumps(encode((resume_at, next_page, right_page,
                              (quote_depth, counters, scopes, groups))), sort_keys=True)


# ------------------------------------------------------------------------ the record
@dataclass
class PageFacts:
    """What one laid-out page holds and how it starts."""

    start: object                     # encoded page-maker state at the page's start
    clear: bool                       # nothing carried over into it (floats, footnotes)
    sizes: list                       # child counts along its start position
    anchors: list[str] = field(default_factory=list)
    bookmarks: list[list] = field(default_factory=list)      # [level, state]
    strings: dict[str, list[str]] = field(default_factory=dict)
    glyphs: list[str] = field(default_factory=list)          # characters no font has
    measures: dict[str, dict[str, int]] = field(default_factory=dict)  # film -> class -> lines
    placements: list[dict] = field(default_factory=list)
    page_type: list | None = None     # side, blank, name, index, groups (as drawn)


@dataclass
class Record:
    """A part's layout, page by page: what the next layout resumes from."""

    html: str
    side: str                         # the side its first page was laid out on
    moved: bool                       # laid out on the other side, then moved
    start: int                        # its first page number
    images: str                       # the size and date of its images
    resumable: str                    # "" or why it cannot be resumed
    pages: list[PageFacts]            # its own pages
    lead: int = 0                     # stand-in pages before them in its PDF

    def to_bytes(self) -> bytes:
        return json.dumps(asdict(self)).encode("utf-8")

    @classmethod
    def load(cls, path: Path) -> "Record":
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            data["pages"] = [PageFacts(**page) for page in data["pages"]]
            return cls(**data)
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise CannotResume(f"no usable record ({exc.__class__.__name__})") from None


def sizes_along(root_box, resume_at) -> list:
    """The child count of each box along ``resume_at`` (a position in the box tree), so
    that two positions with equal indexes are known to count from the same siblings."""
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


def why_not_resumable(context, pages) -> str:
    """Why a layout cannot be resumed later, or ""."""
    if context.target_collector.counter_lookup_items:
        return "it has page-based content (target-counter(), counter(page)…)"
    if any(context.running_elements.values()):
        return "it has running elements"
    if context.footnotes:
        return "it has footnotes"
    if any(page.fixed_boxes for page in pages):
        return "it has fixed elements"
    return ""


# ------------------------------------------------------------------- what changed
_TAG = re.compile(r"<!--.*?-->|<(/?)([a-zA-Z][a-zA-Z0-9:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>",
                  re.S)
_ID_ATTR = re.compile(r"""\sid\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
         "source", "track", "wbr"}
_RAW = {"style", "script", "title", "textarea"}
_GLOBAL = {"head", "style", "link", "base", "meta"}  # they can change any element's style

# CSS that makes an element's boxes depend on elements before it anywhere in the
# document (counters, quotes) or on its descendants (:has): a layout using it is not
# resumed, since pages kept after the change could differ
_FAR_REACHING = re.compile(r":has\(|counter-increment|counter-set|open-quote|close-quote",
                           re.I)


def far_reaching_css(css_texts) -> str:
    """Why the layout's CSS keeps its parts from being resumed, or ""."""
    for text in css_texts:
        match = _FAR_REACHING.search(text)
        if match:
            return f"its CSS uses {match.group(0).rstrip('(')}"
    return ""


def css_of(html: str, folders) -> list[str]:
    """The CSS a part may use: the layout folders' stylesheets, its <style> elements and
    style attributes."""
    texts = [path.read_text(encoding="utf-8", errors="replace")
             for folder in folders for path in sorted(Path(folder).rglob("*.css"))]
    texts += re.findall(r"<style\b[^>]*>(.*?)</style>", html, re.S | re.I)
    texts += re.findall(r"""\sstyle\s*=\s*(?:"([^"]*)"|'([^']*)')""", html)
    return [t if isinstance(t, str) else " ".join(t) for t in texts]


@dataclass(frozen=True)
class _Tag:
    start: int
    end: int
    closing: bool
    name: str
    id: str | None


def _tags(html: str) -> list[_Tag]:
    import html as html_lib

    found = []
    at = 0
    while True:
        match = _TAG.search(html, at)
        if match is None:
            return found
        at = match.end()
        if match.group(2) is None:
            continue  # a comment
        name = match.group(2).lower()
        closing = bool(match.group(1))
        ident = None
        if not closing:
            id_match = _ID_ATTR.search(match.group(3))
            if id_match:
                ident = html_lib.unescape(next(g for g in id_match.groups() if g is not None))
        found.append(_Tag(match.start(), match.end(), closing, name, ident))
        if not closing and name in _RAW:
            end = html.lower().find(f"</{name}", at)
            at = end if end >= 0 else len(html)


@dataclass(frozen=True)
class Change:
    restart: str | None     # the last anchor at or before the changed element
    resync: str | None      # the first anchor after it


def changed_span(old: str, new: str) -> Change:
    """Where ``new`` differs from ``old``: the anchors around the smallest element that
    encloses every difference. Raises :class:`CannotResume` when the HTML is the same or
    its tags do not nest."""
    if old == new:
        raise CannotResume("its HTML did not change")
    limit = min(len(old), len(new))
    prefix = 0
    step = 4096
    while step:
        while prefix + step <= limit and old[prefix:prefix + step] == new[prefix:prefix + step]:
            prefix += step
        step //= 2
    suffix = 0
    step = 4096
    while step:
        while (suffix + step <= limit - prefix
               and old[len(old) - suffix - step:len(old) - suffix]
               == new[len(new) - suffix - step:len(new) - suffix]):
            suffix += step
        step //= 2

    def enclosing(html: str) -> tuple[list[_Tag], dict[int, int], list[_Tag]]:
        """The elements open where the texts part, and where each of them ends."""
        tags = _tags(html)
        stack: list[_Tag] = []
        ends: dict[int, int] = {}
        open_at_change: list[_Tag] | None = None
        for tag in tags:
            if open_at_change is None and tag.end > prefix:
                open_at_change = list(stack)
            if tag.name in _VOID or (not tag.closing and html[tag.end - 2] == "/"):
                continue
            if not tag.closing:
                stack.append(tag)
                continue
            if not stack or stack[-1].name != tag.name:
                raise CannotResume(f"its HTML does not nest (</{tag.name}>)")
            opened = stack.pop()
            ends[opened.start] = tag.start
        if open_at_change is None:
            open_at_change = list(stack)
        return open_at_change, ends, tags

    open_new, ends_new, tags_new = enclosing(new)
    open_old, ends_old, _ = enclosing(old)
    if [t.start for t in open_new] != [t.start for t in open_old]:
        raise CannotResume("its HTML does not nest alike")
    for element in reversed(open_new):
        end_new, end_old = ends_new.get(element.start), ends_old.get(element.start)
        if end_new is None or end_old is None:
            continue
        if (end_new >= len(new) - suffix and end_old >= len(old) - suffix
                and len(new) - end_new == len(old) - end_old):
            break
    else:
        raise CannotResume("no element encloses the change")
    if element.name in _GLOBAL or any(t.name == "head" for t in open_new) or any(
            t.name in _GLOBAL for t in tags_new if element.start < t.start < end_new) or any(
            t.name in _GLOBAL for t in _tags(old[element.start:end_old])):
        return Change(None, None)  # styles (or the base URL) of the whole document
    restart = next((t.id for t in reversed(tags_new)
                    if t.id and not t.closing and t.start <= element.start), None)
    resync = next((t.id for t in tags_new
                   if t.id and not t.closing and t.start > end_new), None)
    return Change(restart, resync)


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
    page count here."""

    def __init__(self, record: Record, restart: int, resync: str | None, paging):
        self.record, self.restart, self.resync = record, restart, resync
        self.paging = paging
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
        if restart == 0 and _comparable(first_state) != _comparable(decode(old[0].start)):
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
            self.new_strings.append(_strings_of(page))
            if resync_seen_new is None and self.resync is not None and any(
                    child.style["anchor"] == self.resync
                    for child in page.descendants(placeholders=True)):
                resync_seen_new = index
            index += 1
            if resume_at is None and not context.reported_footnotes:
                break
            if (self.resync is not None and resync_seen_new is not None
                    and resync_seen_old is not None
                    and index > max(resync_seen_new, resync_seen_old)
                    and index < len(old) and self._rejoins(index, context, root_box)):
                self.rejoined = index
                break
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
        if _comparable(state) != _comparable(decode(old.start)):
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


def _strings_of(page) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for child in page.descendants():
        string_sets = child.string_set
        if string_sets and string_sets != "none":
            for name, text in string_sets:
                found.setdefault(name, []).append(text)
    return found
