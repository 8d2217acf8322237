"""One URL state for the whole app: every page reads and writes its view the same way.

Codes (FIPS, model codes, layer ids, month "2026-05", the release id), not labels, go into the
URL, so a link keeps working when the interface is translated. Each page declares its
parameters (``Param``) and calls ``restore`` before its widgets and ``publish`` after them.

* **The URL wins when it changed from outside** (a link, the browser's back and forward, a map
  click that switched page): the widgets are seeded from it. While a visitor works the widgets,
  the URL lags one run behind them and is rewritten by ``publish``.
* **Month and layer follow the visitor** (``STICKY``): a page whose URL does not name them (the
  menu drops query parameters) takes the ones last shown, and every link to another page
  (``link``) carries them, so the map, a profile and Compare show the same month.
* **A link pins what it shows**: ``publish`` always writes the dataset release and the month,
  never "the newest" by omission, so a shared link shows the same numbers after the next publish
  (``widgets.load_release`` reads the pinned release).
* **The language travels with every link** (``LANG``, "en" or "es"): ``publish`` always writes
  the language shown and ``link`` carries it, so a shared Spanish link opens in Spanish
  (``coopmap.ui.language`` reads it first, before the browser's preference).
* **Invalid values are ignored out loud**: ``restore`` returns what it ignored and
  ``widgets.ignored_notice`` says so once (the next ``publish`` drops them from the URL).

Per-visitor state lives in ``st.session_state`` only, never in module globals.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

import streamlit as st

from coopmap import text

RELEASE = "release"
LANG = "lang"
LANG_SESSION = "_language"  # the session's language (coopmap.ui.language decides it)
STICKY = ("month", "layer")
_PUBLISHED = "_url_published"  # {page: the query string publish last wrote, as a dict}
_STICKY = "_url_sticky"  # {key: value} of the STICKY keys (and the release) last shown
_LAST_PAGE = "_url_last_page"


@dataclass(frozen=True)
class Param:
    key: str
    default: str | list[str] | None
    options: Sequence[str] | Callable[[str], bool] | None = None
    multi: bool = False
    max_items: int | None = None
    explicit: bool = False  # always written, even at its default (the month)

    def valid(self, value: str) -> bool:
        if self.options is None:
            return True
        if callable(self.options):
            return bool(self.options(value))
        return value in self.options


def language() -> str:
    """The session's language (read from the session, so a callback, which runs before the
    script sets the run's language, links in it too)."""
    value = st.session_state.get(LANG_SESSION)
    return value if value in text.LANGUAGES else text.language()


def url_dict() -> dict[str, list[str]]:
    """The current query string as {key: [values]}."""
    return {k: list(st.query_params.get_all(k)) for k in st.query_params}


def _parse(p: Param, raw: list[str]) -> tuple[str | list[str] | None, list[str]]:
    """(the valid value or None, the values ignored)."""
    if p.multi:
        good = list(dict.fromkeys(v for v in raw if v and p.valid(v)))
        bad = [v for v in raw if v and not p.valid(v)]
        if p.max_items and len(good) > p.max_items:
            bad += good[p.max_items:]
            good = good[: p.max_items]
        return (good or None), bad
    value = raw[-1] if raw else None
    if value is None or value == "":
        return None, []
    if not p.valid(value):
        return None, [value]
    return value, []


def from_url(param: Param) -> str | list[str] | None:
    """The parameter's value in the URL, validated; the default when absent or invalid."""
    value, _ = _parse(param, url_dict().get(param.key, []))
    if value is None:
        return list(param.default or []) if param.multi else param.default
    return value


def sticky(key: str) -> str | None:
    return st.session_state.get(_STICKY, {}).get(key)


