"""Build the default release from ``data/sources/``: the whole pipeline in one place.

sources -> geometry (data/geo/) -> places, state laws, state-law readings, federal lists, policies
-> ICE sheets ->
agreements matched to counties -> postures of the newest month -> a release in the store.
The result depends only on the source and correction files, so building twice gives the same
content hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from coopmap import paths, postures
from coopmap.store import Release, ReleaseStore, sha256_file

ICE_DIR = "ice_287g"
SHEET_FOLDERS = ("monthly_participating", "monthly_pending", "latest")


@dataclass
class BuildResult:
    release: Release
    match_report: str
    geometry: dict
    switched: bool


def ice_sheet_paths(sources_dir: Path) -> list[Path]:
    """Every ICE sheet the build reads, in a stable order."""
    root = sources_dir / ICE_DIR
    return sorted(p for folder in SHEET_FOLDERS for p in (root / folder).glob("*.xlsx"))


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
                    "sha256": sha256_file(file),
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


def build_tables(sources_dir: Path, corrections_dir: Path) -> tuple[dict, str]:
    """All release tables from the sources; returns (tables, match report text)."""
    from coopmap import (
        agreements,
        designations,
        law_readings,
        matching,
        places,
        policies,
        state_laws,
    )

    counties = places.build_counties(sources_dir)
    states = places.build_states(sources_dir)
    laws = state_laws.build_state_laws(sources_dir)
    tables: dict[str, pd.DataFrame] = {
        "counties": counties,
        "states": states,
        "state_laws": laws,
        "law_readings": law_readings.read_law_readings(corrections_dir),
        "designations": designations.build_designations(sources_dir, corrections_dir),
        "policies": policies.build_policies(counties, states),
    }

    def matcher(agencies: pd.DataFrame) -> pd.DataFrame:
        return matching.match_agencies(
            agencies, sources_dir=sources_dir, corrections_dir=corrections_dir
        )

    ice = agreements.build_agreements(ice_sheet_paths(sources_dir), sources_dir, matcher,
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
    detention_report = _add_detention(tables, sources_dir, corrections_dir)
    return tables, ice.format_match_report() + "\n\n" + detention_report


def _add_detention(tables: dict, sources_dir: Path, corrections_dir: Path) -> str:
    """The ICE detention tables and their postures; returns the build report's section."""
    from coopmap import detention, detention_postures

    det = detention.build(sources_dir, corrections_dir)
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
) -> tuple[Release, str, bool]:
    """Build the release tables from ``sources_dir``, write them to ``store`` and (unless
    ``switch`` is false) make the release current. Returns (release, match report, switched).

    ``build`` uses it with the project's sources; tests and benchmarks use it on a copy of the
    sources (e.g. without the newest ICE sheet).
    """
    tables, report = build_tables(sources_dir, corrections_dir)
    release = store.write(
        tables,
        built_by=built_by,
        sources=sources or [],
        note="Default release built from the public sources in data/sources/.",
        data_as_of=_as_of(tables),
        created=created,
        extra=extra,
    )
    current = store.current_id()
    switched = False
    if switch and current != release.id:
        store.set_current(release.id, expected_current=current, by=built_by, action="build",
                          note="coopmap build")
        switched = True
    return release, report, switched


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
        extra={"geometry": _json_safe(geo_meta)}, switch=switch,
    )
    return BuildResult(release=release, match_report=report, geometry=geo_meta,
                       switched=switched)


def _json_safe(value):
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, Path):
        return value.as_posix()
    if isinstance(value, float | int | str | bool) or value is None:
        return value
    return str(value)

