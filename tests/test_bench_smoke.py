"""The benchmark harness (bench/) imports, counts bytes exactly, and writes its table.

The benchmarks themselves run with `python3 run.py bench --smoke` (CI) or in full on demand;
these checks are fast and need no browser.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import importlib.util
import json
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import interaction  # noqa: E402
import load  # noqa: E402
import pageload  # noqa: E402

# bench/run.py by path: the project's own run.py has the same module name.
_spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
bench_run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_run)

BASEMAP = ROOT / "data" / "sources" / "geo" / "plotly_topojson" / "usa_110m.json"


@contextlib.contextmanager
def _file_server(folder: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_wire_counter_counts_every_byte_and_tells_the_websocket_apart():
    size = BASEMAP.stat().st_size
    with _file_server(BASEMAP.parent) as port:
        counter = pageload.WireCounter(port)
        try:
            with urllib.request.urlopen(f"{counter.url}/{BASEMAP.name}") as r:
                body = r.read()
            assert body == BASEMAP.read_bytes()
            first = counter.snapshot()
            # The body plus the response headers, and nothing counted as websocket.
            assert size < first["http_down"] < size + 1024
            assert first["ws_down"] == 0 and first["http_up"] > 0
            counter.reset()
            # Any connection whose first request asks for /_stcore/stream is the websocket.
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(f"{counter.url}/_stcore/stream").read()
            second = counter.snapshot()
            assert second["ws_up"] > 0 and second["ws_down"] > 0
            assert second["http_down"] == 0
        finally:
            counter.close()


def test_percentiles_and_phase_bounds():
    values = [float(v) for v in range(1, 101)]
    assert interaction.p95(values) == 95.0
    assert load.pct(values, 0.5) == 51.0
    assert load.pct([], 0.5) is None
    assert load.parse_phases("10:60,25:60") == [(10, 60.0), (25, 60.0)]
    with pytest.raises(SystemExit):
        load.parse_phases("25:60,10:60")  # sessions must grow
    with pytest.raises(SystemExit):
        load.parse_phases("100:60")  # bounded


def _results() -> dict:
    def spread(v):
        return {"median": v, "min": v, "max": v, "n": 1}

    page = {"paint_ms": spread(2000.0), "ws_wire": spread(100 * 1024),
            "ws_payload": spread(400 * 1024), "http_wire": spread(9e6), "paths": 3142,
            "external_requests": 0, "page_errors": 0}
    base = dict(page, paint_ms=spread(5000.0), ws_wire=spread(3e6), ws_payload=spread(3e6))
    timing = {"median": 700.0, "p95": 900.0, "min": 600.0, "max": 900.0, "n": 2,
              "server_exec": {"median": 150.0, "p95": 300.0}}
    return {
        "meta": {"when": "2026-11-27T00:00:00Z", "git": "abc", "smoke": True, "cpus": 2,
                 "loadavg_start": (1.0, 1.0, 1.0), "loadavg_end": (2.0, 2.0, 2.0)},
        "pageload": {"app": page, "baseline": base},
        "interaction": {"filter": timing, "month": timing},
        "staff": {"baseline_read_excel_s": 0.2, "prepare_s": 1.6, "publish_s": 0.3,
                  "prepare_breakdown_s": {"read": 0.4, "merge": 1.0}},
        "build": {"baseline_read_s": 0.2, "build_s": 20.0, "load_release_s": 0.2},
        "load": {"phases": [{"sessions": 2, "seconds": 5.0, "actions": 3, "errors": 1,
                             "update_p50_ms": 800.0, "update_p95_ms": 2500.0,
                             "cpu_mean_pct": 20.0, "cpu_max_pct": 90.0, "rss_end_mb": 300.0,
                             "rss_per_added_session_mb": 4.0}]},
        "trends": {"failed": "RuntimeError: boom"},
    }


def test_table_judges_each_target(tmp_path):
    text = bench_run.write(_results(), tmp_path)
    assert json.loads((tmp_path / "latest.json").read_text())["meta"]["git"] == "abc"
    assert (tmp_path / "latest.md").read_text() == text
    rows = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines()
            if line.startswith("| ")}

    def row(prefix: str) -> str:
        return next(v for k, v in rows.items() if k.startswith(prefix))

    assert row("first county-map paint").endswith("| yes |")  # 2.0 s, 0.40 of 5.0 s
    assert "| 0.40 |" in row("first county-map paint")
    assert row("websocket bytes for the county map").endswith("| yes |")
    # Judged on the server's script time (150 / 300 ms), not the 700 ms round trip.
    assert row("filter change").endswith("| yes |")
    assert row("ICE sheet read").endswith("| **no** |")  # 1.6 s against 1.5 s
    assert row("publish").endswith("| yes |")
    assert row("2 sessions, 5 s").endswith("| **no** |")  # one error
    assert row("2 sessions: map update").endswith("| **no** |")  # p95 2.5 s
    assert row("2 sessions: RSS growth").endswith("| yes |")
    assert "**failed**: RuntimeError: boom" in row("trends")
