"""Small pandas helpers for the build's hot paths."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd


def isin(values: pd.Series, among: Iterable) -> pd.Series:
    """``values.isin(among)`` for text columns, without pandas' per-value conversion of an
    Arrow-backed ``among`` (about 7 µs a value: 30 ms for the 4,000 ids of three months'
    listings). Missing values are never in ``among``, as with ``Series.isin``."""
    wanted = {v for v in among if isinstance(v, str)}
    found = np.fromiter((isinstance(v, str) and v in wanted for v in values.tolist()),
                        dtype=bool, count=len(values))
    return pd.Series(found, index=values.index, name=values.name)
