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
