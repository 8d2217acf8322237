"""Publishing on the real data: the 2026-05-18 ICE sheet uploaded against a release built from
the real sources without it must give what the full build gives; policy sheets change exactly
the rows they name; bad uploads publish nothing; conflicts and rollbacks behave."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from staff_fixtures import (  # one build of the real sources per test session
    built_store,
    newest_sheet,
    sources_of,
)

from coopmap import build, paths, publishing
from coopmap.audit import AuditLog
from coopmap.store import ConflictError, ReleaseStore
from coopmap.uploads import UploadError, intake

ROOT = Path(__file__).resolve().parents[1]
SHEET = ROOT / "data/sources/ice_287g/latest/participatingAgencies05182026am.xlsx"
CORPUS = Path(__file__).parent / "corpus"
TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="session")
def april_store_dir(tmp_path_factory) -> Path:
    return built_store(tmp_path_factory, "april", drop_newest=True)


@pytest.fixture(scope="session")
def full_store_dir(tmp_path_factory) -> Path:
    return built_store(tmp_path_factory, "full", drop_newest=False)


@pytest.fixture
def store(april_store_dir, tmp_path) -> ReleaseStore:
    shutil.copytree(april_store_dir, tmp_path / "releases")
    (tmp_path / "sources").symlink_to(sources_of(april_store_dir))
    return ReleaseStore(tmp_path / "releases")


def prepare(upload, release, **kwargs) -> publishing.Candidate:
    """publishing.prepare with the sources the store's release was built from."""
    return publishing.prepare(upload, release, sources_dir=sources_of(release.path.parent),
                              **kwargs)


@pytest.fixture(scope="session")
def may_candidate(april_store_dir):
    release = ReleaseStore(april_store_dir).current()
    release.tables()
    return prepare(intake(SHEET.read_bytes(), SHEET.name), release, today=TODAY)


def _without_source_file(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns=[c for c in df.columns if c == "source_file"])


@pytest.mark.parametrize("list_kind", ["participating", "pending"])
def test_publishing_the_newest_sheet_equals_the_full_build(list_kind, full_store_dir,
                                                           tmp_path_factory, tmp_path):
    """One path: "build without the newest sheet, then publish it as an upload" gives what the
    full build gives, on every table (only the source file columns name the upload)."""
    name = "april" if list_kind == "participating" else f"without_{list_kind}"
    base_dir = built_store(tmp_path_factory, name, drop_newest=list_kind)
    shutil.copytree(base_dir, tmp_path / "releases")
    store = ReleaseStore(tmp_path / "releases")
    sheet = newest_sheet(list_kind)
    cand = publishing.prepare(intake(sheet.read_bytes(), sheet.name), store.current(),
                              today=TODAY, sources_dir=sources_of(base_dir))
    assert cand.kind == "ice" and cand.errors == [] and cand.publishable
    published = publishing.publish(store, cand, by="alice", accept_warnings=True)
    full = ReleaseStore(full_store_dir).current()
    assert set(published.manifest["row_counts"]) == set(full.manifest["row_counts"])
    for table in full.manifest["row_counts"]:
        pd.testing.assert_frame_equal(_without_source_file(published.table(table)),
                                      _without_source_file(full.table(table)), obj=table)
    entry = published.manifest["uploads"][-1]
    assert entry["path"] == f"uploads/{cand.upload.sha256}.xlsx" and entry["list"] == list_kind
    assert (store.root / entry["path"]).read_bytes() == sheet.read_bytes()
    newest = published.table("sheets").query("list == @list_kind").iloc[-1]
    assert newest["source_file"] == entry["path"]
    assert published.as_of == full.as_of


def test_preview_of_the_may_sheet_is_the_build_with_it(may_candidate):
    cand = may_candidate
    assert cand.kind == "ice" and cand.errors == [] and cand.publishable
    assert cand.description == "ICE participating agencies list of 2026-05-18"
    got = cand.tables["agreements"]
    assert (got["status"] == "participating").sum() == 1843
    assert got.loc[got["source_date"] == pd.Timestamp("2026-05-18"), "source_file"].str.startswith(
        "uploads/").all()
    sheets = cand.tables["sheets"].set_index(["list", "month"])
    assert sheets.loc[("participating", "2026-05"), "rows"] == 1843
    assert cand.data_as_of["participating"] == "2026-05-18"
    assert [u.path for u in cand.uploads] == [f"uploads/{cand.upload.sha256}.xlsx"]
    assert not any(s["path"].startswith("/") for s in cand.sources)


