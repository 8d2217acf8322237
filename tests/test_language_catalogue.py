"""The Spanish catalogue is complete and every public page reads in Spanish with ``?lang=es``.

* Every EN message id has an ES text with the same placeholders, and it is not the English text
  left in place (unless listed in SAME_IN_BOTH: a number, a code, a template of other words).
* Every vocabulary of ``coopmap.schema`` has Spanish words for each code; the glossary, caveats
  and source terms have a Spanish entry each.
* AppTest opens every public page in Spanish and finds no English interface string on it: the
  English catalogue's texts (cut at their placeholders) and vocabulary labels are searched in
  everything the page sends (text, widget labels and options, tables, charts, the map's data).
  Data text (agency and law names, quotes) is not interface text and is not searched for.
"""

from __future__ import annotations

import contextlib
import json
import re
import string
from pathlib import Path

import pandas as pd
import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from coopmap import schema, text, text_es

pytestmark = pytest.mark.usefixtures("fresh_cache")
APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")

# Ids whose Spanish is rightly the same as the English: numbers, codes, templates of other words.
SAME_IN_BOTH = {
    "count.1", "no", "fig.map.subtitle", "hover.stance.value", "hover.policy.value",
    "search.context.city", "profile.law.heading",
    "profile.policy.line", "tab.title", "about.uploads.col.sha256", "search.context.zip",
    "profile.law.quote", "profile.law.quote_only", "compare.na", "fig.site",
    "profile.law.other_line",
}


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_message_has_a_spanish_text_with_the_same_placeholders():
    missing = sorted(set(text.EN) - set(text_es.ES))
    assert missing == [], f"add these ids to coopmap/text_es.py ES: {missing}"
    untranslated = sorted(k for k in text.EN if text_es.ES[k] == text.EN[k]
                          and k not in SAME_IN_BOTH)
    assert untranslated == [], f"ES is the English text: {untranslated}"
    differ = {k: (placeholders(text.EN[k]), placeholders(text_es.ES[k])) for k in text.EN
              if placeholders(text.EN[k]) != placeholders(text_es.ES[k])}
    assert differ == {}
    stray = sorted(k for k in text_es.ES if k not in text.EN and not k.startswith("vocab."))
    assert stray == [], f"ids in ES that EN does not have: {stray}"
    # A listed exception that has become different is dropped from the list.
    assert {k for k in SAME_IN_BOTH if text_es.ES[k] != text.EN[k]} == set()


def test_every_vocabulary_has_spanish_words_for_every_code():
    for vocab_id, name in text.VOCABULARIES.items():
        vocab = next(v for v in _vocabularies() if id(v) == vocab_id)
        for code, english in vocab.items():
            key = f"vocab.{name}.{code}"
            assert key in text_es.ES, f"add {key!r} (English: {english!r}) to text_es.VOCAB"
    with text.in_language("es"):
        assert text.label(schema.MODELS, "JEM") == "Modelo de cárceles (JEM)"
        assert text.words(schema.STANCES)["none"] != schema.STANCES["none"]
    known = {f"vocab.{n}." for n in text.VOCABULARIES.values()}
    assert [k for k in text_es.ES if k.startswith("vocab.")
            and not any(k.startswith(p) for p in known)] == []


def test_glossary_caveats_and_sources_have_a_spanish_entry_each():
    assert text_es.GLOSSARY.keys() == text.GLOSSARY.keys()
    assert len(text_es.CAVEATS) == len(text.CAVEATS)
    assert [placeholders(c) for c in text_es.CAVEATS] == [placeholders(c) for c in text.CAVEATS]
    assert text_es.SOURCE_TERMS.keys() == text.SOURCE_TERMS.keys()
    for key, (_term, definition) in text_es.GLOSSARY.items():
        assert definition != text.GLOSSARY[key][1], key
    # 287(g) stays as it is; the detainer keeps its English word in parentheses.
    assert text_es.GLOSSARY["287g"][0] == "287(g)"
    assert "(detainer" in text_es.GLOSSARY["detainer"][0]


def test_numbers_and_months_are_written_for_spanish_readers():
    with text.in_language("es"):
        assert text.month_label("2026-05") == "mayo de 2026"
        assert text.date_label("2026-05-18") == "18 de mayo de 2026"
        assert text.number(2510) == "2,510"  # es_US groups like English in the U.S.
        assert text.decimal(2.45) in ("2.4", "2.5")
        assert text.model_list(["JEM", "TFM"]) == (
            "Modelo de cárceles (JEM) y Modelo de grupo de trabajo (TFM)")
    assert text.month_label("2026-05") == "May 2026"


def _vocabularies():
    for name, value in vars(schema).items():
        if not isinstance(value, dict) or not name.isupper():
            continue
        yield value
        for inner in value.values():
            if isinstance(inner, dict):
                yield inner


# --- no English on the Spanish pages ------------------------------------------------------------

