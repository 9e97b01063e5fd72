"""Mutations: break every recording the ways a site change would, and check that the
scraper never reads a wrong number or a wrong currency.

For each recorded page with an expected file, and each element that a selector
in its marketplace's selectors file targets: remove it, rename it (its id and
classes), put another tag in its place (td -> th, div -> section, ...), garble its amount (a letter for a digit, a doubled decimal symbol,
digits grouped wrongly, decimal and group symbols swapped, the text twice,
nothing) and swap its currency symbol for one the marketplace does not use.

Each result must be one of:
- caught: a problem the expected result does not have (or the page is no
  longer recognised as its kind, which a refresh reports as site_changed);
- right: the expected values, exactly (a fallback selector or the label rule
  found the same value);
- fewer: an entry is missing with no problem, allowed only when the mutation
  removed or renamed a whole row (a page with one promotion fewer is a valid
  page) or the field is optional (absence is normal there).
A value or currency the expected file does not hold fails the test, and so
does a required value that disappears without a problem.

Pure: no browser. The counts are printed at the end of the test report.
"""

from __future__ import annotations

import html as html_escape
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from babel.numbers import get_decimal_symbol, get_group_symbol
from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.amounts import currencies_of
from scraper.dom import text_of
from scraper.extract import extract
from scraper.replay import load_manifest
from scraper.sitedata import MarketplaceInfo, SiteData, load_marketplace
from tests.conftest import RECORDINGS
from tests.verification_report import count

# Elements per selector that get mutated: rows repeat, and the first few show every pattern.
MAX_PER_SELECTOR = 4

# Currency symbols and codes to swap in; those a marketplace itself uses are skipped.
FOREIGN_CURRENCIES = ["US$", "C$", "A$", "$", "€", "£", "¥", "₹", "EUR", "USD", "GBP", "JPY"]


@dataclass(frozen=True)
class Targets:
    """The selectors of one marketplace file, grouped by what a mutation can do to them."""

    structural: list[str]  # every selector: remove or rename what it finds
    rows: set[str]  # selectors of repeated entries: one fewer is a valid page
    money: list[str]  # amounts: garble and swap currency
    numbers: list[str]  # points and counts: garble
    dates: list[str]  # dates: garble


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def targets_of(site: SiteData) -> Targets:
    structural: list[str] = []
    rows: list[str] = []
    money: list[str] = []
    numbers: list[str] = []
    dates: list[str] = []
    for spec in site.pages.values():
        structural += spec.markers + spec.item_count
        numbers += spec.item_count
        for f in spec.fields:
            structural += f.amount + f.points + f.rows + f.container + f.description + f.expires
            rows += f.rows
            money += f.amount
            numbers += f.points
            dates += f.expires
        if spec.activity is not None:
            a = spec.activity
            structural += a.table + a.rows + a.date + a.description + a.amount + a.closing_balance
            structural += a.next_page + a.previous_page
            rows += a.rows
            money += a.amount + a.closing_balance
            dates += a.date
    return Targets(_unique(structural), set(rows), _unique(money), _unique(numbers), _unique(dates))


# --- mutations: each yields (name, new html) -------------------------------------------


def _with_node(source: str, selector: str, index: int, change: Callable[[LexborNode], None]) -> str:
    doc = LexborHTMLParser(source)
    change(doc.css(selector)[index])
    return doc.html or ""


def _rename(node: LexborNode) -> None:
    attrs = node.attrs
    if attrs.get("id"):
        attrs["id"] = f"{attrs['id']}-renamed"
    if attrs.get("class"):
        attrs["class"] = " ".join(f"{c}-renamed" for c in (attrs["class"] or "").split())


# Another element in its place, same attributes and content: breaks tag-qualified selectors.
_RETAG = {"td": "th", "th": "td", "span": "b", "div": "section", "table": "div", "h2": "h3", "a": "span",
          "form": "div", "li": "div", "ul": "div", "b": "span", "p": "div"}


def _retag(node: LexborNode) -> None:
    new = _RETAG.get(node.tag or "")
    if new is None:
        return
    attrs = "".join(f' {k}="{html_escape.escape(v or "", quote=True)}"' for k, v in node.attributes.items())
    outer = f"<{new}{attrs}>{node.inner_html or ''}</{new}>"
    wrapper = f"<table><tr>{outer}</tr></table>" if new in ("td", "th") else outer
    replacement = LexborHTMLParser(wrapper).css_first(new)
    if replacement is not None:
        node.replace_with(replacement)


def _set_text(text: str) -> Callable[[LexborNode], None]:
    def change(node: LexborNode) -> None:
        node.inner_html = html_escape.escape(text)

    return change


