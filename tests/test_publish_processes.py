"""Publishing through coopmap.publishing under real processes, with the audit log: two
publishers of the same content, kill -9 around the pointer switch, and the start-up check that
removes leftovers and reports what the records say happened.

Each publisher is a separate Python process; the store starts from a release built from the real
sources (the fixture of tests/test_store_processes.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_store_processes import _wait_for, base_tables  # noqa: F401  (a fixture)

from coopmap import publishing
from coopmap.audit import AuditLog
from coopmap.store import ReleaseStore

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, os, sys, time
from pathlib import Path
import coopmap.jsonlines as jsonlines_mod
import coopmap.store as store_mod
from coopmap import publishing, sourceset, uploads
from coopmap.audit import AuditLog
from coopmap.store import ConflictError, ReleaseStore

root, base, tag, staff = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
stage = os.environ.get("STAGE", "")
marker = root.parent / "at_stage"
if stage == "tables":
    original = store_mod._table_bytes
    def slow(df):
        time.sleep(0.2)
        return original(df)
    store_mod._table_bytes = slow
if stage == "pointer":
    real_replace = os.replace
    def slow_replace(src, dst):
        if str(dst).endswith("CURRENT"):
            marker.write_text("1")
            time.sleep(60)
        return real_replace(src, dst)
    store_mod.os.replace = slow_replace
if stage == "history":
    real_append = jsonlines_mod.append
    def slow_append(path, make_line, **kw):
        if Path(path).name == "history.jsonl":
            marker.write_text("1")
            time.sleep(60)
        return real_append(path, make_line, **kw)
    store_mod.jsonlines.append = slow_append
store = ReleaseStore(root)
tables = store.get(base).tables()
tables["states"] = tables["states"].copy()
tables["states"].loc[0, "population"] = int(tables["states"].loc[0, "population"]) + tag
up = uploads.intake(f"STATE,VALUE\nTX,{tag}\n".encode(), f"upload{tag}.csv")
cand = publishing.Candidate("policy", up, base, "test", tables=tables,
                            uploads=[sourceset.SourceUpload.of(up, kind="policy", by="test")])
go = os.environ.get("GO_FILE")
if go:
    while not Path(go).exists():
        time.sleep(0.005)
try:
    rel = publishing.publish(store, cand, by=f"publisher{os.getpid()}", note=f"test {tag}",
                             audit=AuditLog(staff / "audit.jsonl"))
except ConflictError as exc:
    print(json.dumps({"tag": tag, "conflict": str(exc)}))
    sys.exit(3)
print(json.dumps({"tag": tag, "published": rel.id}))
"""


@pytest.fixture
def site(tmp_path, base_tables):  # noqa: F811
    store = ReleaseStore(tmp_path / "releases")
    base = store.write(base_tables, built_by="test", sources=[], created="2026-05-01T00:00:00Z")
    store.set_current(base.id, expected_current=None, by="test", action="build")
    staff = tmp_path / "staff"
    return store, base.id, staff, AuditLog(staff / "audit.jsonl")


def _child(store: ReleaseStore, base: str, tag: int, staff: Path, **env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(store.root), base, str(tag), str(staff)],
        env={**os.environ, **env, "PYTHONPATH": str(ROOT / "src")},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _check(store, staff, audit) -> list[str]:
    return publishing.startup_check(store, audit, min_age=0)


def test_two_publishers_of_the_same_content_get_one_release_and_a_clear_conflict(site, tmp_path):
    store, base, staff, audit = site
    go = tmp_path / "go"
    # Same tag: the same tables, so the same release id; slow writes make both write at once.
    procs = [_child(store, base, 7, staff, GO_FILE=str(go), STAGE="tables") for _ in range(2)]
    time.sleep(2)
    go.write_text("go")
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        results.append((p.returncode, json.loads(out) if out.strip() else err))
    assert sorted(code for code, _ in results) == [0, 3], results
    loser = next(r for code, r in results if code == 3)
    assert "preview again" in loser["conflict"]
    assert len(store.list()) == 2 and not list(store.root.glob(".tmp-*"))
    actions = [e["action"] for e in audit.read()]
    assert sorted(actions) == ["publish", "publish_conflict"]
    assert audit.verify(history=store.history()).ok
    assert _check(store, staff, audit) == []


