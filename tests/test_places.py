"""Counties and states with population, on the real Census and geography files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from coopmap import paths, places, schema

SOURCES = paths.PROJECT_ROOT / "data" / "sources"


@pytest.fixture(scope="module")
def counties() -> pd.DataFrame:
    return places.build_counties(SOURCES)


@pytest.fixture(scope="module")
def states() -> pd.DataFrame:
    return places.build_states(SOURCES)


def _census() -> pd.DataFrame:
    df = pd.read_csv(SOURCES / places.POPULATION_FILE, encoding="latin-1", dtype=str)
    df["fips"] = df["STATE"] + df["COUNTY"]
    return df


def test_tables_follow_the_contract(counties, states):
    assert list(counties.columns) == schema.COUNTIES.columns
    assert list(states.columns) == schema.STATES.columns
    assert len(counties) == 3142
    assert len(states) == 51
    assert counties["county_fips"].is_unique and states["state_fips"].is_unique
    assert str(counties["county_fips"].dtype) == "str"
    assert set(states["state_abbr"]) >= {"DC", "WY"} and "PR" not in set(states["state_abbr"])


def test_state_population_is_the_state_row_of_the_file(states):
    census = _census()
    state_rows = census[census["SUMLEV"] == "040"].set_index("STATE")["POPESTIMATE2024"]
    assert states.set_index("state_fips")["population"].to_dict() == {
        k: int(v) for k, v in state_rows.items()
    }
    assert states["population"].sum() == state_rows.astype(int).sum() == 340_110_988


def test_counties_add_up_to_their_state_except_connecticut(counties, states):
    by_state = counties.groupby("state_fips")["population"].sum()
    st = states.set_index("state_fips")["population"]
    for fips in st.index.drop("09"):
        assert by_state[fips] == st[fips], fips
    # Connecticut's counties are all unknown, so the county sum misses exactly the CT total.
    assert st.sum() - counties["population"].sum() == st["09"]


def test_valdez_cordova_is_chugach_plus_copper_river(counties):
    census = _census().set_index("fips")["POPESTIMATE2024"].astype(int)
    row = counties.set_index("county_fips").loc["02261"]
    assert row["population"] == census["02063"] + census["02066"] == 6604 + 2631
    assert "Chugach (02063)" in row["population_note"]
    assert "Copper River (02066)" in row["population_note"]
    assert row["name"] == "Valdez-Cordova Census Area"


def test_connecticut_counties_have_no_population_and_say_why(counties):
    ct = counties[counties["state_fips"] == "09"]
    assert len(ct) == 8
    assert ct["population"].isna().all()
    assert ct["population_note"].str.contains("planning regions").all()
    # Nowhere else is population missing or annotated.
    others = counties[~counties["county_fips"].isin([*ct["county_fips"], "02261"])]
    assert others["population"].notna().all() and others["population_note"].isna().all()


def test_names_and_counts(counties, states):
    named = counties.set_index("county_fips")["name"]
    assert named["35013"] == "Doña Ana County"  # Latin-1 byte 0xF1 read correctly
    assert named["24510"] == "Baltimore city"
    assert named["09001"] == "Fairfield County"
    st = states.set_index("state_abbr")
    assert st.loc["TX", "counties"] == 254 and st.loc["DC", "counties"] == 1
    assert st.loc["CT", "counties"] == 8 and st.loc["AK", "counties"] == 29
    assert states["counties"].sum() == 3142


def _copy_sources(tmp_path: Path) -> Path:
    dst = tmp_path / "sources"
    (dst / "population").mkdir(parents=True)
    shutil.copytree(SOURCES / "geo", dst / "geo")
    return dst


def test_bad_population_value_names_row_and_column(tmp_path):
    dst = _copy_sources(tmp_path)
    lines = (SOURCES / places.POPULATION_FILE).read_bytes().split(b"\n")
    fields = lines[2].split(b",")  # row 3: Autauga County
    fields[12] = b"6l464"
    lines[2] = b",".join(fields)
    (dst / places.POPULATION_FILE).write_bytes(b"\n".join(lines))
    with pytest.raises(places.PopulationError,
                       match=r"row 3, column POPESTIMATE2024: '6l464'"):
        places.build_counties(dst)


def test_county_row_outside_the_2017_geography_is_an_error(tmp_path):
    dst = _copy_sources(tmp_path)
    lines = (SOURCES / places.POPULATION_FILE).read_bytes().split(b"\n")
    extra = lines[2].replace(b"050,3,6,01,001,Alabama,Autauga County",
                             b"050,3,6,01,999,Alabama,New County")
    lines.insert(3, extra)
    (dst / places.POPULATION_FILE).write_bytes(b"\n".join(lines))
    with pytest.raises(places.PopulationError, match=r"row 4, columns STATE\+COUNTY: '01999'"):
        places.build_counties(dst)
