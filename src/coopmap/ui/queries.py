"""Pure pandas shaping for the pages: hover lines, display tables, CSV, trends, comparisons.

No Streamlit here (the pages and ``ui.data`` cache these), so everything is testable as plain
functions on the real release.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from coopmap import figures, schema
from coopmap.text import label, number, t, tn, words

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


_MD_SPECIAL = "\\`*_{}[]<>()#+-.!|~:$"


def md_escape(text: str) -> str:
    """Data text inside markdown stays text: every markdown-active character is escaped."""
    return "".join("\\" + c if c in _MD_SPECIAL else c for c in str(text))


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with a single quote."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            s = out[col].astype("str")
            risky = s.str.startswith(FORMULA_PREFIXES).fillna(False).astype(bool)
            out[col] = s.where(~risky, "'" + s)
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with BOM, so spreadsheets read accents), formula-safe."""
    return neutralise_formulas(df).to_csv(index=False).encode("utf-8-sig")


def _models_of(row: pd.Series) -> list[str]:
    return [m for m, col in (("JEM", "has_jem"), ("WSO", "has_wso"), ("TFM", "has_tfm"))
            if bool(row[col])]


def hover_columns(postures: pd.DataFrame, level: str, layer: str,
                  undated: Mapping[tuple[str, str], str] | None = None,
                  stance_laws: Mapping[str, str] | None = None
                  ) -> tuple[pd.DataFrame, dict[str, str]]:
    """Formatted hover values of each place and their labels (column -> label), in order
    (``undated``: see ``policy_text``; ``stance_laws``: see ``stance_text``)."""
    rows = postures
    spec = figures.LAYERS[layer]
    name = (rows["name"] + ", " + rows["state_abbr"]) if level == "county" else rows["name"]
    # Plain text: the map sets it with textContent, so markup in a name stays visible text.
    out = pd.DataFrame({"name": name}, index=rows.index)
    labels: dict[str, str] = {}
    out["agreements"] = rows["n_agreements"].map(number)
    labels["agreements"] = t("hover.agreements.label")
    out["models"] = _models_text(rows)
    labels["models"] = t("hover.models.label")
    if level == "state":
        out["counties"] = rows["counties_with_287g"].map(number)
        labels["counties"] = t("hover.counties_with_287g.label")
    if spec.basis_column:
        out["policy"] = policy_text(rows, spec.column, undated)
        labels["policy"] = words(schema.POLICY_DIMENSIONS)[spec.column]
    elif layer == "stance":
        out["stance"] = stance_text(rows, stance_laws)
        labels["stance"] = t("hover.stance.label")
    elif layer == "federal":
        out["federal"] = federal_text(rows)
        labels["federal"] = t("hover.federal.label")
    elif layer in figures.DETENTION_LAYERS:
        out["detention"] = detention_words(rows)
        labels["detention"] = t("hover.detention.label")
    out["population"] = rows["population"].map(number)
    labels["population"] = t("hover.population.label")
    return out, labels


def detention_words(rows: pd.DataFrame) -> pd.Series:
    """Each row's ICE detention in words (``detention_views.posture_words``)."""
    from coopmap.detention_views import posture_words

    return rows.apply(posture_words, axis=1).astype("str")


def city_list_text(category: str) -> str:
    """"A city in it is named" in words: which lists name a city in the place."""
    if category == "not_listed":
        return t("federal.city.none")
    return t("federal.city.named", lists=t(f"federal.city.by.{category}"))


def federal_text(rows: pd.DataFrame) -> pd.Series:
    """The place's own listing, and a named city in it where the place itself is not named."""
    own = rows["federal_list"].map(words(schema.FEDERAL_LIST_CATEGORIES))
    city = (rows["federal_list"] == "not_listed") & (rows["federal_list_city"] != "not_listed")
    return own.where(~city, rows["federal_list_city"].map(city_list_text))


