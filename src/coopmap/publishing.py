"""From an uploaded file to a published release: recognise, validate, build, preview, publish.

``prepare`` turns an ``Upload`` into a ``Candidate``: the full set of release tables that
publishing it would make current, every problem found (errors block, warnings need an explicit
accept), and the diff against the release it was based on. ``publish`` writes it through the
store, which refuses when someone else published since the preview (``ConflictError``).

There is one path from sources to a release: an upload (an ICE list or a policy sheet) joins the
current release's source set (``coopmap.sourceset``), and the candidate is the build of the new
set by ``coopmap.build.build_tables``, as ``coopmap build`` does it. A preview is quick because
the build remembers what does not change (each sheet's parsed rows by sha256, each agency's
match), not because uploads take another path.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import re
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from coopmap import agreements as agreements_mod
from coopmap import (
    build,
    detention,
    detention_upload,
    ice_sheets,
    paths,
    policy_sheet,
    schema,
    sourceset,
)
from coopmap import changes as changes_mod
from coopmap.audit import AuditLog
from coopmap.ice_sheets import HasProblems, Problem
from coopmap.store import ConflictError, Release, ReleaseStore
from coopmap.uploads import Upload, column_letter

KINDS = {"ice": "ICE 287(g) list", "policy": "Policy-findings sheet",
         "detention": "ICE detention-statistics workbook"}
_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>|javascript:", re.IGNORECASE)


class PublishError(ValueError):
    """Publishing was refused; the message says why, for staff."""


@dataclass
class Candidate(HasProblems):
    kind: str
    upload: Upload
    base_id: str | None
    description: str
    problems: list[Problem] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] | None = None
    changes: changes_mod.Changes | None = None
    data_as_of: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    # The source set the tables are the build of: its staff uploads (this one included) and
    # the bundled files (manifest ``sources`` entries).
    uploads: list[sourceset.SourceUpload] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def publishable(self) -> bool:
        return not self.errors and self.tables is not None


SEVERITY_ORDER = {"error": 0, "decision": 1, "warning": 2}
SEVERITY_LABELS = {"error": "error (blocks publishing)",
                   "decision": "decision (confirm to publish)",
                   "warning": "warning (accept to publish)"}


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """Problems as a table for the page, errors first, then decisions, then warnings: every
    value as text (never rendered as HTML)."""
    ordered = sorted(problems, key=lambda p: SEVERITY_ORDER.get(p.severity, 3))
    return pd.DataFrame(
        [{"severity": p.severity, "file": p.file, "sheet": p.sheet or "",
          "row": "" if p.row is None else str(p.row), "column": p.column or "",
          "value": "" if p.value is None else str(p.value), "expected": p.expected}
         for p in ordered],
        columns=["severity", "file", "sheet", "row", "column", "value", "expected"],
    )


def problem_kind(problem: Problem) -> str:
    """A problem's kind: its column and the first words of what was expected."""
    what = re.split(r"[;:(]", problem.expected, maxsplit=1)[0].strip()
    return f"{problem.column}: {what}" if problem.column else what


def problem_counts(problems: list[Problem]) -> pd.DataFrame:
    """How many problems of each kind, errors first: the top of the problems table."""
    frame = pd.DataFrame({"severity": [p.severity for p in problems],
                          "kind": [problem_kind(p) for p in problems]},
                         columns=["severity", "kind"])
    counts = frame.value_counts(["severity", "kind"]).rename("count").reset_index()
    counts["_order"] = counts["severity"].map(SEVERITY_ORDER)
    return (counts.sort_values(["_order", "count", "kind"], ascending=[True, False, True])
            .drop(columns="_order").reset_index(drop=True))


def _ice_header(upload: Upload) -> tuple[str, int, list] | None:
    """(sheet, row index, cells) of the first row naming at least two of ICE's columns."""
    known = {ice_sheets._header_key(h) for h in ice_sheets.COLUMNS}
    for name, rows in upload.sheets.items():
        for i, row in enumerate(rows[: ice_sheets.MAX_HEADER_ROW]):
            if len({ice_sheets._header_key(c) for c in row} & known) >= 2:
                return name, i, row
    return None


def detect_kind(upload: Upload) -> str | None:
    """'detention' (a "Facilities ..." sheet with ICE's header Name ... Type Detailed), 'policy'
    or 'ice' from the header row; None when none is recognised."""
    if detention_upload.is_detention_workbook(upload):
        return "detention"
    for rows in upload.sheets.values():
        if policy_sheet.find_header(rows[: ice_sheets.MAX_HEADER_ROW]) is not None:
            return "policy"
    return "ice" if _ice_header(upload) is not None else None


