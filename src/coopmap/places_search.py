"""Find a county or state from what a person types: its name, a city, or a ZIP code.

Cities and ZIP codes go through the MIT-licensed ``zipcodes`` package (offline). Its county names
vary in case and suffix ("Richmond City", "James City"); they are matched to the 2017 county
names of the release, and a name that matches nothing gives no result rather than a guess.

How a query is read, in this order:

* **A ZIP code** gives the county the package names for it: the ZIP's main county (ZIP codes can
  cross county lines, and the result says so).
* **"Name, ST"** (or "Name, State"): a *city* of that name in that state wins over a county of the
  same name (``Austin, TX`` is Travis County, where the city is; Austin County is offered after
  it, named as the county called Austin). A city in several counties lists them, its **main
  county first: the county holding most of the city's ZIP codes** in the package (Austin: Travis,
  78 of 81). An independent city (Census names ending in lowercase " city", e.g. "St. Louis city")
  of that name leads, and the result says it belongs to no county. "County", "Parish" etc. in
  the query ask for the county explicitly.
* **A bare name**: an exact state or county name first, then the county of a big city of that
  name (at least ``BIG_CITY_ZIPS`` ZIP codes: "Boise" is Ada County before Boise County), then the
  counties named so, then smaller cities.
* Otherwise, names that start with the query, then close spellings by rapidfuzz (``fuzz.ratio`` of
  the names without their "County"-style suffix, at least ``FUZZY_CUTOFF``), best first.

Counties of the same name are offered biggest first (Census 2024 population): "Harris" is
Harris County, TX before Harris County, GA.

Spelling does not matter where a phone or a habit changes it: case, accents ("Dona Ana"),
"Saint"/"St.", curly apostrophes ("Prince George’s"), hyphens ("miami dade"), "county"/"parish".
Territories (Guam, Puerto Rico...) have no counties or shapes here: given to the index, each is
one place of level "territory", found by its name, code or a ZIP code; without them a query naming
one says so instead of suggesting a county.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

import pandas as pd
import zipcodes
from rapidfuzz import fuzz, process

from coopmap import gazetteer, text

ZIP_RE = re.compile(r"^\s*(\d{5})(?:-\d{4})?\s*$")
CITY_STATE_RE = re.compile(r"^\s*(.+?)\s*,?\s+([A-Za-z]{2})\s*$")
FUZZY_CUTOFF = 80  # fuzz.ratio: "Hillsborugh" 96, "Pulaksi" 86; "Guam"/"Guadalupe" 46
CITY_FUZZY_CUTOFF = 85
BIG_CITY_ZIPS = 5  # a bare city name with this many ZIP codes leads over same-named counties
SUFFIXES = (" city and borough", " census area", " municipality", " borough", " parish",
            " county", " city")
_COUNTY_WORDS = re.compile(r"\b(county|parish|borough|census area|municipality)$")
_WORDS = {"saint": "st", "sainte": "ste", "ft": "fort", "mt": "mount"}
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})


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

    @property
    def independent_city(self) -> bool:
        """Census writes independent cities with a lowercase suffix: "St. Louis city"."""
        return self.level == "county" and self.name.endswith(" city")


@dataclass(frozen=True)
class SearchResult:
    places: list[Place]
    via: str  # "name", "zip", "city", "territory" or "none"
    note: str | None = None
    extra: dict = field(default_factory=dict)
    # What each place is, in words, by FIPS ("Nashville, TN — Davidson County").
    contexts: dict[str, str] = field(default_factory=dict)

    def context(self, place: Place) -> str:
        return self.contexts.get(place.fips, place.label)


def _key(text_: str) -> str:
    """Case, accents, dots, apostrophes, hyphens and 'Saint'/'St.' do not matter in names."""
    plain = unicodedata.normalize("NFKD", str(text_).translate(_APOSTROPHES))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    plain = plain.casefold().replace(".", " ").replace("'", "").replace("-", " ")
    return " ".join(_WORDS.get(w, w) for w in plain.split())


def _bare(name: str) -> str:
    """A county name without its legal suffix, for 'Baltimore' -> county and city alike."""
    key = _key(name)
    for suffix in SUFFIXES:
        if key.endswith(suffix) and key != suffix.strip():
            return key.removesuffix(suffix)
    return key


@dataclass(frozen=True)
class _City:
    name: str  # as the zipcodes package writes it ("Saint Louis")
    state: str
    counties: tuple[tuple[str, int], ...]  # (county name in the package, ZIP codes), most first

    @property
    def zips(self) -> int:
        return sum(n for _, n in self.counties)


@cache
def _cities() -> dict[tuple[str, str], _City]:
    """Every city of the zipcodes package by (state, name key), with its ZIP codes per county.

    Static package data, the same for every visitor: built once per process."""
    counts: dict[tuple[str, str], Counter] = {}
    names: dict[tuple[str, str], str] = {}
    for rec in zipcodes.list_all():
        if not rec.get("county") or not rec.get("city"):
            continue
        k = (rec["state"], _key(rec["city"]))
        counts.setdefault(k, Counter())[rec["county"]] += 1
        names.setdefault(k, rec["city"])
    return {k: _City(names[k], k[0], tuple(sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))))
            for k, c in counts.items()}


@cache
def _city_keys_by_state() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for state, key in _cities():
        out.setdefault(state, []).append(key)
    return out


def _territory(query: str) -> tuple[str, str] | None:
    """(fips, name) when the query names a territory: "Guam", "GU", "San Juan, PR"."""
    names = dict(zip(gazetteer.states()["state_fips"], gazetteer.states()["name"], strict=True))
    candidates = [query]
    if "," in query:
        candidates.append(query.rsplit(",", 1)[1])
    m = CITY_STATE_RE.match(query)
    candidates.append(m.group(2) if m else query)
    for candidate in candidates:
        hit = gazetteer.state_by_name(candidate)
        fips = hit[0] if hit else None
        if fips is None and re.fullmatch(r"\s*[A-Za-z]{2}\s*", candidate):
            by_abbr = gazetteer.state_by_abbr(candidate)
            fips = by_abbr[0] if by_abbr else None
        if fips in gazetteer.TERRITORY_FIPS:
            return fips, names[fips]
    return None


class PlaceIndex:
    """All counties and states of a release, searchable by name, city and ZIP code.

    ``counties``: county_fips, state_fips, state_abbr, name; ``states``: state_fips, state_abbr,
    name (the release's ``counties`` and ``states`` tables); ``territories`` (the same columns):
    places ICE lists agreements in that the map does not show.
    """

    def __init__(self, counties: pd.DataFrame, states: pd.DataFrame,
                 territories: pd.DataFrame | None = None):
        state_names = dict(zip(states["state_fips"], states["name"], strict=True))
        self.states = [
            Place("state", f, n, f, a, n)
            for f, a, n in zip(states["state_fips"], states["state_abbr"], states["name"],
                               strict=True)
        ]
        if territories is not None:
            self.states += [
                Place("territory", f, n, f, a, n)
                for f, a, n in zip(territories["state_fips"], territories["state_abbr"],
                                   territories["name"], strict=True)
            ]
        self.counties = [
            Place("county", f, n, s, a, state_names.get(s, a))
            for f, s, a, n in zip(counties["county_fips"], counties["state_fips"],
                                  counties["state_abbr"], counties["name"], strict=True)
        ]
        # Same-named counties are offered biggest first ("Harris": Texas before Georgia).
        pop = (counties["population"] if "population" in counties.columns
               else pd.Series(0, index=counties.index))
        self._population = {f: (int(n) if pd.notna(n) else 0)
                            for f, n in zip(counties["county_fips"], pop, strict=True)}
        self._by_fips = {p.fips: p for p in self.states + self.counties}
        self._county_by_state_name = {(p.state_abbr, _key(p.name)): p for p in self.counties}
        self._state_by_abbr = {p.state_abbr: p for p in self.states}
        self._state_by_key = {_key(p.name): p for p in self.states}
        # Sorted once: a completion box asks for every place on every rerun of a page.
        self._all = tuple(sorted(self.states, key=lambda p: p.name) + sorted(
            self.counties, key=lambda p: (p.label.casefold(), p.fips)))
        self._labels = {p.fips: p.label for p in self._all}
        self._options = tuple(self._labels)
        self._keys = {p.fips: (_key(p.name), _key(p.label), _bare(p.name)) for p in self._all}

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

    # --- names ------------------------------------------------------------------------------
    def _named(self, query: str, state_abbr: str | None = None) -> list[Place]:
        """Exact names (full, with or without the legal suffix, or a state's code)."""
        key, bare = _key(query), _bare(query)
        explicit = bool(_COUNTY_WORDS.search(key))
        pool = [p for p in self._all if state_abbr is None
                or (p.state_abbr == state_abbr and p.level == "county")]
        full = [p for p in pool if key in self._keys[p.fips][:2]
                or (p.level == "state" and p.state_abbr.casefold() == key)]
        # "Orleans County, LA" is Orleans Parish; "St. Louis County" is not St. Louis city.
        same = [p for p in pool if p not in full and p.level == "county"
                and self._keys[p.fips][2] == bare
                and not (explicit and p.independent_city)]
        return self._biggest_first(full) + self._biggest_first(same)

    def _biggest_first(self, places: list[Place]) -> list[Place]:
        """States first (by name), then counties by population (unknown last), then label."""
        return sorted(places, key=lambda p: (p.level != "state",
                                             -self._population.get(p.fips, 0), p.label))

    def by_name(self, query: str, limit: int = 10, state_abbr: str | None = None) -> list[Place]:
        """Exact names first (state or county, with or without 'County'), then names that
        start with the query, then close spellings (best first)."""
        key = _key(query)
        if not key:
            return []
        exact = self._named(query, state_abbr)
        if exact:
            return exact[:limit]
        pool = [p for p in self._all if state_abbr is None or p.state_abbr == state_abbr]
        starts = [p for p in pool if self._keys[p.fips][1].startswith(key)
                  or self._keys[p.fips][2].startswith(_bare(query))]
        if starts:
            return starts[:limit]
        return [p for p, _ in self._fuzzy(query, pool, limit)]

    def _fuzzy(self, query: str, pool: list[Place], limit: int) -> list[tuple[Place, float]]:
        choices = {p.fips: self._keys[p.fips][2] for p in pool}
        matches = process.extract(_bare(query), choices, scorer=fuzz.ratio, limit=limit,
                                  score_cutoff=FUZZY_CUTOFF)
        found = [(self._by_fips[fips], score) for _, score, fips in matches]
        return sorted(found, key=lambda ps: (-ps[1], -self._population.get(ps[0].fips, 0)))

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

    # --- ZIP codes and cities ----------------------------------------------------------------
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
                    {place.fips: text.t("search.context.zip", zip=zip_code, city=rec["city"],
                                        state=rec["state"], county=place.label)},
                )
            territory = self._state_by_abbr.get(rec["state"])
            if territory is not None and territory.level == "territory":
                note = text.t("search.zip_territory", zip=zip_code, territory=territory.name)
                return SearchResult([territory], "zip", note, {"city": rec["city"]},
                                    {territory.fips: note})
        return SearchResult([], "none", text.t("search.none", query=zip_code))

    def _city_places(self, city: _City) -> list[tuple[Place, int]]:
        out: dict[str, tuple[Place, int]] = {}
        for county, n in city.counties:
            place = self.county_from_zipcodes_name(city.state, county)
            if place is not None:
                prev = out.get(place.fips, (place, 0))[1]
                out[place.fips] = (place, prev + n)
        return sorted(out.values(), key=lambda pn: (-pn[1], pn[0].label))

    def _city_result(self, cities: list[_City], also: list[Place]) -> SearchResult:
        """The counties of ``cities`` (main county first), then ``also`` (same-named counties)."""
        places: list[Place] = []
        contexts: dict[str, str] = {}
        states = sorted({c.state for c in cities})
        for city in cities:
            found = self._city_places(city)
            total = sum(n for _, n in found)
            # An independent city of the city's name is the city itself: it leads.
            found.sort(key=lambda pn: (not (pn[0].independent_city
                                            and _bare(pn[0].name) == _key(city.name)), -pn[1]))
            around = {_bare(p.name) for p, _ in found if p.independent_city}
            for i, (place, n) in enumerate(found):
                if place.fips in contexts:
                    continue
                places.append(place)
                where = f"{city.name}, {city.state}"
                if place.independent_city:
                    contexts[place.fips] = text.t("search.context.independent", city=where,
                                                  county=place.name)
                elif _bare(place.name) in around:
                    contexts[place.fips] = text.t("search.context.county_around",
                                                  place=place.label)
                elif len(found) == 1:
                    contexts[place.fips] = text.t("search.context.city", city=where,
                                                  county=place.name)
                elif i == 0:
                    contexts[place.fips] = text.t("search.context.city_main", city=where,
                                                  county=place.name, n=n, total=total)
                else:
                    contexts[place.fips] = text.t("search.context.city_part", city=where,
                                                  county=place.name, n=n, total=total)
        for place in also:
            if place.fips in contexts:
                continue
            places.append(place)
            if place.independent_city:
                contexts[place.fips] = text.t("search.context.independent_named",
                                              place=place.label)
            elif any(p.independent_city and p.state_fips == place.state_fips
                     and _bare(p.name) == _bare(place.name) for p in places):
                contexts[place.fips] = text.t("search.context.county_around", place=place.label)
            else:
                contexts[place.fips] = text.t("search.context.county_named", place=place.label,
                                              name=_display_bare(place.name))
        if not places:
            return SearchResult([], "none")
        city_name = cities[0].name if cities else ""
        if len(places) == 1 and cities:
            note = text.t("search.city_note", city=city_name, state=states[0],
                          county=places[0].label)
        elif len(places) == 1:
            note = None
        elif len(states) > 1:
            note = text.t("search.city_many_states", city=city_name, states=", ".join(states))
        elif cities and len(self._city_places(cities[0])) > 1:
            note = text.t("search.city_many", city=city_name, state=states[0])
        else:
            note = text.t("search.pick_one")
        return SearchResult(places, "city" if cities else "name", note, {}, contexts)

    def by_city(self, city: str, state_abbr: str | None = None) -> SearchResult:
        """A city's counties (main county first); several states' cities when none is given."""
        key = _key(city)
        if state_abbr:
            found = [c for c in [_cities().get((state_abbr.upper(), key))] if c]
        else:
            found = sorted((c for (_, k), c in _cities().items() if k == key),
                           key=lambda c: (-c.zips, c.state))
        found = [c for c in found if self._city_places(c)]
        result = self._city_result(found, [])
        if not result.places:
            return SearchResult([], "none", text.t("search.none", query=city))
        return result

    # --- the one way in ----------------------------------------------------------------------
    def search(self, query: str, limit: int = 12) -> SearchResult:
        """A ZIP code, 'City, ST', or a county/state/city name, read as the module says."""
        query = (query or "").strip()
        if not _key(query):
            return SearchResult([], "none")
        m = ZIP_RE.match(query)
        if m:
            return self.by_zip(m.group(1))
        name, abbr = self._split_state(query)
        if abbr is None:
            territory = _territory(query)
            if territory is not None and territory[0] not in self._by_fips:
                return SearchResult([], "territory",
                                    text.t("search.territory", name=territory[1]))
        if abbr is not None:
            return self._in_state(name, abbr, limit)
        return self._anywhere(query, limit)

    def _split_state(self, query: str) -> tuple[str, str | None]:
        """("Austin", "TX") from "Austin, TX", "Austin TX" or "Austin, Texas"."""
        if "," in query:
            head, tail = query.rsplit(",", 1)
            state = self._state_by_key.get(_key(tail)) or self._state_by_abbr.get(
                tail.strip().upper())
            if state is not None and _key(head):
                return head.strip(), state.state_abbr
        m = CITY_STATE_RE.match(query)
        if m and m.group(2).upper() in self._state_by_abbr and _key(m.group(1)):
            return m.group(1), m.group(2).upper()
        return query, None

    def _in_state(self, name: str, abbr: str, limit: int) -> SearchResult:
        key = _key(name)
        named = self._named(name, abbr)
        if _COUNTY_WORDS.search(key) and named:
            return SearchResult(named[:limit], "name")
        city = _cities().get((abbr, key))
        if city is not None and self._city_places(city):
            return self._city_result([city], named)
        if named:
            return SearchResult(named[:limit], "name")
        # Neither a city nor a county of that name: names that start so, then close spellings
        # of cities and counties alike (a misspelt city must not land on a county's name).
        pool = [p for p in self._all if p.state_abbr == abbr and p.level == "county"]
        starts = [p for p in pool if self._keys[p.fips][2].startswith(_bare(name))]
        if starts:
            return SearchResult(starts[:limit], "name")
        counties = self._fuzzy(name, pool, limit)
        city_hits = process.extract(key, _city_keys_by_state().get(abbr, []), scorer=fuzz.ratio,
                                    limit=3, score_cutoff=CITY_FUZZY_CUTOFF)
        best_city = max((s for _, s, _ in city_hits), default=0)
        if city_hits and best_city >= max((s for _, s in counties), default=0):
            cities = [_cities()[(abbr, k)] for k, _, _ in city_hits]
            return self._city_result(cities, [p for p, _ in counties])
        if counties:
            return SearchResult([p for p, _ in counties], "name")
        return SearchResult([], "none", text.t("search.none", query=f"{name}, {abbr}"))

    def _anywhere(self, query: str, limit: int) -> SearchResult:
        key = _key(query)
        named = self._named(query)
        states = [p for p in named if p.level == "state"]
        if _COUNTY_WORDS.search(key) and named:
            return SearchResult(named[:limit], "name")
        cities = self.by_city(query)
        if cities.places:
            city_list = sorted((c for (_, k), c in _cities().items()
                                if k == key and self._city_places(c)),
                               key=lambda c: (-c.zips, c.state))
            big = [c for c in city_list if c.zips >= BIG_CITY_ZIPS]
            # A state's own name ("Florida") is the state, not also every small town so named.
            small = [c for c in city_list if c.zips < BIG_CITY_ZIPS and not states]
            counties = [p for p in named if p.level == "county"]
            result = self._city_result(big, counties)
            rest = self._city_result(small, [])
            places = states + result.places + [p for p in rest.places
                                               if p not in result.places]
            contexts = {**rest.contexts, **result.contexts}
            via = "city" if big or not (counties or states) else "name"
            if len(places) == 1:
                return SearchResult(places, via, result.note or rest.note, {}, contexts)
            return SearchResult(places[:limit], via, text.t("search.pick_one"), {}, contexts)
        if named:
            return SearchResult(named[:limit], "name")
        found = self.by_name(query, limit)
        if found:
            return SearchResult(found, "name", text.t("search.pick_one") if len(found) > 1
                                else None)
        return SearchResult([], "none", text.t("search.none", query=query))


def _display_bare(name: str) -> str:
    """'Austin County' -> 'Austin' for "the county named Austin"."""
    for suffix in (" County", " Parish", " Borough", " Census Area", " Municipality"):
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name
