"""Streamlit's static files prepared for nginx (coopmap.static_files): the copy, its gzip and
brotli files, and the icon font cut to the icons in use."""

from __future__ import annotations

import gzip
import io
import shutil

import brotli
import pytest
from fontTools.ttLib import TTFont

from coopmap import static_files

SOURCE = static_files.streamlit_static()
ICON_FONT = next((SOURCE / "media").glob(static_files.ICON_FONT + ".*.woff2"))


def test_icon_names_come_from_streamlits_bundle_and_coopmaps_code():
    names = static_files.icon_names()
    # Streamlit's own (sidebar arrows, expanders) and coopmap's (page icons, buttons).
    assert {"keyboard_double_arrow_left", "keyboard_double_arrow_right", "expand_more",
            "expand_less"} <= names
    assert {"map", "compare", "trending_up", "lock", "filter_list", "download"} <= names


@pytest.fixture(scope="module")
def subset():
    return static_files.subset_icon_font(ICON_FONT.read_bytes(),
                                         {"map", "expand_more", "no_such_icon"})


def test_the_subset_keeps_only_the_icons_asked_for_with_their_ligatures(subset):
    data, missing = subset
    assert missing == {"no_such_icon"}
    whole = static_files._ligatures(TTFont(ICON_FONT))
    kept = static_files._ligatures(TTFont(io.BytesIO(data)))
    assert {"map", "expand_more"} <= set(kept)
    # Aliases of the same icon stay (they share its glyph); no other icon does.
    assert {whole[n] for n in kept} == {whole["map"], whole["expand_more"]}
    assert "home" in whole and "home" not in kept
    font = TTFont(io.BytesIO(data))
    assert font.flavor == "woff2"
    assert font["GSUB"].table.FeatureList.FeatureRecord[0].FeatureTag == "rlig"
    assert len(data) < len(ICON_FONT.read_bytes()) / 20
    version = str(font["name"].getName(5, 3, 1, 0x409))
    assert "subset" in version and "coopmap" in version  # Apache-2.0: says it was changed


def test_prepare_copies_cuts_the_icon_font_and_writes_gzip_then_brotli(tmp_path):
    source = tmp_path / "streamlit-static"
    (source / "js").mkdir(parents=True)
    (source / "media").mkdir()
    shutil.copy(SOURCE / "js" / next(p.name for p in (SOURCE / "js").glob("index.*.js")),
                source / "js")
    (source / "js" / "tiny.a1.js").write_text("x=1")  # under MIN_BYTES: sent as it is
    shutil.copy(ICON_FONT, source / "media")
    names = {"map"}
    mirror = static_files.prepare(tmp_path / "cache", source, names)
    assert mirror.root.name.startswith("static-") and not mirror.brotli_done
    index = next((mirror.files / "js").glob("index.*.js"))
    original = next((source / "js").glob("index.*.js")).read_bytes()
    assert index.read_bytes() == original
    assert gzip.decompress((index.parent / (index.name + ".gz")).read_bytes()) == original
    assert not (mirror.files / "js" / "tiny.a1.js.gz").exists()
    assert mirror.subset_fonts == (f"/static/media/{ICON_FONT.name}",)
    served = (mirror.files / "media" / ICON_FONT.name).read_bytes()
    assert set(static_files._ligatures(TTFont(io.BytesIO(served)))) == {"map"}
    assert not (mirror.files / "media" / (ICON_FONT.name + ".gz")).exists()  # woff2: as is

    assert static_files.precompress_brotli(mirror.root) == 1
    assert brotli.decompress((index.parent / (index.name + ".br")).read_bytes()) == original
    assert mirror.brotli_done
    assert static_files.precompress_brotli(mirror.root) == 0  # done once
    # The same sources give the same folder; another icon list, another one.
    assert static_files.prepare(tmp_path / "cache", source, names).root == mirror.root
    assert static_files.prepare(tmp_path / "cache", source, {"lock"}).root != mirror.root
