"""The benchmark harness (bench/) imports, counts bytes exactly, and writes its table.

The benchmarks themselves run with `python3 run.py bench --smoke` (CI) or in full on demand;
these checks are fast and need no browser.
"""

from __future__ import annotations

import asyncio
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
import wsload  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

import deploy  # noqa: E402

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
        "language": {"changes": 48, "en_median_ms": 30.0, "es_median_ms": 36.0, "ratio": 1.2},
        "staff": {"baseline_read_excel_s": 0.2, "prepare_s": 1.6, "publish_s": 0.3,
                  "prepare_breakdown_s": {"read": 0.4, "merge": 1.0},
                  "prepare_cpu_s": 1.1, "prepare_again_s": 1.2, "prepare_again_cpu_s": 0.9,
                  "prepare_new_first_s": 1.8, "prepare_new_first_cpu_s": 1.7},
        "build": {"baseline_read_s": 0.2, "build_s": 20.0, "load_release_s": 0.2},
        "load": {"phases": [{"sessions": 2, "seconds": 5.0, "actions": 3, "errors": 1,
                             "update_p50_ms": 800.0, "update_p95_ms": 2500.0,
                             "cpu_mean_pct": 20.0, "cpu_max_pct": 90.0, "rss_end_mb": 300.0,
                             "rss_per_added_session_mb": 4.0}]},
        "deploy": _deploy_results(),
        "trends": {"failed": "RuntimeError: boom"},
    }


