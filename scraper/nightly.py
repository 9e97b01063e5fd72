"""`amazon-credits nightly`: refresh every configured account with nobody at the keyboard.

- Never reads standard input: a needed person is an outcome and an alert.
- One account's failure does not stop the others.
- A file lock keeps two runs from overlapping; the second waits a bounded
  time, then stops with ExitCode.BUSY.
- Only transient failures (Unavailable, or a snapshot where every page failed
  to load) are retried, with backoff; wrong passwords never are.
- JSON log lines go to a rotating file in the platform log folder.
- The exit code is the worst outcome of the night (WORST_FIRST).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

import structlog
from filelock import FileLock, Timeout

from scraper import alerts
from scraper.errors import Busy, CreditsError, ExitCode, Unavailable
from scraper.exports import write_latest
from scraper.models import INFORMATIONAL_CODES, ProblemCode, Snapshot

log = structlog.get_logger("amazon_credits.nightly")

LOCK_FILE_NAME = "nightly.lock"
DEFAULT_LOCK_WAIT_S = 600.0
DEFAULT_ATTEMPTS = 3
DEFAULT_BACKOFF_S = 30.0

# Worst first: what needs a person outranks what may pass by itself.
WORST_FIRST: tuple[ExitCode, ...] = (
    ExitCode.INTERNAL,
    ExitCode.STORE_INVALID,
    ExitCode.CONFIG_INVALID,
    ExitCode.KEYRING_UNAVAILABLE,
    ExitCode.BAD_CREDENTIALS,
    ExitCode.PERSON_NEEDED,
    ExitCode.BLOCKED,
    ExitCode.SITE_CHANGED,
    ExitCode.UNAVAILABLE,
    ExitCode.PARTIAL,
    ExitCode.OK,
)


def worst(codes: list[ExitCode]) -> ExitCode:
    return min(codes, key=WORST_FIRST.index, default=ExitCode.OK)


def outcome_name(code: ExitCode) -> str:
    return code.name.lower()


class AccountLike(Protocol):
    marketplace: str


# (account name, its config) -> a snapshot, not yet stored; raises a CreditsError for
# outcomes without one (person needed, bad credentials, blocked, unavailable...).
RefreshOne = Callable[[str, Any], Snapshot]


class SnapshotSink(Protocol):
    def append(self, snapshot: Snapshot) -> int: ...
    def latest(self, account: str | None = None) -> Snapshot | None: ...


@dataclass
class AccountOutcome:
    account: str
    code: ExitCode
    attempts: int
    message: str
    hint: str | None = None
    snapshot: Snapshot | None = None
    snapshot_id: int | None = None
    previous: Snapshot | None = None  # the account's snapshot before this run, for change alerts

    @property
    def outcome(self) -> str:
        return outcome_name(self.code)


@dataclass
class NightlyResult:
    outcomes: list[AccountOutcome] = field(default_factory=list)
    delivery: alerts.Delivery | None = None

    @property
    def exit_code(self) -> ExitCode:
        return worst([o.code for o in self.outcomes])


def snapshot_code(snapshot: Snapshot) -> ExitCode:
    """What a stored snapshot means for the exit code (the same rule as `refresh`)."""
    from scraper.cli import exit_code_for  # late: the CLI imports this module

    return exit_code_for(snapshot)


def _is_transient(snapshot: Snapshot) -> bool:
    # Nothing read, and every real problem is a page that did not load (SKIPPED ones follow from those).
    real = [p for p in snapshot.problems if p.code not in INFORMATIONAL_CODES]
    return bool(real) and not snapshot.balances and all(p.code == ProblemCode.REQUEST_FAILED for p in real)


def refresh_with_retries(
    name: str,
    account: Any,
    refresh_one: RefreshOne,
    *,
    attempts: int,
    backoff_s: float,
    sleep: Callable[[float], None],
) -> tuple[Snapshot | None, CreditsError | None, int]:
    """Try up to `attempts` times while the failure is transient; (snapshot, error, attempts used)."""
    for attempt in range(1, attempts + 1):
        snapshot: Snapshot | None = None
        error: CreditsError | None = None
        try:
            snapshot = refresh_one(name, account)
        except Unavailable as exc:
            error = exc
        transient = error is not None or (snapshot is not None and _is_transient(snapshot))
        if not transient or attempt == attempts:
            return snapshot, error, attempt
        wait = backoff_s * 2 ** (attempt - 1)
        log.info("account_retry", account=name, attempt=attempt, wait_s=wait, reason=str(error or "every page failed to load"))
        sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def run_nightly(
    accounts: Mapping[str, Any],
    refresh_one: RefreshOne,
    store: SnapshotSink,
    *,
    latest_dir: Path,
    alert_settings: alerts.AlertSettings,
    alert_state_path: Path,
    attempts: int = DEFAULT_ATTEMPTS,
    backoff_s: float = DEFAULT_BACKOFF_S,
    sleep: Callable[[float], None] = time.sleep,
    today: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    on_account: Callable[[AccountOutcome], None] = lambda outcome: None,
) -> NightlyResult:
    result = NightlyResult()
    pending: list[alerts.Alert] = []
    recovered: list[str] = []
    for name, account in accounts.items():
        structlog.contextvars.bind_contextvars(account=name)
        try:
            outcome = _one_account(name, account, refresh_one, store, latest_dir, attempts, backoff_s, sleep)
        finally:
            structlog.contextvars.unbind_contextvars("account")
        result.outcomes.append(outcome)
        log.info(
            "account_done",
            account=name,
            outcome=outcome.outcome,
            exit_code=int(outcome.code),
            attempts=outcome.attempts,
            message=outcome.message,
            snapshot_id=outcome.snapshot_id,
        )
        on_account(outcome)
        if outcome.snapshot is not None and outcome.code in (ExitCode.OK, ExitCode.PARTIAL):
            recovered.append(name)
        if outcome.snapshot is not None:
            pending += alerts.alerts_for_snapshot(outcome.previous, outcome.snapshot, alert_settings, today().date())
        if outcome.code not in (ExitCode.OK, ExitCode.PARTIAL) and alert_settings.on_failure:
            pending.append(alerts.run_alert(name, outcome.outcome, outcome.message, outcome.hint))
    try:
        # Loaded after the refreshes: a damaged state file costs the alerts, never the snapshots.
        state = alerts.State.load(alert_state_path)
        for name in recovered:
            state.clear_account(name)
        result.delivery = alerts.send(pending, alert_settings, state)
        if not pending or not alert_settings.urls:
            state.save()  # remember recoveries even when nothing was sent
        log.info(
            "alerts",
            sent=[a.key for a in result.delivery.sent],
            failed=[a.key for a in result.delivery.failed],
            already_sent=len(result.delivery.already_sent),
        )
    except CreditsError as exc:
        # A bad alert URL or state file must not hide the night's results.
        log.error("alerts_failed", error=exc.message)
        result.outcomes.append(AccountOutcome("(alerts)", exc.exit_code, 0, exc.message, exc.hint))
    log.info("nightly_done", exit_code=int(result.exit_code), outcome=outcome_name(result.exit_code), accounts=len(accounts))
    return result


def _one_account(
    name: str,
    account: Any,
    refresh_one: RefreshOne,
    store: SnapshotSink,
    latest_dir: Path,
    attempts: int,
    backoff_s: float,
    sleep: Callable[[float], None],
) -> AccountOutcome:
    log.info("account_start", account=name)
    try:
        previous = store.latest(name)
        snapshot, error, used = refresh_with_retries(name, account, refresh_one, attempts=attempts, backoff_s=backoff_s, sleep=sleep)
        if error is not None:
            return AccountOutcome(name, error.exit_code, used, error.message, error.hint)
        assert snapshot is not None
        snapshot_id = store.append(snapshot)
        write_latest(snapshot, latest_dir)
        code = snapshot_code(snapshot)
        problems = "; ".join(f"{p.page}: {p.message}" for p in snapshot.problems)
        message = f"{snapshot.status}: {len(snapshot.balances)} balance(s)" + (f"; {problems}" if problems else "")
        return AccountOutcome(name, code, used, message, snapshot=snapshot, snapshot_id=snapshot_id, previous=previous)
    except CreditsError as exc:
        return AccountOutcome(name, exc.exit_code, 1, exc.message, exc.hint)
    except Exception as exc:  # a bug in one account's run must not stop the others
        log.exception("account_crashed", account=name)
        return AccountOutcome(name, ExitCode.INTERNAL, 1, f"internal error: {type(exc).__name__}: {exc}", "Please report it with the log file.")


# ---------------------------------------------------------------- lock and logs


@contextmanager
def nightly_lock(lock_path: Path, wait_s: float) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(lock_path, timeout=wait_s)
    try:
        lock.acquire()
    except Timeout:
        raise Busy(
            f"another nightly run still holds {lock_path} after {wait_s:g} s of waiting.",
            "Let it finish; if no run is going, a crashed one left nothing to clean: the lock is released with its process.",
        ) from None
    try:
        yield
    finally:
        lock.release()


NO_ACCOUNTS_HINT = (
    "Add one with `amazon-credits login --account NAME --email EMAIL`, "
    "then check it once by hand with `amazon-credits refresh --account NAME`."
)
