"""Detainer holds, release notification and jail access for every county and state (``policies``).

No source at hand reports these practices county by county (PRODUCT.md). What can be said comes from
a state law whose text settles a practice statewide: the state and every county in it inherit that
value, with the law as its source. Which laws settle what is decided by a reviewer in
``corrections/state_law_policies.csv`` (state_abbr, dimension, value, quote, reviewer_note), reading
only the compiled law's description: a value is set only where the words say so, and ``quote`` must
appear verbatim in that state's description (checked here, so an edited law table cannot leave a
stale quote behind). Rows with value ``unknown`` record a passage the reviewer weighed and found not
to settle the question; they change nothing in the output. A law's stance alone settles nothing.

Inherited rows carry the law table's draft status (``review_status = "unreviewed_draft"``) and its
verified date. The basis is ``state_law``, except where the compiled source is a court decision or
court order (Massachusetts, Rhode Island), which is ``court_ruling``. Everything else is ``unknown``
with basis ``none`` and no source.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from coopmap import gazetteer, schema

CORRECTIONS_FILE = "state_law_policies.csv"
CORRECTION_COLUMNS = ["state_abbr", "dimension", "value", "quote", "reviewer_note"]
UNKNOWN = "unknown"
# Basis of an inherited value, by the law table's source_type.
BASIS_BY_SOURCE_TYPE = {
    "statute": "state_law",
    "executive_order": "state_law",
    "ag_opinion": "state_law",
    "case_law": "court_ruling",
    "court_order": "court_ruling",
}


class CorrectionsError(ValueError):
    """The reviewed corrections file is wrong; the message names file, row, column and value."""


def _fail(path: Path, row: int, column: str, value: object, why: str) -> CorrectionsError:
    return CorrectionsError(f"{path}, row {row}, column {column}: {value!r} {why}")


def read_state_law_policies(corrections_dir: Path, state_laws: pd.DataFrame) -> pd.DataFrame:
    """The reviewed table of which state laws settle which practice, checked against the laws.

    Returns the rows whose value is not ``unknown``, with ``state_fips`` added.
    """
    path = Path(corrections_dir) / CORRECTIONS_FILE
    raw = pd.read_csv(path, dtype=str, encoding="utf-8", keep_default_na=False)
    missing = [c for c in CORRECTION_COLUMNS if c not in raw.columns]
    if missing:
        raise CorrectionsError(f"{path}: missing columns {missing}")
    laws = state_laws.set_index("state_fips")
    seen: dict[tuple[str, str], int] = {}
    kept = []
    for i, r in enumerate(raw.to_dict("records")):
        row = i + 2  # spreadsheet row: the header is row 1
        found = gazetteer.state_by_abbr(r["state_abbr"]) if r["state_abbr"].strip() else None
        if found is None or found[0] not in laws.index:
            raise _fail(path, row, "state_abbr", r["state_abbr"],
                        "is not a state (or DC) of the state-law table")
        fips = found[0]
        if r["dimension"] not in schema.POLICY_DIMENSIONS:
            raise _fail(path, row, "dimension", r["dimension"],
                        f"is not one of {list(schema.POLICY_DIMENSIONS)}")
        if r["value"] not in schema.POLICY_VALUES:
            raise _fail(path, row, "value", r["value"],
                        f"is not one of {list(schema.POLICY_VALUES)}")
        key = (fips, r["dimension"])
        if key in seen:
            raise _fail(path, row, "dimension", r["dimension"],
                        f"is given twice for {r['state_abbr']} (rows {seen[key]} and {row})")
        seen[key] = row
        quote = r["quote"]
        if r["value"] == UNKNOWN:
            if quote.strip():
                raise _fail(path, row, "quote", quote, "is given for an unknown value")
            if not r["reviewer_note"].strip():
                raise _fail(path, row, "reviewer_note", r["reviewer_note"],
                            "is empty: an unknown row must say why the text does not settle it")
            continue
        law = laws.loc[fips]
        if pd.isna(law["law_name"]):
            raise _fail(path, row, "value", r["value"],
                        f"needs a law, but {r['state_abbr']} has none in the state-law table")
        if not quote.strip():
            raise _fail(path, row, "quote", quote, "is empty: quote the words that settle it")
        if pd.isna(law["effect"]) or quote not in law["effect"]:
            raise _fail(path, row, "quote", quote,
                        f"is not found verbatim in {r['state_abbr']}'s law description")
        kept.append({**r, "state_fips": fips, "row": row})
    return pd.DataFrame.from_records(
        kept, columns=[*CORRECTION_COLUMNS, "state_fips", "row"]
    )


def build_policies(
    counties: pd.DataFrame,
    states: pd.DataFrame,
    state_laws: pd.DataFrame,
    corrections_dir: Path,
) -> pd.DataFrame:
    """Table ``policies``: (counties + states) x the three practices, unknown unless a law says."""
    settled = read_state_law_policies(corrections_dir, state_laws)
    laws = state_laws.set_index("state_fips")
    inherited: dict[tuple[str, str], dict] = {}
    for r in settled.to_dict("records"):
        law = laws.loc[r["state_fips"]]
        basis = BASIS_BY_SOURCE_TYPE.get(law["source_type"])
        if basis is None:
            raise _fail(Path(corrections_dir) / CORRECTIONS_FILE, r["row"], "state_abbr",
                        r["state_abbr"], f"has a law of source type {law['source_type']!r}, "
                        "which cannot settle a practice")
        inherited[(r["state_fips"], r["dimension"])] = {
            "value": r["value"],
            "basis": basis,
            "source": law["law_name"],
            "source_url": law["source_url"],
            "as_of": law["verified_date"],
            "review_status": law["review_status"],
            "note": r["quote"],
        }
    unknown = {"value": UNKNOWN, "basis": "none", "source": None, "source_url": None,
               "as_of": None, "review_status": None, "note": None}

    places = pd.concat([
        pd.DataFrame({"level": "state", "fips": states["state_fips"],
                      "state_fips": states["state_fips"]}),
        pd.DataFrame({"level": "county", "fips": counties["county_fips"],
                      "state_fips": counties["state_fips"]}),
    ], ignore_index=True)
    records = [
        {"level": level, "fips": fips, "dimension": dim,
         **inherited.get((state_fips, dim), unknown)}
        for level, fips, state_fips in places.itertuples(index=False)
        for dim in schema.POLICY_DIMENSIONS
    ]
    out = pd.DataFrame.from_records(records, columns=schema.POLICIES.columns)
    for col in ("source", "source_url", "review_status", "note"):
        out[col] = out[col].astype("str")
    out["as_of"] = pd.to_datetime(out["as_of"]).astype("datetime64[ms]")
    return schema.validate("policies", out)
