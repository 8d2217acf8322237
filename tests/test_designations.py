"""The 2025 federal "sanctuary" lists, on the real transcriptions."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest

from coopmap import designations, paths, schema

SOURCES = paths.PROJECT_ROOT / "data" / "sources"


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return designations.build_designations(SOURCES)


def test_every_row_is_kept(table):
    assert list(table.columns) == schema.DESIGNATIONS.columns
    assert table["list_id"].value_counts().to_dict() == {"dhs_2025_05_29": 605,
                                                         "doj_2025_08_05": 35}
    dhs = table[table["list_id"] == "dhs_2025_05_29"]
    assert dhs["withdrawn"].all() and not table.loc[table["list_id"] == "doj_2025_08_05",
                                                    "withdrawn"].any()
    assert (dhs["list_published"] == pd.Timestamp("2025-05-29")).all()
    assert dhs["jurisdiction_type"].value_counts().to_dict() == {
        "county": 391, "city": 199, "state": 14, "district": 1}
    # Names exactly as printed, e.g. the "City of" prefix and DOJ's ", ST" suffix.
    assert "City of Anchorage" in set(dhs["name_as_published"])
    assert "Cook County, IL" in set(table["name_as_published"])


def test_codes_are_text_and_consistent(table):
    assert table["state_fips"].str.fullmatch(r"\d{2}").all()
    codes = table["county_fips"].dropna()
    assert codes.str.fullmatch(r"\d{5}").all()
    assert (codes.str[:2] == table.loc[codes.index, "state_fips"]).all()
    # Leading zeros survive: California and Colorado.
    assert {"06075", "06073", "08031"} <= set(codes)


def test_dc_is_a_district_in_state_11(table):
    dc = table[table["name_as_published"] == "District of Columbia"]
    assert len(dc) == 2
    assert (dc["jurisdiction_type"] == "district").all()
    assert (dc["state_fips"] == "11").all() and (dc["county_fips"] == "11001").all()


def test_cities_inside_counties_carry_no_county(table):
    cities = table[table["jurisdiction_type"] == "city"].set_index(["list_id",
                                                                     "name_as_published"])
    assert pd.isna(cities.loc[("doj_2025_08_05", "Chicago, IL"), "county_fips"])
    assert pd.isna(cities.loc[("dhs_2025_05_29", "New York City"), "county_fips"])
    assert cities.loc[("dhs_2025_05_29", "Philadelphia"), "county_fips"] == "42101"
    # Kansas "Lawrence", printed under a County heading, matches no county and gets none.
    lawrence = table[(table["name_as_published"] == "Lawrence") & (table["state_fips"] == "20")]
    assert len(lawrence) == 1 and pd.isna(lawrence["county_fips"].iloc[0])
    assert "swapped" in lawrence["note"].iloc[0]


def test_county_federal_lists(table):
    lists = designations.county_federal_lists(table)
    assert set(lists) <= set(schema.FEDERAL_LIST_CATEGORIES)
    assert lists["42101"] == "both"  # Philadelphia: a county-equivalent city on both lists
    assert lists["11001"] == "both"
    assert lists["24005"] == "both"  # Baltimore County
    assert lists["06001"] == "dhs"  # Alameda County
    # Chicago (DOJ) does not list Cook County; Cook County is on both lists itself.
    assert lists["17031"] == "both"
    # Los Angeles city is on the DOJ list, LA County on DHS only.
    assert lists["06037"] == "dhs"
    assert designations.federal_list_category(table, "county", "48201") == "not_listed"
    assert lists.value_counts().to_dict() == {"dhs": 400, "both": 8}


def test_state_federal_lists(table):
    lists = designations.state_federal_lists(table)
    assert lists["06"] == "both" and lists["11"] == "both"
    assert lists["32"] == "doj"  # Nevada: DOJ names the state, DHS only Las Vegas
    assert lists["24"] == "dhs"  # Maryland
    assert designations.federal_list_category(table, "state", "48") == "not_listed"
    assert designations.federal_list_category(table, "state", "36") == "both"
    assert len(lists) == 16


def test_place_designations(table):
    sf = designations.place_designations(table, "county", "06075")
    assert set(sf["name_as_published"]) == {"San Francisco", "San Francisco County",
                                            "San Francisco County, CA", "San Francisco, CA"}
    assert (sf["relation"] == "itself").all()
    assert designations.place_designations(table, "county", "48201").empty
    nv = designations.place_designations(table, "state", "32")
    assert nv[["list_id", "relation"]].values.tolist() == [
        ["dhs_2025_05_29", "within"], ["doj_2025_08_05", "itself"]]
    with pytest.raises(ValueError, match="level"):
        designations.place_designations(table, "city", "32")


def _corrupt(tmp_path: Path, list_id: str, row: int, column: str, value: str) -> Path:
    src = tmp_path / "sources"
    shutil.copytree(SOURCES / "geo", src / "geo")
    shutil.copytree(SOURCES / "population", src / "population")
    shutil.copytree(SOURCES / "sanctuary_designations", src / "sanctuary_designations")
    path = src / designations.FILES[list_id][0]
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[row - 2][column] = value
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return src


def test_lost_leading_zero_is_restored(tmp_path):
    # DOJ row 17: San Diego County, CA, 06073 -> "6073" as a spreadsheet would save it.
    src = _corrupt(tmp_path, "doj_2025_08_05", 17, "county_fips", "6073")
    t = designations.build_designations(src)
    assert t.loc[t["name_as_published"] == "San Diego County, CA", "county_fips"].item() == "06073"


@pytest.mark.parametrize(
    ("list_id", "row", "column", "value", "why"),
    [
        ("doj_2025_08_05", 17, "county_fips", "6999", "not a county"),
        ("doj_2025_08_05", 17, "county_fips", "17031", "not in state 06"),
        ("doj_2025_08_05", 17, "jurisdiction_type", "borough", "not one of"),
        ("doj_2025_08_05", 17, "state_abbr", "ZZ", "not a state"),
        # Chicago given Cook County's code without being marked a county equivalent.
        ("doj_2025_08_05", 22, "county_fips", "17031", "county equivalent"),
        ("dhs_2025_05_29", 3, "fips_method", "guess", "not one of"),
    ],
)
def test_bad_value_names_file_row_column_and_value(tmp_path, list_id, row, column, value, why):
    src = _corrupt(tmp_path, list_id, row, column, value)
    with pytest.raises(designations.DesignationError, match=rf"row {row}, column \w+: .*{why}"):
        designations.build_designations(src)


NYC = {"36005": "Bronx County", "36047": "Kings County", "36061": "New York County",
       "36081": "Queens County", "36085": "Richmond County"}


def test_every_city_inside_a_county_names_its_county(table):
    """192 of the 217 city entries carry no county code: each lies in a county by the reviewed
    city table, and that county is "a city in it is named", not named itself."""
    cities = table[table["jurisdiction_type"] == "city"]
    assert len(cities) == 217
    inside = cities[cities["county_fips"].isna()]
    assert len(inside) == 192 and inside["city_county_fips"].notna().all()
    assert cities.loc[cities["county_fips"].notna(), "city_county_fips"].isna().all()
    nyc = table[table["name_as_published"].isin(["New York City", "New York City, NY"])]
    assert set(nyc["list_id"]) == set(schema.FEDERAL_LISTS)
    assert set(nyc["city_county_fips"]) == {";".join(NYC)}
    lists = designations.county_city_lists(table)
    assert {f: lists[f] for f in NYC} == dict.fromkeys(NYC, "both")
    own = designations.county_federal_lists(table)
    assert not set(NYC) & set(own.index)  # the counties themselves are on no list


def test_nyc_counties_carry_the_city_listing(release):
    from coopmap import postures

    month = postures.months(release)[-1]
    county = postures.county_postures(release, month).set_index("county_fips")
    rows = county.loc[list(NYC)]
    assert list(rows["name"]) == list(NYC.values())
    assert set(rows["federal_list"]) == {"not_listed"}
    assert set(rows["federal_list_city"]) == {"both"}
    from coopmap import figures
    assert set(figures.layer_categories(rows, "federal")) == {"city"}
    manhattan = designations.place_designations(release.table("designations"), "county", "36061")
    assert set(manhattan["relation"]) == {"within"}
    assert set(manhattan["name_as_published"]) == {"New York City", "New York City, NY"}


def test_a_city_without_a_reviewed_county_is_refused(tmp_path):
    corrections = tmp_path / "corrections"
    corrections.mkdir()
    source = paths.corrections_dir() / designations.CITY_COUNTIES_FILE
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    (corrections / designations.CITY_COUNTIES_FILE).write_text(
        "".join(line for line in lines if not line.startswith("NY,New York City,")),
        encoding="utf-8")
    with pytest.raises(designations.DesignationError, match="1 city rows name no county.*"
                                                            "'New York City'"):
        designations.build_designations(SOURCES, corrections)
