"""Statewide law stances (table ``state_laws``) from ``state_laws/legislation_stance_*.csv``.

The file is an AI-drafted compilation that no human has reviewed (see its PROVENANCE.md), so every
row is ``review_status = "unreviewed_draft"`` and the compiler's own doubts (``review_note``) are
kept for the reader. Field map: ``common_name`` -> ``law_name``, ``description`` -> ``effect``.
An unknown state, stance or source type raises ``StateLawError`` naming file, row, column and value
rather than being coerced.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from coopmap import gazetteer, schema

STATE_LAWS_FILE = Path("state_laws") / "legislation_stance_2026-09-22.csv"

FIELD_MAP = {
    "stance": "stance",
    "source_type": "source_type",
    "common_name": "law_name",
    "description": "effect",
    "source_url": "source_url",
    "verified_date": "verified_date",
    "verified_by": "verified_by",
    "review_note": "review_note",
}
REVIEW_STATUS = "unreviewed_draft"


class StateLawError(ValueError):
    """A row of the state-law file cannot be read; the message names file, row, column, value."""


def _fail(path: Path, row: int, column: str, value: object, why: str) -> StateLawError:
    return StateLawError(f"{path}, row {row}, column {column}: {value!r} {why}")


def build_state_laws(sources_dir: Path) -> pd.DataFrame:
    """Table ``state_laws``: one stance per state and DC (51 rows)."""
    path = Path(sources_dir) / STATE_LAWS_FILE
    raw = pd.read_csv(path, dtype=str, encoding="utf-8")
    missing = [c for c in ["state_abbr", *FIELD_MAP] if c not in raw.columns]
    if missing:
        raise StateLawError(f"{path}: missing columns {missing}")

    fips: list[str] = []
    dates: list[pd.Timestamp] = []
    for i, r in enumerate(raw.itertuples(index=False)):
        row = i + 2  # spreadsheet row: the header is row 1
        found = gazetteer.state_by_abbr(str(r.state_abbr)) if pd.notna(r.state_abbr) else None
        if found is None or found[0] in gazetteer.TERRITORY_FIPS:
            raise _fail(path, row, "state_abbr", r.state_abbr, "is not a state or DC code")
        fips.append(found[0])
        if r.stance not in schema.STANCES:
            raise _fail(path, row, "stance", r.stance,
                        f"is not a known stance (one of {list(schema.STANCES)})")
        if r.source_type not in schema.STATE_LAW_SOURCE_TYPES:
            raise _fail(path, row, "source_type", r.source_type,
                        f"is not a known source type (one of {schema.STATE_LAW_SOURCE_TYPES})")
        date = pd.to_datetime(r.verified_date, format="%Y-%m-%d", errors="coerce")
        if pd.isna(date):
            raise _fail(path, row, "verified_date", r.verified_date, "is not a YYYY-MM-DD date")
        dates.append(date)

    out = raw[list(FIELD_MAP)].rename(columns=FIELD_MAP)
    out.insert(0, "state_fips", fips)
    dup = out["state_fips"].duplicated(keep=False)
    if dup.any():
        first = int(dup.to_numpy().nonzero()[0][1])
        raise _fail(path, first + 2, "state_abbr", raw["state_abbr"].iloc[first],
                    "appears more than once")
    out["verified_date"] = pd.array(dates, dtype="datetime64[ms]")
    out["review_status"] = REVIEW_STATUS
    out["source_file"] = STATE_LAWS_FILE.as_posix()
    out = out.sort_values("state_fips", ignore_index=True)
    return schema.validate("state_laws", out[schema.STATE_LAWS.columns])
