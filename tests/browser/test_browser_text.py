"""Text is text in a real browser: agency names holding markup (the staff corpus's, and a link
and a 40 px span) show as typed in the public profile's plotly timeline, never as a link or big
red text; the public tables offer no built-in CSV export (coopmap's own CSV neutralises
formulas); a file name and a note typed by staff show as typed in the staff History table.

The server runs on a copy of the data whose current release is the real one with the
agreements of Autauga County (AL, 01001) renamed, written through the store as a staff
publish would be."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from python_calamine import CalamineWorkbook
from staff_fixtures import ROOT, built_store
from staff_server import copy_data_dir, secrets_toml, staff_server

from coopmap import auth
from coopmap.store import ReleaseStore

pytestmark = pytest.mark.browser

PASSWORD = "a long staff password"
WAIT = 60_000
COUNTY = "01001"
LINK = "<a href='https://example.org'>Click</a> SO"
BIG = "<span style='font-size:40px;color:red'>Big</span> PD"
FILE_NAME = "&lt;i&gt;list.xlsx"
NOTE = "see https://example.org and www.example.org"


def corpus_markup() -> str:
    """The markup agency name of the staff corpus (tests/corpus/ice_html_text.xlsx)."""
    rows = CalamineWorkbook.from_path(str(ROOT / "tests/corpus/ice_html_text.xlsx")) \
        .get_sheet_by_index(0).to_python()
    return next(r[1] for r in rows if "<" in str(r[1]))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store_dir = built_store(tmp_path_factory, "april", drop_newest=True)
    base = tmp_path_factory.mktemp("text_is_text")
    data = copy_data_dir(base / "data", store_dir)
    store = ReleaseStore(data / "releases")
    current = store.current()
    tables = current.tables()
    ids = tables["agreement_counties"].query("county_fips == @COUNTY")["agreement_id"]
    agreements = tables["agreements"].copy()
    rows = agreements.index[agreements["agreement_id"].isin(ids)]
    names = [LINK, BIG, corpus_markup()]
    assert len(rows) >= 3
    for i, r in enumerate(rows[:3]):
        agreements.loc[r, "agency"] = names[i]
    tables["agreements"] = agreements
    release = store.write(tables, built_by="alice", sources=current.manifest["sources"],
                          note=NOTE, based_on=current.id,
                          extra={"upload": {"file_name": FILE_NAME, "sha256": "0" * 64}})
    store.set_current(release.id, expected_current=current.id, by="alice", action="publish",
                      note=NOTE)
    secrets = secrets_toml({"alice": {"name": "Alice Example",
                                      "password_hash": auth.hash_password(PASSWORD)}})
    with staff_server(data, base / "cwd", secrets, base / "streamlit.log") as url:
        yield url, names


def test_markup_in_agency_names_shows_as_typed_in_the_profile_timeline(site, browser):
    url, names = site
    page = browser.new_page(viewport={"width": 1366, "height": 2400})
    page.goto(f"{url}/profile?place={COUNTY}")
    chart = page.get_by_test_id("stPlotlyChart")
    expect(chart).to_be_visible(timeout=WAIT)
    # Each agreement's name is an annotation above its bar (the y-axis has no labels, so the bars
    # take a phone's whole width).
    names_drawn = chart.locator(".annotation-text")
    expect(names_drawn.first).to_be_visible(timeout=WAIT)
    labels = names_drawn.all_text_contents()
    for name in names:
        assert any(label.startswith(name[:40]) for label in labels), (name, labels)
    # No link and no styled text inside the chart: the markup stayed text.
    assert chart.locator("svg a").count() == 0
    assert chart.locator("tspan[style*='40px']").count() == 0
    page.screenshot(path=ROOT / "test-artifacts" / "profile-markup-names.png")
    # The agreements table has no built-in export; coopmap's own CSV button is there.
    table = page.get_by_test_id("stDataFrame").first
    table.hover()
    page.wait_for_timeout(500)
    assert page.get_by_role("button", name="Download as CSV").count() == 0
    expect(page.get_by_test_id("stDownloadButton").first).to_be_visible()
    page.close()


def test_a_file_name_and_a_note_show_as_typed_in_the_staff_history(site, browser):
    url, _ = site
    page = browser.new_page(viewport={"width": 1366, "height": 2000})
    page.goto(f"{url}/staff")
    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible(timeout=WAIT)
    page.get_by_role("tab", name="History and rollback").click()
    table = page.get_by_test_id("stTable")
    expect(table).to_be_visible(timeout=WAIT)
    expect(table.get_by_text(FILE_NAME, exact=True)).to_be_visible(timeout=WAIT)
    # As typed (an invisible word joiner keeps the URLs from being linked; it shows nothing).
    cells = [c.replace("\u2060", "") for c in table.locator("td").all_inner_texts()]
    assert NOTE in cells and FILE_NAME in cells
    anchors = [(a.inner_text(), a.get_attribute("href")) for a in table.locator("a").all()]
    assert anchors == [], anchors
    page.screenshot(path=ROOT / "test-artifacts" / "staff-history-as-typed.png")
    page.close()
