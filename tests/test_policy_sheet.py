"""The policy-findings sheet: template, good sheets in every encoding, every kind of bad cell,
and a property test: generated sheets are either read or answered with problems, never raise."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopmap import policy_sheet, schema
from coopmap.policy_sheet import read_policy_sheet
from coopmap.uploads import UploadError, intake

CORPUS = Path(__file__).parent / "corpus"
TODAY = dt.date(2026, 11, 27)


def read(name: str):
    return read_policy_sheet(intake((CORPUS / name).read_bytes(), name), today=TODAY)


@pytest.mark.parametrize("name", ["policy_good.xlsx", "policy_latin1.csv", "policy_bom.csv",
                                  "policy_semicolon.csv"])
def test_good_sheet_in_every_form(name):
    r = read(name)
    assert r.errors == [] and r.warnings == []
    got = r.findings[["level", "fips", "dimension", "value", "basis"]].values.tolist()
    assert got == [
        ["county", "06037", "detainer_holds", "judicial_warrant_only", "local_policy"],
        ["county", "35013", "jail_access", "declined", "local_policy"],  # Doña Ana, any encoding
        ["county", "24510", "release_notification", "limited", "local_policy"],  # the city
        ["state", "48", "state_law_stance", "pro", "statute"],
    ]
    assert r.findings["as_of"].tolist()[0] == dt.date(2026, 3, 2)


def test_bad_sheet_lists_every_problem_precisely():
    r = read("policy_bad.csv")
    errors = {(p.row, p.column): (p.value, p.expected) for p in r.errors}
    assert errors[(2, "Value")][0] == "maybe"
    assert "not one" in errors[(3, "FIPS")][1]
    assert "ambiguous" in errors[(4, "County")][1] and "Baltimore city" in errors[(4, "County")][1]
    assert errors[(5, "As of")] == ("31/02/2026", "a date: YYYY-MM-DD (or an Excel date)")
    assert "not after today" in errors[(6, "As of")][1]
    assert "row 7 already gives jail_access for 01005" in errors[(8, "Dimension")][1]
    assert "http" in errors[(9, "Source URL")][1]
    assert "only for a whole state" in errors[(10, "Dimension")][1]
    warnings = [(p.row, p.column) for p in r.warnings]
    assert warnings == [(7, "Note")]  # markup is kept as text, with a warning
    assert r.findings["row"].tolist() == [7]
    assert r.findings["note"].tolist() == ["<script>alert(1)</script>"]
    assert all(p.file == "policy_bad.csv" for p in r.problems)


def test_missing_columns():
    r = read("policy_missing_columns.csv")
    assert len(r.errors) == 1 and r.findings.empty
    assert "['Basis', 'Source URL', 'As of']" in r.errors[0].expected


def test_formula_cell_without_saved_value_is_refused():
    r = read("policy_formula.xlsx")
    (err,) = [p for p in r.errors if p.column == "FIPS"]
    assert "cell A2 holds a formula with no saved value" in err.expected


def test_template_round_trip():
    data = policy_sheet.template_xlsx()
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Findings", "Instructions", "Valid values"]
    assert [c.value for c in wb["Findings"][1]] == list(policy_sheet.COLUMNS)
    valid = {(r[0].split(" ")[0], r[1]) for r in wb["Valid values"].iter_rows(min_row=2,
                                                                              values_only=True)}
    for dim in schema.POLICY_DIMENSIONS:
        assert {(dim, v) for v in schema.POLICY_VALUES} <= valid
    # Filled in like a person would (FIPS typed as a number, labels instead of codes), it reads.
    ws = wb["Findings"]
    ws.append([1001, None, None, "Jail access", "Declined", "Local policy", "Jail policy",
               "https://example.org/p", dt.datetime(2026, 5, 1), None])
    buf = io.BytesIO()
    wb.save(buf)
    r = read_policy_sheet(intake(buf.getvalue(), "filled.xlsx"), today=TODAY)
    assert r.errors == []
    assert r.findings[["fips", "dimension", "value"]].values.tolist() == [
        ["01001", "jail_access", "declined"]]
    assert [p.column for p in r.warnings] == ["FIPS"]  # Excel dropped the leading zero


def test_fuzzy_county_is_a_warning_with_the_suggestion():
    csv = ("County,State,Dimension,Value,Basis,Source URL,As of\n"
           "Los Angles County,CA,jail_access,declined,local_policy,https://e.org/x,2026-01-05\n"
           "Nowhere County,CA,jail_access,declined,local_policy,https://e.org/x,2026-01-05\n")
    r = read_policy_sheet(intake(csv.encode(), "f.csv"), today=TODAY)
    (warning,) = r.warnings
    assert "'Los Angeles County' (FIPS 06037)" in warning.expected
    (error,) = r.errors
    assert error.row == 3 and "a county of California" in error.expected


# --- property test ------------------------------------------------------------------------

cell = st.one_of(
    st.none(), st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=12),
    st.integers(-10**6, 10**6),
    st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.sampled_from(["06037", "48", "detainer_holds", "declined", "local_policy", "statute",
                     "https://e.org/x", "2026-01-05", "Baltimore", "MD", "=1+1", "<b>x</b>",
                     "state_law_stance", "pro", "unknown", "none"]),
)
header = st.lists(st.sampled_from([*policy_sheet.COLUMNS, "Extra", "", "dimension "]),
                  min_size=0, max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=header, rows=st.lists(st.lists(cell, max_size=12), max_size=8),
       as_csv=st.booleans())
def test_generated_sheets_never_raise(header, rows, as_csv):
    if as_csv:
        import csv

        buf = io.StringIO()
        csv.writer(buf).writerows([header, *rows])
        data, name = buf.getvalue().encode("utf-8"), "gen.csv"
    else:
        wb = openpyxl.Workbook()
        for row in [header, *rows]:
            wb.active.append(row)
        out = io.BytesIO()
        wb.save(out)
        data, name = out.getvalue(), "gen.xlsx"
    try:
        upload = intake(data, name)
    except UploadError:
        return  # refused with a message (e.g. empty): a valid outcome
    r = read_policy_sheet(upload, today=TODAY)
    assert r.errors or len(r.findings) > 0
    for p in r.problems:
        assert p.severity in ("error", "warning") and p.expected
    assert set(r.findings["dimension"]) <= set(policy_sheet.DIMENSIONS)
