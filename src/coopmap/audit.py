"""The staff audit log: one JSON object per line, appended, never rewritten, hash-chained.

It records sign-ins (success and failure), sign-outs (asked for or forced), uploads, publishes,
conflicts, rollbacks and what the start-up check found. Lines are appended whole, under an
exclusive lock, and synced (``coopmap.jsonlines``), so concurrent staff sessions and server
processes never interleave or lose lines; a torn last line is reported, skipped and repaired.

Each entry carries ``prev``, the hash of the entry before it, and ``hash``, the sha256 of its
own canonical JSON (every field but ``hash``). ``verify`` recomputes both and reports the first
line where the chain breaks: an edited entry no longer matches its hash, a deleted one leaves
the next entry pointing at a hash that is not there. Every publish and rollback also writes its
entry's hash into the store's history (``releases/history.jsonl``), so cutting entries off the
end of the log is caught too (``verify(history=...)``). Someone who can rewrite the whole file
and the history can still forge both: the chain makes a lie visible, not impossible.

Text from uploads (file names, notes) is stored as given (JSON escapes it) and shown as text.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from coopmap import jsonlines, paths
from coopmap.jsonlines import DamagedLine

ACTIONS: dict[str, str] = {
    "sign_in": "Signed in",
    "sign_in_failed": "Sign-in failed",
    "sign_in_locked": "Sign-in refused: too many failures",
    "sign_in_limited": "Sign-in refused: too many attempts from everywhere",
    "sign_out": "Signed out",
    "signed_out_forced": "Signed out by the server",
    "upload": "Uploaded a file",
    "upload_rejected": "Upload rejected",
    "publish": "Published a release",
    "publish_conflict": "Publish refused: someone published first",
    "rollback": "Rolled back",
    "publish_interrupted": "Start-up check: a publish or rollback was cut off before it switched",
    "current_unaudited": "Start-up check: the current release has no audit entry",
    "history_restored": "Start-up check: a missing history line was restored",
    "leftovers_removed": "Start-up check: leftovers of interrupted writes removed",
}
# Entries that (are meant to) make a release current, and what they name as current after.
SWITCHES = ("publish", "rollback")
GENESIS = "0" * 64
# A detail value is kept up to this many characters (a file name, an error message).
MAX_DETAIL_CHARS = 2_000


def staff_dir() -> Path:
    """Where staff state (sign-in counters, audit log, kept uploads) lives; git-ignored."""
    return paths.data_dir() / "staff"


def default_path() -> Path:
    return staff_dir() / "audit.jsonl"


def entry_hash(entry: dict) -> str:
    """sha256 of an entry's canonical JSON without its own ``hash`` field."""
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(jsonlines.dumps(body)).hexdigest()


def _bounded(value: object) -> object:
    if isinstance(value, str) and len(value) > MAX_DETAIL_CHARS:
        return f"{value[:MAX_DETAIL_CHARS]}… ({len(value) - MAX_DETAIL_CHARS:,} more characters)"
    return value


@dataclass(frozen=True)
class ChainBreak:
    line: int  # 1-based line in the file
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class Verification:
    """What ``verify`` found: the chain's entries, where it breaks, damaged lines."""

    entries: int = 0
    unchained: int = 0  # entries from before the log was chained (no hash): not checked
    breaks: list[ChainBreak] = field(default_factory=list)
    damaged: list[DamagedLine] = field(default_factory=list)
    head: str = GENESIS  # hash of the last entry

    @property
    def ok(self) -> bool:
        return not self.breaks and not self.damaged


class AuditLog:
    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path else default_path()

    def append(self, action: str, by: str | None, **details) -> dict:
        """Record one event, chained to the last one; returns it (with its ``hash``)."""
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}; choose from {list(ACTIONS)}")
        event = {
            "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "action": action,
            "by": by,
            **{k: _bounded(v) for k, v in details.items() if v is not None},
        }
        written: dict = {}

        def line(last: bytes | None) -> bytes:
            event["prev"] = _hash_of_line(last)
            event["hash"] = entry_hash(event)
            written.update(event)
            return jsonlines.dumps(event)

        jsonlines.append(self.path, line, mode=0o600)
        return written

    def read_all(self) -> jsonlines.LinesRead:
        return jsonlines.read(self.path)

    def read(self) -> list[dict]:
        """Every readable event, oldest first (damaged lines skipped: see ``verify``)."""
        return self.read_all().records

    def tail(self, n: int) -> list[dict]:
        """The last ``n`` readable events, oldest first, without reading the whole log."""
        return jsonlines.tail(self.path, n)

    def verify(self, history: list[dict] | None = None) -> Verification:
        """Check the chain line by line; with the store's ``history``, also that every
        publish and rollback it lists has its audit entry in the log."""
        found = self.read_all()
        out = Verification(entries=len(found.records), damaged=list(found.damaged))
        prev: str | None = None
        hashes = set()
        for entry, number in zip(found.records, found.line_numbers, strict=True):
            if "hash" not in entry:
                if prev is None:
                    out.unchained += 1
                    continue
                out.breaks.append(ChainBreak(number, "this entry has no hash (added by hand?)"))
                continue
            if entry_hash(entry) != entry["hash"]:
                out.breaks.append(ChainBreak(
                    number, "this entry was changed after it was written (its hash does not "
                    "match its content)"))
            expected = GENESIS if prev is None and not out.unchained else prev
            if expected is not None and entry.get("prev") != expected:
                out.breaks.append(ChainBreak(
                    number, "the entry before this one is missing or was changed (it does "
                    "not follow the previous entry)"))
            prev = entry["hash"]
            hashes.add(prev)
        out.head = prev or GENESIS
        for switch in history or []:
            h = switch.get("audit")
            if h and h not in hashes:
                out.breaks.append(ChainBreak(
                    found.line_numbers[-1] + 1 if found.line_numbers else 1,
                    f"the {switch.get('action')} of {switch.get('to')} at {switch.get('at')} "
                    "has no entry in the log (entries were removed)"))
        return out


def _hash_of_line(line: bytes | None) -> str:
    """The ``hash`` of the entry on ``line`` (the last one in the file), GENESIS if none.

    A last line that is not a chained entry (from before the chain) chains by its bytes."""
    if line is None:
        return GENESIS
    try:
        entry = json.loads(line)
        if isinstance(entry, dict) and isinstance(entry.get("hash"), str):
            return entry["hash"]
    except json.JSONDecodeError:
        pass
    return hashlib.sha256(line).hexdigest()
