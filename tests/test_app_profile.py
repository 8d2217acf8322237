"""AppTest of the place profile: plain words, sources, links, its URL, search."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from map_views import map_views
from streamlit.testing.v1 import AppTest

from coopmap import law_readings, postures, schema
from coopmap.ui import law_text, queries

pytestmark = pytest.mark.usefixtures("fresh_cache")
APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")
PAGE = "app_pages/profile.py"


def open_profile(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(PAGE)
    return at.run()


def shown(markdown: str) -> str:
    """Markdown source as the reader sees it: the page's escapes (queries.md_escape) removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


def texts(at: AppTest) -> str:
    """Every text as shown (Markdown and captions unescaped; st.text is literal already)."""
    return "\n".join([shown(m.value) for m in at.markdown] + [shown(c.value) for c in at.caption]
                      + [x.value for x in at.text])


def test_county_profile_in_plain_words_with_sources(release):
    at = open_profile(place="12071")
    assert not at.exception
    month = postures.months(release)[-1]
    row = postures.county_postures(release, month).set_index("county_fips").loc["12071"]
    body = texts(at)
    assert (f"{int(row['n_agreements'])} 287(g) agreements of local agencies applied in "
            "Lee County, FL") in body
    florida = postures.county_postures(release, month).query("state_fips == '12'")
    with_any = int(florida["has_287g"].sum())
    assert f"1 of {with_any} Florida counties with an agreement" in body
    # The agreements: one row per active agreement, with MOA links, no raw codes.
    agreements = queries.place_agreements(release, month, county_fips="12071")
    table = at.dataframe[0].value
    assert len(table) == len(agreements) > 0
    assert set(table["Model"]) <= set(schema.MODELS.values())
    assert table["Agreement (MOA)"].dropna().str.startswith("http").all()
    assert "Source: ICE list of" in body
    # The state-law readings in effect, each with its check; practices with basis and law.
    assert "Laws in effect in May 2026" in body and "How checked:" in body
    assert "AI-drafted" not in body and "Unreviewed draft" not in body
    assert ("Detainer holds: state law requires jails to hold people on ICE detainers." in body
            and "Basis: State law (FL-SB168-2019)" in body)
    assert "allegations" in body
    assert "residents" in body
    assert at.query_params["place"] in ("12071", ["12071"])


def test_profile_map_is_the_state_zoomed_with_the_place_outlined(release):
    at = open_profile(place="12071")
    [view] = map_views(at)
    florida = release.table("counties").query("state_fips == '12'")["county_fips"]
    assert sorted(r[0] for r in view["rows"]) == sorted(florida)
    assert view["focus"] == ["12"] and view["highlight"] == ["12071"] and view["clickable"]
    # Its picture names the place outlined.
    assert view["title"].startswith("Lee County, FL, outlined: ")
    state = map_views(open_profile(place="12"))[0]
    assert state["focus"] == ["12"] and state["highlight"] == []


def test_unknown_policy_is_said_to_be_unknown_not_no(release):
    at = open_profile(place="12071")
    body = texts(at)
    month = postures.months(release)[-1]
    row = postures.county_postures(release, month).set_index("county_fips").loc["12071"]
    unknown = [dim for dim in schema.POLICY_DIMENSIONS if row[dim] == "unknown"]
    assert unknown  # Florida's laws do not settle jail access
    for dim in unknown:
        assert f"{schema.POLICY_DIMENSIONS[dim]}: {schema.POLICY_VALUE_TEXT[dim]['unknown']}" \
            in body
    assert "No state law in effect in May 2026 settles it" in body


def test_state_profile(release):
    at = open_profile(place="48")
    assert not at.exception
    month = postures.months(release)[-1]
    row = postures.state_postures(release, month).set_index("state_fips").loc["48"]
    assert f"{int(row['n_agreements']):,} agreements under 287(g) were active in Texas" in texts(at)
    assert any(h.value == "Texas" for h in at.header)


def test_earlier_month_from_the_url(release):
    at = open_profile(place="12071", month="2024-06")
    assert at.select_slider(key="month").value == "2024-06"
    assert "June 2024" in texts(at)


