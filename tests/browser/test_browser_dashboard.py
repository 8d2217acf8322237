"""What only a real browser shows: the map draws offline, a click opens a profile, a shared link
reproduces the view, the image download has the preset size and stands on its own, the phone
layout fits.

The map is coopmap's own SVG (coopmap.ui.mapview): ``.cm-root`` holds ``svg.cm-svg`` (title,
subtitle, the nested ``svg.cm-map`` with one ``path.cm-area`` per place, legend, source line),
the ``.cm-tip`` tooltip and the ``button.cm-button`` image downloads.

Screenshots and downloaded images go to test-artifacts/; look at them."""

from __future__ import annotations

import struct
from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = pytest.mark.browser

MAP_AREAS = "svg.cm-map path.cm-area"
PHONE_WIDTH = 390
# For each drawn area (or only the largest, by bounding box): a point inside it, in page
# coordinates. The box's centre if the area is the element there, else the first point of a grid
# over the box that hits it (Florida's centre is in the Gulf, a concave county's in its neighbour).
AREA_POINTS_JS = """(largestOnly) => {
    let areas = [...document.querySelectorAll('svg.cm-map path.cm-area')];
    const size = (p) => { const r = p.getBoundingClientRect(); return r.width * r.height; };
    if (largestOnly) areas = areas.sort((a, b) => size(b) - size(a)).slice(0, 1);
    return areas.map((p) => {
        const r = p.getBoundingClientRect();
        const spots = [[0.5, 0.5]];
        for (let i = 1; i < 12; i++) for (let j = 1; j < 12; j++) spots.push([i / 12, j / 12]);
        for (const [fx, fy] of spots) {
            const x = r.x + r.width * fx, y = r.y + r.height * fy;
            if (document.elementFromPoint(x, y) === p)
                return {x, y, i: Number(p.dataset.i), w: r.width, h: r.height};
        }
        return null;
    });
}"""


# Streamlit's header stays on top while the page scrolls: hidden in element screenshots of a map
# taller than the window, or it covers the map's title.
NO_HEADER = "[data-testid=stHeader] { display: none !important; }"


def map_shot(page, path) -> None:
    page.locator(".cm-root").first.screenshot(path=path, style=NO_HEADER)


def wait_for_map(page, minimum: int = 1, timeout: int = 60000) -> int:
    page.wait_for_function(
        f"document.querySelectorAll('{MAP_AREAS}').length >= {minimum}", timeout=timeout)
    return page.locator(MAP_AREAS).count()


def hover_name(page, x: float, y: float) -> str:
    """The place name the tooltip shows with the mouse at (x, y)."""
    page.mouse.move(x - 3, y - 3)
    page.mouse.move(x, y)
    tip = page.locator(".cm-root .cm-tip").first
    tip.wait_for(state="visible", timeout=10000)
    return tip.locator(".cm-tip-name").inner_text().strip()


def test_national_county_map_draws_with_the_network_blocked(server, laptop, artifacts):
    requested: list[str] = []
    laptop.on("request", lambda r: requested.append(r.url))
    laptop.goto(server + "/")
    assert wait_for_map(laptop, 3000) > 3000
    laptop.wait_for_timeout(500)
    # Everything, the shapes included, came from the app: no request left 127.0.0.1 (conftest
    # aborts them; here none is even tried).
    assert requested and [u for u in requested if urlparse(u).hostname != "127.0.0.1"] == []
    assert any("/app/static/geo/" in u for u in requested)  # the shapes are the app's file
    root = laptop.locator(".cm-root").first
    # The picture carries its title, legend and source line.
    assert root.locator("text.cm-title").first.text_content().strip()
    assert root.locator("g.cm-legend rect").count() >= 2
    assert root.locator("text.cm-source").count() >= 1
    assert root.locator("g.cm-outlines path").count() >= 49  # state borders
    laptop.screenshot(path=artifacts / "map-laptop.png")
    map_shot(laptop, artifacts / "map-chart.png")


def test_clicking_a_county_opens_its_profile(server, laptop, artifacts):
    laptop.goto(server + "/?states=48")  # Texas: big counties, easy to hit
    assert wait_for_map(laptop, 200) >= 200  # Texas has 254 counties
    laptop.locator(".cm-root").first.scroll_into_view_if_needed()
    laptop.wait_for_timeout(500)
    (spot,) = laptop.evaluate(AREA_POINTS_JS, True)
    assert spot is not None and spot["w"] > 20 and spot["h"] > 20, spot
    # The tooltip names the county under the mouse: Brewster, Texas's largest county.
    name = hover_name(laptop, spot["x"], spot["y"])
    assert name == "Brewster County, TX"
    assert laptop.locator(".cm-root g.cm-hover path").count() == 1  # its outline is drawn
    laptop.mouse.click(spot["x"], spot["y"])
    # st.switch_page changes the URL without a page load: wait for the address itself.
    laptop.wait_for_function("/\\/profile\\?(.*&)?place=48043(&|$)/.test(location.href)",
                             timeout=30000)
    place = parse_qs(urlparse(laptop.url).query)["place"][0]
    assert place == "48043"  # Brewster County's FIPS
    laptop.get_by_role("heading", level=2).filter(has_text=name).first.wait_for(timeout=30000)
    # The profile's state map outlines this county.
    laptop.wait_for_function(
        "document.querySelectorAll('.cm-root g.cm-highlight path').length === 1", timeout=30000)
    # Texas's border only: no stray borders of neighbours whose counties are not drawn, never
    # the Alaska or Hawaii frames (the projection puts them beside Texas).
    borders = laptop.locator(".cm-root g.cm-outlines path").evaluate_all(
        "paths => paths.map(p => p.dataset.id)")
    assert borders == ["48"]
    laptop.wait_for_timeout(300)
    laptop.screenshot(path=artifacts / "profile-after-click.png")
    map_shot(laptop, artifacts / "profile-after-click-map.png")