def warm_up(release: Release, *, sources_dir: Path | None = None,
            corrections_dir: Path | None = None) -> float:
    """Build the release's own source set once, so the build's caches (parsed sheets, matched
    agencies, place tables) are filled before the first preview; returns the seconds taken.
    The staff page runs it in the background when a staff member signs in.

    It ends with a full garbage collection: a build leaves hundreds of thousands of new
    long-lived objects, and without it the first preview paid for collecting them (0.23 s of
    0.94 s for a sheet never seen, measured by bench/staff_path.py)."""
    start = time.perf_counter()
    uploads = sourceset.load(release.path.parent, release.manifest.get("uploads", []))
    build.build_tables(Path(sources_dir) if sources_dir else paths.sources_dir(),
                       Path(corrections_dir) if corrections_dir else paths.corrections_dir(),
                       uploads)
    gc.collect()
    return time.perf_counter() - start


# --- Preparing a candidate ------------------------------------------------------------------


def prepare(
    upload: Upload,
    release: Release | None,
    *,
    list_kind: str | None = None,
    sheet_date: dt.date | None = None,
    today: dt.date | None = None,
    by: str = "coopmap staff",
    sources_dir: Path | None = None,
    corrections_dir: Path | None = None,
) -> Candidate:
    """Validate ``upload`` against ``release`` and build the candidate release: the build of
    the release's source set with the upload added (``sources_dir`` and ``corrections_dir``
    default to the data folder's)."""
    sources_dir = Path(sources_dir) if sources_dir else paths.sources_dir()
    corrections_dir = Path(corrections_dir) if corrections_dir else paths.corrections_dir()
    kind = detect_kind(upload)
    base_id = release.id if release is not None else None
    if release is None:
        return Candidate(kind or "unknown", upload, None, "No current release", [Problem(
            upload.filename, "", None, None, None,
            "a current release to update (run `coopmap build` first)", "error")])
    if kind == "ice":
        cand = _prepare_ice(upload, release, list_kind=list_kind, sheet_date=sheet_date,
                            today=today or dt.date.today(), by=by,
                            sources_dir=sources_dir, corrections_dir=corrections_dir)
    elif kind == "policy":
        cand = _prepare_policy(upload, release, today=today or dt.date.today(), by=by,
                               sources_dir=sources_dir, corrections_dir=corrections_dir)
    elif kind == "detention":
        cand = _prepare_detention(upload, release, by=by, sources_dir=sources_dir,
                                  corrections_dir=corrections_dir)
    else:
        cand = None
    if cand is not None:
        cand.problems = ice_sheets.capped(cand.problems)  # bounded, whatever the file holds
        return cand
    return Candidate("unknown", upload, base_id, "Not recognised", [Problem(
        upload.filename, "", None, None, None,
        "either an ICE 287(g) list (columns STATE, LAW ENFORCEMENT AGENCY, SUPPORT TYPE, ...), "
        "the policy-findings template (columns Dimension, Value, ...) or ICE's annual "
        "detention-statistics workbook (a Facilities sheet with columns Name ... Type "
        "Detailed)", "error")])


# --- ICE sheets -----------------------------------------------------------------------------


