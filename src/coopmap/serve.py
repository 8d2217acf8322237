"""``coopmap serve``: several Streamlit processes behind nginx on one machine, supervised.

The supervisor starts N app processes on loopback ports, waits for their health endpoints,
writes the nginx configuration (``coopmap.proxy``) and runs nginx in the foreground. Every second
it polls each process's ``/_stcore/health``: a process that stops answering is marked ``down``
in the configuration (nginx reloads it without dropping connections), a process that exited is
started again, and one that answers again is put back. Ctrl-C or SIGTERM stops nginx, then the
app processes.

Streamlit's static files are served by nginx from a prepared copy (``coopmap.static_files``:
precompressed, the icon font cut to the icons in use), built before nginx starts; the brotli
quality-11 files are written afterwards by a low-priority process. ``--tls`` adds a TLS + HTTP/2
listener (a self-signed certificate made at start unless one is given).

All processes read the same release store (the data folder), so a publish through one is seen by
the others at their next rerun; they share one cookie secret (kept in the state folder) so that
anything signed by one process is valid in another.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field, replace
from pathlib import Path

from coopmap import paths, proxy, static_files

BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so")
BROTLI_STATIC_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
# A process that is alive but slow to answer (a saturated machine) is marked down only after
# FAILS_TO_MARK_DOWN checks in a row, each allowed HEALTH_TIMEOUT: at 1 s and one failure, a
# saturated 2-core machine flapped each process down 9 times a minute (bench/deploy.py), each a
# reload that moved pinned viewers. A process that exited is marked down at once.
HEALTH_TIMEOUT = 3.0
FAILS_TO_MARK_DOWN = 3
# Flags of every app process. No file watcher: a production server has no reason to watch the
# source tree. No forced garbage collection after each script run (Streamlit's default,
# ``runner.postScriptGC``): a full ``gc.collect(2)`` over coopmap's heap (pandas tables, shapes)
# took 230 ms of CPU per map update, 85 % of the process's work (py-spy), so one process served
# a handful of viewers; without it a month change costs ~40 ms of CPU and the RSS stays flat
# (Python's own generational collector still runs). Measured: bench/deploy.py, "calibrate".
APP_FLAGS = ("--server.fileWatcherType", "none", "--runner.postScriptGC", "false")


class ServeError(RuntimeError):
    """A reason serve cannot start, worded for the person running it."""


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    if not found:
        raise ServeError("nginx is not installed: on Debian, `apt-get install nginx` "
                         "(python3 run.py serve does it when run as root)")
    return found


def free_port_run(n: int) -> int:
    """A first port such that it and the n-1 after it are free on 127.0.0.1 (for a supervisor
    whose nginx and app processes take consecutive ports: tests and benches)."""
    import socket

    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            first = s.getsockname()[1]
        if first + n > 65000:
            continue
        socks: list[socket.socket] = []
        try:
            for p in range(first, first + n):
                sock = socket.socket()
                socks.append(sock)
                sock.bind(("127.0.0.1", p))
            return first
        except OSError:
            continue
        finally:
            for sock in socks:
                sock.close()
    raise ServeError("no run of free ports on 127.0.0.1")


def healthy(port: int, timeout: float = HEALTH_TIMEOUT) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health",
                                    timeout=timeout) as r:
            return r.status == 200
    except OSError:
        return False


def _worker_user() -> str | None:
    """nginx started as root drops its workers to this user; None when not root."""
    if os.geteuid() != 0:
        return None
    for name in ("www-data", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    return "root"


@dataclass
class Supervisor:
    workers: int = 3
    port: int = 8080
    address: str = "127.0.0.1"
    first_app_port: int = 8601
    state_dir: Path = field(default_factory=lambda: paths.PROJECT_ROOT / ".serve")
    app_script: Path = field(default_factory=lambda: paths.PROJECT_ROOT / "dashboard.py")
    extra_env: dict[str, str] = field(default_factory=dict)
    check_every: float = 1.0
    log: object = sys.stderr
    # Streamlit's /static/ files from a prepared copy on disk (None: through the app processes).
    static_cache: Path | None = field(default_factory=lambda: paths.PROJECT_ROOT / ".serve-cache")
    tls_port: int | None = None  # a TLS + HTTP/2 listener beside the plain one
    tls_cert: Path | None = None  # with tls_key; neither: a self-signed pair made at start
    tls_key: Path | None = None

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ServeError(f"--workers must be at least 1, not {self.workers}")
        self.state_dir = Path(self.state_dir).resolve()
        self.app_ports = tuple(self.first_app_port + i for i in range(self.workers))
        self._procs: dict[int, subprocess.Popen] = {}
        self._down: set[int] = set()
        self._fails: dict[int, int] = {}
        self._nginx: subprocess.Popen | None = None
        self._brotli: subprocess.Popen | None = None
        self.static: static_files.StaticMirror | None = None
        self._stopping = False
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ServeError("--tls-cert and --tls-key go together")

    # --- files ----------------------------------------------------------------------------
    @property
    def conf_path(self) -> Path:
        return self.state_dir / "nginx.conf"

    def _cookie_secret(self) -> str:
        path = self.state_dir / "cookie_secret"
        if not path.exists():
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        return path.read_text().strip()

    def settings(self) -> proxy.ProxySettings:
        return proxy.ProxySettings(
            listen_port=self.port, listen_address=self.address, app_ports=self.app_ports,
            down_ports=frozenset(self._down) if len(self._down) < len(self.app_ports)
            else frozenset(),
            prefix=self.state_dir, brotli=BROTLI_MODULE.exists(), user=_worker_user(),
            script_hashes=proxy.inline_script_hashes(proxy.streamlit_index_html()),
            brotli_static=self.static is not None and BROTLI_STATIC_MODULE.exists(),
            static_root=self.static.root if self.static else None,
            subset_fonts=self.static.subset_fonts if self.static else (),
            geo_root=paths.static_dir() / "geo" if self.static else None,  # ui.data writes them
            tls_port=self.tls_port, tls_cert=self.tls_cert, tls_key=self.tls_key,
        )

    def _self_signed(self) -> None:
        """A certificate for localhost and 127.0.0.1, made at start (browsers will warn: for
        loopback and tests; give a real one with --tls-cert/--tls-key)."""
        tls = self.state_dir / "tls"
        tls.mkdir(mode=0o700, exist_ok=True)
        self.tls_cert, self.tls_key = tls / "cert.pem", tls / "key.pem"
        made = subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-days", "30", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
             "-keyout", str(self.tls_key), "-out", str(self.tls_cert)],
            capture_output=True, text=True)
        if made.returncode != 0:
            raise ServeError(f"openssl could not make a self-signed certificate:\n{made.stderr}")

    def wait_brotli(self, timeout: float) -> bool:
        """Until the quality-11 brotli files are all written (True) or ``timeout`` passes."""
        if self.static is None:
            return False
        deadline = time.monotonic() + timeout
        while not self.static.brotli_done:
            if time.monotonic() > deadline or (self._brotli and self._brotli.poll() not in
                                               (None, 0)):
                return False
            time.sleep(0.5)
        return True

    def _write_conf(self) -> None:
        tmp = self.conf_path.with_suffix(".tmp")
        tmp.write_text(proxy.render(self.settings()))
        tmp.replace(self.conf_path)

    def _prepare_dirs(self) -> None:
        for sub in ("logs", "tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
            (self.state_dir / sub).mkdir(parents=True, exist_ok=True)
        user = _worker_user()
        if user and user != "root":
            entry = pwd.getpwnam(user)
            for sub in ("tmp", "tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
                os.chown(self.state_dir / sub, entry.pw_uid, entry.pw_gid)

    # --- processes ------------------------------------------------------------------------
    def _say(self, message: str) -> None:
        print(f"coopmap serve: {message}", file=self.log, flush=True)

    def _start_app(self, port: int) -> None:
        log = open(self.state_dir / "logs" / f"app-{port}.log", "ab")  # noqa: SIM115
        cmd = [sys.executable, "-m", "streamlit", "run", str(self.app_script),
               "--server.headless", "true", "--server.address", "127.0.0.1",
               "--server.port", str(port), "--browser.gatherUsageStats", "false",
               *APP_FLAGS]
        # Streamlit takes the cookie secret only from its config or the environment.
        # The apps listen on loopback behind nginx, whose X-Forwarded-For ends with the address
        # it saw: the staff sign-in limits key on that (coopmap.ui.staff_binding.client_id).
        env = {"COOPMAP_CLIENT_HEADER": "X-Forwarded-For", **os.environ, **self.extra_env,
               "STREAMLIT_SERVER_COOKIE_SECRET": self._cookie_secret()}
        self._procs[port] = subprocess.Popen(cmd, cwd=self.app_script.parent, stdout=log,
                                             stderr=subprocess.STDOUT, env=env,
                                             start_new_session=True)
        log.close()

    def _wait_healthy(self, ports, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        waiting = set(ports)
        while waiting and time.monotonic() < deadline:
            for port in list(waiting):
                proc = self._procs[port]
                if proc.poll() is not None:
                    raise ServeError(f"app process on port {port} exited with {proc.returncode}; "
                                     f"see {self.state_dir / 'logs' / f'app-{port}.log'}")
                if healthy(port):
                    waiting.discard(port)
            time.sleep(0.2)
        if waiting:
            raise ServeError(f"app processes on ports {sorted(waiting)} did not become healthy "
                             f"in {timeout:.0f} s; see {self.state_dir / 'logs'}")

    def start(self) -> None:
        binary = nginx_binary()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._prepare_dirs()
        for port in self.app_ports:
            self._start_app(port)
        try:
            if self.tls_port is not None and self.tls_cert is None:
                self._self_signed()
            if self.static_cache is not None:  # while the app processes start
                self.static = static_files.prepare(self.static_cache)
            self._wait_healthy(self.app_ports)
            self._write_conf()
            test = subprocess.run([binary, "-t", "-c", str(self.conf_path)],
                                  capture_output=True, text=True)
            if test.returncode != 0:
                raise ServeError(f"nginx rejected {self.conf_path}:\n{test.stderr}")
            self._nginx = subprocess.Popen(
                [binary, "-c", str(self.conf_path), "-g", "daemon off;"],
                stdout=subprocess.DEVNULL, stderr=open(  # noqa: SIM115
                    self.state_dir / "logs" / "nginx.stderr", "ab"),
                start_new_session=True)
            deadline = time.monotonic() + 10
            while not healthy(self.port) and time.monotonic() < deadline:
                if self._nginx.poll() is not None:
                    raise ServeError(f"nginx exited with {self._nginx.returncode}; see "
                                     f"{self.state_dir / 'logs'}")
                time.sleep(0.1)
            if self.static is not None:
                self._brotli = static_files.start_brotli(
                    self.static.root, open(self.state_dir / "logs" / "brotli.log", "ab"))  # noqa: SIM115
        except BaseException:
            self.stop()
            raise
        tls = f" and https://{self.address}:{self.tls_port}/ (HTTP/2)" if self.tls_port else ""
        self._say(f"serving http://{self.address}:{self.port}/{tls} with {self.workers} app "
                  f"processes (ports {', '.join(map(str, self.app_ports))})")

    def _reload(self) -> None:
        self._write_conf()
        if self._nginx and self._nginx.poll() is None:
            self._nginx.send_signal(signal.SIGHUP)

    def check_once(self) -> None:
        """One round of health checks: mark down, restart, mark up."""
        changed = False
        for port in self.app_ports:
            proc = self._procs.get(port)
            alive = proc is not None and proc.poll() is None
            ok = alive and healthy(port)
            self._fails[port] = 0 if ok else self._fails.get(port, 0) + 1
            failing = not alive or self._fails[port] >= FAILS_TO_MARK_DOWN
            if failing and port not in self._down:
                self._down.add(port)
                changed = True
                self._say(f"app process on port {port} is not healthy: marked down")
            if not alive and not self._stopping:
                self._say(f"app process on port {port} exited: starting it again")
                self._start_app(port)
            if ok and port in self._down:
                self._down.discard(port)
                changed = True
                self._say(f"app process on port {port} is healthy again")
        if changed:
            self._reload()

    def watch(self, stop: threading.Event) -> None:
        """Health checks every ``check_every`` seconds until ``stop`` is set."""
        while not stop.wait(self.check_every):
            if self._nginx and self._nginx.poll() is not None:
                raise ServeError(f"nginx exited with {self._nginx.returncode}")
            self.check_once()

    def run_forever(self) -> None:
        """Watch until Ctrl-C or SIGTERM, then stop everything."""
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
        try:
            self.watch(stop)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def stop(self) -> None:
        self._stopping = True
        if self._brotli and self._brotli.poll() is None:
            self._brotli.terminate()  # files are renamed into place: none is left half-written
            self._brotli.wait(10)
        if self._nginx and self._nginx.poll() is None:
            self._nginx.send_signal(signal.SIGQUIT)  # graceful: finish open requests
            try:
                self._nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._nginx.kill()
        for proc in self._procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self._procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        self._say("stopped")

    def app_pid(self, port: int) -> int:
        return self._procs[port].pid


def defaults_conf() -> str:
    """The configuration for the documented defaults, as committed in deploy/nginx.conf."""
    fonts = sorted(f"/static/media/{p.name}" for p in
                   (static_files.streamlit_static() / "media").glob(
                       static_files.ICON_FONT + ".*.woff2"))
    return proxy.render(replace(proxy.ProxySettings(), prefix=Path("/var/lib/coopmap/serve"),
                                brotli=True, brotli_static=True, user="www-data",
                                static_root=Path("/var/lib/coopmap/static"),
                                subset_fonts=tuple(fonts),
                                geo_root=Path("/srv/coopmap/static/geo"),
                                script_hashes=proxy.inline_script_hashes(
                                    proxy.streamlit_index_html())))
