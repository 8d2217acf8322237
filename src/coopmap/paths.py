"""Where coopmap's files live. Everything is relative to the project's data folder.

``COOPMAP_DATA_DIR`` points the whole app (store, sources, geometry) at another folder; tests use
it to work on a copy.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    return Path(os.environ.get("COOPMAP_DATA_DIR", PROJECT_ROOT / "data"))


def sources_dir() -> Path:
    return data_dir() / "sources"


def corrections_dir() -> Path:
    """Reviewed corrections: data a reviewer reads in a diff, never code."""
    return data_dir() / "corrections"


def releases_dir() -> Path:
    return data_dir() / "releases"


def geo_dir() -> Path:
    """Simplified shapes (GeoParquet) built from ``sources/geo``."""
    return data_dir() / "geo"


def static_dir() -> Path:
    return PROJECT_ROOT / "static"
