"""The snapshot: what one refresh of one account read, exactly.

Amounts are `Decimal` with an ISO 4217 currency and serialise as decimal
strings ("12.30"), never floats. Times are UTC. A balance that could not be
read is absent and listed as a `Problem`: never a zero.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from babel.numbers import list_currencies
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    model_validator,
)

SCHEMA_VERSION = 1

_ISO_CURRENCIES = frozenset(list_currencies())


def _no_float(value: Any) -> Any:
    # A float has already lost the exact value; refuse it rather than guess.
    if isinstance(value, float):
        raise ValueError("amounts must be given as Decimal or a decimal string, never a float")
    return value


def _finite(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("amount must be a finite number")
    return value


ExactDecimal = Annotated[
    Decimal,
    BeforeValidator(_no_float),
    AfterValidator(_finite),
    PlainSerializer(lambda d: format(d, "f"), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}),
]


def _iso_currency(code: str) -> str:
    if code not in _ISO_CURRENCIES:
        raise ValueError(f"{code!r} is not an ISO 4217 currency code")
    return code


Currency = Annotated[
    str,
    Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 currency code"),
    AfterValidator(_iso_currency),
]


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("times must carry a time zone; naive times are ambiguous")
    return value.astimezone(timezone.utc)


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]


class CreditKind(StrEnum):
    """The kinds we know. `Balance.kind` accepts any snake_case name, so a
    marketplace file can add a kind without a code change."""

    GIFT_CARD = "gift_card"
    PROMOTIONAL = "promotional"
    NO_RUSH = "no_rush"
    DIGITAL_CREDIT = "digital_credit"
    KINDLE_POINTS = "kindle_points"
    REWARD_POINTS = "reward_points"


KIND_PATTERN = r"^[a-z][a-z0-9_]*$"


class PageKind(StrEnum):
    GIFT_CARD_BALANCE = "gift_card_balance"
    PROMOTIONAL_BALANCE = "promotional_balance"
    REWARDS = "rewards"  # No-Rush and other digital rewards, digital credits
    KINDLE_REWARDS = "kindle_rewards"
    CHECKOUT_PAYMENT = "checkout_payment"
    CART = "cart"
    SIGNIN_EMAIL = "signin_email"
    SIGNIN_PASSWORD = "signin_password"
    MFA_DEVICE_CHOICE = "mfa_device_choice"
    MFA_OTP = "mfa_otp"
    APPROVAL = "approval"
    CAPTCHA = "captcha"
    BOT_CHALLENGE = "bot_challenge"
    NEW_CUSTOMER = "new_customer"
    SIGNED_IN = "signed_in"
    UNKNOWN = "unknown"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Money(_Strict):
    amount: ExactDecimal
    currency: Currency

    def __str__(self) -> str:
        return f"{format(self.amount, 'f')} {self.currency}"


class Balance(_Strict):
    """One credit: an amount of money with its currency, or a count of points."""

    kind: str = Field(pattern=KIND_PATTERN, description="a CreditKind value, or another snake_case kind")
    amount: ExactDecimal | None = None
    currency: Currency | None = None
    points: int | None = None
    expires_on: date | None = None
    description: str | None = None
    page: str = Field(description="the PageKind of the page this was read from")
    found_by: Literal["selector", "label_text"] = Field(
        default="selector",
        description="label_text: no selector matched; read by the last-resort rule next to the label",
    )

    @model_validator(mode="after")
    def _amount_or_points(self) -> Balance:
        if (self.amount is None) == (self.points is None):
            raise ValueError("a balance has either an amount or points, not both and not neither")
        if self.amount is not None and self.currency is None:
            raise ValueError("an amount needs its currency")
        if self.points is not None and self.currency is not None:
            raise ValueError("points have no currency")
        return self

    @property
    def money(self) -> Money | None:
        if self.amount is None or self.currency is None:
            return None
        return Money(amount=self.amount, currency=self.currency)


class ActivityEntry(_Strict):
    """A row of the gift card activity table."""

    date: date
    description: str
    amount: ExactDecimal
    closing_balance: ExactDecimal
    currency: Currency


class ProblemCode(StrEnum):
    FIELD_NOT_FOUND = "field_not_found"  # every candidate selector failed
    UNPARSABLE = "unparsable"  # found the element, could not read an amount or date in it
    SITE_CHANGED = "site_changed"  # the page was not recognised, or all its fields failed
    INCONSISTENT = "inconsistent"  # e.g. balance differs from the newest closing balance
    REQUEST_FAILED = "request_failed"  # the page could not be loaded
    INCOMPLETE = "incomplete"  # the page arrived cut short: what it shows is right, what it lacks is unknown
    SKIPPED = "skipped"  # deliberately not visited (e.g. checkout with an empty cart)


class Problem(_Strict):
    page: str
    code: str = Field(pattern=KIND_PATTERN)
    message: str
    selectors: list[str] = Field(default_factory=list, description="the selectors that were tried")


SnapshotStatus = Literal["complete", "partial", "failed"]

# Problems that say what was deliberately not read, not what went wrong.
INFORMATIONAL_CODES = frozenset({ProblemCode.SKIPPED})


def status_for(balances: list[Balance], problems: list[Problem]) -> SnapshotStatus:
    if not any(p.code not in INFORMATIONAL_CODES for p in problems):
        return "complete"
    return "partial" if balances else "failed"


class Snapshot(_Strict):
    schema_version: Literal[1] = SCHEMA_VERSION
    account: str = Field(min_length=1)
    marketplace: str = Field(min_length=1)
    taken_at: UtcDatetime
    status: SnapshotStatus
    balances: list[Balance] = Field(default_factory=list)
    problems: list[Problem] = Field(default_factory=list)
    activity: list[ActivityEntry] = Field(default_factory=list, description="gift card activity, newest first")

    @model_validator(mode="after")
    def _status_matches(self) -> Snapshot:
        expected = status_for(self.balances, self.problems)
        if self.status != expected:
            raise ValueError(f"status {self.status!r} does not match the content (expected {expected!r})")
        return self

    @classmethod
    def build(
        cls,
        *,
        account: str,
        marketplace: str,
        taken_at: datetime,
        balances: list[Balance],
        problems: list[Problem],
        activity: list[ActivityEntry] | None = None,
    ) -> Snapshot:
        return cls(
            account=account,
            marketplace=marketplace,
            taken_at=taken_at,
            status=status_for(balances, problems),
            balances=balances,
            problems=problems,
            activity=activity or [],
        )


def snapshot_json_schema() -> dict[str, Any]:
    """The published schema: what `export --format json` writes, element by element."""
    return Snapshot.model_json_schema(mode="serialization")

