"""From an uploaded file to a published release: recognise, validate, assemble, preview, publish.

``prepare`` turns an ``Upload`` into a ``Candidate``: the full set of release tables that
publishing it would make current, every problem found (errors block, warnings need an explicit
accept), and the diff against the release it was based on. ``publish`` writes it through the
store, which refuses when someone else published since the preview (``ConflictError``).

An ICE sheet is merged into the current release incrementally, following the same rules as
``coopmap.agreements.build_agreements`` (ids, newest-sheet values, listed months, status), and
only agencies that are new or whose ICE county or type changed are matched again; the rest keep
the reviewed match they have. A policy sheet replaces exactly the rows it names (plus, for a
state-level value whose basis is a state law or court ruling, the counties of that state that
have no local finding: the same inheritance rule as ``coopmap.policies``).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from coopmap import agreements as agreements_mod
from coopmap import changes as changes_mod
from coopmap import ice_sheets, identity, matching, paths, policy_sheet, postures, schema
from coopmap.audit import AuditLog
from coopmap.ice_sheets import HasProblems, Problem
from coopmap.store import ConflictError, Release, ReleaseStore
from coopmap.uploads import Upload, column_letter

KINDS = {"ice": "ICE 287(g) list", "policy": "Policy-findings sheet"}
# Where kept uploads live, relative to the data folder (data/staff/ is git-ignored).
UPLOADS_SOURCE_DIR = "staff/uploads"
_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>|javascript:", re.IGNORECASE)
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


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

    @property
    def publishable(self) -> bool:
        return not self.errors and self.tables is not None


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """Problems as a table for the page: every value as text (never rendered as HTML)."""
    return pd.DataFrame(
        [{"severity": p.severity, "file": p.file, "sheet": p.sheet or "",
          "row": "" if p.row is None else str(p.row), "column": p.column or "",
          "value": "" if p.value is None else str(p.value), "expected": p.expected}
         for p in problems],
        columns=["severity", "file", "sheet", "row", "column", "value", "expected"],
    )


def _ice_header(upload: Upload) -> tuple[str, int, list] | None:
    """(sheet, row index, cells) of the first row naming at least two of ICE's columns."""
    known = {ice_sheets._header_key(h) for h in ice_sheets.COLUMNS}
    for name, rows in upload.sheets.items():
        for i, row in enumerate(rows[: ice_sheets.MAX_HEADER_ROW]):
            if len({ice_sheets._header_key(c) for c in row} & known) >= 2:
                return name, i, row
    return None


def detect_kind(upload: Upload) -> str | None:
    """'ice' or 'policy' from the header row; None when neither is recognised."""
    for rows in upload.sheets.values():
        if policy_sheet.find_header(rows[: ice_sheets.MAX_HEADER_ROW]) is not None:
            return "policy"
    return "ice" if _ice_header(upload) is not None else None


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
    """Validate ``upload`` against ``release`` and assemble the candidate release."""
    kind = detect_kind(upload)
    base_id = release.id if release is not None else None
    if release is None:
        return Candidate(kind or "unknown", upload, None, "No current release", [Problem(
            upload.filename, "", None, None, None,
            "a current release to update (run `coopmap build` first)", "error")])
    if kind == "ice":
        cand = _prepare_ice(upload, release, list_kind=list_kind, sheet_date=sheet_date,
                            today=today or dt.date.today(), sources_dir=sources_dir,
                            corrections_dir=corrections_dir)
    elif kind == "policy":
        cand = _prepare_policy(upload, release, today=today or dt.date.today(), by=by)
    else:
        cand = None
    if cand is not None:
        cand.problems = ice_sheets.capped(cand.problems)  # bounded, whatever the file holds
        return cand
    return Candidate("unknown", upload, base_id, "Not recognised", [Problem(
        upload.filename, "", None, None, None,
        "either an ICE 287(g) list (columns STATE, LAW ENFORCEMENT AGENCY, SUPPORT TYPE, ...) "
        "or the policy-findings template (columns Dimension, Value, ...)", "error")])


