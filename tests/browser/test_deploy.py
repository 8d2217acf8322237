"""The deployment, run for real on loopback: nginx with the generated configuration in front of two
app processes (``coopmap.serve.Supervisor``) on a copy of the data folder, Streamlit's static
files served by nginx from the prepared copy, and a TLS + HTTP/2 listener beside the plain one.

Which process served a request is read from nginx's access log (``upstream=`` and the browser's
``node=`` cookie), so the tests know where each viewer is pinned without asking the app.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import LAPTOP, new_page
from staff_server import copy_data_dir

from coopmap import serve

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
MAP_PATHS = "svg.cm-map path.cm-area"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    try:
        serve.nginx_binary()
    except serve.ServeError as exc:
        if os.environ.get("COOPMAP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"COOPMAP_REQUIRE_BROWSER=1 but {exc}")
        pytest.skip(str(exc))
    base = tmp_path_factory.mktemp("deploy")
    data = copy_data_dir(base / "data", ROOT / "data" / "releases")
    other = _variant_release(data / "releases")
    first = serve.free_port_run(4)
    sup = serve.Supervisor(workers=2, port=first, first_app_port=first + 1, tls_port=first + 3,
                           state_dir=base / "serve", check_every=0.5,
                           extra_env={"COOPMAP_DATA_DIR": str(data)},
                           log=open(base / "supervisor.log", "w"))  # noqa: SIM115
    sup.start()
    stop = threading.Event()
    watcher = threading.Thread(target=sup.watch, args=(stop,), daemon=True)
    watcher.start()
    try:
        yield sup, f"http://127.0.0.1:{first}", data, other
    finally:
        stop.set()
        watcher.join(timeout=5)
        sup.stop()


def _variant_release(root: Path) -> str:
    """A second release of the current schema in the copied store (not current): the current
    one with one state's population changed. Old bundled releases may predate tables the app
    now reads, so rolling back to them is no test of the store."""
    from coopmap.store import ReleaseStore

    store = ReleaseStore(root)
    current = store.current()
    tables = current.tables()
    tables["states"] = tables["states"].copy()
    tables["states"].loc[0, "population"] = int(tables["states"].loc[0, "population"]) + 1
    release = store.write(tables, built_by="test", sources=current.manifest["sources"],
                          note="deployment test variant", based_on=current.id,
                          data_as_of=current.manifest.get("data_as_of"))
    return release.id


def _access_log(sup: serve.Supervisor) -> list[str]:
    return (sup.state_dir / "logs" / "access.log").read_text().splitlines()


def _served(sup: serve.Supervisor, node: str, since: int = 0) -> list[str]:
    """Ports of the processes that answered the requests sent with cookie ``node``."""
    out = []
    for line in _access_log(sup)[since:]:
        if f" node={node} " in line:
            m = re.search(r"upstream=(\S+(?:, \S+)*) node=", line)
            if m and m.group(1) != "-":
                out.append(m.group(1).split(",")[-1].strip().rsplit(":", 1)[1])
    return out


def _wait_for_map(page) -> None:
    # A locator, not wait_for_function: the page's CSP (rightly) forbids the eval that a
    # JavaScript predicate string needs.
    page.locator(MAP_PATHS).nth(3000).wait_for(state="attached", timeout=45_000)


def _node(context) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "coopmap_node")


def _open_map(browser):
    context, page = new_page(browser, LAPTOP)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(f"{pytest.deploy_url}/")
    _wait_for_map(page)
    return context, page, problems


@pytest.fixture(autouse=True)
def _url(deployment):
    pytest.deploy_url = deployment[1]


def _release_shown(page) -> str:
    text = page.get_by_text(re.compile(r"Dataset \d{8}-[0-9a-f]{10}")).first.inner_text()
    return re.search(r"\d{8}-[0-9a-f]{10}", text).group(0)


def test_map_draws_through_the_proxy_offline_without_csp_violations(deployment, browser,
                                                                     artifacts):
    sup, url, _, _ = deployment
    context, page, problems = _open_map(browser)
    try:
        page.screenshot(path=str(artifacts / "deploy-map-through-nginx.png"))
        assert problems == []
        node = _node(context)
        # Every request that carried the cookie and reached an app process went to the process
        # it names (Streamlit's static files come from nginx's copy: no process at all).
        served = _served(sup, node)
        assert len(served) >= 3 and set(served) == {node}, set(served)
    finally:
        context.close()


def test_pages_carry_a_description_for_link_previews(deployment):
    """What a link previewer reads (the HTML, no JavaScript run): the description, compressed."""
    import gzip
    from html import escape

    from coopmap.text import EN
    from coopmap.text_es import ES

    _, url, _, _ = deployment
    for path, words, other in (("/", EN, ES), ("/profile?place=48201", EN, ES),
                               ("/profile?place=48201&lang=es", ES, EN)):
        r = urllib.request.urlopen(urllib.request.Request(
            f"{url}{path}", headers={"Accept-Encoding": "gzip"}))
        assert r.headers["Content-Encoding"] == "gzip"
        html = gzip.decompress(r.read()).decode()
        head = html[:html.index("</head>")]
        assert head.count('<meta name="description"') == 1
        assert escape(words["app.description"], quote=True) in head, path
        assert escape(other["app.description"], quote=True) not in head, path
        assert '<meta property="og:description"' in head


def test_text_responses_are_compressed_and_hashed_files_cached(deployment):
    sup, url, _, _ = deployment
    html = urllib.request.urlopen(f"{url}/").read().decode()
    script = re.search(r'src="\./(static/js/index\.[^"]+\.js)"', html).group(1)
    raw = urllib.request.urlopen(
        urllib.request.Request(f"{url}/{script}", headers={"Accept-Encoding": "identity"}))
    raw_bytes = len(raw.read())
    for encoding in ("br", "gzip"):
        if encoding == "br" and not serve.BROTLI_MODULE.exists():
            continue
        r = urllib.request.urlopen(
            urllib.request.Request(f"{url}/{script}", headers={"Accept-Encoding": encoding}))
        body = r.read()
        assert r.headers["Content-Encoding"] == encoding
        assert len(body) < 0.35 * raw_bytes, (encoding, len(body), raw_bytes)
        assert "immutable" in r.headers["Cache-Control"]
    shapes = sorted((ROOT / "static" / "geo").glob("county-paths-*.json"))
    assert shapes, "the map test above writes the shapes file"
    r = urllib.request.urlopen(urllib.request.Request(
        f"{url}/app/static/geo/{shapes[-1].name}", headers={"Accept-Encoding": "gzip"}))
    assert r.headers["Content-Encoding"] == "gzip"
    assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    if serve.BROTLI_MODULE.exists():
        # nginx sends the shapes from the folder the app wrote them to, with its own brotli.
        import brotli

        lines_before = len(_access_log(sup))
        r, body = _get(f"{url}/app/static/geo/{shapes[-1].name}?probe=br", "br")
        assert r.headers["Content-Encoding"] == "br"
        assert r.headers["Content-Type"] == "application/json"
        assert brotli.decompress(body) == shapes[-1].read_bytes()
        (line,) = _logged(sup, lines_before, f"/app/static/geo/{shapes[-1].name}?probe=br", 1)
        assert "upstream=-" in line
    page = urllib.request.urlopen(f"{url}/map")
    csp = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "'unsafe-eval'" not in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def _logged(sup: serve.Supervisor, since: int, part: str, n: int) -> list[str]:
    """The access-log lines for ``part`` after line ``since``, once there are ``n``: nginx
    writes a request's line after it has sent the response (bounded by count of reads)."""
    lines: list[str] = []
    for _ in range(100):
        lines = [line for line in _access_log(sup)[since:] if part in line]
        if len(lines) >= n:
            break
        time.sleep(0.1)
    return lines


