"""Staff path: the 2026-05-18 ICE sheet uploaded against a release that does not have it yet.

Setup (not timed): a release built from the real sources without the 2026-05-18 sheet, as the
staff tests do, in a temporary store, then the staff page's warm-up (``publishing.warm_up``: a
build of that release's source set, which fills the process's caches, and a full garbage
collection). Timed, as the staff page does it (intake of the bytes, then
``publishing.prepare``: read + the build of the release's source set with the upload added +
diff, with its own breakdown ``read``, ``build``, ``diff``):

* ``prepare_new``  a sheet never seen by this process: each run uploads another copy of the
  2026-05-18 sheet with one cell changed (row 5's SIGNED date a day earlier per run), so its
  sha256 is new and nothing of it is cached: it is read, and its rows assembled, for the first
  time. What a staff member does when a new sheet arrives. ``prepare_new_first`` is the first
  of them, which also matches the agencies the 2026-05-18 sheet lists for the first time;
* ``prepare_again``  the same file previewed again (the staff member previews it twice);
* ``prepare_cold``  the unchanged sheet in a process that has parsed and matched nothing yet
  (before the warm-up has run);
* ``publish``  write the release and switch CURRENT (``publishing.publish``), each run into a
  fresh copy of that temporary store, never the project's data/releases.

Wall time and CPU time (``time.process_time``, all threads) are both reported: on a loaded
machine the wall time waits for a core, the CPU time is what the preview costs.

Baseline in the same process: pandas' ``read_excel`` of the same sheet (what a notebook does
before any checking), so the ratio is comparable between machines.

    .venv/bin/python bench/staff_path.py [--runs 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
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


def one_cell_changed(data: bytes, n: int) -> bytes:
    """The workbook with row 5's SIGNED date (cell F5, an Excel serial day) ``n`` days earlier:
    another file (another sha256) that differs from the original in one cell."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            part = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                cell = re.compile(rb'(<c r="F5"[^>]*><v>)(\d+)(</v>)')
                if not cell.search(part):
                    raise RuntimeError("the 2026-05-18 sheet has no numeric F5 cell to change")
                part = cell.sub(lambda m: m.group(1) + str(int(m.group(2)) - n).encode()
                                + m.group(3), part, count=1)
            target.writestr(item, part)
    return out.getvalue()


def _timed(call) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def run(runs: int = 3) -> dict:
    data = SHEET.read_bytes()
    base_s = []
    for _ in range(runs):
        start = time.perf_counter()
        pd.read_excel(SHEET, engine="openpyxl")
        base_s.append(time.perf_counter() - start)
    copies = [one_cell_changed(data, i + 1) for i in range(runs)]

    with tempfile.TemporaryDirectory(prefix="coopmap-bench-staff-") as tmp:
        folder = Path(tmp)
        setup = time.perf_counter()
        base = april_store(folder)
        setup_s = time.perf_counter() - setup
        release = base.current()
        release.tables()  # the staff page holds the current release in memory already
        # What the staff page does after sign-in: a build of the release's own source set.
        warm_s = publishing.warm_up(release, sources_dir=folder / "sources")

        def prepare(payload: bytes):
            return publishing.prepare(intake(payload, SHEET.name), release, today=TODAY,
                                      sources_dir=folder / "sources")

        new, again, breakdown, cand = [], [], [], None
        for payload in copies:
            wall, cpu, cand = _timed(lambda payload=payload: prepare(payload))
            new.append((wall, cpu))
            breakdown.append(dict(cand.timings))
            if not cand.publishable:
                raise RuntimeError(f"the changed sheet did not prepare: {cand.errors[:3]}")
        for _ in range(runs):
            wall, cpu, _ = _timed(lambda: prepare(copies[-1]))
            again.append((wall, cpu))
        # A fresh server process: nothing parsed or matched yet (the staff page warms these
        # caches in the background when a staff member signs in).
        build.clear_caches()
        cold_s, cold_cpu, cand = _timed(lambda: prepare(data))
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
    baseline = med(base_s)
    new_s, new_cpu = med(w for w, _ in new), med(c for _, c in new)
    again_s, again_cpu = med(w for w, _ in again), med(c for _, c in again)
    return {
        "baseline_read_excel_s": baseline,
        # The judged figure: a sheet this process has never seen.
        "prepare_s": new_s,
        "prepare_cpu_s": new_cpu,
        "prepare_max_s": max(w for w, _ in new),
        "prepare_new_first_s": new[0][0],
        "prepare_new_first_cpu_s": new[0][1],
        "prepare_again_s": again_s,
        "prepare_again_cpu_s": again_cpu,
        "prepare_cold_s": cold_s,
        "prepare_cold_cpu_s": cold_cpu,
        "prepare_breakdown_s": {k: med([b.get(k, 0.0) for b in breakdown])
                                for k in breakdown[0]},
        "publish_s": med(publish_s),
        "publish_max_s": max(publish_s),
        "prepare_over_baseline": new_s / baseline,
        "prepare_again_over_baseline": again_s / baseline,
        "publish_over_baseline": med(publish_s) / baseline,
        "rows": int(cand.changes.counts.get("participating_after", 0)) if cand.changes else None,
        "problems": {"errors": len(cand.errors), "warnings": len(cand.warnings)},
        "setup_build_s": setup_s,
        "warm_up_s": warm_s,
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
