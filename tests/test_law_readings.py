"""The state-law readings: the table validates, and its values hold month by month."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest

from coopmap import gazetteer, law_readings, paths, postures, schema

CORRECTIONS = paths.PROJECT_ROOT / "data" / "corrections"
FILE = CORRECTIONS / law_readings.READINGS_FILE


@pytest.fixture(scope="module")
def readings() -> pd.DataFrame:
    return law_readings.read_law_readings(CORRECTIONS)


def test_table_validates_and_every_state_has_rows(readings):
    assert list(readings.columns) == schema.LAW_READINGS.columns
    states = {f for f in gazetteer.states()["state_fips"] if f not in gazetteer.TERRITORY_FIPS}
    assert set(readings["state_fips"]) == states and len(states) == 51
    none = readings[readings["dimension"] == "no_law_found"]
    assert (none["law_id"] == none["state_abbr"] + "-none").all()
    assert not set(none["state_fips"]) & set(readings.loc[readings["dimension"] != "no_law_found",
                                                          "state_fips"])
    checked = readings[readings["check_status"] == "checked_text"]
    assert checked["quote"].notna().all() and checked["text_url"].str.match("https?://").all()


def test_table_is_sorted_and_keeps_the_researchers_text(readings):
    raw = pd.read_csv(FILE, dtype=str, keep_default_na=False)
    assert list(raw.columns) == law_readings.HEADER
    keys = list(zip(raw["state_abbr"], raw["law_id"], raw["dimension"], strict=True))
    assert keys == sorted(keys)
    nc = readings.set_index(["law_id", "dimension"]).loc[("NC-HB10-2024", "detainer_holds")]
    assert nc["effective"] == pd.Timestamp("2024-12-01") and nc["valid_from"] == "2024-12"


@pytest.mark.parametrize("effective, ended, first, last", [
    ("2024-12-01", None, "2024-12", None),
    ("2024-12-15", None, "2025-01", None),
    ("2019-05-21", "2025-07-21", "2019-06", "2025-06"),
    ("2025-01-01", "2026-01-01", "2025-01", "2025-12"),
])
def test_month_rule(effective, ended, first, last):
    assert law_readings.valid_from(pd.Timestamp(effective)) == first
    assert law_readings.valid_to(pd.Timestamp(ended) if ended else None) == last


def _broken(tmp_path, row: int, column: str, value: str):
    shutil.copy(FILE, tmp_path / law_readings.READINGS_FILE)
    raw = pd.read_csv(FILE, dtype=str, keep_default_na=False)
    raw.loc[row - 2, column] = value
    raw.to_csv(tmp_path / law_readings.READINGS_FILE, index=False)
    with pytest.raises(law_readings.LawReadingsError) as err:
        law_readings.read_law_readings(tmp_path)
    return str(err.value)


def test_bad_rows_are_named_by_file_row_column_and_value(tmp_path):
    raw = pd.read_csv(FILE, dtype=str, keep_default_na=False)
    nc = int(raw.index[(raw["law_id"] == "NC-HB10-2024")][0]) + 2
    msg = _broken(tmp_path, nc, "effective", "2024-13-01")
    assert f"state_law_readings.csv, row {nc}, column effective: '2024-13-01' is not a " \
           "YYYY-MM-DD date" in msg
    msg = _broken(tmp_path, nc, "value", "required")
    assert f"row {nc}, column value: 'required' is not allowed for detainer_holds" in msg
    checked = int(raw.index[raw["check_status"] == "checked_text"][0]) + 2
    msg = _broken(tmp_path, checked, "quote", "")
    assert f"row {checked}, column quote: '' is empty, but check_status says" in msg
    msg = _broken(tmp_path, checked, "text_url", "casetext.com/x")
    assert f"row {checked}, column text_url: 'casetext.com/x' is not an http(s) address" in msg
    msg = _broken(tmp_path, nc, "secondary_source", "A summary (URL in text_url)")
    assert f"row {nc}, column secondary_source: 'A summary (URL in text_url)' names the " \
           "table's own column 'text_url'" in msg
    msg = _broken(tmp_path, nc, "state_abbr", "NX")
    assert f"row {nc}, column state_abbr: 'NX' is not the two-letter code" in msg
    # a state with no row at all is named
    only = raw[raw["state_abbr"] != "WY"]
    only.to_csv(tmp_path / law_readings.READINGS_FILE, index=False)
    with pytest.raises(law_readings.LawReadingsError, match="'WY' has no row"):
        law_readings.read_law_readings(tmp_path)


def _state(release, month: str, abbr: str) -> pd.Series:
    return postures.state_postures(release, month).set_index("state_abbr").loc[abbr]


def test_maryland_2021_vs_2026(release):
    early, late = _state(release, "2021-01", "MD"), _state(release, "2026-05", "MD")
    # January 2021: none of Maryland's laws (2021 detention ban, 2026 287(g) ban) in effect yet
    assert early["state_law_stance"] == "none" and pd.isna(early["state_law_check"])
    held = law_readings.in_effect(release.table("law_readings"), "2021-01")
    assert held[held["state_abbr"] == "MD"].empty
    assert late["state_law_stance"] == "anti"
    late_ids = set(law_readings.in_effect(release.table("law_readings"), "2026-05")
                   .query("state_abbr == 'MD'")["law_id"])
    assert {"MD-HB16-2021", "MD-SB245-2026"} <= late_ids


def test_north_carolina_detainer_holds_from_december_2024(release):
    before, after = _state(release, "2024-11", "NC"), _state(release, "2024-12", "NC")
    assert before["detainer_holds"] == "unknown" and before["detainer_holds_basis"] == "none"
    assert after["detainer_holds"] == "honored"
    assert after["detainer_holds_source"] == "NC-HB10-2024"
    county = postures.county_postures(release, "2024-12").set_index("county_fips").loc["37119"]
    assert county["detainer_holds"] == "honored"  # Mecklenburg inherits, with the basis
    assert county["detainer_holds_basis"] == "state_law"
    assert postures.county_postures(release, "2024-11").set_index(
        "county_fips").loc["37119", "detainer_holds"] == "unknown"


def test_a_law_that_ended_stops_applying(release):
    readings = release.table("law_readings")
    ended = readings[readings["ended"].notna() & readings["valid_from"].notna()]
    assert len(ended) > 0
    for r in ended.itertuples():
        assert r.end_reason in schema.END_REASONS
        if r.valid_to < r.valid_from:  # stopped before its first whole month: applies to none
            assert r.Index not in law_readings.in_effect(readings, r.valid_from).index
            assert r.Index not in law_readings.in_effect(readings, r.valid_to).index
            continue
        before = law_readings.in_effect(readings, r.valid_to)
        after = law_readings.in_effect(readings, law_readings._shift(r.valid_to, 1))
        assert r.Index in before.index and r.Index not in after.index, r.law_id
    # an injunction mid-month: the law holds up to the month before
    one = readings[readings["law_id"] == "NC-HB10-2024"].assign(
        ended=pd.Timestamp("2025-03-14"), end_reason="enjoined", valid_to="2025-02")
    assert not law_readings.in_effect(one, "2025-02").empty
    assert law_readings.in_effect(one, "2025-03").empty
    assert law_readings.state_values(one, "2025-03", ["37"]).loc["37", "detainer_holds"] \
        == "unknown"


def test_district_of_columbia_through_time(release):
    """D.C.: the 2012 detainer law (holds only in listed cases) from 2013-01; the 2019-2021
    emergency/temporary acts for the whole months they covered (the 2012 text in the months
    between them); D.C. Law 23-282 from its 2021-04-27 effective date, so from 2021-05: a
    judicial warrant needed for all three. April 2021 belongs wholly to neither law."""
    readings = release.table("law_readings")
    dims = ("detainer_holds", "release_notification", "jail_access")

    def dc(month):
        s = law_readings.state_values(readings, month, ["11"]).loc["11"]
        return tuple(s[d] for d in dims), s["detainer_holds_source"]

    assert dc("2012-11")[0] == ("unknown",) * 3
    assert dc("2019-09") == (("limited", "unknown", "limited"), "DC-DetainerCompliance-2012")
    assert dc("2019-11") == (("judicial_warrant_only",) * 3, "DC-SanctuaryEmerg-2019")
    assert dc("2020-01") == (("limited", "unknown", "limited"), "DC-DetainerCompliance-2012")
    assert dc("2020-06") == (("judicial_warrant_only",) * 3, "DC-SanctuaryTemp-2020")
    assert dc("2021-03") == (("limited", "unknown", "limited"), "DC-DetainerCompliance-2012")
    assert dc("2021-04")[0] == ("unknown",) * 3
    assert dc("2021-05") == (("judicial_warrant_only",) * 3, "DC-SanctuaryValues-2020")
    late = _state(release, "2026-05", "DC")
    assert late["detainer_holds"] == "judicial_warrant_only"
    assert late["detainer_holds_check"] == "checked_text"
    assert _state(release, "2021-04", "DC")["state_law_stance"] == "none"
    assert _state(release, "2021-05", "DC")["state_law_stance"] == "anti"


def test_history_dates_do_not_overlap(release):
    """A law that ended mid-month hands over on that day, not on the month's first; a month the
    month rule gives to neither law is not said as a period of its own."""
    from coopmap.ui import law_text
    readings = release.table("law_readings")
    text = law_text.policy_history(readings, "11", "detainer_holds")
    assert ("2020-01-21 to 2020-01-26: state law allows detainer holds only in the cases it "
            "lists (DC-DetainerCompliance-2012); 2019-10-23 to 2020-01-20: state law forbids "
            "holding people on an ICE detainer without a judicial warrant or order "
            "(DC-SanctuaryEmerg-2019); 2012-12-11 to 2019-10-22:") in text
    days = re.findall(r"(\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2})", text)
    assert len(days) == 7
    for start, end in days:
        assert start <= end
    for (start, _), (_, end) in zip(days, days[1:], strict=False):  # newest first
        assert end < start
    assert law_text.policy_history(readings, "48", "detainer_holds").endswith(
        "before 2017-09-25: no state law found in effect.")


def test_texas_sb4_enjoined_before_it_took_effect_then_stayed(release):
    """City of El Cenizo v. Texas: the district court enjoined SB 4's detainer mandate on
    2017-08-30, before its 2017-09-01 effective date; the Fifth Circuit stayed that on
    2017-09-25. So no month before October 2017 has it, and every month since has."""
    readings = release.table("law_readings")
    tx = readings[readings["state_abbr"] == "TX"].set_index(["law_id", "dimension"])
    enjoined = tx.loc[("TX-SB4-2017", "detainer_holds")]
    assert enjoined["end_reason"] == "enjoined"
    assert (enjoined["effective"], enjoined["ended"]) == (pd.Timestamp("2017-09-01"),
                                                          pd.Timestamp("2017-09-01"))
    assert tx.loc[("TX-SB4stay-2017", "detainer_holds"), "effective"] == pd.Timestamp(
        "2017-09-25")
    for month, value in (("2017-08", "unknown"), ("2017-09", "unknown"),
                         ("2017-10", "honored"), ("2021-01", "honored")):
        s = law_readings.state_values(readings, month, ["48"]).loc["48"]
        assert (s["detainer_holds"], s["release_notification"]) == (value, value), month
        if value == "honored":
            assert s["detainer_holds_source"] == "TX-SB4stay-2017", month
    held = law_readings.in_effect(readings, "2017-09")
    assert "TX-SB4-2017" not in set(held.loc[held["dimension"] == "detainer_holds", "law_id"])
    periods = law_readings.history(readings, "48", "detainer_holds")
    assert [(p.start, p.end, p.value) for p in periods] == [
        (None, "2017-09", "unknown"), ("2017-10", None, "honored")]
    # the profile lists the enjoined reading among the others, with its end and why
    from coopmap.ui import law_text
    others = law_text.other_laws(readings, "48", "2017-09")
    assert any("(enjoined by a court before it took effect on 2017-09-01, so applied to no "
               "month; checked against the law's text)" in line for line in others)


def test_values_follow_the_readings_in_every_month(release):
    """Consistency: a practice a law in effect settles is never unknown, its source is that
    law, and no value comes from anywhere else (the draft table settles nothing)."""
    readings = release.table("law_readings")
    for month in postures.months(release):
        held = law_readings.in_effect(readings, month)
        states = postures.state_postures(release, month).set_index("state_fips")
        for dim in schema.POLICY_DIMENSIONS:
            on = held[held["dimension"] == dim]
            settled = set(on["state_fips"])
            known = set(states.index[states[dim] != "unknown"])
            assert settled == known, (month, dim, settled ^ known)
            for fips in settled:
                assert states.loc[fips, f"{dim}_source"] in set(
                    on.loc[on["state_fips"] == fips, "law_id"])
                assert states.loc[fips, f"{dim}_check"] in schema.CHECK_STATUSES
        with_law = set(held["state_fips"])
        stance_none = set(states.index[states["state_law_stance"] == "none"])
        assert not with_law & stance_none, month


def test_stance_rule():
    rows = pd.DataFrame({"dimension": ["287g", "local_limits"], "value": ["forbidden",
                                                                            "forbidden"],
                         "check_status": ["checked_text", "unverified_draft"]})
    assert law_readings.stance_of(rows) == ("mixed", "unverified_draft")
    assert law_readings.stance_of(rows.iloc[:1]) == ("anti", "checked_text")
    assert law_readings.stance_of(rows.iloc[1:]) == ("pro", "unverified_draft")
    assert law_readings.stance_of(rows.iloc[0:0]) == ("none", None)


def test_best_known_laws_read_right(release):
    s = postures.state_postures(release, "2026-05").set_index("state_abbr")
    assert s.loc["CA", "detainer_holds"] == "declined"
    assert s.loc["OR", "release_notification"] != "unknown"
    assert s.loc["WA", "detainer_holds"] == "judicial_warrant_only"
    assert s.loc["TX", "detainer_holds"] == "honored"
    assert s.loc["IL", "detainer_holds"] == "judicial_warrant_only"
    for abbr in ("CA", "OR", "WA", "IL"):
        assert s.loc[abbr, "state_law_stance"] == "anti", abbr
    for abbr in ("TX", "FL", "NC"):
        assert s.loc[abbr, "state_law_stance"] == "pro", abbr


def test_trend_of_states_with_a_detainer_law(release):
    from coopmap.ui import queries

    trend = queries.detainer_law_by_month(release, ["2024-11", "2024-12", "2026-05"])
    wide = trend.pivot(index="month", columns="value", values="states")
    assert wide.loc["2024-12", "honored"] == wide.loc["2024-11", "honored"] + 1  # NC HB 10
    states = postures.state_postures(release, "2026-05")
    for value in queries.LAW_TREND_VALUES:
        assert wide.loc["2026-05", value] == int((states["detainer_holds"] == value).sum())


def test_compare_cells_carry_basis_law_and_check(release):
    from coopmap.ui import queries

    s = postures.state_postures(release, "2026-05").set_index("state_fips")
    out = queries.compare_rows({"Texas": s.loc["48"], "Kentucky": s.loc["21"]})
    assert out.loc["Detainer holds", "Texas"] == (
        "Yes, on ICE's request alone · State law TX-SB4stay-2017 · checked against the law's text")
    assert out.loc["Detainer holds", "Kentucky"] == "Unknown: no state law in effect settles it"
    assert out.loc["State law", "Kentucky"] == "No state law found either way"


def test_illinois_release_notification_barred_from_its_2017_law(release):
    """The 2017 TRUST Act barred complying with a detainer, which asks for notice of release."""
    before, after = _state(release, "2017-08", "IL"), _state(release, "2017-09", "IL")
    assert before["release_notification"] == "unknown"  # from 2017-08-28: not all of August
    assert after["release_notification"] == "declined"
    assert after["release_notification_source"] == "IL-TRUST-2017"
    assert after["release_notification_check"] == "checked_text"


def test_california_sb54_read_from_its_chaptered_text(readings):
    sb54 = readings[readings["law_id"] == "CA-SB54-2017"].set_index("dimension")
    # jail_access added in pass 7: § 7284.6(a)(5) (no office space dedicated to ICE) and (b)(5)
    # (interviews only as the TRUTH Act allows), read in the same chaptered text
    assert set(sb54.index) == {"287g", "detainer_holds", "release_notification",
                               "detention_contracts", "jail_access"}
    assert sb54.loc["jail_access", "value"] == "limited"
    assert (sb54["check_status"] == "checked_text").all()
    assert (sb54["enacted"].astype(str).str[:10] == "2017-10-05").all()
    assert sb54.loc["287g", "value"] == "forbidden"
    assert "1357(g)" in sb54.loc["287g", "quote"]


def _undated_practice(release) -> pd.Series:
    """An undated reading on a practice of a state that no law in effect settles at the newest
    month (Maryland's Community Trust Act when this was written); skip once none is left."""
    readings = release.table("law_readings")
    month = postures.months(release)[-1]
    held = law_readings.in_effect(readings, month)
    settled = set(zip(held["state_fips"], held["dimension"], strict=True))
    rows = law_readings.undated(readings)
    rows = rows[rows["dimension"].isin(list(schema.POLICY_DIMENSIONS))]
    rows = rows[[(f, d) not in settled
                 for f, d in zip(rows["state_fips"], rows["dimension"], strict=True)]]
    if rows.empty:
        pytest.skip("every reading on a practice has its effective date now")
    return rows.sort_values("law_id").iloc[0]


def test_undated_readings_apply_to_no_month_and_are_named(release):
    """A reading without an established effective date holds in no month, yet the pages can
    name it: unknown there means "a law was read, its date is not known", not "no law"."""
    readings = release.table("law_readings")
    undated = law_readings.undated(readings)
    assert len(undated) > 0 and undated["effective"].isna().all()
    for month in [*postures.months(release), "1990-01", "2099-12"]:
        assert not set(law_readings.in_effect(readings, month).index) & set(undated.index)
    named = law_readings.undated_laws(readings)
    for r in undated.itertuples():
        assert r.law_id in named[(r.state_fips, r.dimension)].split(", ")
    # a dated law made undated stops applying, and is named instead
    nc = readings.copy()
    hb10 = (nc["law_id"] == "NC-HB10-2024") & (nc["dimension"] == "detainer_holds")
    nc.loc[hb10, ["effective", "valid_from"]] = [pd.NaT, None]
    assert law_readings.state_values(nc, "2025-06", ["37"]).loc["37", "detainer_holds"] \
        == "unknown"
    assert law_readings.undated_laws(nc)[("37", "detainer_holds")] == "NC-HB10-2024"
    # ... for the months it might have held: not before it was enacted (or its year began)
    assert law_readings.undated_laws(nc, "2025-06")[("37", "detainer_holds")] == "NC-HB10-2024"
    assert ("37", "detainer_holds") not in law_readings.undated_laws(nc, "2021-01")
    no_enacted = nc.assign(enacted=pd.NaT)  # then the year ending its law_id bounds it
    assert ("37", "detainer_holds") not in law_readings.undated_laws(no_enacted, "2023-12")
    assert ("37", "detainer_holds") in law_readings.undated_laws(no_enacted, "2024-01")
    unyeared = no_enacted.assign(law_id=no_enacted["law_id"].replace("NC-HB10-2024", "NC-HB10"))
    assert ("37", "detainer_holds") in law_readings.undated_laws(unyeared, "2021-01")
    from coopmap.ui import law_text, queries
    [line] = law_text.undated_lines(nc, "37", "detainer_holds")
    assert line.startswith("HB 10 (2023-2024)")
    assert "effective date not established, so applied to no month" in line
    assert law_text.undated_lines(readings, "37", "detainer_holds") == []
    s = postures.state_postures(release, "2026-05").set_index("state_fips")
    row = _undated_practice(release)
    cell = queries.compare_rows({"A": s.loc[row.state_fips], "B": s.loc["21"]},
                                law_readings.undated_laws(readings))
    name = schema.POLICY_DIMENSIONS[row.dimension]
    assert cell.loc[name, "A"] == (
        f"Unknown: a law on it was read ({named[(row.state_fips, row.dimension)]}), but its "
        "effective date is not established, so it applies to no month")
    assert cell.loc[name, "A"] != queries.compare_rows({"A": s.loc[row.state_fips],
                                                        "B": s.loc["21"]}).loc[name, "A"]


def test_stance_everywhere_is_the_documented_rule(release):
    """The vectorised stance of ``state_values`` is ``stance_of`` (the rule as written) of the
    readings in effect, for every state, in a month of each year and the newest."""
    readings = release.table("law_readings")
    months = postures.months(release)
    for month in sorted({m for m in months if m.endswith("-01")} | {months[-1], "2017-09"}):
        values = law_readings.state_values(readings, month)
        held = law_readings.in_effect(readings, month)
        for fips in values.index:
            stance, check = law_readings.stance_of(held[held["state_fips"] == fips])
            assert values.loc[fips, "state_law_stance"] == stance, (month, fips)
            got = values.loc[fips, "state_law_check"]
            assert (got if isinstance(got, str) else None) == check, (month, fips)


# The stance rule as the data dictionary states it: what each allowed value counts as.
STANCE_RULE = {
    **{(dim, v): ("pro" if v == "honored" else "anti")
       for dim in schema.POLICY_DIMENSIONS for v in schema.LAW_VALUES[dim]},
    **{(dim, v): ("pro" if v == "required" else "anti")
       for dim in ("287g", "detention_contracts") for v in schema.LAW_VALUES[dim]},
    ("local_limits", "forbidden"): "pro",
}


def test_the_stance_rule_in_the_data_dictionary_is_the_code():
    """Every allowed value counts one way (no value left out of the stance), as the data
    dictionary says; the dictionary names every practice value the rule turns on."""
    allowed = {(d, v) for d, vals in schema.LAW_VALUES.items() for v in vals
               if d != law_readings.NO_LAW}
    assert set(STANCE_RULE) == allowed
    code = {(d, v): ("pro" if v in law_readings.REQUIRES.get(d, set()) else "")
            + ("anti" if v in law_readings.LIMITS.get(d, set()) else "") for d, v in allowed}
    assert code == STANCE_RULE
    doc = (paths.PROJECT_ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    rule = doc[doc.index("**Stance from the readings**"):]
    rule = rule[:rule.index("\n- **", 5)]
    for v in schema.PRACTICE_LAW_VALUES:
        assert f"`{v}`" in rule, v
    for words in ("requires a practice", "requires 287(g) or detention contracts",
                  "forbids local limits on cooperation",
                  "forbids or restricts 287(g) or detention contracts", "`mixed` when both"):
        assert words in " ".join(rule.split()), words


def test_a_quote_reads_as_the_law_s_words_only_when_checked_against_its_text(release):
    """A quote checked against the law's text stands under its section; a summary's (or a
    draft's) says it was not checked against the text, so it never passes for the statute."""
    from coopmap.ui import law_text

    readings = release.table("law_readings")
    month = postures.months(release)[-1]
    held = law_readings.in_effect(readings, month)
    seen = set()
    for fips in sorted(set(held["state_fips"])):
        for block in law_text.laws_in_effect(readings, fips, month):
            rows = held[(held["state_fips"] == fips) & (held["law_id"] == block.law_id)]
            for r, p in zip(rows.to_dict("records"), block.provisions, strict=True):
                if not isinstance(r["quote"], str):
                    assert p["quote"] == ""
                    continue
                unchecked = "(not checked against the law's text)" in p["quote"]
                assert unchecked == (r["check_status"] != "checked_text"), (r["law_id"], p)
                assert p["quote"].endswith(f"“{r['quote']}”")
                seen.add(r["check_status"])
    assert {"checked_text", "secondary_source"} <= seen


def test_a_limit_beside_a_ban_in_effect_does_not_end_the_ban(release):
    """Washington: the 2019 Keep Washington Working Act forbids detention contracts, the 2021
    private-detention law limits them; both rows are in effect (neither is ended in the table,
    read with the csv module), so the history says the ban holds, not that it ended in 2021."""
    import csv

    from coopmap.ui import law_text
    with FILE.open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f)
                if r["state_abbr"] == "WA" and r["dimension"] == "detention_contracts"]
    assert {(r["law_id"], r["value"], r["ended"]) for r in rows} == {
        ("WA-KWW-2019", "forbidden", ""), ("WA-HB1090-2021", "limited", "")}
    periods = law_readings.history(release.table("law_readings"), "53", "detention_contracts")
    assert [(p.value, p.reading and p.reading["law_id"]) for p in periods] == [
        ("unknown", None), ("forbidden", "WA-KWW-2019")]
    text = law_text.law_history(release.table("law_readings"), "53", "detention_contracts")
    assert "since 2019-05-21: state law forbids" in text and "limited" not in text
