"""The small inline markup allowed in content text, rendered safely to HTML.

Content is untrusted: everything is HTML-escaped first, then only these are recognised:

===================  ==========================================
``*Title of work*``   italic (``<em>``), e.g. film titles in a review
``**bold**``          bold (``<strong>``)
blank line            new paragraph (in a ``>-`` folded YAML block, a blank line)
``\\`` at line end    line break within a paragraph
===================  ==========================================

Any HTML in content (``<b>``, ``<script>``, ``<img src=...>``) is printed as text.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.S)
_ITALIC = re.compile(r"(?<![\*\w])\*(?=\S)(.+?)(?<=\S)\*(?![\*\w])", re.S)


def inline(text: str | None) -> Markup:
    """Escape ``text`` and apply the inline markup (italic, bold, line breaks)."""
    if not text:
        return Markup("")
    html = str(escape(text))
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    html = _ITALIC.sub(r"<em>\1</em>", html)
    html = html.replace("\\\n", "<br>")
    return Markup(html)


def plain(text: str | None) -> str:
    """The text without its markup characters, for bookmarks, sorting and metadata."""
    if not text:
        return ""
    text = _BOLD.sub(r"\1", text)
    text = _ITALIC.sub(r"\1", text)
    return text.replace("\\\n", " ")


def split_paragraphs(text: str | None) -> list[str]:
    if not text:
        return []
    text = text.replace("\r\n", "\n").strip()
    # A line ending in a backslash is a line break, not a paragraph break.
    parts = re.split(r"(?<!\\)\n\s*", text)
    return [p.strip() for p in parts if p.strip()]


def paragraphs(text: str | None, css_class: str | None = None) -> Markup:
    """Each paragraph of ``text`` as a ``<p>``, with inline markup applied."""
    attr = Markup(' class="{}"').format(css_class) if css_class else Markup("")
    return Markup("").join(
        Markup("<p{}>{}</p>\n").format(attr, inline(p)) for p in split_paragraphs(text))