def policy_text(rows: pd.DataFrame, dim: str,
                undated: Mapping[tuple[str, str], str] | None = None) -> pd.Series:
    """A practice's value with what it rests on and how well that was checked, e.g.
    "Declined (State law: CA-SB54-2017, checked against the law's text)".

    ``undated`` (``law_readings.undated_laws``): where a place is unknown but its state has a
    reading on the practice without an established effective date, the text names that law
    and says its date is not known, so the cell does not read as "no law"."""
    known = rows[dim] != "unknown"
    out = pd.Series(t("hover.policy.unknown"), index=rows.index, dtype="str")
    if undated and "state_fips" in rows.columns:
        laws = _undated_laws(rows, dim, undated)
        hit = ~known & laws.notna()
        out[hit] = [t("hover.policy.undated", laws=law) for law in laws[hit]]
    if known.any():
        k = rows[known]
        values, bases = words(schema.POLICY_VALUES), words(schema.POLICY_BASES)
        checks = words(schema.VALUE_CHECKS)
        out[known] = [
            t("hover.policy.value", value=values[v], basis=bases[b],
              source=src if isinstance(src, str) else "?", check=checks.get(c, t("unknown")))
            for v, b, src, c in zip(k[dim], k[f"{dim}_basis"], k[f"{dim}_source"],
                                    k[f"{dim}_check"], strict=True)
        ]
    return out


def stance_text(rows: pd.DataFrame, laws: Mapping[str, str] | None = None) -> pd.Series:
    """The state-law stance with the check of the readings behind it and, given ``laws``
    (``law_readings.stance_laws`` of the month), the laws it rests on: "Requires cooperation ·
    laws in effect: NC-HB10-2024, NC-HB318-2015 · from a secondary source (a summary)". A stance
    from a staff finding names no law."""
    stance = rows["state_law_stance"].map(words(schema.STANCES)).astype("str")
    check = rows["state_law_check"].map(words(schema.VALUE_CHECKS))
    named = _stance_laws(rows, laws)
    return pd.Series([
        (t("hover.stance.laws", stance=s_, laws=n, check=c) if isinstance(n, str)
         else t("hover.stance.value", stance=s_, check=c)) if isinstance(c, str) else s_
        for s_, c, n in zip(stance, check, named, strict=True)], index=rows.index, dtype="str")


def _stance_laws(rows: pd.DataFrame, laws: Mapping[str, str] | None) -> pd.Series:
    """The laws behind each row's stance (None where none, or where staff set it)."""
    if not laws or "state_fips" not in rows.columns:
        return pd.Series(None, index=rows.index, dtype="object")
    named = rows["state_fips"].map(lambda f: laws.get(f))
    return named.where(rows["state_law_check"] != "staff_finding", None)


def _undated_laws(rows: pd.DataFrame, dim: str,
                  undated: Mapping[tuple[str, str], str]) -> pd.Series:
    """The undated readings of each row's state on ``dim`` ("MD-SB791-2026"; None where none)."""
    return rows["state_fips"].map(lambda f: undated.get((f, dim))).astype("object")


def _models_text(rows: pd.DataFrame) -> pd.Series:
    return _models_joined(rows).replace("", t("none"))


def _models_joined(rows: pd.DataFrame) -> pd.Series:
    """Each row's models as "JEM, TFM" ("" for none), built column-wise: a row-wise apply
    took ~100 ms on the county table on every rerun."""
    text_ = pd.Series("", index=rows.index, dtype="str")
    for m in schema.MODELS:
        flag = rows[f"has_{m.lower()}"].fillna(False).astype(bool)
        text_ = text_ + flag.map({True: m + ", ", False: ""}).astype("str")
    return text_.str.removesuffix(", ")


def map_frame(postures: pd.DataFrame, level: str, layer: str,
              states: Sequence[str] | None = None,
              undated: Mapping[tuple[str, str], str] | None = None,
              stance_laws: Mapping[str, str] | None = None
              ) -> tuple[pd.DataFrame, dict[str, str]]:
    """The rows a map draws (location id, category code, hover columns) and the hover labels."""
    rows = postures
    if states:
        rows = rows[rows["state_fips"].isin(list(states))]
    key = "county_fips" if level == "county" else "state_fips"
    hover, labels = hover_columns(rows, level, layer, undated, stance_laws)
    frame = pd.concat(
        [pd.DataFrame({"location": rows[key].astype("str"),
                       "category": figures.layer_categories(rows, layer)}, index=rows.index),
         hover],
        axis=1,
    ).reset_index(drop=True)
    return frame, labels