MONTH_YEAR = re.compile(r"\b(January|February|March|April|May|June|July|August|September|"
                        r"October|November|December) \d{4}\b")


def _fragments(template: str) -> list[str]:
    """The literal pieces of a template, cut at placeholders, markup and curly quotes."""
    pieces = re.split(r"\{[^}]*\}|[*“”‘’\"()\[\]:;·—–…]|\s-\s", template)
    return [p.strip(" ,.") for p in pieces]


def english_strings() -> set[str]:
    """Interface English worth searching for: pieces of at least two words or 10 letters, that
    no Spanish text also contains (a code, a name, "287(g)")."""
    english = list(text.EN.values())
    english += [w for v in _vocabularies() for w in v.values() if isinstance(w, str)]
    english += [part for pair in text.GLOSSARY.values() for part in pair] + text.CAVEATS
    english += [part for pair in text.SOURCE_TERMS.values() for part in pair]
    spanish = " ".join(list(text_es.ES.values())
                       + [p for pair in text_es.GLOSSARY.values() for p in pair]
                       + text_es.CAVEATS
                       + [p for pair in text_es.SOURCE_TERMS.values() for p in pair])
    out = set()
    for template in english:
        pieces = _fragments(template)
        for piece in pieces:
            whole = len(pieces) == 1  # a message of its own ("Agencies"), not a part of one
            if ((" " in piece and len(piece) >= 8) or (whole and len(piece) >= 6)) \
                    and re.search(r"[a-z]{3}", piece) and piece not in spanish:
                out.add(piece)
    return out


def page_strings(at: AppTest) -> tuple[str, set[str]]:
    """Everything the page sent: every element's proto as JSON text, and the set of its single
    strings (each text, label, option, table header and cell, chart string)."""
    texts: list[str] = []
    leaves: set[str] = set()

    def strip_code(value):
        # The map component's own JavaScript and CSS travel in its proto: code, not text.
        if isinstance(value, dict):
            return {k: strip_code(v) for k, v in value.items()}
        if isinstance(value, list):
            return [strip_code(v) for v in value]
        if isinstance(value, str):
            if "\nfunction " in value or "\n.cm-" in value:
                return ""
            leaves.add(value.strip())
            if value[:1] in "{[":  # a JSON document inside (a chart, the map's data)
                with contextlib.suppress(ValueError):
                    doc = json.loads(value)
                    if isinstance(doc, dict) and "locales" in doc:
                        # A chart's config: plotly's Spanish locale is keyed by its English
                        # words, which are not shown.
                        doc.pop("locales")
                        value = json.dumps(doc, ensure_ascii=False)
                    strip_code(doc)
        return value

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            texts.append(json.dumps(strip_code(MessageToDict(proto)), ensure_ascii=False))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    for frame in at.dataframe:
        value = frame.value
        cells = [str(c) for c in value.columns]
        cells += [str(v) for v in value.astype("string").fillna("").to_numpy().ravel()]
        texts += cells
        leaves.update(c.strip() for c in cells)
    return "\n".join(texts).replace("\\\"", "\""), leaves


def english_on(at: AppTest) -> list[str]:
    """English interface strings on the page: a piece of several words anywhere in its text, a
    one-word message ("Agencies") only as a whole string of its own (not inside "United
    States" in a quoted law, or a file name)."""
    sent, leaves = page_strings(at)
    hits = sorted(s for s in english_strings()
                  if (s in sent if " " in s else s in leaves))
    hits += sorted(set(MONTH_YEAR.findall(sent)))
    return hits


PAGES = {
    "map county": ("app_pages/map.py", {}),
    "map state law": ("app_pages/map.py", {"level": "state", "layer": "detainer_holds"}),
    "map federal": ("app_pages/map.py", {"layer": "federal", "states": ["06"],
                                         "models": ["TFM"], "agencies": ["county"]}),
    "map detention": ("app_pages/map.py", {"layer": "detention", "month": "2025-06"}),
    "profile county": ("app_pages/profile.py", {"place": "48201"}),
    "profile county, detention": ("app_pages/profile.py", {"place": "12086",
                                                           "layer": "detention"}),
    "profile state": ("app_pages/profile.py", {"place": "06"}),
    "profile territory": ("app_pages/profile.py", {"place": "72"}),
    "profile none": ("app_pages/profile.py", {}),
    "compare": ("app_pages/compare.py", {"places": ["48201", "12", "06037"]}),
    "trends": ("app_pages/trends.py", {"state": "48", "agencies": ["county"]}),
    "about": ("app_pages/about.py", {}),
    # Read in screenshots for issue 13 (helper esread): state and territory profiles, every
    # layer at both levels, two states compared, and the notices of a bad link.
    "profile state, Texas": ("app_pages/profile.py", {"place": "48"}),
    "profile DC": ("app_pages/profile.py", {"place": "11"}),
    "profile territory, Guam": ("app_pages/profile.py", {"place": "66"}),
    "profile state, detention": ("app_pages/profile.py", {"place": "48", "layer": "detention",
                                                          "month": "2025-06"}),
    "compare two states": ("app_pages/compare.py", {"places": ["48", "06"]}),
    "map month=bad": ("app_pages/map.py", {"month": "bad"}),
    "map release=nosuch": ("app_pages/map.py", {"release": "nosuch"}),
    **{f"map {layer} {level}": ("app_pages/map.py",
                                {"layer": layer, "level": level,
                                 **({"month": "2025-06"} if layer.startswith("detention") else {})})
       for layer in ("model", "count", "stance", "detainer_holds", "release_notification",
                     "jail_access", "federal", "detention", "detention_adp")
       for level in ("state", "county")},
}


