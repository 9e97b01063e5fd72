"""Read amounts, points and dates as a marketplace writes them.

Babel carries CLDR's number symbols and month names for every locale we
support, so "1.234,56 €" on amazon.de and "$1,234.56" on amazon.com both
become exact Decimals without hand-written tables per country.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from babel.numbers import NumberFormatError, parse_decimal

from scraper.models import Money
from scraper.sitedata import MarketplaceInfo


class AmountError(ValueError):
    """Text that does not hold a readable amount, points count or date."""


_WS = re.compile(r"[\s\u00a0\u202f]+")
_NUMBER = re.compile(r"[-\u2212]?\s*\d[\d.,'\s\u00a0\u202f]*")


def _clean(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _currency_in(text: str, market: MarketplaceInfo) -> str:
    # Longest symbols first so "US$" wins over "$".
    for symbol in sorted(market.currency_symbols, key=len, reverse=True):
        if symbol in text:
            return market.currency_symbols[symbol]
    iso = re.search(r"\b([A-Z]{3})\b", text)
    if iso and iso.group(1) in market.currency_symbols.values():
        return iso.group(1)
    raise AmountError(f"no currency of {market.id} in {text!r}")


def _number_in(text: str, market: MarketplaceInfo) -> Decimal:
    matches = _NUMBER.findall(text)
    if len(matches) != 1:
        raise AmountError(f"expected one number in {text!r}, found {len(matches)}")
    raw = matches[0].replace("\u2212", "-")
    negative = raw.lstrip().startswith("-") or bool(re.search(r"-\s*\D{0,3}\s*\d", text))
    digits = raw.lstrip("- ").strip()
    try:
        value = parse_decimal(digits, locale=market.locale, strict=True)
    except NumberFormatError as exc:
        raise AmountError(f"{text!r} is not a number as {market.locale} writes one: {exc}") from None
    return -value if negative else value


def parse_money(text: str, market: MarketplaceInfo) -> Money:
    cleaned = _clean(text)
    return Money(amount=_number_in(cleaned, market), currency=_currency_in(cleaned, market))


def parse_points(text: str, market: MarketplaceInfo) -> int:
    value = _number_in(_clean(text), market)
    if value != value.to_integral_value():
        raise AmountError(f"points must be whole: {text!r}")
    return int(value)


def parse_date(text: str, market: MarketplaceInfo) -> date:
    from babel.dates import get_month_names

    cleaned = _clean(text)
    months = {name.lower(): number for number, name in get_month_names("wide", locale=market.locale).items()}
    match = re.search(r"([A-Za-z]+)\s+(\d{1,2}),\s*(\d{4})", cleaned)
    if not match or match.group(1).lower() not in months:
        raise AmountError(f"{text!r} is not a date as {market.locale} writes one")
    return date(int(match.group(3)), months[match.group(1).lower()], int(match.group(2)))