def _prepare_ice(upload, release, *, list_kind, sheet_date, today, by, sources_dir,
                 corrections_dir) -> Candidate:
    t0 = time.perf_counter()
    kind = list_kind or ice_sheets.list_kind_from_name(upload.filename)
    date = sheet_date or ice_sheets.sheet_date_from_name(upload.filename)
    cand = Candidate("ice", upload, release.id, "ICE 287(g) list")
    file = upload.filename
    if kind not in schema.LISTS:
        cand.problems.append(Problem(file, "", None, None, upload.filename,
                                     "which list this is: participating or pending (choose it "
                                     "on the page, or keep ICE's file name)", "error"))
    if date is None:
        cand.problems.append(Problem(file, "", None, None, upload.filename,
                                     "the date of this list (choose it on the page, or keep "
                                     "ICE's file name, e.g. participatingAgencies05182026am)",
                                     "error"))
    elif date > today:
        cand.problems.append(Problem(file, "", None, None, date.isoformat(),
                                     "a list date not after today", "error"))
    if cand.errors:
        return cand
    cand.description = f"ICE {schema.LISTS[kind].lower()} list of {date.isoformat()}"
    sheets = release.table("sheets")
    month = date.strftime("%Y-%m")
    same_list = sheets[sheets["list"] == kind]
    newest = same_list["month"].max() if len(same_list) else None
    if newest is not None and month < newest:
        cand.problems.append(Problem(file, "", None, None, date.isoformat(),
                                     f"a list newer than the release's newest {kind} list "
                                     f"({newest}); older lists cannot be added here", "error"))
        return cand
    existing = same_list[same_list["month"] == month]
    same_date = bool(len(existing)) and existing["sheet_date"].iloc[0].date() == date
    if len(existing) and existing["sheet_date"].iloc[0].date() > date:
        cand.problems.append(Problem(file, "", None, None, date.isoformat(),
                                     f"a list dated after {existing['sheet_date'].iloc[0]:%Y-%m-%d}"
                                     f", which the release already has for {month}", "error"))
        return cand

    try:
        read = build.read_uploaded_sheet(upload, kind)
    except ice_sheets.IceSheetError as exc:
        header = _ice_header(upload)
        if header is not None:
            sheet, i, cells = header
            have = {ice_sheets._header_key(c) for c in cells}
            missing = [h for h in ice_sheets.REQUIRED_COLUMNS
                       if ice_sheets._header_key(h) not in have]
            cand.problems.append(Problem(
                file, sheet if upload.kind == "xlsx" else "", i + 1, None,
                [str(c) for c in cells if str(c).strip()],
                f"a header row with the columns {missing} (missing here)", "error"))
        else:
            cand.problems.extend(_rename(exc.problems, file))
        return cand
    cand.timings["read"] = time.perf_counter() - t0
    cand.problems.extend(_rename(read.problems, file))
    sheet_label = read.sheet
    rows = _check_ice_cells(upload, read, read.rows, date, cand, sheet_label)
    if rows.empty and not cand.errors:
        cand.problems.append(Problem(file, sheet_label, None, None, None,
                                     "at least one agreement row", "error"))
    if cand.errors:
        return cand

    try:
        base_uploads = sourceset.load(release.path.parent, release.manifest.get("uploads", []))
    except sourceset.SourceSetError as exc:
        cand.problems.append(Problem(file, "", None, None, None,
                                     f"the current release's own sources: {exc}", "error"))
        return cand
    if same_date:
        # The release already has a list of this date: a copy of it (another format, title
        # rows, headers in another order...) changes nothing; a different list is refused.
        theirs = existing["source_file"].iloc[0]
        their_rows = _sheet_rows(theirs, kind, base_uploads, sources_dir)
        if their_rows is None or not _same_rows(rows, their_rows):
            cand.problems.append(Problem(
                file, "", None, None, date.isoformat(),
                f"the release's {kind} list of {date} ({theirs}) or a later list: this file "
                f"has other rows than that list; give the date ICE printed on it", "error"))
            return cand
        cand.description += " (the list the release already has)"
        cand.notes.append(
            f"No change: the {len(rows):,} rows of this file are the rows of the release's "
            f"{kind} list of {date} ({theirs}); every row was checked.")
        cand.tables = {name: release.table(name) for name in schema.TABLES}
        cand.uploads = base_uploads
        cand.sources = list(release.manifest.get("sources", []))
        cand.data_as_of = dict(release.as_of)
        cand.changes = changes_mod.diff(release, cand.tables)
        return cand
    new = sourceset.SourceUpload.of(upload, kind="ice", by=by, list_kind=kind,
                                    sheet_date=date.isoformat())
    # The upload joins the release's source set, replacing an upload of the same list and month.
    uploads = [u for u in base_uploads
               if not (u.kind == "ice" and u.list_kind == kind and u.month == month)]
    uploads.append(new)
    t1 = time.perf_counter()
    try:
        built = build.build_tables(sources_dir, corrections_dir, uploads)
    except (build.BuildError, ice_sheets.IceSheetError, sourceset.SourceSetError) as exc:
        cand.problems.append(Problem(file, "", None, None, None,
                                     f"a source set that builds: {exc}", "error"))
        return cand
    cand.timings["build"] = time.perf_counter() - t1
    cand.problems.extend(_sheet_findings(built, new.path, release, rows, file, sheet_label))
    cand.notes.extend(_links_kept(built, new.path, rows, cand, file, sheet_label))
    t2 = time.perf_counter()
    cand.uploads = uploads
    cand.sources = _inventory(sources_dir, corrections_dir, release)
    cand.data_as_of = build._as_of(built.tables)
    cand.tables = built.tables
    cand.changes = changes_mod.diff(release, built.tables)
    c = cand.changes.counts
    # A partial list (a filtered export, a cut-off copy) would end most agreements: ask.
    if c["agreements_ended"] > max(25, 0.1 * c["active_before"]):
        cand.problems.append(Problem(
            file, sheet_label, None, None, f"{len(rows):,} rows",
            f"ICE's complete list: this one would end {c['agreements_ended']:,} of the "
            f"{c['active_before']:,} listed agreements; check it is not a partial copy",
            "warning"))
    cand.timings["diff"] = time.perf_counter() - t2
    return cand


