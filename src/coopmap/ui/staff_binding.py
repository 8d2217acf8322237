"""A staff sign-in belongs to the browser that signed in, not to whoever holds the session id.

Streamlit attaches a websocket that reconnects with an existing session id to that session, and
the id is in every upload URL (so it reaches proxy logs). So at sign-in the page makes a random
secret, keeps only its hash in the session (``auth.Session.token_sha``) and has a tiny component
store the secret in a cookie of the signed-in browser (``SameSite=Strict``). Each rerun checks
the connection: the one that signed in is trusted; any other (a reconnect after a network blip,
a reload, or a stranger with the id) must carry the cookie, whose value must hash to the
session's. A connection that cannot show it is signed out (and the audit says why).

The connection is the server's own websocket client object (Streamlit's runtime), compared by
identity (a weak reference), not by anything the browser sends. Under AppTest there is no
runtime and no connection: every rerun is the same connection.
"""

from __future__ import annotations

import os
import secrets
import weakref
from dataclasses import dataclass
from functools import cache

import streamlit as st

from coopmap import auth

COOKIE_PREFIX = "coopmap_staff_"
STATE = "_staff_binding"
# A header set by a trusted reverse proxy naming the real client (e.g. X-Real-IP); without it
# the client is the websocket's peer address.
CLIENT_HEADER_ENV = "COOPMAP_CLIENT_HEADER"

_JS = """
export default function (component) {
  const { data } = component;
  if (!data) return;
  const secure = location.protocol === "https:" ? "; Secure" : "";
  if (data.clear) {
    document.cookie = `${data.clear}=; Path=/; Max-Age=0; SameSite=Strict${secure}`;
  }
  if (data.name && data.token) {
    const want = `${data.name}=${data.token}`;
    if (!document.cookie.split("; ").includes(want)) {
      document.cookie = `${want}; Path=/; Max-Age=${data.maxAge}; SameSite=Strict${secure}`;
    }
  }
}
"""


@dataclass
class Binding:
    cookie: str  # the cookie's name (one per sign-in, so two staff tabs do not collide)
    token: str  # sent only to a connection that passed the check
    connection: weakref.ref | None
    max_age: int


@cache
def _component():
    return st.components.v2.component("coopmap_staff_key", js=_JS, isolate_styles=False)


def _connection():
    """The websocket client of this session's current connection (None without a runtime)."""
    try:
        from streamlit.runtime import get_instance
        from streamlit.runtime.scriptrunner import get_script_run_ctx
        from streamlit.runtime.session_manager import SessionClient

        ctx = get_script_run_ctx()
        if ctx is None:
            return None
        client = get_instance().get_client(ctx.session_id)
    except Exception:  # no runtime (bare mode)
        return None
    # AppTest's runtime is a mock whose clients are mocks: no real connection there.
    return client if SessionClient in type(client).__mro__ else None


def client_id() -> str:
    """Who is signing in, for the per-client limits: the proxy's header when configured,
    else the peer address ("local" on loopback)."""
    header = os.environ.get(CLIENT_HEADER_ENV)
    if header:
        value = st.context.headers.get(header)
        if isinstance(value, str) and value.strip():
            return value.split(",")[-1].strip()[:100]
    ip = st.context.ip_address
    return ip if isinstance(ip, str) and ip else "local"


def bind(session: auth.Session, token: str, max_age: int) -> None:
    """Remember which connection signed in and the secret its browser is to keep."""
    conn = _connection()
    st.session_state[STATE] = Binding(f"{COOKIE_PREFIX}{secrets.token_hex(6)}", token,
                                      weakref.ref(conn) if conn is not None else None, max_age)


def problem(session: auth.Session) -> str | None:
    """Why this connection is not the signed-in browser (None when it is)."""
    binding: Binding | None = st.session_state.get(STATE)
    if binding is None:
        return "the sign-in is not bound to a browser"
    conn = _connection()
    if conn is None and binding.connection is None:
        return None  # no runtime: one connection
    if conn is not None and binding.connection is not None and binding.connection() is conn:
        return None
    cookie = st.context.cookies.get(binding.cookie)
    if isinstance(cookie, str) and session.token_matches(cookie):
        binding.connection = weakref.ref(conn) if conn is not None else None
        return None
    return ("a new connection to this session could not show the signed-in browser's secret "
            "(a copied session id?)")


def keep() -> None:
    """Draw the (invisible) component that keeps the secret in the browser's cookie."""
    binding: Binding | None = st.session_state.get(STATE)
    if binding is not None:
        _component()(key="staff_key", data={"name": binding.cookie, "token": binding.token,
                                            "maxAge": binding.max_age})


def forget() -> None:
    """After sign-out: the browser drops the cookie; the server forgets the secret."""
    binding: Binding | None = st.session_state.pop(STATE, None)
    if binding is not None:
        _component()(key="staff_key_clear", data={"clear": binding.cookie})
