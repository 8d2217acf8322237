"""First paint of the national county map: an earlier commit against the working tree, loads
interleaved in one Chromium (issue 12: "within 10 % of before zoom", before = 7cf513f).

The earlier commit is unpacked with ``git archive`` into a temporary folder and served from its
own ``src/`` and data; both servers run at once, each gets two warm-up loads, then ``--runs``
loads each in alternating order (A B, B A, ...), each in a fresh browser context.

    .venv/bin/python bench/paint_ab.py [--before 7cf513f] [--runs 12]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pageload  # noqa: E402


def run(before: str, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="coopmap-ab-") as tmp:
        old = Path(tmp)
        archive = subprocess.run(["git", "archive", before], cwd=pageload.ROOT, check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
        with sync_playwright() as p:
            browser = pageload.launch(p)
            servers = {"before": pageload.Server(old / "dashboard.py", cwd=old,
                                                 env={"PYTHONPATH": str(old / "src")})}
            try:
                servers["now"] = pageload.app_server()
                for server in servers.values():
                    for _ in range(2):
                        pageload.load_once(browser, server.url)
                paint: dict[str, list[float]] = {"before": [], "now": []}
                for i in range(runs):
                    for name in (("before", "now") if i % 2 == 0 else ("now", "before")):
                        paint[name].append(pageload.load_once(browser, servers[name].url)
                                           ["paint_ms"])
            finally:
                for server in servers.values():
                    server.stop()
                browser.close()
    out = {name: pageload.summarise(values) for name, values in paint.items()}
    out["ratio"] = statistics.median(paint["now"]) / statistics.median(paint["before"])
    out["before_commit"] = before
    return out


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", default="7cf513f")
    parser.add_argument("--runs", type=int, default=12)
    args = parser.parse_args(argv)
    result = run(args.before, args.runs)
    for name in ("before", "now"):
        print(name, result[name])
    print(f"ratio now / before: {result['ratio']:.3f} (target <= 1.10)")


if __name__ == "__main__":
    main(sys.argv[1:])
