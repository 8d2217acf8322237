"""Staff accounts and sign-in: argon2 hashes, constant-time checks, slow-down and lockout.

Accounts come from Streamlit secrets, but this module takes a plain mapping so it is testable
without Streamlit. The expected shape (see ``.streamlit/secrets.toml.example``)::

    [staff.accounts.alice]
    password_hash = "$argon2id$v=19$m=65536,t=3,p=4$..."
    name = "Alice Example"

Failure counters live in a JSON file on disk (``data/staff/signin_state.json`` by default), so a
restart or a second server process does not reset them. Unknown user names are treated exactly
like known ones (same message, same hash work, same counters) so the page does not reveal which
accounts exist.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from coopmap.audit import AuditLog, staff_dir

_HASHER = PasswordHasher()
# Verified against when the user name is unknown, so that path costs the same time.
_DUMMY_HASH = _HASHER.hash("coopmap-no-such-account")

MIN_PASSWORD_LENGTH = 12
MAX_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60
SESSION_SECONDS = 8 * 60 * 60


class AuthConfigError(ValueError):
    """The accounts in the secrets are malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class Account:
    username: str
    password_hash: str
    name: str


@dataclass(frozen=True)
class SignInResult:
    ok: bool
    username: str | None
    message: str
    locked_until: float | None = None


@dataclass(frozen=True)
class Session:
    """What the page keeps after a successful sign-in; re-checked on every action."""

    username: str
    name: str
    signed_in_at: float


def hash_password(password: str) -> str:
    """An argon2id hash (salted) for a new account's secrets entry."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _HASHER.hash(password)


def _norm(username: str) -> str:
    return str(username).strip().casefold()


def accounts_from_secrets(secrets: Mapping | None) -> dict[str, Account]:
    """Accounts from the ``[staff.accounts]`` part of the secrets; {} when none are configured."""
    if not secrets:
        return {}
    staff = secrets.get("staff") or {}
    raw = staff.get("accounts") or {}
    accounts: dict[str, Account] = {}
    for username, entry in raw.items():
        if isinstance(entry, str):
            entry = {"password_hash": entry}
        if not isinstance(entry, Mapping) or not entry.get("password_hash"):
            raise AuthConfigError(
                f"secrets: staff.accounts.{username} needs a password_hash "
                "(make one with `coopmap hash-password`)"
            )
        hashed = str(entry["password_hash"])
        if not hashed.startswith("$argon2"):
            raise AuthConfigError(
                f"secrets: staff.accounts.{username}.password_hash is not an argon2 hash "
                "(make one with `coopmap hash-password`; never store a plain password)"
            )
        key = _norm(username)
        if key in accounts:
            raise AuthConfigError(f"secrets: account {username!r} is listed twice")
        accounts[key] = Account(key, hashed, str(entry.get("name") or username))
    return accounts


class Authenticator:
    """Checks passwords and keeps per-user failure counters on disk."""

    def __init__(
        self,
        accounts: Mapping[str, Account],
        state_path: Path | None = None,
        *,
        audit: AuditLog | None = None,
        max_failures: int = MAX_FAILURES,
        lockout_seconds: float = LOCKOUT_SECONDS,
        base_delay: float = 0.5,
        max_delay: float = 4.0,
        session_seconds: float = SESSION_SECONDS,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.accounts = dict(accounts)
        self.state_path = Path(state_path) if state_path else staff_dir() / "signin_state.json"
        self.audit = audit
        self.max_failures = max_failures
        self.lockout_seconds = lockout_seconds
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.session_seconds = session_seconds
        self.clock = clock
        self.sleep = sleep

    @property
    def configured(self) -> bool:
        return bool(self.accounts)

    # --- on-disk counters ------------------------------------------------------------------
    @contextmanager
    def _state(self):
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.state_path.with_name(self.state_path.name + ".lock")
        with open(lock_path, "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                try:
                    state = json.loads(self.state_path.read_text(encoding="utf-8"))
                except (FileNotFoundError, json.JSONDecodeError):
                    state = {}
                before = json.dumps(state, sort_keys=True)
                yield state
                if json.dumps(state, sort_keys=True) != before:
                    tmp = self.state_path.with_name(f".{self.state_path.name}.{os.getpid()}")
                    tmp.write_text(json.dumps(state, sort_keys=True), encoding="utf-8")
                    os.replace(tmp, self.state_path)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    @staticmethod
    def _key(username: str) -> str:
        # Hash the name so typed garbage (or a password typed into the name box) is not kept.
        return hashlib.sha256(_norm(username).encode("utf-8")).hexdigest()[:32]

    def locked_until(self, username: str) -> float | None:
        with self._state() as state:
            entry = state.get(self._key(username)) or {}
        until = entry.get("locked_until")
        return until if until and until > self.clock() else None

    # --- sign-in ---------------------------------------------------------------------------
    def sign_in(self, username: str, password: str) -> SignInResult:
        name = _norm(username)
        now = self.clock()
        key = self._key(name)
        with self._state() as state:
            entry = state.get(key) or {"failures": 0}
            until = entry.get("locked_until")
            if until and until > now:
                minutes = max(1, round((until - now) / 60))
                self._log("sign_in_locked", name)
                return SignInResult(
                    False, None,
                    f"Too many failed sign-ins: this account is locked for about {minutes} more "
                    "minute(s).",
                    locked_until=until,
                )
        account = self.accounts.get(name)
        ok = _verify(account.password_hash if account else _DUMMY_HASH, password)
        ok = ok and account is not None
        with self._state() as state:
            entry = state.get(key) or {"failures": 0}
            if ok:
                state.pop(key, None)
            else:
                failures = int(entry.get("failures", 0)) + 1
                entry = {"failures": failures, "last_failure": now}
                if failures >= self.max_failures:
                    entry["locked_until"] = now + self.lockout_seconds
                    entry["failures"] = 0
                state[key] = entry
        if ok:
            self._log("sign_in", name)
            return SignInResult(True, name, f"Signed in as {account.name}.")
        # An unknown name may be a password typed into the wrong box: log only its hash prefix.
        self._log("sign_in_failed", name if account else None,
                  unknown_user=None if account else key[:12])
        # Slow down each further guess: 0.5 s, 1 s, 2 s, ... capped.
        delay = min(self.base_delay * 2 ** (failures - 1), self.max_delay)
        self.sleep(delay)
        if "locked_until" in entry:
            return SignInResult(
                False, None,
                f"Wrong user name or password. After {self.max_failures} failures the account is "
                f"locked for {round(self.lockout_seconds / 60)} minutes.",
                locked_until=entry["locked_until"],
            )
        return SignInResult(False, None, "Wrong user name or password.")

    def session_for(self, result: SignInResult) -> Session:
        if not result.ok or result.username is None:
            raise ValueError("no session for a failed sign-in")
        return Session(result.username, self.accounts[result.username].name, self.clock())

    def check_session(self, session: Session | None) -> bool:
        """True while the session's account is still configured, unlocked and not expired."""
        if session is None or session.username not in self.accounts:
            return False
        if self.clock() - session.signed_in_at > self.session_seconds:
            return False
        return self.locked_until(session.username) is None

    def sign_out(self, session: Session | None) -> None:
        if session is not None:
            self._log("sign_out", session.username)

    def _log(self, action: str, username: str | None, **details) -> None:
        if self.audit is not None:
            self.audit.append(action, username, **details)


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)  # constant-time comparison inside argon2
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
