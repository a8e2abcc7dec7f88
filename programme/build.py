"""The build pipeline, in one direction:

    load_content   content folder -> validated typed model       (loader.py)
    render_html    model + layout templates -> HTML               (render.py)
    typeset        HTML -> laid-out pages with WeasyPrint         (typeset.py)
    finish         PDF bytes -> PDF with metadata                 (postprocess.py)
    write          PDF bytes -> file, atomically                  (output.py)

Each stage only uses what the previous one produced. Any stage may raise
:class:`~programme.problems.ProgrammeError`; nothing is written then.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from . import markup
from .loader import Content, load_content
from .output import write_atomically
from .postprocess import Metadata, finish
from .problems import Problem, display_path
from .render import Layout, render_html
from .typeset import typeset, write_pdf


@dataclass
class BuildResult:
    output: Path
    pages: int
    warnings: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return sum(self.timings.values())


def project_folder(content_dir: Path) -> Path:
    """A festival project is the folder holding content/, layouts/ and fonts/."""
    return Path(content_dir).resolve().parent


def build_pdf(content_dir: Path, output: Path, layout: str | Path | None = None,
              kind: str = "brochure", content: Content | None = None,
              subject: str = "Festival programme", pdf_options: dict | None = None,
              **template_extra) -> BuildResult:
    """Build one PDF. ``pdf_options`` go to WeasyPrint's ``write_pdf`` (for example
    ``pdf_variant="pdf/ua-1"`` for a tagged, accessible PDF); ``template_extra`` to the
    templates."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name):
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now

    if content is None:
        content = load_content(Path(content_dir))
    lap("load")
    project = project_folder(content.root)
    chosen = Layout.find(layout, kind, project)
    html = render_html(content, chosen, **template_extra)
    lap("html")
    roots = [content.root.resolve(), chosen.folder, *chosen.font_dirs]
    laid_out = typeset(html, chosen.folder, roots, chosen.font_dirs,
                       where=display_path(chosen.folder / chosen.entry))
    lap("layout")
    pdf = write_pdf(laid_out, **(pdf_options or {}))
    lap("pdf")
    festival = content.programme.festival
    title = festival.name + (f" {festival.starts.year}" if str(festival.starts.year)
                             not in festival.name else "")
    pdf = finish(pdf, Metadata(title=f"{title} – {subject}", author=festival.organiser,
                               subject=markup.plain(festival.tagline) or subject,
                               lang=festival.lang))
    lap("finish")
    write_atomically(Path(output), pdf)
    lap("write")
    return BuildResult(Path(output), laid_out.page_count,
                       content.warnings + laid_out.warnings, timings)
