"""ICE's misspelt agency names, settled by the reviewed table
data/corrections/agency_spellings.csv."""

from __future__ import annotations

import shutil

import openpyxl
import pytest

from coopmap import agreements, gazetteer, paths
from coopmap.ice_sheets import normalise_agency

SHEETS = paths.sources_dir() / "ice_287g"


def test_the_table_validates_and_names_file_row_column_value(tmp_path):
    table = agreements.agency_spellings()
    assert len(table) == 23
    assert table[("WI", "mantiowoc county sheriffs office")] == "manitowoc county sheriffs office"
    bad = tmp_path / agreements.SPELLINGS_FILE
    shutil.copy(paths.corrections_dir() / agreements.SPELLINGS_FILE, bad)
    with bad.open("a") as f:
        f.write("WI,Mantiowoc County Sheriff's Office,manitowoc county sheriffs office,typed raw\n")
    message = (r"agency_spellings.csv, row 25, column ice_spelling: "
               r"\"Mantiowoc County Sheriff's Office\" is not normalised")
    with pytest.raises(ValueError, match=message):
        agreements.agency_spellings(tmp_path)
    bad.write_text(bad.read_text().replace("typed raw\n", "").rsplit("\n", 2)[0] + "\n"
                   "ZZ,a police department,b police department,no such state\n")
    with pytest.raises(ValueError, match=r"row \d+, column state_abbr: 'ZZ' is not a state"):
        agreements.agency_spellings(tmp_path)


def _raw_spellings() -> dict[tuple[str, str], set[str]]:
    """(state, normalised agency) -> the sheets naming it, read with openpyxl, not the pipeline."""
    seen: dict[tuple[str, str], set[str]] = {}
    for path in sorted(SHEETS.rglob("*.xlsx")):
        ws = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        rows = ws.iter_rows(values_only=True)
        for header in rows:
            cells = [str(c or "").strip().upper() for c in header]
            if "STATE" in cells and any("AGENCY" in c for c in cells):
                break
        state_i = cells.index("STATE")
        agency_i = next(i for i, c in enumerate(cells) if "AGENCY" in c)
        for row in rows:
            if row[agency_i] and row[state_i]:
                key = (str(row[state_i]).strip(), normalise_agency(str(row[agency_i])))
                seen.setdefault(key, set()).add(path.name)
    return seen


def test_every_spelling_is_on_some_sheet_and_never_beside_the_real_name():
    """Read against the raw workbooks: each ICE spelling occurs, and no sheet lists both it and
    the real name (else they would be two agencies and the row would merge them wrongly)."""
    seen = _raw_spellings()
    by_abbr: dict[tuple[str, str], set[str]] = {}
    for (state, agency), files in seen.items():
        found = gazetteer.state_by_name(state)  # ICE's own typos ("PENNSLYVANIA") stay unplaced
        if found:
            by_abbr.setdefault((found[1], agency), set()).update(files)
    for (state, spelling), real in agreements.agency_spellings().items():
        misspelt = by_abbr.get((state, spelling), set())
        assert misspelt, (state, spelling)
        assert not misspelt & by_abbr.get((state, real), set()), (state, spelling, real)