def layer_labels(layer: str) -> dict[str, str]:
    """Legend labels of a layer in legend order."""
    spec = figures.LAYERS[layer]
    if layer == "count":
        return {code: t(f"count.{code}") for code in spec.categories}
    if layer == "detention_adp":
        return {code: t(f"detention_adp.{code}") for code in spec.categories}
    return words(spec.categories)


def display_table(postures: pd.DataFrame, level: str, layer: str,
                  states: Sequence[str] | None = None,
                  stance_laws: Mapping[str, str] | None = None,
                  undated: Mapping[tuple[str, str], str] | None = None) -> pd.DataFrame:
    """The map's values as a readable table: plain column names, words for codes; given
    ``stance_laws`` (see ``stance_text``), a column of the laws each stance rests on; given
    ``undated`` (``law_readings.undated_laws`` of the month), a column per practice naming the
    state's readings on it that were read but have no established effective date, so apply to
    no month (the value stays as it is: "Unknown" where no law in effect settles it)."""
    rows = postures
    if states:
        rows = rows[rows["state_fips"].isin(list(states))]
    labels = layer_labels(layer)
    cats = figures.layer_categories(rows, layer)
    yes_no = {True: t("yes"), False: t("no")}
    out = pd.DataFrame(
        {
            t("table.col.place"): rows["name"],
            t("table.col.state"): rows["state_abbr"],
            t("table.col.fips"): rows["county_fips" if level == "county" else "state_fips"],
            t("table.col.category"): cats.map(labels),
            t("table.col.n_agreements"): rows["n_agreements"],
            t("table.col.n_agencies"): rows["n_agencies"],
            t("table.col.models"): _models_joined(rows),
            t("table.col.sheriff"): rows["sheriff_participates"].map(yes_no),
            t("table.col.first_signed"): rows["first_signed"].dt.strftime("%Y-%m-%d"),
            t("table.col.n_statewide"): rows["n_statewide_agreements"],
            t("table.col.stance"): rows["state_law_stance"].map(words(schema.STANCES)),
            t("table.col.stance_check"): rows["state_law_check"].map(words(schema.VALUE_CHECKS)),
            **({t("table.col.stance_laws"): _stance_laws(rows, stance_laws)}
               if stance_laws is not None else {}),
            **{
                column: values
                for dim in schema.POLICY_DIMENSIONS
                for column, values in (
                    (t(f"table.col.{dim}"), rows[dim].map(words(schema.POLICY_VALUES))),
                    (t("table.col.basis", dimension=t(f"table.col.{dim}")),
                     rows[f"{dim}_basis"].map(words(schema.POLICY_BASES))),
                    (t("table.col.source", dimension=t(f"table.col.{dim}")),
                     rows[f"{dim}_source"]),
                    (t("table.col.check", dimension=t(f"table.col.{dim}")),
                     rows[f"{dim}_check"].map(words(schema.VALUE_CHECKS))),
                    *([(t("table.col.undated", dimension=t(f"table.col.{dim}")),
                        _undated_laws(rows, dim, undated))] if undated is not None else []),
                )
            },
            t("table.col.federal"): rows["federal_list"].map(words(schema.FEDERAL_LIST_CATEGORIES)),
            t("table.col.federal_city"): rows["federal_list_city"].map(city_list_text),
            t("table.col.population"): rows["population"],
        }
    )
    if level == "state":
        out[t("table.col.counties_with_287g")] = rows["counties_with_287g"].values
        out[t("table.col.population_covered")] = rows["population_covered"].values
    if layer in figures.DETENTION_LAYERS:
        out[t("hover.detention.label")] = detention_words(rows).values
        out[t("table.col.detention_adp_local")] = rows["adp_local"].round(1).values
        out[t("table.col.detention_adp_other")] = (rows["adp_other"]
                                                   + rows["adp_unknown"]).round(1).values
    return out.reset_index(drop=True)


