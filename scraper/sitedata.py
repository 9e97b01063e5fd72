"""Site data: what is specific to one Amazon marketplace, loaded from TOML.

`selectors/<marketplace>.toml` holds the marketplace (base URL, currency,
locale), and for each page its URL, how to recognise it and, for each field,
an ordered list of candidate selectors. It is data, validated on load: a
malformed file fails with the file, the key and what is wrong.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from selectolax.lexbor import LexborHTMLParser

from scraper.errors import ConfigInvalid, what_is_wrong
from scraper.models import KIND_PATTERN, Currency, PageKind
from scraper.paths import resolve_paths

_EMPTY_DOC = LexborHTMLParser("<html><body></body></html>")


def _check_selectors(selectors: list[str]) -> list[str]:
    for selector in selectors:
        try:
            _EMPTY_DOC.css(selector)
        except Exception as exc:  # selectolax raises its own error type per backend
            raise ValueError(f"invalid CSS selector {selector!r}: {exc}") from None
    return selectors


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSpec(_Data):
    """One balance (or, with `rows`, one balance per row) on a page.

    Each list is ordered candidates: the first selector that matches wins.
    Inside a row, `amount`, `points`, `description` and `expires` are
    relative to the row.
    """

    name: str = Field(pattern=KIND_PATTERN)
    kind: str = Field(pattern=KIND_PATTERN)
    amount: list[str] = Field(default_factory=list)
    points: list[str] = Field(default_factory=list)
    rows: list[str] = Field(default_factory=list)
    container: list[str] = Field(default_factory=list)
    description: list[str] = Field(default_factory=list)
    expires: list[str] = Field(default_factory=list)
    labels: list[str] = Field(default_factory=list, description="label texts for the last-resort rule")
    optional: bool = Field(default=False, description="absence is normal here and not a problem")

    _selectors = field_validator("amount", "points", "rows", "container", "description", "expires")(
        _check_selectors
    )

    @model_validator(mode="after")
    def _one_value(self) -> FieldSpec:
        if bool(self.amount) == bool(self.points):
            raise ValueError("a field needs candidates for exactly one of 'amount' or 'points'")
        if self.container and not self.rows:
            raise ValueError("'container' only makes sense with 'rows'")
        return self


class ActivitySpec(_Data):
    """A table of dated entries (the gift card activity), possibly over several pages.

    `table` candidates find the table; `rows` (relative to it) its entries;
    the cell lists are relative to a row. Rows are newest first, as Amazon
    shows them. `balance_field` names the field whose value must equal the
    newest closing balance. `next_page` candidates find the link to the next
    page of older entries; `previous_page` the link back (present on every
    page but the newest).
    """

    table: list[str] = Field(min_length=1)
    rows: list[str] = Field(default_factory=lambda: ["tr"])
    date: list[str] = Field(min_length=1)
    description: list[str] = Field(min_length=1)
    amount: list[str] = Field(min_length=1)
    closing_balance: list[str] = Field(min_length=1)
    balance_field: str | None = Field(default=None, pattern=KIND_PATTERN)
    next_page: list[str] = Field(default_factory=list)
    previous_page: list[str] = Field(
        default_factory=list, description="a link to newer entries: this is not the newest page, skip the balance check"
    )

    _selectors = field_validator(
        "table", "rows", "date", "description", "amount", "closing_balance", "next_page", "previous_page"
    )(_check_selectors)


class PageSpec(_Data):
    url: str = Field(description="path under the marketplace's base URL, or an absolute URL")
    url_patterns: list[str] = Field(default_factory=list, description="regexes on the URL path")
    markers: list[str] = Field(min_length=1, description="selectors; any one present identifies the page")
    fields: list[FieldSpec] = Field(default_factory=list)
    walk: bool = Field(default=True, description="visited by a refresh")
    activity: ActivitySpec | None = None
    item_count: list[str] = Field(
        default_factory=list, description="selectors for a count of items (the cart), read with parse_points"
    )
    complete: list[str] = Field(
        default_factory=list,
        description="selectors of an element at the page's end: without one, the page arrived cut short "
        "and the absence of its optional lines means nothing",
    )

    _markers = field_validator("markers", "item_count", "complete")(_check_selectors)

    @field_validator("url_patterns")
    @classmethod
    def _regexes(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"invalid regex {pattern!r}: {exc}") from None
        return patterns


class MarketplaceInfo(_Data):
    id: str
    name: str
    base_url: str = Field(pattern=r"^https://[a-z0-9.-]+$")
    currency: Currency
    locale: str
    language: str = Field(pattern=r"^[a-z]{2}$")
    currency_symbols: dict[str, Currency] = Field(
        default_factory=dict,
        description="symbols that name a currency on this marketplace ('$' is USD on .com, CAD on .ca)",
    )

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        try:
            Locale.parse(value)
        except (UnknownLocaleError, ValueError) as exc:
            raise ValueError(f"unknown locale {value!r}: {exc}") from None
        return value


class SigninSpec(_Data):
    """What sign-in says in this marketplace's language. Optional: the defaults are
    amazon.com's. Sign-in steps are recognised by element ids, which are the same on
    every marketplace (scraper/signin_pages.py); only texts and the start URL vary."""

    check_url: str = Field(
        default="/gp/css/homepage.html",
        description="a page that needs a signed-in account; Amazon redirects it to sign-in otherwise",
    )
    signed_out_greetings: list[str] = Field(
        default_factory=lambda: ["Hello, sign in"],
        description="header greetings shown to nobody signed in (#nav-link-accountList-nav-line-1)",
    )
    unknown_account_texts: list[str] = Field(
        default_factory=lambda: ["cannot find an account", "No account found"],
        description="error-box texts that mean the email is not an Amazon account",
    )
    bad_otp_texts: list[str] = Field(
        default_factory=lambda: ["code you entered is not valid", "Invalid code"],
        description="error-box texts that mean the verification code was wrong",
    )


class SiteData(_Data):
    marketplace: MarketplaceInfo
    pages: dict[PageKind, PageSpec]
    signin: SigninSpec = Field(default_factory=SigninSpec)

    def url_for(self, page: PageKind) -> str:
        url = self.pages[page].url
        return url if url.startswith("https://") else self.marketplace.base_url + url

    @property
    def walk_pages(self) -> list[PageKind]:
        return [kind for kind, spec in self.pages.items() if spec.walk]


def bundled_dir() -> Path:
    """The bundled selectors: inside the installed package, or the source tree's `selectors/`."""
    installed = Path(__file__).parent / "site_data"
    return installed if installed.is_dir() else Path(__file__).parent.parent / "selectors"