def _get(url: str, encoding: str):
    r = urllib.request.urlopen(urllib.request.Request(url, headers={"Accept-Encoding": encoding}))
    return r, r.read()


def test_static_files_come_precompressed_from_nginx_not_the_app(deployment):
    import gzip

    import brotli

    from coopmap import static_files

    sup, url, _, _ = deployment
    assert sup.wait_brotli(timeout=900), "the brotli files were not written"
    html = urllib.request.urlopen(f"{url}/").read().decode()
    source = static_files.streamlit_static()
    checked = 0
    for rel, mime in ((re.search(r'src="\./static/(js/index\.[^"]+\.js)"', html).group(1),
                       "application/javascript"),
                      (next(p.relative_to(source).as_posix()
                            for p in (source / "css").glob("index.*.css")), "text/css")):
        original = (source / rel).read_bytes()
        lines_before = len(_access_log(sup))
        requests = 1  # the identity request below
        for encoding, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
            if encoding == "br" and not serve.BROTLI_STATIC_MODULE.exists():
                assert os.environ.get("COOPMAP_REQUIRE_BROWSER") != "1", "CI installs it"
                continue
            r, body = _get(f"{url}/static/{rel}?probe=1", f"{encoding}, identity")
            requests += 1
            if encoding == "br":
                accepting = _get(f"{url}/static/{rel}?probe=1", "gzip, deflate, br")[1]
                requests += 1
                assert accepting == body  # a browser's header gets the brotli file too
            assert r.headers["Content-Encoding"] == encoding, rel
            assert r.headers["Content-Type"] == mime
            assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            assert "Accept-Encoding" in r.headers["Vary"]
            assert r.headers["X-Content-Type-Options"] == "nosniff"
            assert decode(body) == original
            # The file written ahead (quality 11 / -9), not one compressed on the fly.
            assert body == (sup.static.files / f"{rel}.{'br' if encoding == 'br' else 'gz'}"
                            ).read_bytes()
        r, body = _get(f"{url}/static/{rel}?probe=1", "identity")
        assert "Content-Encoding" not in r.headers and body == original
        served = _logged(sup, lines_before, f"/static/{rel}?probe=1", requests)
        assert len(served) == requests and all("upstream=-" in x for x in served), served
        checked += 1
    assert checked == 2


