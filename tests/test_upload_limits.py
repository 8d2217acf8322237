"""Uploads under the size limit stay small on the server: bounded problem texts, one problem per
repeated agreement (never one per row listing every other row), a capped problem list, and CSV
cells the csv module refuses end in a message.

The memory tests run ``publishing.prepare`` in a fresh Python process against the bundled
release (the real data), after the warm-up a staff server does (``publishing.warm_up``: the
build of the current source set, whose parsed sheets and matches a preview reuses), and
measure the peak of Python allocations (tracemalloc) and the process's peak RSS. Before the
fix, 4,500 / 9,000 / 13,500 copies of one row added 140 / 490 / 1,120 MB (quadratic)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from coopmap import uploads
from coopmap.ice_sheets import (
    MAX_EXPECTED_CHARS,
    MAX_PROBLEMS,
    MAX_VALUE_CHARS,
    MAX_VALUE_ITEMS,
    Problem,
    capped,
)

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE", "SIGNED", "MOA",
          "ADDENDUM"]
ROW = ["TEXAS", "Harris County Sheriff's Office", "County", "Harris", "Jail Enforcement Model",
       "01/02/2025", "", ""]
NAME_CSV = "participatingAgencies05302026am.csv"
NAME_XLSX = "participatingAgencies05302026am.xlsx"

PROBE = r"""
import datetime as dt, json, resource, sys, tracemalloc
from pathlib import Path
from coopmap import paths, publishing, uploads
from coopmap.store import ReleaseStore
release = ReleaseStore(paths.releases_dir()).current()
for name in ("agreements", "sheets", "listings", "agreement_counties", "counties"):
    release.table(name)
# A running staff server has built the current source set once (the staff page warms these
# caches in the background): what is measured is the upload's own cost.
publishing.warm_up(release)
path = Path(sys.argv[1])
rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
up = uploads.intake(path.read_bytes(), sys.argv[2])
cand = publishing.prepare(up, release, today=dt.date(2026, 6, 1))
frame = publishing.problems_frame(cand.problems)
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
print(json.dumps({
    "peak_mb": peak / 2**20,
    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "rss_before_mb": rss_before / 1024,
    "problems": len(cand.problems),
    "frame_chars": int(frame.map(len).to_numpy().sum()),
    "notes": [p.expected for p in cand.problems],
    "publishable": cand.publishable,
}))
"""


def probe(path: Path, name: str) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE, str(path), name], capture_output=True,
                         text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def copies_csv(tmp_path: Path, n: int) -> Path:
    path = tmp_path / NAME_CSV
    path.write_text(",".join(HEADER) + "\n" + (",".join(f'"{c}"' for c in ROW) + "\n") * n,
                    encoding="utf-8")
    return path


def copies_xlsx(tmp_path: Path, n: int) -> Path:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    ws.append(HEADER)
    for _ in range(n):
        ws.append(ROW)
    path = tmp_path / NAME_XLSX
    wb.save(path)
    return path


def test_copies_of_one_row_make_one_bounded_warning_and_little_memory(tmp_path):
    result = probe(copies_csv(tmp_path, 9_000), NAME_CSV)
    # The 8,999 repeats are one warning that counts them and names the first rows.
    repeats = [n for n in result["notes"] if "repeats row 2" in n]
    assert len(repeats) == 1
    assert "row 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 and 8,989 more rows repeats row 2" in repeats[0]
    assert result["problems"] < 10
    assert result["frame_chars"] < 10_000
    # Was +490 MB for 9,000 rows; now the whole check peaks under 60 MB of Python objects.
    assert result["peak_mb"] < 60, result
    assert result["rss_mb"] - result["rss_before_mb"] < 250, result


def test_a_small_xlsx_of_20000_copied_rows_stays_small(tmp_path):
    path = copies_xlsx(tmp_path, 20_000)
    assert path.stat().st_size < 1_000_000  # far under the 10 MB limit
    result = probe(path, NAME_XLSX)
    assert sum("repeats row 2" in n for n in result["notes"]) == 1
    assert result["peak_mb"] < 100, result
    assert result["rss_mb"] - result["rss_before_mb"] < 300, result


def test_problem_texts_are_bounded():
    huge = "x" * 200_000
    p = Problem(huge, huge, 3, huge, [huge] * 20_000, huge, "error")
    assert len(p.file) < MAX_VALUE_CHARS + 40 and len(p.sheet) < MAX_VALUE_CHARS + 40
    assert len(p.column) < MAX_VALUE_CHARS + 40
    assert len(p.expected) < MAX_EXPECTED_CHARS + 40
    assert p.expected.endswith("(199,400 more characters)")
    assert len(p.value) == MAX_VALUE_ITEMS + 1 and p.value[-1] == "… (19,970 more)"
    assert all(len(v) < MAX_VALUE_CHARS + 40 for v in p.value)
    # Short texts are kept exactly as given.
    q = Problem("a.xlsx", "Sheet1", 2, "STATE", "TEXSA", "a US state", "error")
    assert (q.file, q.sheet, q.column, q.value, q.expected) == (
        "a.xlsx", "Sheet1", "STATE", "TEXSA", "a US state")


def test_the_problem_list_is_capped_with_errors_kept_and_the_rest_counted():
    warnings = [Problem("f", "", i, "A", "v", "w", "warning") for i in range(3_000)]
    errors = [Problem("f", "", i, "B", "v", "e", "error") for i in range(1_500)]
    out = capped(warnings + errors)
    assert len(out) == MAX_PROBLEMS + 1
    assert sum(p.severity == "error" for p in out[:-1]) == MAX_PROBLEMS
    assert out[-1].severity == "error"
    assert out[-1].value == "3,500 more problems (500 errors, 3,000 warnings)"
    few = warnings[:5] + errors[:5]
    assert capped(few) is few


def test_a_csv_cell_over_the_csv_limit_is_a_message(tmp_path):
    header = ",".join(HEADER)
    for text in (header + "\nTEXAS," + "x" * 140_000 + ",County\n",
                 header + '\nTEXAS,"' + "x" * 140_000 + '",County\n',
                 "STATE;AGENCY\nTEXAS;" + "x" * 140_000 + "\n"):
        with pytest.raises(uploads.UploadError, match=r"a\.csv, row 2: cannot be read as CSV "
                           r"\(a cell longer than 131,072 characters"):
            uploads.intake(text.encode(), "a.csv")


def test_an_xlsx_cell_of_32767_characters_is_read_with_a_bounded_problem(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(["TEXAS", "y" * 32_767, "County", "Harris", "Not a model", "01/02/2025", "", ""])
    buf = io.BytesIO()
    wb.save(buf)
    path = tmp_path / NAME_XLSX
    path.write_bytes(buf.getvalue())
    result = probe(path, NAME_XLSX)
    assert not result["publishable"]
    assert result["frame_chars"] < 5_000
