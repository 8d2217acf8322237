"""Matching ICE's agencies to the counties (or the state) they cover.

One call, ``match_agencies``, takes one row per distinct agency and adds where it belongs:
``jurisdiction_level``, ``county_fips_list``, ``match_method`` and ``match_note``. The steps run
from most to least direct, and the first that answers wins:

1. territories (Guam, CNMI...) are outside the map;
2. a reviewed entry in ``corrections/agency_jurisdictions.csv`` (universities, airports,
   regional jail authorities, reviewed exceptions) decides outright, because a person checked it;
3. statewide agencies (ICE's TYPE "State Agency") cover the state, never the HQ county ICE names;
4. Virginia-style independent cities: a city police whose city is an independent city belongs
   to the city, whatever county ICE names next to it;
5. ICE's COUNTY cells, newest first: exact name within the state, else a reviewed correction
   from ``corrections/ice_county_corrections.csv``;
6. a county named in the agency's name ("Etowah County Sheriff's Office");
7. the agency's city looked up in the ``zipcodes`` package (MIT), only when one county clearly
   holds the city's ZIP codes;
8. otherwise unmatched, with the reason. Fuzzy matching only *suggests* (``suggest_counties``);
   it never decides.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz, process

from coopmap import gazetteer, paths, schema

COUNTY_CORRECTIONS_FILE = "ice_county_corrections.csv"
AGENCY_JURISDICTIONS_FILE = "agency_jurisdictions.csv"
COUNTY_CORRECTION_COLUMNS = ["state_abbr", "ice_county", "county_fips", "note"]
AGENCY_JURISDICTION_COLUMNS = ["state_abbr", "agency", "county_fips", "level", "note"]
OUTPUT_COLUMNS = ["jurisdiction_level", "county_fips_list", "match_method", "match_note"]

# Cells ICE uses for "no county". "County" alone appears once (AL) next to a real value.
PLACEHOLDER_COUNTIES = frozenset({"", "#na", "#n/a", "n/a", "na", "none", "county"})

# A city's ZIP codes must sit this much in one county before the city is given to it.
CLEAR_MAJORITY = 0.75

# Suffixes that make a name a county equivalent, and the states where they do. PA and NJ
# boroughs are towns, so "Borough" counts only in Alaska.
_SUFFIXES: list[tuple[str, frozenset[str] | None]] = [
    ("city and borough", frozenset({"AK"})),
    ("census area", frozenset({"AK"})),
    ("borough", frozenset({"AK"})),
    ("municipality", frozenset({"AK"})),
    ("parish", frozenset({"LA"})),
    ("county", None),
    ("city", None),
]
_APOSTROPHES = dict.fromkeys(map(ord, "\u2019\u2018\u02bc\u0060\u00b4\u2032"), "'")


class CorrectionsError(ValueError):
    """A reviewed corrections file is malformed; the message names file, row, column and value."""


# --- Names ----------------------------------------------------------------------------------


def name_key(text: str) -> str:
    """Comparable form of a place name: accents, case, apostrophes, dots, hyphens and
    "Saint"/"St." differences removed ("St. Mary's" == "Saint Marys" == "ST MARYS")."""
    text = unicodedata.normalize("NFKD", str(text).translate(_APOSTROPHES))
    text = text.encode("ascii", "ignore").decode().casefold()
    text = text.replace("'", "").replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = re.sub(r"\bsaint\b", "st", text)
    text = re.sub(r"\bsainte\b", "ste", text)
    text = re.sub(r"\bft\b", "fort", text)
    return " ".join(text.split())


def _split_suffix(key: str, state_abbr: str) -> tuple[str, str | None]:
    """(base, suffix) of a keyed county name; the suffix is None when there is none."""
    for suffix, states in _SUFFIXES:
        if key.endswith(" " + suffix) and (states is None or state_abbr in states):
            return key[: -len(suffix) - 1].strip(), suffix
    return key, None


@dataclass(frozen=True)
class County:
    fips: str
    name: str
    is_city: bool  # an independent city (Virginia's 38, Baltimore, St. Louis, Carson City)


@cache
def _county_index(sources_dir: Path) -> dict[tuple[str, str], tuple[County, ...]]:
    index: dict[tuple[str, str], list[County]] = {}
    for row in gazetteer.counties(sources_dir).itertuples():
        base, suffix = _split_suffix(name_key(row.name), row.state_abbr)
        county = County(row.county_fips, row.name, suffix == "city")
        index.setdefault((row.state_abbr, base), []).append(county)
    return {k: tuple(v) for k, v in index.items()}


def _lookup(state_abbr: str, text: str, sources_dir: Path, *, prefer_city: bool = False
            ) -> tuple[County | None, str | None]:
    """The county ``text`` names exactly in the state, and a remark when it needed a choice.

    Where a county and an independent city share the name (Franklin County / Franklin city), the
    written suffix decides; without one the county wins unless ``prefer_city``.
    """
    base, suffix = _split_suffix(name_key(text), state_abbr)
    found = _county_index(sources_dir).get((state_abbr, base), ())
    if not found:
        return None, None
    if len(found) == 1:
        only = found[0]
        remark = None
        if suffix == "county" and only.is_city:
            remark = f"{state_abbr} has no {text!s}; {only.name} is an independent city"
        return only, remark
    cities = [c for c in found if c.is_city]
    counties = [c for c in found if not c.is_city]
    want_city = suffix == "city" or (suffix is None and prefer_city)
    pick = (cities if want_city else counties) or list(found)
    return pick[0], None


def suggest_counties(state_abbr: str, name: str, limit: int = 3, *,
                     sources_dir: Path | None = None) -> list[tuple[str, str, float]]:
    """Counties of the state whose names look like ``name``: [(fips, full name, score 0-100)].

    For "did you mean" prompts and unmatched notes only; never used to match.
    """
    src = Path(sources_dir) if sources_dir else paths.sources_dir()
    base, _ = _split_suffix(name_key(name), state_abbr.upper())
    choices = {
        county: key_base
        for (st, key_base), found in _county_index(src).items()
        if st == state_abbr.upper()
        for county in found
    }
    hits = process.extract(base, choices, scorer=fuzz.ratio, limit=limit)
    return [(county.fips, county.name, round(score, 1)) for _, score, county in hits]


# --- Reviewed tables ------------------------------------------------------------------------


def _read_reviewed(path: Path, columns: list[str]) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame({c: pd.Series(dtype=str) for c in columns})
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    if list(df.columns) != columns:
        raise CorrectionsError(f"{path}: header is {list(df.columns)}, expected {columns}")
    return df.apply(lambda col: col.str.strip())


def _check_fips_list(path: Path, line: int, state_abbr: str, cell: str,
                     sources_dir: Path) -> tuple[str, ...]:
    known = _fips_states(sources_dir)
    out = []
    for fips in cell.split(";"):
        fips = fips.strip()
        where = f"{path.name}, row {line}, column county_fips"
        if not re.fullmatch(r"\d{5}", fips):
            raise CorrectionsError(f"{where}: {cell!r} is not a 5-digit FIPS (or ';'-list)")
        if fips not in known:
            raise CorrectionsError(f"{where}: {fips!r} is not a county of the 2017 geography")
        if known[fips] != state_abbr:
            raise CorrectionsError(
                f"{where}: {fips!r} is in {known[fips]}, not in {state_abbr}"
            )
        out.append(fips)
    return tuple(out)


@cache
def _fips_states(sources_dir: Path) -> dict[str, str]:
    c = gazetteer.counties(sources_dir)
    return dict(zip(c["county_fips"], c["state_abbr"], strict=True))


def _check_common(path: Path, line: int, row: pd.Series) -> None:
    if gazetteer.state_by_abbr(row["state_abbr"]) is None:
        raise CorrectionsError(
            f"{path.name}, row {line}, column state_abbr: {row['state_abbr']!r} is not a state"
        )
    if not row["note"]:
        raise CorrectionsError(f"{path.name}, row {line}, column note: empty; say why")


def load_county_corrections(corrections_dir: Path | None = None,
                            sources_dir: Path | None = None) -> dict[tuple[str, str], tuple]:
    """Reviewed fixes of ICE's COUNTY cells: {(state_abbr, name_key(ice_county)): (fips, note)}."""
    cdir = Path(corrections_dir) if corrections_dir else paths.corrections_dir()
    src = Path(sources_dir) if sources_dir else paths.sources_dir()
    path = cdir / COUNTY_CORRECTIONS_FILE
    out: dict[tuple[str, str], tuple] = {}
    for i, row in _read_reviewed(path, COUNTY_CORRECTION_COLUMNS).iterrows():
        line = i + 2  # header is line 1
        _check_common(path, line, row)
        if ";" in row["county_fips"]:
            raise CorrectionsError(f"{path.name}, row {line}, column county_fips: "
                                   f"{row['county_fips']!r}: a COUNTY cell names one county")
        (fips,) = _check_fips_list(path, line, row["state_abbr"], row["county_fips"], src)
        key = (row["state_abbr"], name_key(row["ice_county"]))
        if key in out:
            raise CorrectionsError(
                f"{path.name}, row {line}, column ice_county: {row['ice_county']!r} is listed twice"
            )
        out[key] = (fips, row["note"])
    return out


