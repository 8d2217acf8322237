"""County and state shapes for the web maps, built from the us-atlas TopoJSON (Census 2017).

The source is a topology: every border is one arc shared by the two shapes it separates. We keep
that property end to end so neighbouring counties never show slivers or gaps:

1. arcs are decoded and rounded once, per arc, so both sides of a border get the same vertices;
2. quantization artefacts (collapsed rings, self-touching rings, hair-thin overlaps) are repaired
   and the whole nation is cleaned as ONE coverage;
3. the coverage is simplified as a whole (``shapely.coverage_simplify``), not county by county;
4. states are the union of their simplified counties, so state and county borders coincide.

The output is GeoParquet (EPSG:4326), written deterministically so a release's content hash is
reproducible. Nothing here reads the network or ``/work/shared``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import MultiPolygon, Polygon

from coopmap import paths

SOURCE_FILE = "counties-10m.json"
COUNTIES_FILE = "counties.parquet"
STATES_FILE = "states.parquet"
CRS = "EPSG:4326"

# Visvalingam-Whyatt tolerances in degrees (about the square root of the triangle areas removed).
# TOLERANCE for most counties keeps the national county figure's JSON near 1 MB; counties that it
# would distort by more than SMALL_SHAPE_CHANGE of their area (Virginia's independent cities, NYC
# boroughs, DC...) get FINE_TOLERANCE so they still look right at single-state zoom.
# Measured in docs/geometry.md.
TOLERANCE = 0.06
FINE_TOLERANCE = 0.01
SMALL_SHAPE_CHANGE = 0.20
# Decimal places kept in lon/lat: 0.001 degree is ~100 m, below what a state-level map shows.
PRECISION = 3

# The 50 states and DC; territories (60 AS, 66 GU, 69 MP, 72 PR, 78 VI) are outside the map.
STATE_FIPS: tuple[str, ...] = (
    "01", "02", "04", "05", "06", "08", "09", "10", "11", "12", "13", "15", "16", "17", "18",
    "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32", "33",
    "34", "35", "36", "37", "38", "39", "40", "41", "42", "44", "45", "46", "47", "48", "49",
    "50", "51", "53", "54", "55", "56",
)  # fmt: skip
EXPECTED_COUNTIES = 3142
# Falls Church city (VA) collapses to a zero-area ring in the 1:10m topology. Its row is kept
# with an empty shape: the county exists, the map just cannot draw it.
EMPTY_SHAPE_FIPS = frozenset({"51610"})


class GeometryError(ValueError):
    """The source topology or the built shapes break an expectation; the message says where."""


# --- TopoJSON decoding --------------------------------------------------------------------------


def _decode_arcs(topo: dict[str, Any], source: Path) -> list[np.ndarray]:
    """Absolute lon/lat of every arc, rounded to PRECISION decimals.

    Rounding here, once per arc, keeps shared borders identical on both sides.
    """
    transform = topo.get("transform")
    if not transform:
        raise GeometryError(f"{source}: expected a quantized topology with a 'transform'")
    scale = np.asarray(transform["scale"], dtype=float)
    translate = np.asarray(transform["translate"], dtype=float)
    arcs = []
    for i, arc in enumerate(topo["arcs"]):
        quantized = np.cumsum(np.asarray(arc, dtype=np.int64), axis=0)
        if quantized.ndim != 2 or quantized.shape[1] < 2:
            raise GeometryError(f"{source}: arc {i} is not a list of positions: {arc[:3]!r}")
        arcs.append(np.round(quantized[:, :2] * scale + translate, PRECISION))
    return arcs


def _ring(arcs: list[np.ndarray], indices: list[int]) -> np.ndarray:
    parts = []
    for i in indices:
        # A negative index ~i means arc i walked backwards.
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        parts.append(arc if not parts else arc[1:])
    return np.concatenate(parts)


def _polygon(arcs: list[np.ndarray], rings: list[list[int]]) -> Polygon:
    coords = [_ring(arcs, r) for r in rings]
    # Quantization can collapse a ring (often a tiny hole) to fewer than 4 positions: zero area.
    shell, *holes = coords
    if len(np.unique(shell, axis=0)) < 3:
        return Polygon()
    return Polygon(shell, [h for h in holes if len(np.unique(h, axis=0)) >= 3])


def _shape(arcs: list[np.ndarray], geometry: dict[str, Any], where: str) -> Polygon | MultiPolygon:
    kind = geometry.get("type")
    if kind == "Polygon":
        return _polygon(arcs, geometry["arcs"])
    if kind == "MultiPolygon":
        parts = [p for p in (_polygon(arcs, rings) for rings in geometry["arcs"]) if not p.is_empty]
        return MultiPolygon(parts) if parts else Polygon()
    raise GeometryError(f"{where}: geometry type {kind!r} is not Polygon or MultiPolygon")


def _read_counties(source: Path) -> pd.DataFrame:
    """One row per county of the 50 states + DC: county_fips, state_fips, name, geometry (raw)."""
    try:
        topo = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GeometryError(
            f"{source}: not found (copy us-atlas counties-10m.json there)"
        ) from None
    arcs = _decode_arcs(topo, source)
    rows = []
    for n, g in enumerate(topo["objects"]["counties"]["geometries"]):
        fips = g.get("id")
        where = f"{source} objects.counties[{n}] id={fips!r}"
        if not isinstance(fips, str) or len(fips) != 5 or not fips.isdigit():
            raise GeometryError(f"{where}: id is not a 5-digit FIPS string")
        if fips[:2] not in STATE_FIPS:
            continue
        name = (g.get("properties") or {}).get("name")
        if not name:
            raise GeometryError(f"{where}: properties.name is missing")
        rows.append((fips, fips[:2], name, _shape(arcs, g, where)))
    df = pd.DataFrame(rows, columns=["county_fips", "state_fips", "name", "geometry"])
    dupes = df["county_fips"][df["county_fips"].duplicated()].tolist()
    if dupes:
        raise GeometryError(f"{source}: duplicate county ids {dupes}")
    if len(df) != EXPECTED_COUNTIES:
        raise GeometryError(f"{source}: {len(df)} counties in the 50 states + DC, expected 3142")
    state_names = {
        g["id"]: g["properties"]["name"] for g in topo["objects"]["states"]["geometries"]
    }
    missing = sorted(set(STATE_FIPS) - set(state_names))
    if missing:
        raise GeometryError(f"{source}: objects.states lacks {missing}")
    df.attrs["state_names"] = {s: state_names[s] for s in STATE_FIPS}
    return df.sort_values("county_fips", ignore_index=True)


# --- Repair and simplification -----------------------------------------------------------------


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Only the polygons of a make_valid result (it may add collapsed lines or points)."""
    if geom.is_empty or geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polys) if polys else Polygon()


