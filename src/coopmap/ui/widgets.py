"""Widgets shared by the pages: the release guard, place search, headline, map, download, link."""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import quote

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from coopmap import figures, schema
from coopmap.places_search import Place, PlaceIndex
from coopmap.store import NoReleaseError, Release
from coopmap.text import number, t
from coopmap.ui import data, queries, state

log = logging.getLogger("coopmap.ui")

PROFILE_PAGE = "app_pages/profile.py"
MAP_PAGE = "app_pages/map.py"
COMPARE_PAGE = "app_pages/compare.py"


def load_release() -> Release:
    """The current release, or a plain message for the visitor and a stop (never a traceback)."""
    try:
        release = data.current()
        release.table("counties")  # fail here, with a message, if the files are broken
        return release
    except NoReleaseError:
        st.info(t("release.missing"))
    except Exception:
        log.exception("the current release could not be read")
        st.error(t("release.broken"))
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


def release_caption(release: Release) -> None:
    st.caption(t("release.line", release=release.id,
                 as_of=release.as_of.get("participating", "?")))


def copy_link() -> None:
    """The view's link as a link whose text is the URL, to select or right-click and copy.

    Not st.code: its copy button comes with a 1.6 MB syntax highlighter that the browser
    loaded before the map could paint (first paint 5.7 s -> 4.3 s without it)."""
    url = state.share_url() or "?"
    # Codes only reach the URL (state.Param validates them); quote anyway so that nothing
    # in it can close the markdown link, and escape the visible text so it stays text.
    target = quote(url, safe=":/?&=%#+,;@~")
    st.caption(t("copy_link"), help=t("copy_link.help"))
    st.markdown(f"[{queries.md_escape(url)}]({target})")


def place_picker(index: PlaceIndex, *, key: str, label: str | None = None) -> str | None:
    """A completion box over every county and state; returns the chosen FIPS (or None)."""
    # The index holds the sorted options and their labels (built once per release), so a
    # rerun does not sort ~3,200 places again.
    return st.selectbox(
        label or t("search.label"),
        index.options(),
        index=None,
        key=key,
        format_func=index.label,
        placeholder=t("search.placeholder"),
    )


def free_search(index: PlaceIndex, *, key: str) -> Place | None:
    """City or ZIP search: returns the place to open, or None (showing matches or a note)."""
    query = st.text_input(t("search.free"), key=key, placeholder=t("search.free.placeholder"))
    if not query:
        return None
    result = index.search(query)
    if result.note:
        st.caption(result.note)
    if len(result.places) == 1:
        return result.places[0]
    if result.places:
        choice = st.radio(t("search.pick"), [p.fips for p in result.places],
                          format_func=lambda f: index.get(f).label, index=None,
                          key=f"{key}_pick")
        return index.get(choice) if choice else None
    return None


def headline_metrics(h: dict) -> None:
    cols = st.columns(4)
    items = [
        ("headline.agreements", "agreements", None),
        ("headline.agencies", "agencies", None),
        ("headline.counties", "counties_with_287g", t("headline.help.counties")),
        ("headline.population", "population_covered", None),
    ]
    year_ago = h["earlier"].get(12)
    month_ago = h["earlier"].get(1)
    for col, (msg, field, help_) in zip(cols, items, strict=True):
        delta = None
        if month_ago is not None:
            delta = h[field] - month_ago[field]
        col.metric(t(msg), number(h[field]), delta=f"{delta:+,} (1 mo.)" if delta is not None
                   else None, help=help_, border=True)
    lines = []
    for months in (1, 6, 12):
        earlier = h["earlier"].get(months)
        if earlier is None:
            lines.append(t("headline.no_earlier", months=months))
            continue
        diff = h["agreements"] - earlier["agreements"]
        lines.append(f"{diff:+,} " + t("headline.delta", delta="", months=months).strip())
    st.caption(t("headline.changes") + " (" + t("headline.agreements").lower() + "): "
               + " · ".join(lines))
    del year_ago


def chart(fig: go.Figure, *, key: str, preset: str, filename: str):
    """A plotly chart whose camera button downloads a PNG at 2x the preset size."""
    config = figures.chart_config(preset=preset, filename=filename)
    return st.plotly_chart(fig, key=key, config=config, theme=None, width="stretch")


def csv_download(rows: pd.DataFrame | Callable[[], pd.DataFrame], *, file_name: str,
                 key: str) -> None:
    """The CSV is written when the button is clicked (a callable ``data``), not on every
    rerun: encoding the county table took ~40 ms of each filter change. ``rows`` may be a
    callable that builds the table, so that it too is built only then."""
    def make() -> bytes:
        return queries.to_csv_bytes(rows() if callable(rows) else rows)

    st.download_button(t("table.download"), data=make, file_name=file_name, mime="text/csv",
                       key=key, on_click="ignore", icon=":material/download:")


def month_picker(months: list[str], *, key: str, label: str | None = None) -> str:
    return st.select_slider(label or t("filter.month"), options=months, key=key,
                            format_func=data.month_label, help=t("filter.month.help"))


def state_options(release: Release) -> list[str]:
    return release.table("states")["state_fips"].tolist()


def state_label(release: Release) -> Callable[[str], str]:
    names = dict(zip(release.table("states")["state_fips"], release.table("states")["name"],
                     strict=True))
    return lambda f: names.get(f, f)


def model_label(code: str) -> str:
    return schema.MODELS[code]


def agency_type_label(code: str) -> str:
    return schema.AGENCY_TYPES[code].split(" (")[0]


def go_to_profile(fips: str) -> None:
    st.switch_page(PROFILE_PAGE, query_params={"place": fips})
