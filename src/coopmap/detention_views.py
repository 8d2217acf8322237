"""ICE detention for people: a place's facilities, the sentence a voter needs, the national trend
by agreement type and the states ranked. Pure pandas on a release's detention tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import pandas as pd

from coopmap import schema
from coopmap.detention import agreement_class
from coopmap.text import decimal, label, number, t, tn, words

# The trend's series: each local agreement type, then everything else (legend order).
TREND_SERIES = ("IGSA", "DIGSA", "USMS IGA", "federal_private", "unknown")
TREND_COLOURS: dict[str, str] = {
    "IGSA": schema.DETENTION_CATEGORY_COLOURS["IGSA"],
    "DIGSA": schema.DETENTION_CATEGORY_COLOURS["DIGSA"],
    "USMS IGA": schema.DETENTION_CATEGORY_COLOURS["USMS IGA"],
    "federal_private": schema.DETENTION_CATEGORY_COLOURS["federal_private"],
    "unknown": schema.DETENTION_CATEGORY_COLOURS["unknown_type"],
}


def trend_labels() -> dict[str, str]:
    """Legend labels of the trend's series, in the current language."""
    return {
        **{k: words(schema.DETENTION_CATEGORIES)[k] for k in schema.LOCAL_DETENTION_TYPES},
        "federal_private": t("detention.series.federal_private"),
        "unknown": t("detention.series.unknown"),
    }


class HasTables(Protocol):
    def table(self, name: str) -> pd.DataFrame: ...


def _series(type_detailed: pd.Series) -> pd.Series:
    cls = type_detailed.map(agreement_class)
    return type_detailed.where(cls == "local_government", cls)


def monthly_by_type(release: HasTables, states: Sequence[str] | None = None) -> pd.DataFrame:
    """People in ICE detention per month by agreement type: month, series, adp (every month
    and series, 0 where none)."""
    monthly = release.table("detention_monthly")
    if states:
        fac = release.table("detention_facilities").set_index("facility_code")["state_abbr"]
        monthly = monthly[monthly["facility_code"].map(fac).isin(list(states))]
    rows = monthly.assign(series=_series(monthly["type_detailed"]))
    months = sorted(release.table("detention_monthly")["month"].unique())
    grid = pd.MultiIndex.from_product([months, list(TREND_SERIES)], names=["month", "series"])
    out = rows.groupby(["month", "series"])["adp"].sum().reindex(grid, fill_value=0.0)
    return out.rename("adp").reset_index()


def states_ranked_local(release: HasTables, month: str) -> pd.DataFrame:
    """States by ADP in facilities under a local government's agreement in ``month``."""
    sp = release.table("detention_state_postures")
    rows = sp[(sp["month"] == month) & (sp["adp_local"] > 0)]
    names = release.table("states").set_index("state_fips")["name"]
    out = rows.assign(name=rows["state_fips"].map(names), adp=rows["adp_local"].round(0))
    return out[["name", "state_fips", "adp", "n_local_facilities"]].sort_values(
        "adp", ascending=False).reset_index(drop=True)


def place_facilities(release: HasTables, *, county_fips: str | None = None,
                     state_abbr: str | None = None) -> pd.DataFrame:
    """The facilities of a county (placed there) or a state, with their newest ICE figures.

    Columns: facility_code, name, type_detailed, agreement_class, plain (type in words), adp,
    fiscal_year, data_pull, source_file, source_kind, trend (monthly ADP over DDP's months, or
    None where DDP has no counts for it), months (DDP's first and last month)."""
    fac = release.table("detention_facilities")
    if county_fips is not None:
        fac = fac[fac["county_fips"] == county_fips]
    else:
        fac = fac[fac["state_abbr"] == state_abbr]
    pop = release.table("detention_population")
    pop = pop[pop["facility_code"].isin(fac["facility_code"])]
    newest = pop.sort_values(["data_pull", "source_kind"]).groupby("facility_code").tail(1)
    newest = newest.set_index("facility_code")
    monthly = release.table("detention_monthly")
    months = sorted(monthly["month"].unique())
    mine = monthly[monthly["facility_code"].isin(fac["facility_code"])]
    trend = mine.pivot(index="facility_code", columns="month", values="adp").reindex(
        columns=months).fillna(0.0)
    rows = []
    for f in fac.itertuples():
        n = newest.loc[f.facility_code] if f.facility_code in newest.index else None
        rows.append({
            "facility_code": f.facility_code,
            "name": f.name,
            "type_detailed": f.type_detailed,
            "agreement_class": f.agreement_class,
            "plain": words(schema.DETENTION_TYPE_PLAIN)[f.type_detailed],
            "adp": None if n is None else float(n["adp"]),
            "fiscal_year": None if n is None else int(n["fiscal_year"]),
            "data_pull": None if n is None else n["data_pull"],
            "source_file": None if n is None else n["source_file"],
            "source_kind": None if n is None else n["source_kind"],
            "trend": (trend.loc[f.facility_code].round(1).tolist()
                      if f.facility_code in trend.index else None),
            "last_month": f.last_month,
        })
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    order = {"local_government": 0, "federal_private": 1, "unknown": 2}
    out["_o"] = out["agreement_class"].map(order)
    return out.sort_values(["_o", "adp"], ascending=[True, False], na_position="last").drop(
        columns="_o").reset_index(drop=True)