def _deploy_results() -> dict:
    def visit(http, ws, font):
        return {"http_wire": http, "ws_wire": ws, "total_wire": http + ws,
                "by_kind": {"font": font, "script": http - font}}

    def steady(errors, p95, rss):
        return {"sessions": 100, "seconds": 60.0, "updates": 2000, "errors": errors,
                "update_p50_ms": 300.0, "update_p95_ms": p95, "rss_per_session_mb": rss,
                "app_cpu_mean_pct": 150.0, "nginx_cpu_mean_pct": 3.0,
                "generator_cpu_mean_pct": 5.0, "machine_cpu_mean_pct": 90.0,
                "loadavg_1m": 4.0}

    def ramp(sessions, p95, errors=0):
        return {"sessions": sessions, "update_p95_ms": p95, "errors": errors}

    def spread(v):
        return {"median": v, "min": v, "max": v, "n": 1}

    ramped = [ramp(10, 400.0), ramp(20, 900.0), ramp(40, 1900.0), ramp(60, 1500.0, errors=2),
              ramp(80, 2600.0)]
    return {
        # 1,000 KB of 3,400 KB: 0.29, met; the fonts (500 KB) are counted apart.
        "bytes": {"proxied": visit(900 * 1024, 100 * 1024, 500 * 1024),
                  "direct": visit(3300 * 1024, 100 * 1024, 500 * 1024),
                  # 1,400 KB over TLS: 0.41, not met.
                  "proxied_tls": visit(1400 * 1024, 0, 500 * 1024)},
        # 7 s is over 6 s although 0.35 of direct: not met; 5 s over TLS (0.25): met.
        "phone": {"proxied_ms": spread(7000.0), "direct_ms": spread(20000.0),
                  "proxied_tls_ms": spread(5000.0)},
        "cross_check": {"browser_ms": 200.0, "generator_ms": 180.0, "n": 2},
        "ramp_direct": ramped, "sessions_per_process": deploy.per_process(ramped),
        "steady_proxied": steady(0, 1800.0, 2.0), "steady_direct": steady(3, 9000.0, 2.5),
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
    # A sheet never seen: 1.6 s against 1.5 s; the same file again: 1.2 s, 6× the baseline.
    assert row("staff preview of a sheet never seen").endswith("| **no** |")
    assert "CPU 1.10 s" in row("staff preview of a sheet never seen")
    again = row("staff preview again")
    assert "| 6.00 |" in again and again.endswith("| yes |")
    spanish = row("filter change in Spanish")  # 1.20 against 1.10
    assert "| 1.20× |" in spanish and spanish.endswith("| **no** |")
    assert row("publish").endswith("| yes |")
    assert row("2 sessions, 5 s").endswith("| **no** |")  # one error
    assert row("2 sessions: map update").endswith("| **no** |")  # p95 2.5 s
    assert row("2 sessions: RSS growth").endswith("| yes |")
    assert "**failed**: RuntimeError: boom" in row("trends")
    first_visit = row("first visit through nginx")
    assert "| 0.29 |" in first_visit and first_visit.endswith("| yes |")
    assert "| 0.14 |" in row("… HTTP responses other than fonts")  # 400 / 2,800 KB
    phone = row("phone first paint")
    assert "| 0.35 |" in phone and phone.endswith("| **no** |")
    tls_visit = row("… the same visit over TLS")
    assert "| 0.41 |" in tls_visit and tls_visit.endswith("| **no** |")
    tls_phone = row("… through nginx over TLS")
    assert "| 0.25 |" in tls_phone and tls_phone.endswith("| yes |")
    # 40 sessions is the most with p95 <= 2 s and no error (60 had errors, 80 was too slow).
    assert "| 40 |" in row("sessions one process serves")
    assert row("100 sessions, 60 s").endswith("| yes |")  # judged on the proxied run
    assert row("100 sessions: map update").endswith("| yes |")
    assert "| 0.20 |" in row("100 sessions: map update")  # 1,800 / 9,000 ms


def test_generator_speaks_the_map_pages_messages():
    v = wsload.Viewer(port=8501, index=0, seed=1)
    slider = ForwardMsg()
    el = slider.delta.new_element.slider
    el.id = "$$ID-146cdfbe-month"
    el.options.extend(["March 2026", "April 2026", "May 2026"])
    el.default.append(2)
    cached = ForwardMsg(hash="8e52f5b6")
    cached.metadata.cacheable = True
    cached.delta.new_element.markdown.body = "the map"
    info = ForwardMsg()
    info.page_info_changed.query_string = "month=2026-04"
    session = ForwardMsg()
    session.new_session.page_script_hash = "eb0aec81"
    for msg in (session, slider, cached, info):
        v._handle(msg.SerializeToString())
    assert v.months[-1] == "May 2026" and v.page_hash == "eb0aec81"
    first = v._rerun_msg(first=True).rerun_script
    assert not first.widget_states.widgets and first.page_script_hash == ""
    v._step_month()  # from the newest month the walk always steps back
    back = BackMsg()
    back.ParseFromString(v._rerun_msg(first=False).SerializeToString())
    cs = back.rerun_script
    assert cs.page_script_hash == "eb0aec81" and cs.query_string == "month=2026-04"
    assert list(cs.cached_message_hashes) == ["8e52f5b6"]
    [w] = cs.widget_states.widgets
    assert w.id == "$$ID-146cdfbe-month" and list(w.string_array_value.data) == ["April 2026"]
    assert cs.context_info.url == "http://127.0.0.1:8501/"
    # An exception element is an error of the run it arrives in.
    boom = ForwardMsg()
    boom.delta.new_element.exception.message = "boom"
    v._handle(boom.SerializeToString())
    assert v.exceptions == 1


def _run_in_thread(coro):
    """asyncio.run in a thread of its own: the browser tests' session-wide Playwright (sync API)
    keeps an event loop running in the main thread, where asyncio.run refuses to start."""
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def test_generator_bounds_and_cookies():
    assert wsload.source_address(0) == "127.0.0.2"
    assert wsload.source_address(wsload.MAX_SESSIONS - 1) == "127.0.0.201"
    with pytest.raises(ValueError):
        wsload.source_address(wsload.MAX_SESSIONS)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            self.send_response(200 if self.path == "/ok" else 429)
            self.send_header("Set-Cookie", "_streamlit_xsrf=2|ab|cd|17; Path=/; SameSite=Lax")
            self.send_header("Set-Cookie", "coopmap_node=8602; Path=/; HttpOnly")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        jar = _run_in_thread(wsload.http_cookies(port, "/ok", "127.0.0.7"))
        assert jar == {"_streamlit_xsrf": "2|ab|cd|17", "coopmap_node": "8602"}
        with pytest.raises(ConnectionError, match="HTTP 429"):
            _run_in_thread(wsload.http_cookies(port, "/limited", "127.0.0.7"))
    finally:
        server.shutdown()
        server.server_close()
