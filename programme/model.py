"""The typed content model: what a festival *is*, independent of files and layouts.

Every class here is a pydantic model. Unknown fields are errors (``extra='forbid'``)
so that a typo in a YAML key is reported instead of silently ignored. The loader
(:mod:`programme.loader`) turns YAML files into these objects and turns pydantic's
errors into ``file:line: field: message`` problems.

Field descriptions double as the wording of error messages: the ``expect`` entry of
``json_schema_extra`` says, in an editor's words, what a field should contain.

Content text (titles, names, reviews, captions…) gets the typography rules of
:mod:`programme.typography` here, in its language, so every consumer (templates, bookmarks,
PDF metadata, sorting) sees the same text. A text's language is the festival's ``lang``
(passed by the loader as the validation context, ``{"lang": "en"}``), except:
``original_title`` is in ``original_language``; a filmography title is in its entry's
``lang``, else the film's ``original_language``; a review, statement or biography may give its
own ``lang``. Text fields have a length limit (``SHORT`` or ``LONG`` characters).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated

from pydantic import (AfterValidator, BaseModel, ConfigDict, Discriminator, Field, Tag,
                      ValidationInfo, field_validator, model_validator)

from .sorting import Filing, NameError_, file_name, filing as filing_of
from .typography import smarten


def expect(text: str, **kwargs):
    """A Field whose validation errors say 'expected <text>'."""
    return Field(json_schema_extra={"expect": text}, **kwargs)


SHORT = 1_000   # characters in a title, name, caption, note…
LONG = 20_000   # characters in a review, statement, biography or introduction (about 3 000 words)
MAX_FESTIVAL_DAYS = 60  # a longer festival is a typing mistake (ends: 9012-10-21)


class Strict(BaseModel):
    # Every text has a length limit: SHORT unless its type gives LONG (a web address, a
    # certificate or a code of 300,000 characters is refused like a title).
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True,
                              str_max_length=SHORT)


def _context_lang(info: ValidationInfo | None) -> str | None:
    context = info.context if info is not None else None
    return context.get("lang") if isinstance(context, dict) else None


def _text(value: str, lang: str | None) -> str:
    """Content text as printed: composed (NFC: text from macOS is often decomposed, é as e
    and a combining accent) and with the typography of language ``lang``."""
    return smarten(unicodedata.normalize("NFC", value), lang or "en")


def _typeset(value: str, info: ValidationInfo) -> str:
    """Content text in the festival's language."""
    return _text(value, _context_lang(info))


def _set(model: BaseModel, name: str, value) -> None:
    object.__setattr__(model, name, value)  # the models are frozen once validated


