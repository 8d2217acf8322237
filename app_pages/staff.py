"""Staff: sign in, upload an ICE list or a policy sheet, check it, preview, publish, roll back.

Every rerun checks the signed-in session on the server (account still configured, not locked,
not expired) before anything else is drawn; each action checks it again before it acts. The page
only reads widgets and calls coopmap.auth / uploads / publishing: the rules live there.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import threading
from pathlib import Path

import pandas as pd
import streamlit as st

from coopmap import auth, changes, ice_sheets, paths, policy_sheet, publishing, schema, text
from coopmap.audit import ACTIONS, AuditLog
from coopmap.store import ConflictError, NoReleaseError, ReleaseStore, UnreadableReleaseError
from coopmap.ui import data as ui_data
from coopmap.ui import staff_binding
from coopmap.uploads import MAX_BYTES, UploadError, intake

log = logging.getLogger("coopmap.staff")
SESSION = "staff_session"
CANDIDATE = "staff_candidate"
FLASH = "staff_flash"
SECTIONS = ["Upload and publish", "History and rollback", "Audit log"]
NONE = "—"  # an empty cell in a history table (never "None")
HISTORY_COLUMNS = {"status": "Status", "release": "Release", "created": "Created", "by": "By",
                   "file": "File uploaded", "changes": "What changed",
                   "agreements": "Agreements", "note": "Note"}
STATUS = {"current": "✔ Current", "was current": "Was current",
          "never published": "Never published"}
SWITCH_COLUMNS = {"at": "When", "action": "What", "from": "From", "to": "To", "by": "By",
                  "note": "Note"}
SWITCH_ACTIONS = {"build": "Built", "publish": "Published", "rollback": "Made current again",
                  "restored": "Restored at start-up"}
AUDIT_COLUMNS = {"at": "When", "action": "What", "by": "Who"}
SETUP = """No staff accounts are configured, so nothing can be uploaded or published here.

To add one:
1. Run `coopmap hash-password` and type the new password twice.
2. Paste the lines it prints into `.streamlit/secrets.toml` (see `.streamlit/secrets.toml.example`).
3. Reload this page: the file is read again on every click (no restart needed).
"""
SIGNED_OUT = "staff_signed_out"
# A secrets file to read instead of Streamlit's secrets.files (tests give their own).
SECRETS_ENV = "COOPMAP_SECRETS"


def _secrets_files() -> list[Path]:
    """The secrets files Streamlit would read (``secrets.files``), or $COOPMAP_SECRETS."""
    given = os.environ.get(SECRETS_ENV)
    if given is not None:
        return [Path(p) for p in given.split(os.pathsep) if p]
    return [Path(p) for p in st.get_option("secrets.files")]


def _plain(text: object) -> str:
    """Text shown as text in Markdown (file names, notes, cells): the characters Markdown acts
    on are backslash-escaped, so ``&lt;i&gt;`` stays ``&lt;i&gt;`` (no entity), ``<i>`` no
    tag, ``https://…`` or ``www.…`` no link, ``:red[x]`` no colour, ``1.`` no list."""
    text = re.sub(r"([\\`*_{}\[\]<>()#!|~$&:@])", r"\\\1", str(text))
    # Streamlit's Markdown links bare URLs and e-mail addresses even when escaped: an invisible
    # word joiner (U+2060) after "http", "www" and before "@" keeps them text.
    text = re.sub(r"(?i)\b(https?|ftp|www)(\\:|\.)", "\\1\u2060\\2", text)
    text = re.sub(r"(?i)\bwww\u2060\.", "www\u2060\\.", text)
    text = text.replace("\\@", "\u2060\\@")
    text = re.sub(r"^(\s*)([-+=])", r"\1\\\2", text)  # no list item or heading underline
    return re.sub(r"^(\s*\d+)([.)])", r"\1\\\2", text)  # no numbered list


def _fail(message: str) -> None:
    """Before anything else is drawn: say why and stop the page."""
    st.error(_plain(message))
    st.stop()


def _when(stamp: object) -> str:
    """'2026-11-27T21:54:25Z' -> '2026-11-27 21:54 UTC' (shorter, and plainer)."""
    text = "" if stamp is None else str(stamp)
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})[:\d.]*Z", text)
    return f"{m[1]} {m[2]} UTC" if m else (text or NONE)


