"""Place profile: what applies in one county or state, in plain words, with the source and date of
every fact."""

import pandas as pd
import streamlit as st

from coopmap import designations as federal_lists
from coopmap import detention_views, figures, law_readings, schema
from coopmap.text import label, model_list, number, t, tn, words
from coopmap.ui import data, law_text, mapview, queries, state, widgets

release = widgets.load_release(widgets.PROFILE_PAGE)
rid = release.id
months = data.months(rid)
index = data.place_index(rid)

TIMELINE_MAX = 60  # bars; a state's full list is in the table above and in the Trends page

PARAMS = [
    state.Param("place", None, lambda f: index.get(f) is not None),
    state.Param("month", months[-1], months, explicit=True),
    state.Param("layer", "model", list(figures.LAYERS), explicit=True),
]
ignored = state.restore(PARAMS, widgets.PROFILE_PAGE)
widgets.ignored_notice(ignored)


def _open_place(fips: str) -> None:
    # Clicking another county of the state's map opens its profile here (a callback may set
    # the picker's value: it runs before the picker is drawn again).
    st.session_state["place"] = fips


def _timeline() -> None:
    """Every agreement ever listed for the place, one bar per listing spell (gaps show)."""
    st.subheader(t("profile.section.timeline"))
    history = (queries.place_history(release, county_fips=place.fips)
               if place.level == "county"
               else queries.place_history(release, state_fips=place.fips))
    if history.empty:
        st.markdown(t("profile.no_agreements", month=data.month_label(months[-1])))
        return
    if len(history) > TIMELINE_MAX:
        st.caption(t("profile.timeline.truncated", shown=TIMELINE_MAX, total=len(history)))
    bars = queries.history_bars(release, history.head(TIMELINE_MAX))
    tl = figures.timeline(bars, label="label", start="first_listed",
                          end="last_listed", colour="model",
                          categories=words(schema.MODELS),
                          colours={k: schema.MODEL_CATEGORY_COLOURS[k] for k in schema.MODELS},
                          title=t("profile.section.timeline") + f": {place.label}",
                          subtitle=f"{data.month_label(months[0])} – "
                                   f"{data.month_label(months[-1])}",
                          source=t("fig.source", as_of=as_of, release=rid),
                          month_labels={m: data.month_label(m) for m in months},
                          span=t("chart.span", start="%{customdata[0]}",
                                 end="%{customdata[1]}"),
                          period=(months[0], months[-1]), note="note")
    widgets.chart(tl, key="profile_timeline", preset="landscape",
                  filename=f"coopmap-timeline-{place.fips}")


def _territory() -> None:
    """A territory: no shape, counties, state-law reading or population source here, so the
    profile is its agreements, in words and as a table, and their timeline."""
    row = data.territory_postures(rid, month).set_index("state_fips").loc[place.fips]
    n = int(row["n_agreements"])
    if n == 1:
        st.markdown(t("profile.summary.territory.one", month=month_words, name=place.name))
    elif n:
        st.markdown(t("profile.summary.territory", month=month_words, n=number(n),
                      name=place.name, agencies=number(row["n_agencies"])))
    else:
        st.markdown(t("profile.summary.territory_none", month=month_words, name=place.name))
    st.info(t("profile.territory.no_map", name=place.name))
    st.subheader(t("profile.section.agreements"))
    rows = queries.place_agreements(release, month, state_fips=place.fips)
    if rows.empty:
        st.markdown(t("profile.no_agreements", month=month_words))
    else:
        st.dataframe(queries.agreements_display(rows, queries.listing_notes(release, rows)),
                     hide_index=True, placeholder="—", width="stretch",
                     column_config=widgets.agreement_columns())
        st.caption(t("profile.agreements.source", month=month_words,
                     file=", ".join(sorted(rows["source_file"].unique()))))
    _timeline()
    state.publish(PARAMS, widgets.PROFILE_PAGE, rid)
    widgets.copy_link()
    widgets.release_caption(release)
    st.stop()


st.title(t("page.profile"))
widgets.place_search(index, key="profile_search", on_pick=_open_place)

