"""Constructed snapshots shared by the export, alert, history and report tests.

Two accounts over three nights: balances that change, a promotional credit
that expires, points, a partial snapshot and a failed one, and a description
that needs CSV quoting.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from scraper.models import Balance, Problem, Snapshot

ME = "me@example.com"
FAMILY = "family"


def _gc(amount: str) -> Balance:
    return Balance(kind="gift_card", amount=Decimal(amount), currency="USD", page="gift_card_balance")


def _promo(amount: str, expires: date, description: str) -> Balance:
    return Balance(
        kind="promotional",
        amount=Decimal(amount),
        currency="USD",
        expires_on=expires,
        description=description,
        page="promotional_balance",
    )


def _points(n: int) -> Balance:
    return Balance(kind="kindle_points", points=n, page="rewards", found_by="label_text")


def samples() -> list[Snapshot]:
    return [
        Snapshot.build(
            account=ME,
            marketplace="amazon.com",
            taken_at=datetime(2026, 11, 18, 3, 41, 7, tzinfo=timezone.utc),
            balances=[_gc("25.00"), _promo("10.00", date(2026, 12, 1), 'Prime Day credit, "thank you"'), _points(120)],
            problems=[],
        ),
        Snapshot.build(
            account=FAMILY,
            marketplace="amazon.com",
            taken_at=datetime(2026, 11, 18, 3, 44, 0, tzinfo=timezone.utc),
            balances=[_gc("5.50")],
            problems=[
                Problem(page="promotional_balance", code="field_not_found", message="no promotional balance found", selectors=["#promo"])
            ],
        ),
        Snapshot.build(
            account=ME,
            marketplace="amazon.com",
            taken_at=datetime(2026, 11, 19, 3, 39, 55, tzinfo=timezone.utc),
            balances=[_gc("18.25"), _promo("10.00", date(2026, 12, 1), 'Prime Day credit, "thank you"'), _points(150)],
            problems=[],
        ),
        Snapshot.build(
            account=FAMILY,
            marketplace="amazon.com",
            taken_at=datetime(2026, 11, 19, 3, 45, 0, tzinfo=timezone.utc),
            balances=[],
            problems=[Problem(page="gift_card_balance", code="request_failed", message="timed out")],
        ),
        Snapshot.build(
            account=ME,
            marketplace="amazon.com",
            taken_at=datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc),
            balances=[_gc("18.25"), _points(150)],
            problems=[],
        ),
    ]