def _simplified_coverage(raw: np.ndarray) -> np.ndarray:
    """Repair the raw shapes as one coverage, then simplify it as one coverage (two tolerances)."""
    valid = np.array([_polygonal(g) for g in shapely.make_valid(raw)], dtype=object)
    drawn = ~shapely.is_empty(valid)
    # Quantization leaves hair-thin overlaps between a few neighbours (Bay Area, tidewater VA,
    # Louisiana); coverage_clean gives each overlap to one side. No snapping, no gap filling:
    # only overlaps are resolved, nothing is invented.
    cleaned = shapely.coverage_clean(valid[drawn], snapping_distance=0.0)
    simplified = _two_tolerance_simplify(cleaned)
    # Nodes that cleaning added can lie off the grid; rounding them moves both sides alike.
    simplified = shapely.transform(simplified, lambda xy: np.round(xy, PRECISION))
    out = valid.copy()
    out[drawn] = simplified
    out[~drawn] = Polygon()
    return _check_valid(out)


def _two_tolerance_simplify(coverage: np.ndarray) -> np.ndarray:
    """Simplify big counties at TOLERANCE and small ones (cities) at FINE_TOLERANCE.

    One tolerance cannot serve both: the one that brings the national figure near 1 MB turns
    Virginia's independent cities into triangles. ``coverage_simplify`` takes one tolerance per
    coverage, so: (1) simplify everything at FINE_TOLERANCE; (2) simplify again at TOLERANCE only
    the counties that survive it (shape changes by less than SMALL_SHAPE_CHANGE), together with a
    "sea" polygon (the world minus the nation) so coastlines are inner edges too, with
    ``simplify_boundary=False``. The edges between a big and a small county are on that second
    coverage's boundary, so they keep their fine vertices on both sides and stay identical.
    """
    fine = shapely.coverage_simplify(coverage, FINE_TOLERANCE)
    coarse = shapely.coverage_simplify(fine, TOLERANCE)
    change = shapely.area(shapely.symmetric_difference(fine, coarse)) / shapely.area(fine)
    big = change < SMALL_SHAPE_CHANGE
    sea = shapely.difference(shapely.box(-180, -90, 180, 90), shapely.coverage_union_all(fine))
    second = shapely.coverage_simplify(
        np.concatenate([fine[big], [sea]]), TOLERANCE, simplify_boundary=False
    )
    out = fine.copy()
    out[big] = second[:-1]
    return out


