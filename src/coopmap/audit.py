"""The staff audit log: one JSON object per line, appended, never rewritten.

It records sign-ins (success and failure), sign-outs, uploads, publishes, conflicts and rollbacks.
Each line is written with a single ``write`` on a file opened for appending, under an exclusive
lock, and synced, so concurrent staff sessions never interleave or lose lines. Text from uploads
(file names, notes) is stored as given: JSON escapes it, and the page shows it as text.
"""

from __future__ import annotations

import fcntl
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from coopmap import paths

ACTIONS: dict[str, str] = {
    "sign_in": "Signed in",
    "sign_in_failed": "Sign-in failed",
    "sign_in_locked": "Sign-in refused: account locked",
    "sign_out": "Signed out",
    "upload": "Uploaded a file",
    "upload_rejected": "Upload rejected",
    "publish": "Published a release",
    "publish_conflict": "Publish refused: someone published first",
    "rollback": "Rolled back",
}


def staff_dir() -> Path:
    """Where staff state (sign-in counters, audit log, kept uploads) lives; git-ignored."""
    return paths.data_dir() / "staff"


def default_path() -> Path:
    return staff_dir() / "audit.jsonl"


class AuditLog:
    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path else default_path()

    def append(self, action: str, by: str | None, **details) -> dict:
        """Record one event; returns it. ``action`` must be one of ``ACTIONS``."""
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}; choose from {list(ACTIONS)}")
        event = {
            "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "action": action,
            "by": by,
            **{k: v for k, v in details.items() if v is not None},
        }
        line = (json.dumps(event, sort_keys=True, default=str) + "\n").encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)  # closing releases the lock
        return event

    def read(self) -> list[dict]:
        """Every event, oldest first. A torn last line (a crash mid-write) is skipped."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        events = []
        for line in text.splitlines():
            if not line.strip():
                continue
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return events
