"""AppTest of the ICE detention layer, the profile's detention section, Compare, Trends and About
on the real release."""

from __future__ import annotations

from pathlib import Path

import pytest
from map_views import map_views
from streamlit.testing.v1 import AppTest

from coopmap import detention_views, figures, schema, text

pytestmark = pytest.mark.usefixtures("fresh_cache")
APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")


def open_page(page: str, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page)
    return at.run()


def texts(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption]
                     + [i.value for i in at.info])


def plain(markdown: str) -> str:
    return markdown.replace("\\", "")


def test_detention_layer_by_agreement_type(release):
    at = open_page("app_pages/map.py", layer="detention", month="2025-09")
    assert not at.exception
    [view] = map_views(at)
    assert view["title"] == "ICE detention in local jails, by county"
    legend = [label for label, _, _ in view["legend"]]
    assert legend == list(schema.DETENTION_CATEGORIES.values())
    colours = [colour for _, colour, _ in view["legend"]]
    assert len(set(colours)) == len(colours)  # every category its own colour
    assert "Deportation Data Project" in view["source"]
    rows = {r[0]: r for r in view["rows"]}
    codes = list(schema.DETENTION_CATEGORIES)  # a row carries its legend index
    stored = release.table("detention_county_postures").query("month == '2025-09'").set_index(
        "county_fips")
    assert codes[rows["37001"][1]] == stored.loc["37001", "detention_category"] == "IGSA"
    assert codes[rows["28001"][1]] == "DIGSA"
    hover = rows["37001"][-2]
    assert hover.startswith("IGSA: 1 facility,")
    none = stored[stored["detention_category"] == "none_listed"].index[0]
    assert rows[none][-2] == "No facility listed"


def test_detention_adp_variant_bins_local_adp(release):
    at = open_page("app_pages/map.py", layer="detention_adp", month="2025-09", level="state")
    assert not at.exception
    [view] = map_views(at)
    assert [label for label, _, _ in view["legend"]] == [
        text.t(f"detention_adp.{c}") for c in figures.DETENTION_ADP_COLOURS]
    stored = release.table("detention_state_postures").query("month == '2025-09'").set_index(
        "state_fips")
    rows = {r[0]: r for r in view["rows"]}
    texas = stored.loc["48", "adp_local"]
    assert texas >= 250 and list(figures.DETENTION_ADP_COLOURS)[rows["48"][1]] == "250"


def test_a_month_without_daily_counts_is_no_data_not_none(release):
    at = open_page("app_pages/map.py", layer="detention")  # default month 2026-05
    assert not at.exception
    [view] = map_views(at)
    codes = list(schema.DETENTION_CATEGORIES)
    assert {codes[r[1]] for r in view["rows"]} == {"no_data"}
    assert "October 2022 to March 2026" in texts(at)
    at.button(key="detention_month_go").click().run()
    assert at.session_state["month"] == "2026-03"
    [view] = map_views(at)
    assert "IGSA" in {codes[r[1]] for r in view["rows"]}


def test_profile_shows_each_facility_and_the_voter_sentence(release):
    at = open_page("app_pages/profile.py", place="37001")
    assert not at.exception
    body = plain(texts(at))
    pop = release.table("detention_population")
    fy25 = pop[(pop["facility_code"] == "ALAMCNC") & (pop["fiscal_year"] == 2025)
               & (pop["source_kind"] == "ice_workbook")]
    n = round(float(fy25["adp"].iloc[0]))
    assert (f"The Alamance County jail held on average {n} people for ICE in FY2025 under an "
            "agreement between the county and ICE") in body
    table = next(d.value for d in at.dataframe if "Facility" in d.value.columns)
    assert table["Facility"].tolist() == ["Alamance County Detention Facility"]
    assert table["Type"].iloc[0].startswith("IGSA: a local jail")
    assert table["Period"].iloc[0].startswith("FY")
    assert "workbook" in table["Source"].iloc[0]
    trend = table[text.t("detention.col.trend")].iloc[0]
    assert len(trend) == len(release.table("detention_monthly")["month"].unique())


