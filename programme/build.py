"""The build pipeline, in one direction:

    load_content   content folder -> validated typed model       (loader.py)
    render_html    model + layout templates -> HTML               (render.py)
    typeset        HTML -> laid-out pages with WeasyPrint         (typeset.py)
    check          laid-out pages -> overset warnings/errors      (budgets.py)
    finish         PDF bytes -> PDF with metadata                 (postprocess.py)
    write          PDF bytes -> file, atomically                  (output.py)

Each stage only uses what the previous one produced. Any stage may raise
:class:`~programme.problems.ProgrammeError`; nothing is written then.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

from . import markup
from .engine import fast_paths
from .loader import Content, load_content
from .output import write_atomically
from .postprocess import Metadata, edit, set_metadata
from .budgets import Overset, load_budgets, measure, overset
from .problems import Problem, ProgrammeError, display_path
from .press import Production
from .render import Layout, render_html
from .typeset import Typeset, typeset, write_pdf


@dataclass
class BuildResult:
    output: Path
    pages: int
    warnings: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    parts: object = None  # a fastbuild.PartsResult when built in parts
    unchanged: bool = False  # the output held this brochure already, and was kept
    one_document: str | None = None  # why a layout asked to go in parts could not (the
    # layout's reason; an untested WeasyPrint or a failed fast build is a warning instead)

    @property
    def seconds(self) -> float:
        return sum(self.timings.values())


def project_folder(content_dir: Path) -> Path:
    """A festival project is the folder holding content/, layouts/ and fonts/."""
    return Path(content_dir).resolve().parent


class Stopwatch:
    """Times the stages of a build: ``lap("html")`` ends the stage called html."""

    def __init__(self):
        self.timings: dict[str, float] = {}
        self._clock = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self._clock
        self._clock = now


def metadata(content: Content, subject: str) -> Metadata:
    festival = content.programme.festival
    title = festival.name
    if str(festival.starts.year) not in title:
        title += f" {festival.starts.year}"
    return Metadata(title=f"{title} – {subject}", author=festival.organiser,
                    subject=markup.plain(festival.tagline) or subject, lang=festival.lang)


def lay_out(content: Content, layout: Layout, typeset_options: dict | None = None,
            **template_extra) -> Typeset:
    """Render the layout's templates with the content, and let WeasyPrint lay out the pages.
    ``typeset_options`` go to WeasyPrint's ``render``."""
    html = render_html(content, layout, **template_extra)
    roots = [content.root.resolve(), *layout.folders, *layout.font_dirs]
    return typeset(html, layout.folder, roots, layout.font_dirs,
                   where=display_path(layout.folder / layout.entry),
                   reported=content.unprintable, **(typeset_options or {}))


def overset_problem(content: Content, item: Overset, severity: str = "warning") -> Problem:
    """An overset entry as a problem naming the film's file, the one to shorten."""
    source = content.film_sources.get(item.film)
    return Problem(display_path(source) if source else item.film, None, None, item.message,
                   severity)


def overset_problems(content: Content, items: list, strict: bool) -> list[Problem]:
    """Overset entries (anything with ``.film`` and ``.message``) as warnings, or with
    ``strict`` as errors that fail the build."""
    found = [overset_problem(content, item, "error" if strict else "warning") for item in items]
    if strict and found:
        raise ProgrammeError(found)
    return found


def check_budgets(content: Content, layout: Layout, laid_out: Typeset,
                  strict: bool) -> list[Problem]:
    """Overset entries as warnings (errors with ``strict``), naming the file to shorten."""
    budgets = load_budgets(layout.folder)
    if not budgets:
        return []
    measured = measure(laid_out.document, {b.element for b in budgets})
    return overset_problems(content, overset(measured, budgets), strict)


def _finish_and_write(content: Content, pdf: bytes | Callable, subject: str,
                      production: Production | None, output: Path, pages: int,
                      warnings: list[Problem], watch: Stopwatch,
                      written: Callable[[bytes], None] | None = None) -> BuildResult:
    """The last stages of every build: metadata (and the production's finishing), then
    the file, atomically. ``pdf``: the PDF's bytes, or a join that takes the finishing
    step (the PDF of a build in parts is saved once, joined and finished)."""
    made: list[Problem] = []

    def finishing(document) -> None:
        set_metadata(document, metadata(content, subject))
        if production is not None:
            made.extend(production.finish(document))

    pdf = edit(pdf, finishing) if isinstance(pdf, bytes) else pdf(finishing)
    warnings = warnings + made
    watch.lap("finish")
    write_atomically(Path(output), pdf)
    if written is not None:
        written(pdf)
    watch.lap("write")
    return BuildResult(Path(output), pages, warnings, watch.timings)


def _finish_parts(content: Content, layout: Layout, built, output: Path, subject: str,
                  strict: bool, production: Production, watch: Stopwatch) -> BuildResult:
    """The rest of a build in parts: overset entries, stills, the join, metadata, the
    file."""
    try:
        checked = overset_problems(content, [SimpleNamespace(film=film, message=message)
                                             for film, message in built.overset], strict)
        made = production.check_stills(content, layout, built.placements)
        watch.lap("check")
        warnings = content.warnings + built.warnings + made + checked
        # the same parts, finished the same way, as the output already holds: kept as it is
        same = _joined_key(content, built, subject, production, output)
        if same is not None and _holds(Path(output), built.cache.joined(same)):
            watch.lap("finish")
            result = BuildResult(Path(output), built.pages, warnings, watch.timings)
            result.unchanged = True
        else:
            result = _finish_and_write(
                content, built.join, subject, production, output, built.pages, warnings,
                watch, written=(lambda pdf: built.cache.save_joined(same, pdf))
                if same is not None else None)
    finally:
        built.close()
    result.parts = built
    return result


