"""ICE detention per county and state and month: what the map's detention layer colours.

From the monthly average daily population per facility (DDP's daily counts, 2022-10 -> 2026-03)
and each facility's county and type that month. A facility "holds people" in a month when DDP
counted at least one person on some day of it. Where no facility appears the posture is
"none_listed", never "no": ICE's lists and DDP's counts show only facilities with people, and a
county's jail may hold an agreement without holding anyone that month.
"""

from __future__ import annotations

import pandas as pd

from coopmap import schema
from coopmap.detention import agreement_class

_COUNT_COLUMNS = ("n_local_facilities", "adp_local", "n_other_facilities", "adp_other",
                  "n_unknown_facilities", "adp_unknown")


def _with_places(monthly: pd.DataFrame, facilities: pd.DataFrame,
                 states: pd.DataFrame) -> pd.DataFrame:
    places = facilities[["facility_code", "county_fips", "state_abbr"]]
    out = monthly.merge(places, on="facility_code", how="left")
    out["state_fips"] = out["state_abbr"].map(states.set_index("state_abbr")["state_fips"])
    out["cls"] = out["type_detailed"].map(agreement_class)
    return out


def _aggregate(rows: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per (key, month): counts, ADP and the local types, vectorised (a facility has one row
    per month, so a count of rows is a count of facilities)."""
    keys = [key, "month"]
    if rows.empty:
        return pd.DataFrame(columns=[*keys, *_COUNT_COLUMNS, "local_types"]).set_index(keys)
    grouped = rows.groupby([*keys, "cls"], sort=False)["adp"].agg(["size", "sum"])
    wide = grouped.unstack("cls")
    out = pd.DataFrame(index=wide.index)
    for cls, n_col, adp_col in (("local_government", "n_local_facilities", "adp_local"),
                                ("federal_private", "n_other_facilities", "adp_other"),
                                ("unknown", "n_unknown_facilities", "adp_unknown")):
        if ("size", cls) in wide.columns:
            out[n_col] = wide[("size", cls)]
            out[adp_col] = wide[("sum", cls)]
        else:
            out[n_col] = 0
            out[adp_col] = 0.0
    local = rows[rows["cls"] == "local_government"]
    present = local.groupby([*keys, "type_detailed"], sort=False).size().unstack(
        "type_detailed").reindex(columns=list(schema.LOCAL_DETENTION_TYPES)).notna()
    joined = pd.Series("", index=present.index, dtype="str")
    for kind in schema.LOCAL_DETENTION_TYPES:
        joined = joined + present[kind].map({True: kind + ", ", False: ""}).astype("str")
    out["local_types"] = joined.str.removesuffix(", ").replace("", pd.NA)
    return out


def _category(df: pd.DataFrame) -> pd.Series:
    cat = pd.Series("none_listed", index=df.index, dtype="str")
    cat[df["n_unknown_facilities"] > 0] = "unknown_type"
    cat[df["n_other_facilities"] > 0] = "federal_private"
    local = df["n_local_facilities"] > 0
    several = df["local_types"].fillna("").str.contains(",")
    cat[local & several] = "several"
    single = local & ~several
    cat[single] = df.loc[single, "local_types"]
    return cat


def _finish(name: str, places: pd.Series, months: list[str], agg: pd.DataFrame, key: str,
            check: bool) -> pd.DataFrame:
    """The listed places' rows (categorised while few), spread onto every place x month."""
    for col in _COUNT_COLUMNS:
        agg[col] = agg[col].fillna(0)
    agg["detention_category"] = _category(agg)
    agg["has_local_detention"] = (agg["n_local_facilities"] > 0).astype("boolean")
    grid = pd.MultiIndex.from_product([sorted(places), months], names=[key, "month"])
    out = agg.reindex(grid)
    for col in _COUNT_COLUMNS:
        out[col] = out[col].fillna(0)
    out["detention_category"] = out["detention_category"].fillna("none_listed")
    out = out.reset_index()
    conformed = schema.conform(name, out.assign(state_fips=out[key].str.slice(0, 2)))
    return schema.validate(name, conformed) if check else conformed


def county_postures(monthly: pd.DataFrame, facilities: pd.DataFrame, counties: pd.DataFrame,
                    states: pd.DataFrame, *, check: bool = False) -> pd.DataFrame:
    """One row per county and DDP month (table DETENTION_COUNTY_POSTURES)."""
    rows = _with_places(monthly, facilities, states).dropna(subset=["county_fips"])
    rows = rows[rows["county_fips"].isin(counties["county_fips"])]
    months = sorted(monthly["month"].unique())
    return _finish("detention_county_postures", counties["county_fips"], months,
                   _aggregate(rows, "county_fips"), "county_fips", check)


def state_postures(monthly: pd.DataFrame, facilities: pd.DataFrame, states: pd.DataFrame,
                   *, check: bool = False) -> pd.DataFrame:
    """One row per state and DDP month, counting every facility of the state, placed or not."""
    rows = _with_places(monthly, facilities, states).dropna(subset=["state_fips"])
    months = sorted(monthly["month"].unique())
    return _finish("detention_state_postures", states["state_fips"], months,
                   _aggregate(rows, "state_fips"), "state_fips", check)


def at_month(postures: pd.DataFrame, month: str, places: pd.DataFrame, key: str
             ) -> pd.DataFrame:
    """The postures of ``month`` for every place in ``places`` (one row each); a month without
    DDP data gives category no_data and empty counts, never zeros."""
    rows = postures[postures["month"] == month]
    if len(rows):
        return rows.reset_index(drop=True)
    out = places[[key]].copy()
    out["month"] = month
    out["detention_category"] = "no_data"
    out["has_local_detention"] = pd.array([pd.NA] * len(out), dtype="boolean")
    out["local_types"] = pd.NA
    for col in _COUNT_COLUMNS:
        out[col] = pd.NA
    return out.reset_index(drop=True)


DETENTION_COLUMNS = ("detention_category", "has_local_detention", "local_types",
                     *_COUNT_COLUMNS)


def join_month(frame: pd.DataFrame, release, month: str, level: str) -> pd.DataFrame:
    """``frame`` (county or state postures of ``month``) with the detention columns of that
    month; a release without detention tables, or a month without data, gives no_data."""
    key = "county_fips" if level == "county" else "state_fips"
    table = f"detention_{level}_postures"
    try:
        stored = release.table(table)
    except (KeyError, FileNotFoundError):
        stored = pd.DataFrame(columns=[key, "month", *DETENTION_COLUMNS])
    rows = at_month(stored, month, frame, key)[[key, *DETENTION_COLUMNS]]
    return frame.drop(columns=[c for c in DETENTION_COLUMNS if c in frame.columns]).merge(
        rows, on=key, how="left")