def parse_site_data(raw: dict[str, Any], source: str) -> SiteData:
    try:
        return SiteData.model_validate(raw)
    except ValidationError as exc:
        lines = "\n".join(f"  {line}" for line in what_is_wrong(exc))
        raise ConfigInvalid(
            f"{source} is not valid site data:\n{lines}",
            "Fix the keys named above; `amazon-credits doctor` checks every selectors file.",
        ) from None


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigInvalid(f"{path} does not exist.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigInvalid(f"{path} is not valid TOML: {exc}", "Fix the line named above.") from None


def load_site_file(path: Path) -> SiteData:
    return parse_site_data(read_toml(path), str(path))


def user_dir() -> Path:
    """The user's selectors folder: `<config dir>/selectors`, read on every load."""
    return resolve_paths().user_selectors_dir


def available_marketplaces(user: Path | None = None) -> list[str]:
    folders = [bundled_dir(), user if user is not None else user_dir()]
    return sorted({path.stem for folder in folders if folder.is_dir() for path in folder.glob("*.toml")})


def merge_site_data(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """A user's selectors file laid over the bundled one (raw TOML, before validation).

    Tables merge key by key; any other value, lists of selectors included,
    is replaced by the user's. `fields` merge by `name`: a user field with a
    bundled field's name replaces it, a new name is added.
    """
    merged = dict(base)
    for key, value in override.items():
        if key == "fields" and isinstance(value, list) and isinstance(base.get(key), list):
            by_name = {f.get("name"): i for i, f in enumerate(base[key]) if isinstance(f, dict)}
            fields = list(base[key])
            for field in value:
                index = by_name.get(field.get("name")) if isinstance(field, dict) else None
                if index is None:
                    fields.append(field)
                else:
                    fields[index] = field
            merged[key] = fields
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = merge_site_data(base[key], value)
        else:
            merged[key] = value
    return merged


def load_marketplace(marketplace: str, user: Path | None = None) -> SiteData:
    """The bundled site data for a marketplace, extended or overridden by the user's file if any.

    `user` is the user's selectors folder (default: `<config dir>/selectors`).
    """
    folder = user if user is not None else user_dir()
    user_file = folder / f"{marketplace}.toml"
    stamp = user_file.stat().st_mtime_ns if user_file.is_file() else None
    return _load_marketplace(marketplace, user_file, stamp)


@cache
def _load_marketplace(marketplace: str, user_file: Path, stamp: int | None) -> SiteData:
    path = bundled_dir() / f"{marketplace}.toml"
    if stamp is None:
        if not path.is_file():
            known = ", ".join(available_marketplaces(user_file.parent))
            raise ConfigInvalid(f"unknown marketplace {marketplace!r}.", f"Known marketplaces: {known}.")
        return load_site_file(path)
    raw = read_toml(user_file)
    if path.is_file():
        raw = merge_site_data(read_toml(path), raw)
    return parse_site_data(raw, f"{user_file} (over the bundled {marketplace}.toml)")
