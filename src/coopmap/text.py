"""Every piece of interface text, in one catalogue keyed by message id.

Spanish lives in ``coopmap.text_es`` (same ids). The language is chosen per visitor by the UI
(``coopmap.ui.language``) and held in a context variable for the run, never in a module global.
Vocabulary labels (models, stances, policy values) live in ``coopmap.schema``;
``label(vocab, code)`` and ``words(vocab)`` are the one place that turns a code into words, so a
translation overrides them with ids ``vocab.<NAME>.<code>`` without touching the contract.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date as _date
from functools import cache
from typing import Any

import pandas as pd
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol

from coopmap import schema

DEFAULT_LANGUAGE = "en"

EN: dict[str, str] = {
    # --- app frame ------------------------------------------------------------------------
    "app.title": "coopmap: local cooperation with ICE",
    "app.tagline": "How counties and states work with federal immigration enforcement (ICE).",
    "app.description": (
        "A public map of how each U.S. county and state works with ICE: 287(g) agreements and "
        "their models, state laws on detainers and release notices, ICE detention in local "
        "jails, month by month since January 2021, with the source of every fact."
    ),
    "page.map": "Map",
    "page.profile": "Place profile",
    "page.compare": "Compare",
    "page.trends": "Trends",
    "page.about": "About the data",
    "page.staff": "Staff",
    "release.missing": (
        "The dataset is not available right now, so the map cannot be shown. "
        "Please try again later."
    ),
    "release.missing_staff": "No published dataset was found. Staff: run `coopmap build`.",
    "release.broken": (
        "The dataset could not be read, so this page cannot be shown. "
        "Please try again later; the site's staff have been told."
    ),
    "error.page": "Something went wrong on this page. Please reload it or try again later.",
    "release.line": "Dataset {release} · ICE list of {as_of}",
    "release.pinned": (
        "This link shows dataset {release} (ICE list of {as_of}), as it was shared. The "
        "current dataset is {current}."
    ),
    "release.open_current": "Open this view in the current dataset",
    "release.gone": (
        "The dataset this link was made with ({release}) is no longer kept, so this is the "
        "current dataset, {current}: numbers may differ from what was shared."
    ),
    "release.unreadable": (
        "The dataset this link was made with ({release}) was built by an earlier version of "
        "coopmap that this site can no longer show, so this is the current dataset, {current}: "
        "numbers may differ from what was shared."
    ),
    "url.ignored": "Part of this link was not valid and was ignored: {items}.",
    "copy_link": "Link to this view (copy it to share)",
    "copy_link.help": "This link reopens exactly this view.",
    "caveat.short": (
        "The newest ICE list here is dated {as_of}; the program has grown since "
        "(a public count found about 2,510 active agreements in October 2026). "
        "“Unknown” means no source at hand says; it does not mean “no”."
    ),
    # --- filters ----------------------------------------------------------------------------
    "filter.level": "Show",
    "filter.level.county": "Counties",
    "filter.level.state": "States",
    "filter.layer": "Map layer",
    "filter.more": "Filter by state, 287(g) model or agency type",
    "filter.states": "States",
    "filter.states.placeholder": "All states",
    "filter.models": "287(g) models",
    "filter.models.placeholder": "All models",
    "filter.agency_types": "Agency types",
    "filter.agency_types.placeholder": "All agency types",
    "filter.month": "Month",
    "filter.month.help": "The map shows the program as it stood on that month's ICE list.",
    "image.landscape": "Landscape 1200×675",
    "image.square": "Square 1080×1080",
    "image.download": "Download image: {size}",
    "image.help": (
        "A PNG at twice this size, with title, legend, date and source inside the picture."
    ),
    # --- layers ------------------------------------------------------------------------------
    "layer.model": "287(g) agreements by model",
    "layer.count": "Number of 287(g) agreements",
    "layer.stance": "State law on cooperation",
    "layer.detainer_holds": "Detainer holds",
    "layer.release_notification": "Release-date notification",
    "layer.jail_access": "ICE access to the jail",
    "layer.federal": "Named on a 2025 federal “sanctuary” list",
    "layer.detention": "ICE detention in local jails",
    "map.detention.no_month": (
        "ICE detention by month is known from {first} to {last} (the Deportation Data "
        "Project's daily counts); this month shows as “no monthly data”."
    ),
    "map.detention.go": "Show {month}",
    "layer.detention_adp": "People held for ICE in local jails (average per day)",
    "detention_adp.0": "None listed",
    "detention_adp.1": "Under 10",
    "detention_adp.10": "10 to 49",
    "detention_adp.50": "50 to 249",
    "detention_adp.250": "250 or more",
    "detention_adp.no_data": "No monthly data for this month",
    "count.0": "None",
    "count.1": "1",
    "count.2": "2 to 3",
    "count.4": "4 to 9",
    "count.10": "10 or more",
    # --- map figure text ------------------------------------------------------------------------
    "fig.map.title.county": "{layer}, by county",
    "fig.map.title.state": "{layer}, by state",
    "fig.map.subtitle": "{month}{filters}",
    "fig.map.title.highlight": "{places}, outlined: {title}",
    "fig.licence": "Data: ICE and Census, U.S. government works in the public domain.",
    "fig.licence.laws": (
        "Data: ICE and Census (public domain); state-law readings: coopmap's notes on each "
        "law's text or a summary of it, not reviewed by a person: quote them with their source."
    ),
    "fig.licence.detention": (
        "Data: ICE workbooks (public domain); Deportation Data Project and Detention System "
        "Data (CC0 1.0)."
    ),
    "fig.site": "coopmap · {url}",
    "image.svg": "Download image: SVG (vector)",
    "fig.filters.states": "states: {states}",
    "fig.filters.models": "models: {models}",
    "fig.filters.agency_types": "agencies: {agency_types}",
    "fig.source": (
        "Source: ICE 287(g) participating-agency lists (as of {as_of}); Census 2024 "
        "population. coopmap, dataset {release}."
    ),
    "fig.source.federal": (
        "Source: DHS list of 2025-05-29 (withdrawn) and DOJ list of 2025-08-05: allegations, "
        "not findings. coopmap, dataset {release}."
    ),
    "fig.source.policy": (
        "Source: state-law readings in effect in {month}: {settled} of {states} states settle "
        "it ({checked}, {secondary} from a secondary source, "
        "{draft}){staff}; elsewhere unknown. coopmap, dataset {release}."
    ),
    "fig.source.stance": (
        "Source: state-law readings in effect in {month}: {settled} of {states} states have a "
        "law ({checked}, {secondary} from a secondary source, "
        "{draft}). coopmap, dataset {release}."
    ),
    "fig.source.checked.one": "1 checked against the law's text",
    "fig.source.checked": "{n} checked against the law's text",
    "fig.source.draft.one": "1 unverified draft",
    "fig.source.draft": "{n} unverified drafts",
    "fig.source.staff.one": "; 1 place from a staff finding",
    "fig.source.staff": "; {n} places from staff findings",
    "legend.all_unknown": "Unknown everywhere shown: no state law in effect settles it",
    "fig.subtitle.all_unknown": "no state law in effect in {month} settles this here",
    "hover.agreements.label": "287(g) agreements",
    "hover.detention.label": "ICE detention (local agreements)",
    "fig.source.detention": (
        "Source: Deportation Data Project, daily ICE detention counts by facility (monthly "
        "average); facility types from ICE's detention-statistics workbooks (newest "
        "{workbook}). coopmap, dataset {release}."
    ),
    "fig.source.detention_year": (
        "Source: ICE detention-statistics workbooks; monthly averages of the Deportation Data "
        "Project's daily counts, {first} to {last}. coopmap, dataset {release}."
    ),
    "detention.series.federal_private": "Federal, private or state facilities",
    "detention.series.unknown": "Facilities of unknown type",
    "detention.words.no_data": "No monthly data for this month",
    "detention.words.none_listed": "No facility listed",
    "detention.words.other_only.one": (
        "Only a federal, private or other facility: {adp} people a day"
    ),
    "detention.words.local": "{types}: {n} facilities, {adp} people a day",
    "detention.words.local.one": "{types}: 1 facility, {adp} people a day",
    "detention.words.other_only": (
        "Only federal, private or other facilities: {n} facilities, {adp} people a day"
    ),
    "detention.sentence.igsa.county": (
        "The {county} jail held on average {n} people for ICE in FY{fy} under an agreement "
        "between the county and ICE (IGSA; ICE's workbook {file}, data to {pull})."
    ),
    "detention.sentence.igsa": (
        "{name} held on average {n} people for ICE in FY{fy} under a local government's "
        "agreement with ICE (IGSA; ICE's workbook {file}, data to {pull})."
    ),
    "detention.sentence.usms_iga.county": (
        "The {county} jail held on average {n} people for ICE in FY{fy} under the county "
        "jail's agreement with the U.S. Marshals Service, which ICE uses (USMS IGA; ICE's "
        "workbook {file}, data to {pull})."
    ),
    "detention.sentence.usms_iga": (
        "{name} held on average {n} people for ICE in FY{fy} under its agreement with the U.S. "
        "Marshals Service, which ICE uses (USMS IGA; ICE's workbook {file}, data to {pull})."
    ),
    "detention.sentence.digsa": (
        "{name} held on average {n} people for ICE in FY{fy}, a facility used only for ICE "
        "under a local government's dedicated agreement, often run by a company (DIGSA; ICE's "
        "workbook {file}, data to {pull})."
    ),
    "detention.col.facility": "Facility",
    "detention.col.type": "Type",
    "detention.col.adp": "People held on an average day",
    "detention.col.period": "Period",
    "detention.col.period.value": "FY{fy} to {pull}",
    "detention.col.period.none": "Not in ICE's workbooks (daily counts only)",
    "detention.col.source": "Source",
    "detention.col.source.ddp": "Deportation Data Project daily counts",
    "detention.col.trend": "Monthly, Oct 2022 – Mar 2026",
    "hover.models.label": "Models",
    "hover.counties_with_287g.label": "Counties with an agreement",
    "hover.stance.label": "State law",
    "hover.stance.laws": "{stance} · laws in effect: {laws} · {check}",
    "hover.stance.value": "{stance} · {check}",
    "hover.policy.value": "{value} · {basis} {source} · {check}",
    "hover.policy.unknown": "Unknown: no state law in effect settles it",
    "hover.policy.undated": (
        "Unknown: a law on it was read ({laws}), but its effective date is not established, so "
        "it applies to no month"
    ),
    "hover.federal.label": "Federal lists",
    "hover.population.label": "Population (2024)",
    "hover.agreements": "287(g) agreements: {n}",
    "hover.agencies": "Agencies: {n}",
    "hover.models": "Models: {models}",
    "hover.statewide": "Statewide agencies' agreements in the state: {n}",
    "hover.stance": "State law: {stance}",
    "hover.policy": "{dimension}: {value} (basis: {basis})",
    "hover.federal": "Federal lists: {federal}",
    "hover.population": "Population (2024): {population}",
    "hover.counties_with_287g": "Counties with an agreement: {n}",
    "hover.click": "Click for the full profile",
    "map.click_hint": (
        "Click a county or state on the map to open its profile; on a phone, tap it to see its "
        "card first. Zoom with + and − (or pinch), drag to move."
    ),
    "map.card.close": "Close",
    "map.role": "map",
    "map.zoom.in": "Zoom in",
    "map.zoom.out": "Zoom out",
    "map.zoom.reset": "Show the whole map",
    "map.keys": (
        "Keys: N and P go to the next and previous place (by name) and read out its values, "
        "Enter opens its profile, Escape closes its card; + and − zoom, arrows move, 0 shows "
        "the whole map. The same values are in the table below the map."
    ),
    "map.failed": (
        "The map shapes could not be loaded. Reload the page; the table below has every value."
    ),
    "none": "none",
    "unknown": "unknown",
    # --- headline --------------------------------------------------------------------------
    "headline.agreements": "Active agreements",
    "headline.agencies": "Agencies",
    "headline.counties": "Counties with any agreement",
    "headline.population": "Residents of those counties",
    "headline.help.population": (
        "Everyone living in the counties with any agreement (Census estimate, July 2024), not "
        "the people an agreement touches: a city police agreement counts its whole county. "
        "Counties with no published estimate (Connecticut's 8 legacy counties) are left out."
    ),
    "headline.delta": "{delta} vs {months} mo. earlier",
    "headline.delta.one": "{delta} vs 1 mo. earlier",
    "headline.delta.badge": "{delta} (1 mo.)",
    "headline.changes": "Change against 1, 6 and 12 months earlier",
    "headline.no_earlier": "no ICE list {months} months earlier",
    "headline.no_earlier.one": "no ICE list a month earlier",
    "headline.help.counties": (
        "Counties where a sheriff, county agency or city police department holds an agreement. "
        "Statewide agencies are not painted onto counties."
    ),
    # --- table & download ------------------------------------------------------------------
    "table.title": "The same values as a table ({n} places)",
    "table.download": "Download these rows (CSV)",
    "table.col.detention_adp_local": "People held for ICE in local-agreement facilities",
    "table.col.detention_adp_other": "People held for ICE in other facilities",
    "table.col.place": "Place",
    "table.col.state": "State",
    "table.col.fips": "FIPS code",
    "table.col.category": "Map category",
    "table.col.n_agreements": "287(g) agreements",
    "table.col.n_agencies": "Agencies",
    "table.col.models": "Models",
    "table.col.sheriff": "Sheriff participates",
    "table.col.first_signed": "First signed",
    "table.col.n_statewide": "Statewide agreements in state",
    "table.col.stance": "State law",
    "table.col.stance_laws": "State law: laws in effect",
    "table.col.stance_check": "State law: how checked",
    "table.col.basis": "{dimension}: basis",
    "table.col.source": "{dimension}: source",
    "table.col.check": "{dimension}: how checked",
    "table.col.undated": "{dimension}: law read, effective date not established",
    "table.col.detainer_holds": "Detainer holds",
    "table.col.release_notification": "Release notification",
    "table.col.jail_access": "Jail access",
    "table.col.federal": "Federal lists",
    "table.col.federal_city": "A city in it on a federal list",
    "federal.city.none": "No city in it named",
    "federal.city.by.dhs": "DHS only (list withdrawn)",
    "federal.city.by.doj": "DOJ only",
    "federal.city.by.both": "DHS and DOJ",
    "federal.city.named": "A city in it is named ({lists}), not the place itself",
    "table.col.population": "Population (2024)",
    "table.col.counties_with_287g": "Counties with an agreement",
    "table.col.population_covered": "People in those counties",
    "yes": "Yes",
    "no": "No",
    "list.and": " and ",
    "lang.switch": "Language",
    # --- search ------------------------------------------------------------------------------
    "search.label": "Find a county or state",
    "search.placeholder": "Type a county or state name",
    "search.free": "…or a city or ZIP code",
    "search.free.placeholder": "e.g. Tampa, FL or 33602",
    "search.go": "Open profile",
    "search.none": "No county, state, city or ZIP code matches “{query}”.",
    "search.zip_note": (
        "ZIP code {zip} lies mostly in {county}. ZIP codes can cross county lines; this is the "
        "ZIP's main county."
    ),
    "search.city_note": "{city}, {state} is in {county}.",
    "search.city_many": "{city}, {state} spans several counties; pick one:",
    "search.city_many_states": "There is a {city} in several states ({states}); pick one:",
    "search.pick": "Matches",
    "search.pick_one": "Several places match; pick one:",
    "search.box": "Find a county, state, city or ZIP code",
    "search.box.placeholder": "e.g. Harris County, Austin, TX or 33602",
    "search.box.help": (
        "A city opens the county it is in; a city in several counties lists them, the county "
        "holding most of the city's ZIP codes first."
    ),
    "search.zip_territory": "ZIP code {zip} is in {territory} (a territory: not on the map).",
    "search.territory": (
        "{name} is a U.S. territory. coopmap does not show territories yet: see About the data "
        "for what the ICE lists say about them."
    ),
    "search.context.zip": "ZIP {zip} ({city}, {state}) — {county}",
    "search.context.city": "{city} — {county}",
    "search.context.city_main": (
        "{city} — {county} (main county: {n} of the city's {total} ZIP codes)"
    ),
    "search.context.city_part": "{city} — {county} ({n} of the city's {total} ZIP codes)",
    "search.context.independent": (
        "{city} — {county}, an independent city: it belongs to no county"
    ),
    "search.context.independent_named": "{place}: an independent city, in no county",
    "search.context.county_around": (
        "{place}: the county around the independent city, a separate place"
    ),
    "search.context.county_named": "{place}: the county named {name}",
    "search.opened": "Opened {place}.",
    # --- profile ------------------------------------------------------------------------------
    "profile.pick": "Choose a county or state to see what applies there.",
    "profile.unknown_place": "There is no county or state with the code “{fips}”.",
    "profile.summary.county_some.one": (
        "In {month}, one 287(g) agreement of a local agency applied in {name}: {models}."
    ),
    "profile.summary.county_some": (
        "In {month}, {n} 287(g) agreements of local agencies applied in {name}, under these "
        "models: {models}."
    ),
    "profile.summary.county_none": "In {month}, no local agency in {name} had a 287(g) agreement.",
    "profile.summary.state": (
        "In {month}, {agreements} under 287(g) were active in {name}, held by {agencies}."
    ),
    "profile.summary.territory": (
        "In {month}, {n} agreements under 287(g) were active in {name}, held by {agencies} "
        "agencies."
    ),
    "profile.summary.territory.one": (
        "In {month}, one agreement under 287(g) was active in {name}."
    ),
    "profile.summary.territory_none": "In {month}, no agency in {name} had a 287(g) agreement.",
    "profile.territory.no_map": (
        "{name} is a U.S. territory: it is not on coopmap's maps (they show the 50 states and "
        "DC), and no state-law, policy or population source at hand covers it. Its agreements "
        "count in the national totals and in Trends."
    ),
    "profile.holders.title": "Who holds them in {month}:",
    "profile.holders.sheriff.yes": "**Sheriff: yes**, {models} ({agency}).",
    "profile.holders.sheriff.no": "**Sheriff: no** 287(g) agreement.",
    "profile.holders.city": "City and town police: {agreements}, {agencies}.",
    "profile.holders.city.none": "City and town police: none.",
    "profile.holders.other": (
        "Other county and regional agencies (jail, prosecutor, constables, regional bodies): "
        "{agreements}, {agencies}."
    ),
    "profile.holders.other.none": "Other county and regional agencies: none.",
    "profile.holders.statewide": (
        "Statewide agencies of the state (they cover every county): {agreements}, {agencies}."
    ),
    "profile.holders.statewide.none": "Statewide agencies of the state: none.",
    "profile.summary.state.one": (
        "In {month}, one agreement under 287(g) was active in {name}, held by one agency."
    ),
    "profile.summary.state.zero": "In {month}, no agreement under 287(g) was active in {name}.",
    "profile.summary.state.counties": "{counties} of its {total} counties had at least one.",
    "profile.summary.state.counties.one": "One of its {total} counties had one.",
    "count.agreements": "{n} agreements",
    "count.agreements.one": "one agreement",
    "count.agencies": "{n} agencies",
    "count.agencies.one": "one agency",
    "count.departments": "{n} departments",
    "count.departments.one": "one department",
    "profile.rank.with": (
        "{name} is 1 of {k} {state} counties with an agreement; {total} counties in all."
    ),
    "profile.rank.with.one": (
        "{name} is the only {state} county with an agreement; {total} counties in all."
    ),
    "profile.rank.without": (
        "{name} is 1 of {k} {state} counties without an agreement; {total} counties in all."
    ),
    "profile.rank.without.one": (
        "{name} is the only {state} county without an agreement; {total} counties in all."
    ),
    "profile.section.agreements": "287(g) agreements covering this place",
    "profile.section.statewide": "Statewide agencies' agreements (they cover the whole state)",
    "profile.section.state_law": "State law",
    "profile.section.policies": "Detainer holds, release notification, jail access",
    "profile.section.federal": "Federal “sanctuary” lists (2025)",
    "profile.section.detention": "ICE detention in this county's facilities",
    "profile.section.detention.state": "ICE detention in the state's facilities",
    "profile.detention.none": (
        "None listed: neither ICE's detention workbooks nor the daily counts show a facility "
        "here holding people for ICE. That is not the same as “no”: ICE lists only facilities "
        "with people on the day of its data pull."
    ),
    "profile.detention.month": "Daily detention counts of {month} — {words}.",
    "profile.detention.no_month": (
        "The daily detention counts cover {first} to {last}, not {month}; the newest month is "
        "shown."
    ),
    "profile.detention.caveat": (
        "“People held on an average day” is ICE's figure for the fiscal year up to the data "
        "pull named in Period (the sum of its security levels A–D). The monthly line is the "
        "average of the Deportation Data Project's daily counts; March 2026 has 10 days. The "
        "July 2026 figures are a third party's reading of ICE's workbook."
    ),
    "profile.detention.more": "{n} more facilities in the state are in the table's CSV.",
    "profile.section.population": "Population",
    "profile.section.timeline": "This place's agreements over time",
    "profile.section.pending": "Pending agreements",
    "profile.timeline.truncated": (
        "The chart shows the {shown} earliest of {total} agreements ever listed here."
    ),
    "profile.no_agreements": "No agreement listed for this place in {month}.",
    "profile.no_statewide": "No statewide agency in {state} held an agreement in {month}.",
    "profile.agreements.source": "Source: ICE list of {month} ({file}).",
    "profile.col.agency": "Agency",
    "profile.col.type": "Type",
    "profile.col.model": "Model",
    "profile.col.signed": "Signed",
    "profile.col.listed_since": "Listed since",
    "profile.col.last_listed": "Last listed",
    "profile.col.history": "Names and gaps on ICE's lists",
    "profile.history.names": "Also listed as {names}.",
    "profile.history.relisted": "Off ICE's list after {gap_from}; relisted {month}.",
    "profile.history.new_moa": " New MOA signed {signed}.",
    "profile.col.moa": "Agreement (MOA)",
    "profile.col.status": "Status now",
    "profile.col.matched": "How the county was found",
    "profile.moa_link": "Read the MOA",
    "profile.law.stance": "Stance in {month}: {stance}.",
    "profile.law.stance_check": "Stance in {month}: {stance} (the weakest check of the laws "
                                "behind it: {check}).",
    "profile.law.none_found": (
        "No state law found on detainer holds, release notification, jail access, 287(g), "
        "detention contracts or local limits (a search of state laws in force since 2019 found "
        "none; {check}). That is not a “no”: it means no state law settles these questions."
    ),
    "profile.law.in_effect": "Laws in effect in {month}",
    "profile.law.none_in_effect": (
        "No state law on these questions was in effect throughout {month}."
    ),
    "profile.law.heading": "{citation}{title} · {kind}",
    "profile.law.dates": "In effect since {effective}{until}.",
    "profile.law.until": ", until {ended} ({reason})",
    "profile.law.overridden": (
        "Not applied in {month}: where laws in effect differ on a practice, the one that took "
        "effect last settles it, here {law}."),
    "profile.law.quote": "{provision}: “{quote}”",
    "profile.law.quote_only": "“{quote}”",
    "profile.law.quote_unchecked": (
        "{provision}, as the source below puts it (not checked against the law's text): "
        "“{quote}”"
    ),
    "profile.law.quote_unchecked_only": (
        "As the source below puts it (not checked against the law's text): “{quote}”"
    ),
    "profile.law.undated.one": (
        "One reading of this state's laws has no established effective date, so it is applied "
        "to no month (listed under “Other laws” below)."
    ),
    "profile.law.undated": (
        "{n} readings of this state's laws have no established effective date, so they are "
        "applied to no month (listed under “Other laws” below)."
    ),
    "profile.law.history": "{dimension}, history: {periods}.",
    "profile.law.check": "How checked: {check}.",
    "profile.law.secondary": "How checked: {check} ({source}).",
    "profile.law.read": "Read the text",
    "profile.law.others": "Other laws of this state (not in effect in {month})",
    "profile.law.later": "takes effect {effective}",
    "profile.law.ended": "ended {ended} ({reason})",
    "profile.law.never": "{reason} before it took effect on {effective}, so applied to no month",
    "profile.law.no_date": "effective date not established, so applied to no month",
    "profile.law.other_line": "{citation}: {dimension}: {text} ({when}; {check}).",
    "profile.policy.line": "{dimension}: {text}.",
    "profile.policy.law_text": "state law {text}",
    "profile.policy.law_text.court_ruling": "a court ruling {text}",
    "profile.policy.law_text.ag_guidance": "an attorney general directive or opinion {text}",
    "profile.policy.law_text.executive_order": (
        "a governor's executive order or policy {text}"),
    "profile.policy.law_text.regulation": "a state regulation {text}",
    "profile.policy.law_text.constitution": "the state constitution {text}",
    "profile.policy.basis": "Basis: {basis} ({source}); {check}.",
    "profile.policy.staff": "Basis: {basis}. Source: {source} (staff finding, checked {date}).",
    "profile.policy.unknown": (
        "No state law in effect in {month} settles it, and no local finding exists in our data."
    ),
    "profile.policy.undated_also": "Also read, but not applied to any month: {line}",
    "profile.policy.undated_value": (
        "Unknown: a law on it was read, but its effective date is not established"
    ),
    "profile.policy.history": "History: {periods}.",
    "profile.policy.also_law": "from {date} also {law}",
    "profile.policy.then_law": "from {date} {law}",
    "profile.policy.law_until": "until {end}",
    "profile.policy.since": "since {date}: {text} ({law})",
    "profile.policy.between": "{start} to {end}: {text} ({law})",
    "profile.policy.before": "before {date}: no state law found in effect",
    "profile.policy.no_law": "{start} to {end}: no state law found in effect",
    "profile.federal.none": "Not named on the DHS (May 2025) or DOJ (August 2025) lists.",
    "profile.federal.named": "Named as “{name}” on the {list}.",
    "profile.federal.city_named": (
        "Not named itself, but a city in it is: “{name}” on the {list}."
    ),
    "profile.federal.caveat": (
        "These lists are the federal government's allegations, not findings about practice; "
        "the DHS list was withdrawn days after publication because of errors."
    ),
    "profile.population": "{population} residents (Census estimate for July 1, 2024).",
    "profile.population.missing": "Population unknown: {note}",
    "profile.in_state": "Part of {state}. ",
    "profile.state_link": "Open the {state} profile",
    "profile.compare_link": "Compare with another place",
    "profile.map_caption": "{state}: 287(g) agreements by model, {month}.",
    # --- compare -------------------------------------------------------------------------------
    "compare.places": "Places to compare (2 to 4)",
    "compare.places.help": "Counties and states; type to search.",
    "compare.need_two": "Pick at least two places.",
    "compare.too_many": "Showing the first four places.",
    "compare.differs": "differs",
    "compare.tab.places": "Places side by side",
    "compare.tab.maps": "Two maps",
    "compare.month_a": "Left map month",
    "compare.month_b": "Right map month",
    "compare.layer_a": "Left map layer",
    "compare.layer_b": "Right map layer",
    "compare.dim.state": "State",
    "compare.dim.population": "Population (2024)",
    "compare.dim.agreements": "Active 287(g) agreements",
    "compare.dim.agencies": "Agencies with an agreement",
    "compare.dim.models": "Models",
    "compare.dim.sheriff": "Sheriff participates",
    "compare.dim.statewide": "Statewide agencies' agreements",
    "compare.dim.pending": "Pending agreements",
    "compare.dim.stance": "State law",
    "compare.dim.federal": "Federal lists",
    "compare.dim.detention": "ICE detention in local jails",
    "compare.dim.federal_city": "A city in it on a federal list",
    "compare.dim.counties_with_287g": "Counties with an agreement",
    "compare.legend": (
        "Rows marked “differs” are not the same for the places they apply to (population and "
        "how a source was checked are not compared). “—”: the row does not apply to that place "
        "(a state has no one sheriff)."
    ),
    "compare.na": "—",
    "compare.detention.month": (
        "ICE detention in local jails: the daily detention counts cover {first} to {last}, not "
        "{month}; the row shows {shown}."
    ),
    "compare.profile": "Profile: {place}",
    # --- trends ------------------------------------------------------------------------------
    "trends.states.month": "Month of the state ranking",
    "trends.growth.title": "287(g) agreements by model, monthly",
    "trends.new.title": "New 287(g) agreements each month",
    "trends.states.title": "States by 287(g) agreements, {month}",
    "trends.state.title": "{state}: 287(g) agreements by model",
    "trends.detention.title": "People in ICE detention by agreement type, monthly",
    "trends.detention.subtitle": (
        "Average per day, United States, {first} to {last} (March 2026: 10 days)"
    ),
    "trends.detention.states.title": "States by people held in local jails for ICE, {month}",
    "trends.detention.states.subtitle": (
        "Average per day in facilities under a local government's agreement (IGSA, DIGSA, USMS "
        "IGA), {month}"
    ),
    "trends.axis.people": "People on an average day",
    "trends.state.pick": "A state's own trend",
    "trends.subtitle": "Active agreements, United States{filters}, January 2021 to {month}",
    "trends.subtitle.states": "Active agreements per state or territory{filters}, {month}",
    "trends.subtitle.new": (
        "Agreements listed by ICE for the first time, or listed again after a gap under a new "
        "MOA (another signed date), February 2021 to {month}; a renamed agency is not counted"
    ),
    "trends.ended.title": "287(g) agreements no longer listed, each month",
    "trends.subtitle.ended": (
        "Agreements gone from ICE's list that month and not listed again, or listed again "
        "only under a new MOA, February 2021 to {month}; a renamed agency is not counted"
    ),
    "trends.axis.month": "Month",
    "chart.span": "{start} to {end}",
    "trends.axis.agreements": "Agreements",
    "trends.axis.state": "State",
    "trends.note": (
        "Before February 2025 the lists come from archived copies of ICE's web page, so months "
        "where the page did not change repeat the same values."
    ),
    "trends.table": "The numbers behind the charts",
    "trends.law.title": "States with a law requiring or limiting detainer holds, by month",
    "trends.law.subtitle": (
        "State-law readings in effect on the whole month, 50 states and DC, {start} to {end}"
    ),
    "trends.law.axis": "States",
    "trends.law.value.honored": "Law requires holds on a detainer",
    "trends.law.value.limited": "Law allows holds only in listed cases",
    "trends.law.value.judicial_warrant_only": "Law forbids holds without a judicial warrant",
    "trends.law.value.declined": "Law forbids holds on a detainer",
    "trends.law.source": (
        "Source: state-law readings ({checked} of {n} detainer readings checked against the "
        "law's text; the others from summaries or unverified drafts). coopmap, dataset "
        "{release}."
    ),
    # --- about --------------------------------------------------------------------------------
    "about.intro": (
        "coopmap shows, for every U.S. county and state, how local government cooperates with "
        "U.S. Immigration and Customs Enforcement (ICE): 287(g) agreements, detainer holds, "
        "release notification, jail access, state laws and the federal “sanctuary” lists, "
        "and how this changed since January 2021."
    ),
    "about.glossary": "Glossary",
    "about.caveats": "What the data can and cannot say",
    "about.sources": "Sources",
    "about.release": "This dataset",
    "about.history": "Dataset history",
    "about.correction": "Report a correction",
    "about.correction.contact": "Send it to: {contact}",
    "about.correction.contact.default": (
        "Send it as an issue to coopmap's repository (the organisation running this site sets "
        "its own address with the `COOPMAP_CONTACT` setting)."
    ),
    "about.sources.col.link": "Published at",
    "about.cite": "How to cite",
    "about.cite.text": (
        "coopmap, dataset {release} (ICE list of {as_of}), {url}, accessed {today}. Cite the "
        "link of the view you used: it names the dataset and month, so it shows the same "
        "numbers later."
    ),
    "about.licence": "Licence",
    "about.licence.text": (
        "coopmap's code is under the MIT licence. The data keep the terms of their sources "
        "(listed above): the ICE lists, Census figures and shapes are U.S. government works in "
        "the public domain. The state-law readings are coopmap's own notes on each law, quoting "
        "its text or, where a value says so, a summary by others, not reviewed by a person: "
        "quote them with their source. The AI-drafted third-party table they replaced states no "
        "licence, and no value shown comes from it."
    ),
    "tab.title": "{what} — coopmap",
    "about.correction.text": (
        "If something here is wrong or out of date about your county or state, tell us what, "
        "where, and the source (a link to a policy, a law, a news report or an official "
        "document). Staff review every report against its source before publishing a new "
        "dataset; every fact keeps its source and date. Write to the organisation that runs "
        "this site, quoting the link of the view you looked at."
    ),
    "about.release.line": (
        "Dataset {release}, built {created}. Newest ICE participating list: {as_of}. "
        "Tables: {tables}."
    ),
    "about.sources.col.folder": "Source",
    "about.sources.col.files": "Files",
    "about.sources.col.license": "License / terms",
    "about.sources.col.publisher": "Publisher",
    "about.history.col.at": "When",
    "about.history.col.action": "What",
    "about.history.col.to": "Dataset",
    "about.history.col.by": "By",
    "about.history.col.note": "Note",
    "about.history.action.build": "build",
    "about.history.action.publish": "publish",
    "about.history.action.rollback": "rollback",
    "about.history.action.restored": "restored",
    "about.history.none": "No publication history recorded yet.",
    "about.releases": "Datasets kept",
    "about.uploads": "Files uploaded by staff for this dataset",
    "about.uploads.col.file": "File",
    "about.uploads.col.sha256": "sha256",
    "about.uploads.col.by": "Published by",
    "about.uploads.col.at": "Published",
    "staff.english_only": (
        "The staff page is in English only: it is an internal tool for the people who keep the "
        "data. The public site is fully in Spanish."
    ),
}

GLOSSARY: dict[str, tuple[str, str]] = {
    "287g": (
        "287(g)",
        "Section 287(g) of the Immigration and Nationality Act (8 U.S.C. §1357(g)), added in "
        "1996, lets ICE delegate some immigration-officer functions to state and local officers "
        "under a signed memorandum of agreement (MOA), under ICE supervision. One agency can "
        "hold several models.",
    ),
    "JEM": (
        "Jail Enforcement Model (JEM)",
        "Officers identify and process removable people already booked into the jail "
        "(interviews, database checks, detainers, charging documents).",
    ),
    "WSO": (
        "Warrant Service Officer (WSO)",
        "Officers serve ICE administrative warrants on people already in the agency's jail; "
        "created in 2019.",
    ),
    "TFM": (
        "Task Force Model (TFM)",
        "Officers use limited immigration authority during routine policing in the community; "
        "ended in 2012, revived in 2025, now the most common model.",
    ),
    "detainer": (
        "Detainer (Form I-247A)",
        "ICE's request that a jail notify it before release and hold a person up to 48 hours "
        "beyond release. Signed by an ICE officer, not a judge; an administrative warrant is "
        "not a judicial warrant. Honoring it is voluntary under federal law, but some state "
        "laws require it and others forbid holds without a judicial warrant.",
    ),
    "release_notification": (
        "Release notification",
        "Telling ICE when someone will be released (without holding them).",
    ),
    "jail_access": ("Jail access", "Letting ICE agents into the jail to interview people."),
    "secure_communities": (
        "Secure Communities",
        "Fingerprints taken at booking reach DHS through the FBI automatically; no county can "
        "opt out. “Data sharing” means sharing beyond that baseline.",
    ),
    "IGSA": (
        "IGSA (Intergovernmental Service Agreement)",
        "A contract in which a county, city or state agrees to hold people in ICE custody in its "
        "jail for a daily rate paid by ICE. Local cooperation: the local government signs it.",
    ),
    "DIGSA": (
        "DIGSA (dedicated IGSA)",
        "An IGSA for a facility used only for ICE detainees, often run by a private company "
        "under the local government's agreement (the county signs, a contractor operates).",
    ),
    "USMS IGA": (
        "USMS IGA (U.S. Marshals agreement)",
        "The jail holds people for ICE under its agreement with the U.S. Marshals Service, which "
        "ICE uses. Local cooperation through a federal intermediary: the local jail holds them.",
    ),
    "CDF": (
        "CDF (contract detention facility)",
        "A privately run detention center under contract with ICE directly; no local "
        "government is a party.",
    ),
    "SPC": (
        "SPC (service processing center)",
        "A detention center owned by ICE. Federal detention in the county, not the county's "
        "cooperation.",
    ),
    "ADP": (
        "ADP (average daily population)",
        "The average number of people held on a day. ICE's workbooks give it for the fiscal "
        "year up to the data pull (the sum of its security levels A-D); monthly figures here "
        "are the average of the Deportation Data Project's daily counts.",
    ),
    "sanctuary": (
        "“Sanctuary”",
        "Has no legal definition; this site uses the descriptive fields above. Federal lists "
        "are allegations, and the DHS list was withdrawn days after publication because of "
        "errors.",
    ),
}

CAVEATS: list[str] = [
    "Unknown is not “no”. No county-level data on detainer holds, release notification or "
    "jail access exists in our sources. Where a state law settles the question statewide, the "
    "county inherits it and the basis says so; everywhere else the value is unknown.",
    "The newest ICE list here is dated {as_of}. The program has grown since: a public count "
    "found about 2,510 active agreements in October 2026. Staff add newer ICE lists as they "
    "are published.",
    "State laws come from readings of each law (citation, dates, the provision and a quote), "
    "written by research assistants and not reviewed by a person. Each value says how it was "
    "checked: against the law's text, from a secondary source (a summary), or an unverified "
    "draft. A law counts for a month only if it was in effect for the whole month; a reading "
    "whose effective date is not established counts for no month, and the profile names it.",
    "The 2025 federal “sanctuary” lists are allegations by DHS and DOJ, not findings about "
    "practice. The DHS list was withdrawn days after publication because of errors.",
    "Before February 2025, ICE published its list only as a web page; the monthly values come "
    "from archived copies and may miss rows the live page had.",
    "ICE detention: ICE's workbooks list only facilities that held at least one person on the "
    "day of the data pull, and the daily counts only facilities with people. A county with no "
    "facility listed is “none listed”, not “no agreement”: its jail may hold an agreement "
    "without holding anyone. The July 2026 figures are a third party's reading of ICE's "
    "workbook, which is not at hand.",
    "Counties follow the 2017 Census geography (Connecticut's 8 former counties, Alaska's "
    "Valdez-Cordova). City police agreements belong to the county ICE names for them; "
    "statewide agencies cover the whole state and are not painted onto any county.",
]

# Who published each source folder and under which terms (from data/sources/*/PROVENANCE.md).
SOURCE_TERMS: dict[str, tuple[str, str]] = {
    "ice_287g": (
        "U.S. Immigration and Customs Enforcement, 287(g) participating and pending agency "
        "lists (archived by RelevantResearch/287g-DetentionData)",
        "U.S. government work, public domain",
    ),
    "state_laws": (
        "State law stances, recoveredfactory/287g-watch (AI-drafted, unreviewed, 2026-09-22)",
        "No license stated by the repository",
    ),
    "sanctuary_designations": (
        "DHS “Sanctuary Jurisdictions” page (2025-05-29, withdrawn) and DOJ list (2025-08-05), "
        "transcribed for this project",
        "U.S. government work, public domain",
    ),
    "population": (
        "U.S. Census Bureau, county and state population estimates, Vintage 2024",
        "U.S. government work, public domain",
    ),
    "geo": (
        "U.S. Census Bureau 2017 county and state boundaries via us-atlas 3.0.1, simplified "
        "and projected (Albers USA) by coopmap",
        "Census: public domain; us-atlas: ISC",
    ),
    "ice_detention": (
        "U.S. ICE detention-statistics workbooks FY2019-FY2026; Deportation Data Project daily "
        "population by facility; Detention System Data facility registry and its parse of "
        "ICE's 2026-07-20 workbook",
        "ICE: U.S. government work, public domain; DDP and Detention System Data: CC0 1.0",
    ),
}

# Where each source folder's files were published (from its PROVENANCE.md), for About's links.
SOURCE_LINKS: dict[str, str] = {
    "ice_287g": "https://www.ice.gov/identify-and-arrest/287g",
    "state_laws": "https://github.com/recoveredfactory/287g-watch",
    "sanctuary_designations": "https://www.dhs.gov/sanctuary-jurisdictions",
    "population": "https://www2.census.gov/programs-surveys/popest/datasets/2020-2024/counties/"
                  "totals/co-est2024-alldata.csv",
    "geo": "https://github.com/topojson/us-atlas",
    "ice_detention": "https://www.ice.gov/detain/detention-management",
}

# The languages of the interface, each named in itself (the switch shows them so), and the
# Babel locale that formats its numbers and dates (Spanish as written in the United States).
LANGUAGES: dict[str, str] = {"en": "English", "es": "Español"}
LOCALES: dict[str, str] = {"en": "en_US", "es": "es_US"}
CATALOGUES: dict[str, dict[str, str]] = {"en": EN}

# The language of the code running now. A context variable, not a module global: Streamlit runs
# each session's script in its own thread, and every thread starts with its own context, so the
# language one visitor's run sets is never seen by another's (tests/test_language.py runs two
# sessions at once). The UI sets it at the top of each run (``coopmap.ui.language``); domain
# code reads it through ``t``, or is run ``in_language``.
_language: ContextVar[str] = ContextVar("coopmap_language", default=DEFAULT_LANGUAGE)


def _checked(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r} is not available; choose from {list(LANGUAGES)}")
    return language


def language() -> str:
    """The language of this run ("en" unless the UI or ``in_language`` chose another)."""
    return _language.get()


def use_language(language: str) -> None:
    """Choose the language for the rest of this run (its thread's context); unknown languages
    raise with the valid choices."""
    _language.set(_checked(language))


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Run a block in ``language`` and restore the one before (tests, domain callers)."""
    token = _language.set(_checked(language))
    try:
        yield
    finally:
        _language.reset(token)


def bound(fn: Callable[[Any], str]) -> Callable[[Any], str]:
    """``fn`` fixed to the language of now. For a widget's ``format_func``: Streamlit may call it
    outside the script run that drew the widget (AppTest does, in the test's thread; a widget
    callback runs before the run sets its language), and it must format as the widget was drawn."""
    chosen = _language.get()

    def formatted(value: Any) -> str:
        token = _language.set(chosen)
        try:
            return fn(value)
        finally:
            _language.reset(token)

    return formatted


def preferred_language(locale: str | None, accept_language: str | None = None) -> str:
    """The interface language for a browser: its ``navigator.language`` (``locale``) if we
    have that language, else the first we have in its Accept-Language header (by weight), else
    English. ``"es-MX"`` -> ``"es"``; ``"fr-FR"`` with ``"fr;q=1, es;q=0.8"`` -> ``"es"``."""
    tags: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        if tag:
            tags.append((-weight, i, tag))
    candidates = [locale or ""] + [tag for _, _, tag in sorted(tags)]
    for tag in candidates:
        primary = tag.strip().replace("_", "-").split("-")[0].lower()
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def t(msg_id: str, /, **values: object) -> str:
    """The message ``msg_id`` in the current language, with ``values`` filled in.

    A message missing from a translation falls back to English (tests/test_language.py fails
    on any); an id missing everywhere is a programming error and raises KeyError.
    """
    language = _language.get()
    template = CATALOGUES.get(language, EN).get(msg_id)
    if template is None:
        template = EN[msg_id]
    if not values:
        return template
    return fill(template, **values)


def fill(template: str, /, **values: object) -> str:
    """``template`` with ``values`` filled in as ``t`` fills a message: outside English an ISO
    date or month reads as words (for texts kept outside the catalogue, e.g. the caveats)."""
    if _language.get() != DEFAULT_LANGUAGE:  # "del 2026-05-18" reads "del 18 de mayo de 2026"
        values = {k: _dated(v) for k, v in values.items()}
    return template.format(**values)


def dated(value: object) -> object:
    """A table cell's ISO date, month or UTC time in the current language: words outside
    English ("2 de diciembre de 2026, 13:20 UTC"), as it is in English."""
    return value if _language.get() == DEFAULT_LANGUAGE else _dated(value)


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z")
_ISO_MONTH = re.compile(r"\d{4}-\d{2}")


def _dated(value: object) -> object:
    """An ISO date or month given to a message, in the current language's words (English keeps
    ISO dates, which its readers and tests quote); anything else as it is."""
    if isinstance(value, _date):
        return date_label(value.isoformat())
    if isinstance(value, str):
        if _ISO_TIME.fullmatch(value):  # a release's creation time, in UTC
            return f"{date_label(value[:10])}, {value[11:16]} UTC"
        if _ISO_DAY.fullmatch(value):
            return date_label(value)
        if _ISO_MONTH.fullmatch(value) and 1 <= int(value[5:]) <= 12:
            return month_label(value)
    return value


def tn(msg_id: str, n: int, /, **values: object) -> str:
    """``t`` with a count: the message's ``.zero`` or ``.one`` form when ``n`` is 0 or 1 and the
    catalogue has one ("1 months" never shows), else the message itself; ``n`` is passed too."""
    n = int(n)
    catalogue = CATALOGUES.get(_language.get(), EN)
    for suffix, wanted in ((".zero", 0), (".one", 1)):
        form = msg_id + suffix
        if n == wanted and (form in catalogue or form in EN):
            return t(form, n=number(n), **values)
    return t(msg_id, n=number(n), **values)


def _vocab_names() -> dict[int, str]:
    """{id(vocabulary dict): its name} for every label vocabulary of ``coopmap.schema``: the
    upper-case dicts of words (colours excluded); a dict of dicts names each inner dict
    ``NAME.key``."""
    names: dict[int, str] = {}
    for name, value in vars(schema).items():
        if not name.isupper() or not isinstance(value, dict) or name.endswith("COLOURS"):
            continue
        if name in ("TABLES",):
            continue
        inner = list(value.values())
        if inner and all(isinstance(v, dict) for v in inner):
            for key, sub in value.items():
                names.setdefault(id(sub), f"{name}.{key}")
        elif inner and all(isinstance(v, str) for v in inner):
            names.setdefault(id(value), name)
    return names


VOCABULARIES: dict[int, str] = _vocab_names()


def vocab_id(vocab: dict[str, str], code: str) -> str:
    """The message id of a vocabulary label: ``vocab.<NAME>.<code>`` (``NAME`` as in schema)."""
    name = VOCABULARIES.get(id(vocab))
    if name is None:
        raise ValueError("not a vocabulary of coopmap.schema: "
                         + ", ".join(sorted(VOCABULARIES.values())))
    return f"vocab.{name}.{code}"


def label(vocab: dict[str, str], code: str, vocab_name: str = "") -> str:
    """Words for a vocabulary code (a schema dict) in the current language: the translation's
    ``vocab.<NAME>.<code>`` message, else the schema's English words, else the code."""
    if code not in vocab:
        return code
    name = VOCABULARIES.get(id(vocab))
    if name is not None and _language.get() != DEFAULT_LANGUAGE:
        override = CATALOGUES.get(_language.get(), {}).get(f"vocab.{name}.{code}")
        if override is not None:
            return override
    return vocab[code]


def words(vocab: dict[str, str]) -> dict[str, str]:
    """The whole vocabulary in the current language ({code: words}, in the schema's order), for
    ``Series.map`` and lookups."""
    return {code: label(vocab, code) for code in vocab}


def model_list(codes: list[str]) -> str:
    """'Jail Enforcement Model and Task Force Model' style list of model names."""
    names = [label(schema.MODELS, c) for c in schema.MODELS if c in codes]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + t("list.and") + names[-1]


def capitalised(words: str) -> str:
    """The first letter upper-case: a Spanish month name opening a sentence ("Marzo de 2026")."""
    return words[:1].upper() + words[1:]


def locale() -> str:
    """The Babel locale of the current language."""
    return LOCALES[_language.get()]


@cache
def _symbols(locale_id: str) -> tuple[str, str, bool]:
    """(group symbol, decimal symbol, whether Babel's pattern groups by threes) of a locale."""
    plain = format_decimal(1234567.5, format="#,##0.0", locale=locale_id)
    group, dec = get_group_symbol(locale_id), get_decimal_symbol(locale_id)
    return group, dec, plain == f"1{group}234{group}567{dec}5"


def number(n: int | float | None) -> str:
    """Thousands separators as the current language writes them (Babel's symbols: "2,510" in
    both en_US and es_US); unknown stays unknown. Called per row of a map's hover data, so the
    symbols are looked up once (format_decimal itself takes ~7 µs a call)."""
    if n is None or pd.isna(n):
        return t("unknown")
    group, _, threes = _symbols(locale())
    if not threes:
        return format_decimal(int(n), locale=locale())
    return f"{int(n):,}".replace(",", group)


def decimal(x: float, digits: int = 1) -> str:
    """A number with ``digits`` decimals, as the current language writes it."""
    group, dec, threes = _symbols(locale())
    if not threes:
        return format_decimal(round(float(x), digits), format="#,##0." + "0" * digits,
                              locale=locale())
    return f"{float(x):,.{digits}f}".replace(",", "\0").replace(".", dec).replace("\0", group)


def signed(n: int) -> str:
    """A change with its sign ("+12", "−3", "0")."""
    n = int(n)
    return ("+" if n > 0 else "") + number(n)


def month_label(month: str) -> str:
    """"May 2026" / "mayo de 2026" for a "2026-05" month."""
    return format_skeleton("yMMMM", _date.fromisoformat(month + "-01"), locale=locale())


def month_short(month: str) -> str:
    """"May 2026" / "may 2026" (abbreviated month) for chart ticks."""
    return format_skeleton("yMMM", _date.fromisoformat(month + "-01"), locale=locale())


def date_label(day: str) -> str:
    """"May 18, 2026" / "18 de mayo de 2026" for an ISO date; other text is returned as is."""
    try:
        value = _date.fromisoformat(str(day)[:10])
    except ValueError:
        return str(day)
    return format_date(value, "long", locale=locale())


GLOSSARIES: dict[str, dict[str, tuple[str, str]]] = {"en": GLOSSARY}
CAVEAT_LISTS: dict[str, list[str]] = {"en": CAVEATS}
SOURCE_TERM_LISTS: dict[str, dict[str, tuple[str, str]]] = {"en": SOURCE_TERMS}


def glossary() -> dict[str, tuple[str, str]]:
    """{key: (term, definition)} in the current language."""
    return GLOSSARIES.get(_language.get(), GLOSSARY)


def caveats() -> list[str]:
    """What the data can and cannot say, in the current language (``{as_of}`` to fill)."""
    return CAVEAT_LISTS.get(_language.get(), CAVEATS)


def source_terms() -> dict[str, tuple[str, str]]:
    """{source folder: (publisher, terms)} in the current language."""
    return SOURCE_TERM_LISTS.get(_language.get(), SOURCE_TERMS)


PLOTLY_DICTIONARIES: dict[str, dict[str, str]] = {}


def plotly_locale() -> dict[str, Any] | None:
    """The current language as a plotly.js locale (config ``locales``): the chart toolbar's words
    and Babel's month and day names, so plotly's own text is in the page's language too. None
    for English (plotly's own)."""
    lang = _language.get()
    if lang == DEFAULT_LANGUAGE:
        return None
    from babel.dates import get_day_names, get_month_names

    loc = locale()
    months = get_month_names("wide", locale=loc)
    short = get_month_names("abbreviated", locale=loc)
    days = get_day_names("wide", locale=loc)
    short_days = get_day_names("abbreviated", locale=loc)
    sunday_first = [6, 0, 1, 2, 3, 4, 5]  # plotly counts days from Sunday, Babel from Monday
    group, dec, _ = _symbols(loc)
    return {"dictionary": PLOTLY_DICTIONARIES.get(lang, {}),
            "format": {"months": [months[i] for i in range(1, 13)],
                       "shortMonths": [short[i].rstrip(".") for i in range(1, 13)],
                       "days": [days[i] for i in sunday_first],
                       "shortDays": [short_days[i].rstrip(".") for i in sunday_first],
                       "decimal": dec, "thousands": group}}


def _load_translations() -> None:
    from coopmap import text_es

    CATALOGUES["es"] = text_es.ES
    GLOSSARIES["es"] = text_es.GLOSSARY
    CAVEAT_LISTS["es"] = text_es.CAVEATS
    SOURCE_TERM_LISTS["es"] = text_es.SOURCE_TERMS
    PLOTLY_DICTIONARIES["es"] = text_es.PLOTLY


_load_translations()