def compact(df: pd.DataFrame, max_share: float = 0.2) -> pd.DataFrame:
    """Repetitive text columns as categoricals: Arrow sends each distinct value once, which
    shrinks the 3,142-row county table several-fold over the websocket."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_string_dtype(out[col]) and out[col].nunique() <= max_share * len(out):
            out[col] = out[col].astype("category")
    return out


# --- trends ---------------------------------------------------------------------------------


def monthly_by_model(release, *, states: Iterable[str] | None = None,
                     agency_types: Iterable[str] | None = None) -> pd.DataFrame:
    """Active agreements per participating month and model: month, model, agreements."""
    listings = release.table("listings")
    on = listings[listings["list"] == "participating"][["agreement_id", "month"]]
    agreements = release.table("agreements")[["agreement_id", "model", "state_fips",
                                              "agency_type"]]
    rows = on.merge(agreements, on="agreement_id")
    if states:
        rows = rows[rows["state_fips"].isin(list(states))]
    if agency_types:
        rows = rows[rows["agency_type"].isin(list(agency_types))]
    months = sorted(on["month"].unique())
    grid = pd.MultiIndex.from_product([months, list(schema.MODELS)], names=["month", "model"])
    counts = rows.groupby(["month", "model"])["agreement_id"].nunique().reindex(grid,
                                                                               fill_value=0)
    return counts.rename("agreements").reset_index()


def new_by_month(release, *, states: Iterable[str] | None = None) -> pd.DataFrame:
    """Agreements new each month, per model: listed for the first time (the first month
    excluded: everything on the first sheet is 'first seen' there, not new), or relisted after
    a gap under a new MOA (another SIGNED date than before the gap: ``new_moa_relistings``).
    A rename is not new (identities are reviewed), nor a return with the same SIGNED date."""
    agreements = release.table("agreements")
    rows = agreements[agreements["first_listed"].notna()]
    if states:
        rows = rows[rows["state_fips"].isin(list(states))]
    months = sorted(release.table("listings").query("list == 'participating'")["month"].unique())
    grid = pd.MultiIndex.from_product([months[1:], list(schema.MODELS)],
                                      names=["month", "model"])
    relisted = new_moa_relistings(release).merge(rows[["agreement_id", "model"]],
                                                 on="agreement_id")
    events = pd.concat([rows[["first_listed", "model"]].rename(columns={"first_listed": "month"}),
                        relisted[["month", "model"]]], ignore_index=True)
    counts = events.groupby(["month", "model"]).size()
    return counts.reindex(grid, fill_value=0).rename("agreements").reset_index()


def new_moa_relistings(release) -> pd.DataFrame:
    """Agreements listed again after a gap with another SIGNED date than on their last sheet
    before it (a new MOA, as the profile says): agreement_id, month (the first sheet after the
    gap), signed (the new date), signed_before."""
    agreements = release.table("agreements")
    ids = agreements.loc[agreements["relisted"].fillna(False).astype(bool), "agreement_id"]
    spells = listing_spells(release, ids).sort_values(["agreement_id", "start"])
    before = spells.groupby("agreement_id")["signed_last"].shift()
    after_gap = spells["agreement_id"].eq(spells["agreement_id"].shift())
    new = after_gap & spells["signed"].notna() & ~(spells["signed"] == before).fillna(False)
    out = spells[new].assign(signed_before=before[new])
    return (out.rename(columns={"start": "month"})[["agreement_id", "month", "signed",
                                                    "signed_before"]]
            .reset_index(drop=True))


def ended_by_month(release, *, states: Iterable[str] | None = None) -> pd.DataFrame:
    """Agreements whose MOA left the participating list, per month (the first sheet without
    them) and model: gone and not listed again, or listed again only under a new MOA (the
    counterpart of ``new_by_month``, which counts that return as new). A rename is not an ending
    (identities are reviewed), and an agreement absent for a while and listed again with the
    same SIGNED date is relisted, not ended."""
    agreements = release.table("agreements")
    if states:
        agreements = agreements[agreements["state_fips"].isin(list(states))]
    rows = agreements[(agreements["status"] != "participating")
                      & agreements["last_listed"].notna()]
    months = sorted(release.table("listings").query("list == 'participating'")["month"].unique())
    following = dict(zip(months, months[1:], strict=False))
    gone = rows[["last_listed", "model"]].rename(columns={"last_listed": "month"})
    # The old MOA of a return under a new one ended after the sheet before the gap.
    moa = new_moa_relistings(release).merge(agreements[["agreement_id", "model"]],
                                            on="agreement_id")
    spells = listing_spells(release, moa["agreement_id"])
    before = (spells.merge(moa[["agreement_id", "month", "model"]], on="agreement_id")
              .query("end < month").sort_values("end")
              .groupby(["agreement_id", "month"], as_index=False).last())
    events = pd.concat([gone, before[["end", "model"]].rename(columns={"end": "month"})],
                       ignore_index=True)
    events = events.assign(month=events["month"].map(following)).dropna(subset=["month"])
    grid = pd.MultiIndex.from_product([months[1:], list(schema.MODELS)],
                                      names=["month", "model"])
    counts = events.groupby(["month", "model"]).size()
    return counts.reindex(grid, fill_value=0).rename("agreements").reset_index()


LAW_TREND_VALUES = ("honored", "limited", "judicial_warrant_only", "declined")


def detainer_law_readings(release, months: Sequence[str]) -> pd.DataFrame:
    """The detainer-hold readings that apply in at least one of ``months``: those the trend of
    states with a detainer law counts, so its source line counts their checks (an undated or a
    later reading is in no bar)."""
    from coopmap import law_readings

    readings = release.table("law_readings")
    rows = readings[readings["dimension"] == "detainer_holds"]
    used = set()
    for month in months:
        used |= set(law_readings.in_effect(rows, month).index)
    return rows.loc[sorted(used)]


def detainer_law_by_month(release, months: Sequence[str]) -> pd.DataFrame:
    """States (and DC) whose law in effect requires, limits or forbids detainer holds, per
    month: month, value (a POLICY_VALUES code other than unknown), states."""
    from coopmap import law_readings

    readings = release.table("law_readings")
    rows = []
    for month in months:
        values = law_readings.state_values(readings, month,
                                           release.table("states")["state_fips"])
        counts = values["detainer_holds"].value_counts()
        rows += [{"month": month, "value": v, "states": int(counts.get(v, 0))}
                 for v in LAW_TREND_VALUES]
    return pd.DataFrame(rows, columns=["month", "value", "states"])


def states_ranked(state_postures: pd.DataFrame,
                  territories: pd.DataFrame | None = None) -> pd.DataFrame:
    """States (and territories, from ``postures.territory_postures``) with an agreement, most
    first; a territory's counties_with_287g is empty (it has no counties on the map)."""
    rows = state_postures[state_postures["n_agreements"] > 0]
    cols = ["name", "state_abbr", "n_agreements", "n_agencies", "counties_with_287g"]
    rows = rows[cols]
    if territories is not None:
        extra = territories[territories["n_agreements"] > 0].assign(counties_with_287g=pd.NA)
        rows = pd.concat([rows, extra[cols]], ignore_index=True)
    return rows.sort_values(["n_agreements", "name"], ascending=[False, True]).reset_index(
        drop=True)


