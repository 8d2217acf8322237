"""AppTest of the compare page: places side by side, two map panels, URL state."""

from __future__ import annotations

import re
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


def compare_table(at: AppTest) -> dict[str, tuple[list[str], bool]]:
    """The places table as {row name: (cells, marked "differs")}, header row under ""."""
    text = next(m.value for m in at.markdown if m.value.startswith("| |"))
    out = {}
    for line in text.splitlines():
        cells = [re.sub(r"\\(.)", r"\1", c).strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if set(line) <= set("|-"):
            continue
        name, marked = cells[0], ":orange-badge[differs]" in cells[0]
        out[name.replace(" :orange-badge[differs]", "")] = ([c.strip("*") for c in cells[1:]],
                                                            marked)
    return out


def test_places_side_by_side_with_only_meaningful_differences_marked():
    at = open_compare(places=["12071", "12086", "48"])
    assert not at.exception
    assert at.multiselect(key="places").value == ["12071", "12086", "48"]
    table = compare_table(at)
    assert table[""][0] == ["Lee County, FL", "Miami-Dade County, FL", "Texas"]
    # Every row has a cell for every place: the rows line up.
    assert {len(cells) for cells, _ in table.values()} == {3}
    # Who the place is is not a difference; the number of agreements is.
    assert not table["Population (2024)"][1] and not table["State"][1]
    assert table["Active 287(g) agreements"][1]
    # All three require cooperation by state law and honour detainers by it: not marked,
    # although Texas's reading was checked against the law's text and Florida's was not.
    stance, marked = table["State law"]
    assert all(c.startswith("Requires cooperation") for c in stance) and len(set(stance)) > 1
    assert not marked and not table["Detainer holds"][1]
    # A state has no one sheriff; a county no count of counties.
    assert table["Sheriff participates"][0][2] == "—"
    assert table["Counties with an agreement"][0][:2] == ["—", "—"]
    # Two Florida counties share the state law: that row is not marked for them.
    at2 = open_compare(places=["12071", "12086"])
    assert not compare_table(at2)["State law"][1]
    assert "Counties with an agreement" not in compare_table(at2)


def test_states_show_no_county_rows():
    at = open_compare(places=["48", "06"])
    table = compare_table(at)
    assert "Sheriff participates" not in table
    assert table["Counties with an agreement"][1]


def test_each_place_has_its_profile_link():
    at = open_compare(places=["12071", "48"])
    links = [(el.proto.label, el.proto.page) for el in at.get("page_link")]
    assert [label for label, _ in links if label.startswith("Profile: ")] == [
        "Profile: Lee County, FL", "Profile: Texas"]


def test_counts_match_the_postures():
    release = default_store().current()
    month = postures.months(release)[-1]
    n = int(postures.county_postures(release, month).set_index("county_fips")
            .loc["12086", "n_agreements"])
    at = open_compare(places=["12071", "12086"])
    assert compare_table(at)["Active 287(g) agreements"][0][1] == f"{n:,}"


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