def test_profile_of_a_county_without_a_facility_says_none_listed():
    at = open_page("app_pages/profile.py", place="56045")  # Weston County, WY
    assert not at.exception
    body = texts(at)
    assert "None listed" in body and "not the same as “no”" in body


def test_compare_has_a_detention_row(release):
    at = open_page("app_pages/compare.py", places=["37001", "28001"], month="2025-09")
    assert not at.exception
    body = plain(texts(at))
    assert "ICE detention in local jails" in body
    assert "IGSA: 1 facility" in body and "DIGSA: 1 facility" in body


def test_trends_detention_charts(release):
    at = open_page("app_pages/trends.py")
    assert not at.exception
    charts = at.get("plotly_chart")
    assert len(charts) == 7  # with the state-law chart
    trend = detention_views.monthly_by_type(release)
    total = trend.groupby("month")["adp"].sum()
    monthly = release.table("detention_monthly").groupby("month")["adp"].sum()
    assert total.round(6).equals(monthly.round(6))
    ranked = detention_views.states_ranked_local(release, "2026-03")
    assert ranked["adp"].is_monotonic_decreasing and ranked["name"].iloc[0] in {
        "Texas", "Louisiana", "Georgia"}


def test_about_glossary_has_the_detention_terms():
    at = open_page("app_pages/about.py")
    assert not at.exception
    body = texts(at)
    for term in ("IGSA", "DIGSA", "USMS IGA", "CDF", "SPC", "ADP"):
        assert f"**{term}" in body
    assert "none listed" in body.lower()


def test_compare_outside_the_daily_counts_shows_their_newest_month_and_says_so(release):
    """At the newest 287(g) month (after the daily counts end) the detention row showed "No
    monthly data for this month" for every place; it shows the newest month of counts, named."""
    at = open_page("app_pages/compare.py", places=["48201", "28001", "48"])
    assert not at.exception
    months = sorted(release.table("detention_monthly")["month"].unique())
    assert at.session_state["month"] > months[-1]
    body = plain(texts(at))
    assert "No monthly data" not in body
    counties = release.table("detention_county_postures").query(f"month == '{months[-1]}'")
    states = release.table("detention_state_postures").query(f"month == '{months[-1]}'")
    for rows, key, fips in ((counties, "county_fips", "48201"), (counties, "county_fips", "28001"),
                            (states, "state_fips", "48")):
        row = rows.set_index(key).loc[fips]
        assert plain(detention_views.posture_words(row)) in body, fips
    shown, newest = (text.month_label(m) for m in (at.session_state["month"], months[-1]))
    assert f"not {shown}; the row shows {newest}" in body


def test_the_profile_names_the_daily_counts_its_month_line_comes_from(release):
    """Alamance's line for March 2026 (no facility in DDP's ten days) said "March 2026: No facility
    listed." right above its facility table with the FY2025 workbook's 24 people a day: the line
    says it is the daily counts'."""
    at = open_page("app_pages/profile.py", place="37001")
    assert not at.exception
    newest = sorted(release.table("detention_monthly")["month"].unique())[-1]
    row = release.table("detention_county_postures").query(
        f"month == '{newest}' and county_fips == '37001'").iloc[0]
    line = (f"Daily detention counts of {text.month_label(newest)} — "
            f"{detention_views.posture_words(row)}.")
    assert line in plain(texts(at))


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_facility_table_shows_facility_people_and_type_on_a_phone(lang):
    """The profile's detention table leads with facility, people held a day and type, which
    together fit the 358 px a 390 px phone leaves for a table (ADP was a swipe away)."""
    import json

    at = open_page("app_pages/profile.py", place="48201", lang=lang)
    assert not at.exception
    with text.in_language(lang):
        key = [text.t(f"detention.col.{c}") for c in ("facility", "adp", "type")]
    grid = next(d for d in at.dataframe if key[0] in d.value.columns)
    assert list(grid.value.columns[:3]) == key
    widths = json.loads(grid.proto.columns)
    assert sum(widths[k]["width"] for k in key) <= 358
