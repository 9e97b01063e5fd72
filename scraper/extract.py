"""Extraction: a pure function of (page HTML, marketplace) to balances and problems.

No browser here. The same function reads a page during a refresh, a saved
page in `inspect`, and the recordings in the tests. Every field is read by
its ordered candidate selectors; a field whose candidates all fail is a
`Problem`, never a zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field
from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.amounts import AmountError, parse_date, parse_money, parse_points
from scraper.models import ActivityEntry, Balance, PageKind, Problem, ProblemCode
from scraper.signin_pages import classify_signin
from scraper.sitedata import FieldSpec, PageSpec, SiteData

_WS = re.compile(r"[\s\u00a0\u202f]+")


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

    def public(self) -> dict[str, object]:
        """The inspect view: balances exactly as a snapshot holds them."""
        return self.model_dump(mode="json", exclude={"matched"})


def text_of(node: LexborNode) -> str:
    return _WS.sub(" ", node.text(separator=" ")).strip()


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
    candidates = [kind for kind, spec in site.pages.items() if any(doc.css_first(m) for m in spec.markers)]
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

    def _balance_from(self, hit: _Hit, scope: LexborNode | LexborHTMLParser) -> Balance | None:
        text = text_of(hit.node)
        try:
            if self.spec.amount:
                money = parse_money(text, self.market)
                value: dict[str, object] = {"amount": money.amount, "currency": money.currency}
            else:
                value = {"points": parse_points(text, self.market)}
            description = first_match(scope, self.spec.description) if self.spec.description else None
            expiry = first_match(scope, self.spec.expires) if self.spec.expires else None
            if self.spec.expires and expiry is None:
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
            **value,
        )


def _read_page(doc: LexborHTMLParser, site: SiteData, page: PageKind, spec: PageSpec) -> Extraction:
    result = Extraction(page=page, marketplace=site.marketplace.id)
    readers = [_FieldReader(site, page, field) for field in spec.fields]
    for reader in readers:
        reader.read(doc)
        result.balances.extend(reader.balances)
        result.problems.extend(reader.problems)
        result.matched[reader.spec.name] = reader.matched
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
    return _read_page(doc, site, page, site.pages[page])
