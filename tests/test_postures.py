"""Posture rules as a table of cases, on a small hand-made release, then on the real one."""

from __future__ import annotations

import pandas as pd
import pytest

from coopmap import postures, schema

# Two states; state 01 has counties 01001 (A), 01003 (B), 01005 (C); state 02 has 02010 (D).
AGREEMENTS = [
    # id, agency, type, sheriff, model, level, county, state
    ("a00000000001", "A County Sheriff's Office", "county", True, "JEM", "county", "01001", "01"),
    ("a00000000002", "A City Police Department", "municipality", False, "TFM", "county", "01001",
     "01"),
    ("a00000000003", "B-C Regional Jail Authority", "county", False, "WSO", "county", "01003",
     "01"),
    ("a00000000004", "Alabama State Police", "state_agency", False, "TFM", "state", None, "01"),
    ("a00000000005", "Unknown Task Force", "municipality", False, "TFM", "unmatched", None, "01"),
    ("a00000000006", "D County Sheriff's Office", "county", True, "JEM", "county", "02010", "02"),
]
COVERS = [("a00000000001", "01001"), ("a00000000002", "01001"), ("a00000000003", "01003"),
          ("a00000000003", "01005"), ("a00000000006", "02010")]
# agreement -> months listed on the participating sheet
LISTED = {
    "a00000000001": ["2025-01", "2025-02", "2025-03"],
    "a00000000002": ["2025-03"],
    "a00000000003": ["2025-02", "2025-03"],
    "a00000000004": ["2025-01", "2025-02", "2025-03"],
    "a00000000005": ["2025-03"],
    "a00000000006": ["2025-01", "2025-02"],
}
PENDING = {"a00000000006": ["2025-03"]}


class MiniRelease:
    def __init__(self):
        n = len(AGREEMENTS)
        ag = pd.DataFrame(AGREEMENTS, columns=["agreement_id", "agency", "agency_type",
                                               "is_sheriff", "model", "jurisdiction_level",
                                               "county_fips", "state_fips"])
        ag = ag.assign(
            state_abbr=ag["state_fips"].map({"01": "AL", "02": "AK"}),
            agency_type_basis="ice_type_column", signed=pd.Timestamp("2024-12-01"),
            moa_url=None, addendum_url=None, status="participating", first_listed="2025-01",
            last_listed="2025-03", first_pending=None, last_pending=None, ice_county=None,
            match_method=["ice_county_column", "ice_county_column", "reviewed_entry",
                          "state_agency", "unmatched", "ice_county_column"],
            match_note=None, source_file="x.xlsx", source_date=pd.Timestamp("2025-03-31"),
            relisted=False, gaps=None, other_names=None,
        )
        assert len(ag) == n
        listings = [(a, "participating", m, pd.Timestamp("2024-12-01"))
                    for a, ms in LISTED.items() for m in ms]
        listings += [(a, "pending", m, pd.NaT) for a, ms in PENDING.items() for m in ms]
        counties = pd.DataFrame({
            "county_fips": ["01001", "01003", "01005", "02010"],
            "state_fips": ["01", "01", "01", "02"], "state_abbr": ["AL", "AL", "AL", "AK"],
            "name": ["A County", "B County", "C County", "D Borough"],
            "population": [100, 200, None, 50], "population_note": [None, None, "not published",
                                                                    None],
        })
        states = pd.DataFrame({"state_fips": ["01", "02"], "state_abbr": ["AL", "AK"],
                               "name": ["Alabama", "Alaska"], "population": [300, 50],
                               "counties": [3, 1]})
        # Staff findings: one county's own jail-access policy, checked 2025-03-10.
        policies = [
            (level, fips, dim, "unknown", "none", None, pd.NaT)
            for level, fips in [("county", "01001"), ("county", "01003"), ("county", "01005"),
                                ("county", "02010"), ("state", "01"), ("state", "02")]
            for dim in schema.POLICY_DIMENSIONS
        ]
        policies[-7] = ("county", "02010", "jail_access", "declined", "local_policy",
                        "Sheriff's policy 12", pd.Timestamp("2025-03-10"))
        # B County's own detainer policy, checked 2025-03-10, against Alabama's law (below)
        policies[3] = ("county", "01003", "detainer_holds", "judicial_warrant_only",
                       "local_policy", "B County jail directive", pd.Timestamp("2025-03-10"))
        # One state law: Alabama requires detainer holds from 2025-02-01.
        readings = pd.DataFrame({
            "state_fips": ["01", "02"], "state_abbr": ["AL", "AK"],
            "law_id": ["AL-Test-2025", "AK-none"], "basis_kind": ["statute", None],
            "effective": pd.to_datetime(["2025-02-01", None]),
            "dimension": ["detainer_holds", "no_law_found"], "value": ["honored", "none"],
            "check_status": ["checked_text", "secondary_source"],
            "valid_from": ["2025-02", None], "valid_to": [None, None],
        })
        self.tables = {
            "agreements": schema.validate("agreements", ag[schema.AGREEMENTS.columns]),
            "agreement_counties": pd.DataFrame(COVERS, columns=["agreement_id", "county_fips"])
            .assign(match_method="ice_county_column"),
            "listings": pd.DataFrame(listings, columns=["agreement_id", "list", "month",
                                                        "signed"]),
            "sheets": pd.DataFrame({"list": "participating",
                                    "month": ["2025-01", "2025-02", "2025-03"]}),
            "counties": counties,
            "states": states,
            "law_readings": readings,
            # the draft stances never apply; a staff stance (reviewed) applies from its month
            "state_laws": pd.DataFrame({
                "state_fips": ["01", "02"], "stance": ["anti", "anti"],
                "review_status": ["unreviewed_draft", "reviewed"],
                "verified_date": pd.to_datetime(["2024-01-01", "2025-03-05"])}),
            "policies": pd.DataFrame(policies, columns=["level", "fips", "dimension", "value",
                                                        "basis", "source", "as_of"]),
            "designations": pd.DataFrame({
                "list_id": ["dhs_2025_05_29", "doj_2025_08_05", "dhs_2025_05_29",
                            "dhs_2025_05_29"],
                "jurisdiction_type": ["county", "county", "city", "state"],
                "state_fips": ["01", "01", "01", "02"],
                "county_fips": ["01003", "01003", None, None],
                # the DHS city lies in county C (01005), by the reviewed city table
                "city_county_fips": [None, None, "01005", None],
            }),
        }

    def table(self, name):
        return self.tables[name]