def test_no_place_asks_for_one_and_bad_place_is_ignored():
    for params in ({}, {"place": "99999"}):
        at = open_profile(**params)
        assert not at.exception
        assert at.info and "Choose a county or state" in at.info[0].value


def test_empty_shape_and_legacy_counties_have_profiles():
    for place in ("51610", "09003", "02261"):
        at = open_profile(place=place)
        assert not at.exception, place


def test_picking_another_place_updates_the_url():
    at = open_profile(place="12071", month="2025-06")
    at.text_input(key="profile_search").input("los angeles county").run()
    assert not at.exception
    assert at.query_params["place"] in ("06037", ["06037"])
    assert any("Los Angeles County, CA" in h.value for h in at.header)
    assert at.query_params["month"] in ("2025-06", ["2025-06"])  # the month stays
    at.text_input(key="profile_search").input("Jackson, MS").run()
    [first, *_] = [b for b in at.button if b.key and b.key.startswith("profile_search_pick_")]
    assert first.label == "Jackson, MS — Hinds County"
    first.click().run()
    assert any("Hinds County, MS" in h.value for h in at.header)


def test_an_unknown_place_in_the_link_is_said_and_ignored():
    at = open_profile(place="99999")
    assert not at.exception
    assert any("place=99999" in w.value for w in at.warning)
    assert at.info and "Choose a county or state" in at.info[0].value


def test_renamed_agreement_shows_its_names_and_true_start(release):
    """Waukesha County, WI: the sheriff's JEM, listed since 2021-01 as 'Sheriff's Office' and
    from 2025-08 as 'Sheriff's Department', is one agreement listed since 2021-01."""
    at = open_profile(place="55133")
    assert not at.exception
    table = at.dataframe[0].value
    jem = table[table["Model"] == schema.MODELS["JEM"]].iloc[0]
    assert jem["Agency"] == "Waukesha County Sheriff's Department"
    assert jem["Listed since"] == "2021-01"
    assert "Also listed as Waukesha County Sheriff's Office (2021-01 – 2025-07)." in \
        jem["Names and gaps on ICE's lists"]


def test_relisted_agreement_shows_its_gap_and_new_moa(release):
    """Bradley County, TN: the sheriff's JEM was off ICE's list in Oct-Nov 2025 and relisted in
    December with a new MOA; the timeline has two bars for it."""
    at = open_profile(place="47011")
    assert not at.exception
    table = at.dataframe[0].value
    jem = table[table["Model"] == schema.MODELS["JEM"]].iloc[0]
    note = jem["Names and gaps on ICE's lists"]
    assert "Off ICE's list after 2025-09; relisted 2025-12." in note
    assert "New MOA signed 2025-12-09." in note
    import json
    timeline = json.loads(at.get("plotly_chart")[-1].proto.spec)
    bars = [(y, data) for trace in timeline["data"]
            for y, data in zip(trace["y"], trace["customdata"], strict=True)
            if y.startswith("Bradley")]
    assert [y for y, _ in bars].count("Bradley County Sheriff's Office · JEM") == 2
    # The bar after the gap says it is a new MOA (in its hover), the first one does not.
    notes = sorted(data[2] for y, data in bars if y == "Bradley County Sheriff's Office · JEM")
    assert notes == ["", " · New MOA signed 2025-12-09."]


def test_county_of_a_named_city_says_the_city_is_named_not_the_county():
    at = open_profile(place="36047")  # Kings County (Brooklyn), NY
    assert not at.exception
    body = texts(at)
    assert "Not named itself, but a city in it is: “New York City” on the DHS list" in body
    assert "Not named itself, but a city in it is: “New York City, NY” on the DOJ list" in body
    assert "Not named on the DHS (May 2025) or DOJ (August 2025) lists." not in body


def page_text(at: AppTest) -> str:
    """Every text the page shows, tables included."""
    parts = [texts(at)]
    parts += [e.value for e in at.info] + [e.value for e in at.warning]
    parts += [e.label for e in at.expander]
    parts += [df.value.to_csv() for df in at.dataframe]
    return "\n".join(parts)


