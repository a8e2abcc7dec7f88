"""The typed content model: what a festival *is*, independent of files and layouts.

Every class here is a pydantic model. Unknown fields are errors (``extra='forbid'``)
so that a typo in a YAML key is reported instead of silently ignored. The loader
(:mod:`programme.loader`) turns YAML files into these objects and turns pydantic's
errors into ``file:line: field: message`` problems.

Field descriptions double as the wording of error messages: the ``expect`` entry of
``json_schema_extra`` says, in an editor's words, what a field should contain.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


def expect(text: str, **kwargs):
    """A Field whose validation errors say 'expected <text>'."""
    return Field(json_schema_extra={"expect": text}, **kwargs)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


NonEmpty = Annotated[str, Field(min_length=1)]
LangCode = Annotated[str, Field(pattern=r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")]


# --------------------------------------------------------------------------- festival
class Festival(Strict):
    name: NonEmpty
    edition: str | None = None
    starts: dt.date = expect("a date such as 2012-10-10")
    ends: dt.date = expect("a date such as 2012-10-21")
    organiser: NonEmpty
    lang: LangCode = "en"
    tagline: str | None = None
    website: str | None = None
    cover_image: str | None = expect("an image file name inside content/images", default=None)
    box_office: str | None = expect("booking details (phone, opening hours)", default=None)
    box_office_notes: list[NonEmpty] = expect("a list of notes for ticket buyers", default_factory=list)

    @model_validator(mode="after")
    def _dates_in_order(self):
        if self.ends < self.starts:
            raise ValueError(f"ends ({self.ends}) is before starts ({self.starts})")
        return self

    @property
    def days(self) -> list[dt.date]:
        n = (self.ends - self.starts).days + 1
        return [self.starts + dt.timedelta(days=i) for i in range(n)]


class Venue(Strict):
    code: str = expect("a short venue code in capitals such as NFT1", pattern=r"^[A-Z0-9][A-Z0-9-]{0,9}$")
    name: NonEmpty
    address: NonEmpty
    accessibility: str | None = None


HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class Section(Strict):
    slug: str = expect("a lower-case identifier such as gala", pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: NonEmpty
    colour: str = expect("a colour as #rrggbb", pattern=HEX_COLOUR.pattern)
    introduction: str | None = None
    order: int = expect("a whole number giving the section's place in the brochure")


# ------------------------------------------------------------------------------ film
class Credits(Strict):
    director: list[NonEmpty] = expect("a list of names", min_length=1)
    producer: list[NonEmpty] = expect("a list of names", default_factory=list)
    screenwriter: list[NonEmpty] = expect("a list of names", default_factory=list)
    cast: list[NonEmpty] = expect("a list of names", default_factory=list)


class Distributor(Strict):
    name: NonEmpty
    label: NonEmpty = expect("the territory label such as 'UK distribution'", default="UK distribution")


class AttributedText(Strict):
    """A text with the people who wrote it: a review and its critic, a statement and its authors."""

    text: NonEmpty
    by: str | None = expect("the author's name as it should be printed", default=None)


class Biography(Strict):
    text: NonEmpty


class FilmographyEntry(Strict):
    year: int = expect("a four-digit year", ge=1880, le=2100)
    title: NonEmpty = expect("the title as released (original title)")
    english_title: str | None = expect("the English title, where different", default=None)
    notes: list[NonEmpty] = expect("a list of short notes such as doc or s", default_factory=list)


class Still(Strict):
    file: NonEmpty = expect("an image file name inside content/images")
    caption: str | None = None
    credit: str | None = None


class Screening(Strict):
    venue: str = expect("a venue code from venues.yaml")
    start: dt.datetime = expect("a date and time such as 2012-10-14 18:30")
    sold_out: bool = False
    subtitled: bool = expect("true or false: the screening has English subtitles", default=False)
    audio_described: bool = False
    certificate: str | None = expect("an age certificate such as 15 or 12A", default=None)
    note: str | None = expect("a short note such as 'Q&A with the director'", default=None)

    @field_validator("start", mode="before")
    @classmethod
    def _accept_space(cls, value):
        if isinstance(value, str) and re.match(r"^\d{4}-\d\d-\d\d +\d", value.strip()):
            return re.sub(r" +", "T", value.strip(), count=1)
        return value


class Film(Strict):
    slug: str = expect("a lower-case identifier", pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: NonEmpty
    original_title: str | None = None
    original_language: LangCode | None = expect(
        "a language code such as fr or ru for the original title", default=None)
    tagline: str | None = None
    section: str = expect("a section slug from sections.yaml")
    credits: Credits
    countries: list[NonEmpty] = expect("a list of countries", min_length=1)
    year: int = expect("a four-digit year", ge=1880, le=2100)
    runtime: int = expect("minutes as a whole number", gt=0, lt=1000)
    distributor: Distributor | None = None
    review: AttributedText | None = None
    statement: AttributedText | None = None
    biography: Biography | None = None
    filmography: list[FilmographyEntry] = Field(default_factory=list)
    stills: list[Still] = Field(default_factory=list)
    screenings: list[Screening] = Field(default_factory=list)

    @property
    def first_screening(self) -> dt.datetime | None:
        return min((s.start for s in self.screenings), default=None)


class Programme(Strict):
    """Everything in a content folder, cross-checked."""

    festival: Festival
    venues: list[Venue]
    sections: list[Section]
    films: list[Film]

    @property
    def venue_by_code(self) -> dict[str, Venue]:
        return {v.code: v for v in self.venues}

    def films_in(self, section: Section) -> list[Film]:
        return [f for f in self.films if f.section == section.slug]

    @property
    def ordered_sections(self) -> list[Section]:
        return sorted(self.sections, key=lambda s: (s.order, s.name))
