"""ICE detention tables on the real files: every workbook layout, counts, identity, counties,
monthly figures and postures."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from coopmap import detention, detention_postures, paths
from coopmap.detention_sheets import read_workbook, zip5

SOURCES = paths.sources_dir()
ROOT = SOURCES / "ice_detention"
WORKBOOKS = detention.workbook_paths(SOURCES)

# Facilities per file (PROVENANCE.md), and the sheet and header row each layout has.
EXPECTED = {
    "FY19-detentionstats.xlsx": (213, "Facilities FY19", 7, "2019-10-07", 2019),
    "FY20-detentionstats.xlsx": (170, "Facilities EOYFY20 ", 7, "2020-09-30", 2020),
    "FY21-detentionstats.xlsx": (135, "Facilities FY21 YTD", 7, "2021-09-27", 2021),
    "FY22-detentionStats.xlsx": (130, "Facilities FY22", 7, "2022-09-19", 2022),
    "FY23_detentionStats.xlsx": (115, "Facilities EOFY23", 6, "2023-09-30", 2023),
    "FY24_detentionStats.xlsx": (109, "Facilities EOFY24", 7, "2024-10-07", 2024),
    "FY25_detentionStats09242025.xlsx": (189, "Facilities FY25", 7, "2025-09-15", 2025),
    "FY26_detentionStats02022026.xlsx": (225, "Facilities FY26", 10, "2026-01-22", 2026),
    # PROVENANCE says 202; the raw sheet has 203 facility rows (see the note in PROVENANCE.md).
    "FY26_detentionStats_04092026.xlsx": (203, "Facilities FY26", 10, "2026-04-02", 2026),
}


@pytest.fixture(scope="module")
def built() -> detention.DetentionBuild:
    return detention.build(SOURCES, paths.corrections_dir())


def _raw_facility_rows(path: Path) -> list[tuple]:
    """Facility rows counted independently with openpyxl: below the 'Name' header, a name and a
    Type Detailed."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheet = next(book[n] for n in book.sheetnames if n.startswith("Facilities"))
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Name")
    kind = rows[header].index("Type Detailed")
    return [r for r in rows[header + 1:] if r and r[0] and r[kind]]


def test_all_nine_workbooks_are_at_hand():
    assert sorted(p.name for p in WORKBOOKS) == sorted(EXPECTED)


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.name)
def test_every_layout_parses_with_the_raw_sheets_count(path):
    n, sheet, header, pull, fy = EXPECTED[path.name]
    read = read_workbook(path)
    assert read.errors == []
    assert (read.sheet, read.header_row, str(read.data_pull), read.fiscal_year) == (
        sheet, header, pull, fy)
    assert len(read.rows) == n == len(_raw_facility_rows(path))
    assert read.rows["zip"].str.fullmatch(r"\d{5}").all()
    assert read.rows["type_detailed"].notna().all()


def test_zips_keep_their_leading_zeros():
    read = read_workbook(ROOT / "ice_detention_stats" / "FY24_detentionStats.xlsx")
    wyatt = read.rows[read.rows["name"] == "WYATT DETENTION CENTER"]
    assert wyatt["zip"].tolist() == ["02863"]
    assert zip5(2863.0) == "02863" and zip5("02863") == "02863" and zip5(28.5) is None


def test_fy26_april_counts_by_type():
    read = read_workbook(ROOT / "ice_detention_stats" / "FY26_detentionStats_04092026.xlsx")
    counts = read.rows["type_detailed"].value_counts().to_dict()
    assert counts == {"USMS IGA": 99, "IGSA": 37, "DIGSA": 25, "CDF": 19, "BOP": 7, "SPC": 5,
                      "STAGING": 4, "USMS CDF": 3, "STATE": 2, "FAMILY": 1, "DOD": 1}


def test_adp_is_the_sum_of_levels_a_to_d(built):
    path = ROOT / "ice_detention_stats" / "FY25_detentionStats09242025.xlsx"
    raw = _raw_facility_rows(path)
    alamance = next(r for r in raw if r[0] == "ALAMANCE COUNTY DETENTION FACILITY")
    expected = sum(float(v or 0) for v in alamance[9:13])
    pop = built.population
    row = pop[(pop["source_file"].str.endswith(path.name)) & (pop["facility_code"] == "ALAMCNC")]
    assert len(row) == 1
    assert row["adp"].iloc[0] == pytest.approx(expected)
    assert row["data_pull"].iloc[0] == pd.Timestamp("2025-09-15")


def test_the_july_figures_are_labelled_a_third_partys_parse(built):
    pop = built.population
    parse = pop[pop["source_kind"] == "third_party_parse"]
    assert len(parse) == 208
    assert set(parse["source_file"]) == {detention.BIWEEKLY_FILE}
    assert set(parse["data_pull"]) == {pd.Timestamp("2026-07-20")}
    assert set(pop.loc[pop["source_kind"] == "ice_workbook", "source_file"]) == {
        f"ice_detention_stats/{n}" for n in EXPECTED}


