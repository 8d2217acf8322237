"""The visitor's language, chosen per session: ``?lang=`` in the URL (a link, the switch), else
on a first visit the browser's preferred language (``navigator.language``, then the
Accept-Language header), kept in ``st.session_state``. ``apply`` runs at the top of every run and
sets the language of that run's thread (``coopmap.text.use_language``); ``switch`` draws the
Español / English control that every page shows."""

from __future__ import annotations

import streamlit as st

from coopmap import text
from coopmap.ui import state

KEY = state.LANG_SESSION
_SWITCH = "_language_switch"


def from_browser() -> str:
    """The language the browser prefers, among ours ("en" when it says nothing we have)."""
    locale = accept = None
    try:
        locale = st.context.locale
    except Exception:  # no browser context (a bare script run)
        locale = None
    try:
        accept = st.context.headers.get("Accept-Language")
    except Exception:
        accept = None
    return text.preferred_language(locale, accept)


def apply() -> str:
    """Decide this run's language and set it for the run; returns it.

    A valid ``lang`` in the URL wins (and is remembered); otherwise the session keeps what it
    had; a first visit without one takes the browser's preference."""
    values = st.query_params.get_all(state.LANG)
    wanted = values[-1] if values else None
    if wanted in text.LANGUAGES:
        st.session_state[KEY] = wanted
    elif st.session_state.get(KEY) not in text.LANGUAGES:
        st.session_state[KEY] = from_browser()
    current = st.session_state[KEY]
    text.use_language(current)
    return current


def _switched() -> None:
    chosen = st.session_state.get(_SWITCH)
    if chosen in text.LANGUAGES:
        st.session_state[KEY] = chosen
        st.query_params[state.LANG] = chosen  # so that apply, next, reads the choice
        text.use_language(chosen)


def switch() -> None:
    """Español / English, at the top right of every page; each language named in itself."""
    st.session_state[_SWITCH] = st.session_state.get(KEY, text.DEFAULT_LANGUAGE)
    with st.container(horizontal=True, horizontal_alignment="right", key="language_switch"):
        st.segmented_control(text.t("lang.switch"), list(reversed(text.LANGUAGES)),
                             format_func=text.LANGUAGES.__getitem__, key=_SWITCH,
                             required=True, on_change=_switched, label_visibility="collapsed")
