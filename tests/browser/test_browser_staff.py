"""The whole staff flow in a real browser, as a staff member does it: sign in (a wrong password
first), a broken upload, the ICE list of 2026-05-18, its preview with the small map, publish, the
viewer pages showing the new dataset, roll back from the history, sign out.

The server works on a copy of the data folder whose store holds a release built from the real
sources without the 2026-05-18 sheet (as tests/test_app_staff.py does), so the real sheet is new
to it. Screenshots go to test-artifacts/staff_*.png; look at them."""

from __future__ import annotations

import itertools
import json
import re
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect
from staff_fixtures import built_store  # one build of the real sources per test session
from staff_server import copy_data_dir, secrets_toml, staff_server

from coopmap import auth

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHEET = ROOT / "data/sources/ice_287g/latest/participatingAgencies05182026am.xlsx"
BROKEN = ROOT / "tests/corpus/pdf_renamed.xlsx"
PASSWORD = "a long staff password"
ARTIFACTS = ROOT / "test-artifacts"
# A laptop's width; tall, so a screenshot holds the whole page (Streamlit scrolls inside its main
# block, so Playwright's full_page cannot, and resizing mid-test makes the tables redraw badly).
SCREEN = {"width": 1366, "height": 2000}
WAIT = 60_000  # ms: a loaded 2-core machine; every wait ends as soon as the text shows


@pytest.fixture(scope="module")
def staff_site(tmp_path_factory):
    """(base URL, data folder) of a server on a copy of the data with one account, alice."""
    store = built_store(tmp_path_factory, "april", drop_newest=True)
    base = tmp_path_factory.mktemp("staff_browser")
    data = copy_data_dir(base / "data", store)
    secrets = secrets_toml({"alice": {"name": "Alice Example",
                                      "password_hash": auth.hash_password(PASSWORD)}})
    ARTIFACTS.mkdir(exist_ok=True)
    with staff_server(data, base / "cwd", secrets, base / "streamlit.log") as url:
        yield url, data


def current_id(data: Path) -> str:
    return (data / "releases" / "CURRENT").read_text().strip()


def _local_only(route) -> None:
    """Abort every request that is not to the test server (the app must work offline)."""
    host = urlparse(route.request.url).hostname or ""
    if host in ("127.0.0.1", "localhost"):
        route.continue_()
    else:
        route.abort()


def metric(page, label: str) -> int:
    box = page.get_by_test_id("stMetric").filter(has_text=label)
    return int(box.get_by_test_id("stMetricValue").inner_text().replace(",", ""))


def upload(page, path: Path) -> None:
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(path)


def settle(page) -> None:
    """Wait until the app's script has finished its rerun."""
    page.wait_for_timeout(200)  # a click's rerun may not have started yet
    expect(page.get_by_test_id("stApp")).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=WAIT)


def selected_tab(page) -> str:
    """The label of the tab the staff page shows (after the last rerun settled)."""
    settle(page)
    return page.get_by_role("tab", selected=True).inner_text().strip()


TIMES: list[tuple[str, float]] = []  # (step, seconds since the previous screenshot)


def shot(page, name: str) -> None:
    """The page down to the end of its content; the step's time goes to staff_timings.txt."""
    settle(page)
    TIMES.append((name, time.perf_counter()))
    page.wait_for_timeout(500)  # let the last rerun's fade and the tables' drawing finish
    height = page.evaluate("document.querySelector('[data-testid=stMainBlockContainer]')"
                           ".getBoundingClientRect().bottom")
    page.screenshot(path=ARTIFACTS / f"staff_{name}.png",
                    clip={"x": 0, "y": 0, "width": SCREEN["width"],
                          "height": min(max(int(height), 400), SCREEN["height"])})


@pytest.fixture
def context(browser):
    """A browser context (conftest's Chromium) whose pages reach only the test server."""
    context = browser.new_context(viewport=SCREEN)
    context.route("**/*", _local_only)
    yield context
    context.close()