@pytest.mark.parametrize("code, fips, county_basis", [
    ("ADAMSMS", "28001", "reviewed_entry"),    # Natchez MS 39120 spans Adams and Jefferson
    ("ALAMCNC", "37001", "zip_one_county"),    # Graham NC
    ("STWRTGA", "13259", "reviewed_entry"),    # Lumpkin GA: Stewart County, not Webster
    ("KRNRCTX", "48255", "reviewed_entry"),    # Karnes City TX: Karnes County
    ("ELZICDF", "34039", "reviewed_entry"),    # Elizabeth NJ: Union County
])
def test_facilities_placed_right_by_hand(built, code, fips, county_basis):
    row = built.facilities.set_index("facility_code").loc[code]
    assert (row["county_fips"], row["county_basis"]) == (fips, county_basis)


def test_adams_county_is_one_facility_across_its_names(built):
    row = built.facilities.set_index("facility_code").loc["ADAMSMS"]
    assert "ADAMS COUNTY DET CENTER" in row["names_seen"]
    assert row["name"] == "ADAMS COUNTY CORRECTIONAL CENTER"
    assert (row["type_detailed"], row["agreement_class"]) == ("DIGSA", "local_government")
    assert (row["first_fy"], row["last_fy"]) == (2019, 2026)


def test_every_facility_is_placed_or_unplaced_with_a_reason(built):
    f = built.facilities
    placed = f["county_basis"] != "unplaced"
    assert f.loc[placed, "county_fips"].notna().all()
    assert f.loc[~placed, "county_fips"].isna().all()
    assert f.loc[~placed, "county_note"].str.len().gt(0).all()
    report = built.report()
    for code in f.loc[~placed, "facility_code"]:
        assert f"  {code} " in report


def test_undecided_names_are_reported_with_provisional_keys(built):
    undecided = [x for x in built.links if x.method == "undecided"]
    report = built.report()
    assert "Undecided names" in report
    for link in undecided:
        assert link.code.startswith("X") and repr(link.name) in report
    # Nothing is linked on similarity alone: every non-exact link is a reviewed row.
    methods = {x.method for x in built.links}
    assert methods <= {"code_in_source", "exact_name_zip", "crosswalk", "reviewed_no_code",
                       "undecided"}


def test_a_bad_crosswalk_row_names_file_row_and_column(tmp_path):
    shutil.copy(paths.corrections_dir() / detention.CROSSWALK_FILE, tmp_path)
    with open(tmp_path / detention.CROSSWALK_FILE, "a", encoding="utf-8") as fh:
        fh.write("MS,3912,ADAMS COUNTY DET CENTER,ADAMSMS,typo\n")
    with pytest.raises(detention.DetentionError, match=r"row \d+, column zip: '3912'"):
        detention.load_crosswalk(tmp_path)


def test_monthly_national_totals_equal_a_direct_sum_of_the_daily_rows(built):
    daily = pd.read_parquet(ROOT / detention.DDP_FILE,
                            columns=["date", "n_detained"])
    daily["month"] = pd.to_datetime(daily["date"]).dt.strftime("%Y-%m")
    by_month = daily.groupby("month").agg(total=("n_detained", "sum"), days=("date", "nunique"))
    direct = by_month["total"] / by_month["days"]
    ours = built.monthly.groupby("month")["adp"].sum()
    assert list(ours.index) == list(direct.index)
    assert ours.index[0] == "2022-10" and ours.index[-1] == "2026-03"
    pd.testing.assert_series_equal(ours, direct, check_names=False, rtol=1e-9)
    assert built.monthly.loc[built.monthly["month"] == "2026-03", "days"].eq(10).all()


def test_postures_say_none_listed_not_no(built, release):
    counties, states = release.table("counties"), release.table("states")
    cp = detention_postures.county_postures(built.monthly, built.facilities, counties, states,
                                            check=True)
    sept = cp[cp["month"] == "2025-09"].set_index("county_fips")
    assert sept.loc["37001", "detention_category"] == "IGSA"
    assert bool(sept.loc["37001", "has_local_detention"]) is True
    assert sept.loc["28001", "detention_category"] == "DIGSA"
    none = sept[sept["detention_category"] == "none_listed"]
    assert none["has_local_detention"].isna().all()
    assert (none["adp_local"] == 0).all()
    federal = sept[sept["detention_category"] == "federal_private"]
    assert len(federal) and (federal["has_local_detention"] == False).all()  # noqa: E712


def test_state_postures_add_up_to_the_national_monthly_total(built, release):
    sp = detention_postures.state_postures(built.monthly, built.facilities,
                                           release.table("states"), check=True)
    month = sp[sp["month"] == "2025-09"]
    total = month[["adp_local", "adp_other", "adp_unknown"]].to_numpy().sum()
    places = built.facilities.set_index("facility_code")["state_abbr"]
    states = set(release.table("states")["state_abbr"])
    m = built.monthly[built.monthly["month"] == "2025-09"]
    in_states = m[m["facility_code"].map(places).isin(states)]["adp"].sum()
    assert total == pytest.approx(in_states)


def test_no_data_months_are_not_zero(release):
    counties = release.table("counties")
    out = detention_postures.at_month(release.table("detention_county_postures"), "2021-01",
                                      counties, "county_fips")
    assert len(out) == len(counties)
    assert (out["detention_category"] == "no_data").all()
    assert out["adp_local"].isna().all()