def _garbles(text: str, market: MarketplaceInfo) -> Iterator[tuple[str, str]]:
    """Ways to make a number unreadable; each must end as a problem, not as another number."""
    decimal, group = get_decimal_symbol(market.locale), get_group_symbol(market.locale)
    digits = [i for i, c in enumerate(text) if c.isdigit()]
    if digits:
        last = digits[-1]
        yield "letter_for_digit", text[:last] + "O" + text[last + 1 :]
    pair = next((i for i in digits if i + 1 in digits), None)
    if pair is not None:
        yield "doubled_decimal", text[: pair + 1] + decimal + text[pair + 1 :] + decimal + "5"
        yield "bad_grouping", text[: pair + 1] + group + text[pair + 1 :]
    if decimal in text or group in text:
        swapped = "".join(group if c == decimal else decimal if c == group else c for c in text)
        if swapped != text:
            yield "swapped_separators", swapped
    yield "twice", f"{text} {text}"
    yield "emptied", ""


def _currency_swaps(text: str, market: MarketplaceInfo) -> Iterator[tuple[str, str]]:
    own = sorted(currencies_of(market), key=len, reverse=True)
    symbol = next((s for s in own if s in text), None)
    if symbol is None:
        return
    for foreign in FOREIGN_CURRENCIES:
        if foreign not in currencies_of(market):
            yield f"currency_{foreign}", text.replace(symbol, foreign, 1)


@dataclass(frozen=True)
class Mutation:
    name: str
    selector: str
    html: str
    drops_row: bool


def mutations(source: str, targets: Targets, market: MarketplaceInfo) -> Iterator[Mutation]:
    doc = LexborHTMLParser(source)
    for selector in targets.structural:
        found = doc.css(selector)[:MAX_PER_SELECTOR]
        for index, node in enumerate(found):
            row = selector in targets.rows
            yield Mutation("remove", selector, _with_node(source, selector, index, LexborNode.decompose), row)
            yield Mutation("rename", selector, _with_node(source, selector, index, _rename), row)
            yield Mutation("retag", selector, _with_node(source, selector, index, _retag), row)
            text = text_of(node)
            changes: list[tuple[str, str]] = []
            if selector in targets.money:
                changes += list(_garbles(text, market)) + list(_currency_swaps(text, market))
            elif selector in targets.numbers or selector in targets.dates:
                changes += list(_garbles(text, market))
            for name, new_text in changes:
                yield Mutation(name, selector, _with_node(source, selector, index, _set_text(new_text)), False)


# --- judging a result --------------------------------------------------------------------


def _balance_key(b: dict[str, Any]) -> tuple[Any, ...]:
    return (b["kind"], b["amount"], b["currency"], b["points"], b["expires_on"])


def _activity_key(a: dict[str, Any]) -> tuple[Any, ...]:
    return (a["date"], a["amount"], a["closing_balance"], a["currency"])


def _new_account_look(result: dict[str, Any]) -> bool:
    """A zero balance and no activity table at all: how a new account's gift card page looks,
    so extract.py accepts it without a problem; the history lost is not a wrong value."""
    zero = any(b["amount"] is not None and Decimal(b["amount"]) == 0 for b in result["balances"])
    return zero and not result["activity"]


def judge(result: dict[str, Any], expected: dict[str, Any], optional_kinds: set[str], drops_row: bool) -> tuple[str, str]:
    """(outcome, why): outcome is caught, right, fewer or wrong."""
    got_b = Counter(_balance_key(b) for b in result["balances"])
    want_b = Counter(_balance_key(b) for b in expected["balances"])
    got_a = Counter(_activity_key(a) for a in result["activity"])
    want_a = Counter(_activity_key(a) for a in expected["activity"])
    extra = (got_b - want_b) + (got_a - want_a)
    if extra:
        return "wrong", f"values the page does not hold: {sorted(extra)}"
    if result.get("item_count") is not None and result.get("item_count") != expected.get("item_count"):
        return "wrong", f"item count {result['item_count']} instead of {expected.get('item_count')}"
    problems = Counter((p["code"], p["message"]) for p in result["problems"])
    new_problems = problems - Counter((p["code"], p["message"]) for p in expected["problems"])
    if result["page"] != expected["page"] or new_problems or result["error"] != expected["error"]:
        return "caught", ""
    lost_b, lost_a = want_b - got_b, want_a - got_a
    lost_count = expected.get("item_count") is not None and result.get("item_count") is None
    if not (lost_b or lost_a or lost_count):
        return "right", ""
    if drops_row or all(kind in optional_kinds for kind, *_ in lost_b) and not lost_a and not lost_count:
        return "fewer", ""
    if not lost_b and not lost_count and _new_account_look(result):
        return "fewer", ""
    return "wrong", f"lost without a problem: {sorted(lost_b + lost_a)}{' item count' if lost_count else ''}"


# --- the cases ---------------------------------------------------------------------------

