"""What readers look things up by: title, director and country indexes and the schedule.

All of it is computed from the typed model and handed to templates; page numbers are
left to CSS (``target-counter()``), so they are always those of the finished PDF.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import groupby

from .markup import plain
from .model import Film, Programme, Screening, Venue
from .sorting import filing, name_heading, name_key, sort_key, title_heading


@dataclass(frozen=True)
class IndexEntry:
    """One line of an index: ``text`` filed under ``key``, pointing at ``films``."""

    text: str
    key: tuple
    films: tuple[Film, ...]
    lang: str | None = None
    see: Film | None = None  # a cross-reference: "De rouille et d’os — see Rust and Bone"
    name: str | None = None  # in an index of people, the name as printed ("Jacques Audiard")


@dataclass
class IndexGroup:
    """Entries under one heading: a Latin letter, "0–9", or for every other script the
    script's name in the brochure's language ("Cyrillic", "Chinese, Japanese and Korean"),
    never a letter that would read as a Latin one out of order (Cyrillic В, Greek Α)."""

    heading: str
    entries: list[IndexEntry] = field(default_factory=list)
    script: str | None = None  # "Latn", "Grek", "Cyrl", "Arab", "CJK"…; None for 0–9 and #


def _grouped(entries: list[IndexEntry], head) -> list[IndexGroup]:
    """``entries`` in order, under the headings ``head(entry)`` gives as (heading, script)."""
    entries = sorted(entries, key=lambda e: e.key)
    return [IndexGroup(heading, list(items), script)
            for (heading, script), items in groupby(entries, key=head)]


def title_index(films: list[Film], lang: str = "en") -> list[IndexGroup]:
    """Every film by its title and, as a cross-reference, by its original title; titles in
    other scripts after the Latin ones, under their script's name in the language ``lang``."""
    entries = []
    for film in films:
        title = plain(film.title)
        entries.append(IndexEntry(title, sort_key(title, lang), (film,), lang))
        original = plain(film.original_title) if film.original_title else ""
        if original and original.casefold() != title.casefold():
            entries.append(IndexEntry(original, sort_key(original, film.original_language),
                                      (film,), film.original_language, see=film))
    return _grouped(entries, lambda e: title_heading(e.text, e.lang, lang))


def director_index(films: list[Film], lang: str = "en") -> list[IndexGroup]:
    """Directors as an index files them ("Audiard, Jacques", "Kim Ki-duk": see
    :func:`programme.sorting.file_name`), each with their films in the festival, under the
    first letter of the family name or their script's name in the language ``lang``."""
    by_name: dict[str, list[Film]] = {}
    names: dict[str, str] = {}
    for film in films:
        for name in film.credits.director:
            by_name.setdefault(str(name), []).append(film)
            # one person, one filing: a filing given in any film (a family name) wins
            if str(name) not in names or filing(names[str(name)]) == filing(str(name)):
                names[str(name)] = name
    entries = [IndexEntry(filing(names[printed]).filed, name_key(names[printed]),
                          tuple(sorted(works, key=lambda f: sort_key(plain(f.title), lang))),
                          name=printed)
               for printed, works in by_name.items()]
    return _grouped(entries, lambda e: name_heading(names[e.name], lang))


def country_index(films: list[Film]) -> list[IndexGroup]:
    """Countries of production, each with its films (co-productions under every country)."""
    by_country: dict[str, list[Film]] = {}
    for film in films:
        for country in film.countries:
            by_country.setdefault(country, []).append(film)
    entries = [IndexEntry(country, sort_key(country),
                          tuple(sorted(works, key=lambda f: sort_key(plain(f.title)))))
               for country, works in by_country.items()]
    return [IndexGroup("", sorted(entries, key=lambda e: e.key))]


@dataclass(frozen=True)
class Slot:
    """One screening in the schedule."""

    screening: Screening
    film: Film
    venue: Venue

    @property
    def start(self) -> dt.datetime:
        return self.screening.start

    @property
    def end(self) -> dt.datetime:
        return self.screening.start + dt.timedelta(minutes=self.film.runtime)

    @property
    def ends_next_day(self) -> bool:
        return self.end.date() != self.start.date()

    @property
    def sold_out(self) -> bool:
        return self.screening.sold_out


@dataclass
class ScheduleDay:
    date: dt.date
    slots: list[Slot]

    @property
    def venues(self) -> list[tuple[Venue, list[Slot]]]:
        """The day's screenings grouped by venue, venues in order of their first screening."""
        order = {}
        for slot in self.slots:
            order.setdefault(slot.venue.code, (slot.venue, []))[1].append(slot)
        return list(order.values())


def slots(programme: Programme, films: list[Film] | None = None) -> list[Slot]:
    """Every screening of ``films`` (default: all), in time order, then venue order
    (as in venues.yaml), then title."""
    venues = programme.venue_by_code
    venue_rank = {v.code: i for i, v in enumerate(programme.venues)}
    found = [Slot(s, film, venues[s.venue])
             for film in (programme.films if films is None else films)
             for s in film.screenings]
    lang = programme.festival.lang
    found.sort(key=lambda s: (s.start, venue_rank[s.venue.code],
                              sort_key(plain(s.film.title), lang)))
    return found


def schedule(programme: Programme, films: list[Film] | None = None) -> list[ScheduleDay]:
    """Every screening, day by day, in time order (then venue order)."""
    return [ScheduleDay(date, list(items))
            for date, items in groupby(slots(programme, films), key=lambda s: s.start.date())]