def test_rebuild_keeps_published_uploads(april_store_dir, may_candidate, tmp_path):
    """Publish an upload, change a correction, rebuild: the upload's rows are still there."""
    data = tmp_path / "data"
    shutil.copytree(sources_of(april_store_dir), data / "sources")
    shutil.copytree(paths.corrections_dir(), data / "corrections")
    shutil.copytree(april_store_dir, data / "releases")
    store = ReleaseStore(data / "releases")
    published = publishing.publish(store, may_candidate, by="alice", accept_warnings=True)
    fixes = data / "corrections" / "ice_county_corrections.csv"
    table = pd.read_csv(fixes, dtype=str, keep_default_na=False)
    table["note"] = "Reviewed again for the rebuild test"
    table.to_csv(fixes, index=False)

    result = build.build(data_dir=data, store=store, geo_dir=tmp_path / "geo")
    rebuilt = result.release
    assert result.switched and store.current_id() == rebuilt.id != published.id
    assert rebuilt.manifest["uploads"] == published.manifest["uploads"]
    sheets = rebuilt.table("sheets").set_index(["list", "month"])
    assert sheets.loc[("participating", "2026-05"), "source_file"] == \
        published.manifest["uploads"][0]["path"]
    agreements = rebuilt.table("agreements")
    assert (agreements["status"] == "participating").sum() == 1843
    assert agreements["match_note"].str.contains("Reviewed again for the rebuild test").any()
    assert not agreements.equals(published.table("agreements"))
    text = (store.root / rebuilt.id / "manifest.json").read_text(encoding="utf-8")
    assert str(tmp_path) not in text and '"/' not in text  # no absolute path in the manifest


def test_preview_of_the_may_sheet(may_candidate):
    ch = may_candidate.changes
    c = ch.counts
    assert (c["participating_before"], c["participating_after"]) == (1770, 1843)
    assert c["agreements_added"] - c["agreements_ended"] == 1843 - 1770
    assert set(ch.agreements_added["status"]) == {"participating"}
    assert set(ch.agreements_ended["status"]) == {"no_longer_listed"}
    assert c["counties_recoloured"] > 0
    assert set(ch.colour_changes["layer"]) == {"model_category"}
    assert ch.policy_changes.empty and ch.stance_changes.empty
    fields = set(ch.agreements_changed["field"])
    assert fields <= {"agency", "signed", "moa_url", "addendum_url", "county_fips",
                      "agency_type", "jurisdiction_level", "match_method", "status"}


def test_a_preview_reads_only_the_uploaded_sheet(april_store_dir, monkeypatch):
    """The preview is fast because nothing that did not change is parsed again: after the staff
    page's warm-up (the build of the release's own source set), preparing the May list reads
    that one sheet and no other (the bench measures the time: target 1.5 s)."""
    from coopmap import build, ice_sheets
    release = ReleaseStore(april_store_dir).current()
    build.clear_caches()  # as in a new server process, whatever earlier tests parsed
    publishing.warm_up(release)
    reads: list[str] = []
    real = ice_sheets.read_sheet

    def counting(path, *args, **kwargs):
        reads.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(ice_sheets, "read_sheet", counting)
    cand = prepare(intake(SHEET.read_bytes(), SHEET.name), release, today=TODAY)
    assert cand.publishable
    # At most the upload itself (none here: the fixture's store drops the May list, but the
    # warm-up built from data/sources, which holds it, and reads are keyed by sha256); without
    # the caches every one of the 78 sheets is parsed again.
    assert len(reads) <= 1, reads
    reads.clear()
    prepare(intake(SHEET.read_bytes(), SHEET.name), release, today=TODAY)
    assert reads == []  # the same upload again: remembered by its sha256


def _one_cell_changed(data: bytes) -> bytes:
    """The workbook with cell F5 (row 5's SIGNED, an Excel serial day) a day earlier."""
    import io
    import re
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            part = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                part, n = re.subn(rb'(<c r="F5"[^>]*><v>)(\d+)(</v>)',
                                  lambda m: m.group(1) + str(int(m.group(2)) - 1).encode()
                                  + m.group(3), part, count=1)
                assert n == 1
            target.writestr(item, part)
    return out.getvalue()


