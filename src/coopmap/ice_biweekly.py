"""Reading Detention System Data's parse of ICE's 2026-07-20 workbook (``ice-biweekly.json``).

ICE's own file of that date is not at hand; these values are ICE's as a third party parsed them,
and the release labels them so (``source_kind`` third_party_parse). Each record carries ICE's
facility code (``xref``), which also links the newest names to codes.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd

from coopmap import schema
from coopmap.detention_sheets import zip5

LEVELS = ("adpLevelA", "adpLevelB", "adpLevelC", "adpLevelD")


class BiweeklyError(ValueError):
    """A record has a value outside the field map (file, record, field, value)."""


def read_biweekly(path: Path) -> tuple[pd.DataFrame, dt.date, int]:
    """(rows like detention_sheets' plus ``code``, data-pull date, fiscal year)."""
    path = Path(path)
    records = json.loads(path.read_text(encoding="utf-8"))
    out, dates = [], set()
    for i, rec in enumerate(records, start=1):
        f = rec["fields"]

        def bad(field: str, value: object, expected: str, i=i) -> BiweeklyError:
            return BiweeklyError(f"{path.name}, record {i}, field {field}: {value!r}; "
                                 f"expected {expected}")

        kind = f.get("agreement")
        if kind not in schema.DETENTION_TYPES:
            raise bad("agreement", kind, "one of " + ", ".join(schema.DETENTION_TYPES))
        zip_ = zip5(f.get("address", {}).get("zip"))
        if zip_ is None:
            raise bad("address.zip", f.get("address"), "a 5-digit ZIP")
        code = (rec.get("xref") or "").strip()
        if not code:
            raise bad("xref", rec.get("xref"), "an ICE facility code")
        dates.add(rec["sourceAsOf"])
        minimum = f.get("guaranteedMinimumBeds")
        out.append({
            "row": i,
            "code": code,
            "name": f["name"][0]["value"].strip(),
            "address": f["address"]["full"],
            "city": None,
            "state_abbr": rec.get("state"),
            "zip": zip_,
            "type_detailed": kind,
            "adp": round(sum(float(f.get(k) or 0) for k in LEVELS), 6),
            "alos": f.get("avgLengthOfStayDays"),
            "guaranteed_minimum": int(minimum) if minimum is not None else None,
        })
    if len(dates) != 1:
        raise BiweeklyError(f"{path.name}: records of several dates {sorted(dates)}")
    pull = dt.date.fromisoformat(dates.pop())
    fiscal_year = pull.year + 1 if pull.month >= 10 else pull.year
    return pd.DataFrame(out), pull, fiscal_year
