"""Detainer holds, release notification and jail access: staff findings per place (``policies``).

No source at hand reports these practices county by county (PRODUCT.md). What a state law
settles comes from the reviewed state-law readings, month by month (``coopmap.law_readings``),
and is inherited by every county of the state when postures are computed. This table holds
what overrides that: a finding staff published from a policy sheet (``coopmap.policy_sheet``),
for one county or state, with its source. A finding applies from the month of its ``as_of``
date (the date its source was checked) onwards; before that month, and wherever no finding
exists, the readings decide. The build starts it with every place ``unknown`` (no finding).

The draft state-law table (``state_laws``) settles nothing here any more: its one-sentence
summaries were replaced by the readings, so a draft can never contradict a reading.
"""

from __future__ import annotations

import pandas as pd

from coopmap import schema

UNKNOWN = "unknown"


def build_policies(counties: pd.DataFrame, states: pd.DataFrame) -> pd.DataFrame:
    """Table ``policies``: (counties + states) x the three practices, no finding anywhere."""
    places = pd.concat([
        pd.DataFrame({"level": "state", "fips": states["state_fips"]}),
        pd.DataFrame({"level": "county", "fips": counties["county_fips"]}),
    ], ignore_index=True)
    out = pd.DataFrame({
        "level": places["level"].repeat(len(schema.POLICY_DIMENSIONS)).to_numpy(),
        "fips": places["fips"].repeat(len(schema.POLICY_DIMENSIONS)).to_numpy(),
        "dimension": list(schema.POLICY_DIMENSIONS) * len(places),
    })
    out["value"] = UNKNOWN
    out["basis"] = "none"
    for col in ("source", "source_url", "review_status", "note"):
        out[col] = pd.Series(None, index=out.index, dtype="str")
    out["as_of"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ms]")
    return schema.validate("policies", out[schema.POLICIES.columns])


def findings(policies: pd.DataFrame, level: str, month: str) -> pd.DataFrame:
    """Staff findings of ``level`` that apply in ``month``: value not unknown, ``as_of`` in or
    before the month. Columns: fips, dimension, value, basis, source."""
    rows = policies[(policies["level"] == level) & (policies["value"] != UNKNOWN)]
    if rows.empty:
        return rows[["fips", "dimension", "value", "basis", "source"]]
    since = rows["as_of"].dt.strftime("%Y-%m")
    rows = rows[since.isna() | (since <= month)]
    return rows[["fips", "dimension", "value", "basis", "source"]]
