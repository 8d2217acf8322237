"""Staff sign-in: hashes, slow-down, lockout on disk, sessions, and the audit log."""

from __future__ import annotations

import json
import multiprocessing
import tomllib
from pathlib import Path

import pytest

from coopmap import auth
from coopmap.audit import AuditLog

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


def make(tmp_path: Path, hashed: str, clock: Clock, **kw) -> auth.Authenticator:
    accounts = auth.accounts_from_secrets(
        {"staff": {"accounts": {"Alice": {"password_hash": hashed, "name": "Alice Example"}}}}
    )
    return auth.Authenticator(
        accounts, tmp_path / "state.json", audit=AuditLog(tmp_path / "audit.jsonl"),
        clock=clock, sleep=clock.sleep, **kw,
    )


def test_hash_is_salted_and_verifies(hashed):
    again = auth.hash_password(PASSWORD)
    assert hashed != again and hashed.startswith("$argon2id$")
    assert PASSWORD not in hashed
    with pytest.raises(ValueError, match="at least"):
        auth.hash_password("short")


def test_secrets_example_parses_and_rejects_plain_passwords():
    example = Path(__file__).resolve().parents[1] / ".streamlit" / "secrets.toml.example"
    secrets = tomllib.loads(example.read_text(encoding="utf-8"))
    accounts = auth.accounts_from_secrets(secrets)
    assert accounts and all(a.password_hash.startswith("$argon2") for a in accounts.values())
    with pytest.raises(auth.AuthConfigError, match="not an argon2 hash"):
        auth.accounts_from_secrets({"staff": {"accounts": {"bob": "hunter2hunter2"}}})
    with pytest.raises(auth.AuthConfigError, match="needs a password_hash"):
        auth.accounts_from_secrets({"staff": {"accounts": {"bob": {"name": "Bob"}}}})
    assert auth.accounts_from_secrets({}) == {}
    assert auth.accounts_from_secrets({"other": 1}) == {}


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
    assert "mallory" not in (tmp_path / "state.json").read_text()


def test_slowdown_then_lockout_then_unlock(tmp_path, hashed):
    clock = Clock()
    a = make(tmp_path, hashed, clock, max_failures=5, lockout_seconds=900)
    for _ in range(4):
        assert not a.sign_in("alice", "nope").ok
    assert clock.slept == [0.5, 1.0, 2.0, 4.0]  # each failure waits longer
    fifth = a.sign_in("alice", "nope")
    assert fifth.locked_until is not None and "locked" in fifth.message
    # Locked: even the right password is refused, without checking it.
    locked = a.sign_in("alice", PASSWORD)
    assert not locked.ok and "locked" in locked.message
    # The lock is on disk: a fresh Authenticator (another server process) sees it too.
    other = make(tmp_path, hashed, clock)
    assert not other.sign_in("alice", PASSWORD).ok
    clock.now += 901
    assert other.sign_in("alice", PASSWORD).ok
    actions = [e["action"] for e in AuditLog(tmp_path / "audit.jsonl").read()]
    assert actions.count("sign_in_locked") == 2 and actions[-1] == "sign_in"


def test_success_resets_the_counter(tmp_path, hashed):
    clock = Clock()
    a = make(tmp_path, hashed, clock, max_failures=3)
    a.sign_in("alice", "x")
    a.sign_in("alice", "x")
    assert a.sign_in("alice", PASSWORD).ok
    a.sign_in("alice", "x")
    a.sign_in("alice", "x")
    assert a.locked_until("alice") is None


def test_session_checks(tmp_path, hashed):
    clock = Clock()
    a = make(tmp_path, hashed, clock, session_seconds=3600)
    session = a.session_for(a.sign_in("alice", PASSWORD))
    assert a.check_session(session)
    assert not a.check_session(None)
    # An account removed from the secrets loses its session at the next action.
    assert not auth.Authenticator({}, tmp_path / "state.json", clock=clock).check_session(session)
    clock.now += 3601
    assert not a.check_session(session)
    with pytest.raises(ValueError):
        a.session_for(auth.SignInResult(False, None, "no"))


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
    a = auth.Authenticator(accounts, tmp_path / "s.json", sleep=lambda s: None)
    assert a.sign_in("carol", PASSWORD).ok
    answers = iter([PASSWORD, "something else entirely"])
    assert cli.main(["hash-password", "carol"]) == 1
    assert "differ" in capsys.readouterr().err
