"""Names and codes of states and counties: the one place that knows FIPS, USPS codes and full names.

States (50 + DC + territories) are a fixed table. Counties are the 3,142 county equivalents of the
2017 geography in ``sources/geo/counties-10m.json``, with their full Census names ("Autauga County",
"Baltimore city", "Doña Ana County") taken from the Vintage-2024 population file. The 2017 shapes
have counties the 2024 file no longer has (Connecticut's 8 legacy counties, Alaska's
Valdez-Cordova): their full names are built from the shape's name and the legal suffix.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pandas as pd

from coopmap import paths

# (fips, usps, name). The 50 states, DC, then the territories ICE lists or may list.
_STATES: list[tuple[str, str, str]] = [
    ("01", "AL", "Alabama"), ("02", "AK", "Alaska"), ("04", "AZ", "Arizona"),
    ("05", "AR", "Arkansas"), ("06", "CA", "California"), ("08", "CO", "Colorado"),
    ("09", "CT", "Connecticut"), ("10", "DE", "Delaware"), ("11", "DC", "District of Columbia"),
    ("12", "FL", "Florida"), ("13", "GA", "Georgia"), ("15", "HI", "Hawaii"),
    ("16", "ID", "Idaho"), ("17", "IL", "Illinois"), ("18", "IN", "Indiana"),
    ("19", "IA", "Iowa"), ("20", "KS", "Kansas"), ("21", "KY", "Kentucky"),
    ("22", "LA", "Louisiana"), ("23", "ME", "Maine"), ("24", "MD", "Maryland"),
    ("25", "MA", "Massachusetts"), ("26", "MI", "Michigan"), ("27", "MN", "Minnesota"),
    ("28", "MS", "Mississippi"), ("29", "MO", "Missouri"), ("30", "MT", "Montana"),
    ("31", "NE", "Nebraska"), ("32", "NV", "Nevada"), ("33", "NH", "New Hampshire"),
    ("34", "NJ", "New Jersey"), ("35", "NM", "New Mexico"), ("36", "NY", "New York"),
    ("37", "NC", "North Carolina"), ("38", "ND", "North Dakota"), ("39", "OH", "Ohio"),
    ("40", "OK", "Oklahoma"), ("41", "OR", "Oregon"), ("42", "PA", "Pennsylvania"),
    ("44", "RI", "Rhode Island"), ("45", "SC", "South Carolina"), ("46", "SD", "South Dakota"),
    ("47", "TN", "Tennessee"), ("48", "TX", "Texas"), ("49", "UT", "Utah"),
    ("50", "VT", "Vermont"), ("51", "VA", "Virginia"), ("53", "WA", "Washington"),
    ("54", "WV", "West Virginia"), ("55", "WI", "Wisconsin"), ("56", "WY", "Wyoming"),
    ("60", "AS", "American Samoa"), ("66", "GU", "Guam"),
    ("69", "MP", "Northern Mariana Islands"), ("72", "PR", "Puerto Rico"),
    ("78", "VI", "U.S. Virgin Islands"),
]
TERRITORY_FIPS = frozenset({"60", "66", "69", "72", "78"})

# Legal suffixes for the 2017 counties that the 2024 population file no longer has.
_LEGACY_NAMES = {"02261": "Valdez-Cordova Census Area"}
_LEGACY_SUFFIX_BY_STATE = {"09": " County"}


def states() -> pd.DataFrame:
    """All states, DC and territories: state_fips, state_abbr, name, is_territory."""
    df = pd.DataFrame(_STATES, columns=["state_fips", "state_abbr", "name"])
    df["is_territory"] = df["state_fips"].isin(TERRITORY_FIPS)
    return df


def state_by_name(name: str) -> tuple[str, str] | None:
    """(fips, abbr) for a state or territory name in any case or spacing; None if unknown."""
    return _state_name_index().get(_key(name))


def state_by_abbr(abbr: str) -> tuple[str, str] | None:
    """(fips, name) for a USPS code; None if unknown."""
    for fips, usps, name in _STATES:
        if usps == abbr.strip().upper():
            return fips, name
    return None


def _key(text: str) -> str:
    return " ".join(str(text).replace(".", "").split()).casefold()


@cache
def _state_name_index() -> dict[str, tuple[str, str]]:
    index = {_key(name): (fips, usps) for fips, usps, name in _STATES}
    aliases = {
        "Washington DC": "DC", "Washington, DC": "DC", "DC": "DC",
        "Virgin Islands": "VI", "US Virgin Islands": "VI",
        "Commonwealth of the Northern Mariana Islands": "MP", "Northern Marianas": "MP",
    }
    by_usps = {usps: fips for fips, usps, _ in _STATES}
    for alias, usps in aliases.items():
        index[_key(alias)] = (by_usps[usps], usps)
    return index


@cache
def counties(sources_dir: Path | None = None) -> pd.DataFrame:
    """The 3,142 counties of the 50 states and DC (2017 geography).

    Columns: county_fips, state_fips, state_abbr, name (full Census name), short_name (as on the
    shape, without the legal suffix), name_source ("census_2024" or "shape_2017").
    """
    src = Path(sources_dir) if sources_dir else paths.sources_dir()
    topo = json.loads((src / "geo" / "counties-10m.json").read_text(encoding="utf-8"))
    shapes = pd.DataFrame(
        [(g["id"], g["properties"]["name"]) for g in topo["objects"]["counties"]["geometries"]],
        columns=["county_fips", "short_name"],
    )
    shapes["state_fips"] = shapes["county_fips"].str[:2]
    st = states()
    shapes = shapes[shapes["state_fips"].isin(st.loc[~st["is_territory"], "state_fips"])]
    pop = pd.read_csv(
        src / "population" / "co-est2024-alldata.csv",
        encoding="latin-1",
        dtype=str,
        usecols=["SUMLEV", "STATE", "COUNTY", "CTYNAME"],
    )
    pop = pop[pop["SUMLEV"] == "050"]
    census = dict(zip(pop["STATE"] + pop["COUNTY"], pop["CTYNAME"], strict=True))

    def full_name(fips: str, short: str) -> tuple[str, str]:
        if fips in census:
            return census[fips], "census_2024"
        if fips in _LEGACY_NAMES:
            return _LEGACY_NAMES[fips], "shape_2017"
        suffix = _LEGACY_SUFFIX_BY_STATE.get(fips[:2])
        if suffix is None:
            raise ValueError(f"county {fips} ({short}) has a shape but no Census name")
        return short + suffix, "shape_2017"

    names = [full_name(f, s) for f, s in zip(shapes["county_fips"], shapes["short_name"],
                                              strict=True)]
    shapes["name"] = [n for n, _ in names]
    shapes["name_source"] = [s for _, s in names]
    shapes = shapes.merge(st[["state_fips", "state_abbr"]], on="state_fips", how="left")
    cols = ["county_fips", "state_fips", "state_abbr", "name", "short_name", "name_source"]
    return shapes[cols].sort_values("county_fips", ignore_index=True)
