from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pydantic import ValidationError

from scraper.models import Balance, Money, Problem, Snapshot, status_for

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=timezone.utc)


def gift(amount: str = "12.30") -> Balance:
    return Balance(kind="gift_card", amount=Decimal(amount), currency="USD", page="gift_card_balance")


def test_amounts_serialise_as_exact_decimal_strings() -> None:
    balance = gift("12.30")
    assert balance.model_dump(mode="json")["amount"] == "12.30"
    assert '"amount":"12.30"' in balance.model_dump_json()


def test_large_and_small_amounts_keep_every_digit() -> None:
    assert gift("123456789012345.67").model_dump(mode="json")["amount"] == "123456789012345.67"
    assert Money(amount=Decimal("1E+3"), currency="JPY").model_dump(mode="json")["amount"] == "1000"


def test_floats_are_refused() -> None:
    with pytest.raises(ValidationError, match="never a float"):
        Balance(kind="gift_card", amount=12.3, currency="USD", page="x")  # type: ignore[arg-type]


def test_decimal_strings_round_trip() -> None:
    balance = Balance.model_validate_json(gift("0.10").model_dump_json())
    assert balance.amount == Decimal("0.10") and str(balance.amount) == "0.10"


@pytest.mark.parametrize("code", ["usd", "US", "XYZ", "EURO"])
def test_currency_must_be_iso_4217(code: str) -> None:
    with pytest.raises(ValidationError):
        Money(amount=Decimal(1), currency=code)


def test_non_finite_amounts_are_refused() -> None:
    with pytest.raises(ValidationError, match="finite"):
        Money(amount=Decimal("NaN"), currency="USD")


def test_balance_has_amount_or_points_not_both() -> None:
    with pytest.raises(ValidationError, match="either an amount or points"):
        Balance(kind="kindle_points", amount=Decimal(1), currency="USD", points=5, page="x")
    with pytest.raises(ValidationError, match="either an amount or points"):
        Balance(kind="kindle_points", page="x")
    with pytest.raises(ValidationError, match="needs its currency"):
        Balance(kind="gift_card", amount=Decimal(1), page="x")
    assert Balance(kind="kindle_points", points=120, page="x").points == 120


def test_kinds_are_open_but_snake_case() -> None:
    assert Balance(kind="music_credit", amount=Decimal(1), currency="USD", page="x").kind == "music_credit"
    with pytest.raises(ValidationError):
        Balance(kind="Gift Card", amount=Decimal(1), currency="USD", page="x")


def test_taken_at_is_converted_to_utc_and_naive_times_refused() -> None:
    paris = timezone(timedelta(hours=1))
    snap = Snapshot.build(account="a", marketplace="amazon.com", taken_at=datetime(2026, 1, 1, 13, 0, tzinfo=paris),
                          balances=[gift()], problems=[])
    assert snap.taken_at == datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
    assert snap.taken_at.utcoffset() == timedelta(0)
    assert snap.model_dump(mode="json")["taken_at"] == "2026-01-01T12:00:00Z"
    with pytest.raises(ValidationError, match="time zone"):
        Snapshot.build(account="a", marketplace="m", taken_at=datetime(2026, 1, 1), balances=[], problems=[])


def test_status_follows_content() -> None:
    problem = Problem(page="gift_card_balance", code="field_not_found", message="m")
    skipped = Problem(page="checkout_payment", code="skipped", message="empty cart")
    assert status_for([gift()], []) == "complete"
    assert status_for([gift()], [skipped]) == "complete"
    assert status_for([gift()], [problem]) == "partial"
    assert status_for([], [problem]) == "failed"


def test_status_cannot_contradict_content() -> None:
    problem = Problem(page="gift_card_balance", code="field_not_found", message="m")
    with pytest.raises(ValidationError, match="does not match"):
        Snapshot(account="a", marketplace="m", taken_at=T0, status="complete", balances=[], problems=[problem])


def test_expiry_is_a_date() -> None:
    b = Balance(kind="promotional", amount=Decimal("5.00"), currency="USD", expires_on="2026-12-31", page="x")
    assert b.expires_on == date(2026, 12, 31)
