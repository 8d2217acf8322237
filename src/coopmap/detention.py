"""ICE detention facilities, their population and their county: the detention tables of a release.

Sources (data/sources/ice_detention/, see its PROVENANCE.md): ICE's detention-statistics
workbooks FY2019 -> FY2026 (``detention_sheets``), the Deportation Data Project's daily counts
(``ddp_population``), Detention System Data's registry (``detention_registry``) and its parse of
ICE's 2026-07-20 workbook (``ice_biweekly``).

Identity: ICE's workbooks name facilities but give no code, and names change between years
("ADAMS COUNTY DET CENTER" -> "ADAMS COUNTY CORRECTIONAL CENTER"). A workbook row gets a facility
code when its normalised name and ZIP equal those of exactly one coded record (the July 2026
parse, the registry, DDP), or from the reviewed crosswalk in
``data/corrections/detention_facility_crosswalk.csv``. Anything else stays undecided: it keeps a
provisional key (``X`` + hash) and the build reports it with its candidates (same ZIP, ranked by
rapidfuzz name similarity). Nothing is merged on similarity alone.

County: from the ZIP (the ``zipcodes`` package) where the registry does not say the ZIP spans
several counties and no source disagrees; otherwise from a reviewed entry in
``data/corrections/detention_facility_counties.csv``; otherwise unplaced, with the reason.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

from coopmap import ddp_population, detention_registry, gazetteer, ice_biweekly, schema
from coopmap.detention_sheets import DetentionRead, read_workbook

DETENTION_DIR = "ice_detention"
WORKBOOK_DIR = "ice_detention_stats"
DDP_FILE = "ddp/facilities-daily-population-latest.parquet"
REGISTRY_FILE = "detentionsystemdata/facilities.csv"
BIWEEKLY_FILE = "detentionsystemdata/ice-biweekly.json"
CROSSWALK_FILE = "detention_facility_crosswalk.csv"
COUNTIES_FILE = "detention_facility_counties.csv"
CROSSWALK_COLUMNS = ["state_abbr", "zip", "name_as_listed", "facility_code", "note"]
COUNTY_COLUMNS = ["facility_code", "county_fips", "note"]
TERRITORIES = {"PR", "GU", "MP", "VI", "AS"}


class DetentionError(ValueError):
    """A source or a reviewed correction cannot be used (file, row, column, value)."""


def name_key(name: str) -> str:
    """Capitals, punctuation as spaces, spaces collapsed: 'Kay Co. Justice-Facility' ->
    'KAY CO JUSTICE FACILITY'."""
    text = re.sub(r"[^A-Z0-9]+", " ", str(name).upper().replace("'", ""))
    return " ".join(text.split())


def provisional_code(state: str | None, zip_: str | None, name: str) -> str:
    digest = hashlib.sha1(f"{state}|{zip_}|{name_key(name)}".encode()).hexdigest()
    return "X" + digest[:9].upper()


def fiscal_year(month: str) -> int:
    """Federal fiscal year of a month: 2024-10 -> 2025."""
    year, mon = int(month[:4]), int(month[5:7])
    return year + 1 if mon >= 10 else year


def workbook_paths(sources_dir: Path) -> list[Path]:
    return sorted((Path(sources_dir) / DETENTION_DIR / WORKBOOK_DIR).glob("*.xlsx"))


# --- Reviewed corrections -------------------------------------------------------------------


def _read_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame(columns=columns)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DetentionError(f"{path.name}: missing columns {missing}")
    return df[columns]


def load_crosswalk(corrections_dir: Path) -> dict[tuple[str, str], tuple[str, str]]:
    """{(zip, name key): (facility code or '' for "no code known", note)}."""
    path = Path(corrections_dir) / CROSSWALK_FILE
    out = {}
    for line, r in enumerate(_read_csv(path, CROSSWALK_COLUMNS).itertuples(), start=2):
        if not re.match(r"^\d{5}$", r.zip):
            raise DetentionError(f"{path.name}, row {line}, column zip: {r.zip!r} is not a "
                                 "5-digit ZIP")
        if r.facility_code and not re.match(schema.FACILITY_CODE, r.facility_code):
            raise DetentionError(f"{path.name}, row {line}, column facility_code: "
                                 f"{r.facility_code!r} is not an ICE facility code")
        if not r.note.strip():
            raise DetentionError(f"{path.name}, row {line}, column note: a reviewed decision "
                                 "needs a note")
        key = (r.zip, name_key(r.name_as_listed))
        if key in out:
            raise DetentionError(f"{path.name}, row {line}: {r.name_as_listed!r} {r.zip} is "
                                 "decided twice")
        out[key] = (r.facility_code, r.note)
    return out


def load_county_entries(corrections_dir: Path, county_fips: set[str]) -> dict[str, tuple]:
    """{facility code: (county FIPS, note)}."""
    path = Path(corrections_dir) / COUNTIES_FILE
    out = {}
    for line, r in enumerate(_read_csv(path, COUNTY_COLUMNS).itertuples(), start=2):
        if r.county_fips not in county_fips:
            raise DetentionError(f"{path.name}, row {line}, column county_fips: "
                                 f"{r.county_fips!r} is not a county")
        if not r.note.strip():
            raise DetentionError(f"{path.name}, row {line}, column note: a reviewed entry "
                                 "needs a note")
        out[r.facility_code] = (r.county_fips, r.note)
    return out


# --- ZIP -> county --------------------------------------------------------------------------


@cache
def _zip_table() -> dict[str, tuple[str, str, str]]:
    """{ZIP: (state, county name, primary city)} from the zipcodes package."""
    from coopmap.matching import zip_records

    return {z["zip_code"]: (z["state"], z["county"], z["city"]) for z in zip_records()
            if z["county"]}


def county_index(counties: pd.DataFrame) -> dict[tuple[str, str], str]:
    """{(state, casefolded county name): FIPS}, for zip_county."""
    return {(st, name.casefold()): fips for st, name, fips in
            zip(counties["state_abbr"], counties["name"], counties["county_fips"], strict=True)}


def zip_county(zip_: str | None, index: dict[tuple[str, str], str]
               ) -> tuple[str | None, str]:
    """(county FIPS or None, note) for a ZIP by the zipcodes package's county name."""
    if not zip_:
        return None, "no ZIP in any source"
    hit = _zip_table().get(zip_)
    if hit is None:
        return None, f"ZIP {zip_} is not in the zipcodes package"
    state, county, _ = hit
    fips = index.get((state, county.casefold()))
    if fips is None:
        return None, f"zipcodes names county {county!r} {state} for ZIP {zip_}, not a county here"
    return fips, f"zipcodes: ZIP {zip_} in {county}, {state}"


