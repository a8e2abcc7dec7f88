"""Stage 2 of a build: the typed model and a layout folder become one HTML document.

A layout is a folder of Jinja2 templates and CSS (see ``layouts/brochure``). Its entry
template is ``index.html``. Templates run in Jinja2's sandbox with autoescaping on, so
content can never inject HTML, and they are loaded only from the layout folder.

The context every template gets is documented in the README ("Making your own layout").
"""

from __future__ import annotations

import datetime as dt
import sys
import traceback
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from . import markup, navigation
from .loader import Content
from .model import Film, Section
from .problems import Problem, ProgrammeError, display_path
from .resources import builtin_fonts, builtin_layouts
from .sorting import fold, inverted_name, sort_key

# the built-in layouts/ and fonts/: in the package when installed, else the checkout's
BUILTIN_LAYOUTS, BUILTIN_FONTS = builtin_layouts(), builtin_fonts()


@dataclass(frozen=True)
class Layout:
    folder: Path
    entry: str = "index.html"
    # other layout folders whose templates this one may include as "prefix/name.html"
    includes: tuple[tuple[str, Path], ...] = ()
    project: Path | None = None  # the festival project the layout is used for

    @property
    def folders(self) -> list[Path]:
        return [self.folder, *(folder for _, folder in self.includes)]

    def including(self, prefix: str, other: "Layout") -> "Layout":
        return replace(self, includes=self.includes + ((prefix, other.folder),))

    @classmethod
    def find(cls, name_or_path: str | Path | None, kind: str, project: Path,
             entry: str = "index.html") -> "Layout":
        """A layout given as a folder path, or by name in the project's or built-in layouts/."""
        candidates = []
        if name_or_path is not None and Path(name_or_path).is_dir():
            candidates.append(Path(name_or_path))
        name = str(name_or_path or kind)
        candidates += [project / "layouts" / name, BUILTIN_LAYOUTS / name]
        for folder in candidates:
            if (folder / entry).is_file():
                return cls(folder.resolve(), entry, project=Path(project).resolve())
        raise ProgrammeError([Problem(str(name_or_path or kind), None, None,
                                      f"layout not found: a layout is a folder with an {entry}")])

    @property
    def font_dirs(self) -> list[Path]:
        """Where fonts come from: the layout's own fonts/, the project's fonts/, the fonts/
        beside the layouts/ folder holding it (what ``../../fonts/`` in its CSS reaches), and
        the built-in fonts/."""
        dirs = [self.folder / "fonts"]
        if self.project is not None:
            dirs.append(self.project / "fonts")
        dirs += [self.folder.parent.parent / "fonts", BUILTIN_FONTS]
        return [d for d in dict.fromkeys(d.resolve() for d in dirs) if d.is_dir()]


@dataclass
class SectionView:
    """A section with its films in brochure order."""

    section: Section
    films: list[Film]

    @property
    def id(self) -> str:
        return section_id(self.section)


def film_id(film: Film) -> str:
    return f"film-{film.slug}"


def section_id(section: Section) -> str:
    return f"section-{section.slug}"


def film_order(film: Film, lang: str) -> tuple:
    """Where a film goes in its section: by title, filed as in the A–Z index."""
    return sort_key(markup.plain(film.title), lang)


# ------------------------------------------------------------------------------ filters
def day(value: dt.date | dt.datetime) -> str:
    return f"{value:%a} {value.day} {value:%b}"


def long_day(value: dt.date | dt.datetime) -> str:
    return f"{value:%A} {value.day} {value:%B}"


def time(value: dt.datetime) -> str:
    return f"{value:%H:%M}"


def date_range(start: dt.date, end: dt.date) -> str:
    if start.year == end.year and start.month == end.month:
        return f"{start.day}–{end.day} {end:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B} – {end.day} {end:%B %Y}"
    return f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"


FSI, PDI = "\u2068", "\u2069"  # Unicode bidi isolates: first strong isolate, pop isolate


def _right_to_left(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def isolate(text) -> str:
    """``text`` as a bidi isolate (FSI … PDI): its direction comes from its own first strong
    letter, and it neither takes nor gives direction to the text around it. WeasyPrint has
    no ``unicode-bidi: isolate``; Pango honours these characters, which print nothing."""
    text = "" if text is None else str(text)
    return f"{FSI}{text}{PDI}" if text else text


def names(values, sep: str = ", ") -> str:
    """A list of names joined by ``sep``. Each name with right-to-left letters is isolated,
    so that two Arabic or Hebrew names side by side in an English line keep their order
    (without it, the comma between them joins them into one right-to-left run)."""
    return sep.join(isolate(v) if _right_to_left(str(v)) else str(v) for v in values or [])


def same_title(title, other) -> bool:
    """The templates' ``is same_title(other)`` test: the two titles are the same text, case,
    accents, apostrophes, markup and spacing aside ("Amour" and "AMOUR", "Leon" and "Léon"),
    so a layout prints an original title only when it differs from the title."""
    if not title or not other:
        return False
    def key(text):
        return " ".join(fold(markup.plain(str(text))).split())
    return key(title) == key(other)


def ends_at(screening, film: Film) -> dt.datetime:
    return screening.start + dt.timedelta(minutes=film.runtime)


def make_environment(layout: Layout) -> jinja2.Environment:
    loader = jinja2.FileSystemLoader(str(layout.folder))
    if layout.includes:
        loader = jinja2.ChoiceLoader([loader, jinja2.PrefixLoader(
            {prefix: jinja2.FileSystemLoader(str(folder)) for prefix, folder in layout.includes})])
    env = ImmutableSandboxedEnvironment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        inline=markup.inline, paragraphs=markup.paragraphs, plain=markup.plain,
        typography=markup.typography,
        day=day, long_day=long_day, time=time, names=names, inverted_name=inverted_name,
        fold=fold, isolate=isolate,
    )
    env.tests.update(same_title=same_title)
    env.globals.update(film_id=film_id, section_id=section_id, date_range=date_range,
                       ends_at=ends_at, sort_key=sort_key)
    return env


