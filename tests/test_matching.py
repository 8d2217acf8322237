"""Matching ICE agencies to counties, on the real ICE sheets in data/sources/ice_287g."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from coopmap import gazetteer, matching, paths, schema

ICE = paths.sources_dir() / "ice_287g"
LATEST = ICE / "latest" / "participatingAgencies05182026am.xlsx"
# ICE's own misspellings of state names (the sheet reader owns these; repeated here only so this
# test can build its agency list without it).
STATE_TYPOS = {"PENNSLYVANIA": "PENNSYLVANIA", "WEST VIRIGINIA": "WEST VIRGINIA"}
TYPES = {"county": "county", "municipality": "municipality", "state agency": "state_agency",
         "state": "state_agency"}

# Reviewed exceptions: county or municipal agencies of the 2026-05-18 sheet left unmatched, each
# with its reason in data/corrections/agency_jurisdictions.csv (none since the Southwest Virginia
# Regional Jail Authority's members were found in a source).
LATEST_UNMATCHED: set[tuple[str, str]] = set()


def _rows(path: Path) -> list[dict]:
    cells = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    header = [str(h).strip().upper() for h in cells[0]]
    rows = []
    for values in cells[1:]:
        cells_text = [str(v).strip() if v is not None else "" for v in values]
        row = dict(zip(header, cells_text, strict=False))  # short rows: missing cells
        if row.get("LAW ENFORCEMENT AGENCY"):
            row["FILE"] = path
            rows.append(row)
    return rows


def _agencies(paths_newest_first: list[Path]) -> pd.DataFrame:
    """One row per (state, normalised agency), shaped like the reader's input to matching."""
    groups: dict[tuple[str, str], dict] = {}
    for path in paths_newest_first:
        for row in _rows(path):
            state = STATE_TYPOS.get(row["STATE"].upper(), row["STATE"])
            fips, abbr = gazetteer.state_by_name(state)
            agency = row["LAW ENFORCEMENT AGENCY"]
            norm = " ".join(re.sub(r"[^\w&]+", " ", agency.casefold().replace("'", "")).split())
            county = row.get("COUNTY", "")
            g = groups.setdefault((abbr, norm), {
                "state_abbr": abbr, "state_fips": fips, "agency": agency, "agency_norm": norm,
                "agency_type": TYPES.get(row.get("TYPE", "").casefold()), "counties": [],
                "newest_file": path,
            })
            if g["agency_type"] is None:
                g["agency_type"] = TYPES.get(row.get("TYPE", "").casefold())
            if county and county not in g["counties"]:
                g["counties"].append(county)
    df = pd.DataFrame(groups.values())
    df["ice_counties"] = df.pop("counties").map(tuple)
    df["agency_type"] = df["agency_type"].astype("str")
    return df


@pytest.fixture(scope="module")
def latest() -> pd.DataFrame:
    """Every agency of the 2026-05-18 sheet, with the COUNTY cells of all sheets that list it."""
    monthly = sorted((ICE / "monthly_participating").glob("*.xlsx"), reverse=True)
    pending = sorted((ICE / "monthly_pending").glob("*.xlsx"), reverse=True)
    allsheets = _agencies([LATEST, *monthly, *pending])
    on_latest = _agencies([LATEST])[["state_abbr", "agency_norm"]]
    df = allsheets.merge(on_latest, on=["state_abbr", "agency_norm"])
    return matching.match_agencies(df)


@pytest.fixture(scope="module")
def everyone() -> pd.DataFrame:
    dated = sorted([*ICE.glob("monthly_*/*.xlsx")], key=lambda p: p.name[:10], reverse=True)
    return matching.match_agencies(_agencies([LATEST, *dated]))


def _one(df: pd.DataFrame, state: str, agency: str) -> pd.Series:
    hit = df[(df["state_abbr"] == state) & (df["agency"] == agency)]
    assert len(hit) == 1, f"{agency} ({state}): {len(hit)} rows"
    return hit.iloc[0]


def _row(state: str, agency: str, agency_type: str | None, *counties: str) -> dict:
    fips = gazetteer.state_by_abbr(state)[0]
    return {"state_abbr": state, "state_fips": fips, "agency": agency,
            "agency_norm": agency.casefold(), "agency_type": agency_type,
            "ice_counties": tuple(counties)}


