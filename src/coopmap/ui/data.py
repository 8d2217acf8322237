"""Cached access to the current release, its postures and the map figures.

Everything is keyed by the store root and the release id, so publishing a new release (a new id)
makes every cached value stale at once, and a rerun never rebuilds what did not change. Shapes are
read once per process, projected, and written as a static file that the browser fetches (and
keeps) by URL, so they never travel over the websocket and two map panels share them.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pandas as pd
import streamlit as st

from coopmap import (
    detention_postures,
    figures,
    gazetteer,
    geometry,
    paths,
    postures,
    projection,
    text,
)
from coopmap.places_search import PlaceIndex
from coopmap.store import NoReleaseError, Release, ReleaseStore
from coopmap.ui import queries

STATIC_URL = "/app/static/"

Filters = tuple[str, ...] | None


def _root() -> str:
    return str(paths.releases_dir())


@st.cache_resource(show_spinner=False, max_entries=4)
def _release(root: str, release_id: str) -> Release:
    return ReleaseStore(Path(root)).get(release_id)


def current() -> Release:
    """The current release (cached by id); NoReleaseError when there is none."""
    root = _root()
    rid = ReleaseStore(Path(root)).current_id()
    if rid is None:
        raise NoReleaseError(f"no current release in {root}")
    return _release(root, rid)


def get(release_id: str) -> Release:
    return _release(_root(), release_id)


def is_kept(release_id: str) -> bool:
    """Whether the store still holds this release (a link may name one that was removed)."""
    return any(m.get("id") == release_id for m in ReleaseStore(Path(_root())).list())


@st.cache_data(show_spinner=False, max_entries=16)
def is_readable(release_id: str) -> bool:
    """Whether this version of coopmap can read every table of a kept release (one built by an
    earlier version may lack columns the pages now need)."""
    from coopmap import schema

    try:
        release = get(release_id)
        for name in schema.TABLES:  # every table the pages read, as the schema has it now
            release.table(name)
    except Exception:
        return False
    return True


@st.cache_data(show_spinner=False, max_entries=8)
def months(release_id: str) -> list[str]:
    return postures.months(get(release_id))


@st.cache_data(show_spinner=False, max_entries=128)
def county_postures(release_id: str, month: str, models: Filters = None,
                    agency_types: Filters = None) -> pd.DataFrame:
    """The month's county postures with its ICE detention columns."""
    release = get(release_id)
    out = postures.county_postures(release, month, models=models, agency_types=agency_types)
    return detention_postures.join_month(out, release, month, "county")


@st.cache_data(show_spinner=False, max_entries=64)
def territory_postures(release_id: str, month: str, models: Filters = None,
                       agency_types: Filters = None) -> pd.DataFrame:
    return postures.territory_postures(get(release_id), month, models=models,
                                       agency_types=agency_types)


@st.cache_data(show_spinner=False, max_entries=128)
def state_postures(release_id: str, month: str, models: Filters = None,
                   agency_types: Filters = None) -> pd.DataFrame:
    counties = county_postures(release_id, month, models, agency_types)
    release = get(release_id)
    out = postures.state_postures(release, month, models=models, agency_types=agency_types,
                                  counties=counties)
    return detention_postures.join_month(out, release, month, "state")


def level_postures(release_id: str, level: str, month: str, models: Filters = None,
                   agency_types: Filters = None) -> pd.DataFrame:
    fn = county_postures if level == "county" else state_postures
    return fn(release_id, month, models, agency_types)


@st.cache_data(show_spinner=False, max_entries=64)
def undated_laws(release_id: str, month: str) -> dict[tuple[str, str], str]:
    """{(state FIPS, dimension): law ids} of readings without an established effective date
    that might have held in ``month``."""
    from coopmap import law_readings

    return law_readings.undated_laws(get(release_id).table("law_readings"), month)


@st.cache_data(show_spinner=False, max_entries=64)
def stance_laws(release_id: str, month: str) -> dict[str, str]:
    """{state FIPS: law ids} of the readings in effect in ``month`` that give its stance."""
    from coopmap import law_readings

    return law_readings.stance_laws(get(release_id).table("law_readings"), month)


@st.cache_data(show_spinner=False, max_entries=256)
def _headline_figures(release_id: str, month: str, states: Filters, models: Filters,
                      agency_types: Filters) -> dict:
    """postures.headline_figures, cached per release, month and filters."""
    return postures.headline_figures(get(release_id), month, states=states, models=models,
                                     agency_types=agency_types)


def headline(release_id: str, month: str, states: Filters = None, models: Filters = None,
             agency_types: Filters = None) -> dict:
    """Same shape as postures.headline: figures of ``month`` and of 1, 6, 12 months earlier."""
    available = set(months(release_id))
    out = _headline_figures(release_id, month, states, models, agency_types)
    out = dict(out)
    out["earlier"] = {}
    for k in (1, 6, 12):
        m = postures.shift_month(month, -k)
        out["earlier"][k] = (_headline_figures(release_id, m, states, models, agency_types)
                             if m in available else None)
    return out


