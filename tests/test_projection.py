"""The projected shapes the browser map draws, checked on the real county and state shapes."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import shapely

from coopmap import geometry, projection

PATH = re.compile(r"M(-?\d+) (-?\d+)l([-\d ]*)z")


@pytest.fixture(scope="module")
def counties():
    return geometry.load_counties()


@pytest.fixture(scope="module")
def states():
    return geometry.load_states()


@pytest.fixture(scope="module")
def county_doc(counties):
    return projection.shapes_document(counties["county_fips"].tolist(),
                                      counties.geometry.values, counties["state_fips"].values)


@pytest.fixture(scope="module")
def state_doc(states):
    return projection.shapes_document(states["state_fips"].tolist(), states.geometry.values,
                                      states["state_fips"].values, boxes=True)


def rings(d: str) -> list[np.ndarray]:
    """Absolute integer vertices of each ring of a path (the inverse of the writer)."""
    out = []
    assert PATH.sub("", d) == "", d[:80]  # nothing but M x y l ... z rings
    for x, y, steps in PATH.findall(d):
        deltas = np.array(steps.replace("-", " -").split(), dtype=np.int64).reshape(-1, 2)
        out.append(np.cumsum(np.vstack([[int(x), int(y)], deltas]), axis=0))
    return out


def shape(d: str) -> shapely.Geometry:
    """The area a path fills under the even-odd rule the map draws with (any ring inside
    another is a hole, whatever its winding)."""
    out = shapely.Polygon()
    for r in rings(d):
        out = shapely.symmetric_difference(out, shapely.make_valid(shapely.Polygon(r)))
    return out


def area(d: str) -> float:
    return shape(d).area


def test_every_county_with_a_shape_is_drawn(counties, county_doc):
    expected = sorted(set(counties["county_fips"]) - geometry.EMPTY_SHAPE_FIPS)
    assert sorted(county_doc["ids"]) == expected and len(expected) == 3141
    assert all(d and area(d) > 0 for d in county_doc["d"])


def test_drawing_fits_the_picture_with_insets_clear_of_the_lower_48(state_doc):
    width, height = projection.WIDTH * projection.GRID, projection.HEIGHT * projection.GRID
    boxes = state_doc["boxes"]
    lower48 = [b for s, b in boxes.items() if s not in ("02", "15")]
    drawn = {s: shape(d) for s, d in zip(state_doc["ids"], state_doc["d"], strict=True)}
    x0, y0 = min(b[0] for b in lower48), min(b[1] for b in lower48)
    x1, y1 = max(b[2] for b in lower48), max(b[3] for b in lower48)
    assert 0 < x0 < 0.15 * width and 0.95 * width < x1 < width
    assert 0 < y0 < 0.05 * height and 0.9 * height < y1 < height
    # The drawing's box holds everything (the western Aleutians reach left of the frame).
    bbox = state_doc["bbox"]
    assert bbox[0] == min(b[0] for b in boxes.values()) and bbox[2] == x1
    for inset in ("02", "15"):
        bx0, by0, bx1, by1 = boxes[inset]
        assert bx1 < 0.5 * width and by0 > 0.6 * height, inset  # lower left
        for fips, other in drawn.items():  # no inset sits on top of a state of the lower 48
            if fips not in ("02", "15"):
                assert not drawn[inset].intersects(other), (inset, fips)


def test_states_are_where_they_belong(state_doc):
    centre = {s: ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) for s, b in state_doc["boxes"].items()}
    ca, tx, fl, me, mn, wa = (centre[s] for s in ("06", "48", "12", "23", "27", "53"))
    assert ca[0] < tx[0] < fl[0] < me[0]  # west to east
    assert me[1] < fl[1] and mn[1] < tx[1] and wa[1] < ca[1]  # north is up
    assert wa[1] < mn[1] < tx[1]


def test_paths_keep_the_projected_area(states, state_doc):
    """Rounding to tenths of a pixel changes no state's area by more than 1 %."""
    projected = projection.project(states.geometry.values, states["state_fips"].values)
    for fips, geom in zip(states["state_fips"], projected, strict=True):
        d = state_doc["d"][state_doc["ids"].index(fips)]
        assert area(d) == pytest.approx(geom.area, rel=0.01), fips


def test_counties_tile_their_state(counties, county_doc, state_doc):
    """Shared borders round the same way on both sides: a state's counties add up to it
    (within 1 %: rounding drops a few specks of Alaskan islands from the county shapes)."""
    d = dict(zip(county_doc["ids"], county_doc["d"], strict=True))
    for fips in ("06", "12", "48", "51", "02", "15"):
        inside = [area(d[c]) for c in counties.loc[counties["state_fips"] == fips, "county_fips"]
                  if c in d]
        state = area(state_doc["d"][state_doc["ids"].index(fips)])
        assert sum(inside) == pytest.approx(state, rel=0.01), fips


def test_small_places_are_still_drawn(county_doc):
    d = dict(zip(county_doc["ids"], county_doc["d"], strict=True))
    for fips in ("11001", "51510", "51600", "51678", "36061", "15005"):
        assert area(d[fips]) > 0, fips


def test_national_county_shapes_are_small(county_doc, state_doc):
    """What a first visit fetches for the county map (the plotly figure was 1.016 MB)."""
    county = len(json.dumps(county_doc, separators=(",", ":")))
    state = len(json.dumps(state_doc, separators=(",", ":")))
    assert county < 300_000 and state < 60_000, (county, state)


def test_output_is_deterministic(counties, county_doc):
    again = projection.shapes_document(counties["county_fips"].tolist(),
                                       counties.geometry.values, counties["state_fips"].values)
    assert again == county_doc
