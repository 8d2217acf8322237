"""AppTest of the compare page: places side by side, two map panels, URL state."""

from __future__ import annotations

from pathlib import Path

import pytest
from map_views import map_views
from streamlit.testing.v1 import AppTest

from coopmap import postures
from coopmap.store import default_store

pytestmark = pytest.mark.usefixtures("fresh_cache")
APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")
PAGE = "app_pages/compare.py"


def open_compare(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(PAGE)
    return at.run()


def test_places_side_by_side_with_differences_marked():
    at = open_compare(places=["12071", "12086", "48"])
    assert not at.exception
    assert at.multiselect(key="places").value == ["12071", "12086", "48"]
    cards = [m.value for m in at.markdown if m.value.startswith("**")]
    assert cards[:1] == ["**Lee County, FL**"]
    assert sum(1 for m in at.markdown if "differs" in m.value) > 0
    # Two Florida counties share the state law: that row is not marked for them.
    at2 = open_compare(places=["12071", "12086"])
    law_rows = [m.value for m in at2.markdown if m.value.startswith("State law")]
    assert law_rows and all("differs" not in v for v in law_rows)


def test_counts_match_the_postures():
    release = default_store().current()
    month = postures.months(release)[-1]
    n = int(postures.county_postures(release, month).set_index("county_fips")
            .loc["12086", "n_agreements"])
    at = open_compare(places=["12071", "12086"])
    rows = [m.value for m in at.markdown if m.value.startswith("Active 287")]
    assert any(f"**{n}**" in v for v in rows)


def test_fewer_than_two_places_asks_for_more():
    at = open_compare(places=["12071"])
    assert not at.exception
    assert at.info and "at least two" in at.info[0].value


def test_two_map_panels_a_year_apart_by_default():
    release = default_store().current()
    months = postures.months(release)
    at = open_compare(view="maps")
    assert not at.exception
    a, b = map_views(at)
    # Same shapes (one URL, fetched once by the browser), same extent and legend.
    assert a["shapes"] == b["shapes"] and a["outlines"] == b["outlines"]
    assert a["legend"] == b["legend"] and a["focus"] == b["focus"] == []
    assert a["subtitle"] != b["subtitle"] and len(a["rows"]) == len(b["rows"]) == 3142
    assert at.select_slider(key="month_a").value == months[-13]
    assert at.select_slider(key="month_b").value == months[-1]
    at.selectbox(key="layer_b").set_value("stance").run()
    assert at.query_params["layer_b"] in ("stance", ["stance"])
    assert at.query_params["view"] in ("maps", ["maps"])


def test_a_county_whose_city_is_named_says_so_apart_from_its_own_listing():
    """Manhattan (New York County) is not on a federal list itself; New York City is on both."""
    at = open_compare(places=["36061", "06075"])
    assert not at.exception
    text = "\n".join(m.value for m in at.markdown).replace("\\", "")  # markdown escapes
    assert "A city in it is named (DHS and DOJ), not the place itself" in text
    assert "No city in it named" in text  # San Francisco: the county-equivalent city itself
