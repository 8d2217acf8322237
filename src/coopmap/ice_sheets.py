"""Reading ICE's 287(g) participating and pending sheets, in every layout ICE has used since 2021.

One reader serves the archived monthly files and staff uploads alike: an ``.xlsx`` (or a CSV saved
from one), with the header row possibly below title rows, and column names matched ignoring case,
spacing and order. Values are checked against the field map below; anything not in it becomes a
``Problem`` naming file, sheet, row, column and value, never a silent guess. The few misspellings
ICE really printed are reviewed corrections (data a reviewer reads in a diff): they are applied and
still reported, as warnings.

python-calamine reads the cell values (fast); the worksheet's XML is read only when a MOA/ADDENDUM
cell says "link", because the URL then lives in the cell's Excel hyperlink, which calamine does not
expose.
"""

from __future__ import annotations

import csv
import datetime as dt
import posixpath
import re
import unicodedata
import urllib.parse
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook

from coopmap import gazetteer, schema

# --- Field map ------------------------------------------------------------------------------
# Canonical header (as ICE prints it) -> field. Headers are compared with all whitespace removed
# and in capitals, so "Support  Type " and "SUPPORT TYPE" are the same column.
COLUMNS: dict[str, str] = {
    "STATE": "state",
    "LAW ENFORCEMENT AGENCY": "agency",
    "TYPE": "type",
    "COUNTY": "county",
    "SUPPORT TYPE": "support_type",
    "SIGNED": "signed",
    "MOA": "moa",
    "ADDENDUM": "addendum",
}
REQUIRED_COLUMNS = ("STATE", "LAW ENFORCEMENT AGENCY", "SUPPORT TYPE")
# How far down a header row may sit below title rows.
MAX_HEADER_ROW = 30

# ICE's TYPE labels -> schema.AGENCY_TYPES codes (compared casefolded, spaces collapsed).
ICE_TYPES: dict[str, str] = {
    "county": "county",
    "municipality": "municipality",
    "state agency": "state_agency",
}
# SUPPORT TYPE: ICE prints exactly the schema's model labels.
ICE_MODELS: dict[str, str] = {label.casefold(): code for code, label in schema.MODELS.items()}

# Reviewed corrections: values ICE actually printed, what they mean, and where they were seen.
STATE_CORRECTIONS: dict[str, str] = {
    "PENNSLYVANIA": "PENNSYLVANIA",  # 2025-2026 participating sheets
    "WEST VIRIGINIA": "WEST VIRGINIA",  # 2025-2026 participating sheets
}
TYPE_CORRECTIONS: dict[str, str] = {
    "state": "state_agency",  # "State" for "State Agency", from Jul 2025
}
SIGNED_CORRECTIONS: dict[str, dt.date] = {
    # Campbell County Sheriff's Office (VA) TFM, May and June 2025 sheets: a slash missing.
    "05/082025": dt.date(2025, 5, 8),
}
MODEL_CORRECTIONS: dict[str, str] = {
    "warrant service office": "WSO",
    "warrant services officer": "WSO",
}
# Cell text ICE uses for "no value"; read as missing, not as a name.
MISSING_MARKERS = frozenset({"", "#na", "#n/a", "n/a"})
LINK_PENDING = "link pending"

ROW_COLUMNS = [
    "row", "state_name", "state_abbr", "state_fips", "agency", "agency_type", "ice_county",
    "model", "signed", "moa_url", "addendum_url", "source_file",
]
# Booleans beside the rows: a MOA/ADDENDUM cell says "link" but its hyperlink is not in the file
# (a CSV, a sheet whose links were stripped). The assembly then keeps the URL the same agreement
# had on the sheet before (coopmap.agreements), instead of blanking it.
LOST_LINK_COLUMNS = ["moa_lost", "addendum_lost"]