MANIFEST_DIRS = sorted(p.parent for p in RECORDINGS.glob("*/manifest.toml"))


def _cases() -> list[Any]:
    cases = []
    for folder in MANIFEST_DIRS:
        for page in load_manifest(folder).page:
            expected = folder / page.file.replace(".html", ".expected.json")
            if page.file.endswith(".html") and expected.is_file():
                cases.append(pytest.param(folder, page.file, page.url, expected, id=f"{folder.name}/{page.file}"))
    return cases


@pytest.mark.parametrize("folder,file,url,expected_path", _cases())
def test_no_mutation_reads_a_wrong_value(folder: Path, file: str, url: str, expected_path: Path) -> None:
    site = load_marketplace(load_manifest(folder).marketplace)
    source = (folder / file).read_text(encoding="utf-8")
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    spec = site.pages.get(expected["page"])
    optional_kinds = {f.kind for f in spec.fields if f.optional} if spec else set()
    targets = targets_of(site)

    seen: set[str] = {source}
    outcomes: Counter[str] = Counter()
    wrong: list[str] = []
    for mutation in mutations(source, targets, site.marketplace):
        if mutation.html in seen:  # e.g. renaming an element with no id or class
            continue
        seen.add(mutation.html)
        result = extract(mutation.html, site, url).public()
        outcome, why = judge(result, expected, optional_kinds, mutation.drops_row)
        outcomes[outcome] += 1
        if outcome == "wrong":
            wrong.append(f"{mutation.name} {mutation.selector!r}: {why}")

    count("mutations", "ran", sum(outcomes.values()))
    count("mutations", "wrong", 0)  # always listed, so the report shows the zero
    for outcome, n in outcomes.items():
        count("mutations", outcome, n)
    if spec is not None:  # a page of the marketplace file: its own selectors target something
        assert outcomes, f"{folder.name}/{file}: no selector of {site.marketplace.id} found anything to mutate"
    assert not wrong, f"{folder.name}/{file}: {len(wrong)} mutations read a wrong value:\n" + "\n".join(wrong)


def test_judge_tells_a_wrong_number_from_a_caught_one() -> None:
    """The judge itself: a changed amount is wrong, an added problem is caught."""
    balance = {"kind": "gift_card", "amount": "12.30", "currency": "USD", "points": None, "expires_on": None}
    expected = {"page": "gift_card_balance", "error": None, "balances": [balance], "problems": [], "activity": []}
    other = {**balance, "amount": "1230"}
    problem = {"code": "unparsable", "message": "gift_card: bad"}
    assert judge(expected, expected, set(), False)[0] == "right"
    assert judge({**expected, "balances": [other]}, expected, set(), False)[0] == "wrong"
    assert judge({**expected, "balances": [{**balance, "currency": "CAD"}]}, expected, set(), False)[0] == "wrong"
    assert judge({**expected, "balances": [], "problems": [problem]}, expected, set(), False)[0] == "caught"
    assert judge({**expected, "balances": []}, expected, set(), False)[0] == "wrong"
    assert judge({**expected, "balances": []}, expected, {"gift_card"}, False)[0] == "fewer"
    assert judge({**expected, "balances": []}, expected, set(), True)[0] == "fewer"


@pytest.mark.parametrize(
    "marketplace,text,reader",
    [
        ("amazon.co.jp", "¥1.234", "money"),  # separators swapped: yen have no decimals
        ("amazon.com", "$12.345", "money"),
        ("amazon.com", "2.000 points", "points"),  # "2,000" with the wrong symbol is not 2 points
        ("amazon.co.jp", "2026/12/2O", "date"),  # a letter for a digit is not the 2nd
    ],
)
def test_garbles_the_mutations_found_stay_rejected(marketplace: str, text: str, reader: str) -> None:
    """Mutation runs once read these as other numbers; each must now be an AmountError."""
    from scraper.amounts import AmountError, parse_date, parse_money, parse_points

    market = load_marketplace(marketplace).marketplace
    read = {"money": parse_money, "points": parse_points, "date": parse_date}[reader]
    with pytest.raises(AmountError):
        read(text, market)


def test_label_rule_does_not_take_the_next_lines_value() -> None:
    """Checkout: with the gift card amount gone, the label rule must not climb to the
    promotional line and read its amount as the gift card balance."""
    folder = RECORDINGS / "amazon.it"
    site = load_marketplace("amazon.it")
    source = (folder / "checkout-payment.html").read_text(encoding="utf-8")
    broken = _with_node(source, "#pmts-gc-balance-line span.pmts-gc-balance-amount", 0, LexborNode.decompose)
    result = extract(broken, site, "https://www.amazon.it/gp/buy/payselect/handlers/display.html")
    assert [(b.kind, str(b.amount)) for b in result.balances if b.amount is not None] == [("promotional", "16.13")]
