"""Space budgets: how much room a layout gives each part of an entry, and what overflows.

A layout may declare budgets in ``budgets.yaml`` beside its ``index.html``::

    - element: film        # the HTML class the budget applies to
      max_pages: 3         # an entry may span at most three pages
    - element: review
      max_lines: 34        # a review may take at most 34 lines as laid out

After WeasyPrint has laid out the pages, :func:`measure` walks the layout boxes to count,
for every film entry (an element with class ``film`` and id ``film-<slug>``), how many
pages each budgeted element touches and how many lines it takes. :func:`overset` compares
that with the budgets. Proofs mark overset entries; ``build`` warns, ``build --strict`` fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .problems import Problem, ProgrammeError, display_path
from .yamlfile import read_yaml_safely


class Budget(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    element: str = Field(pattern=r"^[A-Za-z][\w-]*$")
    max_pages: int | None = Field(default=None, ge=1)
    max_lines: int | None = Field(default=None, ge=1)
    label: str | None = None  # how to name the element in messages; default: the class

    @property
    def name(self) -> str:
        return self.label or self.element


def load_budgets(layout_folder: Path) -> list[Budget]:
    path = Path(layout_folder) / "budgets.yaml"
    if not path.is_file():
        return []
    doc = read_yaml_safely(path, display_path(path))
    problems = list(doc.problems)
    budgets = []
    if not problems:
        if not isinstance(doc.data, list):
            problems.append(Problem(doc.label, 1, None, "expected a list of budgets"))
        else:
            for i, item in enumerate(doc.data):
                try:
                    budgets.append(Budget.model_validate(item))
                except ValidationError as exc:
                    for error in exc.errors():
                        loc = (i,) + tuple(error["loc"])
                        problems.append(doc.problem(loc, error["msg"]))
    if problems:
        raise ProgrammeError(problems)
    return budgets


@dataclass
class Extent:
    """Where one element of one entry landed: the pages it touches and its line count."""

    pages: set[int] = field(default_factory=set)
    lines: int = 0


@dataclass
class Measurement:
    """Per film slug, per class: the extent. Plus, per page, the films on it."""

    extents: dict[str, dict[str, Extent]]
    films_on_page: list[list[str]]


def measure(document, classes: set[str]) -> Measurement:
    """Walk the laid-out pages of a WeasyPrint ``document`` (engine/boxes.py)."""
    from .engine.boxes import measure as measure_pages

    extents, films_on_page = measure_pages(document.pages, classes)
    return Measurement({film: {name: Extent(pages, lines)
                               for name, (pages, lines) in by_class.items()}
                        for film, by_class in extents.items()}, films_on_page)


@dataclass(frozen=True)
class Overset:
    film: str
    budget: Budget
    pages: int
    lines: int

    @property
    def message(self) -> str:
        b = self.budget
        if b.max_pages is not None and self.pages > b.max_pages:
            return (f"overset: {b.name} runs to {self.pages} pages; the layout allows "
                    f"{b.max_pages}")
        return (f"overset: {b.name} takes {self.lines} lines; the layout allows {b.max_lines} "
                f"(shorten by {self.lines - b.max_lines})")


def overset(measurement: Measurement, budgets: list[Budget]) -> list[Overset]:
    found = []
    for film, by_class in measurement.extents.items():
        for budget in budgets:
            extent = by_class.get(budget.element)
            if extent is None:
                continue
            too_long = budget.max_pages is not None and len(extent.pages) > budget.max_pages
            too_many = budget.max_lines is not None and extent.lines > budget.max_lines
            if too_long or too_many:
                found.append(Overset(film, budget, len(extent.pages), extent.lines))
    return found
