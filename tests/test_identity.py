"""Agreement identity through ICE's renames: the reviewed table, its candidates, and what the
release says, checked against the raw ICE sheets read here with plain openpyxl."""

from __future__ import annotations

import csv
import re
from functools import cache

import openpyxl
import pandas as pd
import pytest

from coopmap import agreements, build, gazetteer, identity, paths, postures
from coopmap.agreements import agency_spellings, build_agreements
from coopmap.ui import queries

ICE = paths.sources_dir() / "ice_287g"
PARTICIPATING = sorted((ICE / "monthly_participating").glob("*.xlsx"))
PENDING = sorted((ICE / "monthly_pending").glob("*.xlsx"))
TABLE = paths.corrections_dir() / identity.IDENTITY_FILE


# --- a plain, independent reading of the sheets -----------------------------------------------


def _plain(name: str) -> str:
    text = str(name).replace("\u2019", "'").replace("'", "").casefold()
    return " ".join(re.sub(r"[^\w&]+", " ", text).split())


def _model(text: str) -> str:
    text = str(text).casefold()
    return "JEM" if "jail" in text else "WSO" if "warrant" in text else "TFM"


@cache
def _raw(path) -> list[dict]:
    """Every data row of one sheet: state (full name as written), agency, model, signed."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    head = [str(h).strip().upper() if h is not None else "" for h in rows[0]]
    col = {h: i for i, h in enumerate(head)}
    out = []
    for r in rows[1:]:
        if not r or r[col["STATE"]] is None or r[col["LAW ENFORCEMENT AGENCY"]] is None:
            continue
        out.append({"state": str(r[col["STATE"]]).strip().upper(),
                    "agency": str(r[col["LAW ENFORCEMENT AGENCY"]]).strip(),
                    "model": _model(r[col["SUPPORT TYPE"]]),
                    "signed": r[col["SIGNED"]] if "SIGNED" in col else None})
    return out


def _month(path) -> str:
    return path.name[:7]


@cache
def _reviewed() -> dict[tuple[str, str, str], tuple[str, str]]:
    """The identity table's 'same' rows, read with csv: (abbr, plain name, model) -> target."""
    with TABLE.open(newline="", encoding="utf-8") as f:
        return {(r["state_abbr"], _plain(r["agency"]), r["model"]):
                (r["same_as_state_abbr"], _plain(r["same_as_agency"]))
                for r in csv.DictReader(f) if r["decision"] == "same"}


ABBR = {name.upper(): abbr for abbr, name in
        zip(gazetteer.states()["state_abbr"], gazetteer.states()["name"], strict=True)}
ABBR.update({"PENNSLYVANIA": "PA", "WEST VIRIGINIA": "WV"})  # ICE's typos (PROVENANCE.md)


def _identity(row: dict) -> tuple[str, str, str]:
    state = ABBR[row["state"]]
    name = _plain(row["agency"])
    name = agency_spellings().get((state, name), name)
    key = (state, name, row["model"])
    while key in _reviewed():
        state, name = _reviewed()[key]
        key = (state, name, row["model"])
    return key


# --- the table ----------------------------------------------------------------------------------


def _write(tmp_path, *rows: list[str]):
    with (tmp_path / identity.IDENTITY_FILE).open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(identity.COLUMNS)
        w.writerows(rows)
    return tmp_path


@pytest.mark.parametrize("row, message", [
    (["WI", "A Sheriff", "JAIL", "same", "WI", "B Sheriff", "n"], "row 2, column model: 'JAIL'"),
    (["WI", "A Sheriff", "JEM", "maybe", "WI", "B Sheriff", "n"], "row 2, column decision"),
    (["WI", "A Sheriff", "JEM", "same", "WI", "B Sheriff", " "], "row 2, column note"),
    (["XX", "A Sheriff", "JEM", "same", "WI", "B Sheriff", "n"], "row 2, column state_abbr: 'XX'"),
    (["WI", "A Sheriff", "JEM", "same", "WI", "a  sheriff", "n"], "column same_as_agency"),
])
def test_a_bad_row_is_refused_with_file_row_column_and_value(tmp_path, row, message):
    with pytest.raises(identity.IdentityError, match=re.escape(message)) as err:
        identity.load(_write(tmp_path, row))
    assert identity.IDENTITY_FILE in str(err.value)