# A repeated agreement names at most this many of its rows in the message (a sheet of 9,000
# copies of one row must not make a message listing them all).
MAX_ROWS_NAMED = 10


def _rows_text(rows: list[int]) -> str:
    named = ", ".join(str(r) for r in rows[:MAX_ROWS_NAMED])
    more = len(rows) - MAX_ROWS_NAMED
    return named + (f" and {more:,} more" if more > 0 else "")


def _sheet_findings(built, source_file: str, release: Release, rows: pd.DataFrame, file: str,
                    sheet: str) -> list[Problem]:
    """What the assembly found in the uploaded sheet: rows that repeat an agreement (the first
    row is used) and rows of agencies that match no county (and did before, or are new)."""
    out: list[Problem] = []
    ids = built.ice.row_ids
    mine = ids[ids["source_file"] == source_file].merge(
        rows[["row", "agency", "model", "signed", "state_abbr", "ice_county"]], on="row")
    mine = mine.sort_values("row")
    repeats = agreements_mod.repeated_rows(mine)
    if repeats:
        # One decision for the whole sheet (a sheet of 9,000 copies of one row gives one short
        # message, not 9,000 warnings each naming every other row).
        n_rows = sum(r.count for r in repeats)
        out.append(Problem(
            file, sheet, min(r.rows[0] for r in repeats), "LAW ENFORCEMENT AGENCY",
            f"{n_rows:,} repeated rows",
            f"one row per agreement: {len(repeats):,} agreements are on this list more than "
            f"once, and the first row of each is used ({agreements_mod.repeats_note(repeats)})",
            "decision"))
    agreements = built.tables["agreements"].set_index("agreement_id")
    before = release.table("agreements").set_index("agreement_id")["match_method"]
    method = mine["agreement_id"].map(agreements["match_method"])
    was = mine["agreement_id"].map(before)
    bad = mine[(method == "unmatched") & (was != "unmatched")].drop_duplicates("row")
    for r in bad.itertuples():
        note = agreements.at[r.agreement_id, "match_note"]
        out.append(Problem(
            file, sheet, int(r.row), "COUNTY", None if pd.isna(r.ice_county) else r.ice_county,
            f"a county of {r.state_abbr} for {r.agency}: not matched ({note}); it will be "
            "listed as unmatched", "warning"))
    return out


def _sheet_rows(source_file: str, kind: str, uploads: list[sourceset.SourceUpload],
                sources_dir: Path) -> pd.DataFrame | None:
    """The rows of one sheet of the release's source set, as the build read them."""
    for up in uploads:
        if up.path == source_file:
            return build.read_uploaded_sheet(up.upload(), kind).rows
    path = Path(sources_dir) / source_file
    if not path.is_file():
        return None
    return build.read_bundled_sheet(path, list_kind=kind).rows


_SAME_COLUMNS = ["state_abbr", "agency", "agency_type", "ice_county", "model", "signed",
                 "moa_url", "addendum_url"]


def _same_rows(mine: pd.DataFrame, theirs: pd.DataFrame) -> bool:
    """Whether two reads of a list hold the same rows (in any order, at any row numbers); a
    'link' cell whose hyperlink this file lacks matches whatever link the other has."""
    if len(mine) != len(theirs):
        return False
    keys = [c for c in _SAME_COLUMNS if not c.endswith("_url")]

    def prep(df: pd.DataFrame) -> pd.DataFrame:
        out = df[_SAME_COLUMNS].astype("string").fillna("")
        for flag in ("moa_lost", "addendum_lost"):
            out[flag] = df[flag].to_numpy() if flag in df.columns else False
        return out.sort_values(keys, kind="stable", ignore_index=True)

    a, b = prep(mine), prep(theirs)
    if not a[keys].equals(b[keys]):
        return False
    for col, flag in (("moa_url", "moa_lost"), ("addendum_url", "addendum_lost")):
        if not ((a[col] == b[col]).to_numpy() | a[flag].to_numpy()).all():
            return False
    return True


def _links_kept(built, source_file: str, rows: pd.DataFrame, cand: Candidate, file: str,
                sheet: str) -> list[str]:
    """Say which links this file lacks and which the release keeps for the same agreements."""
    carried = built.ice.links_carried
    mine = carried[carried["source_file"] == source_file]
    notes = []
    moa, addendum = (int((mine["column"] == c).sum()) for c in ("moa_url", "addendum_url"))
    if moa or addendum:
        notes.append(f"This file has 'link' cells without their hyperlinks: {moa:,} MOA and "
                     f"{addendum:,} addendum links are kept from the release for the same "
                     "agreements.")
    for col, flag, label in (("moa_url", "moa_lost", "MOA"),
                             ("addendum_url", "addendum_lost", "ADDENDUM")):
        if flag not in rows.columns:
            continue
        lost = rows.loc[rows[flag].to_numpy(), "row"]
        kept = set(mine.loc[mine["column"] == col, "row"])
        left = [int(r) for r in lost if r not in kept]
        if left:
            cand.problems.append(Problem(
                file, sheet, left[0], label, f"{len(left):,} 'link' cells",
                f"a hyperlink: rows {_rows_text(left)} say 'link' without one, and the release "
                "has no link for those agreements (left empty)", "warning"))
    return notes


