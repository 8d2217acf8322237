"""Staff sign-in: hashes, accounts read from the secrets file, slow-down, rate limits, lockout
per user name and client with decaying counters, bounded hashing, sessions, the audit log."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path

import pytest

from coopmap import auth
from coopmap.audit import AuditLog

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def hashed() -> str:
    return auth.hash_password(PASSWORD)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def accounts(hashed: str) -> dict[str, auth.Account]:
    return auth.accounts_from_secrets(
        {"staff": {"accounts": {"Alice": {"password_hash": hashed, "name": "Alice Example"}}}})


def make(tmp_path: Path, hashed: str, clock: Clock, **kw) -> auth.Authenticator:
    return auth.Authenticator(
        accounts(hashed), tmp_path / "signin.sqlite3", audit=AuditLog(tmp_path / "audit.jsonl"),
        clock=clock, sleep=clock.sleep, **kw,
    )


def actions(tmp_path: Path) -> list[str]:
    return [e["action"] for e in AuditLog(tmp_path / "audit.jsonl").read()]


def test_hash_is_salted_and_verifies(hashed):
    again = auth.hash_password(PASSWORD)
    assert hashed != again and hashed.startswith("$argon2id$")
    assert PASSWORD not in hashed
    with pytest.raises(ValueError, match="at least"):
        auth.hash_password("short")


def test_secrets_example_parses_and_rejects_plain_passwords():
    example = ROOT / ".streamlit" / "secrets.toml.example"
    secrets = tomllib.loads(example.read_text(encoding="utf-8"))
    accounts = auth.accounts_from_secrets(secrets)
    assert accounts and all(a.password_hash.startswith("$argon2") for a in accounts.values())
    assert auth.read_accounts([example]).accounts == accounts
    with pytest.raises(auth.AuthConfigError, match="not an argon2 hash"):
        auth.accounts_from_secrets({"staff": {"accounts": {"bob": "hunter2hunter2"}}})
    with pytest.raises(auth.AuthConfigError, match="needs a password_hash"):
        auth.accounts_from_secrets({"staff": {"accounts": {"bob": {"name": "Bob"}}}})
    assert auth.accounts_from_secrets({}) == {}
    assert auth.accounts_from_secrets({"other": 1}) == {}


def test_read_accounts_names_a_broken_file_and_follows_edits(tmp_path, hashed):
    path = tmp_path / "secrets.toml"
    assert auth.read_accounts([path]) == auth.AccountsRead({}, None, ())  # no file: no accounts
    path.write_text(f"[staff.accounts.alice]\npassword_hash = '{hashed}'\n")
    assert list(auth.read_accounts([path]).accounts) == ["alice"]
    path.write_text(f"[staff.accounts.alice]\npassword_hash '{hashed}'\n")  # no "="
    broken = auth.read_accounts([path])
    assert broken.accounts == {}
    assert broken.error.startswith(f"{path} cannot be read as TOML: ")
    assert "(at line 2, column 15)" in broken.error
    # The next save is read at once (Streamlit's watcher stops after a broken save).
    path.write_text(f"[staff.accounts.bob]\npassword_hash = '{hashed}'\n")
    assert list(auth.read_accounts([path]).accounts) == ["bob"]
    path.write_text("[staff.accounts.bob]\nname = 'Bob'\n")
    assert "needs a password_hash" in auth.read_accounts([path]).error
    # A later file's [staff] replaces an earlier one's, as Streamlit merges them.
    later = tmp_path / "later.toml"
    later.write_text(f"[staff.accounts.carol]\npassword_hash = '{hashed}'\n")
    assert list(auth.read_accounts([path, later]).accounts) == ["carol"]


def test_success_failure_and_audit(tmp_path, hashed):
    clock = Clock()
    a = make(tmp_path, hashed, clock)
    bad = a.sign_in("alice", "wrong password!")
    assert not bad.ok and bad.message == "Wrong user name or password."
    good = a.sign_in("  ALICE ", PASSWORD)  # names ignore case and surrounding spaces
    assert good.ok and good.username == "alice"
    unknown = a.sign_in("mallory", PASSWORD)
    assert unknown.message == bad.message  # unknown names look the same as wrong passwords
    events = AuditLog(tmp_path / "audit.jsonl").read()
    assert [e["action"] for e in events] == ["sign_in_failed", "sign_in", "sign_in_failed"]
    assert events[0]["by"] == "alice" and events[2]["by"] is None
    assert "mallory" not in (tmp_path / "audit.jsonl").read_text()
    for f in tmp_path.glob("signin.sqlite3*"):
        assert b"mallory" not in f.read_bytes()


def test_slowdown_then_lockout_of_that_name_from_that_client_then_unlock(tmp_path, hashed):
    clock = Clock()
    a = make(tmp_path, hashed, clock, max_failures=5, lockout_seconds=900)
    for _ in range(4):
        assert not a.sign_in("alice", "nope", client="10.0.0.9").ok
    assert clock.slept == [0.5, 1.0, 2.0, 4.0]  # each failure waits longer
    fifth = a.sign_in("alice", "nope", client="10.0.0.9")
    assert fifth.locked_until is not None and "locked" in fifth.message
    # Locked from that client: even the right password is refused, without checking it.
    locked = a.sign_in("alice", PASSWORD, client="10.0.0.9")
    assert not locked.ok and "locked" in locked.message
    # The lock is in the shared database: a fresh Authenticator (another process) sees it.
    other = make(tmp_path, hashed, clock)
    assert not other.sign_in("alice", PASSWORD, client="10.0.0.9").ok
    # ... but alice at her own desk is not locked out by someone else's guesses.
    assert other.sign_in("alice", PASSWORD, client="192.168.1.20").ok
    clock.now += 901
    assert other.sign_in("alice", PASSWORD, client="10.0.0.9").ok
    acts = actions(tmp_path)
    assert acts.count("sign_in_locked") == 2 and acts[-1] == "sign_in"


def test_someone_elses_failures_never_end_an_open_session(tmp_path, hashed):
    clock = Clock()
    a = make(tmp_path, hashed, clock)
    session = a.session_for(a.sign_in("alice", PASSWORD, client="office"), "tok")
    for _ in range(6):
        a.sign_in("alice", "guess", client="elsewhere")
    assert a.locked_until("alice", "elsewhere") is not None
    assert a.locked_until("alice", "office") is None
    assert a.session_problem(session) is None and a.check_session(session)
    assert "signed_out_forced" not in actions(tmp_path)


def test_failures_decay_so_typos_a_month_apart_never_lock(tmp_path, hashed):
    clock = Clock()
    a = make(tmp_path, hashed, clock)
    for _ in range(7):
        a.sign_in("alice", "typo")
        clock.now += 30 * 24 * 3600
    assert a.locked_until("alice") is None
    assert a.sign_in("alice", PASSWORD).ok


def test_success_resets_the_counter(tmp_path, hashed):
    clock = Clock()
    a = make(tmp_path, hashed, clock, max_failures=3)
    a.sign_in("alice", "x")
    a.sign_in("alice", "x")
    assert a.sign_in("alice", PASSWORD).ok
    a.sign_in("alice", "x")
    a.sign_in("alice", "x")
    assert a.locked_until("alice") is None


def test_attempts_are_limited_per_client_and_overall_before_any_hashing(tmp_path, hashed,
                                                                         monkeypatch):
    clock = Clock()
    a = make(tmp_path, hashed, clock, per_client=(3, 600), overall=(5, 60))
    hashed_calls = []
    real = auth._verify
    monkeypatch.setattr(auth, "_verify", lambda h, p: hashed_calls.append(1) or real(h, p))
    for i in range(3):
        a.sign_in(f"name{i}", "x", client="flooder")
    refused = [a.sign_in(f"other{i}", "x", client="flooder") for i in range(10)]
    assert all("Too many sign-in attempts from this connection" in r.message for r in refused)
    assert len(hashed_calls) == 3  # refused attempts cost no argon2 work
    # Overall: 5 attempts a minute from everywhere together.
    assert not a.sign_in("x", "x", client="b").ok
    assert not a.sign_in("y", "y", client="c").ok
    late = a.sign_in("alice", PASSWORD, client="d")
    assert "right now" in late.message
    clock.now += 61
    assert a.sign_in("alice", PASSWORD, client="d").ok
    # The flood is one audit line per limit and window, not one per attempt.
    assert actions(tmp_path).count("sign_in_limited") == 2


def test_old_entries_expire(tmp_path, hashed, monkeypatch):
    monkeypatch.setattr(auth, "_verify", lambda h, p: False)  # counters only: skip argon2
    clock = Clock()
    a = make(tmp_path, hashed, clock, per_client=(10_000, 600), overall=(10_000, 60),
             base_delay=0)
    for i in range(100):
        a.sign_in(f"name{i}", "x", client=f"c{i % 7}")
    assert a.state.counts()["failures"] == 100
    clock.now += 2 * 24 * 3600
    a.sign_in("alice", PASSWORD)  # a failure too, here: only the new entries are left
    assert a.state.counts() == {"failures": 1, "attempts": 2, "refusals": 0}


def test_concurrent_hashing_is_bounded(tmp_path, hashed, monkeypatch):
    """Eight sign-ins at once: at most MAX_CONCURRENT_HASHES argon2 checks run together, and
    a sign-in that cannot get a slot in time is told the server is busy (not queued)."""
    running, peak, lock = [0], [0], threading.Lock()
    real = auth._verify

    def counting(h, p):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            time.sleep(0.2)
            return real(h, p)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(auth, "_verify", counting)
    a = auth.Authenticator(accounts(hashed), tmp_path / "s.sqlite3", sleep=lambda s: None,
                           hash_wait=0.3)
    results = []
    threads = [threading.Thread(target=lambda i=i: results.append(
        a.sign_in(f"user{i}", "x", client=f"c{i}"))) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] == auth.MAX_CONCURRENT_HASHES
    assert any("busy" in r.message for r in results)


def test_session_checks(tmp_path, hashed):
    clock = Clock()
    a = make(tmp_path, hashed, clock, session_seconds=3600)
    session = a.session_for(a.sign_in("alice", PASSWORD), "secret")
    assert a.check_session(session) and session.token_matches("secret")
    assert not session.token_matches("other") and not session.token_matches(None)
    assert a.session_problem(None) == "not signed in"
    # An account removed from the secrets, or whose password changed, loses its session.
    gone = auth.Authenticator({}, tmp_path / "s.sqlite3", clock=clock)
    assert gone.session_problem(session) == "the account was removed from the secrets"
    changed = auth.Authenticator(accounts(auth.hash_password(PASSWORD)), tmp_path / "s.sqlite3",
                                 clock=clock)
    assert changed.session_problem(session) == "the account's password was changed"
    clock.now += 3601
    assert a.session_problem(session) == "the session is older than 1 hours"
    a.end_session(session, "the session is older than 1 hours")
    assert actions(tmp_path)[-1] == "signed_out_forced"
    with pytest.raises(ValueError):
        a.session_for(auth.SignInResult(False, None, "no"))


FAILER = r"""
import sys
from pathlib import Path
from coopmap import auth
a = auth.Authenticator({}, Path(sys.argv[1]), sleep=lambda s: None)
for _ in range(5):
    a.sign_in("alice", "guess", client="10.1.1.1")