ICONS_JS = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.childElementCount === 0 && e.textContent.trim()
          && getComputedStyle(e).fontFamily.includes('Material Symbols'))
  .map(e => ({name: e.textContent.trim(), width: e.getBoundingClientRect().width,
              size: parseFloat(getComputedStyle(e).fontSize)}))"""


def test_the_icon_font_is_the_subset_and_every_icon_still_renders(deployment, browser, artifacts):
    """nginx answers the icon font's URL with the subset; on every page through the proxy each
    icon is drawn as one glyph (a name the subset lacked would be drawn as its letters, many
    times wider), and the page's navigation looks exactly as it does from the app process."""
    import io

    from fontTools.ttLib import TTFont
    from PIL import Image, ImageChops

    from coopmap import static_files

    sup, url, _, _ = deployment
    (font_url,) = sup.static.subset_fonts
    r, served = _get(f"{url}{font_url}", "br, gzip")
    whole = (static_files.streamlit_static() / font_url.removeprefix("/static/")).read_bytes()
    assert served == (sup.static.files / font_url.removeprefix("/static/")).read_bytes()
    assert len(served) < len(whole) / 10
    assert r.headers["Content-Type"] == "font/woff2"
    assert r.headers["Cache-Control"] == "public, max-age=86400"
    kept = set(static_files._ligatures(TTFont(io.BytesIO(served))))
    seen: set[str] = set()
    direct = f"http://127.0.0.1:{sup.app_ports[0]}"
    for path in ("/", "/?lang=es", "/profile?place=48201", "/profile?place=48201&lang=es",
                 "/compare?places=48201,48453", "/trends", "/about", "/staff"):
        opened = [new_page(browser, LAPTOP) for _ in (url, direct)]
        try:
            for base, (_, page) in zip((url, direct), opened, strict=True):
                page.goto(f"{base}{path}")
                page.get_by_test_id("stTopNavLink").first.wait_for(timeout=45_000)
                page.wait_for_load_state("networkidle")
                assert page.evaluate("() => document.fonts.check('16px \"Material Symbols "
                                     "Rounded\"', 'map')")
                icons = page.evaluate(ICONS_JS)
                assert icons, path
                for icon in icons:
                    assert icon["width"] <= 1.5 * icon["size"], (base, path, icon)
                    seen.add(icon["name"])
            for _attempt in range(5):  # until neither shows the "running" indicator
                shots = []
                for _, page in opened:
                    page.get_by_test_id("stStatusWidget").wait_for(state="hidden",
                                                                   timeout=45_000)
                    shots.append(Image.open(io.BytesIO(page.screenshot(clip={
                        "x": 0, "y": 0, "width": LAPTOP["width"], "height": 60}))).convert("RGB"))
                if ImageChops.difference(*shots).getbbox() is None:
                    break
                opened[0][1].wait_for_timeout(1000)
            else:
                for name, shot in zip(("nginx", "direct"), shots, strict=True):
                    shot.save(artifacts / f"deploy-icons-{name}.png")
                pytest.fail(f"{path}: the navigation differs through nginx (see artifacts)")
        finally:
            for context, _ in opened:
                context.close()
    assert seen <= kept, seen - kept
    assert {"map", "location_on", "compare", "trending_up", "info", "lock"} <= seen


def test_the_tls_listener_speaks_http2_and_draws_the_map(deployment, browser):
    sup, _, _, _ = deployment
    context = browser.new_context(viewport=LAPTOP, ignore_https_errors=True)
    try:
        page = context.new_page()
        page.goto(f"https://127.0.0.1:{sup.tls_port}/")
        _wait_for_map(page)
        protocols = page.evaluate("() => performance.getEntriesByType('resource')"
                                  ".filter(e => e.name.includes('/static/'))"
                                  ".map(e => e.nextHopProtocol)")
        assert len(protocols) > 20 and set(protocols) == {"h2"}, set(protocols)
    finally:
        context.close()


