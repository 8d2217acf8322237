"""The shape files the app serves to the browser map."""

from __future__ import annotations

import json

import streamlit as st

from coopmap import paths
from coopmap.ui import data


def test_shapes_are_written_once_named_by_content(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "static_dir", lambda: tmp_path)
    st.cache_resource.clear()
    url = data.shapes_url("county")
    name = url.rsplit("/", 1)[1]
    assert url == f"/app/static/geo/{name}" and name.startswith("county-paths-")
    doc = json.loads((tmp_path / "geo" / name).read_text())
    assert len(doc["ids"]) == 3141 and doc["ids"][0] == "01001"
    assert "boxes" not in doc  # only states carry boxes (the map zooms to states)
    assert data.shapes_url("county") == url  # once per process
    state = json.loads((tmp_path / "geo" / data.shapes_url("state").rsplit("/", 1)[1]).read_text())
    assert sorted(state["boxes"]) == sorted(state["ids"]) and len(state["ids"]) == 51
    st.cache_resource.clear()


def test_a_read_only_install_sends_the_shapes_inline(tmp_path, monkeypatch):
    blocked = tmp_path / "static"
    blocked.write_text("a file where the static folder should be")  # mkdir fails
    monkeypatch.setattr(paths, "static_dir", lambda: blocked)
    st.cache_resource.clear()
    doc = data.shapes_url("state")
    assert isinstance(doc, dict) and len(doc["ids"]) == 51
    st.cache_resource.clear()