def _inventory(sources_dir: Path | None, corrections_dir: Path | None,
               release: Release) -> list[dict]:
    """The bundled files a candidate is built from (paths relative to the data folder), with
    the base release's geometry entries."""
    sources_dir = Path(sources_dir) if sources_dir else paths.sources_dir()
    corrections_dir = Path(corrections_dir) if corrections_dir else paths.corrections_dir()
    inventory = build.source_inventory((sources_dir.parent, sources_dir),
                                       (corrections_dir.parent, corrections_dir))
    return inventory + [s for s in release.manifest.get("sources", [])
                        if s["path"].startswith("geo/")]


def _rename(problems: list[Problem], file: str) -> list[Problem]:
    """The reader saw a temporary path; staff should see the name they uploaded."""
    return [Problem(file, p.sheet, p.row, p.column, p.value, p.expected, p.severity)
            for p in problems]


def _check_ice_cells(upload, read, rows, date, cand, sheet_label) -> pd.DataFrame:
    """What the reader leaves to us: signing dates in the future, formulas, markup."""
    file = upload.filename
    bad_rows = set()
    future = rows["signed"].notna() & (rows["signed"] > pd.Timestamp(date))
    for r in rows[future].itertuples():
        cand.problems.append(Problem(file, sheet_label, int(r.row), "SIGNED",
                                     r.signed.strftime("%Y-%m-%d"),
                                     f"a signing date not after the list's date ({date})",
                                     "error"))
        bad_rows.add(r.row)
    formulas = upload.formulas.get(read.sheet, {}) if upload.kind == "xlsx" else {}
    for (r0, c0), has_value in sorted(formulas.items()):
        where = f"cell {column_letter(c0)}{r0 + 1}"
        if has_value:
            cand.problems.append(Problem(file, sheet_label, r0 + 1, column_letter(c0), None,
                                         f"a typed value: {where} holds a formula; its saved "
                                         "value is used", "warning"))
        else:
            cand.problems.append(Problem(file, sheet_label, r0 + 1, column_letter(c0), None,
                                         f"a typed value: {where} holds a formula with no saved "
                                         "value", "error"))
    for col, label in (("agency", "LAW ENFORCEMENT AGENCY"), ("ice_county", "COUNTY")):
        marked = rows[rows[col].map(lambda v: isinstance(v, str) and bool(_HTML.search(v)))]
        if len(marked):
            # One decision per column: the names are kept as typed and shown as text.
            cand.problems.append(Problem(
                file, sheet_label, int(marked["row"].iloc[0]), label, marked[col].iloc[0],
                f"plain text: {len(marked):,} {label} cells (rows "
                f"{_rows_text([int(r) for r in marked['row']])}) look like HTML or script; "
                "they are stored as typed and always shown as text", "decision"))
    return rows[~rows["row"].isin(bad_rows)]


# --- Policy sheets --------------------------------------------------------------------------

INHERITING_BASES = ("state_law", "court_ruling")


def _prepare_policy(upload, release, *, today, by, sources_dir, corrections_dir) -> Candidate:
    cand = Candidate("policy", upload, release.id, "Policy-findings sheet")
    read = policy_sheet.read_policy_sheet(upload, today=today)
    cand.problems.extend(read.problems)
    if cand.errors:
        return cand
    cand.description = f"Policy-findings sheet: {len(read.findings)} findings"
    uploads = _release_uploads(cand, release)
    if uploads is None:
        return cand
    # A policy sheet is a source too: the candidate is the build of the set with it added (an
    # identical copy already in the set adds nothing).
    if not any(u.kind == "policy" and u.sha256 == upload.sha256 for u in uploads):
        uploads.append(sourceset.SourceUpload.of(upload, kind="policy", by=by))
    return _build_candidate(cand, release, uploads, sources_dir, corrections_dir)


def _release_uploads(cand: Candidate, release: Release) -> list[sourceset.SourceUpload] | None:
    """The uploads of the release's source set; None (with the error on ``cand``) when they
    cannot be read back."""
    try:
        return sourceset.load(release.path.parent, release.manifest.get("uploads", []))
    except sourceset.SourceSetError as exc:
        cand.problems.append(Problem(cand.upload.filename, "", None, None, None,
                                     f"the current release's own sources: {exc}", "error"))
        return None


