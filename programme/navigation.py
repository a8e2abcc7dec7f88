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
from .sorting import index_letter, inverted_name, name_key, sort_key


@dataclass(frozen=True)
class IndexEntry:
    """One line of an index: ``text`` filed under ``key``, pointing at ``films``."""

    text: str
    key: tuple
    films: tuple[Film, ...]
    lang: str | None = None
    see: Film | None = None  # a cross-reference: "De rouille et d’os — see Rust and Bone"


@dataclass
class IndexGroup:
    heading: str
    entries: list[IndexEntry] = field(default_factory=list)


def _grouped(entries: list[IndexEntry], letter) -> list[IndexGroup]:
    entries = sorted(entries, key=lambda e: e.key)
    return [IndexGroup(heading, list(items))
            for heading, items in groupby(entries, key=letter)]


def title_index(films: list[Film], lang: str = "en") -> list[IndexGroup]:
    """Every film by its title and, as a cross-reference, by its original title."""
    entries = []
    for film in films:
        title = plain(film.title)
        entries.append(IndexEntry(title, sort_key(title, lang), (film,), lang))
        original = plain(film.original_title) if film.original_title else ""
        if original and original.casefold() != title.casefold():
            entries.append(IndexEntry(original, sort_key(original, film.original_language),
                                      (film,), film.original_language, see=film))
    return _grouped(entries, lambda e: index_letter(e.text, e.lang))


def director_index(films: list[Film]) -> list[IndexGroup]:
    """Directors, family name first, each with their films in the festival."""
    by_name: dict[str, list[Film]] = {}
    for film in films:
        for name in film.credits.director:
            by_name.setdefault(name, []).append(film)
    entries = [IndexEntry(inverted_name(name), name_key(name),
                          tuple(sorted(works, key=lambda f: sort_key(plain(f.title)))))
               for name, works in by_name.items()]
    return _grouped(entries, lambda e: index_letter(e.text))


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
