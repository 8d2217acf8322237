"""Staff upload of ICE's newest detention workbook, on the real files: the 2026-04-02 workbook
uploaded against a source set that stops at 2026-01-22."""

from __future__ import annotations

import io
import shutil

import openpyxl
import pandas as pd
import pytest

from coopmap import detention, detention_upload, paths
from coopmap.uploads import intake

NEWEST = paths.sources_dir() / "ice_detention/ice_detention_stats/FY26_detentionStats_04092026.xlsx"
OLDER = paths.sources_dir() / "ice_detention/ice_detention_stats/FY25_detentionStats09242025.xlsx"


class Tables:
    def __init__(self, tables):
        self._t = tables

    def table(self, name):
        return self._t[name]


@pytest.fixture(scope="module")
def january(tmp_path_factory, release):
    """Sources without the 2026-04-02 workbook, and a release-like view of their tables."""
    src = tmp_path_factory.mktemp("january") / "sources"
    for folder in ("ice_detention", "geo", "population"):
        shutil.copytree(paths.sources_dir() / folder, src / folder)
    (src / "ice_detention/ice_detention_stats" / NEWEST.name).unlink()
    built = detention.build(src, paths.corrections_dir())
    view = Tables({"counties": release.table("counties"), "states": release.table("states"),
                   "detention_facilities": built.facilities,
                   "detention_population": built.population})
    return src, view


def check(data: bytes, name: str, view, src):
    return detention_upload.check(intake(data, name), view, sources_dir=src)


def test_the_newest_workbook_rebuilds_the_tables_like_the_full_build(january, release):
    src, view = january
    cand = check(NEWEST.read_bytes(), NEWEST.name, view, src)
    assert cand.errors == [] and cand.publishable
    assert cand.summary["facilities"] == 203 and cand.summary["data_pull"] == "2026-04-02"
    assert cand.summary["fiscal_year"] == 2026
    full = release.table("detention_population")
    mine = cand.tables["detention_population"]
    uploaded = mine[mine["source_file"] == cand.source_file].sort_values("row")
    bundled = full[full["source_file"].str.endswith(NEWEST.name)].sort_values("row")
    assert uploaded["facility_code"].tolist() == bundled["facility_code"].tolist()
    assert uploaded["adp"].tolist() == bundled["adp"].tolist()
    assert len(cand.tables["detention_facilities"]) == len(release.table("detention_facilities"))


def test_the_real_upload_warns_only_about_names_without_a_code(january):
    src, view = january
    cand = check(NEWEST.read_bytes(), NEWEST.name, view, src)
    # Every facility of the 2026-04-02 workbook is known from the July parse or earlier years.
    assert cand.summary["new_facilities"] == 0
    names = sorted(p.value for p in cand.warnings if p.column == "Name")
    assert names == ["DILLEY IMMIGRATION PROCESSING CENTER",
                     "LAFAYETTE PARISH CORRECTIONAL CENTER", "MIDWEST REGIONAL RECEPTION CENTER"]
    assert all(p.row and "provisional key X" in p.expected for p in cand.warnings
               if p.column == "Name")


def test_a_new_facility_with_unknown_county_is_a_warning_with_its_row(january):
    src, view = january
    book = openpyxl.load_workbook(NEWEST)
    sheet = book["Facilities FY26"]
    header = [c.value for c in sheet[10]]
    row = next(r for r in range(11, sheet.max_row + 1) if sheet.cell(r, 1).value == "WYATT "
               "DETENTION CENTER")
    sheet.cell(row, 1).value = "RIVER BEND COUNTY JAIL"  # a name and ZIP no source knows
    sheet.cell(row, header.index("Zip") + 1).value = "99999"
    buf = io.BytesIO()
    book.save(buf)
    cand = check(buf.getvalue(), "FY26_detentionStats_new.xlsx", view, src)
    assert cand.publishable  # warnings do not block; staff accept them
    [warning] = [p for p in cand.warnings if p.column == "Zip"]
    assert (warning.file, warning.sheet, warning.row, warning.value) == (
        "FY26_detentionStats_new.xlsx", "Facilities FY26", row, "99999")
    assert "a new facility placed in a county" in warning.expected
    assert "ZIP 99999 is not in the zipcodes package" in warning.expected
    assert cand.summary["new_facilities"] == 1


def test_a_changed_layout_is_an_error_naming_the_missing_columns(january):
    src, view = january
    book = openpyxl.load_workbook(NEWEST)
    sheet = book["Facilities FY26"]
    header = [c.value for c in sheet[10]]
    sheet.delete_cols(header.index("Level B") + 1)
    sheet.delete_cols(header.index("Zip") + 1)
    buf = io.BytesIO()
    book.save(buf)
    cand = check(buf.getvalue(), "FY26_detentionStats_changed.xlsx", view, src)
    assert not cand.publishable
    [error] = cand.errors
    assert error.file == "FY26_detentionStats_changed.xlsx" and error.row == 10
    assert "missing: ZIP, LEVEL B" in str(error)


def test_an_older_workbook_is_refused(january):
    src, view = january
    cand = check(OLDER.read_bytes(), OLDER.name, view, src)
    [error] = cand.errors
    assert "after 2026-01-22" in str(error) and "2025-09-15" in str(error)


def test_a_file_that_is_not_a_workbook_is_refused(january):
    src, view = january
    cand = check(b"Name,Address\nX,Y\n", "facilities.csv", view, src)
    assert not cand.publishable and "as .xlsx" in str(cand.errors[0])
    assert not detention_upload.is_detention_workbook(intake(b"Name,Address\nX,Y\n", "f.csv"))
    assert detention_upload.is_detention_workbook(intake(NEWEST.read_bytes(), NEWEST.name))


def test_checking_the_same_workbook_again_gives_the_same_answer(january):
    """The preview's caches (parsed workbooks, links) change no answer; the bench measures the
    time (target 1.5 s)."""
    src, view = january
    first = check(NEWEST.read_bytes(), NEWEST.name, view, src)
    again = check(NEWEST.read_bytes(), "again_" + NEWEST.name, view, src)
    assert first.publishable and again.publishable
    assert [(w.sheet, w.row, w.column, w.expected) for w in first.warnings] == [
        (w.sheet, w.row, w.column, w.expected) for w in again.warnings]
    for name, table in first.tables.items():
        if "source_file" in table:  # names the upload, so the file name differs
            table, other = table.drop(columns="source_file"), again.tables[name].drop(
                columns="source_file")
        else:
            other = again.tables[name]
        pd.testing.assert_frame_equal(table, other)