def sentence_year(release: HasTables) -> int:
    """The fiscal year of the sentence: the newest year whose workbook is an end-of-year one
    (the newest fiscal year is still running in its own workbooks)."""
    pop = release.table("detention_population")
    years = sorted(pop.loc[pop["source_kind"] == "ice_workbook", "fiscal_year"].unique())
    return int(years[-2]) if len(years) > 1 else int(years[-1])


def voter_sentences(release: HasTables, county_fips: str, county_name: str) -> list[str]:
    """"The Alamance County jail held on average N people for ICE in FY2025 under an agreement
    between the county and ICE": one per local facility of the county in that year's workbook."""
    fy = sentence_year(release)
    pop = release.table("detention_population")
    year = pop[(pop["fiscal_year"] == fy) & (pop["source_kind"] == "ice_workbook")]
    year = year.sort_values("data_pull").groupby("facility_code").tail(1).set_index(
        "facility_code")
    fac = release.table("detention_facilities")
    fac = fac[(fac["county_fips"] == county_fips) & fac["facility_code"].isin(year.index)]
    short = county_name.upper().removesuffix(" COUNTY").removesuffix(" PARISH")
    out = []
    for f in fac.itertuples():
        row = year.loc[f.facility_code]
        kind = row["type_detailed"]
        if kind not in schema.LOCAL_DETENTION_TYPES:
            continue
        n = number(round(float(row["adp"])))
        own_jail = f.name.upper().startswith(short + " ") and kind in ("IGSA", "USMS IGA")
        key = f"detention.sentence.{kind.replace(' ', '_').lower()}"
        out.append(t(key + (".county" if own_jail else ""), county=county_name, name=f.name.title(),
                     n=n, fy=fy, pull=row["data_pull"].strftime("%Y-%m-%d"),
                     file=row["source_file"].rsplit("/", 1)[-1]))
    return out


def facilities_display(rows: pd.DataFrame) -> pd.DataFrame:
    """The profile's facility table: plain column names, the type in words, period and source."""
    def period(r) -> str:
        if r["fiscal_year"] is None or pd.isna(r["fiscal_year"]):
            return t("detention.col.period.none")
        return t("detention.col.period.value", fy=int(r["fiscal_year"]),
                 pull=pd.Timestamp(r["data_pull"]).strftime("%Y-%m-%d"))

    def source(r) -> str:
        if r["source_file"] is None or pd.isna(r["source_file"]):
            return t("detention.col.source.ddp")
        kind = words(schema.DETENTION_SOURCE_KINDS)[r["source_kind"]]
        return f"{kind}: {r['source_file'].rsplit('/', 1)[-1]}"

    # Facility, people and type first: with the widths the profile gives them they fit a 390 px
    # phone (the type's code leads its words), the rest is a swipe away.
    return pd.DataFrame({
        t("detention.col.facility"): rows["name"].str.title(),
        t("detention.col.adp"): rows["adp"].map(lambda v: None if v is None or pd.isna(v)
                                                else round(v, 1)),
        t("detention.col.type"): rows["type_detailed"].map(
            lambda c: label(schema.DETENTION_TYPES, c) if c == "Other" else c)
        + ": " + rows["plain"],
        t("detention.col.trend"): rows["trend"],
        t("detention.col.period"): rows.apply(period, axis=1),
        t("detention.col.source"): rows.apply(source, axis=1),
    })


def people(adp: float) -> str:
    """An average number of people: one decimal below 10 (0.4 is not "0"), whole above."""
    if adp is None or pd.isna(adp):
        return t("unknown")
    return decimal(adp, 1) if adp < 10 else number(round(adp))


def posture_words(row: pd.Series) -> str:
    """One line for hover and Compare: the local agreement types, facilities and ADP."""
    cat = row["detention_category"]
    if cat == "no_data":
        return t("detention.words.no_data")
    if cat == "none_listed":
        return t("detention.words.none_listed")
    if int(row["n_local_facilities"]) == 0:
        return tn("detention.words.other_only",
                  int(row["n_other_facilities"] + row["n_unknown_facilities"]),
                  adp=people(row["adp_other"] + row["adp_unknown"]))
    one = int(row["n_local_facilities"]) == 1
    return t("detention.words.local.one" if one else "detention.words.local",
             types=row["local_types"],
             n=number(row["n_local_facilities"]), adp=people(row["adp_local"]))