def _cell(value: object) -> str:
    """A value as table text; missing or empty shows as a dash."""
    if value is None or (isinstance(value, str | float) and (value == "" or pd.isna(value))):
        return NONE
    if isinstance(value, float) and value.is_integer():  # a count in a column with gaps
        return f"{int(value):,}"
    return str(value)


@st.cache_resource(show_spinner=False)
def _startup(releases: str, staff: str) -> list[str]:
    """Once per server process (and data folder): leftovers removed, records reconciled."""
    try:
        return publishing.startup_check(ReleaseStore(Path(releases)),
                                        AuditLog(Path(staff) / "audit.jsonl"))
    except Exception:
        log.exception("the start-up check failed")
        return ["The start-up check of the release store failed; see the server log."]


st.title("Staff")
# The staff page is an internal tool and stays in English; a Spanish visitor is told so in
# Spanish, then the rest of the page (its previews too) runs in English.
if text.language() != text.DEFAULT_LANGUAGE:
    st.info(text.t("staff.english_only"), icon=":material/translate:")
    text.use_language(text.DEFAULT_LANGUAGE)
audit = AuditLog()
store = ReleaseStore(paths.releases_dir())
startup_findings = _startup(str(store.root), str(audit.path.parent))
# The accounts are read from the file on every rerun (it is small): an edit applies at the next
# click, a removed account or a changed password ends its sessions, a broken file is named.
accounts_read = auth.read_accounts(_secrets_files())
if accounts_read.error:
    _fail(f"The staff accounts cannot be read, so nobody can sign in or act until the file is "
          f"fixed (open sessions resume then): {accounts_read.error}")
if not accounts_read.accounts:
    st.info(SETUP)
    st.stop()
authn = auth.Authenticator(accounts_read.accounts, audit=audit)


def _end(session: auth.Session, reason: str) -> None:
    authn.end_session(session, reason)
    st.session_state.pop(SESSION, None)
    st.session_state.pop(CANDIDATE, None)
    st.session_state[SIGNED_OUT] = reason
    staff_binding.forget()


def signed_in() -> auth.Session | None:
    """The session if it still holds (checked on the server, on every call): the account is
    still configured with the same password, the session is not too old, and this connection
    is the browser that signed in."""
    session = st.session_state.get(SESSION)
    if session is None:
        return None
    reason = authn.session_problem(session) or staff_binding.problem(session)
    if reason is not None:
        _end(session, reason)
        return None
    return session


session = signed_in()
if session is None:
    if SIGNED_OUT in st.session_state:
        st.warning(_plain(f"You were signed out: {st.session_state.pop(SIGNED_OUT)}."))
    with st.form("signin"):
        username = st.text_input("User name", key="signin_user", max_chars=200)
        password = st.text_input("Password", type="password", key="signin_password",
                                 max_chars=auth.MAX_PASSWORD_LENGTH)
        submitted = st.form_submit_button("Sign in")
    if submitted:
        result = authn.sign_in(username, password, staff_binding.client_id())
        if result.ok:
            token = auth.new_token()
            new_session = authn.session_for(result, token)
            staff_binding.bind(new_session, token, int(authn.session_seconds))
            st.session_state[SESSION] = new_session
            st.rerun()
        st.error(_plain(result.message))
    st.stop()

staff_binding.keep()
with st.container(horizontal=True, horizontal_alignment="distribute",
                  vertical_alignment="center"):
    st.caption(f"Signed in as **{_plain(session.name)}** ({_plain(session.username)})")
    if st.button("Sign out", key="signout"):
        authn.sign_out(session)
        st.session_state.pop(SESSION, None)
        st.session_state.pop(CANDIDATE, None)
        staff_binding.forget()
        st.rerun()

# Messages above the tabs sit in one container that is always drawn, so the tabs keep their
# place in the page when a message comes or goes.
notices = st.container()
if FLASH in st.session_state:
    notices.success(st.session_state.pop(FLASH))
try:
    # Cached by release id and shared with the viewer pages (prepare never mutates it).
    current = ui_data.current()
except NoReleaseError:
    current = None
    notices.warning("There is no current release to update. Run `coopmap build` first.")


@st.cache_resource(show_spinner=False, max_entries=4)
def _warm_up(release_id: str) -> threading.Thread:
    """Once per server process and release: build the current source set in the background,
    so the first preview only has the uploaded file left to read and match."""

    def run() -> None:
        try:
            seconds = publishing.warm_up(store.get(release_id))  # no Streamlit cache here
            log.info("staff preview caches warmed in %.1f s", seconds)
        except Exception:  # a preview then builds what it needs itself
            log.exception("warming the staff preview caches failed")

    thread = threading.Thread(target=run, name="coopmap-warm-up", daemon=True)
    thread.start()
    return thread