def test_maryland_profile_shows_only_the_laws_of_the_month(release):
    early = texts(open_profile(place="24", month="2021-01"))
    assert "No state law on these questions was in effect throughout January 2021." in early
    assert "Stance in January 2021: No state law found either way." in early
    assert "Laws in effect in" not in early
    assert "takes effect 2026-02-17" in early  # the 2026 law is listed as later, not applied
    late = texts(open_profile(place="24", month="2026-05"))
    assert "Laws in effect in May 2026" in late
    assert "287(g) agreements: state law forbids 287(g) agreements." in late
    assert "Stance in May 2026: Limits or forbids cooperation" in late


def test_north_carolina_shows_the_history_of_its_detainer_law():
    body = texts(open_profile(place="37119", month="2024-06"))
    assert "Detainer holds: Unknown: no source at hand says." in body
    assert ("History: since 2024-12-01: state law requires jails to hold people on ICE detainers "
            "(NC-HB10-2024); before 2024-12-01: no state law found in effect.") in body
    after = texts(open_profile(place="37119", month="2025-01"))
    assert "Detainer holds: state law requires jails to hold people on ICE detainers." in after


def test_district_of_columbia_profile_before_and_after_its_law():
    before = texts(open_profile(place="11", month="2021-04"))
    assert "Detainer holds: Unknown: no source at hand says." in before
    assert "No state law on these questions was in effect throughout April 2021." in before
    assert ("History: since 2021-04-27: state law forbids holding people on an ICE detainer "
            "without a judicial warrant or order (DC-SanctuaryValues-2020)") in before
    after = texts(open_profile(place="11001", month="2021-06"))
    assert ("Detainer holds: state law forbids holding people on an ICE detainer without a "
            "judicial warrant or order.") in after
    assert ("Release-date notification: state law forbids telling ICE of release dates without "
            "a judicial warrant or order.") in after


@pytest.mark.parametrize("when", ["newest", "2021-01"])
def test_every_state_profile_hides_reviewer_notes_and_is_consistent(release, when):
    """No reviewer note on any state's page; "no state law settles it" appears exactly for the
    practices no law in effect settles; at the newest month and at the first."""
    readings = release.table("law_readings")
    notes = readings["reviewer_note"].dropna()
    assert len(notes) > 40
    month = postures.months(release)[-1] if when == "newest" else when
    # what the laws in effect settle, read from the readings themselves (not from the postures
    # the page also reads, so a wrong posture cannot hide behind a matching page)
    held = law_readings.in_effect(readings, month)
    states = postures.state_postures(release, month).set_index("state_fips")
    assert len(states) == 51
    for fips in states.index:
        at = open_profile(place=fips, month=month)
        assert not at.exception, fips
        body = page_text(at)
        for note in notes:
            assert note[:50] not in body, (fips, note[:50])
        mine = held[held["state_fips"] == fips]
        settled = set(mine["dimension"]) & set(schema.POLICY_DIMENSIONS)
        unknown = len(schema.POLICY_DIMENSIONS) - len(settled)
        assert body.count("No state law in effect in") == unknown, fips
        for dim in settled:  # the line for a settled practice names the law's value and kind
            r = law_readings.pick(mine[mine["dimension"] == dim])
            said = law_text.law_value_text(dim, r["value"], law_readings.basis_of(r["basis_kind"]))
            assert schema.POLICY_DIMENSIONS[dim] + ": " + said in body, (fips, dim)
        if len(mine):
            assert "no state law settles these questions" not in body, fips
            assert "No state law on these questions was in effect" not in body, fips
        # the check above reads what the page shows: every quote in effect is seen in it
        for quote in mine["quote"].dropna():
            assert quote[:50] in body, (fips, quote[:50])
        assert "\n?: “" not in body and not body.startswith("?: “"), fips  # no "?" section


def test_a_summary_named_as_the_source_is_shown_as_typed():
    """New Hampshire's HB 511 rests on a summary whose URL has underscores: the caption
    escapes them, so Markdown neither italicises nor links any of it."""
    at = open_profile(place="33")
    assert not at.exception
    caps = [c.value for c in at.caption if "FastDemocracy" in c.value]
    assert caps
    assert all("billsummary\\_id" in c and "billsummary_id" not in c for c in caps)
    assert all("billsummary_id=" in shown(c) for c in caps)  # what the reader sees: as typed