# --- profile & compare --------------------------------------------------------------------------


def place_agreements(release, month: str, *, county_fips: str | None = None,
                     state_fips: str | None = None, statewide: bool = False) -> pd.DataFrame:
    """Agreements active in ``month`` covering a county, or a state's (statewide) agencies."""
    from coopmap import postures

    active = postures.active_agreements(release, month)
    if county_fips is not None:
        cover = release.table("agreement_counties")
        ids = cover.loc[cover["county_fips"] == county_fips, "agreement_id"]
        rows = active[active["agreement_id"].isin(ids)
                      & (active["jurisdiction_level"] == "county")]
    else:
        rows = active[active["state_fips"] == state_fips]
        if statewide:
            rows = rows[rows["jurisdiction_level"] == "state"]
    return rows.sort_values(["agency", "model"]).reset_index(drop=True)


def holders(local: pd.DataFrame, statewide: pd.DataFrame) -> list[str]:
    """Who holds the agreements covering a county, in words, the sheriff first: a voter's first
    question is whether the sheriff (who runs the jail) has one. ``local``: the county's
    agreements (``place_agreements``); ``statewide``: its state's statewide agencies'."""
    sheriff = local[local["is_sheriff"].fillna(False).astype(bool)]
    city = local[(local["agency_type"] == "municipality") & ~local["agreement_id"].isin(
        sheriff["agreement_id"])]
    other = local[~local["agreement_id"].isin(sheriff["agreement_id"])
                  & ~local["agreement_id"].isin(city["agreement_id"])]
    lines = []
    if sheriff.empty:
        lines.append(t("profile.holders.sheriff.no"))
    else:
        held = set(sheriff["model"])
        models = ", ".join(label(schema.MODELS, m) for m in schema.MODELS if m in held)
        lines.append(t("profile.holders.sheriff.yes", models=models,
                       agency=md_escape(sheriff["agency"].iloc[0])))
    for key, rows in (("city", city), ("other", other), ("statewide", statewide)):
        n = rows["agreement_id"].nunique()
        agencies = rows["agency"].nunique()
        if n:
            lines.append(t(f"profile.holders.{key}", agreements=tn("count.agreements", n),
                           agencies=tn("count.departments" if key == "city"
                                       else "count.agencies", agencies)))
        else:
            lines.append(t(f"profile.holders.{key}.none"))
    return lines