def test_a_cycle_is_refused(tmp_path):
    folder = _write(tmp_path, ["WI", "A Sheriff", "JEM", "same", "WI", "B Sheriff", "n"],
                    ["WI", "B Sheriff", "JEM", "same", "WI", "A Sheriff", "n"])
    with pytest.raises(identity.IdentityError, match="cycle"):
        identity.load(folder)


def test_every_row_of_the_bundled_table_has_a_note_and_is_used():
    ids = identity.load(paths.corrections_dir())
    assert len(ids.entries) >= 35 and all(e.note.strip() for e in ids.entries)


# --- candidates on the real sheets ----------------------------------------------------------------


def _unmatched(agencies: pd.DataFrame) -> pd.DataFrame:
    return agencies.assign(jurisdiction_level="unmatched",
                           county_fips_list=[() for _ in range(len(agencies))],
                           match_method="unmatched", match_note="test")


@pytest.fixture(scope="module")
def built():
    return build_agreements(build.ice_sheet_paths(paths.sources_dir()), paths.sources_dir(),
                            _unmatched)


def test_no_candidate_in_the_bundled_sheets_is_unsettled(built):
    cands = built.identity_candidates
    assert len(cands) >= 40  # the renames of 2025, the wrong-state rows, pending spellings
    assert built.unsettled.empty, identity.format_candidates(cands)
    assert set(cands["kind"]) == set(identity.CANDIDATE_KINDS)
    assert "0 unsettled" in built.format_match_report()


def test_without_the_table_the_renames_are_listed_as_unsettled(tmp_path):
    """An empty table settles nothing: the build lists Waukesha's rename for a reviewer."""
    (tmp_path / identity.IDENTITY_FILE).write_text(",".join(identity.COLUMNS) + "\n")
    # The build reads every reviewed table from the folder it is given: the spellings as they are.
    spellings = paths.corrections_dir() / agreements.SPELLINGS_FILE
    (tmp_path / spellings.name).write_bytes(spellings.read_bytes())
    sheets = [p for p in PARTICIPATING if _month(p) in ("2025-07", "2025-08")]
    tables = build_agreements(sheets, paths.sources_dir(), _unmatched, corrections_dir=tmp_path)
    report = identity.format_candidates(tables.identity_candidates)
    assert "WI \"Waukesha County Sheriff's Office\" (JEM, 2025-07, signed 2020-06-10) -> WI " \
           "\"Waukesha County Sheriff's Department\"" in report
    assert tables.agreements["agency"].str.startswith("Waukesha County Sheriff").sum() == 3


# --- what the release says, against the raw sheets ------------------------------------------


@pytest.mark.parametrize("state, county, signed", [
    ("WISCONSIN", "Waukesha", "2020-06-10"),
    ("SOUTH CAROLINA", "Lexington", "2020-06-08"),
])
def test_renamed_sheriff_is_one_agreement_listed_since_2021(release, state, county, signed):
    office = f"{county} County Sheriff's Office"
    department = f"{county} County Sheriff's Department"
    # The raw sheets: the Office's JEM on every sheet to 2025-07, the Department's from 2025-08,
    # with the same SIGNED date.
    names = {}
    for path in PARTICIPATING:
        for r in _raw(path):
            if r["state"] == state and r["model"] == "JEM" and r["agency"].startswith(
                    f"{county} County Sheriff"):
                names.setdefault(r["agency"].replace("\u2019", "'"), []).append(_month(path))
                assert pd.Timestamp(r["signed"]).strftime("%Y-%m-%d") == signed
    assert min(names[office]) == "2021-01" and max(names[office]) == "2025-07"
    assert min(names[department]) == "2025-08"
    # The release: one agreement, listed since 2021-01, participating, with both names.
    a = release.table("agreements")
    jem = a[(a["agency"].str.startswith(f"{county} County Sheriff")) & (a["model"] == "JEM")
            & (a["state_abbr"] == ABBR[state])]
    assert len(jem) == 1
    row = jem.iloc[0]
    assert (row["agency"], row["first_listed"], row["status"]) == (
        department, "2021-01", "participating")
    assert row["other_names"] == f"{office} (2021-01 – 2025-07)"
    assert not row["relisted"]
    listed = release.table("listings").query("agreement_id == @row.agreement_id and "
                                             "list == 'participating'")
    assert len(listed) == len(set(names[office]) | set(names[department]))


