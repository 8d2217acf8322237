"""How ``coopmap serve`` starts its app processes (no process is started here)."""

from __future__ import annotations

import subprocess

from coopmap import serve


class _FakeProc:
    def poll(self):
        return None


def test_app_processes_run_without_a_watcher_or_a_forced_gc_after_each_run(tmp_path,
                                                                         monkeypatch):
    # bench/deploy.py measured Streamlit's default post-run gc.collect(2) at 230 ms of CPU per
    # map update (85 % of the process's work); the processes must start without it.
    started = []
    monkeypatch.setattr(subprocess, "Popen",
                        lambda cmd, **kw: started.append((cmd, kw)) or _FakeProc())
    sup = serve.Supervisor(workers=2, port=18080, first_app_port=18601,
                           state_dir=tmp_path / "serve")
    sup._prepare_dirs()
    for port in sup.app_ports:
        sup._start_app(port)
    assert [cmd[cmd.index("--server.port") + 1] for cmd, _ in started] == ["18601", "18602"]
    for cmd, kw in started:
        flags = dict(zip(cmd[::1], cmd[1::1], strict=False))
        assert flags["--runner.postScriptGC"] == "false"
        assert flags["--server.fileWatcherType"] == "none"
        assert flags["--server.address"] == "127.0.0.1"
        assert kw["env"]["STREAMLIT_SERVER_COOKIE_SECRET"] == sup._cookie_secret()


class _Proc:
    def __init__(self):
        self.code = None

    def poll(self):
        return self.code


def test_a_slow_process_is_marked_down_after_three_failed_checks_an_exited_one_at_once(
        tmp_path, monkeypatch):
    sup = serve.Supervisor(workers=2, port=18080, first_app_port=18601,
                           state_dir=tmp_path / "serve")
    procs = {18601: _Proc(), 18602: _Proc()}
    sup._procs = dict(procs)
    answers = {18601: True, 18602: True}
    monkeypatch.setattr(serve, "healthy", lambda port, timeout=None: answers[port])
    reloads, restarts = [], []
    monkeypatch.setattr(sup, "_reload", lambda: reloads.append(set(sup._down)))
    monkeypatch.setattr(sup, "_start_app", lambda port: restarts.append(port))

    answers[18601] = False  # alive but not answering in time
    for _ in range(serve.FAILS_TO_MARK_DOWN - 1):
        sup.check_once()
    assert sup._down == set() and reloads == []
    sup.check_once()
    assert sup._down == {18601} and reloads == [{18601}]
    answers[18601] = True
    sup.check_once()
    assert sup._down == set() and reloads[-1] == set()

    procs[18602].code = -9  # killed: down at once, and started again
    sup.check_once()
    assert sup._down == {18602} and restarts == [18602]
