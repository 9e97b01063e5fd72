from decimal import Decimal

from scraper.models import Balance
from scraper.reconcile import reconcile


def b(kind: str, amount: str, page: str) -> Balance:
    return Balance(kind=kind, amount=Decimal(amount), currency="USD", page=page)


def test_checkout_totals_that_agree_are_not_counted_twice() -> None:
    balances = [b("promotional", "5.00", "promotional_balance"), b("promotional", "12.50", "promotional_balance"),
                b("promotional", "17.50", "checkout_payment")]
    kept, problems = reconcile(balances)
    assert kept == balances[:2] and problems == []


def test_checkout_total_that_disagrees_is_a_problem() -> None:
    kept, problems = reconcile([b("gift_card", "10.00", "gift_card_balance"), b("gift_card", "9.00", "checkout_payment")])
    assert [x.amount for x in kept] == [Decimal("10.00")]
    assert [p.code for p in problems] == ["inconsistent"]
    assert "gift_card 9.00 USD" in problems[0].message and "10.00 USD" in problems[0].message


def test_checkout_only_kinds_are_kept() -> None:
    points = Balance(kind="reward_points", points=2418, page="checkout_payment")
    promo = b("promotional", "3.00", "checkout_payment")  # its own page gave nothing
    kept, problems = reconcile([b("gift_card", "0.00", "gift_card_balance"), points, promo])
    assert kept[1:] == [points, promo] and problems == []