def _finish(candidate: Candidate, release: Release, tables: dict[str, pd.DataFrame],
            changed: tuple[str, ...]) -> None:
    """Validate the tables the upload changed (postures validate themselves; the rest come
    validated from the release), then diff."""
    checked = dict(tables)
    for name in changed:
        try:
            checked[name] = schema.validate(name, tables[name])
        except schema.SchemaError as exc:
            candidate.problems.append(Problem(candidate.upload.filename, "", None, name, None,
                                              f"a valid {name} table: {exc}", "error"))
    if candidate.errors:
        return
    candidate.tables = checked
    candidate.changes = changes_mod.diff(release, checked)


# --- ICE sheets -----------------------------------------------------------------------------


def _prepare_ice(upload, release, *, list_kind, sheet_date, today, sources_dir,
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
    tables = {name: release.table(name) for name in schema.TABLES}
    sheets = tables["sheets"]
    month = date.strftime("%Y-%m")
    same_list = sheets[sheets["list"] == kind]
    newest = same_list["month"].max() if len(same_list) else None
    if newest is not None and month < newest:
        cand.problems.append(Problem(file, "", None, None, date.isoformat(),
                                     f"a list newer than the release's newest {kind} list "
                                     f"({newest}); older lists cannot be added here", "error"))
        return cand
    existing = same_list[same_list["month"] == month]
    if len(existing) and existing["sheet_date"].iloc[0].date() >= date:
        cand.problems.append(Problem(file, "", None, None, date.isoformat(),
                                     f"a list dated after {existing['sheet_date'].iloc[0]:%Y-%m-%d}"
                                     f", which the release already has for {month}", "error"))
        return cand

    with tempfile.TemporaryDirectory(prefix="coopmap-upload-") as tmp:
        path = upload.write_normalised(Path(tmp))
        try:
            read = ice_sheets.read_sheet(path, list_kind=kind)
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
    rows = read.rows.copy()
    sheet_label = read.sheet
    rows = _check_ice_cells(upload, read, rows, date, cand, sheet_label)
    if rows.empty and not cand.errors:
        cand.problems.append(Problem(file, sheet_label, None, None, None,
                                     "at least one agreement row", "error"))
    if cand.errors:
        return cand

    source_file = f"{UPLOADS_SOURCE_DIR}/{upload.sha256[:12]}_{_safe(upload.filename)}"
    t1 = time.perf_counter()
    merged, match_problems = merge_ice_sheet(
        tables, rows, list_kind=kind, sheet_date=date, source_file=source_file,
        layout=read.layout, sources_dir=sources_dir, corrections_dir=corrections_dir,
        file=file, sheet=sheet_label,
    )
    cand.problems.extend(match_problems)
    cand.timings["merge"] = time.perf_counter() - t1
    as_of = dict(release.as_of)
    part = merged["sheets"][merged["sheets"]["list"] == kind]
    as_of[kind] = part["sheet_date"].max().strftime("%Y-%m-%d")
    as_of[f"{kind}_month"] = part["month"].max()
    if kind == "participating":
        as_of["last_month"] = part["month"].max()
    cand.data_as_of = as_of
    t2 = time.perf_counter()
    _finish(cand, release, merged, ("agreements", "agreement_counties", "listings", "sheets"))
    if cand.changes is not None:
        c = cand.changes.counts
        # A partial list (a filtered export, a cut-off copy) would end most agreements: ask.
        if c["agreements_ended"] > max(25, 0.1 * c["active_before"]):
            cand.problems.append(Problem(
                file, sheet_label, None, None, f"{len(rows):,} rows",
                f"ICE's complete list: this one would end {c['agreements_ended']:,} of the "
                f"{c['active_before']:,} listed agreements; check it is not a partial copy",
                "warning"))
    cand.timings["validate_diff"] = time.perf_counter() - t2
    return cand


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
    for r in rows.itertuples():
        for col, label in (("agency", "LAW ENFORCEMENT AGENCY"), ("ice_county", "COUNTY")):
            value = getattr(r, col)
            if isinstance(value, str) and _HTML.search(value):
                cand.problems.append(Problem(file, sheet_label, int(r.row), label, value,
                                             "plain text (looks like HTML or script: stored "
                                             "and shown as text)", "warning"))
    return rows[~rows["row"].isin(bad_rows)]


def merge_ice_sheet(
    tables: dict[str, pd.DataFrame],
    rows: pd.DataFrame,
    *,
    list_kind: str,
    sheet_date: dt.date,
    source_file: str,
    layout: tuple[str, ...],
    sources_dir: Path | None = None,
    corrections_dir: Path | None = None,
    file: str = "",
    sheet: str = "",
) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """The release tables with one more ICE sheet (``rows`` as read by ``read_sheet``)."""
    month = sheet_date.strftime("%Y-%m")
    stamp = pd.Timestamp(sheet_date)
    rows = rows.copy()
    rows["agency_norm"] = [agreements_mod.agency_norm(s, a)
                           for s, a in zip(rows["state_abbr"], rows["agency"], strict=True)]
    rows = agreements_mod.apply_identities(rows, identity.load(
        corrections_dir if corrections_dir is not None else paths.corrections_dir()))
    rows["_key"] = rows["state_abbr"] + "|" + rows["agency_norm"]
    rows = rows.sort_values("row", ignore_index=True)
    problems: list[Problem] = []
    # One warning per repeated agreement (at its first repeating row), with a bounded note:
    # never one per row, each naming every other row (quadratic in a file of copied rows).
    repeats = agreements_mod.repeated_rows(rows)
    for rep in repeats:
        problems.append(Problem(file, sheet, rep.rows[0], "LAW ENFORCEMENT AGENCY",
                                rep.agency, f"one row per agreement; {rep.note}", "warning"))
    first_rows = rows.drop_duplicates("agreement_id").set_index("agreement_id")

    # sheets and listings: this list's month is replaced (a newer list of the same month).
    sheets = tables["sheets"]
    sheets = sheets[~((sheets["list"] == list_kind) & (sheets["month"] == month))]
    sheets = pd.concat([sheets, pd.DataFrame([{
        "list": list_kind, "month": month, "sheet_date": stamp, "source_file": source_file,
        "layout": ", ".join(layout), "rows": len(rows), "agreements": len(first_rows),
        "note": agreements_mod.repeats_note(repeats) or pd.NA,
    }])], ignore_index=True).sort_values(["list", "month"], ignore_index=True)
    listings = tables["listings"]
    listings = listings[~((listings["list"] == list_kind) & (listings["month"] == month))]
    listings = pd.concat([listings, pd.DataFrame({
        "agreement_id": first_rows.index, "list": list_kind, "month": month,
        "signed": first_rows["signed"].to_numpy(), "agency": first_rows["agency"].to_numpy(),
    })], ignore_index=True).sort_values(["agreement_id", "list", "month"], ignore_index=True)

    # agreements: the newest sheet gives name, signed, links, source; COUNTY and TYPE when given.
    old = tables["agreements"].set_index("agreement_id")
    old_keys = old["state_abbr"] + "|" + pd.Series(
        [agreements_mod.agency_norm(s, a) for s, a in zip(old["state_abbr"], old["agency"],
                                                           strict=True)], index=old.index)
    new_ids = first_rows.index.difference(old.index)
    out = pd.concat([old, pd.DataFrame(index=new_ids)])
    out.index.name = "agreement_id"
    out["_key"] = pd.concat([old_keys, first_rows.loc[new_ids, "_key"]])
    on_sheet = first_rows.index
    for col in ("state_fips", "state_abbr", "agency", "model", "moa_url", "addendum_url"):
        out.loc[on_sheet, col] = first_rows[col]
    out.loc[on_sheet, "signed"] = first_rows["signed"] if list_kind == "participating" else pd.NaT
    out.loc[on_sheet, "source_file"] = source_file
    out.loc[on_sheet, "source_date"] = stamp
    county_given = first_rows["ice_county"].notna()
    out.loc[first_rows.index[county_given], "ice_county"] = first_rows.loc[county_given,
                                                                           "ice_county"]
    type_given = first_rows["agency_type"].notna()
    typed_ids = first_rows.index[type_given]
    out.loc[typed_ids, "agency_type"] = first_rows.loc[type_given, "agency_type"]
    out.loc[typed_ids, "agency_type_basis"] = "ice_type_column"
    untyped_new = new_ids.difference(typed_ids)
    if len(untyped_new):
        known = out.loc[out.index.difference(untyped_new)].dropna(subset=["agency_type"])
        by_agency = known.drop_duplicates("_key").set_index("_key")["agency_type"]
        keys = out.loc[untyped_new, "_key"]
        found = keys.isin(by_agency.index)
        out.loc[untyped_new[found.to_numpy()], "agency_type"] = keys[found].map(by_agency)
        out.loc[untyped_new[found.to_numpy()], "agency_type_basis"] = "other_sheet"
        rest = untyped_new[~found.to_numpy()]
        out.loc[rest, "agency_type"] = [agreements_mod.agency_type_from_name(a)
                                        for a in out.loc[rest, "agency"]]
        out.loc[rest, "agency_type_basis"] = "agency_name"
    out.loc[new_ids, "is_sheriff"] = [agreements_mod.is_sheriff(a)
                                      for a in out.loc[new_ids, "agency"]]

    # Listed months and status, from the listings (as the build does).
    out = agreements_mod.listing_status(out, listings, sheets.groupby("list")["month"].max())

    # Matching: only agencies that are new, or whose COUNTY or TYPE on this sheet changed, or
    # that gained a model; the others keep the match (and reviewed notes) they have.
    old_counties: dict[str, set] = {}
    old_types: dict[str, set] = {}
    for key, county, atype in zip(old_keys, old["ice_county"], old["agency_type"], strict=True):
        old_counties.setdefault(key, set())
        old_types.setdefault(key, set())
        if isinstance(county, str):
            old_counties[key].add(county)
        if isinstance(atype, str):
            old_types[key].add(atype)
    keys_with_new_ids = set(first_rows.loc[new_ids, "_key"])
    keys_on_sheet = first_rows.drop_duplicates("_key").set_index("_key")
    rematch = [
        key for key, county, atype in zip(keys_on_sheet.index, keys_on_sheet["ice_county"],
                                          keys_on_sheet["agency_type"], strict=True)
        if key not in old_counties or key in keys_with_new_ids
        or (isinstance(county, str) and county not in old_counties[key])
        or (isinstance(atype, str) and atype not in old_types[key])
    ]
    counties_tbl = tables["agreement_counties"]
    rematch_ids = out.index[out["_key"].isin(rematch)]
    ac = counties_tbl[~counties_tbl["agreement_id"].isin(rematch_ids)]
    if rematch:
        agency_type_of = out.loc[rematch_ids].drop_duplicates("_key").set_index("_key")[
            "agency_type"]
        agencies = []
        for key in rematch:
            r = keys_on_sheet.loc[key]
            older = old.loc[old_keys.index[old_keys == key], "ice_county"]
            cells = [r["ice_county"]] if pd.notna(r["ice_county"]) else []
            cells += [c for c in older.dropna().unique() if c not in cells]
            agencies.append({
                "state_abbr": r["state_abbr"], "state_fips": r["state_fips"],
                "agency": r["agency"], "agency_norm": r["agency_norm"],
                "agency_type": agency_type_of[key],
                "ice_counties": tuple(cells),
                "ice_county_newest": r["ice_county"],
            })
        answer = matching.match_agencies(pd.DataFrame(agencies), sources_dir=sources_dir,
                                         corrections_dir=corrections_dir)
        answer.index = rematch
        keys = out.loc[rematch_ids, "_key"]
        for col in ("jurisdiction_level", "match_method", "match_note"):
            out.loc[rematch_ids, col] = keys.map(answer[col]).to_numpy()
        out.loc[rematch_ids, "county_fips"] = [
            t[0] if len(t) else pd.NA for t in keys.map(answer["county_fips_list"])]
        pairs = [(aid, f, answer.at[key, "match_method"])
                 for aid, key in zip(rematch_ids, keys, strict=True)
                 for f in dict.fromkeys(answer.at[key, "county_fips_list"])]
        unmatched = answer.index[answer["match_method"] == "unmatched"]
        bad = rows[rows["_key"].isin(unmatched)]
        for row, key, county, st, agency in zip(bad["row"], bad["_key"], bad["ice_county"],
                                                bad["state_abbr"], bad["agency"], strict=True):
            problems.append(Problem(
                file, sheet, int(row), "COUNTY", None if pd.isna(county) else county,
                f"a county of {st} for {agency}: not matched ({answer.at[key, 'match_note']}); "
                "it will be listed as unmatched", "warning"))
        ac = pd.concat([ac, pd.DataFrame(pairs, columns=schema.AGREEMENT_COUNTIES.columns)],
                       ignore_index=True)
    ac = ac.sort_values(["agreement_id", "county_fips"], ignore_index=True)

    new_tables = dict(tables)
    new_tables["sheets"] = _conform("sheets", sheets)
    new_tables["listings"] = _conform("listings", listings)
    new_tables["agreements"] = _conform("agreements", out.reset_index().sort_values(
        "agreement_id", ignore_index=True))
    new_tables["agreement_counties"] = _conform("agreement_counties", ac)
    _recompute_postures(new_tables)
    return new_tables, problems


def _conform(name: str, df: pd.DataFrame) -> pd.DataFrame:
    return schema.conform(name, df)


class _Tables:
    def __init__(self, tables):
        self._t = tables

    def table(self, name):
        return self._t[name]


def _recompute_postures(tables: dict[str, pd.DataFrame]) -> None:
    view = _Tables(tables)
    month = postures.months(view)[-1]
    tables["county_postures"] = postures.county_postures(view, month)
    tables["state_postures"] = postures.state_postures(view, month,
                                                       counties=tables["county_postures"])


# --- Policy sheets --------------------------------------------------------------------------

INHERITING_BASES = ("state_law", "court_ruling")


def _prepare_policy(upload, release, *, today, by) -> Candidate:
    cand = Candidate("policy", upload, release.id, "Policy-findings sheet")
    read = policy_sheet.read_policy_sheet(upload, today=today)
    cand.problems.extend(read.problems)
    if cand.errors:
        return cand
    cand.description = f"Policy-findings sheet: {len(read.findings)} findings"
    tables = {name: release.table(name) for name in schema.TABLES}
    tables.update(apply_policy_findings(tables, read.findings, upload=upload, by=by))
    _recompute_postures(tables)
    cand.data_as_of = dict(release.as_of)
    _finish(cand, release, tables, ("policies", "state_laws"))
    return cand


def apply_policy_findings(tables: dict[str, pd.DataFrame], findings: pd.DataFrame, *,
                          upload: Upload, by: str = "coopmap staff") -> dict[str, pd.DataFrame]:
    """New ``policies`` and ``state_laws`` tables with the findings applied."""
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
            by, "reviewed", None,
            f"{UPLOADS_SOURCE_DIR}/{upload.sha256[:12]}_{_safe(upload.filename)}",
        ]
    return {
        "policies": _conform("policies", policies.reset_index()),
        "state_laws": _conform("state_laws", laws.reset_index()),
    }


