"""Regenerate the bad-input corpus (the files are committed; run this only to change them).

    .venv/bin/python tests/corpus/make_corpus.py

ICE-layout files are cut from the real 2026-05-18 sheet (its first rows), then broken one way
each. The password-protected workbook needs msoffcrypto-tool (a dev-only tool:
``pip install msoffcrypto-tool``); it is not needed to run the tests.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ICE = ROOT / "data/sources/ice_287g/latest/participatingAgencies05182026am.xlsx"
POLICY_HEADER = ["FIPS", "County", "State", "Dimension", "Value", "Basis", "Source",
                 "Source URL", "As of", "Note"]


def ice_rows(n: int = 40) -> list[list]:
    wb = openpyxl.load_workbook(ICE, data_only=True)
    ws = wb.worksheets[0]
    rows = []
    for i, row in enumerate(ws.iter_rows()):
        if i > n:
            break
        # The MOA link lives in the cell's hyperlink; a copy keeps the URL as text instead.
        rows.append([c.hyperlink.target if c.hyperlink is not None and c.hyperlink.target
                     else c.value for c in row[:8]])
    return rows


def save_xlsx(name: str, rows: list[list], edit=None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    for row in rows:
        ws.append(row)
    if edit:
        edit(ws)
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if name:
        (HERE / name).write_bytes(data)
    return data


def write_csv(name: str, rows: list[list], *, delimiter=",", encoding="utf-8") -> None:
    import csv

    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    (HERE / name).write_bytes(buf.getvalue().encode(encoding))


def main() -> None:
    base = ice_rows()
    header, body = base[0], base[1:]
    col = {h.strip(): j for j, h in enumerate(header)}

    # --- files that are not spreadsheets ------------------------------------------------------
    (HERE / "empty.xlsx").write_bytes(b"")
    (HERE / "blank.csv").write_bytes(b"\r\n \r\n")
    (HERE / "pdf_renamed.xlsx").write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]"
        b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    (HERE / "image_renamed.xlsx").write_bytes(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
        b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
        b"\x00\x00\x00IEND\xaeB`\x82")
    (HERE / "text_renamed.xlsx").write_bytes(b"STATE,LAW ENFORCEMENT AGENCY\r\nTEXAS,x\r\n")

    plain = save_xlsx("", base)
    try:
        import msoffcrypto
        from msoffcrypto.format.ooxml import OOXMLFile

        out = io.BytesIO()
        OOXMLFile(io.BytesIO(plain)).encrypt("coopmap-test", out)
        (HERE / "password_protected.xlsx").write_bytes(out.getvalue())
        del msoffcrypto
    except ImportError:
        print("msoffcrypto-tool missing: password_protected.xlsx left as it was")

    # A valid-looking workbook whose sheet expands to 300 MB of spaces.
    with zipfile.ZipFile(io.BytesIO(plain)) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in parts.items():
            if name == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * 300_000_000, 1)
            zf.writestr(name, data)
    (HERE / "zip_bomb.xlsx").write_bytes(buf.getvalue())

    # 50,001 data rows (just over the limit), in the ICE header.
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    ws.append(header)
    for i in range(50_001):
        ws.append(["TEXAS", f"Agency {i}", "County", "Harris County", "Task Force Model"])
    wb.save(HERE / "too_many_rows.xlsx")

    # --- ICE sheets, broken one way each ------------------------------------------------------
    save_xlsx("ice_good_titles_reordered.xlsx",
              [["287(g) participating agencies"], ["as of May 18, 2026"], []]
              + [[r[j] for j in (4, 0, 1, 2, 3, 5, 6, 7)] for r in
                 [[h.lower() for h in header]] + body])
    save_xlsx("ice_missing_columns.xlsx",
              [[v for j, v in enumerate(r) if j != col["SUPPORT TYPE"]] for r in base])
    bad = [list(r) for r in base]
    bad[3][col["SUPPORT TYPE"]] = "Jail Model"
    save_xlsx("ice_unknown_model.xlsx", bad)
    bad = [list(r) for r in base]
    bad[5][col["SIGNED"]] = "31/02/2026"
    bad[6][col["SIGNED"]] = dt.datetime(2031, 1, 1)
    save_xlsx("ice_bad_dates.xlsx", bad)
    bad = [list(r) for r in base]
    bad.insert(8, list(bad[7]))
    save_xlsx("ice_duplicate_rows.xlsx", bad)
    bad = [list(r) for r in base]
    bad[2][col["LAW ENFORCEMENT AGENCY"]] = "<script>alert('x')</script> Police Department"
    bad[2][col["COUNTY"]] = "<b>Autauga</b> County"
    save_xlsx("ice_html_text.xlsx", bad)

    def formulas(ws):
        ws.cell(row=4, column=col["SUPPORT TYPE"] + 1).value = '="Task Force "&"Model"'

    save_xlsx("ice_formula_no_value.xlsx", base, formulas)
    # The same formula with a saved value, as Excel writes it.
    data = save_xlsx("", base, formulas)
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    start = sheet.index('<c r="E4">')
    end = sheet.index("</c>", start)
    formula = sheet[sheet.index("<f>", start):sheet.index("</f>", start) + 4]
    sheet = (sheet[:start] + f'<c r="E4" t="str">{formula}<v>Task Force Model</v>'
             + sheet[end:])
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, part in parts.items():
            zf.writestr(name, part)
    (HERE / "ice_formula_saved_value.xlsx").write_bytes(buf.getvalue())

    text_rows = [[(v.strftime("%Y-%m-%d") if isinstance(v, dt.datetime) else v) for v in r]
                 for r in base]
    text_rows[1][col["LAW ENFORCEMENT AGENCY"]] = "Autauga County Sheriff\u2019s Office"
    write_csv("ice_latin1.csv", text_rows, encoding="cp1252")
    write_csv("ice_bom.csv", text_rows, encoding="utf-8-sig")
    write_csv("ice_semicolon.csv", text_rows, delimiter=";")

    # --- policy sheets ------------------------------------------------------------------------
    good = [
        POLICY_HEADER,
        ["06037", "", "", "detainer_holds", "judicial_warrant_only", "local_policy",
         "LASD detainer policy", "https://example.org/lasd", "2026-03-02", "Quoted policy"],
        ["", "Doña Ana County", "New Mexico", "jail_access", "declined", "local_policy",
         "County resolution", "https://example.org/dona-ana", "2026-02-11", ""],
        ["", "Baltimore city", "MD", "release_notification", "limited", "local_policy", "",
         "https://example.org/baltimore", "2026-01-20", ""],
        ["48", "", "", "state_law_stance", "pro", "statute", "SB 4 (2017)",
         "https://example.org/tx-sb4", "2026-04-01", "Requires honoring detainers"],
    ]
    save_xlsx("policy_good.xlsx", good)
    write_csv("policy_latin1.csv", good, encoding="latin-1")
    write_csv("policy_bom.csv", good, encoding="utf-8-sig")
    write_csv("policy_semicolon.csv", good, delimiter=";")
    bad_rows = [
        POLICY_HEADER,
        ["06037", "", "", "detainer_holds", "maybe", "local_policy", "", "https://e.org/a",
         "2026-03-02", ""],                                                       # unknown value
        ["06999", "", "", "jail_access", "declined", "local_policy", "", "https://e.org/b",
         "2026-03-02", ""],                                                   # not a county FIPS
        ["", "Baltimore", "MD", "jail_access", "declined", "local_policy", "", "https://e.org/c",
         "2026-03-02", ""],                                                      # ambiguous name
        ["01001", "", "", "jail_access", "declined", "local_policy", "", "https://e.org/d",
         "31/02/2026", ""],                                                       # not a date
        ["01003", "", "", "jail_access", "declined", "local_policy", "", "https://e.org/e",
         "2031-01-01", ""],                                                      # future date
        ["01005", "", "", "jail_access", "declined", "local_policy", "", "https://e.org/f",
         "2026-03-02", "<script>alert(1)</script>"],                          # markup: warning
        ["01005", "", "", "jail_access", "limited", "local_policy", "", "https://e.org/g",
         "2026-03-02", ""],                                                         # duplicate
        ["01007", "", "", "jail_access", "declined", "local_policy", "", "javascript:alert(1)",
         "2026-03-02", ""],                                                          # bad URL
        ["", "Autauga County", "AL", "state_law_stance", "pro", "statute", "", "https://e.org/h",
         "2026-03-02", ""],                                               # stance for a county
    ]
    write_csv("policy_bad.csv", bad_rows)
    write_csv("policy_missing_columns.csv", [["FIPS", "Dimension", "Value"],
                                             ["06037", "jail_access", "declined"]])

    def policy_formula(ws):
        ws["A2"] = "=\"060\"&\"37\""

    save_xlsx("policy_formula.xlsx", good[:2], policy_formula)


if __name__ == "__main__":
    main()
