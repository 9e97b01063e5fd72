"""Extraction: a pure function of (page HTML, marketplace) to balances and problems.

No browser here. The same function reads a page during a refresh, a saved
page in `inspect`, and the recordings in the tests. Every field is read by
its ordered candidate selectors; a field whose candidates all fail is a
`Problem`, never a zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from pydantic import BaseModel, ConfigDict, Field
from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.amounts import AmountError, find_money, parse_date, parse_money, parse_points
from scraper.dom import any_present, folded, text_of
from scraper.models import ActivityEntry, Balance, PageKind, Problem, ProblemCode
from scraper.signin_pages import classify_signin
from scraper.sitedata import ActivitySpec, FieldSpec, PageSpec, SiteData



class Extraction(BaseModel):
    """What the scraper sees in one page. `inspect --json` prints this."""

    model_config = ConfigDict(extra="forbid")

    page: PageKind
    marketplace: str
    error: str | None = None
    balances: list[Balance] = Field(default_factory=list)
    problems: list[Problem] = Field(default_factory=list)
    activity: list[ActivityEntry] = Field(default_factory=list)
    matched: dict[str, str | None] = Field(
        default_factory=dict, description="field name: the candidate selector that matched, or null"
    )
    next_url: str | None = Field(default=None, description="the next page of a paginated activity table")
    item_count: int | None = Field(default=None, description="items in the cart, on a cart page")

    def public(self) -> dict[str, object]:
        """The inspect view: balances exactly as a snapshot holds them."""
        hidden = {"matched", "next_url"} | ({"item_count"} if self.item_count is None else set())
        return self.model_dump(mode="json", exclude=hidden)


@dataclass(frozen=True)
class _Hit:
    node: LexborNode
    selector: str


def first_match(root: LexborNode | LexborHTMLParser, candidates: list[str]) -> _Hit | None:
    """The first candidate selector that finds an element with text."""
    for selector in candidates:
        for node in root.css(selector):
            if text_of(node):
                return _Hit(node, selector)
    return None


def _path(url: str | None) -> str | None:
    return urlsplit(url).path if url else None


def classify(doc: LexborHTMLParser, site: SiteData, url: str | None = None) -> PageKind:
    """Which page this is, from the page itself; the URL only breaks ties."""
    candidates = [kind for kind, spec in site.pages.items() if any_present(doc, spec.markers)]
    path = _path(url)
    if path is not None:
        for kind in candidates:
            if any(re.search(p, path) for p in site.pages[kind].url_patterns):
                return kind
    return candidates[0] if candidates else PageKind.UNKNOWN


class _FieldReader:
    """Reads one FieldSpec from a page, collecting balances and problems."""

    def __init__(self, site: SiteData, page: PageKind, spec: FieldSpec) -> None:
        self.market = site.marketplace
        self.page = page
        self.spec = spec
        # The labels of the page's other fields: a scope holding one of them holds that field's value.
        self.other_labels = [
            label.casefold() for f in site.pages[page].fields if f.name != spec.name for label in f.labels
        ]
        self.balances: list[Balance] = []
        self.problems: list[Problem] = []
        self.matched: str | None = None

    def _problem(self, code: ProblemCode, message: str, selectors: list[str]) -> None:
        self.problems.append(Problem(page=self.page, code=code, message=message, selectors=selectors))

    def read(self, doc: LexborHTMLParser) -> None:
        if self.spec.rows:
            self._read_rows(doc)
        else:
            self._read_one(doc, doc)

    def _value_candidates(self) -> list[str]:
        return self.spec.amount or self.spec.points

    def _read_one(self, scope: LexborNode | LexborHTMLParser, doc: LexborHTMLParser) -> bool:
        hit = first_match(scope, self._value_candidates())
        if hit is None and not self.spec.rows:
            hit = self._by_label(doc)
        if hit is None:
            if not self.spec.optional:
                self._problem(
                    ProblemCode.FIELD_NOT_FOUND,
                    f"{self.spec.name}: no candidate selector found a value",
                    self._value_candidates(),
                )
            return False
        self.matched = self.matched or hit.selector
        balance = self._balance_from(hit, scope)
        if balance is not None:
            self.balances.append(balance)
        return balance is not None

    def _read_rows(self, doc: LexborHTMLParser) -> None:
        if self.spec.container:
            container = first_match(doc, self.spec.container)
            if container is None:
                if not self.spec.optional:
                    self._problem(
                        ProblemCode.FIELD_NOT_FOUND,
                        f"{self.spec.name}: the list of entries was not found",
                        self.spec.container,
                    )
                return
            self.matched = container.selector  # an empty list is a real answer: no entries
        for selector in self.spec.rows:
            rows = doc.css(selector)
            if rows:
                self.matched = selector
                for row in rows:
                    self._read_one(row, doc)
                return
        if not self.spec.container and not self.spec.optional:
            self._problem(ProblemCode.FIELD_NOT_FOUND, f"{self.spec.name}: no entries found", self.spec.rows)

    def _by_label(self, doc: LexborHTMLParser) -> _Hit | None:
        """Last resort when every selector failed: an element whose own text holds a label,
        and exactly one value of this field's type in it or its nearest ancestors."""
        if not self.spec.labels or doc.body is None:
            return None
        wanted = [label.casefold() for label in self.spec.labels]
        for node in doc.body.traverse(include_text=False):
            if node.tag in ("script", "style", "noscript"):
                continue
            own = folded(node.text(deep=False)).casefold()
            label = next((w for w in wanted if w in own), None)
            if label is None:
                continue
            scope: LexborNode | None = node
            for _ in range(_LABEL_REACH):
                if scope is None:
                    break
                text = text_of(scope)
                if any(other in text.casefold().replace(label, "") for other in self.other_labels):
                    break  # reached another field's line: its value is not ours
                if self._one_value_in(text):
                    return _Hit(scope, f"{_LABEL_TEXT}{label}")
                scope = scope.parent
        return None

    def _one_value_in(self, text: str) -> bool:
        if self.spec.amount:
            return len({(m.amount, m.currency) for m in find_money(text, self.market)}) == 1
        try:
            parse_points(text, self.market)
        except AmountError:
            return False
        return True

    def _balance_from(self, hit: _Hit, scope: LexborNode | LexborHTMLParser) -> Balance | None:
        text = text_of(hit.node)
        by_label = hit.selector.startswith(_LABEL_TEXT)
        try:
            if self.spec.amount and by_label:
                money = find_money(text, self.market)[0]
                value: dict[str, object] = {"amount": money.amount, "currency": money.currency}
            elif self.spec.amount:
                money = parse_money(text, self.market)
                value: dict[str, object] = {"amount": money.amount, "currency": money.currency}
            else:
                value = {"points": parse_points(text, self.market)}
            description = first_match(scope, self.spec.description) if self.spec.description else None
            expiry = first_match(scope, self.spec.expires) if self.spec.expires else None
            if self.spec.expires and expiry is None and not by_label:
                raise AmountError("its expiry date was not found")
            expires_on = parse_date(text_of(expiry.node), self.market) if expiry else None
        except AmountError as exc:
            self._problem(ProblemCode.UNPARSABLE, f"{self.spec.name}: {exc}", [hit.selector])
            return None
        return Balance(
            kind=self.spec.kind,
            page=self.page,
            description=text_of(description.node) if description else None,
            expires_on=expires_on,
            found_by="label_text" if by_label else "selector",
            **value,
        )


