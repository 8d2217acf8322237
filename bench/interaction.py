"""Interaction: how long the server takes to answer what a visitor does on the map page.

Measured from the client, on the websocket (Chrome DevTools frames, decoded with Streamlit's
protobuf messages): from the ``rerun_script`` message the browser sends to the
``script_finished`` message of that run. This is the server's script time plus loopback transfer
of every delta of the run; it does not include the browser's drawing. Actions:

* ``filter``   add or remove a 287(g) model in the "models" filter (alternately)
* ``month``    one month earlier or later on the month slider (alternately)
* ``place``    pick a county in the search box, which opens its profile page
* ``compare4`` open Compare with four places from a link (the run of a fresh session)

Caches are warm (one visit of each view first), as for every visitor but the first.

    .venv/bin/python bench/interaction.py [--runs 10] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pageload  # noqa: E402

from coopmap import text  # noqa: E402

PLACES = ["Travis County, TX", "Maricopa County, AZ", "Harris County, TX", "Cook County, IL"]
COMPARE_FIPS = ["48453", "04013", "48201", "17031"]  # Travis, Maricopa, Harris, Cook


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


def stats(values: list[float]) -> dict:
    return {"median": statistics.median(values), "p95": p95(values), "min": min(values),
            "max": max(values), "n": len(values)}


class Timed:
    """Timings of one action: client round trip and, from Streamlit's page profile, the
    server's script time and its slowest commands."""

    def __init__(self) -> None:
        self.client_ms = 0.0
        self.exec_ms: float = 0.0
        self.commands: dict[str, float] = {}


def run_ms(frames: pageload.Frames, page, action: Callable[[], None],
           timeout_s: float = 60) -> Timed:
    """Time from the first rerun_script sent after ``action`` to the end of that run."""
    start = len(frames.events)
    action()
    deadline = time.monotonic() + timeout_s
    retry_at, retries = time.monotonic() + 10, 2
    while time.monotonic() < deadline:
        sent, out = None, Timed()
        if retries and time.monotonic() > retry_at and not any(
                d == "s" and kind == "rerun_script" for d, _, kind, _ in frames.events[start:]):
            action()  # the page did not take the click or key: once more
            retry_at, retries = time.monotonic() + 10, retries - 1
        for d, ts, kind, msg in frames.events[start:]:
            if d == "s" and kind == "rerun_script" and sent is None:
                sent = ts
            elif sent is not None and d == "r" and kind == "page_profile":
                # Runs interrupted by a rerun send a profile too: add them up.
                out.exec_ms += msg.page_profile.exec_time / 1000
                for c in msg.page_profile.commands:
                    out.commands[c.name] = out.commands.get(c.name, 0.0) + c.time / 1000
            elif (sent is not None and d == "r" and kind == "script_finished"
                  and msg.script_finished in (0, 1)):
                page.wait_for_timeout(150)  # let the page settle before the next action
                out.client_ms = (ts - sent) * 1000
                return out
        page.wait_for_timeout(10)
    raise TimeoutError(f"no finished script run within {timeout_s} s of the action")


def _open_map(page, frames: pageload.Frames, url: str) -> None:
    before = frames.finished_runs()
    page.goto(url + "/", wait_until="commit")
    frames.wait_finished(page, before + 1)
    page.wait_for_function(f"{pageload.MAP_PATHS_JS} > {pageload.MIN_PATHS}", timeout=60000)


