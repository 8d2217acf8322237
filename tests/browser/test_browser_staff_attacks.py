"""The staff page attacked on loopback, against a real server process: a websocket that
reconnects with a signed-in staff member's session id (taken from an upload URL, as from a proxy
log), and a flood of sign-ins from many sessions, bounded in count and time.

The signed-in browser is headless Chromium; the attacker is a bare websocket client speaking
Streamlit's protobufs (tests/browser/st_client.py)."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from st_client import rerun, rerun_until
from staff_fixtures import built_store
from staff_server import copy_data_dir, secrets_toml, staff_server
from streamlit.proto.BackMsg_pb2 import BackMsg

from coopmap import auth
from coopmap.audit import AuditLog

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "tests/corpus/pdf_renamed.xlsx"
PASSWORD = "a long staff password"
WAIT = 60_000
CLIENT_HEADER = "X-Test-Client"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(base URL, data folder, server process) with one account, alice; the per-client limits
    key on a header the test sets (as a trusted proxy's X-Real-IP would)."""
    store = built_store(tmp_path_factory, "april", drop_newest=True)
    base = tmp_path_factory.mktemp("staff_attacks")
    data = copy_data_dir(base / "data", store)
    secrets = secrets_toml({"alice": {"name": "Alice Example",
                                      "password_hash": auth.hash_password(PASSWORD)}})
    procs: list = []
    with staff_server(data, base / "cwd", secrets, base / "streamlit.log",
                      env={"COOPMAP_CLIENT_HEADER": CLIENT_HEADER}, procs=procs) as url:
        yield url, data, procs[0]


def audit_actions(data: Path) -> list[dict]:
    return AuditLog(data / "staff" / "audit.jsonl").read()


