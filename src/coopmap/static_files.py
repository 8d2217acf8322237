"""Streamlit's hashed static files, prepared for nginx to serve from disk (``coopmap serve``).

Streamlit's own server sends its ~320 JavaScript chunks, CSS and fonts uncompressed, one Python
request each. ``coopmap serve`` instead copies the installed Streamlit's ``static/static/`` folder
(the files under the ``/static/`` URL, every one named by a hash of its content) into a cache
folder, and nginx answers ``/static/`` from there:

- **precompressed**: next to every text file (JS, CSS, JSON, SVG) a ``.gz`` (gzip -9, written
  before nginx starts) and a ``.br`` (brotli quality 11, written afterwards by a low-priority
  process: about a minute of one core for the whole folder, once per Streamlit version). nginx's
  ``gzip_static``/``brotli_static`` send them as they are; until a ``.br`` exists, nginx
  compresses that file itself at brotli level 5. Quality 11 makes the JavaScript ~10 % smaller
  than level 5, and costs nothing per request.
- **the icon font subset**: Streamlit always loads Material Symbols Rounded (367 KB, ~3,800
  icons) for the few icons it draws. The copy keeps only the icons Streamlit's bundle and
  coopmap's code name (``:material/name:``), with the ligature lookup that turns a name into its
  icon, so an icon is still written as its name and renders the same. Material Symbols is
  Apache-2.0 (modification allowed; the subset says so in its version string). Source Sans is
  left whole: it is OFL with the Reserved Font Name "Source", and a subset is a Modified
  Version, which may not carry that name (docs/deploy.md).

The cache folder is named by a hash of what it is built from (Streamlit's version and file list,
the icon names, this module's format version), so a Streamlit upgrade or a new icon makes a new
folder, and a restart reuses a finished one. Every file is written under a temporary name and
renamed, so two supervisors building the same folder at once cannot see half a file.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from coopmap import paths

FORMAT = "1"  # bump when what is written changes
COMPRESS_SUFFIXES = frozenset({".js", ".mjs", ".css", ".json", ".svg", ".txt", ".map"})
MIN_BYTES = 1024  # as nginx's gzip_min_length: smaller files are sent as they are
BROTLI_QUALITY = 11
GZIP_LEVEL = 9
ICON_FONT = "MaterialSymbols-Rounded"  # the file name's stem before Streamlit's hash
ICON_NAME = re.compile(rb":material/([a-z0-9_]+):")
# Where coopmap names icons: page scripts and the UI package (``icon=":material/…:"``).
ICON_SOURCES = ("dashboard.py", "app_pages", "src/coopmap")
DONE_BROTLI = ".brotli-done"


def streamlit_static() -> Path:
    """The installed Streamlit's files under the ``/static/`` URL."""
    import streamlit

    return Path(streamlit.__file__).parent / "static" / "static"


def icon_names(streamlit_dir: Path | None = None, project_root: Path | None = None) -> set[str]:
    """Every ``:material/name:`` in Streamlit's JavaScript and in coopmap's own code."""
    streamlit_dir = streamlit_dir or streamlit_static()
    project_root = project_root or paths.PROJECT_ROOT
    files = list((streamlit_dir / "js").glob("*.js"))
    for where in ICON_SOURCES:
        path = project_root / where
        files += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return {m.decode() for f in files for m in ICON_NAME.findall(f.read_bytes())}


def _ligatures(font) -> dict[str, str]:
    """Icon name -> glyph of the font's ligature lookups (the name's letters -> the icon)."""
    reverse: dict[str, str] = {}
    for code, glyph in sorted(font.getBestCmap().items()):
        if code < 0x80:  # icon names are lower case: 'a' overrides 'A' when both map here
            reverse[glyph] = chr(code)
    out: dict[str, str] = {}
    for lookup in font["GSUB"].table.LookupList.Lookup:
        for sub in _subtables(lookup):
            if sub.LookupType != 4:
                continue
            for first, ligs in sub.ligatures.items():
                for lig in ligs:
                    letters = [reverse.get(g) for g in (first, *lig.Component)]
                    if None not in letters:
                        out["".join(letters)] = lig.LigGlyph
    return out


def _subtables(lookup):
    for sub in lookup.SubTable:
        yield sub.ExtSubTable if sub.LookupType == 7 else sub


