"""One URL state for the whole app: every page reads and writes its view the same way, keeps
the month and layer when the visitor moves on, and pins the release in its link."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from coopmap import postures

pytestmark = pytest.mark.usefixtures("fresh_cache")
APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")


def url(at: AppTest) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [v] for k, v in at.query_params.items()}


def open_page(page: str, params: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page)
    return at.run()


# Every page, with a view that differs from its defaults in every parameter it has.
VIEWS = {
    "app_pages/map.py": {"level": "state", "layer": "stance", "month": "2025-06",
                         "states": ["12", "48"], "models": ["TFM", "JEM"],
                         "agencies": ["county"]},
    "app_pages/profile.py": {"place": "48201", "month": "2024-03", "layer": "federal"},
    "app_pages/compare.py": {"places": ["48201", "12"], "month": "2023-01"},
    "app_pages/trends.py": {"agencies": ["state_agency"], "state": "48", "month": "2025-01"},
    "app_pages/about.py": {},
}


@pytest.mark.parametrize("page", list(VIEWS))
def test_every_page_writes_back_the_view_it_was_opened_with(page, release):
    params = VIEWS[page]
    at = open_page(page, {"release": release.id, **params})
    assert not at.exception
    assert not at.warning  # nothing ignored
    expected = {"release": [release.id], "lang": ["en"],
                **{k: v if isinstance(v, list) else [v] for k, v in params.items()}}
    assert url(at) == expected
    at.run()  # a rerun without a change keeps it
    assert url(at) == expected


@pytest.mark.parametrize("page", [p for p in VIEWS if p != "app_pages/about.py"])
def test_every_page_pins_the_release_and_month_even_at_defaults(page, release):
    at = open_page(page, {"place": "48201"} if "profile" in page else {})
    assert not at.exception
    assert url(at)["release"] == [release.id]
    assert url(at)["month"] == [postures.months(release)[-1]]


def test_the_menu_keeps_month_and_layer(release):
    at = open_page("app_pages/map.py", {"month": "2025-06", "layer": "stance"})
    # The menu drops the query string; the next page takes the month (and keeps the layer).
    for page in ("app_pages/compare.py", "app_pages/trends.py", "app_pages/map.py"):
        at.query_params.clear()
        at.switch_page(page).run()
        assert not at.exception, page
        assert url(at)["month"] == ["2025-06"], page
        assert url(at)["layer"] == ["stance"], page


def test_a_link_from_outside_wins_over_what_the_session_showed(release):
    at = open_page("app_pages/map.py", {"month": "2025-06"})
    # Back to an earlier entry of the browser's history: its URL names another month.
    at.query_params.clear()
    at.query_params["month"] = "2024-01"
    at.run()
    assert at.select_slider(key="month").value == "2024-01"
    assert url(at)["month"] == ["2024-01"]


def test_compare_profile_links_keep_the_month(release):
    at = open_page("app_pages/compare.py", {"places": ["48201", "12"], "month": "2023-01"})
    links = [e for e in at.get("page_link") if "profile" in str(e.proto.page)]
    assert links
    for link in links:
        assert "month=2023-01" in link.proto.query_string or "2023-01" in str(link.proto)