def _build_candidate(cand: Candidate, release: Release, uploads: list[sourceset.SourceUpload],
                     sources_dir: Path, corrections_dir: Path) -> Candidate:
    """The candidate's tables: the build of the source set ``uploads`` (this upload included)
    and their diff against ``release``."""
    t0 = time.perf_counter()
    try:
        built = build.build_tables(sources_dir, corrections_dir, uploads)
    except (build.BuildError, ice_sheets.IceSheetError) as exc:
        cand.problems.append(Problem(cand.upload.filename, "", None, None, None,
                                     f"a source set that builds: {exc}", "error"))
        return cand
    cand.timings["candidate"] = time.perf_counter() - t0
    cand.uploads = uploads
    cand.sources = _inventory(sources_dir, corrections_dir, release)
    cand.data_as_of = build._as_of(built.tables)
    cand.tables = built.tables
    cand.changes = changes_mod.diff(release, built.tables)
    return cand


def apply_policy_findings(tables: dict[str, pd.DataFrame], findings: pd.DataFrame, *,
                          source_file: str, by: str = "coopmap staff"
                          ) -> dict[str, pd.DataFrame]:
    """New ``policies`` and ``state_laws`` tables with the findings of one policy sheet (kept
    as ``source_file``) applied: a step of the build (``coopmap.build.build_tables``)."""
    policies = tables["policies"].set_index(["level", "fips", "dimension"]).copy()
    laws = tables["state_laws"].set_index("state_fips").copy()
    counties = tables["counties"]
    practice = findings[findings["dimension"] != policy_sheet.STANCE_DIMENSION]
    explicit = {(r.level, r.fips, r.dimension) for r in practice.itertuples()}
    for r in practice.itertuples():
        values = {
            "value": r.value, "basis": r.basis, "source": r.source,
            "source_url": r.source_url,
            "as_of": pd.Timestamp(r.as_of) if r.as_of is not None and not pd.isna(r.as_of)
            else pd.NaT,
            "review_status": "reviewed", "note": r.note,
        }
        if r.value == "unknown":
            values.update(source=None, source_url=None, review_status=None)
        targets = [(r.level, r.fips, r.dimension)]
        if r.level == "state" and r.basis in INHERITING_BASES:
            # A state law settles the practice statewide: counties without a local finding
            # (their own policy or one in this sheet) inherit it, as the build does.
            for fips in counties.loc[counties["state_fips"] == r.fips, "county_fips"]:
                key = ("county", fips, r.dimension)
                if key in explicit or policies.at[key, "basis"] == "local_policy":
                    continue
                targets.append(key)
        elif r.level == "state":
            # A state-level finding that is not a law no longer settles the counties that
            # inherited the old state value: they go back to unknown.
            for fips in counties.loc[counties["state_fips"] == r.fips, "county_fips"]:
                key = ("county", fips, r.dimension)
                if key not in explicit and policies.at[key, "basis"] in INHERITING_BASES:
                    policies.loc[key, ["value", "basis", "source", "source_url", "as_of",
                                       "review_status", "note"]] = [
                        "unknown", "none", None, None, pd.NaT, None, None]
        for key in targets:
            for col, v in values.items():
                policies.at[key, col] = v
    for r in findings[findings["dimension"] == policy_sheet.STANCE_DIMENSION].itertuples():
        laws.loc[r.fips, ["stance", "source_type", "law_name", "effect", "source_url",
                          "verified_date", "verified_by", "review_status", "review_note",
                          "source_file"]] = [
            r.value, r.basis, r.source, r.note, r.source_url, pd.Timestamp(r.as_of),
            by, "reviewed", None, source_file,
        ]
    return {
        "policies": schema.conform("policies", policies.reset_index()),
        "state_laws": schema.conform("state_laws", laws.reset_index()),
    }


# --- Detention workbooks --------------------------------------------------------------------


def _prepare_detention(upload, release, *, by, sources_dir, corrections_dir) -> Candidate:
    """ICE's detention-statistics workbook: checked by ``detention_upload.check`` (layout, and
    newer than the release's newest workbook), then the build of the set with it added."""
    cand = Candidate("detention", upload, release.id, KINDS["detention"])
    uploads = _release_uploads(cand, release)
    if uploads is None:
        return cand
    mine = sourceset.SourceUpload.of(upload, kind="detention", by=by)
    earlier = tuple(detention.UploadedWorkbook(u.path, u.data) for u in uploads
                    if u.kind == "detention")
    checked = detention_upload.check(upload, release, sources_dir=sources_dir,
                                     corrections_dir=corrections_dir, earlier=earlier,
                                     source_file=mine.path)
    cand.problems.extend(checked.problems)
    cand.timings.update(checked.timings)
    if cand.errors:
        return cand
    sm = checked.summary
    cand.description = (f"{KINDS['detention']}: FY{sm['fiscal_year']}, data pull "
                        f"{sm['data_pull']}, {sm['facilities']:,} facilities "
                        f"({sm['new_facilities']:,} new to the release)")
    uploads.append(mine)
    return _build_candidate(cand, release, uploads, sources_dir, corrections_dir)