# How far up from a label the last-resort rule looks for the value; the label's own
# element, its parent and grandparent keep it next to the label and nowhere else.
_LABEL_REACH = 3
_LABEL_TEXT = "label_text:"


def _read_activity(
    doc: LexborHTMLParser, site: SiteData, page: PageKind, spec: ActivitySpec
) -> tuple[list[ActivityEntry], list[Problem], str | None]:
    """The activity table's rows, newest first, and the selector that found the table."""
    table = first_match(doc, spec.table)
    if table is None:
        return [], [], None
    entries: list[ActivityEntry] = []
    problems: list[Problem] = []
    for selector in spec.rows:
        rows = [row for row in table.node.css(selector) if row.css_first("td") is not None]
        if rows:
            break
    for number, row in enumerate(rows, start=1):
        cells = {name: first_match(row, getattr(spec, name)) for name in _ACTIVITY_CELLS}
        missing = [name for name, hit in cells.items() if hit is None]
        try:
            if missing:
                raise AmountError(f"no {', '.join(missing)} cell")
            amount = parse_money(text_of(cells["amount"].node), site.marketplace)
            closing = parse_money(text_of(cells["closing_balance"].node), site.marketplace)
            if amount.currency != closing.currency:
                raise AmountError(f"amount in {amount.currency} but closing balance in {closing.currency}")
            entries.append(
                ActivityEntry(
                    date=parse_date(text_of(cells["date"].node), site.marketplace),
                    description=text_of(cells["description"].node),
                    amount=amount.amount,
                    closing_balance=closing.amount,
                    currency=amount.currency,
                )
            )
        except AmountError as exc:
            problems.append(
                Problem(
                    page=page,
                    code=ProblemCode.UNPARSABLE,
                    message=f"activity row {number}: {exc}",
                    selectors=spec.table,
                )
            )
    return entries, problems, table.selector