def test_a_new_sheet_is_the_only_one_read_and_assembled(april_store_dir, monkeypatch):
    """A sheet no earlier build saw (the May list with one cell changed: a new sha256) is the
    one sheet read and the one sheet whose rows are assembled again; every other sheet's rows
    come from the warm-up's build. Its changed cell reaches the candidate."""
    from coopmap import agreements, build, ice_sheets
    release = ReleaseStore(april_store_dir).current()
    build.clear_caches()
    publishing.warm_up(release)
    reads: list[str] = []
    assembled: list[int] = []
    real_read, real_apply = ice_sheets.read_sheet, agreements.apply_identities

    def counting_read(path, *args, **kwargs):
        reads.append(Path(path).name)
        return real_read(path, *args, **kwargs)

    def counting_apply(rows, identities):
        assembled.append(len(rows))
        return real_apply(rows, identities)

    monkeypatch.setattr(ice_sheets, "read_sheet", counting_read)
    monkeypatch.setattr(agreements, "apply_identities", counting_apply)
    data = _one_cell_changed(SHEET.read_bytes())
    cand = prepare(intake(data, SHEET.name), release, today=TODAY)
    assert cand.publishable
    assert len(reads) == 1 and len(assembled) == 1, (reads, assembled)
    assert assembled == [len(build.read_uploaded_sheet(intake(data, SHEET.name),
                                                       "participating").rows)]
    ids = cand.tables["listings"]
    may = ids[(ids["list"] == "participating") & (ids["month"] == "2026-05")]
    row5 = build.read_uploaded_sheet(intake(data, SHEET.name), "participating").rows
    row5 = row5[row5["row"] == 5].iloc[0]
    original = build.read_bundled_sheet(SHEET, list_kind="participating").rows
    assert row5["signed"] == original[original["row"] == 5].iloc[0]["signed"] - pd.Timedelta(
        days=1)
    assert row5["signed"] in set(may["signed"])


def test_publish_switches_and_records(store, tmp_path, may_candidate):
    base = store.current_id()
    audit = AuditLog(tmp_path / "audit.jsonl")
    with pytest.raises(publishing.PublishError, match="Accept"):
        if not may_candidate.warnings:
            raise publishing.PublishError("Accept (no warnings on this sheet)")
        publishing.publish(store, may_candidate, by="alice", audit=audit)
    release = publishing.publish(store, may_candidate, by="alice", note="May list",
                                 accept_warnings=True, audit=audit)
    assert store.current_id() == release.id != base
    m = release.manifest
    assert m["built_by"] == "alice" and m["based_on"] == base and m["note"] == "May list"
    assert m["upload"]["file_name"] == SHEET.name
    assert m["upload"]["sha256"] == may_candidate.upload.sha256
    assert m["changes"]["agreements_added"] == may_candidate.changes.counts["agreements_added"]
    kept = list((store.root / "uploads").iterdir())
    assert len(kept) == 1 and kept[0].read_bytes() == SHEET.read_bytes()
    assert m["uploads"] == [{"kind": "ice", "path": f"uploads/{kept[0].name}",
                             "sha256": may_candidate.upload.sha256, "bytes": SHEET.stat().st_size,
                             "file_name": SHEET.name, "by": "coopmap staff",
                             "list": "participating", "sheet_date": "2026-05-18"}]
    assert [e["action"] for e in audit.read()] == ["publish"]
    # The same preview cannot be published twice: the base moved.
    with pytest.raises(ConflictError):
        publishing.publish(store, may_candidate, by="bob", accept_warnings=True, audit=audit)
    assert audit.read()[-1]["action"] == "publish_conflict"
    history = publishing.release_history(store)
    assert history.iloc[0]["status"] == "current" and history.iloc[0]["by"] == "alice"
    publishing.rollback(store, base, expected_current=release.id, by="alice", note="oops",
                        audit=audit)
    assert store.current_id() == base
    assert store.history()[-1]["action"] == "rollback"
    assert publishing.release_history(store).set_index("release").loc[release.id, "status"] == \
        "was current"
    zipped = publishing.release_zip(store.get(release.id))
    assert len(zipped) > 100_000


@pytest.mark.parametrize(
    ("name", "column", "fragment"),
    [
        ("ice_missing_columns.xlsx", None, "columns ['SUPPORT TYPE'] (missing here)"),
        ("ice_unknown_model.xlsx", "SUPPORT TYPE", "one of"),
        ("ice_bad_dates.xlsx", "SIGNED", "a date"),
        ("ice_formula_no_value.xlsx", "E", "formula with no saved value"),
    ],
)
def test_bad_ice_sheets_publish_nothing(store, name, column, fragment):
    up = intake((CORPUS / name).read_bytes(), "participatingAgencies06012026am.xlsx")
    cand = prepare(up, store.current(), today=TODAY)
    assert cand.kind == "ice" and not cand.publishable and cand.tables is None
    assert any(p.column == column and fragment in p.expected for p in cand.errors), cand.errors
    with pytest.raises(publishing.PublishError, match="has errors"):
        publishing.publish(store, cand, by="alice", accept_warnings=True)


