"""Guards on what an anonymous browser may ask of the Streamlit server.

Streamlit handles a "clear cache" message from any connected browser by emptying every
``st.cache_data`` and ``st.cache_resource`` cache of the process, for every visitor (Streamlit
1.67 has no setting to turn it off; the toolbar in viewer mode only hides the menu item, a
hand-made websocket message still gets through). Measured: the next map rerun took 1.03 s
instead of 0.2 s, and a loop of such messages keeps every visitor on cold caches. coopmap's
caches key on the release id, so a publish already brings fresh data; nothing needs a visitor
to clear them. ``refuse_clear_cache`` makes the server log and ignore the message.
"""

from __future__ import annotations

import logging

log = logging.getLogger("coopmap.guards")


def refuse_clear_cache() -> None:
    """Replace Streamlit's clear-cache handler (once per process) with one that refuses."""
    from streamlit.runtime.app_session import AppSession

    if getattr(AppSession._handle_clear_cache_request, "coopmap_guard", False):
        return

    def refuse(self) -> None:
        log.warning("coopmap: refused a clear-cache request from session %s", self.id)

    refuse.coopmap_guard = True  # type: ignore[attr-defined]
    AppSession._handle_clear_cache_request = refuse  # type: ignore[method-assign]
