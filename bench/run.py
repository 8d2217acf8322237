"""Run every coopmap benchmark and write bench/results/latest.json and latest.md.

    python3 run.py bench            # the full run (about 10 minutes)
    python3 run.py bench --smoke    # one run of each, 5 s of load with 2 sessions (CI)
    .venv/bin/python bench/run.py --only pageload,staff

Sections: pageload (bench/pageload.py), interaction (bench/interaction.py), staff
(bench/staff_path.py), build (bench/bench_build.py), load (bench/load.py), deploy
(bench/deploy.py: nginx + 2 processes against one process; its load generator is
bench/wsload.py). A section that fails
is reported as failed and the others still run; the exit status is 1 if any failed. See
bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

SECTIONS = ("pageload", "interaction", "language", "staff", "detention", "build", "load",
            "deploy")
FULL = {"pageload_runs": 5, "interaction_runs": 10, "staff_runs": 3, "build_runs": 3,
        "build_build_runs": 1, "load_phases": [(10, 60), (25, 60)], "deploy_smoke": False,
        "language_runs": 6}
SMOKE = {"pageload_runs": 1, "interaction_runs": 2, "staff_runs": 1, "build_runs": 1,
         "build_build_runs": 1, "load_phases": [(2, 5)], "deploy_smoke": True,
         "language_runs": 1}


def run_section(name: str, cfg: dict) -> dict:
    if name == "pageload":
        import pageload

        return pageload.run(cfg["pageload_runs"])
    if name == "interaction":
        import interaction

        result = interaction.run(cfg["interaction_runs"])
        try:  # the dashboard's own check: AppTest reruns in this process (no browser, no socket)
            import bench_dashboard

            result["apptest"] = bench_dashboard.filter_changes(max(2, cfg["interaction_runs"] // 2))
        except Exception as exc:
            result["apptest"] = {"failed": f"{type(exc).__name__}: {exc}"[:200]}
        return result
    if name == "language":
        import language

        return language.run(cfg["language_runs"])
    if name == "staff":
        import staff_path

        return staff_path.run(cfg["staff_runs"])
    if name == "detention":
        import detention_preview

        return detention_preview.run(cfg["staff_runs"])
    if name == "build":
        import bench_build

        return bench_build.main(["--runs", str(cfg["build_runs"]),
                                 "--build-runs", str(cfg["build_build_runs"])])
    if name == "load":
        import load

        return load.run(cfg["load_phases"])
    if name == "deploy":
        import deploy

        return deploy.run(smoke=cfg["deploy_smoke"])
    raise ValueError(f"unknown section {name!r}; sections are {SECTIONS}")


# --- the table ---------------------------------------------------------------------------------


def _fmt(value, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "ms":
        return f"{value:,.0f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "KB":
        return f"{value / 1024:,.0f} KB"
    if unit == "MB":
        return f"{value:,.1f} MB"
    if unit == "%":
        return f"{value:.0f} %"
    return str(value)


def _ratio(a, b) -> str:
    return f"{a / b:.2f}" if a is not None and b else ""


def _met(ok: bool | None) -> str:
    return "" if ok is None else ("yes" if ok else "**no**")


def table(results: dict) -> list[str]:
    """Markdown rows: measure | coopmap | baseline | ratio | target | met."""
    rows = ["| measure | coopmap | baseline | ratio | target | met |",
            "| --- | --- | --- | --- | --- | --- |"]

    def row(measure, app, base, unit, target="", ok=None, ratio=None):
        r = ratio if ratio is not None else _ratio(app, base) if base is not None else ""
        shown = _fmt(base, unit) if base is not None else ""
        rows.append(f"| {measure} | {_fmt(app, unit)} | {shown} | {r} | {target} | {_met(ok)} |")

    pl = results.get("pageload", {})
    if "app" in pl:
        a, b = pl["app"], pl["baseline"]
        paint, bpaint = a["paint_ms"]["median"], b["paint_ms"]["median"]
        row(f"first county-map paint, median of {a['paint_ms']['n']} (min–max: "
            f"{a['paint_ms']['min']:,.0f}–{a['paint_ms']['max']:,.0f} / "
            f"{b['paint_ms']['min']:,.0f}–{b['paint_ms']['max']:,.0f} ms)",
            paint, bpaint, "ms", "≤ 0.5× and < 2,500 ms",
            paint <= 0.5 * bpaint and paint < 2500)
        ws, bws = a["ws_wire"]["median"], b["ws_wire"]["median"]
        row("websocket bytes for the county map (as sent)", ws, bws, "KB",
            "≤ 0.33× and < 600 KB", ws <= bws / 3 and ws < 600 * 1024)
        row("websocket bytes, decoded messages", a["ws_payload"]["median"],
            b["ws_payload"]["median"], "KB")
        row("HTTP bytes of the page load (as sent)", a["http_wire"]["median"],
            b["http_wire"]["median"], "KB")
        row("requests that tried to leave 127.0.0.1", a["external_requests"],
            b["external_requests"], "", "0", a["external_requests"] == 0)
    ia = results.get("interaction", {})
    targets = {"filter": ("< 200 ms median, < 500 ms p95", (200, 500))}
    names = {"filter": "filter change (a 287(g) model)", "month": "month change",
             "place": "place selection (search → profile)",
             "compare4": "open Compare with 4 places"}
    for key, label in names.items():
        if key not in ia:
            continue
        r = ia[key]
        target, limits = targets.get(key, ("", None))
        ex = r.get("server_exec", {})
        # The target is server time: Streamlit's own script time when the profile came back.
        judged = ex if ex and ex.get("median") else r
        ok = None if limits is None else (judged["median"] < limits[0]
                                          and judged["p95"] < limits[1])
        script = (f"; script {ex['median']:,.0f} / {ex['p95']:,.0f} ms" if ex else "")
        rows.append(f"| {label}: round trip median / p95 (n={r['n']}) | "
                    f"{r['median']:,.0f} / {r['p95']:,.0f} ms{script} | | | {target} | "
                    f"{_met(ok)} |")
    for kind, r in (ia.get("apptest") or {}).items():
        if isinstance(r, dict) and "median_ms" in r:
            rows.append(f"| AppTest rerun after a {kind} change (no browser), median | "
                        f"{r['median_ms']:,.0f} ms | | | | |")
    st = results.get("staff", {})
    if "prepare_s" in st:
        base = st["baseline_read_excel_s"]
        bd = ", ".join(f"{k} {v:.2f}" for k, v in st["prepare_breakdown_s"].items())
        never = " of a sheet never seen by this process" if "prepare_again_s" in st else ""
        cpu = f"; CPU {st['prepare_cpu_s']:.2f} s" if "prepare_cpu_s" in st else ""
        row(f"staff preview{never}: the build of the source set with the ICE sheet added, + "
            f"diff ({bd} s{cpu}; baseline: pandas read_excel)",
            st["prepare_s"], base, "s", "< 1.5 s", st["prepare_s"] < 1.5)
        if "prepare_again_s" in st:
            row(f"staff preview again (the same file; CPU {st['prepare_again_cpu_s']:.2f} s)",
                st["prepare_again_s"], base, "s", "< 1.5 s", st["prepare_again_s"] < 1.5)
        if "prepare_new_first_s" in st:
            rows.append(f"| … the first of those previews (it also matches the agencies the "
                        f"sheet lists for the first time) | {st['prepare_new_first_s']:.2f} s; "
                        f"CPU {st['prepare_new_first_cpu_s']:.2f} s | | | | |")
        if "prepare_cold_s" in st:
            rows.append(f"| the same preview in a process that has parsed nothing yet (before "
                        f"the staff page's warm-up) | {st['prepare_cold_s']:.2f} s | | | | |")
        row("publish (write release + switch, temp store)", st["publish_s"], base, "s",
            "< 2 s", st["publish_s"] < 2)
    dp = results.get("detention", {})
    if "preview_s" in dp:
        bd = ", ".join(f"{k} {v:.2f}" for k, v in dp["preview_breakdown_s"].items())
        row(f"ICE detention workbook preview: read + check + rebuild ({bd} s; baseline: pandas "
            "read_excel)", dp["preview_s"], dp["baseline_read_excel_s"], "s", "< 1.5 s",
            dp["preview_s"] < 1.5)
    bb = results.get("build", {})
    if "build_s" in bb:
        base = bb["baseline_read_s"]
        row("coopmap build (baseline: pandas reads ICE sheet + population)", bb["build_s"],
            base, "s", "< 60 s", bb["build_s"] < 60)
        row("load the current release (all tables)", bb["load_release_s"], base, "s",
            "< 0.5 s", bb["load_release_s"] < 0.5)
    ld = results.get("load", {})
    for ph in ld.get("phases", []):
        n = ph["sessions"]
        last = ph is ld["phases"][-1]
        p95 = ph["update_p95_ms"]
        per = ph["rss_per_added_session_mb"]
        timeouts = ph.get("timeouts")
        detail = f" ({timeouts} timeouts)" if timeouts else ""
        rows.append(
            f"| {n} sessions, {ph['seconds']:.0f} s: {ph['actions']} map updates, errors | "
            f"{ph['errors']}{detail} | | | 0 | {_met(ph['errors'] == 0) if last else ''} |")
        rows.append(
            f"| {n} sessions: map update p50 / p95 (click → new map drawn) | "
            f"{_fmt(ph['update_p50_ms'], 'ms')} / {_fmt(p95, 'ms')} | | | p95 < 2,000 ms | "
            f"{_met(p95 is not None and p95 < 2000) if last else ''} |")
        if ph.get("server_script_p50_ms") is not None:
            rows.append(
                f"| {n} sessions: server script time p50 / p95 (page profile) | "
                f"{_fmt(ph['server_script_p50_ms'], 'ms')} / "
                f"{_fmt(ph['server_script_p95_ms'], 'ms')} | | | | |")
        machine = ph.get("machine_cpu_mean_pct")
        rows.append(
            f"| {n} sessions: server CPU mean / max (% of one core); RSS end"
            f"{'; whole machine CPU, load average' if machine is not None else ''} | "
            f"{_fmt(ph['cpu_mean_pct'], '%')} / {_fmt(ph['cpu_max_pct'], '%')}; "
            f"{_fmt(ph['rss_end_mb'], 'MB')}"
            + (f"; {machine:.0f} %, {ph['loadavg_1m']:.1f}" if machine is not None else "")
            + " | | | | |")
        rows.append(
            f"| {n} sessions: RSS growth per added session | {_fmt(per, 'MB')} | | | < 30 MB | "
            f"{_met(per is not None and per < 30)} |")
    lg = results.get("language", {})
    if "ratio" in lg:
        rows.append(
            f"| filter change in Spanish vs English, server time (AppTest, median of "
            f"{lg['changes']} each) | {_fmt(lg['es_median_ms'], 'ms')} | "
            f"{_fmt(lg['en_median_ms'], 'ms')} (English) | {lg['ratio']:.2f}× | ≤ 1.10× | "
            f"{_met(lg['ratio'] <= 1.10)} |")
    rows += deploy_rows(results.get("deploy", {}))
    for name, r in results.items():
        if isinstance(r, dict) and "failed" in r:
            rows.append(f"| {name} | **failed**: {r['failed']} | | | | |")
    return rows


def deploy_rows(dp: dict) -> list[str]:
    """The deploy section: nginx + 2 processes (coopmap column) against one process reached
    directly (baseline column)."""
    rows = [f"| deploy: {name} | **failed**: {why} | | | | |"
            for name, why in dp.get("failures", {}).items()]
    down = [line for line in dp.get("supervisor", []) if "not healthy" in line]
    if down:
        rows.append(f"| deploy: app processes marked down by the health check | {len(down)} "
                    f"({'; '.join(down[:3])}) | | | | |")
    if "bytes" not in dp:
        return rows
    b = dp["bytes"]
    prox, direct = b["proxied"], b["direct"]
    ratio = prox["total_wire"] / direct["total_wire"]
    rows.append(f"| first visit through nginx vs direct: bytes as sent (HTTP + websocket) | "
                f"{_fmt(prox['total_wire'], 'KB')} | {_fmt(direct['total_wire'], 'KB')} | "
                f"{ratio:.2f} | ≤ 0.35× | {_met(ratio <= 0.35)} |")
    pf, df = prox["by_kind"].get("font", 0), direct["by_kind"].get("font", 0)
    rest_p = sum(prox["by_kind"].values()) - pf
    rest_d = sum(direct["by_kind"].values()) - df
    rows.append(f"| … of which fonts (woff2: compressed already, as received) | "
                f"{_fmt(pf, 'KB')} | {_fmt(df, 'KB')} | | | |")
    rows.append(f"| … HTTP responses other than fonts (as received) | {_fmt(rest_p, 'KB')} | "
                f"{_fmt(rest_d, 'KB')} | {_ratio(rest_p, rest_d)} | | |")
    rows.append(f"| … requests (responses seen by the browser) | {prox.get('requests', '–')} | "
                f"{direct.get('requests', '–')} | | | |")
    tls = b.get("proxied_tls")
    if tls:
        r = tls["total_wire"] / direct["total_wire"]
        rows.append(f"| … the same visit over TLS + HTTP/2 (nginx's TLS port; TLS records) | "
                    f"{_fmt(tls['total_wire'], 'KB')} | {_fmt(direct['total_wire'], 'KB')} | "
                    f"{r:.2f} | ≤ 0.35× | {_met(r <= 0.35)} |")
    ph = dp["phone"]
    pm, dm = ph["proxied_ms"], ph["direct_ms"]
    rows.append(
        f"| phone first paint (1.6 Mbps / 750 kbps / 150 ms RTT, CPU 4×, 390×844), median of "
        f"{pm['n']} (min–max {pm['min']:,.0f}–{pm['max']:,.0f} / "
        f"{dm['min']:,.0f}–{dm['max']:,.0f} ms) | {_fmt(pm['median'], 'ms')} | "
        f"{_fmt(dm['median'], 'ms')} | {pm['median'] / dm['median']:.2f} | ≤ 6,000 ms and "
        f"≤ 0.5× | {_met(pm['median'] <= 6000 and pm['median'] <= 0.5 * dm['median'])} |")
    tm = ph.get("proxied_tls_ms")
    if tm:
        rows.append(
            f"| … through nginx over TLS + HTTP/2, median of {tm['n']} (min–max "
            f"{tm['min']:,.0f}–{tm['max']:,.0f} ms) | {_fmt(tm['median'], 'ms')} | "
            f"{_fmt(dm['median'], 'ms')} | {tm['median'] / dm['median']:.2f} | ≤ 6,000 ms and "
            f"≤ 0.5× | {_met(tm['median'] <= 6000 and tm['median'] <= 0.5 * dm['median'])} |")
    cc = dp.get("cross_check")
    if cc:
        rows.append(f"| one month step, median of {cc['n']}: generator vs browser (rerun sent "
                    f"→ script finished; cross-check) | {_fmt(cc['generator_ms'], 'ms')} | "
                    f"{_fmt(cc['browser_ms'], 'ms')} (browser) | "
                    f"{_ratio(cc['generator_ms'], cc['browser_ms'])} | roughly 1 | |")
        if cc.get("generator_script_ms") is not None:
            rows.append(f"| … the server's script time of those runs (page profile) | "
                        f"{_fmt(cc['generator_script_ms'], 'ms')} | "
                        f"{_fmt(cc['browser_script_ms'], 'ms')} (browser) | "
                        f"{_ratio(cc['generator_script_ms'], cc['browser_script_ms'])} | | |")
    cal = dp.get("calibrate")
    if cal:
        fill = cal["sessions_to_fill_one_core"]
        rows.append(f"| app CPU per map update, one session (n={cal['n']}); sessions acting "
                    f"every 3 s that fill one core | {cal['app_cpu_s_per_update'] * 1000:,.0f} "
                    f"ms; {fill:,.0f} | | | | |")
    cal0 = dp.get("calibrate_streamlit_default")
    if cal and cal0:
        rows.append(f"| … the same with Streamlit's default runner.postScriptGC (a full garbage "
                    f"collection after every run) | | "
                    f"{cal0['app_cpu_s_per_update'] * 1000:,.0f} ms; "
                    f"{cal0['sessions_to_fill_one_core']:,.0f} | "
                    f"{_ratio(cal['app_cpu_s_per_update'], cal0['app_cpu_s_per_update'])} | | |")
    if dp.get("ramp_direct"):
        steps = ", ".join(f"{ph_['sessions']}: {_fmt(ph_['update_p95_ms'], 'ms')}"
                          f"{' (' + str(ph_['errors']) + ' errors)' if ph_['errors'] else ''}"
                          for ph_ in dp["ramp_direct"])
        n = dp.get("sessions_per_process")
        rows.append(f"| sessions one process serves at p95 map update ≤ 2 s (p95 by sessions: "
                    f"{steps}) | | {n if n is not None else 'fewer than the first step'} | "
                    f"| | |")
    sp, sd = dp.get("steady_proxied"), dp.get("steady_direct")
    if sp and sd:
        n, sec = sp["sessions"], sp["seconds"]
        rows.append(f"| {n} sessions, {sec:.0f} s, 2 processes behind nginx vs 1 process: map "
                    f"updates, errors | {sp['updates']}, {sp['errors']} | {sd['updates']}, "
                    f"{sd['errors']} | | 0 | {_met(sp['errors'] == 0)} |")
        rows.append(f"| {n} sessions: map update p50 / p95 (generator: rerun sent → script "
                    f"finished) | {_fmt(sp['update_p50_ms'], 'ms')} / "
                    f"{_fmt(sp['update_p95_ms'], 'ms')} | {_fmt(sd['update_p50_ms'], 'ms')} / "
                    f"{_fmt(sd['update_p95_ms'], 'ms')} | "
                    f"{_ratio(sp['update_p95_ms'], sd['update_p95_ms'])} | p95 ≤ 2,000 ms | "
                    f"{_met(sp['update_p95_ms'] is not None and sp['update_p95_ms'] <= 2000)} |")
        rows.append(f"| {n} sessions: RSS per session (app processes, psutil) | "
                    f"{_fmt(sp['rss_per_session_mb'], 'MB')} | "
                    f"{_fmt(sd['rss_per_session_mb'], 'MB')} | | | |")
        rows.append(
            f"| {n} sessions: CPU (% of one core) of the app processes / nginx / generator; "
            f"whole machine; load average | {_fmt(sp['app_cpu_mean_pct'], '%')} / "
            f"{_fmt(sp.get('nginx_cpu_mean_pct'), '%')} / "
            f"{_fmt(sp['generator_cpu_mean_pct'], '%')}; {_fmt(sp['machine_cpu_mean_pct'], '%')}"
            f", {sp['loadavg_1m']:.1f} | {_fmt(sd['app_cpu_mean_pct'], '%')} / – / "
            f"{_fmt(sd['generator_cpu_mean_pct'], '%')}; {_fmt(sd['machine_cpu_mean_pct'], '%')}"
            f", {sd['loadavg_1m']:.1f} | | | |")
    return rows


def _meta(smoke: bool) -> dict:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                             capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        rev = ""
    return {"when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "git": rev,
            "smoke": smoke, "cpus": os.cpu_count(), "loadavg_start": os.getloadavg(),
            "python": platform.python_version(), "machine": platform.platform()}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="one run each, 5 s of load")
    parser.add_argument("--only", help=f"comma-separated sections of {','.join(SECTIONS)}")
    parser.add_argument("--out", default=str(HERE / "results"), help="results folder")
    args = parser.parse_args(argv)
    sections = args.only.split(",") if args.only else list(SECTIONS)
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; sections are {SECTIONS}")
    cfg = SMOKE if args.smoke else FULL
    results: dict = {"meta": _meta(args.smoke)}
    failed = False
    for name in sections:
        print(f"== {name}", flush=True)
        start = time.perf_counter()
        try:
            results[name] = run_section(name, cfg)
        except Exception as exc:
            traceback.print_exc()
            results[name] = {"failed": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"}
            failed = True
        results[name]["section_s"] = time.perf_counter() - start
        print(f"   {name}: {results[name]['section_s']:.0f} s", flush=True)
    results["meta"]["loadavg_end"] = os.getloadavg()
    out = Path(args.out)
    text = write(results, out)
    print()
    print(text)
    print(f"written: {out / 'latest.json'}, {out / 'latest.md'}")
    return 1 if failed else 0


def write(results: dict, out: Path) -> str:
    """Write latest.json and latest.md into ``out``; returns the Markdown."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    meta = results["meta"]
    lines = [f"coopmap benchmarks, {meta['when']} (git {meta['git'] or '?'}"
             f"{', smoke' if meta['smoke'] else ''}; {meta['cpus']} CPUs, load average "
             f"{meta['loadavg_start'][0]:.1f} at start, {meta['loadavg_end'][0]:.1f} at end)",
             "", *table(results), ""]
    text = "\n".join(lines)
    (out / "latest.md").write_text(text)
    return text


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
