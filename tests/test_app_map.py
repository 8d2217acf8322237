"""AppTest of the map page (home): widgets in, elements out, the URL round trip, search."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from map_views import map_views
from streamlit.testing.v1 import AppTest

from coopmap import figures, postures, schema

pytestmark = pytest.mark.usefixtures("fresh_cache")
APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")


def open_app(page: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    if page:
        at.switch_page(page)
    return at.run()


def url(at: AppTest) -> dict[str, list[str]]:
    """The app's query string as {key: [values]}."""
    return {k: v if isinstance(v, list) else [v] for k, v in at.query_params.items()}


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_default_view_is_the_national_county_map_of_the_newest_month(release):
    at = open_app()
    assert not at.exception
    month = postures.months(release)[-1]
    h = postures.headline(release, month)
    assert metrics(at) == {
        "Active agreements": f"{h['agreements']:,}",
        "Agencies": f"{h['agencies']:,}",
        "Counties with any agreement": f"{h['counties_with_287g']:,}",
        "Residents of those counties": f"{h['population_covered']:,}",
    }
    [view] = map_views(at)
    assert view["title"] == "287(g) agreements by model, by county"
    assert view["subtitle"] == pd.Timestamp(month + "-01").strftime("%B %Y")  # nothing filtered
    assert [label for label, _, _ in view["legend"]] == list(schema.MODEL_CATEGORIES.values())
    assert len(view["rows"]) == 3142 and view["focus"] == [] and view["clickable"]
    counts = postures.county_postures(release, month).set_index("county_fips")["n_agreements"]
    rows = {r[0]: r for r in view["rows"]}
    assert rows["12086"][2] == "Miami-Dade County, FL"
    assert rows["12086"][3] == f"{counts['12086']:,}"  # the hover's agreement count
    assert view["shapes"].startswith("/app/static/geo/county-paths-")
    assert view["outlines"].startswith("/app/static/geo/state-paths-")
    assert [(i["width"], i["height"], i["filename"]) for i in view["images"]] == [
        (1200, 675, f"coopmap-model-county-{month}-landscape.png"),
        (1080, 1080, f"coopmap-model-county-{month}-square.png"),
        (1200, 675, f"coopmap-model-county-{month}.svg")]
    assert view["scale"] == figures.IMAGE_SCALE == 2
    # The table is the map's text alternative: one click away, built only when opened.
    assert not at.dataframe
    assert at.expander[-1].label == "The same values as a table (3,142 places)"
    at.session_state["table_open"] = True
    at.run()
    table = at.dataframe[0].value
    assert len(table) == 3142 and "Place" in table.columns
    assert not [c for c in table.columns if "_" in c]  # no raw column names
    assert at.session_state["level"] == "county" and at.session_state["month"] == month
    # A link pins what it shows: the release, layer and month are always written.
    assert url(at) == {"release": [release.id], "lang": ["en"],
                       "layer": ["model"], "month": [month]}
    assert any(b.label.startswith("Download") for b in at.get("download_button"))


def test_query_parameters_reproduce_the_view_and_round_trip(release):
    params = {"level": "state", "layer": "stance", "month": "2025-05", "states": ["12", "48"],
              "models": ["TFM"], "agencies": ["county"]}
    at = open_app(**params)
    assert not at.exception
    assert at.segmented_control(key="level").value == "state"
    assert at.selectbox(key="layer").value == "stance"
    assert at.select_slider(key="month").value == "2025-05"
    assert at.multiselect(key="states").value == ["12", "48"]
    assert at.multiselect(key="models").value == ["TFM"]
    assert at.multiselect(key="agencies").value == ["county"]
    h = postures.headline(release, "2025-05", states=["12", "48"], models=["TFM"],
                          agency_types=["county"])
    assert metrics(at)["Active agreements"] == f"{h['agreements']:,}"
    [view] = map_views(at)
    assert sorted(r[0] for r in view["rows"]) == ["12", "48"]  # Florida and Texas only
    assert view["focus"] == ["12", "48"]  # the map zooms to them
    assert view["title"] == "State law on cooperation, by state"
    # Words, not codes ("models: TFM" told a reader nothing).
    assert view["subtitle"] == ("May 2025 · states: Florida, Texas · models: Task Force Model · "
                                "agencies: County")
    assert at.expander[-1].label == "The same values as a table (2 places)"
    assert url(at) == {"release": [release.id], "lang": ["en"],
                       **{k: v if isinstance(v, list) else [v] for k, v in params.items()}}
    # The link shown to copy carries the same state (a plain link: no st.code, whose syntax
    # highlighter made the browser load 1.6 MB before the map).
    assert not at.code
    assert any("Link to this view" in c.value for c in at.caption)
    link = next(m.value for m in at.markdown if "layer=stance" in m.value)
    target = link[link.index("](") + 2:-1]
    assert "layer=stance" in target and "states=12" in target and "states=48" in target


