"""Build the default release from ``data/sources/``: the whole pipeline in one place.

sources -> geometry (data/geo/) -> places, state laws, state-law readings, federal lists, policies
-> ICE sheets ->
agreements matched to counties -> postures of the newest month -> a release in the store.
The result depends only on the source and correction files, so building twice gives the same
content hash.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from coopmap import ice_sheets, paths, postures, sourceset
from coopmap.agreements import MATCHER_OUTPUT, AgreementTables, SheetInput, sheets_from_files
from coopmap.ice_sheets import SheetRead
from coopmap.sourceset import SourceUpload
from coopmap.store import Release, ReleaseStore, sha256_file
from coopmap.uploads import Upload

ICE_DIR = "ice_287g"
SHEET_FOLDERS = ("monthly_participating", "monthly_pending", "latest")
# Parsed sheets kept in memory, by content: a staff preview rebuilds every sheet of the source
# set, and all but the uploaded one were read by the build before it.
READ_CACHE_SIZE = 400


class BuildError(ValueError):
    """The source set cannot be built; the message names the file and what is wrong."""


@dataclass
class BuildResult:
    release: Release
    match_report: str
    geometry: dict
    switched: bool


@dataclass
class Built:
    """The release tables of a source set, and what the assembly reports about them."""

    tables: dict[str, pd.DataFrame]
    ice: AgreementTables
    uploads: list[SourceUpload]
    detention_report: str = ""

    @property
    def match_report(self) -> str:
        """The build report: ICE's agreements matched, then the detention data."""
        report = self.ice.format_match_report()
        return report + "\n\n" + self.detention_report if self.detention_report else report


def ice_sheet_paths(sources_dir: Path) -> list[Path]:
    """Every ICE sheet the build reads, in a stable order."""
    root = sources_dir / ICE_DIR
    return sorted(p for folder in SHEET_FOLDERS for p in (root / folder).glob("*.xlsx"))


_file_hashes: dict[tuple[str, int, int], str] = {}


def file_sha256(path: Path) -> str:
    """sha256 of a file, remembered while its size and modification time stay the same."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _file_hashes:
        _file_hashes[key] = sha256_file(path)
    return _file_hashes[key]


def source_inventory(*folders: tuple[Path, Path]) -> list[dict]:
    """path (relative to its base), bytes and sha256 of every file under the given folders."""
    out = []
    for base, folder in folders:
        if not folder.exists():
            continue
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            out.append(
                {
                    "path": file.relative_to(base).as_posix(),
                    "bytes": file.stat().st_size,
                    "sha256": file_sha256(file),
                }
            )
    return out


def _as_of(tables: dict[str, pd.DataFrame]) -> dict:
    sheets = tables["sheets"]
    out = {}
    for kind in ("participating", "pending"):
        rows = sheets[sheets["list"] == kind]
        if len(rows):
            out[kind] = rows["sheet_date"].max().strftime("%Y-%m-%d")
            out[f"{kind}_month"] = rows["month"].max()
    months = sorted(sheets.loc[sheets["list"] == "participating", "month"])
    if months:
        out["first_month"], out["last_month"] = months[0], months[-1]
    if "detention_population" in tables:
        from coopmap import detention

        out.update(detention.data_as_of(tables["detention_population"],
                                        tables["detention_monthly"]))
    return out


class _Tables:
    """Adapter so postures can run on tables before they are written."""

    def __init__(self, tables: dict[str, pd.DataFrame]):
        self._t = tables

    def table(self, name: str) -> pd.DataFrame:
        return self._t[name]


# --- Caches: what does not change between builds of nearly the same source set -------------

_reads: OrderedDict[tuple[str, str], SheetRead] = OrderedDict()


_reads_lock = threading.Lock()  # the staff page warms the caches in a background thread


def _remember(key: tuple[str, str], read: Callable[[], SheetRead]) -> SheetRead:
    with _reads_lock:
        if key in _reads:
            _reads.move_to_end(key)
            return _reads[key]
    result = read()
    with _reads_lock:
        _reads[key] = result
        while len(_reads) > READ_CACHE_SIZE:
            _reads.popitem(last=False)
    return result


def read_bundled_sheet(path: Path, *, list_kind: str | None = None) -> SheetRead:
    """``ice_sheets.read_sheet``, remembered by the file's sha256 (never mutate the result)."""
    return _remember((file_sha256(path), list_kind or ""),
                     lambda: ice_sheets.read_sheet(path, list_kind=list_kind))


