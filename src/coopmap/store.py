"""The release store: immutable folders of Parquet tables, and a pointer to the current one.

Layout under the store root (``data/releases/`` by default)::

    <release id>/manifest.json      id, created, schema version, row counts, sources with sha256 ...
    <release id>/<table>.parquet    one file per table of schema.TABLES
    CURRENT                         the current release id (replaced atomically with os.replace)
    history.jsonl                   append-only: every publish and rollback (who, when, from, to)
    .lock                           held (flock) while publishing or switching
    .tmp-*                          a release being written (flock held on it while writing)

A release is written into a hidden temporary folder and renamed into place only when complete, so a
crash leaves no half-written release under a listable name and never touches CURRENT; the folder
left by a crash is removed by ``remove_leftovers`` (a writer holds a lock on its folder, so a
write in progress in another process is never touched). Switching checks the caller's expected
current id under the lock, so of two staff publishing from the same preview only one wins and the
other gets a ConflictError, also when both wrote the same content.

``history.jsonl`` is read tolerantly: a torn or damaged line is reported (``history_read``) and
skipped, and the next switch repairs a torn last line (``coopmap.jsonlines``).
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from coopmap import jsonlines, schema

MANIFEST = "manifest.json"
POINTER = "CURRENT"
HISTORY = "history.jsonl"


class StoreError(RuntimeError):
    """The store cannot do what was asked; the message says why in plain words."""


class ConflictError(StoreError):
    """Someone else changed the current release since the caller's preview."""


class UnreadableReleaseError(StoreError):
    """The release does not follow this version's dataset contract, so it cannot be made
    current (the public pages could not show it)."""


class NoReleaseError(StoreError):
    """No release has been published yet (or the pointer names a missing one)."""


def _table_bytes(df: pd.DataFrame) -> bytes:
    """Parquet bytes of a table, byte-for-byte reproducible for the same content."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    # pandas metadata holds versions; keep the schema but drop what varies between installs.
    meta = dict(table.schema.metadata or {})
    meta.pop(b"pandas", None)
    table = table.replace_schema_metadata(meta)
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd", write_statistics=True,
                   store_schema=False)
    return buf.getvalue()


def content_hash(tables: Mapping[str, pd.DataFrame]) -> str:
    """sha256 over the tables' canonical Parquet bytes, in table-name order."""
    h = hashlib.sha256()
    for name in sorted(tables):
        h.update(name.encode())
        h.update(hashlib.sha256(_table_bytes(tables[name])).digest())
    return h.hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Release:
    """One release, read lazily: ``release.table(name)`` loads and validates on first use."""

    id: str
    path: Path
    manifest: dict
    _tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def table(self, name: str) -> pd.DataFrame:
        if name not in schema.TABLES:
            raise KeyError(f"unknown table {name!r}; tables are {sorted(schema.TABLES)}")
        if name not in self._tables:
            file = self.path / f"{name}.parquet"
            if not file.exists():
                raise StoreError(f"release {self.id} has no table {name}")
            df = pd.read_parquet(file)
            self._tables[name] = schema.validate(name, df)
        return self._tables[name]

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: self.table(name) for name in self.manifest["row_counts"]}

    def format_problem(self) -> str | None:
        """Why this version of coopmap cannot show the release, from the files' column lists
        alone (cheap: no table is read), or None. A release written before a table or a column
        joined the contract is kept, but cannot be made current again."""
        for name, table in schema.TABLES.items():
            file = self.path / f"{name}.parquet"
            if not file.exists():
                return f"it has no table {name}"
            try:
                columns = pq.read_schema(file).names
            except (OSError, pa.ArrowException) as exc:
                return f"its table {name} cannot be read ({exc})"
            columns = [c for c in columns if not c.startswith("__index_level_")]
            if columns != table.columns:
                lacking = [c for c in table.columns if c not in columns]
                extra = [c for c in columns if c not in table.columns]
                what = (f"lacks the column(s) {', '.join(lacking)}" if lacking else
                        f"has column(s) this version does not know: {', '.join(extra)}"
                        if extra else "has its columns in another order")
                return f"its table {name} {what}"
        return None

    @property
    def created(self) -> str:
        return self.manifest["created"]

    @property
    def as_of(self) -> dict:
        """Dates of the newest data in the release, e.g. {"participating": "2026-05-18", ...}."""
        return self.manifest.get("data_as_of", {})


class ReleaseStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    # --- reading ---------------------------------------------------------------------------
    def current_id(self) -> str | None:
        try:
            text = (self.root / POINTER).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return text or None

    def current(self) -> Release:
        rid = self.current_id()
        if rid is None:
            raise NoReleaseError(
                f"no current release in {self.root}: run `coopmap build` to build one"
            )
        return self.get(rid)

    def get(self, release_id: str) -> Release:
        path = self.root / release_id
        if release_id.startswith(".") or "/" in release_id or not (path / MANIFEST).exists():
            raise NoReleaseError(f"release {release_id!r} does not exist in {self.root}")
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        return Release(release_id, path, manifest)

    def list(self) -> list[dict]:
        """Manifests of every complete release, oldest first."""
        if not self.root.exists():
            return []
        out = []
        for child in self.root.iterdir():
            if child.is_dir() and not child.name.startswith(".") and (child / MANIFEST).exists():
                out.append(json.loads((child / MANIFEST).read_text(encoding="utf-8")))
        return sorted(out, key=lambda m: (m["created"], m["id"]))

    def history(self) -> list[dict]:
        """Every pointer switch (publish, rollback), oldest first; damaged lines skipped."""
        return self.history_read().records

    def history_read(self) -> jsonlines.LinesRead:
        """The history with its damaged lines (a torn last line, an edited line) reported."""
        return jsonlines.read(self.root / HISTORY)

    # --- writing ---------------------------------------------------------------------------
    @contextmanager
    def lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def write(
        self,
        tables: Mapping[str, pd.DataFrame],
        *,
        built_by: str,
        sources: list[dict],
        note: str = "",
        based_on: str | None = None,
        data_as_of: dict | None = None,
        created: str | None = None,
        extra: dict | None = None,
    ) -> Release:
        """Validate and write a new immutable release; does not make it current.

        The id is ``<created date>-<content hash prefix>``; writing content that a release
        already holds from the same source set (manifest ``sources``, ``uploads`` and ``extra``)
        returns that release. The same content from another source set is a new release (on the
        same day, its id hashes the content and the source set).
        """
        missing = set(schema.TABLES) - set(tables)
        if missing:
            raise StoreError(f"release is missing tables: {sorted(missing)}")
        checked = {name: schema.validate(name, df) for name, df in tables.items()}
        digest = content_hash(checked)
        origin = {"sources": sources, "uploads": [], **(extra or {})}
        for existing in self.list():
            # Same content from the same source set: releases are never duplicated. (The same
            # tables from another source set are a new release: its manifest says where from.)
            if existing["content_hash"] == digest and self._same_origin(existing["id"], origin):
                return self.get(existing["id"])
        created = created or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        release_id = f"{created[:10].replace('-', '')}-{digest[:10]}"
        final = self.root / release_id
        if (final / MANIFEST).exists() and not self._same_origin(release_id, origin):
            # The same tables from another source set on the same day: an id of both.
            both = hashlib.sha256((digest + json.dumps(origin, sort_keys=True, default=str))
                                  .encode()).hexdigest()
            release_id = f"{created[:10].replace('-', '')}-{both[:10]}"
            final = self.root / release_id
        if (final / MANIFEST).exists():
            return self.get(release_id)
        self.root.mkdir(parents=True, exist_ok=True)
        tmp, busy = self._locked_tmp()
        try:
            for name, df in checked.items():
                (tmp / f"{name}.parquet").write_bytes(_table_bytes(df))
            manifest = {
                "id": release_id,
                "created": created,
                "schema_version": schema.SCHEMA_VERSION,
                "content_hash": digest,
                "row_counts": {name: int(len(df)) for name, df in sorted(checked.items())},
                "data_as_of": data_as_of or {},
                "sources": sources,
                "built_by": built_by,
                "note": note,
                "based_on": based_on,
                **(extra or {}),
            }
            (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n",
                                        encoding="utf-8")
            _fsync_dir(tmp)
            try:
                os.replace(tmp, final)
            except OSError:
                # Another publisher wrote the same content meanwhile (same id): theirs is
                # complete, so it is this release; the pointer switch decides who wins.
                if not (final / MANIFEST).exists():
                    raise
                shutil.rmtree(tmp, ignore_errors=True)
            _fsync_dir(self.root)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        finally:
            os.close(busy)
        return self.get(release_id)

    def _locked_tmp(self) -> tuple[Path, int]:
        """A new hidden folder and a lock held on it while writing: remove_leftovers (in any
        process) skips a locked folder. A folder removed by it between creation and locking
        (it looked dead) is noticed and replaced."""
        while True:
            tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.root))
            try:
                busy = os.open(tmp, os.O_RDONLY)
            except FileNotFoundError:
                continue
            fcntl.flock(busy, fcntl.LOCK_EX)
            if os.fstat(busy).st_nlink > 0 and tmp.exists():
                return tmp, busy
            os.close(busy)

    def remove_leftovers(self) -> list[str]:
        """Remove the temporary folders and files of writes cut off by a crash (never a complete
        release, never a write in progress); returns their names."""
        if not self.root.exists():
            return []
        removed = []
        for child in sorted(self.root.iterdir()):
            if child.is_dir() and child.name.startswith(".tmp-"):
                try:
                    fd = os.open(child, os.O_RDONLY)
                except FileNotFoundError:
                    continue
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    continue  # a write in progress
                try:  # removed under the lock: a writer that locks it next sees it is gone
                    shutil.rmtree(child, ignore_errors=True)
                finally:
                    os.close(fd)
                removed.append(child.name)
            elif child.is_file() and child.name.startswith(f".{POINTER}."):
                with self.lock():  # the pointer's temporary file is written under the lock
                    if child.exists():
                        child.unlink()
                        removed.append(child.name)
        return removed

    def _same_origin(self, release_id: str, origin: dict) -> bool:
        existing = self.get(release_id).manifest
        return all(existing.get(k, [] if k == "uploads" else None) == v
                   for k, v in origin.items())

    def set_current(
        self, release_id: str, *, expected_current: str | None, by: str, action: str,
        note: str = "", before_switch: Callable[[str | None], dict | None] | None = None,
    ) -> None:
        """Point CURRENT at ``release_id`` if the current one is still ``expected_current``.

        ``before_switch(current id)`` runs under the lock once the switch is sure to be
        allowed, before the pointer moves (the audit entry is written there, so a crash never
        leaves a switch without its record); the fields it returns go into the history line."""
        self.get(release_id)  # must exist and be complete
        with self.lock():
            now = self.current_id()
            if now != expected_current:
                raise ConflictError(
                    f"the current release changed to {now} since your preview (based on "
                    f"{expected_current}); preview again before publishing"
                )
            extra = (before_switch(now) if before_switch else None) or {}
            tmp = self.root / f".{POINTER}.{os.getpid()}"
            tmp.write_text(release_id + "\n", encoding="utf-8")
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
            os.replace(tmp, self.root / POINTER)
            _fsync_dir(self.root)
            self.append_history({
                "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "action": action,
                "by": by,
                "from": now,
                "to": release_id,
                "note": note,
                **extra,
            })

    def append_history(self, event: dict) -> None:
        """One whole line in history.jsonl (a torn last line is repaired first)."""
        jsonlines.append(self.root / HISTORY,
                         lambda _last: json.dumps(event, sort_keys=True).encode("utf-8"))

    def publish(
        self, tables: Mapping[str, pd.DataFrame], *, expected_current: str | None, by: str,
        before_switch: Callable[[Release, str | None], dict | None] | None = None,
        **write_kwargs,
    ) -> Release:
        """Write a release and make it current, unless someone published since the preview.

        ``before_switch(release, current id)`` runs under the lock before the pointer moves
        (see ``set_current``)."""
        if self.current_id() != expected_current:
            raise ConflictError(
                f"the current release changed to {self.current_id()} since your preview "
                f"(based on {expected_current}); preview again before publishing"
            )
        release = self.write(tables, built_by=by, based_on=expected_current, **write_kwargs)
        hook = None if before_switch is None else (lambda now: before_switch(release, now))
        self.set_current(release.id, expected_current=expected_current, by=by,
                         action="publish", note=write_kwargs.get("note", ""),
                         before_switch=hook)
        return release

    def rollback(self, release_id: str, *, expected_current: str | None, by: str,
                 note: str = "", before_switch: Callable[[str | None], dict | None] | None = None
                 ) -> None:
        """Make an earlier release current again, only if this version can show it: every
        table is read and validated against the contract first (a release written in an older
        format is refused, and nothing changes)."""
        release = self.get(release_id)
        problem = release.format_problem()
        if problem is None:
            try:
                release.tables()
            except (schema.SchemaError, StoreError, OSError, pa.ArrowException) as exc:
                problem = f"its tables do not pass the checks ({str(exc).splitlines()[0]})"
        if problem:
            raise UnreadableReleaseError(
                f"release {release_id} cannot be made current: {problem}. It was written in "
                "an older data format than this version of coopmap shows. Nothing was changed.")
        self.set_current(release_id, expected_current=expected_current, by=by,
                         action="rollback", note=note, before_switch=before_switch)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def default_store() -> ReleaseStore:
    from coopmap import paths

    return ReleaseStore(paths.releases_dir())
