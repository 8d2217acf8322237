"""Assembling the agreement tables from every real ICE sheet in data/sources/ice_287g."""

from __future__ import annotations

import hashlib

import openpyxl
import pandas as pd
import pytest

from coopmap import gazetteer, paths, schema
from coopmap.agreements import (
    agency_key,
    agency_type_from_name,
    agreement_id,
    build_agreements,
)
from coopmap.ice_sheets import ICE_MODELS

SOURCES = paths.sources_dir()
ICE = SOURCES / "ice_287g"
ALL = sorted(ICE.glob("*/*.xlsx"))


def stub_matcher(agencies: pd.DataFrame) -> pd.DataFrame:
    """A trivial stand-in for coopmap.matching.match_agencies: exact county names only."""
    counties = gazetteer.counties()
    by_name = {(s, n.casefold()): f for s, n, f in
               zip(counties["state_abbr"], counties["name"], counties["county_fips"], strict=True)}
    territories = set(gazetteer.states().query("is_territory")["state_abbr"])
    out = agencies.copy()
    answers = []
    for r in agencies.itertuples():
        fips = [by_name[(r.state_abbr, c.casefold())] for c in r.ice_counties
                if (r.state_abbr, c.casefold()) in by_name]
        if r.state_abbr in territories:
            answers.append(("territory", (), "territory", pd.NA))
        elif r.agency_type == "state_agency":
            answers.append(("state", (), "state_agency", pd.NA))
        elif fips:
            answers.append(("county", (fips[0],), "ice_county_column", pd.NA))
        else:
            answers.append(("unmatched", (), "unmatched", "stub: no exact county name"))
    out["jurisdiction_level"] = [a[0] for a in answers]
    out["county_fips_list"] = [a[1] for a in answers]
    out["match_method"] = [a[2] for a in answers]
    out["match_note"] = pd.Series([a[3] for a in answers], index=out.index, dtype="str")
    return out


class Recorder:
    def __init__(self):
        self.calls: list[pd.DataFrame] = []

    def __call__(self, agencies: pd.DataFrame) -> pd.DataFrame:
        self.calls.append(agencies.copy())
        return stub_matcher(agencies)


@pytest.fixture(scope="module")
def built():
    recorder = Recorder()
    tables = build_agreements(ALL, SOURCES, recorder)
    return tables, recorder


@pytest.fixture(scope="module")
def tables(built):
    return built[0]


def test_tables_follow_the_contract(tables):
    for name in ("agreements", "agreement_counties", "listings", "sheets"):
        df = getattr(tables, name)
        assert list(df.columns) == schema.TABLES[name].columns
        assert df.dtypes.to_dict() == schema.empty(name).dtypes.to_dict(), name
        schema.validate(name, df)


def test_one_sheet_per_list_and_month_and_latest_deduplicated(tables):
    sheets = tables.sheets
    assert len(sheets) == 65 + 13  # latest/ holds byte-identical copies of the last monthly files
    assert not sheets["source_file"].str.contains("latest/").any()
    assert sheets["source_file"].str.startswith("ice_287g/monthly_").all()
    newest = sheets[(sheets["list"] == "participating") & (sheets["month"] == "2026-05")].iloc[0]
    assert (newest["rows"], newest["agreements"]) == (1843, 1843)
    assert newest["sheet_date"] == pd.Timestamp("2026-05-18")


def test_active_agreements_per_month_equal_rows_minus_explained_duplicates(tables):
    per_month = tables.listings.groupby(["list", "month"]).size()
    sheets = tables.sheets.set_index(["list", "month"])
    assert (per_month == sheets["agreements"]).all()
    assert (sheets["rows"] - sheets["agreements"] == 0).all()  # ICE never repeated a row
    assert sheets["note"].isna().all()


def test_newest_sheet_gives_1843_participating_agreements(tables):
    a = tables.agreements
    assert (a["status"] == "participating").sum() == 1843
    part = a[a["status"] == "participating"]
    assert (part["last_listed"] == "2026-05").all()
    assert part["signed"].notna().all()
    assert part["source_file"].str.endswith("2026-05-18_participatingAgencies05182026am.xlsx").all()
    assert set(a["status"]) <= set(schema.STATUSES)