def test_the_picture_cites_the_list_of_the_month_shown(release):
    """The March 2026 map cites ICE's list of 2026-03-27, not the newest list."""
    sheets = release.table("sheets").query("list == 'participating'").set_index("month")
    march = str(sheets.loc["2026-03", "sheet_date"])[:10]
    assert march == postures.sheet_date(release, "2026-03") == "2026-03-27"
    newest = release.as_of["participating"]
    assert newest != march
    [view] = map_views(open_app(month="2026-03"))
    assert f"(as of {march})" in view["source"] and newest not in view["source"]
    [latest] = map_views(open_app())
    assert f"(as of {newest})" in latest["source"]
    # It carries the data's terms and the site's name (drawn in downloaded pictures).
    assert "public domain" in view["credit"] and view["text"]["site"].startswith("coopmap")
    [laws] = map_views(open_app(layer="stance"))
    assert "not reviewed by a person" in laws["credit"]
    assert "quote them with their source" in laws["credit"]


def test_changing_a_widget_updates_the_url(release):
    at = open_app()
    at.selectbox(key="layer").set_value("jail_access").run()
    at.select_slider(key="month").set_value("2024-01").run()
    assert not at.exception
    assert url(at) == {"release": [release.id], "lang": ["en"],
                       "layer": ["jail_access"], "month": ["2024-01"]}


def test_invalid_parameters_fall_back_to_defaults_and_say_so_once(release):
    at = open_app(layer="bogus", month="2099-01", states=["99", "06"], level="<script>")
    assert not at.exception
    assert at.selectbox(key="layer").value == "model"
    month = postures.months(release)[-1]
    assert at.select_slider(key="month").value == month
    assert at.multiselect(key="states").value == ["06"]
    assert url(at) == {"release": [release.id], "lang": ["en"],
                       "layer": ["model"], "month": [month],
                       "states": ["06"]}
    [warning] = at.warning
    for part in ("layer=bogus", "month=2099-01", "states=99", "level=<script>"):
        assert part in warning.value
    at.selectbox(key="layer").set_value("stance").run()
    assert not at.warning  # said once: the link was cleaned


def test_search_by_full_name_opens_the_profile_in_one_step():
    at = open_app()
    at.text_input(key="map_search").input("Harris County, TX").run()
    assert not at.exception
    assert url(at)["place"] == ["48201"]
    assert any("Harris County, TX" in h.value for h in at.header)


def test_search_by_city_offers_the_city_county_first():
    at = open_app(month="2025-06", layer="stance")
    at.text_input(key="map_search").input("Austin, TX").run()
    assert not at.exception
    buttons = [b for b in at.button if b.key and b.key.startswith("map_search_pick_")]
    assert buttons[0].key == "map_search_pick_48453"  # Travis County, where the city is
    assert buttons[0].label.startswith("Austin, TX — Travis County (main county")
    assert "map_search_pick_48015" in [b.key for b in buttons]  # Austin County, named so
    buttons[0].click().run()
    # The profile opens at the month and layer the map showed.
    assert url(at)["place"] == ["48453"]
    assert url(at)["month"] == ["2025-06"] and url(at)["layer"] == ["stance"]