NonEmpty = Annotated[str, Field(min_length=1, max_length=SHORT), AfterValidator(_typeset)]
Line = Annotated[str, Field(max_length=SHORT), AfterValidator(_typeset)]  # may be empty
# A file name is used as written: no typography, no Unicode normalisation.
FileName = Annotated[str, Field(min_length=1, max_length=SHORT)]
Prose = Annotated[str, Field(min_length=1, max_length=LONG), AfterValidator(_typeset)]
LongLine = Annotated[str, Field(max_length=LONG), AfterValidator(_typeset)]  # may be empty
# Text in a language of its own: its model applies the typography (see _languages).
OwnLanguage = Annotated[str, Field(min_length=1, max_length=SHORT)]
OwnLanguageProse = Annotated[str, Field(min_length=1, max_length=LONG)]
LangCode = Annotated[str, Field(pattern=r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")]


# --------------------------------------------------------------------------- festival
class Advert(Strict):
    """A whole-page advert of the festival's own, printed on a filler page (see fillers.py)."""

    title: NonEmpty = expect("the advert's heading such as 'Become a member'")
    text: Prose = expect("the advert's text")


class Festival(Strict):
    name: NonEmpty
    edition: Line | None = None
    starts: dt.date = expect("a date such as 2012-10-10")
    ends: dt.date = expect("a date such as 2012-10-21")
    organiser: NonEmpty
    lang: LangCode = expect("a language code such as en or fr: the language of the brochure",
                            default="en")
    tagline: Line | None = None
    website: str | None = expect("a web address such as northbank-festival.example",
                                 default=None)
    cover_image: FileName | None = expect("an image file name inside content/images",
                                          default=None)
    box_office: Line | None = expect("booking details (phone, opening hours)", default=None)
    box_office_notes: list[NonEmpty] = expect("a list of notes for ticket buyers", default_factory=list)
    adverts: list[Advert] = expect("a list of adverts, each with a title and text", default_factory=list)

    @field_validator("ends")
    @classmethod
    def _dates_in_order(cls, ends: dt.date, info: ValidationInfo):
        starts = info.data.get("starts")  # absent when starts itself is wrong
        if starts is None:
            return ends
        if ends < starts:
            raise ValueError(f"ends ({ends}) is before starts ({starts})")
        days = (ends - starts).days + 1
        if days > MAX_FESTIVAL_DAYS:
            raise ValueError(f"the festival would run {days:,} days ({starts} to {ends}); "
                             f"a festival runs at most {MAX_FESTIVAL_DAYS} days: is the "
                             "year right?")
        return ends

    @property
    def days(self) -> list[dt.date]:
        n = (self.ends - self.starts).days + 1
        return [self.starts + dt.timedelta(days=i) for i in range(n)]


class Venue(Strict):
    code: str = expect("a short venue code in capitals such as NFT1", pattern=r"^[A-Z0-9][A-Z0-9-]{0,9}$")
    name: NonEmpty
    address: NonEmpty
    accessibility: Line | None = None


HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class Section(Strict):
    slug: str = expect("a lower-case identifier such as gala", pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: NonEmpty
    colour: str = expect("a colour as #rrggbb", pattern=HEX_COLOUR.pattern)
    introduction: LongLine | None = None
    order: int = expect("a whole number giving the section's place in the brochure")


# ------------------------------------------------------------------------------ film
class NameFields(Strict):
    """A name printed as written and filed by the family name it names:
    ``{name: Kim Ki-duk, family: Kim}`` (family name first: filed as written) or
    ``{name: Pedro Almodóvar Caballero, family: Almodóvar Caballero}`` (filed
    "Almodóvar Caballero, Pedro")."""

    name: NonEmpty = expect("the name as it is printed, such as Kim Ki-duk")
    family: NonEmpty = expect("the family name as written in name (its first or last words), "
                              "such as Kim")


class Name(str):
    """A person's name from the credits: the string is the name as printed; ``filing`` says
    how an index files it (:func:`programme.sorting.file_name`). A plain string everywhere
    else, so templates print it and join lists of names as before."""

    def __new__(cls, printed: str = "", filing: Filing | None = None):
        self = super().__new__(cls, printed)
        self.filing = filing if filing is not None else filing_of(printed)
        return self

    @property
    def filed(self) -> str:
        """As an index shows it: 'Audiard, Jacques', 'Kim Ki-duk'."""
        return self.filing.filed

    @property
    def family(self) -> str:
        return self.filing.family

    @property
    def given(self) -> str:
        return self.filing.given


def _as_name(value: "str | NameFields") -> Name:
    try:
        if isinstance(value, NameFields):
            filing = file_name(value.name, value.family)
        else:
            filing = file_name(value)
    except NameError_ as exc:
        raise ValueError(str(exc)) from None
    return Name(filing.printed, filing)


# The two ways to write a name: text, or fields. The tags name the branch pydantic took in
# an error's location; the loader leaves them out (credits.director[0].family, not
# credits.director[0].<fields>.family).
NAME_AS_TEXT, NAME_AS_FIELDS = "<name as text>", "<name as fields>"
UNION_TAGS = frozenset({NAME_AS_TEXT, NAME_AS_FIELDS})
PersonName = Annotated[
    Annotated[NonEmpty, Tag(NAME_AS_TEXT)] | Annotated[NameFields, Tag(NAME_AS_FIELDS)],
    Discriminator(lambda v: NAME_AS_FIELDS if isinstance(v, (dict, NameFields)) else NAME_AS_TEXT),
    AfterValidator(_as_name)]


class Credits(Strict):
    """Names as printed ("Jacques Audiard", filed "Audiard, Jacques"); "Family, Given" is
    printed "Given Family"; or fields: {name: Kim Ki-duk, family: Kim}. See
    :func:`programme.sorting.file_name`."""

    director: list[PersonName] = expect("a list of names", min_length=1)
    producer: list[PersonName] = expect("a list of names", default_factory=list)
    screenwriter: list[PersonName] = expect("a list of names", default_factory=list)
    cast: list[PersonName] = expect("a list of names", default_factory=list)


class Distributor(Strict):
    name: NonEmpty
    label: NonEmpty = expect("the territory label such as 'UK distribution'", default="UK distribution")


class LanguageText(Strict):
    """A text of paragraphs in its own language (the festival's unless ``lang`` says)."""

    text: OwnLanguageProse
    lang: LangCode | None = expect(
        "a language code such as fr: the language of the text, if not the festival's", default=None)

    @model_validator(mode="after")
    def _language(self, info: ValidationInfo):
        _in_language(self, info)
        return self


class AttributedText(LanguageText):
    """A text with the people who wrote it: a review and its critic, a statement and its authors."""

    by: Line | None = expect("the author's name as it should be printed", default=None)


class Biography(LanguageText):
    """The director's biography."""


def _in_language(model: BaseModel, info: ValidationInfo) -> None:
    """Typography for ``model.text`` in its own ``lang``, else the festival's."""
    _set(model, "text", _text(model.text, model.lang or _context_lang(info)))


class FilmographyEntry(Strict):
    year: int = expect("a four-digit year", ge=1880, le=2100)
    title: OwnLanguage = expect("the title as released (original title)")
    english_title: Line | None = expect("the English title, where different", default=None)
    lang: LangCode | None = expect(
        "a language code such as fr: the language of the title (default: the film's "
        "original_language)", default=None)
    notes: list[NonEmpty] = expect("a list of short notes such as doc or s", default_factory=list)


class Still(Strict):
    file: FileName = expect("an image file name inside content/images")
    caption: Line | None = None
    credit: Line | None = None


class Screening(Strict):
    venue: str = expect("a venue code from venues.yaml")
    start: dt.datetime = expect("a date and time such as 2012-10-14 18:30")
    sold_out: bool = expect("true or false: the screening is sold out", default=False)
    subtitled: bool = expect("true or false: the screening has English subtitles", default=False)
    audio_described: bool = expect("true or false: the screening is audio described",
                                   default=False)
    certificate: str | None = expect("an age certificate such as 15 or 12A", default=None)
    note: Line | None = expect("a short note such as 'Q&A with the director'", default=None)

    @field_validator("start", mode="before")
    @classmethod
    def _accept_space(cls, value):
        if isinstance(value, str) and re.match(r"^\d{4}-\d\d-\d\d +\d", value.strip()):
            return re.sub(r" +", "T", value.strip(), count=1)
        return value

    @field_validator("start")
    @classmethod
    def _local_time(cls, value: dt.datetime):
        if value.tzinfo is not None:
            raise ValueError("give the local time at the venue, without a time zone "
                             "(such as 2012-10-14 18:30)")
        return value


class Film(Strict):
    slug: str = expect("a lower-case identifier", pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: NonEmpty
    original_title: OwnLanguage | None = None
    original_language: LangCode | None = expect(
        "a language code such as fr or ru for the original title", default=None)
    tagline: Line | None = None
    section: str = expect("a section slug from sections.yaml")
    credits: Credits = expect("the credits' fields: director (and producer, screenwriter, "
                              "cast), each a list of names")
    countries: list[NonEmpty] = expect("a list of countries", min_length=1)
    year: int = expect("a four-digit year", ge=1880, le=2100)
    runtime: int = expect("minutes as a whole number", gt=0, lt=1000)
    distributor: Distributor | None = expect(
        "the distributor's fields: name (and label, such as 'UK distribution')", default=None)
    review: AttributedText | None = expect(
        "the review's fields: text (a folded block, >-), by (the critic), lang (optional)",
        default=None)
    statement: AttributedText | None = expect(
        "the statement's fields: text (a folded block, >-), by (its authors), lang (optional)",
        default=None)
    biography: Biography | None = expect(
        "the biography's fields: text (a folded block, >-), lang (optional)", default=None)
    filmography: list[FilmographyEntry] = expect(
        "a list of films, each with year and title", default_factory=list)
    stills: list[Still] = expect("a list of stills, each with file (and caption, credit)",
                                 default_factory=list)
    screenings: list[Screening] = expect(
        "a list of screenings, each with venue and start", default_factory=list)

    @model_validator(mode="after")
    def _languages(self, info: ValidationInfo):
        """original_title is in original_language; so are filmography titles without a lang."""
        festival = _context_lang(info) or "en"
        if self.original_title is not None:
            _set(self, "original_title", _text(self.original_title,
                                               self.original_language or festival))
        for entry in self.filmography:
            _set(entry, "title", _text(entry.title, entry.lang or self.original_language
                                       or festival))
        return self

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
