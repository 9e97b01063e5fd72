"""Speak up when money is about to expire, a balance moved, or a night needs a person.

Alerts are computed by pure functions from snapshots and run outcomes; each
has a key, and `send` delivers only keys it has not delivered before (kept in
a small JSON state file), so the same expiry is announced once, not every
night. Delivery goes through apprise: one notification URL per service
(mailto://, ntfy://, slack://, ...) listed in the config.

Notification URLs often carry tokens or passwords: they are never printed or
logged, only their scheme and position in the list.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from scraper.errors import ConfigInvalid, what_is_wrong
from scraper.files import write_atomic
from scraper.models import Balance, Snapshot

if TYPE_CHECKING:
    import apprise

AlertKind = Literal["expiring", "changed", "run_failed", "person_needed", "test"]
DEFAULT_EXPIRY_DAYS = 14
STATE_FILE_NAME = "alerts-sent.json"


class AlertSettings(BaseModel):
    """The [alerts] table of the config:

        [alerts]
        urls = ["ntfy://my-topic", "mailto://user:app-password@gmail.com"]
        expiry_days = 14     # announce credits expiring within this many days
        on_change = true     # announce balance changes
        on_failure = true    # announce nights that failed or need a person
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    urls: tuple[str, ...] = ()
    expiry_days: int = Field(default=DEFAULT_EXPIRY_DAYS, ge=0, strict=True)
    on_change: bool = Field(default=True, strict=True)
    on_failure: bool = Field(default=True, strict=True)

    @field_validator("urls", mode="before")
    @classmethod
    def _urls(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)) or not all(isinstance(u, str) and u.strip() for u in value):
            raise ValueError('must be a list of apprise notification URLs, e.g. urls = ["ntfy://my-topic"]')
        return tuple(u.strip() for u in value)

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any] | None) -> AlertSettings:
        try:
            return cls.model_validate(dict(raw or {}))
        except ValidationError as exc:
            # Never echo the input: an alert URL can carry a token.
            lines = what_is_wrong(exc, prefix="alerts.")
            raise ConfigInvalid("the [alerts] settings are not valid:\n" + "\n".join(f"  {line}" for line in lines)) from None


@dataclass(frozen=True)
class Alert:
    key: str  # what makes it "the same alert" on another night
    kind: AlertKind
    account: str
    title: str
    body: str


def _label(b: Balance) -> str:
    name = b.kind.replace("_", " ")
    return f"{name} ({b.description})" if b.description else name


def _value(b: Balance) -> str:
    return f"{format(b.amount, 'f')} {b.currency}" if b.amount is not None else f"{b.points} points"


def expiry_alerts(snapshot: Snapshot, today: date, within_days: int) -> list[Alert]:
    """Credits in this snapshot that expire between today and today + within_days."""
    alerts = []
    for b in snapshot.balances:
        if b.expires_on is None:
            continue
        left = (b.expires_on - today).days
        if 0 <= left <= within_days:
            when = "today" if left == 0 else ("tomorrow" if left == 1 else f"in {left} days")
            alerts.append(
                Alert(
                    key=f"expiring:{snapshot.account}:{b.kind}:{b.expires_on.isoformat()}:{_value(b)}",
                    kind="expiring",
                    account=snapshot.account,
                    title=f"Amazon credit expires {when}",
                    body=f"{snapshot.account}: {_value(b)} of {_label(b)} expires on {b.expires_on.isoformat()}.",
                )
            )
    return alerts


def _identity(b: Balance) -> tuple[str, str | None, date | None]:
    return (b.kind, b.currency, b.expires_on)


def _quantity(b: Balance) -> Decimal:
    return b.amount if b.amount is not None else Decimal(b.points or 0)


def change_alerts(previous: Snapshot | None, current: Snapshot) -> list[Alert]:
    """Balances that differ from the previous snapshot of the same account.

    Only balances read in both snapshots are compared: a balance missing from
    one of them was not read (a problem), which is not the same as a change.
    """
    if previous is None:
        return []
    before = {_identity(b): b for b in previous.balances}
    alerts = []
    for b in current.balances:
        old = before.get(_identity(b))
        if old is None or _quantity(old) == _quantity(b):
            continue
        delta = _quantity(b) - _quantity(old)
        sign = "+" if delta > 0 else ""
        unit = b.currency if b.amount is not None else "points"
        alerts.append(
            Alert(
                key=f"changed:{current.account}:{b.kind}:{b.expires_on}:{current.taken_at.isoformat()}",
                kind="changed",
                account=current.account,
                title=f"Amazon {_label(b)} changed",
                body=f"{current.account}: {_label(b)} went from {_value(old)} to {_value(b)} ({sign}{format(delta, 'f')} {unit}).",
            )
        )
    return alerts


