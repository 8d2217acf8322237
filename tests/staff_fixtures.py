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
ICE = ROOT / "data/sources/ice_287g"
SHEET = ICE / "latest/participatingAgencies05182026am.xlsx"
# The newest sheet of each list, as ICE named it (latest/) and as the archive dates it.
NEWEST = {
    "participating": (SHEET.name, "monthly_participating/2026-05-18_*"),
    "pending": ("pendingAgencies02272026am.xlsx", "monthly_pending/2026-02-27_*"),
}


# The newest detention-statistics workbook (``drop_newest="detention"`` builds without it).
WORKBOOK = ROOT / "data/sources/ice_detention/ice_detention_stats/FY26_detentionStats_04092026.xlsx"


def garbled_workbook() -> bytes:
    """The real newest detention workbook with one bad cell: row 12's "Level A" is "lots"."""
    import io

    import openpyxl

    book = openpyxl.load_workbook(WORKBOOK)
    sheet = book["Facilities FY26"]
    header = [c.value for c in sheet[10]]
    sheet.cell(12, header.index("Level A") + 1).value = "lots"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def newest_sheet(list_kind: str) -> Path:
    return ICE / "latest" / NEWEST[list_kind][0]


def built_store(tmp_path_factory, name: str, drop_newest: bool | str = False) -> Path:
    """A store holding a release built from the real sources (once per test session); with
    ``drop_newest`` ("participating", "pending", or True for participating; "detention" for the
    newest detention workbook) built from a copy of the sources without that list's newest
    sheet, which ``sources_of`` then names."""
    root = tmp_path_factory.getbasetemp() / f"staff_{name}"
    if (root / "store" / "CURRENT").exists():
        return root / "store"
    src = paths.sources_dir()
    if drop_newest == "detention":
        src = root / "sources"
        shutil.copytree(paths.sources_dir(), src)
        (src / WORKBOOK.relative_to(paths.sources_dir())).unlink()
    elif drop_newest:
        kind = "participating" if drop_newest is True else drop_newest
        src = root / "sources"
        shutil.copytree(paths.sources_dir(), src)
        latest, dated = NEWEST[kind]
        (src / "ice_287g/latest" / latest).unlink()
        folder, pattern = dated.split("/")
        for p in (src / "ice_287g" / folder).glob(pattern):
            p.unlink()
    build.build_release(src, paths.corrections_dir(), ReleaseStore(root / "store"),
                        built_by="test build", created="2026-05-01T00:00:00Z")
    return root / "store"


def sources_of(store_dir: Path) -> Path:
    """The sources folder a ``built_store`` store was built from."""
    own = Path(store_dir).parent / "sources"
    return own if own.exists() else paths.sources_dir()
