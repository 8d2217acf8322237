"""Safe intake of an uploaded spreadsheet: size, real type, zip bombs, encodings, row limit.

Nothing here trusts the file name. The real type is sniffed from the first bytes: an xlsx is a zip
holding ``[Content_Types].xml`` and ``xl/workbook.xml``; a password-protected xlsx is an OLE
compound file with an ``EncryptedPackage`` stream; PDFs and images are recognised and refused;
anything else must decode as text to be read as CSV. A zip's members are summed (uncompressed)
before anything opens it, so a small file that would expand to gigabytes is refused unread.

Every refusal is an ``UploadError`` whose message is written for the staff member who uploaded.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePath
from xml.etree import ElementTree

import python_calamine as calamine

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
# An honest 10 MB workbook expands to well under this; ICE's 1.5 MB sheet expands to 1.5 MB.
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_ZIP_MEMBERS = 5_000

XLSX_EXTENSIONS = {".xlsx", ".xlsm"}
CSV_EXTENSIONS = {".csv", ".txt", ".tsv"}

_MAGIC: list[tuple[bytes, str]] = [
    (b"%PDF", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"RIFF", "a RIFF (image/audio) file"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"{\\rtf", "an RTF document"),
]
_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")


class UploadError(ValueError):
    """The file cannot be taken in; the message says why, for a person."""


@dataclass
class Upload:
    """A file that passed intake. ``kind`` is "xlsx" or "csv"."""

    filename: str
    kind: str
    data: bytes
    sha256: str
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.data)

    @cached_property
    def text(self) -> str | None:
        return _decode(self.data)[0] if self.kind == "csv" else None

    @cached_property
    def sheets(self) -> dict[str, list[list]]:
        """Every sheet's cells (a CSV is one sheet named after the file), values as read."""
        if self.kind == "csv":
            return {PurePath(self.filename).stem or "csv": read_csv_rows(
                self.text, self.delimiter or ",", self.filename)}
        wb = calamine.CalamineWorkbook.from_filelike(io.BytesIO(self.data))
        out = {}
        for name in wb.sheet_names:
            out[name] = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        return out

    @cached_property
    def formulas(self) -> dict[str, dict[tuple[int, int], bool]]:
        """Formula cells per sheet: (row, column) 0-based -> whether a saved value exists."""
        return _formula_cells(self.data) if self.kind == "xlsx" else {}

    def write_normalised(self, folder: Path) -> Path:
        """Write the file for readers that take a path: xlsx as uploaded, CSV as UTF-8, commas."""
        folder.mkdir(parents=True, exist_ok=True)
        if self.kind == "xlsx":
            path = folder / f"{self.sha256[:16]}.xlsx"
            path.write_bytes(self.data)
            return path
        path = folder / f"{self.sha256[:16]}.csv"
        with open(path, "w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows(next(iter(self.sheets.values())))
        return path


def intake(
    data: bytes, filename: str, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS
) -> Upload:
    """Check an uploaded file and return it as an ``Upload``; raise ``UploadError`` if refused."""
    name = PurePath(str(filename)).name or "upload"
    ext = PurePath(name).suffix.casefold()
    if len(data) > max_bytes:
        raise UploadError(
            f"{name} is {_mb(len(data))} MB; the limit is {_mb(max_bytes)} MB."
        )
    if not data.strip():
        raise UploadError(f"{name} is empty.")
    digest = hashlib.sha256(data).hexdigest()
    kind = sniff(data)
    if kind == "xlsx":
        if ext in CSV_EXTENSIONS:
            raise UploadError(f"{name} is named {ext} but is an Excel workbook; rename it .xlsx.")
        _check_zip(data, name)
        upload = Upload(name, "xlsx", data, digest)
        try:
            wb = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            heights = {s: wb.get_sheet_by_name(s).height for s in wb.sheet_names}
        except Exception as exc:  # calamine raises several types for broken workbooks
            raise UploadError(f"{name} could not be read as an Excel workbook ({exc}).") from None
        rows = max(heights.values(), default=0)
        if rows == 0:
            raise UploadError(f"{name} is a workbook with no rows.")
    elif kind == "csv":
        if ext in XLSX_EXTENSIONS:
            raise UploadError(
                f"{name} is named {ext} but is not an Excel workbook: it is plain text. "
                "Rename it .csv if it is a CSV file."
            )
        text, encoding = _decode(data)
        delimiter = sniff_delimiter(text)
        upload = Upload(name, "csv", data, digest, encoding=encoding, delimiter=delimiter)
        if encoding not in ("utf-8", "utf-8-sig"):
            upload.notes.append(f"Read as {encoding} text (it is not UTF-8).")
        if delimiter != ",":
            upload.notes.append(f"Columns are separated by {_DELIM_NAMES[delimiter]}.")
        rows = sum(1 for row in upload.sheets[next(iter(upload.sheets))] if any(row))
        if rows == 0:
            raise UploadError(f"{name} has no rows.")
    else:
        raise UploadError(_refusal(kind, name))
    if rows > max_rows + 1:  # +1: the header row
        raise UploadError(f"{name} has {rows:,} rows; at most {max_rows:,} are accepted.")
    return upload


def sniff(data: bytes) -> str:
    """'xlsx', 'csv', 'encrypted', 'xls', 'zip' or a description of another file type."""
    head = data[:16]
    if head.startswith(_ZIP):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return "a damaged zip archive"
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return "xlsx"
        if "word/document.xml" in names:
            return "a Word document"
        return "zip"
    if head.startswith(_CFB):
        # Encrypted OOXML is a compound file holding these streams (names in UTF-16LE).
        if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode(
                "utf-16-le") in data:
            return "encrypted"
        return "xls"
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    try:
        text, _ = _decode(data)
    except UnicodeDecodeError:
        return "a binary file"
    if "\x00" in text:
        return "a binary file"
    if text.lstrip()[:15].casefold().startswith(("<!doctype html", "<html")):
        return "a web page (HTML)"
    return "csv"


def _refusal(kind: str, name: str) -> str:
    if kind == "encrypted":
        return (f"{name} is password-protected. Remove the password in Excel (File > Info > "
                "Protect Workbook > Encrypt with Password, clear it), save, and upload again.")
    if kind == "xls":
        return (f"{name} is an old Excel 97-2003 (.xls) file. Open it in Excel and save it as "
                ".xlsx, then upload again.")
    if kind == "zip":
        return f"{name} is a zip archive, not an Excel workbook."
    return f"{name} is {kind}, not an Excel workbook (.xlsx) or a CSV file."


def _check_zip(data: bytes, name: str) -> None:
    """Refuse zip bombs by the sizes the archive declares, before decompressing anything."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile:
        raise UploadError(
            f"{name} is a damaged Excel file (its zip structure is broken).") from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise UploadError(f"{name} holds {len(infos):,} parts; no real workbook has that many.")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise UploadError(
            f"{name} would expand to {_mb(total)} MB when opened (the limit is "
            f"{_mb(MAX_UNCOMPRESSED)} MB); it was not opened."
        )


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):,.1f}".removesuffix(".0")


def _decode(data: bytes) -> tuple[str, str]:
    """Text of a CSV: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252/Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # Excel on Windows saves "CSV" in Windows-1252, a superset of Latin-1's printable range.
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


_DELIM_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def read_csv_rows(text: str, delimiter: str, filename: str) -> list[list[str]]:
    """The rows of a CSV text; a cell the csv module refuses (one longer than its 131,072
    character limit, a broken quote) is an UploadError naming the row, never a crash."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as exc:
        detail = str(exc)
        if "field larger than field limit" in detail:
            detail = (f"a cell longer than {csv.field_size_limit():,} characters; no real "
                      "list has one")
        raise UploadError(f"{filename}, row {reader.line_num}: cannot be read as CSV "
                          f"({detail}).") from None
    return rows


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most equal, widest rows."""
    lines = [line for line in text.splitlines()[:30] if line.strip()]
    if not lines:
        return ","
    sample = "\n".join(lines)
    best, best_score = ",", (0, 0)
    for delim in _DELIM_NAMES:
        try:
            rows = list(csv.reader(io.StringIO(sample), delimiter=delim))
        except csv.Error:  # a huge cell: reading with this delimiter reports it
            continue
        widths = [len(r) for r in rows]
        if max(widths) < 2:
            continue
        common = max(set(widths), key=widths.count)
        score = (widths.count(common), common)
        if score > best_score:
            best, best_score = delim, score
    return best


_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")


def _formula_cells(data: bytes) -> dict[str, dict[tuple[int, int], bool]]:
    """Formula cells per sheet name. Excel saves each formula's last value next to it; calamine
    reads that value, so a formula with a saved value reads as its value, one without as empty."""
    out: dict[str, dict[tuple[int, int], bool]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        targets = {}
        if "xl/_rels/workbook.xml.rels" in names:
            rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
            for rel in rels:
                target = rel.get("Target", "").lstrip("/")
                targets[rel.get("Id")] = target if target.startswith("xl/") else "xl/" + target
        workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        for sheet in workbook.iter(f"{_NS_MAIN}sheet"):
            part = targets.get(sheet.get(f"{_NS_REL}id"))
            if not part or part not in names:
                continue
            xml = zf.read(part)
            if b"<f" not in xml and b":f>" not in xml and b":f " not in xml:
                continue
            cells: dict[tuple[int, int], bool] = {}
            for _, elem in ElementTree.iterparse(io.BytesIO(xml)):
                if elem.tag != f"{_NS_MAIN}c":
                    continue
                if elem.find(f"{_NS_MAIN}f") is not None:
                    match = _CELL_REF.match(elem.get("r", ""))
                    if match:
                        value = elem.find(f"{_NS_MAIN}v")
                        has_value = value is not None and bool(value.text)
                        cells[(int(match[2]) - 1, _column_index(match[1]))] = has_value
                elem.clear()
            if cells:
                out[sheet.get("name")] = cells
    return out


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def column_letter(index: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 26 -> AA)."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out