def _match(*rows: dict) -> pd.DataFrame:
    return matching.match_agencies(pd.DataFrame(rows))


# --- The 2026-05-18 sheet -------------------------------------------------------------------


def test_latest_sheet_is_fully_matched(latest):
    assert len(latest) > 1500
    assert set(latest["jurisdiction_level"]) <= set(schema.JURISDICTION_LEVELS)
    assert set(latest["match_method"]) <= set(schema.MATCH_METHODS)
    local = latest[latest["agency_type"].isin(["county", "municipality"])]
    unmatched = local[local["jurisdiction_level"] == "unmatched"]
    assert set(zip(unmatched["state_abbr"], unmatched["agency"], strict=True)) == LATEST_UNMATCHED
    assert unmatched["match_note"].str.len().gt(40).all()
    # Every row answers: a county list for county level, none otherwise, a reason if unmatched.
    counties = latest["jurisdiction_level"] == "county"
    assert latest.loc[counties, "county_fips_list"].map(len).gt(0).all()
    assert latest.loc[~counties, "county_fips_list"].map(len).eq(0).all()
    assert latest.loc[latest["match_method"] == "unmatched", "match_note"].notna().all()


def test_summary_counts_every_agency(latest):
    summary = matching.match_summary(latest)
    assert summary["agencies"].sum() == len(latest)
    methods = dict(zip(summary["match_method"], summary["agencies"], strict=True))
    assert methods["ice_county_column"] > 1200
    assert methods["city_lookup"] > 100  # the 2026-05-18 sheet left ~170 towns without COUNTY


def test_every_fips_exists_and_is_in_the_agency_state(everyone):
    known = gazetteer.counties().set_index("county_fips")["state_fips"]
    for row in everyone.itertuples():
        for fips in row.county_fips_list:
            assert known.get(fips) == row.state_fips, (row.agency, fips)


def test_ice_typos_resolve_through_reviewed_corrections(latest):
    adc = _one(latest, "AR", "Arkansas Department of Corrections")
    assert adc["jurisdiction_level"] == "state"  # ICE's 'Pulaksi County' is only its HQ
    howey = _one(latest, "FL", "Howey in the Hills Police Department")
    assert howey["county_fips_list"] == ("12069",)
    assert howey["match_method"] == "reviewed_correction"
    assert "Lake Conty" in howey["match_note"]
    pulaski = _match(_row("AR", "Pulaski County Sheriff's Office", "county", "Pulaksi County"))
    assert pulaski.loc[0, "county_fips_list"] == ("05119",)
    assert pulaski.loc[0, "match_method"] == "reviewed_correction"


def test_state_agencies_cover_the_state_not_their_hq(latest):
    for state, agency in [("TX", "Texas Department of Public Safety - Texas Highway Patrol"),
                          ("WV", "West Virginia State Police Department"),
                          ("FL", "Florida Department of Law Enforcement")]:
        row = _one(latest, state, agency)
        assert (row["jurisdiction_level"], row["match_method"]) == ("state", "state_agency")
        assert row["county_fips_list"] == ()
    wv = _one(latest, "WV", "West Virginia State Police Department")
    assert "Washington County" in wv["match_note"]


def test_florida_town_without_county_goes_through_zipcodes(latest):
    miami = _one(latest, "FL", "City of Miami Police Department")  # COUNTY '#NA' on every sheet
    assert miami["county_fips_list"] == ("12086",)
    assert miami["match_method"] == "city_lookup"
    doral = _one(latest, "FL", "Doral Police Department")
    assert doral["county_fips_list"] == ("12086",)
    # Without ICE's COUNTY, Doral (only an 'acceptable' postal name) is still Miami-Dade.
    alone = _match(_row("FL", "Doral Police Department", "municipality"))
    assert alone.loc[0, "county_fips_list"] == ("12086",)
    assert alone.loc[0, "match_method"] == "city_lookup"
    assert "Doral" in alone.loc[0, "match_note"] or "doral" in alone.loc[0, "match_note"]


