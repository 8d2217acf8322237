"""Dashboard speed: first paint of the national county map, websocket bytes, server time of a
filter change, memory per extra session.

    .venv/bin/python bench/bench_dashboard.py [--runs 5]

Runs on the current release (``COOPMAP_DATA_DIR`` moves it). Starts its own Streamlit server on a
free port and stops it at the end. Targets (issue 3): paint < 2.5 s, < 600 KB over the websocket,
filter change < 200 ms median, < 30 MB per extra session.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"]
# The places drawn on the map (coopmap's own SVG map, coopmap.ui.mapview).
COUNTY_AREAS_JS = "document.querySelectorAll('svg.cm-map path.cm-area').length"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ},
    )
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("streamlit did not start")


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def deflated_size(frames: list[bytes]) -> int:
    """Bytes after permessage-deflate with context takeover (one stream, sync flush per frame)."""
    z = zlib.compressobj(6, zlib.DEFLATED, -15)
    return sum(len(z.compress(f) + z.flush(zlib.Z_SYNC_FLUSH)) for f in frames)


def paint(p, url: str) -> dict:
    """A fresh browser: seconds from navigation to >3,000 counties drawn, and the bytes used."""
    browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url
                  else r.abort())
    page = context.new_page()
    frames: list[bytes] = []
    page.on("websocket", lambda ws: ws.on(
        "framereceived", lambda d: frames.append(d if isinstance(d, bytes) else d.encode())))
    static: dict[str, int] = {}

    def on_response(r):
        if "/app/static/" in r.url:
            with contextlib.suppress(Exception):  # body not available for some responses
                static[r.url.rsplit("/", 1)[-1]] = len(r.body())

    page.on("response", on_response)
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_function(f"{COUNTY_AREAS_JS} > 3000", timeout=120000)
    seconds = time.perf_counter() - start
    page.wait_for_timeout(1500)  # let the rest of the page (table) arrive
    result = {"paint_s": round(seconds, 2), "ws_raw_bytes": sum(map(len, frames)),
              "ws_deflated_bytes": deflated_size(frames), "static_bytes": static}
    browser.close()
    return result


def filter_changes(runs: int) -> dict:
    """Server time of filter changes, measured as AppTest reruns of the map page."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from coopmap import postures
    from coopmap.store import default_store

    months = postures.months(default_store().current())
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300).run()
    timings: dict[str, list[float]] = {"layer": [], "state": [], "model": [], "month_new": []}
    layers = ["stance", "detainer_holds", "federal", "count", "model", "jail_access"]
    states = [["12"], ["48"], ["06"], ["13"], ["36"], ["04"]]
    models = [["TFM"], ["JEM"], ["WSO"], ["JEM", "TFM"], ["WSO", "TFM"], []]
    for i in range(runs):
        for kind, key, value in (("layer", "layer", layers[i % len(layers)]),
                                 ("state", "states", states[i % len(states)]),
                                 ("model", "models", models[i % len(models)]),
                                 ("month_new", "month", months[-2 - i])):
            widget = at.selectbox(key=key) if key == "layer" else (
                at.select_slider(key=key) if key == "month" else at.multiselect(key=key))
            widget.set_value(value)
            t0 = time.perf_counter()
            at.run()
            timings[kind].append(time.perf_counter() - t0)
            assert not at.exception, at.exception
    return {k: {"median_ms": round(statistics.median(v) * 1000), "all_ms":
                [round(x * 1000) for x in v]} for k, v in timings.items()}


def memory_per_session(p, url: str, sessions: int, server_pid: int) -> dict:
    browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    before = rss_mb(server_pid)
    pages = []
    for _ in range(sessions):
        page = browser.new_context().new_page()
        page.goto(url)
        page.wait_for_function(f"{COUNTY_AREAS_JS} > 3000", timeout=120000)
        pages.append(page)
    time.sleep(2)
    after = rss_mb(server_pid)
    browser.close()
    return {"server_rss_before_mb": round(before, 1), "server_rss_after_mb": round(after, 1),
            "sessions": sessions, "per_session_mb": round((after - before) / sessions, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=4)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    server = start_server(port)
    out: dict = {}
    try:
        with sync_playwright() as p:
            first = paint(p, url)  # cold server caches
            warm = [paint(p, url) for _ in range(args.runs)]
            out["first_paint_cold_server"] = first
            out["first_paint_warm_median_s"] = statistics.median(w["paint_s"] for w in warm)
            out["first_paint_warm_all_s"] = [w["paint_s"] for w in warm]
            out["ws_raw_bytes"] = warm[-1]["ws_raw_bytes"]
            out["ws_deflated_bytes"] = warm[-1]["ws_deflated_bytes"]
            out["static_bytes"] = warm[-1]["static_bytes"]
            out["memory"] = memory_per_session(p, url, args.sessions, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=20)
    out["filter_change"] = filter_changes(args.runs)
    out["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    out["cpus"] = os.cpu_count()
    print(json.dumps(out, indent=2))
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "dashboard.json").write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
