"""Reading ICE's detention-statistics workbooks (FY2019 -> FY2026), one facility per row.

ICE posts a workbook every few weeks (ice.gov/detain/detention-management). Its facility sheet is
named differently each year ("Facilities FY19", "Facilities EOYFY20 ", "Facilities FY21 YTD",
"Facilities EOFY23"...), has 5 to 9 title rows above the header, and carries the data-pull date in
a title row ("Source: ICE Integrated Decision Support (IIDS), 10/07/2019"). Below the facilities
ICE prints footnotes in the Name column. ZIPs are numbers in the older files (02863 -> 2863): they
are read as text and padded to 5 digits.

A value outside the field map is a ``Problem`` naming file, sheet, row, column and value; a row
with an error is left out, never guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook

from coopmap import schema
from coopmap.ice_sheets import HasProblems, Problem, _clean, _header_key

# Canonical header -> field. "FYxx ALOS" differs by year and is matched by pattern.
COLUMNS: dict[str, str] = {
    "NAME": "name",
    "ADDRESS": "address",
    "CITY": "city",
    "STATE": "state_abbr",
    "ZIP": "zip",
    "TYPE DETAILED": "type_detailed",
    "LEVEL A": "level_a",
    "LEVEL B": "level_b",
    "LEVEL C": "level_c",
    "LEVEL D": "level_d",
    "GUARANTEED MINIMUM": "guaranteed_minimum",
}
REQUIRED_COLUMNS = ("NAME", "ADDRESS", "CITY", "STATE", "ZIP", "TYPE DETAILED",
                    "LEVEL A", "LEVEL B", "LEVEL C", "LEVEL D")
ALOS = re.compile(r"^FY(\d{2})ALOS$")
MAX_HEADER_ROW = 20
_PULL = re.compile(r"IIDS\)\s*,\s*(\d{1,2})/(\d{1,2})/(\d{4})")
_FY_TITLE = re.compile(r"FACILITIES DATA,\s*FY\s*(\d{2})", re.IGNORECASE)
_ZIP = re.compile(r"^\d{3,5}(-\d{4})?$")
# Footnotes under the table start like these; they are not facilities.
_FOOTNOTE = re.compile(r"^(\[\d+\]|\(\*\)|\*|ODO |\s)")


@dataclass
class DetentionRead(HasProblems):
    """One workbook's facility sheet, read. ``rows`` has one row per facility row of the sheet."""

    file: str
    sheet: str
    fiscal_year: int | None
    data_pull: dt.date | None
    header_row: int | None
    rows: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)


def _facility_sheet(names: list[str]) -> str | None:
    found = [n for n in names if n.strip().casefold().startswith("facilities")]
    return found[0] if found else None


def _find_header(rows: list[list[object]]) -> int | None:
    for i, row in enumerate(rows[:MAX_HEADER_ROW]):
        keys = {_header_key(c) for c in row}
        if "NAME" in keys and "TYPEDETAILED" in keys:
            return i
    return None


