"""State-law readings in words for the profile: the laws in effect in a month, the others, and
each practice's history. Pure functions (no Streamlit), tested on the real release.

Nothing here reads ``reviewer_note``: it is for editors and never reaches a public page.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from coopmap import law_readings, schema
from coopmap.text import label, t, words

PUBLIC_COLUMNS = [c for c in schema.LAW_READINGS.columns if c != "reviewer_note"]


def _date(value) -> str:
    if isinstance(value, pd.Timestamp) and pd.notna(value):
        return value.strftime("%Y-%m-%d")
    return "?"


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _check(r: dict) -> str:
    check = words(schema.CHECK_STATUSES)[r["check_status"]]
    if r["check_status"] == "secondary_source" and _text(r["secondary_source"]):
        return t("profile.law.secondary", check=check, source=r["secondary_source"])
    return t("profile.law.check", check=check)


@dataclass
class LawBlock:
    """One law in effect: its heading, dates and one line (with quote and link) per dimension."""

    law_id: str
    heading: str
    dates: str
    provisions: list[dict]


def public_readings(readings: pd.DataFrame, state_fips: str) -> pd.DataFrame:
    """A state's readings without the editors' column."""
    return readings.loc[readings["state_fips"] == state_fips, PUBLIC_COLUMNS]


def laws_in_effect(readings: pd.DataFrame, state_fips: str, month: str) -> list[LawBlock]:
    held = law_readings.in_effect(public_readings(readings, state_fips), month)
    applied = {dim: law_readings.pick(on) for dim, on in held.groupby("dimension")
               if dim in law_readings.PRACTICES}
    blocks = []
    for law_id, rows in held.groupby("law_id", sort=False):
        first = rows.iloc[0]
        title = f" ({first['title']})" if _text(first["title"]) else ""
        until = (t("profile.law.until", ended=_date(first["ended"]),
                   reason=words(schema.END_REASONS).get(first["end_reason"], "?"))
                 if pd.notna(first["ended"]) else "")
        provisions = []
        for r in rows.to_dict("records"):
            settles = applied.get(r["dimension"])
            provisions.append({
                # where laws in effect differ on a practice, the later one settles it: said
                # under the other, so that the two lines do not read as a contradiction
                "overridden": (settles["law_id"] if settles is not None
                               and settles["law_id"] != law_id
                               and settles["value"] != r["value"] else None),
                "line": t("profile.policy.line",
                          dimension=words(schema.LAW_DIMENSIONS)[r["dimension"]],
                          text=_reading_text(r)),
                "quote": _quote(r),
                "check": _check(r),
                "url": _text(r["text_url"]),
            })
        blocks.append(LawBlock(
            law_id=law_id,
            heading=t("profile.law.heading", citation=_text(first["citation"]) or law_id,
                      title=title,
                      kind=words(schema.LAW_BASIS_KINDS).get(first["basis_kind"], "?")),
            dates=t("profile.law.dates", effective=_date(first["effective"]), until=until),
            provisions=provisions,
        ))
    return blocks


def _quote(r: dict) -> str:
    """The quote with its provision; a quote whose section was not named stands alone. A quote
    not checked against the law's text (a summary's words, or a draft's) says so, so that it
    never reads as the statute's own words."""
    if not _text(r["quote"]):
        return ""
    checked = r["check_status"] == "checked_text"
    if _text(r["provision"]):
        return t("profile.law.quote" if checked else "profile.law.quote_unchecked",
                 provision=r["provision"], quote=r["quote"])
    return t("profile.law.quote_only" if checked else "profile.law.quote_unchecked_only",
             quote=r["quote"])


def _other_line(r: dict, when: str) -> str:
    return t("profile.law.other_line", citation=_text(r["citation"]) or r["law_id"],
             dimension=words(schema.LAW_DIMENSIONS)[r["dimension"]],
             text=_reading_text(r), when=when,
             check=words(schema.CHECK_STATUSES)[r["check_status"]])


def undated_lines(readings: pd.DataFrame, state_fips: str,
                  dimension: str | None = None, month: str | None = None) -> list[str]:
    """The state's readings (on ``dimension``, or on any) read but without an established
    effective date, so applied to no month: one line each, as in ``other_laws``; with
    ``month``, only those that might have held then (``law_readings.undated``)."""
    rows = law_readings.undated(public_readings(readings, state_fips), month)
    if dimension is not None:
        rows = rows[rows["dimension"] == dimension]
    return [_other_line(r, t("profile.law.no_date"))
            for r in rows.sort_values("law_id").to_dict("records")]


def other_laws(readings: pd.DataFrame, state_fips: str, month: str) -> list[str]:
    """Lines for the state's readings not in effect in ``month`` (later, ended, or undated)."""
    mine = public_readings(readings, state_fips)
    mine = mine[mine["dimension"] != law_readings.NO_LAW]
    held = law_readings.in_effect(mine, month).index
    lines = []
    for r in mine.drop(index=held).sort_values(["effective", "law_id"]).to_dict("records"):
        if r["valid_from"] is None or pd.isna(r["valid_from"]):
            when = t("profile.law.no_date")
        elif r["valid_from"] > month:
            when = t("profile.law.later", effective=_date(r["effective"]))
        elif pd.notna(r["valid_to"]) and r["valid_to"] < r["valid_from"]:
            # stopped before its first whole month (Texas SB 4: enjoined before it took effect)
            when = t("profile.law.never", effective=_date(r["effective"]),
                     reason=label(schema.END_REASONS, r["end_reason"]))
        else:
            when = t("profile.law.ended", ended=_date(r["ended"]),
                     reason=words(schema.END_REASONS).get(r["end_reason"], "?"))
        lines.append(_other_line(r, when))
    return lines