fips = st.session_state.get("place")
place = index.get(fips) if fips else None
widgets.tab_title(place.label if place is not None else t("page.profile"))
if place is None:
    st.info(t("profile.pick"))
    state.publish(PARAMS, widgets.PROFILE_PAGE, rid)
    st.stop()

month = widgets.month_picker(months, key="month")
month_words = data.month_label(month)
as_of = release.as_of.get("participating", "?")

st.header(place.label if place.level == "county" else place.name)
if place.level == "territory":
    _territory()
if place.level == "county":
    counties = data.county_postures(rid, month)
    row = counties.set_index("county_fips").loc[place.fips]
    if int(row["n_agreements"]) > 0:
        models = [m for m, c in (("JEM", "has_jem"), ("WSO", "has_wso"), ("TFM", "has_tfm"))
                  if bool(row[c])]
        one = int(row["n_agreements"]) == 1
        st.markdown(t("profile.summary.county_some.one" if one else "profile.summary.county_some",
                      month=month_words, n=number(row["n_agreements"]),
                      name=queries.md_escape(place.label), models=model_list(models)))
    else:
        st.markdown(t("profile.summary.county_none", month=month_words,
                      name=queries.md_escape(place.label)))
    # Who holds them, the sheriff first (a city police agreement is not the county's).
    local = queries.place_agreements(release, month, county_fips=place.fips)
    statewide_now = queries.place_agreements(release, month, state_fips=place.state_fips,
                                             statewide=True)
    st.markdown(t("profile.holders.title", month=month_words) + "\n\n" + "\n".join(
        f"- {line}" for line in queries.holders(local, statewide_now)))
    in_state = counties[counties["state_fips"] == place.state_fips]
    with_any = int(in_state["has_287g"].sum())
    total = len(in_state)
    # A state of one county (the District of Columbia) has no ranking to give.
    if total > 1 and bool(row["has_287g"]):
        st.markdown(tn("profile.rank.with", with_any, name=queries.md_escape(place.name),
                       k=with_any, state=place.state_name, total=total))
    elif total > 1:
        st.markdown(tn("profile.rank.without", total - with_any,
                       name=queries.md_escape(place.name), k=total - with_any,
                       state=place.state_name, total=total))
else:
    states = data.state_postures(rid, month)
    row = states.set_index("state_fips").loc[place.fips]
    n_agreements = int(row["n_agreements"])
    n_counties = len(data.county_postures(rid, month).query("state_fips == @place.state_fips"))
    summary = tn("profile.summary.state", n_agreements if n_agreements < 2 else 2,
                 month=month_words, name=place.name,
                 agreements=tn("count.agreements", n_agreements),
                 agencies=tn("count.agencies", int(row["n_agencies"])))
    if n_agreements and n_counties > 1:
        summary += " " + tn("profile.summary.state.counties", int(row["counties_with_287g"]),
                            counties=number(row["counties_with_287g"]),
                            total=number(n_counties))
    st.markdown(summary)

# --- the state map with this place outlined ---------------------------------------------------
layer = st.session_state.get("layer") or "model"
spec = data.map_spec(rid, "county", layer, month, (place.state_fips,), None, None,
                     (place.fips,) if place.level == "county" else None)
mapview.map_view(data.map_view_data(spec, "county", filename=f"coopmap-{place.fips}-{month}",
                                    clickable=True),
                 key="profile_map", on_click=_open_place)

# --- agreements -------------------------------------------------------------------------------
link_col = widgets.agreement_columns()
st.subheader(t("profile.section.agreements"))
if place.level == "county":
    rows = queries.place_agreements(release, month, county_fips=place.fips)
else:
    rows = queries.place_agreements(release, month, state_fips=place.state_fips)
if rows.empty:
    st.markdown(t("profile.no_agreements", month=month_words))
else:
    shown = queries.agreements_display(rows, queries.listing_notes(release, rows))
    st.dataframe(shown, hide_index=True, placeholder="—", width="stretch", column_config=link_col)
    # The tables' own export is off (.streamlit/config.toml): this CSV neutralises formulas.
    widgets.csv_download(lambda: queries.agreements_display(rows, queries.listing_notes(release,
                                                                                     rows)),
                         file_name=f"coopmap-agreements-{place.fips}.csv",
                         key="profile_agreements_csv")
    files = sorted(rows["source_file"].unique())
    st.caption(t("profile.agreements.source", month=month_words, file=", ".join(files)))

