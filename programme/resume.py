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