@pytest.fixture(scope="module")
def mini():
    return MiniRelease()


def _row(df, fips):
    return df.set_index("county_fips").loc[fips]


@pytest.mark.parametrize(
    "month, models, types, fips, expected",
    [
        # one sheriff agreement
        ("2025-01", None, None, "01001",
         dict(n_agreements=1, n_agencies=1, model_category="JEM", sheriff_participates=True)),
        # sheriff + city police with different models -> several
        ("2025-03", None, None, "01001",
         dict(n_agreements=2, n_agencies=2, model_category="several", has_tfm=True)),
        # regional jail covers both its counties
        ("2025-02", None, None, "01003", dict(n_agreements=1, model_category="WSO")),
        ("2025-02", None, None, "01005", dict(n_agreements=1, model_category="WSO")),
        # not listed yet in January
        ("2025-01", None, None, "01003", dict(n_agreements=0, model_category="none",
                                              has_287g=False)),
        # statewide agency never paints a county, but is carried as a count
        ("2025-01", None, None, "01005", dict(has_287g=False, n_statewide_agreements=1)),
        # filters
        ("2025-03", ["TFM"], None, "01001", dict(n_agreements=1, model_category="TFM",
                                                 sheriff_participates=False)),
        ("2025-03", None, ["state_agency"], "01001", dict(n_agreements=0,
                                                          n_statewide_agreements=1)),
        # dropped from the sheet in March -> none; pending that month
        ("2025-03", None, None, "02010", dict(n_agreements=0, n_pending=1, model_category="none")),
        # federal list: DHS + DOJ named the county; a city in it does not list the county
        ("2025-03", None, None, "01003", dict(federal_list="both",
                                              federal_list_city="not_listed")),
        ("2025-03", None, None, "01001", dict(federal_list="not_listed",
                                              federal_list_city="not_listed")),
        # ... it is "a city in this county is named", kept apart from the county's own listing
        ("2025-03", None, None, "01005", dict(federal_list="not_listed",
                                              federal_list_city="dhs")),
        # the state law applies from the first month it is in effect, with its law and check
        ("2025-01", None, None, "01001", dict(detainer_holds="unknown",
                                              detainer_holds_basis="none",
                                              state_law_stance="none")),
        ("2025-03", None, None, "01001", dict(detainer_holds="honored",
                                              detainer_holds_basis="state_law",
                                              detainer_holds_check="checked_text",
                                              detainer_holds_source="AL-Test-2025",
                                              state_law_stance="pro")),
        ("2025-02", None, None, "02010", dict(state_law_stance="none")),
        ("2025-03", None, None, "02010", dict(state_law_stance="anti",
                                              state_law_check="staff_finding")),
        # a staff finding overrides from the month it was checked; unknown stays unknown
        ("2025-02", None, None, "02010", dict(jail_access="unknown", jail_access_basis="none")),
        ("2025-03", None, None, "02010", dict(jail_access="declined",
                                              jail_access_basis="local_policy",
                                              jail_access_check="staff_finding",
                                              jail_access_source="Sheriff's policy 12",
                                              detainer_holds="unknown")),
        # ... and over a state law that settles the practice, for the months it covers only
        ("2025-02", None, None, "01003", dict(detainer_holds="honored",
                                              detainer_holds_basis="state_law",
                                              detainer_holds_check="checked_text",
                                              detainer_holds_source="AL-Test-2025")),
        ("2025-03", None, None, "01003", dict(detainer_holds="judicial_warrant_only",
                                              detainer_holds_basis="local_policy",
                                              detainer_holds_check="staff_finding",
                                              detainer_holds_source="B County jail directive")),
    ],
)
def test_county_posture_cases(mini, month, models, types, fips, expected):
    df = postures.county_postures(mini, month, models=models, agency_types=types)
    assert len(df) == 4
    row = _row(df, fips)
    assert {k: row[k] for k in expected} == expected


