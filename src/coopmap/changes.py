"""What a candidate release would change, compared with the current one: the staff preview.

Agreements added, ended and changed (field by field), policy values old -> new, state-law
readings added, removed or changed (``law_readings``, by law and dimension), state-law stances old
-> new as the map shows them (``state_postures``: from the readings in effect, or a staff finding),
the places whose map colour changes on each map layer, and the counts. Both sides are
plain tables (a ``Release`` or a dict of DataFrames), so the diff is a pure function.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from coopmap import law_readings, schema

ACTIVE = ("participating", "pending")
# Agreement fields whose change is shown (ids, months and provenance change with every sheet).
AGREEMENT_FIELDS = ["agency", "agency_type", "status", "signed", "moa_url", "addendum_url",
                    "jurisdiction_level", "county_fips", "match_method"]
# Posture columns that colour a map layer.
MAP_LAYERS: dict[str, str] = {
    "model_category": "287(g) agreements by model",
    "state_law_stance": "State law on cooperation",
    "detainer_holds": schema.POLICY_DIMENSIONS["detainer_holds"],
    "release_notification": schema.POLICY_DIMENSIONS["release_notification"],
    "jail_access": schema.POLICY_DIMENSIONS["jail_access"],
    "federal_list": "Named on a federal list",
}
# Fields of a state-law reading whose change the preview shows (the editors' note is not one).
READING_FIELDS = ["citation", "basis_kind", "effective", "ended", "end_reason", "value",
                  "provision", "quote", "text_url", "check_status", "secondary_source"]
READING_CHANGE_COLUMNS = ["state_abbr", "law_id", "dimension", "change", "field", "old", "new"]
FACILITY_COLUMNS = ["facility_code", "name", "city", "state_abbr", "county_fips",
                    "type_detailed"]
DETENTION_CHANGE_COLUMNS = ["county_fips", "name", "month", "old", "new"]
AGREEMENT_COLUMNS = ["agreement_id", "state_abbr", "agency", "model", "agency_type", "status",
                     "county_fips", "signed"]


@dataclass
class Changes:
    agreements_added: pd.DataFrame
    agreements_ended: pd.DataFrame
    agreements_changed: pd.DataFrame  # one row per (agreement, field)
    policy_changes: pd.DataFrame
    stance_changes: pd.DataFrame
    colour_changes: pd.DataFrame  # one row per (level, place, layer)
    counts: dict = field(default_factory=dict)
    # one row per (law_id, dimension) added, removed or changed in law_readings
    reading_changes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=READING_CHANGE_COLUMNS))
    # ICE detention facilities (detention_facilities) the candidate adds or no longer has
    facilities_added: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=FACILITY_COLUMNS))
    facilities_removed: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=FACILITY_COLUMNS))
    # one row per (county, month) whose detention posture (detention_category) changes
    detention_changes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=DETENTION_CHANGE_COLUMNS))

    @property
    def empty(self) -> bool:
        return not any(len(df) for df in (self.agreements_added, self.agreements_ended,
                                          self.agreements_changed, self.policy_changes,
                                          self.stance_changes, self.reading_changes,
                                          self.facilities_added, self.facilities_removed,
                                          self.detention_changes))

    def summary(self) -> str:
        c = self.counts
        if self.empty:
            return "No change: the upload gives exactly what the current release already says."
        fields = c.get("agreement_fields_changed", c["agreements_changed"])
        changed = f"{c['agreements_changed']:,} changed"
        if fields != c["agreements_changed"]:
            changed = f"{c['agreements_changed']:,} changed ({_n(fields, 'field change')})"
        parts = [
            f"{_n(c['agreements_added'], 'agreement')} added",
            f"{c['agreements_ended']:,} ended",
            changed,
            f"{_n(c['policy_changes'], 'policy value')} changed",
            f"{_n(c.get('reading_changes', 0), 'state-law reading')} added, removed or changed",
            f"{_n(c['stance_changes'], 'state law stance')} changed",
            f"{_n(c['counties_recoloured'], 'county', 'counties')} and "
            f"{_n(c['states_recoloured'], 'state')} change colour on at least one map layer",
        ]
        if c.get("facilities_added") or c.get("facilities_removed") or c.get(
                "detention_counties_changed"):
            parts.insert(-1, _n(c["facilities_added"], "detention facility",
                                "detention facilities")
                         + f" added, {c['facilities_removed']:,} removed")
            parts.insert(-1, _n(c["detention_counties_changed"], "county", "counties")
                         + " change detention posture in at least one month")
        return "; ".join(parts) + "."


def _n(count: int, singular: str, plural: str | None = None) -> str:
    """'1 state', '44 states': a count with its noun."""
    return f"{count:,} {singular if count == 1 else (plural or singular + 's')}"


def _table(source, name: str) -> pd.DataFrame:
    return source[name] if isinstance(source, Mapping) else source.table(name)


def diff(current, candidate) -> Changes:
    """Compare two releases' tables (``current`` may be None: everything is new)."""
    cand_a = _table(candidate, "agreements").set_index("agreement_id")
    if current is None:
        cur_a = cand_a.iloc[0:0]
    else:
        cur_a = _table(current, "agreements").set_index("agreement_id")

    cand_active = cand_a.index[cand_a["status"].isin(ACTIVE)]
    cur_active = cur_a.index[cur_a["status"].isin(ACTIVE)]
    added_ids = cand_active.difference(cur_active)
    ended_ids = cur_active.difference(cand_active)
    added = cand_a.loc[added_ids].reset_index()[AGREEMENT_COLUMNS]
    ended = cur_a.loc[ended_ids].reset_index()[AGREEMENT_COLUMNS]
    if len(ended):
        ended["status"] = cand_a["status"].reindex(ended["agreement_id"]).fillna(
            "no_longer_listed").to_numpy()

    both = cand_active.intersection(cur_active)
    changed = []
    for col in AGREEMENT_FIELDS:
        old = cur_a.loc[both, col]
        new = cand_a.loc[both, col]
        differs = ~((old == new).fillna(False) | (old.isna() & new.isna()))
        for aid in both[differs.to_numpy()]:
            changed.append({
                "agreement_id": aid, "state_abbr": cand_a.at[aid, "state_abbr"],
                "agency": cand_a.at[aid, "agency"], "model": cand_a.at[aid, "model"],
                "field": col, "old": _text(cur_a.at[aid, col]), "new": _text(cand_a.at[aid, col]),
            })
    changed_df = pd.DataFrame(changed, columns=["agreement_id", "state_abbr", "agency", "model",
                                                "field", "old", "new"])

    policy = _policy_changes(current, candidate)
    stance = _stance_changes(current, candidate)
    readings = _reading_changes(current, candidate)
    colours = pd.concat([
        _colour_changes(current, candidate, "county_postures", "county", "county_fips"),
        _colour_changes(current, candidate, "state_postures", "state", "state_fips"),
    ], ignore_index=True)
    fac_added, fac_removed, detention = _detention_changes(current, candidate)
    counts = {
        "agreements_added": len(added),
        "agreements_ended": len(ended),
        "agreements_changed": changed_df["agreement_id"].nunique(),
        # One agreement can change in several fields: the preview lists one row per field.
        "agreement_fields_changed": len(changed_df),
        "policy_changes": len(policy),
        "stance_changes": len(stance),
        "reading_changes": len(readings),
        "counties_recoloured": colours.loc[colours["level"] == "county", "fips"].nunique(),
        "states_recoloured": colours.loc[colours["level"] == "state", "fips"].nunique(),
        "active_before": len(cur_active),
        "active_after": len(cand_active),
        "participating_before": int((cur_a["status"] == "participating").sum()),
        "participating_after": int((cand_a["status"] == "participating").sum()),
        "facilities_added": len(fac_added),
        "facilities_removed": len(fac_removed),
        "detention_counties_changed": detention["county_fips"].nunique(),
    }
    return Changes(added, ended, changed_df, policy, stance, colours, counts, readings,
                   fac_added, fac_removed, detention)


