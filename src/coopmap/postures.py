"""Postures: what applies in each county and state in a chosen month. This is what the map colours.

Everything is computed from a release's tables (agreements, their counties, the month-by-month
listings, places, state-law readings, staff policy findings, federal lists), so any month from
January 2021 to the newest ICE list can be shown, with the same rules, filtered by model and
agency type.

Rules:
- An agreement is active in a month when that month's participating sheet lists it.
- A county-level agreement counts for every county it covers (a regional jail covers several).
- Statewide agencies (state police, corrections) are counted per state, never painted onto a county:
  ``n_statewide_agreements`` carries them to every county of the state.
- Unmatched and territory agreements count in no county; unmatched ones still count in their state.
- Detainer holds, release notification, jail access and the state-law stance are those of the
  state-law readings in effect that month (``law_readings.state_values``), inherited by every
  county, unless a staff finding applying that month overrides them (``policies.findings``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import pandas as pd

from coopmap import designations, frames, law_readings, policies, schema


class HasTables(Protocol):
    def table(self, name: str) -> pd.DataFrame: ...


def months(release: HasTables) -> list[str]:
    """Months that have a participating sheet, oldest first."""
    sheets = release.table("sheets")
    return sorted(sheets.loc[sheets["list"] == "participating", "month"].unique().tolist())


def sheet_date(release: HasTables, month: str, list_: str = "participating") -> str | None:
    """The date of ICE's sheet that a month shows ("2026-03-27" for 2026-03), or None."""
    sheets = release.table("sheets")
    dates = sheets.loc[(sheets["list"] == list_) & (sheets["month"] == month), "sheet_date"]
    if dates.empty or dates.isna().all():
        return None
    return str(max(str(d)[:10] for d in dates.dropna()))


def shift_month(month: str, delta: int) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + (mon - 1) + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _check_choice(name: str, values: Iterable[str] | None, allowed) -> list[str] | None:
    if values is None:
        return None
    values = list(values)
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ValueError(f"{name}: unknown {bad}; choose from {list(allowed)}")
    return values


