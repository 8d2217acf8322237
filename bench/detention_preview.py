"""Staff preview of ICE's newest detention workbook (2026-04-02) against a source set without it.

Setup (not timed): the sources' detention, geography and population folders copied without that
workbook, and one detention build of them (what the running app has done before a staff member
uploads). Timed: ``detention_upload.check``, i.e. read + layout and date checks + the detention
tables rebuilt with the upload + postures + row warnings. Baseline in the same process: pandas'
``read_excel`` of the same workbook's facility sheet.

    .venv/bin/python bench/detention_preview.py [--runs 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from coopmap import detention, detention_upload, paths
from coopmap.store import ReleaseStore
from coopmap.uploads import intake

WORKBOOK = (paths.sources_dir() / "ice_detention" / "ice_detention_stats"
            / "FY26_detentionStats_04092026.xlsx")


class _View:
    def __init__(self, tables: dict):
        self._t = tables

    def table(self, name: str) -> pd.DataFrame:
        return self._t[name]


def run(runs: int = 3) -> dict:
    data = WORKBOOK.read_bytes()
    base_s = []
    for _ in range(runs):
        start = time.perf_counter()
        pd.read_excel(WORKBOOK, sheet_name="Facilities FY26", header=9, engine="openpyxl")
        base_s.append(time.perf_counter() - start)
    current = ReleaseStore(paths.releases_dir()).current()
    with tempfile.TemporaryDirectory(prefix="coopmap-bench-detention-") as tmp:
        src = Path(tmp) / "sources"
        for folder in ("ice_detention", "geo", "population"):
            shutil.copytree(paths.sources_dir() / folder, src / folder)
        (src / "ice_detention" / "ice_detention_stats" / WORKBOOK.name).unlink()
        setup = time.perf_counter()
        built = detention.build(src, paths.corrections_dir())
        setup_s = time.perf_counter() - setup
        view = _View({"counties": current.table("counties"), "states": current.table("states"),
                      "detention_facilities": built.facilities,
                      "detention_population": built.population})
        prepare_s, cpu_s, breakdown, cand = [], [], [], None
        for i in range(runs):
            upload = intake(data, f"{i}_{WORKBOOK.name}")  # a new name: nothing cached for it
            start, cpu = time.perf_counter(), time.process_time()
            cand = detention_upload.check(upload, view, sources_dir=src)
            prepare_s.append(time.perf_counter() - start)
            cpu_s.append(time.process_time() - cpu)
            breakdown.append(dict(cand.timings))
        if not cand.publishable:
            raise RuntimeError(f"the detention workbook did not prepare: {cand.errors[:3]}")
    med = statistics.median
    return {
        "baseline_read_excel_s": med(base_s),
        "preview_s": med(prepare_s),
        "preview_max_s": max(prepare_s),
        # CPU seconds of this process: what the preview costs on a machine that is not shared.
        "preview_cpu_s": med(cpu_s),
        "preview_breakdown_s": {k: med([b.get(k, 0.0) for b in breakdown])
                                for k in breakdown[0]},
        "preview_over_baseline": med(prepare_s) / med(base_s),
        "facilities": cand.summary["facilities"],
        "warnings": len(cand.warnings),
        "setup_build_s": setup_s,
        "runs": runs,
        "targets": {"preview_s": 1.5},
    }


def main(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    result = run(args.runs)
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
