"""One builder of release stores from the real sources, shared by the publishing, changes, staff
page (AppTest) and staff browser tests. A plain module: pytest's default "prepend" import mode
puts tests/ on sys.path (it holds conftest.py and the test modules), so ``from staff_fixtures
import built_store`` works from tests/ and tests/browser/ alike."""

from __future__ import annotations

import shutil
from pathlib import Path

from coopmap import build, paths
from coopmap.store import ReleaseStore

ROOT = Path(__file__).resolve().parents[1]
SHEET = ROOT / "data/sources/ice_287g/latest/participatingAgencies05182026am.xlsx"


def built_store(tmp_path_factory, name: str, drop_newest: bool) -> Path:
    """A store holding a release built from the real sources (once per test session)."""
    root = tmp_path_factory.getbasetemp() / f"staff_{name}"
    if (root / "store" / "CURRENT").exists():
        return root / "store"
    src = paths.sources_dir()
    if drop_newest:
        src = root / "sources"
        shutil.copytree(paths.sources_dir(), src)
        (src / "ice_287g/latest" / SHEET.name).unlink()
        for p in (src / "ice_287g/monthly_participating").glob("2026-05-18_*"):
            p.unlink()
    build.build_release(src, paths.corrections_dir(), ReleaseStore(root / "store"),
                        built_by="test build", created="2026-05-01T00:00:00Z")
    return root / "store"