def load_agency_jurisdictions(corrections_dir: Path | None = None,
                              sources_dir: Path | None = None) -> dict[tuple[str, str], tuple]:
    """Reviewed agencies: {(state_abbr, name_key(agency)): (level, fips tuple, note)}."""
    cdir = Path(corrections_dir) if corrections_dir else paths.corrections_dir()
    src = Path(sources_dir) if sources_dir else paths.sources_dir()
    path = cdir / AGENCY_JURISDICTIONS_FILE
    out: dict[tuple[str, str], tuple] = {}
    for i, row in _read_reviewed(path, AGENCY_JURISDICTION_COLUMNS).iterrows():
        line = i + 2
        _check_common(path, line, row)
        level = row["level"]
        if level not in schema.JURISDICTION_LEVELS:
            raise CorrectionsError(
                f"{path.name}, row {line}, column level: {level!r} is not one of "
                f"{list(schema.JURISDICTION_LEVELS)}"
            )
        if level == "county":
            fips = _check_fips_list(path, line, row["state_abbr"], row["county_fips"], src)
        elif row["county_fips"]:
            raise CorrectionsError(
                f"{path.name}, row {line}, column county_fips: {row['county_fips']!r} given for "
                f"level {level!r}, which covers no county"
            )
        else:
            fips = ()
        key = (row["state_abbr"], name_key(row["agency"]))
        if key in out:
            raise CorrectionsError(
                f"{path.name}, row {line}, column agency: {row['agency']!r} is listed twice"
            )
        out[key] = (level, fips, row["note"])
    return out


