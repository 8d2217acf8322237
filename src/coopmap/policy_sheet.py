"""The policy-findings sheet staff upload: one finding per row, checked cell by cell.

A row says, for one place (a county by FIPS or by county and state names, or a state), what one
practice is (detainer holds, release notification, jail access) with a value from
``schema.POLICY_VALUES``, on what basis, from which source, as of when; or a state's law stance
(``schema.STANCES``, basis = the kind of law). Nothing is guessed: a cell that does not say
exactly one thing becomes a ``Problem`` (the same type the ICE reader uses). Warnings (a county
name matched loosely, a FIPS whose leading zero Excel dropped, a formula's saved value) are shown
to staff, who accept them explicitly before publishing.

Header names are matched ignoring case, spaces, underscores and order; the header may sit below
title rows. ``template_xlsx()`` makes the downloadable template with instructions and valid values.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd
from rapidfuzz import fuzz, process

from coopmap import gazetteer, schema
from coopmap.ice_sheets import HasProblems, Problem
from coopmap.uploads import Upload, column_letter

STANCE_DIMENSION = "state_law_stance"
DIMENSIONS: dict[str, str] = {**schema.POLICY_DIMENSIONS, STANCE_DIMENSION: "State law stance"}
# A practice's value needs a basis that says where it comes from; "none" only goes with unknown.
# (The other bases name the kind of a state-law reading; a staff sheet keeps these three.)
PRACTICE_BASES = list(schema.STAFF_POLICY_BASES)

# Column label in the template -> field; (required, what it holds).
COLUMNS: dict[str, tuple[str, bool, str]] = {
    "FIPS": ("fips", False, "5-digit county FIPS or 2-digit state FIPS, as text (e.g. 06037)"),
    "County": ("county", False, "County name, e.g. 'Los Angeles County' (or leave empty for a "
               "whole state)"),
    "State": ("state", False, "State name or two-letter code, e.g. 'California' or 'CA'"),
    "Dimension": ("dimension", True, "What the finding is about: " + ", ".join(DIMENSIONS)),
    "Value": ("value", True, "The finding, from the valid values for its dimension"),
    "Basis": ("basis", True, "Where it comes from: " + ", ".join(PRACTICE_BASES)
              + " (for state_law_stance: " + ", ".join(schema.STATE_LAW_SOURCE_TYPES) + ")"),
    "Source": ("source", False, "Name of the law, policy or ruling"),
    "Source URL": ("source_url", True, "Link to where the finding can be checked (http/https)"),
    "As of": ("as_of", True, "Date the source was checked: YYYY-MM-DD, not in the future"),
    "Note": ("note", False, "A quote or note that justifies the value (shown as plain text)"),
}
FINDING_COLUMNS = ["row", "level", "fips", "state_fips", "dimension", "value", "basis", "source",
                   "source_url", "as_of", "note"]
MAX_HEADER_ROW = 30
FUZZY_ACCEPT = 90  # a county name this close is used, with a warning to accept
FUZZY_SUGGEST = 70
_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>|javascript:|on\w+\s*=", re.IGNORECASE)
_URL = re.compile(r"^https?://[^\s<>\"]+\.[^\s<>\"]+$", re.IGNORECASE)


def _key(value: object) -> str:
    return re.sub(r"[\s_]+", "", str(value or "")).casefold()


_HEADER_KEYS = {_key(label): label for label in COLUMNS}


@dataclass
class PolicySheetRead(HasProblems):
    """The findings read (rows with an error are left out) and every problem found."""

    findings: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    sheet: str = ""


def find_header(rows: list[list]) -> int | None:
    """Index of the row naming Dimension and Value (within the first rows), else None."""
    for i, row in enumerate(rows[:MAX_HEADER_ROW]):
        keys = {_key(c) for c in row}
        if _key("Dimension") in keys and _key("Value") in keys:
            return i
    return None


def _clean(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(unicodedata.normalize("NFKC", str(value)).split())


def read_policy_sheet(upload: Upload, *, today: dt.date | None = None) -> PolicySheetRead:
    """Read and check every row of a policy sheet. Never raises for bad content."""
    today = today or dt.date.today()
    file = upload.filename
    found = next(((name, rows, find_header(rows)) for name, rows in upload.sheets.items()
                  if find_header(rows) is not None), None)
    if found is None:
        return PolicySheetRead(_empty(), [Problem(
            file, "", None, None, None,
            "a header row naming at least Dimension and Value (download the template)", "error",
        )])
    sheet_name, rows, header_at = found
    sheet_label = sheet_name if upload.kind == "xlsx" else ""
    problems: list[Problem] = []
    col_of: dict[str, int] = {}
    for j, h in enumerate(rows[header_at]):
        label = _HEADER_KEYS.get(_key(h))
        if label is None:
            if _clean(h):
                problems.append(Problem(file, sheet_label, header_at + 1, _clean(h), _clean(h),
                                        f"one of the template's columns {list(COLUMNS)} "
                                        "(this column is not read)", "warning"))
            continue
        if label in col_of:
            problems.append(Problem(file, sheet_label, header_at + 1, label, _clean(h),
                                    "each column once", "error"))
        col_of[label] = j
    missing = [label for label, (_, req, _) in COLUMNS.items() if req and label not in col_of]
    if "FIPS" not in col_of and "State" not in col_of:
        missing.append("FIPS or State")
    if missing:
        problems.append(Problem(file, sheet_label, header_at + 1, None, [_clean(h) for h in
                                rows[header_at] if _clean(h)],
                                f"the columns {missing} (download the template)", "error"))
        return PolicySheetRead(_empty(), problems, sheet_label)

    formulas = upload.formulas.get(sheet_name, {})
    findings = []
    first_row_of: dict[tuple[str, str], int] = {}
    for i in range(header_at + 1, len(rows)):
        raw = rows[i]
        if not any(_clean(c) for c in raw):
            continue
        row_no = i + 1
        row_problems: list[Problem] = []

        def problem(column, value, expected, severity="error", row_problems=row_problems,
                    row_no=row_no):
            row_problems.append(Problem(file, sheet_label, row_no, column, value, expected,
                                        severity))

        def cell(label: str, raw=raw, row_no=row_no, problem=problem) -> object:
            j = col_of.get(label)
            if j is None or j >= len(raw):
                return None
            if (row_no - 1, j) in formulas:
                where = f"cell {column_letter(j)}{row_no}"
                if formulas[(row_no - 1, j)]:
                    problem(label, raw[j], f"a typed value: {where} holds a formula, and its "
                            "saved value is used", "warning")
                else:
                    problem(label, None, f"a typed value: {where} holds a formula with no "
                            "saved value (type the value instead)")
                    return None
            return raw[j]

        finding = _read_row(cell, problem, today)
        if finding is not None and not any(p.severity == "error" for p in row_problems):
            key = (finding["fips"], finding["dimension"])
            if key in first_row_of:
                problem("Dimension", finding["dimension"],
                        f"one finding per place and dimension: row {first_row_of[key]} already "
                        f"gives {finding['dimension']} for {finding['fips']}")
            else:
                first_row_of[key] = row_no
                findings.append({"row": row_no, **finding})
        # One error per cell is enough: a refused formula is not also reported as empty.
        seen_cells: set = set()
        for p in row_problems:
            if p.severity == "error":
                if p.column in seen_cells:
                    continue
                seen_cells.add(p.column)
            problems.append(p)
    if not findings and not any(p.severity == "error" for p in problems):
        problems.append(Problem(file, sheet_label, None, None, None,
                                "at least one finding below the header", "error"))
    out = pd.DataFrame.from_records(findings, columns=FINDING_COLUMNS) if findings else _empty()
    return PolicySheetRead(out, problems, sheet_label)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="str") for c in FINDING_COLUMNS})


def _read_row(cell, problem, today: dt.date) -> dict | None:
    place = _jurisdiction(cell, problem)

    dim_raw = cell("Dimension")
    dimension = _code(dim_raw, DIMENSIONS)
    if dimension is None:
        problem("Dimension", dim_raw, f"one of {list(DIMENSIONS)}")

    value_raw = cell("Value")
    value = None
    if dimension == STANCE_DIMENSION:
        value = _code(value_raw, schema.STANCES)
        if value is None:
            problem("Value", value_raw, f"for state_law_stance, one of {list(schema.STANCES)}")
    elif dimension is not None:
        value = _code(value_raw, schema.POLICY_VALUES)
        if value is None:
            problem("Value", value_raw, f"one of {list(schema.POLICY_VALUES)}")

    basis_raw = cell("Basis")
    basis = None
    if dimension == STANCE_DIMENSION:
        basis = _code(basis_raw, {b: b for b in schema.STATE_LAW_SOURCE_TYPES})
        if basis is None:
            problem("Basis", basis_raw,
                    f"for state_law_stance, one of {schema.STATE_LAW_SOURCE_TYPES}")
    elif value == "unknown":
        basis = _code(basis_raw, schema.POLICY_BASES) if _clean(basis_raw) else "none"
        if basis != "none":
            problem("Basis", basis_raw, "'none' (or empty) for an unknown value")
    elif dimension is not None:
        basis = _code(basis_raw, {b: schema.POLICY_BASES[b] for b in PRACTICE_BASES})
        if basis is None:
            problem("Basis", basis_raw, f"one of {PRACTICE_BASES}")

    url_raw = cell("Source URL")
    url = _clean(url_raw)
    needs_source = value not in (None, "unknown")
    if url and not _URL.match(url):
        problem("Source URL", url_raw, "a web address starting with http:// or https://")
    elif not url and needs_source:
        problem("Source URL", url_raw, "a link to the source of this finding")

    as_of = None
    as_of_raw = cell("As of")
    if _clean(as_of_raw) or needs_source:
        as_of = _date(as_of_raw)
        if as_of is None:
            problem("As of", as_of_raw, "a date: YYYY-MM-DD (or an Excel date)")
        elif as_of > today:
            problem("As of", as_of_raw, f"a date not after today ({today.isoformat()})")
        elif as_of < dt.date(1996, 1, 1):
            problem("As of", as_of_raw, "a date since 1996 (when 287(g) was created)")

    texts = {}
    for label in ("Source", "Note"):
        raw = cell(label)
        texts[label] = _clean(raw) or None
        if texts[label] and _HTML.search(texts[label]):
            problem(label, raw, "plain text (this looks like HTML or script: it will be stored "
                    "and shown as text, never run)", "warning")

    if place is None or dimension is None or value is None or basis is None:
        return None
    level, fips, state_fips = place
    if dimension == STANCE_DIMENSION and level != "state":
        problem("Dimension", dim_raw, "state_law_stance only for a whole state (leave County "
                "empty, or give a 2-digit state FIPS)")
        return None
    return {
        "level": level, "fips": fips, "state_fips": state_fips, "dimension": dimension,
        "value": value, "basis": basis, "source": texts["Source"], "source_url": url or None,
        "as_of": as_of, "note": texts["Note"],
    }


def _code(raw: object, vocab: dict[str, str]) -> str | None:
    """A vocabulary code from its code or its label, ignoring case, spaces and underscores."""
    key = _key(raw)
    if not key:
        return None
    for code, label in vocab.items():
        if key in (_key(code), _key(label)):
            return code
    return None


def _date(raw: object) -> dt.date | None:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = _clean(raw)
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _jurisdiction(cell, problem) -> tuple[str, str, str] | None:
    """(level, fips, state_fips) from the FIPS cell or the County and State cells."""
    fips_raw, county_raw, state_raw = cell("FIPS"), cell("County"), cell("State")
    fips_text, county, state_text = _clean(fips_raw), _clean(county_raw), _clean(state_raw)
    counties = gazetteer.counties()
    by_fips = counties.set_index("county_fips")

    state = None
    if state_text:
        found = gazetteer.state_by_abbr(state_text) if len(state_text) == 2 else None
        found = (found[0], None) if found else gazetteer.state_by_name(state_text)
        if found is None or found[0] in gazetteer.TERRITORY_FIPS:
            problem("State", state_raw, "a state or DC, by name or two-letter code")
            return None
        state = found[0]

    from_fips = None
    if fips_text:
        if not fips_text.isdigit() or len(fips_text) not in (1, 2, 4, 5):
            problem("FIPS", fips_raw, "a 5-digit county FIPS or a 2-digit state FIPS")
            return None
        if isinstance(fips_raw, int | float) and len(fips_text) in (1, 4):
            padded = fips_text.zfill(len(fips_text) + 1)
            problem("FIPS", fips_raw, f"text; read as '{padded}' (Excel dropped the leading "
                    "zero: format the column as text)", "warning")
            fips_text = padded
        elif len(fips_text) in (1, 4):
            problem("FIPS", fips_raw, "a 5-digit county FIPS or a 2-digit state FIPS")
            return None
        if len(fips_text) == 5:
            if fips_text not in by_fips.index:
                problem("FIPS", fips_raw, "the FIPS of a county of the 50 states or DC "
                        "(2017 geography); this is not one")
                return None
            from_fips = ("county", fips_text, fips_text[:2])
        else:
            states = gazetteer.states()
            if fips_text not in set(states.loc[~states["is_territory"], "state_fips"]):
                problem("FIPS", fips_raw, "the 2-digit FIPS of a state or DC")
                return None
            from_fips = ("state", fips_text, fips_text)
        if state and state != from_fips[2]:
            problem("State", state_raw, f"the state of FIPS {fips_text} (they disagree)")
            return None

    if county:
        if state is None and from_fips is None:
            problem("State", state_raw, "the county's state (county names repeat across states)")
            return None
        st = state or from_fips[2]
        found = _county_by_name(county, st, counties, problem, county_raw)
        if found is None:
            return None
        if from_fips and from_fips[1] != found:
            name = by_fips.loc[from_fips[1], "name"] if from_fips[0] == "county" else "a state"
            problem("County", county_raw, f"the county of FIPS {from_fips[1]} ({name}); "
                    "FIPS and county name disagree")
            return None
        return ("county", found, st)
    if from_fips:
        return from_fips
    if state:
        return ("state", state, state)
    problem("FIPS", fips_raw, "a FIPS code, or a State (and County) name")
    return None


_SUFFIXES = (" county", " parish", " borough", " census area", " city and borough",
             " municipality", " municipio")


def _county_by_name(name, state_fips, counties, problem, raw) -> str | None:
    rows = counties[counties["state_fips"] == state_fips]
    key = name.casefold().replace(".", "").replace("’", "'")
    full = {n.casefold().replace(".", ""): f for n, f in zip(rows["name"], rows["county_fips"],
                                                           strict=True)}
    if key in full:
        return full[key]
    short = {}
    for n, f in zip(rows["short_name"], rows["county_fips"], strict=True):
        short.setdefault(n.casefold().replace(".", ""), []).append(f)
    bare = key
    for suffix in _SUFFIXES:
        if bare.endswith(suffix):
            bare = bare[: -len(suffix)]
            break
    hits = short.get(bare, [])
    if len(hits) == 1 and (bare == key or not key.endswith(" city")):
        return hits[0]
    if len(hits) > 1:
        options = [rows.set_index("county_fips").loc[f, "name"] for f in hits]
        problem("County", raw, f"one of {options} (the name alone is ambiguous)")
        return None
    choices = dict(zip(rows["county_fips"], rows["name"], strict=True))
    matches = process.extract(name, choices, scorer=fuzz.WRatio, limit=3)
    good = [m for m in matches if m[1] >= FUZZY_SUGGEST]
    if good and good[0][1] >= FUZZY_ACCEPT and (len(good) == 1 or good[1][1] < good[0][1]):
        problem("County", raw, f"{good[0][0]!r} (FIPS {good[0][2]}): closest county name, "
                "used; check it", "warning")
        return good[0][2]
    hint = f"; did you mean {[m[0] for m in good]}?" if good else ""
    state_name = gazetteer.states().set_index("state_fips").at[state_fips, "name"]
    problem("County", raw, f"a county of {state_name}{hint}")
    return None


# --- The template ---------------------------------------------------------------------------

INSTRUCTIONS = [
    "How to fill in the coopmap policy-findings sheet",
    "",
    "One row per finding: one place (a county or a whole state) and one dimension.",
    "Place: give FIPS (5 digits for a county, 2 for a state; format the column as text so Excel "
    "keeps leading zeros), or County and State names. For a whole state, leave County empty.",
    "Dimension: detainer_holds, release_notification, jail_access, or state_law_stance "
    "(states only).",
    "Value: see the 'Valid values' sheet. 'unknown' means no source says; it is not 'no'.",
    "Basis: local_policy, state_law or court_ruling (for state_law_stance, the kind of law: "
    + ", ".join(schema.STATE_LAW_SOURCE_TYPES) + ").",
    "Source URL and As of (YYYY-MM-DD, not in the future) are required for every value except "
    "unknown.",
    "A state-level value with basis state_law or court_ruling also applies to the counties of "
    "that state that have no finding of their own (the preview shows them).",
    "Text is stored and shown as plain text. Formulas: their saved value is used; type values "
    "instead where you can.",
    "Upload the sheet on the Staff page: it shows every problem, or exactly what would change.",
]


def template_xlsx() -> bytes:
    """The downloadable template: Findings (header only), Instructions, Valid values."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "Findings"
    ws.append(list(COLUMNS))
    for j, label in enumerate(COLUMNS):
        ws.cell(row=1, column=j + 1).font = Font(bold=True)
        ws.column_dimensions[column_letter(j)].width = 18 if label != "Note" else 50
    for row in range(2, 1002):
        ws.cell(row=row, column=1).number_format = "@"  # FIPS as text: keep leading zeros

    info = wb.create_sheet("Instructions")
    for line in INSTRUCTIONS:
        info.append([line])
    info["A1"].font = Font(bold=True)
    info.column_dimensions["A"].width = 120
    info.append([])
    info.append(["Column", "Required", "What it holds"])
    for label, (_, required, what) in COLUMNS.items():
        info.append([label, "yes" if required else "", what])

    valid = wb.create_sheet("Valid values")
    valid.append(["Dimension", "Value", "Meaning", "Basis"])
    for dim, dim_label in DIMENSIONS.items():
        if dim == STANCE_DIMENSION:
            pairs, bases = list(schema.STANCES.items()), schema.STATE_LAW_SOURCE_TYPES
        else:
            pairs = [(v, schema.POLICY_VALUE_TEXT[dim][v]) for v in schema.POLICY_VALUES]
            bases = PRACTICE_BASES
        for value, meaning in pairs:
            basis = "none (or empty)" if value == "unknown" else ", ".join(bases)
            valid.append([f"{dim} ({dim_label})", value, meaning, basis])
    for j in range(4):
        valid.column_dimensions[column_letter(j)].width = 40

    dims = DataValidation(type="list", formula1='"' + ",".join(DIMENSIONS) + '"',
                          allow_blank=True)
    values = sorted(set(schema.POLICY_VALUES) | set(schema.STANCES))
    vals = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
    bases = DataValidation(type="list", formula1='"' + ",".join(
        dict.fromkeys([*PRACTICE_BASES, "none", *schema.STATE_LAW_SOURCE_TYPES])) + '"',
        allow_blank=True)
    letters = {label: column_letter(j) for j, label in enumerate(COLUMNS)}
    for dv, label in ((dims, "Dimension"), (vals, "Value"), (bases, "Basis")):
        ws.add_data_validation(dv)
        dv.add(f"{letters[label]}2:{letters[label]}1001")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