def test_killed_after_the_audit_entry_before_the_switch_is_reported_once(site):
    store, base, staff, audit = site
    proc = _child(store, base, 1, staff, STAGE="pointer")
    _wait_for(lambda: (store.root.parent / "at_stage").exists(), timeout=90)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert store.current_id() == base
    [publish] = audit.read()
    assert publish["action"] == "publish" and publish["release"] != base
    found = _check(store, staff, audit)
    assert len(found) == 2
    assert found[0] == f"Removed leftovers of interrupted writes: .CURRENT.{proc.pid}."
    assert "was cut off before the switch" in found[1]
    assert audit.read()[-1]["action"] == "publish_interrupted"
    assert audit.read()[-1]["entry"] == publish["hash"]
    assert _check(store, staff, audit) == []  # reported once, not at every start
    assert audit.verify(history=store.history()).ok


def test_killed_right_after_the_switch_keeps_its_audit_entry_and_history_is_restored(site):
    store, base, staff, audit = site
    proc = _child(store, base, 1, staff, STAGE="history")
    _wait_for(lambda: (store.root.parent / "at_stage").exists(), timeout=90)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    new = store.current_id()
    assert new != base
    # The live release has its publish entry: it was written before the pointer moved.
    [publish] = audit.read()
    assert publish["action"] == "publish" and publish["release"] == new
    assert [h["action"] for h in store.history()] == ["build"]
    found = _check(store, staff, audit)
    assert len(found) == 1 and "it was restored" in found[0]
    last = store.history()[-1]
    assert (last["action"], last["to"], last["audit"]) == ("restored", new, publish["hash"])
    assert _check(store, staff, audit) == []
    assert audit.verify(history=store.history()).ok


def test_a_current_release_without_its_audit_entry_is_reported(site):
    store, base, staff, audit = site
    other = store.get(base).tables()
    other["states"] = other["states"].copy()
    other["states"].loc[0, "population"] += 1
    rel = store.write(other, built_by="x", sources=[])
    store.set_current(rel.id, expected_current=base, by="someone", action="publish")  # no audit
    found = _check(store, staff, audit)
    assert len(found) == 1 and f"current release {rel.id}" in found[0]
    assert "has no entry in the audit log" in found[0]
    assert _check(store, staff, audit) == []


def test_leftovers_are_removed_at_start_but_never_a_write_in_progress(site):
    store, base, staff, audit = site
    proc = _child(store, base, 1, staff, STAGE="tables")
    _wait_for(lambda: any(len(list(p.glob("*.parquet"))) >= 2
                          for p in store.root.glob(".tmp-*")), timeout=90)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    [dead] = list(store.root.glob(".tmp-*"))
    # A kept upload no release names (a publish that never happened), and one that is named.
    (store.root / "uploads").mkdir(parents=True)
    orphan = store.root / "uploads" / f"{'0' * 64}.csv"
    orphan.write_text("x")
    live = _child(store, base, 2, staff, STAGE="tables")  # a write in progress meanwhile
    _wait_for(lambda: any(p != dead for p in store.root.glob(".tmp-*")), timeout=90)
    found = _check(store, staff, audit)
    assert len(found) == 1 and dead.name in found[0] and orphan.name in found[0]
    assert not dead.exists() and not orphan.exists()
    out, err = live.communicate(timeout=120)
    assert live.returncode == 0, err
    published = json.loads(out)["published"]
    assert store.current_id() == published
    kept = store.get(published).manifest["uploads"][-1]["path"]
    assert (store.root / kept).exists()
    assert _check(store, staff, audit) == []  # the published upload is named: kept
    assert [m["id"] for m in store.list()] == [base, published]