def _toggle_model(page) -> Callable[[], None]:
    """Add the Task Force model to the filter when no model is set, else remove the one set
    (read from the page, so a missed click cannot leave the bench out of step)."""
    def act() -> None:
        box = page.locator(".st-key-models input")
        tags = page.locator(".st-key-models [data-tag] button")
        # The filters' expander opens itself while a filter is set and closes when none is,
        # a moment after the run ends: (re)open it until the box takes the click.
        for attempt in range(5):
            try:
                if not box.is_visible():
                    page.locator("[data-testid=stExpander] summary").filter(
                        has_text=text.t("filter.more")).click(timeout=5000)
                    box.wait_for(state="visible", timeout=5000)
                if tags.count():
                    tags.first.click(timeout=3000)
                else:
                    box.click(timeout=3000)
                    box.fill("Task")
                    page.keyboard.press("Enter")
                break
            except Exception:
                if attempt == 4:
                    raise
                page.wait_for_timeout(300)
        page.keyboard.press("Escape")
    return act


def _step_month(page, earlier: bool) -> Callable[[], None]:
    def act() -> None:
        thumb = page.locator(".st-key-month input[type=range]")
        thumb.focus()
        page.keyboard.press("ArrowLeft" if earlier else "ArrowRight")
    return act


def _pick_place(page, name: str) -> Callable[[], None]:
    def act() -> None:
        # One box for names, cities and ZIP codes: a full name opens its profile on Enter.
        box = page.locator(".st-key-map_search input")
        box.click()
        box.fill(name)
        page.keyboard.press("Enter")
    return act


def measure(url: str, browser, runs: int) -> dict:
    context = browser.new_context(viewport=pageload.VIEWPORT)
    page = context.new_page()
    frames = pageload.Frames(context, page)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    out: dict[str, list[Timed]] = {"filter": [], "month": [], "place": [], "compare4": []}
    try:
        _open_map(page, frames, url)
        # One untimed pass warms the caches of each view the timed runs visit.
        for _ in range(2):
            run_ms(frames, page, _toggle_model(page))
        for earlier in (True, False):
            run_ms(frames, page, _step_month(page, earlier))
        for _ in range(runs):
            out["filter"].append(run_ms(frames, page, _toggle_model(page)))
        if page.locator(".st-key-models [data-tag]").count():
            run_ms(frames, page, _toggle_model(page))
        for i in range(runs):
            out["month"].append(run_ms(frames, page, _step_month(page, i % 2 == 0)))
        place_runs = max(1, runs // 2)
        for i in range(place_runs + 1):
            _open_map(page, frames, url)
            ms = run_ms(frames, page, _pick_place(page, PLACES[i % len(PLACES)]))
            if i:  # the first visit of a profile fills its caches
                out["place"].append(ms)
        query = "&".join(f"places={f}" for f in COMPARE_FIPS)
        for i in range(place_runs + 1):
            ms = run_ms(frames, page, lambda: page.goto(f"{url}/compare?{query}",
                                                         wait_until="commit"))
            if i:
                out["compare4"].append(ms)
    finally:
        context.close()
    result: dict = {}
    for name, timed in out.items():
        result[name] = stats([t.client_ms for t in timed])
        result[name]["server_exec"] = stats([t.exec_ms for t in timed])
        slowest: dict[str, list[float]] = {}
        for t in timed:
            for cmd, ms in t.commands.items():
                slowest.setdefault(cmd, []).append(ms)
        result[name]["commands_median_ms"] = dict(sorted(
            ((c, statistics.median(v)) for c, v in slowest.items()),
            key=lambda kv: -kv[1])[:8])
    result["page_errors"] = len(errors)
    result["method"] = ("client: websocket rerun_script sent -> script_finished received; "
                        "server_exec: Streamlit's page profile (script wall time in the server)")
    return result


def run(runs: int = 10) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = pageload.launch(p)
        try:
            with pageload.app_server(profile=True) as server:
                return measure(server.url, browser, runs)
        finally:
            browser.close()


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    result = run(args.runs)
    for name in ("filter", "month", "place", "compare4"):
        r = result[name]
        print(f"{name}: median {r['median']:.0f} ms, p95 {r['p95']:.0f} ms (n={r['n']}); "
              f"server script {r['server_exec']['median']:.0f} / {r['server_exec']['p95']:.0f}"
              f" ms; slowest commands {r['commands_median_ms']}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