# --- Publishing -----------------------------------------------------------------------------


def _safe(name: str) -> str:
    return _SAFE_NAME.sub("_", name)[:80] or "upload"


def kept_name(upload: Upload) -> str:
    """The kept upload's file name (content-addressed), as the release's sources name it."""
    return f"{upload.sha256[:12]}_{_safe(upload.filename)}"


def keep_upload(upload: Upload, folder: Path | None = None) -> Path:
    """Keep the uploaded bytes (content-addressed) so a published release can be traced back."""
    folder = Path(folder) if folder else paths.data_dir() / UPLOADS_SOURCE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / kept_name(upload)
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(upload.data)
        tmp.replace(path)
    return path


def publish(
    store: ReleaseStore,
    candidate: Candidate,
    *,
    by: str,
    note: str = "",
    accept_warnings: bool = False,
    audit: AuditLog | None = None,
    uploads_dir: Path | None = None,
) -> Release:
    """Publish a candidate as the new current release; ConflictError if the base moved.

    Order, so that a crash at any point leaves nothing that lies: the release is written (not
    current), then under the store's lock the upload is kept and the audit entry written, then
    the pointer moves and the history line (holding the audit entry's hash) is appended. Two
    publishers of the same content get one release and one ConflictError, as for any other."""
    if not candidate.publishable:
        raise PublishError("This file has errors; fix them and upload it again. Nothing was "
                           "published.")
    if candidate.warnings and not accept_warnings:
        raise PublishError(f"Accept the {len(candidate.warnings)} warning(s) before publishing.")
    if candidate.changes is not None and candidate.changes.empty:
        raise PublishError("Nothing to publish: the upload changes nothing.")
    up = candidate.upload
    base = store.get(candidate.base_id) if candidate.base_id else None
    sources = list(base.manifest.get("sources", [])) if base else []
    sources.append({"path": f"{UPLOADS_SOURCE_DIR}/{kept_name(up)}", "bytes": up.size,
                    "sha256": up.sha256})
    extra = {
        "upload": {"file_name": up.filename, "sha256": up.sha256, "bytes": up.size,
                   "kind": candidate.kind, "description": candidate.description,
                   "warnings_accepted": len(candidate.warnings)},
        "changes": candidate.changes.counts if candidate.changes else {},
    }
    for key in ("geometry",):
        if base and key in base.manifest:
            extra[key] = base.manifest[key]

    def before_switch(release: Release, now: str | None) -> dict | None:
        keep_upload(up, uploads_dir)
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


