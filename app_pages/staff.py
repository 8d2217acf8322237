"""Staff: sign in, upload an ICE list or a policy sheet, check it, preview, publish, roll back.

Every rerun checks the signed-in session on the server (account still configured, not locked,
not expired) before anything else is drawn; each action checks it again before it acts. The page
only reads widgets and calls coopmap.auth / uploads / publishing: the rules live there.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

import pandas as pd
import streamlit as st

from coopmap import auth, ice_sheets, paths, policy_sheet, publishing, schema
from coopmap.audit import ACTIONS, AuditLog
from coopmap.store import ConflictError, NoReleaseError, ReleaseStore
from coopmap.ui import data as ui_data
from coopmap.uploads import UploadError, intake

log = logging.getLogger("coopmap.staff")
SESSION = "staff_session"
CANDIDATE = "staff_candidate"
FLASH = "staff_flash"
SETUP = """No staff accounts are configured, so nothing can be uploaded or published here.

To add one:
1. Run `coopmap hash-password` and type the new password twice.
2. Paste the lines it prints into `.streamlit/secrets.toml` (see `.streamlit/secrets.toml.example`).
3. Restart the app.
"""


def _secrets() -> dict:
    try:
        return st.secrets.to_dict()
    except Exception:  # no secrets file at all: same as no accounts
        return {}


def _plain(text: object) -> str:
    """Text shown as text: markdown characters (from file names, cells) are escaped."""
    return re.sub(r"([\\`*_\[\]<>|~#$])", r"\\\1", str(text))


def _fail(message: str) -> None:
    st.error(_plain(message))
    st.stop()


st.title("Staff")
audit = AuditLog()
store = ReleaseStore(paths.releases_dir())
try:
    accounts = auth.accounts_from_secrets(_secrets())
except auth.AuthConfigError as exc:
    _fail(f"The staff accounts are misconfigured: {exc}")
if not accounts:
    st.info(SETUP)
    st.stop()
authn = auth.Authenticator(accounts, audit=audit)


def signed_in() -> auth.Session | None:
    """The session if it still holds (checked on the server, on every call)."""
    session = st.session_state.get(SESSION)
    if session is not None and not authn.check_session(session):
        st.session_state.pop(SESSION, None)
        st.session_state.pop(CANDIDATE, None)
        return None
    return session


session = signed_in()
if session is None:
    with st.form("signin"):
        username = st.text_input("User name", key="signin_user")
        password = st.text_input("Password", type="password", key="signin_password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        result = authn.sign_in(username, password)
        if result.ok:
            st.session_state[SESSION] = authn.session_for(result)
            st.rerun()
        st.error(result.message)
    st.stop()

top = st.columns([4, 1])
top[0].caption(f"Signed in as **{session.name}** ({session.username})")
if top[1].button("Sign out", key="signout"):
    authn.sign_out(session)
    st.session_state.pop(SESSION, None)
    st.session_state.pop(CANDIDATE, None)
    st.rerun()

if FLASH in st.session_state:
    st.success(st.session_state.pop(FLASH))
try:
    # Cached by release id and shared with the viewer pages (prepare never mutates it).
    current = ui_data.current()
except NoReleaseError:
    current = None
    st.warning("There is no current release to update. Run `coopmap build` first.")

upload_tab, history_tab, audit_tab = st.tabs(["Upload and publish", "History and rollback",
                                              "Audit log"])

# --- Upload, check, preview, publish ---------------------------------------------------------
with upload_tab:
    st.markdown(
        "Upload **the ICE 287(g) participating or pending list** exactly as ICE publishes it "
        "(xlsx, or a CSV saved from it), or **a policy-findings sheet** made from the template."
    )
    st.download_button("Download the policy-sheet template", policy_sheet.template_xlsx(),
                       file_name="coopmap-policy-findings-template.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="template")
    # A new key after each publish empties the uploader for the next file.
    file = st.file_uploader("Spreadsheet to upload", type=["xlsx", "xlsm", "csv", "txt", "tsv"],
                            key=f"upload_{st.session_state.get('upload_round', 0)}")
    candidate = None
    if file is not None and current is not None:
        data = file.getvalue()
        try:
            up = intake(data, file.name)
        except UploadError as exc:
            if st.session_state.get("rejected") != (file.name, len(data)):
                audit.append("upload_rejected", session.username, file=file.name,
                             bytes=len(data), reason=str(exc))
                st.session_state["rejected"] = (file.name, len(data))
            _fail(f"{exc} Nothing was changed.")
        kind = publishing.detect_kind(up)
        list_kind = sheet_date = None
        if kind == "ice":
            guess_kind = ice_sheets.list_kind_from_name(up.filename) or "participating"
            guess_date = ice_sheets.sheet_date_from_name(up.filename)
            cols = st.columns(2)
            list_kind = cols[0].radio("Which ICE list is it?", list(schema.LISTS),
                                      format_func=schema.LISTS.get, key="list_kind",
                                      index=list(schema.LISTS).index(guess_kind),
                                      horizontal=True)
            sheet_date = cols[1].date_input("Date of the list", value=guess_date,
                                            max_value=dt.date.today(), key="sheet_date",
                                            help="Read from ICE's file name when it has one.")
        # The preview stays tied to the release it was computed on: if someone publishes
        # meanwhile, publishing it is refused (ConflictError) rather than silently re-previewed.
        signature = (up.sha256, list_kind, str(sheet_date))
        cached = st.session_state.get(CANDIDATE)
        if cached is not None and cached[0] == signature:
            candidate = cached[1]
        else:
            try:
                candidate = publishing.prepare(up, current, list_kind=list_kind,
                                               sheet_date=sheet_date, by=session.username)
            except Exception:
                log.exception("preparing %s failed", up.filename)
                _fail("This file could not be checked because of an internal error; nothing "
                      "was changed. Please tell the site's maintainers.")
            st.session_state[CANDIDATE] = (signature, candidate)
            audit.append("upload", session.username, file=up.filename, sha256=up.sha256,
                         bytes=up.size, kind=candidate.kind, errors=len(candidate.errors),
                         warnings=len(candidate.warnings), based_on=current.id)

    if candidate is not None and current is not None and candidate.base_id != current.id:
        st.warning(f"This preview was made against release {candidate.base_id}, but release "
                   f"{current.id} has been published since. Preview again before publishing.")
        if st.button("Preview again against the current release", key="repreview"):
            st.session_state.pop(CANDIDATE, None)
            st.rerun()
    if candidate is not None:
        label = publishing.KINDS.get(candidate.kind, "Not recognised")
        st.subheader(f"Recognised: {label}")
        st.caption(_plain(f"{candidate.description} · {candidate.upload.filename} · sha256 "
                          f"{candidate.upload.sha256[:16]}… · compared with release "
                          f"{candidate.base_id}"))
        for note in candidate.upload.notes:
            st.caption(_plain(note))
        if candidate.problems:
            n_err, n_warn = len(candidate.errors), len(candidate.warnings)
            if n_err:
                st.error(f"{n_err} error(s): this file cannot be published. Fix them and upload "
                         "it again.")
            if n_warn:
                st.warning(f"{n_warn} warning(s): read them; they must be accepted to publish.")
            st.dataframe(publishing.problems_frame(candidate.problems), hide_index=True,
                         key="problems")
        if candidate.changes is not None:
            ch = candidate.changes
            st.subheader("What would change")
            st.write(ch.summary())
            c = ch.counts
            cols = st.columns(5)
            cols[0].metric("Agreements added", c["agreements_added"])
            cols[1].metric("Agreements ended", c["agreements_ended"])
            cols[2].metric("Agreements changed", c["agreements_changed"])
            cols[3].metric("Policy values changed", c["policy_changes"])
            cols[4].metric("Places changing colour",
                           c["counties_recoloured"] + c["states_recoloured"])
            for title, frame, key in (
                ("Agreements added", ch.agreements_added, "added"),
                ("Agreements ended", ch.agreements_ended, "ended"),
                ("Changes to agreements, one row per field (old → new)", ch.agreements_changed,
                 "changed"),
                ("Policy values (old → new)", ch.policy_changes, "policy"),
                ("State law stances (old → new)", ch.stance_changes, "stance"),
                ("Places whose map colour changes", ch.colour_changes, "colours"),
            ):
                if len(frame):
                    with st.expander(f"{title}: {len(frame):,}"):
                        st.dataframe(frame.astype("str"), hide_index=True, key=f"diff_{key}")
            recoloured = ch.colour_changes[ch.colour_changes["level"] == "county"]
            if len(recoloured):
                from coopmap import figures, geometry

                frame = (recoloured.groupby(["fips", "name"])["layer"].agg(", ".join)
                         .reset_index().assign(category="changed"))
                # Only the changed counties' shapes travel with this small figure.
                shapes = geometry.counties_geojson()
                wanted = set(frame["fips"])
                shapes = {**shapes, "features": [f for f in shapes["features"]
                                                 if f["id"] in wanted]}
                fig = figures.choropleth_map(
                    frame, locations="fips", category="category",
                    categories={"changed": "Colour changes"}, colours={"changed": "#D55E00"},
                    geojson=shapes, hover_name="name",
                    hover_data={"layer": "Layers"}, title="Counties whose colour would change",
                    subtitle=candidate.description, source="Preview, not published",
                    height=420,
                )
                # The base map comes from the app's own static files, never from a CDN.
                from coopmap.ui.data import TOPOJSON_URL

                st.plotly_chart(fig, key="preview_map", theme=None, width="stretch",
                                config=figures.chart_config(filename="coopmap-preview",
                                                            topojson_url=TOPOJSON_URL))

        if candidate.publishable and candidate.changes is not None and not candidate.changes.empty:
            st.subheader("Publish")
            note = st.text_input("Note for the history (what and why)", key="publish_note",
                                 max_chars=500)
            accepted = True
            if candidate.warnings:
                accepted = st.checkbox(f"I have read the {len(candidate.warnings)} warning(s) "
                                       "and accept them", key="accept_warnings")
            if st.button("Publish as the new release", key="publish", disabled=not accepted,
                         type="primary"):
                if signed_in() is None:
                    _fail("Your session has ended. Sign in again; nothing was published.")
                try:
                    release = publishing.publish(store, candidate, by=session.username,
                                                 note=note, accept_warnings=accepted,
                                                 audit=audit)
                except ConflictError as exc:
                    st.session_state.pop(CANDIDATE, None)
                    _fail(f"Not published: someone else published first. {exc}")
                except publishing.PublishError as exc:
                    _fail(str(exc))
                except Exception:
                    log.exception("publishing failed")
                    _fail("Publishing failed because of an internal error. The current release "
                          "is unchanged.")
                st.session_state.pop(CANDIDATE, None)
                st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
                st.session_state[FLASH] = (f"Published release {release.id}. Every visitor sees "
                                           "it on their next click.")
                st.rerun()
        elif candidate.publishable:
            st.info("Nothing to publish: this file changes nothing in the current release.")

# --- History and rollback --------------------------------------------------------------------
with history_tab:
    history = publishing.release_history(store)
    if history.empty:
        st.info("No releases yet.")
    else:
        st.dataframe(history.astype("str"), hide_index=True, key="history")
        ids = history["release"].tolist()
        chosen = st.selectbox("Release", ids, key="history_release")
        release = store.get(chosen)
        st.download_button(f"Download release {chosen} (zip)", publishing.release_zip(release),
                           file_name=f"coopmap-release-{chosen}.zip", mime="application/zip",
                           key="download_release")
        if chosen != store.current_id():
            confirm = st.checkbox(f"Make {chosen} the current release again", key="confirm_rb")
            reason = st.text_input("Why (kept in the history)", key="rollback_note")
            if st.button("Roll back", key="rollback", disabled=not confirm):
                if signed_in() is None:
                    _fail("Your session has ended. Sign in again; nothing was changed.")
                try:
                    publishing.rollback(store, chosen, expected_current=current.id if current
                                        else None, by=session.username, note=reason,
                                        audit=audit)
                except ConflictError as exc:
                    _fail(f"Not rolled back: the current release changed meanwhile. {exc}")
                st.session_state.pop(CANDIDATE, None)
                st.session_state[FLASH] = f"Release {chosen} is current again."
                st.rerun()
        switches = store.history()
        if switches:
            st.caption("Every switch of the current release, newest first")
            st.dataframe(pd.DataFrame(switches[::-1]).astype("str"), hide_index=True,
                         key="switches")

# --- Audit log -------------------------------------------------------------------------------
with audit_tab:
    events = audit.read()[-200:][::-1]
    if events:
        frame = pd.DataFrame(events)
        frame["action"] = frame["action"].map(lambda a: ACTIONS.get(a, a))
        st.dataframe(frame.astype("str"), hide_index=True, key="audit")
    else:
        st.info("The audit log is empty.")