def read_uploaded_sheet(upload: Upload, list_kind: str) -> SheetRead:
    """An uploaded ICE list read as the build reads it (CSV normalised to UTF-8 with commas),
    remembered by the upload's sha256 (never mutate the result)."""

    def read() -> SheetRead:
        with tempfile.TemporaryDirectory(prefix="coopmap-upload-") as tmp:
            return ice_sheets.read_sheet(upload.write_normalised(Path(tmp)), list_kind=list_kind)

    return _remember((upload.sha256, list_kind), read)


def read_source_upload(up: SourceUpload) -> SheetRead:
    """An ICE list of the source set read as the build reads it, remembered by its sha256: the
    kept bytes go through intake only when this process has not read them yet."""
    with _reads_lock:
        hit = _reads.get((up.sha256, up.list_kind))
    if hit is not None:
        return hit
    return read_uploaded_sheet(up.upload(), up.list_kind)


_matches: dict[tuple, tuple] = {}


def cached_matcher(sources_dir: Path, corrections_dir: Path):
    """``matching.match_agencies``, asked only about agencies (with their exact inputs) it has
    not answered yet under the same reviewed corrections: the rest reuse their answer."""
    from coopmap import matching

    context = _fingerprint(sources_dir, corrections_dir)
    def key_of(values: tuple) -> tuple:
        return (context, *(None if not isinstance(v, tuple | str) and pd.isna(v) else v
                           for v in values))

    def matcher(agencies: pd.DataFrame) -> pd.DataFrame:
        cols = list(agencies.columns)
        keys = [key_of(t) for t in agencies.itertuples(index=False, name=None)]
        todo = [i for i, k in enumerate(keys) if (tuple(cols), k) not in _matches]
        if todo:
            answer = matching.match_agencies(agencies.iloc[todo], sources_dir=sources_dir,
                                             corrections_dir=corrections_dir)
            for i, r in zip(todo, answer[list(MATCHER_OUTPUT)].itertuples(index=False,
                                                                            name=None),
                            strict=True):
                _matches[(tuple(cols), keys[i])] = r
        results = [_matches[(tuple(cols), k)] for k in keys]
        out = agencies.copy()
        out["jurisdiction_level"] = pd.Series([r[0] for r in results], index=out.index,
                                              dtype=str)
        out["county_fips_list"] = pd.Series([r[1] for r in results], index=out.index,
                                            dtype=object)
        out["match_method"] = pd.Series([r[2] for r in results], index=out.index, dtype=str)
        out["match_note"] = pd.Series([None if not isinstance(r[3], str) else r[3]
                                       for r in results], index=out.index, dtype=str)
        return out

    return matcher


_base_tables: dict[tuple, tuple[dict[str, pd.DataFrame], str]] = {}


def _fingerprint(sources_dir: Path, corrections_dir: Path) -> tuple:
    """(relative path, sha256) of every source file outside the ICE sheets and of every
    correction: what the places, policies and the matching of agencies depend on."""
    out = []
    for base in (Path(sources_dir), Path(corrections_dir)):
        for p in sorted(base.rglob("*")):
            rel = p.relative_to(base)
            if p.is_file() and not (base == Path(sources_dir) and rel.parts[0] == ICE_DIR):
                out.append((base.name, rel.as_posix(), file_sha256(p)))
    return tuple(out)


def _places_and_policies(sources_dir: Path, corrections_dir: Path
                         ) -> tuple[dict[str, pd.DataFrame], str]:
    """counties, states, state laws, federal lists, policies and the ICE detention tables (with
    the detention report): remembered by the sha256 of every source and correction file outside
    the ICE 287(g) sheets."""
    from coopmap import designations, law_readings, places, policies, state_laws

    key = _fingerprint(sources_dir, corrections_dir)
    if key not in _base_tables:
        counties = places.build_counties(sources_dir)
        states = places.build_states(sources_dir)
        laws = state_laws.build_state_laws(sources_dir)
        while len(_base_tables) >= 2:  # the current source tree and one more is plenty
            _base_tables.pop(next(iter(_base_tables)))
        tables = {
            "counties": counties,
            "states": states,
            "state_laws": laws,
            "law_readings": law_readings.read_law_readings(corrections_dir),
            "designations": designations.build_designations(sources_dir, corrections_dir),
            "policies": policies.build_policies(counties, states),
        }
        report = _add_detention(tables, sources_dir, corrections_dir)
        _base_tables[key] = (tables, report)
    tables, report = _base_tables[key]
    return dict(tables), report