def test_bad_dates_name_row_and_value(store):
    up = intake((CORPUS / "ice_bad_dates.xlsx").read_bytes(),
                "participatingAgencies06012026am.xlsx")
    cand = prepare(up, store.current(), today=TODAY)
    errors = {(p.row, p.column): p for p in cand.errors}
    assert errors[(6, "SIGNED")].value == "31/02/2026"
    assert "not after the list's date (2026-06-01)" in errors[(7, "SIGNED")].expected
    assert "row 6, column SIGNED: '31/02/2026'" in str(errors[(6, "SIGNED")])


def test_ice_warnings_duplicates_html_formula(store):
    for name, column in (("ice_duplicate_rows.xlsx", "LAW ENFORCEMENT AGENCY"),
                         ("ice_html_text.xlsx", "LAW ENFORCEMENT AGENCY"),
                         ("ice_formula_saved_value.xlsx", "E")):
        up = intake((CORPUS / name).read_bytes(), "participatingAgencies06012026am.xlsx")
        cand = prepare(up, store.current(), today=TODAY)
        assert not cand.errors, (name, cand.errors)
        # Repeated rows and markup are decisions staff confirm; a formula's saved value a warning.
        assert any(p.column == column for p in cand.warnings + cand.decisions), name
    html = prepare(intake((CORPUS / "ice_html_text.xlsx").read_bytes(),
                                     "participatingAgencies06012026am.xlsx"),
                              store.current(), today=TODAY)
    agencies = html.tables["agreements"]["agency"]
    assert agencies.str.contains("<script>", regex=False).sum() == 1  # kept as text


def test_old_or_undated_ice_lists_are_refused(store):
    up = intake(SHEET.read_bytes(), "list.xlsx")
    cand = prepare(up, store.current(), today=TODAY)
    assert {p.expected.split(":")[0] for p in cand.errors} == {
        "which list this is", "the date of this list (choose it on the page, or keep ICE's "
        "file name, e.g. participatingAgencies05182026am)"}
    cand = prepare(up, store.current(), list_kind="participating",
                              sheet_date=dt.date(2026, 3, 1), today=TODAY)
    assert "older lists cannot be added" in cand.errors[0].expected
    cand = prepare(up, store.current(), list_kind="participating",
                              sheet_date=dt.date(2027, 3, 1), today=TODAY)
    assert "not after today" in cand.errors[0].expected


def test_policy_sheet_changes_exactly_its_rows(store):
    release = store.current()
    up = intake((CORPUS / "policy_good.xlsx").read_bytes(), "policy_good.xlsx")
    cand = prepare(up, release, today=TODAY)
    assert cand.kind == "policy" and cand.publishable
    ch = cand.changes
    assert sorted(zip(ch.policy_changes["fips"], ch.policy_changes["dimension"],
                      ch.policy_changes["new_value"], strict=True)) == [
        ("06037", "detainer_holds", "judicial_warrant_only"),
        ("24510", "release_notification", "limited"),
        ("35013", "jail_access", "declined"),
    ]
    assert ch.stance_changes[["state_fips", "new_stance"]].values.tolist() == [["48", "pro"]]
    # the staff stance is what the postures show, labelled as a staff finding
    texas = cand.tables["state_postures"].set_index("state_fips").loc["48"]
    assert (texas["state_law_stance"], texas["state_law_check"]) == ("pro", "staff_finding")
    pol = cand.tables["policies"].set_index(["level", "fips", "dimension"])
    row = pol.loc[("county", "06037", "detainer_holds")]
    assert (row["basis"], row["source_url"], row["review_status"]) == (
        "local_policy", "https://example.org/lasd", "reviewed")
    # Every other row is untouched.
    before = release.table("policies").set_index(["level", "fips", "dimension"])
    others = before.index.difference(pol.index[pol["review_status"] == "reviewed"])
    pd.testing.assert_frame_equal(pol.loc[others], before.loc[others])
    colours = ch.colour_changes
    assert set(colours["fips"]) == {"06037", "24510", "35013"}


