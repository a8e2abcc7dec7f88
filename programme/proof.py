"""Proofs for editors: the brochure layout for some or all films, stamped and annotated.

A proof is built in two passes of the same layout. The first lays out the pages and
measures them: which films are on each page (for the slug line naming their source
files) and which entries overflow the layout's space budgets. The second renders again
with that knowledge; proof marks are drawn without taking space (outlines, the margin
slug, a fixed watermark), so both passes paginate alike.

The brochure layout shows proof marks where the template variable ``proof`` is set; the
marks, the summary page and their CSS live in ``layouts/proof/``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from . import gitrev, markup
from .budgets import Overset, load_budgets, overset
from .build import BuildResult, Stopwatch, metadata, overset_problem, project_folder
from .changes import Changes, compare, load_since, save_snapshot, snapshot, snapshot_path
from .loader import Content, load_content, unknown
from .model import Film
from .output import write_atomically
from .postprocess import finish
from .problems import Problem, ProgrammeError, display_path
from .fastbuild.typesetter import Laid
from .render import Layout, render_html

# Optional content a proof asks for, in the order of an entry, as (field, label).
OPTIONAL_FIELDS = [
    ("original_title", "original title"),
    ("tagline", "tagline"),
    ("stills", "stills"),
    ("credits.producer", "producer"),
    ("credits.screenwriter", "screenwriter"),
    ("credits.cast", "cast"),
    ("distributor", "distributor"),
    ("review", "review"),
    ("review.by", "critic"),
    ("statement", "director statement"),
    ("biography", "director biography"),
    ("filmography", "filmography"),
    ("screenings", "screenings"),
]


def missing_fields(film: Film) -> list[str]:
    """The optional fields this film leaves empty (``review.by`` only when there is a review)."""
    missing = []
    for name, _ in OPTIONAL_FIELDS:
        owner, _, attr = name.rpartition(".")
        parent = getattr(film, owner) if owner else film
        if parent is None:
            continue  # "review.by" when there is no review at all: "review" says it
        if not getattr(parent, attr):
            missing.append(name)
    return missing


LABELS = dict(OPTIONAL_FIELDS)


def css_string(text: str) -> str:
    """``text`` as a CSS string literal that cannot end the string or the <style> element."""
    out = []
    for ch in text:
        if ch in '"\\<>&' or ord(ch) < 0x20 or ord(ch) == 0x7f:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


@dataclass
class ProofInfo:
    """What the proof templates get as ``proof``."""

    built: dt.datetime
    revision: str
    stylesheet: str  # URL of proof.css
    partial: bool  # only some films: no cover, contents or back matter
    sources: dict[str, str]  # slug -> file as shown to the user
    titles: dict[str, str]  # slug -> title
    missing: dict[str, list[str]]
    changes: Changes | None = None
    overset: dict[str, list[Overset]] = field(default_factory=dict)
    films_on_page: list[list[str]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=lambda: dict(LABELS))

    def is_missing(self, film: Film, name: str) -> bool:
        return name in self.missing.get(film.slug, ())

    def changed(self, film: Film) -> bool:
        return bool(self.changes and (film.slug in self.changes.changed
                                      or film.slug in self.changes.added))

    def overset_classes(self, film: Film) -> list[str]:
        return [o.budget.element for o in self.overset.get(film.slug, ())]

    def classes(self, film: Film) -> str:
        """Extra classes for a film entry in a proof."""
        names = []
        if self.changed(film):
            names.append("proof-changed")
        if self.overset.get(film.slug):
            names.append("proof-overset")
        names += [f"proof-overset-{c}" for c in self.overset_classes(film)]
        return " ".join(names)

    @property
    def stamp(self) -> str:
        return f"PROOF · {self.built:%Y-%m-%d %H:%M} · content {self.revision}"

    @property
    def page_rules(self) -> str:
        """CSS naming, on each page, the source files of the entries on it."""
        rules = [f"@page {{ @bottom-center {{ content: {css_string(self.stamp)} }} }}"]
        for number, slugs in enumerate(self.films_on_page, 1):
            if slugs:
                files = " · ".join(self.sources.get(s, s) for s in slugs)
                rules.append(f"@page :nth({number}) {{ @bottom-center {{ content: "
                             f"{css_string(files)} '\\A' {css_string(self.stamp)} }} }}")
        return markup.Markup("\n".join(rules))


def content_revision(root: Path, content: Content) -> str:
    """The git commit of the content folder (marked 'modified' if it has changes), or a hash.

    The repository is read by :mod:`programme.gitrev`, never by running git: a content
    folder's git configuration (hooks, fsmonitor, filters…) must not run programs."""
    return gitrev.revision(root) or f"hash {content.fingerprint()}"


