"""Counties and states with their Census Vintage-2024 population (tables counties and states).

The map uses the 2017 county geography (3,142 counties of the 50 states and DC); the population file
(``population/co-est2024-alldata.csv``, Latin-1) uses the 2024 one. Two places differ, and each is
handled explicitly rather than guessed:

* **Alaska, Valdez-Cordova (02261).** In 2019 it was split exactly into Chugach (02063) and Copper
  River (02066) Census Areas; together they cover the same area, so 02261's population is their
  sum, and ``population_note`` says so.
* **Connecticut's 8 legacy counties (09001-09015).** Census no longer estimates them; it publishes
  9 planning regions (09110-09190) whose borders differ from the counties'. Apportioning a region
  between counties would invent numbers, so these counties have no population (``<NA>``) and a
  note. Connecticut's state total is still the state row of the file.

Every other 2017 county must have exactly one row in the file and every county row of the file
(except the planning regions and Alaska's two census areas) must be used; anything else raises
``PopulationError`` naming file, row, column and value. State population is the file's state row
(SUMLEV 040), never a sum of counties.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from coopmap import gazetteer, schema

POPULATION_FILE = Path("population") / "co-est2024-alldata.csv"
POPULATION_COLUMN = "POPESTIMATE2024"

# 2017 county -> the 2024 counties whose sum is exactly the same area, with the note shown.
AGGREGATED: dict[str, tuple[tuple[str, ...], str]] = {
    "02261": (("02063", "02066"), "sum of Chugach (02063) and Copper River (02066) Census Areas"),
}
CONNECTICUT = "09"
CT_NOTE = (
    "No 2024 estimate: Census now estimates Connecticut's 9 planning regions (09110-09190), whose "
    "borders differ from the 8 legacy counties; apportioning them would invent numbers."
)
CT_PLANNING_REGIONS = frozenset(f"09{c}" for c in range(110, 200, 10))


class PopulationError(ValueError):
    """The population file does not match the 2017 geography; the message names row and value."""


def _read_population(sources_dir: Path) -> pd.DataFrame:
    path = Path(sources_dir) / POPULATION_FILE
    df = pd.read_csv(
        path,
        encoding="latin-1",
        dtype=str,
        keep_default_na=False,
        usecols=["SUMLEV", "STATE", "COUNTY", "STNAME", "CTYNAME", POPULATION_COLUMN],
    )
    df["row"] = df.index + 2  # spreadsheet row: the header is row 1
    bad = ~df[POPULATION_COLUMN].str.fullmatch(r"\d+")
    if bad.any():
        r = df[bad].iloc[0]
        raise PopulationError(
            f"{path}, row {r['row']}, column {POPULATION_COLUMN}: "
            f"{r[POPULATION_COLUMN]!r} is not a whole number"
        )
    unknown = ~df["SUMLEV"].isin(["040", "050"])
    if unknown.any():
        r = df[unknown].iloc[0]
        raise PopulationError(
            f"{path}, row {r['row']}, column SUMLEV: {r['SUMLEV']!r} is neither 040 (state) "
            "nor 050 (county)"
        )
    df["fips"] = df["STATE"] + df["COUNTY"].where(df["SUMLEV"] == "050", "")
    df["population"] = df[POPULATION_COLUMN].astype("int64")
    return df


def build_counties(sources_dir: Path) -> pd.DataFrame:
    """Table ``counties``: the 3,142 counties of the 2017 geography with 2024 population."""
    path = Path(sources_dir) / POPULATION_FILE
    pop = _read_population(sources_dir)
    pop = pop[pop["SUMLEV"] == "050"]
    dup = pop["fips"].duplicated(keep=False)
    if dup.any():
        r = pop[dup].iloc[0]
        raise PopulationError(f"{path}, row {r['row']}, columns STATE+COUNTY: "
                              f"{r['fips']!r} appears more than once")
    by_fips = pop.set_index("fips")["population"]

    geo = gazetteer.counties(Path(sources_dir))
    populations: list[int | None] = []
    notes: list[str | None] = []
    used: set[str] = set()
    for fips in geo["county_fips"]:
        if fips in AGGREGATED:
            parts, note = AGGREGATED[fips]
            missing = [p for p in parts if p not in by_fips.index]
            if missing:
                raise PopulationError(f"{path}: county {fips} is the sum of {parts}, "
                                      f"but {missing} are not in the file")
            populations.append(int(by_fips[list(parts)].sum()))
            notes.append(note)
            used.update(parts)
        elif fips.startswith(CONNECTICUT):
            populations.append(None)
            notes.append(CT_NOTE)
        elif fips in by_fips.index:
            populations.append(int(by_fips[fips]))
            notes.append(None)
            used.add(fips)
        else:
            raise PopulationError(f"{path}: county {fips} of the 2017 geography has no row "
                                  "(no county with that STATE+COUNTY)")
    # A county row left over means the geography changed in a way nobody has reviewed.
    leftover = pop[~pop["fips"].isin(used) & ~pop["fips"].isin(CT_PLANNING_REGIONS)]
    if not leftover.empty:
        r = leftover.iloc[0]
        raise PopulationError(
            f"{path}, row {r['row']}, columns STATE+COUNTY: {r['fips']!r} ({r['CTYNAME']}) "
            "is not a county of the 2017 geography"
        )

    out = geo[["county_fips", "state_fips", "state_abbr", "name"]].copy()
    out["population"] = pd.array(populations, dtype="Int64")
    out["population_note"] = pd.array(notes, dtype="str")
    return schema.validate("counties", out[schema.COUNTIES.columns])


def build_states(sources_dir: Path) -> pd.DataFrame:
    """Table ``states``: the 50 states and DC with their 2024 population and county count."""
    path = Path(sources_dir) / POPULATION_FILE
    pop = _read_population(sources_dir)
    pop = pop[pop["SUMLEV"] == "040"].set_index("fips")
    st = gazetteer.states()
    st = st[~st["is_territory"]]
    missing = sorted(set(st["state_fips"]) - set(pop.index))
    if missing:
        raise PopulationError(f"{path}: no state row (SUMLEV 040) for state FIPS {missing}")
    extra = pop[~pop.index.isin(st["state_fips"])]
    if not extra.empty:
        r = extra.iloc[0]
        raise PopulationError(f"{path}, row {r['row']}, column STATE: {extra.index[0]!r} "
                              "is not one of the 50 states or DC")
    n_counties = gazetteer.counties(Path(sources_dir)).groupby("state_fips").size()
    out = st[["state_fips", "state_abbr", "name"]].copy()
    out["population"] = out["state_fips"].map(pop["population"]).astype("Int64")
    out["counties"] = out["state_fips"].map(n_counties).astype("Int64")
    return schema.validate("states", out.reset_index(drop=True)[schema.STATES.columns])