def test_territory_profile_without_a_map(release):
    """Guam: ICE lists its Attorney General's TFM; the profile says it is not on the map."""
    at = open_profile(place="66")
    assert not at.exception
    body = texts(at) + "\n".join(i.value for i in at.info)
    assert "Guam is a U.S. territory: it is not on coopmap's maps" in body
    a = release.table("agreements")
    guam = a[(a["state_abbr"] == "GU") & (a["status"] == "participating")]
    assert len(guam) == 1
    assert "one agreement under 287(g) was active in Guam" in body
    table = at.dataframe[0].value
    assert list(table["Agency"]) == list(guam["agency"])
    assert not map_views(at)  # no map drawn
    nmi = open_profile(place="69")
    assert "2 agreements under 287(g) were active in Northern Mariana Islands" in texts(nmi)
    pr = open_profile(place="72")
    assert "no agency in Puerto Rico had a 287(g) agreement" in texts(pr)


def test_profile_says_who_holds_the_agreements_sheriff_first(release):
    """Harris County, TX: the first line says whether the sheriff holds one; city police and
    statewide agencies are counted apart, with the numbers of the release."""
    at = open_profile(place="48201")
    assert not at.exception
    month = postures.months(release)[-1]
    local = queries.place_agreements(release, month, county_fips="48201")
    sheriff = local[local["is_sheriff"]]
    holders = next(m.value for m in at.markdown if m.value.startswith("Who holds them"))
    first = holders.split("\n")[2]
    assert first.startswith("- **Sheriff: yes**" if len(sheriff) else "- **Sheriff: no**")
    city = local[(local["agency_type"] == "municipality") & ~local["is_sheriff"]]
    if len(city):
        n = "one agreement" if len(city) == 1 else f"{len(city)} agreements"
        assert f"City and town police: {n}" in holders
    else:
        assert "City and town police: none." in holders
    statewide = queries.place_agreements(release, month, state_fips="48", statewide=True)
    assert f"Statewide agencies of the state (they cover every county): {len(statewide)}" \
        in holders

def test_wording_has_no_broken_plurals(release):
    """No "1 of 1 District of Columbia counties", no "0 agreements held by 0 agencies"."""
    dc = open_profile(place="11001")
    assert not dc.exception
    text = " ".join(m.value for m in dc.markdown)
    assert "1 of 1" not in text and "District of Columbia counties" not in text
    states = postures.state_postures(release, "2021-01").set_index("state_fips")
    none = states.index[states["n_agreements"] == 0][0]
    at = open_profile(place=none, month="2021-01")
    text = " ".join(m.value for m in at.markdown)
    assert "no agreement under 287(g) was active" in text
    assert "0 agreements" not in text and "0 agencies" not in text
    one = states.index[states["n_agreements"] == 1]
    if len(one):
        text = " ".join(m.value for m in open_profile(place=one[0], month="2021-01").markdown)
        assert "one agreement under 287(g) was active" in text and "held by one agency" in text


def test_agreements_table_leads_with_agency_and_model_that_fit_a_phone():
    import json

    at = open_profile(place="12071")
    grid = at.dataframe[0]
    assert list(grid.value.columns[:2]) == ["Agency", "Model"]
    widths = json.loads(grid.proto.columns)
    # Both fit the 358 px a 390 px phone leaves for the table.
    assert widths["Agency"]["width"] + widths["Model"]["width"] <= 358


def test_missing_cells_show_a_dash_not_none(release):
    """A missing MOA link (ICE published none) shows "—", never "None", which a reader could
    take for "no agreement"; on every table of the profile."""
    at = open_profile(place="48201")  # Harris: a city police TFM listed without its MOA link
    assert not at.exception
    frames = list(at.dataframe)
    assert frames and all(f.proto.placeholder == "—" for f in frames)
    moa = [f.value for f in frames if any("MOA" in str(c) for c in f.value.columns)]
    assert any(df[[c for c in df.columns if "MOA" in str(c)][0]].isna().any() for df in moa)