def subset_icon_font(data: bytes, names: set[str]) -> tuple[bytes, set[str]]:
    """The woff2 icon font cut to ``names`` (the ones it has), and the names it had not.

    Every other ligature is removed first: the subsetter keeps any ligature whose letters are
    kept, and all icon names are made of the same letters."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data))
    ligatures = _ligatures(font)
    keep = {ligatures[n] for n in names if n in ligatures}
    missing = {n for n in names if n not in ligatures}
    for lookup in font["GSUB"].table.LookupList.Lookup:
        for sub in _subtables(lookup):
            if sub.LookupType != 4:
                continue
            for first in list(sub.ligatures):
                sub.ligatures[first] = [lig for lig in sub.ligatures[first]
                                        if lig.LigGlyph in keep]
                if not sub.ligatures[first]:
                    del sub.ligatures[first]
    letters = {c for n in names if n in ligatures for c in n}
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.flavor = "woff2"
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes={ord(c) for c in letters} | {0x20},
                       glyphs=sorted(keep))
    subsetter.subset(font)
    _mark_modified(font, len(keep))
    out = io.BytesIO()
    font.save(out)
    return out.getvalue(), missing


def _mark_modified(font, n: int) -> None:
    """Apache-2.0 §4(b): a modified file says that it was changed."""
    names = font["name"]
    for record in list(names.names):
        if record.nameID == 5:
            record.string = f"{record.toUnicode()}; subset of {n} icons by coopmap serve"


@dataclass(frozen=True)
class StaticMirror:
    """A prepared copy of Streamlit's ``/static/`` files: ``root/static/…`` for nginx."""

    root: Path
    subset_fonts: tuple[str, ...]  # URL paths answered with a subset
    missing_icons: tuple[str, ...]  # names no font glyph has (Streamlit's own placeholders)

    @property
    def files(self) -> Path:
        return self.root / "static"

    @property
    def brotli_done(self) -> bool:
        return (self.root / DONE_BROTLI).exists()


def cache_key(source: Path, names: set[str]) -> str:
    import streamlit

    h = hashlib.sha256(f"{FORMAT}\n{streamlit.__version__}\n".encode())
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        h.update(f"{path.relative_to(source)}\t{path.stat().st_size}\n".encode())
    h.update("\n".join(sorted(names)).encode())
    return h.hexdigest()[:16]


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.chmod(0o644)
    tmp.replace(path)


def compressible(path: Path) -> bool:
    return path.suffix in COMPRESS_SUFFIXES and path.stat().st_size >= MIN_BYTES


def prepare(cache_root: Path | None = None, source: Path | None = None,
            names: set[str] | None = None) -> StaticMirror:
    """The mirror for the installed Streamlit: copied, icon font cut, gzip written (a few
    seconds, once per key). The brotli files come from ``precompress_brotli``."""
    source = source or streamlit_static()
    names = icon_names(source) if names is None else names
    cache_root = Path(cache_root or paths.PROJECT_ROOT / ".serve-cache")
    root = cache_root / f"static-{cache_key(source, names)}"
    files = root / "static"
    subset_fonts: list[str] = []
    missing: set[str] = set()
    for src in sorted(p for p in source.rglob("*") if p.is_file()):
        rel = src.relative_to(source)
        dest = files / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(dest.parent, 0o755)
        if src.suffix == ".woff2" and src.name.startswith(ICON_FONT + "."):
            subset_fonts.append(f"/static/{rel.as_posix()}")
            if not dest.exists():
                data, missing = subset_icon_font(src.read_bytes(), names)
                _write(dest, data)
            continue
        if not dest.exists():
            tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
            shutil.copyfile(src, tmp)
            tmp.chmod(0o644)
            tmp.replace(dest)
        gz = dest.with_name(dest.name + ".gz")
        if compressible(dest) and not gz.exists():
            _write(gz, gzip.compress(dest.read_bytes(), GZIP_LEVEL, mtime=0))
    os.chmod(root, 0o755)
    return StaticMirror(root, tuple(subset_fonts), tuple(sorted(missing)))


def precompress_brotli(root: Path) -> int:
    """Write the missing ``.br`` files of a mirror; the number written."""
    import brotli

    written = 0
    for path in sorted((root / "static").rglob("*")):
        if not path.is_file() or not compressible(path):
            continue
        br = path.with_name(path.name + ".br")
        if br.exists():
            continue
        _write(br, brotli.compress(path.read_bytes(), quality=BROTLI_QUALITY))
        written += 1
    (root / DONE_BROTLI).touch()
    return written


def start_brotli(root: Path, log) -> subprocess.Popen | None:
    """``precompress_brotli`` in a process of its own at low priority (the app processes come
    first); None when the mirror is complete already."""
    if (root / DONE_BROTLI).exists():
        return None
    return subprocess.Popen([sys.executable, "-m", "coopmap.static_files", str(root)],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            preexec_fn=lambda: os.nice(10))


if __name__ == "__main__":
    print(f"brotli: {precompress_brotli(Path(sys.argv[1]))} files written", flush=True)