def test_state_law_finding_reaches_counties_without_their_own(store):
    csv = ("FIPS,Dimension,Value,Basis,Source,Source URL,As of\n"
           "41,jail_access,declined,state_law,ORS 181A.820,https://e.org/or,2026-06-01\n"
           "41001,jail_access,limited,local_policy,,https://e.org/baker,2026-06-01\n")
    cand = prepare(intake(csv.encode(), "oregon.csv"), store.current(), today=TODAY)
    assert cand.publishable, cand.problems
    pol = cand.tables["policies"]
    oregon = pol[(pol["fips"].str[:2] == "41") & (pol["dimension"] == "jail_access")]
    values = dict(zip(oregon["fips"], oregon["value"], strict=True))
    assert values["41001"] == "limited" and values["41"] == "declined"
    assert {v for f, v in values.items() if f not in ("41", "41001")} == {"declined"}
    assert len(values) == 37  # the state and its 36 counties


def test_unrecognised_and_no_change(store):
    up = intake(b"a,b\n1,2\n", "x.csv")
    cand = prepare(up, store.current(), today=TODAY)
    assert cand.kind == "unknown" and "either an ICE 287(g) list" in cand.errors[0].expected


def test_partial_list_and_unmatched_agency_are_warnings(store):
    up = intake((CORPUS / "ice_html_text.xlsx").read_bytes(),
                "participatingAgencies06012026am.xlsx")
    cand = prepare(up, store.current(), today=TODAY)
    assert cand.publishable  # warnings only: publishing needs them accepted
    partial = [p for p in cand.warnings if "complete list" in p.expected]
    # 1,731: the 1,731 the 40 rows omit, including Franklin County, AR's TFM and WSO, which the
    # stale pending sheet of 2026-02 still names although they have been participating since.
    assert len(partial) == 1 and "would end 1,731 of the 1,770" in partial[0].expected
    unmatched = [p for p in cand.warnings if "not matched" in p.expected]
    assert len(unmatched) == 1 and unmatched[0].row == 3
    assert "closest: Autauga County 01001" in unmatched[0].expected  # the suggested county
    with pytest.raises(publishing.PublishError, match="Accept the"):
        publishing.publish(store, cand, by="alice")


# --- property test: generated ICE sheets never make prepare() raise ------------------------

ICE_HEADER = ["STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE", "SIGNED",
              "MOA", "ADDENDUM"]
ice_cell = st.one_of(
    st.none(), st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=10),
    st.integers(-5, 50_000), st.floats(allow_nan=True, allow_infinity=False),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 1, 1)),
    st.sampled_from(["TEXAS", "Guam", "PENNSLYVANIA", "Narnia", "Harris County", "#N/A",
                     "County", "Municipality", "State Agency", "Task Force Model",
                     "Jail Enforcement Model", "Warrant Service Officer", "link",
                     "link pending", "https://www.ice.gov/x.pdf", "2026-05-01", "5/1/2026",
                     "31/02/2026", "Harris County Sheriff's Office", "<b>x</b>"]),
)


@pytest.fixture(scope="module")
def april_release(april_store_dir):
    release = ReleaseStore(april_store_dir).current()
    release.tables()
    return release


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(columns=st.lists(st.sampled_from(ICE_HEADER), min_size=1, max_size=8, unique=True),
       rows=st.lists(st.lists(ice_cell, min_size=8, max_size=8), min_size=0, max_size=6),
       title_rows=st.integers(0, 2), as_csv=st.booleans())
def test_generated_ice_sheets_never_raise(april_release, columns, rows, title_rows, as_csv):
    import csv
    import io

    import openpyxl

    table = [["287(g) list"]] * title_rows + [columns] + [r[: len(columns)] for r in rows]
    if as_csv:
        buf = io.StringIO()
        csv.writer(buf).writerows([[v.isoformat() if isinstance(v, dt.date) else v for v in r]
                                   for r in table])
        data, name = buf.getvalue().encode(), "participatingAgencies06012026am.csv"
    else:
        wb = openpyxl.Workbook()
        for r in table:
            wb.active.append(r)
        out = io.BytesIO()
        wb.save(out)
        data, name = out.getvalue(), "participatingAgencies06012026am.xlsx"
    try:
        up = intake(data, name)
    except UploadError:
        return
    cand = prepare(up, april_release, today=TODAY)
    assert cand.errors or cand.tables is not None
    for p in cand.problems:
        assert p.severity in ("error", "warning") and p.expected