# --- Cities ---------------------------------------------------------------------------------

_CITY_PREFIX = re.compile(r"^(city|town|village|borough|township) of ")
_CITY_TAIL = re.compile(
    r"\s+(police services department|police department|police dept|police services|police"
    r"|department of public safety|public safety department|public safety|marshals office"
    r"|marshal|constables office|constable|sheriffs office)$"
)


def city_from_agency(agency: str) -> str | None:
    """The place a city or town agency is named for, as a name key ("Doral Police Department"
    -> "doral"; "City of Miami Police Department" -> "miami"); None when the name has no such
    form (universities, regional bodies)."""
    key = name_key(agency)
    stripped = _CITY_TAIL.sub("", key)
    if stripped == key:
        return None
    stripped = _CITY_PREFIX.sub("", stripped)
    if not stripped or re.search(r" (county|parish)$", stripped):
        return None  # a county agency: its county is found by name or not at all
    return stripped


@cache
def zip_records() -> tuple[dict, ...]:
    """Every record of the zipcodes package, read once per process (``list_all`` copies the
    whole table on each call: ~1 s)."""
    import zipcodes  # imported late: it loads its whole table at import

    return tuple(zipcodes.list_all())


@cache
def _zip_places() -> dict[tuple[str, str], tuple[Counter, Counter]]:
    """{(state, city key): (ZIPs by county where it is the ZIP's city, ZIPs where it is only an
    acceptable name)} from the zipcodes package (active ZIP codes with a county)."""
    out: dict[tuple[str, str], tuple[Counter, Counter]] = {}
    for z in zip_records():
        if not z["active"] or not z["county"]:
            continue
        names = [(z["city"], 0)] + [(c, 1) for c in z["acceptable_cities"]]
        for name, slot in names:
            entry = out.setdefault((z["state"], name_key(name)), (Counter(), Counter()))
            entry[slot][z["county"]] += 1
    return out


