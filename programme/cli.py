"""The ``programme`` command line."""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

import click

from . import __version__
from .problems import ProgrammeError

CONTENT = click.argument("content_dir", required=False, default="content",
                         type=click.Path(file_okay=False, path_type=Path))


def _say(problem) -> None:
    """Print a problem or warning on stderr, its control characters shown escaped: the
    text may come from content, a cache or a PDF, and must not drive the terminal."""
    from .terminal import printable

    click.echo(printable(problem), err=True)


def _report_problems(problems) -> None:
    errors = [p for p in problems if p.severity == "error"]
    for problem in problems:
        _say(problem)
    if errors:
        n = len(errors)
        click.echo(f"{n} problem{'s' if n != 1 else ''} found; nothing was written.", err=True)


def version_line() -> str:
    """"programme 0.1.0 (WeasyPrint 70.0, Pango 1.50.12, HarfBuzz 6.0.0)"."""
    from .engine.versions import library_versions

    v = library_versions()
    return (f"programme {__version__} (WeasyPrint {v['weasyprint']}, Pango {v['pango']}, "
            f"HarfBuzz {v['harfbuzz']})")


def _print_version(ctx: click.Context) -> None:
    click.echo(version_line())
    ctx.exit()


class _Group(click.Group):
    """Turns known errors into messages and unknown ones into a short report."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ProgrammeError as exc:
            _report_problems(exc.problems)
            sys.exit(1)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted; nothing was written.", err=True)
            sys.exit(130)
        except OSError as exc:
            if exc.errno is None:  # not the machine: a library's own complaint
                self._internal(exc)
            # the machine failed (no permission, read-only, disk full): the last good
            # output was kept, as every file is written atomically
            from .output import machine_error

            if os.environ.get("PROGRAMME_DEBUG"):
                traceback.print_exc()
            _say(f"{machine_error(exc)}; nothing was written.")
            sys.exit(1)
        except Exception as exc:  # a bug in programme itself
            self._internal(exc)

    @staticmethod
    def _internal(exc: Exception) -> None:
        from .terminal import printable

        if os.environ.get("PROGRAMME_DEBUG"):
            traceback.print_exc()
        click.echo(f"internal error: {type(exc).__name__}: {printable(exc)}\n"
                   "This is a bug in programme; set PROGRAMME_DEBUG=1 for details. "
                   "Nothing was written.", err=True)
        sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True,
              callback=lambda ctx, _param, value: _print_version(ctx) if value else None,
              help="Show programme's version and those of WeasyPrint, Pango and HarfBuzz.")
def main():
    """Turn a film festival's content (YAML) and layouts (HTML/CSS) into print-ready PDFs.

    CONTENT_DIR defaults to ./content; its parent folder is the festival project, whose
    layouts/ and fonts/ are used before the built-in ones.
    """


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--with-layouts", is_flag=True,
              help="Also copy the built-in layouts (and the fonts they import) into "
                   "FOLDER/layouts and FOLDER/fonts, to change them.")
def new(folder: Path, with_layouts: bool):
    """Create a festival project in FOLDER (new or empty) that builds at once:
    content/ with one film, and a README saying what to run."""
    from .newproject import NotEmpty, create_project

    try:
        create_project(folder, with_layouts=with_layouts)
    except NotEmpty as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    extra = ", layouts/ and fonts/" if with_layouts else ""
    click.echo(f"Created the festival project {folder}: content/ with one film{extra}, "
               f"and README.md.\nBuild it: cd {folder} && programme build")


@main.command()
@CONTENT
def validate(content_dir: Path):
    """Check the content and report every problem with file, line and field."""
    from .loader import load_content

    content = load_content(content_dir)
    for warning in content.warnings:
        _say(warning)
    p = content.programme
    click.echo(f"{content_dir}: OK – {len(p.films)} films in {len(p.sections)} sections, "
               f"{sum(len(f.screenings) for f in p.films)} screenings at {len(p.venues)} venues.")


@main.command()
@CONTENT
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="PDF file to write. Default: out/brochure.pdf, "
                                 "or out/brochure-press.pdf with --press.")
@click.option("--layout", default=None, metavar="DIR",
              help="Layout folder (or the name of one in layouts/). Default: brochure.")
@click.option("--strict", is_flag=True,
              help="Fail, writing nothing, when an entry overflows the layout's space budgets.")
@click.option("--press", is_flag=True,
              help="For the print shop: PDF/X-4 in CMYK with the layout's output profile "
                   "(press/press.css), stills at full resolution.")
@click.option("--signature", type=click.Choice(["4", "8", "16"]), default="4",
              show_default=True,
              help="Pad the page count to a multiple of this with filler pages.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Processes laying out parts side by side. Default: one per core.")
@click.option("--no-cache", is_flag=True,
              help="Lay out every part again, without reading or writing .programme-cache/.")
@click.option("--one-document", is_flag=True,
              help="Lay out the brochure as one WeasyPrint document, not in parts (slower; "
                   "the same pages).")
@click.option("-q", "--quiet", is_flag=True,
              help="No progress line (it is shown only on a terminal, never in CI).")
def build(content_dir: Path, output: Path | None, layout: str | None, strict: bool,
          press: bool, signature: str, jobs: int | None, no_cache: bool, one_document: bool,
          quiet: bool):
    """Build the festival brochure PDF.

    The brochure's parts (front, each section, each index…) are laid out side by side,
    one process per core, and kept in .programme-cache/ so a rebuild lays out only what
    changed. --press builds are always laid out as one document."""
    from .build import build_pdf
    from .press import Production
    from .progress import showing_progress, wanted

    if output is None:
        output = Path("out/brochure-press.pdf" if press else "out/brochure.pdf")
    with showing_progress(wanted(quiet)):
        result = build_pdf(content_dir, output, layout=layout, kind="brochure", strict=strict,
                           production=Production(press=press, signature=int(signature),
                                                 decode_stills=strict),
                           in_parts=not one_document, jobs=jobs, use_cache=not no_cache)
    for warning in result.warnings:
        _say(warning)
    parts = result.parts
    how = ""
    if result.one_document and not press:
        how = f" (laid out as one document: {result.one_document})"
    if parts is not None:
        ways = []
        if parts.resumed:
            ways.append(f"{len(parts.resumed)} from where "
                        f"{'it' if len(parts.resumed) == 1 else 'they'} changed")
        if parts.renumbered:
            ways.append(f"{len(parts.renumbered)} renumbered without a new layout")
        full = len(parts.rendered) - len(parts.resumed) - len(parts.renumbered)
        if ways and full:
            ways.append(f"{full} in full")
        how = (f" ({len(parts.rendered)} of {len(parts.rendered) + len(parts.cached)} parts "
               f"laid out, {len(parts.cached)} from the cache"
               + (f"; {', '.join(ways)}" if ways else "") + ")")
    if result.unchanged:  # the same parts, finished alike: the file holds it already
        click.echo(f"kept {output}, which holds this brochure already – {result.pages} "
                   f"pages in {result.seconds:.1f} s{how}")
    else:
        click.echo(f"wrote {output} – {result.pages} pages in {result.seconds:.1f} s{how}")
    if os.environ.get("PROGRAMME_DEBUG_PARTS"):
        click.echo("stages: " + ", ".join(f"{name} {seconds:.2f} s"
                                          for name, seconds in result.timings.items()),
                   err=True)


@main.command()
@CONTENT
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("out/handout.pdf"), show_default=True, help="PDF file to write.")
@click.option("--day", "days", multiple=True, metavar="YYYY-MM-DD",
              help="A day sheet for this day (repeatable; 'today' works during the festival). "
                   "Default: every festival day with screenings.")
@click.option("--venue", default=None, metavar="CODE",
              help="Only the screenings at this venue (a code from venues.yaml).")
@click.option("--film", "films", multiple=True, metavar="SLUG",
              help="A film sheet for this film (repeatable), instead of day sheets.")
@click.option("--paper", default="a4", show_default=True, metavar="a4|letter",
              help="Paper size: a4 or letter (US Letter).")
@click.option("--large-print", is_flag=True, help="Large print: no text under 16 pt.")
@click.option("--layout", default=None, metavar="DIR",
              help="Layout folder (or the name of one in layouts/). Default: handout.")
def handout(content_dir: Path, output: Path, days: tuple[str, ...], venue: str | None,
            films: tuple[str, ...], paper: str, large_print: bool, layout: str | None):
    """Print box-office handouts: day sheets or film sheets, on A4 or US Letter.

    \b
    programme handout --day 2012-10-14               one day, every venue
    programme handout --day 2012-10-14 --venue ODN   one day at one venue
    programme handout --day 2012-10-14 --day 2012-10-15   two days, a page break between
    programme handout --film rust-and-bone           one film on one page
    programme handout --day today --large-print --paper letter
    """
    from .handout import Request, build_handout

    request = Request(days=days, venue=venue, films=films, paper=paper, large_print=large_print)
    result, chosen = build_handout(content_dir, output, request, layout=layout)
    for warning in result.warnings:
        _say(warning)
    n = len(chosen.sheets)
    what = "film" if chosen.sheets[0].kind == "film" else "day"
    click.echo(f"wrote {output} – {n} {what} sheet{'s' if n != 1 else ''}, {result.pages} "
               f"page{'s' if result.pages != 1 else ''} in {result.seconds:.1f} s")


@main.command()
@CONTENT
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("out/proof.pdf"), show_default=True, help="PDF file to write.")
@click.option("--film", "films", multiple=True, metavar="SLUG",
              help="Proof this film (repeatable). Default: every film.")
@click.option("--section", "sections", multiple=True, metavar="NAME",
              help="Proof the films of this section, by slug or name (repeatable).")
@click.option("--since", default=None, metavar="REF",
              help="Mark what changed since a git revision of the content or a saved "
                   "snapshot (every proof saves OUT.snapshot.json).")
@click.option("--contact-sheet", is_flag=True,
              help="Also write OUT.contact.png: every page as a thumbnail, in spreads.")
@click.option("--layout", default=None, metavar="DIR",
              help="Brochure layout to proof (folder or name in layouts/). Default: brochure.")
@click.option("-q", "--quiet", is_flag=True,
              help="No progress line (it is shown only on a terminal, never in CI).")
def proof(content_dir: Path, output: Path, films, sections, since, contact_sheet, layout,
          quiet):
    """Build a proof: the brochure for some or all films, stamped PROOF, with missing
    content, changes and overset entries marked and listed on a summary page."""
    from .fastbuild.server import warm_up_early

    warm_up_early(content_dir)  # WeasyPrint is imported on another core meanwhile
    from .progress import showing_progress, wanted
    from .proof import build_proof

    with showing_progress(wanted(quiet)):
        result = build_proof(content_dir, output, films=films, sections=sections, since=since,
                             layout=layout, contact_sheet=contact_sheet)
    for warning in result.warnings:
        _say(warning)
    info = result.info
    if info.changes is not None:
        c = info.changes
        click.echo(f"changes since {c.since}: {len(c.changed)} changed, {len(c.added)} new, "
                   f"{len(c.removed)} removed")
    n = len(result.films)
    click.echo(f"wrote {output} – proof of {n} film{'s' if n != 1 else ''}, {result.pages} "
               f"pages in {result.seconds:.1f} s (snapshot {result.snapshot})")
    if os.environ.get("PROGRAMME_DEBUG_PARTS"):
        click.echo("stages: " + ", ".join(f"{name} {seconds:.2f} s"
                                          for name, seconds in result.timings.items()),
                   err=True)
    if result.contact_sheet:
        click.echo(f"wrote {result.contact_sheet}")


@main.command()
@click.argument("pdf_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON, for machines.")
@click.option("--signature", type=click.IntRange(1, 64), default=4, show_default=True,
              help="The page count must be a multiple of this (1: any count).")
def preflight(pdf_file: Path, as_json: bool, signature: int):
    """Check a finished PDF the way a print shop would, with poppler and qpdf.

    \b
    Fonts embedded and subset (pdffonts); each image's resolution at its placed size
    (pdfimages -list: under 300 ppi a warning naming the film and the file, under 150 an
    error); TrimBox and BleedBox on every page; page count; RGB in a press file; PDF/X
    identification and output intent; file structure (qpdf --check).
    Exit status: 0 no errors, 1 errors found.
    """
    from .preflight import ToolMissing, preflight as run_preflight

    try:
        report = run_preflight(pdf_file, signature=signature)
    except ToolMissing as exc:
        raise click.ClickException(str(exc)) from None
    from .terminal import printable_lines

    if report.unreadable and not as_json:  # nothing to report on: one line, an error
        _say(report.as_text())
        sys.exit(1)
    click.echo(report.as_json() if as_json else printable_lines(report.as_text()))
    sys.exit(1 if report.errors else 0)


@main.command()
@click.argument("pdf_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="PDF file to write. Default: beside PDF_FILE, named NAME-imposed.pdf.")
@click.option("--creep", type=float, default=0.0, show_default=True, metavar="MM",
              help="How far the centre sheet sticks out at the fore-edge, in mm; pages move "
                   "toward the spine by their sheet's share (negative: away from it).")
def impose(pdf_file: Path, output: Path | None, creep: float):
    """Impose a built booklet on printer sheets for saddle stitching.

    Two pages side by side on each sheet side (A4 landscape for A5 pages), in the order
    that reads right when the sheets are printed double-sided (flip on the short edge),
    folded, nested and stapled on the fold.
    """
    from .impose import impose as run_impose

    if output is None:
        output = pdf_file.with_name(f"{pdf_file.stem}-imposed.pdf")
    result = run_impose(pdf_file, output, creep_mm=creep)
    w, h = result.sheet_size_mm
    click.echo(f"wrote {output} – {result.sheets} sheet{'s' if result.sheets != 1 else ''}, "
               f"{result.pages} sides of {w:.0f} × {h:.0f} mm")


@main.command()
@CONTENT
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("out/brochure.pdf"), show_default=True, help="PDF file to write.")
@click.option("--layout", default=None, metavar="DIR",
              help="Layout folder (or the name of one in layouts/). Default: brochure.")
@click.option("--strict", is_flag=True, help="Treat overset entries as errors.")
def watch(content_dir: Path, output: Path, layout: str | None, strict: bool):
    """Build the brochure, then rebuild on every change to the content, layout or fonts.

    A change with an error prints the problems and keeps the last good PDF."""
    from .watch import watch as run

    run(content_dir, output, layout, echo=lambda line: click.echo(line, err=False), strict=strict)


@main.command()
@CONTENT
@click.option("--proof", "kind", flag_value="proof",
              help="Show a proof of every film (stamped, missing content marked).")
@click.option("--handout", "kind", flag_value="handout",
              help="Show the box-office handouts (day sheets).")
@click.option("--layout", default=None, metavar="DIR",
              help="Layout folder (or the name of one in layouts/).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (127.0.0.1: this machine only).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="PDF file to write. Default: out/brochure.pdf (out/proof.pdf, "
                   "out/handout.pdf).")
def serve(content_dir: Path, kind: str | None, layout: str | None, host: str, port: int,
          output: Path | None):
    """A live proof in the browser: every page as it prints, rebuilt on every change.

    Open the address it prints. The page shows the brochure (or --proof, --handout) as
    spreads, and follows every saved change to the content, the layout or the fonts; a
    change with problems shows them over the last good pages. Ctrl-C stops it."""
    from .serve import PortUnavailable, serve as run

    try:
        run(content_dir, kind or "brochure", layout=layout, host=host, port=port,
            output=output, echo=lambda line: click.echo(line, err=False))
    except PortUnavailable as exc:
        raise click.ClickException(str(exc)) from None


@main.command("import")
@click.argument("sheet", type=click.Path(dir_okay=False, path_type=Path))
@CONTENT
@click.option("--screenings", is_flag=True,
              help="One row a screening (film, date, time, venue…), not one row a film.")
@click.option("--sheet", "sheet_name", default=None, metavar="NAME",
              help="Only this sheet of an .xlsx workbook. Default: every visible sheet.")
@click.option("--map", "mapping", default=None, metavar="MAPPING.yaml",
              type=click.Path(dir_okay=False, path_type=Path),
              help="A file naming columns the headers do not (columns:), how list cells "
                   "are split (lists:) and how dates like 03/04/2012 read (dates: dmy|mdy).")
@click.option("--dry-run", is_flag=True, help="Print what would change, field by field; "
                                              "write nothing.")
def import_(sheet: Path, content_dir: Path, screenings: bool, sheet_name: str | None,
            mapping: Path | None, dry_run: bool):
    """Bring films (or screenings) in from a spreadsheet (.csv or .xlsx).

    Columns are matched by header (Title, Director(s), Running time, Section…; with
    --screenings: Film, Date, Time, Venue…). A film that has a file keeps every field the
    sheet does not hold; new films get a file named from the title. Every problem is
    reported at its cell; nothing is written when there is one.
    """
    from .importer import describe_change, import_sheet
    from .problems import display_path
    from .terminal import printable

    result = import_sheet(sheet, content_dir, screenings=screenings, sheet_name=sheet_name,
                          mapping=mapping, dry_run=dry_run)
    for warning in result.warnings:
        _say(warning)
    for plan in result.plans:
        path = display_path(plan.path)
        source = f" from {plan.row.label}" if plan.row is not None else ""
        if dry_run:
            click.echo(printable(f"would {'create' if plan.new else 'update'} {path}{source}"))
            for change in plan.changes:
                click.echo("    " + printable(describe_change(plan, change)))
        elif plan.new:
            click.echo(printable(f"created {path}{source}"))
        else:
            fields = ", ".join(dict.fromkeys(name.split(" (")[0] for name, _o, _n in plan.changes))
            click.echo(printable(f"updated {path}: {fields}"))
    new = sum(p.new for p in result.plans)
    changed = len(result.plans) - new
    what = "screening" if screenings else "film"
    click.echo(printable(
        f"{display_path(sheet)}: {result.rows} {what} row{'s' if result.rows != 1 else ''} – "
        + (f"{new} new film{'s' if new != 1 else ''}, " if not screenings else "")
        + f"{changed} film{'s' if changed != 1 else ''} changed, {result.unchanged} unchanged"
        + ("; nothing written (--dry-run)." if dry_run else ".")))


@main.command("export")
@CONTENT
@click.option("--screenings", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="OUT.csv|OUT.xlsx",
              help="The schedule: one row a screening, for the box office and ticketing.")
@click.option("--films", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="OUT.csv|OUT.xlsx",
              help="The films: one row a film, with the headers `programme import` reads.")
def export_(content_dir: Path, screenings: Path | None, films: Path | None):
    """Write the schedule (--screenings) and/or the films (--films) as a CSV or XLSX sheet.

    CSV is UTF-8; XLSX has a frozen header row and dates as dates. Cells that a
    spreadsheet would run as formulas (=, +, -, @) are escaped."""
    from .exporter import export

    for done in export(content_dir, screenings=screenings, films=films):
        click.echo(f"wrote {done.path} – {done.rows} {done.what[:-1] if done.rows == 1 else done.what}")
