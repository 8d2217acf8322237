"""The ``coopmap`` command: build and inspect releases, regenerate the data dictionary."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from coopmap import paths
from coopmap.store import ReleaseStore, StoreError


def _store(args) -> ReleaseStore:
    return ReleaseStore(Path(args.store) if args.store else paths.releases_dir())


IDENTITY_SECTION = "Agreement identity:"


def cmd_build(args) -> int:
    from coopmap.build import build

    start = time.perf_counter()
    data_dir = Path(args.data_dir) if args.data_dir else paths.data_dir()
    result = build(data_dir=data_dir, store=_store(args), switch=not args.no_switch)
    elapsed = time.perf_counter() - start
    if not args.quiet:
        print(result.match_report)
        print()
    else:
        # Undecided agreement identities are listed even in quiet mode: a reviewer settles them.
        section = result.match_report.partition(IDENTITY_SECTION)
        if section[1] and " 0 unsettled" not in section[2].split("\n")[0]:
            print(section[1] + section[2] + "\n")
    m = result.release.manifest
    print(f"release      {result.release.id}")
    print(f"content hash {m['content_hash']}")
    print("rows         " + ", ".join(f"{k}={v}" for k, v in m["row_counts"].items()))
    print(f"data as of   {m['data_as_of']}")
    print(f"current      {'switched to this release' if result.switched else 'unchanged'}")
    print(f"built in     {elapsed:.1f} s")
    return 0


def cmd_info(args) -> int:
    store = _store(args)
    release = store.current()
    m = release.manifest
    if args.json:
        print(json.dumps(m, indent=2, sort_keys=True))
        return 0
    print(f"current release  {release.id}")
    print(f"created          {m['created']} by {m['built_by']}")
    print(f"content hash     {m['content_hash']}")
    print(f"schema version   {m['schema_version']}")
    print(f"data as of       {m.get('data_as_of')}")
    print("tables           " + ", ".join(f"{k}={v}" for k, v in m["row_counts"].items()))
    print(f"source files     {len(m['sources'])}")
    print(f"releases in store {len(store.list())}")
    return 0


def cmd_releases(args) -> int:
    store = _store(args)
    current = store.current_id()
    for m in store.list():
        mark = "*" if m["id"] == current else " "
        print(f"{mark} {m['id']}  {m['created']}  {m['built_by']}  {m.get('note', '')}")
    return 0


def cmd_docs(args) -> int:
    from coopmap.docs import DICTIONARY_PATH, data_dictionary

    text = data_dictionary()
    if args.check:
        if DICTIONARY_PATH.read_text(encoding="utf-8") != text:
            print(f"{DICTIONARY_PATH} is out of date: run `coopmap docs`", file=sys.stderr)
            return 1
        return 0
    DICTIONARY_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {DICTIONARY_PATH}")
    return 0


def cmd_hash_password(args) -> int:
    """Prompt for a new staff password (twice) and print the secrets.toml entry for it."""
    import getpass

    from coopmap.auth import hash_password

    password = getpass.getpass("New password: ")
    if getpass.getpass("Same password again: ") != password:
        print("coopmap: the two passwords differ; nothing was made", file=sys.stderr)
        return 1
    try:
        hashed = hash_password(password)
    except ValueError as exc:
        print(f"coopmap: {exc}", file=sys.stderr)
        return 1
    name = json.dumps(args.username)  # a quoted TOML key: any user name is safe
    print(f"[staff.accounts.{name}]\nname = {name}\npassword_hash = \"{hashed}\"")
    return 0


def cmd_serve(args) -> int:
    from coopmap.serve import ServeError, Supervisor

    try:
        tls = {}
        if args.tls or args.tls_cert or args.tls_key:
            tls = {"tls_port": args.tls_port,
                   "tls_cert": Path(args.tls_cert) if args.tls_cert else None,
                   "tls_key": Path(args.tls_key) if args.tls_key else None}
        sup = Supervisor(workers=args.workers, port=args.port, address=args.address,
                         first_app_port=args.first_app_port, **tls,
                         **({"state_dir": Path(args.state_dir)} if args.state_dir else {}))
        sup.start()
    except ServeError as exc:
        print(f"coopmap serve: {exc}", file=sys.stderr)
        return 2
    sup.run_forever()
    return 0


def cmd_proxy_config(args) -> int:
    from coopmap.serve import defaults_conf

    text = defaults_conf()
    target = paths.PROJECT_ROOT / "deploy" / "nginx.conf"
    if args.check:
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            print(f"{target} is out of date: run `coopmap proxy-config`", file=sys.stderr)
            return 1
        return 0
    target.parent.mkdir(exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


def cmd_law_readings(args) -> int:
    """Import the researchers' parts into the readings table, or check the table."""
    from coopmap import law_readings

    corrections = Path(args.data_dir) / "corrections" if args.data_dir else (
        paths.data_dir() / "corrections")
    if args.action == "import":
        if not args.parts:
            print("coopmap: name the part files to import", file=sys.stderr)
            return 1
        path, found = law_readings.import_parts([Path(p) for p in args.parts], corrections)
        print(f"wrote {path}")
        for line in found:
            print(line)
        return 1 if any(not line.startswith("note: ") for line in found) else 0
    try:
        readings = law_readings.read_law_readings(corrections)
    except law_readings.LawReadingsError as exc:
        print(exc, file=sys.stderr)
        return 1
    raw = readings.groupby("check_status").size().to_dict()
    print(f"{len(readings)} readings of {readings['state_abbr'].nunique()} states and DC: "
          + ", ".join(f"{k}={v}" for k, v in sorted(raw.items())))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="coopmap", description=__doc__)
    parser.add_argument("--store", help="release store folder (default data/releases)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="build the default release from data/sources/")
    p.add_argument("--data-dir", help="data folder holding sources/ and corrections/")
    p.add_argument("--no-switch", action="store_true", help="write the release, keep CURRENT")
    p.add_argument("--quiet", action="store_true", help="skip the match report")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("info", help="show the current release")
    p.add_argument("--json", action="store_true", help="print the whole manifest")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("releases", help="list every release (* = current)")
    p.set_defaults(func=cmd_releases)

    p = sub.add_parser("docs", help="regenerate docs/data-dictionary.md from the schema")
    p.add_argument("--check", action="store_true", help="fail if the file is out of date")
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("law-readings", help="import or check the state-law readings table")
    p.add_argument("action", choices=["import", "check"])
    p.add_argument("parts", nargs="*", help="researchers' part CSVs (for import)")
    p.add_argument("--data-dir", help="data folder holding corrections/")
    p.set_defaults(func=cmd_law_readings)

    p = sub.add_parser("hash-password", help="make a password hash for a staff account")
    p.add_argument("username", nargs="?", default="new_user", help="the account's user name")
    p.set_defaults(func=cmd_hash_password)

    p = sub.add_parser("serve", help="serve the dashboard with several processes behind nginx")
    p.add_argument("--workers", type=int, default=3, help="app processes (default 3)")
    p.add_argument("--port", type=int, default=8080, help="nginx's port (default 8080)")
    p.add_argument("--address", default="127.0.0.1",
                   help="nginx's address (default 127.0.0.1; 0.0.0.0 for every interface)")
    p.add_argument("--first-app-port", type=int, default=8601,
                   help="port of the first app process; the others follow (default 8601)")
    p.add_argument("--state-dir", help="nginx configuration, logs and pids (default .serve/)")
    p.add_argument("--tls", action="store_true",
                   help="also listen with TLS and HTTP/2 on --tls-port, with a self-signed "
                        "certificate made at start unless --tls-cert/--tls-key are given")
    p.add_argument("--tls-port", type=int, default=8443, help="the TLS port (default 8443)")
    p.add_argument("--tls-cert", help="certificate chain (PEM) for the TLS listener")
    p.add_argument("--tls-key", help="its private key (PEM)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("proxy-config",
                       help="write deploy/nginx.conf for the documented defaults")
    p.add_argument("--check", action="store_true", help="fail if the file is out of date")
    p.set_defaults(func=cmd_proxy_config)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except StoreError as exc:
        print(f"coopmap: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