def _undated_practice(release):
    """(state FIPS, practice, law id) of an undated reading on a practice no law in effect
    settles at the newest month (Maryland's Community Trust Act when this was written)."""
    readings = release.table("law_readings")
    held = law_readings.in_effect(readings, postures.months(release)[-1])
    settled = set(zip(held["state_fips"], held["dimension"], strict=True))
    rows = law_readings.undated(readings)
    rows = rows[rows["dimension"].isin(list(schema.POLICY_DIMENSIONS))].sort_values("law_id")
    for r in rows.itertuples():
        if (r.state_fips, r.dimension) not in settled:
            return r.state_fips, r.dimension, r.law_id
    pytest.skip("every reading on a practice has its effective date now")


def test_an_undated_reading_is_said_on_its_practice_not_hidden(release):
    """Unknown because a law's date is not established looks different from "no source says":
    the practice line says a law was read, the law is named under it, and the state-law section
    says how many readings are applied to no month, in English and in Spanish."""
    fips, dim, law_id = _undated_practice(release)
    readings = release.table("law_readings")
    at = open_profile(place=fips)
    assert not at.exception
    body = texts(at)
    name = schema.POLICY_DIMENSIONS[dim]
    assert (f"{name}: Unknown: a law on it was read, but its effective date is not "
            "established.") in body
    assert f"{name}: {schema.POLICY_VALUE_TEXT[dim]['unknown']}" not in body
    lines = law_text.undated_lines(readings, fips, dim)
    assert lines and all(line in [shown(c.value) for c in at.caption] for line in lines)
    n = len(law_readings.undated(readings[readings["state_fips"] == fips]))
    assert (("One reading of this state's laws has" if n == 1
             else f"{n} readings of this state's laws have")
            + " no established effective date, so") in body
    es = texts(open_profile(place=fips, lang="es"))
    assert "Se desconoce: se leyó una ley al respecto, pero su fecha de vigencia no está " \
        "establecida." in es
    assert "fecha de vigencia no establecida, así que no se aplica a ningún mes" in es
    # at a month before the law could have held (its session's year), the plain unknown
    year = law_id.rsplit("-", 1)[-1]
    if year.isdigit() and int(year) > 2021 and pd.isna(readings.set_index("law_id").loc[
            [law_id], "enacted"]).all():
        at_early = open_profile(place=fips, month="2021-01")
        assert f"{name}: {schema.POLICY_VALUE_TEXT[dim]['unknown']}" in texts(at_early)
        captions = [shown(c.value) for c in at_early.caption]
        assert not any(line in captions for line in lines)  # (still listed under Other laws)
    # a state without undated readings says none of it
    ky = texts(open_profile(place="21"))
    assert "a law on it was read" not in ky and "no established effective date" not in ky


def test_a_quote_without_its_section_stands_alone(release):
    """A reading that quotes a summary without naming the section shows the quote alone, not
    under a "?" section (New Jersey's 2019 287(g) directive when this was written)."""
    readings = release.table("law_readings")
    month = postures.months(release)[-1]
    held = law_readings.in_effect(readings, month)
    bare = held[held["quote"].notna() & held["provision"].isna()]
    if bare.empty:
        pytest.skip("every quote in effect names its section now")
    r = bare.iloc[0]
    body = texts(open_profile(place=r["state_fips"]))
    assert f"“{r['quote']}”" in body
    assert f"?: “{r['quote']}”" not in body and "?, as the source" not in body


def test_the_state_law_section_tells_each_law_dimension_s_history(release):
    """Where a law changed on 287(g), detention contracts or local limits, the state-law section
    gives the history in days ("since ...; before ..."), as the practices do below, in the month
    before the law too; Spanish too. Maryland: its 2022 detention ban and 2026 287(g) ban."""
    readings = release.table("law_readings")
    line = law_text.law_history(readings, "24", "287g")
    assert line and line.startswith("287(g) agreements, history: since 2026-02-17: ")
    assert line.endswith("before 2026-02-17: no state law found in effect.")
    early = texts(open_profile(place="24", month="2021-01"))
    assert line in early
    assert law_text.law_history(readings, "24", "detention_contracts") in early
    for dim in law_readings.NON_PRACTICES:
        if len(law_readings.history(readings, "21", dim)) < 2:  # Kentucky: no such law
            assert law_text.law_history(readings, "21", dim) is None
    assert ", history: " not in texts(open_profile(place="21"))
    es = texts(open_profile(place="24", month="2021-01", lang="es"))
    assert "Acuerdos 287(g), historial: desde el " in es