def test_agreement_id_is_the_documented_hash(tables):
    a = tables.agreements
    row = a[(a["agency"] == "Autauga County Sheriff's Office") & (a["model"] == "TFM")].iloc[0]
    expected = hashlib.sha256(b"AL|autauga county sheriffs office|TFM").hexdigest()[:12]
    assert row["agreement_id"] == expected == agreement_id("AL", "Autauga County Sheriff’s Office ",
                                                           "TFM")
    assert a["agreement_id"].is_unique


def test_history_spans_spelling_changes(tables):
    a = tables.agreements.set_index(["state_abbr", "agency", "model"])
    # ICE wrote "Mantiowoc" until Jul 2022: a reviewed alias keeps one agreement.
    manitowoc = a.loc[("WI", "Manitowoc County Sheriff's Office", "WSO")]
    assert (manitowoc["first_listed"], manitowoc["last_listed"]) == ("2021-01", "2026-05")
    assert not tables.agreements["agency"].str.startswith("Mantiowoc").any()
    # Wayback-era agreements still listed keep their first month.
    etowah = a.loc[("AL", "Etowah County Sheriff's Office", "JEM")]
    assert etowah["first_listed"] == "2021-01"


def test_no_longer_listed_keeps_its_last_values(tables):
    a = tables.agreements
    gone = a[a["status"] == "no_longer_listed"]
    assert len(gone) > 100
    assert (gone["last_listed"].fillna("0000") < "2026-05").all()
    bristol = a[(a["agency"] == "Bristol County Sheriff's Office") & (a["state_abbr"] == "MA")]
    assert bristol[["first_listed", "last_listed"]].values.tolist() == [["2021-01", "2021-04"]]
    assert bristol["moa_url"].iloc[0].startswith("https://web.archive.org/")
    assert bristol["source_file"].iloc[0].startswith("ice_287g/monthly_participating/2021-04")


def test_agency_type_bases(tables):
    a = tables.agreements.set_index(["state_abbr", "agency", "model"])
    assert a["agency_type_basis"].value_counts().to_dict().keys() <= {
        "ice_type_column", "other_sheet", "agency_name"}
    pasco = a.loc[("FL", "Pasco County Sheriff’s Office", "JEM")]
    assert (pasco["agency_type"], pasco["agency_type_basis"]) == ("county", "other_sheet")
    bristol = a.loc[("MA", "Bristol County Sheriff's Office", "JEM")]
    assert (bristol["agency_type"], bristol["agency_type_basis"]) == ("county", "agency_name")
    assert len(tables.type_from_name) == (a["agency_type_basis"] == "agency_name").sum()
    # ICE's "State" TYPE is read as state agency
    wyo = a.loc[("WY", "Wyoming State Highway Patrol", "TFM")]
    assert wyo["agency_type"] == "state_agency"
    assert a["is_sheriff"].sum() > 900


@pytest.mark.parametrize("name, expected", [
    ("Nye County Sheriff’s Office", "county"),
    ("Arizona Department of Corrections", "state_agency"),
    ("Arkansas State Police", "state_agency"),
    ("Florida Highway Patrol", "state_agency"),
    ("Texas Department of Public Safety", "state_agency"),
    ("Mesa Police Department", "municipality"),
])
def test_name_rule(name, expected):
    assert agency_type_from_name(name) == expected


def test_matcher_called_once_with_one_row_per_agency(built):
    tables, recorder = built
    assert len(recorder.calls) == 1
    agencies = recorder.calls[0]
    assert list(agencies.columns) == ["state_abbr", "state_fips", "agency", "agency_norm",
                                      "agency_type", "ice_counties", "ice_county_newest"]
    assert not agencies.duplicated(["state_abbr", "agency_norm"]).any()
    a = tables.agreements
    keys = {agency_key(st, ag) for st, ag in zip(a["state_abbr"], a["agency"], strict=True)}
    assert len(agencies) == len(keys) < len(a)
    assert agencies["ice_counties"].map(lambda t: isinstance(t, tuple)).all()
    autauga = agencies[agencies["agency_norm"] == "autauga county sheriffs office"].iloc[0]
    assert autauga["ice_counties"] == ("Autauga County",)
    # the agreement takes the matcher's answer
    county = a[a["jurisdiction_level"] == "county"]
    assert county["county_fips"].notna().all()
    assert set(tables.agreement_counties["agreement_id"]) == set(county["agreement_id"])
    assert a.loc[a["jurisdiction_level"] == "state", "county_fips"].isna().all()


