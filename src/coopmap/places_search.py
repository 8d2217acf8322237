"""Find a county or state from what a person types: its name, a city, or a ZIP code.

Cities and ZIP codes go through the MIT-licensed ``zipcodes`` package (offline). A ZIP code maps
to the county the package gives for it, which is the ZIP's main county: ZIP codes can cross county
lines, and the result says so. The package's county names vary in case and suffix ("Richmond
City", "James City"); they are matched to the 2017 county names of the release, and a name that
matches nothing gives no result rather than a guess.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd
import zipcodes
from rapidfuzz import fuzz, process

from coopmap import text

ZIP_RE = re.compile(r"^\s*(\d{5})(?:-\d{4})?\s*$")
CITY_STATE_RE = re.compile(r"^\s*(.+?)\s*,?\s+([A-Za-z]{2})\s*$")
FUZZY_CUTOFF = 75


@dataclass(frozen=True)
class Place:
    level: str  # "county" or "state"
    fips: str
    name: str  # "Lee County", "Florida"
    state_fips: str
    state_abbr: str
    state_name: str

    @property
    def label(self) -> str:
        return f"{self.name}, {self.state_abbr}" if self.level == "county" else self.name


@dataclass(frozen=True)
class SearchResult:
    places: list[Place]
    via: str  # "name", "zip", "city" or "none"
    note: str | None = None
    extra: dict = field(default_factory=dict)


def _key(text_: str) -> str:
    """Case, accents, dots and 'Saint' do not matter when matching names."""
    plain = unicodedata.normalize("NFKD", str(text_))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(plain.replace(".", "").replace("Saint ", "St ").split()).casefold()


def _bare(name: str) -> str:
    """A county name without its legal suffix, for 'Baltimore' -> county and city alike."""
    key = _key(name)
    for suffix in (" county", " city", " parish", " borough", " census area",
                   " city and borough", " municipality"):
        key = key.removesuffix(suffix)
    return key


class PlaceIndex:
    """All counties and states of a release, searchable by name, city and ZIP code.

    ``counties``: county_fips, state_fips, state_abbr, name; ``states``: state_fips, state_abbr,
    name (the release's ``counties`` and ``states`` tables).
    """

    def __init__(self, counties: pd.DataFrame, states: pd.DataFrame):
        state_names = dict(zip(states["state_fips"], states["name"], strict=True))
        self.states = [
            Place("state", f, n, f, a, n)
            for f, a, n in zip(states["state_fips"], states["state_abbr"], states["name"],
                               strict=True)
        ]
        self.counties = [
            Place("county", f, n, s, a, state_names.get(s, a))
            for f, s, a, n in zip(counties["county_fips"], counties["state_fips"],
                                  counties["state_abbr"], counties["name"], strict=True)
        ]
        self._by_fips = {p.fips: p for p in self.states + self.counties}
        self._county_by_state_name = {(p.state_abbr, _key(p.name)): p for p in self.counties}
        self._state_by_abbr = {p.state_abbr: p for p in self.states}
        # Sorted once: a completion box asks for every place on every rerun of a page.
        self._all = tuple(sorted(self.states, key=lambda p: p.name) + sorted(
            self.counties, key=lambda p: (p.label.casefold(), p.fips)))
        self._labels = {p.fips: p.label for p in self._all}
        self._options = tuple(self._labels)

    def all(self) -> list[Place]:
        """States (by name), then counties (by label): the options of a completion box."""
        return list(self._all)

    def options(self) -> tuple[str, ...]:
        """The FIPS codes of ``all()``, in the same order (computed once)."""
        return self._options

    def label(self, fips: str) -> str:
        """The place's label ("Lee County, FL", "Florida"); an unknown code as itself."""
        return self._labels.get(str(fips), str(fips))

    def get(self, fips: str) -> Place | None:
        return self._by_fips.get(str(fips))

    # --- the three ways in -----------------------------------------------------------------
    def by_name(self, query: str, limit: int = 10) -> list[Place]:
        """Exact names first (state or county, with or without 'County'), then close spellings."""
        key = _key(query)
        if not key:
            return []
        exact = [p for p in self._all if _key(p.name) == key or _key(p.label) == key
                 or _bare(p.name) == key
                 or (p.level == "state" and p.state_abbr.casefold() == key)]
        if exact:
            return exact[:limit]
        starts = [p for p in self._all if _key(p.label).startswith(key)]
        if starts:
            return starts[:limit]
        matches = process.extract(key, {f: _key(lab) for f, lab in self._labels.items()},
                                  scorer=fuzz.WRatio, limit=limit, score_cutoff=FUZZY_CUTOFF)
        return [self._by_fips[fips] for _, _, fips in matches]

    def county_from_zipcodes_name(self, state_abbr: str, county: str) -> Place | None:
        """Match the ``zipcodes`` package's county name to a county of the release, or None."""
        if not county:
            return None
        key = _key(county)
        for candidate in (key, key + " county", key.removesuffix(" county")):
            hit = self._county_by_state_name.get((state_abbr, candidate))
            if hit is not None:
                return hit
        return None

    def by_zip(self, zip_code: str) -> SearchResult:
        try:
            records = zipcodes.matching(zip_code)
        except (ValueError, TypeError):
            records = []
        for rec in records:
            place = self.county_from_zipcodes_name(rec["state"], rec["county"])
            if place is not None:
                return SearchResult(
                    [place], "zip",
                    text.t("search.zip_note", zip=zip_code, county=place.label),
                    {"city": rec["city"]},
                )
        return SearchResult([], "none", text.t("search.none", query=zip_code))

    def by_city(self, city: str, state_abbr: str | None = None) -> SearchResult:
        filters = {"city": city.strip().title()}
        if state_abbr:
            filters["state"] = state_abbr.upper()
        try:
            records = zipcodes.filter_by(**filters)
        except (ValueError, TypeError):
            records = []
        found: dict[str, Place] = {}
        counts: dict[str, int] = {}
        for rec in records:
            place = self.county_from_zipcodes_name(rec["state"], rec["county"])
            if place is not None:
                found[place.fips] = place
                counts[place.fips] = counts.get(place.fips, 0) + 1
        if not found:
            return SearchResult([], "none", text.t("search.none", query=city))
        # Most ZIP codes first: the city's main county leads.
        places = sorted(found.values(), key=lambda p: (-counts[p.fips], p.label))
        states = {p.state_abbr for p in places}
        city_name = filters["city"]
        if len(places) == 1:
            note = text.t("search.city_note", city=city_name, state=places[0].state_abbr,
                          county=places[0].label)
        elif len(states) > 1:
            note = text.t("search.city_many_states", city=city_name,
                          states=", ".join(sorted(states)))
        else:
            note = text.t("search.city_many", city=city_name, state=places[0].state_abbr)
        return SearchResult(places, "city", note)

    def search(self, query: str, limit: int = 10) -> SearchResult:
        """A ZIP code, 'City, ST', or a county/state name (falling back to a city name)."""
        query = (query or "").strip()
        if not query:
            return SearchResult([], "none")
        m = ZIP_RE.match(query)
        if m:
            return self.by_zip(m.group(1))
        m = CITY_STATE_RE.match(query)
        if m and m.group(2).upper() in self._state_by_abbr:
            name, abbr = m.group(1), m.group(2).upper()
            in_state = [p for p in self.by_name(name, 200) if p.state_abbr == abbr]
            exact = [p for p in in_state
                     if _bare(p.name) == _key(name) or _key(p.name) == _key(name)]
            if exact:
                return SearchResult(exact, "name")
            by_city = self.by_city(name, abbr)
            if by_city.places:
                return by_city
            if in_state:
                return SearchResult(in_state[:limit], "name")
        named = self.by_name(query, limit)
        exact = [p for p in named if _bare(p.name) == _key(query) or _key(p.name) == _key(query)]
        if exact:
            return SearchResult(named, "name")
        by_city = self.by_city(query)
        if by_city.places:
            return by_city
        if named:
            return SearchResult(named, "name")
        return SearchResult([], "none", text.t("search.none", query=query))