@pytest.mark.parametrize("view", list(PAGES))
def test_a_spanish_page_shows_no_english_interface_text(view, release):
    page, params = PAGES[view]
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = "es"
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception
    assert english_on(at) == []
    assert at.query_params["lang"] == "es"
    if view not in ("profile none", "about"):  # no view to share there
        links = [m.value for m in at.markdown if "lang=es" in m.value]
        assert links, "the share link keeps lang=es"


def test_the_english_check_finds_english(release):
    """The check can fail: the same page in English is full of hits."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["place"] = "48201"
    at.switch_page("app_pages/profile.py").run()
    hits = english_on(at)
    assert len(hits) > 30
    assert text.EN["profile.section.state_law"] in hits or "State law" in hits


def test_the_staff_page_says_in_spanish_that_it_is_in_english(release):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = "es"
    at.switch_page("app_pages/staff.py").run()
    assert not at.exception
    assert [i.value for i in at.info if i.value == text_es.ES["staff.english_only"]]


def test_tables_are_spanish_but_the_csv_download_is_built_by_the_same_table(release):
    with text.in_language("es"):
        from coopmap import postures
        from coopmap.ui import queries

        month = postures.months(release)[-1]
        rows = postures.county_postures(release, month)
        table = queries.display_table(rows, "county", "model")
    assert text_es.ES["table.col.place"] in table.columns
    assert isinstance(table, pd.DataFrame)


def test_a_longer_spanish_source_line_gets_room_in_the_chart():
    """Spanish runs longer: a source of five lines makes the figure taller, not cut at its foot."""
    from coopmap import figures

    df = pd.DataFrame({"month": ["2026-04", "2026-05"], "n": [1, 2], "m": ["JEM", "JEM"]})
    common = {"x": "month", "y": "n", "colour": "m", "categories": {"JEM": "JEM"},
              "colours": {"JEM": "#000000"}, "title": "t", "subtitle": "s"}
    short = figures.stacked_bars(df, source="Fuente: ICE.", **common)
    with text.in_language("es"):
        long_source = text.t("fig.source.policy", month="mayo de 2026", settled=24, states=51,
                             checked=text.tn("fig.source.checked", 9), secondary=12,
                             draft=text.tn("fig.source.draft", 3),
                             staff=text.t("fig.source.staff", n=4), release="20261202-x" * 3)
    long = figures.stacked_bars(df, source=long_source, **common)
    assert long.layout.annotations[0].text.count("<br>") >= 3
    assert long.layout.height > short.layout.height
    assert long.layout.margin.b > short.layout.margin.b


ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def test_spanish_texts_write_their_dates_in_words():
    """A date written into a Spanish text reads "29 de mayo de 2025", not 2025-05-29 (the federal
    layer's source line, its legend and the About sources said "del 2025-05-29")."""
    spanish = dict(text_es.ES)
    spanish.update({f"glossary.{k}": " ".join(v) for k, v in text_es.GLOSSARY.items()})
    spanish.update({f"source.{k}": " ".join(v) for k, v in text_es.SOURCE_TERMS.items()})
    spanish.update({f"caveat.{i}": c for i, c in enumerate(text_es.CAVEATS)})
    iso = {k: v for k, v in spanish.items() if isinstance(v, str) and ISO_DAY.search(v)}
    assert iso == {}


def test_the_federal_layer_names_its_list_dates_in_spanish_words(release):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = "es"
    at.query_params["layer"] = "federal"
    at.switch_page("app_pages/map.py").run()
    sent, _ = page_strings(at)
    assert "lista del DHS del 29 de mayo de 2025 (retirada)" in sent
    assert "2025-05-29" not in sent and "2025-08-05" not in sent


def test_a_spanish_profile_picture_leads_with_its_title_and_names_the_outlined_place(release):
    """The profile's map (and its downloaded image) read "Miami-Dade County, FL, resaltado:
    Acuerdos…": an adjective of the wrong gender for most places, and the title second."""
    from map_views import map_views

    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = "es"
    at.query_params["place"] = "12086"
    at.switch_page("app_pages/profile.py").run()
    title = map_views(at)[0]["title"]
    layer = text_es.ES["fig.map.title.county"].format(layer=text_es.ES["layer.model"])
    assert title == f"{layer} (con contorno: Miami-Dade County, FL)"
