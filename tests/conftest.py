"""Shared fixtures: the bundled release (the real data) and the browser requirement."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from coopmap import paths
from coopmap.store import Release, ReleaseStore

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def store() -> ReleaseStore:
    return ReleaseStore(paths.releases_dir())


@pytest.fixture(scope="session")
def release(store) -> Release:
    """The bundled, current release: every data test runs on the real sources.

    No release -> NoReleaseError: the tests fail, never skip."""
    return store.current()


@pytest.fixture
def fresh_cache():
    """AppTest runs share Streamlit's cache: clear it so each test sees its own run."""
    import streamlit as st

    st.cache_data.clear()
    yield


def pytest_runtest_setup(item):
    if "browser" not in item.keywords or CHROMIUM.exists():
        return
    if os.environ.get("COOPMAP_REQUIRE_BROWSER") == "1":
        pytest.fail("COOPMAP_REQUIRE_BROWSER=1 but Debian chromium (/usr/bin/chromium) is missing")
    pytest.skip("Debian chromium (/usr/bin/chromium) is not installed")