def test_wrong_state_listing_belongs_to_its_own_state(release):
    def states(month):
        return {r["state"] for p in PARTICIPATING if _month(p) == month for r in _raw(p)
                if r["agency"] == "Crow Wing County Sheriff's Office" and r["model"] == "WSO"}
    assert states("2025-03") == {"MASSACHUSETTS"} and states("2025-04") == {"MINNESOTA"}
    a = release.table("agreements")
    crow = a[(a["agency"] == "Crow Wing County Sheriff's Office") & (a["model"] == "WSO")]
    assert list(crow["state_abbr"]) == ["MN"] and list(crow["first_listed"]) == ["2025-03"]
    assert "Crow Wing" not in " ".join(a.loc[a["state_abbr"] == "MA", "agency"])


def _hand_count_new(month: str) -> int:
    """Identities (reviewed table applied) on ``month``'s sheet that no earlier sheet lists."""
    earlier: set = set()
    for path in PARTICIPATING:
        if _month(path) < month:
            earlier |= {_identity(r) for r in _raw(path)}
        elif _month(path) == month:
            now = {_identity(r) for r in _raw(path)}
    return len(now - earlier)


@pytest.mark.parametrize("month", ["2025-07", "2025-08"])
def test_new_agreements_per_month_equal_a_hand_count(release, month):
    new = queries.new_by_month(release)
    shown = int(new.loc[new["month"] == month, "agreements"].sum())
    assert shown == _hand_count_new(month)
    # and a rename is not counted: without the table, 2025-08 would count Waukesha's and
    # Lexington's 'Sheriff's Department' as new
    if month == "2025-08":
        on = {(ABBR[r["state"]], _plain(r["agency"])) for p in PARTICIPATING
              if _month(p) == month for r in _raw(p)}
        assert ("WI", "waukesha county sheriffs department") in on


def _day(value) -> pd.Timestamp:
    return pd.to_datetime(str(value)[:10], errors="coerce") if value is not None else pd.NaT


def _hand_count_new_moa(month: str) -> int:
    """Identities on ``month``'s sheet that the sheet before it does not list, an earlier one
    does, and whose SIGNED (first row) differs from their SIGNED on their last sheet before."""
    signed_before: dict = {}
    previous: set = set()
    for path in PARTICIPATING:
        first: dict = {}
        for r in _raw(path):
            first.setdefault(_identity(r), _day(r["signed"]))
        if _month(path) == month:
            return sum(1 for k, signed in first.items()
                       if k in signed_before and k not in previous and pd.notna(signed)
                       and signed != signed_before[k])
        signed_before.update(first)
        previous = set(first)
    raise AssertionError(f"no sheet for {month}")


@pytest.mark.parametrize("month", ["2025-02", "2025-11", "2025-12", "2026-02", "2025-08"])
def test_a_relisting_under_a_new_moa_counts_as_new_that_month(release, month):
    """An agreement back on ICE's list after a gap with another SIGNED date is a new MOA: the
    Trends chart counts it in the month it comes back (Butler OH 2025-02, Franklin AL 2025-11,
    Bradley TN 2025-12, Walworth WI 2026-02), on top of the first listings."""
    relisted = queries.new_moa_relistings(release)
    assert int((relisted["month"] == month).sum()) == _hand_count_new_moa(month)
    new = queries.new_by_month(release)
    shown = int(new.loc[new["month"] == month, "agreements"].sum())
    assert shown == _hand_count_new(month) + _hand_count_new_moa(month)
    if month != "2025-08":
        assert _hand_count_new_moa(month) >= 1


def _hand_count_ended(month: str) -> int:
    """Identities on the sheet before ``month``'s that ``month``'s sheet does not list and that
    either no later sheet lists, or the next sheet listing them again gives another SIGNED
    (first row) than the sheet before the gap: the old MOA ended."""
    firsts = []
    for path in PARTICIPATING:
        first: dict = {}
        for r in _raw(path):
            first.setdefault(_identity(r), _day(r["signed"]))
        firsts.append((_month(path), first))
    i = next(i for i, (m, _) in enumerate(firsts) if m == month)
    before, now = firsts[i - 1][1], firsts[i][1]
    count = 0
    for key, signed in before.items():
        if key in now:
            continue
        back = next((f[key] for _, f in firsts[i + 1:] if key in f), None)
        if back is None or (pd.notna(back) and back != signed):
            count += 1
    return count


