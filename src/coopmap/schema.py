"""The dataset contract: every table, column, dtype, allowed value, label, colour and legend order.

Everything else in coopmap imports names from here instead of repeating strings. Each table is a
pandera schema; ``validate(name, df)`` is called when a release is built and when it is loaded.
Every column carries a description, and ``docs/data-dictionary.md`` is generated from them
(``coopmap docs``); a test fails when the two disagree or a description is missing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

SCHEMA_VERSION = "1"

# --- Vocabularies ---------------------------------------------------------------------------
# Each vocabulary is an ordered mapping code -> label; the order is the legend order.

MODELS: dict[str, str] = {
    "JEM": "Jail Enforcement Model",
    "WSO": "Warrant Service Officer",
    "TFM": "Task Force Model",
}
MODEL_SHORT: dict[str, str] = {"JEM": "Jail", "WSO": "Warrant service", "TFM": "Task force"}

AGENCY_TYPES: dict[str, str] = {
    "county": "County (sheriff or county agency)",
    "municipality": "Municipality (city or town police)",
    "state_agency": "State agency (covers the whole state)",
}

STATUSES: dict[str, str] = {
    "participating": "Participating",
    "pending": "Pending (not yet signed)",
    "no_longer_listed": "No longer listed",
}

LISTS: dict[str, str] = {"participating": "Participating agencies", "pending": "Pending agencies"}

# How an agreement's jurisdiction was found. Order: most to least direct.
MATCH_METHODS: dict[str, str] = {
    "ice_county_column": "ICE's COUNTY column",
    "reviewed_correction": "Reviewed correction of ICE's county name",
    "agency_name": "County named in the agency's name",
    "other_sheet": "Same agency's county in another month's ICE sheet",
    "city_lookup": "The agency's city, looked up to its county",
    "reviewed_entry": "Reviewed entry (university, airport, regional authority)",
    "state_agency": "Statewide agency: covers the whole state",
    "territory": "Territory: outside the map",
    "unmatched": "Not matched (reason given)",
}

JURISDICTION_LEVELS: dict[str, str] = {
    "county": "County",
    "state": "State",
    "territory": "Territory",
    "unmatched": "Unmatched",
}

# The three practices PRODUCT.md names, each with the same scale.
POLICY_DIMENSIONS: dict[str, str] = {
    "detainer_holds": "Detainer holds",
    "release_notification": "Release-date notification",
    "jail_access": "ICE access to the jail",
}
POLICY_VALUES: dict[str, str] = {
    "honored": "Yes, on ICE's request alone",
    "judicial_warrant_only": "Only with a judicial warrant",
    "limited": "Limited",
    "declined": "Declined",
    "unknown": "Unknown",
}
# Per-dimension wording of the values, for plain-words text.
POLICY_VALUE_TEXT: dict[str, dict[str, str]] = {
    "detainer_holds": {
        "honored": "Holds people on an ICE detainer alone",
        "judicial_warrant_only": "Holds people for ICE only with a judicial warrant",
        "limited": "Holds people on detainers only in limited cases",
        "declined": "Does not hold people on ICE detainers",
        "unknown": "Unknown: no source at hand says",
    },
    "release_notification": {
        "honored": "Tells ICE when people will be released",
        "judicial_warrant_only": "Tells ICE of releases only with a judicial warrant",
        "limited": "Tells ICE of releases only in limited cases",
        "declined": "Does not tell ICE of release dates",
        "unknown": "Unknown: no source at hand says",
    },
    "jail_access": {
        "honored": "Lets ICE agents into the jail to interview people",
        "judicial_warrant_only": "Lets ICE into the jail only with a judicial warrant",
        "limited": "Lets ICE into the jail only in limited cases",
        "declined": "Does not let ICE into the jail",
        "unknown": "Unknown: no source at hand says",
    },
}
# What a practice's value rests on. A staff finding uses the first three (or none); a value
# from the state-law readings names the kind of its basis (``law_readings.BASIS_OF_KIND``), so
# that an attorney general's directive or a governor's order is never called "State law".
POLICY_BASES: dict[str, str] = {
    "local_policy": "Local policy",
    "state_law": "State law",
    "court_ruling": "Court ruling",
    "ag_guidance": "Attorney general directive or opinion",
    "executive_order": "Governor's executive order or policy",
    "regulation": "State regulation",
    "constitution": "State constitution",
    "none": "No source",
}
# The bases a staff policy sheet may give a finding (besides "none" for unknown).
STAFF_POLICY_BASES = ("local_policy", "state_law", "court_ruling")

STANCES: dict[str, str] = {
    "pro": "Requires cooperation",
    "mixed": "Both requires and limits cooperation",
    "anti": "Limits or forbids cooperation",
    "none": "No state law found either way",
}
STATE_LAW_SOURCE_TYPES = [
    "statute", "executive_order", "case_law", "ag_opinion", "court_order", "none",
]
REVIEW_STATUSES: dict[str, str] = {
    "unreviewed_draft": "Unreviewed draft",
    "reviewed": "Reviewed",
}

# --- State-law readings (data/corrections/state_law_readings.csv) --------------------------------
# What a state law provides, one row per law x dimension. The three practices use the
# POLICY_VALUES codes (without "unknown": a law that says nothing gets no row); the other
# dimensions have their own vocabularies. ``no_law_found`` is one explicit row for a state where
# the researchers searched and found no law on any dimension.
PRACTICE_LAW_VALUES: dict[str, str] = {k: v for k, v in POLICY_VALUES.items() if k != "unknown"}
LAW_DIMENSIONS: dict[str, str] = {
    **POLICY_DIMENSIONS,
    "287g": "287(g) agreements",
    "detention_contracts": "Detention contracts with ICE",
    "local_limits": "Local limits on cooperation",
    "no_law_found": "No state law found",
}
LAW_VALUES: dict[str, dict[str, str]] = {
    **{dim: PRACTICE_LAW_VALUES for dim in POLICY_DIMENSIONS},
    "287g": {"required": "Required", "forbidden": "Forbidden", "limited": "Restricted"},
    "detention_contracts": {"required": "Required", "forbidden": "Forbidden",
                            "limited": "Restricted"},
    "local_limits": {"forbidden": "Localities may not limit cooperation"},
    "no_law_found": {"none": "No state law found"},
}
# Plain words for what the law provides ("State law ..."), shown on the profile.
LAW_VALUE_TEXT: dict[str, dict[str, str]] = {
    "detainer_holds": {
        "honored": "requires jails to hold people on ICE detainers",
        "judicial_warrant_only": "forbids holding people on an ICE detainer without a judicial "
                                 "warrant or order",
        "limited": "allows detainer holds only in the cases it lists",
        "declined": "forbids holding people on ICE detainers",
    },
    "release_notification": {
        "honored": "requires telling ICE when people will be released",
        "judicial_warrant_only": "forbids telling ICE of release dates without a judicial "
                                 "warrant or order",
        "limited": "allows telling ICE of release dates only in the cases it lists",
        "declined": "forbids telling ICE of release dates",
    },
    "jail_access": {
        "honored": "requires giving ICE access to jails to interview people",
        "judicial_warrant_only": "forbids ICE access to jails without a judicial warrant",
        "limited": "sets conditions on ICE interviews in jails",
        "declined": "forbids ICE interviews in jails",
    },
    "287g": {
        "required": "requires local agencies to seek or hold 287(g) agreements",
        "forbidden": "forbids 287(g) agreements",
        "limited": "restricts 287(g) agreements",
    },
    "detention_contracts": {
        "required": "requires local jails to have agreements with ICE to hold people",
        "forbidden": "forbids local governments to contract with ICE to detain people",
        "limited": "restricts local detention contracts with ICE",
    },
    "local_limits": {
        "forbidden": "forbids localities to adopt policies that limit cooperation with "
                     "immigration enforcement",
    },
    "no_law_found": {"none": "no state law found on any of these questions"},
}
LAW_BASIS_KINDS: dict[str, str] = {
    "statute": "Statute",
    "court_ruling": "Court ruling",
    "ag_guidance": "Attorney general directive or opinion",
    "executive_order": "Governor's executive order or policy",
    "constitution": "State constitution",
    "regulation": "Regulation",
}
# How well a reading was checked. Order: best first (the weakest one wins when several combine).
CHECK_STATUSES: dict[str, str] = {
    "checked_text": "checked against the law's text",
    "secondary_source": "from a secondary source (a summary)",
    "unverified_draft": "unverified draft",
}
# The check of a value shown on the map: a reading's, or a staff finding's.
VALUE_CHECKS: dict[str, str] = {**CHECK_STATUSES, "staff_finding": "staff finding (policy sheet)"}
END_REASONS: dict[str, str] = {
    "repealed": "repealed",
    "enjoined": "enjoined by a court",
    "superseded": "superseded",
    "struck_down": "struck down",
    "expired": "expired",
}

FEDERAL_LISTS: dict[str, str] = {
    "dhs_2025_05_29": "DHS list of 2025-05-29 (withdrawn)",
    "doj_2025_08_05": "DOJ list of 2025-08-05",
}
DESIGNATION_TYPES = ["state", "district", "county", "city"]

# ICE detention facilities: ICE's "Type Detailed" (every value its workbooks have printed since
# FY2019) and what it means for the contract. Local government agreements are the local
# cooperation this layer shows; the rest is ICE detention in the county, not the county's.
DETENTION_TYPES: dict[str, str] = {
    "IGSA": "IGSA: a local (or state) government's Intergovernmental Service Agreement with ICE",
    "DIGSA": "DIGSA: a dedicated IGSA, a facility used only for ICE under a local government's "
             "agreement, often run by a company",
    "USMS IGA": "USMS IGA: the jail's agreement with the U.S. Marshals Service, which ICE uses",
    "CDF": "CDF: a contract detention facility (private, contracting with ICE directly)",
    "SPC": "SPC: an ICE-owned service processing center",
    "BOP": "BOP: a federal prison (Bureau of Prisons)",
    "USMS CDF": "USMS CDF: a U.S. Marshals contract detention facility",
    "STAGING": "STAGING: a staging facility",
    "FAMILY": "FAMILY: a family residential center",
    "FAMILY STAGING": "FAMILY STAGING: a family staging facility",
    "STATE": "STATE: a state government facility",
    "DOD": "DOD: a Department of Defense facility",
    "JUVENILE": "JUVENILE: a juvenile facility",
    "TAP-ICE": "TAP-ICE: a trusted-adult placement facility",
    "MIRP": "MIRP: a medical facility (registry only)",
    "Other": "Other",
    "unknown": "Unknown: no source at hand gives the type",
}
# The types that are a local government's agreement (the order is the legend's).
LOCAL_DETENTION_TYPES: tuple[str, ...] = ("IGSA", "DIGSA", "USMS IGA")
DETENTION_CLASSES: dict[str, str] = {
    "local_government": "Local government's agreement (IGSA, DIGSA, USMS IGA)",
    "federal_private": "Federal, private or state facility (not a local government's agreement)",
    "unknown": "Type unknown",
}
# Plain words for a voter, per type.
DETENTION_TYPE_PLAIN: dict[str, str] = {
    "IGSA": "a local jail that holds people for ICE under its own agreement with ICE",
    "DIGSA": "a facility used only for ICE under a local government's agreement, often run by "
             "a company",
    "USMS IGA": "a local jail that holds people for ICE under its agreement with the U.S. "
                "Marshals Service",
    "CDF": "a private detention center under contract with ICE",
    "SPC": "a detention center owned by ICE",
    "BOP": "a federal prison",
    "USMS CDF": "a private detention center under contract with the U.S. Marshals Service",
    "STAGING": "a short-stay staging facility",
    "FAMILY": "a family detention center",
    "FAMILY STAGING": "a family staging facility",
    "STATE": "a facility run by the state government",
    "DOD": "a military facility",
    "JUVENILE": "a juvenile facility",
    "TAP-ICE": "a trusted-adult placement facility",
    "MIRP": "a medical facility",
    "Other": "a facility of another kind",
    "unknown": "a facility whose type no source at hand gives",
}
DETENTION_TYPE_BASES: dict[str, str] = {
    "ice_workbook": "ICE's detention-statistics workbook (Type Detailed)",
    "third_party_parse": "A third party's parse of ICE's newest workbook (Type Detailed)",
    "registry": "Detention System Data's registry (agreement)",
    "none": "No source gives the type",
}
DETENTION_CODE_BASES: dict[str, str] = {
    "ice_code": "ICE's facility code",
    "provisional": "Provisional key: no code known yet (reported by the build)",
}
DETENTION_COUNTY_BASES: dict[str, str] = {
    "zip_one_county": "The facility's ZIP lies in one county",
    "reviewed_entry": "Reviewed entry (the ZIP spans several counties, or sources disagree)",
    "unplaced": "Not placed (reason given)",
}
DETENTION_SOURCE_KINDS: dict[str, str] = {
    "ice_workbook": "ICE's detention-statistics workbook",
    "third_party_parse": "A third party's parse of ICE's workbook (Detention System Data)",
}

# --- Map layers: category codes, labels, colours, legend order --------------------------------
# Colours are Okabe-Ito (colour-blind safe). "Unknown" is always a hatched-looking light grey that
# is visibly different from "none"/"no" (white-ish) in every layer.
UNKNOWN_COLOUR = "#BDBDBD"
NONE_COLOUR = "#F7F7F7"

MODEL_CATEGORIES: dict[str, str] = {
    "none": "No agreement",
    "JEM": "Jail Enforcement only",
    "WSO": "Warrant Service Officer only",
    "TFM": "Task Force only",
    "several": "Several models",
}
MODEL_CATEGORY_COLOURS: dict[str, str] = {
    "none": NONE_COLOUR,
    "JEM": "#E69F00",
    "WSO": "#56B4E9",
    "TFM": "#D55E00",
    "several": "#000000",
}
STANCE_COLOURS: dict[str, str] = {
    "pro": "#D55E00", "mixed": "#009E73", "anti": "#0072B2", "none": NONE_COLOUR,
}
POLICY_VALUE_COLOURS: dict[str, str] = {
    "honored": "#D55E00",
    "limited": "#F0E442",
    "judicial_warrant_only": "#56B4E9",
    "declined": "#0072B2",
    "unknown": UNKNOWN_COLOUR,
}
FEDERAL_LIST_CATEGORIES: dict[str, str] = {
    "not_listed": "Not named",
    "dhs": "Named by DHS only (list withdrawn)",
    "doj": "Named by DOJ only",
    "both": "Named by DHS and DOJ",
}
FEDERAL_LIST_COLOURS: dict[str, str] = {
    "not_listed": NONE_COLOUR,
    "dhs": "#CC79A7",
    "doj": "#009E73",
    "both": "#000000",
}
# The map's federal-list layer: the place itself named (dhs, doj, both), or not itself but a city
# in it (federal_list_city), or neither.
FEDERAL_LAYER_CATEGORIES: dict[str, str] = {
    "not_listed": "Not named",
    "city": "A city in it is named (not the place itself)",
    "dhs": "Named by DHS only (list withdrawn)",
    "doj": "Named by DOJ only",
    "both": "Named by DHS and DOJ",
}
FEDERAL_LAYER_COLOURS: dict[str, str] = {**FEDERAL_LIST_COLOURS, "city": "#F0E442"}

# The detention layer: which local government agreements a county's facilities held people under.
DETENTION_CATEGORIES: dict[str, str] = {
    "none_listed": "No facility listed",
    "IGSA": "Local jail, IGSA with ICE",
    "DIGSA": "Dedicated IGSA (often company-run)",
    "USMS IGA": "Local jail, via U.S. Marshals agreement",
    "several": "Several local agreement types",
    "federal_private": "Federal or private facility only",
    "unknown_type": "Facility of unknown type only",
    "no_data": "No monthly data for this month",
}
DETENTION_CATEGORY_COLOURS: dict[str, str] = {
    "none_listed": NONE_COLOUR,
    "IGSA": "#D55E00",
    "DIGSA": "#CC79A7",
    "USMS IGA": "#E69F00",
    "several": "#000000",
    "federal_private": "#56B4E9",
    "unknown_type": "#666666",  # #999999 was 7.4 from DIGSA under deuteranopia (ΔE76)
    "no_data": UNKNOWN_COLOUR,
}

# --- Columns --------------------------------------------------------------------------------

STATE_FIPS = r"^\d{2}$"
COUNTY_FIPS = r"^\d{5}$"
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
SHA256 = r"^[0-9a-f]{64}$"


def _isin(vocab) -> pa.Check:
    return pa.Check.isin(list(vocab))


def _str(description: str, *, nullable: bool = False, pattern: str | None = None, vocab=None):
    checks = []
    if pattern:
        checks.append(pa.Check.str_matches(pattern))
    if vocab is not None:
        checks.append(_isin(vocab))
    return pa.Column(str, checks=checks, nullable=nullable, description=description)


def _int(description: str, *, nullable: bool = False, min_value: int | None = 0):
    checks = [pa.Check.ge(min_value)] if min_value is not None else []
    return pa.Column(
        "Int64", checks=checks, nullable=nullable, coerce=True, description=description
    )


def _bool(description: str, *, nullable: bool = False):
    return pa.Column(
        "boolean", nullable=nullable, coerce=True, description=description
    )


def _float(description: str, *, nullable: bool = True, min_value: float | None = 0.0):
    checks = [pa.Check.ge(min_value)] if min_value is not None else []
    return pa.Column("float64", checks=checks, nullable=nullable, coerce=True,
                     description=description)


def _date(description: str, *, nullable: bool = True):
    return pa.Column(
        "datetime64[ms]", nullable=nullable, coerce=True, description=description
    )


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    schema: pa.DataFrameSchema
    key: tuple[str, ...]

    @property
    def columns(self) -> list[str]:
        return list(self.schema.columns)


def _table(name: str, description: str, key: tuple[str, ...], columns: dict) -> Table:
    schema = pa.DataFrameSchema(
        columns,
        strict=True,
        ordered=True,
        unique=list(key) if key else None,
        name=name,
        description=description,
    )
    return Table(name, description, schema, key)


_state_cols = {
    "state_fips": _str("2-digit state FIPS code (text, never a number).", pattern=STATE_FIPS),
}

AGREEMENTS = _table(
    "agreements",
    "One row per 287(g) agreement (agency x model) ever listed by ICE since January 2021.",
    ("agreement_id",),
    {
        "agreement_id": _str(
            "Stable id: hash of state, normalised agency name and model of the spelling the "
            "agreement was first listed under; later spellings keep it (reviewed in "
            "data/corrections/agreement_identities.csv).", pattern=r"^[0-9a-f]{12}$"
        ),
        **_state_cols,
        "state_abbr": _str("Two-letter USPS state or territory code."),
        "agency": _str(
            "Agency name exactly as ICE wrote it on the newest sheet that lists it "
            "(surrounding spaces removed)."
        ),
        "agency_type": _str(
            "County, municipality or state agency: ICE's TYPE column where it exists, otherwise "
            "from the same agency on another sheet or its name (see agency_type_basis).",
            vocab=AGENCY_TYPES,
        ),
        "agency_type_basis": _str(
            "Where agency_type came from: ice_type_column, other_sheet or agency_name.",
            vocab=["ice_type_column", "other_sheet", "agency_name"],
        ),
        "is_sheriff": _bool("True when the agency is a county sheriff's office."),
        "model": _str("287(g) model: JEM, WSO or TFM.", vocab=MODELS),
        "signed": _date("MOA signing date on the newest sheet that lists it (pending: none)."),
        "moa_url": _str(
            "Link to the signed MOA (the cell's hyperlink); empty where ICE wrote 'link pending'.",
            nullable=True,
        ),
        "addendum_url": _str("Link to an MOA addendum, where ICE gives one.", nullable=True),
        "status": _str(
            "participating: on the newest participating sheet; pending: on the newest pending "
            "sheet and not participating since; no_longer_listed: listed earlier, absent from "
            "the newest sheets.",
            vocab=STATUSES,
        ),
        "first_listed": _str("First month (YYYY-MM) on a participating sheet.", nullable=True,
                             pattern=MONTH),
        "last_listed": _str("Last month (YYYY-MM) on a participating sheet.", nullable=True,
                            pattern=MONTH),
        "first_pending": _str("First month on a pending sheet.", nullable=True, pattern=MONTH),
        "last_pending": _str("Last month on a pending sheet.", nullable=True, pattern=MONTH),
        "relisted": _bool(
            "True when the agreement was absent from at least one participating sheet between "
            "its first and last listing and came back (the months are in gaps)."
        ),
        "gaps": _str("Participating sheets missing it between first_listed and last_listed, as "
                     "month ranges ('2023-04 – 2023-06; 2024-02').", nullable=True),
        "other_names": _str(
            "Names ICE listed the agreement under other than agency, each with its months "
            "(pending: on pending sheets only).", nullable=True
        ),
        "jurisdiction_level": _str(
            "county: covers the counties in agreement_counties; state: a statewide agency; "
            "territory: outside the map; unmatched: see match_note.",
            vocab=JURISDICTION_LEVELS,
        ),
        "county_fips": _str(
            "The agreement's (first) county, 5-digit FIPS; empty for statewide agencies. "
            "Regional authorities list all their counties in agreement_counties.",
            nullable=True,
            pattern=COUNTY_FIPS,
        ),
        "ice_county": _str("ICE's COUNTY cell as written (newest sheet with one).", nullable=True),
        "match_method": _str("How the jurisdiction was matched.", vocab=MATCH_METHODS),
        "match_note": _str("Detail of the match, or why it is unmatched.", nullable=True),
        "source_file": _str("ICE sheet (under data/sources/ice_287g/) that gave these values."),
        "source_date": _date("Date of that sheet.", nullable=False),
    },
)

AGREEMENT_COUNTIES = _table(
    "agreement_counties",
    "The counties each county-level agreement covers (several for a regional jail authority).",
    ("agreement_id", "county_fips"),
    {
        "agreement_id": _str("Agreement id (agreements.agreement_id).", pattern=r"^[0-9a-f]{12}$"),
        "county_fips": _str("5-digit county FIPS.", pattern=COUNTY_FIPS),
        "match_method": _str("How this county was matched.", vocab=MATCH_METHODS),
    },
)

LISTINGS = _table(
    "listings",
    "Each month an agreement appears on an ICE sheet: the month-by-month history.",
    ("agreement_id", "list", "month"),
    {
        "agreement_id": _str("Agreement id.", pattern=r"^[0-9a-f]{12}$"),
        "list": _str("participating or pending sheet.", vocab=LISTS),
        "month": _str("Month of the sheet (YYYY-MM).", pattern=MONTH),
        "signed": _date("SIGNED on that month's sheet."),
        "agency": _str("Agency name as ICE wrote it on that month's sheet."),
    },
)

SHEETS = _table(
    "sheets",
    "Every ICE sheet read: one per list and month, with its row count.",
    ("list", "month"),
    {
        "list": _str("participating or pending.", vocab=LISTS),
        "month": _str("Month the sheet stands for (YYYY-MM).", pattern=MONTH),
        "sheet_date": _date("Publication or capture date (from the file name).", nullable=False),
        "source_file": _str("Path under data/sources/."),
        "layout": _str("Column layout of the sheet (its header, normalised)."),
        "rows": _int("Agreement rows on the sheet."),
        "agreements": _int(
            "Distinct agreements on the sheet (differs from rows only where ICE repeated a row)."
        ),
        "note": _str("Explanation of any difference between rows and agreements.", nullable=True),
    },
)

COUNTIES = _table(
    "counties",
    "The 3,142 counties and county equivalents of the 50 states and DC (2017 geography).",
    ("county_fips",),
    {
        "county_fips": _str("5-digit county FIPS.", pattern=COUNTY_FIPS),
        **_state_cols,
        "state_abbr": _str("Two-letter state code."),
        "name": _str("Full name, e.g. 'Autauga County', 'Baltimore city'."),
        "population": _int("Resident population, Census Vintage 2024 (July 1, 2024).",
                           nullable=True),
        "population_note": _str(
            "Why population is missing or how it was aggregated (Connecticut, Alaska).",
            nullable=True,
        ),
    },
)

STATES = _table(
    "states",
    "The 50 states and DC.",
    ("state_fips",),
    {
        **_state_cols,
        "state_abbr": _str("Two-letter state code."),
        "name": _str("State name."),
        "population": _int("Resident population, Census Vintage 2024."),
        "counties": _int("Number of counties (2017 geography)."),
    },
)

STATE_LAWS = _table(
    "state_laws",
    "One statewide law stance per state (51 rows), from an AI-drafted, unreviewed compilation. "
    "Kept as a source; no value shown comes from it (see law_readings).",
    ("state_fips",),
    {
        **_state_cols,
        "stance": _str("pro, anti or none.", vocab=STANCES),
        "source_type": _str("statute, executive_order, case_law, ...",
                            vocab=STATE_LAW_SOURCE_TYPES),
        "law_name": _str("Popular name of the law (with its year).", nullable=True),
        "effect": _str("One sentence on its legal effect.", nullable=True),
        "source_url": _str("Where the law can be read.", nullable=True),
        "verified_date": _date("When the compiler checked it."),
        "verified_by": _str("Who checked it.", nullable=True),
        "review_status": _str("unreviewed_draft unless a human has reviewed it.",
                              vocab=REVIEW_STATUSES),
        "review_note": _str("The compiler's own doubt about this row.", nullable=True),
        "source_file": _str("Source file under data/sources/."),
    },
)

LAW_READINGS = _table(
    "law_readings",
    "State-law readings: one row per law (court ruling, directive, order) x dimension, from "
    "data/corrections/state_law_readings.csv, with the months it applies to. reviewer_note is "
    "for editors only and never shown on a public page.",
    ("law_id", "dimension"),
    {
        **_state_cols,
        "state_abbr": _str("Two-letter state code (DC included)."),
        "law_id": _str("Stable id <ST>-<short>-<year> (or <ST>-none).",
                       pattern=r"^[A-Z]{2}-[A-Za-z0-9-]+$"),
        "citation": _str("Bill, session law and/or code sections; for a ruling, the case.",
                         nullable=True),
        "title": _str("Popular name, if any.", nullable=True),
        "basis_kind": _str("What kind of law it is.", nullable=True, vocab=LAW_BASIS_KINDS),
        "enacted": _date("Date signed, decided or issued."),
        "effective": _date("Date the provision took effect (empty: not established, so the "
                           "reading applies to no month)."),
        "ended": _date("First day it no longer applied (repeal, injunction, ...)."),
        "end_reason": _str("Why it ended.", nullable=True, vocab=END_REASONS),
        "dimension": _str("What the provision is about.", vocab=LAW_DIMENSIONS),
        "value": _str("What it provides on that dimension (vocabulary per dimension).",
                      vocab=sorted({v for vals in LAW_VALUES.values() for v in vals})),
        "provision": _str("The section that says it.", nullable=True),
        "quote": _str("Short verbatim quote of the provision (or of the summary, for a "
                      "secondary source).", nullable=True),
        "text_url": _str("Address of the page the provision was read from.", nullable=True),
        "check_status": _str("checked_text, secondary_source or unverified_draft.",
                             vocab=CHECK_STATUSES),
        "secondary_source": _str("The summary relied on, when check_status is "
                                 "secondary_source.", nullable=True),
        "reviewer_note": _str("Editors' note (doubts, what to re-check). Never public.",
                              nullable=True),
        "valid_from": _str(
            "First month (YYYY-MM) the reading applies to: the month of `effective` when it "
            "is the 1st, else the next month (a law applies to the months it was in effect "
            "from their first day). Empty when `effective` is not established.",
            nullable=True, pattern=MONTH),
        "valid_to": _str(
            "Last month it applies to: the month before `ended` (the law did not hold for all "
            "of the month it ended in). Empty while still in effect.",
            nullable=True, pattern=MONTH),
        "source_row": _int("Row of data/corrections/state_law_readings.csv (header = 1)."),
    },
)

DESIGNATIONS = _table(
    "designations",
    "Places named on the 2025 federal 'sanctuary jurisdiction' lists (allegations, not facts).",
    ("list_id", "state_fips", "jurisdiction_type", "name_as_published"),
    {
        "list_id": _str("Which federal list.", vocab=FEDERAL_LISTS),
        "list_published": _date("Date the list was published.", nullable=False),
        "withdrawn": _bool("True for the DHS list, taken down days after publication."),
        "jurisdiction_type": _str("state, district, county or city.", vocab=DESIGNATION_TYPES),
        "name_as_published": _str("Name exactly as the list printed it."),
        **_state_cols,
        "county_fips": _str("County (or county equivalent) FIPS, where the row names the county "
                            "itself or a city that is a county equivalent.",
                            nullable=True, pattern=COUNTY_FIPS),
        "city_county_fips": _str(
            "For a city inside a county: the county or counties it lies in (5-digit FIPS, "
            "';'-separated), from the reviewed data/corrections/designation_city_counties.csv. "
            "Being named is the city's, not the county's.",
            nullable=True, pattern=r"^\d{5}(;\d{5})*$"),
        "note": _str("Transcriber's note.", nullable=True),
        "source_file": _str("Source file under data/sources/."),
    },
)

POLICIES = _table(
    "policies",
    "Staff findings on detainer holds, release notification and jail access, per county and "
    "state (unknown: no finding). A finding overrides the state-law readings from the month of "
    "its as_of date.",
    ("level", "fips", "dimension"),
    {
        "level": _str("county or state.", vocab=["county", "state"]),
        "fips": _str("County (5-digit) or state (2-digit) FIPS.", pattern=r"^(\d{2}|\d{5})$"),
        "dimension": _str("Which practice.", vocab=POLICY_DIMENSIONS),
        "value": _str("honored, judicial_warrant_only, limited, declined or unknown.",
                      vocab=POLICY_VALUES),
        "basis": _str("local_policy, state_law, court_ruling, or none for unknown (a staff "
                      "finding uses these four).",
                      vocab=POLICY_BASES),
        "source": _str("What settles the value (law name), empty for unknown.", nullable=True),
        "source_url": _str("Link to that source.", nullable=True),
        "as_of": _date("Date the source was checked (the finding applies from that month)."),
        "review_status": _str("reviewed for a staff finding; empty for no finding.",
                              nullable=True, vocab=REVIEW_STATUSES),
        "note": _str("Quote or note that justifies the value.", nullable=True),
    },
)

_posture_common = {
    "month": _str("Month the posture describes (YYYY-MM).", pattern=MONTH),
    "n_agreements": _int("Active 287(g) agreements that month (participating sheet)."),
    "n_agencies": _int("Distinct agencies with an active agreement."),
    "has_287g": _bool("At least one active agreement (see each table for what is counted)."),
    "has_jem": _bool("An active Jail Enforcement Model agreement."),
    "has_wso": _bool("An active Warrant Service Officer agreement."),
    "has_tfm": _bool("An active Task Force Model agreement."),
    "model_category": _str("none, JEM, WSO, TFM or several: the models of the agreements "
                           "counted in has_287g; the map's 287(g) layer.",
                           vocab=MODEL_CATEGORIES),
    "sheriff_participates": _bool("A county sheriff's office holds an active agreement."),
    "first_signed": _date("Earliest signing date among the active agreements."),
    "n_pending": _int("Agreements on the newest pending sheet at or before this month."),
    "n_statewide_agreements": _int("Active agreements of statewide agencies in the state."),
    "state_law_stance": _str(
        "pro, anti, mixed or none: from the state-law readings in effect that month (rule in "
        "'How the tables are derived').", vocab=STANCES),
    "state_law_check": _str("The weakest check status of the readings that give the stance; "
                            "empty for none.", nullable=True, vocab=VALUE_CHECKS),
    **{
        column: spec
        for dim, words in (("detainer_holds", "Detainer holds"),
                           ("release_notification", "Release notification"),
                           ("jail_access", "Jail access"))
        for column, spec in (
            (dim, _str(f"{words} value that month.", vocab=POLICY_VALUES)),
            (f"{dim}_basis", _str(
                "What it rests on: a staff finding's basis, or the kind of the reading in "
                "effect (state_law for a statute, court_ruling, ag_guidance, executive_order, "
                "regulation, constitution); none for unknown.", vocab=POLICY_BASES)),
            (f"{dim}_check", _str("How well its source was checked (empty for unknown).",
                                  nullable=True, vocab=VALUE_CHECKS)),
            (f"{dim}_source", _str("The law (law_id) or staff source that gives it.",
                                   nullable=True)),
        )
    },
    "federal_list": _str("not_listed, dhs, doj or both: named itself on a federal list.",
                         vocab=FEDERAL_LIST_CATEGORIES),
    "federal_list_city": _str(
        "not_listed, dhs, doj or both: the lists that name a city in it (a county: a city lying "
        "in the county; a state: any of its cities), whatever federal_list says of the place "
        "itself.", vocab=FEDERAL_LIST_CATEGORIES),
}

COUNTY_POSTURES = _table(
    "county_postures",
    "What the map colours at county level: one row per county for the release's newest month.",
    ("county_fips", "month"),
    {
        "county_fips": _str("5-digit county FIPS.", pattern=COUNTY_FIPS),
        **_state_cols,
        "state_abbr": _str("Two-letter state code."),
        "name": _str("County name."),
        **_posture_common,
        "has_287g": _bool(
            "At least one active agreement of a local agency covering the county (its sheriff, "
            "city police, a regional body it belongs to); statewide agencies are not counted "
            "here but in n_statewide_agreements."),
        "population": _int("Vintage 2024 population.", nullable=True),
    },
)

STATE_POSTURES = _table(
    "state_postures",
    "What the map colours at state level: one row per state for the release's newest month.",
    ("state_fips", "month"),
    {
        **_state_cols,
        "state_abbr": _str("Two-letter state code."),
        "name": _str("State name."),
        **_posture_common,
        "has_287g": _bool(
            "At least one active agreement counted for the state: any of its agencies, "
            "statewide agencies included (so are the unmatched ones); counties_with_287g counts "
            "local ones only."),
        "counties_with_287g": _int("Counties with at least one active agreement."),
        "population": _int("Vintage 2024 population.", nullable=True),
        "population_covered": _int(
            "People living in counties with an agreement (where county population is known).",
            nullable=True,
        ),
    },
)

FACILITY_CODE = r"^[A-Z0-9]{2,12}$"
ZIP5 = r"^\d{5}$"

DETENTION_FACILITIES = _table(
    "detention_facilities",
    "One row per ICE detention facility (ICE facility code) that ICE's workbooks or the "
    "Deportation Data Project's daily counts show holding people since FY2019.",
    ("facility_code",),
    {
        "facility_code": _str(
            "ICE's facility code (as in DDP's detention_facility_code and the registry's id). "
            "Workbook rows are linked to it by exact name and ZIP or by the reviewed crosswalk "
            "data/corrections/detention_facility_crosswalk.csv.",
            pattern=FACILITY_CODE,
        ),
        "code_basis": _str(
            "ice_code, or provisional: no source gives a code for a workbook name that the "
            "crosswalk has not decided (an X + hash key; the build reports it).",
            vocab=DETENTION_CODE_BASES),
        "name": _str("Name on the newest source that lists it (ICE's workbook first, then DDP)."),
        "names_seen": _str("Every name the sources gave it, '; '-separated, newest first."),
        "address": _str("Street address (newest workbook, else the registry).", nullable=True),
        "city": _str("City (newest workbook, else the registry).", nullable=True),
        "state_abbr": _str("Two-letter state or territory code.", nullable=True),
        "zip": _str("5-digit ZIP as text (leading zeros kept).", nullable=True, pattern=ZIP5),
        "county_fips": _str("County the facility lies in; empty when unplaced.", nullable=True,
                            pattern=COUNTY_FIPS),
        "county_basis": _str("How the county was found.", vocab=DETENTION_COUNTY_BASES),
        "county_note": _str("Detail of the placement, or why it is unplaced.", nullable=True),
        "type_detailed": _str(
            "ICE's Type Detailed on the newest workbook listing it, else the registry's "
            "agreement, else unknown.", vocab=DETENTION_TYPES),
        "type_basis": _str("Where type_detailed came from.", vocab=DETENTION_TYPE_BASES),
        "agreement_class": _str(
            "local_government for IGSA, DIGSA and USMS IGA; federal_private for every other "
            "known type; unknown. Which local government is party to the agreement is not a "
            "column: none of the sources names it (ICE's workbooks give name, address, AOR and "
            "Type Detailed; the registry's authorizingAuthority is the detention-standards "
            "code, DMCP, BOP, JFRMU or OTHER), so a profile speaks of an agreement between "
            "the county and ICE only for an IGSA or USMS IGA jail named after its county, and "
            "names no party otherwise.", vocab=DETENTION_CLASSES),
        "first_fy": _int("First fiscal year a workbook lists it.", nullable=True),
        "last_fy": _int("Last fiscal year a workbook lists it.", nullable=True),
        "first_month": _str("First month with people in DDP's daily counts.", nullable=True,
                            pattern=MONTH),
        "last_month": _str("Last month with people in DDP's daily counts.", nullable=True,
                           pattern=MONTH),
    },
)

DETENTION_POPULATION = _table(
    "detention_population",
    "Each facility row of ICE's detention-statistics workbooks (and the third-party parse of the "
    "2026-07-20 workbook): ADP, length of stay and guaranteed minimum for the fiscal year to the "
    "data pull.",
    ("source_file", "row"),
    {
        "source_file": _str("File under data/sources/ice_detention/ that gave the row, or the "
                            "staff upload's path in the release store."),
        "row": _int("Row of the sheet (Excel numbering; the record number in the JSON parse)."),
        "source_kind": _str("ice_workbook or third_party_parse.", vocab=DETENTION_SOURCE_KINDS),
        "fiscal_year": _int("Federal fiscal year (FY2025 = Oct 2024 - Sep 2025)."),
        "data_pull": _date("Date of ICE's data pull (the workbook's title row).", nullable=False),
        "facility_code": _str("Facility code (detention_facilities.facility_code).",
                              pattern=FACILITY_CODE),
        "name_as_listed": _str("Name exactly as the source printed it."),
        "type_detailed": _str("Type Detailed on this row.", vocab=DETENTION_TYPES),
        "adp": _float("Average daily population, fiscal year to the data pull: the sum of "
                      "Level A-D.", nullable=False),
        "alos": _float("Average length of stay in days (FYxx ALOS).", nullable=True),
        "guaranteed_minimum": _int("Guaranteed minimum beds, where ICE gives one.",
                                   nullable=True),
    },
)

DETENTION_MONTHLY = _table(
    "detention_monthly",
    "Average daily population per facility and month, from the Deportation Data Project's "
    "daily counts (2022-10-01 to 2026-03-10). Months where every day counted 0 are left out.",
    ("facility_code", "month"),
    {
        "facility_code": _str("Facility code.", pattern=FACILITY_CODE),
        "month": _str("Month (YYYY-MM).", pattern=MONTH),
        "adp": _float("Mean of the daily n_detained over the days DDP has for the month.",
                      nullable=False),
        "days": _int("Days of the month in DDP's file (2026-03: 10)."),
        "type_detailed": _str(
            "The facility's type that month: the workbook of the month's fiscal year where it "
            "lists the facility, else detention_facilities.type_detailed.",
            vocab=DETENTION_TYPES),
    },
)

_detention_posture_cols = {
    "month": _str("Month (YYYY-MM).", pattern=MONTH),
    "detention_category": _str(
        "The map's detention layer: none_listed, IGSA, DIGSA, USMS IGA, several (local "
        "agreement types), federal_private, unknown_type or no_data.",
        vocab=DETENTION_CATEGORIES),
    "has_local_detention": _bool(
        "Some facility held people for ICE under a local government's agreement; empty (not "
        "False) where no facility is listed or the month has no data.", nullable=True),
    "local_types": _str("The local agreement types held under, ', '-separated.",
                        nullable=True),
    "n_local_facilities": _int("Facilities under a local government's agreement with people."),
    "adp_local": _float("ADP in those facilities.", nullable=False),
    "n_other_facilities": _int("Federal, private or state facilities with people."),
    "adp_other": _float("ADP in them.", nullable=False),
    "n_unknown_facilities": _int("Facilities of unknown type with people."),
    "adp_unknown": _float("ADP in them.", nullable=False),
}

DETENTION_COUNTY_POSTURES = _table(
    "detention_county_postures",
    "ICE detention in each county, month by month where DDP's daily counts exist (facilities "
    "placed in a county only).",
    ("county_fips", "month"),
    {
        "county_fips": _str("5-digit county FIPS.", pattern=COUNTY_FIPS),
        **_state_cols,
        **_detention_posture_cols,
    },
)

DETENTION_STATE_POSTURES = _table(
    "detention_state_postures",
    "ICE detention in each state, month by month (every facility of the state, placed in a "
    "county or not).",
    ("state_fips", "month"),
    {
        **_state_cols,
        **_detention_posture_cols,
    },
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        AGREEMENTS,
        AGREEMENT_COUNTIES,
        LISTINGS,
        SHEETS,
        COUNTIES,
        STATES,
        STATE_LAWS,
        LAW_READINGS,
        DESIGNATIONS,
        POLICIES,
        COUNTY_POSTURES,
        STATE_POSTURES,
        DETENTION_FACILITIES,
        DETENTION_POPULATION,
        DETENTION_MONTHLY,
        DETENTION_COUNTY_POSTURES,
        DETENTION_STATE_POSTURES,
    )
}


class SchemaError(ValueError):
    """A table does not follow the contract. The message names table, column, row and value."""


def validate(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Validate (and coerce) ``df`` as table ``name``; raise SchemaError listing the failures."""
    table = TABLES[name]
    try:
        return table.schema.validate(df, lazy=True)
    except (pa.errors.SchemaErrors, pa.errors.SchemaError) as exc:
        cases = getattr(exc, "failure_cases", None)
        if cases is None or len(cases) == 0:
            raise SchemaError(f"table {name}: {exc}") from None
        lines = [
            f"table {name}, row {r.index}, column {r.column}: {r.failure_case!r} fails {r.check}"
            for r in cases.head(20).itertuples()
        ]
        more = len(cases) - 20
        if more > 0:
            lines.append(f"... and {more} more")
        raise SchemaError("\n".join(lines)) from None


def conform(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """The table's columns in contract order, cast to the contract's dtypes (no checks)."""
    table = TABLES[name]
    out = df[table.columns].copy()
    for column, col in table.schema.columns.items():
        dtype = col.dtype.type
        if out[column].dtype != dtype:
            out[column] = out[column].astype(dtype)
    return out.reset_index(drop=True)


def empty(name: str) -> pd.DataFrame:
    """An empty frame with the table's columns and dtypes."""
    table = TABLES[name]
    return pd.DataFrame({c: pd.Series(dtype=col.dtype.type) for c, col in
                         table.schema.columns.items()})