_ICE_NAME_DATE = re.compile(r"(\d{2})(\d{2})(\d{4})(am|pm)?", re.IGNORECASE)
_PREFIX_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})_")
# Some Wayback-era URLs contain a space ("287gJEM_ etowahCoAL"); they are kept as printed.
_URL = re.compile(r"^https?://", re.IGNORECASE)
# A link's scheme: only http(s) is kept (ICE's own links include "https:/www.ice.gov/...").
_HTTP = re.compile(r"^https?:", re.IGNORECASE)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]{1,20}:\S+$", re.IGNORECASE)


# A problem's texts are bounded (a CSV cell may hold 131,072 characters, a header row 16,384
# cells): its value shows at most this many characters or list items, its explanation this many
# characters, so no upload can make the problem list large.
MAX_VALUE_CHARS = 300
MAX_VALUE_ITEMS = 30
MAX_EXPECTED_CHARS = 600
# At most this many problems are listed for one upload; the rest are counted in a last one.
MAX_PROBLEMS = 1_000


def bounded_text(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying how much was cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters)"


def _bounded_value(value: object) -> object:
    if isinstance(value, str):
        return bounded_text(value, MAX_VALUE_CHARS)
    if isinstance(value, list | tuple):
        items = [_bounded_value(v) for v in value[:MAX_VALUE_ITEMS]]
        if len(value) > MAX_VALUE_ITEMS:
            items.append(f"… ({len(value) - MAX_VALUE_ITEMS:,} more)")
        return items
    return value


@dataclass(frozen=True)
class Problem:
    file: str
    sheet: str
    row: int | None
    column: str | None
    value: object
    expected: str
    # "error" (the row is not read), "warning" (read, but check it) or "decision" (a choice
    # staff confirm by name before publishing: the first of repeated rows, markup as text)
    severity: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "file", bounded_text(str(self.file), MAX_VALUE_CHARS))
        object.__setattr__(self, "sheet", bounded_text(str(self.sheet or ""), MAX_VALUE_CHARS))
        if self.column is not None:
            object.__setattr__(self, "column", bounded_text(str(self.column), MAX_VALUE_CHARS))
        object.__setattr__(self, "value", _bounded_value(self.value))
        object.__setattr__(self, "expected", bounded_text(str(self.expected),
                                                          MAX_EXPECTED_CHARS))

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{self.severity}: {', '.join(where)}: {self.value!r}; expected {self.expected}"


class HasProblems:
    """Errors and warnings of a result's ``problems`` list (sheet reads, staff candidates)."""

    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def decisions(self) -> list[Problem]:
        """What staff must confirm by name (repeated rows, markup kept as text)."""
        return [p for p in self.problems if p.severity == "decision"]


def capped(problems: list[Problem], limit: int = MAX_PROBLEMS) -> list[Problem]:
    """At most ``limit`` problems, errors kept first, and one more that counts the rest.

    A file with an error on every one of its 50,000 rows would otherwise list them all (and the
    page would send them all to the browser); the first thousand say what is wrong."""
    if len(problems) <= limit:
        return problems
    errors = [p for p in problems if p.severity == "error"]
    kept_ids = {id(p) for p in (errors[:limit] if len(errors) >= limit
                                else errors + [p for p in problems
                                               if p.severity != "error"][:limit - len(errors)])}
    kept = [p for p in problems if id(p) in kept_ids]
    left = [p for p in problems if id(p) not in kept_ids]
    n_err = sum(p.severity == "error" for p in left)
    file = problems[0].file
    kept.append(Problem(
        file, "", None, None, f"{len(left):,} more problems ({n_err:,} errors, "
        f"{len(left) - n_err:,} warnings)",
        f"at most {limit:,} problems are listed; fix these and upload the file again to see "
        "the rest", "error" if n_err else "warning"))
    return kept