@st.cache_resource(show_spinner=False, max_entries=4)
def place_index(release_id: str) -> PlaceIndex:
    release = get(release_id)
    territories = gazetteer.states().query("is_territory")
    return PlaceIndex(release.table("counties"), release.table("states"), territories)


def _shapes_document(level: str) -> dict:
    if level == "county":
        gdf = geometry.load_counties()
        return projection.shapes_document(gdf["county_fips"].tolist(), gdf.geometry.values,
                                          gdf["state_fips"].values)
    gdf = geometry.load_states()
    return projection.shapes_document(gdf["state_fips"].tolist(), gdf.geometry.values,
                                      gdf["state_fips"].values, boxes=True)


@st.cache_resource(show_spinner=False)
def shapes_url(level: str) -> str | dict:
    """URL of the level's projected shapes under static/, written once per process and named by
    content, so browsers may keep them; a read-only install sends the shapes inline instead."""
    doc = _shapes_document(level)
    body = json.dumps(doc, separators=(",", ":")).encode()
    name = f"{level}-paths-{hashlib.sha256(body).hexdigest()[:12]}.json"
    folder = paths.static_dir() / "geo"
    target = folder / name
    try:
        if not target.exists():
            folder.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(body)
            tmp.replace(target)
    except OSError:
        return doc
    return f"{STATIC_URL}geo/{name}"


def _source_line(layer: str, release: Release, month: str) -> str:
    """The figure's source line; for a state-law layer, what the month's values rest on and
    how well it was checked (counted over the states, whatever the map's filter)."""
    # The list the month shows (the March 2026 map: the list of 2026-03-27), not the newest.
    as_of = postures.sheet_date(release, month) or release.as_of.get("participating", "?")
    if layer == "federal":
        return text.t("fig.source.federal", release=release.id)
    if layer in figures.DETENTION_LAYERS:
        return text.t("fig.source.detention", release=release.id,
                      workbook=release.as_of.get("detention_workbook", "?"))
    if layer == "stance" or (layer in figures.LAYERS and figures.LAYERS[layer].basis_column):
        from coopmap import law_readings

        states = state_postures(release.id, month)
        dim = "state_law_stance" if layer == "stance" else layer
        counts = law_readings.checked_counts(states, dim)
        staff = 0
        if layer != "stance":
            counties = county_postures(release.id, month)
            staff = int((counties[f"{dim}_check"] == "staff_finding").sum()
                        + (states[f"{dim}_check"] == "staff_finding").sum())
        return text.t(
            "fig.source.stance" if layer == "stance" else "fig.source.policy",
            month=month_label(month), settled=counts["settled"], states=counts["states"],
            checked=text.tn("fig.source.checked", counts["checked_text"]),
            secondary=counts["secondary_source"],
            draft=text.tn("fig.source.draft", counts["unverified_draft"]),
            staff=text.tn("fig.source.staff", staff) if staff else "", release=release.id)
    return text.t("fig.source", as_of=as_of, release=release.id)


def subtitle(month: str, states: Filters, models: Filters, agency_types: Filters) -> str:
    """What is filtered, in words, for the figure's subtitle."""
    from coopmap import schema

    parts = []
    if states:
        names = [place_name_for_state(s) for s in states]
        parts.append(text.t("fig.filters.states", states=", ".join(names)))
    if models:
        names = [text.label(schema.MODELS, m) for m in models]
        parts.append(text.t("fig.filters.models", models=", ".join(names)))
    if agency_types:
        kinds = [text.label(schema.AGENCY_TYPES, a).split(" (")[0] for a in agency_types]
        parts.append(text.t("fig.filters.agency_types", agency_types=", ".join(kinds)))
    return text.t("fig.map.subtitle", month=month_label(month),
                  filters=(" · " + " · ".join(parts)) if parts else "")


def place_name_for_state(state_fips: str) -> str:
    from coopmap import gazetteer

    row = gazetteer.states().set_index("state_fips")
    return row.loc[state_fips, "name"] if state_fips in row.index else state_fips


def month_label(month: str) -> str:
    """"May 2026" in the visitor's language (Babel)."""
    return text.month_label(month)


def map_spec(release_id: str, level: str, layer: str, month: str, states: Filters = None,
             models: Filters = None, agency_types: Filters = None,
             highlight: Filters = None) -> dict:
    """The map spec of a view (``figures.map_spec``) in the visitor's language. Shared between
    sessions: never mutate."""
    return _map_spec(release_id, level, layer, month, states, models, agency_types, highlight,
                     text.language())


# Every cached function whose result holds words takes the language as an argument, so that
# the cache keys on it: a Spanish visitor never gets an English map from the cache.
@st.cache_resource(show_spinner=False, max_entries=64)
def _map_spec(release_id: str, level: str, layer: str, month: str, states: Filters,
              models: Filters, agency_types: Filters, highlight: Filters,
              language: str) -> dict:
    with text.in_language(language):
        return _build_map_spec(release_id, level, layer, month, states, models, agency_types,
                               highlight)