def zip_state(zip_: str | None) -> str | None:
    hit = _zip_table().get(zip_ or "")
    return hit[0] if hit else None


# --- Assembly -------------------------------------------------------------------------------


@dataclass
class Link:
    """How one workbook row got its facility code."""

    source_file: str
    row: int
    name: str
    zip: str
    state_abbr: str | None
    code: str
    # code_in_source, exact_name_zip, crosswalk, reviewed_no_code (decided: no source gives a
    # code; provisional key) or undecided (provisional key, reported)
    method: str
    candidates: list[tuple[str, str, float]] = field(default_factory=list)


@dataclass
class DetentionBuild:
    facilities: pd.DataFrame
    population: pd.DataFrame
    monthly: pd.DataFrame
    links: list[Link]
    reads: list[DetentionRead]

    def report(self) -> str:
        return format_report(self)


def _name_index(registry: pd.DataFrame, biweekly: pd.DataFrame,
                ddp_names: pd.Series) -> pd.DataFrame:
    """Every (code, name key, ZIP) a coded source gives."""
    reg_zip = registry.set_index("code")["zip"]
    rows = [(r.code, name_key(r.name), r.zip, "registry") for r in registry.itertuples()]
    rows += [(r.code, name_key(r.name), r.zip, "biweekly") for r in biweekly.itertuples()
             if re.match(schema.FACILITY_CODE, r.code)]
    rows += [(code, name_key(name), reg_zip.get(code), "ddp") for code, name in ddp_names.items()]
    out = pd.DataFrame(rows, columns=["code", "key", "zip", "source"])
    return out.drop_duplicates(["code", "key", "zip"])


