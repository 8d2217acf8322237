"""A page's state lives in the URL: widgets are seeded from the query string and written back.

Codes (FIPS, model codes, layer ids), not labels, go into the URL, so a link keeps working when
the interface is translated. Each page declares its parameters once; ``restore`` seeds the
widget keys from the URL (invalid values fall back to the default, never to a guess) and
``publish`` writes the non-default values back after the widgets ran.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

import streamlit as st


@dataclass(frozen=True)
class Param:
    key: str
    default: str | list[str] | None
    options: Sequence[str] | Callable[[str], bool] | None = None
    multi: bool = False
    max_items: int | None = None

    def valid(self, value: str) -> bool:
        if self.options is None:
            return True
        if callable(self.options):
            return bool(self.options(value))
        return value in self.options


def from_url(param: Param) -> str | list[str] | None:
    """The parameter's value in the URL, validated; the default when absent or invalid."""
    qp = st.query_params
    if param.multi:
        values = [v for v in qp.get_all(param.key) if v and param.valid(v)]
        values = list(dict.fromkeys(values))
        if param.max_items:
            values = values[: param.max_items]
        return values if values else list(param.default or [])
    value = qp.get(param.key)
    if value is None or not param.valid(value):
        return param.default
    return value


def restore(params: Sequence[Param]) -> None:
    """Seed each widget key from the URL unless the widget already holds a valid value."""
    for p in params:
        current = st.session_state.get(p.key)
        if current is not None and _still_valid(p, current):
            continue
        st.session_state[p.key] = from_url(p)


def _still_valid(p: Param, value) -> bool:
    if p.multi:
        return isinstance(value, list) and all(p.valid(v) for v in value)
    return isinstance(value, str) and p.valid(value)


def publish(params: Sequence[Param]) -> None:
    """Write the widgets' non-default values to the URL (and drop the rest of ours)."""
    wanted: dict[str, str | list[str]] = {}
    for p in params:
        value = st.session_state.get(p.key)
        if value is None or value == p.default or value == []:
            continue
        wanted[p.key] = list(value) if p.multi else value
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    normalised = {k: v if isinstance(v, list) else [v] for k, v in wanted.items()}
    if current != normalised:
        st.query_params.from_dict(wanted)


def share_url() -> str:
    """The full link of this view (what the 'copy link' box shows)."""
    base = ""
    try:
        base = st.context.url or ""
    except Exception:  # outside a browser session (tests) there is no URL
        base = ""
    parts = urlsplit(base)
    if parts.netloc and not parts.path:
        base = urlunsplit(parts._replace(path="/"))  # "http://host/?a=1", not "http://host?a=1"
    pairs = [(k, v) for k in st.query_params for v in st.query_params.get_all(k)]
    query = urlencode(pairs)
    return f"{base}?{query}" if query else base
