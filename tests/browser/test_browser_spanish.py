"""coopmap in Spanish in a real browser: a Spanish browser's first visit opens in Spanish, an
English one on the same server at the same moment in English; the Spanish profile and map image
at laptop and phone width (screenshots in test-artifacts/: look at them)."""

from __future__ import annotations

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
