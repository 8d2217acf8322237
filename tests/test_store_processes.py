"""The release store under real processes: a publisher killed mid-write, two publishers at once.

Each publisher is a separate Python process working on a store in tmp_path, started from a
release built from the real sources (places, state laws, federal lists, policies).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coopmap import designations, law_readings, paths, places, policies, schema, state_laws
from coopmap.store import ReleaseStore

ROOT = Path(__file__).resolve().parents[1]

# The child publishes the base release with one population changed (so the content differs).
# SLOW makes every table write sleep, so the parent can kill it while files are being written;
# STAGE=pointer sleeps just before CURRENT is replaced instead.
CHILD = r"""
import json, os, sys, time
from pathlib import Path
import coopmap.store as store_mod
from coopmap.store import ConflictError, ReleaseStore

root, base, tag = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
stage = os.environ.get("STAGE", "")
if stage == "tables":
    original = store_mod._table_bytes
    def slow(df):
        time.sleep(0.3)
        return original(df)
    store_mod._table_bytes = slow
if stage == "pointer":
    real_replace = os.replace
    def slow_replace(src, dst):
        if str(dst).endswith("CURRENT"):
            (root.parent / "at_pointer").write_text("1")
            time.sleep(30)
        return real_replace(src, dst)
    store_mod.os.replace = slow_replace
go = os.environ.get("GO_FILE")
store = ReleaseStore(root)
tables = store.get(base).tables()
tables["states"] = tables["states"].copy()
tables["states"].loc[0, "population"] = int(tables["states"].loc[0, "population"]) + tag
if go:
    while not Path(go).exists():
        time.sleep(0.005)
try:
    rel = store.publish(tables, expected_current=base, by=f"publisher{tag}", sources=[],
                        note=f"test {tag}")
except ConflictError as exc:
    print(json.dumps({"tag": tag, "conflict": str(exc)}))
    sys.exit(3)
print(json.dumps({"tag": tag, "published": rel.id}))
"""


@pytest.fixture(scope="module")
def base_tables() -> dict:
    src, corr = paths.sources_dir(), paths.corrections_dir()
    counties = places.build_counties(src)
    states = places.build_states(src)
    laws = state_laws.build_state_laws(src)
    tables = {name: schema.empty(name) for name in schema.TABLES}
    tables.update(
        counties=counties, states=states, state_laws=laws,
        designations=designations.build_designations(src),
        policies=policies.build_policies(counties, states),
        law_readings=law_readings.read_law_readings(corr),
    )
    return tables


@pytest.fixture
def store(tmp_path, base_tables) -> tuple[ReleaseStore, str]:
    store = ReleaseStore(tmp_path / "releases")
    base = store.write(base_tables, built_by="test", sources=[], created="2026-05-01T00:00:00Z")
    store.set_current(base.id, expected_current=None, by="test", action="build")
    return store, base.id


def _child(store: ReleaseStore, base: str, tag: int, **env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(store.root), base, str(tag)],
        env={**os.environ, **env, "PYTHONPATH": str(ROOT / "src")},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _wait_for(predicate, timeout: float = 90.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.01)
    raise AssertionError("timed out waiting for the publisher")


def _assert_untouched(store: ReleaseStore, base: str) -> None:
    assert store.current_id() == base
    assert [m["id"] for m in store.list()] == [base]
    assert store.current().table("counties")["county_fips"].str.len().eq(5).all()
    assert len(store.current().table("policies")) == 9579
    assert [h["action"] for h in store.history()] == ["build"]


def test_killed_while_writing_tables(store):
    store, base = store
    proc = _child(store, base, 1, STAGE="tables")
    # Kill once the hidden temporary folder holds some, but not all, tables.
    _wait_for(lambda: any(len(list(p.glob("*.parquet"))) >= 2
                          for p in store.root.glob(".tmp-*")))
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    _assert_untouched(store, base)
    # The half-written folder is hidden; a later publish works and is not confused by it.
    assert list(store.root.glob(".tmp-*"))
    proc = _child(store, base, 2)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert store.current_id() == json.loads(out)["published"] != base


def test_killed_just_before_the_pointer_switch(store):
    store, base = store
    proc = _child(store, base, 1, STAGE="pointer")
    _wait_for(lambda: (store.root.parent / "at_pointer").exists())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # The new release is complete on disk, but never became current and left no history.
    assert store.current_id() == base
    assert store.current().table("states")["population"].iloc[0] == (
        store.get(base).table("states")["population"].iloc[0])
    assert [h["action"] for h in store.history()] == ["build"]
    assert all((store.root / m["id"] / "manifest.json").exists() for m in store.list())
    # The lock died with the process: another publisher is not blocked.
    proc = _child(store, base, 2)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err


def test_two_publishers_at_once_one_conflict(store, tmp_path):
    store, base = store
    go = tmp_path / "go"
    procs = [_child(store, base, tag, GO_FILE=str(go)) for tag in (1, 2)]
    time.sleep(1.5)  # both have loaded the base release and wait at the start line
    go.write_text("go")
    results = []
    for p in procs:
        out, err = p.communicate(timeout=60)
        results.append((p.returncode, json.loads(out) if out.strip() else err))
    codes = sorted(code for code, _ in results)
    assert codes == [0, 3], results
    winner = next(r for code, r in results if code == 0)
    loser = next(r for code, r in results if code == 3)
    assert store.current_id() == winner["published"]
    assert "preview again" in loser["conflict"]
    history = store.history()
    assert [h["action"] for h in history] == ["build", "publish"]
    assert history[-1]["from"] == base and history[-1]["to"] == winner["published"]
    # Nothing lost: the base release is intact and can be made current again.
    store.rollback(base, expected_current=winner["published"], by="test")
    assert store.current_id() == base