def test_a_stolen_session_id_gets_a_signed_out_page(site, browser):
    url, data, _ = site
    context = browser.new_context()
    page = context.new_page()
    uploads: list[str] = []
    page.on("request", lambda r: uploads.append(r.url) if "/_stcore/upload_file/" in r.url
            else None)
    page.goto(url + "/staff")
    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible(timeout=WAIT)
    # The browser keeps its secret in a cookie (set by the page's small component).
    deadline = time.time() + 30
    while not [c for c in context.cookies() if c["name"].startswith("coopmap_staff_")]:
        assert time.time() < deadline, "the sign-in cookie was never set"
        time.sleep(0.2)
    [cookie] = [c for c in context.cookies() if c["name"].startswith("coopmap_staff_")]
    assert cookie["sameSite"] == "Strict" and len(cookie["value"]) >= 40
    # An upload puts the session id in a URL (what reaches a proxy's log).
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(BROKEN)
    expect(page.get_by_text("Nothing was changed")).to_be_visible(timeout=WAIT)
    session_id = re.search(r"/_stcore/upload_file/([^/]+)/", uploads[0])[1]
    context.close()  # the staff member's tab goes away; the session waits for a reconnect

    # The signed-in browser itself may reconnect (a network blip, a reload): it shows its
    # cookie and stays signed in.
    back = rerun(url, session_id=session_id, cookies={cookie["name"]: cookie["value"]})
    assert back.session_id == session_id and back.finished
    assert "Signed in as" in back.text and "Spreadsheet to upload" in back.widgets

    # A stranger with the id alone is attached to the session by Streamlit, but is signed
    # out before anything is drawn: no uploader, no publish, no staff name.
    stranger = rerun(url, session_id=session_id, cookies={cookie["name"]: "forged-value"})
    assert stranger.session_id == session_id and stranger.finished
    assert "You were signed out" in stranger.text
    assert "Signed in as" not in stranger.text and "Alice Example" not in stranger.text
    assert "Spreadsheet to upload" not in stranger.widgets and "User name" in stranger.widgets
    forced = [e for e in audit_actions(data) if e["action"] == "signed_out_forced"]
    assert len(forced) == 1 and forced[0]["by"] == "alice"
    assert "could not show the signed-in browser's secret" in forced[0]["reason"]
    # The session stays ended: even the real cookie does not bring it back (sign in again).
    again = rerun(url, session_id=session_id, cookies={cookie["name"]: cookie["value"]})
    assert "Signed in as" not in again.text and "User name" in again.widgets


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_a_sign_in_flood_is_bounded_in_memory_hashing_and_state(site):
    """Eight sessions trying user names until the limits bite (loopback only): the server's
    memory stays within a few argon2 hashes, attempts past the limits are refused at once, every
    attempt ends in a message, the state database stays small, and the audit log gets one line
    per refused window, not one per attempt."""
    url, data, proc = site
    form = rerun(url, headers={CLIENT_HEADER: "probe"})
    ids = (form.widgets["User name"], form.widgets["Password"], form.widgets["Sign in"])
    before = _rss_mb(proc.pid)
    peak = [before]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], _rss_mb(proc.pid))
            time.sleep(0.1)

    results: list[tuple[float, str]] = []
    last = [time.perf_counter()] * 8
    attempts = [0] * 8

    def states(n: int):
        return lambda i: [{"id": ids[0], "string_value": f"name{n}-{i}"},
                          {"id": ids[1], "string_value": f"a guessed password {i}"},
                          {"id": ids[2], "trigger_value": True}]

    def record(n: int):
        def on_run(run):
            now = time.perf_counter()
            message = next((t for t in run.texts if t.startswith((
                "Wrong", "Too many", "The server is busy"))), "")
            results.append((now - last[n], message))
            last[n] = now
            attempts[n] += 1
        return on_run

    sampler = threading.Thread(target=sample)
    sampler.start()
    # Eight sessions, each from its own client (per-client limits apply to each).
    threads = [rerun_until(url, stop, states(n), record(n),
                           headers={CLIENT_HEADER: f"flooder{n}"}) for n in range(8)]
    # Bounded by count, not by the clock: at least 20 s, and on until some attempt is refused or
    # every client has passed its own limit (a slow machine hashes fewer than the overall limit
    # in 20 s; its clients then meet the per-client limit instead). Five minutes at most.
    start = time.perf_counter()

    def refusals() -> int:
        return sum(m.startswith(("Too many", "The server is busy")) for _, m in list(results))

    while time.perf_counter() - start < 300:
        elapsed = time.perf_counter() - start
        if elapsed >= 20 and refusals() > 0:
            break
        if min(attempts) > auth.PER_CLIENT[0]:
            break
        time.sleep(0.5)
    elapsed = time.perf_counter() - start
    stop.set()
    for t in [sampler, *threads]:
        t.join(timeout=120)
    assert results and all(message for _, message in results), results
    wrong = sum(m.startswith("Wrong") for _, m in results)
    refused = refusals()
    # At most the overall limit reached argon2 in any window of OVERALL[1] seconds, and no client
    # more than its own limit.
    windows = 1 + int(elapsed // auth.OVERALL[1])
    assert wrong <= min(auth.OVERALL[0] * windows, 8 * auth.PER_CLIENT[0]), (wrong, elapsed)
    assert refused > 0, (len(results), attempts, elapsed)
    # Before: +600 MB in 20 s. Now: the concurrent 64 MiB hashes, plus the eight sessions' own
    # state and the allocator's slack (measured 130-280 MB, the most on a slow machine whose
    # flood runs longer). The bound stays under what eight unbounded hashes take (8 x 64 MiB).
    assert peak[0] - before < 64 * (auth.MAX_CONCURRENT_HASHES + 4), (
        before, peak[0], len(results), elapsed)
    state = auth.SignInState(data / "staff" / "signin.sqlite3").counts()
    assert state["failures"] <= wrong and state["attempts"] <= 3 * len(results)
    limited = [e for e in audit_actions(data) if e["action"] == "sign_in_limited"]
    assert len(limited) <= 8 + windows  # once per client and window, once per overall window
    print(f"flood: {len(results)} attempts in {elapsed:.0f} s, {wrong} hashed, {refused} refused; "
          f"RSS {before:.0f} -> peak {peak[0]:.0f} MB")


def test_an_anonymous_clear_cache_message_empties_no_cache(site):
    """Streamlit empties every cache of the process when any browser asks: coopmap refuses.
    Seen through the staff page's start-up check (a cached resource): were it cleared, the next
    staff rerun would run the check again and remove the leftover planted meanwhile."""
    url, data, _ = site
    assert rerun(url).finished  # the staff page (and its start-up check) has run
    leftover = data / "releases" / ".tmp-planted"
    leftover.mkdir()
    (leftover / "tables.parquet").write_bytes(b"half")
    clear = BackMsg()
    clear.clear_cache = True
    assert rerun(url, page="map", backmsgs=[clear]).finished
    assert rerun(url).finished
    assert leftover.exists(), "the clear-cache message emptied the caches"
    log = (data.parent / "streamlit.log").read_text()
    assert "coopmap: refused a clear-cache request" in log
    leftover.joinpath("tables.parquet").unlink()
    leftover.rmdir()