def run_alert(account: str, outcome: str, message: str, hint: str | None) -> Alert:
    """A nightly run that did not succeed. Keyed by account and outcome: sent once
    until the account succeeds again (see `State.clear_account`)."""
    kind: AlertKind = "person_needed" if outcome == "person_needed" else "run_failed"
    title = "amazon-credits needs you" if kind == "person_needed" else f"amazon-credits nightly run failed ({outcome})"
    body = f"{account}: {message}" + (f"\n{hint}" if hint else "")
    return Alert(key=f"run:{account}:{outcome}", kind=kind, account=account, title=title, body=body)


# ---------------------------------------------------------------- sent-alert state


@dataclass
class State:
    """Keys of alerts already delivered, with when; a JSON file next to the store."""

    path: Path
    sent: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> State:
        if not path.exists():
            return cls(path)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
                raise ValueError("not an object of strings")
        except (ValueError, OSError) as exc:
            raise ConfigInvalid(
                f"the sent-alerts file {path} cannot be read ({exc})",
                "Delete it to start afresh; alerts already sent may then be sent once more.",
            ) from exc
        return cls(path, raw)

    def save(self) -> None:
        write_atomic(self.path, json.dumps(self.sent, indent=2, sort_keys=True) + "\n")

    def clear_account(self, account: str) -> None:
        """The account's nightly run succeeded: a later failure is news again."""
        prefix = f"run:{account}:"
        self.sent = {k: v for k, v in self.sent.items() if not k.startswith(prefix)}


# ---------------------------------------------------------------- delivery


def _describe_url(index: int, url: str) -> str:
    scheme = url.split("://", 1)[0] if "://" in url else "?"
    return f"alert URL #{index + 1} ({scheme}://…)"


def build_apprise(urls: Sequence[str]) -> apprise.Apprise:
    import apprise  # here, not at the top: every command loads the config, few send alerts

    notifier = apprise.Apprise()
    for i, url in enumerate(urls):
        if not notifier.add(url):
            raise ConfigInvalid(
                f"{_describe_url(i, url)} is not a notification URL apprise understands",
                "Check it against https://github.com/caronc/apprise/wiki and fix [alerts] urls in the config.",
            )
    return notifier


@dataclass(frozen=True)
class Delivery:
    sent: list[Alert]
    already_sent: list[Alert]
    failed: list[Alert]


def send(alerts: Iterable[Alert], settings: AlertSettings, state: State, *, now: datetime | None = None) -> Delivery:
    """Deliver alerts not delivered before; remember those that got through.

    A failed delivery is not remembered, so it is tried again next run.
    """
    now = now or datetime.now(timezone.utc)
    sent: list[Alert] = []
    already: list[Alert] = []
    failed: list[Alert] = []
    pending: list[Alert] = []
    seen: set[str] = set()
    for alert in alerts:
        if alert.key in state.sent or alert.key in seen:
            already.append(alert)
        else:
            seen.add(alert.key)
            pending.append(alert)
    if not pending or not settings.urls:
        return Delivery([], already, [])
    notifier = build_apprise(settings.urls)
    for alert in pending:
        if notifier.notify(title=alert.title, body=alert.body):
            state.sent[alert.key] = now.isoformat()
            sent.append(alert)
        else:
            failed.append(alert)
    state.save()
    return Delivery(sent, already, failed)


def send_test(settings: AlertSettings) -> list[tuple[str, bool]]:
    """`alerts test`: one message to each URL separately, so the user sees which one works."""
    if not settings.urls:
        raise ConfigInvalid(
            "no alert URLs are configured",
            'Add them to the config, e.g.\n[alerts]\nurls = ["ntfy://my-topic"]',
        )
    results = []
    for i, url in enumerate(settings.urls):
        notifier = build_apprise([url])
        ok = bool(notifier.notify(title="amazon-credits test", body="Alerts from amazon-credits reach you here."))
        results.append((_describe_url(i, url), ok))
    return results


def alerts_for_snapshot(previous: Snapshot | None, current: Snapshot, settings: AlertSettings, today: date) -> list[Alert]:
    alerts = expiry_alerts(current, today, settings.expiry_days)
    if settings.on_change:
        alerts += change_alerts(previous, current)
    return alerts