def no_law_found(readings: pd.DataFrame, state_fips: str) -> str | None:
    """The "searched and found none" line, where the state has that explicit row."""
    rows = readings[(readings["state_fips"] == state_fips)
                    & (readings["dimension"] == law_readings.NO_LAW)]
    if rows.empty:
        return None
    return t("profile.law.none_found",
             check=words(schema.CHECK_STATUSES)[rows.iloc[0]["check_status"]])


def policy_history(readings: pd.DataFrame, state_fips: str, dimension: str) -> str | None:
    """"History: since 2024-12-01: ... (NC-HB10-2024); before 2024-12-01: no state law found
    in effect", newest first; None when the value never changed (no law, or one law throughout).

    Dates are days: a period starts on its law's effective date, or on the day the law before it
    stopped applying (a law that ended mid-month), else on the month's first day; it ends the day
    before the next period starts. A period left with no day (a month the month rule gives to
    neither law) is not said."""
    periods = _history_periods(readings, state_fips, dimension)
    return t("profile.policy.history", periods=periods) if periods else None


def law_history(readings: pd.DataFrame, state_fips: str, dimension: str) -> str | None:
    """"287(g) agreements, history: since 2026-02-17: ...; before 2026-02-17: no state law found
    in effect": ``policy_history`` for a dimension that is not a practice (287(g), detention
    contracts, local limits), named, for the state-law section."""
    periods = _history_periods(readings, state_fips, dimension)
    if not periods:
        return None
    return t("profile.law.history", dimension=words(schema.LAW_DIMENSIONS)[dimension],
             periods=periods)


def _history_periods(readings: pd.DataFrame, state_fips: str, dimension: str) -> str | None:
    """The periods of ``policy_history``, newest first, joined; None when nothing changed.

    Periods in a row with the same value are one period naming each law from its start (the
    TRUTH Act, then SB 54 too): said apart, the first would seem to end when the second began,
    though its law is still in effect."""
    periods = law_readings.history(readings, state_fips, dimension)
    if len(periods) < 2:
        return None
    starts = [_period_start(periods, i) for i in range(len(periods))]
    # [start, end, value, [(law, from, to if it stopped)], first period, to today], oldest first
    spans = []
    for i, p in enumerate(periods):
        start = starts[i]
        end = (_date(pd.Timestamp(starts[i + 1]) - pd.Timedelta(days=1))
               if i + 1 < len(periods) and starts[i + 1] != "?" else "?")
        if p.start is not None and "?" not in (start, end) and start > end:
            continue
        law = p.reading["law_id"] if p.reading is not None else None
        if spans and law is not None and spans[-1][3] and spans[-1][2] == p.value:
            before = periods[i - 1].reading
            if (before is not None and pd.notna(before.get("ended"))
                    and before.get("valid_to") == periods[i - 1].end):  # it stopped here
                spans[-1][3][-1] = (spans[-1][3][-1][0], spans[-1][3][-1][1], spans[-1][1])
            spans[-1][1] = end
            spans[-1][3].append((law, start, None))
            spans[-1][5] = p.end is None
        else:
            spans.append([start, end, p.value, [(law, start, None)] if law else [], p,
                          p.end is None])
    parts = []
    for j, (start, end, _value, laws, p, open_end) in enumerate(spans):
        if not laws:
            parts.append(t("profile.policy.before", date=spans[j + 1][0]) if p.start is None
                         else t("profile.policy.no_law", start=start, end=end))
            continue
        said_laws, running = [], True
        for k, (x, since, until) in enumerate(laws):
            if k:
                said_laws.append(t("profile.policy.also_law" if running
                                   else "profile.policy.then_law", date=since, law=x))
            else:
                said_laws.append(x)
            if until is not None:
                said_laws[-1] += " " + t("profile.policy.law_until", end=until)
            running = until is None
        law = "; ".join(said_laws)
        if open_end:
            parts.append(t("profile.policy.since", date=start,
                           text=_period_text(dimension, p), law=law))
        else:
            parts.append(t("profile.policy.between", start=start, end=end,
                           text=_period_text(dimension, p), law=law))
    return "; ".join(reversed(parts))


def _period_start(periods: list, i: int) -> str:
    """The first day of period ``i`` (see ``policy_history``)."""
    p = periods[i]
    if p.start is None:
        return "?"
    if p.reading is not None and p.reading.get("valid_from") == p.start:
        return _date(p.reading["effective"])
    prev = periods[i - 1].reading if i else None
    if (prev is not None and pd.notna(prev.get("ended"))
            and prev.get("valid_to") == periods[i - 1].end):
        return _date(prev["ended"])
    return f"{p.start}-01"


def _reading_text(r: dict) -> str:
    """What one reading provides, said with its kind ("a court ruling forbids ...")."""
    return law_value_text(r["dimension"], r["value"], law_readings.basis_of(r["basis_kind"]))


def _period_text(dimension: str, p) -> str:
    return law_value_text(dimension, p.value,
                          law_readings.basis_of(p.reading.get("basis_kind")))


def law_value_text(dimension: str, value: str, basis: str = "state_law") -> str:
    """"state law requires jails to hold people on ICE detainers"; for a reading that is not a
    statute, its kind (``basis``, a ``law_readings.READING_BASES`` code): "an attorney general
    directive or opinion allows detainer holds only in the cases it lists"."""
    key = "profile.policy.law_text" + ("" if basis == "state_law" else f".{basis}")
    return t(key, text=words(schema.LAW_VALUE_TEXT[dimension])[value])