def test_a_settled_practice_names_an_undated_law_on_it_too(release):
    """Where a practice is settled but another reading on it has no established date (Montana:
    the 2020 Ramon v. Short ruling in effect, the 2021 HB 223 undated when this was written),
    the practice says that reading exists, since it may change the value once dated."""
    readings = release.table("law_readings")
    month = postures.months(release)[-1]
    states = postures.state_postures(release, month).set_index("state_fips")
    named = law_readings.undated_laws(readings, month)
    hits = sorted((f, d) for f, d in named
                  if d in schema.POLICY_DIMENSIONS and states.loc[f, d] != "unknown")
    if not hits:
        pytest.skip("no settled practice has an undated reading now")
    fips, dim = hits[0]
    at = open_profile(place=fips)
    captions = [shown(c.value) for c in at.caption]
    for line in law_text.undated_lines(readings, fips, dim, month):
        assert "Also read, but not applied to any month: " + line in captions
    assert (schema.POLICY_DIMENSIONS[dim] + ": "
            + law_text.law_value_text(dim, states.loc[fips, dim],
                                      states.loc[fips, f"{dim}_basis"])) in texts(at)


def _csv_rows() -> list[dict]:
    """The readings as written, read with the csv module (not the project's loader)."""
    import csv

    from coopmap import paths

    with open(paths.corrections_dir() / "state_law_readings.csv", newline="",
              encoding="utf-8") as f:
        return list(csv.DictReader(f))


_CLOSED = re.compile(r"(\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d): (.+?) \(([A-Z]{2}-[^;()]+?)"
                     r"(?:; [^()]*)?\)(?:; |\.$)")


def test_no_history_line_ends_a_law_that_stays_in_effect(release):
    """A history line that says a law held "A to B" means it stopped on B: either the row
    ended the next day, or a later law changed the value then. A law whose value carries on
    under a later law on the same question (California's TRUTH Act, then SB 54) is one period
    naming both, not a period that seems to end. Dates read from the CSV with the csv module;
    every state, every dimension."""
    import datetime as dt

    rows = _csv_rows()
    readings = release.table("law_readings")
    ended = {}
    for r in rows:
        ended.setdefault(r["law_id"], set()).add(r["ended"])
    fips = dict(zip(readings["state_abbr"], readings["state_fips"], strict=False))
    checked = 0
    for abbr in sorted({r["state_abbr"] for r in rows}):
        for dim in schema.LAW_DIMENSIONS:
            if dim == law_readings.NO_LAW:
                continue
            line = (law_text.policy_history(readings, fips[abbr], dim)
                    if dim in schema.POLICY_DIMENSIONS
                    else law_text.law_history(readings, fips[abbr], dim))
            if not line:
                continue
            for m in _CLOSED.finditer(line):
                start, end, said, law = m.groups()
                next_day = (dt.date.fromisoformat(end) + dt.timedelta(days=1)).isoformat()
                newer = line[:m.start()]  # newest first: what follows B is before it
                later = re.findall(r"(?:since|to) [^:]*: (.+?) \(", newer)
                changed = not later or later[-1] != said
                assert next_day in ended[law] or changed, (abbr, dim, line)
                checked += 1
            for earlier, since in re.findall(r"([A-Z]{2}-[\w-]+); from (\d{4}-\d\d-\d\d) also ",
                                             line):  # "also": the earlier law still holds
                assert all(not e or e > since for e in ended[earlier]), (abbr, dim, line)
    assert checked > 10
    ca = law_text.law_history(readings, "06", "detention_contracts")
    assert "2017-06-27 to 2017-12-31" not in ca
    assert ca.startswith("Detention contracts with ICE, history: since 2017-06-27: ")
    assert "(CA-AB103-2017; from 2018-01-01 also CA-SB54-2017)" in ca
    ct = law_text.policy_history(readings, "09", "detainer_holds")  # the 2013 text was replaced
    assert "CT-TrustAct-2013 until 2019-09-30; from 2019-10-01 CT-PA19-20-2019; " in ct