def _viewers_on_both_processes(browser, sup):
    """Two viewers: new visitors go to the process with fewer connections, so the second
    lands on the other process."""
    by_port: dict[str, tuple] = {}
    opened = []
    for _ in range(6):
        context, page, _problems = _open_map(browser)
        opened.append(context)
        by_port.setdefault(_node(context), (context, page))
        if len(by_port) == 2:
            break
    for context in opened:
        if all(context is not v[0] for v in by_port.values()):
            context.close()
    assert len(by_port) == 2, "six viewers all landed on one process"
    return by_port


def test_a_rollback_in_another_process_reaches_viewers_on_both(deployment, browser):
    sup, url, data, other = deployment
    viewers = _viewers_on_both_processes(browser, sup)
    try:
        before = {up: _release_shown(page) for up, (_, page) in viewers.items()}
        current = (data / "releases" / "CURRENT").read_text().strip()
        assert set(before.values()) == {current}
        # A staff rollback made by another OS process on the shared store.
        code = ("from pathlib import Path; from coopmap.store import ReleaseStore;"
                f"ReleaseStore(Path({str(data / 'releases')!r})).rollback("
                f"{other!r}, expected_current={current!r}, by='test')")
        subprocess.run([sys.executable, "-c", code], check=True)
        for up, (_, page) in viewers.items():
            page.goto(f"{url}/")  # the viewer's next visit, pinned to the same process
            _wait_for_map(page)
            assert _release_shown(page) == other, up
        subprocess.run([sys.executable, "-c", code.replace(
            f"{other!r}, expected_current={current!r}",
            f"{current!r}, expected_current={other!r}")], check=True)
    finally:
        for context, _ in viewers.values():
            context.close()


def test_killing_the_viewers_process_keeps_the_viewer_working(deployment, browser, artifacts):
    sup, url, _, _ = deployment
    context, page, problems = _open_map(browser)
    try:
        port = int(_node(context))
        lines_before = len(_access_log(sup))
        os.kill(sup.app_pid(port), signal.SIGKILL)
        # The browser notices the closed websocket and reconnects through nginx: the dead
        # process's upstream hands it to its backup, which starts a new session and draws the
        # page again; the cookie follows the session.
        deadline = time.monotonic() + 60
        while _node(context) == str(port) and time.monotonic() < deadline:
            time.sleep(0.5)
        moved_to = _node(context)
        assert moved_to != str(port), "the viewer did not move to the other process in 60 s"
        _wait_for_map(page)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(artifacts / "deploy-after-kill.png"))
        assert page.get_by_test_id("stException").count() == 0
        assert page.get_by_text("Connection error").count() == 0
        statuses = [re.search(r'" (\d{3}) ', line).group(1)
                    for line in _access_log(sup)[lines_before:]]
        assert "502" not in statuses and "504" not in statuses, statuses
        assert problems == []
        # The supervisor starts the killed process again and puts it back.
        deadline = time.monotonic() + 60
        while not serve.healthy(port) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert serve.healthy(port)
        # Back on its feet, the old process does not take the viewer back: its session is
        # in the other one now.
        since = len(_access_log(sup))
        context.request.get(f"{url}/_stcore/health")
        assert _served(sup, moved_to, since) == [moved_to]
    finally:
        context.close()


def test_staff_page_loads_are_rate_limited_with_429(deployment):
    sup, url, _, _ = deployment
    codes = []
    for _ in range(40):
        try:
            with urllib.request.urlopen(f"{url}/staff") as r:
                codes.append(r.status)
        except urllib.error.HTTPError as exc:
            codes.append(exc.code)
            if exc.code == 429:
                assert exc.headers["Retry-After"] == "60"
                assert b"Too many requests" in exc.read()
    assert codes[0] == 200
    assert 429 in codes
    assert codes.index(429) >= sup.settings().staff_burst  # the burst passes first
    # The public pages are not limited by it.
    assert urllib.request.urlopen(f"{url}/map").status == 200


def test_uploads_over_the_limit_are_refused_at_the_proxy(deployment):
    sup, url, _, _ = deployment
    body = b"x" * (sup.settings().upload_limit_mb * 1024 * 1024 + 1)
    req = urllib.request.Request(f"{url}/_stcore/upload_file/session/file", data=body,
                                 method="PUT", headers={"Content-Type": "text/csv"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(req)
    assert info.value.code == 413
    assert b"larger than 10 MB" in info.value.read()
    time.sleep(0.2)
    lines = [x for x in _access_log(sup) if "upload_file/session/file" in x]
    assert len(lines) == 1, _access_log(sup)[-3:]
    line = lines[0]
    assert " 413 " in line and "upstream=-" in line  # it never reached an app process
