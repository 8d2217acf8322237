"""Trends' charts read on a 390 px phone and a laptop, in English and Spanish: every title,
subtitle, legend and source line stays inside its chart, the title clear of plotly's tool
buttons, and the source line clear of the legend and the axis title above it.

Screenshots go to test-artifacts/trends-chart-*.png; look at them."""

from __future__ import annotations

import pytest
from conftest import _block_outside

pytestmark = pytest.mark.browser

CHARTS = ["trend_growth", "trend_new", "trend_ended", "trend_states", "trend_detention",
          "trend_detention_states", "trend_detainer_law"]
SIZES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True},
    "laptop": {"viewport": {"width": 1280, "height": 800}},
}

# Boxes (CSS px) of one chart's parts: the chart, its title, subtitle, the source line (the
# last annotation), the legend, the x-axis title and the tool buttons.
BOXES = """c => {
    const r = e => { if (!e) return null; const b = e.getBoundingClientRect();
                     return {left: b.left, right: b.right, top: b.top, bottom: b.bottom}; };
    const notes = [...c.querySelectorAll('.annotation-text')];
    const buttons = [...c.querySelectorAll('.modebar-btn')].map(r)
        .filter(b => b.right > b.left);
    return {chart: r(c.querySelector('.main-svg')), title: r(c.querySelector('.gtitle')),
            subtitle: r(c.querySelector('.gtitle-subtitle')),
            source: r(notes[notes.length - 1]), legend: r(c.querySelector('.legend')),
            xtitle: r(c.querySelector('.xtitle')), buttons};
}"""


def overlap(a, b) -> bool:
    return bool(a and b) and a["left"] < b["right"] and b["left"] < a["right"] \
        and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def inside(part, chart) -> bool:
    return part["left"] >= chart["left"] - 1 and part["right"] <= chart["right"] + 1 \
        and part["top"] >= chart["top"] - 1 and part["bottom"] <= chart["bottom"] + 1


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("size", list(SIZES))
def test_trends_charts_keep_their_text_inside_and_apart(server, browser, artifacts, size, lang):
    context = browser.new_context(**SIZES[size])
    context.route("**/*", _block_outside)
    try:
        page = context.new_page()
        page.goto(server + f"/trends?lang={lang}")
        for key in CHARTS:
            chart = page.locator(f".st-key-{key}")
            chart.locator(".nsewdrag").first.wait_for(timeout=60000)
            chart.evaluate("c => c.scrollIntoView({block: 'start'})")
            page.wait_for_timeout(300)
            chart.hover()  # plotly shows its tool buttons on hover
            page.wait_for_timeout(300)
            box = chart.evaluate(BOXES)
            where = (key, size, lang, box)
            for part in ("title", "subtitle", "source"):
                assert box[part] and inside(box[part], box["chart"]), (part, where)
            assert not any(overlap(box["title"], b) for b in box["buttons"]), where
            assert not overlap(box["source"], box["legend"]), where
            assert not overlap(box["source"], box["xtitle"]), where
            if box["legend"]:
                assert inside(box["legend"], box["chart"]), where
            if key in ("trend_detention", "trend_detention_states"):
                chart.screenshot(path=artifacts / f"trends-chart-{key}-{size}-{lang}.png")
    finally:
        context.close()


@pytest.mark.parametrize("place", ["37001", "12071"])  # one agreement; Lee County's ten
@pytest.mark.parametrize("size", list(SIZES))
def test_timeline_names_sit_above_their_bars(server, browser, artifacts, size, place):
    """Each agreement's name is written above its bar, never across it (with one agreement the
    bar was thick enough that its name sat on the bar's top edge)."""
    context = browser.new_context(**SIZES[size])
    context.route("**/*", _block_outside)
    try:
        page = context.new_page()
        page.goto(server + f"/profile?place={place}")
        chart = page.locator(".st-key-profile_timeline")
        chart.locator(".nsewdrag").first.wait_for(timeout=60000)
        chart.evaluate("c => c.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(300)
        box = chart.evaluate("""c => {
            const r = e => { const b = e.getBoundingClientRect();
                return {left: b.left, right: b.right, top: b.top, bottom: b.bottom}; };
            return {bars: [...c.querySelectorAll('.bars path')].map(r)
                        .filter(b => b.bottom > b.top),
                    names: [...c.querySelectorAll('.annotation')].map(r)};
        }""")
        assert box["bars"] and box["names"]
        hits = [(n, b) for n in box["names"] for b in box["bars"] if overlap(n, b)]
        assert not hits, (place, size, hits)
        chart.screenshot(path=artifacts / f"timeline-{place}-{size}.png")
    finally:
        context.close()