def test_a_law_in_effect_that_a_later_one_overrides_on_a_practice_says_so(release):
    """The District at January 2021: its 2012 detainer law (holds only in listed cases) and the
    2020 emergency act (none without a judicial warrant) are both in effect by their rows; the
    practice follows the later one, and the older law's line says it is not what applies, so
    the two lines do not read as a contradiction. Dates read from the CSV with the csv module."""
    rows = [r for r in _csv_rows() if r["state_abbr"] == "DC"
            and r["dimension"] == "detainer_holds"]
    older = {r["law_id"]: r for r in rows}["DC-DetainerCompliance-2012"]
    newer = {r["law_id"]: r for r in rows}["DC-SanctuaryEmerg-2020"]
    assert older["effective"] < "2021-01-01" and older["ended"] > "2021-02-01"
    assert newer["effective"] < "2021-01-01" < newer["ended"]
    assert older["value"] != newer["value"]
    note = ("Not applied in January 2021: where laws in effect differ on a practice, the one "
            "that took effect last settles it, here DC-SanctuaryEmerg-2020.")
    at = open_profile(place="11", month="2021-01")
    captions = [shown(c.value) for c in at.caption]
    assert captions.count(note) == 2  # detainer holds and jail access
    assert not any(c.startswith("Not applied in May 2026")
                   for c in (shown(c.value) for c in open_profile(place="11").caption))
    es = [shown(c.value) for c in open_profile(place="11", month="2021-01", lang="es").caption]
    assert any(c.startswith("No se aplica en enero de 2021:") for c in es)


def test_a_practice_names_the_kind_of_law_it_rests_on(release):
    """A value from an attorney general's directive, a governor's order or policy, a court
    ruling or a regulation is never said to be "state law": the practice line, its "Basis:"
    caption and its history name the kind (New Jersey's Immigrant Trust Directive, Rhode
    Island's executive policy, Massachusetts' Lunn ruling when this was written), in English
    and in Spanish; a statute still reads "state law"."""
    from coopmap import text

    readings = release.table("law_readings")
    month = postures.months(release)[-1]
    states = postures.state_postures(release, month).set_index("state_fips")
    hits: dict[str, tuple[str, str]] = {}  # basis -> (state, practice), first of each kind
    for dim in schema.POLICY_DIMENSIONS:
        for fips, basis in states[f"{dim}_basis"].items():
            if basis in law_readings.READING_BASES and states.loc[fips, f"{dim}_check"] != \
                    "staff_finding":
                hits.setdefault(basis, (fips, dim))
    assert {"ag_guidance", "executive_order", "court_ruling", "state_law"} <= set(hits)
    kinds = dict(zip(readings["law_id"], readings["basis_kind"], strict=False))
    for basis, (fips, dim) in hits.items():
        row = states.loc[fips]
        assert law_readings.basis_of(kinds[row[f"{dim}_source"]]) == basis
        body = texts(open_profile(place=fips))
        name = schema.POLICY_DIMENSIONS[dim]
        line = f"{name}: {law_text.law_value_text(dim, row[dim], basis)}."
        assert line in body
        assert (f"Basis: {schema.POLICY_BASES[basis]} ({row[f'{dim}_source']}); "
                f"{schema.VALUE_CHECKS[row[f'{dim}_check']]}.") in body
        if basis != "state_law":
            assert f"{name}: state law " not in body
            assert f"Basis: State law ({row[f'{dim}_source']})" not in body
    nj = texts(open_profile(place=hits["ag_guidance"][0]))
    assert ": an attorney general directive or opinion " in nj
    assert "Basis: Attorney general directive or opinion (" in nj
    ri_fips, ri_dim = hits["executive_order"]
    ri = texts(open_profile(place=ri_fips))
    assert ": a governor's executive order or policy " in ri
    # the history says the kind too, and the law block's heading agrees
    past = law_text.policy_history(readings, ri_fips, ri_dim)
    if past:
        assert "state law" not in past.split("before")[0]
        assert past in ri
    es = texts(open_profile(place=hits["ag_guidance"][0], lang="es"))
    with text.in_language("es"):
        es_basis = text.label(schema.POLICY_BASES, "ag_guidance")
    assert es_basis == "Directiva u opinión del fiscal general"
    assert f"Base: {es_basis} (" in es
    assert ": una directiva u opinión del fiscal general " in es and "Base: Ley estatal (" not in es