def test_a_shared_url_reproduces_the_view(server, laptop, artifacts):
    laptop.goto(server + "/?level=state&layer=stance&month=2025-05&states=12&states=13")
    assert wait_for_map(laptop) == 2  # Florida and Georgia only
    root = laptop.locator(".cm-root").first
    title = root.locator("text.cm-title").all_text_contents()
    assert " ".join(title).startswith("State law on cooperation, by state")
    subtitle = " ".join(root.locator("text.cm-subtitle").all_text_contents())
    assert "May 2025" in subtitle
    # The two areas are Florida and Georgia (as their tooltips say).
    root.scroll_into_view_if_needed()
    laptop.wait_for_timeout(300)
    spots = laptop.evaluate(AREA_POINTS_JS, False)
    assert None not in spots, spots
    assert {hover_name(laptop, s["x"], s["y"]) for s in spots} == {"Florida", "Georgia"}
    laptop.mouse.move(0, 0)  # the tooltip goes
    map_shot(laptop, artifacts / "shared-url-map.png")
    # The widgets show the same state (the URL is the source of truth).
    layer = laptop.get_by_role("combobox", name="Map layer")
    assert layer.is_visible() and layer.input_value() == "State law on cooperation"
    level = laptop.locator(".st-key-level").get_by_role("radio", checked=True)
    assert level.inner_text().strip() == "States"
    assert "layer=stance" in laptop.url and "states=13" in laptop.url
    # The visible "copy link": a plain link whose text is this view's full URL.
    link = laptop.locator("a[href*='layer=stance']").last
    link.scroll_into_view_if_needed()
    assert link.is_visible()
    assert parse_qs(urlparse(link.get_attribute("href")).query) == parse_qs(
        urlparse(laptop.url).query)
    assert link.text_content().startswith("http") and "states=13" in link.text_content()
    assert urlparse(link.text_content()).path == "/"  # the home page's link: "host/?…"
    assert laptop.get_by_test_id("stCode").count() == 0  # no syntax highlighter to load
    laptop.screenshot(path=artifacts / "shared-url.png")


def _png_size(path) -> tuple[int, int]:
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def _dark_share(image, box: tuple[int, int, int, int], below: int) -> float:
    """Share of the pixels in ``box`` (left, top, right, bottom) darker than ``below``."""
    grey = image.crop(box).convert("L")
    hist = grey.histogram()
    return sum(hist[:below]) / max(1, sum(hist))


