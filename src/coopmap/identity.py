"""Agreement identity through ICE's renames, as reviewed data.

ICE rewrites agency names between sheets ("Waukesha County Sheriff's Office" becomes "... Sheriff's
Department"), sometimes lists an agency for a month under the wrong STATE, and a pending request can
become an agreement under another spelling. Without help each spelling would be its own agreement,
and a rename would read as one agreement ending and another starting.

Two halves, in the warn-transformer way:

- ``candidates`` finds the pairs of spellings that may be one agreement, from the listings alone:
  a spelling that leaves the participating list and, within the next two sheets, one that arrives
  with the same model and SIGNED date and a similar name (rapidfuzz, on the words that are not
  generic agency words) in the same state, or the same name in another state; and a pending-only
  spelling whose request shows up as participating under a similar name.
- ``data/corrections/agreement_identities.csv`` settles them: each row maps one spelling (state,
  agency as ICE wrote it, model) to the agreement it belongs to (``same``), or records that a
  candidate pair is two agreements (``distinct``), with a note. Nothing is merged without a row.

``coopmap build`` lists the candidates no row settles, and a test fails while any is left.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz

from coopmap import gazetteer, schema
from coopmap.ice_sheets import normalise_agency

IDENTITY_FILE = "agreement_identities.csv"
COLUMNS = ["state_abbr", "agency", "model", "decision", "same_as_state_abbr", "same_as_agency",
           "note"]
DECISIONS = {"same": "One agreement: the spelling belongs to the named agreement",
             "distinct": "Two agreements: the candidate pair is not one agreement"}
CANDIDATE_KINDS = {
    "renamed": "left the list; the next sheets list a similar name, same model and SIGNED date",
    "other_state": "the same name, model and SIGNED date listed under another state next",
    "pending_became_participating": "a pending request; a similar name of the same state and "
                                    "model became participating",
}
# Sheets after the last listing within which an arrival counts as a candidate ("a month or two").
WINDOW_SHEETS = 2
SIMILARITY = 80
# Words every agency name shares; the rest ("waukesha", "escambia") decides similarity.
_GENERIC = frozenset({
    "the", "of", "and", "county", "city", "town", "village", "borough", "township", "sheriff",
    "sheriffs", "office", "department", "dept", "police", "board", "commissioners",
})

Key = tuple[str, str, str]  # (state_abbr, normalised agency, model)


class IdentityError(ValueError):
    """A malformed row of the identity table: the message names file, row, column and value."""


@dataclass(frozen=True)
class Entry:
    row: int
    state_abbr: str
    norm: str
    model: str
    decision: str
    same_as_state_abbr: str
    same_as_norm: str
    note: str


@dataclass
class Identities:
    """The reviewed table, indexed for ``resolve`` and ``settles``."""

    entries: list[Entry] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._same: dict[Key, Entry] = {}
        self._distinct: set[tuple[Key, Key]] = set()
        for e in self.entries:
            key = (e.state_abbr, e.norm, e.model)
            target = (e.same_as_state_abbr, e.same_as_norm, e.model)
            if e.decision == "same":
                self._same[key] = e
            else:
                self._distinct.add((key, target))
                self._distinct.add((target, key))

    def resolve(self, key: Key) -> Key:
        """The spelling that names the agreement ``key`` belongs to (itself when no row)."""
        seen = [key]
        while key in self._same:
            e = self._same[key]
            key = (e.same_as_state_abbr, e.same_as_norm, e.model)
            if key in seen:
                raise IdentityError(f"{IDENTITY_FILE}: rows form a cycle: "
                                    + " -> ".join("|".join(k) for k in [*seen, key]))
            seen.append(key)
        return key

    def settles(self, a: Key, b: Key) -> bool:
        return self.resolve(a) == self.resolve(b) or (a, b) in self._distinct

    def decision(self, a: Key, b: Key) -> str | None:
        if self.resolve(a) == self.resolve(b):
            return "same"
        if (a, b) in self._distinct:
            return "distinct"
        return None


_EMPTY = Identities()
_loaded: dict[str, tuple[str, Identities]] = {}


def load(corrections_dir: Path | None) -> Identities:
    """Read and check ``agreement_identities.csv`` (an absent file is an empty table). The same
    bytes give the same ``Identities`` object (builds key their per-sheet work on it)."""
    if corrections_dir is None:
        return _EMPTY
    path = Path(corrections_dir) / IDENTITY_FILE
    if not path.exists():
        return _EMPTY
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    where = str(path.resolve())
    hit = _loaded.get(where)
    if hit is not None and hit[0] == digest:
        return hit[1]
    identities = _parse(path, data.decode("utf-8"))
    _loaded[where] = (digest, identities)
    return identities


def _parse(path: Path, text: str) -> Identities:
    with io.StringIO(text, newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != COLUMNS:
            raise IdentityError(f"{path.name}: header {reader.fieldnames} should be {COLUMNS}")
        rows = list(reader)
    abbrs = set(gazetteer.states()["state_abbr"])
    entries, seen = [], {}
    for i, r in enumerate(rows, start=2):
        def bad(column: str, expected: str, r=r, i=i) -> IdentityError:
            return IdentityError(f"{path.name}, row {i}, column {column}: {r[column]!r} is not "
                                 f"{expected}")
        for column in ("state_abbr", "same_as_state_abbr"):
            if r[column] not in abbrs:
                raise bad(column, "a two-letter state or territory code")
        if not r["agency"].strip():
            raise bad("agency", "an agency name")
        if not r["same_as_agency"].strip():
            raise bad("same_as_agency", "an agency name")
        if r["model"] not in schema.MODELS:
            raise bad("model", f"one of {list(schema.MODELS)}")
        if r["decision"] not in DECISIONS:
            raise bad("decision", f"one of {list(DECISIONS)}")
        if not r["note"].strip():
            raise bad("note", "a note saying why")
        e = Entry(i, r["state_abbr"], normalise_agency(r["agency"]), r["model"], r["decision"],
                  r["same_as_state_abbr"], normalise_agency(r["same_as_agency"]), r["note"])
        key = (e.state_abbr, e.norm, e.model, e.decision,
               (e.same_as_state_abbr, e.same_as_norm) if e.decision == "distinct" else "")
        if (e.state_abbr, e.norm) == (e.same_as_state_abbr, e.same_as_norm):
            raise bad("same_as_agency", "another spelling than the row's own")
        if key in seen:
            raise bad("agency", f"a new entry (row {seen[key]} already decides it)")
        seen[key] = i
        entries.append(e)
    identities = Identities(entries)
    for e in entries:  # cycles raise here, at load time
        identities.resolve((e.state_abbr, e.norm, e.model))
    return identities


def _distinctive(norm: str) -> str:
    return " ".join(w for w in norm.split() if w not in _GENERIC)


@lru_cache(maxsize=1 << 17)  # the same pairs come back in every build (and staff preview)
def similarity(a: str, b: str) -> float:
    """0-100: rapidfuzz token-set ratio of the names without generic agency words."""
    return float(fuzz.token_set_ratio(_distinctive(a), _distinctive(b)))


def candidates(rows: pd.DataFrame, identities: Identities) -> pd.DataFrame:
    """Pairs of spellings that may be one agreement, with the table's decision (or none).

    ``rows``: one row per sheet row, with state_abbr, agency, agency_norm (before identities),
    model, list, month, signed and moa_url.
    """
    cols = ["kind", "state_abbr", "agency", "model", "months", "signed", "same_as_state_abbr",
            "same_as_agency", "same_as_months", "same_as_signed", "similarity", "same_moa_link",
            "decision"]
    rows = rows.assign(_key=list(zip(rows["state_abbr"].tolist(), rows["agency_norm"].tolist(),
                                     rows["model"].tolist(), strict=True)))
    part = rows[rows["list"] == "participating"].sort_values("month")
    months = sorted(part["month"].unique())
    if not months:
        return pd.DataFrame(columns=cols)
    position = {m: i for i, m in enumerate(months)}
    first = part.drop_duplicates("_key").set_index("_key")
    last = part.drop_duplicates("_key", keep="last").set_index("_key")
    pend = rows[rows["list"] == "pending"].sort_values("month")
    pend_first = pend.drop_duplicates("_key").set_index("_key")
    pend_last = pend.drop_duplicates("_key", keep="last").set_index("_key")
    # Plain dicts, not row-by-row frame access: this runs in every build and staff preview.
    first_month = dict(zip(first.index, first["month"], strict=True))
    first_signed = dict(zip(first.index, first["signed"], strict=True))
    pend_first_month = dict(zip(pend_first.index, pend_first["month"], strict=True))
    arrivals: dict[str, list] = {}
    by_state_model: dict[tuple[str, str], list] = {}
    for key, month in first_month.items():
        arrivals.setdefault(month, []).append(key)
        by_state_model.setdefault((key[0], key[2]), []).append((key, month))

    last_at = {k: i for i, k in enumerate(last.index)}
    pend_last_at = {k: i for i, k in enumerate(pend_last.index)}
    first_at = {k: i for i, k in enumerate(first.index)}

    def pair(kind, x, y, score):
        xr = last.iloc[last_at[x]] if x in last_at else pend_last.iloc[pend_last_at[x]]
        yr = first.iloc[first_at[y]]
        x_months = _span(first, last, x) if x in last.index else \
            "pending " + _span(pend_first, pend_last, x)
        same_link = (isinstance(xr["moa_url"], str) and xr["moa_url"] == yr["moa_url"])
        return {"kind": kind, "state_abbr": x[0], "agency": xr["agency"], "model": x[2],
                "months": x_months, "signed": xr["signed"] if kind != "pending_became_participating"
                else pd.NaT,
                "same_as_state_abbr": y[0], "same_as_agency": yr["agency"],
                "same_as_months": _span(first, last, y), "same_as_signed": yr["signed"],
                "similarity": round(score), "same_moa_link": bool(same_link),
                "decision": identities.decision(x, y)}

    out = []
    for x, x_month, x_signed in zip(last.index, last["month"], last["signed"], strict=True):
        i = position[x_month]
        if i == len(months) - 1:
            continue
        for m in months[i + 1: i + 1 + WINDOW_SHEETS]:
            for y in arrivals.get(m, []):
                if y == x or y[2] != x[2] or pd.isna(x_signed) \
                        or first_signed[y] != x_signed:
                    continue
                if y[0] == x[0]:
                    score = similarity(x[1], y[1])
                    if score >= SIMILARITY:
                        out.append(pair("renamed", x, y, score))
                elif y[1] == x[1]:
                    out.append(pair("other_state", x, y, 100.0))
    for p, p_month in zip(pend_last.index, pend_last["month"], strict=True):
        if p in first_month:
            continue
        start = pend_first_month[p]
        end = _month_index(p_month) + WINDOW_SHEETS
        for y, y_month in by_state_model.get((p[0], p[2]), []):
            if y == p:
                continue
            if not (start <= y_month and _month_index(y_month) <= end):
                continue
            score = similarity(p[1], y[1])
            if score >= SIMILARITY:
                out.append(pair("pending_became_participating", p, y, score))
    df = pd.DataFrame(out, columns=cols)
    return df.sort_values(["state_abbr", "agency", "model", "same_as_agency"],
                          ignore_index=True)


def _month_index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def _span(first: pd.DataFrame, last: pd.DataFrame, key) -> str:
    a, b = first.at[key, "month"], last.at[key, "month"]
    return a if a == b else f"{a} – {b}"


def format_candidates(cands: pd.DataFrame) -> str:
    """The build report's section: candidates no reviewed row settles, as rows to add."""
    open_ = cands[cands["decision"].isna()]
    lines = [f"Agreement identity: {len(cands)} candidate pairs, {len(cands) - len(open_)} "
             f"settled by data/corrections/{IDENTITY_FILE}, {len(open_)} unsettled"]
    for r in open_.itertuples():
        link = "; same MOA link" if r.same_moa_link else ""
        signed = "" if pd.isna(r.signed) else f", signed {r.signed:%Y-%m-%d}"
        lines.append(f"  {r.kind}: {r.state_abbr} {r.agency!r} ({r.model}, {r.months}{signed})"
                     f" -> {r.same_as_state_abbr} {r.same_as_agency!r} ({r.same_as_months}; "
                     f"similarity {r.similarity}{link})")
    return "\n".join(lines)