if current is not None:
    _warm_up(current.id)

# A keyed tab bar that tracks its state: the tab a staff member is on stays selected across
# reruns (a publish, a rollback, a message appearing) instead of jumping back to the first.
upload_tab, history_tab, audit_tab = st.tabs(SECTIONS, key="staff_section", on_change="rerun")


def _candidate(file) -> publishing.Candidate | None:
    """The checked upload (cached per file, list kind and date); None after showing why not."""
    data = file.getvalue()
    try:
        up = intake(data, file.name)
    except UploadError as exc:
        if st.session_state.get("rejected") != (file.name, len(data)):
            audit.append("upload_rejected", session.username, file=file.name,
                         bytes=len(data), reason=str(exc))
            st.session_state["rejected"] = (file.name, len(data))
        st.error(_plain(f"{exc} Nothing was changed."))
        return None
    kind = publishing.detect_kind(up)
    list_kind = sheet_date = None
    if kind == "ice":
        guess_kind = ice_sheets.list_kind_from_name(up.filename) or "participating"
        guess_date = ice_sheets.sheet_date_from_name(up.filename)
        cols = st.columns(2)
        list_kind = cols[0].radio("Which ICE list is it?", list(schema.LISTS),
                                  format_func=schema.LISTS.get, key="list_kind",
                                  index=list(schema.LISTS).index(guess_kind), horizontal=True)
        sheet_date = cols[1].date_input("Date of the list", value=guess_date,
                                        max_value=dt.date.today(), key="sheet_date",
                                        help="Read from ICE's file name when it has one.")
    # The preview stays tied to the release it was computed on: if someone publishes
    # meanwhile, publishing it is refused (ConflictError) rather than silently re-previewed.
    signature = (up.sha256, list_kind, str(sheet_date))
    cached = st.session_state.get(CANDIDATE)
    if cached is not None and cached[0] == signature:
        return cached[1]
    try:
        # A preview right after a server start waits for the warm-up's build instead of doing
        # the same work beside it (the build's caches are shared).
        _warm_up(current.id).join(timeout=300)
        candidate = publishing.prepare(up, current, list_kind=list_kind, sheet_date=sheet_date,
                                       by=session.username)
    except Exception:
        log.exception("preparing %s failed", up.filename)
        st.error("This file could not be checked because of an internal error; nothing was "
                 "changed. Please tell the site's maintainers.")
        return None
    st.session_state[CANDIDATE] = (signature, candidate)
    audit.append("upload", session.username, file=up.filename, sha256=up.sha256,
                 bytes=up.size, kind=candidate.kind, errors=len(candidate.errors),
                 warnings=len(candidate.warnings), based_on=current.id)
    return candidate


def _preview_map(ch: changes.Changes, description: str) -> None:
    """The counties whose colour would change, with how many places change on each layer."""
    recoloured = ch.colour_changes[ch.colour_changes["level"] == "county"]
    if not len(recoloured):
        return
    from coopmap import figures
    from coopmap.ui import data, mapview

    frame = (recoloured.assign(layer=recoloured["layer"].map(changes.MAP_LAYERS))
             .groupby(["fips", "name"])["layer"].agg(", ".join)
             .reset_index().assign(category="changed"))
    spec = figures.map_spec(
        frame, locations="fips", category="category",
        categories={"changed": "Colour changes"}, colours={"changed": "#D55E00"},
        hover_name="name", hover_data={"layer": "Layers"},
        title="Counties whose colour would change", subtitle=description,
        source="Preview, not published",
    )
    # The national map is wider than tall: beside it, the count of places per map layer
    # (instead of a wide frame with the map floating in its middle).
    left, right = st.columns([3, 2], vertical_alignment="center")
    with left:
        mapview.map_view(data.map_view_data(spec, "county", filename="coopmap-preview",
                                            presets=("landscape",), vector=False),
                         key="preview_map")
    per_layer = (ch.colour_changes.groupby(["layer", "level"])["fips"].nunique()
                 .unstack("level").reindex(columns=["county", "state"]).fillna(0).astype(int)
                 .reindex([k for k in changes.MAP_LAYERS if k in set(ch.colour_changes["layer"])])
                 .reset_index())
    per_layer["layer"] = per_layer["layer"].map(changes.MAP_LAYERS)
    right.dataframe(per_layer.rename(columns={"layer": "Map layer", "county": "Counties",
                                              "state": "States"}),
                    hide_index=True, key="preview_layers", width="stretch")