@pytest.mark.parametrize(("preset", "label", "size"), [
    ("landscape", "Landscape 1200×675", (2400, 1350)),
    ("square", "Square 1080×1080", (2160, 2160)),
])
def test_image_download_is_a_png_of_the_preset_size(server, laptop, artifacts, preset, label,
                                                    size):
    laptop.goto(server + "/")
    wait_for_map(laptop, 3000)
    buttons = laptop.locator(".cm-root .cm-actions button.cm-button")
    # Both PNG presets, always (no ?image= parameter any more), and the SVG.
    assert buttons.count() == 3
    button = buttons.filter(has_text=f"Download image: {label}")
    assert button.count() == 1
    with laptop.expect_download(timeout=60000) as info:
        button.click()
    download = info.value
    assert download.suggested_filename.endswith(f"-{preset}.png"), download.suggested_filename
    target = artifacts / f"download-{preset}.png"
    download.save_as(target)
    assert _png_size(target) == size
    # Not a blank canvas: the map's colours cover a good part of it.
    from PIL import Image

    with Image.open(target) as img:
        image = img.convert("RGB")
    assert image.size == size
    width, height = size
    colours = image.resize((width // 4, height // 4)).getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 20  # None: more than 65,536 colours
    assert _dark_share(image, (0, 0, width, height), 250) > 0.10
    # It stands alone: the drawing (title to source line) sits inside the picture with a margin
    # all round, a bold dark title on its first lines and the grey source line on its last.
    ink = image.convert("L").point(lambda v: 255 if v < 250 else 0).getbbox()
    assert ink is not None
    left, top, right, bottom = ink
    assert left > 0 and top > 0 and right < width and bottom < height, ink
    band = 30 * 2  # 30 CSS pixels at the 2x scale
    assert _dark_share(image, (left, top, right, top + band), 100) > 0.005  # the title
    assert _dark_share(image, (left, bottom - band, right, bottom), 200) > 0.002  # the source


def test_phone_layout_fits_390_px(server, phone, artifacts):
    phone.goto(server + "/")
    wait_for_map(phone, 3000)
    phone.wait_for_timeout(500)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH
    root = phone.locator(".cm-root").first
    assert root.bounding_box()["width"] <= PHONE_WIDTH
    assert phone.locator(".cm-root svg.cm-svg").first.bounding_box()["width"] <= PHONE_WIDTH
    phone.screenshot(path=artifacts / "map-phone.png")
    map_shot(phone, artifacts / "map-phone-chart.png")
    phone.goto(server + "/profile?place=12071")
    phone.get_by_text("Lee County, FL").first.wait_for(timeout=30000)
    assert wait_for_map(phone, 60) >= 60  # Florida's 67 counties
    # The state map outlines Lee County.
    phone.wait_for_function(
        "document.querySelectorAll('.cm-root g.cm-highlight path').length === 1", timeout=30000)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    assert phone.locator(".cm-root").first.bounding_box()["width"] <= PHONE_WIDTH
    phone.screenshot(path=artifacts / "profile-phone.png")
    map_shot(phone, artifacts / "profile-phone-map.png")


def _svg_download(page, artifacts, name: str):
    """Download the map's SVG picture; its parsed root element."""
    import xml.etree.ElementTree as ET

    button = page.locator(".cm-root .cm-actions button.cm-button").filter(has_text="SVG")
    with page.expect_download(timeout=60000) as info:
        button.click()
    assert info.value.suggested_filename.endswith(".svg")
    target = artifacts / name
    info.value.save_as(target)
    return ET.parse(target).getroot()


def _texts(svg, cls: str | None = None) -> list[str]:
    ns = "{http://www.w3.org/2000/svg}"
    return [t.text or "" for t in svg.iter(f"{ns}text")
            if cls is None or t.get("class") == cls]


def test_a_downloaded_picture_stands_alone(server, laptop, artifacts):
    """A profile's picture of March 2026: it names the place outlined and the list of that
    month, holds only the categories it shows and no neighbour's border, and says where it is
    from and under which terms."""
    ns = "{http://www.w3.org/2000/svg}"
    laptop.goto(server + "/profile?place=48201&month=2026-03")
    wait_for_map(laptop, 200)
    svg = _svg_download(laptop, artifacts, "download-profile-harris-2026-03.svg")
    assert " ".join(_texts(svg, "cm-title")).startswith("Harris County, TX, outlined: ")
    footer = " ".join(_texts(svg, "cm-source"))
    assert "(as of 2026-03-27)" in footer and "2026-05-18" not in footer
    assert "public domain" in footer and "coopmap · http://127.0.0.1:" in footer
    outlines = [p.get("data-id") for g in svg.iter(f"{ns}g") if g.get("class") == "cm-outlines"
                for p in g]
    assert outlines == ["48"]
    # With only Task Force agreements shown, the legend is those and "no agreement".
    laptop.goto(server + "/?month=2026-03&states=48&models=TFM")
    wait_for_map(laptop, 200)
    svg = _svg_download(laptop, artifacts, "download-map-tx-tfm-2026-03.svg")
    legend = next(g for g in svg.iter(f"{ns}g") if g.get("class") == "cm-legend")
    assert _texts(legend) == ["No agreement", "Task Force only"]
    fills = {p.get("fill") for p in svg.iter(f"{ns}path") if p.get("class") == "cm-area"}
    assert {r.get("fill") for r in legend.iter(f"{ns}rect")} == fills
    assert "models: Task Force Model" in " ".join(_texts(svg, "cm-subtitle"))


def test_the_map_is_usable_by_keyboard(server, laptop, artifacts):
    """Tab to the map, N and P go from place to place (by name) and its card reads out the
    name and value, Enter opens that place's profile."""
    laptop.goto(server + "/?states=10")  # Delaware: Kent, New Castle, Sussex
    assert wait_for_map(laptop) == 3
    figure = laptop.locator(".cm-root .cm-figure").first
    assert "N and P go to the next and previous place" in figure.get_attribute("aria-label")
    assert figure.get_attribute("role") == "application"  # its keys reach it, not the reader's
    assert figure.get_attribute("aria-roledescription") == "map"
    figure.focus()
    card = laptop.locator(".cm-root .cm-card").first
    names = []
    for key in ("n", "n", "n", "n", "p"):
        laptop.keyboard.press(key)
        card.wait_for(state="visible", timeout=5000)
        names.append(card.locator(".cm-card-name").inner_text())
    assert names == ["Kent County, DE", "New Castle County, DE", "Sussex County, DE",
                     "Kent County, DE", "Sussex County, DE"]
    assert card.get_attribute("aria-live") == "polite"
    assert "287(g) agreements" in card.inner_text()  # the value comes with the name
    laptop.screenshot(path=artifacts / "map-keyboard-card.png")
    laptop.keyboard.press("Enter")
    laptop.wait_for_function("new URLSearchParams(location.search).get('place') === '10005'",
                             timeout=30000)