@pytest.mark.parametrize("month", ["2021-06", "2025-07", "2025-08", "2025-10", "2026-03"])
def test_ended_each_month_equals_a_hand_count_of_the_sheets(release, month):
    """Ended that month: gone and never back, or back only under a new MOA (the old one ended:
    Butler OH's 2020 MOA in 2021-06, Walworth WI's in 2025-07, Franklin AL's in 2025-08,
    Bradley TN's in 2025-10), counted from the raw sheets."""
    ended = queries.ended_by_month(release)
    shown = int(ended.loc[ended["month"] == month, "agreements"].sum())
    assert shown == _hand_count_ended(month)


def test_ended_each_month_counts_no_rename(release):
    ended = queries.ended_by_month(release)
    a = release.table("agreements")
    # Every agreement no longer listed once, and each return under a new MOA once more.
    assert int(ended["agreements"].sum()) == int(
        ((a["status"] != "participating") & a["last_listed"].notna()).sum()) + len(
        queries.new_moa_relistings(release))
    # August 2025: Waukesha, Lexington and Flathead were renamed, not ended
    aug = ended[ended["month"] == "2025-08"]
    gone = a[(a["last_listed"] == "2025-07") & (a["status"] == "no_longer_listed")]
    moa = queries.new_moa_relistings(release).merge(queries.listing_spells(
        release, a["agreement_id"]), on="agreement_id").query("end == '2025-07'")
    assert len(moa) == 1  # Franklin County AL: its March 2025 MOA, a new one from 2025-11
    assert int(aug["agreements"].sum()) == len(gone) + 1
    assert not gone["agency"].str.contains("Waukesha|Lexington|Flathead").any()


def test_one_sheriff_named_twice_on_a_sheet_is_one_agency(release):
    newest = [p for p in PARTICIPATING if _month(p) == "2026-05"][0]
    walker = {(r["agency"], r["model"]) for r in _raw(newest)
              if r["state"] == "TEXAS" and r["agency"].startswith("Walker County")}
    assert walker == {("Walker County Sheriff’s Department", "JEM"),
                      ("Walker County Sheriff's Office", "WSO"),
                      ("Walker County Constable Pct 3", "TFM")}
    county = postures.county_postures(release, "2026-05").set_index("county_fips").loc["48471"]
    assert (county["n_agreements"], county["n_agencies"]) == (3, 2)


def test_stale_pending_sheet_does_not_make_participating_agreements_pending(release):
    pend = [p for p in PENDING if _month(p) == "2026-02"][0]
    later = [p for p in PARTICIPATING if _month(p) == "2026-03"][0]
    pending = {(r["agency"], r["model"]) for r in _raw(pend)}
    assert pending <= {(r["agency"], r["model"]) for r in _raw(later)}  # both signed since
    states = postures.state_postures(release, "2026-05")
    assert int(states["n_pending"].sum()) == 0
    a = release.table("agreements")
    franklin = a[(a["state_abbr"] == "AR") & (a["agency"] == "Franklin County Sheriff's Office")]
    assert set(franklin["status"]) == {"participating"}
    # in February 2026 they were pending, not yet participating
    assert int(postures.state_postures(release, "2026-02").set_index("state_abbr").loc[
        "AR", "n_pending"]) == 2


def test_relisted_agreement_keeps_its_gap(release):
    a = release.table("agreements").set_index(["state_abbr", "agency", "model"])
    bradley = a.loc[("TN", "Bradley County Sheriff's Office", "JEM")]
    assert bool(bradley["relisted"]) and bradley["gaps"] == "2025-10 – 2025-11"
    months = {_month(p) for p in PARTICIPATING for r in _raw(p)
              if r["state"] == "TENNESSEE" and r["model"] == "JEM"
              and r["agency"].replace("\u2019", "'") == "Bradley County Sheriff's Office"}
    assert "2025-09" in months and "2025-12" in months
    assert not {"2025-10", "2025-11"} & months
