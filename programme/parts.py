"""Parts of a brochure: the pieces a fast build lays out side by side.

A layout marks its parts with ``part("name")`` in its templates (the brochure: ``front``,
one per section, one per back-matter page, ``fillers``); each part starts on a new page
and renders as a document of its own. Two things join the parts back into one brochure:

- **Folios.** A part does not know its first page number until the parts before it are
  laid out. :mod:`programme.paging` numbers its pages after its layout, so parts are laid
  out at the same time.
- **Page references across parts.** The contents and the indexes print the pages of
  anchors in other parts with ``target-counter()``, which only sees its own document. So
  a part gets *stand-in pages*: for each page number it refers to, a page numbered that
  (``counter-reset`` on a named page) holding empty anchors with the ids it refers to.
  WeasyPrint resolves the references against them, and the join drops them.
  Stand-ins go before the part when the anchors come earlier in the brochure (the
  indexes), so they resolve on the first layout pass, and after it otherwise (the
  contents), as in the one-document build.

This module works on HTML text only; the ids and references are those the templates
write (``id="…"`` and ``href="#…"``, quoted).
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field

STAND_IN_CLASS = "programme-stand-in"
_ID = re.compile(r"""\sid=(["'])(.*?)\1""")
_HREF = re.compile(r"""\shref=(["'])#(.*?)\1""")


def anchors_defined(html: str) -> set[str]:
    return {html_lib.unescape(m.group(2)) for m in _ID.finditer(html)}


def anchors_wanted(html: str) -> set[str]:
    """Anchors this HTML links to, which must exist somewhere in the brochure."""
    return {html_lib.unescape(m.group(2)) for m in _HREF.finditer(html)}


@dataclass
class PartHTML:
    """One part, ready for WeasyPrint: its HTML with stand-ins and the page side set."""

    name: str
    html: str
    lead: int = 0            # stand-in pages before the part's own pages
    trail: int = 0           # stand-in pages after them
    first_side: str = "right"
    refers_to: dict[str, int] = field(default_factory=dict)  # anchor -> page number used


def _style(css: str) -> str:
    return f'<style data-programme="parts">{css}</style>'


def prepare(name: str, html: str, numbers: dict[str, int], first_side: str,
            lead: bool) -> PartHTML:
    """Add stand-in pages for ``numbers`` (anchor -> page number) and make the part's
    first own page a ``first_side`` ("right" or "left") page. With ``lead``, stand-ins go
    before the part's pages, else after them."""
    count = 1 if numbers else 0
    css = [f"@page {STAND_IN_CLASS} {{ marks: none; }}",
           f".{STAND_IN_CLASS} {{ page: {STAND_IN_CLASS}; margin: 0; padding: 0; height: 0; "
           f"overflow: hidden; break-{'after' if lead else 'before'}: page; }}"]
    blocks = []
    if numbers:
        # each anchor carries its page number as an element counter: target-counter()
        # reads it when the boxes are built, so pages need not be laid out again for it
        ids = "".join(f'<a id="{html_lib.escape(anchor)}" style="counter-reset: page {page}">'
                      f'</a>' for anchor, page in sorted(numbers.items()))
        blocks.append(f'<div class="{STAND_IN_CLASS}">{ids}</div>')
    # pages alternate sides from the first one, which the root's break-before sets
    root_side = first_side
    if lead and count % 2:
        root_side = "left" if first_side == "right" else "right"
    css.append(f"html {{ break-before: {root_side} !important; }}")
    html = _insert_before(html, "</head>", _style("\n".join(css)))
    if blocks:
        if lead:
            html = _insert_after_body(html, "".join(blocks))
        else:
            html = _insert_before(html, "</body>", "".join(blocks))
    return PartHTML(name, html, count if lead else 0, 0 if lead else count, first_side,
                    dict(numbers))


def _insert_before(html: str, tag: str, text: str) -> str:
    at = html.lower().rfind(tag)
    if at < 0:
        raise ValueError(f"the layout's HTML has no {tag}")
    return html[:at] + text + html[at:]


def _insert_after_body(html: str, text: str) -> str:
    match = re.search(r"<body\b[^>]*>", html, re.I)
    if not match:
        raise ValueError("the layout's HTML has no <body>")
    return html[:match.end()] + text + html[match.end():]
