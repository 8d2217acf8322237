"""The data dictionary, generated from the contract in schema.py so that it cannot drift."""

from __future__ import annotations

from coopmap import paths, schema

DICTIONARY_PATH = paths.PROJECT_ROOT / "docs" / "data-dictionary.md"

CAVEATS = """\
## Caveats: read before citing

- **Unknown is not "no".** No source at hand describes county jail practice (detainer holds,
  release notification, jail access). Where a state law settles a practice statewide, the
  counties inherit it with its basis named (state law, court ruling, attorney general
  directive, governor's order); everywhere else the value is *unknown* and the map
  shows it in grey, never as "no".
- **State laws are readings, not reviewed by a person.** `law_readings` was written by research
  assistants reading each law; `check_status` says how each row was checked (against the law's
  text, from a secondary source, or an unverified draft), and every page, tooltip, image and
  CSV carries it with the value. `reviewer_note` is for editors and is never shown publicly.
  The older AI-drafted stance table (`state_laws`, `data/sources/state_laws/`) is kept as a
  source but no value shown comes from it any more.
- **The ICE list of 2026-05-18 undercounts today's program.** It is the newest sheet at hand; a
  public QA summary counted about 2,510 active agreements in October 2026 against 1,843 here.
- **2017 geography.** Shapes and county codes are the Census 2017 edition: Connecticut's 8 legacy
  counties (whose 2024 population is not published, so it is missing, not zero) and Alaska's
  Valdez-Cordova Census Area (population = Chugach + Copper River).
- **Federal "sanctuary" lists are allegations.** The DHS list (2025-05-29) was withdrawn within
  days because of errors; the DOJ list (2025-08-05) says it is not exhaustive. They say what the
  federal government claimed, not what a jail does.
- **Months before February 2025** come from Wayback Machine captures of ICE's web page: a month
  repeats the previous one when the page did not change, and captures can miss rows.
- **Removal is inferred**: an agreement is "no longer listed" when the newest sheet omits it; ICE
  publishes no termination dates.
- **ICE detention: absence is not "no".** ICE's detention workbooks list only facilities that
  held at least one person at the data pull, and DDP's daily counts only facilities with people;
  a county with no facility listed is "none listed", not "no agreement". ADP in a workbook is
  for the fiscal year to its data pull; the 2026-07-20 figures are a third party's parse
  (Detention System Data) of ICE's workbook, which is not at hand. DDP's last month (2026-03)
  has 10 days.
"""


