"""Staff path: the 2026-05-18 ICE sheet uploaded against a release that does not have it yet.

Setup (not timed): a release built from the real sources without the 2026-05-18 sheet, as the
staff tests do, in a temporary store. Timed, as the staff page does it:

* ``prepare``  intake (file checks) + read + the build of the release's source set with the
  upload added + diff (``publishing.prepare``), with its own breakdown (``read``, ``build``,
  ``diff``); the build reuses what the process parsed and matched before (the base build here,
  the staff page's warm-up in the app). ``prepare_cold_s``: the same in a process that has
  parsed and matched nothing yet;
* ``publish``  write the release and switch CURRENT (``publishing.publish``), each run into a
  fresh copy of that temporary store, never the project's data/releases.

Baseline in the same process: pandas' ``read_excel`` of the same sheet (what a notebook does
before any checking), so the ratio is comparable between machines.

    .venv/bin/python bench/staff_path.py [--runs 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from coopmap import build, paths, publishing
from coopmap.audit import AuditLog
from coopmap.store import ReleaseStore
from coopmap.uploads import intake

SHEET = paths.sources_dir() / "ice_287g" / "latest" / "participatingAgencies05182026am.xlsx"
TODAY = dt.date(2026, 11, 27)


def april_store(folder: Path) -> ReleaseStore:
    """A store whose current release is built from the sources minus the 2026-05-18 sheet."""
    src = folder / "sources"
    shutil.copytree(paths.sources_dir(), src)
    (src / "ice_287g" / "latest" / SHEET.name).unlink()
    for p in (src / "ice_287g" / "monthly_participating").glob("2026-05-18_*"):
        p.unlink()
    store = ReleaseStore(folder / "base")
    build.build_release(src, paths.corrections_dir(), store, built_by="bench",
                        created="2026-05-01T00:00:00Z")
    return store


def run(runs: int = 3) -> dict:
    data = SHEET.read_bytes()
    base_s = []
    for _ in range(runs):
        start = time.perf_counter()
        pd.read_excel(SHEET, engine="openpyxl")
        base_s.append(time.perf_counter() - start)

    with tempfile.TemporaryDirectory(prefix="coopmap-bench-staff-") as tmp:
        folder = Path(tmp)
        setup = time.perf_counter()
        base = april_store(folder)
        setup_s = time.perf_counter() - setup
        release = base.current()
        release.tables()  # the staff page holds the current release in memory already

        prepare_s, breakdown, cand = [], [], None
        for _ in range(runs):
            start = time.perf_counter()
            cand = publishing.prepare(intake(data, SHEET.name), release, today=TODAY,
                                      sources_dir=folder / "sources")
            prepare_s.append(time.perf_counter() - start)
            breakdown.append(dict(cand.timings))
        # A fresh server process: nothing parsed or matched yet (the staff page warms these
        # caches in the background when a staff member signs in).
        build.clear_caches()
        start = time.perf_counter()
        publishing.prepare(intake(data, SHEET.name), release, today=TODAY,
                           sources_dir=folder / "sources")
        cold_s = time.perf_counter() - start
        if not cand.publishable:
            raise RuntimeError(f"the 2026-05-18 sheet did not prepare: {cand.errors[:3]}")

        publish_s = []
        for i in range(runs):
            copy = folder / f"store{i}"
            shutil.copytree(folder / "base", copy)
            store = ReleaseStore(copy)
            start = time.perf_counter()
            published = publishing.publish(store, cand, by="bench", note="bench",
                                           accept_warnings=True,
                                           audit=AuditLog(folder / f"audit{i}.jsonl"))
            publish_s.append(time.perf_counter() - start)
            if store.current_id() != published.id:
                raise RuntimeError("publish did not switch the current release")

    med = statistics.median
    return {
        "baseline_read_excel_s": med(base_s),
        "prepare_s": med(prepare_s),
        "prepare_max_s": max(prepare_s),
        "prepare_cold_s": cold_s,
        "prepare_breakdown_s": {k: med([b.get(k, 0.0) for b in breakdown])
                                for k in breakdown[0]},
        "publish_s": med(publish_s),
        "publish_max_s": max(publish_s),
        "prepare_over_baseline": med(prepare_s) / med(base_s),
        "publish_over_baseline": med(publish_s) / med(base_s),
        "rows": int(cand.changes.counts.get("participating_after", 0)) if cand.changes else None,
        "problems": {"errors": len(cand.errors), "warnings": len(cand.warnings)},
        "setup_build_s": setup_s,
        "runs": runs,
        "targets": {"prepare_s": 1.5, "publish_s": 2.0},
    }


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    result = run(args.runs)
    print(json.dumps({k: v for k, v in result.items()}, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
