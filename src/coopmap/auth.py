"""Staff accounts and sign-in: argon2 hashes, bounded hashing, rate limits, lockout, sessions.

Accounts live in the secrets file (``.streamlit/secrets.toml``; see ``secrets.toml.example``)::

    [staff.accounts.alice]
    password_hash = "$argon2id$v=19$m=65536,t=3,p=4$..."
    name = "Alice Example"

``read_accounts`` reads and validates that file itself, on every sign-in and every staff rerun
(it is small), instead of trusting Streamlit's copy: Streamlit stops reloading the file after
one save with a syntax error, and reports a broken file as "no secrets". A broken file is named
with its parse error; a removed account or a changed password ends that account's sessions.

Sign-in state (failure scores, lockouts, recent attempts) lives in one SQLite database in the
staff data folder (``data/staff/signin.sqlite3``, WAL mode), so every server process of a
deployment shares it and no click re-reads a growing file. The rules:

* At most ``MAX_CONCURRENT_HASHES`` password checks run at once in a process (each argon2 check
  takes 64 MiB); a sign-in that cannot start one within a few seconds is refused as "busy".
* Attempts are limited per client (``PER_CLIENT``) and overall (``OVERALL``), before any hashing.
* Failures are counted per user name *and* client, decay (half-life ``FAILURE_HALF_LIFE``) and
  lock that pair for ``LOCKOUT_SECONDS`` at ``MAX_FAILURES``: five wrong passwords for "bob"
  from elsewhere lock out that elsewhere, not bob, and never end bob's open session.
* Old entries expire (``purge``): the database holds the last day's activity, not every name
  ever tried. User names and clients are stored only as hashes.

Unknown user names are treated exactly like known ones (same message, same hash work, same
counters), so the page does not reveal which accounts exist.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets as secrets_mod
import sqlite3
import threading
import time
import tomllib
from collections.abc import Callable, Iterable, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from coopmap.audit import AuditLog, staff_dir

_HASHER = PasswordHasher()
# Verified against when the user name is unknown, so that path costs the same time.
_DUMMY_HASH = _HASHER.hash("coopmap-no-such-account")

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1_024  # longer is refused as wrong without hashing
MAX_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60
FAILURE_HALF_LIFE = 60 * 60  # a failure counts half after an hour, a sixteenth after four
SESSION_SECONDS = 8 * 60 * 60
MAX_CONCURRENT_HASHES = 2
HASH_WAIT_SECONDS = 5.0
# (attempts, seconds): sign-in attempts allowed per client and from everywhere together.
PER_CLIENT = (20, 10 * 60)
OVERALL = (60, 60)
EXPIRE_SECONDS = 24 * 60 * 60

_HASH_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT_HASHES)


class AuthConfigError(ValueError):
    """The accounts in the secrets are malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class Account:
    username: str
    password_hash: str
    name: str

    @property
    def fingerprint(self) -> str:
        """Changes when the password (hash) changes; kept in sessions to notice that."""
        return hashlib.sha256(self.password_hash.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class SignInResult:
    ok: bool
    username: str | None
    message: str
    locked_until: float | None = None


@dataclass(frozen=True)
class Session:
    """What the page keeps after a successful sign-in; re-checked on every rerun and action.

    ``token_sha`` is the sha256 of the secret the signed-in browser holds (see
    ``coopmap.ui.staff_binding``): a connection that cannot show it is not this session."""

    username: str
    name: str
    signed_in_at: float
    fingerprint: str = ""
    token_sha: str | None = None

    def token_matches(self, token: str | None) -> bool:
        if not token or not self.token_sha:
            return False
        return hmac.compare_digest(token_sha(token), self.token_sha)


def token_sha(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets_mod.token_urlsafe(32)


def hash_password(password: str) -> str:
    """An argon2id hash (salted) for a new account's secrets entry."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _HASHER.hash(password)


def _norm(username: str) -> str:
    return str(username).strip().casefold()[:200]


# --- Accounts -------------------------------------------------------------------------------


def accounts_from_secrets(secrets: Mapping | None) -> dict[str, Account]:
    """Accounts from the ``[staff.accounts]`` part of the secrets; {} when none are configured."""
    if not secrets:
        return {}
    staff = secrets.get("staff") or {}
    if not isinstance(staff, Mapping):
        raise AuthConfigError("secrets: staff must be a table ([staff.accounts.<name>])")
    raw = staff.get("accounts") or {}
    if not isinstance(raw, Mapping):
        raise AuthConfigError("secrets: staff.accounts must be a table of accounts")
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


@dataclass(frozen=True)
class AccountsRead:
    """The accounts of the secrets files, or the error that makes them unusable."""

    accounts: dict[str, Account]
    error: str | None
    files: tuple[Path, ...]


def read_accounts(files: Iterable[Path]) -> AccountsRead:
    """Read and validate the staff accounts from the secrets files that exist (a later file's
    ``[staff]`` replaces an earlier one's, as Streamlit merges them). A file that does not parse
    is an error naming the file, line and column: never "no accounts"."""
    found = tuple(Path(f) for f in files if Path(f).is_file())
    staff = None
    for path in found:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            return AccountsRead({}, f"{path} cannot be read as TOML: {exc}", found)
        except OSError as exc:
            return AccountsRead({}, f"{path} cannot be read: {exc.strerror}", found)
        if "staff" in data:
            staff = data["staff"]
    try:
        accounts = accounts_from_secrets({"staff": staff} if staff is not None else {})
    except AuthConfigError as exc:
        return AccountsRead({}, str(exc), found)
    return AccountsRead(accounts, None, found)


# --- Sign-in state (SQLite, shared by every process) ------------------------------------------

_SCHEMA = """
CREATE TABLE IF NOT EXISTS failures (
    key TEXT PRIMARY KEY, score REAL NOT NULL, updated REAL NOT NULL, locked_until REAL
);
CREATE INDEX IF NOT EXISTS failures_updated ON failures (updated);
CREATE TABLE IF NOT EXISTS attempts (scope TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS attempts_scope_at ON attempts (scope, at);
CREATE TABLE IF NOT EXISTS refusals (scope TEXT PRIMARY KEY, until REAL NOT NULL);
"""


class SignInState:
    """Failure scores, lockouts and recent attempts in one SQLite file (WAL: readers never wait
    for the writer, and several server processes share it)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._ready = False

    @contextmanager
    def _db(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as db:
            db.execute("PRAGMA busy_timeout = 30000")
            if not self._ready:
                db.execute("PRAGMA journal_mode = WAL")
                db.executescript(_SCHEMA)
                self._ready = True
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def locked_until(self, key: str, now: float) -> float | None:
        with self._db() as db:
            row = db.execute("SELECT locked_until FROM failures WHERE key = ?", (key,)).fetchone()
        return row[0] if row and row[0] and row[0] > now else None

    def take_attempt(self, limits: list[tuple[str, int, float]], now: float
                     ) -> tuple[str | None, bool]:
        """Count one attempt in each scope unless one of them is at its limit.

        Returns (the refusing scope or None, whether this is that scope's first refusal in its
        window: only that one is worth an audit line)."""
        with self._db() as db:
            for scope, limit, window in limits:
                (n,) = db.execute("SELECT count(*) FROM attempts WHERE scope = ? AND at > ?",
                                  (scope, now - window)).fetchone()
                if n >= limit:
                    row = db.execute("SELECT until FROM refusals WHERE scope = ?",
                                     (scope,)).fetchone()
                    first = row is None or row[0] <= now
                    if first:
                        db.execute("INSERT OR REPLACE INTO refusals VALUES (?, ?)",
                                   (scope, now + window))
                    return scope, first
            db.executemany("INSERT INTO attempts VALUES (?, ?)",
                           [(scope, now) for scope, _, _ in limits])
            return None, False

    def record_failure(self, key: str, now: float, *, half_life: float, max_failures: int,
                       lockout: float) -> tuple[float, float | None]:
        """Add one failure to the key's decayed score; lock it at ``max_failures``.
        Returns (the score, locked until or None)."""
        with self._db() as db:
            row = db.execute("SELECT score, updated FROM failures WHERE key = ?",
                             (key,)).fetchone()
            score = 1.0
            if row:
                score += row[0] * 0.5 ** (max(0.0, now - row[1]) / half_life)
            until = None
            if round(score) >= max_failures:  # decay over the seconds between typos aside
                until = now + lockout
            db.execute("INSERT OR REPLACE INTO failures VALUES (?, ?, ?, ?)",
                       (key, 0.0 if until else score, now, until))
        return score, until

    def clear(self, key: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM failures WHERE key = ?", (key,))

    def purge(self, now: float, *, older_than: float = EXPIRE_SECONDS) -> None:
        """Forget attempts, refusals and failures (not active lockouts) older than a day."""
        cut = now - older_than
        with self._db() as db:
            db.execute("DELETE FROM attempts WHERE at < ?", (cut,))
            db.execute("DELETE FROM refusals WHERE until < ?", (now,))
            db.execute("DELETE FROM failures WHERE updated < ? AND "
                       "(locked_until IS NULL OR locked_until < ?)", (cut, now))

    def counts(self) -> dict[str, int]:
        with self._db() as db:
            return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                    for t in ("failures", "attempts", "refusals")}


def _h(text: str) -> str:
    # Names and clients are kept only as hashes: a password typed into the name box is not kept.
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class Authenticator:
    """Checks passwords against the accounts, with the sign-in state in SQLite."""

    def __init__(
        self,
        accounts: Mapping[str, Account],
        state_path: Path | None = None,
        *,
        audit: AuditLog | None = None,
        max_failures: int = MAX_FAILURES,
        lockout_seconds: float = LOCKOUT_SECONDS,
        failure_half_life: float = FAILURE_HALF_LIFE,
        base_delay: float = 0.5,
        max_delay: float = 4.0,
        session_seconds: float = SESSION_SECONDS,
        per_client: tuple[int, float] = PER_CLIENT,
        overall: tuple[int, float] = OVERALL,
        hash_wait: float = HASH_WAIT_SECONDS,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.accounts = dict(accounts)
        self.state = SignInState(Path(state_path) if state_path
                                 else staff_dir() / "signin.sqlite3")
        self.audit = audit
        self.max_failures = max_failures
        self.lockout_seconds = lockout_seconds
        self.failure_half_life = failure_half_life
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.session_seconds = session_seconds
        self.per_client = per_client
        self.overall = overall
        self.hash_wait = hash_wait
        self.clock = clock
        self.sleep = sleep

    @property
    def configured(self) -> bool:
        return bool(self.accounts)

    @staticmethod
    def _key(username: str, client: str) -> str:
        return f"{_h(_norm(username))}:{_h(client)}"

    def locked_until(self, username: str, client: str = "unknown") -> float | None:
        return self.state.locked_until(self._key(username, client), self.clock())

    # --- sign-in ---------------------------------------------------------------------------
    def sign_in(self, username: str, password: str, client: str = "unknown") -> SignInResult:
        """Check a password typed on the page; ``client`` names the connection it came from
        (an IP address), for the per-client limits."""
        name = _norm(username)
        now = self.clock()
        key = self._key(name, client)
        account = self.accounts.get(name)
        who = name if account else None
        tag = _h(client)[:12]
        self.state.purge(now)  # cheap (indexed deletes), and attempts themselves are limited
        refused, first = self.state.take_attempt(
            [(f"client:{_h(client)}", *self.per_client), ("all", *self.overall)], now)
        if refused:
            if first:  # one audit line per limit and window, however long the flood
                self._log("sign_in_limited", None, client=tag,
                          limit="this client" if refused != "all" else "everywhere")
            scope = "from this connection" if refused != "all" else "right now"
            return SignInResult(False, None, f"Too many sign-in attempts {scope}. Wait a few "
                                "minutes and try again.")
        until = self.state.locked_until(key, now)
        if until:
            minutes = max(1, round((until - now) / 60))
            self._log("sign_in_locked", who, client=tag)
            return SignInResult(
                False, None,
                f"Too many failed sign-ins from here: signing in is locked for about {minutes} "
                "more minute(s).",
                locked_until=until,
            )
        if len(password) > MAX_PASSWORD_LENGTH:
            ok = False
        else:
            verdict = _verify_bounded(account.password_hash if account else _DUMMY_HASH,
                                      password, self.hash_wait)
            if verdict is None:
                return SignInResult(False, None, "The server is busy checking other sign-ins. "
                                    "Try again in a moment.")
            ok = verdict and account is not None
        if ok:
            self.state.clear(key)
            self._log("sign_in", name, client=tag)
            return SignInResult(True, name, f"Signed in as {account.name}.")
        score, until = self.state.record_failure(
            key, now, half_life=self.failure_half_life, max_failures=self.max_failures,
            lockout=self.lockout_seconds)
        # An unknown name may be a password typed into the wrong box: log only its hash prefix.
        self._log("sign_in_failed", who, client=tag,
                  unknown_user=None if account else _h(name)[:12])
        # Slow down each further guess: 0.5 s, 1 s, 2 s, ... capped.
        self.sleep(min(self.base_delay * 2 ** (max(round(score), 1) - 1), self.max_delay))
        if until:
            return SignInResult(
                False, None,
                f"Wrong user name or password. After {self.max_failures} failures signing in "
                f"from here is locked for {round(self.lockout_seconds / 60)} minutes.",
                locked_until=until,
            )
        return SignInResult(False, None, "Wrong user name or password.")

    # --- sessions --------------------------------------------------------------------------
    def session_for(self, result: SignInResult, token: str | None = None) -> Session:
        """The session of a successful sign-in, bound to ``token`` (the browser's secret)."""
        if not result.ok or result.username is None:
            raise ValueError("no session for a failed sign-in")
        account = self.accounts[result.username]
        return Session(result.username, account.name, self.clock(), account.fingerprint,
                       token_sha(token) if token else None)

    def session_problem(self, session: Session | None) -> str | None:
        """Why ``session`` no longer holds (None while it does): the account was removed, its
        password changed, or the session is too old. Failures of others never end it."""
        if session is None:
            return "not signed in"
        account = self.accounts.get(session.username)
        if account is None:
            return "the account was removed from the secrets"
        if session.fingerprint and not hmac.compare_digest(session.fingerprint,
                                                           account.fingerprint):
            return "the account's password was changed"
        if self.clock() - session.signed_in_at > self.session_seconds:
            return f"the session is older than {round(self.session_seconds / 3600)} hours"
        return None

    def check_session(self, session: Session | None) -> bool:
        """True while the session's account is still configured, unchanged and not expired."""
        return self.session_problem(session) is None

    def end_session(self, session: Session, reason: str) -> None:
        """The server signs a session out (the audit says why)."""
        self._log("signed_out_forced", session.username, reason=reason)

    def sign_out(self, session: Session | None) -> None:
        if session is not None:
            self._log("sign_out", session.username)

    def _log(self, action: str, username: str | None, **details) -> None:
        if self.audit is not None:
            self.audit.append(action, username, **details)


def _verify_bounded(hashed: str, password: str, wait: float) -> bool | None:
    """argon2 verification in one of the process's few hashing slots; None when no slot
    frees up within ``wait`` seconds (a flood: refuse rather than queue without end)."""
    if not _HASH_SLOTS.acquire(timeout=wait):
        return None
    try:
        return _verify(hashed, password)
    finally:
        _HASH_SLOTS.release()


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)  # constant-time comparison inside argon2
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