def test_city_spanning_counties_takes_a_clear_majority_and_says_so(latest):
    orlando = _one(latest, "FL", "Orlando Police Department")
    assert orlando["county_fips_list"] == ("12095",)
    assert "clear majority" in orlando["match_note"]


def test_parish_and_borough(latest):
    calcasieu = _one(latest, "LA", "Calcasieu Parish Sheriff's Office")
    assert calcasieu["county_fips_list"] == ("22019",)
    kodiak = _one(latest, "AK", "Kodiak Police Department")
    assert kodiak["county_fips_list"] == ("02150",)  # Kodiak Island Borough
    df = _match(_row("AK", "Mat-Su Borough Police", "county", "Matanuska-Susitna Borough"),
                _row("LA", "St. John the Baptist Parish Sheriff's Office", "county",
                     "Saint John the Baptist Parish"))
    assert df["county_fips_list"].tolist() == [("02170",), ("22095",)]


def test_st_louis_county_and_city_stay_apart(latest):
    county_towns = latest[(latest["state_abbr"] == "MO")
                          & latest["ice_counties"].map(lambda t: "St. Louis County" in t)]
    assert len(county_towns) >= 5
    assert set(county_towns["county_fips_list"]) == {("29189",)}
    df = _match(_row("MO", "St. Louis City Sheriff's Office", "county", "St. Louis city"),
                _row("MO", "St. Louis County Police Department", "county"),
                _row("MD", "Baltimore City Police Department", "municipality"),
                _row("MD", "Baltimore County Police Department", "county", "Baltimore County"))
    assert df["county_fips_list"].tolist() == [("29510",), ("29189",), ("24510",), ("24005",)]


def test_franklin_county_and_franklin_city_virginia(latest):
    sheriff = _one(latest, "VA", "Franklin County Sheriff's Office")
    assert sheriff["county_fips_list"] == ("51067",)
    # A city police of an independent city belongs to the city, whatever county ICE names.
    df = _match(_row("VA", "Franklin City Police Department", "municipality", "Franklin County"),
                _row("VA", "Franklin Police Department", "municipality", "Southampton County"),
                _row("VA", "Roanoke County Police Department", "county", "Roanoke County"))
    assert df["county_fips_list"].tolist() == [("51620",), ("51620",), ("51161",)]
    assert "independent city" in df.loc[1, "match_note"]
    hopewell = _one(latest, "VA", "Hopewell County Sheriff's Office")
    assert hopewell["county_fips_list"] == ("51670",)  # Virginia has only Hopewell city


def test_regional_jail_lists_every_member_county(latest):
    rsw = _one(latest, "VA", "Rappahannock, Shenandoah, Warren Regional Jail Authority")
    assert rsw["county_fips_list"] == ("51157", "51171", "51187")
    assert rsw["match_method"] == "reviewed_entry"


def test_southwest_virginia_regional_jail_lists_its_members_with_sources(latest):
    """The ten localities the Bristol Herald Courier names, and Bristol city, which joined."""
    swv = _one(latest, "VA", "Southwest Virginia Regional Jail Authority")
    names = {"51027": "Buchanan", "51051": "Dickenson", "51105": "Lee", "51167": "Russell",
             "51169": "Scott", "51173": "Smyth", "51185": "Tazewell", "51191": "Washington",
             "51195": "Wise", "51520": "Bristol", "51720": "Norton"}
    assert (swv["jurisdiction_level"], swv["match_method"]) == ("county", "reviewed_entry")
    assert set(swv["county_fips_list"]) == set(names)
    counties = gazetteer.counties().set_index("county_fips")["name"]
    for fips, place in names.items():
        assert counties[fips].startswith(place)  # the FIPS code is that place's
        assert place in swv["match_note"]
    assert swv["match_note"].count("https://") >= 3


def test_old_sheets_without_county_use_the_agency_name(everyone):
    culpeper = _one(everyone, "VA", "Culpeper County Sheriff’s Office")
    assert (culpeper["county_fips_list"], culpeper["match_method"]) == (("51047",), "agency_name")


def test_territories_are_outside_the_map(latest):
    guam = latest[latest["state_abbr"] == "GU"]
    assert len(guam) and set(guam["jurisdiction_level"]) == {"territory"}


