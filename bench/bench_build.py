"""Benchmark: `coopmap build` and loading the current release, against a naive baseline.

Baseline, run in the same process: what a notebook would do without a release, i.e. read the
newest ICE sheet and the population file straight from the sources with pandas' defaults.
Absolute times drift on shared machines, so the ratios are what to compare between runs.

    .venv/bin/python bench/bench_build.py [--runs 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from coopmap import build, paths, schema
from coopmap.store import ReleaseStore


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def baseline_read() -> None:
    src = paths.sources_dir()
    pd.read_excel(src / "ice_287g" / "latest" / "participatingAgencies05182026am.xlsx")
    pd.read_csv(src / "population" / "co-est2024-alldata.csv", encoding="latin-1")


def load_release() -> None:
    release = ReleaseStore(paths.releases_dir()).current()
    for name in schema.TABLES:
        release.table(name)


def build_once() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        build.build(store=ReleaseStore(Path(tmp) / "releases"), geo_dir=Path(tmp) / "geo")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--build-runs", type=int, default=1)
    parser.add_argument("--json")
    args = parser.parse_args(argv)

    base = timed(baseline_read, args.runs)
    load = timed(load_release, args.runs)
    built = timed(build_once, args.build_runs)
    result = {
        "baseline_read_s": statistics.median(base),
        "load_release_s": statistics.median(load),
        "build_s": statistics.median(built),
        "load_over_baseline": statistics.median(load) / statistics.median(base),
        "build_over_baseline": statistics.median(built) / statistics.median(base),
        "targets": {"build_s": 60, "load_release_s": 0.5},
    }
    print("| measure | median s | ratio to baseline | target |")
    print("| --- | --- | --- | --- |")
    print("| baseline: pandas reads newest ICE sheet + population | "
          f"{result['baseline_read_s']:.3f} | 1.00 | |")
    print(f"| load current release (all tables) | {result['load_release_s']:.3f} | "
          f"{result['load_over_baseline']:.2f} | < 0.5 s |")
    print(f"| coopmap build (into a temp store) | {result['build_s']:.1f} | "
          f"{result['build_over_baseline']:.1f} | < 60 s |")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