class IceSheetError(ValueError):
    """A sheet cannot be read, or has rows with errors. Carries the problems."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = [str(p) for p in problems[:20]]
        if len(problems) > 20:
            lines.append(f"... and {len(problems) - 20} more")
        super().__init__("\n".join(lines))


@dataclass
class SheetRead(HasProblems):
    """One sheet, read. Rows with an error are left out of ``rows`` and listed in ``problems``."""

    rows: pd.DataFrame
    layout: tuple[str, ...]
    problems: list[Problem] = field(default_factory=list)
    sheet: str = ""
    list_kind: str | None = None

    def raise_for_errors(self) -> None:
        if self.errors:
            raise IceSheetError(self.errors)


# --- Names ----------------------------------------------------------------------------------

_APOSTROPHES = dict.fromkeys(map(ord, "\u2019\u2018\u02bc\u0060\u00b4\u2032"), "'")


@lru_cache(maxsize=1 << 16)  # a build calls it for every row of every sheet: ~3,000 names
def normalise_agency(name: str) -> str:
    """The agency name as used in ids: casefolded, apostrophes dropped, punctuation as spaces.

    "Autauga County Sheriff’s Office ", "AUTAUGA COUNTY SHERIFF'S OFFICE" and
    "Autauga County Sheriffs Office" all give "autauga county sheriffs office"; "St. Lucie" and
    "St Lucie" agree, and so do "Safety- Criminal" and "Safety - Criminal".
    """
    text = unicodedata.normalize("NFKC", str(name)).translate(_APOSTROPHES).casefold()
    text = text.replace("'", "")
    # "&" is kept: "Fish & Wildlife" and "Fish and Wildlife" are left for a reviewer to merge.
    text = re.sub(r"[^\w&]+", " ", text)
    return " ".join(text.split())


def _clean(value: object) -> str:
    """Cell text, NFKC-normalised (non-breaking spaces become spaces), whitespace collapsed."""
    if value is None:
        return ""
    try:
        return _clean_hashable(value)
    except TypeError:  # an unhashable cell value
        return " ".join(unicodedata.normalize("NFKC", str(value)).split())


# A sheet's cells repeat (state names, types, models, "link", agencies month after month).
# typed: 1, 1.0 and True are equal keys but print differently.
@lru_cache(maxsize=1 << 16, typed=True)
def _clean_hashable(value: object) -> str:
    return " ".join(unicodedata.normalize("NFKC", str(value)).split())


def _header_key(value: object) -> str:
    return "".join(_clean(value).upper().split())


_HEADER_KEYS = {_header_key(h): h for h in COLUMNS}


def sheet_date_from_name(name: str) -> dt.date | None:
    """The date in a sheet's file name: our ``YYYY-MM-DD_`` prefix, else ICE's ``MMDDYYYY``."""
    m = _PREFIX_DATE.match(name)
    if m:
        return dt.date.fromisoformat(m.group(1))
    m = _ICE_NAME_DATE.search(name)
    if m:
        month, day, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        try:
            return dt.date(year, month, day)
        except ValueError:
            return None
    return None


def list_kind_from_name(name: str) -> str | None:
    lowered = name.casefold()
    if "pending" in lowered:
        return "pending"
    if "participating" in lowered:
        return "participating"
    return None


# --- Reading cells --------------------------------------------------------------------------


def _read_cells(path: Path) -> list[tuple[str, list[list[object]]]]:
    """Every sheet as (name, rows); rows[i] is spreadsheet row i + 1."""
    if path.suffix.lower() in (".csv", ".txt"):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Excel on Windows saves "CSV" in cp1252 (curly apostrophes in agency names).
            text = raw.decode("cp1252")
        return [("", [list(r) for r in csv.reader(text.splitlines())])]
    wb = CalamineWorkbook.from_path(str(path))
    sheets = []
    for i, name in enumerate(wb.sheet_names):
        sheet = wb.get_sheet_by_index(i)
        sheets.append((name, sheet.to_python(skip_empty_area=False)))
    return sheets


def _find_header(rows: list[list[object]]) -> int | None:
    for i, row in enumerate(rows[:MAX_HEADER_ROW]):
        keys = {_header_key(c) for c in row}
        if all(_header_key(h) in keys for h in REQUIRED_COLUMNS):
            return i
    return None


# Namespaces of the xlsx parts _hyperlinks reads (transitional OOXML, what Excel saves).
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _part_rels(archive: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship id -> target of one package part; internal targets as archive paths."""
    folder, name = posixpath.split(part)
    rels_path = posixpath.join(folder, "_rels", name + ".rels")
    if rels_path not in archive.NameToInfo:
        return {}
    out = {}
    for rel in ET.fromstring(archive.read(rels_path)).iter(_NS_PKG_REL + "Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") != "External":
            # Internal targets are relative to the part's folder, or absolute from the root.
            target = (target[1:] if target.startswith("/")
                      else posixpath.normpath(posixpath.join(folder, target)))
        out[rel.get("Id", "")] = target
    return out


