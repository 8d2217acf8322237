"""State-law readings (table ``law_readings``) and what they settle in a given month.

``data/corrections/state_law_readings.csv`` is a reviewed table: one row per law (court ruling,
attorney-general directive, executive order) x dimension, read from the law's own text where
possible (format: its header is ``HEADER``; the research brief is issue #10). ``read_law_readings``
checks it against the contract in ``schema`` (dates, allowed values per dimension, URLs, a quote
wherever the row says the text was checked, every state and DC covered by rows or an explicit
``no_law_found`` row) and reports every problem as ``file, row N, column C: 'value' why``.

Time is a validity interval (slowly changing dimension, type 2): each reading carries
``valid_from`` / ``valid_to`` months, and ``in_effect(readings, month)`` is the one function that
answers "what held in month M". Month rule: a reading applies to the months it was in effect
from their first day to their last, so a law effective 2024-12-01 applies from 2024-12 and one
effective 2024-12-15 from 2025-01; a law that ended (repealed, enjoined...) on 2025-07-21 applies
up to 2025-06. A reading without an established effective date applies to no month.

``state_values`` turns the readings in effect into what the map and the pages show for a state
(and, by inheritance, its counties): a value, basis, check status and law for each practice, and
the state-law stance:
- a practice (detainer holds, release notification, jail access): the value of the reading in
  effect; where several are, the one that took effect last (ties: the weakest check); its basis
  names the reading's kind (``BASIS_OF_KIND``: a directive is not called a state law);
- stance ``pro`` (requires cooperation): some law in effect requires a practice (``honored``),
  requires 287(g) or detention contracts, or forbids local limits on cooperation;
  ``anti`` (limits or forbids): some law in effect limits or forbids a practice, 287(g) or
  detention contracts; ``mixed``: both at once; ``none``: neither (no state law found, which is
  not "no").
``reviewer_note`` stays in the table for editors; no public page shows it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from coopmap import gazetteer, schema

READINGS_FILE = "state_law_readings.csv"
HEADER = [
    "state_abbr", "law_id", "citation", "title", "basis_kind", "enacted", "effective", "ended",
    "end_reason", "dimension", "value", "provision", "quote", "text_url", "check_status",
    "secondary_source", "reviewer_note",
]
DATE_COLUMNS = ("enacted", "effective", "ended")
# Shown on public pages: a note for editors ("URL in text_url") must not leak into them.
PUBLIC_TEXT_COLUMNS = ("citation", "title", "provision", "quote", "secondary_source")
_EDITOR_POINTER = re.compile(r"\b(?:text_url|reviewer_note|check_status|secondary_source)\b")
QUOTE_MAX = 300  # characters (the format's limit; longer quotes are reported, not cut)
NO_LAW = "no_law_found"
PRACTICES = tuple(schema.POLICY_DIMENSIONS)
NON_PRACTICES = tuple(d for d in schema.LAW_DIMENSIONS if d not in PRACTICES and d != NO_LAW)
_URL = re.compile(r"^https?://[^\s<>\"]+\.[^\s<>\"]+$", re.IGNORECASE)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# The stance rule (see the module docstring and the data dictionary).
REQUIRES: dict[str, set[str]] = {
    **{dim: {"honored"} for dim in PRACTICES},
    "287g": {"required"},
    "detention_contracts": {"required"},
    "local_limits": {"forbidden"},
}
LIMITS: dict[str, set[str]] = {
    **{dim: {"judicial_warrant_only", "limited", "declined"} for dim in PRACTICES},
    "287g": {"forbidden", "limited"},
    "detention_contracts": {"forbidden", "limited"},
}
_CHECK_RANK = {code: i for i, code in enumerate(schema.VALUE_CHECKS)}


class LawReadingsError(ValueError):
    """The readings table is wrong; each line names file, row, column and value."""


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    value: object
    why: str

    def text(self, path: Path) -> str:
        return f"{path}, row {self.row}, column {self.column}: {self.value!r} {self.why}"


def month_of(date: pd.Timestamp) -> str:
    return f"{date.year:04d}-{date.month:02d}"


def _shift(month: str, delta: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def valid_from(effective: pd.Timestamp | None) -> str | None:
    """First month a provision effective on ``effective`` held from the month's first day."""
    if effective is None or pd.isna(effective):
        return None
    month = month_of(effective)
    return month if effective.day == 1 else _shift(month, 1)