def _city_counties(state_abbr: str, city: str) -> tuple[Counter, str]:
    """ZIP counts by zipcodes' county name for the city, and which zipcodes field named it.

    "Haines City" is tried as written, then as "Haines"; a PA "Manheim Borough" as "Manheim"
    (boroughs are towns with their own post office names; townships are not, so they are not
    looked up)."""
    if re.search(r" township$", city):
        return Counter(), ""
    for key in dict.fromkeys([city, re.sub(r" (city|borough)$", "", city)]):
        primary, acceptable = _zip_places().get((state_abbr, key), (Counter(), Counter()))
        if primary:
            return primary, "city"
        if acceptable:
            return acceptable, "acceptable_cities"
    return Counter(), ""


def _match_city(state_abbr: str, agency: str, sources_dir: Path) -> tuple[tuple, str] | None:
    """(fips tuple, note) for a city agency, (() , reason) when the city is ambiguous, None when
    the name gives no city or zipcodes does not know it."""
    city = city_from_agency(agency)
    if city is None:
        return None
    counts, field = _city_counties(state_abbr, city)
    if not counts:
        return None
    by_fips: Counter = Counter()
    for name, n in counts.items():
        county, _ = _lookup(state_abbr, name, sources_dir)
        if county is None:
            return (), (f"city '{city}' {state_abbr}: zipcodes names county '{name}', which is "
                        "not in the gazetteer")
        by_fips[county] += n
    counts = Counter({c.name: n for c, n in by_fips.items()})
    total = sum(counts.values())
    (top, n), *rest = by_fips.most_common()
    county = top
    head = f"city '{city}' {state_abbr} -> {county.name} (zipcodes '{field}'"
    if not rest:
        return (county.fips,), f"{head}, {n} ZIP{'s' if n > 1 else ''})"
    spread = ", ".join(f"{c} {k}" for c, k in counts.most_common())
    if n / total >= CLEAR_MAJORITY:
        return (county.fips,), f"{head}, clear majority {n} of {total} ZIPs: {spread})"
    return (), (f"city '{city}' {state_abbr} spans several counties in zipcodes ({spread}); "
                f"needs a reviewed entry in {AGENCY_JURISDICTIONS_FILE}")


# --- Agencies -------------------------------------------------------------------------------

_STATEWIDE_WORDS = re.compile(
    r"\b(state police|state patrol|highway patrol|national guard|attorney general"
    r"|department of corrections|dept of corrections|department of public safety"
    r"|dept of public safety|military department|state fire marshal)\b"
)


def _is_statewide_by_name(state_name: str, agency_key: str) -> bool:
    """Only for agencies without a TYPE: a statewide keyword, with the state's name for the ones
    towns also use ("Gordonsville Department of Public Safety" is a town's)."""
    if not _STATEWIDE_WORDS.search(agency_key):
        return False
    local_too = re.search(r"department of (corrections|public safety)|dept of", agency_key)
    return not local_too or name_key(state_name) in agency_key


