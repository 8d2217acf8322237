"""AppTest of the trends page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from coopmap.store import default_store

pytestmark = pytest.mark.usefixtures("fresh_cache")
APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")


def open_trends(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page("app_pages/trends.py")
    return at.run()


def test_national_charts_and_the_numbers_behind_them():
    at = open_trends()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 3
    table = at.dataframe[0].value
    sheets = default_store().current().table("sheets").query("list == 'participating'")
    assert len(table) == len(sheets)
    latest = table.iloc[-1].drop("month").sum()
    assert latest == int(sheets.sort_values("month")["agreements"].iloc[-1])


def test_a_state_trend_on_request_from_the_url():
    at = open_trends(state="12")
    assert not at.exception
    assert len(at.get("plotly_chart")) == 4
    at.selectbox(key="state").set_value("48").run()
    assert at.query_params["state"] in ("48", ["48"])