DERIVATION = """\
## How the tables are derived

- **sheets, listings, agreements** (`ice_sheets.py`, `agreements.py`): every ICE participating
  and pending sheet in `data/sources/ice_287g/` is read, whatever its layout (2021-Jan 2025:
  STATE, AGENCY, SUPPORT TYPE, SIGNED, MOA; later sheets add TYPE, COUNTY, ADDENDUM). A sheet
  stands for the month in its file-name date. One agreement is one agency x model; its id hashes
  state, normalised agency name (with reviewed spelling aliases) and model of the spelling it
  was first listed under. ICE renames agencies between sheets, lists some for a month under the
  wrong state, and signs pending requests under another spelling: `coopmap build` finds such
  candidate pairs (a spelling that leaves the list and, within two sheets, one arriving with the
  same model and SIGNED date and a similar name, or the same name in another state; a pending
  request with a similar participating name) and the reviewed table
  `data/corrections/agreement_identities.csv` settles each (`same` or `distinct`, with a note);
  the build lists any pair no row settles. An agreement keeps one id through its names
  (`other_names`); one absent from some sheets and listed again is `relisted`, with its `gaps`.
  An agreement is active in a month when that month's participating sheet lists it; it is
  `no_longer_listed` when the newest sheet omits it (ICE publishes no end dates); it is
  `pending` only while no participating sheet since the newest pending sheet lists it. Agencies
  are counted by state and normalised name, a county sheriff's "Office" and "Department" being
  one office. Names, type, signing date and MOA link come from the newest sheet that lists it;
  MOA links are the cells' hyperlinks.
- **agreement_counties** (`matching.py`, `data/corrections/`): ICE's COUNTY cell matched to the
  county's Census name within the state; ICE's typos through the reviewed table
  `ice_county_corrections.csv`; universities, airports, regional jails and other special
  agencies through `agency_jurisdictions.csv`; agencies with no COUNTY through the county in
  their name or their city (the `zipcodes` package, accepted only for a clear majority of the
  city's ZIP codes). Statewide agencies cover their state, not a county. Anything else stays
  unmatched with its reason. `coopmap build` prints the match report.
- **counties, states** (`places.py`): 2017 county geography; Census Vintage-2024 population.
  Alaska's Valdez-Cordova = Chugach + Copper River (the 2019 split was exact). Connecticut's
  legacy counties have no published 2024 estimate: missing, not apportioned.
- **state_laws** (`state_laws.py`): the AI-drafted compilation, one row per state, unchanged.
  Retired as a basis: no value, stance or text on a public page comes from it (a staff
  policy sheet's `state_law_stance` finding still writes to it, for the staff preview).
- **law_readings** (`law_readings.py`, `data/corrections/state_law_readings.csv`): one row per
  law x dimension, validated (dates, the values allowed per dimension, URLs, a quote wherever
  `check_status` is `checked_text`; all 50 states and DC have rows or a `no_law_found` row).
  **Month rule:** a reading applies to the months the law was in effect from their first day
  to their last: `valid_from` is the month of `effective` when that is the 1st, else the next
  month (effective 2024-12-01 -> 2024-12; 2024-12-15 -> 2025-01); `ended` is the first day it
  no longer applied, and `valid_to` is the month before the month of `ended` (ended 2025-07-21
  -> 2025-06; ended 2025-08-01 -> 2025-07). A reading without an established effective date applies
  to no month; where it is on a practice no law in effect settles, the profile, the map tooltip
  and Compare say "a law on it was read, but its effective date is not established" and name it
  (`law_readings.undated_laws`), so that unknown there does not read as "no law". The map's
  table and CSV have a column per practice, "<practice>: law read, effective date not
  established", naming those readings' `law_id`s (empty where there are none); the value
  beside it stays "Unknown" where no law in effect settles the practice.
  `law_readings.in_effect(readings, month)` is the one function that answers "what held in
  month M"; every page calls it through the postures.
- **Practices from the readings** (detainer holds, release notification, jail access): for each
  state and month, the value of the reading in effect on that practice (where several are, the
  one that took effect last; ties: the weakest check). `<practice>_basis` names the reading's
  kind: `state_law` for a statute, `court_ruling`, `ag_guidance` (an attorney general's
  directive or opinion), `executive_order` (a governor's order or policy), `regulation`,
  `constitution`, so that a directive or an order is never called a state law;
  `<practice>_source` is its `law_id`, `<practice>_check` its `check_status`. Every county
  inherits its state's value. No reading in effect: `unknown`.
- **Law dimensions' history** (287(g), detention contracts, local limits, on the profile):
  where several readings on one of them are in effect at once, both laws hold (a law whose
  effect a later one changed is ended in the table), so a `limited` reading gives way to a
  `forbidden` or `required` one beside it; otherwise the one that took effect last
  (`law_readings.pick_law`).
- **Stance from the readings** (`state_law_stance`): `pro` (requires cooperation) when some
  reading in effect requires a practice (`honored`), requires 287(g) or detention contracts,
  or forbids local limits on cooperation; `anti` (limits or forbids) when some reading in
  effect limits, conditions or forbids a practice (`judicial_warrant_only`, `limited`,
  `declined`) or forbids or restricts 287(g) or detention contracts; `mixed` when both hold at
  once; `none` otherwise ("no state law found", which is not "no"). `state_law_check` is the
  weakest check among the readings behind the stance; the map tooltip, Compare and the CSV
  column "State law: laws in effect" name those readings' `law_id`s
  (`law_readings.stance_laws`).
- **policies** (`policies.py`): staff findings from policy sheets (`policy_sheet.py`); the build
  starts with none (every row `unknown`). A finding overrides the readings for its place and
  practice from the month of its `as_of` date onwards, with check `staff_finding`; a
  state-level finding on a state law reaches the state's counties that have no finding of their
  own (`publishing.apply_policy_findings`).
- **designations** (`designations.py`): both federal lists, every row as published; a county
  FIPS only for counties and county-equivalent cities.
- **county_postures, state_postures** (`postures.py`): computed for any month and filter by the
  app; the release stores them for the newest month.
- **detention_population** (`detention_sheets.py`, `ice_biweekly.py`): every facility row of
  ICE's detention-statistics workbooks FY2019-FY2026 (sheet and header row found by name; the
  data-pull date from the title row; ZIP as 5-digit text; ADP = Level A + B + C + D) and of the
  third-party parse of the 2026-07-20 workbook. Staff may upload ICE's next
  detention-statistics workbook on the staff page: the .xlsx as ICE posts it, laid out like
  those in `data/sources/ice_detention/ice_detention_stats/` (a Facilities sheet, header Name
  ... Type Detailed, Level A-D, FYxx ALOS) with a data pull after the release's newest; it
  joins the release's source set (kept in the store by sha256, listed in the manifest's
  `uploads`) and `coopmap build` keeps it.
- **detention_facilities** (`detention.py`, `detention_registry.py`,
  `data/corrections/detention_facility_crosswalk.csv`, `detention_facility_counties.csv`): a
  workbook row gets ICE's facility code when its normalised name and ZIP equal exactly one coded
  record's (the 2026-07-20 parse, Detention System Data's registry, DDP) or from the reviewed
  crosswalk; names that neither settles keep a provisional `X` key and the build lists them with
  candidates (same ZIP, rapidfuzz similarity), never merged on similarity alone. County: the
  ZIP's county in the `zipcodes` package unless the registry says the ZIP spans several counties
  or disagrees; then only a reviewed entry places it; otherwise unplaced with the reason
  (`coopmap build` prints the list). Type: ICE's Type Detailed on the newest workbook, else the
  registry's agreement, else unknown.
- **detention_monthly** (`ddp_population.py`): the mean of DDP's daily `n_detained` per facility
  and month; months in which every day counted 0 are dropped.
- **detention_county_postures, detention_state_postures** (`detention_postures.py`): per place
  and DDP month, the facilities with people under a local government's agreement (IGSA, DIGSA,
  USMS IGA) and the others, with their ADP. States count every facility of the state, counties
  only placed ones.
"""


