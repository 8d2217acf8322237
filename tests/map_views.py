"""What the map component was given in an AppTest run (its ``data``, decoded)."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest


def map_views(at: AppTest) -> list[dict]:
    """The data of every coopmap map on the page, in page order."""
    out = []
    for el in at.get("bidi_component"):
        if el.proto.component_name == "coopmap_map":
            out.append(json.loads(el.proto.json))
    return out
