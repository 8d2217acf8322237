"""ICE's detention-statistics workbook through the one path from sources to a release, on the real
files: the 2026-04-02 workbook uploaded onto a release built without it gives the full build's
detention tables; a torn or garbled workbook is refused with its file, row, column and value and
changes nothing; `coopmap build` keeps the upload."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from staff_fixtures import WORKBOOK, built_store, garbled_workbook, sources_of

from coopmap import build, detention_upload, paths, publishing
from coopmap.store import ReleaseStore
from coopmap.uploads import UploadError, intake

DETENTION_TABLES = detention_upload.TABLES


@pytest.fixture(scope="session")
def january_store_dir(tmp_path_factory) -> Path:
    """A release built from the real sources without the 2026-04-02 workbook."""
    return built_store(tmp_path_factory, "without_detention", drop_newest="detention")


@pytest.fixture(scope="session")
def full_store_dir(tmp_path_factory) -> Path:
    return built_store(tmp_path_factory, "full", drop_newest=False)


@pytest.fixture
def store(january_store_dir, tmp_path) -> ReleaseStore:
    shutil.copytree(january_store_dir, tmp_path / "releases")
    return ReleaseStore(tmp_path / "releases")


@pytest.fixture
def src(january_store_dir) -> Path:
    return sources_of(january_store_dir)


def prepare(data: bytes, name: str, store: ReleaseStore, src: Path) -> publishing.Candidate:
    return publishing.prepare(intake(data, name), store.current(), sources_dir=src)


def _without_source_file(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns=[c for c in df.columns if c == "source_file"])


def test_publishing_the_newest_workbook_equals_the_full_build(store, src, full_store_dir):
    base = store.current()
    cand = prepare(WORKBOOK.read_bytes(), WORKBOOK.name, store, src)
    assert cand.kind == "detention" and cand.errors == [] and cand.publishable, cand.errors
    assert cand.description == ("ICE detention-statistics workbook: FY2026, data pull "
                                "2026-04-02, 203 facilities (0 new to the release)")
    # The preview: what the workbook changes against the release without it.
    ch = cand.changes
    assert not ch.empty and ch.agreements_added.empty and ch.policy_changes.empty
    assert ch.counts["facilities_added"] == len(ch.facilities_added) == 0
    assert ch.counts["facilities_removed"] == 0
    assert ch.counts["detention_counties_changed"] == ch.detention_changes["county_fips"].nunique()
    assert ch.counts["detention_counties_changed"] > 0
    assert "change detention posture in at least one month" in ch.summary()
    moved = ch.detention_changes.iloc[0]
    old = base.table("detention_county_postures").set_index(["county_fips", "month"])
    assert old.at[(moved["county_fips"], moved["month"]), "detention_category"] == moved["old"]
    assert moved["new"] != moved["old"]

    published = publishing.publish(store, cand, by="alice", accept_warnings=True)
    full = ReleaseStore(full_store_dir).current()
    for table in DETENTION_TABLES:
        pd.testing.assert_frame_equal(_without_source_file(published.table(table)),
                                      _without_source_file(full.table(table)), obj=table)
    for table in ("agreements", "county_postures", "policies"):
        pd.testing.assert_frame_equal(published.table(table), full.table(table), obj=table)
    assert published.as_of == full.as_of
    entry = published.manifest["uploads"][-1]
    assert entry == {"kind": "detention", "path": f"uploads/{cand.upload.sha256}.xlsx",
                     "sha256": cand.upload.sha256, "bytes": WORKBOOK.stat().st_size,
                     "file_name": WORKBOOK.name, "by": "coopmap staff"}
    assert (store.root / entry["path"]).read_bytes() == WORKBOOK.read_bytes()
    pop = published.table("detention_population").query("source_kind == 'ice_workbook'")
    newest = pop.loc[pop["data_pull"] == pop["data_pull"].max(), "source_file"]
    assert len(newest) == 203 and (newest == entry["path"]).all()

    # The same workbook again is not newer than the release's newest: refused.
    again = prepare(WORKBOOK.read_bytes(), "again.xlsx", store, src)
    assert not again.publishable and "after 2026-04-02" in str(again.errors[0])


def test_coopmap_build_keeps_the_uploaded_workbook(january_store_dir, store, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(sources_of(january_store_dir), data / "sources")
    shutil.copytree(paths.corrections_dir(), data / "corrections")
    shutil.copytree(store.root, data / "releases")
    store = ReleaseStore(data / "releases")
    cand = publishing.prepare(intake(WORKBOOK.read_bytes(), WORKBOOK.name), store.current(),
                              sources_dir=data / "sources",
                              corrections_dir=data / "corrections")
    published = publishing.publish(store, cand, by="alice", accept_warnings=True)
    rebuilt = build.build(data_dir=data, store=store, geo_dir=tmp_path / "geo").release
    assert rebuilt.manifest["uploads"] == published.manifest["uploads"]
    for table in DETENTION_TABLES:
        pd.testing.assert_frame_equal(rebuilt.table(table), published.table(table), obj=table)


def test_a_garbled_workbook_is_refused_naming_file_row_column_value(store, src):
    before = store.current_id()
    cand = prepare(garbled_workbook(), "FY26_detentionStats_garbled.xlsx", store, src)
    assert cand.kind == "detention" and not cand.publishable and cand.tables is None
    [error] = [p for p in cand.errors if p.value == "lots"]
    assert (error.file, error.sheet, error.row, error.column) == (
        "FY26_detentionStats_garbled.xlsx", "Facilities FY26", 12, "Level A")
    assert "a number" in error.expected
    with pytest.raises(publishing.PublishError, match="has errors"):
        publishing.publish(store, cand, by="alice", accept_warnings=True)
    assert store.current_id() == before and not (store.root / "uploads").exists()


def test_a_torn_workbook_is_refused_before_anything_is_built(store):
    """Half a workbook is refused by the intake the staff page runs first: no candidate."""
    data = WORKBOOK.read_bytes()
    with pytest.raises(UploadError, match="FY26_detentionStats_torn.xlsx is a damaged zip"):
        intake(data[: len(data) // 2], "FY26_detentionStats_torn.xlsx")


def test_detection_reads_the_sheets_not_the_name(store, src):
    renamed = intake(WORKBOOK.read_bytes(), "participatingAgencies06012026am.xlsx")
    assert publishing.detect_kind(renamed) == "detention"
    named_so = intake(b"Name,Address\nX,Y\n", "FY26_detentionStats.csv")
    assert publishing.detect_kind(named_so) is None
    cand = publishing.prepare(named_so, store.current(), sources_dir=src)
    assert cand.kind == "unknown" and "detention-statistics workbook" in cand.errors[0].expected
