"""The map zooms and pans: the + / − / reset buttons, a drag, a two-finger pinch, and the keys
(+ − arrows 0) with the map focused; a drag or a pinch opens no profile.

Screenshot: test-artifacts/map-zoomed.png; look at it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

AREAS = "svg.cm-map path.cm-area"


def view(page) -> dict:
    """The zoom factor the map reports and its inner viewBox [x, y, w, h]."""
    return page.evaluate("""() => {
        const root = document.querySelector('.cm-root');
        const box = root.querySelector('svg.cm-map').getAttribute('viewBox');
        return {k: Number(root.dataset.zoom || 1), box: box.split(' ').map(Number),
                reset: root.querySelector('.cm-zoom-reset').disabled};
    }""")


def pinch(page, spread: float) -> None:
    """Two pointers on the map's centre moving apart by ``spread`` px each (as fingers do)."""
    page.evaluate("""(spread) => {
        // The outer picture's box (the zoomed inner map reports the box of its content).
        const map = document.querySelector('.cm-root svg.cm-map');
        const r = document.querySelector('.cm-root svg.cm-svg').getBoundingClientRect();
        const cx = r.x + r.width / 2, cy = r.y + r.height / 2;
        const send = (type, id, x) => map.dispatchEvent(new PointerEvent(type, {
            pointerId: id, pointerType: 'touch', clientX: x, clientY: cy, bubbles: true}));
        send('pointerdown', 11, cx - 20); send('pointerdown', 12, cx + 20);
        for (let s = 1; s <= 4; s++) {
            send('pointermove', 11, cx - 20 - spread * s / 4);
            send('pointermove', 12, cx + 20 + spread * s / 4);
        }
        send('pointerup', 11, cx - 20 - spread); send('pointerup', 12, cx + 20 + spread);
    }""", spread)


def test_the_map_zooms_and_pans_by_button_drag_pinch_and_keys(server, laptop, artifacts):
    laptop.goto(server + "/")
    laptop.wait_for_function(f"document.querySelectorAll('{AREAS}').length >= 3000",
                             timeout=60000)
    start = view(laptop)
    assert start["k"] == 1 and start["reset"]  # nothing to reset yet

    laptop.locator(".cm-root .cm-zoom-in").first.click()
    zoomed = view(laptop)
    assert zoomed["k"] == 2 and not zoomed["reset"]
    assert zoomed["box"][2] == pytest.approx(start["box"][2] / 2)  # half as wide: twice as near

    # A drag moves the view and opens nothing.
    picture = laptop.locator(".cm-root svg.cm-svg").first
    picture.scroll_into_view_if_needed()
    box = picture.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    laptop.mouse.move(x, y)
    laptop.mouse.down()
    laptop.mouse.move(x + 60, y + 30, steps=6)
    laptop.mouse.up()
    panned = view(laptop)
    assert panned["box"][0] < zoomed["box"][0] and panned["box"][1] < zoomed["box"][1]
    laptop.wait_for_timeout(500)
    assert "place=" not in laptop.url

    laptop.locator(".cm-root .cm-zoom-out").first.click()
    assert view(laptop)["k"] == 1
    pinch(laptop, 60)  # fingers 40 px apart end 160 px apart: four times as near
    pinched = view(laptop)
    assert pinched["k"] > 2
    laptop.wait_for_timeout(500)
    assert "place=" not in laptop.url
    laptop.screenshot(path=artifacts / "map-zoomed.png")

    laptop.locator(".cm-root .cm-zoom-reset").first.click()
    assert view(laptop)["k"] == 1

    figure = laptop.locator(".cm-root .cm-figure").first
    figure.focus()
    laptop.keyboard.press("+")
    laptop.keyboard.press("+")
    keyed = view(laptop)
    assert keyed["k"] == 4
    laptop.keyboard.press("ArrowRight")
    assert view(laptop)["box"][0] > keyed["box"][0]  # the view moves east
    laptop.keyboard.press("-")
    assert view(laptop)["k"] == 2
    laptop.keyboard.press("0")
    assert view(laptop) == start