def _cell_ref(ref: str) -> tuple[int, int]:
    """'G12' -> (12, 7)."""
    m = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d+)", ref)
    if m is None:
        raise ValueError(f"not a cell reference: {ref!r}")
    column = 0
    for letter in m.group(1).upper():
        column = column * 26 + ord(letter) - ord("A") + 1
    return int(m.group(2)), column


def _corners(ref: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """'C3:B2' -> ((2, 2), (3, 3)): top-left and bottom-right (row, column) of a range."""
    (r1, c1), (r2, c2) = (_cell_ref(end) for end in ref.split(":"))
    return (min(r1, r2), min(c1, c2)), (max(r1, r2), max(c1, c2))


def _hyperlinks(path: Path, sheet: str, cells: list[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """Hyperlink targets of the given (row, column) cells, 1-based.

    Read straight from the xlsx parts (workbook -> worksheet -> its ``<hyperlinks>`` and rels)
    rather than through openpyxl, whose full load cost most of a staff upload's read time. The
    result is what openpyxl gave: the sheet named ``sheet`` (else the first worksheet), a link's
    relationship target (links to a place inside the workbook have none and are skipped), a
    range ref applied to each of its cells except merged-away ones, a single ref inside a merged
    range moved to the range's top-left cell, and a later link on a cell replacing an earlier.
    """
    with zipfile.ZipFile(path) as archive:
        office = _part_rels(archive, "").values()
        workbook = next((t for t in office if t.endswith("workbook.xml")), "xl/workbook.xml")
        book_rels = _part_rels(archive, workbook)
        sheets = []  # (name, worksheet part), in workbook order
        for node in ET.fromstring(archive.read(workbook)).iter(_NS_MAIN + "sheet"):
            target = book_rels.get(node.get(_NS_DOC_REL + "id") or "")
            if target in archive.NameToInfo and "chartsheet" not in target:
                sheets.append((node.get("name"), target))
        part = next((t for name, t in sheets if name == sheet), sheets[0][1] if sheets else None)
        if part is None:
            return {}
        root = ET.fromstring(_without_cells(archive.read(part)))
        links: dict[tuple[int, int], str | None] = {}
        merged = [_corners(node.get("ref", "")) for node in root.iter(_NS_MAIN + "mergeCell")
                  if ":" in node.get("ref", "")]
        sheet_rels = None
        for node in root.iter(_NS_MAIN + "hyperlink"):
            rel_id = node.get(_NS_DOC_REL + "id")
            target = None
            if rel_id:
                if sheet_rels is None:
                    sheet_rels = _part_rels(archive, part)
                target = sheet_rels[rel_id]
            ref = node.get("ref", "")
            if ":" in ref:
                # As openpyxl: a range written bottom-right first ("G4:G2") covers no cell.
                (r1, c1), (r2, c2) = (_cell_ref(end) for end in ref.split(":"))
                for r in range(r1, r2 + 1):
                    for c in range(c1, c2 + 1):
                        if not any(_in_range(r, c, m) and (r, c) != m[0] for m in merged):
                            links[(r, c)] = target
            else:
                r, c = _cell_ref(ref)
                top_left = next((m[0] for m in merged if _in_range(r, c, m)), (r, c))
                links[top_left] = target
    out = {}
    for rc in cells:
        target = links.get(rc)
        if target:
            out[rc] = _unwrap_safelink(target.strip())
    return out


def _without_cells(xml: bytes) -> bytes:
    """A worksheet's XML minus its ``<sheetData>``: the cells are most of the bytes and hold no
    hyperlink or merge, so parsing the rest is several times quicker. Markup can't occur inside
    cell text (``<`` is escaped there), so the tags found are the element's own."""
    start = re.search(rb"<(?:[A-Za-z_][\w.-]*:)?sheetData[\s>]", xml)
    ends = list(re.finditer(rb"</(?:[A-Za-z_][\w.-]*:)?sheetData\s*>", xml))
    if start is None or not ends or ends[-1].start() < start.start():
        return xml  # an empty (self-closing) sheetData, or none: nothing worth cutting
    return xml[:start.start()] + xml[ends[-1].end():]


def _in_range(r: int, c: int, merged: tuple[tuple[int, int], ...]) -> bool:
    (r1, c1), (r2, c2) = merged
    return r1 <= r <= r2 and c1 <= c <= c2


@lru_cache(maxsize=1 << 14)  # ICE repeats each agreement's link on every monthly sheet
def _unwrap_safelink(url: str) -> str:
    """ICE pasted many MOA links from Outlook: "https://gcc02.safelinks.protection.outlook.com/
    ?url=<the ice.gov URL>&data=<mail metadata>". The wrapper only redirects to its ``url``
    parameter, so that parameter is the link ICE meant; anything else is kept as it is."""
    # Same for a browser's PDF viewer: "chrome-extension://<id>/https://www.ice.gov/...".
    viewer = re.match(r"^chrome-extension://[a-z]+/(https?:/.*)$", url)
    if viewer:
        return viewer.group(1)
    parts = urllib.parse.urlsplit(url)
    if parts.hostname and parts.hostname.endswith(".safelinks.protection.outlook.com"):
        inner = urllib.parse.parse_qs(parts.query).get("url")
        if inner and _URL.match(inner[0]):
            return inner[0]
    return url


def _parse_date(value: object) -> dt.date | None:
    """A SIGNED cell: an Excel date, or text as 'YYYY-MM-DD' (Wayback-era sheets, CSV) or
    'M/D/YYYY' (Excel's US CSV export). Anything else is not a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _clean(value)
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y", "%m/%d/%Y %H:%M"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


# --- The reader -----------------------------------------------------------------------------


def read_sheet(path: Path, *, list_kind: str | None = None) -> SheetRead:
    """Read one ICE sheet (xlsx or CSV). ``list_kind`` (participating/pending) defaults to the
    one named in the file name. Raises IceSheetError when no header row can be found."""
    path = Path(path)
    file = str(path)
    kind = list_kind or list_kind_from_name(path.name)
    if kind is not None and kind not in schema.LISTS:
        raise ValueError(f"list_kind {kind!r} is not one of {list(schema.LISTS)}")

    sheets = _read_cells(path)
    # The first sheet with a recognisable header is the list (uploads may add other sheets).
    found = next(((name, cells, at) for name, cells in sheets
                  if (at := _find_header(cells)) is not None), None)
    if found is None:
        expected = ", ".join(REQUIRED_COLUMNS)
        first = sheets[0][1][0] if sheets and sheets[0][1] else []
        raise IceSheetError([Problem(
            file, sheets[0][0] if sheets else "", None, None,
            [c for c in first if _clean(c)],
            f"a header row (within the first {MAX_HEADER_ROW} rows) naming {expected}",
            "error",
        )])
    sheet_name, cells, header_at = found
    header = cells[header_at]
    col_of: dict[str, int] = {}  # canonical header -> 0-based column index
    problems: list[Problem] = []
    layout: list[str] = []
    for j, h in enumerate(header):
        key = _header_key(h)
        if not key:
            continue
        canonical = _HEADER_KEYS.get(key)
        if canonical is None:
            # An unknown extra column is kept in the layout but not read.
            layout.append(_clean(h).upper())
            continue
        if canonical in col_of:
            problems.append(Problem(file, sheet_name, header_at + 1, canonical, _clean(h),
                                    "each column once", "error"))
            continue
        col_of[canonical] = j
        layout.append(canonical)

    # Cells that say "link" hold the URL as an Excel hyperlink.
    link_cells = []
    for canonical in ("MOA", "ADDENDUM"):
        if canonical in col_of:
            j = col_of[canonical]
            for i in range(header_at + 1, len(cells)):
                text = _clean(cells[i][j] if j < len(cells[i]) else None).casefold()
                if "link" in text and text != LINK_PENDING:
                    link_cells.append((i + 1, j + 1))
    is_csv = path.suffix.lower() in (".csv", ".txt")
    links = _hyperlinks(path, sheet_name, link_cells) if link_cells and not is_csv else {}
    if link_cells and is_csv:
        # A CSV keeps the cell text "link" but drops its hyperlink: say so once, not per row.
        problems.append(Problem(file, sheet_name, None, "MOA/ADDENDUM",
                                f"{len(link_cells)} cells say 'link'",
                                "the .xlsx itself: a CSV loses the MOA hyperlinks (each agreement "
                                "keeps the link it had on the list before; new ones are left "
                                "empty)",
                                "warning"))

    records = []
    for i in range(header_at + 1, len(cells)):
        raw = cells[i]
        if not any(_clean(c) for c in raw):
            continue  # blank (often trailing, formatted) rows
        row_no = i + 1

        def cell(canonical: str, raw=raw) -> object:
            j = col_of.get(canonical)
            return raw[j] if j is not None and j < len(raw) else None

        rec, row_problems = _read_row(file, sheet_name, row_no, cell, col_of, links, kind,
                                      is_csv)
        problems.extend(row_problems)
        if rec is not None and not any(p.severity == "error" for p in row_problems):
            rec["source_file"] = file
            records.append(rec)

    rows = pd.DataFrame.from_records(records, columns=ROW_COLUMNS + LOST_LINK_COLUMNS)
    rows = rows.astype({c: "str" for c in ROW_COLUMNS if c not in ("row", "signed")})
    rows = rows.astype(dict.fromkeys(LOST_LINK_COLUMNS, "bool"))
    rows["row"] = rows["row"].astype("Int64")
    rows["signed"] = pd.to_datetime(rows["signed"]).astype("datetime64[ms]")
    return SheetRead(rows=rows, layout=tuple(layout), problems=capped(problems), sheet=sheet_name,
                     list_kind=kind)


def _read_row(file, sheet, row_no, cell, col_of, links, kind, is_csv
              ) -> tuple[dict | None, list[Problem]]:
    problems: list[Problem] = []

    def problem(column, value, expected, severity="error"):
        problems.append(Problem(file, sheet, row_no, column, value, expected, severity))

    rec: dict[str, object] = {"row": row_no}

    state = _clean(cell("STATE"))
    found = gazetteer.state_by_name(state) if state else None
    if found is None and state.upper() in STATE_CORRECTIONS:
        corrected = STATE_CORRECTIONS[state.upper()]
        found = gazetteer.state_by_name(corrected)
        problem("STATE", state, f"{corrected!r} (reviewed correction applied)", "warning")
    if found is None:
        problem("STATE", cell("STATE"), "the full name of a US state, DC or territory "
                "(e.g. 'TEXAS', 'GUAM')")
    else:
        rec["state_fips"], rec["state_abbr"] = found
    rec["state_name"] = str(cell("STATE") or "").strip()

    agency = _clean(cell("LAW ENFORCEMENT AGENCY"))
    if not agency:
        problem("LAW ENFORCEMENT AGENCY", cell("LAW ENFORCEMENT AGENCY"), "an agency name")
    rec["agency"] = agency

    rec["agency_type"] = pd.NA
    if "TYPE" in col_of:
        text = _clean(cell("TYPE")).casefold()
        if text in ICE_TYPES:
            rec["agency_type"] = ICE_TYPES[text]
        elif text in TYPE_CORRECTIONS:
            rec["agency_type"] = TYPE_CORRECTIONS[text]
            problem("TYPE", cell("TYPE"),
                    f"{schema.AGENCY_TYPES[TYPE_CORRECTIONS[text]]!r} "
                    "(reviewed correction applied)", "warning")
        elif text in MISSING_MARKERS:
            # ICE wrote "#NA": the type is unknown on this sheet, taken from elsewhere later.
            problem("TYPE", cell("TYPE"), f"one of {_labels(ICE_TYPES)} (read as missing)",
                    "warning")
        else:
            problem("TYPE", cell("TYPE"), f"one of {_labels(ICE_TYPES)}")

    county = _clean(cell("COUNTY"))
    rec["ice_county"] = pd.NA if county.casefold() in MISSING_MARKERS else county

    model_text = _clean(cell("SUPPORT TYPE")).casefold()
    if model_text in ICE_MODELS:
        rec["model"] = ICE_MODELS[model_text]
    elif model_text in MODEL_CORRECTIONS:
        rec["model"] = MODEL_CORRECTIONS[model_text]
        problem("SUPPORT TYPE", cell("SUPPORT TYPE"),
                f"{schema.MODELS[MODEL_CORRECTIONS[model_text]]!r} (reviewed correction applied)",
                "warning")
    else:
        problem("SUPPORT TYPE", cell("SUPPORT TYPE"), f"one of {list(schema.MODELS.values())}")

    rec["signed"] = pd.NaT
    if "SIGNED" in col_of:
        value = cell("SIGNED")
        if _clean(value):
            signed = _parse_date(value)
            if signed is None and _clean(value) in SIGNED_CORRECTIONS:
                signed = SIGNED_CORRECTIONS[_clean(value)]
                problem("SIGNED", value, f"{signed.isoformat()} (reviewed correction applied)",
                        "warning")
            if signed is None:
                problem("SIGNED", value, "a date (Excel date, YYYY-MM-DD or M/D/YYYY)")
            else:
                rec["signed"] = pd.Timestamp(signed)
        elif kind == "participating":
            problem("SIGNED", value, "a signing date on a participating sheet", "warning")

    for canonical, out in (("MOA", "moa_url"), ("ADDENDUM", "addendum_url")):
        rec[out] = pd.NA
        lost = out.replace("_url", "_lost")
        rec[lost] = False
        if canonical not in col_of:
            continue
        value = cell(canonical)
        text = _clean(value)
        j = col_of[canonical]
        if not text or text.casefold() == LINK_PENDING:
            continue
        url = None
        if _URL.match(text):
            url = str(value).strip()  # Wayback-era sheets print the URL itself
        elif (row_no, j + 1) in links:
            url = links[(row_no, j + 1)]
        elif _SCHEME.match(text):
            url = text  # some other scheme typed as text: refused below
        elif "link" in text.casefold():
            rec[lost] = True
            if is_csv:
                continue  # reported once for the whole sheet
            problem(canonical, value, "a hyperlink on a 'link' cell (none found; the agreement "
                    "keeps the link it had on the list before, else left empty)", "warning")
            continue
        else:
            problem(canonical, value, "'link', 'link pending' or a URL (left empty)", "warning")
            continue
        if not _HTTP.match(url):
            # javascript:, data:, file:, mailto: ... would become a link on every page.
            problem(canonical, url, "an http(s) link (other kinds of link are refused; the row "
                    "is not read)")
            continue
        rec[out] = url
    return rec, problems


def _labels(mapping: dict[str, str]) -> list[str]:
    return [k.title() for k in mapping]