"""


def test_the_lock_is_shared_with_another_process(tmp_path, hashed):
    db = tmp_path / "signin.sqlite3"
    subprocess.run([sys.executable, "-c", FAILER, str(db)], check=True, cwd=ROOT, timeout=120)
    a = auth.Authenticator(accounts(hashed), db, sleep=lambda s: None)
    assert "locked" in a.sign_in("alice", PASSWORD, client="10.1.1.1").message
    assert a.sign_in("alice", PASSWORD, client="10.2.2.2").ok


def _append_many(path: str, tag: int) -> None:
    log = AuditLog(Path(path))
    for i in range(50):
        log.append("upload", f"user{tag}", file=f"f{i}.xlsx", note="x" * 500)


def test_audit_log_is_append_only_across_processes(tmp_path):
    path = tmp_path / "audit.jsonl"
    procs = [multiprocessing.get_context("fork").Process(target=_append_many, args=(str(path), t))
             for t in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 150
    assert all(json.loads(line)["action"] == "upload" for line in lines)
    assert AuditLog(path).verify().ok
    with pytest.raises(ValueError, match="unknown audit action"):
        AuditLog(path).append("delete_everything", "alice")


def test_audit_log_keeps_script_text_as_text(tmp_path):
    log = AuditLog(tmp_path / "a.jsonl")
    log.append("upload", "alice", file="<script>alert(1)</script>.csv")
    assert log.read()[0]["file"] == "<script>alert(1)</script>.csv"
    # A torn last line (crash mid-write) does not hide the earlier events.
    with open(tmp_path / "a.jsonl", "a") as f:
        f.write('{"action": "publ')
    assert len(log.read()) == 1


def test_cli_hash_password_prints_a_working_entry(monkeypatch, capsys, tmp_path):
    from coopmap import cli

    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert cli.main(["hash-password", "carol"]) == 0
    secrets = {"staff": tomllib.loads(capsys.readouterr().out)["staff"]}
    accounts = auth.accounts_from_secrets(secrets)
    a = auth.Authenticator(accounts, tmp_path / "s.sqlite3", sleep=lambda s: None)
    assert a.sign_in("carol", PASSWORD).ok
    answers = iter([PASSWORD, "something else entirely"])
    assert cli.main(["hash-password", "carol"]) == 1
    assert "differ" in capsys.readouterr().err