def test_state_posture_counts_every_agreement_of_the_state(mini):
    df = postures.state_postures(mini, "2025-03").set_index("state_fips")
    al = df.loc["01"]
    # sheriff, city police, regional jail, state police, and the unmatched one
    assert al["n_agreements"] == 5
    assert al["n_statewide_agreements"] == 1
    assert al["counties_with_287g"] == 3
    assert al["population_covered"] == 300  # C's population is unknown: not counted, not zero
    assert df.loc["02", "federal_list"] == "dhs"
    assert df.loc["02", "n_agreements"] == 0
    assert df.loc["01", "federal_list_city"] == "dhs"


def test_state_posture_counts_statewide_agencies_county_posture_does_not(mini):
    """The documented rule (schema descriptions of has_287g / model_category): a state whose only
    active agreement is a statewide agency's has an agreement, of that model; none of its
    counties does, each carries it in n_statewide_agreements."""
    state = postures.state_postures(mini, "2025-01", models=["TFM"]).set_index("state_fips")
    al = state.loc["01"]
    assert (bool(al["has_287g"]), al["model_category"], al["n_statewide_agreements"],
            al["counties_with_287g"]) == (True, "TFM", 1, 0)
    county = postures.county_postures(mini, "2025-01", models=["TFM"]).set_index("county_fips")
    assert not county.loc[["01001", "01003", "01005"], "has_287g"].any()
    assert set(county.loc[["01001", "01003", "01005"], "model_category"]) == {"none"}
    assert set(county.loc[["01001", "01003", "01005"], "n_statewide_agreements"]) == {1}
    from coopmap import schema
    for table in (schema.STATE_POSTURES, schema.COUNTY_POSTURES):
        desc = table.schema.columns["has_287g"].description
        assert ("counted" in desc) and (("statewide agencies included" in desc)
                                        == (table is schema.STATE_POSTURES))


def test_unknown_filter_value_names_the_choices(mini):
    with pytest.raises(ValueError, match=r"models: unknown \['XYZ'\]; choose from"):
        postures.county_postures(mini, "2025-03", models=["XYZ"])


def test_headline_and_changes(mini):
    h = postures.headline(mini, "2025-03")
    assert (h["agreements"], h["agencies"], h["counties_with_287g"]) == (5, 5, 3)
    assert h["earlier"][1]["agreements"] == 4
    assert h["earlier"][6] is None  # no sheet that far back
    only_al = postures.headline(mini, "2025-02", states=["02"])
    assert only_al["agreements"] == 1


def test_shift_month():
    assert postures.shift_month("2025-01", -1) == "2024-12"
    assert postures.shift_month("2025-12", 1) == "2026-01"
    assert postures.shift_month("2026-05", -12) == "2025-05"


def test_agencies_are_counted_once_whatever_ICE_spelling(mini):
    """ICE writes one agency with straight or curly apostrophes and stray spaces."""
    variant = MiniRelease()
    ag = variant.tables["agreements"]
    extra = ag[ag["agreement_id"] == "a00000000001"].assign(
        agreement_id="a00000000007", model="WSO", agency="A County Sheriff’s Office ")
    variant.tables["agreements"] = pd.concat([ag, extra], ignore_index=True)
    variant.tables["agreement_counties"] = pd.concat(
        [variant.tables["agreement_counties"],
         pd.DataFrame({"agreement_id": ["a00000000007"], "county_fips": ["01001"],
                       "match_method": ["ice_county_column"]})], ignore_index=True)
    variant.tables["listings"] = pd.concat(
        [variant.tables["listings"],
         pd.DataFrame({"agreement_id": ["a00000000007"], "list": ["participating"],
                       "month": ["2025-01"], "signed": [pd.Timestamp("2024-12-01")]})],
        ignore_index=True)
    row = _row(postures.county_postures(variant, "2025-01"), "01001")
    assert (row["n_agreements"], row["n_agencies"], row["model_category"]) == (2, 1, "several")
    assert postures.headline(variant, "2025-01")["agencies"] == 3  # sheriff A, state police, D
    # the same sheriff as "Sheriff's Department" on the same sheet is still one agency
    variant.tables["agreements"].loc[
        variant.tables["agreements"]["agreement_id"] == "a00000000007", "agency"
    ] = "A County Sheriff's Department"
    postures._STATIC.clear()
    row = _row(postures.county_postures(variant, "2025-01"), "01001")
    assert (row["n_agreements"], row["n_agencies"]) == (2, 1)


def test_newest_sheet_agency_count(release):
    """1,843 rows of 2026-05-18 name 1,567 state+agency strings, 1,551 once ICE's spelling
    variants (spaces, apostrophes, reviewed misspellings) are folded, and 1,549 agencies: Walker
    County, TX, and Waukesha County, WI, each have one sheriff named both "Sheriff's Office" and
    "Sheriff's Department" on that sheet."""
    assert postures.headline(release, "2026-05")["agencies"] == 1549