def valid_to(ended: pd.Timestamp | None) -> str | None:
    """Last month a provision that stopped applying on ``ended`` held to the month's end."""
    if ended is None or pd.isna(ended):
        return None
    return _shift(month_of(ended), -1)


def check_rows(raw: pd.DataFrame) -> list[Problem]:
    """Every problem of the raw table (all text), by spreadsheet row (header = row 1)."""
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    law_state: dict[str, str] = {}
    covered: dict[str, list[str]] = {}
    for i, r in enumerate(raw.to_dict("records")):
        row = i + 2

        def bad(column: str, why: str, _row: int = row, _r: dict = r) -> None:
            problems.append(Problem(_row, column, _r[column], why))

        abbr = r["state_abbr"]
        found = gazetteer.state_by_abbr(abbr) if abbr else None
        if found is None or found[0] in gazetteer.TERRITORY_FIPS:
            bad("state_abbr", "is not the two-letter code of a state or DC")
            continue
        covered.setdefault(abbr, []).append(r["dimension"])
        law_id = r["law_id"]
        if not re.fullmatch(rf"{abbr}-[A-Za-z0-9-]+", law_id):
            bad("law_id", f"is not of the form {abbr}-<short>-<year>")
        elif law_state.setdefault(law_id, abbr) != abbr:
            bad("law_id", f"is used for {law_state[law_id]} elsewhere")
        dim, value = r["dimension"], r["value"]
        if dim not in schema.LAW_DIMENSIONS:
            bad("dimension", f"is not one of {list(schema.LAW_DIMENSIONS)}")
        elif value not in schema.LAW_VALUES[dim]:
            bad("value", f"is not allowed for {dim} (one of {list(schema.LAW_VALUES[dim])})")
        key = (law_id, dim)
        if key in seen:
            bad("dimension", f"is given twice for {law_id} (rows {seen[key]} and {row})")
        seen.setdefault(key, row)
        status = r["check_status"]
        if status not in schema.CHECK_STATUSES:
            bad("check_status", f"is not one of {list(schema.CHECK_STATUSES)}")
        if dim == NO_LAW:
            if law_id != f"{abbr}-none":
                bad("law_id", f"must be {abbr}-none on a no_law_found row")
            continue
        if r["basis_kind"] not in schema.LAW_BASIS_KINDS:
            bad("basis_kind", f"is not one of {list(schema.LAW_BASIS_KINDS)}")
        dates: dict[str, pd.Timestamp] = {}
        for col in DATE_COLUMNS:
            text = r[col]
            if not text:
                continue
            date = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
            if not _DATE.fullmatch(text) or pd.isna(date):
                bad(col, "is not a YYYY-MM-DD date")
            else:
                dates[col] = date
        if not r["effective"] and status != "unverified_draft":
            bad("effective", f"is empty, so check_status must be unverified_draft, not {status!r}")
        if "ended" in dates and "effective" in dates and dates["ended"] < dates["effective"]:
            bad("ended", f"is before the effective date {r['effective']}")
        if bool(r["ended"]) != bool(r["end_reason"]):
            bad("end_reason", "must be given exactly when ended is")
        elif r["end_reason"] and r["end_reason"] not in schema.END_REASONS:
            bad("end_reason", f"is not one of {list(schema.END_REASONS)}")
        url = r["text_url"]
        if url and not _URL.fullmatch(url):
            bad("text_url", "is not an http(s) address")
        if status == "checked_text":
            if not r["quote"]:
                bad("quote", "is empty, but check_status says the text was checked")
            if not url:
                bad("text_url", "is empty, but check_status says the text was checked")
        if status == "secondary_source" and not (r["secondary_source"] or url):
            bad("secondary_source", "is empty, and so is text_url: name the summary relied on")
        if r["quote"] and not url and not r["secondary_source"]:
            bad("text_url", "is empty: say where the quote was read")
        for col in PUBLIC_TEXT_COLUMNS:
            pointer = _EDITOR_POINTER.search(r[col])
            if pointer:
                bad(col, f"names the table's own column {pointer.group(0)!r}, which a reader "
                         "of the public page does not see: write the address or text itself")
    for abbr, dims in covered.items():
        if NO_LAW in dims and len(dims) > 1:
            problems.append(Problem(0, "dimension", abbr,
                                    "has a no_law_found row and law rows: keep one or the other"))
    missing = sorted(set(gazetteer.states()["state_abbr"]) - set(covered)
                     - {s for s in gazetteer.states()["state_abbr"]
                        if gazetteer.state_by_abbr(s)[0] in gazetteer.TERRITORY_FIPS})
    for abbr in missing:
        problems.append(Problem(0, "state_abbr", abbr, "has no row: add its laws or a "
                                                        "no_law_found row"))
    return problems


