"""Assembling ICE's monthly sheets into the agreements, agreement_counties, listings and sheets
tables of the dataset contract (``schema.AGREEMENTS`` ...).

One agreement is one agency x model. Its id hashes state, normalised agency name and model of the
spelling it was first listed under; the reviewed identity table (``coopmap.identity``,
``data/corrections/agreement_identities.csv``) maps every later spelling, and a wrong-state listing,
to that agreement, so a rename is neither an ending nor a new agreement. Every value comes from an
ICE sheet; the only inferences are the agency type of agencies only ever listed on sheets without a
TYPE column (see ``agency_type_from_name``, listed in the report for review) and the jurisdiction,
which the matcher (``coopmap.matching.match_agencies``) decides and explains.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from coopmap import frames, gazetteer, identity, paths, schema
from coopmap.ice_sheets import (
    IceSheetError,
    Problem,
    SheetRead,
    bounded_text,
    list_kind_from_name,
    normalise_agency,
    read_sheet,
    sheet_date_from_name,
)

Matcher = Callable[[pd.DataFrame], pd.DataFrame]
MATCHER_OUTPUT = ("jurisdiction_level", "county_fips_list", "match_method", "match_note")

# Name rule for agencies only ever listed on sheets without TYPE (Jan 2021 - Jan 2025). Order
# matters: a sheriff is a county office even where "Department of Corrections" follows.
_NAME_RULES: list[tuple[str, str]] = [
    ("sheriff", "county"),
    ("department of corrections", "state_agency"),
    ("state police", "state_agency"),
    ("highway patrol", "state_agency"),
    ("department of public safety", "state_agency"),
]
_NAME_RULE_DEFAULT = "municipality"

# Reviewed corrections: ICE misspelled these agencies on some sheets. Each ICE spelling (state,
# normalised name) is the same agency as the real name: never on the same sheet, one replaces the
# other from one month to the next. Without this they would count as an agreement ending and
# another starting. The table is data a reviewer reads: data/corrections/agency_spellings.csv.
SPELLINGS_FILE = "agency_spellings.csv"
_SPELLING_COLUMNS = ("state_abbr", "ice_spelling", "agency", "note")


@functools.cache
def _read_spellings(path: Path) -> dict[tuple[str, str], str]:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    if tuple(table.columns) != _SPELLING_COLUMNS:
        raise ValueError(f"{path.name}: columns must be {', '.join(_SPELLING_COLUMNS)}; "
                         f"found {', '.join(table.columns)}")
    out: dict[tuple[str, str], str] = {}
    for row_no, row in enumerate(table.itertuples(index=False), start=2):
        for column in _SPELLING_COLUMNS:
            if not getattr(row, column).strip():
                raise ValueError(f"{path.name}, row {row_no}, column {column}: empty")
        if gazetteer.state_by_abbr(row.state_abbr) is None:
            raise ValueError(f"{path.name}, row {row_no}, column state_abbr: "
                             f"{row.state_abbr!r} is not a state")
        for column in ("ice_spelling", "agency"):
            value = getattr(row, column)
            if normalise_agency(value) != value:
                raise ValueError(f"{path.name}, row {row_no}, column {column}: {value!r} is not "
                                 f"normalised (expected {normalise_agency(value)!r})")
        key = (row.state_abbr, row.ice_spelling)
        if key in out:
            raise ValueError(f"{path.name}, row {row_no}, column ice_spelling: "
                             f"{row.ice_spelling!r} is listed twice for {row.state_abbr}")
        out[key] = row.agency
    return out


def agency_spellings(corrections_dir: Path | None = None) -> dict[tuple[str, str], str]:
    """(state, ICE's normalised misspelling) -> the agency's normalised real name."""
    if corrections_dir is None:
        return _default_spellings(os.environ.get("COOPMAP_DATA_DIR"))
    return _read_spellings(Path(corrections_dir) / SPELLINGS_FILE)  # once per process and folder


@functools.cache
def _default_spellings(data_dir: str | None) -> dict[tuple[str, str], str]:
    """The data folder's table (agency_norm runs per sheet row: no path work per call)."""
    return _read_spellings(paths.corrections_dir() / SPELLINGS_FILE)


def agency_norm(state_abbr: str, agency: str) -> str:
    """normalise_agency, with ICE's reviewed misspellings (the data folder's) mapped to the
    agency's real name."""
    return _spelled(agency_spellings(), state_abbr, agency)


def _spelled(spellings: dict[tuple[str, str], str], state_abbr: str, agency: str) -> str:
    norm = normalise_agency(agency)
    return spellings.get((state_abbr, norm), norm)


def agreement_id(state_abbr: str, agency: str, model: str) -> str:
    """First 12 hex digits of sha256("{state_abbr}|{agency_norm}|{model}")."""
    return _hash_id(state_abbr, agency_norm(state_abbr, agency), model)


def _hash_id(state_abbr: str, norm: str, model: str) -> str:
    return hashlib.sha256(f"{state_abbr}|{norm}|{model}".encode()).hexdigest()[:12]


# A county has one sheriff: "Sheriff's Office", "Sheriff's Department" and "Sheriff Dept" of one
# county on one state's sheets are one agency (ICE names Walker County, TX, both ways on one sheet).
_SHERIFF_OFFICE = re.compile(r"\bsheriffs? (office|department|dept)\b")


def agency_key(state_abbr: str, agency: str) -> str:
    """One key per agency, for counting agencies: state | normalised name, with ICE's reviewed
    misspellings mapped and a sheriff's "Office"/"Department" the same office."""
    return _key_of_norm(state_abbr, agency_norm(state_abbr, agency))


def _key_of_norm(state_abbr: str, norm: str) -> str:
    return f"{state_abbr}|{_SHERIFF_OFFICE.sub('sheriffs office', norm)}"


def agency_type_from_name(agency: str) -> str:
    """Agency type guessed from the name, for agencies no sheet gives a TYPE for."""
    name = normalise_agency(agency)
    for needle, code in _NAME_RULES:
        if needle in name:
            return code
    return _NAME_RULE_DEFAULT


def is_sheriff(agency: str) -> bool:
    return "sheriff" in normalise_agency(agency)


@dataclass
class AgreementTables:
    agreements: pd.DataFrame
    agreement_counties: pd.DataFrame
    listings: pd.DataFrame
    sheets: pd.DataFrame
    match_report: pd.DataFrame
    # Agreements whose agency_type came from the name rule: a reviewer checks these.
    type_from_name: pd.DataFrame = field(default_factory=pd.DataFrame)
    # Warnings from the sheets (reviewed corrections applied, 'link' cells without hyperlink).
    problems: list[Problem] = field(default_factory=list)
    # Pairs of spellings that may be one agreement, with the reviewed decision (None: unsettled).
    identity_candidates: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def unsettled(self) -> pd.DataFrame:
        cands = self.identity_candidates
        return cands[cands["decision"].isna()] if len(cands) else cands

    # Which agreement each sheet row became (source_file, row, agreement_id): a staff preview
    # reads its own sheet's repeats and unmatched rows from here.
    row_ids: pd.DataFrame = field(default_factory=pd.DataFrame)
    # Rows whose 'link' cell had no hyperlink and kept the agreement's earlier URL.
    links_carried: pd.DataFrame = field(default_factory=pd.DataFrame)

    def format_match_report(self) -> str:
        rep = self.match_report
        lines = [f"Jurisdiction match of the newest participating sheet: {len(rep)} rows"]
        counts = rep["match_method"].value_counts()
        for method, label in schema.MATCH_METHODS.items():
            if counts.get(method, 0):
                lines.append(f"  {method:<20} {counts[method]:>5}  {label}")
        unmatched = rep[rep["match_method"] == "unmatched"]
        lines.append(f"Unmatched rows ({len(unmatched)}):")
        for r in unmatched.itertuples():
            county = "" if pd.isna(r.ice_county) else f" [COUNTY {r.ice_county!r}]"
            note = "" if pd.isna(r.match_note) else r.match_note
            lines.append(f"  row {r.row} {r.state_abbr} {r.agency!r} ({r.model}){county}: {note}")
        named = self.type_from_name
        lines.append(f"Agency type decided from the name ({len(named)} agreements):")
        for r in named.itertuples():
            lines.append(f"  {r.state_abbr} {r.agency!r} ({r.model}, last listed "
                         f"{r.last_listed}) -> {r.agency_type}")
        if len(self.identity_candidates.columns):
            lines.append(identity.format_candidates(self.identity_candidates))
        return "\n".join(lines)


# --- Reading the sheets ---------------------------------------------------------------------


@dataclass(frozen=True)
class SheetInput:
    """One ICE sheet of a build's source set, already read: a bundled file or a staff upload."""

    source_file: str  # what the tables name as its source (relative path)
    list_kind: str  # participating / pending
    sheet_date: dt.date
    read: SheetRead
    # A sheet a later list of the same list and month replaced: not listed, but a 'link' cell
    # of the later list without its hyperlink still keeps this sheet's link.
    superseded: bool = False


def _sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def sheets_from_files(sheet_paths: list[Path], sources_root: Path,
                      read: Callable[..., SheetRead] = read_sheet,
                      digest: Callable[[Path], str] = _sha256_of) -> list[SheetInput]:
    """The bundled sheet files as build inputs: byte-identical copies dropped (``latest/``
    repeats the last monthly files, the copy whose name carries our date prefix is kept), list
    and date from the file name. ``read(path, list_kind=...)`` reads one file (the build passes
    a cached reader; ``digest(path)`` its sha256, which the build remembers per file)."""
    ordered = sorted((Path(p) for p in sheet_paths),
                     key=lambda p: (sheet_date_from_name(p.name) is None
                                    or not p.name[:4].isdigit(), str(p)))
    seen: dict[str, Path] = {}
    for p in ordered:
        seen.setdefault(digest(p), p)
    out = []
    for path in sorted(seen.values()):
        kind = list_kind_from_name(path.name)
        date = sheet_date_from_name(path.name)
        if kind is None or date is None:
            raise IceSheetError([Problem(str(path), "", None, None, path.name,
                                         "a file name naming the list (participating/pending) "
                                         "and a date (YYYY-MM-DD_ prefix or ICE's MMDDYYYY)",
                                         "error")])
        out.append(SheetInput(_relative(path, sources_root), kind, date,
                              read(path, list_kind=kind)))
    return out


def _read_all(sheets: list[SheetInput], identities: identity.Identities,
              spellings: dict[tuple[str, str], str]):
    """Every row of the sheets, one frame (bundled first, then uploads, as given), each row with
    its sheet's columns, ``agency_norm`` (before identities), ``_listed_state`` (the STATE it
    was listed under) and its agreement (``apply_identities``); the sheets table's rows; the
    sheets' problems."""
    frames, sheet_rows, problems = [], [], []
    by_key: dict[tuple[str, str], SheetInput] = {}
    for sheet in sheets:
        kind, date = sheet.list_kind, sheet.sheet_date
        month = date.strftime("%Y-%m")
        if not sheet.superseded:
            if (kind, month) in by_key:
                raise IceSheetError([Problem(sheet.source_file, "", None, None,
                                             sheet.source_file,
                                             f"one {kind} sheet per month; {month} already has "
                                             f"{by_key[(kind, month)].source_file}", "error")])
            by_key[(kind, month)] = sheet
            read = sheet.read
            read.raise_for_errors()
            problems.extend(read.problems)
            sheet_rows.append({"list": kind, "month": month, "sheet_date": pd.Timestamp(date),
                               "source_file": sheet.source_file,
                               "layout": ", ".join(read.layout)})
        frames.append(_sheet_frame(sheet, identities, spellings))
    if not sheet_rows:
        raise ValueError("build_agreements: no ICE sheets given")
    rows = pd.concat(frames, ignore_index=True)
    for column in ("agency_norm", "_listed_state", "agreement_id", "_agency_key"):
        if rows[column].dtype != "str":  # a sheet without rows makes the column object
            rows[column] = rows[column].astype("str")
    return rows, pd.DataFrame(sheet_rows), problems


# One sheet's rows as the assembly uses them, remembered per parsed sheet (the build keeps
# each sheet's SheetRead by its sha256), identity table and spellings table: a staff preview
# rebuilds every sheet of the source set, and all but the uploaded one are the same as in the
# build before it. Values hold the objects their key names by id, so an id is never reused.
_frames: OrderedDict[tuple, tuple[tuple, pd.DataFrame]] = OrderedDict()
_frames_lock = threading.Lock()
FRAME_CACHE_SIZE = 400


def _sheet_frame(sheet: SheetInput, identities: identity.Identities,
                 spellings: dict[tuple[str, str], str]) -> pd.DataFrame:
    """The rows of one sheet with its source_file, list, month, sheet_date and ``_superseded``,
    ``agency_norm`` (ICE's reviewed misspellings mapped), ``_listed_state`` and, after
    ``apply_identities``, agreement_id and ``_agency_key``. Never mutate the result.
    ``spellings``: the build's corrections folder's reviewed misspellings."""
    held = (sheet.read, identities, spellings)
    key = (id(sheet.read), sheet.source_file, sheet.list_kind, sheet.sheet_date,
           sheet.superseded, id(identities), id(spellings))
    with _frames_lock:
        hit = _frames.get(key)
        if hit is not None and all(a is b for a, b in zip(hit[0], held, strict=True)):
            _frames.move_to_end(key)
            return hit[1]
    frame = sheet.read.rows.assign(source_file=sheet.source_file, list=sheet.list_kind,
                                   month=sheet.sheet_date.strftime("%Y-%m"),
                                   sheet_date=pd.Timestamp(sheet.sheet_date),
                                   _superseded=sheet.superseded)
    # Computed once per distinct (state, agency): the same names recur on every row.
    pairs = list(zip(frame["state_abbr"].tolist(), frame["agency"].tolist(), strict=True))
    norms = {p: _spelled(spellings, *p) for p in dict.fromkeys(pairs)}
    frame["agency_norm"] = pd.Series([norms[p] for p in pairs], index=frame.index, dtype="str")
    frame["_listed_state"] = frame["state_abbr"]
    frame = apply_identities(frame, identities)
    with _frames_lock:
        _frames[key] = (held, frame)
        while len(_frames) > FRAME_CACHE_SIZE:
            _frames.popitem(last=False)
    return frame


def clear_caches() -> None:
    """Forget every sheet's rows as the assembly used them (benchmarks measure a cold start)."""
    with _frames_lock:
        _frames.clear()


def _relative(path: Path, root: Path) -> str:
    if Path(path).is_absolute() and Path(root).is_absolute():
        return _relative_absolute(str(path), str(root))
    return _relative_uncached(Path(path), Path(root))


@functools.lru_cache(maxsize=4096)  # resolving costs ~1 ms a file, for ~80 files a build
def _relative_absolute(path: str, root: str) -> str:
    return _relative_uncached(Path(path), Path(root))


def _relative_uncached(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


# --- Building -------------------------------------------------------------------------------


_CANDIDATE_COLUMNS = ["state_abbr", "agency", "agency_norm", "model", "list", "month", "signed",
                      "moa_url"]


def build_agreements(sheets: list[SheetInput] | list[Path], sources_root: Path | None,
                     matcher: Matcher, *, corrections_dir: Path | None = None
                     ) -> AgreementTables:
    """Build the four agreement tables (validated against the schema) from the source set's
    ICE sheets: ``SheetInput``s (what ``coopmap.build`` passes), or sheet files, read here
    (``sources_root`` is then what their ``source_file`` is relative to).

    ``corrections_dir`` (default: the project's) holds the reviewed identity table that settles
    which spellings are one agreement.
    """
    if sheets and not isinstance(sheets[0], SheetInput):
        sheets = sheets_from_files(sheets, Path(sources_root))
    corrections = corrections_dir if corrections_dir is not None else paths.corrections_dir()
    identities = identity.load(corrections)
    # Each row with its agreement (the reviewed identities applied), per sheet.
    rows, sheet_meta, problems = _read_all(sheets, identities, agency_spellings(corrections))
    listed = ~rows["_superseded"].astype(bool)
    # Candidates are found on the rows as ICE listed them (the STATE of the sheet).
    candidates = identity.candidates(
        rows.loc[listed, _CANDIDATE_COLUMNS].assign(
            state_abbr=rows.loc[listed, "_listed_state"]).reset_index(drop=True),
        identities)
    rows = rows.drop(columns="_listed_state")
    # Newest first; on one date the participating sheet (it has SIGNED) wins over pending.
    rows["_list_rank"] = rows["list"].map({"participating": 0, "pending": 1})
    rows = rows.sort_values(["sheet_date", "_list_rank", "row"],
                            ascending=[False, True, True], ignore_index=True)
    rows, carried = _carry_lost_links(rows)
    rows = rows[~rows["_superseded"].astype(bool)].reset_index(drop=True)

    sheets = _sheets_table(rows, sheet_meta)
    listings = (rows.drop_duplicates(["agreement_id", "list", "month"])
                [["agreement_id", "list", "month", "signed", "agency"]]
                .sort_values(["agreement_id", "list", "month"], ignore_index=True))

    agreements = _agreements_table(rows, listings)
    agreements = _match(agreements, rows, matcher)
    agreement_counties = _agreement_counties(agreements)

    newest = sheets[sheets["list"] == "participating"]["month"].max()
    report = _match_report(rows[(rows["list"] == "participating") & (rows["month"] == newest)],
                           agreements)
    type_from_name = agreements.loc[
        agreements["agency_type_basis"] == "agency_name",
        ["state_abbr", "agency", "model", "last_listed", "agency_type"],
    ].sort_values(["state_abbr", "agency", "model"], ignore_index=True)

    return AgreementTables(
        agreements=_conform("agreements", agreements),
        agreement_counties=_conform("agreement_counties", agreement_counties),
        listings=_conform("listings", listings),
        sheets=_conform("sheets", sheets),
        match_report=report,
        type_from_name=type_from_name,
        problems=problems,
        identity_candidates=candidates,
        row_ids=rows[["source_file", "row", "agreement_id"]].reset_index(drop=True),
        links_carried=carried,
    )


def _carry_lost_links(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A 'link' cell whose hyperlink is not in the file (a CSV, stripped links) keeps the URL
    the same agreement has on the sheet before it (rows are newest first): the link is unknown
    in this file, not gone. Returns the rows and which (source_file, row, column) were kept."""
    carried = []
    for col, flag in (("moa_url", "moa_lost"), ("addendum_url", "addendum_lost")):
        if flag not in rows.columns:
            continue
        for _ in range(len(rows)):  # a chain of files without links: one step per file
            lost = rows[flag].fillna(False).astype(bool) & rows[col].isna()
            if not lost.any():
                break
            before = rows.groupby("agreement_id", sort=False)[col].shift(-1)
            take = lost & before.notna()
            if not take.any():
                break
            rows.loc[take, col] = before[take]
            carried.append(rows.loc[take, ["source_file", "row", "agreement_id"]].assign(
                column=col))
    out = (pd.concat(carried, ignore_index=True) if carried
           else pd.DataFrame(columns=["source_file", "row", "agreement_id", "column"]))
    return rows, out


def apply_identities(rows: pd.DataFrame, identities: identity.Identities) -> pd.DataFrame:
    """Each row's agreement id (and ``_agency_key``): the spelling the reviewed table says it
    belongs to. ``rows`` carry state_abbr, state_fips, agency_norm and model.

    A row listed under the wrong STATE takes its agreement's state; ``agency_norm`` stays the
    row's own spelling (it names the agency, for matching and counting agencies).
    """
    rows = rows.copy()
    # Resolved once per distinct spelling: the same (state, name, model) recurs every month.
    triples = list(zip(rows["state_abbr"].tolist(), rows["agency_norm"].tolist(),
                       rows["model"].tolist(), strict=True))
    resolved = {t: identities.resolve(t) for t in dict.fromkeys(triples)}
    ids = {t: _hash_id(*k) for t, k in resolved.items()}
    rows["agreement_id"] = [ids[t] for t in triples]
    state = pd.Series([resolved[t][0] for t in triples], index=rows.index)
    moved = state != rows["state_abbr"]
    if moved.any():
        fips = gazetteer.states().set_index("state_abbr")["state_fips"]
        rows.loc[moved, "state_abbr"] = state[moved]
        rows.loc[moved, "state_fips"] = state[moved].map(fips)
    pairs = list(zip(rows["state_abbr"].tolist(), rows["agency_norm"].tolist(), strict=True))
    keys = {p: _key_of_norm(*p) for p in dict.fromkeys(pairs)}
    rows["_agency_key"] = [keys[p] for p in pairs]
    return rows


def _conform(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """The table's columns, in order, with the contract's dtypes; then validated."""
    return schema.validate(name, schema.conform(name, df))


# A repeated agreement's note names at most this many of its repeating rows, and a sheet's note
# at most this many repeated agreements: a file of one row copied 45,000 times makes one short
# note, not 45,000 notes each listing 45,000 rows.
REPEAT_ROWS_NAMED = 10
REPEATS_NAMED = 20


@dataclass(frozen=True)
class RepeatedRows:
    """One agreement listed on more than one row of a sheet (ICE does repeat rows)."""

    first_row: int
    rows: tuple[int, ...]  # the first REPEAT_ROWS_NAMED repeating rows
    count: int  # every repeating row (the first one not counted)
    agency: str
    model: str
    signed_differs: bool

    @property
    def note(self) -> str:
        named = ", ".join(str(r) for r in self.rows)
        if self.count > len(self.rows):
            named += f" and {self.count - len(self.rows):,} more rows"
        agency = bounded_text(str(self.agency), 120)
        note = f"row {named} repeats row {self.first_row}: {agency} ({self.model})"
        if self.signed_differs:
            note += "; SIGNED differs, the first row's date is used"
        return note


def repeated_rows(sheet: pd.DataFrame) -> list[RepeatedRows]:
    """The agreements of one sheet's rows (columns row, agreement_id, agency, model, signed)
    that more than one row lists, in row order; one pass, whatever the number of repeats."""
    sheet = sheet.sort_values("row")
    repeated = sheet[sheet.duplicated("agreement_id", keep=False)]
    groups: dict[str, list] = {}
    for aid, row, agency, model, signed in zip(
            repeated["agreement_id"], repeated["row"], repeated["agency"], repeated["model"],
            repeated["signed"], strict=True):
        g = groups.get(aid)
        if g is None:
            groups[aid] = [int(row), [], 0, agency, model, {signed}]
            continue
        if len(g[1]) < REPEAT_ROWS_NAMED:
            g[1].append(int(row))
        g[2] += 1
        if len(g[5]) < 2:
            g[5].add(signed)
    return [RepeatedRows(first, tuple(rows), count, agency, model,
                         len({None if pd.isna(s) else s for s in signed}) > 1)
            for first, rows, count, agency, model, signed in groups.values()]


def repeats_note(repeats: list[RepeatedRows]) -> str | None:
    """A sheet's note on its repeated rows (None without repeats), bounded in length."""
    if not repeats:
        return None
    notes = [r.note for r in repeats[:REPEATS_NAMED]]
    if len(repeats) > REPEATS_NAMED:
        notes.append(f"and {len(repeats) - REPEATS_NAMED:,} more repeated agreements")
    return "; ".join(notes)


def _sheets_table(rows: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    keys = ["list", "month"]
    counts = rows.groupby(keys).agg(rows=("row", "size"), agreements=("agreement_id", "nunique"))
    # Only the few sheets that repeat an agreement need a note.
    repeated = rows[rows.duplicated([*keys, "agreement_id"], keep=False)]
    notes = {key: repeats_note(repeated_rows(sheet))
             for key, sheet in repeated.groupby(keys, sort=False)}
    out = []
    for m in meta.itertuples(index=False):
        n = counts.loc[(m.list, m.month)]
        note = notes.get((m.list, m.month))
        out.append({
            "list": m.list, "month": m.month, "sheet_date": m.sheet_date,
            "source_file": m.source_file, "layout": m.layout,
            "rows": int(n["rows"]), "agreements": int(n["agreements"]),
            "note": note if note else pd.NA,
        })
    df = pd.DataFrame(out, columns=schema.SHEETS.columns)
    return df.sort_values(["list", "month"], ignore_index=True)


def _agreements_table(rows: pd.DataFrame, listings: pd.DataFrame) -> pd.DataFrame:
    newest = rows.drop_duplicates("agreement_id").set_index("agreement_id")
    out = newest[["state_fips", "state_abbr", "agency", "agency_norm", "model", "signed",
                  "moa_url", "addendum_url", "source_file", "sheet_date", "_agency_key"]].copy()
    out = out.rename(columns={"sheet_date": "source_date"})

    # ICE's COUNTY cell: the newest sheet that has one.
    counties = rows.dropna(subset=["ice_county"]).drop_duplicates("agreement_id")
    out["ice_county"] = counties.set_index("agreement_id")["ice_county"].reindex(out.index)

    # agency_type: the agreement's own TYPE cell (newest with one), else the same agency's
    # TYPE on another sheet, else the name rule.
    typed = rows.dropna(subset=["agency_type"])
    own = typed.drop_duplicates("agreement_id").set_index("agreement_id")["agency_type"]
    typed_keys = typed["_agency_key"]
    by_agency = typed.assign(_k=typed_keys).drop_duplicates("_k").set_index("_k")["agency_type"]
    out["agency_type"] = own.reindex(out.index)
    out["agency_type_basis"] = pd.Series("ice_type_column", index=out.index).where(
        out["agency_type"].notna())
    other = out["agency_type"].isna() & frames.isin(out["_agency_key"], by_agency.index.tolist())
    out.loc[other, "agency_type"] = out.loc[other, "_agency_key"].map(by_agency)
    out.loc[other, "agency_type_basis"] = "other_sheet"
    named = out["agency_type"].isna()
    out.loc[named, "agency_type"] = out.loc[named, "agency"].map(agency_type_from_name)
    out.loc[named, "agency_type_basis"] = "agency_name"
    out["is_sheriff"] = out["agency"].map(is_sheriff)

    # Listed months and status.
    newest_month = rows.groupby("list")["month"].max()
    out = listing_status(out, listings, newest_month)
    return out.reset_index()


def listing_status(out: pd.DataFrame, listings: pd.DataFrame,
                   newest_month: pd.Series) -> pd.DataFrame:
    """Listed months, gaps, names, and the status, of agreements indexed by id.

    ``newest_month`` maps each list (participating, pending) to its newest sheet's month: an
    agreement on the newest participating sheet is participating; else on the newest pending
    sheet and not participating since that sheet's month, pending (ICE's last pending sheet is
    months old, and lists agencies that signed since); else no longer listed. The build and a
    staff upload both use this.
    """
    out = out.copy()
    spans = listings.groupby(["agreement_id", "list"])["month"].agg(["min", "max"]).unstack()
    for kind, first, last in (("participating", "first_listed", "last_listed"),
                              ("pending", "first_pending", "last_pending")):
        if ("min", kind) in spans.columns:
            out[first] = spans[("min", kind)].reindex(out.index)
            out[last] = spans[("max", kind)].reindex(out.index)
        else:
            out[first] = out[last] = pd.NA
    newest_pending = newest_month.get("pending")
    on_part = out["last_listed"] == newest_month.get("participating")
    on_pend = (out["last_pending"] == newest_pending) & ~(out["last_listed"] >= newest_pending)
    out["status"] = "no_longer_listed"
    out.loc[on_pend.fillna(False).astype(bool), "status"] = "pending"
    out.loc[on_part.fillna(False).astype(bool), "status"] = "participating"
    gaps = listing_gaps(listings)
    out["gaps"] = gaps.reindex(out.index)
    out["relisted"] = out["gaps"].notna()
    out["other_names"] = other_names(listings, out["agency"]).reindex(out.index)
    return out


def listing_gaps(listings: pd.DataFrame) -> pd.Series:
    """Per agreement id, the participating sheets it is missing from between its first and last
    listing, as month ranges ("2023-04 – 2023-06; 2024-02"); agreements without gaps are absent."""
    part = listings[listings["list"] == "participating"]
    months = sorted(part["month"].unique())
    index = {m: i for i, m in enumerate(months)}
    pos = part[["agreement_id"]].assign(_i=part["month"].map(index)).sort_values(
        ["agreement_id", "_i"])
    step = pos["_i"].diff()
    jump = pos[(step > 1) & (pos["agreement_id"] == pos["agreement_id"].shift())]
    out: dict[str, list[str]] = {}
    for aid, i, d in zip(jump["agreement_id"], jump["_i"], step[jump.index], strict=True):
        a, b = months[int(i - d + 1)], months[int(i - 1)]
        out.setdefault(aid, []).append(a if a == b else f"{a} – {b}")
    return pd.Series({aid: "; ".join(runs) for aid, runs in out.items()}, dtype="str")


def other_names(listings: pd.DataFrame, agency: pd.Series) -> pd.Series:
    """Per agreement id, the names ICE listed it under other than ``agency`` (its newest), each
    with its months ("Waukesha County Sheriff's Office (2021-01 – 2025-07)"); spellings that differ
    only in case, punctuation or apostrophes count as one name."""
    rows = listings.dropna(subset=["agency"])
    if rows.empty:
        return pd.Series(dtype="str")
    names = set(rows["agency"].unique()) | set(agency.dropna().unique())
    norm = {n: normalise_agency(n) for n in names}
    rows = rows.assign(_norm=rows["agency"].map(norm))
    rows = rows[rows["_norm"] != rows["agreement_id"].map(agency.map(norm))]
    out: dict[str, list[tuple[str, str]]] = {}
    for (aid, _), group in rows.sort_values("month").groupby(["agreement_id", "_norm"]):
        first, last = group["month"].iloc[0], group["month"].iloc[-1]
        pending = "pending " if (group["list"] == "pending").all() else ""
        span = first if first == last else f"{first} – {last}"
        out.setdefault(aid, []).append((first, f"{group['agency'].iloc[-1]} ({pending}{span})"))
    return pd.Series({aid: "; ".join(text for _, text in sorted(found))
                      for aid, found in out.items()}, dtype="str")


def _match(agreements: pd.DataFrame, rows: pd.DataFrame, matcher: Matcher):
    """Call the matcher once with one row per distinct agency and merge its answer back."""
    # The agency's newest agreement gives its spelling and type (rows are newest first).
    order = rows.drop_duplicates("agreement_id")["agreement_id"]
    newest = (agreements.set_index("agreement_id").loc[order]
              .drop_duplicates("_agency_key").reset_index())
    county_lists = (rows.dropna(subset=["ice_county"])
                    .drop_duplicates(["_agency_key", "ice_county"])
                    .groupby("_agency_key", sort=False)["ice_county"].agg(tuple).to_dict())
    agencies = pd.DataFrame({
        "state_abbr": newest["state_abbr"],
        "state_fips": newest["state_fips"],
        "agency": newest["agency"],
        "agency_norm": newest["agency_norm"],
        "agency_type": newest["agency_type"],
        "ice_counties": [county_lists.get(k, ()) for k in newest["_agency_key"]],
        # The COUNTY cell on the agency's newest row: blank there means the county came from
        # another month's sheet (match method other_sheet).
        "ice_county_newest": newest["_agency_key"].map(
            rows.drop_duplicates("_agency_key").set_index("_agency_key")["ice_county"]
        ).to_numpy(),
    })
    keys = newest["_agency_key"].to_numpy()
    answer = matcher(agencies.copy())
    _check_matcher_output(agencies, answer)
    answer = answer.assign(_agency_key=keys)
    cols = ["_agency_key", *MATCHER_OUTPUT]
    merged = agreements.merge(answer[cols], on="_agency_key", how="left", validate="many_to_one")
    merged["county_fips"] = [t[0] if len(t) else pd.NA for t in merged["county_fips_list"]]
    return merged


def _check_matcher_output(given: pd.DataFrame, answer: pd.DataFrame) -> None:
    missing = [c for c in MATCHER_OUTPUT if c not in answer.columns]
    if missing:
        raise ValueError(f"matcher output lacks columns {missing}")
    if len(answer) != len(given) or not answer.index.equals(given.index):
        raise ValueError("matcher output must have the same rows, order and index as its input")
    for i, level, method, fips in zip(answer.index, answer["jurisdiction_level"],
                                      answer["match_method"], answer["county_fips_list"],
                                      strict=True):
        if level in schema.JURISDICTION_LEVELS and method in schema.MATCH_METHODS and (
                isinstance(fips, tuple)
                and all(isinstance(f, str) and len(f) == 5 and f.isdigit() for f in fips)):
            continue
        where = f"matcher output, agency {given.at[i, 'state_abbr']} {given.at[i, 'agency']!r}"
        if level not in schema.JURISDICTION_LEVELS:
            raise ValueError(f"{where}: jurisdiction_level {level!r} is not one"
                             f" of {list(schema.JURISDICTION_LEVELS)}")
        if method not in schema.MATCH_METHODS:
            raise ValueError(f"{where}: match_method {method!r} is not one of "
                             f"{list(schema.MATCH_METHODS)}")
        raise ValueError(f"{where}: county_fips_list {fips!r} is not a tuple of 5-digit "
                         "strings")


def _agreement_counties(agreements: pd.DataFrame) -> pd.DataFrame:
    pairs = [
        (aid, fips, method)
        for aid, fips_list, method in zip(agreements["agreement_id"],
                                          agreements["county_fips_list"],
                                          agreements["match_method"], strict=True)
        for fips in dict.fromkeys(fips_list)
    ]
    df = pd.DataFrame(pairs, columns=schema.AGREEMENT_COUNTIES.columns)
    return df.sort_values(["agreement_id", "county_fips"], ignore_index=True)


def _match_report(sheet_rows: pd.DataFrame, agreements: pd.DataFrame) -> pd.DataFrame:
    a = agreements.set_index("agreement_id")
    ids = sheet_rows["agreement_id"]
    report = pd.DataFrame({
        "row": sheet_rows["row"].to_numpy(),
        "state_abbr": sheet_rows["state_abbr"].to_numpy(),
        "agency": sheet_rows["agency"].to_numpy(),
        "model": sheet_rows["model"].to_numpy(),
        "agency_type": a.loc[ids, "agency_type"].to_numpy(),
        "ice_county": sheet_rows["ice_county"].to_numpy(),
        "agreement_id": ids.to_numpy(),
        "match_method": a.loc[ids, "match_method"].to_numpy(),
        "county_fips": ["; ".join(t) if len(t) else pd.NA
                        for t in a.loc[ids, "county_fips_list"]],
        "jurisdiction_level": a.loc[ids, "jurisdiction_level"].to_numpy(),
        "match_note": a.loc[ids, "match_note"].to_numpy(),
    })
    return report.sort_values("row", ignore_index=True).astype(
        {c: "str" for c in report.columns if c != "row"})