def agreements_display(rows: pd.DataFrame, notes: pd.Series | None = None) -> pd.DataFrame:
    """Agreements for people: plain column names, words for codes, MOA link; ``notes`` (by
    agreement id, from ``listing_notes``) says under which other names and with which gaps ICE
    listed each."""
    out = pd.DataFrame(
        {
            # The key columns first (they stay in view on a phone: widgets.agreement_columns).
            t("profile.col.agency"): rows["agency"],
            t("profile.col.model"): rows["model"].map(words(schema.MODELS)),
            t("profile.col.type"): rows["agency_type"].map(
                lambda c: label(schema.AGENCY_TYPES, c).split(" (")[0]),
            t("profile.col.signed"): rows["signed"].dt.strftime("%Y-%m-%d"),
            t("profile.col.listed_since"): rows["first_listed"],
            t("profile.col.moa"): rows["moa_url"],
        }
    )
    if notes is not None:
        out[t("profile.col.history")] = [notes.get(aid, "") for aid in rows["agreement_id"]]
    return out


def listing_spells(release, agreement_ids: Iterable[str]) -> pd.DataFrame:
    """Each run of consecutive participating sheets an agreement is on: agreement_id, start,
    end (months) and the SIGNED date of its first sheet (and of its last, ``signed_last``). An
    agreement with gaps has several."""
    listings = release.table("listings")
    part = listings[(listings["list"] == "participating")
                    & listings["agreement_id"].isin(list(agreement_ids))]
    months = sorted(listings.loc[listings["list"] == "participating", "month"].unique())
    index = {m: i for i, m in enumerate(months)}
    part = part.assign(_i=part["month"].map(index)).sort_values(["agreement_id", "_i"])
    run = (part["_i"].diff() != 1) | (part["agreement_id"] != part["agreement_id"].shift())
    part = part.assign(_run=run.cumsum())
    spells = part.groupby("_run").agg(agreement_id=("agreement_id", "first"),
                                      start=("month", "first"), end=("month", "last"),
                                      signed=("signed", "first"),
                                      signed_last=("signed", "last"))
    return spells.reset_index(drop=True)


