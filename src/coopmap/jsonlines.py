"""Append-only JSON-lines files (the store's history, the staff audit log): whole lines, synced,
read tolerantly.

A line is appended with one ``write`` of the complete line on a file opened for appending, under
an exclusive ``flock``, then ``fsync``ed, so concurrent writers (threads or processes) never
interleave. A crash mid-write can still leave a torn last line (no newline at its end). Readers
report such a line (and any other line that is not a JSON object) with its number and skip it,
never fail; the next append repairs the file first: the torn fragment is moved to
``<name>.torn`` (kept for whoever investigates) and the file is cut back to its last whole line.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# A damaged line is reported with at most this many of its characters.
SHOWN_CHARS = 120
# The tail read to find the last line before an append (lines are far shorter).
_TAIL = 1 << 16


@dataclass(frozen=True)
class DamagedLine:
    line: int  # 1-based line number in the file
    text: str  # its start, as found
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason} ({self.text!r})"


@dataclass
class LinesRead:
    records: list[dict] = field(default_factory=list)
    line_numbers: list[int] = field(default_factory=list)  # of each record
    raw: list[bytes] = field(default_factory=list)  # each record's line as written
    damaged: list[DamagedLine] = field(default_factory=list)


def read(path: Path) -> LinesRead:
    """Every JSON-object line of ``path`` (none when it does not exist); bad lines reported."""
    out = LinesRead()
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return out
    lines = data.split(b"\n")
    torn = not data.endswith(b"\n") and bool(data)
    last = len(lines) - 1 if data.endswith(b"\n") else len(lines)
    for i, raw in enumerate(lines[:last], start=1):
        if not raw.strip():
            continue
        text = raw.decode("utf-8", errors="replace")
        reason = None
        try:
            record = json.loads(text)
            if not isinstance(record, dict):
                reason = "not a JSON object"
        except json.JSONDecodeError:
            reason = "not a complete JSON record"
        if reason is None and torn and i == last:
            reason = "torn last line (no end of line: a write was cut off)"
        if reason is not None:
            out.damaged.append(DamagedLine(i, text[:SHOWN_CHARS], reason))
            continue
        out.records.append(record)
        out.line_numbers.append(i)
        out.raw.append(raw)
    return out


def tail(path: Path, n: int, *, line_bytes: int = 4096) -> list[dict]:
    """The last ``n`` readable records, read from the end of the file (not the whole file).
    Damaged lines are skipped here; ``read`` reports them."""
    try:
        with open(path, "rb") as f:
            size = f.seek(0, os.SEEK_END)
            start = max(0, size - n * line_bytes)
            f.seek(start)
            data = f.read()
    except FileNotFoundError:
        return []
    lines = data.split(b"\n")
    if start > 0:
        lines = lines[1:]  # the first one is cut by the window
    if not data.endswith(b"\n"):
        lines = lines[:-1]  # a torn last line
    out = []
    for raw in lines:
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict):
            out.append(record)
    return out[-n:]


def append(path: Path, make_line: Callable[[bytes | None], bytes], *, mode: int = 0o644
           ) -> bytes:
    """Append the line ``make_line(last whole line or None)`` returns (no newline in it).

    ``make_line`` runs under the file's lock, so it can chain to the last line (the audit log's
    hashes). A torn last line is moved to ``<name>.torn`` first. Returns the line written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, mode)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        last = _repair_and_last_line(fd, path)
        line = make_line(last)
        if b"\n" in line:
            raise ValueError("a JSON line cannot hold a newline")
        os.write(fd, line + b"\n")
        os.fsync(fd)
        return line
    finally:
        os.close(fd)  # closing releases the lock


def _repair_and_last_line(fd: int, path: Path) -> bytes | None:
    size = os.fstat(fd).st_size
    if size and os.pread(fd, 1, size - 1) != b"\n":
        keep = _after_last_newline(fd, size)
        fragment = os.pread(fd, size - keep, keep)
        with open(path.with_name(path.name + ".torn"), "ab") as f:
            f.write(fragment + b"\n")
            f.flush()
            os.fsync(f.fileno())
        os.ftruncate(fd, keep)
        os.fsync(fd)
        size = keep
    if size == 0:
        return None
    # The file now ends with a newline: the last line starts after the newline before it.
    start = _after_last_newline(fd, size - 1)
    return os.pread(fd, size - 1 - start, start) or None


def _after_last_newline(fd: int, end: int) -> int:
    """The offset just after the last newline before ``end`` (0 when there is none)."""
    start = end
    while start > 0:
        start = max(0, start - _TAIL)
        chunk = os.pread(fd, min(_TAIL, end - start), start)
        i = chunk.rfind(b"\n")
        if i >= 0:
            return start + i + 1
        end = start
    return 0


def dumps(record: dict) -> bytes:
    """A record as one canonical JSON line (sorted keys, no newline)."""
    return json.dumps(record, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8")
