#!/usr/bin/env python3
"""Set up and run coopmap with nothing but Python 3.11+.

    python3 run.py dashboard   # install into .venv if needed, then start the dashboard
    python3 run.py test        # install into .venv (with test tools), then run every test
    python3 run.py build       # rebuild the bundled release from data/sources/
    python3 run.py bench       # run the benchmarks (bench/README.md)
    python3 run.py serve --workers 3   # several app processes behind nginx (docs/deploy.md)

The virtual environment lives in .venv/ next to this file and is reused while pyproject.toml is
unchanged. Browser tests need Debian's chromium at /usr/bin/chromium; as root on Debian this
script installs it with apt-get, elsewhere those tests are skipped with a message (CI sets
COOPMAP_REQUIRE_BROWSER=1 so that they fail instead).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
CHROMIUM = Path("/usr/bin/chromium")


def run(*cmd: str | Path, **kw) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, **kw)


def ensure_venv(extras: str = "") -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - run.py must explain itself on old Pythons
        sys.exit(f"coopmap needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not PY.exists():
        venv.create(VENV, with_pip=True)
    spec = f".[{extras}]" if extras else "."
    stamp = VENV / f".installed-{extras or 'app'}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PY, "-m", "pip", "install", "--quiet", "-e", spec, cwd=ROOT)
    stamp.write_text(digest)


def ensure_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.name == "posix" and os.geteuid() == 0 and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run("apt-get", "update", "-qq", env=env)
        run("apt-get", "install", "-y", "-qq", "chromium", env=env)
    else:
        print("note: /usr/bin/chromium is missing, so browser tests will be skipped "
              "(install Debian's chromium package to run them)", flush=True)


def ensure_nginx() -> None:
    """nginx (and Debian's brotli modules, when the packages exist) for ``serve`` and its
    tests."""
    static_module = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
    if (Path("/usr/sbin/nginx").exists() or shutil.which("nginx")) and (
            static_module.exists() or os.name != "posix" or os.geteuid() != 0
            or not shutil.which("apt-get")):
        return
    if os.name == "posix" and os.geteuid() == 0 and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run("apt-get", "update", "-qq", env=env)
        run("apt-get", "install", "-y", "-qq", "--no-install-recommends", "nginx", env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                        "libnginx-mod-http-brotli-filter", "libnginx-mod-http-brotli-static"],
                       env=env, check=False)
    else:
        print("note: nginx is missing: install it (Debian: apt-get install nginx) to serve "
              "behind the proxy; its tests will be skipped", flush=True)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "help"
    rest = argv[1:]
    if command == "dashboard":
        ensure_venv()
        os.execv(PY, [str(PY), "-m", "streamlit", "run", str(ROOT / "dashboard.py"), *rest])
    elif command == "test":
        ensure_venv("test")
        ensure_chromium()
        ensure_nginx()
        return subprocess.run([str(PY), "-m", "pytest", *rest], cwd=ROOT).returncode
    elif command == "serve":
        ensure_venv()
        ensure_nginx()
        return subprocess.run([str(BIN / "coopmap"), "serve", *rest], cwd=ROOT).returncode
    elif command == "build":
        ensure_venv()
        return subprocess.run([str(BIN / "coopmap"), "build", *rest], cwd=ROOT).returncode
    elif command == "bench":
        ensure_venv("test")
        ensure_chromium()
        ensure_nginx()  # the deploy section runs nginx in front of two app processes
        return subprocess.run([str(PY), str(ROOT / "bench" / "run.py"), *rest],
                              cwd=ROOT).returncode
    else:
        print(__doc__)
        return 0 if command in ("help", "-h", "--help") else 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
