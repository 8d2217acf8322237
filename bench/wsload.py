"""A load generator that speaks Streamlit's websocket protocol itself: many viewers, no browser.

Each simulated viewer does what the browser does on the map page, and nothing it does not need:

1. ``GET /_stcore/health`` over HTTP/1.1, keeping the cookies it is given (Streamlit's
   ``_streamlit_xsrf``; behind nginx, ``coopmap_node``, which pins it to one app process);
2. opens ``/_stcore/stream`` with the subprotocol list ``["streamlit", xsrf_token]``, an
   ``Origin`` equal to the host, those cookies and permessage-deflate (as Chromium does);
3. sends a ``rerun_script`` BackMsg (empty widget states, the page's URL) and reads
   ForwardMsgs (Streamlit's protobuf classes) until ``script_finished``: the map is open;
4. then, every 2-4 s (seeded), moves the month slider one step (a random walk over the last
   24 months, like bench/load.py): a ``rerun_script`` with the month widget's state (its id and
   options read from the slider's delta), the query string and page the app last reported, and
   the hashes of the cacheable messages it got or was referred to in the last 2 runs (as the
   browser's message cache keeps them), so the server sends references for unchanged big
   messages as it does to a browser.

A map update is timed from sending that ``rerun_script`` to receiving its ``script_finished``:
the server's script run plus the transfer of every delta of the run, without a browser's
drawing (bench/load.py measures that, and ``deploy.cross_check`` compares both on one update).

Errors: a failed HTTP or websocket handshake (e.g. a 429 from the proxy), a run that does not
finish within ``ACTION_TIMEOUT_S``, an exception element in a run, a websocket that closes.

Every viewer connects from its own loopback source address (127.0.0.2, 127.0.0.3, ...; all of
127.0.0.0/8 is the loopback interface) to a loopback server: the proxy limits new websockets per
client address, as it should for real visitors, who do not all share one address. Nothing
connects anywhere but 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

ACTION_TIMEOUT_S = 20.0
DRAIN_TIMEOUT_S = 60.0
CACHE_MAX_AGE = 2
OPEN_TIMEOUT_S = 60.0
MAX_SESSIONS = 200  # the generator's own bound (loopback source addresses 127.0.0.2..201)
HOST = "127.0.0.1"
MONTH_KEY = "-month"  # Streamlit's widget ids end in "-<key>"


def source_address(i: int) -> str:
    """The loopback address viewer ``i`` connects from."""
    if not 0 <= i < MAX_SESSIONS:
        raise ValueError(f"viewer {i}: at most {MAX_SESSIONS} viewers")
    return f"127.0.0.{2 + i}"


async def http_cookies(port: int, path: str, local: str) -> dict[str, str]:
    """GET ``path`` on the loopback server with HTTP/1.1; the cookies it sets (raises on
    a status other than 200)."""
    reader, writer = await asyncio.open_connection(HOST, port, local_addr=(local, 0))
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n"
                     "Accept-Encoding: gzip, deflate, br\r\n\r\n".encode())
        await writer.drain()
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        await reader.read()
    finally:
        writer.close()
    status = int(head.split(" ", 2)[1])
    if status != 200:
        raise ConnectionError(f"GET {path}: HTTP {status}")
    jar: dict[str, str] = {}
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "set-cookie":
            for morsel in SimpleCookie(value.strip()).values():
                jar[morsel.key] = morsel.value
    return jar


@dataclass
class Viewer:
    port: int
    index: int
    seed: int
    url_path: str = "/"
    times_ms: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)  # page profile, when the server sends it
    errors: list[str] = field(default_factory=list)
    received_bytes: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.month_id = ""
        self.months: list[str] = []
        self.month_value = ""
        self.steps_back = 0
        self.query_string = ""
        self.page_hash = ""
        # hash -> the run that last sent or referenced it; like the browser's message cache,
        # a message unused for CACHE_MAX_AGE runs is forgotten (Streamlit's
        # global.maxCachedMessageAge, 2 by default).
        self.cached: dict[str, int] = {}
        self.runs = 0
        self.exceptions = 0
        self._finished: asyncio.Future | None = None
        self.ws = None
        self.closing = False
        self.pinned_to = ""

    # --- connection ---------------------------------------------------------------------
    async def open(self) -> float:
        """Handshake and the first script run; returns its milliseconds."""
        local = source_address(self.index)
        jar = await http_cookies(self.port, "/_stcore/health", local)
        self.pinned_to = jar.get("coopmap_node", "")
        origin = f"http://{HOST}:{self.port}"
        self.ws = await connect(
            f"ws://{HOST}:{self.port}/_stcore/stream", origin=origin,
            subprotocols=["streamlit", jar.get("_streamlit_xsrf", "")],
            additional_headers={"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())},
            compression="deflate", max_size=None, open_timeout=OPEN_TIMEOUT_S,
            # No keepalive pings: a browser sends none, and a busy server answering one late
            # would make the client close a connection the browser would keep.
            ping_interval=None, local_addr=(local, 0))
        self._reader = asyncio.create_task(self._read())
        return await self.rerun(first=True, timeout=OPEN_TIMEOUT_S)

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                if isinstance(raw, str):
                    continue
                self.received_bytes += len(raw)
                self._handle(raw)
        except Exception as exc:  # the connection broke
            if not self.closing:
                self.errors.append(f"websocket: {type(exc).__name__}")
        else:
            if not self.closing:
                self.errors.append(f"websocket closed ({self.ws.close_code})")
        if self._finished is not None and not self._finished.done():
            self._finished.set_exception(ConnectionError("websocket closed"))

    def _handle(self, raw: bytes) -> None:
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if msg.metadata.cacheable and msg.hash:
            self.cached[msg.hash] = self.runs
        if kind == "ref_hash":
            self.cached[msg.ref_hash] = self.runs
        if kind == "delta" and msg.delta.HasField("new_element"):
            el = msg.delta.new_element
            which = el.WhichOneof("type")
            if which == "slider" and el.slider.id.endswith(MONTH_KEY):
                self.month_id = el.slider.id
                self.months = list(el.slider.options)
                if not self.month_value and el.slider.default:
                    self.month_value = self.months[int(el.slider.default[0])]
            elif which == "exception":
                self.exceptions += 1
        elif kind == "new_session":
            self.page_hash = msg.new_session.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "page_profile":
            self.server_ms.append(msg.page_profile.exec_time / 1000)
        elif (kind == "script_finished" and msg.script_finished in (
                ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)
                and self._finished is not None and not self._finished.done()):
            self.runs += 1
            self._finished.set_result(msg.script_finished)

    def _rerun_msg(self, first: bool) -> BackMsg:
        back = BackMsg()
        cs = back.rerun_script
        cs.query_string = self.query_string
        cs.page_script_hash = "" if first else self.page_hash
        cs.cached_message_hashes.extend(sorted(
            h for h, run in self.cached.items() if self.runs - run < CACHE_MAX_AGE))
        info = cs.context_info
        info.timezone, info.timezone_offset, info.locale = "UTC", 0, "en-US"
        info.url = f"http://{HOST}:{self.port}{self.url_path}"
        info.color_scheme = "light"
        if not first and self.month_id:
            w = cs.widget_states.widgets.add()
            w.id = self.month_id
            w.string_array_value.data.append(self.month_value)
        return back

    async def rerun(self, *, first: bool = False, timeout: float = ACTION_TIMEOUT_S) -> float:
        self._finished = asyncio.get_running_loop().create_future()
        exceptions = self.exceptions
        start = time.perf_counter()
        await self.ws.send(self._rerun_msg(first).SerializeToString())
        await asyncio.wait_for(asyncio.shield(self._finished), timeout)
        ms = (time.perf_counter() - start) * 1000
        if self.exceptions > exceptions:
            self.errors.append("exception element in the run")
        return ms

    # --- behaviour ------------------------------------------------------------------------
    def _step_month(self) -> None:
        back = self.steps_back
        earlier = back == 0 or (back < 24 and self.rng.random() < 0.6)
        self.steps_back += 1 if earlier else -1
        self.month_value = self.months[len(self.months) - 1 - self.steps_back]

    async def month_change(self, steps_back: int | None = None) -> float:
        """One month step of the random walk, or straight to ``steps_back`` months before the
        newest; returns the update's milliseconds."""
        if not self.months:
            raise RuntimeError("the map page sent no month slider")
        if steps_back is None:
            self._step_month()
        else:
            self.steps_back = steps_back
            self.month_value = self.months[len(self.months) - 1 - steps_back]
        return await self.rerun()

    async def loop(self, until: float) -> None:
        while time.monotonic() < until:
            await asyncio.sleep(self.rng.uniform(2, 4))
            if time.monotonic() >= until:
                break
            try:
                self.times_ms.append(await self.month_change())
            except TimeoutError:
                self.errors.append(f"map update timed out (> {ACTION_TIMEOUT_S:.0f} s)")
                # Wait for that run to end before the next step, so a late script_finished
                # cannot end the next update's timing (a viewer stuck for long stops).
                try:
                    await asyncio.wait_for(asyncio.shield(self._finished), DRAIN_TIMEOUT_S)
                except Exception:
                    self.errors.append("no script_finished for a minute: viewer stopped")
                    return
            except Exception as exc:
                self.errors.append(f"map update: {type(exc).__name__}: {str(exc)[:80]}")
                return

    async def close(self) -> None:
        self.closing = True
        if self.ws is not None:
            await self.ws.close()
            await asyncio.gather(self._reader, return_exceptions=True)
