"""The staff page under AppTest: no accounts, sign-in failure and success, upload through the
file uploader, preview, publish, a conflicting publisher, rollback, sign-out, session checks.

The page works on a copy of a store holding a release built from the real sources without the
2026-05-18 ICE sheet (COOPMAP_DATA_DIR), which is then uploaded as staff would."""

from __future__ import annotations

import os
import re
import shutil
import tomllib
from pathlib import Path

import pytest
from map_views import map_views
from staff_fixtures import (  # one build of the real sources per test session
    WORKBOOK,
    built_store,
    garbled_workbook,
    sources_of,
)
from streamlit.testing.v1 import AppTest

from coopmap import auth, paths, uploads
from coopmap.audit import AuditLog
from coopmap.store import ReleaseStore

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "app_pages" / "staff.py")
SHEET = ROOT / "data/sources/ice_287g/latest/participatingAgencies05182026am.xlsx"
CORPUS = Path(__file__).parent / "corpus"
PASSWORD = "a long staff password"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="session")
def april_store_dir(tmp_path_factory) -> Path:
    return built_store(tmp_path_factory, "april", drop_newest=True)


@pytest.fixture(scope="module")
def password_hash() -> str:
    return auth.hash_password(PASSWORD)


@pytest.fixture
def data_dir(tmp_path, april_store_dir, monkeypatch) -> Path:
    shutil.copytree(april_store_dir, tmp_path / "releases")
    for name in ("sources", "corrections", "geo"):  # read only: linked, not copied
        (tmp_path / name).symlink_to(paths.data_dir() / name)
    monkeypatch.setenv("COOPMAP_DATA_DIR", str(tmp_path))
    # The page reads the accounts from this file only (never the repository's own
    # .streamlit/secrets.toml, which may hold real staff accounts).
    monkeypatch.setenv("COOPMAP_SECRETS", str(tmp_path / "secrets.toml"))
    return tmp_path


def write_secrets(accounts: dict[str, dict[str, str]]) -> None:
    """The test's secrets file (see data_dir): ``[staff.accounts.<user>]`` tables."""
    out = []
    for user, fields in accounts.items():
        out.append(f"[staff.accounts.{user}]")
        out += [f"{key} = '{value}'" for key, value in fields.items()]
    Path(os.environ["COOPMAP_SECRETS"]).write_text("\n".join(out) + "\n", encoding="utf-8")


