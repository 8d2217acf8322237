"""Compare: 2 to 4 places side by side (one table, a column per place, the same on a phone), and
two map panels with the same extent and legend (two months or two layers)."""

import streamlit as st

from coopmap import figures
from coopmap.detention_postures import DETENTION_COLUMNS
from coopmap.text import bound, t
from coopmap.ui import data, mapview, queries, state, widgets

release = widgets.load_release(widgets.COMPARE_PAGE)
widgets.tab_title(t("page.compare"))
rid = release.id
months = data.months(rid)
index = data.place_index(rid)
default_b = months[-13] if len(months) > 12 else months[0]

PARAMS = [
    # Territories have no posture to compare (not on the map): their profiles say so.
    state.Param("places", [], lambda f: getattr(index.get(f), "level", "territory") != "territory",
                multi=True, max_items=4),
    state.Param("month", months[-1], months, explicit=True),
    state.Param("view", "places", ["places", "maps"]),
    state.Param("level", "county", ["county", "state"]),
    state.Param("layer_a", "model", list(figures.LAYERS)),
    state.Param("layer_b", "model", list(figures.LAYERS)),
    state.Param("month_a", default_b, months),
    state.Param("month_b", months[-1], months),
]
ignored = state.restore(PARAMS, widgets.COMPARE_PAGE)
widgets.ignored_notice(ignored)

st.title(t("page.compare"))
view = st.segmented_control(
    t("page.compare"), ["places", "maps"], key="view", required=True,
    format_func=bound(lambda v: t(f"compare.tab.{v}")), label_visibility="collapsed",
) or "places"

if view == "places":
    options = [f for f in index.options() if index.get(f).level != "territory"]
    # select_all=False: Enter adds the first match only (not "Select 2 matches": "Harris
    # County, TX" also matches Harrison County, TX).
    chosen = st.multiselect(t("compare.places"), options, key="places", max_selections=4,
                            format_func=index.label, help=t("compare.places.help"),
                            placeholder=t("search.placeholder"), select_all=False)
    month = widgets.month_picker(months, key="month")
    if len(chosen) < 2:
        st.info(t("compare.need_two"))
    else:
        counties = data.county_postures(rid, month).set_index("county_fips")
        states = data.state_postures(rid, month).set_index("state_fips")
        # The detention row outside the daily counts' months shows their newest month (as the
        # profile does), said under the table, instead of "no monthly data" for every place.
        det_months = data.detention_months(rid)
        det_month = month if month in det_months or not det_months else det_months[-1]
        if det_month != month:
            for frame, level in ((counties, "county"), (states, "state")):
                newest = data.level_postures(rid, level, det_month).set_index(frame.index.name)
                cols = [c for c in DETENTION_COLUMNS if c in frame.columns]
                frame[cols] = newest[cols].reindex(frame.index)
        rows, fips_of = {}, {}
        for fips in chosen:
            place = index.get(fips)
            fips_of[place.label] = fips
            rows[place.label] = (counties.loc[fips] if place.level == "county"
                                 else states.loc[fips])
        table = queries.compare_rows(rows, data.undated_laws(rid, month),
                                     data.stance_laws(rid, month))
        st.caption(t("compare.legend"))
        # One table (places as columns): the rows line up, and on a phone it stays one screen
        # or two instead of the ~5,000 px of stacked cards it was.
        st.html(widgets.UI_DIR / "compare.css")
        with st.container(key="compare_table"):
            st.markdown(queries.compare_markdown(table))
        if det_month != month:
            st.caption(t("compare.detention.month", shown=data.month_label(det_month),
                         first=data.month_label(det_months[0]),
                         last=data.month_label(det_months[-1]),
                         month=data.month_label(month)))
        with st.container(horizontal=True, key="compare_profiles"):
            for name in rows:
                st.page_link(widgets.PROFILE_PAGE, label=t("compare.profile", place=name),
                             query_params=state.link(place=fips_of[name]),
                             icon=":material/location_on:")
else:
    top = st.columns(2)
    level = top[0].segmented_control(
        t("filter.level"), ["county", "state"], key="level", required=True,
        format_func=bound(lambda v: t(f"filter.level.{v}")),
    ) or "county"
    panels = st.columns(2)
    for col, side in zip(panels, ("a", "b"), strict=True):
        with col:
            layer = st.selectbox(t(f"compare.layer_{side}"), list(figures.LAYERS),
                                 key=f"layer_{side}", format_func=bound(lambda v: t(f"layer.{v}")))
            month = widgets.month_picker(months, key=f"month_{side}",
                                         label=t(f"compare.month_{side}"))
            spec = data.map_spec(rid, level, layer, month)
            mapview.map_view(data.map_view_data(spec, level,
                                                filename=f"coopmap-{layer}-{level}-{month}"),
                             key=f"compare_map_{side}")

state.publish(PARAMS, widgets.COMPARE_PAGE, rid)
widgets.copy_link()
widgets.release_caption(release)
