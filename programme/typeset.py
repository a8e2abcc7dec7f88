"""Stage 3 of a build: WeasyPrint lays out the HTML and writes PDF bytes.

WeasyPrint may read only what :class:`~programme.fetcher.ProjectFetcher` allows, and
fonts come only from ``@font-face`` rules in the layout: fontconfig is pointed at a
configuration that lists the project's font folders and nothing from the machine, so a
missing glyph shows up as a missing glyph instead of silently using a system font.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from .engine import font_configuration, load_weasyprint
from .engine.arrays import share_array_types
from .problems import Problem, ProgrammeError

_FONTCONFIG_DIR = None


def isolate_fonts(font_dirs: list[Path]) -> None:
    """Make fontconfig see only ``font_dirs`` (must run before WeasyPrint loads fonts)."""
    global _FONTCONFIG_DIR
    if _FONTCONFIG_DIR is None:
        _FONTCONFIG_DIR = Path(tempfile.mkdtemp(prefix="programme-fontconfig-"))
    dirs = "\n".join(f"  <dir>{escape(str(d))}</dir>" for d in font_dirs)
    conf = _FONTCONFIG_DIR / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f"{dirs}\n  <cachedir>{escape(str(_FONTCONFIG_DIR / 'cache'))}</cachedir>\n"
        "</fontconfig>\n", encoding="utf-8")
    os.environ["FONTCONFIG_FILE"] = str(conf)


@dataclass
class Typeset:
    document: object  # a WeasyPrint Document
    warnings: list[Problem] = field(default_factory=list)
    fetcher: object = None  # the ProjectFetcher: drawing fetches too (SVG images, attachments)
    where: str = ""

    @property
    def page_count(self) -> int:
        return len(self.document.pages)


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def typeset(html: str, base_folder: Path, allowed_roots: list[Path], font_dirs: list[Path],
            where: str, reported: frozenset[str] = frozenset(), check_glyphs: bool = True,
            **options) -> Typeset:
    """Lay out ``html`` (relative URLs resolve against ``base_folder``). Characters no font
    has are warned about, except those in ``reported`` (the content's, warned about already).

    ``options`` go to WeasyPrint's ``render`` (for example ``pdf_variant``, ``stylesheets``,
    ``dpi``)."""
    isolate_fonts(font_dirs)
    load_weasyprint()
    share_array_types()  # a no-op on an untested WeasyPrint
    from weasyprint import HTML

    from .fetcher import ProjectFetcher  # imports WeasyPrint: only where it lays out

    fetcher = ProjectFetcher(allowed_roots)
    collector = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        document = HTML(string=html, base_url=str(base_folder) + os.sep,
                        url_fetcher=fetcher).render(font_config=font_configuration(), **options)
    finally:
        logger.removeHandler(collector)
    _refused(fetcher, where)
    warnings = [Problem(where, None, None, f"WeasyPrint: {m}", "warning")
                for m in collector.messages if "refused" not in m.lower()]
    if check_glyphs:
        warnings += missing_glyphs(document, font_dirs, where, reported)
    return Typeset(document, warnings, fetcher, where)


def _refused(fetcher, where: str) -> None:
    """Fail the build, naming every URL WeasyPrint was refused (see fetcher.py)."""
    problems = [Problem(where, None, None, f"refused to load {url}: {reason}")
                for url, reason in dict.fromkeys(fetcher.refused)]
    if problems:
        raise ProgrammeError(problems)


def missing_glyphs(document, font_dirs: list[Path], where: str,
                   reported: frozenset[str] = frozenset()) -> list[Problem]:
    """A warning for each character laid out that no font has: it will print as an empty
    box (.notdef). Content text is checked earlier, with its location (loader.py); this
    catches the rest: text in templates and text that templates make (index letters…)."""
    return glyph_warnings(glyph_pages(document.pages, font_dirs, reported), where)


def glyph_pages(pages, font_dirs: list[Path], reported: frozenset[str] = frozenset(),
                first: int = 1) -> dict[str, list[int]]:
    """Characters no font has -> the page numbers they are on (``pages[0]`` is ``first``)."""
    from . import glyphs
    from .engine.boxes import texts

    covered = glyphs.coverage(font_dirs)
    found: dict[str, list[int]] = {}
    for number, page in enumerate(pages, first):
        for text in texts(page):
            for char in glyphs.missing(text, covered):
                if char in reported:
                    continue
                if number not in found.setdefault(char, []):
                    found[char].append(number)
    return found


def glyph_warnings(found: dict[str, list[int]], where: str) -> list[Problem]:
    from . import glyphs

    return [Problem(where, None, None,
                    f"no font has {glyphs.describe([char])}: it prints as an empty box on "
                    f"page{'s' if len(numbers) > 1 else ''} "
                    f"{', '.join(map(str, numbers[:10]))}{' …' if len(numbers) > 10 else ''}",
                    "warning")
            for char, numbers in found.items()]


def write_pdf(result: Typeset, **options) -> bytes:
    """The PDF of a laid-out document. Drawing fetches what layout did not (images inside
    SVG images, attachments): a URL refused then fails the build too, naming it."""
    pdf = result.document.write_pdf(**options)
    if result.fetcher is not None:
        _refused(result.fetcher, result.where)
    return pdf
