"""coopmap in Spanish in a real browser: a Spanish browser's first visit opens in Spanish, an
English one on the same server at the same moment in English; the Spanish profile and map image
at laptop and phone width (screenshots in test-artifacts/: look at them)."""

from __future__ import annotations

import struct
from urllib.parse import parse_qs, urlparse

import pytest
from conftest import _block_outside
from test_browser_dashboard import wait_for_map

from coopmap import text
from coopmap.text_es import ES

pytestmark = pytest.mark.browser


def visitor(browser, locale: str, width: int = 1280, height: int = 900):
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale,
                                  accept_downloads=True)
    context.route("**/*", _block_outside)
    return context, context.new_page()


def lang_of(page) -> str:
    return parse_qs(urlparse(page.url).query).get("lang", [""])[0]


def test_two_visitors_at_once_each_in_their_browser_language(server, browser):
    """One server, two sessions whose runs overlap: a Spanish browser and an English one."""
    (ctx_es, es), (ctx_en, en) = visitor(browser, "es-MX"), visitor(browser, "en-US")
    try:
        for month in ("2025-01", "2024-06", "2026-05"):
            # Both navigations are sent before either is awaited: the server runs them together.
            es.goto(f"{server}/?month={month}", wait_until="commit")
            en.goto(f"{server}/?month={month}", wait_until="commit")
            for page, catalogue, lang in ((es, ES, "es"), (en, text.EN, "en")):
                wait_for_map(page, 3000)
                page.get_by_role("heading", name=catalogue["app.title"]).wait_for(timeout=30000)
                page.wait_for_function(f"location.search.includes('lang={lang}')",
                                       timeout=30000)
                title = page.locator("svg.cm-svg text.cm-title").first.text_content()
                assert title.startswith(catalogue["layer.model"]), (lang, title)
                assert lang_of(page) == lang
        # The Spanish visitor switches to English; the English visitor stays English.
        es.get_by_text("English", exact=True).click()
        es.wait_for_function("location.search.includes('lang=en')", timeout=30000)
        en.reload()
        en.wait_for_function("location.search.includes('lang=en')", timeout=30000)
        wait_for_map(en, 3000)
        assert text.EN["app.title"] in en.locator("h3").first.inner_text()
    finally:
        ctx_es.close()
        ctx_en.close()


def _png_size(path) -> tuple[int, int]:
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def _overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("width", [1280, 390])
def test_a_spanish_profile_reads_in_spanish_and_fits(server, browser, artifacts, width):
    context, page = visitor(browser, "es-MX", width=width, height=900)
    try:
        page.goto(f"{server}/profile?place=48201&month=2026-05")
        page.get_by_role("heading", name=ES["profile.section.state_law"]).wait_for(
            timeout=60000)
        wait_for_map(page, 200)
        page.wait_for_timeout(1500)
        assert lang_of(page) == "es"
        body = page.locator("body").inner_text()
        for msg in ("profile.section.agreements", "profile.section.policies",
                    "profile.section.timeline"):
            assert ES[msg] in body, msg
        assert "mayo de 2026" in body
        assert "Español" in body and "English" in body  # the switch
        # Streamlit scrolls inside its own container: a tall window shows the whole page.
        page.set_viewport_size({"width": width, "height": 5200})
        page.wait_for_timeout(2500)
        page.screenshot(path=artifacts / f"es-profile-{width}.png")
        assert _overflow(page) <= 1, "long Spanish words must not widen the phone page"
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_a_spanish_map_image_downloads_with_spanish_words(server, browser, artifacts, width):
    context, page = visitor(browser, "es-US", width=width, height=900)
    try:
        page.goto(f"{server}/?layer=detainer_holds&level=state&month=2026-05")
        wait_for_map(page, 40)
        root = page.locator(".cm-root").first
        title = " ".join(t.strip() for t in root.locator("text.cm-title").all_text_contents())
        assert ES["layer.detainer_holds"] in title
        legend = root.locator("g.cm-legend").first.text_content()
        assert "Se desconoce" in legend
        button = root.locator("button.cm-button").filter(
            has_text=ES["image.download"].format(size=ES["image.landscape"]))
        assert button.count() == 1
        with page.expect_download(timeout=60000) as info:
            button.click()
        target = artifacts / f"es-map-image-{width}.png"
        info.value.save_as(target)
        assert _png_size(target) == (2400, 1350)  # the preset, whatever the window
        page.set_viewport_size({"width": width, "height": 2600})
        page.wait_for_timeout(2000)
        page.screenshot(path=artifacts / f"es-map-{width}.png")
        assert _overflow(page) <= 1
    finally:
        context.close()


def test_the_chart_toolbar_speaks_spanish(server, browser):
    """Plotly's own tooltips come from the Spanish locale coopmap passes in the chart config."""
    from coopmap.text_es import PLOTLY

    context, page = visitor(browser, "es-MX")
    try:
        page.goto(f"{server}/trends")
        page.wait_for_selector(".modebar-btn", state="attached", timeout=60000)
        titles = set(page.eval_on_selector_all(
            ".modebar-btn", "els => els.map(e => e.getAttribute('data-title'))"))
        assert PLOTLY["Reset axes"] in titles and PLOTLY["Download plot as a PNG"] in titles
        assert not titles & {"Reset axes", "Autoscale", "Pan", "Zoom in"}
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_about_sources_show_each_publisher_whole_on_a_phone(server, browser, artifacts, lang):
    """The sources were a table whose publisher column a 390 px screen cut mid-word."""
    from coopmap import text_es

    terms = text_es.SOURCE_TERMS if lang == "es" else text.SOURCE_TERMS
    context, page = visitor(browser, "es-MX" if lang == "es" else "en-US", width=390, height=844)
    try:
        page.goto(f"{server}/about?lang={lang}")
        publisher = terms["ice_287g"][0]
        strong = page.locator("strong", has_text=publisher).first
        strong.wait_for(timeout=60000)
        for folder in ("ice_287g", "ice_detention", "population", "state_laws"):
            box = page.locator("strong", has_text=terms[folder][0]).first
            box.scroll_into_view_if_needed()
            shown = box.evaluate("e => { const r = e.getBoundingClientRect();"
                                 " return [r.left, r.right, e.innerText]; }")
            assert shown[0] >= 0 and shown[1] <= 390, (folder, shown)
            assert shown[2].strip() == terms[folder][0]
        page.set_viewport_size({"width": 390, "height": 9000})
        page.wait_for_timeout(1500)
        page.screenshot(path=artifacts / f"about-sources-{lang}-390.png")
        assert _overflow(page) <= 1
    finally:
        context.close()