_ACTIVITY_CELLS = ("date", "description", "amount", "closing_balance")


def _check_activity(
    result: Extraction, page: PageKind, spec: ActivitySpec, table_selector: str | None
) -> None:
    """The balance must equal the newest closing balance; a balance with no history is suspect."""
    if spec.balance_field is None:
        return
    balance = next((b for b in result.balances if b.kind == spec.balance_field and b.amount is not None), None)
    if balance is None:
        return
    if not result.activity:
        if table_selector is None and balance.amount != 0:
            result.problems.append(
                Problem(
                    page=page,
                    code=ProblemCode.FIELD_NOT_FOUND,
                    message=f"activity: a balance of {balance.money} but no activity table was found",
                    selectors=spec.table,
                )
            )
        return
    newest = result.activity[0]
    if (newest.closing_balance, newest.currency) != (balance.amount, balance.currency):
        result.problems.append(
            Problem(
                page=page,
                code=ProblemCode.INCONSISTENT,
                message=(
                    f"{spec.balance_field}: the balance shows {balance.money} but the newest activity "
                    f"({newest.date}) closes at {format(newest.closing_balance, 'f')} {newest.currency}"
                ),
                selectors=spec.table,
            )
        )


def _next_url(doc: LexborHTMLParser, spec: ActivitySpec, base: str) -> str | None:
    for selector in spec.next_page:
        link = doc.css_first(selector)
        if link is not None and link.attributes.get("href"):
            return urljoin(base, link.attributes["href"] or "")
    return None


def _item_count(
    doc: LexborHTMLParser, site: SiteData, page: PageKind, spec: PageSpec
) -> tuple[int | None, str | None, Problem | None]:
    """The number of items on a cart page, the selector that found it, or the problem."""
    hit = first_match(doc, spec.item_count)
    if hit is None:
        message = "item count: no candidate selector found it"
        return None, None, Problem(page=page, code=ProblemCode.FIELD_NOT_FOUND, message=message, selectors=spec.item_count)
    try:
        return parse_points(text_of(hit.node), site.marketplace), hit.selector, None
    except AmountError as exc:
        problem = Problem(page=page, code=ProblemCode.UNPARSABLE, message=f"item count: {exc}", selectors=[hit.selector])
        return None, hit.selector, problem