def section_views(content: Content, films: list[Film] | None = None) -> list[SectionView]:
    programme = content.programme
    chosen = programme.films if films is None else films
    views = []
    for section in programme.ordered_sections:
        in_section = sorted((f for f in chosen if f.section == section.slug),
                            key=lambda film: film_order(film, programme.festival.lang))
        if in_section:
            views.append(SectionView(section, in_section))
    return views


def context(content: Content, layout: Layout, **extra) -> dict:
    programme = content.programme
    images = content.images_dir.resolve()

    def image_url(name: str) -> str:
        return (images / name).as_uri()

    sections = section_views(content, extra.pop("films", None))

    films = [film for view in sections for film in view.films]
    lang = programme.festival.lang
    ctx = dict(
        festival=programme.festival,
        programme=programme,
        sections=sections,
        films=films,
        title_index=navigation.title_index(films, lang),
        director_index=navigation.director_index(films, lang),
        country_index=navigation.country_index(films),
        schedule=navigation.schedule(programme, films),
        venues=programme.venue_by_code,
        venue_list=programme.venues,
        image_url=image_url,
        generated=dt.datetime.now(),
        proof=None,  # a proof.ProofInfo when building a proof
        part=part_test(),
    )
    ctx.update(extra)
    return ctx


def part_test(only: str | None = None, asked: list[str] | None = None):
    """The templates' ``part(name)``: is the part ``name`` in this render? Every part is,
    unless ``only`` one was chosen. Names asked about are appended to ``asked``."""

    def part(name) -> bool:
        name = str(name)
        if asked is not None and name not in asked:
            asked.append(name)
        return only is None or name == only

    return part


class Renderer:
    """The layout's entry template with one context, rendered as often as needed: the
    whole document, or one part at a time (a build in parts renders each part's HTML
    from the same context, computed once)."""

    def __init__(self, content: Content, layout: Layout, **extra):
        self.layout = layout
        self.env = make_environment(layout)
        self.context = _located(layout, lambda: context(content, layout, **extra))

    def __call__(self, only_part: str | None = None, parts_asked: list[str] | None = None,
                 **more) -> str:
        ctx = {**self.context, **more}
        if only_part is not None or parts_asked is not None:
            ctx["part"] = part_test(only_part, parts_asked)
        return _located(self.layout,
                        lambda: self.env.get_template(self.layout.entry).render(ctx))

    def part_names(self) -> list[str]:
        """The parts the layout marks with ``part("…")``, in document order (empty when
        it marks none: such a layout is always built as one document)."""
        asked: list[str] = []
        self(only_part="\0", parts_asked=asked)  # a part no layout has: renders no pages
        return asked


def render_html(content: Content, layout: Layout, **extra) -> str:
    return Renderer(content, layout, **extra)()


def _located(layout: Layout, make):
    """``make()``, with any template error turned into a problem naming its template."""
    try:
        return make()
    except jinja2.TemplateSyntaxError as exc:
        where = display_path(Path(exc.filename)) if exc.filename else layout.entry
        raise ProgrammeError([Problem(where, exc.lineno, None,
                                      f"template syntax error: {exc.message}")]) from None
    except jinja2.TemplateNotFound as exc:
        raise ProgrammeError([Problem(display_path(layout.folder), None, None,
                                      f"template not found: {exc.name}")]) from None
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError) as exc:
        file, line = _template_frame(layout)
        raise ProgrammeError([Problem(file, line, None,
                                      f"template error: {exc}")]) from None
    except Exception as exc:  # anything else a layout can cause: 1 // 0, deep recursion…
        file, line = _template_frame(layout)
        raise ProgrammeError([Problem(file, line, None, f"template error: "
                                      f"{type(exc).__name__}: {exc}")]) from None


def _template_frame(layout: Layout) -> tuple[str, int | None]:
    """The innermost template file and line in the current traceback."""
    folders = tuple(str(folder) for folder in layout.folders)
    found = (display_path(layout.folder / layout.entry), None)
    for frame, line in traceback.walk_tb(sys.exc_info()[2]):
        filename = frame.f_code.co_filename
        if filename.startswith(folders):
            found = (display_path(Path(filename)), line)
    return found