def test_bad_matcher_output_raises():
    def bad(agencies):
        out = stub_matcher(agencies)
        out.loc[out.index[0], "match_method"] = "guess"
        return out
    with pytest.raises(ValueError, match="match_method 'guess' is not one of"):
        build_agreements([ICE / "monthly_participating"
                          / "2021-01-31_ParticipatingEntities-20210131051047.xlsx"],
                         SOURCES, bad)


def test_match_report(tables):
    rep = tables.match_report
    assert len(rep) == 1843
    assert rep["row"].tolist() == list(range(2, 1845))
    text = tables.format_match_report()
    assert "1843 rows" in text
    counts = rep["match_method"].value_counts()
    assert f"ice_county_column     {counts['ice_county_column']}" in text
    unmatched = rep[rep["match_method"] == "unmatched"]
    assert f"Unmatched rows ({len(unmatched)})" in text
    first = unmatched.iloc[0]
    assert f"row {first['row']} {first['state_abbr']} {first['agency']!r}" in text
    assert "Agency type decided from the name" in text
    assert "Bristol County Sheriff's Office" in text


def test_pending_status_on_an_earlier_cut():
    files = [p for p in ALL if p.parent.name.startswith("monthly_") and p.name[:7] <= "2025-06"]
    t = build_agreements(files, SOURCES, stub_matcher)
    a = t.agreements
    pending = a[a["status"] == "pending"]
    assert len(pending) > 0
    assert (pending["last_pending"] == "2025-06").all()
    assert pending["last_listed"].isna().all()  # never on a participating sheet by then
    assert pending["signed"].isna().all()
    assert (t.listings["month"] <= "2025-06").all()


def test_repeated_row_is_explained(tmp_path):
    src = ICE / "monthly_participating" / "2021-01-31_ParticipatingEntities-20210131051047.xlsx"
    wb = openpyxl.load_workbook(src)
    ws = wb.worksheets[0]
    ws.append([c.value for c in ws[5]])  # ICE repeats row 5 at the bottom
    copy = tmp_path / src.name
    wb.save(copy)
    t = build_agreements([copy], tmp_path, stub_matcher)
    sheet = t.sheets.iloc[0]
    assert (sheet["rows"], sheet["agreements"]) == (149, 148)
    agency, model = ws["B5"].value.strip(), ICE_MODELS[ws["C5"].value.strip().casefold()]
    assert sheet["note"] == f"row 150 repeats row 5: {agency} ({model})"
    assert len(t.listings) == sheet["rows"] - 1 == len(t.agreements)
    assert sheet["source_file"] == src.name


def test_a_build_uses_the_misspellings_of_its_own_corrections_folder(tmp_path):
    """ICE listed 'Ft. Myers Police Department' in 2025-05 and 2025-06, 'Fort Myers Police
    Department' from 2025-07: one agreement with the project's table; two with a corrections
    folder whose spellings table lacks that row (the build reads the folder it is given)."""
    import shutil

    from coopmap import agreements

    files = [p for p in ALL if p.parent.name == "monthly_participating"
             and "2025-06" <= p.name[:7] <= "2025-07"]
    folder = tmp_path / "corrections"
    shutil.copytree(paths.corrections_dir(), folder)
    table = folder / agreements.SPELLINGS_FILE
    lines = table.read_text().splitlines(keepends=True)
    table.write_text("".join(line for line in lines if not line.startswith("FL,ft myers")))

    def fort_myers(corrections):
        a = build_agreements(files, SOURCES, stub_matcher, corrections_dir=corrections).agreements
        return a[(a["state_abbr"] == "FL") & a["agency"].str.contains("Myers Police")]

    assert len(fort_myers(None)) == 1
    assert len(fort_myers(folder)) == 2