if place.level == "county":
    st.subheader(t("profile.section.statewide"))
    statewide = queries.place_agreements(release, month, state_fips=place.state_fips,
                                         statewide=True)
    if statewide.empty:
        st.markdown(t("profile.no_statewide", state=place.state_name, month=month_words))
    else:
        st.dataframe(queries.agreements_display(statewide,
                                                queries.listing_notes(release, statewide)),
                     hide_index=True, placeholder="—", width="stretch", column_config=link_col)

# --- ICE detention ------------------------------------------------------------------------------
detention_rows = data.place_facilities(rid, place.fips if place.level == "county" else None,
                                       None if place.level == "county" else place.state_abbr)
st.subheader(t("profile.section.detention" if place.level == "county"
               else "profile.section.detention.state"))
if place.level == "county":
    for sentence in data.voter_sentences(rid, place.fips, place.name):
        st.markdown(queries.md_escape(sentence))
det_months = data.detention_months(rid)
det_month = month if month in det_months else det_months[-1]
if det_month != month:
    st.markdown(t("profile.detention.no_month", month=month_words,
                  first=data.month_label(det_months[0]), last=data.month_label(det_months[-1])))
det_row = data.level_postures(rid, place.level, det_month).set_index(
    "county_fips" if place.level == "county" else "state_fips").loc[[place.fips]]
st.markdown(t("profile.detention.month", month=data.month_label(det_month),
              words=queries.detention_words(det_row).iloc[0]))
if detention_rows.empty:
    st.markdown(t("profile.detention.none"))
else:
    st.dataframe(
        detention_views.facilities_display(detention_rows), hide_index=True, placeholder="—",
        width="stretch",
        column_config={
            # Facility, people a day and type fit the 358 px a phone leaves the table.
            t("detention.col.facility"): st.column_config.TextColumn(width=140),
            t("detention.col.adp"): st.column_config.NumberColumn(width=80),
            t("detention.col.type"): st.column_config.TextColumn(width=130),
            t("detention.col.trend"): st.column_config.LineChartColumn(
                t("detention.col.trend"), y_min=0, width="small")},
        key="profile_detention")
    widgets.csv_download(lambda: detention_views.facilities_display(detention_rows).drop(
        columns=[t("detention.col.trend")]), file_name=f"coopmap-detention-{place.fips}.csv",
        key="profile_detention_csv")
st.caption(t("profile.detention.caveat"))

# --- state law (the readings in effect in the month shown) -------------------------------------
st.subheader(t("profile.section.state_law"))
readings = release.table("law_readings")
state_row = data.state_postures(rid, month).set_index("state_fips").loc[place.state_fips]
none_found = law_text.no_law_found(readings, place.state_fips)
if none_found:
    st.markdown(none_found)
else:
    stance = label(schema.STANCES, state_row["state_law_stance"])
    check = state_row["state_law_check"]
    st.markdown(t("profile.law.stance_check", month=month_words, stance=stance,
                  check=words(schema.VALUE_CHECKS)[check]) if isinstance(check, str)
                else t("profile.law.stance", month=month_words, stance=stance))
    blocks = law_text.laws_in_effect(readings, place.state_fips, month)
    if not blocks:
        st.markdown(t("profile.law.none_in_effect", month=month_words))
    else:
        st.markdown("**" + t("profile.law.in_effect", month=month_words) + "**")
    for b in blocks:
        with st.container(border=True, key=f"law_{b.law_id}"):
            st.markdown("**" + queries.md_escape(b.heading) + "**")
            st.caption(b.dates)
            for p in b.provisions:
                st.markdown(p["line"])  # contract words only: no data text
                if p["overridden"]:
                    st.caption(t("profile.law.overridden", month=month_words,
                                 law=p["overridden"]))
                if p["quote"]:
                    st.text(p["quote"])
                st.caption(queries.md_escape(p["check"]))  # may name a summary: data text
                if p["url"]:
                    st.link_button(t("profile.law.read"), p["url"])
    for dim in law_readings.NON_PRACTICES:  # the practices' histories are told below
        past = law_text.law_history(readings, place.state_fips, dim)
        if past:
            st.caption(past)
    undated = law_text.undated_lines(readings, place.state_fips)
    if undated:  # read, but dated nowhere: said here, not hidden in the closed list below
        st.markdown(tn("profile.law.undated", len(undated)))
    others = law_text.other_laws(readings, place.state_fips, month)
    if others:
        with st.expander(t("profile.law.others", month=month_words)):
            for line in others:
                st.text(line)