def listing_notes(release, rows: pd.DataFrame) -> pd.Series:
    """Per agreement id, in words: the other names ICE listed it under, and each return after a
    gap ("relisted 2025-12 after 2025-10 – 2025-11; new MOA signed 2025-12-09")."""
    spells = listing_spells(release, rows["agreement_id"])
    moa = new_moa_relistings(release)
    new = dict(zip(zip(moa["agreement_id"], moa["month"], strict=True), moa["signed"],
                   strict=True))
    out: dict[str, list[str]] = {}
    for aid, names in zip(rows["agreement_id"], rows["other_names"], strict=True):
        if isinstance(names, str):
            out.setdefault(aid, []).append(t("profile.history.names", names=names))
    for aid, group in spells.groupby("agreement_id"):
        group = group.reset_index(drop=True)
        for i in range(1, len(group)):
            before, after = group.iloc[i - 1], group.iloc[i]
            text = t("profile.history.relisted", month=after["start"], gap_from=before["end"])
            if (aid, after["start"]) in new:  # the Trends count it as new, too
                text += t("profile.history.new_moa",
                          signed=f"{new[(aid, after['start'])]:%Y-%m-%d}")
            out.setdefault(aid, []).append(text)
    return pd.Series({aid: " ".join(parts) for aid, parts in out.items()}, dtype="str")


def place_history(release, *, county_fips: str | None = None,
                  state_fips: str | None = None) -> pd.DataFrame:
    """Every agreement ever listed for a place, with its first and last listed month."""
    agreements = release.table("agreements")
    if county_fips is not None:
        cover = release.table("agreement_counties")
        ids = cover.loc[cover["county_fips"] == county_fips, "agreement_id"]
        rows = agreements[agreements["agreement_id"].isin(ids)]
    else:
        rows = agreements[agreements["state_fips"] == state_fips]
    rows = rows[rows["first_listed"].notna() & rows["last_listed"].notna()]
    rows = rows.assign(label=rows["agency"].str.slice(0, 48) + " · " + rows["model"])
    return rows.sort_values(["first_listed", "agency"]).reset_index(drop=True)


def history_bars(release, history: pd.DataFrame) -> pd.DataFrame:
    """The timeline's bars: one per listing spell of each agreement in ``history`` (a relisted
    agreement shows its gap), with the agreement's label and model."""
    spells = listing_spells(release, history["agreement_id"])
    bars = history[["agreement_id", "label", "model"]].merge(spells, on="agreement_id")
    # A spell that starts with a new MOA says so (the profile's table says it too).
    moa = new_moa_relistings(release)
    new = dict(zip(zip(moa["agreement_id"], moa["month"], strict=True), moa["signed"],
                   strict=True))
    bars["note"] = [t("profile.history.new_moa", signed=f"{new[k]:%Y-%m-%d}").strip()
                    if k in new else ""
                    for k in zip(bars["agreement_id"], bars["start"], strict=True)]
    return bars.rename(columns={"start": "first_listed", "end": "last_listed"})


# Compare: rows that say who a place is (not compared), and rows that apply to one level only.
_CONTEXT_DIMS = ("compare.dim.state", "compare.dim.population")
_LEVEL_DIMS = {"compare.dim.sheriff": "county", "compare.dim.counties_with_287g": "state"}
_COMPARE_ORDER = ("compare.dim.state", "compare.dim.population", "compare.dim.agreements",
                  "compare.dim.agencies", "compare.dim.models", "compare.dim.sheriff",
                  "compare.dim.statewide", "compare.dim.pending", "compare.dim.stance",
                  *(f"policy.{d}" for d in schema.POLICY_DIMENSIONS), "compare.dim.federal",
                  "compare.dim.federal_city", "compare.dim.detention",
                  "compare.dim.counties_with_287g")


