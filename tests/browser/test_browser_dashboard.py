"""What only a real browser shows: the map draws offline, a click opens a profile, a shared link
reproduces the view, the image download has the preset size, the phone layout fits.

Screenshots go to test-artifacts/; look at them."""

from __future__ import annotations

import struct
from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = pytest.mark.browser

MAP_PATHS = "path.choroplethlocation"
PHONE_WIDTH = 390


def wait_for_map(page, minimum: int = 1, timeout: int = 60000) -> int:
    page.wait_for_function(
        f"document.querySelectorAll('{MAP_PATHS}').length >= {minimum}", timeout=timeout)
    return page.locator(MAP_PATHS).count()


def test_national_county_map_draws_with_the_network_blocked(server, laptop, artifacts):
    blocked: list[str] = []
    laptop.on("requestfailed", lambda r: blocked.append(r.url))
    laptop.goto(server + "/")
    assert wait_for_map(laptop, 3000) > 3000
    # The base map came from the app, never from plotly's CDN.
    assert not [u for u in blocked if "plot.ly" in u or "topojson" in u]
    laptop.wait_for_timeout(500)
    laptop.screenshot(path=artifacts / "map-laptop.png")
    laptop.get_by_test_id("stPlotlyChart").first.screenshot(path=artifacts / "map-chart.png")


def test_clicking_a_county_opens_its_profile(server, laptop, artifacts):
    laptop.goto(server + "/?states=48")  # Texas: big counties, easy to hit
    wait_for_map(laptop, 200)
    laptop.wait_for_timeout(800)
    # Click the centre of the largest drawn county (after scrolling the map into view).
    laptop.get_by_test_id("stPlotlyChart").first.scroll_into_view_if_needed()
    laptop.wait_for_timeout(300)
    box = laptop.evaluate(
        """() => {
            let best = null;
            for (const p of document.querySelectorAll('path.choroplethlocation')) {
                const r = p.getBoundingClientRect();
                if (!best || r.width * r.height > best.w * best.h)
                    best = {x: r.x + r.width / 2, y: r.y + r.height / 2, w: r.width, h: r.height};
            }
            return best;
        }"""
    )
    laptop.mouse.move(box["x"], box["y"])
    laptop.mouse.click(box["x"], box["y"])
    # st.switch_page changes the URL without a page load: wait for the address itself.
    laptop.wait_for_function("/\\/profile\\?place=48\\d{3}/.test(location.href)",
                             timeout=30000)
    place = parse_qs(urlparse(laptop.url).query)["place"][0]
    heading = laptop.get_by_role("heading", level=2).filter(has_text=", TX").first
    heading.wait_for(timeout=30000)
    assert place.startswith("48") and len(place) == 5
    laptop.screenshot(path=artifacts / "profile-after-click.png")


def test_a_shared_url_reproduces_the_view(server, laptop, artifacts):
    laptop.goto(server + "/?level=state&layer=stance&month=2025-05&states=12&states=13")
    assert wait_for_map(laptop) == 2  # Florida and Georgia only
    chart = laptop.get_by_test_id("stPlotlyChart").first
    title = chart.locator(".gtitle").first.text_content()
    assert title.startswith("State law on cooperation, by state")
    assert "May 2025" in chart.locator(".gtitle-subtitle, .gsubtitle").first.text_content()
    assert "Florida" in chart.text_content() or "Florida" in laptop.content()
    assert laptop.get_by_text("State law on cooperation").first.is_visible()
    # The widgets show the same state (the URL is the source of truth).
    assert "layer=stance" in laptop.url and "states=13" in laptop.url
    # The visible "copy link": a plain link whose text is this view's full URL.
    link = laptop.locator("a[href*='layer=stance']").last
    link.scroll_into_view_if_needed()
    assert link.is_visible()
    assert parse_qs(urlparse(link.get_attribute("href")).query) == parse_qs(
        urlparse(laptop.url).query)
    assert link.text_content().startswith("http") and "states=13" in link.text_content()
    assert laptop.get_by_test_id("stCode").count() == 0  # no syntax highlighter to load
    laptop.screenshot(path=artifacts / "shared-url.png")


def _png_size(path) -> tuple[int, int]:
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


@pytest.mark.parametrize(("preset", "size"), [("landscape", (2400, 1350)),
                                               ("square", (2160, 2160))])
def test_image_download_is_a_png_of_the_preset_size(server, laptop, artifacts, preset, size):
    laptop.goto(server + f"/?image={preset}" if preset != "landscape" else server + "/")
    wait_for_map(laptop, 3000)
    chart = laptop.get_by_test_id("stPlotlyChart").first
    chart.hover()
    button = chart.locator('.modebar-btn[data-title*="PNG" i]').first
    with laptop.expect_download(timeout=60000) as info:
        button.click()
    target = artifacts / f"download-{preset}.png"
    info.value.save_as(target)
    assert _png_size(target) == size


def test_phone_layout_fits_390_px(server, phone, artifacts):
    phone.goto(server + "/")
    wait_for_map(phone, 3000)
    phone.wait_for_timeout(500)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH
    chart = phone.get_by_test_id("stPlotlyChart").first
    assert chart.bounding_box()["width"] <= PHONE_WIDTH
    phone.screenshot(path=artifacts / "map-phone.png")
    chart.screenshot(path=artifacts / "map-phone-chart.png")
    phone.goto(server + "/profile?place=12071")
    phone.get_by_text("Lee County, FL").first.wait_for(timeout=30000)
    wait_for_map(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    phone.screenshot(path=artifacts / "profile-phone.png")
