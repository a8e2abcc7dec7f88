"""The small inline markup allowed in content text, rendered safely to HTML.

Content is untrusted: everything is HTML-escaped first, then only these are recognised:

===================  ==========================================
``*Title of work*``   italic (``<em>``), e.g. film titles in a review
``**bold**``          bold (``<strong>``)
blank line            new paragraph (in a ``>-`` folded YAML block, a blank line)
``\\`` at line end    line break within a paragraph
===================  ==========================================

Any HTML in content (``<b>``, ``<script>``, ``<img src=...>``) is printed as text.

Before that, the typography rules of :mod:`programme.typography` are applied (content text
from the model has them already, in its own language, and applying them again changes
nothing; other text gets them here, in ``lang``, English by default). Text whose first strong
character is right-to-left (Arabic, Hebrew) is marked ``dir="rtl"``.
"""

from __future__ import annotations

import re
import unicodedata

from markupsafe import Markup, escape

from .typography import smarten

# What these did, as regular expressions (leftmost opener, nearest closer), takes
# quadratic time when openers have no closer ("**a " × 5 000 is 4 s): an opener scans to
# the end of the text, then the next opener does again. _pairs finds the same matches in
# one pass.
#   bold:   \*\*(?=\S)(.+?)(?<=\S)\*\*                        (re.S)
#   italic: (?<![\*\w])\*(?=\S)(.+?)(?<=\S)\*(?![\*\w])      (re.S)


def _word(char: str) -> bool:
    return char.isalnum() or char == "_"  # what \w matches


def _pairs(text: str, bold: bool):
    """The (start, end) of each ``**…**`` (``bold``) or ``*…*`` span, as the regular
    expressions above find them, in linear time. A closer's validity does not depend on
    its opener, so the closers are listed once; each opener takes the first closer that
    leaves it some content, and when an opener finds none, no later opener can."""
    n, width = len(text), 2 if bold else 1
    mark = "**" if bold else "*"
    if bold:
        closers = [j for j in range(1, n - 1) if text.startswith(mark, j)
                   and not text[j - 1].isspace()]
    else:
        closers = [j for j in range(1, n) if text[j] == "*" and not text[j - 1].isspace()
                   and (j + 1 == n or (text[j + 1] != "*" and not _word(text[j + 1])))]
    found, k, i = [], 0, 0
    while i < n:
        i = text.find(mark, i)
        if i < 0:
            break
        opener = (i + width < n and not text[i + width].isspace() and
                  (bold or i == 0 or (text[i - 1] != "*" and not _word(text[i - 1]))))
        if not opener:
            i += 1
            continue
        first = i + width + 1  # the content is at least one character
        while k < len(closers) and closers[k] < first:
            k += 1
        if k == len(closers):
            break
        found.append((i, closers[k] + width))
        i = closers[k] + width
    return found


def _replace(text: str, bold: bool, before: str, after: str) -> str:
    """``text`` with each span's markers replaced by ``before`` and ``after``."""
    width = 2 if bold else 1
    out, last = [], 0
    for start, end in _pairs(text, bold):
        out += [text[last:start], before, text[start + width:end - width], after]
        last = end
    out.append(text[last:])
    return "".join(out)


def typography(text: str | None, lang: str | None = None) -> str:
    """``text`` with the typography rules applied (content text has them already)."""
    if not text or hasattr(text, "__html__"):  # Markup is HTML, not text
        return text or ""
    return smarten(text, lang or "en")


def direction(text: str | None) -> str | None:
    """'rtl' when the first strong character of ``text`` is right-to-left (what dir="auto"
    computes in a browser, which WeasyPrint does not do), else None."""
    for char in text or "":
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return None
    return None


def _attributes(text: str) -> Markup:
    return Markup(' dir="rtl"') if direction(text) == "rtl" else Markup("")


# A backslash at the end of a line is a line break. In a folded (>-) YAML block the line
# end has already become a space, so a backslash followed by spaces counts too.
_LINE_BREAK = re.compile(r"\\(?:[ \t]*\n[ \t]*|[ \t]+)")


def _inline_html(text: str) -> Markup:
    html = str(escape(text))
    html = _replace(html, True, "<strong>", "</strong>")
    html = _replace(html, False, "<em>", "</em>")
    html = _LINE_BREAK.sub("<br>", html)
    return Markup(html)


def inline(text: str | None, lang: str | None = None) -> Markup:
    """Escape ``text`` and apply typography and the inline markup (italic, bold, line breaks)."""
    if not text:
        return Markup("")
    html = _inline_html(typography(text, lang))
    attrs = _attributes(text)
    return Markup("<span{}>{}</span>").format(attrs, html) if attrs else html


def plain(text: str | None, lang: str | None = None) -> str:
    """The text (with typography) without its markup characters, for bookmarks, sorting
    and metadata."""
    if not text:
        return ""
    text = typography(text, lang)
    text = _replace(text, True, "", "")
    text = _replace(text, False, "", "")
    return _LINE_BREAK.sub(" ", text)


def split_paragraphs(text: str | None) -> list[str]:
    if not text:
        return []
    text = text.replace("\r\n", "\n").strip()
    # A line ending in a backslash is a line break, not a paragraph break.
    parts = re.split(r"(?<!\\)\n\s*", text)
    return [p.strip() for p in parts if p.strip()]


def paragraphs(text: str | None, css_class: str | None = None, lang: str | None = None) -> Markup:
    """Each paragraph of ``text`` as a ``<p>``, with typography and inline markup applied."""
    attr = Markup(' class="{}"').format(css_class) if css_class else Markup("")
    return Markup("").join(
        Markup("<p{}{}>{}</p>\n").format(attr, _attributes(p), _inline_html(p))
        for p in split_paragraphs(typography(text, lang)))