def upload_section() -> None:
    st.markdown(
        "Upload **the ICE 287(g) participating or pending list** exactly as ICE publishes it "
        "(xlsx, or a CSV saved from it), **a policy-findings sheet** made from the template, "
        "or **ICE's new detention-statistics workbook** (the FYxx detentionStats .xlsx, laid "
        "out like the bundled ones, with a data pull after the release's newest)."
    )
    st.download_button("Download the policy-sheet template", policy_sheet.template_xlsx(),
                       file_name="coopmap-policy-findings-template.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="template")
    # A new key after each publish empties the uploader for the next file. The size limit is
    # the one uploads.intake enforces (and .streamlit/config.toml's server.maxUploadSize).
    file = st.file_uploader("Spreadsheet to upload", type=["xlsx", "xlsm", "csv", "txt", "tsv"],
                            key=f"upload_{st.session_state.get('upload_round', 0)}",
                            max_upload_size=MAX_BYTES // 2**20)
    if file is None or current is None:
        return
    candidate = _candidate(file)
    if candidate is None:
        return
    if candidate.base_id != current.id:
        st.warning(f"This preview was made against release {candidate.base_id}, but release "
                   f"{current.id} has been published since. Preview again before publishing.")
        if st.button("Preview again against the current release", key="repreview"):
            st.session_state.pop(CANDIDATE, None)
            st.rerun()
    label = publishing.KINDS.get(candidate.kind, "Not recognised")
    st.subheader(f"Recognised: {label}")
    st.caption(_plain(f"{candidate.description} · {candidate.upload.filename} · sha256 "
                      f"{candidate.upload.sha256[:16]}… · compared with release "
                      f"{candidate.base_id}"))
    for note in candidate.upload.notes:
        st.caption(_plain(note))
    for note in candidate.notes:
        st.info(_plain(note))
    if candidate.problems:
        n_err, n_dec = len(candidate.errors), len(candidate.decisions)
        n_warn = len(candidate.warnings)
        if n_err:
            st.error(f"{n_err} error(s): this file cannot be published. Fix them and upload it "
                     "again.")
        if n_dec:
            st.warning(f"{n_dec} decision(s) about this file: each must be confirmed to "
                       "publish.")
        if n_warn:
            st.warning(f"{n_warn} warning(s): read them; they must be accepted to publish.")
        # Counts by kind first (errors, then decisions, then warnings), then every problem.
        st.dataframe(publishing.problem_counts(candidate.problems), hide_index=True,
                     key="problem_counts")
        st.dataframe(publishing.problems_frame(candidate.problems), hide_index=True,
                     key="problems")
    if candidate.changes is not None:
        ch = candidate.changes
        c = ch.counts
        n_fields = c.get("agreement_fields_changed", len(ch.agreements_changed))
        st.subheader("What would change")
        st.write(ch.summary())
        cols = st.columns(5)
        cols[0].metric("Agreements added", c["agreements_added"])
        cols[1].metric("Agreements ended", c["agreements_ended"])
        cols[2].metric("Agreements changed", c["agreements_changed"],
                       help=f"{n_fields:,} field changes in {c['agreements_changed']:,} "
                            "agreements: the list below has one row per changed field.")
        cols[3].metric("Policy values changed", c["policy_changes"])
        cols[4].metric("Places changing colour", c["counties_recoloured"] + c["states_recoloured"])
        detention = (c.get("facilities_added", 0), c.get("facilities_removed", 0),
                     c.get("detention_counties_changed", 0))
        if candidate.kind == "detention" or any(detention):
            dcols = st.columns(3)
            dcols[0].metric("Detention facilities added", detention[0])
            dcols[1].metric("Detention facilities removed", detention[1])
            dcols[2].metric("Counties changing detention posture", detention[2],
                            help="Counties whose ICE detention posture changes in at least "
                                 "one month: the list below has one row per county and month.")
        for title, frame, key in (
            ("Agreements added", ch.agreements_added, "added"),
            ("Agreements ended", ch.agreements_ended, "ended"),
            (f"Changes to agreements (old → new): {n_fields:,} field changes in "
             f"{c['agreements_changed']:,} agreements", ch.agreements_changed, "changed"),
            ("Policy values (old → new)", ch.policy_changes, "policy"),
            ("State law stances (old → new)", ch.stance_changes, "stance"),
            ("State-law readings added, removed or changed", ch.reading_changes, "readings"),
            ("Places whose map colour changes", ch.colour_changes, "colours"),
            ("Detention facilities added", ch.facilities_added, "facilities_added"),
            ("Detention facilities removed", ch.facilities_removed, "facilities_removed"),
            ("County detention postures (old → new), one row per county and month",
             ch.detention_changes, "detention"),
        ):
            if len(frame):
                heading = title if key == "changed" else f"{title}: {len(frame):,}"
                with st.expander(heading):
                    st.dataframe(frame.astype("str"), hide_index=True, key=f"diff_{key}")
        _preview_map(ch, candidate.description)

    if candidate.publishable and candidate.changes is not None and not candidate.changes.empty:
        _publish_form(candidate)
    elif candidate.publishable:
        st.info("Nothing to publish: this file changes nothing in the current release.")


def _publish_form(candidate: publishing.Candidate) -> None:
    st.subheader("Publish")
    note = st.text_input("Note for the history (what and why)", key="publish_note",
                         max_chars=500)
    confirmed = all([
        st.checkbox(_plain(f"Confirm: {d.expected}"), key=f"decision_{i}")
        for i, d in enumerate(candidate.decisions)])
    accepted = True
    if candidate.warnings:
        accepted = st.checkbox(f"I have read the {len(candidate.warnings)} warning(s) and "
                               "accept them", key="accept_warnings")
    if not st.button("Publish as the new release", key="publish",
                     disabled=not (accepted and confirmed), type="primary"):
        return
    if signed_in() is None:
        st.error("Your session has ended. Sign in again; nothing was published.")
        return
    try:
        release = publishing.publish(store, candidate, by=session.username, note=note,
                                     accept_warnings=accepted, audit=audit,
                                     accept_decisions=confirmed)
    except ConflictError as exc:
        st.session_state.pop(CANDIDATE, None)
        st.error(_plain(f"Not published: someone else published first. {exc}"))
        return
    except publishing.PublishError as exc:
        st.error(_plain(str(exc)))
        return
    except Exception:
        log.exception("publishing failed")
        st.error("Publishing failed because of an internal error. The current release is "
                 "unchanged.")
        return
    st.session_state.pop(CANDIDATE, None)
    st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
    st.session_state[FLASH] = (f"Published release {release.id}. Every visitor sees it on "
                               "their next click.")
    st.rerun()


def history_section() -> None:
    history = publishing.release_history(store)
    if history.empty:
        st.info("No releases yet.")
        return
    current_id = store.current_id()
    status_text = history["status"].map(STATUS).where(
        history["problem"].eq(""), history["status"].map(STATUS) + " · older format")
    table = history.assign(
        status=status_text, created=history["created"].map(_when),
        **{c: history[c].map(_cell) for c in ("by", "file", "changes", "note")},
    )[list(HISTORY_COLUMNS)].rename(columns=HISTORY_COLUMNS).astype("str").map(_plain)
    # A static table wraps long cells (file names, notes) instead of scrolling sideways and
    # cutting them; its cells are Markdown, hence _plain, and the current release is bold.
    current_row = history["status"].eq("current").to_numpy()
    table.loc[current_row] = table.loc[current_row].map(lambda v: f"**{v}**")
    st.table(table, hide_index=True, border="horizontal",
             height="content" if len(table) <= 12 else 520)
    ids = history["release"].tolist()
    created = dict(zip(history["release"], history["created"], strict=True))
    status = dict(zip(history["release"], history["status"], strict=True))
    # After a publish or a rollback the picker starts again from the (new) current release,
    # rather than keeping a choice made about the release that was current before.
    if st.session_state.get("_history_current") != current_id:
        st.session_state["_history_current"] = current_id
        if current_id in ids:
            st.session_state["history_release"] = current_id
        else:
            st.session_state.pop("history_release", None)
    chosen = st.selectbox("Release", ids, key="history_release",
                          format_func=lambda r: f"{r} (current)" if r == current_id else r)
    release = store.get(chosen)
    st.download_button(f"Download release {chosen} (zip)", publishing.release_zip(release),
                       file_name=f"coopmap-release-{chosen}.zip", mime="application/zip",
                       key="download_release")
    problem = dict(zip(history["release"], history["problem"], strict=True))[chosen]
    if chosen == current_id:
        st.caption(f"Release {chosen} is the current release.")
    elif problem:
        # Kept for the record and downloadable, but the public pages could not show it.
        st.info(_plain(f"Release {chosen} cannot be made current: {problem}. It was written "
                       "in an older data format than this version of coopmap shows."))
    else:
        again = " again" if status[chosen] == "was current" else ""
        # Going back to an older release is a rollback; to a newer one it is not.
        older = current_id is not None and created[chosen] < created.get(current_id, "")
        action = "Roll back to this release" if older else "Make this release current"
        confirm = st.checkbox(f"Make {chosen} the current release{again}", key="confirm_rb")
        reason = st.text_input("Why (kept in the history)", key="rollback_note")
        if st.button(action, key="rollback", disabled=not confirm):
            if signed_in() is None:
                st.error("Your session has ended. Sign in again; nothing was changed.")
                return
            try:
                publishing.rollback(store, chosen, expected_current=current.id if current
                                    else None, by=session.username, note=reason, audit=audit)
            except UnreadableReleaseError as exc:
                st.error(_plain(str(exc)))
                return
            except ConflictError as exc:
                st.error(_plain(f"Not changed: the current release changed meanwhile. {exc}"))
                return
            st.session_state.pop(CANDIDATE, None)
            st.session_state[FLASH] = f"Release {chosen} is current again."
            st.rerun()
    read = store.history_read()
    switches = read.records
    if read.damaged:
        st.warning("Some lines of the release history could not be read and are left out:\n"
                   + "\n".join(f"- {_plain(d)}" for d in read.damaged[:20]))
    if switches:
        st.caption("Every switch of the current release, newest first")
        frame = pd.DataFrame([{
            "at": _when(e.get("at")), "action": SWITCH_ACTIONS.get(e.get("action"),
                                                                   _cell(e.get("action"))),
            "from": _cell(e.get("from")), "to": _cell(e.get("to")), "by": _cell(e.get("by")),
            "note": _cell(e.get("note")),
        } for e in reversed(switches)], columns=list(SWITCH_COLUMNS))
        st.dataframe(frame.rename(columns=SWITCH_COLUMNS), hide_index=True, key="switches",
                     width="stretch")


@st.cache_data(show_spinner=False, max_entries=4)
def _verification(path: str, size: int, mtime_ns: int, history: tuple) -> object:
    """The chain check, redone only when the log (its size or time) or the history changes:
    it reads and hashes the whole log (20,000 entries: about 2 s on a loaded machine)."""
    return AuditLog(Path(path)).verify(history=[dict(h) for h in history])


def audit_section() -> None:
    if startup_findings:
        st.warning("When this server started, the check of the release store found:\n"
                   + "\n".join(f"- {_plain(f)}" for f in startup_findings))
    try:
        stat = audit.path.stat()
        size, mtime = stat.st_size, stat.st_mtime_ns
    except FileNotFoundError:
        size = mtime = 0
    history = tuple(tuple(sorted((k, str(v)) for k, v in h.items())) for h in store.history())
    check = _verification(str(audit.path), size, mtime, history)
    if check.ok:
        st.success(f"The audit log checks out: {check.entries:,} entries, each chained to the "
                   f"one before (last hash {check.head[:16]}…).")
    else:
        lines = [f"- {_plain(b)}" for b in check.breaks[:20]]
        lines += [f"- {_plain(d)}" for d in check.damaged[:20]]
        st.error("The audit log does not check out: entries were changed, removed or damaged "
                 "at these lines of `audit.jsonl` (the entries shown below are as found):\n"
                 + "\n".join(lines))
    if check.unchained:
        st.caption(f"{check.unchained:,} entries from before the log was chained are shown "
                   "but cannot be checked.")
    events = audit.tail(200)[::-1]
    if not events:
        st.info("The audit log is empty.")
        return
    frame = pd.DataFrame(events).drop(columns=["prev"], errors="ignore")
    frame["action"] = frame["action"].map(lambda a: ACTIONS.get(a, a))
    frame["at"] = frame["at"].map(_when)
    if "hash" in frame:
        frame["hash"] = frame["hash"].map(lambda h: h[:12] if isinstance(h, str) else h)
    frame = frame.rename(columns=lambda c: AUDIT_COLUMNS.get(c, c.replace("_", " ").capitalize()))
    st.dataframe(frame.map(_cell), hide_index=True, key="audit")


# Each section draws on its own: a problem in one (a broken upload) is shown there and never
# stops the others from drawing.
with upload_tab:
    upload_section()
with history_tab:
    history_section()
with audit_tab:
    audit_section()
