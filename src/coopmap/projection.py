"""Shapes projected for the web map: Albers USA, as SVG path data on a fixed integer grid.

The browser map (``coopmap.ui.mapview``) draws these paths directly, so it needs no map library:
projecting ~3,100 counties once here, in Python, is what lets the map paint in about a second.

The projection is the usual composite "Albers USA": the lower 48 states and DC in an Albers
equal-area conic (standard parallels 29.5° and 45.5°), Alaska shrunk to 0.35 and moved under
California, Hawaii beside it. The constants are the ones d3-geo's ``geoAlbersUsa`` uses, so the
picture matches the one plotly's ``scope="usa"`` drew before. Insets are chosen by state FIPS,
not by longitude and latitude, so no Aleutian island can fall into the wrong frame.

Coordinates are integers in tenths of a pixel of a 975 x 610 picture (``GRID``): the shapes are
already simplified to ~1 km, and 0.1 px of the national map is ~0.5 km, so rounding adds nothing
visible even zoomed to one small state. Each ring is written as one absolute move and then
relative integer steps (``M x y l dx dy ...z``), which keeps the file small and exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyproj
import shapely

WIDTH, HEIGHT = 975, 610
GRID = 10  # path units per pixel
SCALE = 1300.0  # pixels per radian (unit sphere), for a 975 x 610 picture
TRANSLATE = (WIDTH / 2, HEIGHT / 2)


@dataclass(frozen=True)
class _Part:
    """One frame of the composite: a conic on the unit sphere, its centre, scale and offset."""

    lon_0: float
    lat_1: float
    lat_2: float
    centre: tuple[float, float]  # lon, lat drawn at the offset
    scale: float  # times SCALE
    offset: tuple[float, float]  # times SCALE, from TRANSLATE


LOWER_48 = _Part(-96.0, 29.5, 45.5, (-96.6, 38.7), 1.0, (0.0, 0.0))
ALASKA = _Part(-154.0, 55.0, 65.0, (-156.0, 58.5), 0.35, (-0.307, 0.201))
HAWAII = _Part(-157.0, 8.0, 18.0, (-160.0, 19.9), 1.0, (-0.205, 0.212))
INSETS = {"02": ALASKA, "15": HAWAII}


def _projector(part: _Part):
    # Longitude and latitude are taken as spherical (as d3 does): no datum shift.
    conic = pyproj.Proj(f"+proj=aea +R=1 +lat_0=0 +lon_0={part.lon_0} +lat_1={part.lat_1} "
                        f"+lat_2={part.lat_2} +x_0=0 +y_0=0 +units=m +no_defs")
    cx, cy = conic(*part.centre)
    k = SCALE * part.scale
    ox = TRANSLATE[0] + SCALE * part.offset[0]
    oy = TRANSLATE[1] + SCALE * part.offset[1]

    def project(lonlat: np.ndarray) -> np.ndarray:
        x, y = conic(lonlat[:, 0], lonlat[:, 1])
        px = (np.asarray(x) - cx) * k + ox
        py = oy - (np.asarray(y) - cy) * k  # screen y grows downwards
        return np.column_stack([px, py]) * GRID

    return project


_PROJECTORS = {}


def project(geoms: np.ndarray, state_fips: np.ndarray) -> np.ndarray:
    """Geometries (lon/lat) projected to grid units, each by its state's frame."""
    geoms = np.asarray(geoms, dtype=object)
    state_fips = np.asarray(state_fips, dtype=object)
    out = np.empty(len(geoms), dtype=object)
    parts = {part: np.array([INSETS.get(s, LOWER_48) is part for s in state_fips], dtype=bool)
             for part in (LOWER_48, ALASKA, HAWAII)}
    for part, mask in parts.items():
        if not mask.any():
            continue
        if part not in _PROJECTORS:
            _PROJECTORS[part] = _projector(part)
        out[mask] = shapely.transform(geoms[mask], _PROJECTORS[part])
    return out


def _ring_path(coords: np.ndarray) -> str:
    """``M x y l dx dy ... z`` in integer grid units; '' if the ring rounds away to a line."""
    pts = np.rint(coords[:-1] if len(coords) > 1 and (coords[0] == coords[-1]).all()
                  else coords).astype(np.int64)
    if len(pts) == 0:
        return ""
    keep = np.ones(len(pts), dtype=bool)
    keep[1:] = (np.diff(pts, axis=0) != 0).any(axis=1)
    pts = pts[keep]
    if len(pts) > 1 and (pts[0] == pts[-1]).all():
        pts = pts[:-1]
    if len(np.unique(pts, axis=0)) < 3:
        return ""
    steps = np.diff(pts, axis=0).ravel()
    return f"M{pts[0, 0]} {pts[0, 1]}l" + " ".join(map(str, steps)).replace(" -", "-") + "z"


def svg_path(geom: shapely.Geometry) -> str:
    """SVG path data of a projected (multi)polygon; rings that round to nothing are dropped,
    but a shape never loses all of them (its largest ring is then drawn as a dot-sized shape)."""
    if geom is None or geom.is_empty:
        return ""
    rings = shapely.get_rings(shapely.get_parts(geom))
    out = [p for p in (_ring_path(shapely.get_coordinates(r)) for r in rings) if p]
    if not out:
        largest = max(rings, key=lambda r: shapely.area(shapely.Polygon(r)))
        pts = np.rint(shapely.get_coordinates(largest)).astype(np.int64)
        x, y = pts[0]
        out = [f"M{x} {y}h1v1h-1z"]
    return "".join(out)


def _box(bounds: np.ndarray) -> list[int]:
    return [int(np.floor(bounds[0])), int(np.floor(bounds[1])), int(np.ceil(bounds[2])),
            int(np.ceil(bounds[3]))]


def shapes_document(ids: list[str], geoms: np.ndarray, state_fips: np.ndarray, *,
                    boxes: bool = False) -> dict:
    """What the browser map fetches: the ids, their path data and the drawing's bounding box
    (``[x0, y0, x1, y1]`` in grid units); with ``boxes``, each id's own box too (for states:
    the map zooms to chosen states with them).

    Ids whose shape is empty (Falls Church city, see ``coopmap.geometry``) are left out: the
    map cannot draw them, and the table under it still lists them.
    """
    projected = project(geoms, state_fips)
    d = [svg_path(g) for g in projected]
    keep = [i for i, p in enumerate(d) if p]
    bounds = shapely.bounds(projected[keep])
    doc = {
        "ids": [ids[i] for i in keep],
        "d": [d[i] for i in keep],
        "bbox": _box(np.array([bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(),
                               bounds[:, 3].max()])),
    }
    if boxes:
        doc["boxes"] = {ids[i]: _box(b) for i, b in zip(keep, bounds, strict=True)}
    return doc
