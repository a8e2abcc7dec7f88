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

This module holds the record and the HTML comparison; driving WeasyPrint's page maker
(recording a layout, restarting it from a recorded page) is in
:mod:`programme.engine.hooks` (``Recorder``, ``Resumer``).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path


class ReachedTrimmed(Exception):
    """A layout of a trimmed document (:func:`trimmed`) did not rejoin the previous one
    before the elements left out: the whole HTML is laid out instead."""


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
    renumberable: str = ""            # "" or why its pages cannot take new numbers

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
    at: int | None = field(default=None, compare=False)  # where the changed element
    # starts in the new HTML


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
    return Change(restart, resync, element.start)


# ------------------------------------------------------------ a shorter document to lay out
@dataclass(frozen=True)
class Trimmed:
    html: str
    limit: int | None       # the layout must rejoin the old one before this page index
    emptied: int            # elements whose content was left out


def trimmed(html: str, at: int, pages: list[PageFacts], restart: int,
            ahead: int = 8) -> Trimmed:
    """``html`` with the content left out of the elements a resumed layout never reaches:
    what WeasyPrint parses, styles and builds boxes for shrinks from the whole part to
    the pages around the change.

    ``at``: where the element enclosing the change starts; ``pages``: the previous
    layout's pages; ``restart``: the index of the first page laid out again. At each
    level of the elements enclosing the change, a sibling element is emptied (its start
    and end tags kept, so every element keeps its place, its attributes and the number
    of its siblings, and selectors match as before):

    - *before* the change, when a later sibling's anchor was on a page before
      ``restart``: the element lies wholly on pages that are not laid out again (their
      state comes from the record);
    - *after* it, from the first sibling whose anchor was ``ahead`` or more pages after
      ``restart``: ``limit`` is that page. A layout that has not rejoined the old one
      before ``limit`` may have reached the emptied elements and is not used (the whole
      HTML is laid out instead); one that has rejoined never reached them, since every
      page laid out again ends before the page where the first of them began.

    Everything an emptied element holds is unchanged since the previous layout (the
    change is outside it), so what that layout found about it (no page-based content,
    no running elements…) still holds."""
    page_of: dict[str, int] = {}
    for index, page in enumerate(pages):
        for anchor in page.anchors:
            page_of.setdefault(anchor, index)
    nodes = _element_tree(html)
    if nodes is None:
        return Trimmed(html, None, 0)
    chain = [node for node in nodes if node.start <= at < node.end and node.parent]
    cuts: list[tuple[int, int]] = []
    limit: int | None = None
    for node in chain:
        siblings = node.parent.children
        place = siblings.index(node)
        # before: emptied when a later sibling (up to the change's) began before restart
        following_page = None
        for sibling in reversed(siblings[:place + 1]):
            if sibling is not node and following_page is not None \
                    and following_page < restart and _emptiable(sibling):
                cuts.append((sibling.inner_start, sibling.inner_end))
            if sibling.id is not None and sibling.id in page_of:
                following_page = page_of[sibling.id]
        # after: emptied from the first sibling that began `ahead` pages after restart
        first = next((i for i in range(place + 1, len(siblings))
                      if siblings[i].id in page_of
                      and page_of[siblings[i].id] >= restart + ahead), None)
        if first is not None:
            limit = min(limit, page_of[siblings[first].id]) if limit is not None \
                else page_of[siblings[first].id]
            cuts += [(s.inner_start, s.inner_end) for s in siblings[first:] if _emptiable(s)]
    cuts = [(a, b) for a, b in sorted(cuts) if b > a]
    if not cuts:
        return Trimmed(html, None, 0)
    out, at_ = [], 0
    for start, end in cuts:
        if start < at_:
            continue  # inside an element emptied already
        out.append(html[at_:start])
        at_ = end
    out.append(html[at_:])
    return Trimmed("".join(out), limit, len(cuts))


@dataclass(eq=False)
class _Node:
    name: str
    id: str | None
    start: int              # of its start tag
    inner_start: int        # after its start tag
    inner_end: int          # before its end tag
    end: int                # after its end tag
    parent: "_Node | None"
    children: list = field(default_factory=list)


def _emptiable(node: _Node) -> bool:
    return node.name not in _RAW and node.name not in _GLOBAL and node.name not in (
        "html", "body") and node.inner_end > node.inner_start


def _element_tree(html: str) -> list[_Node] | None:
    """The elements of ``html`` (start tags matched with end tags), or None when its tags
    do not nest."""
    nodes: list[_Node] = []
    stack: list[_Node] = []
    for tag in _tags(html):
        parent = stack[-1] if stack else None
        if tag.closing:
            if not stack or stack[-1].name != tag.name:
                return None
            node = stack.pop()
            node.inner_end, node.end = tag.start, tag.end
            continue
        node = _Node(tag.name, tag.id, tag.start, tag.end, tag.end, tag.end, parent)
        nodes.append(node)
        if parent is not None:
            parent.children.append(node)
        if tag.name in _VOID or html[tag.end - 2] == "/":
            continue
        stack.append(node)
    return None if stack else nodes
