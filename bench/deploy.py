"""The deployment against one Streamlit process: bytes, a phone's first paint, capacity.

Two servers run side by side on loopback for the whole section, so every ratio comes from one
run: **direct**, one ``streamlit run dashboard.py`` (the flags ``coopmap serve`` gives its
processes), and **proxied**, ``coopmap.serve.Supervisor`` with 2 app processes behind nginx
(the generated configuration, brotli where Debian's module is installed, Streamlit's static files
from nginx's precompressed copy: the section waits for its brotli files first) with its TLS +
HTTP/2 listener beside the plain one (**proxied_tls**, a self-signed certificate the browser is
told to accept). Direct and proxied visits alternate.

* ``bytes``: one first visit each (fresh browser context, laptop viewport, no throttling)
  through the byte-counting loopback proxy of bench/pageload.py, in front of the Streamlit
  process or of nginx: HTTP and websocket bytes as sent, and the Content-Encoding of each
  response.
* ``phone``: first paint (navigation to > 3,000 county paths drawn, as in bench/pageload.py) on
  a phone profile: viewport 390x844, touch, CDP network emulation 1.6 Mbps down / 750 kbps up /
  150 ms RTT, CPU 4x slower. Fresh context each run; the map is waited for with a locator (the
  proxy's Content-Security-Policy forbids the eval a JavaScript predicate needs).
* ``capacity`` (bench/wsload.py, no browser): a ramp of sessions on the direct process (each
  changing the month every 2-4 s) to find how many one process serves at p95 map update
  <= 2 s; then ``steady`` sessions for ``seconds`` against each server: errors, p50/p95, the app
  processes' RSS per session (psutil: RSS with the sessions connected minus RSS before they
  came, / sessions), and the CPU of the app processes, nginx and the generator itself.
* ``cross_check``: the same month change on the direct process timed by a real browser
  (``rerun_script`` sent to ``script_finished`` received, DevTools frames) and by one generator
  session.

Bounded: at most ``wsload.MAX_SESSIONS`` sessions, 600 s of load; loopback only.

    .venv/bin/python bench/deploy.py [--smoke] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import psutil

from coopmap import serve

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pageload  # noqa: E402
import wsload  # noqa: E402

ROOT = pageload.ROOT
APP_FLAGS = list(serve.APP_FLAGS)  # the direct process: the flags coopmap serve gives its own
MAP_SELECTOR = "svg.cm-map path.cm-area"
PHONE = {"width": 390, "height": 844}
PHONE_NETWORK = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8,
                 "uploadThroughput": 750e3 / 8}
PHONE_CPU_SLOWDOWN = 4
UPDATE_TARGET_MS = 2000
OPEN_AT_ONCE = 4
IDLE_BETWEEN_MS = 1000  # cross-check: pause between two timed steps

FULL = {"visits": 3, "ramp": [(5, 30), (10, 30), (20, 30), (30, 30), (40, 30), (60, 30),
                             (80, 30), (100, 30)],
        "steady": (100, 60), "cross_check": 8, "calibrate": 20}
# The smoke run (CI) checks that every part works, in well under 3 minutes; its figures are
# not the capacity (no ramp: the steady run's few sessions say nothing about the limit; no
# cross-check, which needs a third server).
SMOKE = {"visits": 1, "ramp": [], "steady": (6, 8), "cross_check": 0, "calibrate": 3}


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


# --- servers ---------------------------------------------------------------------------------


class EventLog:
    """The supervisor's messages (a process marked down, restarted, healthy again), timed."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.t0 = time.monotonic()

    def write(self, text: str) -> None:
        if text.strip():
            self.lines.append(f"{time.monotonic() - self.t0:7.1f} s {text.strip()}")

    def flush(self) -> None:
        pass


