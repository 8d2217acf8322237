"""Load: many simultaneous browser sessions on loopback, each changing the map every few seconds.

One headless Chromium, one context (own cookies, own Streamlit session) per viewer. Phases add
viewers: by default 10 for 60 s, then 15 more (25 in all) for 60 s; the first phase's sessions
stay connected and keep going. Each viewer opens the map, then every 2-4 s (random, seeded) moves
the month slider one step or switches counties/states, and times from its key press or click to
the map showing the new view (title or subtitle changed and its shapes drawn): server time,
transfer and the browser's drawing, all on this machine.

Reported per phase: actions, errors (timeouts > 20 s, page errors, Streamlit exception boxes,
websocket closes, viewers that could not open the map in 120 s), p50/p95 of the map update,
the server's own script time per run (Streamlit's page profile, read from the websocket), the
server process's CPU (% of one core, psutil) and RSS, the whole machine's CPU and load average
(the browser shares the machine: when it saturates, update times measure the browser), and RSS
growth per added session. New viewers arrive two at a time. Loopback only; bounded in sessions
and time; the server is started on a free port and stopped at the end.

    .venv/bin/python bench/load.py [--phases 10:60,25:60] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

import psutil
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pageload  # noqa: E402

ACTION_TIMEOUT_S = 20
OPEN_TIMEOUT_S = 120
OPEN_AT_ONCE = 2  # viewers arrive a few at a time, not all in the same instant
# The map's words (title, subtitle, legend, source) and its number of drawn places. The map
# component (coopmap.ui.mapview) swaps in a whole new picture once a view's shapes are drawn, so
# a changed signature with enough places means the new view is on the screen.
SIGNATURE_JS = """() => {
  const svg = document.querySelector('.cm-root svg.cm-svg');
  if (!svg) return '';
  const words = [...svg.querySelectorAll('text')].map((t) => t.textContent).join(' ');
  const n = svg.querySelectorAll('svg.cm-map path.cm-area').length;
  return words + '|' + n;
}"""


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


class Viewer:
    def __init__(self, browser, url: str, seed: int):
        self.browser, self.url = browser, url
        self.rng = random.Random(seed)
        self.times: list[tuple[str, float]] = []  # (phase, ms)
        self.errors: list[tuple[str, str]] = []  # (phase, what)
        self.phase = ""
        self.level = "county"
        self.month_steps_back = 0  # months before the newest (the map opens on the newest)
        self.closing = False
        self.server_ms: list[tuple[str, float]] = []  # (phase, script ms) from page profiles
        self.looping = False  # the first run (opening the page) is not a map update

    def error(self, what: str) -> None:
        self.errors.append((self.phase, what))

    async def open(self) -> None:
        self.context = await self.browser.new_context(viewport=pageload.VIEWPORT)
        self.page = await self.context.new_page()
        self.page.on("pageerror", lambda e: self.error(f"page error: {str(e)[:120]}"))
        self.page.on("websocket", self._watch)
        await self.page.goto(self.url + "/", wait_until="commit")
        await self.page.wait_for_function(
            f"{pageload.MAP_PATHS_JS} > {pageload.MIN_PATHS}", timeout=OPEN_TIMEOUT_S * 1000,
            polling=200)

    def _watch(self, ws) -> None:
        ws.on("close", lambda _ws: self.error("websocket closed") if not self.closing else None)
        ws.on("framereceived", self._frame)

    def _frame(self, payload) -> None:
        # Page profiles are small; skip parsing the big deltas (the map, the table).
        if not isinstance(payload, bytes) or len(payload) > 32768:
            return
        msg = ForwardMsg()
        try:
            msg.ParseFromString(payload)
        except Exception:
            return
        if self.looping and msg.WhichOneof("type") == "page_profile":
            self.server_ms.append((self.phase, msg.page_profile.exec_time / 1000))

    async def _act(self) -> None:
        page = self.page
        choice = self.rng.random()
        if choice < 0.25:
            target = "state" if self.level == "county" else "county"
            await page.locator(".st-key-level button").filter(
                has_text="States" if target == "state" else "Counties").click()
            self.level = target
        else:
            back = self.month_steps_back
            earlier = back == 0 or (back < 24 and self.rng.random() < 0.6)
            thumb = page.locator(".st-key-month input[type=range]")
            await thumb.focus()
            await page.keyboard.press("ArrowLeft" if earlier else "ArrowRight")
            self.month_steps_back += 1 if earlier else -1

    async def step(self) -> None:
        page = self.page
        before = await page.evaluate(SIGNATURE_JS)
        start = time.perf_counter()
        await self._act()
        minimum = pageload.MIN_PATHS if self.level == "county" else 40
        await page.wait_for_function(
            f"""([before, min]) => {{ const s = ({SIGNATURE_JS})();
                 return s !== before && Number(s.split('|').pop()) > min; }}""",
            arg=[before, minimum], timeout=ACTION_TIMEOUT_S * 1000, polling=100)
        self.times.append((self.phase, (time.perf_counter() - start) * 1000))
        if await page.locator("[data-testid=stException]").count():
            self.error("exception shown")

    async def loop(self, until: float) -> None:
        self.looping = True
        while time.monotonic() < until:
            await asyncio.sleep(self.rng.uniform(2, 4))
            if time.monotonic() >= until:
                break
            try:
                await self.step()
            except Exception as exc:  # a timeout or a broken page: an error, then go on
                self.error(f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}")
                await asyncio.sleep(1)

    async def close(self) -> None:
        self.closing = True
        await self.context.close()


class Monitor:
    """Samples the server process's CPU and RSS every half second, tagged by phase."""

    def __init__(self, pid: int):
        self.proc = psutil.Process(pid)
        self.proc.cpu_percent(None)
        self.samples: list[tuple[str, float, float, float]] = []  # phase, cpu %, rss MB, machine %
        psutil.cpu_percent(None)
        self.phase = "idle"

    def rss_mb(self) -> float:
        return self.proc.memory_info().rss / 2**20

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(0.5)
            self.samples.append((self.phase, self.proc.cpu_percent(None), self.rss_mb(),
                                 psutil.cpu_percent(None)))


