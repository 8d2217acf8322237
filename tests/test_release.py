"""The bundled release, built from the real sources: counts, coverage, reproducibility."""

from __future__ import annotations

import pandas as pd
import pytest
from provenance_counts import PARTICIPATING_ROWS as PROVENANCE_ROWS

from coopmap import build, geometry, paths, postures, schema
from coopmap.store import ReleaseStore


def test_every_table_loads_and_validates(release):
    for name in schema.TABLES:
        df = release.table(name)
        assert release.manifest["row_counts"][name] == len(df)


def test_manifest_lists_every_source_with_hash(release):
    paths_ = {s["path"] for s in release.manifest["sources"]}
    assert "sources/ice_287g/latest/participatingAgencies05182026am.xlsx" in paths_
    assert "sources/state_laws/PROVENANCE.md" in paths_
    assert all(len(s["sha256"]) == 64 for s in release.manifest["sources"])
    assert release.as_of["participating"] == "2026-05-18"


def _strings(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def test_manifest_holds_no_absolute_path(release):
    """Everything in the manifest is relative to the data folder (uploads: to the store)."""
    assert not [s for s in _strings(release.manifest) if s.startswith("/") or ":\\" in s]
    assert release.manifest["geometry"]["counties"]["path"] == "geo/counties.parquet"
    assert release.manifest["geometry"]["source"] == "sources/geo/counties-10m.json"
    assert release.manifest["uploads"] == []  # the bundled release: no staff upload


def test_newest_sheet_gives_1843_agreements(release):
    assert len(postures.active_agreements(release, "2026-05")) == 1843


@pytest.mark.parametrize("month, rows", sorted(PROVENANCE_ROWS.items()))
def test_monthly_active_counts_equal_the_sheets(release, month, rows):
    sheets = release.table("sheets").set_index(["list", "month"])
    sheet = sheets.loc[("participating", month)]
    assert sheet["rows"] == rows
    active = len(postures.active_agreements(release, month))
    assert active == sheet["agreements"]
    if active != rows:  # a repeated row: the sheet table explains it
        assert isinstance(sheet["note"], str) and sheet["note"]


def test_every_county_fips_exists_in_the_geometry(release):
    shapes = set(geometry.load_counties()["county_fips"])
    assert set(release.table("counties")["county_fips"]) == shapes
    assert set(release.table("agreement_counties")["county_fips"]) <= shapes
    listed = release.table("designations")["county_fips"].dropna()
    assert set(listed) <= shapes


def test_every_row_of_the_newest_sheet_is_placed_or_explained(release):
    active = postures.active_agreements(release, "2026-05")
    unmatched = active[active["jurisdiction_level"] == "unmatched"]
    assert unmatched["match_note"].notna().all()
    county = active[active["jurisdiction_level"] == "county"]
    assert county["county_fips"].notna().all()
    covered = set(release.table("agreement_counties")["agreement_id"])
    assert set(county["agreement_id"]) <= covered


def test_postures_of_newest_month_are_stored(release):
    stored = release.table("county_postures")
    month = postures.months(release)[-1]
    assert set(stored["month"]) == {month}
    fresh = postures.county_postures(release, month)
    pd.testing.assert_frame_equal(stored.reset_index(drop=True), fresh.reset_index(drop=True))
    assert len(stored) == 3142
    assert len(release.table("state_postures")) == 51


def test_build_is_reproducible_and_matches_the_bundled_release(tmp_path, release):
    """Building from data/sources gives the bundled release's content, byte for byte."""
    store = ReleaseStore(tmp_path / "releases")
    result = build.build(store=store, geo_dir=tmp_path / "geo")
    assert result.release.manifest["content_hash"] == release.manifest["content_hash"]
    built_geo = sorted((tmp_path / "geo").glob("*.parquet"))
    assert [p.name for p in built_geo] == ["counties.parquet", "states.parquet"]
    for p in built_geo:
        assert p.read_bytes() == (paths.geo_dir() / p.name).read_bytes(), p.name