def notes(raw: pd.DataFrame) -> list[Problem]:
    """What is allowed but worth an editor's look (quotes longer than the format's limit)."""
    return [Problem(i + 2, "quote", r["quote"][:40] + "…",
                    f"is {len(r['quote'])} characters, longer than {QUOTE_MAX}")
            for i, r in enumerate(raw.to_dict("records")) if len(r["quote"]) > QUOTE_MAX]


def _read_raw(path: Path) -> pd.DataFrame:
    raw = pd.read_csv(path, dtype=str, encoding="utf-8", keep_default_na=False)
    if list(raw.columns) != HEADER:
        raise LawReadingsError(f"{path}, row 1: header {list(raw.columns)} is not {HEADER}")
    return raw.apply(lambda col: col.str.strip())


def read_law_readings(corrections_dir: Path) -> pd.DataFrame:
    """Table ``law_readings``: the checked readings with state FIPS and their months."""
    path = Path(corrections_dir) / READINGS_FILE
    raw = _read_raw(path)
    problems = check_rows(raw)
    if problems:
        raise LawReadingsError("\n".join(p.text(path) for p in problems))
    out = raw.replace("", None)
    out.insert(0, "state_fips", [gazetteer.state_by_abbr(a)[0] for a in raw["state_abbr"]])
    for col in DATE_COLUMNS:
        out[col] = pd.to_datetime(out[col], format="%Y-%m-%d").astype("datetime64[ms]")
    out["valid_from"] = [valid_from(d) for d in out["effective"]]
    out["valid_to"] = [valid_to(d) for d in out["ended"]]
    out["source_row"] = range(2, len(out) + 2)
    return schema.validate("law_readings", out[schema.LAW_READINGS.columns])


# --- Through time ---------------------------------------------------------------------------


def in_effect(readings: pd.DataFrame, month: str) -> pd.DataFrame:
    """The readings that held in ``month`` (YYYY-MM), no_law_found rows excluded."""
    start = readings["valid_from"]
    end = readings["valid_to"]
    held = (start.notna() & (start <= month) & (end.isna() | (end >= month))
            & (readings["dimension"] != NO_LAW))
    return readings[held.fillna(False).astype(bool)]


def undated(readings: pd.DataFrame, month: str | None = None) -> pd.DataFrame:
    """The readings without an established effective date: read, but applied to no month
    (no_law_found rows excluded). The pages say they exist, so that "unknown" there reads as
    "a law was read, its date is not known" and not as "no law".

    With ``month``: only those that might have held then, i.e. not those enacted after it (by
    ``enacted``, or else by the year that ends the ``law_id``, "MD-SB791-2026": no law of a 2026
    session held in 2021)."""
    rows = readings[readings["valid_from"].isna() & (readings["dimension"] != NO_LAW)]
    if month is None or rows.empty:
        return rows
    year = rows["law_id"].str.extract(r"-((?:19|20)\d{2})$", expand=False)
    earliest = [month_of(e) if pd.notna(e) else (f"{y}-01" if isinstance(y, str) else None)
                for e, y in zip(rows["enacted"], year, strict=True)]
    return rows[[e is None or e <= month for e in earliest]]


def undated_laws(readings: pd.DataFrame,
                 month: str | None = None) -> dict[tuple[str, str], str]:
    """{(state FIPS, dimension): "law_id, law_id"} of the undated readings (``undated``)."""
    rows = undated(readings, month).sort_values(["state_fips", "dimension", "law_id"])
    return {key: ", ".join(group["law_id"])
            for key, group in rows.groupby(["state_fips", "dimension"], sort=False)}


# The basis a practice's value shows (schema.POLICY_BASES) for each kind of reading: a statute
# is "state_law"; a ruling, directive, order, regulation or constitution is named as such.
BASIS_OF_KIND: dict[str, str] = {kind: "state_law" if kind == "statute" else kind
                                  for kind in schema.LAW_BASIS_KINDS}