def test_search_by_zip_opens_the_main_county():
    at = open_app()
    at.text_input(key="map_search").input("33602").run()
    assert url(at)["place"] == ["12057"]


def test_search_for_a_territory_opens_its_profile():
    """Guam is not on the map but has a profile that says so; its ZIP codes find it too."""
    at = open_app()
    at.text_input(key="map_search").input("Guam").run()
    assert not at.exception
    assert url(at)["place"] == ["66"]
    assert any("Guam" in h.value for h in at.header)
    assert any("not on coopmap's maps" in i.value for i in at.info)
    at = open_app()
    at.text_input(key="map_search").input("96910").run()
    assert url(at)["place"] == ["66"]


def test_a_pinned_release_is_shown_and_a_missing_one_is_said(release, store):
    from coopmap.store import ReleaseStore

    others = [m["id"] for m in store.list() if m["id"] != release.id]
    assert others  # the bundled store keeps earlier releases
    for other in others:
        at = open_app(release=other)
        assert not at.exception
        try:
            old = ReleaseStore(store.root).get(other)
            for name in schema.TABLES:
                old.table(name)
        except Exception:  # built by an earlier version: said, and the current one shown
            assert any("earlier version" in w.value for w in at.warning)
            assert url(at)["release"] == [release.id]
        else:
            assert any(other in i.value for i in at.info)
            assert url(at)["release"] == [other]
    gone = open_app(release="20200101-0000000000")
    assert not gone.exception
    assert any("no longer kept" in w.value for w in gone.warning)
    assert url(gone)["release"] == [release.id]


def test_a_clicked_county_opens_its_profile():
    at = open_app()
    at.select_slider(key="month").set_value("2025-06").run()
    at.session_state["_goto_place"] = "12086"  # what the chart's selection callback stores
    at.run()
    assert not at.exception
    assert url(at)["place"] == ["12086"]
    assert url(at)["month"] == ["2025-06"]  # the profile opens at the map's month
    state_view = open_app(level="state")
    state_view.session_state["_goto_place"] = "12"
    state_view.run()
    assert url(state_view)["place"] == ["12"]
    assert any(h.value == "Florida" for h in state_view.header)


