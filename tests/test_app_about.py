"""AppTest of the about page: glossary, caveats, sources with date and license, releases."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from coopmap.store import default_store
from coopmap.text import GLOSSARY, SOURCE_TERMS

APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")


def open_about() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("app_pages/about.py")
    return at.run()


def source_blocks(at: AppTest) -> list[str]:
    """The sources, one markdown block each (a table cut the publisher on a phone)."""
    return [m.value for m in at.markdown if "data/sources/" in m.value and m.value.startswith("**")]


def test_about_lists_terms_caveats_sources_and_release():
    release = default_store().current()
    at = open_about()
    assert not at.exception
    body = "\n".join(m.value for m in at.markdown)
    for term, _ in GLOSSARY.values():
        assert term in body
    assert "Unknown is not “no”" in body
    assert release.as_of["participating"] in body
    assert "not reviewed by a person" in body and "allegations" in body
    folders = {p.split("/")[1] for p in (s["path"] for s in release.manifest["sources"])
               if p.startswith("sources/")}
    blocks = source_blocks(at)
    assert len(blocks) == len(folders)
    for folder in folders:
        publisher, terms = SOURCE_TERMS[folder]
        block = next(b for b in blocks if f"`data/sources/{folder}`" in b)
        assert block.startswith(f"**{publisher}**")  # the publisher leads, on a line of its own
        assert f"License / terms: {terms}" in block
    assert "License / terms: ?" not in body
    assert release.id in body
    assert "Report a correction" in [h.value for h in at.header]


def test_every_source_folder_has_terms_from_its_provenance():
    root = Path(APP).parent / "data" / "sources"
    for folder in root.iterdir():
        if (folder / "PROVENANCE.md").exists():
            assert folder.name in SOURCE_TERMS, folder.name


def test_sources_are_links_and_about_says_how_to_cite_correct_and_reuse(monkeypatch):
    release = default_store().current()
    at = open_about()
    assert source_blocks(at)
    for block in source_blocks(at):  # every folder links out
        assert re.search(r"Published at: \[[^\]]+\]\(https://[^)]+\)", block), block
    headers = [h.value for h in at.header]
    assert {"How to cite", "Licence", "Report a correction"} <= set(headers)
    body = "\n".join(m.value for m in at.markdown)
    assert f"dataset {release.id}" in body and "MIT" in body and "public domain" in body
    assert "COOPMAP_CONTACT" in body  # no address set: says how to set one
    monkeypatch.setenv("COOPMAP_CONTACT", "corrections@example.org")
    at = open_about()
    assert "Send it to: corrections@example" in "\n".join(m.value for m in at.markdown)


def test_about_says_what_the_state_law_readings_are():
    """The readings are coopmap's notes on the laws, not the AI-drafted third-party table they
    replaced (which no value comes from); an undated reading counts for no month."""
    body = " ".join(" ".join(m.value for m in open_about().markdown).split())
    assert "unreviewed third-party draft" not in body and "(table above)" not in body
    assert "The state-law readings are coopmap's own notes on each law" in body
    assert "no value shown comes from it" in body
    assert "whose effective date is not established counts for no month" in body