# --- Publishing -----------------------------------------------------------------------------


def publish(
    store: ReleaseStore,
    candidate: Candidate,
    *,
    by: str,
    note: str = "",
    accept_warnings: bool = False,
    audit: AuditLog | None = None,
    accept_decisions: bool = False,
) -> Release:
    """Publish a candidate as the new current release; ConflictError if the base moved.

    Order, so that a crash at any point leaves nothing that lies: the release is written (not
    current), then under the store's lock the uploads of its source set are kept (in the
    store, by sha256) and the audit entry written, then
    the pointer moves and the history line (holding the audit entry's hash) is appended. Two
    publishers of the same content get one release and one ConflictError, as for any other."""
    if not candidate.publishable:
        raise PublishError("This file has errors; fix them and upload it again. Nothing was "
                           "published.")
    if candidate.warnings and not accept_warnings:
        raise PublishError(f"Accept the {len(candidate.warnings)} warning(s) before publishing.")
    if candidate.decisions and not accept_decisions:
        raise PublishError(f"Confirm the {len(candidate.decisions)} decision(s) before "
                           "publishing.")
    if candidate.changes is not None and candidate.changes.empty:
        raise PublishError("Nothing to publish: the upload changes nothing.")
    up = candidate.upload
    base = store.get(candidate.base_id) if candidate.base_id else None
    sources = candidate.sources or (list(base.manifest.get("sources", [])) if base else [])
    extra = {
        "uploads": [u.entry() for u in candidate.uploads],
        "upload": {"file_name": up.filename, "sha256": up.sha256, "bytes": up.size,
                   "kind": candidate.kind, "description": candidate.description,
                   "warnings_accepted": len(candidate.warnings)},
        "changes": candidate.changes.counts if candidate.changes else {},
    }
    for key in ("geometry",):
        if base and key in base.manifest:
            extra[key] = base.manifest[key]

    def before_switch(release: Release, now: str | None) -> dict | None:
        # The release's source set: its uploads are kept in the store before it is current.
        for source in candidate.uploads:
            sourceset.keep(store.root, source)
        if audit is None:
            return None
        event = audit.append("publish", by, release=release.id, based_on=candidate.base_id,
                             file=up.filename, sha256=up.sha256, note=note,
                             changes=extra["changes"])
        return {"audit": event["hash"]}

    try:
        release = store.publish(
            candidate.tables, expected_current=candidate.base_id, by=by,
            sources=sources, note=note or candidate.description,
            data_as_of=candidate.data_as_of, extra=extra, before_switch=before_switch,
        )
    except ConflictError as exc:
        if audit:
            audit.append("publish_conflict", by, file=up.filename, sha256=up.sha256,
                         based_on=candidate.base_id, error=str(exc))
        raise
    return release


def rollback(store: ReleaseStore, release_id: str, *, expected_current: str | None, by: str,
             note: str = "", audit: AuditLog | None = None) -> None:
    """Make an earlier release current again; its audit entry is written before the switch."""

    def before_switch(now: str | None) -> dict | None:
        if audit is None:
            return None
        event = audit.append("rollback", by, release=release_id, previous=now, note=note)
        return {"audit": event["hash"]}

    store.rollback(release_id, expected_current=expected_current, by=by, note=note,
                   before_switch=before_switch)


# --- Start-up check -------------------------------------------------------------------------


def startup_check(store: ReleaseStore, audit: AuditLog, *, min_age: float = 600.0
                  ) -> list[str]:
    """Once per server process: remove the leftovers of writes cut off by a crash, and check
    that the current release and the records agree (the audit entry of the last switch, the
    history line). What it finds and does is written to the audit log and returned as text.

    ``min_age``: a kept-upload temporary file younger than this (seconds) may belong to a
    publish in progress in another process and is left alone."""
    found: list[str] = []
    removed = store.remove_leftovers()
    removed += _remove_orphan_uploads(store, min_age)
    if removed:
        audit.append("leftovers_removed", None, removed=removed)
        found.append(f"Removed leftovers of interrupted writes: {', '.join(removed)}.")
    with store.lock():
        found += _reconcile(store, audit)
    return found


