"""Stage 4 of a build: finishing touches on the PDF bytes with pikepdf.

Sets the document information and XMP metadata (title, author, subject, language,
creator) and asks viewers to show the title rather than the file name.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Callable

import pikepdf

from . import __version__


@dataclass(frozen=True)
class Metadata:
    title: str
    author: str
    subject: str = ""
    lang: str = "en"
    keywords: str = ""


def finish(pdf_bytes: bytes, meta: Metadata) -> bytes:
    """``pdf_bytes`` with ``meta`` set."""
    return edit(pdf_bytes, lambda pdf: set_metadata(pdf, meta))


def edit(pdf_bytes: bytes, step: Callable[[pikepdf.Pdf], None]) -> bytes:
    """``pdf_bytes`` opened, changed by ``step`` and saved again."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        step(pdf)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def set_metadata(pdf: pikepdf.Pdf, meta: Metadata) -> None:
    """Set the document information and XMP metadata of an open PDF."""
    # plain str: pikepdf would turn a str subclass (such as content text) into an array
    meta = Metadata(*(str(value) for value in (meta.title, meta.author, meta.subject,
                                                meta.lang, meta.keywords)))
    with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
        xmp["dc:title"] = meta.title
        xmp["dc:creator"] = [meta.author]
        if meta.subject:
            xmp["dc:description"] = meta.subject
        xmp["dc:language"] = [meta.lang]
        xmp["pdf:Producer"] = str(pdf.docinfo.get("/Producer", "WeasyPrint"))
        xmp["xmp:CreatorTool"] = f"programme {__version__}"
        if meta.keywords:
            xmp["pdf:Keywords"] = meta.keywords
    pdf.docinfo["/Title"] = meta.title
    pdf.docinfo["/Author"] = meta.author
    if meta.subject:
        pdf.docinfo["/Subject"] = meta.subject
    if meta.keywords:
        pdf.docinfo["/Keywords"] = meta.keywords
    pdf.docinfo["/Creator"] = f"programme {__version__}"
    pdf.Root.Lang = pikepdf.String(meta.lang)
    prefs = pdf.Root.get("/ViewerPreferences", pikepdf.Dictionary())
    prefs.DisplayDocTitle = True
    pdf.Root.ViewerPreferences = prefs