def candidates(name: str, zip_: str, state: str | None, index: pd.DataFrame, limit: int = 3
               ) -> list[tuple[str, str, float]]:
    """Coded records in the same ZIP, ranked by name similarity (for review, never applied)."""
    from rapidfuzz import fuzz

    same = index[index["zip"] == zip_]
    if state:
        # DDP codes without an address: ICE's codes mostly end in the state's two letters.
        no_zip = index[index["zip"].isna()]
        same = pd.concat([same, no_zip[no_zip["code"].str.endswith(state)]])
    scored = {}
    for r in same.itertuples():
        score = fuzz.token_set_ratio(name_key(name), r.key)
        if pd.isna(r.zip) and score < 80:
            continue
        if score > scored.get(r.code, ("", -1))[1]:
            scored[r.code] = (r.key, score)
    ranked = sorted(((c, k, round(s, 1)) for c, (k, s) in scored.items()), key=lambda x: -x[2])
    return ranked[:limit]


def _link_rows(frame: pd.DataFrame, source_file: str, index: pd.DataFrame,
               crosswalk: dict, known_codes: set[str]) -> list[Link]:
    by_key: dict[tuple[str, str], set[str]] = {}
    for code, key, zip_ in zip(index["code"], index["key"], index["zip"], strict=True):
        if isinstance(zip_, str):
            by_key.setdefault((key, zip_), set()).add(code)
    links = []
    for r in frame.itertuples():
        key = (r.zip, name_key(r.name))
        state = r.state_abbr if isinstance(r.state_abbr, str) else None
        link = Link(source_file, int(r.row), r.name, r.zip, state, "", "undecided")
        given = getattr(r, "code", None)
        if isinstance(given, str) and re.match(schema.FACILITY_CODE, given):
            link.code, link.method = given, "code_in_source"
        elif key in crosswalk:
            code, _ = crosswalk[key]
            link.method = "reviewed_no_code"
            if code:
                if code not in known_codes:
                    raise DetentionError(f"{CROSSWALK_FILE}: {r.name!r} {r.zip} -> {code!r}, a "
                                         "code no source gives")
                link.code, link.method = code, "crosswalk"
        else:
            codes = by_key.get((key[1], r.zip), set())
            if len(codes) == 1:
                link.code, link.method = next(iter(codes)), "exact_name_zip"
        if not link.code:
            link.candidates = candidates(r.name, r.zip, state, index)
            link.code = provisional_code(state, r.zip, r.name)
        links.append(link)
    return links


@dataclass(frozen=True)
class UploadedWorkbook:
    """A staff upload of ICE's detention workbook, as the build takes it: its bytes and the
    path the release names it by (in the store's uploads, or the staff page's file name)."""

    source_file: str
    data: bytes = field(repr=False)


_memo: dict[tuple, object] = {}


def _remember(key: tuple, make):
    """Parsed sources by content hash: a staff preview rebuilds the detention tables with one
    more workbook, and every other file was parsed by the build before it."""
    if key not in _memo:
        if len(_memo) > 128:  # everything goes at once: keys hold ids of cached values
            _memo.clear()
        _memo[key] = make()
    return _memo[key]


def _sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _read_bundled(path: Path) -> DetentionRead:
    return _remember(("workbook", _sha(path)), lambda: read_workbook(path))