def active_agreements(
    release: HasTables,
    month: str,
    *,
    models: Iterable[str] | None = None,
    agency_types: Iterable[str] | None = None,
    states: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Agreements on the participating sheet of ``month``, with that month's signed date.

    ``states`` are state FIPS codes. Columns: those of the agreements table (``signed`` is the
    month's value).
    """
    models = _check_choice("models", models, schema.MODELS)
    agency_types = _check_choice("agency_types", agency_types, schema.AGENCY_TYPES)
    listings = release.table("listings")
    on = listings[(listings["list"] == "participating") & (listings["month"] == month)]
    agreements = _agreements_with_keys(release)
    active = agreements.merge(on[["agreement_id", "signed"]], on="agreement_id", how="inner")
    if models is not None:
        active = active[active["model"].isin(models)]
    if agency_types is not None:
        active = active[active["agency_type"].isin(agency_types)]
    if states is not None:
        active = active[active["state_fips"].isin(list(states))]
    return active.reset_index(drop=True)


def _agreements_with_keys(release: HasTables) -> pd.DataFrame:
    """The agreements (without ``signed``) plus ``agency_key``: one key per agency.

    ICE spells one agency differently from row to row ("Sheriff's"/"Sheriff’s", trailing
    spaces, a sheriff's "Office" and "Department" on one sheet), so agencies are counted by
    ``agreements.agency_key``.
    """
    def make() -> pd.DataFrame:
        from coopmap.agreements import agency_key

        agreements = release.table("agreements").drop(columns=["signed"])
        keys = [agency_key(st, name)
                for st, name in zip(agreements["state_abbr"], agreements["agency"], strict=True)]
        return agreements.assign(agency_key=keys)

    return _per_release("agency_keys", release, "agreements", "", make)


def _pending(release: HasTables, month: str) -> pd.DataFrame:
    """Agreements on the newest pending sheet at or before ``month`` that no participating sheet
    from that sheet's month to ``month`` lists: ICE's pending sheets stopped in February 2026, and
    the last one still names agencies that signed since."""
    listings = release.table("listings")
    pending = listings[listings["list"] == "pending"]
    earlier = pending.loc[pending["month"] <= month, "month"]
    if earlier.empty:
        return pending.iloc[0:0]
    sheet = earlier.max()
    part = listings[(listings["list"] == "participating") & (listings["month"] >= sheet)
                    & (listings["month"] <= month)]
    on = pending[pending["month"] == sheet]
    return on[~frames.isin(on["agreement_id"], part["agreement_id"].tolist())]


def _model_flags(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per key: counts, model flags, sheriff flag and first signed date (vectorised)."""
    columns = ["n_agreements", "n_agencies", "has_jem", "has_wso", "has_tfm",
               "sheriff_participates", "first_signed"]
    if frame.empty:
        return pd.DataFrame(columns=columns).rename_axis(key)
    grouped = frame.groupby(key)
    # Agreements per key and model (a groupby: pd.crosstab aggregates group by group).
    models = (frame.groupby([key, "model"]).size().unstack("model", fill_value=0)
              .reindex(columns=list(schema.MODELS), fill_value=0))
    out = pd.DataFrame(
        {
            "n_agreements": grouped["agreement_id"].nunique(),
            "n_agencies": frame.drop_duplicates([key, "agency_key"]).groupby(key).size(),
            "has_jem": models["JEM"] > 0,
            "has_wso": models["WSO"] > 0,
            "has_tfm": models["TFM"] > 0,
            "sheriff_participates": grouped["is_sheriff"].any(),
            "first_signed": grouped["signed"].min(),
        }
    )
    return out[columns]


def model_category(has_jem: pd.Series, has_wso: pd.Series, has_tfm: pd.Series) -> pd.Series:
    """none / JEM / WSO / TFM / several, the 287(g) map layer."""
    count = has_jem.astype(int) + has_wso.astype(int) + has_tfm.astype(int)
    cat = pd.Series("none", index=has_jem.index, dtype=str)
    cat[has_jem & (count == 1)] = "JEM"
    cat[has_wso & (count == 1)] = "WSO"
    cat[has_tfm & (count == 1)] = "TFM"
    cat[count > 1] = "several"
    return cat


def _fill_flags(df: pd.DataFrame) -> pd.DataFrame:
    for col in ("n_agreements", "n_agencies", "n_pending", "n_statewide_agreements"):
        df[col] = df[col].fillna(0).astype("Int64")
    for col in ("has_jem", "has_wso", "has_tfm", "sheriff_participates"):
        df[col] = df[col].astype("boolean").fillna(False)
    df["has_287g"] = df["n_agreements"] > 0
    df["model_category"] = model_category(df["has_jem"], df["has_wso"], df["has_tfm"])
    return df


_STATIC: dict[tuple[str, int, str], tuple[pd.DataFrame, object]] = {}


def _per_release(kind: str, release: HasTables, source: str, level: str, make):
    """Memoise what depends only on one release table (not on month or filters).

    Keyed by the identity of the source table, which a Release keeps for its lifetime; the
    table itself is held in the entry so that the identity cannot be reused.
    """
    table = release.table(source)
    key = (kind, id(table), level)
    hit = _STATIC.get(key)
    if hit is not None and hit[0] is table:
        return hit[1]
    if len(_STATIC) > 512:  # per-month state-law values are small; keep a few releases' worth
        _STATIC.clear()
    value = make()
    _STATIC[key] = (table, value)
    return value


def _state_law_values(release: HasTables, month: str) -> pd.DataFrame:
    """What the state-law readings in effect in ``month`` settle, per state (memoised)."""
    return _per_release("law_values", release, "law_readings", month,
                        lambda: law_readings.state_values(release.table("law_readings"), month,
                                                          release.table("states")["state_fips"]))


def _policy_columns(release: HasTables, level: str, month: str,
                    state_of: pd.Series) -> pd.DataFrame:
    """The practices' value/basis/check/source columns and the stance, for the places of
    ``state_of`` (place FIPS -> state FIPS), in ``month``.

    Every place inherits its state's readings; a staff finding (``policies``) that applies in
    the month overrides its value, basis and source, with check ``staff_finding``.
    """
    values = _state_law_values(release, month)
    out = values.reindex(state_of.to_numpy())
    out.index = state_of.index
    found = policies.findings(release.table("policies"), level, month)
    for dim, rows in found.groupby("dimension"):
        rows = rows[rows["fips"].isin(out.index)].set_index("fips")
        if rows.empty:
            continue
        out.loc[rows.index, dim] = rows["value"]
        out.loc[rows.index, f"{dim}_basis"] = rows["basis"]
        out.loc[rows.index, f"{dim}_check"] = "staff_finding"
        out.loc[rows.index, f"{dim}_source"] = rows["source"]
    stance = _staff_stances(release, month)
    if not stance.empty:
        hit = state_of.isin(stance.index)
        out.loc[hit, "state_law_stance"] = state_of[hit].map(stance).to_numpy()
        out.loc[hit, "state_law_check"] = "staff_finding"
    return out


def _staff_stances(release: HasTables, month: str) -> pd.Series:
    """State-law stances staff published (policy sheet, ``state_law_stance``) that apply in
    ``month``: from the month of their date onwards. The AI-drafted rows never apply."""
    laws = release.table("state_laws")
    if "review_status" not in laws.columns:
        return pd.Series(dtype="str")
    staff = laws[laws["review_status"] == "reviewed"]
    since = staff["verified_date"].dt.strftime("%Y-%m")
    staff = staff[since.isna() | (since <= month)]
    return staff.set_index("state_fips")["stance"]


def _federal(release: HasTables, level: str) -> pd.Series:
    return _per_release("federal", release, "designations", level,
                        lambda: _federal_uncached(release, level))


def _federal_uncached(release: HasTables, level: str) -> pd.Series:
    d = release.table("designations")
    if level == "county":
        return designations.county_federal_lists(d)
    return designations.state_federal_lists(d)


def _federal_city(release: HasTables, level: str) -> pd.Series:
    def make() -> pd.Series:
        d = release.table("designations")
        if level == "county":
            return designations.county_city_lists(d)
        return designations.state_city_lists(d)

    return _per_release("federal_city", release, "designations", level, make)


def county_postures(
    release: HasTables,
    month: str,
    *,
    models: Iterable[str] | None = None,
    agency_types: Iterable[str] | None = None,
    check: bool = False,
) -> pd.DataFrame:
    """One row per county (3,142) describing ``month``; table COUNTY_POSTURES.

    ``check=True`` validates the result against the contract (the build does).
    """
    counties = release.table("counties")
    active = active_agreements(release, month, models=models, agency_types=agency_types)
    covered = active[active["jurisdiction_level"] == "county"].drop(columns=["county_fips"])
    covered = covered.merge(release.table("agreement_counties")[["agreement_id", "county_fips"]],
                            on="agreement_id")
    flags = _model_flags(covered, "county_fips")

    statewide = active[active["jurisdiction_level"] == "state"].groupby("state_fips").size()
    pending = _pending(release, month).merge(
        release.table("agreement_counties")[["agreement_id", "county_fips"]], on="agreement_id"
    )
    pending = _filter_like(release, pending, models, agency_types)
    n_pending = pending.groupby("county_fips")["agreement_id"].nunique()

    out = counties[["county_fips", "state_fips", "state_abbr", "name", "population"]].copy()
    out["month"] = month
    out = out.join(flags, on="county_fips")
    out["n_pending"] = out["county_fips"].map(n_pending)
    out["n_statewide_agreements"] = out["state_fips"].map(statewide)
    out = _fill_flags(out)
    law = _policy_columns(release, "county", month,
                          counties.set_index("county_fips")["state_fips"])
    out = out.join(law, on="county_fips")
    out["federal_list"] = out["county_fips"].map(_federal(release, "county")).fillna("not_listed")
    out["federal_list_city"] = out["county_fips"].map(_federal_city(release, "county")).fillna(
        "not_listed")
    return _finish("county_postures", out, check)


def _finish(name: str, out: pd.DataFrame, check: bool) -> pd.DataFrame:
    """Columns in contract order with contract dtypes; full validation only when asked.

    The app computes postures on every filter change, so the pandera check (about 40 ms) runs in
    the build, where the stored postures are validated, and in the tests, not on each rerun.
    """
    out = schema.conform(name, out)
    return schema.validate(name, out) if check else out


def _filter_like(release, frame, models, agency_types) -> pd.DataFrame:
    """Apply model/agency-type filters to listing rows by joining their agreements."""
    if frame.empty:
        return frame
    agreements = release.table("agreements")[["agreement_id", "model", "agency_type"]]
    frame = frame.merge(agreements, on="agreement_id")
    if models is not None:
        frame = frame[frame["model"].isin(list(models))]
    if agency_types is not None:
        frame = frame[frame["agency_type"].isin(list(agency_types))]
    return frame


def state_postures(
    release: HasTables,
    month: str,
    *,
    models: Iterable[str] | None = None,
    agency_types: Iterable[str] | None = None,
    counties: pd.DataFrame | None = None,
    check: bool = False,
) -> pd.DataFrame:
    """One row per state (51) describing ``month``; table STATE_POSTURES.

    State counts include every agreement of the state's agencies (county, municipal, statewide and
    unmatched); ``counties_with_287g`` and ``population_covered`` come from the county postures.
    """
    states = release.table("states")
    active = active_agreements(release, month, models=models, agency_types=agency_types)
    active = active[active["jurisdiction_level"] != "territory"]
    flags = _model_flags(active, "state_fips")
    statewide = active[active["jurisdiction_level"] == "state"].groupby("state_fips").size()
    pending = _filter_like(release, _pending(release, month), models, agency_types)
    if not pending.empty:
        pending = pending.merge(release.table("agreements")[["agreement_id", "state_fips"]],
                                on="agreement_id")
        n_pending = pending.groupby("state_fips")["agreement_id"].nunique()
    else:
        n_pending = pd.Series(dtype="Int64")
    if counties is None:
        counties = county_postures(release, month, models=models, agency_types=agency_types)
    with_287g = counties[counties["has_287g"]]
    n_counties = with_287g.groupby("state_fips").size()
    pop_covered = with_287g.groupby("state_fips")["population"].sum(min_count=1)

    out = states[["state_fips", "state_abbr", "name", "population"]].copy()
    out["month"] = month
    out = out.join(flags, on="state_fips")
    out["n_pending"] = out["state_fips"].map(n_pending)
    out["n_statewide_agreements"] = out["state_fips"].map(statewide)
    out = _fill_flags(out)
    law = _policy_columns(release, "state", month,
                          pd.Series(states["state_fips"].to_numpy(), index=states["state_fips"]))
    out = out.join(law, on="state_fips")
    out["federal_list"] = out["state_fips"].map(_federal(release, "state")).fillna("not_listed")
    out["federal_list_city"] = out["state_fips"].map(_federal_city(release, "state")).fillna(
        "not_listed")
    out["counties_with_287g"] = out["state_fips"].map(n_counties).fillna(0)
    out["population_covered"] = out["state_fips"].map(pop_covered).fillna(0)
    return _finish("state_postures", out, check)


def territory_postures(
    release: HasTables,
    month: str,
    *,
    models: Iterable[str] | None = None,
    agency_types: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Guam, the Northern Mariana Islands, Puerto Rico, the Virgin Islands, American Samoa in
    ``month``: state_fips, state_abbr, name, n_agreements, n_agencies (every agreement of their
    agencies). They have no shape and no state-law or population source, so this is all."""
    from coopmap import gazetteer

    places = gazetteer.states()
    places = places[places["is_territory"]][["state_fips", "state_abbr", "name"]]
    active = active_agreements(release, month, models=models, agency_types=agency_types)
    active = active[active["state_fips"].isin(places["state_fips"])]
    counts = active.groupby("state_fips").agg(n_agreements=("agreement_id", "nunique"),
                                             n_agencies=("agency_key", "nunique"))
    out = places.join(counts, on="state_fips")
    for col in ("n_agreements", "n_agencies"):
        out[col] = out[col].fillna(0).astype("Int64")
    return out.assign(month=month).reset_index(drop=True)


def headline_figures(
    release: HasTables,
    month: str,
    *,
    states: Iterable[str] | None = None,
    models: Iterable[str] | None = None,
    agency_types: Iterable[str] | None = None,
) -> dict:
    """Agreements, agencies, counties with an agreement and their population, for one month.

    Counts every active agreement of the selected states (statewide and unmatched included);
    counties are those a county-level agreement covers.
    """
    states = list(states) if states is not None else None
    active = active_agreements(release, month, models=models, agency_types=agency_types)
    in_view = active if states is None else active[active["state_fips"].isin(states)]
    local = active[active["jurisdiction_level"] == "county"]
    cover = release.table("agreement_counties")
    counties = release.table("counties")
    covered = counties[counties["county_fips"].isin(
        cover.loc[cover["agreement_id"].isin(local["agreement_id"]), "county_fips"])]
    if states is not None:
        covered = covered[covered["state_fips"].isin(states)]
    return {
        "month": month,
        "agreements": int(in_view["agreement_id"].nunique()),
        "agencies": int(in_view["agency_key"].nunique()),
        "counties_with_287g": int(len(covered)),
        "population_covered": int(covered["population"].sum()),
    }


def headline(
    release: HasTables,
    month: str,
    *,
    states: Iterable[str] | None = None,
    models: Iterable[str] | None = None,
    agency_types: Iterable[str] | None = None,
) -> dict:
    """Headline figures for a view and their values 1, 6 and 12 months earlier.

    Returns headline_figures(...) plus "earlier": {1: {...} or None, 6: ..., 12: ...}, None
    where no sheet exists for that month.
    """
    available = set(months(release))
    kw = {"states": states, "models": models, "agency_types": agency_types}
    out = headline_figures(release, month, **kw)
    out["earlier"] = {
        k: (headline_figures(release, shift_month(month, -k), **kw)
            if shift_month(month, -k) in available else None)
        for k in (1, 6, 12)
    }
    return out
