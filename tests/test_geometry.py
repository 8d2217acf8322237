"""Simplified county and state shapes, built from the real us-atlas TopoJSON in data/sources/geo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from coopmap import geometry, paths

VIRGINIA_CITIES = ["51510", "51600", "51610", "51683", "51685", "51760", "51840"]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("geo")
    return out, geometry.build_geometry(paths.PROJECT_ROOT / "data" / "sources", out)


@pytest.fixture(scope="session")
def counties(built):
    return geometry.load_counties(built[0])


@pytest.fixture(scope="session")
def states(built):
    return geometry.load_states(built[0])


@pytest.fixture(scope="session")
def raw():
    return geometry._read_counties(paths.PROJECT_ROOT / "data/sources/geo" / geometry.SOURCE_FILE)


def test_counties_are_the_50_states_and_dc_with_string_fips(counties):
    assert list(counties.columns) == ["county_fips", "state_fips", "name", "geometry"]
    assert len(counties) == 3142
    assert counties["county_fips"].is_unique
    assert counties["county_fips"].str.fullmatch(r"\d{5}").all()
    assert (counties["county_fips"].str[:2] == counties["state_fips"]).all()
    assert set(counties["state_fips"]) == set(geometry.STATE_FIPS)
    assert not counties["county_fips"].str[:2].isin(["60", "66", "69", "72", "78"]).any()
    assert counties.crs.to_epsg() == 4326
    # 2017 vintage: CT legacy counties and Valdez-Cordova, not the 2019+/2022+ units.
    fips = set(counties["county_fips"])
    assert {"09001", "09015", "02261"} <= fips
    assert not {"09110", "02063", "02066"} & fips
    row = counties.set_index("county_fips").loc["04015"]
    assert (row["name"], row["state_fips"]) == ("Mohave", "04")


def test_states_are_51(states):
    assert list(states.columns) == ["state_fips", "name", "geometry"]
    assert list(states["state_fips"]) == list(geometry.STATE_FIPS)
    assert states.set_index("state_fips").loc["11", "name"] == "District of Columbia"
    assert states.geometry.is_valid.all() and not states.geometry.is_empty.any()


def test_falls_church_row_is_kept_with_an_empty_shape(counties):
    empty = counties[counties.geometry.is_empty]
    assert list(empty["county_fips"]) == ["51610"]
    assert empty["name"].item() == "Falls Church"


def test_every_county_is_valid_and_polygonal(counties):
    assert counties.geometry.is_valid.all()
    assert set(counties.geometry.geom_type) <= {"Polygon", "MultiPolygon"}


def test_coordinates_are_rounded(counties):
    xy = shapely.get_coordinates(counties.geometry.values)
    scale = 10**geometry.PRECISION
    assert np.abs(xy * scale - np.round(xy * scale)).max() < 1e-6


def test_neighbours_do_not_overlap(counties):
    geoms = counties.geometry.values[~counties.geometry.is_empty.values]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    pairs = left < right
    assert pairs.sum() > 8000  # the query really found the neighbours
    overlap = shapely.area(shapely.intersection(geoms[left[pairs]], geoms[right[pairs]]))
    assert overlap.sum() < 1e-9


def test_no_gaps_between_counties(counties, raw):
    geoms = np.asarray(counties.geometry.values[~counties.geometry.is_empty.values])
    # A valid coverage: every border is the same line, vertex for vertex, on both sides.
    assert shapely.coverage_is_valid(geoms)
    # Narrow water (straits, bays) is already a gap in the source; simplification adds none:
    # no state's union has a hole the source lacks, and each keeps its area within 3%.
    source = shapely.make_valid(raw.geometry.to_numpy(dtype=object))
    for state in geometry.STATE_FIPS:
        rows = (raw["state_fips"] == state).to_numpy()
        before = shapely.union_all(source[rows])
        after = shapely.union_all(np.asarray(counties.geometry.values[rows]))
        holes_before = shapely.get_num_interior_rings(shapely.get_parts(before)).sum()
        holes_after = shapely.get_num_interior_rings(shapely.get_parts(after)).sum()
        assert holes_after <= holes_before, state
        assert abs(after.area - before.area) / before.area < 0.03, state


def test_states_are_exactly_their_counties(counties, states):
    for state_fips, shape in zip(states["state_fips"], states.geometry.values, strict=True):
        parts = counties.geometry.values[counties["state_fips"].to_numpy() == state_fips]
        union = shapely.union_all(np.asarray(parts))
        assert shapely.area(shapely.symmetric_difference(union, shape)) < 1e-9, state_fips
    assert shapely.coverage_is_valid(np.asarray(states.geometry.values))


def test_simplified_shapes_stay_close_to_the_source(counties, raw):
    drawn = ~counties.geometry.is_empty.to_numpy()
    before = shapely.make_valid(raw.geometry.to_numpy(dtype=object)[drawn])
    after = counties.geometry.to_numpy()[drawn]
    change = shapely.area(shapely.symmetric_difference(before, after)) / shapely.area(before)
    worst = counties["county_fips"].to_numpy()[drawn][np.argmax(change)]
    assert np.median(change) < 0.05
    assert change.max() < 0.35, worst
    # Small independent cities keep their shape instead of collapsing to triangles.
    cities = counties["county_fips"].isin(VIRGINIA_CITIES).to_numpy()[drawn]
    assert change[cities].max() < 0.1


def test_build_is_byte_for_byte_reproducible(built, tmp_path):
    again = geometry.build_geometry(paths.PROJECT_ROOT / "data" / "sources", tmp_path)
    first = built[1]
    for name in ("counties", "states"):
        assert again[name]["sha256"] == first[name]["sha256"], name
        assert (tmp_path / f"{name}.parquet").read_bytes() == (
            built[0] / f"{name}.parquet"
        ).read_bytes()
    assert first["counties"]["features"] == 3142 and first["states"]["features"] == 51
    assert first["tolerance"] == geometry.TOLERANCE and first["precision_decimals"] == 3


def test_shipped_data_geo_is_the_current_build(built):
    shipped = paths.PROJECT_ROOT / "data" / "geo"
    for name in ("counties", "states"):
        assert (shipped / f"{name}.parquet").read_bytes() == (
            built[0] / f"{name}.parquet"
        ).read_bytes(), f"data/geo/{name}.parquet is stale: rerun coopmap.geometry.build_geometry"


def test_missing_source_names_the_file(tmp_path):
    with pytest.raises(geometry.GeometryError, match="counties-10m.json"):
        geometry.build_geometry(tmp_path, tmp_path / "out")


def test_missing_output_names_the_file(tmp_path):
    with pytest.raises(geometry.GeometryError, match="counties.parquet"):
        geometry.load_counties(tmp_path)