def select(content: Content, films: tuple[str, ...], sections: tuple[str, ...]) -> list[Film]:
    """The films to proof: those named, those in the named sections, or all."""
    programme = content.programme
    if not films and not sections:
        return list(programme.films)
    problems = []
    by_slug = {f.slug: f for f in programme.films}
    chosen: dict[str, Film] = {}
    for slug in films:
        if slug in by_slug:
            chosen[slug] = by_slug[slug]
        else:
            problems.append(_unknown("--film", slug, list(by_slug)))
    names = {}
    for section in programme.sections:
        names[section.slug] = section
        names[section.name.casefold()] = section
    for name in sections:
        section = names.get(name) or names.get(name.casefold())
        if section is None:
            problems.append(_unknown("--section", name, [s.slug for s in programme.sections]))
            continue
        for film in programme.films_in(section):
            chosen[film.slug] = film
    if problems:
        raise ProgrammeError(problems)
    return list(chosen.values())


def _unknown(option: str, value: str, choices: list[str]) -> Problem:
    return Problem(option, None, None, unknown(option[2:], value, choices))


PREDICTED_PAGES = 40  # the most pages a one-film proof is expected to take


@dataclass
class ProofResult(BuildResult):
    films: list[str] = field(default_factory=list)
    snapshot: Path | None = None
    contact_sheet: Path | None = None
    info: ProofInfo | None = None


def build_proof(content_dir: Path, output: Path, films: tuple[str, ...] = (),
                sections: tuple[str, ...] = (), since: str | None = None,
                layout: str | Path | None = None, contact_sheet: bool = False,
                now: dt.datetime | None = None) -> ProofResult:
    from .fastbuild.typesetter import Typesetter

    watch = Stopwatch()
    # WeasyPrint is imported on another core while the content loads (fastbuild/typesetter.py)
    with Typesetter(project_folder(Path(content_dir))) as typesetter:
        return _build_proof(typesetter, watch, content_dir, output, films, sections, since,
                            layout, contact_sheet, now)


def _build_proof(typesetter, watch, content_dir, output, films, sections, since, layout,
                 contact_sheet, now) -> ProofResult:
    from .fastbuild.typesetter import Request

    content = load_content(Path(content_dir))
    chosen = select(content, films, sections)
    project = project_folder(content.root)
    brochure = Layout.find(layout, "brochure", project)
    proof_layout = Layout.find("proof", "proof", project, entry="summary.html")
    combined = brochure.including("proof", proof_layout)
    current = snapshot(content.root, content.raw_films)
    changes = None
    if since:
        old, label = load_since(since, content.root)
        changes = compare(old, current, label)
    revision = content_revision(content.root, content)
    info = ProofInfo(
        built=now or dt.datetime.now().replace(second=0, microsecond=0),
        revision=revision,
        stylesheet=(proof_layout.folder / "proof.css").as_uri(),
        partial=bool(films or sections),
        sources={slug: display_path(path) for slug, path in content.film_sources.items()},
        titles={f.slug: markup.plain(f.title) for f in content.programme.films},
        missing={f.slug: missing_fields(f) for f in chosen},
        changes=changes,
    )
    watch.lap("load")

    # The stamps name each page's entries, known only once the pages are laid out. A
    # proof of one film predicts them (the summary page and the section opener, then the
    # film's pages); when the first layout bears the prediction out and nothing is
    # overset, it is the proof, else the pages are laid out again with what was found.
    predicted = ([[], []] + [[chosen[0].slug]] * PREDICTED_PAGES) if len(chosen) == 1 else None
    info.films_on_page = predicted or []
    budgets = load_budgets(brochure.folder)
    classes = {b.element for b in budgets} | {"film"}

    def lay_out() -> Laid:
        return typesetter.lay_out(Request(
            render_html(content, combined, films=chosen, proof=info), combined.folder,
            [content.root.resolve(), *combined.folders, *combined.font_dirs],
            combined.font_dirs, display_path(combined.folder / combined.entry),
            content.unprintable, classes))

    first = lay_out()
    measured = first.measured
    for item in overset(measured, budgets):
        info.overset.setdefault(item.film, []).append(item)
    watch.lap("measure")
    pages = measured.films_on_page
    if (predicted is not None and not info.overset and len(pages) <= len(predicted)
            and pages == predicted[:len(pages)]):
        second = first
    else:
        info.films_on_page = pages
        second = lay_out()
    info.films_on_page = pages
    watch.lap("layout")

    pdf = finish(second.pdf, metadata(content, "Proof"))
    watch.lap("pdf")
    write_atomically(Path(output), pdf)
    snap = snapshot_path(output)
    write_atomically(snap, save_snapshot(current, revision))
    sheet = None
    if contact_sheet:
        from .contact_sheet import make_contact_sheet

        sheet = Path(output).with_suffix(".contact.png")
        write_atomically(sheet, make_contact_sheet(Path(output)))
    watch.lap("write")

    warnings = content.warnings + second.warnings
    if typesetter.failed:  # the same proof, laid out here: said, since it is slower
        warnings.append(Problem(display_path(combined.folder / combined.entry), None, None,
                                "laid out in this process: the worker laying the proof out "
                                f"failed ({typesetter.failed})", "warning"))
    warnings += [overset_problem(content, item)
                 for _, items in sorted(info.overset.items()) for item in items]
    return ProofResult(Path(output), second.page_count, warnings, watch.timings,
                       films=[f.slug for f in chosen], snapshot=snap, contact_sheet=sheet,
                       info=info)