def app(password_hash: str | None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if password_hash:
        write_secrets({"alice": {"password_hash": password_hash, "name": "Alice Example"}})
    return at


def sign_in(at: AppTest, user: str = "alice", password: str = PASSWORD) -> AppTest:
    at.run()
    at.text_input(key="signin_user").input(user)
    at.text_input(key="signin_password").input(password)
    at.button[0].click()  # the form's submit button
    return at.run()


def table(at: AppTest, column: str):
    """The first table on the page with ``column`` (AppTest does not expose a table's key)."""
    return next(d.value for d in [*at.dataframe, *at.table] if column in d.value.columns)


def texts(elements) -> str:
    """The elements' texts as shown: the page's Markdown escapes (staff._plain) removed."""
    raw = " | ".join(str(e.value) for e in elements)
    return re.sub(r"\\(.)", r"\1", raw).replace("\u2060", "")


def test_no_accounts_offers_only_setup(data_dir):
    at = app(None).run()
    assert "No staff accounts are configured" in texts(at.info)
    assert "coopmap hash-password" in texts(at.info)
    assert len(at.file_uploader) == 0 and len(at.text_input) == 0 and not at.exception


def test_wrong_password_then_right_one(data_dir, password_hash):
    at = sign_in(app(password_hash), password="not the password")
    assert "Wrong user name or password." in texts(at.error)
    assert len(at.file_uploader) == 0 and not at.exception
    at = sign_in(app(password_hash))
    assert "Signed in as **Alice Example**" in texts(at.caption)
    assert len(at.file_uploader) == 1
    actions = [e["action"] for e in AuditLog(data_dir / "staff" / "audit.jsonl").read()]
    assert actions == ["sign_in_failed", "sign_in"]


def test_upload_preview_publish_rollback(data_dir, password_hash):
    store = ReleaseStore(data_dir / "releases")
    base = store.current_id()
    at = sign_in(app(password_hash))
    at.file_uploader[0].set_value((SHEET.name, SHEET.read_bytes(), XLSX))
    at.run()
    assert not at.exception, at.exception
    assert "Recognised: ICE 287(g) list" in texts(at.subheader)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Agreements added"] == "83"
    assert int(metrics["Agreements added"]) - int(metrics["Agreements ended"]) == 1843 - 1770
    assert at.radio(key="list_kind").value == "participating"
    # Plain counts: "1 state" (not "1 states"); the per-field list says how it relates to the
    # per-agreement figure.
    summary = texts(at.markdown)
    assert re.search(r"\d+ counties and \d+ state(s)? change colour", summary)
    assert not re.search(r"\b1 states\b", summary)
    [preview] = map_views(at)  # the counties whose colour would change, nothing else
    assert 0 < len(preview["rows"]) <= int(metrics["Places changing colour"].replace(",", ""))
    assert preview["source"] == "Preview, not published" and not preview["clickable"]
    changed = int(metrics["Agreements changed"])
    fields = len(table(at, "field"))
    labels = " | ".join(e.label for e in at.expander)
    assert f"{fields:,} field changes in {changed:,} agreements" in labels
    at.text_input(key="publish_note").input("ICE list of May 18")
    at.button(key="publish").click()
    at.run()
    assert not at.exception, at.exception
    assert "Published release" in texts(at.success)
    new = store.current_id()
    assert new != base and store.current().manifest["built_by"] == "alice"
    assert store.current().manifest["note"] == "ICE list of May 18"
    # History: plain column names, the current release marked in the table and the picker,
    # the first build's "from" is a dash, and going back to the older release says so.
    history = table(at, "Status")
    assert list(history.columns)[:3] == ["Status", "Release", "Created"]
    assert dict(zip(history["Release"], history["Status"], strict=True)) == {
        f"**{new}**": "**✔ Current**", base: "Was current"}
    picker = at.selectbox(key="history_release")
    assert f"{new} (current)" in picker.options and base in picker.options
    assert picker.value == new  # the picker starts from the new current release
    switches = table(at, "From")
    assert switches["From"].tolist() == [base, "—"] and "None" not in switches.to_string()
    at.selectbox(key="history_release").select(base)
    at.run()
    assert at.button(key="rollback").label == "Roll back to this release"
    at.checkbox(key="confirm_rb").check()
    at.text_input(key="rollback_note").input("checking")
    at.run()
    at.button(key="rollback").click()
    at.run()
    assert not at.exception, at.exception
    assert f"Release {base} is current again." in texts(at.success)
    assert store.current_id() == base
    assert at.selectbox(key="history_release").value == base  # not the choice made before
    # Going forward again to the newer release is not called a rollback.
    at.selectbox(key="history_release").select(new)
    at.run()
    assert at.button(key="rollback").label == "Make this release current"
    actions = [e["action"] for e in AuditLog(data_dir / "staff" / "audit.jsonl").read()]
    assert actions == ["sign_in", "upload", "publish", "rollback"]


@pytest.fixture
def detention_data_dir(tmp_path, tmp_path_factory, monkeypatch) -> Path:
    """A data folder whose release was built without the 2026-04-02 detention workbook."""
    base = built_store(tmp_path_factory, "without_detention", drop_newest="detention")
    shutil.copytree(base, tmp_path / "releases")
    (tmp_path / "sources").symlink_to(sources_of(base))
    for name in ("corrections", "geo"):
        (tmp_path / name).symlink_to(paths.data_dir() / name)
    monkeypatch.setenv("COOPMAP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COOPMAP_SECRETS", str(tmp_path / "secrets.toml"))
    return tmp_path


def test_detention_workbook_upload_preview_publish(detention_data_dir, password_hash):
    store = ReleaseStore(detention_data_dir / "releases")
    base = store.current()
    at = sign_in(app(password_hash))
    # Named like an ICE list: the page goes by the sheets, not the file name.
    at.file_uploader[0].set_value(("participatingAgencies06012026am.xlsx",
                                   WORKBOOK.read_bytes(), XLSX))
    at.run()
    assert not at.exception, at.exception
    assert "Recognised: ICE detention-statistics workbook" in texts(at.subheader)
    assert "FY2026, data pull 2026-04-02, 203 facilities" in texts(at.caption)
    assert len(at.radio) == 0  # no ICE-list questions for a detention workbook
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Agreements added"] == "0" and metrics["Detention facilities added"] == "0"
    moved = table(at, "month")
    counties = moved["county_fips"].nunique()
    assert counties > 0 and metrics["Counties changing detention posture"] == f"{counties:,}"
    old = base.table("detention_county_postures").set_index(["county_fips", "month"])
    first = moved.iloc[0]
    assert old.at[(first["county_fips"], first["month"]), "detention_category"] == first["old"]
    assert "change detention posture in at least one month" in texts(at.markdown)
    at.checkbox(key="accept_warnings").check()  # three names no source gives a code for
    at.run()
    at.button(key="publish").click()
    at.run()
    assert not at.exception, at.exception
    assert "Published release" in texts(at.success)
    published = store.current()
    assert published.id != base.id
    [entry] = published.manifest["uploads"]
    assert entry["kind"] == "detention" and entry["file_name"] == (
        "participatingAgencies06012026am.xlsx")
    pop = published.table("detention_population")
    assert (pop["source_file"] == entry["path"]).sum() == 203


def test_a_garbled_detention_workbook_lists_its_error_and_offers_no_publish(
        detention_data_dir, password_hash):
    store = ReleaseStore(detention_data_dir / "releases")
    before = store.current_id()
    at = sign_in(app(password_hash))
    at.file_uploader[0].set_value(("FY26_garbled.xlsx", garbled_workbook(), XLSX))
    at.run()
    assert not at.exception, at.exception
    assert "Recognised: ICE detention-statistics workbook" in texts(at.subheader)
    assert "this file cannot be published" in texts(at.error)
    problems = table(at, "expected")
    row = problems[problems["value"] == "lots"].iloc[0]
    assert (row["file"], row["sheet"], row["row"], row["column"]) == (
        "FY26_garbled.xlsx", "Facilities FY26", "12", "Level A")
    assert not any(b.key == "publish" for b in at.button)
    assert store.current_id() == before


def test_conflicting_publisher_gets_a_clear_message(data_dir, password_hash):
    store = ReleaseStore(data_dir / "releases")
    at = sign_in(app(password_hash))
    at.file_uploader[0].set_value((SHEET.name, SHEET.read_bytes(), XLSX))
    at.run()
    # Someone else publishes (here: a policy change through the store) before Alice clicks.
    other = store.current()
    tables = other.tables()
    tables["states"] = tables["states"].assign(population=tables["states"]["population"] + 1)
    store.publish(tables, expected_current=other.id, by="bob", sources=[])
    bob = store.current_id()
    at.run()  # any interaction: the page says the preview is out of date
    assert f"release {bob} has been published since" in texts(at.warning)
    at.button(key="publish").click()
    at.run()
    assert "someone else published first" in texts(at.error)
    assert "preview again" in texts(at.error)
    assert store.current_id() == bob and not at.exception
    # Previewing again against Bob's release makes it publishable.
    at.run()
    assert "Recognised: ICE 287(g) list" in texts(at.subheader)
    at.button(key="publish").click()
    at.run()
    assert store.current().manifest["based_on"] == bob and not at.exception


@pytest.mark.parametrize(
    ("name", "message"),
    [("pdf_renamed.xlsx", "is a PDF document"), ("zip_bomb.xlsx", "would expand"),
     ("password_protected.xlsx", "password-protected"), ("empty.xlsx", "is empty")],
)
def test_bad_files_get_a_message_not_a_traceback(data_dir, password_hash, name, message):
    store = ReleaseStore(data_dir / "releases")
    base = store.current_id()
    at = sign_in(app(password_hash))
    at.file_uploader[0].set_value((name, (CORPUS / name).read_bytes(), XLSX))
    at.run()
    assert message in texts(at.error) and "Nothing was changed." in texts(at.error)
    assert not at.exception and store.current_id() == base
    # The problem is shown in the Upload tab; History and the audit log still draw.
    assert len(at.tabs) == 3
    assert f"**{base}**" in table(at, "Status")["Release"].tolist()  # current: bold
    assert "Upload rejected" in table(at, "Who")["What"].tolist()
    assert len(at.button(key="publish") if "publish" in [b.key for b in at.button] else []) == 0


def test_policy_sheet_with_errors_lists_problems_and_offers_no_publish(data_dir, password_hash):
    at = sign_in(app(password_hash))
    data = (CORPUS / "policy_bad.csv").read_bytes()
    at.file_uploader[0].set_value(("policy_bad.csv", data, "text/csv"))
    at.run()
    assert "Recognised: Policy-findings sheet" in texts(at.subheader)
    assert "cannot be published" in texts(at.error)
    counts = at.dataframe[0].value  # the first table: counts by kind, errors first
    assert counts["severity"].iloc[0] == "error" and counts["count"].sum() > 1
    problems = at.dataframe[1].value  # then every problem
    assert problems["severity"].tolist() == sorted(
        problems["severity"], key=lambda s: {"error": 0, "decision": 1, "warning": 2}[s])
    assert "31/02/2026" in problems["value"].tolist()
    assert "<script>alert(1)</script>" in problems["value"].tolist()  # shown as text
    assert "publish" not in [b.key for b in at.button]


def test_session_is_checked_on_every_rerun(data_dir, password_hash):
    at = sign_in(app(password_hash))
    assert len(at.file_uploader) == 1
    # The account is removed from the secrets: the next interaction signs the session out,
    # says why, and the audit log has it.
    write_secrets({"bob": {"password_hash": password_hash}})
    at.run()
    assert len(at.file_uploader) == 0 and at.text_input(key="signin_user") is not None
    assert "You were signed out: the account was removed from the secrets" in texts(at.warning)
    last = AuditLog(data_dir / "staff" / "audit.jsonl").read()[-1]
    assert (last["action"], last["by"]) == ("signed_out_forced", "alice")
    # Sign-out works too.
    at = sign_in(app(password_hash))
    at.button(key="signout").click()
    at.run()
    assert len(at.file_uploader) == 0
    assert AuditLog(data_dir / "staff" / "audit.jsonl").read()[-1]["action"] == "sign_out"


def test_upload_limit_in_config_is_the_one_uploads_enforce():
    """The uploader's "… MB per file" comes from server.maxUploadSize (in MB)."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == uploads.MAX_BYTES


def test_about_page_lists_the_uploaded_file_of_a_staff_release(data_dir, password_hash):
    at = sign_in(app(password_hash))
    at.file_uploader[0].set_value((SHEET.name, SHEET.read_bytes(), XLSX))
    at.run()
    at.button(key="publish").click()
    at.run()
    release = ReleaseStore(data_dir / "releases").current()
    about = AppTest.from_file(str(ROOT / "app_pages" / "about.py"), default_timeout=60).run()
    assert not about.exception
    assert "Files uploaded by staff for this dataset" in texts(about.subheader)
    kept = next(d.value for d in about.dataframe if "Published by" in d.value.columns)
    assert kept.to_dict("records") == [{
        "File": SHEET.name, "sha256": release.manifest["upload"]["sha256"][:16] + "…",
        "Published by": "alice", "Published": release.created}]


@pytest.mark.parametrize("page", ["map.py", "profile.py", "compare.py", "trends.py", "about.py"])
def test_viewer_pages_have_no_staff_controls(data_dir, password_hash, page):
    at = AppTest.from_file(str(ROOT / "app_pages" / page), default_timeout=60)
    write_secrets({"alice": {"password_hash": password_hash}})
    at.run()
    # The page rendered (it did not stop on a missing release).
    assert len(at.title) + len(at.markdown) + len(at.selectbox) >= 1 and not at.exception
    assert len(at.file_uploader) == 0
    labels = " ".join(str(b.label) for b in at.button).casefold()
    assert "publish" not in labels and "roll back" not in labels and "sign in" not in labels


def test_torn_and_edited_logs_break_no_page(data_dir, password_hash):
    """A torn history line and an edited audit entry: About and every staff tab still draw,
    the history says which line it skipped and the audit tab where the chain breaks."""
    sign_in(app(password_hash))  # the audit log: one sign-in
    log = AuditLog(data_dir / "staff" / "audit.jsonl")
    log.append("sign_out", "alice")
    lines = log.path.read_text().splitlines()
    lines[0] = lines[0].replace('"alice"', '"mallory"')
    log.path.write_text("\n".join(lines) + "\n")
    with open(data_dir / "releases" / "history.jsonl", "a") as f:
        f.write('{"action": "publish", "by": "ali')
    about = AppTest.from_file(str(ROOT / "app_pages" / "about.py"), default_timeout=60).run()
    assert not about.exception, about.exception
    at = sign_in(app(password_hash))
    assert not at.exception, at.exception
    warnings = texts(at.warning)
    assert "Some lines of the release history could not be read" in warnings
    assert "line 2: not a complete JSON record" in warnings
    errors = texts(at.error)
    assert "The audit log does not check out" in errors
    assert "line 1: this entry was changed after it was written" in errors


def test_password_change_and_a_broken_secrets_file(data_dir, password_hash):
    """A saved syntax error is named (not "no accounts") and blocks the page; the next good
    save is read at once; a changed password ends the session opened with the old one."""
    at = sign_in(app(password_hash))
    assert len(at.file_uploader) == 1
    secrets = Path(os.environ["COOPMAP_SECRETS"])
    good = secrets.read_text()
    secrets.write_text(good.replace("password_hash =", "password_hash"))
    at.run()
    errors = texts(at.error)
    assert "The staff accounts cannot be read" in errors and "line 2, column 15" in errors
    assert len(at.file_uploader) == 0 and "No staff accounts" not in texts(at.info)
    secrets.write_text(good)
    at.run()
    assert len(at.file_uploader) == 1  # fixed: the session resumes
    write_secrets({"alice": {"password_hash": auth.hash_password("another long password"),
                             "name": "Alice Example"}})
    at.run()
    assert "the account's password was changed" in texts(at.warning)
    assert len(at.file_uploader) == 0
    at = sign_in(at, password="another long password")
    assert len(at.file_uploader) == 1


def test_a_lockout_from_elsewhere_leaves_the_signed_in_page_alone(data_dir, password_hash):
    at = sign_in(app(password_hash))
    other = AppTest.from_file(PAGE, default_timeout=60)
    for _ in range(5):
        sign_in(other, password="a wrong password!!")
    # Same client (AppTest has no address): the pair alice/"local" is locked for sign-ins...
    assert "locked" in texts(other.error)
    # ... but the open session goes on.
    at.run()
    assert len(at.file_uploader) == 1
    assert "signed_out_forced" not in [
        e["action"] for e in AuditLog(data_dir / "staff" / "audit.jsonl").read()]


def test_a_release_of_an_older_format_is_shown_but_offers_no_rollback(data_dir, password_hash):
    """One of the bundled store's releases of 2026-11-27 (before agreements had ``relisted``,
    ``gaps`` and ``other_names``) sits beside the current one: the history marks it, and
    choosing it explains why it cannot be made current instead of offering a button."""
    store = ReleaseStore(data_dir / "releases")
    base = store.current_id()
    bundled = ReleaseStore(ROOT / "data" / "releases")
    old = next(m["id"] for m in bundled.list() if bundled.get(m["id"]).format_problem())
    shutil.copytree(bundled.root / old, data_dir / "releases" / old)
    at = sign_in(app(password_hash))
    history = table(at, "Status")
    status = dict(zip(history["Release"], history["Status"], strict=True))
    assert status[old].endswith("· older format") and status[f"**{base}**"] == "**✔ Current**"
    at.selectbox(key="history_release").select(old)
    at.run()
    assert not at.exception, at.exception
    assert f"Release {old} cannot be made current: its table" in texts(at.info)
    assert "older data format" in texts(at.info)
    assert not [b for b in at.button if b.key == "rollback"]
    assert store.current_id() == base