def read_uploaded(upload: UploadedWorkbook) -> DetentionRead:
    """An uploaded workbook read as the build reads the bundled ones (remembered by content)."""
    import tempfile

    def read() -> DetentionRead:
        with tempfile.TemporaryDirectory(prefix="coopmap-detention-") as tmp:
            path = Path(tmp) / "upload.xlsx"
            path.write_bytes(upload.data)
            out = read_workbook(path, display_name=upload.source_file.rsplit("/", 1)[-1])
        return out

    key = ("upload", hashlib.sha256(upload.data).hexdigest(), upload.source_file)
    return _remember(key, read)


def _sources(root: Path, counties_key: str, sources_dir: Path):
    """Registry, July parse, DDP (names and months) and the name index, by content."""
    files = (root / REGISTRY_FILE, root / BIWEEKLY_FILE, root / DDP_FILE)
    key = ("sources", counties_key, *(_sha(f) for f in files))

    def make():
        registry = detention_registry.read_registry(files[0])
        biweekly, bw_pull, bw_fy = ice_biweekly.read_biweekly(files[1])
        daily = ddp_population.read_daily(files[2])
        ddp_names = ddp_population.names(daily)
        months = ddp_population.monthly(daily)
        index = _name_index(registry, biweekly, ddp_names)
        return registry, biweekly, bw_pull, bw_fy, ddp_names, months, index

    return _remember(key, make)


def build(sources_dir: Path, corrections_dir: Path,
          uploads: Sequence[UploadedWorkbook] = ()) -> DetentionBuild:
    """The detention tables of a release from the sources, the reviewed corrections and the
    detention workbooks staff uploaded (after the bundled ones, in publish order)."""
    root = Path(sources_dir) / DETENTION_DIR
    counties = gazetteer.counties(sources_dir)
    registry, biweekly, bw_pull, bw_fy, ddp_names, months, index = _sources(
        root, str(Path(sources_dir).resolve()), sources_dir)
    known_codes = set(index["code"]) | set(registry["code"]) | set(ddp_names.index)
    crosswalk = load_crosswalk(corrections_dir)
    crosswalk_file = Path(corrections_dir) / CROSSWALK_FILE
    context = (id(index), _sha(crosswalk_file) if crosswalk_file.exists() else "")

    inputs = [(f"{WORKBOOK_DIR}/{p.name}", _read_bundled(p)) for p in workbook_paths(sources_dir)]
    inputs += [(u.source_file, read_uploaded(u)) for u in uploads]
    reads = [read for _, read in inputs]
    parts, links = [], []
    for source_file, read in inputs:
        if read.errors:
            raise DetentionError("\n".join(str(p) for p in read.errors[:20]))
        # Links depend on the rows, the name index and the crosswalk only: remembered.
        file_links = _remember(
            ("links", source_file, id(read), *context),
            lambda read=read, source_file=source_file: _link_rows(
                read.rows, source_file, index, crosswalk, known_codes))
        links += file_links
        parts.append(read.rows.assign(
            source_file=source_file, source_kind="ice_workbook", fiscal_year=read.fiscal_year,
            data_pull=pd.Timestamp(read.data_pull), facility_code=[x.code for x in file_links]))
    bw_links = _remember(("links", BIWEEKLY_FILE, id(biweekly), *context),
                         lambda: _link_rows(biweekly, BIWEEKLY_FILE, index, crosswalk,
                                            known_codes))
    links += bw_links
    parts.append(biweekly.assign(
        source_file=BIWEEKLY_FILE, source_kind="third_party_parse", fiscal_year=bw_fy,
        data_pull=pd.Timestamp(bw_pull), facility_code=[x.code for x in bw_links]))
    rows = pd.concat(parts, ignore_index=True)
    population = schema.validate("detention_population", schema.conform(
        "detention_population", rows.rename(columns={"name": "name_as_listed"})))
    facilities = _facilities(rows, months, ddp_names, registry, counties, corrections_dir)
    monthly = _monthly(months, population, facilities)
    return DetentionBuild(facilities, population, monthly, links, reads)


