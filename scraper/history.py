"""Balances over time, each with its change since the previous reading of the same credit.

"The same credit" is (account, kind, currency or points, expiry date): two
promotional credits expiring on different days are two lines. A snapshot that
did not read a credit has no row for it; the next reading is compared with the
last one that did (a balance not read is not a zero).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from scraper.models import Balance, Snapshot

CreditKey = tuple[str, str, str, date | None]


@dataclass(frozen=True)
class HistoryRow:
    taken_at: datetime
    account: str
    kind: str
    unit: str  # ISO currency, or "points"
    expires_on: date | None
    value: Decimal
    change: Decimal | None  # None: the first reading of this credit

    def public(self) -> dict[str, Any]:
        return {
            "taken_at": self.taken_at.isoformat().replace("+00:00", "Z"),
            "account": self.account,
            "kind": self.kind,
            "unit": self.unit,
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
            "value": format(self.value, "f"),
            "change": format(self.change, "f") if self.change is not None else None,
        }


def _key(account: str, b: Balance) -> CreditKey:
    return (account, b.kind, b.currency or "points", b.expires_on)


def _value(b: Balance) -> Decimal:
    return b.amount if b.amount is not None else Decimal(b.points or 0)


def history_rows(
    snapshots: Sequence[Snapshot],
    *,
    kind: str | None = None,
    since: datetime | None = None,
) -> list[HistoryRow]:
    """Oldest first. `since` hides earlier rows but they still count as "previous"."""
    last: dict[CreditKey, Decimal] = {}
    rows: list[HistoryRow] = []
    for snap in sorted(snapshots, key=lambda s: s.taken_at):
        for b in snap.balances:
            key = _key(snap.account, b)
            value = _value(b)
            before = last.get(key)
            last[key] = value
            if (kind and b.kind != kind) or (since and snap.taken_at < since):
                continue
            rows.append(
                HistoryRow(
                    taken_at=snap.taken_at,
                    account=snap.account,
                    kind=b.kind,
                    unit=key[2],
                    expires_on=b.expires_on,
                    value=value,
                    change=None if before is None else value - before,
                )
            )
    return rows


def format_change(change: Decimal | None) -> str:
    if change is None:
        return "new"
    if change == 0:
        return "="
    return f"+{format(change, 'f')}" if change > 0 else format(change, "f")
