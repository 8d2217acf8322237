"""Journeys as people take them, in real Chromium at 1280 px and on a 390 px phone: find a
county by "City, ST", a misspelt name or a ZIP code; change the month; go back and forward;
open Compare and a profile from it; copy the link and open it in a fresh browser.

Screenshots go to test-artifacts/journey-*.png; look at them."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from conftest import _block_outside

pytestmark = pytest.mark.browser

SIZES = {
    "laptop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True,
              "device_scale_factor": 2},
}


@pytest.fixture(params=list(SIZES))
def visitor(request, browser):
    context = browser.new_context(**SIZES[request.param])
    context.route("**/*", _block_outside)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.size_name = request.param
    yield page
    context.close()
    assert not errors, errors


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def wait_for_url(page, key: str, value: str, timeout: int = 30000) -> None:
    page.wait_for_function(
        f"new URLSearchParams(location.search).get({key!r}) === {value!r}", timeout=timeout)


def heading(page, text: str) -> None:
    page.get_by_role("heading", level=2).filter(has_text=text).first.wait_for(timeout=30000)


def search(page, text: str, key: str = "map_search") -> None:
    box = page.locator(f".st-key-{key} input")
    box.wait_for(timeout=30000)
    box.click()
    box.fill(text)
    box.press("Enter")


def no_traceback(page) -> None:
    assert page.get_by_test_id("stException").count() == 0


@pytest.mark.parametrize(("text", "first", "fips", "county"), [
    ("Austin, TX", "Austin, TX — Travis County", "48453", "Travis County, TX"),
    ("Houston, TX", "Houston, TX — Harris County", "48201", "Harris County, TX"),
    ("Jackson, MS", "Jackson, MS — Hinds County", "28049", "Hinds County, MS"),
    ("Boise, ID", "Boise, ID — Ada County", "16001", "Ada County, ID"),
    ("Hillsborugh", "Hillsborough County, FL", "12057", "Hillsborough County, FL"),
])
def test_a_city_or_misspelt_name_reaches_the_right_county(server, visitor, artifacts, text,
                                                          first, fips, county):
    visitor.goto(server + "/")
    search(visitor, text)
    button = visitor.locator(f".st-key-map_search_pick_{fips} button")
    button.wait_for(timeout=30000)
    # The likeliest place is the first choice, and says what it is.
    first_button = visitor.locator("[class*='st-key-map_search_pick_'] button").first
    assert first_button.inner_text().strip().startswith(first)
    slug = re.sub(r"\W+", "-", text.lower()).strip("-")
    visitor.screenshot(path=artifacts / f"journey-search-{slug}-{visitor.size_name}.png")
    button.click()
    wait_for_url(visitor, "place", fips)
    heading(visitor, county)
    no_traceback(visitor)


@pytest.mark.parametrize(("text", "fips", "county"), [
    ("Nashville, TN", "47037", "Davidson County, TN"),
    ("Harris County, TX", "48201", "Harris County, TX"),
    ("Prince George’s County, MD", "24033", "Prince George's County, MD"),
    ("33602", "12057", "Hillsborough County, FL"),
])
def test_one_place_opens_in_one_step(server, visitor, text, fips, county):
    visitor.goto(server + "/")
    search(visitor, text)
    wait_for_url(visitor, "place", fips)
    heading(visitor, county)
    visitor.wait_for_function(f"document.title === {county + ' — coopmap'!r}", timeout=30000)


def test_month_survives_a_click_back_and_forward(server, visitor, artifacts):
    visitor.goto(server + "/?states=48&month=2025-06")
    visitor.wait_for_function(
        "document.querySelectorAll('svg.cm-map path.cm-area').length >= 200", timeout=60000)
    # Open a profile from the map as the visitor would (on a phone: tap, then "Open profile").
    visitor.locator("svg.cm-map").first.scroll_into_view_if_needed()
    visitor.wait_for_timeout(300)
    spot = visitor.evaluate("""() => {
        const p = [...document.querySelectorAll('svg.cm-map path.cm-area')]
            .sort((a, b) => b.getBoundingClientRect().width - a.getBoundingClientRect().width)[0];
        const r = p.getBoundingClientRect();
        for (let i = 1; i < 12; i++) for (let j = 1; j < 12; j++) {
            const x = r.x + r.width * i / 12, y = r.y + r.height * j / 12;
            if (document.elementFromPoint(x, y) === p) return {x, y, id: p.dataset.id};
        }
        return null;
    }""")
    assert spot is not None and spot["id"].startswith("48"), spot
    if visitor.size_name == "phone":
        visitor.touchscreen.tap(spot["x"], spot["y"])
        card = visitor.locator(".cm-root .cm-card")
        card.wait_for(state="visible", timeout=10000)
        assert ", TX" in card.inner_text()
        visitor.screenshot(path=artifacts / "journey-tap-card-phone.png")
        assert "place=" not in visitor.url  # a tap shows the card; it does not navigate
        card.get_by_role("button", name=re.compile("Open profile")).click()
    else:
        visitor.mouse.click(spot["x"], spot["y"])
    wait_for_url(visitor, "place", spot["id"])
    heading(visitor, ", TX")
    assert query(visitor)["month"] == ["2025-06"]
    visitor.screenshot(path=artifacts / f"journey-profile-{visitor.size_name}.png")
    visitor.go_back()
    visitor.wait_for_function("!new URLSearchParams(location.search).get('place')",
                              timeout=30000)
    wait_for_url(visitor, "month", "2025-06")
    # The slider shows the month the URL names (not January 2021, not the newest).
    visitor.wait_for_function(
        "(document.querySelector('.st-key-month') || {}).innerText?.includes('June 2025')",
        timeout=30000)
    wait_for_url(visitor, "states", "48")  # the map's own filter comes back too
    visitor.go_forward()
    wait_for_url(visitor, "place", spot["id"])
    heading(visitor, ", TX")
    assert query(visitor)["month"] == ["2025-06"]
    no_traceback(visitor)


def test_compare_then_a_profile_keeps_the_month(server, visitor, artifacts):
    visitor.goto(server + "/compare?places=48201&places=12086&month=2024-03")
    link = visitor.locator("a[href*='place=48201']").first
    link.wait_for(timeout=30000)
    visitor.screenshot(path=artifacts / f"journey-compare-{visitor.size_name}.png",
                       full_page=True)
    link.click()
    wait_for_url(visitor, "place", "48201")
    heading(visitor, "Harris County, TX")
    assert query(visitor)["month"] == ["2024-03"]


def test_compare_enter_adds_the_typed_place_only(server, visitor):
    """"Harris County, TX" also matches Harrison County, TX: Enter adds Harris only."""
    visitor.goto(server + "/compare")
    box = visitor.locator(".st-key-places input")
    box.wait_for(timeout=30000)
    for text, fips in (("Harris County, TX", "48201"), ("Texas", "48")):
        box.click()
        box.fill(text)
        visitor.get_by_role("option").first.wait_for(timeout=10000)
        box.press("Enter")
        visitor.wait_for_function(
            f"new URLSearchParams(location.search).getAll('places').includes({fips!r})",
            timeout=30000)
    assert query(visitor)["places"] == ["48201", "48"]


def test_compare_is_one_table_without_sideways_scrolling(server, visitor, artifacts):
    visitor.goto(server + "/compare?places=12071&places=12086&places=48&places=36061")
    table = visitor.locator(".st-key-compare_table table")
    table.wait_for(timeout=30000)
    # The page's style sheet (st.html) is applied a moment after the table is drawn.
    visitor.wait_for_function("[...document.querySelectorAll('style')].some("
                              "s => s.textContent.includes('.st-key-compare_table'))")
    box = visitor.evaluate("""() => {
        const t = document.querySelector('.st-key-compare_table table');
        const rows = [...t.querySelectorAll('tbody tr')].map(r =>
            [...r.children].slice(1).map(c => Math.round(c.getBoundingClientRect().x)));
        return {scroll: t.scrollWidth, width: t.parentElement.clientWidth,
                page: document.documentElement.clientWidth, height: t.offsetHeight, rows};
    }""")
    assert box["scroll"] <= box["width"] <= box["page"], box
    # Each place keeps its column on every row (the rows line up).
    assert len({tuple(r) for r in box["rows"]}) == 1, box["rows"]
    if visitor.size_name == "phone":
        assert box["height"] < 2500, box  # four stacked cards were about 5,000 px
    visitor.set_viewport_size({"width": SIZES[visitor.size_name]["viewport"]["width"],
                               "height": box["height"] + 900})
    visitor.screenshot(path=artifacts / f"journey-compare-table-{visitor.size_name}.png")


def test_a_copied_link_shows_the_same_numbers_in_a_fresh_browser(server, visitor, browser):
    visitor.goto(server + "/?month=2025-01&states=12")
    visitor.get_by_test_id("stMetricValue").first.wait_for(timeout=30000)
    wait_for_url(visitor, "release", query(visitor).get("release", ["?"])[0])
    numbers = visitor.get_by_test_id("stMetricValue").all_inner_texts()
    link = visitor.locator("a[href*='release=']").last
    href = link.get_attribute("href")
    assert "month=2025-01" in href and "release=" in href and "states=12" in href
    fresh = browser.new_context(**SIZES[visitor.size_name])
    fresh.route("**/*", _block_outside)
    try:
        page = fresh.new_page()
        page.goto(href)
        page.get_by_test_id("stMetricValue").first.wait_for(timeout=30000)
        assert page.get_by_test_id("stMetricValue").all_inner_texts() == numbers
        assert parse_qs(urlparse(page.url).query) == parse_qs(urlparse(href).query)
    finally:
        fresh.close()


def test_a_bad_link_says_what_was_ignored(server, visitor):
    visitor.goto(server + "/profile?place=99999&month=2099-01")
    alert = visitor.get_by_test_id("stAlertContentWarning").first
    alert.wait_for(timeout=30000)
    assert "place=99999" in alert.inner_text() and "month=2099-01" in alert.inner_text()


def test_the_profile_timeline_and_tables_read_on_a_phone(server, visitor, artifacts):
    """The timeline's bars take the width (not a sliver beside the names), its title and
    source line stay inside it; the agreements table shows agency and model without swiping."""
    visitor.goto(server + "/profile?place=12071")
    chart = visitor.locator(".st-key-profile_timeline")
    chart.locator(".nsewdrag").first.wait_for(timeout=60000)
    box = chart.evaluate("""c => {
        const r = e => e.getBoundingClientRect();
        const texts = [...c.querySelectorAll('.gtitle, .annotation-text')].map(r);
        return {chart: r(c), plot: r(c.querySelector('.nsewdrag')),
                right: Math.max(...texts.map(t => t.right)),
                left: Math.min(...texts.map(t => t.left)),
                names: [...c.querySelectorAll('.annotation-text')].length};
    }""")
    assert box["plot"]["width"] > 0.9 * box["chart"]["width"], box
    assert box["chart"]["left"] <= box["left"] and box["right"] <= box["chart"]["right"], box
    assert box["names"] >= 10  # Lee County's ten agreements, each named, and the source
    if visitor.size_name == "phone":
        chart.evaluate("c => c.scrollIntoView({block: 'start'})")
        visitor.wait_for_timeout(500)
        visitor.screenshot(path=artifacts / "journey-profile-timeline-phone.png")
    grid = visitor.get_by_test_id("stDataFrame").first
    assert grid.bounding_box()["width"] <= SIZES[visitor.size_name]["viewport"]["width"]
