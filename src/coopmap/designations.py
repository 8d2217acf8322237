"""Places named on the 2025 federal "sanctuary jurisdiction" lists (table ``designations``).

Two transcriptions in ``sources/sanctuary_designations/`` (see PROVENANCE.md there): the DHS list
of 2025-05-29 (withdrawn days later because of errors) and the DOJ list of 2025-08-05. Every row is
kept as published. Being named is an allegation, never a fact about a jail's practice.

What ``county_fips`` means here: the row names that county itself, or a city that *is* a county
equivalent (consolidated city-county or independent city: Philadelphia 42101, Denver 08031, the
Virginia independent cities; DC 11001). The ingest checks this for every city row that carries a
county code (DHS ``fips_method``; DOJ's transcriber note) and raises otherwise, so downstream code
can read "county_fips is set" as "the county itself was named". A city inside a county (Chicago,
Boston) has no county code: neither list gives one. Which county or counties such a city lies in
is a reviewed entry of ``data/corrections/designation_city_counties.csv`` (New York City: its
five counties), kept apart in ``city_county_fips``: the county gets "a city in this county is
named", never "named" itself. Every such city needs an entry; the build refuses a missing one.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from coopmap import gazetteer, schema

FOLDER = Path("sanctuary_designations")
DHS_LIST = "dhs_2025_05_29"
DOJ_LIST = "doj_2025_08_05"
# list id -> (file, withdrawn?)
FILES: dict[str, tuple[Path, bool]] = {
    DHS_LIST: (FOLDER / "dhs_sanctuary_jurisdictions_2025-05-29.csv", True),
    DOJ_LIST: (FOLDER / "doj_sanctuary_jurisdictions_2025-08-05.csv", False),
}
# DHS fips_method values under which a city row's county code is the city's own (see docstring).
# census_name_match on a city row: Kansas's "Douglas County", printed under a Cities heading.
DHS_CITY_AS_COUNTY_METHODS = {"county_equivalent_manual", "census_name_match"}
DHS_FIPS_METHODS = {"census_name_match", "county_equivalent_manual"}
DOJ_COUNTY_EQUIVALENT_NOTE = "Consolidated city-county / county equivalent"
CITY_COUNTIES_FILE = "designation_city_counties.csv"
CITY_COUNTIES_COLUMNS = ["state_abbr", "name_as_published", "county_fips", "note"]


class DesignationError(ValueError):
    """A row of a federal-list file cannot be read; the message names file, row, column, value."""


def _fail(path: Path, row: int, column: str, value: object, why: str) -> DesignationError:
    return DesignationError(f"{path}, row {row}, column {column}: {value!r} {why}")


def _county_code(path: Path, row: int, value: object, state_fips: str) -> str | None:
    """A 5-digit county code, re-padding a zero a spreadsheet dropped, but only when unambiguous."""
    if pd.isna(value) or str(value).strip() == "":
        return None
    text = str(value).strip()
    # 4 digits is a county code that lost its leading zero only if it then starts with the
    # row's own (single-digit) state code; anything else is not clearly a county code.
    if text.isdigit() and len(text) == 4 and state_fips.startswith("0"):
        text = "0" + text
    if not (text.isdigit() and len(text) == 5):
        raise _fail(path, row, "county_fips", value, "is not a 5-digit county FIPS code")
    if text[:2] != state_fips:
        raise _fail(path, row, "county_fips", value, f"is not in state {state_fips}")
    return text


def _read(list_id: str, sources_dir: Path) -> pd.DataFrame:
    rel, withdrawn = FILES[list_id]
    path = Path(sources_dir) / rel
    raw = pd.read_csv(path, dtype=str, encoding="utf-8", keep_default_na=False)
    known_counties = set(gazetteer.counties(Path(sources_dir))["county_fips"])
    records = []
    for i, r in enumerate(raw.to_dict("records")):
        row = i + 2  # spreadsheet row: the header is row 1
        found = gazetteer.state_by_abbr(r["state_abbr"])
        if found is None or found[0] in gazetteer.TERRITORY_FIPS:
            raise _fail(path, row, "state_abbr", r["state_abbr"], "is not a state or DC code")
        state_fips = found[0]
        if r.get("state_fips", state_fips) != state_fips:
            raise _fail(path, row, "state_fips", r["state_fips"],
                        f"does not match state_abbr {r['state_abbr']!r} ({state_fips})")
        jtype = r["jurisdiction_type"]
        if jtype not in schema.DESIGNATION_TYPES:
            raise _fail(path, row, "jurisdiction_type", jtype,
                        f"is not one of {schema.DESIGNATION_TYPES}")
        published = pd.to_datetime(r["list_published"], format="%Y-%m-%d", errors="coerce")
        if pd.isna(published):
            raise _fail(path, row, "list_published", r["list_published"],
                        "is not a YYYY-MM-DD date")
        if not r["name_as_published"].strip():
            raise _fail(path, row, "name_as_published", r["name_as_published"], "is empty")
        county = _county_code(path, row, r["county_fips"], state_fips)
        if county is not None and county not in known_counties:
            raise _fail(path, row, "county_fips", r["county_fips"],
                        "is not a county of the 2017 geography")
        if county is not None and jtype == "state":
            raise _fail(path, row, "county_fips", r["county_fips"], "is set on a state row")
        if county is not None and jtype == "city":
            _check_city_is_county(list_id, path, row, r)
        if list_id == DHS_LIST and (county is not None or r["fips_method"]) and (
                r["fips_method"] not in DHS_FIPS_METHODS):
            raise _fail(path, row, "fips_method", r["fips_method"],
                        f"is not one of {sorted(DHS_FIPS_METHODS)}")
        note = r["note"].strip() or None
        records.append({
            "list_id": list_id,
            "list_published": published,
            "withdrawn": withdrawn,
            "jurisdiction_type": jtype,
            "name_as_published": r["name_as_published"],
            "state_fips": state_fips,
            "county_fips": county,
            "note": note,
            "source_file": rel.as_posix(),
        })
    return pd.DataFrame.from_records(records)


def _check_city_is_county(list_id: str, path: Path, row: int, r: dict) -> None:
    """A city row may carry a county code only if the transcriber marked it a county equivalent."""
    if list_id == DHS_LIST:
        ok = r["fips_method"] in DHS_CITY_AS_COUNTY_METHODS
        column, value = "fips_method", r["fips_method"]
    else:
        ok = r["note"].startswith(DOJ_COUNTY_EQUIVALENT_NOTE)
        column, value = "note", r["note"]
    if not ok:
        raise _fail(path, row, column, value,
                    "does not mark this city as a county equivalent, yet it has a county_fips")


def load_city_counties(corrections_dir: Path, sources_dir: Path
                       ) -> dict[tuple[str, str], str]:
    """{(state_fips, name_as_published): "fips;fips"} from the reviewed city table."""
    path = Path(corrections_dir) / CITY_COUNTIES_FILE
    counties = gazetteer.counties(Path(sources_dir))
    known = set(counties["county_fips"])
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != CITY_COUNTIES_COLUMNS:
            raise DesignationError(f"{path}: header {reader.fieldnames} should be "
                                   f"{CITY_COUNTIES_COLUMNS}")
        rows = list(reader)
    out = {}
    for i, r in enumerate(rows, start=2):
        found = gazetteer.state_by_abbr(r["state_abbr"])
        if found is None:
            raise _fail(path, i, "state_abbr", r["state_abbr"], "is not a state code")
        fips = r["county_fips"].split(";")
        for f in fips:
            if f not in known or f[:2] != found[0]:
                raise _fail(path, i, "county_fips", r["county_fips"],
                            f"is not a ';'-separated list of counties of {r['state_abbr']}")
        if not r["note"].strip():
            raise _fail(path, i, "note", r["note"], "is empty: say why")
        key = (found[0], r["name_as_published"])
        if key in out:
            raise _fail(path, i, "name_as_published", r["name_as_published"],
                        "is listed twice")
        out[key] = ";".join(fips)
    return out


def build_designations(sources_dir: Path, corrections_dir: Path | None = None) -> pd.DataFrame:
    """Table ``designations``: every row of both federal lists (DHS 605, DOJ 35), each city
    inside a county with the county or counties it lies in (the reviewed table)."""
    from coopmap import paths

    out = pd.concat([_read(list_id, sources_dir) for list_id in FILES], ignore_index=True)
    cities = load_city_counties(corrections_dir or paths.corrections_dir(), sources_dir)
    inside = (out["jurisdiction_type"] == "city") & out["county_fips"].isna()
    keys = list(zip(out["state_fips"], out["name_as_published"], strict=True))
    missing = [i for i in out.index[inside] if keys[i] not in cities]
    if missing:
        listed = "; ".join(f"{out.at[i, 'state_fips']} {out.at[i, 'name_as_published']!r} "
                           f"({out.at[i, 'source_file']})" for i in missing[:10])
        raise DesignationError(f"{len(missing)} city rows name no county in "
                               f"{CITY_COUNTIES_FILE}: {listed}")
    out["city_county_fips"] = [cities[k] if flag else None
                               for k, flag in zip(keys, inside, strict=True)]
    out["city_county_fips"] = out["city_county_fips"].astype("str")
    out["county_fips"] = out["county_fips"].astype("str")
    out["note"] = out["note"].astype("str")
    out["list_published"] = out["list_published"].astype("datetime64[ms]")
    return schema.validate("designations", out[schema.DESIGNATIONS.columns])


def _category(lists: set[str]) -> str:
    dhs, doj = DHS_LIST in lists, DOJ_LIST in lists
    return "both" if dhs and doj else "dhs" if dhs else "doj" if doj else "not_listed"


def _categories(keys: pd.Series, list_ids: pd.Series) -> pd.Series:
    lists = list_ids.groupby(keys.to_numpy()).agg(set)
    return lists.map(_category).astype("str")


def county_federal_lists(designations: pd.DataFrame) -> pd.Series:
    """Federal-list category (schema.FEDERAL_LIST_CATEGORIES) of each county that was named.

    Indexed by county_fips, only counties named themselves (or as a county-equivalent city);
    a city inside a county does not list the county. Counties absent are ``not_listed``.
    """
    named = designations[designations["county_fips"].notna()]
    out = _categories(named["county_fips"], named["list_id"])
    out.index.name = "county_fips"
    return out.rename("federal_list")


def county_city_lists(designations: pd.DataFrame) -> pd.Series:
    """Federal-list category of the counties a named city lies in (not the county itself):
    indexed by county_fips; counties absent have no named city."""
    cities = designations.dropna(subset=["city_county_fips"])
    pairs = cities.assign(county_fips=cities["city_county_fips"].str.split(";")).explode(
        "county_fips")
    out = _categories(pairs["county_fips"], pairs["list_id"])
    out.index.name = "county_fips"
    return out.rename("federal_list_city")


def state_city_lists(designations: pd.DataFrame) -> pd.Series:
    """Federal-list category of the states in which a city is named."""
    cities = designations[designations["jurisdiction_type"] == "city"]
    out = _categories(cities["state_fips"], cities["list_id"])
    out.index.name = "state_fips"
    return out.rename("federal_list_city")


def state_federal_lists(designations: pd.DataFrame) -> pd.Series:
    """Federal-list category of each state named itself (DC's "district" row names DC)."""
    named = designations[designations["jurisdiction_type"].isin(["state", "district"])]
    out = _categories(named["state_fips"], named["list_id"])
    out.index.name = "state_fips"
    return out.rename("federal_list")


def federal_list_category(designations: pd.DataFrame, level: str, fips: str) -> str:
    """The category of one county or state: not_listed, dhs, doj or both."""
    if level == "county":
        lists = county_federal_lists(designations)
    elif level == "state":
        lists = state_federal_lists(designations)
    else:
        raise ValueError(f"level must be 'county' or 'state', not {level!r}")
    return str(lists.get(fips, "not_listed"))


def place_designations(designations: pd.DataFrame, level: str, fips: str) -> pd.DataFrame:
    """Every entry that names the place itself or a place in it, for a profile page.

    Adds a column ``relation``: ``"itself"`` (the county, a county-equivalent city, the state, or
    DC), or ``"within"`` (a city in the county, by the reviewed city table; for a state: a
    county or city in it).
    """
    if level == "county":
        city_in = designations["city_county_fips"].fillna("").str.split(";").map(
            lambda fs: fips in fs)
        rows = designations[(designations["county_fips"] == fips) | city_in]
        relation = (rows["county_fips"] == fips).map({True: "itself", False: "within"})
    elif level == "state":
        rows = designations[designations["state_fips"] == fips]
        itself = rows["jurisdiction_type"].isin(["state", "district"])
        relation = itself.map({True: "itself", False: "within"})
    else:
        raise ValueError(f"level must be 'county' or 'state', not {level!r}")
    out = rows.assign(relation=relation.astype("str"))
    order = {k: i for i, k in enumerate(schema.FEDERAL_LISTS)}
    out = out.assign(_order=out["list_id"].map(order))
    return out.sort_values(["_order", "relation", "name_as_published"]).drop(
        columns="_order").reset_index(drop=True)
