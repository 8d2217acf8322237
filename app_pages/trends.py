"""Trends: national growth by month and model since 2021, new agreements per month, states
ranked, and one state's own trend on request."""

import streamlit as st

from coopmap import detention_views, figures, schema
from coopmap.text import bound, t, words
from coopmap.ui import data, queries, state, widgets

release = widgets.load_release(widgets.TRENDS_PAGE)
widgets.tab_title(t("page.trends"))
rid = release.id
months = data.months(rid)
states_all = widgets.state_options(release)
state_name = widgets.state_label(release)
as_of = release.as_of.get("participating", "?")
source = t("fig.source", as_of=as_of, release=rid)
model_colours = {k: schema.MODEL_CATEGORY_COLOURS[k] for k in schema.MODELS}
model_names = words(schema.MODELS)
month_words = {m: data.month_label(m) for m in months}

PARAMS = [
    state.Param("agencies", [], list(schema.AGENCY_TYPES), multi=True),
    state.Param("state", None, states_all),
    state.Param("month", months[-1], months, explicit=True),
]
ignored = state.restore(PARAMS, widgets.TRENDS_PAGE)
widgets.ignored_notice(ignored)

st.title(t("page.trends"))
chosen_agencies = st.multiselect(t("filter.agency_types"), list(schema.AGENCY_TYPES),
                                 key="agencies", format_func=bound(widgets.agency_type_label),
                                 placeholder=t("filter.agency_types.placeholder"))
agencies_key = tuple(a for a in schema.AGENCY_TYPES if a in chosen_agencies) or None
filters = (" · " + ", ".join(widgets.agency_type_label(a) for a in agencies_key)
           if agencies_key else "")
subtitle = t("trends.subtitle", filters=filters, month=data.month_label(months[-1]))

growth = data.trend_by_model(rid, None, agencies_key)
fig = figures.stacked_bars(growth, x="month", y="agreements", colour="model",
                           categories=model_names, colours=model_colours,
                           title=t("trends.growth.title"), subtitle=subtitle, source=source,
                           y_title=t("trends.axis.agreements"), x_labels=month_words)
widgets.chart(fig, key="trend_growth", preset="landscape", filename="coopmap-growth")
st.caption(t("trends.note"))

new = data.trend_new(rid, None)
fig = figures.stacked_bars(new, x="month", y="agreements", colour="model",
                           categories=model_names, colours=model_colours,
                           title=t("trends.new.title"),
                           subtitle=t("trends.subtitle.new", month=data.month_label(months[-1])),
                           source=source, y_title=t("trends.axis.agreements"), x_labels=month_words)
widgets.chart(fig, key="trend_new", preset="landscape", filename="coopmap-new")

ended = data.trend_ended(rid, None)
fig = figures.stacked_bars(ended, x="month", y="agreements", colour="model",
                           categories=model_names, colours=model_colours,
                           title=t("trends.ended.title"),
                           subtitle=t("trends.subtitle.ended", month=data.month_label(months[-1])),
                           source=source, y_title=t("trends.axis.agreements"), x_labels=month_words)
widgets.chart(fig, key="trend_ended", preset="landscape", filename="coopmap-ended")

rank_month = widgets.month_picker(months, key="month", label=t("trends.states.month"))
ranked = queries.states_ranked(data.state_postures(rid, rank_month, None, agencies_key),
                               data.territory_postures(rid, rank_month, None, agencies_key))
fig = figures.ranked_bars(ranked, label="name", value="n_agreements",
                          title=t("trends.states.title", month=data.month_label(rank_month)),
                          subtitle=t("trends.subtitle.states", filters=filters,
                                     month=data.month_label(rank_month)),
                          source=source,
                          value_title=t("trends.axis.agreements"))
widgets.chart(fig, key="trend_states", preset="square", filename="coopmap-states")

# --- ICE detention ----------------------------------------------------------------------------
det_months = data.detention_months(rid)
det_source = t("fig.source.detention_year", first=data.month_label(det_months[0]),
               last=data.month_label(det_months[-1]),
               release=rid)
detention = data.detention_trend(rid)
fig = figures.stacked_bars(detention, x="month", y="adp", colour="series",
                           categories=detention_views.trend_labels(),
                           colours=detention_views.TREND_COLOURS,
                           title=t("trends.detention.title"),
                           subtitle=t("trends.detention.subtitle",
                                      first=data.month_label(det_months[0]),
                                      last=data.month_label(det_months[-1])),
                           source=det_source, y_title=t("trends.axis.people"),
                           x_labels=month_words)
widgets.chart(fig, key="trend_detention", preset="landscape", filename="coopmap-detention")

ranked_local = data.detention_states_ranked(rid, det_months[-1])
fig = figures.ranked_bars(ranked_local, label="name", value="adp",
                          title=t("trends.detention.states.title",
                                  month=data.month_label(det_months[-1])),
                          subtitle=t("trends.detention.states.subtitle",
                                     month=data.month_label(det_months[-1])),
                          source=det_source, value_title=t("trends.axis.people"))
widgets.chart(fig, key="trend_detention_states", preset="square",
              filename="coopmap-detention-states")

law = data.trend_detainer_law(rid)
detainer = queries.detainer_law_readings(release, months)  # the readings the bars count
fig = figures.stacked_bars(
    law, x="month", y="states", colour="value",
    categories={v: t(f"trends.law.value.{v}") for v in queries.LAW_TREND_VALUES},
    colours={v: schema.POLICY_VALUE_COLOURS[v] for v in queries.LAW_TREND_VALUES},
    title=t("trends.law.title"),
    subtitle=t("trends.law.subtitle", start=data.month_label(months[0]),
               end=data.month_label(months[-1])),
    source=t("trends.law.source", checked=int((detainer["check_status"] == "checked_text").sum()),
             n=len(detainer), release=rid),
    y_title=t("trends.law.axis"), x_labels=month_words)
widgets.chart(fig, key="trend_detainer_law", preset="landscape",
              filename="coopmap-detainer-laws")

st.subheader(t("trends.state.pick"))
chosen_state = st.selectbox(t("trends.state.pick"), states_all, key="state", index=None,
                            format_func=state_name, placeholder=t("filter.states.placeholder"),
                            label_visibility="collapsed")
if chosen_state:
    own = data.trend_by_model(rid, (chosen_state,), agencies_key)
    fig = figures.stacked_bars(own, x="month", y="agreements", colour="model",
                               categories=model_names, colours=model_colours,
                               title=t("trends.state.title", state=state_name(chosen_state)),
                               subtitle=subtitle, source=source,
                               y_title=t("trends.axis.agreements"), x_labels=month_words)
    widgets.chart(fig, key="trend_state", preset="landscape",
                      filename=f"coopmap-trend-{chosen_state}")

with st.expander(t("trends.table")):
    wide = growth.pivot(index="month", columns="model", values="agreements")
    wide = wide.rename(columns=model_names).reset_index()
    st.dataframe(wide, hide_index=True, placeholder="—", width="stretch")
    widgets.csv_download(
        lambda: growth.pivot(index="month", columns="model", values="agreements")
        .rename(columns=schema.MODELS).reset_index(),
        file_name="coopmap-growth.csv", key="trend_csv")

state.publish(PARAMS, widgets.TRENDS_PAGE, rid)
widgets.copy_link()
widgets.release_caption(release)