@contextlib.contextmanager
def deployment(workers: int = 2) -> Iterator[object]:
    """``coopmap serve --tls`` in this process: nginx + ``workers`` app processes,
    health-checked. ``sup.events`` collects what the supervisor says."""
    first = serve.free_port_run(workers + 2)
    events = EventLog()
    with tempfile.TemporaryDirectory(prefix="coopmap-bench-serve-") as tmp:
        sup = serve.Supervisor(workers=workers, port=first, first_app_port=first + 1,
                               tls_port=first + workers + 1,
                               state_dir=Path(tmp) / "serve", log=events)
        sup.events = events
        sup.start()
        stop = threading.Event()
        watcher = threading.Thread(target=sup.watch, args=(stop,), daemon=True)
        watcher.start()
        try:
            sup.url = f"http://127.0.0.1:{first}"
            sup.tls_url = f"https://127.0.0.1:{sup.tls_port}"
            yield sup
        finally:
            stop.set()
            watcher.join(5)
            sup.stop()


def nginx_pids(sup) -> list[int]:
    try:
        master = psutil.Process(sup._nginx.pid)
        return [master.pid, *(c.pid for c in master.children())]
    except psutil.Error:
        return []


async def _warm(port: int) -> None:
    """One session's first run fills a process's caches (as the first visitor after a start)."""
    v = wsload.Viewer(port, 0, 0)
    try:
        await v.open()
        await v.month_change()
    finally:
        await v.close()


def warm(ports: list[int]) -> None:
    async def all_of() -> None:
        await asyncio.gather(*(_warm(p) for p in ports))
    asyncio.run(all_of())


# --- browser visits --------------------------------------------------------------------------


def _kind(mime: str) -> str:
    """What a response is, for the byte breakdown: fonts (woff2, compressed already) apart."""
    if mime.startswith("font/") or "woff" in mime:
        return "font"
    if "javascript" in mime:
        return "script"
    if "json" in mime:
        return "json"
    if mime.startswith("text/css"):
        return "css"
    if mime.startswith("text/html"):
        return "html"
    return "other"


