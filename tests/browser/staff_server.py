"""A Streamlit server for the staff browser test: the real app on a COPY of the data folder, with
one staff account, so publishing in the test never touches the repository's data/releases.

The server runs from a temporary working directory. Its only secrets file is the one given with
``--secrets.files`` (Streamlit 1.67 would otherwise also read ``~/.streamlit/secrets.toml`` and the
script folder's ``.streamlit/secrets.toml``); the app's own ``.streamlit/config.toml`` still
applies because Streamlit reads the config next to the main script, and static files are served
from the script's folder (``static/``), so the map base layer still loads offline.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA_PARTS = ("geo", "sources", "corrections")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_data_dir(target: Path, releases: Path) -> Path:
    """``target`` becomes a data folder: a copy of the repo's geo/, sources/, corrections/ and of
    the store ``releases`` (not the repo's data/releases)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in DATA_PARTS:
        shutil.copytree(ROOT / "data" / name, target / name)
    shutil.copytree(releases, target / "releases")
    return target


def secrets_toml(accounts: dict[str, dict[str, str]]) -> str:
    """``[staff.accounts.<user>]`` tables; values are TOML literal strings (no escapes)."""
    out = []
    for user, fields in accounts.items():
        out.append(f"[staff.accounts.{user}]")
        out += [f"{key} = '{value}'" for key, value in fields.items()]
        out.append("")
    return "\n".join(out)


@contextlib.contextmanager
def staff_server(data_dir: Path, workdir: Path, secrets: str, log_path: Path,
                 timeout: float = 60, env: dict[str, str] | None = None,
                 procs: list | None = None) -> Iterator[str]:
    """Run ``streamlit run dashboard.py`` on ``data_dir`` with ``secrets``; yield its base URL.
    ``env``: more environment variables; ``procs``: a list that receives the server process."""
    workdir.mkdir(parents=True, exist_ok=True)
    secrets_file = workdir / ".streamlit" / "secrets.toml"
    secrets_file.parent.mkdir(exist_ok=True)
    secrets_file.write_text(secrets)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**{k: v for k, v in os.environ.items() if k != "COOPMAP_SECRETS"},
           "COOPMAP_DATA_DIR": str(data_dir), **(env or {})}
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"),
             "--server.headless", "true", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
             "--secrets.files", str(secrets_file)],
            cwd=workdir, stdout=log, stderr=subprocess.STDOUT, env=env,
        )
        if procs is not None:
            procs.append(proc)
        try:
            deadline = time.time() + timeout
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"streamlit exited with {proc.returncode}; see {log_path}")
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    if time.time() > deadline:
                        raise RuntimeError(
                            f"streamlit did not become healthy; see {log_path}") from None
                    time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
