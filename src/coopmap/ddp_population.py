"""Reading the Deportation Data Project's daily population by facility (Parquet, CC0).

One row per facility code and day, 2022-10-01 -> 2026-03-10. coopmap keeps the monthly average
daily population (mean of ``n_detained`` over the days the file has for the month) and each
code's name; months in which every day counted 0 are dropped, so "listed" means "held people".
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

COLUMNS = ("detention_facility_code", "date", "n_detained", "detention_facility")


class DdpError(ValueError):
    """The file lacks a column or has an impossible value (file, column, value)."""


def read_daily(path: Path) -> pd.DataFrame:
    """The daily rows: code, date (datetime), n_detained, name."""
    path = Path(path)
    daily = pd.read_parquet(path, columns=list(COLUMNS))
    missing = [c for c in COLUMNS if c not in daily.columns]
    if missing:
        raise DdpError(f"{path.name}: missing columns {missing}")
    daily = daily.rename(columns={"detention_facility_code": "code",
                                  "detention_facility": "name"})
    daily["date"] = pd.to_datetime(daily["date"])
    negative = daily[daily["n_detained"] < 0]
    if len(negative):
        r = negative.iloc[0]
        raise DdpError(f"{path.name}, code {r['code']}, date {r['date']:%Y-%m-%d}, column "
                       f"n_detained: {r['n_detained']} is negative")
    return daily


def monthly(daily: pd.DataFrame) -> pd.DataFrame:
    """code, month, adp, days: one row per code and month with at least one person."""
    # Grouped by an integer month (formatting 900k dates as text took seconds), named after.
    key = daily["date"].dt.year * 100 + daily["date"].dt.month
    grouped = daily.assign(ym=key).groupby(["code", "ym"], sort=True)["n_detained"]
    out = grouped.agg(adp="mean", days="size", peak="max").reset_index()
    out = out[out["peak"] > 0].drop(columns="peak").reset_index(drop=True)
    out.insert(1, "month", [f"{k // 100:04d}-{k % 100:02d}" for k in out.pop("ym")])
    return out


def names(daily: pd.DataFrame) -> pd.Series:
    """The newest name DDP gives each code."""
    return daily.sort_values("date").groupby("code")["name"].last()