def restore(params: Sequence[Param], page: str) -> list[tuple[str, str]]:
    """Seed each widget key of ``page`` and return the (key, value) pairs of the URL that were
    not valid and were ignored.

    The widgets keep their values while the visitor works them (the URL is then what
    ``publish`` wrote last). On entering the page, or when the URL changed from outside, the
    URL wins. Streamlit's back button may rerun the earlier page with the later page's query
    string (a profile's ``place`` arriving on the map): a URL with keys foreign to the page is
    read as that, and the page's own last view is restored with the URL's month and layer."""
    url = url_dict()
    entered = st.session_state.get(_LAST_PAGE) != page
    st.session_state[_LAST_PAGE] = page
    published = st.session_state.get(_PUBLISHED, {}).get(page)
    own = {p.key for p in params} | {RELEASE, LANG, *STICKY}
    stale = bool(set(url) - own) and published is not None
    source = ({**published, **{k: url[k] for k in STICKY if k in url}} if stale else url)
    external = entered or url != published
    remembered = st.session_state.get(_STICKY, {})
    ignored: list[tuple[str, str]] = [(LANG, v) for v in url.get(LANG, [])
                                      if v not in text.LANGUAGES and not stale]
    for p in params:
        current = st.session_state.get(p.key)
        if not external and current is not None and _still_valid(p, current):
            continue
        value, bad = _parse(p, source.get(p.key, []))
        if not stale:
            ignored += [(p.key, v) for v in bad]
        if (value is None and p.key not in source and p.key in remembered
                and _still_valid(p, remembered[p.key])):
            value = remembered[p.key]
        if value is None:
            value = list(p.default or []) if p.multi else p.default
        st.session_state[p.key] = value
    return ignored


def _still_valid(p: Param, value) -> bool:
    if p.multi:
        return isinstance(value, list) and all(p.valid(v) for v in value)
    return isinstance(value, str) and p.valid(value)


def publish(params: Sequence[Param], page: str, release_id: str | None = None) -> None:
    """Write the view to the URL: the release and explicit parameters always, the others when
    they differ from their default; remember the month and layer for the next page."""
    wanted: dict[str, list[str]] = {}
    if release_id:
        wanted[RELEASE] = [release_id]
    wanted[LANG] = [language()]
    remembered = dict(st.session_state.get(_STICKY, {}))
    if release_id:
        remembered[RELEASE] = release_id
    for p in params:
        value = st.session_state.get(p.key)
        if p.key in STICKY and isinstance(value, str):
            remembered[p.key] = value
        if value is None or value == []:
            continue
        if value == p.default and not p.explicit:
            continue
        wanted[p.key] = list(value) if p.multi else [value]
    # Month and layer the page does not show still travel with its link (a profile link
    # opened from Compare keeps the map's layer for the way back).
    for key in STICKY:
        if key not in wanted and key not in {p.key for p in params} and key in remembered:
            wanted[key] = [remembered[key]]
    st.session_state[_STICKY] = remembered
    st.session_state.setdefault(_PUBLISHED, {})[page] = wanted
    if url_dict() != wanted:
        st.query_params.from_dict(wanted)


def link(**params: str | list[str] | None) -> dict[str, str | list[str]]:
    """Query parameters for a link to another page: the language, release, month and layer
    shown now, then ``params`` (None drops a key)."""
    remembered = st.session_state.get(_STICKY, {})
    out: dict[str, str | list[str]] = {LANG: language()}
    for key in (RELEASE, *STICKY):
        value = st.session_state.get(key) if key in STICKY else None
        value = value if isinstance(value, str) else remembered.get(key)
        if value:
            out[key] = value
    for key, value in params.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def remember(key: str, value: str) -> None:
    """Set a sticky value before the page publishes (the release chosen by ``load_release``)."""
    st.session_state.setdefault(_STICKY, {})[key] = value


def share_url(params: Mapping[str, list[str]] | None = None) -> str:
    """The full link of this view (what "Copy link" copies)."""
    base = ""
    try:
        base = st.context.url or ""
    except Exception:  # outside a browser session (tests) there is no URL
        base = ""
    parts = urlsplit(base)
    base = urlunsplit(parts._replace(query="", fragment=""))
    if parts.netloc and not parts.path:
        base = urlunsplit(parts._replace(path="/", query="", fragment=""))
    source = params if params is not None else url_dict()
    pairs = [(k, v) for k, values in source.items() for v in values]
    query = urlencode(pairs)
    return f"{base}?{query}" if query else base