def test_staff_sign_in_upload_publish_rollback_sign_out(staff_site, context):
    url, data = staff_site
    base = current_id(data)
    assert not (ROOT / "data/releases" / base).exists()  # the copy, not the repo's store
    page = context.new_page()
    TIMES[:] = [("start", time.perf_counter())]
    blocked: list[str] = []
    context.on("requestfailed", lambda r: blocked.append(r.url))
    # 1. The staff page shows only the sign-in form.
    page.goto(url + "/staff")
    expect(page.get_by_label("User name")).to_be_visible(timeout=WAIT)
    expect(page.get_by_test_id("stFileUploader")).to_have_count(0, timeout=WAIT)
    shot(page, "1_signin")

    # 2. A wrong password is refused, with a message, and nothing opens.
    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Wrong user name or password.")).to_be_visible(timeout=WAIT)
    expect(page.get_by_test_id("stFileUploader")).to_have_count(0, timeout=WAIT)
    shot(page, "2_wrong_password")

    # 3. The right password opens the page.
    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("Alice Example")).to_be_visible()
    expect(page.get_by_test_id("stFileUploader")).to_be_visible()
    # The uploader states the limit the app enforces (uploads.MAX_BYTES), not Streamlit's 200MB.
    expect(page.get_by_test_id("stFileUploader")).to_contain_text("10MB per file")
    # Sign out sits at the right edge of the content, on the "Signed in as" line.
    signout = page.get_by_role("button", name="Sign out").bounding_box()
    content = page.get_by_test_id("stFileUploader").bounding_box()  # full content width
    signed_in_as = page.get_by_text("Signed in as").bounding_box()
    assert abs(content["x"] + content["width"] - (signout["x"] + signout["width"])) < 4
    assert abs((signout["y"] + signout["height"] / 2)
               - (signed_in_as["y"] + signed_in_as["height"] / 2)) < 20
    shot(page, "3_signed_in")

    # 4. A PDF renamed .xlsx: a clear message, no preview, no publish button, nothing changed.
    upload(page, BROKEN)
    expect(page.get_by_text("is a PDF document")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("Nothing was changed.")).to_be_visible()
    assert page.get_by_role("button", name="Publish as the new release").count() == 0
    assert page.get_by_test_id("stException").count() == 0
    assert current_id(data) == base
    shot(page, "4_broken_upload")
    # The rest of the page still draws while the bad file sits in the uploader: History and the
    # audit log hold their tables.
    for tab in ("History and rollback", "Audit log"):
        page.get_by_role("tab", name=tab).click()
        panel = page.get_by_role("tabpanel", name=tab)
        expect(panel.get_by_test_id("stDataFrame").first).to_be_visible(timeout=WAIT)
        assert selected_tab(page) == tab
    shot(page, "4b_audit_after_broken_upload")
    page.get_by_role("tab", name="Upload and publish").click()
    expect(page.get_by_text("is a PDF document")).to_be_visible(timeout=WAIT)
    settle(page)  # the tab's rerun has ended: a file chosen mid-rerun can be dropped

    # 5. The real ICE list of 2026-05-18 (replaces the broken file): recognised, previewed.
    upload(page, SHEET)
    # The first preview after the server started also waits for its warm-up (one build of the
    # current source set, about 10 s of CPU): minutes on this loaded 2-core machine.
    expect(page.get_by_text("Recognised: ICE 287(g) list")).to_be_visible(timeout=5 * WAIT)
    expect(page.get_by_text("What would change")).to_be_visible(timeout=WAIT)
    added, ended = metric(page, "Agreements added"), metric(page, "Agreements ended")
    assert added == 83 and added - ended == 1843 - 1770  # as the AppTest and unit tests find
    assert metric(page, "Places changing colour") > 0
    # The small map: coopmap's SVG map (coopmap.ui.mapview), one path.cm-area per county that
    # changes colour, in the left column.
    page.wait_for_function(
        "document.querySelectorAll('svg.cm-map path.cm-area').length > 0", timeout=WAIT)
    expect(page.locator(".cm-root")).to_have_count(1)
    recoloured = page.locator("svg.cm-map path.cm-area").count()
    assert 0 < recoloured <= metric(page, "Places changing colour")
    summary = page.get_by_text("change colour on at least one map layer")
    assert not re.search(r"\b1 states\b", summary.inner_text())
    expect(page.get_by_text(re.compile(r"field changes in [\d,]+ agreements"))).to_be_visible()
    # The map fills its column: no wide empty frame around a small map. The picture spans the
    # column, and so does the land drawn in it (the state borders' box).
    column = page.locator("[data-testid=stColumn]").filter(
        has=page.locator(".cm-root")).last.bounding_box()
    picture = page.locator(".cm-root svg.cm-svg").first.bounding_box()
    land = page.locator(".cm-root g.cm-outlines").first.bounding_box()
    assert picture["width"] > 0.6 * column["width"], (picture, column)
    assert land["width"] > 0.6 * column["width"], (land, column)
    # Its title and its one image button (landscape only).
    title = " ".join(page.locator(".cm-root text.cm-title").all_text_contents())
    assert title == "Counties whose colour would change"
    # (the image buttons sit in .cm-actions; the zoom and card buttons elsewhere)
    expect(page.locator(".cm-root .cm-actions button.cm-button")).to_have_count(1)
    expect(page.locator(".cm-root .cm-actions button.cm-button")).to_have_text(
        "Download image: Landscape 1200×675")
    shot(page, "5_preview")

    # A viewer, in another tab, sees the base release before anything is published.
    viewer = context.new_page()
    viewer.goto(url + "/about")
    expect(viewer.get_by_text(f"Dataset {base}").first).to_be_visible(timeout=WAIT)

    # 6. Publish with a note.
    note = page.get_by_label("Note for the history (what and why)")
    note.fill("ICE list of May 18")
    note.press("Enter")
    page.get_by_role("button", name="Publish as the new release").click()
    flash = page.get_by_text("Published release")
    expect(flash).to_be_visible(timeout=WAIT)
    new = re.search(r"Published release (\S+?)\.", flash.inner_text()).group(1)
    assert new != base and current_id(data) == new
    assert (data / "releases" / new).is_dir()
    shot(page, "6_published")

    # 7. The viewer's next click shows the new dataset: the map's caption names it and the
    # newest ICE list; the About page lists it too.
    viewer.get_by_test_id("stTopNavLink").filter(has_text="Map").click()
    expect(viewer.get_by_text(f"Dataset {new} · ICE list of 2026-05-18").first
           ).to_be_visible(timeout=WAIT)
    viewer.get_by_test_id("stTopNavLink").filter(has_text="About").click()
    expect(viewer.get_by_text(f"Dataset {new}, built").first).to_be_visible(timeout=WAIT)
    expect(viewer.get_by_text("Newest ICE participating list: 2026-05-18").first
           ).to_be_visible()
    # The uploaded sheet is listed as a source of the new dataset.
    expect(viewer.get_by_text("Files uploaded by staff for this dataset")).to_be_visible()
    uploaded = viewer.get_by_test_id("stDataFrame").filter(has_text=SHEET.name)
    expect(uploaded).to_have_count(1, timeout=WAIT)
    shot(viewer, "7_viewer_about_after_publish")

    # 8. History: roll back to the base release. The tab is opened once and stays open through
    # every step (a message coming or going, a checkbox, the rollback itself).
    history_tab = "History and rollback"
    page.get_by_role("tab", name=history_tab).click()
    assert selected_tab(page) == history_tab
    history_table = page.get_by_role("tabpanel", name=history_tab).get_by_test_id("stTable")
    expect(history_table).to_be_visible(timeout=WAIT)
    # Current release marked; every cell readable without scrolling sideways.
    expect(history_table.locator("tr").filter(has_text=new)).to_contain_text("Current")
    assert history_table.evaluate("t => t.scrollWidth <= t.clientWidth + 1")
    assert "None" not in page.get_by_role("tabpanel", name=history_tab).inner_text()
    picker = page.get_by_test_id("stSelectbox").filter(has_text="Release")
    expect(picker).to_be_visible(timeout=WAIT)
    picker.click()
    expect(page.get_by_role("option", name=f"{new} (current)")).to_be_visible(timeout=WAIT)
    page.get_by_role("option", name=base, exact=True).click()
    confirm = page.get_by_test_id("stCheckbox").filter(
        has_text=f"Make {base} the current release again")
    expect(confirm).to_be_visible(timeout=WAIT)
    assert selected_tab(page) == history_tab
    confirm.locator("label").click()
    expect(confirm.locator("input")).to_be_checked(timeout=WAIT)
    assert selected_tab(page) == history_tab
    reason = page.get_by_label("Why (kept in the history)")
    reason.fill("checking the rollback")
    reason.press("Enter")
    assert selected_tab(page) == history_tab
    rollback = page.get_by_role("button", name="Roll back to this release")
    expect(rollback).to_be_enabled(timeout=WAIT)
    shot(page, "8_history")
    rollback.click()
    expect(page.get_by_text(f"Release {base} is current again.")).to_be_visible(timeout=WAIT)
    assert current_id(data) == base
    assert selected_tab(page) == history_tab
    # The next choice in the Release list keeps the tab too, and going forward is no rollback.
    picker.click()
    page.get_by_role("option", name=new, exact=True).click()
    expect(page.get_by_role("button", name="Make this release current")).to_be_visible(
        timeout=WAIT)
    assert selected_tab(page) == history_tab
    picker.click()
    page.get_by_role("option", name=f"{base} (current)").click()
    expect(page.get_by_text(f"Release {base} is the current release.")).to_be_visible(
        timeout=WAIT)
    assert selected_tab(page) == history_tab
    shot(page, "9_rolled_back")

    viewer.get_by_test_id("stTopNavLink").filter(has_text="Map").click()
    expect(viewer.get_by_text(f"Dataset {base} · ICE list of").first
           ).to_be_visible(timeout=WAIT)
    assert "2026-05-18" not in viewer.get_by_text(f"Dataset {base} · ICE list of").first \
        .inner_text()

    # 9. Sign out: back to the form, no uploader.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("User name")).to_be_visible(timeout=WAIT)
    expect(page.get_by_test_id("stFileUploader")).to_have_count(0, timeout=WAIT)
    shot(page, "10_signed_out")

    # The audit log holds the whole story, in order.
    lines = (data / "staff" / "audit.jsonl").read_text().splitlines()
    actions = [json.loads(line)["action"] for line in lines]
    assert actions == ["sign_in_failed", "sign_in", "upload_rejected", "upload", "publish",
                       "rollback", "sign_out"], actions
    # Everything came from the app itself: nothing was fetched from outside.
    assert [u for u in blocked if urlparse(u).hostname != "127.0.0.1"] == []
    steps = [f"{name}: {t - prev:.1f} s" for (_, prev), (name, t) in itertools.pairwise(TIMES)]
    (ARTIFACTS / "staff_timings.txt").write_text("\n".join(steps) + "\n")
