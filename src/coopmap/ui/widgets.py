"""Widgets shared by the pages: the release guard, place search, headline, map, download, link."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from coopmap import figures, schema, text
from coopmap.places_search import PlaceIndex
from coopmap.store import NoReleaseError, Release
from coopmap.text import bound, number, signed, t, tn, words
from coopmap.ui import data, queries, state

log = logging.getLogger("coopmap.ui")

PROFILE_PAGE = "app_pages/profile.py"
MAP_PAGE = "app_pages/map.py"
COMPARE_PAGE = "app_pages/compare.py"
TRENDS_PAGE = "app_pages/trends.py"
ABOUT_PAGE = "app_pages/about.py"
UI_DIR = Path(__file__).parent  # the UI package's style sheets and scripts


_FOLLOWS = "_release_follows_current"


def _pinned_release(current_id: str) -> str | None:
    """The release this session is pinned to, or None to follow the current one.

    A visit that arrives by a link naming an older release stays on it (a shared link shows
    what was shared). A visit that arrived without one, or on the current release, follows the
    current release: a publish or rollback reaches it at its next interaction, on whichever app
    process it runs. The URL still names the release shown, so a link copied from it pins."""
    url_release = st.query_params.get(state.RELEASE)
    last = state.sticky(state.RELEASE)
    if _FOLLOWS not in st.session_state:
        st.session_state[_FOLLOWS] = not url_release or url_release == current_id
    elif url_release and url_release != last:
        # A link opened in this session names another release: a pinned link, or "open
        # this view in the current dataset".
        st.session_state[_FOLLOWS] = url_release == current_id
    if st.session_state[_FOLLOWS]:
        return None
    return url_release or last


def load_release(page: str = MAP_PAGE) -> Release:
    """The release this view shows, or a plain message for the visitor and a stop (never a
    traceback).

    A link pins its release (``?release=``): that one is shown while the store keeps it, with a
    note offering the current one; a release the store no longer has is said so, and the
    current one is shown instead."""
    try:
        current = data.current()
        current.table("counties")  # fail here, with a message, if the files are broken
    except NoReleaseError:
        st.info(t("release.missing"))
        st.stop()
        raise AssertionError("unreachable") from None  # st.stop() raises
    except Exception:
        log.exception("the current release could not be read")
        st.error(t("release.broken"))
        st.stop()
        raise AssertionError("unreachable") from None
    release = current
    wanted = _pinned_release(current.id)
    if wanted and wanted != current.id:
        kept = data.is_kept(wanted)
        readable = kept and data.is_readable(wanted)
        release = data.get(wanted) if readable else current
        if not kept:
            st.warning(t("release.gone", release=wanted, current=current.id),
                       icon=":material/history:")
        elif not readable:
            st.warning(t("release.unreadable", release=wanted, current=current.id),
                       icon=":material/history:")
        else:
            st.info(t("release.pinned", release=release.id, current=current.id,
                      as_of=release.as_of.get("participating", "?")),
                    icon=":material/push_pin:")
            st.page_link(page,
                         label=t("release.open_current"), icon=":material/update:",
                         query_params={**{k: v for k, v in state.url_dict().items()
                                          if k != state.RELEASE}, state.RELEASE: current.id})
    state.remember(state.RELEASE, release.id)
    return release


def tab_title(what: str) -> None:
    """The browser tab's title for this page or place ("Harris County, TX — coopmap")."""
    st.set_page_config(page_title=t("tab.title", what=what))


def contact() -> str | None:
    """Where corrections go: the ``COOPMAP_CONTACT`` setting (an address or a link), if set."""
    import os

    value = (os.environ.get("COOPMAP_CONTACT") or "").strip()
    return value or None


def ignored_notice(ignored: list[tuple[str, str]]) -> None:
    """Say once which parts of the link were not valid and were ignored."""
    if ignored:
        items = ", ".join(f"{k}={v}" for k, v in ignored)
        st.warning(t("url.ignored", items=items), icon=":material/link_off:")


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


def place_search(index: PlaceIndex, *, key: str, on_pick: Callable[[str], None]) -> None:
    """One box for a county, state, city or ZIP code.

    Enter on a query that means one place calls ``on_pick`` with it at once (and empties the
    box, so coming back does not open it again); several places are listed as buttons with
    what each one is ("Austin, TX — Travis County (main county …)"), the likeliest first."""
    def submitted() -> None:
        result = index.search(st.session_state.get(key) or "")
        if len(result.places) == 1:
            st.session_state[key] = ""
            on_pick(result.places[0].fips)

    def picked(fips: str) -> None:
        st.session_state[key] = ""
        on_pick(fips)

    query = st.text_input(t("search.box"), key=key, placeholder=t("search.box.placeholder"),
                          help=t("search.box.help"), on_change=submitted,
                          icon=":material/search:")
    if not query:
        return
    result = index.search(query)
    if result.note:
        st.caption(result.note)
    for i, place in enumerate(result.places):
        st.button(result.context(place), key=f"{key}_pick_{place.fips}",
                  type="primary" if i == 0 else "secondary", on_click=picked,
                  args=(place.fips,), width="stretch")


