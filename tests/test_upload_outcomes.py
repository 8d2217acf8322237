"""Upload outcomes on the real 2026-05-18 list: the list the release already has (in any of its
variants) previews as "no change" with every row checked; a list without hyperlinks keeps the
release's MOA and addendum links for the same agreements and says so; repeated rows and markup
are decisions staff confirm; non-http(s) links are refused with their row; errors come first."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from staff_fixtures import SHEET

from coopmap import paths, publishing
from coopmap.ice_sheets import Problem
from coopmap.store import ReleaseStore
from coopmap.uploads import intake

CORPUS = Path(__file__).parent / "corpus"
TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def current():
    """The bundled release (built from data/sources, the 2026-05-18 list included)."""
    release = ReleaseStore(paths.releases_dir()).current()
    release.tables()
    return release


@pytest.fixture(scope="module")
def may_cells() -> list[list]:
    """The 2026-05-18 list's cells as values (a 'link' cell stays the text 'link')."""
    ws = openpyxl.load_workbook(SHEET, data_only=True).worksheets[0]
    return [[c.value for c in row] for row in ws.iter_rows()]


def _csv(cells: list[list], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    for row in cells:
        writer.writerow(["" if v is None else v.strftime("%m/%d/%Y")
                         if isinstance(v, dt.datetime) else v for v in row])
    return buf.getvalue().encode(encoding)


def _titled_reordered_xlsx() -> bytes:
    """Two title rows, the columns in reverse order, headers respelled in case and spacing, and
    the MOA hyperlinks kept on their cells."""
    src = openpyxl.load_workbook(SHEET).worksheets[0]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ICE 287(g) participating agencies"])
    ws.append(["as of May 18, 2026"])
    width = src.max_column
    for i, row in enumerate(src.iter_rows()):
        cells = list(reversed(row[:width]))
        for j, c in enumerate(cells, start=1):
            value = c.value
            if i == 0 and isinstance(value, str):
                value = "  " + value.title().replace(" ", "  ") + " "
            out = ws.cell(row=i + 3, column=j, value=value)
            if c.hyperlink is not None and c.hyperlink.target:
                out.hyperlink = c.hyperlink.target
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _prepare(data: bytes, name: str, release, **kwargs) -> publishing.Candidate:
    return publishing.prepare(intake(data, name), release, today=TODAY, **kwargs)


VARIANTS = {
    "the same file": lambda cells: (SHEET.read_bytes(), SHEET.name),
    "title rows, reordered and respelled headers": lambda cells: (
        _titled_reordered_xlsx(), "participatingAgencies05182026am.xlsx"),
    "CSV": lambda cells: (_csv(cells), "participatingAgencies05182026am.csv"),
    "semicolons": lambda cells: (_csv(cells, delimiter=";"),
                                 "participatingAgencies05182026am.csv"),
    # What Excel on Windows saves as "CSV": Latin-1 with Windows' curly apostrophes (cp1252).
    "Latin-1": lambda cells: (_csv(cells, encoding="cp1252"),
                              "participatingAgencies05182026am.csv"),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_the_current_list_again_is_no_change(variant, current, may_cells):
    data, name = VARIANTS[variant](may_cells)
    cand = _prepare(data, name, current)
    assert cand.errors == [], cand.errors[:3]
    assert cand.changes is not None and cand.changes.empty
    assert cand.notes and cand.notes[0].startswith("No change: the 1,843 rows of this file")
    assert "the list the release already has" in cand.description
    with pytest.raises(publishing.PublishError, match="changes nothing"):
        publishing.publish(ReleaseStore(current.path.parent), cand, by="alice",
                           accept_warnings=True, accept_decisions=True)


def test_a_different_list_of_the_same_date_is_refused(current, may_cells):
    cells = [may_cells[0], *may_cells[2:]]  # one agreement row fewer
    cand = _prepare(_csv(cells), "participatingAgencies05182026am.csv", current)
    assert not cand.publishable
    assert "has other rows than that list" in cand.errors[0].expected


def test_a_list_without_hyperlinks_keeps_the_release_links(current, may_cells, tmp_path):
    """A later list saved as CSV (its 'link' cells lost their hyperlinks), one agreement gone:
    every other agreement keeps its MOA and addendum link, and the preview says how many."""
    cells = [may_cells[0], *may_cells[2:]]
    dropped = may_cells[1]
    before = current.table("agreements").set_index("agreement_id")
    cand = _prepare(_csv(cells), "participatingAgencies05252026am.csv", current)
    assert cand.publishable, cand.errors[:3]
    kept = [n for n in cand.notes if "kept from the release" in n]
    assert len(kept) == 1
    after = cand.tables["agreements"].set_index("agreement_id")
    active = after[after["status"] == "participating"]
    assert len(active) == (before["status"] == "participating").sum() - 1
    for col in ("moa_url", "addendum_url"):
        pd.testing.assert_series_equal(active[col], before.loc[active.index, col])
    n_moa = int(active["moa_url"].notna().sum())
    n_add = int(active["addendum_url"].notna().sum())
    assert n_moa > 1600 and n_add > 40
    assert f"{n_moa:,} MOA and {n_add:,} addendum links are kept" in kept[0]
    changed = set(cand.changes.agreements_changed["field"])
    assert not changed & {"moa_url", "addendum_url"}
    assert cand.changes.counts["agreements_ended"] == 1
    assert cand.changes.agreements_ended["agency"].tolist() == [dropped[1].strip()]

    shutil.copytree(current.path.parent, tmp_path / "releases",
                    ignore=shutil.ignore_patterns(".lock"))
    store = ReleaseStore(tmp_path / "releases")
    published = publishing.publish(store, cand, by="alice", accept_warnings=True,
                                   accept_decisions=True)
    links = published.table("agreements").set_index("agreement_id").loc[active.index]
    assert int(links["moa_url"].notna().sum()) == n_moa


def _ice_xlsx(rows: list[list], hyperlinks: dict[tuple[int, int], str] | None = None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    for (r, c), target in (hyperlinks or {}).items():
        ws.cell(row=r, column=c).hyperlink = target
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


HEADER = ["STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE", "SIGNED", "MOA",
          "ADDENDUM"]
ROW = ["ALABAMA", "Autauga County Sheriff's Office", "County", "Autauga",
       "Jail Enforcement Model", dt.datetime(2025, 3, 1)]


@pytest.mark.parametrize("moa, hyperlink", [
    ("javascript:alert(1)", None),
    ("link", "javascript:alert(document.cookie)"),
    ("data:text/html,<script>alert(1)</script>", None),
    ("link", "file:///etc/passwd"),
])
def test_non_http_links_are_refused_with_their_row(current, moa, hyperlink):
    rows = [HEADER, [*ROW, "link", None], [*ROW[:1], "Baldwin County Sheriff's Office",
                                            "County", "Baldwin", *ROW[4:], moa, None]]
    links = {(2, 7): "https://www.ice.gov/doclib/287gMOA/x.pdf"}
    if hyperlink:
        links[(3, 7)] = hyperlink
    cand = _prepare(_ice_xlsx(rows, links), "participatingAgencies06012026am.xlsx", current)
    assert not cand.publishable
    refused = [p for p in cand.errors if p.column == "MOA"]
    assert [(p.row, p.value) for p in refused] == [(3, hyperlink or moa)]
    assert "an http(s) link" in refused[0].expected


def test_repeated_rows_and_markup_are_decisions(current, tmp_path):
    store_dir = tmp_path / "releases"
    shutil.copytree(current.path.parent, store_dir, ignore=shutil.ignore_patterns(".lock"))
    store = ReleaseStore(store_dir)
    dup = _prepare((CORPUS / "ice_duplicate_rows.xlsx").read_bytes(),
                   "participatingAgencies06012026am.xlsx", store.current())
    assert dup.errors == [] and len(dup.decisions) == 1
    decision = dup.decisions[0]
    assert decision.column == "LAW ENFORCEMENT AGENCY"
    assert "the first row of each is used" in decision.expected
    assert not [p for p in dup.warnings if "one row per agreement" in p.expected]
    with pytest.raises(publishing.PublishError, match="Confirm the 1 decision"):
        publishing.publish(store, dup, by="alice", accept_warnings=True)
    html = _prepare((CORPUS / "ice_html_text.xlsx").read_bytes(),
                    "participatingAgencies06012026am.xlsx", store.current())
    marked = [d for d in html.decisions if "look like HTML or script" in d.expected]
    assert {d.column for d in marked} == {"LAW ENFORCEMENT AGENCY", "COUNTY"}  # one per column
    assert all(d.row is not None for d in marked)
    assert not [p for p in html.warnings if "HTML" in p.expected]
    published = publishing.publish(store, html, by="alice", accept_warnings=True,
                                   accept_decisions=True)
    assert store.current_id() == published.id


def test_a_sheet_of_repeated_rows_gives_one_short_decision(current):
    rows = [HEADER] + [[*ROW, None, None]] * 3000
    cand = _prepare(_ice_xlsx(rows), "participatingAgencies06012026am.xlsx", current)
    assert len(cand.decisions) == 1
    assert cand.decisions[0].value == "2,999 repeated rows"
    assert "and 2,989 more rows repeats row 2" in cand.decisions[0].expected
    assert len(cand.decisions[0].expected) < 600


def test_errors_come_first_with_counts_by_kind(current):
    cand = _prepare((CORPUS / "ice_bad_dates.xlsx").read_bytes(),
                    "participatingAgencies06012026am.xlsx", current)
    problems = [*cand.problems,
                Problem("x.xlsx", "", 9, "MOA", "y", "'link', 'link pending' or a URL", "warning")]
    frame = publishing.problems_frame(list(reversed(problems)))
    order = frame["severity"].map(publishing.SEVERITY_ORDER).tolist()
    assert order == sorted(order) and frame["severity"].iloc[0] == "error"
    counts = publishing.problem_counts(problems)
    assert counts["severity"].iloc[0] == "error"
    assert counts["count"].sum() == len(problems)
    assert "SIGNED: a date" in set(counts["kind"])