def _county_in_name(state_abbr: str, agency: str, sources_dir: Path) -> County | None:
    """A county named in the agency's name: up to four words before "County"/"Parish"/...
    ("Metro Police Authority of Genesee County" -> Genesee County); the longest name wins."""
    words = name_key(agency).split()
    for i, word in enumerate(words):
        two = " ".join(words[i:i + 2])
        suffix = two if two == "census area" else word
        if not any(suffix == s and (sts is None or state_abbr in sts) for s, sts in _SUFFIXES):
            continue
        if suffix == "city":
            continue  # "X City Police" is handled as an independent city, or as a town
        for start in range(max(0, i - 4), i):
            county, _ = _lookup(state_abbr, " ".join(words[start:i]) + " " + suffix, sources_dir)
            if county is not None and not county.is_city:
                return county
    return None


def _independent_city(state_abbr: str, agency: str, agency_type: str | None,
                      sources_dir: Path) -> County | None:
    """The independent city a city agency serves ("Franklin City Police Department", or a
    municipal "Roanoke Police Department" in Virginia), else None."""
    city = city_from_agency(agency)
    if city is None:
        return None
    named_city = city.endswith(" city")
    if not (named_city or agency_type == "municipality"):
        return None
    base = re.sub(r" city$", "", city)
    for county in _county_index(sources_dir).get((state_abbr, base), ()):
        if county.is_city:
            return county
    return None


def _elsewhere(state_abbr: str, text: str, sources_dir: Path) -> str:
    """ ' (a county of that name is in MN)' when the name exists only in other states."""
    key = name_key(text)
    others = sorted({
        st for (st, base), found in _county_index(sources_dir).items()
        if st != state_abbr and any(name_key(c.name) == key for c in found)
    })
    return f" (a county of that name is in {', '.join(others)})" if others else ""


def _match_one(row: dict, src: Path, fixes: dict, reviewed: dict, has_newest: bool
               ) -> tuple[str, tuple, str, str | None]:
    st, agency = row["state_abbr"], row["agency"]
    agency_type = row.get("agency_type")
    agency_type = None if pd.isna(agency_type) else agency_type
    raw = row.get("ice_counties")
    if not isinstance(raw, tuple | list):
        raise ValueError(f"match_agencies: ice_counties of {st} {agency!r} is {raw!r}; expected "
                         "a tuple of ICE's COUNTY cells (empty when there are none)")
    if gazetteer.state_by_abbr(st) is None:
        raise ValueError(f"match_agencies: state_abbr {st!r} of {agency!r} is not a state")
    values = [v.strip() for v in raw if isinstance(v, str)]
    values = [v for v in values if v.casefold() not in PLACEHOLDER_COUNTIES]

    if row["state_fips"] in gazetteer.TERRITORY_FIPS:
        return "territory", (), "territory", None

    entry = reviewed.get((st, name_key(agency)))
    if entry is not None:
        level, fips, note = entry
        return level, fips, "reviewed_entry" if level != "unmatched" else "unmatched", note

    state_name = gazetteer.state_by_abbr(st)[1]
    if agency_type == "state_agency" or (
        agency_type is None and _is_statewide_by_name(state_name, name_key(agency))
    ):
        basis = "ICE TYPE 'State Agency'" if agency_type else "statewide agency by its name"
        hq = (f"; ICE's COUNTY '{values[0]}' is where it sits, not what it covers"
              if values else "")
        return "state", (), "state_agency", basis + hq

    city = _independent_city(st, agency, agency_type, src)
    if city is not None:
        wrote = f"; ICE wrote '{values[0]}'" if values and name_key(values[0]) != name_key(
            city.name) else ""
        return "county", (city.fips,), "agency_name", (
            f"{city.name} is an independent city, outside any county{wrote}")

    unresolved: list[str] = []
    for i, value in enumerate(values):
        county, remark = _lookup(st, value, src)
        if county is not None:
            method = "other_sheet" if has_newest and pd.isna(row.get("ice_county_newest")) \
                else "ice_county_column"
            notes = [remark] if remark else []
            if i:
                notes.append(f"newer COUNTY {unresolved} not recognised; '{value}' from an "
                             "older sheet")
            return "county", (county.fips,), method, "; ".join(notes) or None
        fix = fixes.get((st, name_key(value)))
        if fix is not None:
            fips, note = fix
            name = gazetteer_name(fips, src)
            return "county", (fips,), "reviewed_correction", (
                f"ICE wrote '{value}' -> {name}: {note}")
        unresolved.append(value)

    why = [
        f"ICE wrote '{v}': not a county of {st}{_elsewhere(st, v, src)}; closest: "
        + ", ".join(f"{n} {f} ({s:.0f})" for f, n, s in suggest_counties(st, v, sources_dir=src))
        for v in unresolved
    ]
    county = _county_in_name(st, agency, src)
    if county is not None:
        return "county", (county.fips,), "agency_name", "; ".join(why) or None

    by_city = _match_city(st, agency, src)
    if by_city is not None and by_city[0]:
        return "county", by_city[0], "city_lookup", "; ".join([*why, by_city[1]])
    if by_city is not None:
        why.append(by_city[1])
    elif re.search(r"\b(county|parish)\b", name_key(agency)):
        why.append(f"the county in the agency's name is not a county of {st}; needs a reviewed "
                   f"entry in {AGENCY_JURISDICTIONS_FILE}")
    elif city_from_agency(agency) is None:
        why.append("no county in ICE's sheets or the name, and the name gives no city; needs a "
                   f"reviewed entry in {AGENCY_JURISDICTIONS_FILE}")
    else:
        why.append(f"city '{city_from_agency(agency)}' not found in zipcodes for {st}")
    return "unmatched", (), "unmatched", "; ".join(why)


