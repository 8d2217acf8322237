"""A bare Streamlit websocket client, as an attacker would write one: connect to a server on
loopback (optionally claiming an existing session id, with chosen cookies and headers), ask for
a rerun of a page with chosen widget values, and collect what the server sends until the run
finishes. Messages are Streamlit's own protobufs (``streamlit.proto``)."""

from __future__ import annotations

import asyncio
import threading
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlparse

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg


@dataclass
class Run:
    """What one rerun sent back."""

    session_id: str | None = None
    texts: list[str] = field(default_factory=list)  # markdown, alerts, captions, labels
    widgets: dict[str, str] = field(default_factory=dict)  # label -> widget id
    finished: bool = False

    @property
    def text(self) -> str:
        return " | ".join(self.texts)


def xsrf_cookie(base: str) -> str | None:
    """The XSRF cookie the server hands any visitor (GET /)."""
    with urllib.request.urlopen(base + "/", timeout=30) as r:
        for header in r.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            if name.strip() == "_streamlit_xsrf":
                return rest.split(";", 1)[0]
    return None


def _collect(msg: ForwardMsg, run: Run) -> None:
    kind = msg.WhichOneof("type")
    if kind == "new_session" and msg.new_session.initialize.session_id:
        run.session_id = msg.new_session.initialize.session_id
    elif kind == "script_finished" and run.session_id is not None:
        # Only the end of our own rerun (each starts with new_session); a resumed session may
        # first report the end of the run it was in.
        run.finished = True
    elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
        element = msg.delta.new_element
        which = element.WhichOneof("type")
        inner = getattr(element, which)
        for attr in ("body", "label"):
            value = getattr(inner, attr, None)
            if isinstance(value, str) and value:
                run.texts.append(value)
        if which in ("text_input", "button", "file_uploader"):
            run.widgets[inner.label] = inner.id


async def _run(base: str, *, session_id: str | None, cookies: dict[str, str],
               headers: dict[str, str], page: str, widget_states: list[dict],
               timeout: float, backmsgs: list[BackMsg]) -> Run:
    host = urlparse(base)
    xsrf = xsrf_cookie(base)
    jar = dict(cookies)
    if xsrf:
        jar["_streamlit_xsrf"] = xsrf
    # The frontend's subprotocol list: "streamlit", the XSRF token, the session id to resume.
    protocols = ["streamlit", xsrf or "none"] + ([session_id] if session_id else [])
    extra = {"Origin": base, "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()), **headers}
    run = Run()
    async with websockets.connect(f"ws://{host.netloc}/_stcore/stream",
                                  subprotocols=protocols, additional_headers=extra,
                                  max_size=None, open_timeout=30) as ws:
        for extra_msg in backmsgs:
            await ws.send(extra_msg.SerializeToString())
        back = BackMsg()
        back.rerun_script.page_name = page
        for state in widget_states:
            w = back.rerun_script.widget_states.widgets.add()
            w.id = state["id"]
            if "string_value" in state:
                w.string_value = state["string_value"]
            if "trigger_value" in state:
                w.trigger_value = state["trigger_value"]
        await ws.send(back.SerializeToString())
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while not run.finished and loop.time() < end:
            try:
                data = await asyncio.wait_for(ws.recv(), timeout=max(0.1, end - loop.time()))
            except TimeoutError:
                break
            if isinstance(data, bytes):
                _collect(ForwardMsg.FromString(data), run)
    return run


def rerun(base: str, *, session_id: str | None = None, cookies: dict[str, str] | None = None,
          headers: dict[str, str] | None = None, page: str = "staff",
          widget_states: list[dict] | None = None, timeout: float = 60,
          backmsgs: list[BackMsg] | None = None) -> Run:
    """Connect, rerun ``page`` once, return what came back (then disconnect). Runs its own
    event loop in a thread (Playwright's sync API holds one in the test's thread)."""
    out: list = []

    def work() -> None:
        try:
            out.append(asyncio.run(_run(base, session_id=session_id, cookies=cookies or {},
                                        headers=headers or {}, page=page,
                                        widget_states=widget_states or [], timeout=timeout,
                                        backmsgs=backmsgs or [])))
        except BaseException as exc:  # re-raised in the caller's thread
            out.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    if isinstance(out[0], BaseException):
        raise out[0]
    return out[0]


async def _loop(base: str, *, headers: dict[str, str], page: str, states, stop: threading.Event,
                on_run, timeout: float) -> None:
    host = urlparse(base)
    xsrf = xsrf_cookie(base)
    extra = {"Origin": base, **headers}
    if xsrf:
        extra["Cookie"] = f"_streamlit_xsrf={xsrf}"
    async with websockets.connect(f"ws://{host.netloc}/_stcore/stream",
                                  subprotocols=["streamlit", xsrf or "none"],
                                  additional_headers=extra, max_size=None,
                                  open_timeout=30) as ws:
        i = 0
        while not stop.is_set():
            back = BackMsg()
            back.rerun_script.page_name = page
            for state in states(i):
                w = back.rerun_script.widget_states.widgets.add()
                w.id = state["id"]
                if "string_value" in state:
                    w.string_value = state["string_value"]
                if "trigger_value" in state:
                    w.trigger_value = state["trigger_value"]
            run = Run()
            started = asyncio.get_running_loop().time()
            await ws.send(back.SerializeToString())
            while not run.finished:
                left = timeout - (asyncio.get_running_loop().time() - started)
                data = await asyncio.wait_for(ws.recv(), timeout=max(0.1, left))
                if isinstance(data, bytes):
                    _collect(ForwardMsg.FromString(data), run)
            on_run(run)
            i += 1


def rerun_until(base: str, stop: threading.Event, states, on_run, *,
                headers: dict[str, str] | None = None, page: str = "staff",
                timeout: float = 120) -> threading.Thread:
    """One session (one websocket) rerunning ``page`` with ``states(i)`` until ``stop`` is
    set, calling ``on_run(run)`` after each; returns its (started) thread."""
    thread = threading.Thread(target=lambda: asyncio.run(_loop(
        base, headers=headers or {}, page=page, states=states, stop=stop, on_run=on_run,
        timeout=timeout)))
    thread.start()
    return thread
