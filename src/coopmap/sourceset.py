"""The staff uploads of a release's source set, and where their bytes are kept.

A release is the build of its source set: the bundled files in ``data/sources/``, the reviewed
corrections in ``data/corrections/`` and every staff upload published into it, in publish order.
The uploads are listed in the release manifest's ``uploads`` (one ``SourceUpload.entry()`` each)
and their bytes are kept inside the release store, content-addressed::

    <store>/uploads/<sha256>.xlsx   (or .csv)

so a copy of the data folder (``data/releases/`` included) is enough to rebuild every release:
``coopmap build`` builds the bundled sources plus the current release's uploads. Paths in the
manifest are relative to the store (never absolute).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from coopmap.uploads import Upload, intake

UPLOADS_DIR = "uploads"
KINDS = ("ice", "policy", "detention")


class SourceSetError(RuntimeError):
    """A release's source set cannot be read back (a kept upload missing or altered)."""


@dataclass(frozen=True)
class SourceUpload:
    """One published staff upload: what it is, who published it, and its bytes."""

    kind: str  # "ice", "policy" or "detention" (ICE's detention-statistics workbook)
    sha256: str
    file_name: str  # as uploaded
    file_kind: str  # "xlsx" or "csv" (what intake found)
    by: str
    list_kind: str | None = None  # ICE: participating / pending
    sheet_date: str | None = None  # ICE: YYYY-MM-DD, as chosen on the staff page
    data: bytes = field(default=b"", repr=False, compare=False)

    @property
    def path(self) -> str:
        """Where the bytes are kept, relative to the store root."""
        return f"{UPLOADS_DIR}/{self.sha256}.{self.file_kind}"

    @property
    def month(self) -> str | None:
        return self.sheet_date[:7] if self.sheet_date else None

    def upload(self) -> Upload:
        """The kept bytes through the same intake as on the staff page."""
        return intake(self.data, self.file_name)

    def entry(self) -> dict:
        """The manifest entry (no bytes)."""
        out = {"kind": self.kind, "path": self.path, "sha256": self.sha256,
               "bytes": len(self.data), "file_name": self.file_name, "by": self.by}
        if self.kind == "ice":
            out.update(list=self.list_kind, sheet_date=self.sheet_date)
        return out

    @classmethod
    def of(cls, upload: Upload, *, kind: str, by: str, list_kind: str | None = None,
           sheet_date: str | None = None) -> SourceUpload:
        if kind not in KINDS:
            raise ValueError(f"kind {kind!r} is not one of {list(KINDS)}")
        return cls(kind=kind, sha256=upload.sha256, file_name=upload.filename,
                   file_kind=upload.kind, by=by, list_kind=list_kind, sheet_date=sheet_date,
                   data=upload.data)


def keep(store_root: Path, upload: SourceUpload) -> Path:
    """Write the upload's bytes into the store (once; the name is its sha256)."""
    path = Path(store_root) / upload.path
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(upload.data)
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)
    return path


def load(store_root: Path, entries: list[dict]) -> list[SourceUpload]:
    """The uploads a manifest lists, with their bytes read back from the store and checked."""
    out = []
    for e in entries:
        path = Path(store_root) / e["path"]
        if Path(e["path"]).is_absolute() or ".." in Path(e["path"]).parts:
            raise SourceSetError(f"upload path {e['path']!r} must be relative to the store")
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise SourceSetError(
                f"the kept upload {e['path']} ({e.get('file_name')}) is missing from the store "
                f"{store_root}: copy it back (its sha256 is {e['sha256']}) to rebuild"
            ) from None
        if hashlib.sha256(data).hexdigest() != e["sha256"]:
            raise SourceSetError(f"the kept upload {e['path']} does not match its sha256 "
                                 f"{e['sha256']}: it was altered")
        file_kind = e["path"].rsplit(".", 1)[-1]
        out.append(SourceUpload(kind=e["kind"], sha256=e["sha256"], file_name=e["file_name"],
                                file_kind=file_kind, by=e.get("by", ""),
                                list_kind=e.get("list"), sheet_date=e.get("sheet_date"),
                                data=data))
    return out