def _remove_orphan_uploads(store: ReleaseStore, min_age: float) -> list[str]:
    """Kept uploads no release's source set names (a publish that never happened), and
    partial copies."""
    folder = store.root / sourceset.UPLOADS_DIR
    if not folder.exists():
        return []
    named = {Path(u.get("path", "")).name for m in store.list() for u in m.get("uploads", [])}
    now = time.time()
    removed = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name in named:
            continue
        if now - path.stat().st_mtime < min_age:
            continue  # may be a publish in progress elsewhere (kept, release not yet written)
        path.unlink(missing_ok=True)
        removed.append(f"{sourceset.UPLOADS_DIR}/{path.name}")
    return removed


def _reconcile(store: ReleaseStore, audit: AuditLog) -> list[str]:
    current = store.current_id()
    if current is None:
        return []
    found: list[str] = []
    history = store.history()
    events = audit.read()
    switches = [e for e in events if e.get("action") in ("publish", "rollback")]
    last_switch = switches[-1] if switches else None
    in_history = {h.get("audit") for h in history if h.get("audit")}
    last_hist = history[-1] if history else None
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    # The pointer moved but the history line was never written (a crash right after the switch).
    if last_hist is None or last_hist.get("to") != current:
        audited = last_switch if last_switch and last_switch.get("release") == current else None
        line = {"at": now, "action": "restored", "by": audited.get("by") if audited else None,
                "from": last_hist.get("to") if last_hist else None, "to": current,
                "note": "restored at start-up: the switch was cut off after the pointer moved"}
        if audited and audited.get("hash"):
            line["audit"] = audited["hash"]
        store.append_history(line)
        audit.append("history_restored", None, release=current,
                     previous=line["from"])
        found.append(f"The history had no line for the switch to the current release {current}; "
                     "it was restored.")
        history.append(line)
        last_hist = line
        if audited:
            in_history.add(audited.get("hash"))
    # An audited publish or rollback whose switch never happened (a crash before the switch).
    if (last_switch is not None and last_switch.get("hash")
            and last_switch["hash"] not in in_history
            and last_switch.get("release") != current
            and not any(e.get("action") == "publish_interrupted"
                        and e.get("entry") == last_switch["hash"] for e in events)):
        audit.append("publish_interrupted", None, release=last_switch.get("release"),
                     current=current, entry=last_switch["hash"])
        found.append(f"The {last_switch['action']} of {last_switch.get('release')} by "
                     f"{last_switch.get('by')} was cut off before the switch: "
                     f"{current} stayed current.")
    # The current release must owe its place to a build (history) or an audited switch.
    audit_hashes = {e.get("hash") for e in events}
    audited_switch = bool(last_hist.get("audit")) and last_hist["audit"] in audit_hashes
    if (last_hist.get("action") != "build" and not audited_switch
            and not any(e.get("action") == "current_unaudited" and e.get("current") == current
                        and e.get("switch_at") == last_hist.get("at") for e in events)):
        audit.append("current_unaudited", None, current=current,
                     switch_at=last_hist.get("at"), switch_by=last_hist.get("by"))
        found.append(f"The current release {current} (made current {last_hist.get('at')} by "
                     f"{last_hist.get('by')}) has no entry in the audit log.")
    return found


def release_zip(release: Release) -> bytes:
    """A release's folder (manifest and Parquet tables) as a zip, for download."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(release.path.iterdir()):
            if path.is_file():
                zf.write(path, f"{release.id}/{path.name}")
    return buf.getvalue()


_CHANGE_LABELS = {"agreements_added": "agreements added", "agreements_ended": "ended",
                  "agreements_changed": "changed", "policy_changes": "policy values",
                  "stance_changes": "state law stances",
                  "reading_changes": "state-law readings"}


def release_history(store: ReleaseStore) -> pd.DataFrame:
    """Every release with who, when, what changed, whether it is or was current, and why this
    version cannot show it ("problem", empty when it can)."""
    current = store.current_id()
    switches = store.history()
    ever = {h["to"] for h in switches}
    rows = []
    for m in reversed(store.list()):
        problem = store.get(m["id"]).format_problem()
        up = m.get("upload") or {}
        ch = m.get("changes") or {}
        rows.append({
            "release": m["id"], "created": m["created"], "by": m.get("built_by"),
            "note": m.get("note", ""), "file": up.get("file_name", ""),
            # Short, so the history table fits the page without scrolling sideways.
            "changes": ", ".join(f"{ch[k]:,} {label}" for k, label in _CHANGE_LABELS.items()
                                 if ch.get(k)),
            "agreements": m["row_counts"].get("agreements"),
            "status": "current" if m["id"] == current else (
                "was current" if m["id"] in ever else "never published"),
            # Why this version cannot show it (an older data format), or "".
            "problem": problem or "",
        })
    return pd.DataFrame(rows)

