"""Extraction is a pure function of (HTML, marketplace): no browser here."""

import re
from decimal import Decimal

from scraper.extract import extract
from scraper.models import PageKind
from scraper.sitedata import load_marketplace
from tests.conftest import CAPTURES, RECORDINGS

SITE = load_marketplace("amazon.com")
GIFT_CARD = (CAPTURES / "balance" / "gift-card-balance.html").read_text()
PROMO = (RECORDINGS / "amazon.com" / "promotional-balance.html").read_text()


def _without_balance_element(html: str) -> str:
    out, count = re.subn(r'<span id="gc-ui-balance-gc-balance-value".*?</span>', "", html, flags=re.S)
    assert count == 1
    return out


def test_real_gift_card_capture() -> None:
    result = extract(GIFT_CARD, SITE)
    assert result.page is PageKind.GIFT_CARD_BALANCE
    [balance] = [b for b in result.balances if b.kind == "gift_card"]
    assert (balance.amount, balance.currency, balance.page) == (Decimal("0.00"), "USD", "gift_card_balance")
    assert result.matched["gift_card"] == "#gc-ui-balance-gc-balance-value"


def test_missing_balance_is_a_problem_never_a_zero() -> None:
    result = extract(_without_balance_element(GIFT_CARD), SITE)
    assert result.page is PageKind.GIFT_CARD_BALANCE  # the activity table still identifies it
    assert [b for b in result.balances if b.kind == "gift_card"] == []
    codes = {(p.code, p.page) for p in result.problems}
    assert ("field_not_found", "gift_card_balance") in codes
    assert ("site_changed", "gift_card_balance") in codes


def test_fallback_candidate_is_used_when_the_first_is_renamed() -> None:
    renamed = GIFT_CARD.replace('id="gc-ui-balance-gc-balance-value"', 'id="gc-balance-renamed"')
    result = extract(renamed, SITE)
    assert [(b.kind, b.amount) for b in result.balances][:1] == [("gift_card", Decimal("0.00"))]
    assert result.matched["gift_card"] == "div.gc-balance-box h2 span.a-color-success"


def test_garbled_amount_is_a_problem() -> None:
    result = extract(GIFT_CARD.replace("\n$0.00\n  </span>", "\n$0.0.0\n  </span>", 1), SITE)
    assert not [b for b in result.balances if b.kind == "gift_card"]
    assert [p.code for p in result.problems] == ["unparsable"]


def test_foreign_currency_symbol_is_a_problem_not_a_wrong_currency() -> None:
    result = extract(GIFT_CARD.replace("\n$0.00\n  </span>", "\n£12.00\n  </span>", 1), SITE)
    assert not [b for b in result.balances if b.kind == "gift_card"]
    assert result.problems[0].code == "unparsable"


def test_unknown_page_is_site_changed() -> None:
    result = extract("<html><body><h1>Something else</h1></body></html>", SITE, "https://www.amazon.com/x")
    assert result.page is PageKind.UNKNOWN
    assert [p.code for p in result.problems] == ["site_changed"]
    assert "https://www.amazon.com/x" in result.problems[0].message


def test_promotional_grants_with_expiry() -> None:
    result = extract(PROMO, SITE)
    assert [(b.amount, b.expires_on.isoformat(), b.description) for b in result.balances] == [
        (Decimal("5.00"), "2026-12-31", "No-Rush Shipping reward"),
        (Decimal("12.50"), "2027-01-15", "Prime Day promotional credit"),
    ]


def test_unreadable_expiry_drops_the_grant_and_says_so() -> None:
    result = extract(PROMO.replace("January 15, 2027", "Someday"), SITE)
    assert [b.amount for b in result.balances] == [Decimal("5.00")]
    assert [p.code for p in result.problems] == ["unparsable"]
    assert "Someday" in result.problems[0].message


def test_empty_promotional_table_is_no_balance_and_no_problem() -> None:
    empty = re.sub(r'<tr class="promo-balance-row">.*?</tr>', "", PROMO, flags=re.S)
    result = extract(empty, SITE)
    assert (result.balances, result.problems) == ([], [])


def test_a_checkout_page_cut_short_says_so() -> None:
    html = (RECORDINGS / "amazon.com" / "checkout-payment.html").read_text()
    whole = extract(html, SITE)
    assert whole.problems == [] and [b.kind for b in whole.balances] == ["gift_card", "promotional", "reward_points"]

    # Cut just after the promotional line: the reward points line never arrived.
    cut = html[: html.index('<div id="pmts-rewards-points-line"')]
    result = extract(cut, SITE)
    assert [b.kind for b in result.balances] == ["gift_card", "promotional"]  # what it shows is right
    assert [(p.page, p.code) for p in result.problems] == [("checkout_payment", "incomplete")]