def _build_map_spec(release_id: str, level: str, layer: str, month: str, states: Filters,
                    models: Filters, agency_types: Filters, highlight: Filters) -> dict:
    release = get(release_id)
    frame, hover_labels = queries.map_frame(
        level_postures(release_id, level, month, models, agency_types), level, layer, states,
        undated_laws(release_id, month), stance_laws(release_id, month))
    layer_name = text.t(f"layer.{layer}")
    categories = queries.layer_labels(layer)
    sub = subtitle(month, states, models, agency_types)
    if figures.LAYERS[layer].basis_column and (frame["category"] == "unknown").all():
        # Every place shown is unknown: say so instead of a legend of colours nobody uses.
        categories = {"unknown": text.t("legend.all_unknown")}
        sub += " · " + text.t("fig.subtitle.all_unknown", month=month_label(month))
    title = text.t(f"fig.map.title.{level}", layer=layer_name)
    named = frame.loc[frame["location"].isin(list(highlight or ())), "name"].tolist()
    if named:  # a profile's picture says which place it is about
        title = text.t("fig.map.title.highlight", title=title, places=", ".join(named))
    return figures.map_spec(
        frame,
        locations="location",
        category="category",
        categories=categories,
        colours=figures.LAYERS[layer].colours,
        hover_name="name",
        hover_data=hover_labels,
        title=title,
        subtitle=sub,
        source=_source_line(layer, release, month),
        credit=text.t(_LICENCES.get(layer, "fig.licence")),
        focus=states or (),
        highlight=highlight or (),
    )


# The terms of the data each layer shows, for the downloaded picture's last line.
_LICENCES = {"stance": "fig.licence.laws", "federal": "fig.licence",
             **{layer: "fig.licence.detention" for layer in figures.DETENTION_LAYERS},
             **{dim: "fig.licence.laws" for dim, spec in figures.LAYERS.items()
                if spec.basis_column}}


def map_view_data(spec: dict, level: str, *, filename: str, clickable: bool = False,
                  presets: tuple[str, ...] = tuple(figures.IMAGE_PRESETS),
                  vector: bool = True) -> dict:
    """The map component's data for ``spec``: shapes of ``level`` with state outlines."""
    from coopmap.ui import mapview

    return mapview.view_data(spec, shapes=shapes_url(level), outlines=shapes_url("state"),
                             filename=filename, clickable=clickable, presets=presets,
                             vector=vector)


@st.cache_data(show_spinner=False, max_entries=64)
def trend_by_model(release_id: str, states: Filters = None,
                   agency_types: Filters = None) -> pd.DataFrame:
    return queries.monthly_by_model(get(release_id), states=states, agency_types=agency_types)


@st.cache_data(show_spinner=False, max_entries=64)
def trend_new(release_id: str, states: Filters = None) -> pd.DataFrame:
    return queries.new_by_month(get(release_id), states=states)


@st.cache_data(show_spinner=False, max_entries=64)
def trend_ended(release_id: str, states: Filters = None) -> pd.DataFrame:
    return queries.ended_by_month(get(release_id), states=states)


@st.cache_data(show_spinner=False, max_entries=8)
def trend_detainer_law(release_id: str) -> pd.DataFrame:
    return queries.detainer_law_by_month(get(release_id), months(release_id))


@st.cache_data(show_spinner=False, max_entries=4)
def history(root: str, release_id: str) -> tuple[list[dict], list[dict]]:
    """Publication history and the manifests of the releases kept."""
    store = ReleaseStore(Path(root))
    return store.history(), store.list()


def place_facilities(release_id: str, county_fips: str | None,
                     state_abbr: str | None) -> pd.DataFrame:
    return _place_facilities(release_id, county_fips, state_abbr, text.language())


@st.cache_data(show_spinner=False, max_entries=64)
def _place_facilities(release_id: str, county_fips: str | None, state_abbr: str | None,
                      language: str) -> pd.DataFrame:
    from coopmap import detention_views

    with text.in_language(language):
        return detention_views.place_facilities(get(release_id), county_fips=county_fips,
                                                state_abbr=state_abbr)


def voter_sentences(release_id: str, county_fips: str, county_name: str) -> list[str]:
    return _voter_sentences(release_id, county_fips, county_name, text.language())


@st.cache_data(show_spinner=False, max_entries=64)
def _voter_sentences(release_id: str, county_fips: str, county_name: str,
                     language: str) -> list[str]:
    from coopmap import detention_views

    with text.in_language(language):
        return detention_views.voter_sentences(get(release_id), county_fips, county_name)


@st.cache_data(show_spinner=False, max_entries=16)
def detention_trend(release_id: str) -> pd.DataFrame:
    from coopmap import detention_views

    return detention_views.monthly_by_type(get(release_id))


@st.cache_data(show_spinner=False, max_entries=16)
def detention_states_ranked(release_id: str, month: str) -> pd.DataFrame:
    from coopmap import detention_views

    return detention_views.states_ranked_local(get(release_id), month)


@st.cache_data(show_spinner=False, max_entries=8)
def detention_months(release_id: str) -> list[str]:
    monthly = get(release_id).table("detention_monthly")
    return sorted(monthly["month"].unique().tolist())
