"""File intake: the bad-input corpus is refused with a message for people; real files pass."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from coopmap import uploads
from coopmap.ice_sheets import read_sheet
from coopmap.uploads import UploadError, intake

CORPUS = Path(__file__).parent / "corpus"
ROOT = Path(__file__).resolve().parents[1]
ICE_LATEST = ROOT / "data/sources/ice_287g/latest/participatingAgencies05182026am.xlsx"


def take(name: str, **kw) -> uploads.Upload:
    return intake((CORPUS / name).read_bytes(), name, **kw)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.xlsx", "empty.xlsx is empty."),
        ("blank.csv", "blank.csv is empty."),
        ("pdf_renamed.xlsx", "pdf_renamed.xlsx is a PDF document, not an Excel workbook"),
        ("image_renamed.xlsx", "image_renamed.xlsx is a PNG image, not an Excel workbook"),
        ("text_renamed.xlsx", "is named .xlsx but is not an Excel workbook: it is plain text"),
        ("password_protected.xlsx", "password_protected.xlsx is password-protected"),
        ("zip_bomb.xlsx", "would expand to 286.1 MB when opened"),
        ("too_many_rows.xlsx", "has 50,002 rows; at most 50,000 are accepted"),
    ],
)
def test_corpus_refusals(name, message):
    with pytest.raises(UploadError) as err:
        take(name)
    assert message in str(err.value)
    assert "Traceback" not in str(err.value)


def test_zip_bomb_is_refused_before_decompressing(monkeypatch):
    # If anything tried to open the sheet, this would fail loudly.
    def boom(*a, **k):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(uploads.calamine.CalamineWorkbook, "from_filelike", boom)
    with pytest.raises(UploadError, match="would expand"):
        take("zip_bomb.xlsx")


def test_size_limit_checked_first(tmp_path):
    data = ICE_LATEST.read_bytes()
    with pytest.raises(UploadError, match=r"is 0\.2 MB; the limit is 0\.1 MB"):
        intake(data, ICE_LATEST.name, max_bytes=100_000)
    big = os.urandom(uploads.MAX_BYTES + 1)
    with pytest.raises(UploadError, match="the limit is 10 MB"):
        intake(big, "big.xlsx")


def test_real_ice_sheet_passes():
    up = intake(ICE_LATEST.read_bytes(), ICE_LATEST.name)
    assert up.kind == "xlsx" and up.sha256 == hashlib.sha256(ICE_LATEST.read_bytes()).hexdigest()
    rows = up.sheets["Sheet1"]
    assert len(rows) == 1844 and rows[0][0] == "STATE"
    assert up.formulas == {}


def test_old_xls_and_other_zips_refused():
    cfb = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    with pytest.raises(UploadError, match=r"old Excel 97-2003 \(\.xls\)"):
        intake(cfb, "old.xls")
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(UploadError, match="is a zip archive"):
        intake(buf.getvalue(), "x.xlsx")
    with pytest.raises(UploadError, match="is a web page"):
        intake(b"<!DOCTYPE html><html><body>x</body></html>", "x.csv")


@pytest.mark.parametrize(
    ("name", "encoding", "delimiter"),
    [("ice_latin1.csv", "windows-1252", ","), ("ice_bom.csv", "utf-8-sig", ","),
     ("ice_semicolon.csv", "utf-8", ";"), ("policy_latin1.csv", "windows-1252", ","),
     ("policy_semicolon.csv", "utf-8", ";")],
)
def test_csv_encodings_and_delimiters(name, encoding, delimiter):
    up = take(name)
    assert (up.kind, up.encoding, up.delimiter) == ("csv", encoding, delimiter)
    rows = next(iter(up.sheets.values()))
    assert rows[0][0] in ("STATE", "FIPS")  # no BOM left on the first header
    assert len({len(r) for r in rows if any(r)}) == 1


def test_csv_variants_read_the_same_by_the_ice_reader(tmp_path):
    reads = {}
    for name in ("ice_latin1.csv", "ice_bom.csv", "ice_semicolon.csv"):
        path = take(name).write_normalised(tmp_path / name)
        reads[name] = read_sheet(path, list_kind="participating")
    agencies = [tuple(r.rows["agency"]) for r in reads.values()]
    assert agencies[0] == agencies[1] == agencies[2]
    assert agencies[0][0] == "Autauga County Sheriff\u2019s Office"  # cp1252 apostrophe kept
    assert len(agencies[0]) == 40 and not reads["ice_bom.csv"].errors


def test_formula_cells_found():
    no_value = take("ice_formula_no_value.xlsx")
    saved = take("ice_formula_saved_value.xlsx")
    assert no_value.formulas == {"Sheet1": {(3, 4): False}}
    assert saved.formulas == {"Sheet1": {(3, 4): True}}
    assert saved.sheets["Sheet1"][3][4] == "Task Force Model"  # the saved value is read


def test_extension_mismatch_for_workbook_named_csv():
    with pytest.raises(UploadError, match="rename it .xlsx"):
        intake(ICE_LATEST.read_bytes(), "list.csv")


def test_column_letters():
    assert [uploads.column_letter(i) for i in (0, 25, 26, 701, 702)] == [
        "A", "Z", "AA", "ZZ", "AAA"]
    assert uploads.sniff_delimiter("a;b;c\n1;2,5;3\n") == ";"
    assert uploads.sniff_delimiter("a\tb\n1\t2\n") == "\t"
