"""The staff-findings layer (``policies``): empty in the build, applied month by month."""

from __future__ import annotations

import pandas as pd
import pytest

from coopmap import paths, places, policies, schema

SOURCES = paths.PROJECT_ROOT / "data" / "sources"


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return policies.build_policies(places.build_counties(SOURCES), places.build_states(SOURCES))


def test_one_row_per_place_and_practice_and_no_finding(table):
    assert list(table.columns) == schema.POLICIES.columns
    assert len(table) == (3142 + 51) * 3
    assert table.groupby("level")["fips"].nunique().to_dict() == {"county": 3142, "state": 51}
    assert set(table["dimension"]) == set(schema.POLICY_DIMENSIONS)
    assert (table["value"] == "unknown").all() and (table["basis"] == "none").all()
    for col in ("source", "source_url", "as_of", "review_status", "note"):
        assert table[col].isna().all(), col


def test_a_finding_applies_from_the_month_it_was_checked(table):
    rows = table.set_index(["level", "fips", "dimension"])
    key = ("county", "41051", "jail_access")
    rows.loc[key, ["value", "basis", "source", "as_of"]] = [
        "declined", "local_policy", "Multnomah County policy", pd.Timestamp("2025-03-10")]
    rows = rows.reset_index()
    assert policies.findings(rows, "county", "2025-02").empty
    found = policies.findings(rows, "county", "2025-03")
    assert found.to_dict("records") == [{
        "fips": "41051", "dimension": "jail_access", "value": "declined",
        "basis": "local_policy", "source": "Multnomah County policy"}]
    assert policies.findings(rows, "state", "2026-05").empty
