"""About the data: glossary, sources with date and license, caveats, the current release and its
history, and how to report a correction."""

import re
from collections import defaultdict
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from coopmap import paths, text
from coopmap.text import SOURCE_LINKS, t
from coopmap.ui import data, queries, state, widgets

release = widgets.load_release(widgets.ABOUT_PAGE)
widgets.tab_title(t("page.about"))
state.restore([], widgets.ABOUT_PAGE)
as_of = release.as_of.get("participating", "?")

st.title(t("page.about"))
st.markdown(t("about.intro"))

st.header(t("about.caveats"))
for caveat in text.caveats():
    st.markdown("- " + text.fill(caveat, as_of=as_of))

st.header(t("about.glossary"))
for term, definition in text.glossary().values():
    st.markdown(f"**{term}**  \n{definition}")

st.header(t("about.sources"))
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
by_folder: dict[str, list[str]] = defaultdict(list)
for src in release.manifest.get("sources", []):
    parts = src["path"].split("/")
    if len(parts) >= 3 and parts[0] == "sources":
        by_folder[parts[1]].append(parts[-1])
# One block per source, not a table: a table cuts the publisher's long name on a phone (a table
# cell does not wrap), and the publisher is what a reader looks for.
for folder, files in sorted(by_folder.items()):
    publisher, terms = text.source_terms().get(folder, (folder, "?"))
    dates = sorted(d for f in files for d in DATE.findall(f))
    n_files = f"{len(files)}" + (f" ({dates[0]} … {dates[-1]})" if dates else "")
    link = SOURCE_LINKS.get(folder)
    lines = [f"**{publisher}**",
             f"{t('about.sources.col.license')}: {terms}",
             f"{t('about.sources.col.folder')}: `data/sources/{folder}` · "
             f"{t('about.sources.col.files')}: {n_files}"]
    if link:
        lines.append(f"{t('about.sources.col.link')}: [{urlsplit(link).netloc}]({link})")
    st.markdown("  \n".join(lines))

# Files staff uploaded: the release's source set lists them (manifest "uploads", kept in the
# store under uploads/ by sha256), in publish order, with who published each.
events, kept = data.history(str(paths.releases_dir()), release.id)
uploads = release.manifest.get("uploads", [])
if uploads:
    first = {}  # sha256 -> the release that first published it
    for m in sorted(kept, key=lambda m: m["created"]):
        first.setdefault((m.get("upload") or {}).get("sha256"), m)
    st.subheader(t("about.uploads"))
    st.dataframe(pd.DataFrame([{
        t("about.uploads.col.file"): u.get("file_name") or u["path"],
        t("about.uploads.col.sha256"): u["sha256"][:16] + "…",
        t("about.uploads.col.by"): u.get("by") or "—",
        t("about.uploads.col.at"): text.dated(first.get(u["sha256"], {}).get("created") or "—"),
    } for u in reversed(uploads)]), hide_index=True, placeholder="—", width="stretch")

st.header(t("about.release"))
st.markdown(t("about.release.line", release=release.id, created=release.created, as_of=as_of,
              tables=", ".join(f"{k} {text.number(v)}" for k, v in
                               release.manifest.get("row_counts", {}).items())))
st.subheader(t("about.history"))
# The history's action codes in words (an unknown code shows as it is).
HISTORY_ACTIONS = {a: t(f"about.history.action.{a}")
                   for a in ("build", "publish", "rollback", "restored")}
if events:
    st.dataframe(pd.DataFrame([{
        t("about.history.col.at"): text.dated(e.get("at")),
        t("about.history.col.action"): HISTORY_ACTIONS.get(e.get("action"), e.get("action")),
        t("about.history.col.to"): e.get("to"),
        t("about.history.col.by"): e.get("by"),
        t("about.history.col.note"): e.get("note"),
    } for e in reversed(events)]), hide_index=True, placeholder="—", width="stretch")
else:
    st.markdown(t("about.history.none"))
st.caption(t("about.releases") + ": " + ", ".join(m["id"] for m in kept))

st.header(t("about.correction"))
st.markdown(t("about.correction.text"))
address = widgets.contact()
if address:
    st.markdown(t("about.correction.contact", contact=queries.md_escape(address)))
else:
    st.markdown(t("about.correction.contact.default"))

st.header(t("about.cite"))
site = state.share_url({}).split("?")[0] or "coopmap"
st.markdown(t("about.cite.text", release=release.id, as_of=as_of, url=queries.md_escape(site),
              today=pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d")))
st.header(t("about.licence"))
st.markdown(t("about.licence.text"))

state.publish([], widgets.ABOUT_PAGE, release.id)
widgets.release_caption(release)
