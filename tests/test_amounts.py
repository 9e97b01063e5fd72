"""Amounts, points and dates in every marketplace's own writing, read back exactly.

The property tests format random values with Babel (CLDR, the same data a
browser's Intl uses) for each marketplace's locale and currency and parse them
back; the literal examples are the ones Amazon's pages show.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, get_currency_precision
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.amounts import AmountError, find_money, parse_date, parse_money, parse_points
from scraper.sitedata import load_marketplace

MARKETPLACES = [
    "amazon.com",
    "amazon.ca",
    "amazon.com.mx",
    "amazon.co.uk",
    "amazon.de",
    "amazon.fr",
    "amazon.it",
    "amazon.es",
    "amazon.co.jp",
    "amazon.in",
    "amazon.com.au",
]


def market(marketplace_id: str):
    return load_marketplace(marketplace_id).marketplace


def amounts(currency: str) -> st.SearchStrategy[Decimal]:
    """Values as the currency writes them: JPY has no cents, the others two decimals."""
    places = get_currency_precision(currency)
    cents = st.integers(min_value=-(10**11), max_value=10**11)
    return cents.map(lambda n: Decimal(n).scaleb(-places))


@pytest.mark.parametrize("marketplace_id", MARKETPLACES)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_babel_formatted_money_parses_back_exactly(marketplace_id: str, data: st.DataObject) -> None:
    m = market(marketplace_id)
    value = data.draw(amounts(m.currency))
    text = format_currency(value, m.currency, locale=m.locale)
    money = parse_money(text, m)
    assert (money.amount, money.currency) == (value, m.currency), text


@pytest.mark.parametrize("marketplace_id", MARKETPLACES)
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_iso_code_then_locale_number_parses_back(marketplace_id: str, data: st.DataObject) -> None:
    # "EUR 16,13": the ISO code in front of the locale's number, as Amazon writes some amounts.
    m = market(marketplace_id)
    value = data.draw(amounts(m.currency))
    text = f"{m.currency} {format_decimal(value, locale=m.locale, decimal_quantization=False)}"
    assert parse_money(text, m).amount == value, text


@pytest.mark.parametrize("marketplace_id", MARKETPLACES)
@settings(max_examples=100, deadline=None)
@given(count=st.integers(min_value=0, max_value=10**9))
def test_points_parse_back(marketplace_id: str, count: int) -> None:
    m = market(marketplace_id)
    assert parse_points(f"{format_decimal(count, locale=m.locale)} points", m) == count


@pytest.mark.parametrize("marketplace_id", MARKETPLACES)
@settings(max_examples=100, deadline=None)
@given(day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_dates_in_every_language_parse_back(marketplace_id: str, day: date) -> None:
    m = market(marketplace_id)
    for width in ("full", "long", "medium", "short"):
        text = format_date(day, width, locale=m.locale)
        assert parse_date(text, m) == day, text


@pytest.mark.parametrize(
    ("marketplace_id", "text", "amount", "currency"),
    [
        ("amazon.de", "1.234,56 €", "1234.56", "EUR"),
        ("amazon.de", "EUR 16,13", "16.13", "EUR"),
        ("amazon.fr", "1\u00a0234,56\u00a0€", "1234.56", "EUR"),
        ("amazon.fr", "1\u202f234,56\u00a0€", "1234.56", "EUR"),
        ("amazon.fr", "1 234,56 €", "1234.56", "EUR"),
        ("amazon.it", "1.234,56 €", "1234.56", "EUR"),
        ("amazon.es", "1234,56 €", "1234.56", "EUR"),
        ("amazon.co.uk", "£1,234.56", "1234.56", "GBP"),
        ("amazon.co.jp", "￥1,234", "1234", "JPY"),
        ("amazon.co.jp", "¥1,234", "1234", "JPY"),
        ("amazon.co.jp", "1,234円", "1234", "JPY"),
        ("amazon.in", "₹1,23,456.78", "123456.78", "INR"),
        ("amazon.in", "Rs. 1,23,456.78", "123456.78", "INR"),
        ("amazon.com", "-$19.48", "-19.48", "USD"),
        ("amazon.com", "\n$0.00\n  ", "0.00", "USD"),
        ("amazon.ca", "CDN$ 12.30", "12.30", "CAD"),
        ("amazon.ca", "$12.30", "12.30", "CAD"),
        ("amazon.com.mx", "$1,234.56", "1234.56", "MXN"),
        ("amazon.com.au", "$1,234.56", "1234.56", "AUD"),
        ("amazon.com.au", "-A$19.48", "-19.48", "AUD"),
    ],
)
def test_literal_amounts(marketplace_id: str, text: str, amount: str, currency: str) -> None:
    money = parse_money(text, market(marketplace_id))
    assert money.amount == Decimal(amount)
    assert str(money.amount) == amount  # exact digits, no float on the way
    assert money.currency == currency


@pytest.mark.parametrize(
    ("marketplace_id", "text", "reason"),
    [
        ("amazon.com", "£12.00", "not a currency of amazon.com"),
        ("amazon.com", "€12.00", "not a currency of amazon.com"),
        ("amazon.ca", "US$ 12.30", "not a currency of amazon.ca"),
        ("amazon.ca", "USD 12.30", "not a currency of amazon.ca"),
        ("amazon.co.uk", "$12.30", "not a currency of amazon.co.uk"),
        ("amazon.co.jp", "$12", "not a currency of amazon.co.jp"),
        ("amazon.de", "16.13 €", "not grouped"),  # English number on a German page: refused, not 1613
        ("amazon.de", "1,234.56 €", "not a number"),
        ("amazon.com", "1.234,56 $", "not a number"),
        ("amazon.com", "$1,23", "not grouped"),
        ("amazon.com", "12.00", "no currency symbol"),
        ("amazon.com", "$1 and $2", "expected one number"),
        ("amazon.com", "", "expected one number"),
        ("amazon.com", "$", "expected one number"),
        ("amazon.de", "1.234,56 € EUR", "not a currency"),
        ("amazon.de", "EUR 1.234,56 €", "more than the amount"),
    ],
)
def test_never_a_wrong_currency_or_number(marketplace_id: str, text: str, reason: str) -> None:
    with pytest.raises(AmountError, match=reason):
        parse_money(text, market(marketplace_id))


@pytest.mark.parametrize(
    ("marketplace_id", "text", "expected"),
    [
        ("amazon.co.uk", "31 December 2026", date(2026, 12, 31)),
        ("amazon.com", "December 31, 2026", date(2026, 12, 31)),
        ("amazon.com", " May 12, 2026 ", date(2026, 5, 12)),
        ("amazon.de", "31. Dezember 2026", date(2026, 12, 31)),
        ("amazon.de", "31. Dez. 2026", date(2026, 12, 31)),
        ("amazon.fr", "31 décembre 2026", date(2026, 12, 31)),
        ("amazon.fr", "1er mai 2026", date(2026, 5, 1)),
        ("amazon.co.jp", "2026年12月31日", date(2026, 12, 31)),
        ("amazon.co.jp", "2026/12/31", date(2026, 12, 31)),
        ("amazon.es", "31 de diciembre de 2026", date(2026, 12, 31)),
        ("amazon.com.mx", "31 de diciembre de 2026", date(2026, 12, 31)),
        ("amazon.es", "31 dic 2026", date(2026, 12, 31)),
        ("amazon.it", "31 dic 2026", date(2026, 12, 31)),
        ("amazon.it", "31 dicembre 2026", date(2026, 12, 31)),
        ("amazon.co.uk", "1 Sept 2026", date(2026, 9, 1)),
        ("amazon.co.uk", "31/12/2026", date(2026, 12, 31)),
        ("amazon.com", "12/31/26", date(2026, 12, 31)),
        ("amazon.in", "31 December 2026", date(2026, 12, 31)),
    ],
)
def test_literal_dates(marketplace_id: str, text: str, expected: date) -> None:
    assert parse_date(text, market(marketplace_id)) == expected


@pytest.mark.parametrize(
    ("marketplace_id", "text"),
    [
        ("amazon.com", "31 Dezember 2026"),  # a German month on amazon.com
        ("amazon.com", "February 30, 2026"),  # no such day
        ("amazon.com", "May 2026"),  # no day
        ("amazon.de", "31. Dezember"),  # no year
        ("amazon.com", "soon"),
    ],
)
def test_bad_dates_are_refused(marketplace_id: str, text: str) -> None:
    with pytest.raises(AmountError):
        parse_date(text, market(marketplace_id))


def test_points_must_be_whole_and_present() -> None:
    de = market("amazon.de")
    assert parse_points("1.250 Punkte", de) == 1250
    with pytest.raises(AmountError, match="whole"):
        parse_points("12,5 Punkte", de)
    with pytest.raises(AmountError, match="one number"):
        parse_points("keine Punkte", de)


def test_find_money_reads_an_amount_inside_a_sentence_and_nothing_foreign() -> None:
    ca = market("amazon.ca")
    assert [(m.amount, m.currency) for m in find_money("Use your $12.30 gift card balance", ca)] == [
        (Decimal("12.30"), "CAD")
    ]
    assert find_money("Use your US$ 12.30 gift card balance", ca) == []
    de = market("amazon.de")
    found = find_money("Ihr Geschenkgutschein-Guthaben von 1.234,56 € verwenden", de)
    assert [(m.amount, m.currency) for m in found] == [(Decimal("1234.56"), "EUR")]


SYMBOL_SOUP = "0123456789.,' -\u00a0\u202f\u2212$£€¥￥₹円CDNUSAREGBPJYMXRs"


@pytest.mark.parametrize("marketplace_id", MARKETPLACES)
@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=SYMBOL_SOUP, max_size=16))
def test_any_text_gives_the_marketplace_currency_or_an_error(marketplace_id: str, text: str) -> None:
    # Never a wrong currency: whatever the text, a reading is in the marketplace's own currency.
    m = market(marketplace_id)
    try:
        money = parse_money(text, m)
    except AmountError:
        return
    assert money.currency == m.currency
    for found in find_money(f"about {text} here", m):
        assert found.currency == m.currency
