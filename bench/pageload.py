"""Page load: coopmap and the baseline, each in a fresh headless Chromium context per run.

Measures, per run: milliseconds from navigation to the national county map painted (more than
``MIN_PATHS`` county paths in the map (coopmap's ``path.cm-area``, the baseline's plotly
``path.choroplethlocation``), then two animation frames, then
``performance.now()``), and the bytes the page received until the first script run finished:

* ``ws_wire``  bytes on the websocket's TCP connection, as sent (after permessage-deflate when
  the server enables it), counted by a loopback proxy between browser and server in one extra
  load that is not timed (the proxy, in Python, slows a load down on a busy machine);
* ``ws_payload``  the decoded websocket messages (Chrome DevTools frame payloads);
* ``http_wire``  every other connection (HTML, JS, CSS, fonts, GeoJSON, base maps), as sent.

This module also holds what the other benchmarks share: free ports, starting and stopping a
Streamlit server, the byte-counting proxy and the sandboxed browser (no request leaves
127.0.0.1: Chromium resolves every other host name to nothing).

    .venv/bin/python bench/pageload.py [--runs 5] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = ROOT / ".venv" / "bin" / "python"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update",
    # Nothing but loopback resolves, so no request can leave the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
VIEWPORT = {"width": 1280, "height": 900}
MIN_PATHS = 3000  # the national county map has ~3,140 drawn counties; states have 56
# coopmap draws its own SVG map (path.cm-area); the baseline draws plotly's choropleth paths.
MAP_PATHS_JS = ("document.querySelectorAll('svg.cm-map path.cm-area, "
                "[data-testid=stPlotlyChart] path.choroplethlocation').length")
PAINTED_JS = ("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => "
              "r(performance.now()))))")
STREAM_PATH = b"/_stcore/stream"


# --- servers ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A ``streamlit run`` process on a free loopback port; ``stop()`` ends it (by its pid)."""

    def __init__(self, script: Path, *, cwd: Path, flags: list[str] | None = None,
                 env: dict | None = None, log: Path | None = None, profile: bool = False):
        self.port = free_port()
        # profile=True turns on Streamlit's page profile message (script and per-command
        # times, sent to the browser after each run); its browser-side telemetry cannot
        # leave the sandboxed browser.
        cmd = [str(PY), "-m", "streamlit", "run", str(script),
               "--server.port", str(self.port), "--server.address", "127.0.0.1",
               "--server.headless", "true",
               "--browser.gatherUsageStats", "true" if profile else "false",
               *(flags or [])]
        self.log = log or Path(tempfile.mkstemp(prefix="coopmap-bench-", suffix=".log")[1])
        self._log_file = open(self.log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})},
                                     stdout=self._log_file, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        self._wait_healthy()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited ({self.proc.returncode}); see {self.log}")
            with (contextlib.suppress(OSError),
                  urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as r):
                if r.status == 200:
                    return
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"streamlit did not become healthy in {timeout} s; see {self.log}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log_file.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def app_server(**kw) -> Server:
    """coopmap itself, as `python3 run.py dashboard` runs it (the project's .streamlit config)."""
    return Server(ROOT / "dashboard.py", cwd=ROOT, **kw)


@contextlib.contextmanager
def baseline_server(**kw) -> Iterator[Server]:
    """The tutorial baseline in a temporary folder with its own static/plotly_topojson."""
    with tempfile.TemporaryDirectory(prefix="coopmap-baseline-") as tmp:
        folder = Path(tmp)
        shutil.copy(ROOT / "bench" / "baseline_app.py", folder / "baseline_app.py")
        shutil.copytree(ROOT / "data" / "sources" / "geo" / "plotly_topojson",
                        folder / "static" / "plotly_topojson")
        server = Server(folder / "baseline_app.py", cwd=folder,
                        flags=["--server.enableStaticServing", "true"],
                        env={"COOPMAP_BENCH_ROOT": str(ROOT)}, **kw)
        try:
            yield server
        finally:
            server.stop()


# --- the byte-counting proxy -------------------------------------------------------------------


class WireCounter:
    """A loopback TCP proxy to a server that counts bytes each way, websocket apart.

    A connection is the websocket when its first request line asks for /_stcore/stream (the
    browser opens it for nothing else); everything else on other connections is HTTP.
    """

    def __init__(self, target_port: int):
        self.target_port = target_port
        self._lock = threading.Lock()
        self._counts = self._zero()
        self._loop = asyncio.new_event_loop()
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self._thread.start()
        ready.wait(10)
        self.url = f"http://127.0.0.1:{self.port}"

    @staticmethod
    def _zero() -> dict[str, int]:
        return {"ws_down": 0, "ws_up": 0, "http_down": 0, "http_up": 0}

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._server = server
        ready.set()
        self._loop.run_forever()

    def _add(self, key: str, n: int) -> None:
        with self._lock:
            self._counts[key] += n

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        first = await reader.read(65536)
        kind = "ws" if STREAM_PATH in first.split(b"\r\n", 1)[0] else "http"
        self._add(f"{kind}_up", len(first))
        up_writer.write(first)

        async def pipe(src, dst, key):
            try:
                while data := await src.read(65536):
                    self._add(key, len(data))
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                with contextlib.suppress(Exception):
                    dst.close()

        try:
            await asyncio.gather(pipe(reader, up_writer, f"{kind}_up"),
                                 pipe(up_reader, writer, f"{kind}_down"))
        except asyncio.CancelledError:
            # Shutting down: end quietly (3.11's stream callback re-raises a cancellation).
            for w in (writer, up_writer):
                w.close()

    def reset(self) -> None:
        with self._lock:
            self._counts = self._zero()

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def close(self) -> None:
        async def shutdown() -> None:
            self._server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()


