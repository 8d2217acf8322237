"""The ICE sheet reader, on the real files in data/sources/ice_287g."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from coopmap import paths
from coopmap.ice_sheets import (
    IceSheetError,
    list_kind_from_name,
    normalise_agency,
    read_sheet,
    sheet_date_from_name,
)

ICE = paths.sources_dir() / "ice_287g"
FILES = sorted(ICE.glob("monthly_*/*.xlsx")) + sorted(ICE.glob("latest/*.xlsx"))
NEWEST = ICE / "monthly_participating" / "2026-05-18_participatingAgencies05182026am.xlsx"
FEB_2025 = ICE / "monthly_participating" / "2025-02-28_participatingAgencies-20250228192630.xlsx"

from provenance_counts import PARTICIPATING_ROWS, PENDING_ROWS  # noqa: E402

BASE = ("STATE", "LAW ENFORCEMENT AGENCY")
LAYOUTS = {
    BASE + ("SUPPORT TYPE", "SIGNED", "MOA"),  # Jan 2021 - Jan 2025 (Wayback)
    BASE + ("TYPE", "SUPPORT TYPE", "SIGNED", "MOA"),  # Feb 2025
    BASE + ("TYPE", "COUNTY", "SUPPORT TYPE", "SIGNED", "MOA"),  # Mar - Jun 2025
    BASE + ("TYPE", "COUNTY", "SUPPORT TYPE", "SIGNED", "MOA", "ADDENDUM"),  # Jul 2025 -
    BASE + ("TYPE", "SUPPORT TYPE"),  # pending Feb 2025
    BASE + ("TYPE", "COUNTY", "SUPPORT TYPE"),  # pending Mar - Dec 2025
    BASE + ("TYPE", "COUNTY", "SUPPORT TYPE", "MOA"),  # pending 2026
}


@pytest.fixture(scope="session")
def reads():
    return {f: read_sheet(f) for f in FILES}


def _month(path: Path) -> str:
    return path.name[:7]


def test_eighty_files_found():
    assert len(FILES) == 80


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name[:24]}")
def test_every_layout_parses_without_errors(path, reads):
    read = reads[path]
    assert read.errors == []
    assert read.layout in LAYOUTS
    rows = read.rows
    assert len(rows) > 0
    assert rows["state_fips"].str.fullmatch(r"\d{2}").all()
    assert rows["model"].isin(["JEM", "WSO", "TFM"]).all()
    assert rows["agency"].str.len().gt(0).all()
    assert not rows["agency"].str.contains(r"^\s|\s$|\s\s").any()
    assert str(rows["signed"].dtype).startswith("datetime64")
    if "TYPE" in read.layout:
        # Only ICE's "#NA" leaves a type missing on a sheet that has the column.
        assert rows["agency_type"].isna().sum() <= 1
    else:
        assert rows["agency_type"].isna().all()


def test_all_header_variants_are_seen(reads):
    assert {r.layout for r in reads.values()} == LAYOUTS


def test_row_counts_match_provenance(reads):
    for path, read in reads.items():
        if path.parent.name == "monthly_participating" and _month(path) in PARTICIPATING_ROWS:
            assert len(read.rows) == PARTICIPATING_ROWS[_month(path)], path.name
        if path.parent.name == "monthly_pending":
            assert len(read.rows) == PENDING_ROWS[_month(path)], path.name
    checked = [p for p in reads if p.parent.name.startswith("monthly_")
               and _month(p) in (PARTICIPATING_ROWS if "participating" in p.parent.name
                                 else PENDING_ROWS)]
    assert len(checked) == len(PARTICIPATING_ROWS) + len(PENDING_ROWS)


def test_newest_sheet(reads):
    rows = reads[NEWEST].rows
    assert len(rows) == 1843
    # PROVENANCE.md says 42 states: it counted "LOUISIANA " and "NEW HAMPSHIRE " (trailing
    # spaces) twice. 38 states, Guam and the Northern Mariana Islands.
    assert rows["state_abbr"].nunique() == 40
    assert {"GU", "MP"} <= set(rows["state_abbr"])
    assert rows["signed"].min() == pd.Timestamp("2016-03-19")
    assert rows["signed"].max() == pd.Timestamp("2026-05-17")
    # row numbers are spreadsheet rows: the header is row 1
    assert rows["row"].iloc[0] == 2
    assert rows["row"].iloc[-1] == 1844
    first = rows.iloc[0]
    assert (first["state_name"], first["state_abbr"], first["state_fips"]) == \
        ("ALABAMA", "AL", "01")
    assert first["agency"] == "Autauga County Sheriff's Office"
    assert first["ice_county"] == "Autauga County"
    assert first["agency_type"] == "county"


def test_hyperlinks_extracted_and_link_pending_gives_none(reads):
    rows = reads[NEWEST].rows.set_index("row")
    raw = CalamineWorkbook.from_path(str(NEWEST)).get_sheet_by_index(0).to_python()
    moa_text = {i + 1: str(r[6]).strip().casefold() for i, r in enumerate(raw) if i > 0}
    linked = [r for r, t in moa_text.items() if t == "link"]
    pending = [r for r, t in moa_text.items() if t == "link pending"]
    assert len(linked) > 1000 and len(pending) > 100
    assert rows.loc[linked, "moa_url"].notna().all()
    urls = rows.loc[linked, "moa_url"]
    assert urls.str.match(r"^https?:/").all()
    assert urls.str.startswith("https://www.ice.gov/doclib/287gMOA/").sum() > 1600
    # Outlook "safelinks" wrappers are unwrapped to the ice.gov URL they redirect to
    assert not urls.str.contains("safelinks").any()
    assert rows.loc[linked, "moa_url"].str.endswith(
        "ColbertCoSheriffsOfficeAL_WSO_MOA_05.08.25.pdf").sum() == 1
    assert rows.loc[pending, "moa_url"].isna().all()
    assert rows.loc[2, "moa_url"].endswith("AutaugaCoSheriffsOfficeAL_TFM_MOA_09222025.pdf")
    assert rows["addendum_url"].notna().sum() == 45


def test_wayback_layout_has_url_text_and_string_dates(reads):
    path = ICE / "monthly_participating" / "2021-01-31_ParticipatingEntities-20210131051047.xlsx"
    rows = reads[path].rows
    assert rows["moa_url"].str.startswith("https://web.archive.org/web/20210131051047/").all()
    assert rows["signed"].notna().all()
    etowah = rows[rows["agency"] == "Etowah County Sheriff's Office"].iloc[0]
    assert etowah["signed"] == pd.Timestamp("2016-06-08")
    assert etowah["agency_type"] is pd.NA or pd.isna(etowah["agency_type"])


def test_reviewed_corrections_are_applied_and_reported(reads):
    path = ICE / "monthly_participating" / "2025-06-27_participatingAgencies06272025am.xlsx"
    read = reads[path]
    campbell = read.rows[read.rows["row"] == 692].iloc[0]
    assert campbell["signed"] == pd.Timestamp("2025-05-08")
    [warning] = [p for p in read.problems if p.column == "SIGNED"]
    assert (warning.row, warning.value, warning.severity) == (692, "05/082025", "warning")
    feb26 = reads[ICE / "monthly_participating" / "2026-02-27_participatingAgencies02272026am.xlsx"]
    misspelt = [p for p in feb26.problems if p.value == "PENNSLYVANIA"]
    assert misspelt and all(p.severity == "warning" for p in misspelt)
    assert set(feb26.rows.loc[feb26.rows["state_name"] == "PENNSLYVANIA", "state_abbr"]) == {"PA"}


def test_link_without_hyperlink_is_a_warning(reads):
    read = reads[FEB_2025]
    aransas = read.rows[read.rows["row"] == 11].iloc[0]
    assert aransas["agency"] == "Aransas County Sheriff's Office"
    assert pd.isna(aransas["moa_url"])
    assert any(p.row == 11 and p.column == "MOA" and p.severity == "warning"
               for p in read.problems)


# --- Edited copies of the real sheets -----------------------------------------------------


def _edited_copy(tmp_path: Path, edit) -> Path:
    wb = openpyxl.load_workbook(NEWEST)
    edit(wb.worksheets[0])
    out = tmp_path / "participatingAgencies-edited.xlsx"
    wb.save(out)
    return out


def test_unknown_support_type_is_an_error_naming_row_and_column(tmp_path):
    def edit(ws):
        ws["E10"] = "Jail Enforcement Modle"
        ws["A12"] = "NARNIA"
        ws["C14"] = "Tribal"
    read = read_sheet(_edited_copy(tmp_path, edit))
    errors = {(p.row, p.column): p for p in read.errors}
    assert set(errors) == {(10, "SUPPORT TYPE"), (12, "STATE"), (14, "TYPE")}
    p = errors[(10, "SUPPORT TYPE")]
    assert p.value == "Jail Enforcement Modle"
    assert p.file.endswith("participatingAgencies-edited.xlsx") and p.sheet == "Sheet1"
    assert "Jail Enforcement Model" in p.expected and "Task Force Model" in p.expected
    assert "row 10, column SUPPORT TYPE: 'Jail Enforcement Modle'" in str(p)
    assert "County" in errors[(14, "TYPE")].expected
    # rows with errors are not read; the others are
    assert len(read.rows) == 1843 - 3
    assert not read.rows["row"].isin([10, 12, 14]).any()
    with pytest.raises(IceSheetError, match="row 12, column STATE: 'NARNIA'"):
        read.raise_for_errors()


def test_two_title_rows_above_the_header(tmp_path):
    def edit(ws):
        ws.insert_rows(1, amount=2)
        ws["A1"] = "287(g) Participating Agencies"
        ws["A2"] = "As of May 18, 2026"
    read = read_sheet(_edited_copy(tmp_path, edit))
    original = read_sheet(NEWEST)
    assert read.errors == []
    assert read.layout == original.layout
    assert len(read.rows) == 1843
    assert read.rows["row"].iloc[0] == 4  # header on row 3
    cols = ["state_abbr", "agency", "agency_type", "ice_county", "model", "signed"]
    pd.testing.assert_frame_equal(read.rows[cols], original.rows[cols])


def test_csv_saved_from_the_sheet_reads_the_same(tmp_path):
    raw = CalamineWorkbook.from_path(str(NEWEST)).get_sheet_by_index(0).to_python()
    out = tmp_path / "participatingAgencies05182026am.csv"
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        for row in raw:
            # as Excel's "CSV UTF-8" export writes dates: M/D/YYYY
            writer.writerow([f"{c.month}/{c.day}/{c.year}" if isinstance(c, dt.date) else c
                             for c in row])
    from_csv, from_xlsx = read_sheet(out), read_sheet(NEWEST)
    assert from_csv.errors == []
    assert from_csv.layout == from_xlsx.layout
    links = ("moa_url", "addendum_url", "source_file", "moa_lost", "addendum_lost")
    same = [c for c in from_xlsx.rows.columns if c not in links]
    pd.testing.assert_frame_equal(from_csv.rows[same], from_xlsx.rows[same])
    # A CSV keeps no hyperlinks: the URLs are empty, marked lost where the sheet had one (the
    # build then keeps the agreement's earlier link), and one warning says why.
    assert from_csv.rows[["moa_url", "addendum_url"]].isna().all().all()
    assert not from_xlsx.rows[["moa_lost", "addendum_lost"]].any().any()
    for col, flag in (("moa_url", "moa_lost"), ("addendum_url", "addendum_lost")):
        assert (from_csv.rows[flag] == from_xlsx.rows[col].notna()).all()
    [warning] = [p for p in from_csv.problems if p.column == "MOA/ADDENDUM"]
    assert warning.severity == "warning" and warning.row is None


def test_header_matched_ignoring_case_spacing_and_order(tmp_path):
    out = tmp_path / "upload.csv"
    out.write_text(
        "support  type,state , Law Enforcement Agency,signed\n"
        "Task Force Model,TEXAS,  Harris  County Sheriff’s Office ,2025-03-01\n"
        ",,,\n",
        encoding="utf-8",
    )
    read = read_sheet(out, list_kind="participating")
    assert read.errors == []
    assert read.layout == ("SUPPORT TYPE", "STATE", "LAW ENFORCEMENT AGENCY", "SIGNED")
    [row] = read.rows.to_dict("records")
    assert (row["state_abbr"], row["state_fips"], row["model"]) == ("TX", "48", "TFM")
    assert row["agency"] == "Harris County Sheriff’s Office"
    assert row["signed"] == pd.Timestamp("2025-03-01")
    assert pd.isna(row["agency_type"]) and pd.isna(row["ice_county"])


def test_no_header_raises(tmp_path):
    out = tmp_path / "notes.csv"
    out.write_text("name,city\nx,y\n", encoding="utf-8")
    with pytest.raises(IceSheetError, match="header row"):
        read_sheet(out)


def test_bad_list_kind_raises():
    with pytest.raises(ValueError, match="participating"):
        read_sheet(NEWEST, list_kind="active")


# --- Names ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "Autauga County Sheriff’s Office ",
    "AUTAUGA COUNTY SHERIFF'S OFFICE",
    "Autauga  County Sheriffs Office",
    "Autauga County Sheriff‘s Office.",
])
def test_normalise_agency_unifies_variants(name):
    assert normalise_agency(name) == "autauga county sheriffs office"


def test_normalise_agency_punctuation():
    assert normalise_agency("St. Lucie County") == normalise_agency("St Lucie County")
    assert (normalise_agency("Department of Public Safety- Criminal Investigations Division")
            == "department of public safety criminal investigations division")
    assert normalise_agency("Rappahannock,Shenandoah, Warren") == "rappahannock shenandoah warren"
    # different agencies stay different
    assert normalise_agency("Lake City Police") != normalise_agency("Lake County Police")


def test_dates_and_kinds_from_file_names():
    assert sheet_date_from_name("2025-02-28_participatingAgencies-20250228192630.xlsx") == \
        dt.date(2025, 2, 28)
    assert sheet_date_from_name("participatingAgencies05182026am.xlsx") == dt.date(2026, 5, 18)
    assert sheet_date_from_name("upload.xlsx") is None
    assert list_kind_from_name("pendingAgencies02272026am.xlsx") == "pending"
    assert list_kind_from_name("2021-01-31_ParticipatingEntities-2021.xlsx") == "participating"
    assert list_kind_from_name("upload.xlsx") is None