def headline_metrics(h: dict) -> None:
    cols = st.columns(4)
    items = [
        ("headline.agreements", "agreements", None),
        ("headline.agencies", "agencies", None),
        ("headline.counties", "counties_with_287g", t("headline.help.counties")),
        ("headline.population", "population_covered", t("headline.help.population")),
    ]
    year_ago = h["earlier"].get(12)
    month_ago = h["earlier"].get(1)
    for col, (msg, field, help_) in zip(cols, items, strict=True):
        delta = None
        if month_ago is not None:
            delta = h[field] - month_ago[field]
        # Growth is a fact, not good or bad news: no green or red arrow (delta_color="off").
        col.metric(t(msg), number(h[field]),
                   delta=t("headline.delta.badge", delta=signed(delta)) if delta is not None
                   else None, delta_color="off", help=help_, border=True)
    lines = []
    for months in (1, 6, 12):
        earlier = h["earlier"].get(months)
        if earlier is None:
            lines.append(tn("headline.no_earlier", months, months=months))
            continue
        diff = h["agreements"] - earlier["agreements"]
        lines.append(tn("headline.delta", months, delta=signed(diff), months=months))
    st.caption(t("headline.changes") + " (" + t("headline.agreements").lower() + "): "
               + " · ".join(lines))
    del year_ago


def chart(fig: go.Figure, *, key: str, preset: str, filename: str):
    """A plotly chart whose camera button downloads a PNG at 2x the preset size."""
    config = figures.chart_config(preset=preset, filename=filename)
    plotly_words = text.plotly_locale()  # the toolbar's tooltips and plotly's month names
    if plotly_words is not None:
        config["locale"] = text.language()
        config["locales"] = {text.language(): plotly_words}
    return st.plotly_chart(fig, key=key, config=config, theme=None, width="stretch")


def csv_download(rows: pd.DataFrame | Callable[[], pd.DataFrame], *, file_name: str,
                 key: str) -> None:
    """The CSV (in English, see ``make``) is written when the button is clicked (a callable
    ``data``), not on every rerun: encoding the county table took ~40 ms of each filter
    change. ``rows`` may be a callable that builds the table, so that it too is built only
    then."""
    def make() -> bytes:
        # In English whatever the page's language: the CSV's column names and values are a
        # stable contract for the scripts and spreadsheets that read it (docs/glossary-es.md).
        with text.in_language(text.DEFAULT_LANGUAGE):
            return queries.to_csv_bytes(rows() if callable(rows) else rows)

    st.download_button(t("table.download"), data=make, file_name=file_name, mime="text/csv",
                       key=key, on_click="ignore", icon=":material/download:")


def agreement_columns() -> dict:
    """Column settings of the agreements tables: the agency and the model first and narrow
    enough to fit a 390 px phone without swiping sideways (not pinned: Streamlit draws a pinned
    column in the index's grey, below the contrast we keep); the MOA as a link."""
    return {
        t("profile.col.agency"): st.column_config.TextColumn(width=170),
        t("profile.col.model"): st.column_config.TextColumn(width=150),
        t("profile.col.moa"): st.column_config.LinkColumn(display_text=t("profile.moa_link")),
    }


def month_picker(months: list[str], *, key: str, label: str | None = None) -> str:
    return st.select_slider(label or t("filter.month"), options=months, key=key,
                            format_func=bound(data.month_label), help=t("filter.month.help"))


def state_options(release: Release) -> list[str]:
    return release.table("states")["state_fips"].tolist()


def state_label(release: Release) -> Callable[[str], str]:
    names = dict(zip(release.table("states")["state_fips"], release.table("states")["name"],
                     strict=True))
    return lambda f: names.get(f, f)


def model_label(code: str) -> str:
    return words(schema.MODELS)[code]


def agency_type_label(code: str) -> str:
    return words(schema.AGENCY_TYPES)[code].split(" (")[0]


def go_to_profile(fips: str) -> None:
    """Open a place's profile with the month, layer and release shown now."""
    st.switch_page(PROFILE_PAGE, query_params=state.link(place=fips))