def zip5(value: object) -> str | None:
    """A ZIP cell as 5-digit text: 2863.0 -> '02863', '02863' -> '02863'; None if not a ZIP."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    text = str(value).strip()
    if not _ZIP.match(text):
        return None
    return text.split("-")[0].zfill(5)


def _number(value: object) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).replace(",", "").strip())
    except ValueError:
        return None


def read_workbook(path: Path, *, display_name: str | None = None) -> DetentionRead:
    """Read the facility sheet of one detention-statistics workbook."""
    path = Path(path)
    file = display_name or path.name
    problems: list[Problem] = []

    def fail(expected: str, value: object = None, sheet: str = "", row: int | None = None,
             column: str | None = None) -> DetentionRead:
        problems.append(Problem(file, sheet, row, column, value, expected, "error"))
        return DetentionRead(file, sheet, None, None, None, pd.DataFrame(), problems)

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own types for every unreadable file
        return fail("an .xlsx workbook", f"unreadable: {exc}")
    sheet = _facility_sheet(book.sheet_names)
    if sheet is None:
        return fail("a sheet whose name starts with 'Facilities'", book.sheet_names)
    cells = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    header = _find_header(cells)
    if header is None:
        return fail(f"a header row with Name and Type Detailed in the first {MAX_HEADER_ROW} rows",
                    sheet=sheet)
    head = [_header_key(c) for c in cells[header]]
    col_of: dict[str, int] = {}
    alos_col, fy_from_alos = None, None
    for i, key in enumerate(head):
        for canonical in COLUMNS:
            if key == canonical.replace(" ", "") and canonical not in col_of:
                col_of[canonical] = i
        m = ALOS.match(key)
        if m and alos_col is None:
            alos_col, fy_from_alos = i, 2000 + int(m.group(1))
    missing = [c for c in REQUIRED_COLUMNS if c not in col_of]
    if alos_col is None:
        missing.append("FYxx ALOS")
    if missing:
        return fail("the columns " + ", ".join(REQUIRED_COLUMNS) + ", FYxx ALOS",
                    "missing: " + ", ".join(missing), sheet=sheet, row=header + 1)

    title = " ".join(_clean(c) for row in cells[:header] for c in row if _clean(c))
    pull = _PULL.search(title)
    data_pull = (dt.date(int(pull.group(3)), int(pull.group(1)), int(pull.group(2)))
                 if pull else None)
    if data_pull is None:
        problems.append(Problem(file, sheet, None, None, title[:80],
                                "a title row 'Source: ICE Integrated Decision Support (IIDS), "
                                "MM/DD/YYYY'", "error"))
    fy_title = _FY_TITLE.search(title)
    fiscal_year = fy_from_alos
    if fy_title and 2000 + int(fy_title.group(1)) != fy_from_alos:
        problems.append(Problem(file, sheet, header + 1, "FYxx ALOS", fy_from_alos,
                                f"the fiscal year of the title (FY{fy_title.group(1)})", "error"))

    out = []
    for i in range(header + 1, len(cells)):
        raw = cells[i]
        row_no = i + 1  # as Excel numbers it

        def cell(canonical: str, raw=raw) -> object:
            j = col_of.get(canonical)
            return raw[j] if j is not None and j < len(raw) else None

        name = _clean(cell("NAME"))
        kind = _clean(cell("TYPE DETAILED"))
        if not name:
            continue
        if not kind:
            if _FOOTNOTE.match(str(cell("NAME"))) or len(name) > 60:
                continue  # ICE's footnotes below the table
            problems.append(Problem(file, sheet, row_no, "Type Detailed", kind,
                                    "one of " + ", ".join(schema.DETENTION_TYPES), "error"))
            continue
        bad = False
        if kind not in schema.DETENTION_TYPES:
            problems.append(Problem(file, sheet, row_no, "Type Detailed", kind,
                                    "one of " + ", ".join(schema.DETENTION_TYPES), "error"))
            bad = True
        zip_ = zip5(cell("ZIP"))
        if zip_ is None:
            problems.append(Problem(file, sheet, row_no, "Zip", cell("ZIP"), "a 5-digit ZIP",
                                    "error"))
            bad = True
        levels = {}
        for c in ("LEVEL A", "LEVEL B", "LEVEL C", "LEVEL D"):
            v = _number(cell(c))
            if v is None and _clean(cell(c)):
                problems.append(Problem(file, sheet, row_no, c.title(), cell(c), "a number",
                                        "error"))
                bad = True
            levels[c] = v or 0.0
        alos = _number(raw[alos_col] if alos_col < len(raw) else None)
        minimum = _number(cell("GUARANTEED MINIMUM"))
        state = _clean(cell("STATE")).upper()
        if not state:
            problems.append(Problem(file, sheet, row_no, "State", cell("STATE"),
                                    "a two-letter state code (read; the state is taken from "
                                    "the facility's ZIP)", "warning"))
        if bad:
            continue
        out.append({
            "row": row_no,
            "name": name,
            "address": _clean(cell("ADDRESS")),
            "city": _clean(cell("CITY")),
            "state_abbr": state or None,
            "zip": zip_,
            "type_detailed": kind,
            "adp": round(sum(levels.values()), 6),
            "alos": alos,
            "guaranteed_minimum": int(minimum) if minimum is not None else None,
        })
    rows = pd.DataFrame(out)
    return DetentionRead(file, sheet, fiscal_year, data_pull, header + 1, rows, problems)