READING_BASES = tuple(dict.fromkeys(BASIS_OF_KIND.values()))


def basis_of(kind: str | None) -> str:
    """The practice basis of a reading of kind ``kind`` (``BASIS_OF_KIND``)."""
    return BASIS_OF_KIND.get(kind, "state_law") if isinstance(kind, str) else "state_law"


def _weakest(checks: Iterable[str]) -> str | None:
    checks = list(checks)
    return max(checks, key=_CHECK_RANK.__getitem__) if checks else None


def pick(rows: pd.DataFrame) -> pd.Series:
    """Of several readings on one practice in effect at once: the one that took effect last
    (ties: the weakest check, so a value never looks better checked than it is)."""
    order = rows.assign(_rank=rows["check_status"].map(_CHECK_RANK))
    return order.sort_values(["effective", "_rank", "law_id"]).iloc[-1]


def pick_law(rows: pd.DataFrame) -> pd.Series:
    """Of several readings on one law dimension (287(g), detention contracts, local limits) in
    effect at once: both laws hold (a law whose effect a later one changed is ended in the
    table), so a ``limited`` reading gives way to a ``forbidden`` or ``required`` one beside it
    (Washington's 2019 ban on detention contracts still holds beside its 2021 limit on private
    detention); otherwise the one that took effect last."""
    order = rows.assign(_wide=rows["value"] != "limited")
    return order.sort_values(["_wide", "effective", "law_id"]).iloc[-1]


def stance_of(rows: pd.DataFrame) -> tuple[str, str | None]:
    """(stance, weakest check of the readings that give it) for readings in effect."""
    pairs = list(zip(rows["dimension"], rows["value"], strict=True))
    req = rows[pd.Series([v in REQUIRES.get(d, set()) for d, v in pairs], index=rows.index,
                         dtype=bool)]
    lim = rows[pd.Series([v in LIMITS.get(d, set()) for d, v in pairs], index=rows.index,
                         dtype=bool)]
    stance = ("mixed" if len(req) and len(lim) else "pro" if len(req)
              else "anti" if len(lim) else "none")
    return stance, _weakest([*req["check_status"], *lim["check_status"]])


def state_values(readings: pd.DataFrame, month: str,
                 states: Sequence[str] | None = None) -> pd.DataFrame:
    """What the readings in effect in ``month`` settle, one row per state FIPS (index).

    Columns: ``<practice>``, ``<practice>_basis``, ``<practice>_check``, ``<practice>_source``
    for each practice, ``state_law_stance`` and ``state_law_check``. A state without a reading
    in effect is ``unknown`` / ``none``. Vectorised: the app calls it for every month shown.
    """
    index = pd.Index(list(states) if states is not None else gazetteer_states(),
                     name="state_fips")
    held = in_effect(readings, month)
    out = pd.DataFrame(index=index)
    practice = held[held["dimension"].isin(PRACTICES)].assign(
        _rank=lambda d: d["check_status"].map(_CHECK_RANK))
    # pick(): per state and practice, the reading that took effect last (ties: weakest check)
    chosen = practice.sort_values(["effective", "_rank", "law_id"]).drop_duplicates(
        ["state_fips", "dimension"], keep="last")
    for dim in PRACTICES:
        on = chosen[chosen["dimension"] == dim].set_index("state_fips").reindex(index)
        out[dim] = on["value"].fillna("unknown").astype("str")
        out[f"{dim}_basis"] = on["basis_kind"].map(basis_of).where(
            on["value"].notna(), "none").astype("str")
        out[f"{dim}_check"] = on["check_status"].astype("str")
        out[f"{dim}_source"] = on["law_id"].astype("str")
    pairs = list(zip(held["dimension"], held["value"], strict=True))
    req = pd.Series([v in REQUIRES.get(d, set()) for d, v in pairs], index=held.index,
                    dtype=bool)
    lim = pd.Series([v in LIMITS.get(d, set()) for d, v in pairs], index=held.index, dtype=bool)
    has_req = held[req].groupby("state_fips").size().reindex(index, fill_value=0) > 0
    has_lim = held[lim].groupby("state_fips").size().reindex(index, fill_value=0) > 0
    stance = pd.Series("none", index=index, dtype="str")
    stance[has_req] = "pro"
    stance[has_lim] = "anti"
    stance[has_req & has_lim] = "mixed"
    out["state_law_stance"] = stance
    behind = held[req | lim].assign(_rank=lambda d: d["check_status"].map(_CHECK_RANK))
    weakest = behind.sort_values("_rank").drop_duplicates("state_fips", keep="last")
    out["state_law_check"] = weakest.set_index("state_fips")["check_status"].reindex(
        index).astype("str")
    return out


