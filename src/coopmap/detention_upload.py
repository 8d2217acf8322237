"""A staff upload of ICE's newest detention-statistics workbook: check it, then rebuild the
detention tables with it through the one detention build (``detention.build``).

ICE posts a workbook every few weeks. The upload must read like the bundled ones (a
"Facilities ..." sheet, the header with Name ... Type Detailed, Level A-D and FYxx ALOS; a
changed layout is an error naming the missing columns) and be newer than the release's newest
workbook. Each facility row that the release does not know yet and that cannot be placed in a
county is a warning naming its row; so is a name no source gives a code for.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from coopmap import detention, detention_postures, paths
from coopmap.detention import UploadedWorkbook
from coopmap.detention_sheets import DetentionRead
from coopmap.ice_sheets import HasProblems, Problem
from coopmap.uploads import Upload

UPLOADS_SOURCE_DIR = "staff/uploads"
TABLES = ("detention_facilities", "detention_population", "detention_monthly",
          "detention_county_postures", "detention_state_postures")


@dataclass
class DetentionCheck(HasProblems):
    """What a detention workbook upload would change, or why it cannot."""

    upload: Upload
    source_file: str
    read: DetentionRead | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    summary: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def publishable(self) -> bool:
        return not self.errors and bool(self.tables)


def is_detention_workbook(upload: Upload) -> bool:
    """True when the file has ICE's facility sheet (the header Name ... Type Detailed)."""
    if upload.kind != "xlsx":
        return False
    for name, rows in upload.sheets.items():
        if not name.strip().casefold().startswith("facilities"):
            continue
        from coopmap.detention_sheets import _find_header

        if _find_header(rows) is not None:
            return True
    return False


def newest_pull(release) -> pd.Timestamp | None:
    pop = release.table("detention_population")
    ice = pop[pop["source_kind"] == "ice_workbook"]
    return ice["data_pull"].max() if len(ice) else None


def check(upload: Upload, release, *, sources_dir: Path | None = None,
          corrections_dir: Path | None = None,
          earlier: tuple[UploadedWorkbook, ...] = (),
          source_file: str | None = None) -> DetentionCheck:
    """Read and check ``upload`` against ``release``; on success ``tables`` holds the release's
    detention tables rebuilt with it (after the ``earlier`` uploads of the source set), the
    upload named ``source_file`` (by default a name under staff/uploads/)."""
    sources_dir = Path(sources_dir) if sources_dir else paths.sources_dir()
    corrections_dir = Path(corrections_dir) if corrections_dir else paths.corrections_dir()
    source_file = source_file or (
        f"{UPLOADS_SOURCE_DIR}/{upload.sha256[:12]}_{_safe(upload.filename)}")
    out = DetentionCheck(upload, source_file)
    file = upload.filename
    if upload.kind != "xlsx":
        out.problems.append(Problem(file, "", None, None, upload.kind,
                                    "ICE's detention-statistics workbook as .xlsx (ICE "
                                    "publishes it as Excel)", "error"))
        return out
    t0 = time.perf_counter()
    workbook = UploadedWorkbook(source_file, upload.data)
    read = detention.read_uploaded(workbook)
    out.read = read
    out.problems += [_renamed(p, file) for p in read.problems]
    out.timings["read"] = time.perf_counter() - t0
    if read.errors:
        return out
    if read.rows.empty:
        out.problems.append(Problem(file, read.sheet, None, None, None,
                                    "at least one facility row", "error"))
        return out
    newest = newest_pull(release)
    if newest is not None and pd.Timestamp(read.data_pull) <= newest:
        out.problems.append(Problem(
            file, read.sheet, None, None, str(read.data_pull),
            f"a workbook whose data pull is after {newest:%Y-%m-%d}, the release's newest "
            "(ICE's title row: 'Data Source: ICE Integrated Decision Support (IIDS), "
            "MM/DD/YYYY')", "error"))
        return out

    t1 = time.perf_counter()
    try:
        built = detention.build(sources_dir, corrections_dir, uploads=(*earlier, workbook))
    except detention.DetentionError as exc:
        out.problems.append(Problem(file, read.sheet, None, None, None, str(exc), "error"))
        return out
    out.timings["build"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    counties, states = release.table("counties"), release.table("states")
    # The postures are validated when the release is written (store.write), as the build's are.
    out.tables = {
        "detention_facilities": built.facilities,
        "detention_population": built.population,
        "detention_monthly": built.monthly,
        "detention_county_postures": detention_postures.county_postures(
            built.monthly, built.facilities, counties, states),
        "detention_state_postures": detention_postures.state_postures(
            built.monthly, built.facilities, states),
    }
    out.timings["postures"] = time.perf_counter() - t2
    _warn_rows(out, built, release, read)
    out.summary = _summary(built, release, read, source_file)
    return out


def _warn_rows(out: DetentionCheck, built: detention.DetentionBuild, release,
               read: DetentionRead) -> None:
    known = set(release.table("detention_facilities")["facility_code"])
    facilities = built.facilities.set_index("facility_code")
    file = out.upload.filename
    for link in built.links:
        if link.source_file != out.source_file:
            continue
        f = facilities.loc[link.code]
        if link.method == "undecided":
            cands = "; ".join(f"{c} {k!r} ({s})" for c, k, s in link.candidates) or "none"
            out.problems.append(Problem(
                file, read.sheet, link.row, "Name", link.name,
                f"a name the sources give an ICE facility code for (kept under the provisional "
                f"key {link.code}; candidates: {cands}; decide it in data/corrections/"
                f"{detention.CROSSWALK_FILE})", "warning"))
        if link.code not in known and f["county_basis"] == "unplaced":
            out.problems.append(Problem(
                file, read.sheet, link.row, "Zip", link.zip,
                f"a new facility placed in a county ({link.name}, {link.state_abbr} "
                f"{link.zip}: {f['county_note']}); it is counted in its state only until a "
                f"reviewed entry in data/corrections/{detention.COUNTIES_FILE} places it",
                "warning"))


def _summary(built: detention.DetentionBuild, release, read: DetentionRead,
             source_file: str) -> dict:
    pop = built.population[built.population["source_file"] == source_file]
    known = set(release.table("detention_facilities")["facility_code"])
    local = pop["type_detailed"].map(detention.agreement_class) == "local_government"
    return {
        "fiscal_year": read.fiscal_year,
        "data_pull": str(read.data_pull),
        "sheet": read.sheet,
        "facilities": len(pop),
        "new_facilities": int((~pop["facility_code"].isin(known)).sum()),
        "adp_local": round(float(pop.loc[local, "adp"].sum()), 1),
        "adp_other": round(float(pop.loc[~local, "adp"].sum()), 1),
        "by_type": pop["type_detailed"].value_counts().to_dict(),
    }


def _renamed(p: Problem, file: str) -> Problem:
    return Problem(file, p.sheet, p.row, p.column, p.value, p.expected, p.severity)


def _safe(name: str) -> str:
    keep = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
    return keep[:80] or "upload.xlsx"
