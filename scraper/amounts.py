"""Read amounts, points and dates exactly as a marketplace writes them.

Babel carries CLDR's number symbols, digit grouping and month names for
every locale we support. That beats hand-written tables per country: the
decimal and group symbols of de_DE ("1.234,56 €"), fr_FR ("1 234,56 €" with
a narrow no-break space), en_IN ("₹1,23,456.78", groups of two) and the
month names of seven languages come from one maintained source, and the
property tests format numbers with the same data and parse them back.

Exactness rules, because a wrong number is worse than no number:
- the number must be written the way the marketplace's locale writes it
  ("16.13 €" on amazon.de is rejected, not read as 1613);
- the currency comes from the text *and* the marketplace: "$" is USD on
  amazon.com, CAD on amazon.ca; a symbol or code the marketplace does not
  use ("£" on amazon.com, "US$" on amazon.ca) is an AmountError;
- anything left over that is neither the number, a sign nor one currency
  symbol is an AmountError.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.dates import get_date_format, get_month_names
from babel.numbers import get_currency_precision, get_decimal_symbol, get_group_symbol

from scraper.models import Money
from scraper.sitedata import MarketplaceInfo


class AmountError(ValueError):
    """Text that does not hold a readable amount, points count or date."""


# Every kind of space Amazon and CLDR use (no-break, narrow no-break, thin).
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007]+")
_MINUS = "-\u2212\u2012\u2013"


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


class _NumberStyle:
    """A locale's number symbols and grouping, from CLDR via Babel."""

    def __init__(self, locale: str) -> None:
        self.decimal = get_decimal_symbol(locale)
        group = get_group_symbol(locale)
        # Spaces were normalised by _clean, so a space-like group symbol is " ".
        self.group = " " if _SPACES.fullmatch(group) else group
        primary, secondary = Locale.parse(locale).decimal_formats[None].grouping
        self.primary, self.secondary = primary, secondary
        sep = re.escape(self.group) + re.escape(self.decimal)
        # A digit run where a single symbol may sit between two digits.
        self.pattern = re.compile(rf"\d(?:\d|[{sep}](?=\d))*")

    def value(self, raw: str, text: str) -> Decimal:
        integer, _, fraction = raw.partition(self.decimal)
        if self.decimal in fraction or self.group in fraction:
            raise AmountError(f"{text!r}: {raw!r} is not a number as this marketplace writes one")
        groups = integer.split(self.group)
        if len(groups) > 1 and not self._grouped(groups):
            raise AmountError(
                f"{text!r}: {raw!r} is not grouped as this marketplace groups digits "
                f"(group symbol {self.group!r}, decimal symbol {self.decimal!r})"
            )
        return Decimal("".join(groups) + ("." + fraction if fraction else ""))

    def _grouped(self, groups: list[str]) -> bool:
        first, middle, last = groups[0], groups[1:-1], groups[-1]
        if len(last) != self.primary or not 1 <= len(first) <= max(self.primary, self.secondary):
            return False
        # en_IN groups by two after the first three; a uniform 3 is unambiguous too.
        return all(len(g) == self.secondary for g in middle) or all(len(g) == self.primary for g in middle)


@cache
def _style(locale: str) -> _NumberStyle:
    return _NumberStyle(locale)


def _one_number(cleaned: str, text: str, market: MarketplaceInfo) -> tuple[Decimal, str, str]:
    """The single number in the text, and the text before and after it."""
    style = _style(market.locale)
    matches = list(style.pattern.finditer(cleaned))
    if len(matches) != 1:
        raise AmountError(f"expected one number in {text!r}, found {len(matches)}")
    match = matches[0]
    return style.value(match.group(), text), cleaned[: match.start()], cleaned[match.end() :]


def _split_sign(before: str, after: str) -> tuple[bool, str, str]:
    """Take one minus sign off the text around the number: "-$19.48", "$-19.48", "- 5 €"."""
    stripped = before.strip()
    if stripped and stripped[0] in _MINUS:
        return True, stripped[1:], after
    if stripped and stripped[-1] in _MINUS:
        return True, stripped[:-1], after
    return False, before, after


def currencies_of(market: MarketplaceInfo) -> dict[str, str]:
    """Every symbol or ISO code that names money on this marketplace, and its ISO code."""
    known = dict(market.currency_symbols)
    for code in {market.currency, *market.currency_symbols.values()}:
        known.setdefault(code, code)
    return known


def parse_money(text: str, market: MarketplaceInfo) -> Money:
    """An amount with its currency, e.g. "1.234,56 €" on amazon.de -> 1234.56 EUR."""
    cleaned = _clean(text)
    value, before, after = _one_number(cleaned, text, market)
    negative, before, after = _split_sign(before, after)
    tokens = [t for t in (before.strip(), after.strip()) if t]
    if len(tokens) != 1:
        what = "no currency symbol" if not tokens else f"more than the amount ({' / '.join(tokens)})"
        raise AmountError(f"{text!r}: {what}; expected one of {sorted(currencies_of(market))}")
    symbol = tokens[0]
    known = currencies_of(market)
    if symbol not in known:
        raise AmountError(
            f"{text!r}: {symbol!r} is not a currency of {market.id} "
            f"(expected one of {sorted(known)}); refusing to guess the currency"
        )
    currency = known[symbol]
    # "¥1.234" is not 1.234 yen: more decimals than the currency has means the symbols are not what we think.
    if -value.as_tuple().exponent > get_currency_precision(currency):  # type: ignore[operator]
        raise AmountError(f"{text!r}: {currency} has {get_currency_precision(currency)} decimals, not more")
    return Money(amount=-value if negative else value, currency=currency)


