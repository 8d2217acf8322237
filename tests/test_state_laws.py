"""State law stances, on the real (AI-drafted) compilation."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from coopmap import paths, schema, state_laws

SOURCES = paths.PROJECT_ROOT / "data" / "sources"


@pytest.fixture(scope="module")
def laws() -> pd.DataFrame:
    return state_laws.build_state_laws(SOURCES)


def test_one_row_per_state_and_dc(laws):
    assert list(laws.columns) == schema.STATE_LAWS.columns
    assert len(laws) == 51 and laws["state_fips"].is_unique
    assert "11" in set(laws["state_fips"])
    assert laws["stance"].value_counts().to_dict() == {"pro": 25, "anti": 20, "none": 6}


def test_every_row_is_an_unreviewed_draft_with_its_doubts_kept(laws):
    assert (laws["review_status"] == "unreviewed_draft").all()
    by = laws.set_index("state_fips")
    assert "Arizona v. United States" in by.loc["04", "review_note"]
    assert by["review_note"].notna().sum() == 11  # AZ AL WV NJ CO VA VT MA MN NV RI
    assert pd.isna(by.loc["48", "review_note"])
    assert (laws["source_file"] == "state_laws/legislation_stance_2026-09-22.csv").all()
    assert (laws["verified_date"] == pd.Timestamp("2026-09-22")).all()


def test_field_map(laws):
    tx = laws.set_index("state_fips").loc["48"]
    assert tx["law_name"] == "SB 4 (2017)"
    assert "requires local officers to comply with ICE detainer requests" in tx["effect"]
    assert tx["source_type"] == "statute" and tx["stance"] == "pro"
    ma = laws.set_index("state_fips").loc["25"]
    assert ma["source_type"] == "case_law"
    # "none" states have no law to name.
    none = laws[laws["stance"] == "none"]
    assert none["law_name"].isna().all() and (none["source_type"] == "none").all()


def _write_corrupted(tmp_path: Path, row: int, column: str, value: str) -> Path:
    text = (SOURCES / state_laws.STATE_LAWS_FILE).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    rows[row - 2][column] = value
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    dst = tmp_path / state_laws.STATE_LAWS_FILE
    dst.parent.mkdir(parents=True)
    dst.write_text(out.getvalue(), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("column", "value"),
    [("stance", "neutral"), ("state_abbr", "PR"), ("state_abbr", "XX"),
     ("source_type", "ordinance"), ("verified_date", "22/09/2026")],
)
def test_bad_value_names_file_row_column_and_value(tmp_path, column, value):
    src = _write_corrupted(tmp_path, 5, column, value)
    with pytest.raises(state_laws.StateLawError,
                       match=rf"legislation_stance_2026-09-22\.csv, row 5, column {column}: "
                             rf"'{value}'"):
        state_laws.build_state_laws(src)


def test_duplicate_state_is_an_error(tmp_path):
    src = _write_corrupted(tmp_path, 3, "state_abbr", "FL")
    with pytest.raises(state_laws.StateLawError, match="row 3, column state_abbr: 'FL' appears"):
        state_laws.build_state_laws(src)
