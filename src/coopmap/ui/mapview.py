"""The map on every page: coopmap's own SVG choropleth, as a Streamlit (v2) component.

Why not plotly's geo map: in a fresh browser it painted the national county map 4.8 s after
navigation (its 4.7 MB bundle, then the GeoJSON, then d3 drawing); this draws the same shapes,
projected once in Python (``coopmap.projection``) and served as a static file, in about a second.
Plotly still draws the charts. The picture carries title, subtitle, legend and source line, and
its buttons download it as a PNG at 2x a preset size (``figures.IMAGE_PRESETS``) or as SVG, made
in the browser from the same drawing: no network and no server round trip. A downloaded picture
stands alone: it also carries the data's terms and the site's name and address, its legend lists
only the categories it shows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import streamlit as st

from coopmap import figures
from coopmap.text import t
from coopmap.ui import state

HERE = Path(__file__).parent


@cache
def _component():
    return st.components.v2.component(
        "coopmap_map",
        js=(HERE / "mapview.js").read_text(encoding="utf-8"),
        css=(HERE / "mapview.css").read_text(encoding="utf-8"),
        # In the page's own DOM (no shadow root), so tests and screenshots see the paths.
        isolate_styles=False,
    )


def view_data(spec: dict[str, Any], *, shapes: str | dict, outlines: str | dict | None,
              filename: str, presets: Sequence[str] = tuple(figures.IMAGE_PRESETS),
              clickable: bool = False, vector: bool = True) -> dict[str, Any]:
    """The component's ``data``: the map spec plus where the shapes are, the image buttons (a
    PNG per preset, and an SVG if ``vector``) and the interface words. ``shapes``/``outlines``
    are URLs of shape documents (or the documents)."""
    images = []
    for preset in presets:
        width, height = figures.image_sizes(preset)
        images.append({"label": t("image.download", size=t(f"image.{preset}")),
                       "width": width, "height": height,
                       "filename": f"{filename}-{preset}.png"})
    if vector:  # at the landscape size (a report's layout scales it)
        width, height = figures.image_sizes("landscape")
        images.append({"label": t("image.svg"), "width": width, "height": height,
                       "filename": f"{filename}.svg", "format": "svg"})
    parts = urlsplit(state.share_url({}))
    site = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    return {
        **spec,
        "shapes": shapes,
        "outlines": outlines,
        "images": images,
        "scale": figures.IMAGE_SCALE,
        "clickable": clickable,
        "text": {"click": t("hover.click"), "failed": t("map.failed"),
                 "download_help": t("image.help"), "open": t("search.go"),
                 "close": t("map.card.close"), "zoom_in": t("map.zoom.in"),
                 "zoom_out": t("map.zoom.out"), "zoom_reset": t("map.zoom.reset"),
                 "keys": t("map.keys"), "role": t("map.role"),
                 "site": t("fig.site", url=site) if site else "coopmap"},
    }


def map_view(data: dict[str, Any], *, key: str,
             on_click: Callable[[str], None] | None = None) -> None:
    """Draw the map; ``on_click(fips)`` runs (as a callback, before the rerun) when a place is
    clicked."""
    def _clicked() -> None:
        value = (st.session_state.get(key) or {}).get("clicked")
        if value and on_click is not None:
            on_click(str(value))

    _component()(key=key, data=data, on_clicked_change=_clicked if on_click else None)