async def _run(phases: list[tuple[int, float]], seed: int) -> dict:
    from playwright.async_api import async_playwright

    result: dict = {"phases": [], "method": "client: key press/click -> new map drawn"}
    with pageload.app_server(profile=True) as server:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=pageload.CHROMIUM,
                                              args=pageload.CHROMIUM_ARGS)
            try:
                # Warm the server (first visitor fills the caches), then measure idle memory.
                warm = Viewer(browser, server.url, seed)
                await warm.open()
                await warm.close()
                await asyncio.sleep(2)
                monitor = Monitor(server.pid)
                rss_idle = monitor.rss_mb()
                stop = asyncio.Event()
                sampler = asyncio.create_task(monitor.run(stop))
                viewers: list[Viewer] = []
                rss_before = rss_idle
                try:
                    for sessions, seconds in phases:
                        name = f"{sessions} sessions"
                        monitor.phase = name
                        new = [Viewer(browser, server.url, seed + len(viewers) + i)
                               for i in range(sessions - len(viewers))]
                        for v in viewers + new:
                            v.phase = name
                        opened = time.perf_counter()
                        gate = asyncio.Semaphore(OPEN_AT_ONCE)

                        async def arrive(v: Viewer, gate=gate) -> None:
                            async with gate:
                                await v.open()

                        results = await asyncio.gather(*(arrive(v) for v in new),
                                                       return_exceptions=True)
                        open_s = time.perf_counter() - opened
                        for v, r in zip(new, results, strict=True):
                            if isinstance(r, Exception):
                                v.error(f"open failed: {type(r).__name__}")
                        viewers += [v for v, r in zip(new, results, strict=True)
                                    if not isinstance(r, Exception)]
                        until = time.monotonic() + seconds
                        await asyncio.gather(*(v.loop(until) for v in viewers))
                        await asyncio.sleep(1)
                        rss_after = monitor.rss_mb()
                        times = [ms for v in viewers for ph, ms in v.times if ph == name]
                        everyone = viewers + [v for v in new if v not in viewers]
                        errs = [e for v in everyone for ph, e in v.errors if ph == name]
                        cpu = [c for ph, c, _, _ in monitor.samples if ph == name]
                        rss = [r for ph, _, r, _ in monitor.samples if ph == name]
                        machine = [m for ph, _, _, m in monitor.samples if ph == name]
                        server_ms = [ms for v in viewers for ph, ms in v.server_ms if ph == name]
                        added = sum(1 for v in new if v in viewers)
                        result["phases"].append({
                            "sessions": sessions, "seconds": seconds, "connected": len(viewers),
                            "open_all_s": open_s, "actions": len(times), "errors": len(errs),
                            # Timeouts: the page did not act or redraw in time (on a saturated
                            # machine, mostly the browser); the rest are the app's own errors.
                            "timeouts": sum("TimeoutError" in e for e in errs),
                            "error_kinds": sorted(set(errs))[:10],
                            "update_p50_ms": pct(times, 0.5), "update_p95_ms": pct(times, 0.95),
                            "update_max_ms": max(times) if times else None,
                            "server_script_p50_ms": pct(server_ms, 0.5),
                            "server_script_p95_ms": pct(server_ms, 0.95),
                            "machine_cpu_mean_pct": statistics.mean(machine) if machine else None,
                            "loadavg_1m": os.getloadavg()[0],
                            "cpu_mean_pct": statistics.mean(cpu) if cpu else None,
                            "cpu_max_pct": max(cpu) if cpu else None,
                            "rss_start_mb": rss_before, "rss_end_mb": rss_after,
                            "rss_max_mb": max(rss) if rss else None,
                            "rss_per_added_session_mb": (rss_after - rss_before) / added
                            if added else None,
                        })
                        rss_before = rss_after
                finally:
                    stop.set()
                    await sampler
                    for v in viewers:
                        await v.close()
                result["rss_idle_mb"] = rss_idle
            finally:
                await browser.close()
    return result


def run(phases: list[tuple[int, float]] | None = None, seed: int = 5) -> dict:
    return asyncio.run(_run(phases or [(10, 60), (25, 60)], seed))


def parse_phases(text: str) -> list[tuple[int, float]]:
    out = []
    for part in text.split(","):
        sessions, seconds = part.split(":")
        out.append((int(sessions), float(seconds)))
    if any(b[0] <= a[0] for a, b in zip(out, out[1:], strict=False)):
        raise SystemExit("--phases: each phase must have more sessions than the one before")
    if out[-1][0] > 40 or sum(s for _, s in out) > 600:
        raise SystemExit("--phases: at most 40 sessions and 600 s in all")
    return out


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phases", default="10:60,25:60", help="sessions:seconds,...")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    result = run(parse_phases(args.phases))
    for ph in result["phases"]:
        print({k: (round(v, 1) if isinstance(v, float) else v) for k, v in ph.items()})
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