def _check_valid(geoms: np.ndarray) -> np.ndarray:
    invalid = np.flatnonzero(~shapely.is_valid(geoms))
    if len(invalid):
        reasons = [shapely.is_valid_reason(geoms[i]) for i in invalid[:5]]
        raise GeometryError(
            f"simplified shapes are invalid at rows {invalid[:5].tolist()}: {reasons}"
        )
    return geoms


def _states(counties: gpd.GeoDataFrame, state_names: dict[str, str]) -> gpd.GeoDataFrame:
    """Each state is the union of its simplified counties, so the borders coincide exactly."""
    rows = []
    for state, group in counties.groupby("state_fips", sort=True):
        parts = group.geometry.values[~group.geometry.is_empty.values]
        rows.append((state, state_names[state], shapely.coverage_union_all(np.asarray(parts))))
    states = gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=["state_fips", "name", "geometry"]), geometry="geometry", crs=CRS
    )
    states["geometry"] = _check_valid(states.geometry.values.to_numpy())
    return states


# --- Build and load -----------------------------------------------------------------------------


def _write(gdf: gpd.GeoDataFrame, path: Path) -> dict[str, Any]:
    # Fixed row order, compression and no bbox covering column: the bytes depend only on the data
    # and the library versions, so the release hash is reproducible.
    gdf.to_parquet(path, index=False, compression="zstd", schema_version="1.0.0")
    data = path.read_bytes()
    return {"path": str(path), "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def build_geometry(sources_dir: Path, out_dir: Path) -> dict[str, Any]:
    """Build ``counties.parquet`` and ``states.parquet`` in ``out_dir``; return their metadata.

    ``sources_dir`` is the data/sources folder (the TopoJSON is read from its ``geo/``).
    """
    source = Path(sources_dir) / "geo" / SOURCE_FILE
    raw = _read_counties(source)
    geoms = _simplified_coverage(raw["geometry"].to_numpy(dtype=object))
    counties = gpd.GeoDataFrame(raw.drop(columns="geometry"), geometry=geoms, crs=CRS)
    empty = set(counties.loc[counties.geometry.is_empty, "county_fips"])
    if empty != EMPTY_SHAPE_FIPS:
        raise GeometryError(
            f"{source}: empty shapes for {sorted(empty)}, expected {sorted(EMPTY_SHAPE_FIPS)}"
        )
    states = _states(counties, raw.attrs["state_names"])

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return {
        "source": str(source),
        "tolerance": TOLERANCE,
        "fine_tolerance": FINE_TOLERANCE,
        "small_shape_change": SMALL_SHAPE_CHANGE,
        "precision_decimals": PRECISION,
        "crs": CRS,
        "counties": {
            "features": len(counties),
            "empty": sorted(empty),
            "coordinates": int(shapely.get_num_coordinates(counties.geometry.values).sum()),
            **_write(counties, out_dir / COUNTIES_FILE),
        },
        "states": {
            "features": len(states),
            "coordinates": int(shapely.get_num_coordinates(states.geometry.values).sum()),
            **_write(states, out_dir / STATES_FILE),
        },
    }


def _read(geo_dir: Path | None, filename: str) -> gpd.GeoDataFrame:
    path = Path(geo_dir if geo_dir is not None else paths.geo_dir()) / filename
    if not path.exists():
        raise GeometryError(f"{path}: not found; build it with coopmap.geometry.build_geometry")
    return gpd.read_parquet(path)


def load_counties(geo_dir: Path | None = None) -> gpd.GeoDataFrame:
    """County shapes: county_fips, state_fips, name, geometry (EPSG:4326), sorted by FIPS."""
    return _read(geo_dir, COUNTIES_FILE)


def load_states(geo_dir: Path | None = None) -> gpd.GeoDataFrame:
    """State shapes (50 + DC): state_fips, name, geometry (EPSG:4326), sorted by FIPS."""
    return _read(geo_dir, STATES_FILE)


if __name__ == "__main__":
    # Rebuild data/geo from data/sources/geo: python -m coopmap.geometry
    print(json.dumps(build_geometry(paths.sources_dir(), paths.geo_dir()), indent=2))