def test_missing_release_shows_a_plain_message(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPMAP_DATA_DIR", str(tmp_path))
    at = open_app()
    assert not at.exception
    assert at.info and "not available" in at.info[0].value
    assert not map_views(at)


def test_no_data_text_is_rendered_as_html():
    root = Path(APP).parent
    for path in [*root.glob("app_pages/*.py"), *root.glob("src/coopmap/ui/*.py"), Path(APP)]:
        assert "unsafe_allow_html" not in path.read_text(encoding="utf-8"), path


def test_a_visit_without_a_pinned_release_follows_publishes(tmp_path, monkeypatch):
    """A viewer who came without ?release= sees a publish (or rollback) at the next rerun, as
    viewers on other app processes must; a visit that came by a link to an older release
    stays on it, and "open the current dataset" makes it follow again."""
    import shutil

    from coopmap.store import ReleaseStore

    for part in ("geo", "sources", "corrections", "releases"):
        shutil.copytree(Path(APP).parent / "data" / part, tmp_path / part)
    monkeypatch.setenv("COOPMAP_DATA_DIR", str(tmp_path))
    copy = ReleaseStore(tmp_path / "releases")
    base = copy.current()
    tables = base.tables()
    tables["states"] = tables["states"].copy()
    tables["states"].loc[0, "population"] = int(tables["states"].loc[0, "population"]) + 1
    variant = copy.write(tables, built_by="test", sources=base.manifest["sources"],
                         based_on=base.id, data_as_of=base.manifest.get("data_as_of")).id

    follower = open_app()
    assert url(follower)["release"] == [base.id]
    pinned = open_app(release=base.id)  # arrives on the current release: follows too
    copy.rollback(variant, expected_current=base.id, by="test")
    follower.select_slider(key="month").set_value("2025-06").run()
    assert not follower.exception
    assert url(follower)["release"] == [variant]
    assert not any("as it was shared" in i.value for i in follower.info)
    pinned.run()
    assert url(pinned)["release"] == [variant]

    shared = open_app(release=base.id)  # a link made before the publish
    assert url(shared)["release"] == [base.id]
    assert any("as it was shared" in i.value for i in shared.info)
    shared.select_slider(key="month").set_value("2025-06").run()
    assert url(shared)["release"] == [base.id]  # stays pinned while the visitor works
    shared.query_params["release"] = variant  # "Open this view in the current dataset"
    shared.run()
    copy.rollback(base.id, expected_current=variant, by="test")
    shared.run()
    assert url(shared)["release"] == [base.id]  # following again


def test_state_law_layers_carry_basis_and_check_everywhere(release):
    month = postures.months(release)[-1]
    at = open_app(level="state", layer="detainer_holds", month=month)
    assert not at.exception
    [view] = map_views(at)
    states = postures.state_postures(release, month).set_index("state_fips")
    settled = int((states["detainer_holds"] != "unknown").sum())
    checked = int((states["detainer_holds_check"] == "checked_text").sum())
    assert (f"{settled} of 51 states settle it ({checked} checked against the law's text"
            in view["source"])
    tx = next(r for r in view["rows"] if r[0] == "48")
    assert "State law TX-SB4stay-2017 · checked against the law's text" in " ".join(map(str, tx))
    # the CSV carries basis, law and check next to each value
    at.session_state["table_open"] = True
    at.run()
    table = at.dataframe[0].value.set_index("FIPS code")
    assert table.loc["48", "Detainer holds: source"] == "TX-SB4stay-2017"
    assert table.loc["48", "Detainer holds: how checked"] == "checked against the law's text"
    assert table.loc["48", "State law: how checked"] in schema.VALUE_CHECKS.values()


def test_a_practice_read_in_an_undated_law_says_so_in_the_tooltip(release):
    """Unknown because the law's date is not established is not "no law settles it": the
    tooltip names the law; a state with no reading on it keeps the plain unknown."""
    from coopmap import law_readings

    readings = release.table("law_readings")
    month = postures.months(release)[-1]
    states = postures.state_postures(release, month).set_index("state_fips")
    named = law_readings.undated_laws(readings)
    hits = [(f, d) for (f, d) in named
            if d in schema.POLICY_DIMENSIONS and states.loc[f, d] == "unknown"]
    if not hits:
        pytest.skip("every reading on a practice has its effective date now")
    fips, dim = sorted(hits)[0]
    at = open_app(level="state", layer=dim, month=month)
    [view] = map_views(at)
    rows = {r[0]: " ".join(map(str, r)) for r in view["rows"]}
    assert (f"Unknown: a law on it was read ({named[(fips, dim)]}), but its effective date is "
            "not established, so it applies to no month") in rows[fips]
    plain = [f for f in states.index if states.loc[f, dim] == "unknown" and (f, dim) not in named]
    assert plain and "Unknown: no state law in effect settles it" in rows[plain[0]]


def test_a_stance_names_the_laws_it_rests_on(release):
    """The stance layer's tooltip, the CSV and Compare name the laws in effect behind each
    stance (the month's, not the newest), so a reporter sees what it rests on."""
    from coopmap import law_readings
    from coopmap.ui import queries

    readings = release.table("law_readings")
    month = postures.months(release)[-1]
    laws = law_readings.stance_laws(readings, month)
    held = law_readings.in_effect(readings, month)
    nc = set(laws["37"].split(", "))
    assert {"NC-HB10-2024", "NC-HB318-2015"} <= nc <= set(held["law_id"])
    assert "MD-SB245-2026" in laws["24"] and "MD-SB791-2026" not in laws["24"]  # undated: not
    assert "24" not in law_readings.stance_laws(readings, "2021-01")
    at = open_app(level="state", layer="stance", month=month)
    [view] = map_views(at)
    rows = {r[0]: " ".join(map(str, r)) for r in view["rows"]}
    assert f"· laws in effect: {laws['37']} ·" in rows["37"]
    states = postures.state_postures(release, month).set_index("state_fips")
    none = next(f for f in states.index if states.loc[f, "state_law_stance"] == "none")
    assert "laws in effect" not in rows[none]
    at.session_state["table_open"] = True
    at.run()
    table = at.dataframe[0].value.set_index("FIPS code")
    assert table.loc["37", "State law: laws in effect"] == laws["37"]
    assert pd.isna(table.loc[none, "State law: laws in effect"])
    cells = queries.compare_rows({"NC": states.loc["37"], "X": states.loc[none]},
                                 stance_laws=laws)
    assert f"laws in effect: {laws['37']}" in cells.loc["State law", "NC"]
    early = map_views(open_app(level="state", layer="stance", month="2021-01"))[0]
    md = next(" ".join(map(str, r)) for r in early["rows"] if r[0] == "24")
    assert "laws in effect" not in md and "No state law found either way" in md


def test_source_line_counts_in_words_that_agree(release):
    """"1 unverified draft", never "1 unverified drafts" (nor "1 places"), in both languages."""
    from coopmap import law_readings

    readings = release.table("law_readings")
    one = next((m for m in postures.months(release) if law_readings.checked_counts(
        law_readings.state_values(readings, m), "state_law_stance")["unverified_draft"] == 1),
        None)
    if one is None:
        pytest.skip("no month has exactly one stance from an unverified draft")
    view = map_views(open_app(level="state", layer="stance", month=one))[0]
    assert "1 unverified draft)" in view["source"] and "1 unverified drafts" not in view["source"]
    es = map_views(open_app(level="state", layer="stance", month=one, lang="es"))[0]
    assert "1 borrador sin verificar)" in es["source"]


def test_a_layer_unknown_everywhere_says_so_instead_of_a_legend(release):
    at = open_app(level="state", layer="jail_access", month="2021-01", states=["12", "48"])
    [view] = map_views(at)
    assert [label for label, _, _ in view["legend"]] == [
        "Unknown everywhere shown: no state law in effect settles it"]
    assert "no state law in effect in January 2021 settles this here" in view["subtitle"]


def test_first_month_says_a_month_not_1_months_and_growth_is_not_coloured(release):
    at = open_app(month=postures.months(release)[0])
    captions = " ".join(c.value for c in at.caption)
    assert "no ICE list a month earlier" in captions and "1 months" not in captions
    later = open_app(month=postures.months(release)[-1])
    deltas = [m for m in later.metric if m.proto.delta]
    # More ICE agreements is not shown as good (green) or bad (red) news.
    assert deltas and all("color: GRAY" in str(m.proto) for m in deltas)


def _first_of_kind(release, states: pd.DataFrame, kind: str) -> tuple[str, str]:
    """(state FIPS, practice) of the first practice whose value comes from a reading of
    ``kind`` (a law_readings basis_kind) in effect at the newest month."""
    from coopmap import law_readings

    held = law_readings.in_effect(release.table("law_readings"), postures.months(release)[-1])
    for r in held[held["basis_kind"] == kind].sort_values("law_id").itertuples():
        if r.dimension in schema.POLICY_DIMENSIONS and \
                states.loc[r.state_fips, f"{r.dimension}_source"] == r.law_id:
            return r.state_fips, r.dimension
    pytest.skip(f"no practice rests on a reading of kind {kind} now")


def test_tooltip_table_and_compare_name_the_kind_of_law_not_state_law(release):
    """An attorney general's directive or opinion (Minnesota's 2025 opinion on detainers, New
    Jersey's Immigrant Trust Directive when this was written) is named as such in the
    tooltip, the table / CSV basis column and Compare, never as "State law"; in Spanish too."""
    from coopmap import text
    from coopmap.ui import queries

    month = postures.months(release)[-1]
    states = postures.state_postures(release, month).set_index("state_fips")
    fips, dim = _first_of_kind(release, states, "ag_guidance")
    law = states.loc[fips, f"{dim}_source"]
    at = open_app(level="state", layer=dim, month=month)
    [view] = map_views(at)
    rows = {r[0]: " ".join(map(str, r)) for r in view["rows"]}
    assert f"· Attorney general directive or opinion {law} ·" in rows[fips]
    assert f"State law {law}" not in rows[fips]
    at.session_state["table_open"] = True
    at.run()
    table = at.dataframe[0].value.set_index("FIPS code")
    name = schema.POLICY_DIMENSIONS[dim]
    basis_column = f"{text.t(f'table.col.{dim}')}: basis"
    assert table.loc[fips, basis_column] == "Attorney general directive or opinion"
    statute = states.index[states[f"{dim}_basis"] == "state_law"][0]
    assert table.loc[statute, basis_column] == "State law"
    cells = queries.compare_rows({"A": states.loc[fips], "B": states.loc[statute]})
    assert f"Attorney general directive or opinion {law}" in cells.loc[name, "A"]
    es = map_views(open_app(level="state", layer=dim, month=month, lang="es"))[0]
    row = next(" ".join(map(str, r)) for r in es["rows"] if r[0] == fips)
    assert f"· Directiva u opinión del fiscal general {law} ·" in row


def test_the_csv_names_a_practice_s_undated_law_and_keeps_it_unknown(release):
    """Where a state's practice is unknown but a law on it was read without an established
    effective date (Maryland's SB 791 on detainer holds when this was written), the table and
    its CSV say so in a column per practice that a spreadsheet can filter on; the value stays
    "Unknown", with no source. County rows inherit it; other states leave it empty."""
    import io

    from coopmap import law_readings, text
    from coopmap.ui import queries

    readings = release.table("law_readings")
    month = postures.months(release)[-1]
    states = postures.state_postures(release, month).set_index("state_fips")
    named = law_readings.undated_laws(readings, month)
    hits = sorted((f, d) for (f, d) in named
                  if d in schema.POLICY_DIMENSIONS and states.loc[f, d] == "unknown")
    if not hits:
        pytest.skip("every reading on a practice has its effective date now")
    fips, dim = hits[0]
    name = text.t(f"table.col.{dim}")
    column = f"{name}: law read, effective date not established"
    at = open_app(level="state", layer=dim, month=month)
    at.session_state["table_open"] = True
    at.run()
    table = at.dataframe[0].value.set_index("FIPS code")
    assert table.loc[fips, column] == named[(fips, dim)]
    assert table.loc[fips, name] == "Unknown" and pd.isna(table.loc[fips, f"{name}: source"])
    plain = next(f for f in states.index if (f, dim) not in named)
    assert pd.isna(table.loc[plain, column])
    for other in schema.POLICY_DIMENSIONS:
        assert f"{text.t(f'table.col.{other}')}: law read, effective date not established" \
            in table.columns
    # the CSV is built by the same call, in English whatever the page's language
    counties = postures.county_postures(release, month)
    csv = queries.to_csv_bytes(queries.display_table(counties, "county", dim, undated=named))
    frame = pd.read_csv(io.BytesIO(csv), dtype=str, encoding="utf-8-sig")
    mine = frame[frame["State"] == states.loc[fips, "state_abbr"]]
    assert len(mine) and (mine[column] == named[(fips, dim)]).all()
    assert (mine[name] == "Unknown").all()
    es = open_app(level="state", layer=dim, month=month, lang="es")
    es.session_state["table_open"] = True
    es.run()
    es_table = es.dataframe[0].value
    [es_column] = [c for c in es_table.columns
                   if c.endswith(": ley leída, fecha de vigencia no establecida")
                   and named[(fips, dim)] in set(es_table[c].dropna())]
    assert es_column