def clear_caches() -> None:
    """Forget every parsed sheet, match and place table (benchmarks measure a cold start)."""
    from coopmap import agreements

    _reads.clear()
    _matches.clear()
    _base_tables.clear()
    agreements.clear_caches()


# --- The build ----------------------------------------------------------------------------


def source_sheets(sources_dir: Path, uploads: Sequence[SourceUpload] = ()) -> list[SheetInput]:
    """The ICE sheets of a source set: the bundled files, then the uploaded lists in publish
    order. A list supersedes an earlier-dated one of the same list and month (ICE reissues a
    month's list): the earlier one is marked ``superseded`` (only its links are still used);
    two bundled files of one list and month stay an error of the assembly."""
    sheets = sheets_from_files(ice_sheet_paths(sources_dir), sources_dir,
                               read=read_bundled_sheet, digest=file_sha256)
    for up in uploads:
        if up.kind != "ice":
            continue
        read = read_source_upload(up)
        if read.errors:
            raise BuildError(f"the uploaded list {up.file_name} ({up.path}) no longer reads "
                             f"without errors: {read.errors[0]}")
        sheets.append(SheetInput(up.path, up.list_kind, dt.date.fromisoformat(up.sheet_date),
                                 read))
    bundled = len(sheets) - sum(1 for u in uploads if u.kind == "ice")
    groups: dict[tuple[str, str], list[int]] = {}
    for i, s in enumerate(sheets):
        groups.setdefault((s.list_kind, s.sheet_date.strftime("%Y-%m")), []).append(i)
    keep = set()
    for members in groups.values():
        if sum(1 for i in members if i < bundled) > 1:
            keep.update(members)  # the assembly names the clash
        else:
            keep.add(max(members, key=lambda i: (sheets[i].sheet_date, i)))
    return [s if i in keep else dataclasses.replace(s, superseded=True)
            for i, s in enumerate(sheets)]


def build_tables(sources_dir: Path, corrections_dir: Path,
                 uploads: Sequence[SourceUpload] = ()) -> Built:
    """All release tables of a source set: the bundled sources and corrections, plus the staff
    uploads in publish order (ICE lists join the sheets; policy sheets apply their findings to
    the built policies and state laws; detention workbooks join the bundled ones). The one
    assembly of every release, built or uploaded."""
    from coopmap import agreements, policy_sheet, publishing

    sources_dir, corrections_dir = Path(sources_dir), Path(corrections_dir)
    tables, report = _places_and_policies(sources_dir, corrections_dir)
    for up in uploads:
        if up.kind != "policy":
            continue
        read = policy_sheet.read_policy_sheet(up.upload())
        if read.errors:
            raise BuildError(f"the uploaded policy sheet {up.file_name} ({up.path}) no longer "
                             f"reads without errors: {read.errors[0]}")
        tables.update(publishing.apply_policy_findings(tables, read.findings,
                                                       source_file=up.path, by=up.by))

    workbooks = [up for up in uploads if up.kind == "detention"]
    if workbooks:
        # The detention tables of the set: the bundled workbooks, then the uploaded ones in
        # publish order (the build uses the newest the set holds).
        from coopmap.detention import DetentionError, UploadedWorkbook

        try:
            report = _add_detention(tables, sources_dir, corrections_dir,
                                    [UploadedWorkbook(up.path, up.data) for up in workbooks])
        except DetentionError as exc:
            raise BuildError(f"the uploaded detention workbooks no longer read without "
                             f"errors: {exc}") from None

    ice = agreements.build_agreements(source_sheets(sources_dir, uploads), None,
                                      cached_matcher(sources_dir, corrections_dir),
                                      corrections_dir=corrections_dir)
    tables.update(
        agreements=ice.agreements,
        agreement_counties=ice.agreement_counties,
        listings=ice.listings,
        sheets=ice.sheets,
    )
    view = _Tables(tables)
    month = postures.months(view)[-1]
    tables["county_postures"] = postures.county_postures(view, month, check=True)
    tables["state_postures"] = postures.state_postures(
        view, month, counties=tables["county_postures"], check=True
    )
    return Built(tables=tables, ice=ice, uploads=list(uploads), detention_report=report)


def current_uploads(store: ReleaseStore) -> list[SourceUpload]:
    """The staff uploads of the store's current release (none without a current release)."""
    rid = store.current_id()
    if rid is None:
        return []
    return sourceset.load(store.root, store.get(rid).manifest.get("uploads", []))


