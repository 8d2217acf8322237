"""The preview diff, on a release built from the real sources."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from staff_fixtures import built_store  # one build of the real sources per test session

from coopmap import changes, postures
from coopmap.store import ReleaseStore


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> dict[str, pd.DataFrame]:
    store_dir: Path = built_store(tmp_path_factory, "april", drop_newest=True)
    return ReleaseStore(store_dir).current().tables()


class View:
    def __init__(self, t):
        self.t = t

    def table(self, name):
        return self.t[name]


def with_postures(t: dict) -> dict:
    t = dict(t)
    month = postures.months(View(t))[-1]
    t["county_postures"] = postures.county_postures(View(t), month)
    t["state_postures"] = postures.state_postures(View(t), month, counties=t["county_postures"])
    return t


def test_same_release_is_no_change(tables):
    ch = changes.diff(tables, tables)
    assert ch.empty and ch.colour_changes.empty
    assert ch.summary().startswith("No change")
    assert ch.counts["participating_before"] == ch.counts["participating_after"] == 1770


def test_policy_change_old_new_and_colour(tables):
    new = dict(tables)
    pol = tables["policies"].copy()
    hit = (pol["fips"] == "06037") & (pol["dimension"] == "jail_access")
    pol.loc[hit, ["value", "basis", "source_url"]] = ["declined", "local_policy",
                                                      "https://e.org/la"]
    new["policies"] = pol
    new = with_postures(new)
    ch = changes.diff(tables, new)
    assert ch.policy_changes[["fips", "name", "dimension", "old_value", "new_value"]
                             ].values.tolist() == [
        ["06037", "Los Angeles County, CA", "jail_access", "unknown", "declined"]]
    # The map colour was California's law (TRUTH Act: limited); the finding overrides it.
    inherited = tables["county_postures"].set_index("county_fips").loc["06037", "jail_access"]
    assert inherited == "limited"
    assert ch.colour_changes[["level", "fips", "layer", "old", "new"]].values.tolist() == [
        ["county", "06037", "jail_access", inherited, "declined"]]
    assert ch.counts["counties_recoloured"] == 1 and ch.counts["states_recoloured"] == 0


def test_ended_and_changed_agreements(tables):
    new = dict(tables)
    a = tables["agreements"].copy()
    active = a.index[a["status"] == "participating"]
    ended, edited = a.loc[active[0], "agreement_id"], a.loc[active[1], "agreement_id"]
    a.loc[active[0], "status"] = "no_longer_listed"
    a.loc[active[1], "moa_url"] = "https://www.ice.gov/new.pdf"
    new["agreements"] = a
    ch = changes.diff(tables, new)
    assert ch.agreements_ended["agreement_id"].tolist() == [ended]
    assert ch.agreements_ended["status"].tolist() == ["no_longer_listed"]
    row = ch.agreements_changed.set_index("agreement_id").loc[edited]
    assert (row["field"], row["new"]) == ("moa_url", "https://www.ice.gov/new.pdf")
    assert ch.counts["agreements_ended"] == 1 and ch.counts["agreements_changed"] == 1
    assert "1 ended" in ch.summary()


def test_first_release_everything_is_added(tables):
    ch = changes.diff(None, tables)
    assert len(ch.agreements_added) == (tables["agreements"]["status"] != "no_longer_listed").sum()
    assert ch.agreements_ended.empty and ch.policy_changes.empty


def test_law_readings_changes_and_the_stances_they_move(tables):
    """The staff diff reads the law readings: a reading removed, one changed, and the stance the
    map shows moving with them (the retired draft table plays no part)."""
    new = dict(tables)
    r = tables["law_readings"].copy()
    oregon = r["law_id"] == "OR-HB3265-2021"
    assert oregon.sum() == 5
    r = r[~oregon]
    ca = (r["law_id"] == "CA-SB54-2017") & (r["dimension"] == "detainer_holds")
    r.loc[ca, "check_status"] = "secondary_source"
    new["law_readings"] = r.reset_index(drop=True)
    draft = tables["state_laws"].copy()
    draft.loc[draft["state_fips"] == "48", "stance"] = "anti"  # settles nothing any more
    new["state_laws"] = draft
    new = with_postures(new)
    ch = changes.diff(tables, new)
    rc = ch.reading_changes
    assert sorted(rc.loc[rc["change"] == "removed", "dimension"]) == sorted(
        tables["law_readings"].loc[tables["law_readings"]["law_id"] == "OR-HB3265-2021",
                                   "dimension"])
    changed = rc[rc["change"] == "changed"]
    assert changed[["law_id", "field", "old", "new"]].values.tolist() == [
        ["CA-SB54-2017", "check_status", "checked_text", "secondary_source"]]
    stance = ch.stance_changes.set_index("state_fips")
    assert stance.loc["41", ["old_stance", "new_stance"]].tolist() == ["anti", "none"]
    assert "48" not in stance.index  # the draft's stance changes nothing on the map
    assert ch.counts["reading_changes"] == 6
    assert "6 state-law readings added, removed or changed" in ch.summary()