# --- policies ---------------------------------------------------------------------------------
st.subheader(t("profile.section.policies"))
policies = release.table("policies")
mine = policies[(policies["level"] == place.level) & (policies["fips"] == place.fips)
                ].set_index("dimension")
for dim, dim_name in words(schema.POLICY_DIMENSIONS).items():
    value, basis, check = row[dim], row[f"{dim}_basis"], row[f"{dim}_check"]
    undated = law_text.undated_lines(readings, place.state_fips, dim, month)
    if (value != "unknown" and basis in law_readings.READING_BASES
            and check != "staff_finding"):
        value_words = law_text.law_value_text(dim, value, basis)
    elif undated:  # unknown, but a law on it was read: its date is what is not known
        value_words = t("profile.policy.undated_value")
    else:
        value_words = words(schema.POLICY_VALUE_TEXT[dim])[value]
    st.markdown(t("profile.policy.line", dimension=dim_name, text=value_words))
    if value == "unknown":
        st.caption(t("profile.policy.unknown", month=month_words))
        for line in undated:
            st.caption(queries.md_escape(line))  # data text (citation)
    elif check == "staff_finding" and dim in mine.index:
        p = mine.loc[dim]
        st.caption(t("profile.policy.staff", basis=words(schema.POLICY_BASES)[basis],
                     source=queries.md_escape(p["source"]) if isinstance(p["source"], str)
                     else "?",
                     date=p["as_of"].strftime("%Y-%m-%d") if pd.notna(p["as_of"]) else "?"))
    else:
        st.caption(t("profile.policy.basis", basis=words(schema.POLICY_BASES)[basis],
                     source=row[f"{dim}_source"], check=words(schema.VALUE_CHECKS)[check]))
    if value != "unknown":  # a later law may change it once its date is known: say it exists
        for line in undated:
            st.caption(t("profile.policy.undated_also", line=queries.md_escape(line)))
    past = law_text.policy_history(readings, place.state_fips, dim)
    if past:
        st.caption(past)

# --- federal lists ----------------------------------------------------------------------------
st.subheader(t("profile.section.federal"))
designations = release.table("designations")
if place.level == "county":
    named = federal_lists.place_designations(designations, "county", place.fips)
else:
    named = federal_lists.place_designations(designations, "state", place.fips)
    named = named[named["relation"] == "itself"]
if named.empty:
    st.markdown(t("profile.federal.none"))
else:
    for _, d in named.iterrows():
        key = "profile.federal.named" if d["relation"] == "itself" else "profile.federal.city_named"
        st.text(t(key, name=d["name_as_published"], list=words(schema.FEDERAL_LISTS)[d["list_id"]]))
st.caption(t("profile.federal.caveat"))

# --- population -------------------------------------------------------------------------------
st.subheader(t("profile.section.population"))
if pd.notna(row["population"]):
    st.markdown(t("profile.population", population=number(row["population"])))
else:
    notes = release.table("counties").set_index("county_fips")
    note = notes.loc[place.fips, "population_note"] if place.fips in notes.index else ""
    st.markdown(t("profile.population.missing", note=note or t("unknown")))

# --- timeline ---------------------------------------------------------------------------------
_timeline()

links = st.columns(2)
if place.level == "county":
    links[0].page_link(widgets.PROFILE_PAGE, label=t("profile.state_link", state=place.state_name),
                       query_params=state.link(place=place.state_fips), icon=":material/map:")
links[1].page_link(widgets.COMPARE_PAGE, label=t("profile.compare_link"),
                   query_params=state.link(places=place.fips), icon=":material/compare:")

state.publish(PARAMS, widgets.PROFILE_PAGE, rid)
widgets.copy_link()
widgets.release_caption(release)
