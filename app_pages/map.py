"""Map (home): the national or state choropleth of a layer for a month, with filters,
headline figures, the same values as a table, and a CSV download. Everything is in the URL."""

import pandas as pd
import streamlit as st

from coopmap import figures, schema
from coopmap.text import bound, number, t
from coopmap.ui import data, mapview, queries, state, widgets

release = widgets.load_release(widgets.MAP_PAGE)
widgets.tab_title(t("page.map"))
rid = release.id
months = data.months(rid)
index = data.place_index(rid)
states_all = widgets.state_options(release)
state_name = widgets.state_label(release)

PARAMS = [
    state.Param("level", "county", ["county", "state"]),
    state.Param("layer", "model", list(figures.LAYERS), explicit=True),
    state.Param("month", months[-1], months, explicit=True),
    state.Param("states", [], states_all, multi=True),
    state.Param("models", [], list(schema.MODELS), multi=True),
    state.Param("agencies", [], list(schema.AGENCY_TYPES), multi=True),
]
ignored = state.restore(PARAMS, widgets.MAP_PAGE)
widgets.ignored_notice(ignored)


def _on_click(fips: str) -> None:
    # A click is a one-run trigger, so coming back to the map never re-opens a profile.
    st.session_state["_goto_place"] = fips


goto = st.session_state.pop("_goto_place", None)
if goto and index.get(goto) is not None:
    widgets.go_to_profile(goto)

st.subheader(t("app.title"))
top = st.container()
chart_box = st.container()

# The view comes from the widget state (seeded from the URL by state.restore), so the map can
# be sent to the browser before the controls drawn above it, and starts fetching its shapes
# while the widgets' code loads.
level = st.session_state.get("level") or "county"
layer = st.session_state.get("layer") or "model"
month = st.session_state.get("month") or months[-1]
states_key = tuple(sorted(st.session_state.get("states") or [])) or None
models_key = tuple(m for m in schema.MODELS if m in (st.session_state.get("models") or [])) or None
agencies_key = tuple(a for a in schema.AGENCY_TYPES
                     if a in (st.session_state.get("agencies") or [])) or None

with chart_box:
    spec = data.map_spec(rid, level, layer, month, states_key, models_key, agencies_key)
    mapview.map_view(data.map_view_data(spec, level, filename=f"coopmap-{layer}-{level}-{month}",
                                        clickable=True),
                     key="map_chart", on_click=_on_click)
    st.caption(t("map.click_hint"))
    if layer in figures.DETENTION_LAYERS:
        det_months = data.detention_months(rid)
        if month not in det_months:
            st.info(t("map.detention.no_month", first=data.month_label(det_months[0]),
                      last=data.month_label(det_months[-1])))
            st.button(t("map.detention.go", month=data.month_label(det_months[-1])),
                      key="detention_month_go", on_click=st.session_state.__setitem__,
                      args=("month", det_months[-1]))
    widgets.headline_metrics(data.headline(rid, month, states_key, models_key, agencies_key))
    st.caption(t("caveat.short", as_of=release.as_of.get("participating", "?")))

with top:
    widgets.place_search(index, key="map_search", on_pick=_on_click)

    controls = st.columns([1.2, 2, 3])
    with controls[0]:
        st.segmented_control(
            t("filter.level"), ["county", "state"], key="level", required=True,
            format_func=bound(lambda v: t(f"filter.level.{v}")),
        )
    with controls[1]:
        st.selectbox(t("filter.layer"), list(figures.LAYERS), key="layer",
                     format_func=bound(lambda v: t(f"layer.{v}")))
    with controls[2]:
        widgets.month_picker(months, key="month")

    with st.expander(t("filter.more"), expanded=bool(states_key or models_key or agencies_key),
                     icon=":material/filter_list:"):
        filters = st.columns(3)
        with filters[0]:
            st.multiselect(t("filter.states"), states_all, key="states", format_func=state_name,
                           placeholder=t("filter.states.placeholder"))
        with filters[1]:
            st.multiselect(t("filter.models"), list(schema.MODELS), key="models",
                           format_func=bound(widgets.model_label),
                           placeholder=t("filter.models.placeholder"))
        with filters[2]:
            st.multiselect(t("filter.agency_types"), list(schema.AGENCY_TYPES), key="agencies",
                           format_func=bound(widgets.agency_type_label),
                           placeholder=t("filter.agency_types.placeholder"))

# The table is the map's text alternative. It runs only while its expander is open: its
# 3,142 rows (and the data-grid code) slowed the map's first paint by 0.1-0.3 s and every filter
# change by ~40 ms, for a view most visitors do not open. The CSV is built on click.
level_rows = data.level_postures(rid, level, month, models_key, agencies_key)
if states_key:
    level_rows = level_rows[level_rows["state_fips"].isin(list(states_key))]
table_box = st.expander(t("table.title", n=number(len(level_rows))), key="table_open",
                        on_change="rerun", icon=":material/table:")


def level_table() -> pd.DataFrame:
    """The table and the CSV: one call, so they carry the same columns."""
    return queries.display_table(level_rows, level, layer,
                                 stance_laws=data.stance_laws(rid, month),
                                 undated=data.undated_laws(rid, month))


if table_box.open:
    with table_box:
        st.dataframe(queries.compact(level_table()), hide_index=True, placeholder="—",
                     width="stretch", height=360)
widgets.csv_download(level_table, file_name=f"coopmap-{level}-{layer}-{month}.csv",
                     key="map_csv")

state.publish(PARAMS, widgets.MAP_PAGE, rid)
widgets.copy_link()
widgets.release_caption(release)