def _read_page(
    doc: LexborHTMLParser, site: SiteData, page: PageKind, spec: PageSpec, url: str | None = None
) -> Extraction:
    result = Extraction(page=page, marketplace=site.marketplace.id)
    readers = [_FieldReader(site, page, field) for field in spec.fields]
    for reader in readers:
        reader.read(doc)
        result.balances.extend(reader.balances)
        result.problems.extend(reader.problems)
        result.matched[reader.spec.name] = reader.matched
    if spec.activity is not None:
        entries, problems, table_selector = _read_activity(doc, site, page, spec.activity)
        result.activity.extend(entries)
        result.problems.extend(problems)
        result.matched["activity"] = table_selector
        if first_match(doc, spec.activity.previous_page) is None:  # only the newest page holds the balance's row
            _check_activity(result, page, spec.activity, table_selector)
        elif table_selector is None:  # an older page exists only to show older entries
            result.problems.append(
                Problem(
                    page=page,
                    code=ProblemCode.FIELD_NOT_FOUND,
                    message="activity: an older page of the activity shows no activity table",
                    selectors=spec.activity.table,
                )
            )
        result.next_url = _next_url(doc, spec.activity, url or site.url_for(page))
    if spec.item_count:
        result.item_count, result.matched["item_count"], problem = _item_count(doc, site, page, spec)
        if problem is not None:
            result.problems.append(problem)
    if spec.complete and not any_present(doc, spec.complete):
        result.problems.append(
            Problem(
                page=page,
                code=ProblemCode.INCOMPLETE,
                message=f"{page}: the page arrived incomplete, so balances it did not show may exist",
                selectors=spec.complete,
            )
        )
    required = [r for r in readers if not r.spec.optional]
    if required and all(r.matched is None for r in required):
        tried = [s for r in required for s in (r.spec.container or r.spec.rows or r._value_candidates())]
        result.problems.append(
            Problem(
                page=page,
                code=ProblemCode.SITE_CHANGED,
                message=f"{page}: the page was recognised but none of its fields were found",
                selectors=tried,
            )
        )
    return result


def extract(html: str, site: SiteData, url: str | None = None) -> Extraction:
    """Read every balance a page shows. Pure: no browser, no network, no clock."""
    signin = classify_signin(html, site.signin)
    if signin is not None and signin.kind is not PageKind.SIGNED_IN:
        # A sign-in step in place of the page asked for: no balances, name the step.
        return Extraction(page=signin.kind, marketplace=site.marketplace.id, error=signin.error)
    doc = LexborHTMLParser(html)
    page = classify(doc, site, url)
    if page is PageKind.UNKNOWN and signin is not None:
        return Extraction(page=signin.kind, marketplace=site.marketplace.id)
    if page is PageKind.UNKNOWN:
        where = url or "the page"
        return Extraction(
            page=page,
            marketplace=site.marketplace.id,
            problems=[
                Problem(
                    page=page,
                    code=ProblemCode.SITE_CHANGED,
                    message=f"{where} is not a page this marketplace's site data recognises",
                    selectors=[m for spec in site.pages.values() for m in spec.markers],
                )
            ],
        )
    return _read_page(doc, site, page, site.pages[page], url)


def with_older_pages(first: Extraction, older: list[Extraction]) -> Extraction:
    """The first page of a paginated activity table with the rows of the pages after it.

    The balance check already ran on the first page, whose top row is the newest.
    """
    merged = first.model_copy(deep=True)
    for number, page in enumerate(older, start=2):
        merged.activity.extend(page.activity)
        merged.problems.extend(p for p in page.problems if p.code != ProblemCode.INCONSISTENT)
        if page.matched.get("activity") is None and not any(p.message.startswith("activity") for p in page.problems):
            # An older page exists only for its table: without one (cut short, say) its rows are lost.
            merged.problems.append(
                Problem(
                    page=first.page,
                    code=ProblemCode.FIELD_NOT_FOUND,
                    message=f"activity: older page {number} shows no activity table",
                )
            )
    merged.next_url = older[-1].next_url if older else first.next_url
    return merged
