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
    # 287(g): growth, new, no longer listed, states; ICE detention: by type, states; state laws
    charts = at.get("plotly_chart")
    assert len(charts) == 7 and "trend_detainer_law" in [c.key for c in charts]
    table = at.dataframe[0].value
    sheets = default_store().current().table("sheets").query("list == 'participating'")
    assert len(table) == len(sheets)
    latest = table.iloc[-1].drop("month").sum()
    assert latest == int(sheets.sort_values("month")["agreements"].iloc[-1])


def test_a_state_trend_on_request_from_the_url():
    at = open_trends(state="12")
    assert not at.exception
    assert len(at.get("plotly_chart")) == 8
    at.selectbox(key="state").set_value("48").run()
    assert at.query_params["state"] in ("48", ["48"])


def test_new_and_ended_charts_count_no_rename():
    """August 2025: Waukesha's and Lexington's sheriffs were renamed on ICE's list; the charts
    count neither as new nor as ended."""
    import json

    from coopmap.ui import queries

    release = default_store().current()
    at = open_trends()
    charts = {json.loads(c.proto.spec)["layout"]["title"]["text"].replace("<br>", " "):
              json.loads(c.proto.spec) for c in at.get("plotly_chart")}
    ended = next(v for k, v in charts.items() if "no longer listed" in k)
    new = next(v for k, v in charts.items() if k.startswith("New"))

    def august(fig):
        return sum(y for trace in fig["data"] for x, y in zip(trace["x"], trace["y"],
                                                              strict=True) if x == "2025-08")
    want_new = queries.new_by_month(release).query("month == '2025-08'")["agreements"].sum()
    want_ended = queries.ended_by_month(release).query("month == '2025-08'")["agreements"].sum()
    assert august(new) == want_new and august(ended) == want_ended
    a = release.table("agreements")
    first_aug = a[a["first_listed"] == "2025-08"]["agency"]
    assert not first_aug.str.contains("Waukesha|Lexington County Sheriff").any()


def test_territories_are_ranked_with_the_states():
    import json

    at = open_trends()
    assert not at.exception
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    ranked = next(s for s in specs if "States by" in s["layout"]["title"]["text"])
    labels = [y for trace in ranked["data"] for y in trace["y"]]
    assert "Northern Mariana Islands" in labels and "Guam" in labels


def test_detainer_law_chart_counts_the_checks_of_the_readings_its_bars_count():
    """The source line's "N of M detainer readings" counts the readings in effect in some month
    of the chart, not undated or later ones, which are in no bar."""
    import json

    from coopmap import law_readings, postures
    from coopmap.ui import queries

    release = default_store().current()
    months = postures.months(release)
    used = queries.detainer_law_readings(release, months)
    readings = release.table("law_readings")
    undated = law_readings.undated(readings)
    assert not set(used.index) & set(undated.index)
    for r in used.itertuples():
        assert any(r.Index in law_readings.in_effect(readings, m).index for m in months)
    at = open_trends()
    chart = next(c for c in at.get("plotly_chart") if c.key == "trend_detainer_law")
    source = " ".join(a["text"] for a in json.loads(chart.proto.spec)["layout"]["annotations"])
    checked = int((used["check_status"] == "checked_text").sum())
    assert f"({checked} of {len(used)} detainer readings checked" in source.replace("<br>", " ")