def gazetteer_name(fips: str, sources_dir: Path | None = None) -> str:
    """Full county name of a FIPS code ("12086" -> "Miami-Dade County")."""
    src = Path(sources_dir) if sources_dir else paths.sources_dir()
    return _county_names(src)[fips]


@cache
def _county_names(sources_dir: Path) -> dict[str, str]:
    c = gazetteer.counties(sources_dir)
    return dict(zip(c["county_fips"], c["name"], strict=True))


def match_agencies(agencies: pd.DataFrame, *, sources_dir: Path | None = None,
                   corrections_dir: Path | None = None) -> pd.DataFrame:
    """``agencies`` plus jurisdiction_level, county_fips_list, match_method and match_note.

    Input: one row per agency with state_abbr, state_fips, agency, agency_norm, agency_type and
    ice_counties (ICE's COUNTY cells for it, newest first). An optional ice_county_newest column
    (the COUNTY cell of the agency's newest sheet, <NA> when blank) lets a county found only on
    older sheets be marked other_sheet. Same index and order out.
    """
    src = Path(sources_dir) if sources_dir else paths.sources_dir()
    fixes = load_county_corrections(corrections_dir, src)
    reviewed = load_agency_jurisdictions(corrections_dir, src)
    missing = [c for c in ("state_abbr", "state_fips", "agency", "ice_counties")
               if c not in agencies.columns]
    if missing:
        raise ValueError(f"match_agencies: input lacks columns {missing}")
    has_newest = "ice_county_newest" in agencies.columns
    results = [
        _match_one(row, src, fixes, reviewed, has_newest)
        for row in agencies.to_dict("records")
    ]
    out = agencies.copy()
    out["jurisdiction_level"] = pd.Series([r[0] for r in results], index=out.index, dtype=str)
    out["county_fips_list"] = pd.Series([r[1] for r in results], index=out.index, dtype=object)
    out["match_method"] = pd.Series([r[2] for r in results], index=out.index, dtype=str)
    out["match_note"] = pd.Series([r[3] for r in results], index=out.index, dtype=str)
    return out


def match_summary(matched: pd.DataFrame) -> pd.DataFrame:
    """Agencies by jurisdiction_level and match_method, in the vocabularies' order."""
    counts = matched.groupby(["jurisdiction_level", "match_method"]).size()
    order = {m: i for i, m in enumerate(schema.MATCH_METHODS)}
    counts = counts.reset_index(name="agencies")
    return counts.sort_values(
        "match_method", key=lambda s: s.map(order), ignore_index=True
    )