def startup_check(store: ReleaseStore, audit: AuditLog, uploads_dir: Path | None = None,
                  *, min_age: float = 600.0) -> list[str]:
    """Once per server process: remove the leftovers of writes cut off by a crash, and check
    that the current release and the records agree (the audit entry of the last switch, the
    history line). What it finds and does is written to the audit log and returned as text.

    ``min_age``: a kept-upload temporary file younger than this (seconds) may belong to a
    publish in progress in another process and is left alone."""
    found: list[str] = []
    removed = store.remove_leftovers()
    removed += _remove_orphan_uploads(store, uploads_dir, min_age)
    if removed:
        audit.append("leftovers_removed", None, removed=removed)
        found.append(f"Removed leftovers of interrupted writes: {', '.join(removed)}.")
    with store.lock():
        found += _reconcile(store, audit)
    return found


def _remove_orphan_uploads(store: ReleaseStore, folder: Path | None, min_age: float
                           ) -> list[str]:
    """Kept uploads no release names (a publish that never happened), and partial copies."""
    folder = Path(folder) if folder else paths.data_dir() / UPLOADS_SOURCE_DIR
    if not folder.exists():
        return []
    named = {Path(s.get("path", "")).name for m in store.list() for s in m.get("sources", [])}
    now = time.time()
    removed = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name in named:
            continue
        if now - path.stat().st_mtime < min_age:
            continue  # may be a publish in progress elsewhere (kept, release not yet written)
        path.unlink(missing_ok=True)
        removed.append(f"{UPLOADS_SOURCE_DIR}/{path.name}")
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
    """Every release with who, when, what changed and whether it is or was current."""
    current = store.current_id()
    switches = store.history()
    ever = {h["to"] for h in switches}
    rows = []
    for m in reversed(store.list()):
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
        })
    return pd.DataFrame(rows)