def _add_detention(tables: dict, sources_dir: Path, corrections_dir: Path,
                   uploads: Sequence = ()) -> str:
    """The ICE detention tables and their postures (with the uploaded workbooks, as
    ``detention.UploadedWorkbook``); returns the build report's section."""
    from coopmap import detention, detention_postures

    det = detention.build(sources_dir, corrections_dir, uploads)
    tables.update(
        detention_facilities=det.facilities,
        detention_population=det.population,
        detention_monthly=det.monthly,
        detention_county_postures=detention_postures.county_postures(
            det.monthly, det.facilities, tables["counties"], tables["states"], check=True),
        detention_state_postures=detention_postures.state_postures(
            det.monthly, det.facilities, tables["states"], check=True),
    )
    return det.report()


def build_release(
    sources_dir: Path,
    corrections_dir: Path,
    store: ReleaseStore,
    *,
    built_by: str,
    sources: list[dict] | None = None,
    created: str | None = None,
    extra: dict | None = None,
    switch: bool = True,
    uploads: Sequence[SourceUpload] | None = None,
) -> tuple[Release, str, bool]:
    """Build the release of the source set (``sources_dir``, ``corrections_dir`` and
    ``uploads``: by default those of the store's current release), write it to ``store`` and
    (unless ``switch`` is false) make it current. Returns (release, match report, switched).

    ``build`` uses it with the project's sources; tests and benchmarks use it on a copy of the
    sources (e.g. without the newest ICE sheet).
    """
    uploads = current_uploads(store) if uploads is None else list(uploads)
    built = build_tables(sources_dir, corrections_dir, uploads)
    note = "Default release built from the public sources in data/sources/"
    if uploads:
        note += f" and the current release's {len(uploads)} staff upload(s)"
    release = store.write(
        built.tables,
        built_by=built_by,
        sources=sources or [],
        note=note + ".",
        data_as_of=_as_of(built.tables),
        created=created,
        extra={**(extra or {}), "uploads": [u.entry() for u in uploads]},
    )
    current = store.current_id()
    switched = False
    if switch and current != release.id:
        store.set_current(release.id, expected_current=current, by=built_by, action="build",
                          note="coopmap build")
        switched = True
    return release, built.match_report, switched


def build(
    *,
    data_dir: Path | None = None,
    store: ReleaseStore | None = None,
    geo_dir: Path | None = None,
    switch: bool = True,
    built_by: str = "coopmap build",
) -> BuildResult:
    """Build geometry and the default release from ``<data_dir>/sources``; make it current.

    ``geo_dir`` and ``store`` default to the data folder's ``geo/`` and ``releases/``; tests point
    them elsewhere to build without touching the bundled release.
    """
    from coopmap import geometry

    data_dir = Path(data_dir) if data_dir else paths.data_dir()
    sources_dir = data_dir / "sources"
    corrections_dir = data_dir / "corrections"
    geo_dir = Path(geo_dir) if geo_dir else data_dir / "geo"
    store = store or ReleaseStore(data_dir / "releases")

    geo_meta = geometry.build_geometry(sources_dir, geo_dir)
    inventory = source_inventory((data_dir, sources_dir), (data_dir, corrections_dir))
    inventory += [
        {"path": f"geo/{p.name}", "bytes": p.stat().st_size, "sha256": sha256_file(p)}
        for p in sorted(geo_dir.glob("*.parquet"))
    ]
    release, report, switched = build_release(
        sources_dir, corrections_dir, store, built_by=built_by, sources=inventory,
        extra={"geometry": _json_safe(geo_meta, data_dir, geo_dir)}, switch=switch,
    )
    return BuildResult(release=release, match_report=report, geometry=geo_meta,
                       switched=switched)


def _json_safe(value, data_dir: Path, geo_dir: Path):
    """The geometry metadata for the manifest: file paths relative to the data folder (a
    geometry folder elsewhere, as in tests, is named ``geo/``), so the manifest holds no
    absolute path."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in ("path", "source") and isinstance(v, str | Path):
                v = _data_relative(Path(v), data_dir, geo_dir)
            out[str(k)] = _json_safe(v, data_dir, geo_dir)
        return out
    if isinstance(value, list | tuple):
        return [_json_safe(v, data_dir, geo_dir) for v in value]
    if isinstance(value, Path):
        return value.as_posix()
    if isinstance(value, float | int | str | bool) or value is None:
        return value
    return str(value)


def _data_relative(path: Path, data_dir: Path, geo_dir: Path) -> str:
    for base, prefix in ((data_dir, ""), (geo_dir, "geo/")):
        try:
            return prefix + path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return path.name