# --- browser -----------------------------------------------------------------------------------


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


class Frames:
    """Websocket frames of one page, decoded with Streamlit's protobuf messages (via CDP)."""

    def __init__(self, context, page):
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self._fwd, self._back = ForwardMsg, BackMsg
        self.events: list[tuple[str, float, str, object]] = []  # (dir, cdp ts, type, msg)
        self.payload_bytes = 0
        self.external: list[str] = []
        self.cdp = context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.cdp.on("Network.webSocketFrameReceived", lambda e: self._frame("r", e))
        self.cdp.on("Network.webSocketFrameSent", lambda e: self._frame("s", e))
        page.on("request", self._request)

    def _request(self, request) -> None:
        url = request.url
        if not (url.startswith("http://127.0.0.1") or url.startswith("ws://127.0.0.1")
                or url.startswith("data:") or url.startswith("blob:")):
            self.external.append(url)

    def _frame(self, direction: str, event: dict) -> None:
        resp = event["response"]
        if resp.get("opcode") != 2:
            return
        raw = base64.b64decode(resp["payloadData"])
        msg = (self._fwd if direction == "r" else self._back)()
        try:
            msg.ParseFromString(raw)
        except Exception:  # a frame that is not a Streamlit message: count it, type unknown
            msg = None
        if direction == "r":
            self.payload_bytes += len(raw)
        kind = msg.WhichOneof("type") if msg is not None else "?"
        self.events.append((direction, event["timestamp"], kind, msg))

    def finished_runs(self) -> int:
        """Script runs that finished (successfully or with an error, not interrupted)."""
        done = 0
        for d, _, kind, msg in self.events:
            if d == "r" and kind == "script_finished" and msg.script_finished in (0, 1):
                done += 1
        return done

    def wait_finished(self, page, runs: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.finished_runs() < runs:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no script_finished after {timeout} s")
            page.wait_for_timeout(25)


def load_once(browser, url: str, counter: WireCounter | None = None, *,
              timeout_s: float = 60) -> dict:
    """One page load in a fresh context (empty cache); returns the measures of that run.

    With a ``counter``, ``url`` must be the counter's proxy URL and the wire bytes are counted.
    """
    if counter is not None:
        counter.reset()
    context = browser.new_context(viewport=VIEWPORT, service_workers="block")
    try:
        page = context.new_page()
        frames = Frames(context, page)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url, wait_until="commit")
        page.wait_for_function(f"{MAP_PATHS_JS} > {MIN_PATHS}", timeout=timeout_s * 1000,
                               polling=20)
        paint_ms = page.evaluate(PAINTED_JS)
        paths = page.evaluate(MAP_PATHS_JS)
        frames.wait_finished(page, 1, timeout_s)
        page.wait_for_timeout(300)  # late HTTP requests (fonts, icons) of the same load
        wire = counter.snapshot() if counter is not None else {}
        return {"paint_ms": paint_ms, "paths": paths, "ws_wire": wire.get("ws_down"),
                "ws_payload": frames.payload_bytes, "http_wire": wire.get("http_down"),
                "external_requests": len(frames.external), "page_errors": len(errors)}
    finally:
        context.close()


def summarise(values: list[float]) -> dict:
    values = sorted(values)
    return {"median": statistics.median(values), "min": values[0], "max": values[-1],
            "n": len(values)}


def measure(server: Server, browser, runs: int, *, warmup: int = 1) -> dict:
    """``warmup`` loads first (server caches warm, as for any visitor after the first), then
    ``runs`` timed loads straight to the server, each in a fresh browser context, then one
    load through the byte-counting proxy (which slows a load down on a busy machine, so it
    is not timed)."""
    for _ in range(warmup):
        load_once(browser, server.url)
    samples = [load_once(browser, server.url) for _ in range(runs)]
    counter = WireCounter(server.port)
    try:
        counted = load_once(browser, counter.url, counter)
    finally:
        counter.close()
    out = {"paint_ms": summarise([s["paint_ms"] for s in samples])}
    for key in ("ws_wire", "ws_payload", "http_wire"):
        out[key] = summarise([counted[key]])
    out["paths"] = samples[-1]["paths"]
    out["external_requests"] = sum(s["external_requests"] for s in [*samples, counted])
    out["page_errors"] = sum(s["page_errors"] for s in [*samples, counted])
    out["samples"] = [*samples, {**counted, "proxied": True}]
    return out


def run(runs: int = 5, warmup: int = 1) -> dict:
    """Page load of the baseline, then of coopmap, in the same process and browser."""
    from playwright.sync_api import sync_playwright

    result = {}
    with sync_playwright() as p:
        browser = launch(p)
        try:
            with baseline_server() as server:
                result["baseline"] = measure(server, browser, runs, warmup=warmup)
            with app_server() as server:
                result["app"] = measure(server, browser, runs, warmup=warmup)
        finally:
            browser.close()
    return result


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    result = run(args.runs)
    for name in ("baseline", "app"):
        r = result[name]
        print(f"{name}: paint {r['paint_ms']['median']:.0f} ms "
              f"({r['paint_ms']['min']:.0f}-{r['paint_ms']['max']:.0f}), "
              f"ws wire {r['ws_wire']['median'] / 1024:.0f} KB, ws payload "
              f"{r['ws_payload']['median'] / 1024:.0f} KB, "
              f"http {r['http_wire']['median'] / 1024:.0f} KB, paths {r['paths']}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