def stance_laws(readings: pd.DataFrame, month: str) -> dict[str, str]:
    """{state FIPS: "law_id, law_id"}: the readings in effect in ``month`` that give the
    state's stance (those the rule counts as requiring or limiting), so that a reader can see
    what a stance rests on; states whose stance is ``none`` are absent."""
    held = in_effect(readings, month)
    pairs = zip(held["dimension"], held["value"], strict=True)
    behind = held[[v in REQUIRES.get(d, set()) or v in LIMITS.get(d, set()) for d, v in pairs]]
    return {fips: ", ".join(sorted(set(rows["law_id"])))
            for fips, rows in behind.groupby("state_fips")}


def gazetteer_states() -> list[str]:
    """The 50 states and DC (FIPS), the places readings apply to."""
    fips = gazetteer.states()["state_fips"]
    return sorted(f for f in fips if f not in gazetteer.TERRITORY_FIPS)


@dataclass(frozen=True)
class Period:
    """A stretch of months with one value of one dimension in one state."""

    start: str | None  # None: from before the first law
    end: str | None  # None: to today
    value: str  # "unknown" for no state law
    reading: dict | None


def history(readings: pd.DataFrame, state_fips: str, dimension: str) -> list[Period]:
    """How ``dimension`` changed in a state, oldest first (periods between readings' months)."""
    mine = readings[(readings["state_fips"] == state_fips)
                    & (readings["dimension"] == dimension) & readings["valid_from"].notna()]
    if mine.empty:
        return []
    bounds = sorted(set(mine["valid_from"])
                    | {_shift(m, 1) for m in mine["valid_to"].dropna()})
    periods: list[Period] = []
    starts = [None, *bounds]
    for i, start in enumerate(starts):
        probe = start or _shift(bounds[0], -1)
        on = in_effect(mine, probe)
        if on.empty:
            value, reading = "unknown", None
        else:
            r = pick(on) if dimension in PRACTICES else pick_law(on)
            value, reading = r["value"], r.to_dict()
        end = _shift(starts[i + 1], -1) if i + 1 < len(starts) else None
        if periods and periods[-1].value == value and (
                (periods[-1].reading or {}).get("law_id") == (reading or {}).get("law_id")):
            periods[-1] = Period(periods[-1].start, end, value, reading)
        else:
            periods.append(Period(start, end, value, reading))
    return periods


def checked_counts(values: pd.DataFrame, dimension: str) -> dict[str, int]:
    """How many states' values of ``dimension`` (a ``state_values`` column, or the stance)
    rest on each check status, plus ``settled`` (not unknown/none) and ``states``."""
    if dimension == "state_law_stance":
        settled = values["state_law_stance"] != "none"
        checks = values.loc[settled, "state_law_check"]
    else:
        settled = values[dimension] != "unknown"
        checks = values.loc[settled, f"{dimension}_check"]
    out = {code: int((checks == code).sum()) for code in schema.VALUE_CHECKS}
    out.update(settled=int(settled.sum()), states=len(values))
    return out


# --- Importing the researchers' parts --------------------------------------------------------


def import_parts(parts: Sequence[Path], corrections_dir: Path) -> tuple[Path, list[str]]:
    """Concatenate the researchers' CSVs into the reviewed table, sorted by state, law and
    dimension, text unchanged. Returns (path written, problems and notes found)."""
    frames = [_read_raw(Path(p)) for p in parts]
    raw = pd.concat(frames, ignore_index=True)
    raw = raw.sort_values(["state_abbr", "law_id", "dimension"], kind="stable",
                          ignore_index=True)
    path = Path(corrections_dir) / READINGS_FILE
    raw.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    found = [p.text(path) for p in check_rows(raw)]
    found += ["note: " + p.text(path) for p in notes(raw)]
    return path, found
