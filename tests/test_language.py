"""The language is chosen per visitor, never per process: from ``?lang=`` in the URL, else the
browser's preference on a first visit, kept in the session, switched on every page, carried in
every link; and two sessions in different languages at the same time never affect each other."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from coopmap import text
from coopmap.text_es import ES

pytestmark = pytest.mark.usefixtures("fresh_cache")
APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")
PUBLIC = ["app_pages/map.py", "app_pages/profile.py", "app_pages/compare.py",
          "app_pages/trends.py", "app_pages/about.py"]


def open_page(page: str, params: dict | None = None, locale: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if locale:
        at.context = {"locale": locale}
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.switch_page(page)
    return at.run()


@pytest.mark.parametrize(("locale", "accept", "expected"), [
    ("es-MX", None, "es"), ("es", "en-US,en;q=0.9", "es"), ("en-US", "es;q=1", "en"),
    ("fr-FR", "fr-FR,fr;q=0.9,es;q=0.8,en;q=0.7", "es"), ("fr-FR", "fr,en;q=0.5,es;q=0.9", "es"),
    ("de-DE", "de", "en"), (None, None, "en"), (None, "es-US,es;q=0.9", "es"),
    ("ES_us", "", "es"), ("", "en;q=bad,es;q=0.2", "es"),
])
def test_the_browser_preference_picks_a_language_we_have(locale, accept, expected):
    assert text.preferred_language(locale, accept) == expected


def test_an_unknown_language_is_refused_with_the_choices():
    with pytest.raises(ValueError, match=r"\['en', 'es'\]"):
        text.use_language("fr")


def test_the_language_of_one_thread_is_not_seen_by_another():
    """What Streamlit does: each session's run in its own thread, at the same time."""
    seen: dict[str, list[str]] = {"es": [], "en": []}
    both_set = threading.Barrier(2)

    def run(lang: str) -> None:
        text.use_language(lang)
        both_set.wait(timeout=10)  # the other thread has set its own language by now
        for _ in range(200):
            seen[lang].append(text.t("page.map"))

    threads = [threading.Thread(target=run, args=(lang,)) for lang in ("es", "en")]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert set(seen["es"]) == {ES["page.map"]}
    assert set(seen["en"]) == {text.EN["page.map"]}
    assert text.language() == "en"  # this thread never chose


def test_a_lang_link_opens_in_spanish_and_every_page_keeps_it(release):
    for page in PUBLIC:
        at = open_page(page, {"lang": "es", "place": "48201"} if "profile" in page
                       else {"lang": "es"})
        assert not at.exception, page
        assert at.query_params["lang"] == "es", page
        assert at.segmented_control(key="_language_switch").value == "es", page


def test_a_first_visit_follows_the_browser_then_the_session_keeps_it(release):
    at = open_page("app_pages/map.py", locale="es-MX")
    assert at.query_params["lang"] == "es"
    assert at.subheader[0].value == ES["app.title"]
    # The menu drops the query string: the session keeps the language.
    at.query_params.clear()
    at.switch_page("app_pages/trends.py").run()
    assert at.query_params["lang"] == "es"
    english = open_page("app_pages/map.py", locale="en-US")
    assert english.query_params["lang"] == "en"
    assert english.subheader[0].value == text.EN["app.title"]


def test_the_switch_changes_the_language_and_the_link(release):
    at = open_page("app_pages/map.py", {"lang": "es"})
    at.segmented_control(key="_language_switch").set_value("en").run()
    assert not at.exception
    assert at.query_params["lang"] == "en"
    assert at.subheader[0].value == text.EN["app.title"]
    at.segmented_control(key="_language_switch").set_value("es").run()
    assert at.query_params["lang"] == "es"
    assert at.subheader[0].value == ES["app.title"]


def test_a_link_with_a_language_we_do_not_have_says_so(release):
    at = open_page("app_pages/map.py", {"lang": "fr"})
    assert not at.exception
    assert any("lang=fr" in w.value for w in at.warning)
    assert at.query_params["lang"] == "en"


def test_links_to_other_pages_carry_the_language(release):
    at = open_page("app_pages/compare.py", {"lang": "es", "places": ["48201", "12"]})
    links = [e for e in at.get("page_link") if "profile" in str(e.proto.page)]
    assert links
    assert all("lang=es" in link.proto.query_string for link in links)


def test_two_sessions_interleaved_in_two_languages_keep_their_own(release):
    """Two visitors' runs interleaved on one process: each keeps its language. (AppTest cannot
    run two scripts at the same moment: it swaps a process-wide mock runtime per run; the runs
    at the same moment are tests/browser/test_browser_spanish.py, two browsers on one server,
    and the thread test above.)"""
    sessions = {"es": open_page("app_pages/map.py", {"lang": "es"}),
                "en": open_page("app_pages/map.py", {"lang": "en"})}
    for month in ("2025-01", "2024-06", "2026-05"):
        for lang, at in sessions.items():
            at.select_slider(key="month").set_value(month).run()
            assert not at.exception
            expected = ES if lang == "es" else text.EN
            assert at.subheader[0].value == expected["app.title"], (lang, month)
            assert at.query_params["lang"] == lang


def test_spanish_sentences_write_dates_in_words_english_keeps_iso():
    """A date or month given to a message reads as Spanish words on a Spanish page."""
    with text.in_language("es"):
        line = text.t("release.line", release="20261202-fccf701934", as_of="2026-05-18")
        assert line.endswith("del 18 de mayo de 2026") and "20261202-fccf701934" in line
        assert "2026-05-18" not in line
    assert text.t("release.line", release="r", as_of="2026-05-18").endswith("2026-05-18")


def test_spanish_pages_write_dates_in_words_with_their_article(release):
    """On Spanish pages a date inside a sentence reads "desde el 1 de diciembre de 2024" (Spanish
    puts the article before a day) and About's caveats give the ICE list's date in words, not
    "del 2026-05-18"."""
    as_of = release.as_of["participating"]
    about = open_page("app_pages/about.py", {"lang": "es"})
    assert not about.exception
    caveats = "\n".join(m.value for m in about.markdown if m.value.startswith("- "))
    assert f"del {as_of}" not in caveats
    line = next(m.value for m in about.markdown if "generado el" in m.value)
    created = release.created
    with text.in_language("es"):
        assert f"generado el {text.date_label(created[:10])}, {created[11:16]} UTC." in line
    with text.in_language("es"):
        assert f"más reciente aquí es del {text.date_label(as_of)}." in caveats
    # The release history's times too ("2 de diciembre de 2026, 13:20 UTC"), never ISO.
    history = next(d.value for d in about.dataframe
                   if {"Cuándo", "Qué", "Quién"} <= set(d.value.columns))
    when = history["Cuándo"].astype(str)
    assert not when.str.contains(r"\d{4}-\d{2}-\d{2}T").any(), when.tolist()
    assert when.str.contains(r" de 20\d\d, \d\d:\d\d UTC").all(), when.tolist()
    profile = open_page("app_pages/profile.py", {"lang": "es", "place": "37001"})
    assert not profile.exception
    body = "\n".join(m.value for m in [*profile.markdown, *profile.caption])
    assert "Vigente desde el 1 de diciembre de 2024" in body
    assert "desde 1 de" not in body
    assert "datos hasta el 15 de septiembre de 2025" in body
    table = next(d.value for d in profile.dataframe if "Período" in d.value.columns)
    assert table["Período"].iloc[0] == "Año fiscal 2025 hasta el 15 de septiembre de 2025"