def _has(source, name: str) -> bool:
    if isinstance(source, Mapping):
        return name in source
    return name in source.manifest.get("row_counts", {})


def _detention_changes(current, candidate
                       ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Detention facilities added and removed (by ICE facility code), and the (county, month)
    rows whose detention posture changes; empty when either side has no detention tables."""
    empty = (pd.DataFrame(columns=FACILITY_COLUMNS), pd.DataFrame(columns=FACILITY_COLUMNS),
             pd.DataFrame(columns=DETENTION_CHANGE_COLUMNS))
    names = ("detention_facilities", "detention_county_postures")
    if current is None or not all(_has(t, n) for t in (current, candidate) for n in names):
        return empty
    new_f = _table(candidate, "detention_facilities").set_index("facility_code")
    old_f = _table(current, "detention_facilities").set_index("facility_code")
    added = new_f.loc[new_f.index.difference(old_f.index)].reset_index()[FACILITY_COLUMNS]
    removed = old_f.loc[old_f.index.difference(new_f.index)].reset_index()[FACILITY_COLUMNS]
    key = ["county_fips", "month"]
    new_t = _table(candidate, "detention_county_postures")
    old_t = _table(current, "detention_county_postures")
    if _same_keys(new_t, old_t, key):
        # The same (county, month) rows in the same order (an upload of another kind leaves
        # the 132,000 rows as they are): compare in place, without indexing them.
        new_c = new_t["detention_category"].reset_index(drop=True)
        old_c = old_t["detention_category"].reset_index(drop=True)
        differs = (~_same(new_c, old_c)).to_numpy()
        rows = pd.DataFrame({"county_fips": new_t["county_fips"].array[differs],
                             "month": new_t["month"].array[differs],
                             "old": old_c.array[differs], "new": new_c.array[differs]})
    else:
        new_p = new_t.set_index(key)["detention_category"]
        old_p = old_t.set_index(key)["detention_category"].reindex(new_p.index)
        differs = ~_same(new_p, old_p)
        rows = pd.DataFrame({"old": old_p[differs.to_numpy()], "new": new_p[differs.to_numpy()]})
        rows = rows.reset_index()
    counties = _table(candidate, "counties")
    label = dict(zip(counties["county_fips"], counties["name"] + ", " + counties["state_abbr"],
                     strict=True))
    rows["name"] = rows["county_fips"].map(label)
    return added, removed, rows[DETENTION_CHANGE_COLUMNS].reset_index(drop=True)


def _same_keys(a: pd.DataFrame, b: pd.DataFrame, key: list[str]) -> bool:
    """Whether two tables hold the same key values in the same order."""
    return len(a) == len(b) and all(
        a[k].reset_index(drop=True).equals(b[k].reset_index(drop=True)) for k in key)


def _unchanged(new: pd.DataFrame, old: pd.DataFrame) -> bool:
    """Whether a table is exactly the same in both releases (then nothing in it changed)."""
    return list(new.columns) == list(old.columns) and new.reset_index(drop=True).equals(
        old.reset_index(drop=True))


def _text(value) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _policy_changes(current, candidate) -> pd.DataFrame:
    cols = ["level", "fips", "name", "dimension", "old_value", "new_value", "old_basis",
            "new_basis", "source", "source_url"]
    new = _table(candidate, "policies")
    if current is None:
        return pd.DataFrame(columns=cols)
    old = _table(current, "policies")
    if _unchanged(new, old):
        return pd.DataFrame(columns=cols)
    key = ["level", "fips", "dimension"]
    merged = new.merge(old, on=key, how="left", suffixes=("", "_old"))
    same = ((merged["value"] == merged["value_old"]).fillna(False)
            & (merged["basis"] == merged["basis_old"]).fillna(False)
            & _same(merged["source_url"], merged["source_url_old"])
            & _same(merged["as_of"], merged["as_of_old"]))
    ch = merged[~same]
    names = _place_names(candidate)
    return pd.DataFrame({
        "level": ch["level"], "fips": ch["fips"],
        "name": [names.get(f, f) for f in ch["fips"]],
        "dimension": ch["dimension"],
        "old_value": ch["value_old"], "new_value": ch["value"],
        "old_basis": ch["basis_old"], "new_basis": ch["basis"],
        "source": ch["source"], "source_url": ch["source_url"],
    }, columns=cols).reset_index(drop=True)


def _same(a: pd.Series, b: pd.Series) -> pd.Series:
    return (a == b).fillna(False) | (a.isna() & b.isna())


def _stance_changes(current, candidate) -> pd.DataFrame:
    """States whose stance, or what it rests on, differs in the newest month each release
    colours (``state_postures``): the readings in effect or a staff finding decide it, not the
    retired draft table."""
    cols = ["state_fips", "name", "old_stance", "new_stance", "old_check", "new_check",
            "law_name", "source_url"]
    if current is None:
        return pd.DataFrame(columns=cols)
    fields = ["state_law_stance", "state_law_check"]
    new = _table(candidate, "state_postures").set_index("state_fips")
    old = _table(current, "state_postures").set_index("state_fips").reindex(new.index)
    differs = pd.Series(False, index=new.index)
    for f in fields:
        differs |= ~_same(new[f], old[f])
    ch = new[differs]
    names = _place_names(candidate)
    laws, urls = _stance_bases(candidate, ch)
    return pd.DataFrame({
        "state_fips": ch.index, "name": [names.get(f, f) for f in ch.index],
        "old_stance": old.loc[ch.index, "state_law_stance"].to_numpy(),
        "new_stance": ch["state_law_stance"].to_numpy(),
        "old_check": old.loc[ch.index, "state_law_check"].to_numpy(),
        "new_check": ch["state_law_check"].to_numpy(),
        "law_name": laws, "source_url": urls,
    }, columns=cols).reset_index(drop=True)


def _stance_bases(candidate, changed: pd.DataFrame) -> tuple[list, list]:
    """What each changed stance rests on in the candidate: the staff finding's law and URL, or
    the law ids (and first text URL) of the readings in effect that month."""
    if changed.empty:
        return [], []
    laws_table = _table(candidate, "state_laws").set_index("state_fips")
    readings = _table(candidate, "law_readings")
    laws, urls = [], []
    for fips, row in changed.iterrows():
        if row["state_law_check"] == "staff_finding" and fips in laws_table.index:
            laws.append(laws_table.at[fips, "law_name"])
            urls.append(laws_table.at[fips, "source_url"])
            continue
        held = law_readings.in_effect(readings[readings["state_fips"] == fips], row["month"])
        ids = sorted(set(held["law_id"]))
        laws.append(", ".join(ids) if ids else None)
        found = held["text_url"].dropna()
        urls.append(found.iloc[0] if len(found) else None)
    return laws, urls


def _reading_changes(current, candidate) -> pd.DataFrame:
    """State-law readings added, removed, or changed field by field (by law_id and dimension)."""
    if current is None:
        return pd.DataFrame(columns=READING_CHANGE_COLUMNS)
    key = ["law_id", "dimension"]
    if _unchanged(_table(candidate, "law_readings"), _table(current, "law_readings")):
        return pd.DataFrame(columns=READING_CHANGE_COLUMNS)
    new = _table(candidate, "law_readings").set_index(key)
    old = _table(current, "law_readings").set_index(key)
    rows = []
    for k in new.index.difference(old.index):
        rows.append({"state_abbr": new.at[k, "state_abbr"], "law_id": k[0], "dimension": k[1],
                     "change": "added", "field": None, "old": None,
                     "new": _text(new.at[k, "value"])})
    for k in old.index.difference(new.index):
        rows.append({"state_abbr": old.at[k, "state_abbr"], "law_id": k[0], "dimension": k[1],
                     "change": "removed", "field": None, "old": _text(old.at[k, "value"]),
                     "new": None})
    both = new.index.intersection(old.index)
    for f in READING_FIELDS:
        differs = ~_same(new.loc[both, f], old.loc[both, f])
        for k in both[differs.to_numpy()]:
            rows.append({"state_abbr": new.at[k, "state_abbr"], "law_id": k[0],
                         "dimension": k[1], "change": "changed", "field": f,
                         "old": _text(old.at[k, f]), "new": _text(new.at[k, f])})
    return pd.DataFrame(rows, columns=READING_CHANGE_COLUMNS)


def _colour_changes(current, candidate, table: str, level: str, key: str) -> pd.DataFrame:
    cols = ["level", "fips", "name", "layer", "old", "new"]
    new = _table(candidate, table).set_index(key)
    if current is None:
        return pd.DataFrame(columns=cols)
    old = _table(current, table).set_index(key).reindex(new.index)
    rows = []
    for layer in MAP_LAYERS:
        differs = ~_same(new[layer], old[layer])
        for fips in new.index[differs.to_numpy()]:
            rows.append({"level": level, "fips": fips, "name": new.at[fips, "name"],
                         "layer": layer, "old": old.at[fips, layer], "new": new.at[fips, layer]})
    return pd.DataFrame(rows, columns=cols)


def _place_names(tables) -> dict[str, str]:
    counties = _table(tables, "counties")
    states = _table(tables, "states")
    out = dict(zip(states["state_fips"], states["name"], strict=True))
    out.update({f: f"{n}, {a}" for f, n, a in zip(counties["county_fips"], counties["name"],
                                                   counties["state_abbr"], strict=True)})
    return out