def _facilities(rows: pd.DataFrame, months: pd.DataFrame, ddp_names: pd.Series,
                registry: pd.DataFrame, counties: pd.DataFrame,
                corrections_dir: Path) -> pd.DataFrame:
    reg = {r["code"]: r for r in registry.to_dict("records")}
    entries = load_county_entries(corrections_dir, set(counties["county_fips"]))
    places = county_index(counties)
    # Newest first: ICE's own workbooks before the parse of the same facility's later data.
    rows = rows.sort_values(["data_pull", "source_kind", "row"], ascending=[False, True, True])
    by_code: dict[str, list[dict]] = {}
    for r in rows.to_dict("records"):
        by_code.setdefault(r["facility_code"], []).append(r)
    span = months.groupby("code")["month"].agg(["min", "max"])
    first_month, last_month = span["min"].to_dict(), span["max"].to_dict()
    names_ddp = ddp_names.to_dict()
    codes = sorted(set(by_code) | set(months["code"]))
    out = []
    for code in codes:
        mine = by_code.get(code, [])
        wb = [r for r in mine if r["source_kind"] == "ice_workbook"]
        at = reg.get(code)
        names = list(dict.fromkeys([r["name"] for r in mine]
                                   + ([names_ddp[code]] if code in names_ddp else [])
                                   + ([at["name"]] if at is not None else [])))
        place = wb[0] if wb else (mine[0] if mine else None)
        if place is not None:
            address, city, state, zip_ = (place["address"], place["city"], place["state_abbr"],
                                          place["zip"])
        elif at is not None:
            address, city, state, zip_ = at["address"], None, at["state_abbr"], at["zip"]
        else:
            address = city = state = zip_ = None
        if not isinstance(state, str) or not state:
            state = zip_state(zip_)
        if mine:
            kind = mine[0]["type_detailed"]
            basis = ("third_party_parse" if mine[0]["source_kind"] == "third_party_parse"
                     else "ice_workbook")
        elif at is not None and at["agreement"]:
            kind, basis = at["agreement"], "registry"
        else:
            kind, basis = "unknown", "none"
        fips, county_basis, note = _place(code, state, zip_, at, places, entries)
        fys = [r["fiscal_year"] for r in wb]
        out.append({
            "facility_code": code,
            "code_basis": "provisional" if code.startswith("X") and at is None
            and code not in names_ddp else "ice_code",
            "name": names[0],
            "names_seen": "; ".join(names),
            "address": address or None,
            "city": city if isinstance(city, str) and city else None,
            "state_abbr": state,
            "zip": zip_,
            "county_fips": fips,
            "county_basis": county_basis,
            "county_note": note,
            "type_detailed": kind,
            "type_basis": basis,
            "agreement_class": agreement_class(kind),
            "first_fy": min(fys) if fys else None,
            "last_fy": max(fys) if fys else None,
            "first_month": first_month.get(code),
            "last_month": last_month.get(code),
        })
    frame = pd.DataFrame(out)
    return schema.validate("detention_facilities", schema.conform("detention_facilities", frame))


def agreement_class(kind: str) -> str:
    if kind in schema.LOCAL_DETENTION_TYPES:
        return "local_government"
    return "unknown" if kind == "unknown" else "federal_private"


def _place(code: str, state: str | None, zip_: str | None, at: dict | None,
           places: dict, entries: dict) -> tuple[str | None, str, str]:
    if code in entries:
        fips, note = entries[code]
        return fips, "reviewed_entry", note
    if state in TERRITORIES:
        return None, "unplaced", f"territory ({state}): outside the map"
    listed = tuple(at["county_fips_list"]) if at is not None else ()
    fips, note = zip_county(zip_, places)
    if len(listed) > 1:
        return None, "unplaced", (f"ZIP {zip_} spans counties {', '.join(listed)} (registry); "
                                  "no reviewed entry yet")
    if fips is None:
        if len(listed) == 1:
            return None, "unplaced", f"{note}; the registry says {listed[0]}: needs a review"
        return None, "unplaced", note
    if len(listed) == 1 and listed[0] != fips:
        return None, "unplaced", (f"sources disagree: {note} ({fips}), the registry says "
                                  f"{listed[0]}; no reviewed entry yet")
    return fips, "zip_one_county", note