def _type(dtype) -> str:
    text = str(dtype)
    if "string" in text or text == "str":
        return "text"
    if "int" in text.lower():
        return "integer"
    if "bool" in text:
        return "true/false"
    if "datetime" in text:
        return "date"
    return text


def _vocabularies() -> list[tuple[str, dict]]:
    return [
        ("model", schema.MODELS),
        ("agency_type", schema.AGENCY_TYPES),
        ("status", schema.STATUSES),
        ("list", schema.LISTS),
        ("match_method", schema.MATCH_METHODS),
        ("jurisdiction_level", schema.JURISDICTION_LEVELS),
        ("dimension", schema.POLICY_DIMENSIONS),
        ("value (policies) and the three practice columns of the postures", schema.POLICY_VALUES),
        ("basis", schema.POLICY_BASES),
        ("stance / state_law_stance", schema.STANCES),
        ("law_readings.dimension", schema.LAW_DIMENSIONS),
        *[(f"law_readings.value for {dim}", values) for dim, values in schema.LAW_VALUES.items()],
        ("law_readings.basis_kind", schema.LAW_BASIS_KINDS),
        ("law_readings.check_status; <practice>_check and state_law_check", schema.VALUE_CHECKS),
        ("law_readings.end_reason", schema.END_REASONS),
        ("review_status", schema.REVIEW_STATUSES),
        ("list_id", schema.FEDERAL_LISTS),
        ("model_category", schema.MODEL_CATEGORIES),
        ("federal_list", schema.FEDERAL_LIST_CATEGORIES),
        ("type_detailed (ICE's Type Detailed)", schema.DETENTION_TYPES),
        ("agreement_class", schema.DETENTION_CLASSES),
        ("type_basis", schema.DETENTION_TYPE_BASES),
        ("code_basis", schema.DETENTION_CODE_BASES),
        ("county_basis", schema.DETENTION_COUNTY_BASES),
        ("source_kind", schema.DETENTION_SOURCE_KINDS),
        ("detention_category", schema.DETENTION_CATEGORIES),
    ]


def data_dictionary() -> str:
    lines = [
        "# coopmap data dictionary",
        "",
        "Generated from `src/coopmap/schema.py` by `coopmap docs`; a test fails when it is out",
        f"of date. Schema version {schema.SCHEMA_VERSION}. Every release is a folder of these",
        "tables as Parquet files plus `manifest.json` (id, created, schema version, row counts,",
        "content hash, every source file with its sha256, who built it).",
        "",
        "FIPS codes are always text: 2 digits for a state, 5 for a county. Months are `YYYY-MM`.",
        "",
        CAVEATS,
        DERIVATION,
        "## Tables",
        "",
    ]
    for table in schema.TABLES.values():
        lines += [f"### `{table.name}`", "", table.description, "",
                  f"Key: {', '.join(f'`{k}`' for k in table.key)}", "",
                  "| column | type | empty allowed | meaning |", "| --- | --- | --- | --- |"]
        for name, col in table.schema.columns.items():
            desc = (col.description or "").replace("|", "\\|")
            empty_ok = "yes" if col.nullable else "no"
            lines.append(f"| `{name}` | {_type(col.dtype)} | {empty_ok} | {desc} |")
        lines.append("")
    lines += ["## Values", ""]
    for title, vocab in _vocabularies():
        lines += [f"### {title}", "", "| code | label |", "| --- | --- |"]
        lines += [f"| `{code}` | {label} |" for code, label in vocab.items()]
        lines.append("")
    return "\n".join(lines)