# A money-shaped piece of a longer text: optional sign, optional currency, number, optional currency.
# It must not touch a Latin letter, digit or currency sign on either side, so "$" inside "US$ 12" or
# "C$ 12" is not read as a bare "$" (CJK text has no spaces, so CJK letters may touch it).
_EDGE = r"A-Za-z0-9$£€¥￥₹円"
_MONEY_HINT = (
    rf"(?<![{_EDGE}])[{{minus}}]?\s?(?:{{symbols}})?\s?[{{minus}}]?\s?{{number}}(?:\s?(?:{{symbols}}))?(?![{_EDGE}])"
)


def find_money(text: str, market: MarketplaceInfo) -> list[Money]:
    """Every amount with a currency of this marketplace inside a longer text.

    For the last-resort rule ("Use your $12.30 gift card balance"); each
    candidate still goes through parse_money, so nothing is read loosely.
    """
    cleaned = _clean(text)
    symbols = "|".join(re.escape(s) for s in sorted(currencies_of(market), key=len, reverse=True))
    number = _style(market.locale).pattern.pattern
    found: list[Money] = []
    pattern = _MONEY_HINT.format(minus=re.escape(_MINUS), symbols=symbols, number=number)
    for match in re.finditer(pattern, cleaned):
        piece = match.group().strip()
        try:
            found.append(parse_money(piece, market))
        except AmountError:
            continue
    return found


def parse_points(text: str, market: MarketplaceInfo) -> int:
    """A whole count of points: "1,234 points", "1.234 Punkte", "1 234 points"."""
    value, _, _ = _one_number(_clean(text), text, market)
    if value.as_tuple().exponent != 0:  # "2.000" is not 2 points: no decimal symbol at all
        raise AmountError(f"points must be whole: {text!r}")
    return int(value)


# Words that sit between the parts of a date in our languages ("31 de diciembre de 2026").
_DATE_WORD = re.compile(r"[^\W\d_]+\.?")
# Bounded: "2026/12/2O" must not be read as 2026/12/2.
_NUMERIC_DATE = re.compile(r"(?<![0-9A-Za-z])(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})(?![0-9A-Za-z])")
_CJK_DATE = re.compile(r"(\d{4})\s?年\s?(\d{1,2})\s?月\s?(\d{1,2})\s?日")


def _fold(word: str) -> str:
    return word.lower().rstrip(".")


@cache
def _months(locale: str) -> dict[str, int]:
    """Every CLDR spelling of every month in this locale: wide and abbreviated, both contexts."""
    names: dict[str, int] = {}
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            for number, name in get_month_names(width, context, locale=locale).items():
                names[_fold(name)] = number
    return names


@cache
def _numeric_order(locale: str) -> tuple[str, str, str]:
    """The order of day, month and year in the locale's short date ("dd/MM/y" -> d, M, y)."""
    pattern = get_date_format("short", locale=locale).pattern
    order = [c for c in re.findall(r"[dMy]", pattern)]
    seen: list[str] = []
    for c in order:
        if c not in seen:
            seen.append(c)
    if sorted(seen) != ["M", "d", "y"]:
        raise AmountError(f"no numeric date order for {locale}")
    return seen[0], seen[1], seen[2]


def _make_date(year: int, month: int, day: int, text: str) -> date:
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise AmountError(f"{text!r} is not a real date: {exc}") from None


def parse_date(text: str, market: MarketplaceInfo) -> date:
    """A date in the marketplace's language: "31. Dezember 2026", "2026年12月31日", "Dec 31, 2026"."""
    cleaned = _clean(text)
    cjk = _CJK_DATE.search(cleaned)
    if cjk:
        return _make_date(int(cjk.group(1)), int(cjk.group(2)), int(cjk.group(3)), text)
    months = _months(market.locale)
    named = [months[_fold(w)] for w in _DATE_WORD.findall(cleaned) if _fold(w) in months]
    if named:
        if len(named) != 1:
            raise AmountError(f"{text!r} names more than one month")
        numbers = re.findall(r"\d+", cleaned)
        years = [int(n) for n in numbers if len(n) == 4]
        days = [int(n) for n in numbers if len(n) <= 2]
        if len(years) != 1 or len(days) != 1 or len(numbers) != 2:
            raise AmountError(f"{text!r} is not a date as {market.locale} writes one")
        return _make_date(years[0], named[0], days[0], text)
    numeric = _NUMERIC_DATE.search(cleaned)
    if numeric:
        parts = dict(zip(_numeric_order(market.locale), (int(g) for g in numeric.groups()), strict=True))
        if len(numeric.group(1)) == 4:  # ISO-like year first (2026/12/31) whatever the locale
            parts = {"y": int(numeric.group(1)), "M": int(numeric.group(2)), "d": int(numeric.group(3))}
        return _make_date(parts["y"], parts["M"], parts["d"], text)
    raise AmountError(f"{text!r} is not a date as {market.locale} writes one")