def _monthly(months: pd.DataFrame, population: pd.DataFrame,
             facilities: pd.DataFrame) -> pd.DataFrame:
    """DDP's months with the facility's type that fiscal year (its workbook's, where listed)."""
    ice = population[population["source_kind"] == "ice_workbook"].sort_values("data_pull")
    per_fy = ice.groupby(["facility_code", "fiscal_year"], as_index=False)["type_detailed"].last()
    out = months.rename(columns={"code": "facility_code"})
    year = out["month"].str.slice(0, 4).astype(int)
    out = out.assign(fiscal_year=year + (out["month"].str.slice(5, 7).astype(int) >= 10))
    out = out.merge(per_fy, on=["facility_code", "fiscal_year"], how="left")
    fallback = out["facility_code"].map(facilities.set_index("facility_code")["type_detailed"])
    out["type_detailed"] = out["type_detailed"].fillna(fallback).fillna("unknown")
    return schema.validate("detention_monthly", schema.conform("detention_monthly", out))


# --- Report ---------------------------------------------------------------------------------


def format_report(b: DetentionBuild) -> str:
    f = b.facilities
    lines = ["ICE detention facilities"]
    for read in b.reads:
        lines.append(f"  {read.file:<38} sheet {read.sheet.strip()!r:<24} FY{read.fiscal_year} "
                     f"pull {read.data_pull} header row {read.header_row}: "
                     f"{len(read.rows)} facilities")
        lines += [f"    {p}" for p in read.warnings]
    methods = pd.Series([x.method for x in b.links]).value_counts()
    lines.append(f"Workbook rows linked to a facility code ({len(b.links)}): "
                 + ", ".join(f"{m} {n}" for m, n in methods.items()))
    undecided = {}
    for x in b.links:
        if x.method == "undecided":
            undecided.setdefault((x.zip, name_key(x.name)), x)
    lines.append(f"Undecided names (no code; provisional key; decide in "
                 f"data/corrections/{CROSSWALK_FILE}) ({len(undecided)}):")
    for x in undecided.values():
        cands = "; ".join(f"{c} {k!r} {s}" for c, k, s in x.candidates) or "no coded record"
        lines.append(f"  {x.state_abbr} {x.zip} {x.name!r} ({x.source_file} row {x.row}) -> "
                     f"candidates: {cands}")
    counts = f["county_basis"].value_counts()
    lines.append(f"County placement of {len(f)} facilities with population: "
                 + ", ".join(f"{k} {counts.get(k, 0)}" for k in schema.DETENTION_COUNTY_BASES))
    unplaced = f[f["county_basis"] == "unplaced"]
    lines.append(f"Unplaced facilities ({len(unplaced)}):")
    for r in unplaced.itertuples():
        state = r.state_abbr if isinstance(r.state_abbr, str) else "--"
        lines.append(f"  {r.facility_code} {state} {r.name!r} ({r.type_detailed}): "
                     f"{r.county_note}")
    return "\n".join(lines)


def data_as_of(population: pd.DataFrame, monthly: pd.DataFrame) -> dict:
    """The dates a release's detention figures stand for (manifest ``data_as_of``)."""
    ice = population[population["source_kind"] == "ice_workbook"]
    return {
        "detention_workbook": ice["data_pull"].max().strftime("%Y-%m-%d"),
        "detention_parse": population["data_pull"].max().strftime("%Y-%m-%d"),
        "detention_first_month": monthly["month"].min(),
        "detention_last_month": monthly["month"].max(),
    }
