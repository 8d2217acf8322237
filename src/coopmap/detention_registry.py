"""Reading Detention System Data's facility registry (``facilities.csv``, release 2026.07.25).

Used for what ICE's workbooks lack: the facility code of a facility ICE names only, its address
where DDP gives only a code, its agreement type where no workbook lists it, and the counties its
ZIP spans (``county_fips`` "A|B"), which tells where a reviewed county entry is needed.
Only records whose ``id`` is an ICE facility code are read (the others are the registry's own
merge keys).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from coopmap import schema

_ZIP_AT_END = re.compile(r"(\d{5})(?:-\d{4})?\s*$")
_CODE = re.compile(schema.FACILITY_CODE)
# The registry's agreement values -> Type Detailed (it uses ICE's words).
AGREEMENTS = {t: t for t in schema.DETENTION_TYPES if t != "unknown"}


class RegistryError(ValueError):
    """A registry record has a value outside the field map (file, row, column, value)."""


def read_registry(path: Path) -> pd.DataFrame:
    """One row per facility code: code, name, address, zip, state_abbr, county_fips_list
    (tuple of FIPS), agreement (a Type Detailed or None)."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    out = []
    for i, r in enumerate(raw.itertuples(index=False), start=2):
        code = r.id.strip()
        if not _CODE.match(code):
            continue
        agreement = r.agreement.strip() or None
        if agreement is not None and agreement not in AGREEMENTS:
            raise RegistryError(f"{Path(path).name}, row {i}, column agreement: {agreement!r} "
                                f"is not one of {list(AGREEMENTS)}")
        fips = tuple(f for f in r.county_fips.split("|") if f)
        for f in fips:
            if not re.match(schema.COUNTY_FIPS, f):
                raise RegistryError(f"{Path(path).name}, row {i}, column county_fips: {f!r} "
                                    "is not a 5-digit FIPS code")
        m = _ZIP_AT_END.search(r.address)
        out.append({
            "code": code,
            "name": r.primary_name.strip(),
            "address": r.address.strip() or None,
            "zip": m.group(1) if m else None,
            "state_abbr": r.states.strip() or None,
            "county_fips_list": fips,
            "agreement": agreement,
        })
    return pd.DataFrame(out).drop_duplicates("code").reset_index(drop=True)