def _joined_key(content: Content, built, subject: str, production: Production,
                output: Path) -> str | None:
    """Names a finished brochure by what makes it: programme's code, each part's PDF (the
    digest the cache checked it by), its stand-ins and pages, the metadata, the stills'
    labels and the output file. None without a cache, or for a part it did not check."""
    from .cache import code_key, digest

    if not built.cache.enabled:
        return None
    parts = [(built.cache.pdf_sha256(part.path), part.lead, part.pages) for part in built.pdfs]
    if any(sha is None for sha, _, _ in parts):
        return None
    return digest(code_key(), repr(parts), repr(metadata(content, subject)),
                  repr(sorted((str(k), repr(v)) for k, v in production.by_id.items())),
                  repr(production.press), str(Path(output).resolve()))


def _holds(output: Path, entry: dict | None) -> bool:
    """Whether ``output`` is a regular file with the bytes ``entry`` describes."""
    import os
    import stat
    from hashlib import sha256

    if entry is None:
        return False
    try:
        info = os.lstat(output)
        if not stat.S_ISREG(info.st_mode) or info.st_size != entry["size"]:
            return False
        return sha256(output.read_bytes()).hexdigest() == entry["sha256"]
    except OSError:
        return False


def build_pdf(content_dir: Path, output: Path, layout: str | Path | None = None,
              kind: str = "brochure", content: Content | None = None,
              subject: str = "Festival programme", pdf_options: dict | None = None,
              strict: bool = False, production: Production | None = None,
              in_parts: bool = False, jobs: int | None = None, use_cache: bool = True,
              **template_extra) -> BuildResult:
    """Build one PDF. ``pdf_options`` go to WeasyPrint's ``write_pdf`` (for example
    ``pdf_variant="pdf/ua-1"`` for a tagged, accessible PDF); ``template_extra`` to the
    templates. With ``strict``, entries over the layout's space budgets fail the build.
    ``production`` (a brochure: proof or press, padded to a signature) adds the steps of
    :mod:`programme.press`.

    With ``in_parts`` (a standard brochure build), the layout's parts are laid out in
    ``jobs`` processes and cached (:mod:`programme.fastbuild`); a layout that cannot be
    built that way is built as one document."""
    watch = Stopwatch()
    parts_wanted = in_parts and production is not None and not production.press
    fallback: list[Problem] = []   # why a build asked to go in parts did not (warnings)
    untested = fast_paths() if parts_wanted else ""
    if untested:
        parts_wanted = False
    if parts_wanted:
        from .fastbuild import warm_up

        warm_up(project_folder(Path(content_dir)) if content is None else
                project_folder(content.root))  # the workers' parent starts while the content loads
    if content is None:
        content = load_content(Path(content_dir), use_cache=use_cache)
    watch.lap("load")
    chosen = Layout.find(layout, kind, project_folder(content.root))
    one_document = None
    if untested:
        fallback.append(_laid_out_whole(chosen, untested))
    if parts_wanted:
        from .fastbuild import UseOneDocument, build_in_parts

        try:
            built = build_in_parts(
                content, chosen, {**production.template_extra(), **template_extra},
                production.typeset_options(chosen), {**(pdf_options or {})},
                production.signature, jobs=jobs, use_cache=use_cache)
            watch.lap("layout")
            result = _finish_parts(content, chosen, built, output, subject, strict,
                                   production, watch)
        except UseOneDocument as reason:
            one_document = str(reason)
        except ProgrammeError:
            raise
        except Exception as exc:  # noqa: BLE001 - fail soft: one document is always right
            fallback.append(_laid_out_whole(
                chosen, f"the fast build failed ({type(exc).__name__}: {_first_line(exc)})"))
            _debug_fallback()
        else:
            return result
    if production is None:
        laid_out = lay_out(content, chosen, **template_extra)
        made: list[Problem] = []
    else:
        options = production.typeset_options(chosen)
        laid_out = lay_out(content, chosen, options, **production.template_extra(),
                           **template_extra)
        laid_out, made = production.after_layout(
            content, chosen, laid_out, lambda n: lay_out(
                content, chosen, options, **production.template_extra(n), **template_extra))
    watch.lap("layout")
    checked = check_budgets(content, chosen, laid_out, strict)
    watch.lap("check")
    pdf = write_pdf(laid_out, **(pdf_options or {}),
                    **(production.pdf_options() if production else {}))
    watch.lap("pdf")
    # after write_pdf: drawing adds its own warnings (such as glyphs no font has)
    result = _finish_and_write(content, pdf, subject, production, output,
                               laid_out.page_count,
                               content.warnings + fallback + laid_out.warnings + made + checked,
                               watch)
    result.one_document = one_document
    return result


def _laid_out_whole(layout: Layout, why: str) -> Problem:
    return Problem(display_path(layout.folder / layout.entry), None, None,
                   f"laid out as one document, not in parts: {why}", "warning")


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return (text.splitlines() or [""])[0][:200]


def _debug_fallback() -> None:
    import os
    import traceback

    if os.environ.get("PROGRAMME_DEBUG") or os.environ.get("PROGRAMME_DEBUG_PARTS"):
        traceback.print_exc()
