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


def _report_problems(problems) -> None:
    errors = [p for p in problems if p.severity == "error"]
    for problem in problems:
        click.echo(str(problem), err=True)
    if errors:
        n = len(errors)
        click.echo(f"{n} problem{'s' if n != 1 else ''} found; nothing was written.", err=True)


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
        except Exception as exc:  # a bug in programme itself
            if os.environ.get("PROGRAMME_DEBUG"):
                traceback.print_exc()
            click.echo(f"internal error: {type(exc).__name__}: {exc}\n"
                       "This is a bug in programme; set PROGRAMME_DEBUG=1 for details. "
                       "Nothing was written.", err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="programme")
def main():
    """Turn a film festival's content (YAML) and layouts (HTML/CSS) into print-ready PDFs.

    CONTENT_DIR defaults to ./content; its parent folder is the festival project, whose
    layouts/ and fonts/ are used before the built-in ones.
    """


@main.command()
@CONTENT
def validate(content_dir: Path):
    """Check the content and report every problem with file, line and field."""
    from .loader import load_content

    content = load_content(content_dir)
    for warning in content.warnings:
        click.echo(str(warning), err=True)
    p = content.programme
    click.echo(f"{content_dir}: OK – {len(p.films)} films in {len(p.sections)} sections, "
               f"{sum(len(f.screenings) for f in p.films)} screenings at {len(p.venues)} venues.")


@main.command()
@CONTENT
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("out/brochure.pdf"), show_default=True, help="PDF file to write.")
@click.option("--layout", default=None, metavar="DIR",
              help="Layout folder (or the name of one in layouts/). Default: brochure.")
def build(content_dir: Path, output: Path, layout: str | None):
    """Build the festival brochure PDF."""
    from .build import build_pdf

    result = build_pdf(content_dir, output, layout=layout, kind="brochure")
    for warning in result.warnings:
        click.echo(str(warning), err=True)
    click.echo(f"wrote {output} – {result.pages} pages in {result.seconds:.1f} s")