def test_unknown_county_name_is_unmatched_with_suggestions():
    df = _match(_row("KS", "Nowhere County Sheriff's Office", "county", "Sedgwik Countyy"))
    assert df.loc[0, "jurisdiction_level"] == "unmatched"
    assert df.loc[0, "county_fips_list"] == ()
    assert "Sedgwick County 20173" in df.loc[0, "match_note"]


def test_output_keeps_index_and_order():
    rows = pd.DataFrame([_row("TX", "Parmer County Sheriff's Office", "county", "Palmer County"),
                         _row("GU", "Guam Police", "state_agency")], index=[7, 3])
    out = matching.match_agencies(rows)
    assert list(out.index) == [7, 3]
    assert list(out.columns) == [*rows.columns, *matching.OUTPUT_COLUMNS]
    assert out.loc[7, "county_fips_list"] == ("48369",)


def test_suggest_counties_ranks_the_right_county_first():
    fips, name, score = matching.suggest_counties("AR", "Pulaksi County")[0]
    assert (fips, name) == ("05119", "Pulaski County")
    assert 0 < score <= 100
    assert len(matching.suggest_counties("FL", "Lake Conty", limit=2)) == 2
    assert matching.suggest_counties("FL", "Lake Conty")[0][0] == "12069"


# --- The reviewed tables --------------------------------------------------------------------


def test_every_correction_is_a_real_county_of_its_state():
    known = gazetteer.counties().set_index("county_fips")["state_abbr"]
    fixes = pd.read_csv(paths.corrections_dir() / matching.COUNTY_CORRECTIONS_FILE, dtype=str,
                        keep_default_na=False)
    assert len(fixes) >= 20
    for row in fixes.itertuples():
        assert known.get(row.county_fips) == row.state_abbr, row
        assert len(row.note) > 20
        # A correction is only for a cell that does not already name a county exactly.
        county, _ = matching._lookup(row.state_abbr, row.ice_county, paths.sources_dir())
        assert county is None, row.ice_county
    entries = pd.read_csv(paths.corrections_dir() / matching.AGENCY_JURISDICTIONS_FILE, dtype=str,
                          keep_default_na=False)
    for row in entries.itertuples():
        for fips in filter(None, row.county_fips.split(";")):
            assert known.get(fips) == row.state_abbr, row
    # The loaders run the same checks and raise nothing on the committed files.
    assert matching.load_county_corrections()
    assert matching.load_agency_jurisdictions()


def test_bad_correction_row_names_file_row_column_and_value(tmp_path):
    (tmp_path / matching.COUNTY_CORRECTIONS_FILE).write_text(
        "state_abbr,ice_county,county_fips,note\n"
        "AR,Pulaksi County,05119,typo\n"
        "AR,Lonoke Conty,48001,typo of Lonoke\n", encoding="utf-8")
    with pytest.raises(matching.CorrectionsError,
                       match=r"ice_county_corrections.csv, row 3, column county_fips: '48001' is "
                             r"in TX, not in AR"):
        matching.load_county_corrections(tmp_path)
    (tmp_path / matching.AGENCY_JURISDICTIONS_FILE).write_text(
        "state_abbr,agency,county_fips,level,note\n"
        "FL,Some Airport Police,12009,regional,why\n", encoding="utf-8")
    with pytest.raises(matching.CorrectionsError, match=r"row 2, column level: 'regional'"):
        matching.load_agency_jurisdictions(tmp_path)


def test_reviewed_entries_override_a_wrong_ice_county_or_type(latest, everyone):
    # ICE's COUNTY names the county that shares the city's name; the city is elsewhere.
    monroe = _one(latest, "GA", "Monroe Police Department")
    assert monroe["ice_counties"][0] == "Monroe County"
    assert (monroe["county_fips_list"], monroe["match_method"]) == (("13297",), "reviewed_entry")
    # ICE types a county jail 'State Agency'; it covers Wicomico County, not all of Maryland.
    wicomico = _one(everyone, "MD", "Wicomico County Corrections Center")
    assert wicomico["agency_type"] == "state_agency"
    assert (wicomico["jurisdiction_level"], wicomico["county_fips_list"]) == ("county", ("24045",))
