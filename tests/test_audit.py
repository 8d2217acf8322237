"""The audit log as a hash chain, and append-only JSON-lines files read tolerantly: edits,
deletions and torn lines are reported with their line, never fatal, and repaired on write."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from coopmap import jsonlines
from coopmap.audit import GENESIS, AuditLog, entry_hash
from coopmap.store import ReleaseStore

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def log(tmp_path) -> AuditLog:
    log = AuditLog(tmp_path / "audit.jsonl")
    for i in range(5):
        log.append("sign_in", f"user{i}")
    return log


def lines(log: AuditLog) -> list[str]:
    return log.path.read_text(encoding="utf-8").splitlines()


def test_entries_are_chained_and_verify(log):
    events = log.read()
    assert events[0]["prev"] == GENESIS
    assert all(e["prev"] == p["hash"] for p, e in zip(events, events[1:], strict=False))
    assert all(entry_hash(e) == e["hash"] for e in events)
    check = log.verify()
    assert check.ok and check.entries == 5 and check.head == events[-1]["hash"]


def test_an_edited_entry_is_caught_at_its_line(log):
    text = lines(log)
    text[2] = text[2].replace('"user2"', '"mallory"')
    log.path.write_text("\n".join(text) + "\n", encoding="utf-8")
    check = log.verify()
    assert not check.ok
    assert [(b.line, "changed after it was written" in b.reason) for b in check.breaks] == [
        (3, True)]


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(log):
    text = lines(log)
    entry = json.loads(text[1])
    entry["by"] = "mallory"
    entry["hash"] = entry_hash(entry)
    text[1] = json.dumps(entry, sort_keys=True)
    log.path.write_text("\n".join(text) + "\n", encoding="utf-8")
    assert [b.line for b in log.verify().breaks] == [3]


def test_a_deleted_entry_is_caught_where_the_chain_breaks(log):
    text = lines(log)
    del text[1]
    log.path.write_text("\n".join(text) + "\n", encoding="utf-8")
    breaks = log.verify().breaks
    assert [b.line for b in breaks] == [2]
    assert "missing or was changed" in breaks[0].reason


def test_entries_cut_off_the_end_are_caught_through_the_history(log):
    event = log.append("publish", "alice", release="r2")
    history = [{"action": "publish", "to": "r2", "at": "2026-12-01T00:00:00Z",
                "audit": event["hash"]}]
    assert log.verify(history=history).ok
    log.path.write_text("\n".join(lines(log)[:-1]) + "\n", encoding="utf-8")
    breaks = log.verify(history=history).breaks
    assert len(breaks) == 1 and "publish of r2" in breaks[0].reason
    assert "entries were removed" in breaks[0].reason


def test_a_torn_last_line_is_reported_skipped_and_repaired_on_the_next_append(log):
    with open(log.path, "ab") as f:
        f.write(b'{"action": "publish", "by": "ali')  # a write cut off by a crash
    found = log.read_all()
    assert len(found.records) == 5
    assert [(d.line, d.reason.startswith("not a complete")) for d in found.damaged] == [
        (6, True)]
    assert not log.verify().ok  # reported, not hidden
    log.append("sign_out", "user4")
    assert log.verify().ok and log.verify().entries == 6
    assert log.path.with_name("audit.jsonl.torn").read_bytes() == (
        b'{"action": "publish", "by": "ali\n')


def test_a_torn_line_that_parses_is_still_reported(tmp_path):
    path = tmp_path / "h.jsonl"
    path.write_bytes(b'{"a": 1}\n{"a": 2}')
    found = jsonlines.read(path)
    assert [r["a"] for r in found.records] == [1]
    assert found.damaged[0].line == 2 and "torn" in found.damaged[0].reason


def test_a_torn_history_line_breaks_nothing_and_the_next_switch_repairs_it(tmp_path):
    store = ReleaseStore(tmp_path)
    (tmp_path / "history.jsonl").write_text(
        '{"action": "build", "to": "a", "at": "2026-01-01T00:00:00Z"}\n{"action": "publ',
        encoding="utf-8")
    assert [h["to"] for h in store.history()] == ["a"]
    assert store.history_read().damaged[0].line == 2
    store.append_history({"action": "rollback", "to": "b"})
    assert [h["to"] for h in store.history()] == ["a", "b"]
    assert not store.history_read().damaged
    assert (tmp_path / "history.jsonl").read_text().endswith('"to": "b"}\n')


APPENDER = r"""
import sys
from pathlib import Path
from coopmap.audit import AuditLog
log = AuditLog(Path(sys.argv[1]))
for i in range(150):
    log.append("upload", sys.argv[2], file="x" * (i % 7) * 300, n=i)
"""


def test_two_processes_appending_at_once_keep_one_valid_chain(tmp_path):
    path = tmp_path / "audit.jsonl"
    procs = [subprocess.Popen([sys.executable, "-c", APPENDER, str(path), f"p{i}"],
                              cwd=ROOT) for i in range(3)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    check = AuditLog(path).verify()
    assert check.ok and check.entries == 450


def test_tail_reads_the_last_entries_from_the_end(log):
    for i in range(300):
        log.append("upload", "alice", n=i)
    with open(log.path, "ab") as f:
        f.write(b'{"torn": ')
    last = log.tail(10)
    assert [e["n"] for e in last] == list(range(290, 300))
    assert log.tail(10_000) == [e for e in log.read()]
