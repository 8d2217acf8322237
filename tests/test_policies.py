"""Detainer holds, release notification and jail access, inherited from state laws only."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from coopmap import paths, places, policies, schema, state_laws

SOURCES = paths.PROJECT_ROOT / "data" / "sources"
CORRECTIONS = paths.PROJECT_ROOT / "data" / "corrections"


@pytest.fixture(scope="module")
def inputs():
    return (places.build_counties(SOURCES), places.build_states(SOURCES),
            state_laws.build_state_laws(SOURCES))


@pytest.fixture(scope="module")
def table(inputs) -> pd.DataFrame:
    return policies.build_policies(*inputs, CORRECTIONS)


def test_one_row_per_place_and_practice(table):
    assert list(table.columns) == schema.POLICIES.columns
    assert len(table) == (3142 + 51) * 3
    assert table.groupby("level")["fips"].nunique().to_dict() == {"county": 3142, "state": 51}
    assert set(table["dimension"]) == set(schema.POLICY_DIMENSIONS)


def test_every_known_value_is_quoted_from_its_state_law(table, inputs):
    counties, _, laws = inputs
    laws = laws.set_index("state_fips")
    state_of = dict(zip(counties["county_fips"], counties["state_fips"], strict=True))
    known = table[table["value"] != "unknown"]
    assert len(known) > 0
    for r in known.itertuples():
        law = laws.loc[r.fips if r.level == "state" else state_of[r.fips]]
        assert r.note in law["effect"], (r.fips, r.note)
        assert r.source == law["law_name"] and r.source_url == law["source_url"]
        assert r.basis == policies.BASIS_BY_SOURCE_TYPE[law["source_type"]]
        assert r.as_of == law["verified_date"]
        assert r.review_status == "unreviewed_draft"


def test_everything_else_is_unknown_with_no_source(table):
    unknown = table[table["value"] == "unknown"]
    assert (unknown["basis"] == "none").all()
    for col in ("source", "source_url", "as_of", "review_status", "note"):
        assert unknown[col].isna().all(), col
    assert (table.loc[table["basis"] == "none", "value"] == "unknown").all()


def test_counties_inherit_exactly_their_state(table, inputs):
    counties = inputs[0]
    st = table[table["level"] == "state"].set_index(["fips", "dimension"])
    co = table[table["level"] == "county"].merge(
        counties[["county_fips", "state_fips"]], left_on="fips", right_on="county_fips")
    expected = st.loc[list(zip(co["state_fips"], co["dimension"], strict=True))]
    for col in ("value", "basis", "source", "note"):
        assert co[col].tolist() == expected[col].tolist(), col


def _value(table, fips, dim="detainer_holds"):
    return table.set_index(["fips", "dimension"]).loc[(fips, dim)]


def test_known_states(table):
    tx = _value(table, "48")
    assert tx["value"] == "honored" and tx["source"] == "SB 4 (2017)"
    assert tx["note"] == "requires local officers to comply with ICE detainer requests"
    assert _value(table, "48201")["value"] == "honored"  # Harris County inherits
    assert _value(table, "17")["value"] == "judicial_warrant_only"  # Illinois
    assert _value(table, "08")["value"] == "declined"  # Colorado
    assert _value(table, "09001")["value"] == "limited"  # Connecticut's narrow cases
    ma = _value(table, "25")
    assert ma["value"] == "declined" and ma["basis"] == "court_ruling"
    # A "pro" stance alone settles nothing: Arizona's text never mentions detainers.
    assert _value(table, "04")["value"] == "unknown"
    # No statewide law at all.
    assert (table.loc[table["fips"].str.startswith("42"), "value"] == "unknown").all()


def test_which_states_are_settled(table):
    # Changing the reviewed corrections must be a visible, deliberate change to this test.
    settled = table[(table["level"] == "state") & (table["value"] != "unknown")]
    assert settled["dimension"].unique().tolist() == ["detainer_holds"]
    assert settled.groupby("value")["fips"].apply(sorted).to_dict() == {
        "declined": ["08", "25", "27"],
        "honored": ["01", "12", "18", "19", "22", "28", "33", "37", "48"],
        "judicial_warrant_only": ["11", "17", "50"],
        "limited": ["09", "34"],
    }


def _corrections(tmp_path: Path, row: int, column: str, value: str) -> Path:
    df = pd.read_csv(CORRECTIONS / policies.CORRECTIONS_FILE, dtype=str, keep_default_na=False)
    df.loc[row - 2, column] = value
    df.to_csv(tmp_path / policies.CORRECTIONS_FILE, index=False)
    return tmp_path


@pytest.mark.parametrize(
    ("row", "column", "value", "why"),
    [
        (2, "state_abbr", "PR", "not a state"),
        (2, "dimension", "transfers", "not one of"),
        (2, "value", "yes", "not one of"),
        (2, "quote", "requires facilities to hold everyone", "not found verbatim"),
        (2, "quote", "", "is empty"),
        (3, "state_abbr", "AL", "given twice"),
        (3, "state_abbr", "PA", "has none in the state-law table"),
        (20, "quote", "Prohibits municipalities", "unknown value"),
        (20, "reviewer_note", "", "must say why"),
    ],
)
def test_corrupted_corrections_name_row_and_column(tmp_path, inputs, row, column, value, why):
    corrections = _corrections(tmp_path, row, column, value)
    with pytest.raises(policies.CorrectionsError,
                       match=rf"state_law_policies\.csv, row {row}, column \w+: .*{why}"):
        policies.build_policies(*inputs, corrections)