def visit(browser, url: str, *, phone: bool, counter: pageload.WireCounter | None = None,
          timeout_s: float = 180) -> dict:
    """One first visit in a fresh context: paint ms, bytes, encodings."""
    if counter is not None:
        counter.reset()
    kw = ({"viewport": PHONE, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
          if phone else {"viewport": pageload.VIEWPORT})
    context = browser.new_context(service_workers="block", ignore_https_errors=True, **kw)
    try:
        page = context.new_page()
        frames = pageload.Frames(context, page)
        if phone:
            frames.cdp.send("Network.emulateNetworkConditions", PHONE_NETWORK)
            frames.cdp.send("Emulation.setCPUThrottlingRate", {"rate": PHONE_CPU_SLOWDOWN})
        encodings: Counter = Counter()
        protocols: Counter = Counter()
        kinds: dict[str, str] = {}
        by_kind: Counter = Counter()  # bytes as received (DevTools), by kind of response
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("response", lambda r: encodings.update(
            [r.headers.get("content-encoding", "none")]))
        def received(e: dict) -> None:
            kinds[e["requestId"]] = _kind(e["response"].get("mimeType", ""))
            protocols.update([e["response"].get("protocol", "?")])

        frames.cdp.on("Network.responseReceived", received)
        frames.cdp.on("Network.loadingFinished", lambda e: by_kind.update(
            {kinds.get(e["requestId"], "other"): int(e.get("encodedDataLength", 0))}))
        page.goto(url, wait_until="commit")
        page.locator(MAP_SELECTOR).nth(pageload.MIN_PATHS).wait_for(
            state="attached", timeout=timeout_s * 1000)
        paint_ms = page.evaluate(pageload.PAINTED_JS)
        frames.wait_finished(page, 1, timeout_s)
        page.wait_for_timeout(300)
        wire = counter.snapshot() if counter is not None else {}
        return {"paint_ms": paint_ms, "http_wire": wire.get("http_down"),
                "ws_wire": wire.get("ws_down"), "ws_payload": frames.payload_bytes,
                "encodings": dict(encodings), "by_kind": dict(by_kind),
                "requests": sum(encodings.values()), "protocols": dict(protocols),
                "external_requests": len(frames.external),
                "page_errors": len(errors)}
    finally:
        context.close()


def browser_figures(direct_url: str, direct_port: int, proxy_url: str, proxy_port: int,
                    visits: int, tls_port: int | None = None) -> dict:
    """``tls_port``: the deployment's TLS + HTTP/2 listener, measured as ``proxied_tls`` (its
    bytes are TLS records: the counter cannot tell the websocket apart, so all count as HTTP)."""
    from playwright.sync_api import sync_playwright

    servers = [("direct", direct_url, direct_port, "http"),
               ("proxied", proxy_url, proxy_port, "http")]
    if tls_port is not None:
        servers.append(("proxied_tls", f"https://127.0.0.1:{tls_port}", tls_port, "https"))
    out: dict = {"bytes": {}, "phone": {name: [] for name, *_ in servers}}
    with sync_playwright() as p:
        browser = pageload.launch(p)
        try:
            for name, _, port, scheme in servers:
                counter = pageload.WireCounter(port)
                try:
                    out["bytes"][name] = visit(browser, f"{scheme}://127.0.0.1:{counter.port}",
                                               phone=False, counter=counter)
                finally:
                    counter.close()
            for _ in range(visits):  # alternate, so all see the same machine load
                for name, url, _, _ in servers:
                    out["phone"][name].append(visit(browser, url, phone=True))
        finally:
            browser.close()
    b = out["bytes"]
    for r in b.values():
        r["total_wire"] = r["http_wire"] + r["ws_wire"]
    b["ratio"] = b["proxied"]["total_wire"] / b["direct"]["total_wire"]
    ph = out["phone"]
    for name, *_ in servers:
        values = [v["paint_ms"] for v in ph[name]]
        ph[f"{name}_ms"] = {"median": statistics.median(values), "min": min(values),
                            "max": max(values), "n": len(values)}
    ph["ratio"] = ph["proxied_ms"]["median"] / ph["direct_ms"]["median"]
    if tls_port is not None:
        b["tls_ratio"] = b["proxied_tls"]["total_wire"] / b["direct"]["total_wire"]
        ph["tls_ratio"] = ph["proxied_tls_ms"]["median"] / ph["direct_ms"]["median"]
    return out


def cross_check(n: int) -> dict:
    """The same month change timed by a browser and by one generator session, on a process of
    its own that sends Streamlit's page profile (the server's script time of each run)."""
    with pageload.app_server(profile=True, flags=APP_FLAGS) as server:
        warm([server.port])
        return _cross_check(server.url, server.port, n)


def _cross_check(url: str, port: int, n: int) -> dict:
    import interaction
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = pageload.launch(p)
        try:
            context = browser.new_context(viewport=pageload.VIEWPORT)
            page = context.new_page()
            frames = pageload.Frames(context, page)
            interaction._open_map(page, frames, url)
            interaction.run_ms(frames, page, interaction._step_month(page, True))  # warm
            timed = []
            for i in range(n):
                page.wait_for_timeout(IDLE_BETWEEN_MS)  # the browser done drawing the last one
                timed.append(interaction.run_ms(frames, page,
                                                interaction._step_month(page, i % 2 == 1)))
            context.close()
        finally:
            browser.close()

    async def generator() -> tuple[list[float], list[float]]:
        # The browser's steps above: one month back, then forth and back between the newest
        # month and the one before.
        v = wsload.Viewer(port, 0, 3)
        await v.open()
        await v.month_change(1)
        out = []
        for i in range(n):
            await asyncio.sleep(IDLE_BETWEEN_MS / 1000)
            out.append(await v.month_change(0 if i % 2 == 0 else 1))
        await v.close()
        return out, v.server_ms[-n:]

    gen, gen_script = asyncio.run(generator())
    times = [t.client_ms for t in timed]
    script = [t.exec_ms for t in timed]
    return {"browser_ms": statistics.median(times), "generator_ms": statistics.median(gen),
            "browser_script_ms": statistics.median(script),
            "generator_script_ms": statistics.median(gen_script) if gen_script else None,
            "n": n, "browser_all": times, "generator_all": gen}


def calibrate(port: int, pid: int, n: int) -> dict:
    """CPU seconds the app process spends per map update, with one session (no queueing):
    what contention on a shared machine changes least. Up to 24 steps back fill the months'
    caches first (as the load's first minute does), then ``n`` jumps to one of those months
    (random, seeded) are counted."""
    proc = psutil.Process(pid)

    async def steps() -> dict:
        v = wsload.Viewer(port, 0, 41)
        await v.open()
        fill = min(24, 2 * n)
        for back in range(1, fill + 1):
            await v.month_change(back)
        t0 = proc.cpu_times()
        wall = []
        for _ in range(n):
            await asyncio.sleep(0.2)
            wall.append(await v.month_change(v.rng.randint(0, fill)))
        t1 = proc.cpu_times()
        await v.close()
        cpu = (t1.user + t1.system - t0.user - t0.system) / n
        return {"n": n, "app_cpu_s_per_update": cpu, "update_median_ms": statistics.median(wall),
                # Sessions acting every 2-4 s (3 s on average) that keep one core busy.
                "sessions_to_fill_one_core": 3.0 / cpu if cpu > 0 else None}

    return asyncio.run(steps())


def calibrate_default(n: int) -> dict:
    """The same calibration on a process with Streamlit's default runner settings (a full
    garbage collection after every script run), for comparison."""
    flags = [f for f in APP_FLAGS if f not in ("--runner.postScriptGC", "false")]
    with pageload.app_server(flags=flags) as server:
        warm([server.port])
        return calibrate(server.port, server.pid, n)


# --- capacity --------------------------------------------------------------------------------


class Sampler:
    """CPU (% of one core, summed) and RSS (MB, summed) of process groups, every 0.5 s.

    A group is a function giving its current pids: the supervisor restarts an app process that
    exits, and nginx replaces its workers on each reload (a process marked down or up), so the
    pids are looked up at every sample; a process that is gone counts no more."""

    def __init__(self, groups: dict[str, object]):
        self.groups = groups
        self._known: dict[int, psutil.Process] = {}
        self._last_cpu: dict[int, float] = {}
        self._seen: dict[str, set[int]] = {}
        psutil.cpu_percent(None)
        self.cpu: dict[str, list[float]] = {g: [] for g in groups}
        self.machine: list[float] = []
        for g in groups:
            self._procs(g)

    def _procs(self, group: str) -> list[psutil.Process]:
        out = []
        for pid in self.groups[group]():
            proc = self._known.get(pid)
            if proc is None:
                try:
                    proc = self._known[pid] = psutil.Process(pid)
                    proc.cpu_percent(None)
                except psutil.Error:
                    continue
            out.append(proc)
        return out

    def _each(self, group: str, read) -> list:
        values = []
        for proc in self._procs(group):
            with contextlib.suppress(psutil.Error):
                values.append(read(proc))
        return values

    def cpu_s(self, group: str) -> float:
        """CPU seconds of every process the group has had (a process that is gone keeps its
        last reading), so a difference of two readings is the CPU used in between."""
        seen = self._seen.setdefault(group, set())
        for proc in self._procs(group):
            with contextlib.suppress(psutil.Error):
                t = proc.cpu_times()
                self._last_cpu[proc.pid] = t.user + t.system
                seen.add(proc.pid)
        return sum(self._last_cpu[pid] for pid in seen)

    def rss_mb(self, group: str) -> float:
        return sum(self._each(group, lambda p: p.memory_info().rss)) / 2**20

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(0.5)
            for g in self.groups:
                self.cpu[g].append(sum(self._each(g, lambda p: p.cpu_percent(None))))
            self.machine.append(psutil.cpu_percent(None))

    def summary(self) -> dict:
        out = {f"{g}_cpu_mean_pct": statistics.mean(v) if v else None
               for g, v in self.cpu.items()}
        out["machine_cpu_mean_pct"] = statistics.mean(self.machine) if self.machine else None
        return out


async def _phases(port: int, groups: dict[str, object], phases: list[tuple[int, float]],
                  *, stop_over_target: bool, seed: int) -> list[dict]:
    """Sessions arrive (``OPEN_AT_ONCE`` at a time) and stay; each phase adds to them."""
    viewers: list[wsload.Viewer] = []
    results = []
    sampler = Sampler({**groups, "generator": lambda: [os.getpid()]})
    rss_idle = sampler.rss_mb("app")
    try:
        for sessions, seconds in phases:
            if sessions > wsload.MAX_SESSIONS:
                raise ValueError(f"{sessions} sessions: at most {wsload.MAX_SESSIONS}")
            new = [wsload.Viewer(port, len(viewers) + i, seed + len(viewers) + i)
                   for i in range(sessions - len(viewers))]
            gate = asyncio.Semaphore(OPEN_AT_ONCE)

            async def arrive(v: wsload.Viewer, gate=gate) -> float:
                async with gate:
                    return await v.open()

            opened = time.perf_counter()
            opens = await asyncio.gather(*(arrive(v) for v in new), return_exceptions=True)
            open_s = time.perf_counter() - opened
            open_errors = [f"open: {type(r).__name__}: {str(r)[:80]}" for r in opens
                           if isinstance(r, BaseException)]
            viewers += [v for v, r in zip(new, opens, strict=True)
                        if not isinstance(r, BaseException)]
            before = {id(v): (len(v.times_ms), len(v.errors)) for v in viewers}
            stop = asyncio.Event()
            sampler.cpu = {g: [] for g in sampler.cpu}
            sampler.machine = []
            task = asyncio.create_task(sampler.run(stop))
            cpu_before = sampler.cpu_s("app")
            until = time.monotonic() + seconds
            await asyncio.gather(*(v.loop(until) for v in viewers))
            stop.set()
            await task
            times = [t for v in viewers for t in v.times_ms[before[id(v)][0]:]]
            errors = open_errors + [e for v in viewers for e in v.errors[before[id(v)][1]:]]
            rss = sampler.rss_mb("app")
            cpu_s = sampler.cpu_s("app") - cpu_before
            timeouts = sum("timed out" in e for e in errors)
            p95 = pct(times, 0.95)
            results.append({
                "sessions": sessions, "connected": len(viewers), "seconds": seconds,
                "open_s": open_s, "open_ms_p50": pct([r for r in opens if
                                                      isinstance(r, float)], 0.5),
                "updates": len(times), "errors": len(errors), "timeouts": timeouts,
                # Timed-out updates ran too (late): they count in the CPU per update.
                "app_cpu_s_per_update": cpu_s / (len(times) + timeouts)
                if times or timeouts else None,
                "error_kinds": dict(Counter(errors).most_common(5)),
                "update_p50_ms": pct(times, 0.5), "update_p95_ms": p95,
                "update_max_ms": max(times) if times else None,
                "rss_idle_mb": rss_idle, "rss_mb": rss,
                "rss_per_session_mb": (rss - rss_idle) / len(viewers) if viewers else None,
                "pinned": dict(Counter(v.pinned_to or "-" for v in viewers)),
                "loadavg_1m": os.getloadavg()[0], **sampler.summary(),
            })
            if stop_over_target and (p95 is None or p95 > UPDATE_TARGET_MS or errors):
                break
    finally:
        await asyncio.gather(*(v.close() for v in viewers), return_exceptions=True)
    return results


def capacity(port: int, groups: dict[str, object], phases, *, stop_over_target=False,
             seed=11) -> list[dict]:
    return asyncio.run(_phases(port, groups, phases, stop_over_target=stop_over_target,
                               seed=seed))


def per_process(ramp: list[dict]) -> int | None:
    """The most sessions one process served at p95 <= 2 s without an error."""
    ok = [ph["sessions"] for ph in ramp if ph["errors"] == 0 and ph["update_p95_ms"] is not None
          and ph["update_p95_ms"] <= UPDATE_TARGET_MS]
    return max(ok) if ok else None


def _settle(seconds: float = 3) -> None:
    time.sleep(seconds)  # closed sessions leave the server before the next measurement


def run(smoke: bool = False) -> dict:
    """Every part, in one run; a part that fails is reported in ``failures`` and the others
    still run."""
    cfg = SMOKE if smoke else FULL
    result: dict = {"loadavg_start": os.getloadavg(), "part_s": {}, "failures": {},
                    "config": {"ramp": cfg["ramp"], "steady": cfg["steady"],
                               "visits": cfg["visits"]}}
    clock = [time.perf_counter()]

    def part(name: str, fn) -> None:
        try:
            fn()
        except Exception as exc:
            traceback.print_exc()
            result["failures"][name] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
        now = time.perf_counter()
        result["part_s"][name] = round(now - clock[0], 1)
        clock[0] = now

    with pageload.app_server(flags=APP_FLAGS) as direct, deployment(2) as sup:
        result["brotli_module"] = serve.BROTLI_MODULE.exists()
        result["brotli_static_module"] = serve.BROTLI_STATIC_MODULE.exists()
        waited = time.perf_counter()
        # The brotli quality-11 files are written once per Streamlit version (about a minute
        # of one core); measure what a running deployment sends.
        result["brotli_files_ready"] = sup.wait_brotli(timeout=900)
        result["brotli_wait_s"] = round(time.perf_counter() - waited, 1)
        clock[0] = time.perf_counter()
        warm([direct.port, *sup.app_ports])
        groups_direct = {"app": lambda: [direct.pid]}
        groups_proxy = {"app": lambda: [sup.app_pid(p) for p in sup.app_ports],
                        "nginx": lambda: nginx_pids(sup)}
        part("calibrate", lambda: result.__setitem__(
            "calibrate", calibrate(direct.port, direct.pid, cfg["calibrate"])))
        if not smoke:
            part("calibrate_streamlit_default", lambda: result.__setitem__(
                "calibrate_streamlit_default", calibrate_default(cfg["calibrate"])))
        part("browser", lambda: result.update(
            browser_figures(direct.url, direct.port, sup.url, sup.port, cfg["visits"],
                            tls_port=sup.tls_port)))
        if cfg["cross_check"]:
            part("cross_check", lambda: result.__setitem__(
                "cross_check", cross_check(cfg["cross_check"])))
        sessions, seconds = cfg["steady"]

        def steady(name: str, port: int, groups: dict, seed: int) -> None:
            _settle()
            result[name] = capacity(port, groups, [(sessions, seconds)], seed=seed)[0]

        part("steady_direct", lambda: steady("steady_direct", direct.port, groups_direct, 11))
        part("steady_proxied", lambda: steady("steady_proxied", sup.port, groups_proxy, 23))

        def ramp() -> None:
            _settle()
            result["ramp_direct"] = capacity(direct.port, groups_direct, cfg["ramp"],
                                             stop_over_target=True, seed=37)
            result["sessions_per_process"] = per_process(result["ramp_direct"])

        if cfg["ramp"]:
            part("ramp", ramp)
        result["supervisor"] = sup.events.lines
    result["loadavg_end"] = os.getloadavg()
    return result


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    result = run(args.smoke)
    text = json.dumps(result, indent=2, default=str)
    print(text)
    if args.json:
        Path(args.json).write_text(text)


if __name__ == "__main__":
    main(sys.argv[1:])