def _compare_values(row: pd.Series, undated: Mapping[tuple[str, str], str] | None = None,
                    stance_laws: Mapping[str, str] | None = None
                    ) -> dict[str, tuple[str, object]]:
    """Each Compare dimension of one place: (its words, what is compared). What is compared is
    the value's meaning (codes, counts of agreements), not how it is sourced or checked, nor a
    count of people held that moves every month."""
    level = "state" if "counties_with_287g" in row.index else "county"
    frame = row.to_frame().T
    if "state_fips" not in frame.columns:  # a state's row indexed by its FIPS
        frame["state_fips"] = row.name
    models = _models_of(row)
    values: dict[str, tuple[str, object]] = {
        "compare.dim.state": (row["state_abbr"], None),
        "compare.dim.population": (number(row["population"]), None),
        "compare.dim.agreements": (number(row["n_agreements"]), int(row["n_agreements"])),
        "compare.dim.agencies": (number(row["n_agencies"]), int(row["n_agencies"])),
        "compare.dim.models": (", ".join(label(schema.MODELS, m) for m in models) or t("none"),
                               tuple(models)),
        "compare.dim.sheriff": (t("yes") if bool(row["sheriff_participates"]) else t("no"),
                                bool(row["sheriff_participates"])),
        "compare.dim.statewide": (number(row["n_statewide_agreements"]),
                                  int(row["n_statewide_agreements"])),
        "compare.dim.pending": (number(row["n_pending"]), int(row["n_pending"])),
        "compare.dim.stance": (stance_text(frame, stance_laws).iloc[0],
                               row["state_law_stance"]),
        **{f"policy.{dim}": (policy_text(frame, dim, undated).iloc[0], row[dim])
           for dim in schema.POLICY_DIMENSIONS},
        "compare.dim.federal": (label(schema.FEDERAL_LIST_CATEGORIES, row["federal_list"]),
                                row["federal_list"]),
        "compare.dim.federal_city": (city_list_text(row["federal_list_city"]),
                                     row["federal_list_city"]),
    }
    if "detention_category" in row.index:
        from coopmap.detention_views import posture_words

        values["compare.dim.detention"] = (
            posture_words(row), (row["detention_category"], row.get("local_types")))
    if level == "state":
        values["compare.dim.counties_with_287g"] = (number(row["counties_with_287g"]),
                                                    int(row["counties_with_287g"]))
    return {dim: v for dim, v in values.items() if _LEVEL_DIMS.get(dim, level) == level}


def compare_rows(postures_by_place: dict[str, pd.Series],
                 undated: Mapping[tuple[str, str], str] | None = None,
                 stance_laws: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per dimension, the same rows in the same order for every place; one column per
    place label, plus 'differs'.

    A row that does not apply to a place (the sheriff, for a state; counties with an agreement,
    for a county) is "—" there. 'differs' is True where the places the row applies to differ in
    what it means: never for the state and population rows (they say which place it is), nor
    for the same value resting on a differently checked source."""
    per_place = {place: _compare_values(row, undated, stance_laws)
                 for place, row in postures_by_place.items()}
    present = {d for values in per_place.values() for d in values}
    dims = [d for d in _COMPARE_ORDER if d in present]
    table: dict[str, dict[str, str]] = {}
    differs: list[bool] = []
    for dim in dims:
        policy = dim.removeprefix("policy.")
        name = (label(schema.POLICY_DIMENSIONS, policy)
                if policy != dim else t(dim))
        table[name] = {place: values[dim][0] if dim in values else t("compare.na")
                       for place, values in per_place.items()}
        keys = {repr(values[dim][1]) for values in per_place.values() if dim in values}
        differs.append(dim not in _CONTEXT_DIMS and len(keys) > 1)
    out = pd.DataFrame(table).T
    out["differs"] = differs
    return out



def compare_markdown(table: pd.DataFrame) -> str:
    """``compare_rows`` as one Markdown table: a column per place, the differing rows marked."""
    places = [c for c in table.columns if c != "differs"]
    lines = ["| | " + " | ".join(f"**{md_escape(p)}**" for p in places) + " |",
             "|---" * (len(places) + 1) + "|"]
    for dim, row in table.iterrows():
        mark = f" :orange-badge[{t('compare.differs')}]" if row["differs"] else ""
        lines.append(f"| {md_escape(dim)}{mark} | "
                     + " | ".join(md_escape(row[p]) for p in places) + " |")
    return "\n".join(lines)
