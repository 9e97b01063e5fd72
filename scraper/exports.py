"""Snapshots out, for spreadsheets, budgeting tools and dashboards.

Pure functions of a list of snapshots -> text, one per format:

- json: the array of snapshots, each valid against schema/snapshot.schema.json.
- csv: one row per balance, columns CSV_COLUMNS (stable: add new ones at the
  end, never rename or reorder). A snapshot without balances has no rows.
- beancount: one `balance` directive per balance.
- ledger: one transaction per snapshot with one balance assertion per balance.

Plus `write_latest`: the newest snapshot of an account as `latest/<account>.json`,
replaced atomically so a dashboard never reads half a file.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

from scraper.errors import ConfigInvalid
from scraper.files import write_atomic
from scraper.models import Balance, Snapshot

Format = Literal["json", "csv", "beancount", "ledger"]
FORMATS: tuple[Format, ...] = ("json", "csv", "beancount", "ledger")
DEFAULT_ACCOUNT_PREFIX = "Assets:Amazon"

CSV_COLUMNS = (
    "account",
    "marketplace",
    "taken_at",
    "status",
    "kind",
    "amount",
    "currency",
    "points",
    "expires_on",
    "description",
    "page",
    "found_by",
)


def filter_snapshots(
    snapshots: Iterable[Snapshot],
    *,
    account: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[Snapshot]:
    """`since` and `until` are whole UTC days, both included."""
    start = datetime.combine(since, time.min, timezone.utc) if since else None
    end = datetime.combine(until + timedelta(days=1), time.min, timezone.utc) if until else None
    return [
        s
        for s in snapshots
        if (account is None or s.account == account)
        and (start is None or s.taken_at >= start)
        and (end is None or s.taken_at < end)
    ]


# ---------------------------------------------------------------- json / csv


def to_json(snapshots: Sequence[Snapshot]) -> str:
    return json.dumps([s.model_dump(mode="json") for s in snapshots], indent=2, ensure_ascii=False) + "\n"


def _fmt_time(t: datetime) -> str:
    return t.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def to_csv(snapshots: Sequence[Snapshot]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for snap in snapshots:
        for b in snap.balances:
            writer.writerow(
                [
                    snap.account,
                    snap.marketplace,
                    _fmt_time(snap.taken_at),
                    snap.status,
                    b.kind,
                    format(b.amount, "f") if b.amount is not None else "",
                    b.currency or "",
                    b.points if b.points is not None else "",
                    b.expires_on.isoformat() if b.expires_on else "",
                    b.description or "",
                    b.page,
                    b.found_by,
                ]
            )
    return out.getvalue()


# ---------------------------------------------------------------- plain-text accounting

_COMPONENT = re.compile(r"^[A-Z0-9][A-Za-z0-9-]*$")


def _component(text: str) -> str:
    """'me@example.com' -> 'Me-Example-Com'; 'gift_card' -> 'GiftCard' style components
    that both beancount and ledger accept (a capital or digit, then letters, digits, dashes)."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", text) if w]
    return "-".join(w[0].upper() + w[1:] for w in words) or "Unknown"


def _kind_component(kind: str) -> str:
    return "".join(w.capitalize() for w in kind.split("_"))


def _valid_prefix(prefix: str) -> bool:
    return bool(prefix) and all(_COMPONENT.match(p) for p in prefix.split(":"))


def check_prefix(prefix: str) -> str:
    if not _valid_prefix(prefix):
        raise ConfigInvalid(
            f"account prefix {prefix!r} is not a valid account name",
            "Use colon-separated words that start with a capital letter, e.g. Assets:Amazon.",
        )
    return prefix


class ExportSettings(BaseModel):
    """The [export] table of the config:

        [export]
        account_prefix = "Assets:Amazon"   # beancount/ledger accounts: PREFIX:Account:Kind
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    account_prefix: str = DEFAULT_ACCOUNT_PREFIX

    @field_validator("account_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        if not _valid_prefix(value):
            raise ValueError(f"{value!r} is not an account name like Assets:Amazon")
        return value


def account_name(prefix: str, snap: Snapshot, balance: Balance) -> str:
    """prefix:Account:Kind, plus :Expires-YYYY-MM-DD for a credit with an expiry date
    (promotional credits expiring on different days are different credits)."""
    name = f"{check_prefix(prefix)}:{_component(snap.account)}:{_kind_component(balance.kind)}"
    if balance.expires_on:
        name += f":Expires-{balance.expires_on.isoformat()}"
    return name


def _commodity(balance: Balance) -> str:
    # Points have no currency; their commodity is the kind in capitals (KINDLE_POINTS).
    return balance.currency or balance.kind.upper()


def _quantity(balance: Balance) -> str:
    return format(balance.amount, "f") if balance.amount is not None else str(balance.points)


def to_beancount(snapshots: Sequence[Snapshot], prefix: str = DEFAULT_ACCOUNT_PREFIX) -> str:
    lines: list[str] = []
    for snap in snapshots:
        # Beancount checks a `balance` at the START of its date; what was read during
        # day D is the balance at the start of D+1 (the date is the UTC date of taken_at).
        day = (snap.taken_at.astimezone(timezone.utc).date() + timedelta(days=1)).isoformat()
        for b in snap.balances:
            lines.append(f"{day} balance {account_name(prefix, snap, b)}  {_quantity(b)} {_commodity(b)}")
    return "\n".join(lines) + ("\n" if lines else "")


def to_ledger(snapshots: Sequence[Snapshot], prefix: str = DEFAULT_ACCOUNT_PREFIX) -> str:
    blocks: list[str] = []
    for snap in snapshots:
        if not snap.balances:
            continue
        day = snap.taken_at.astimezone(timezone.utc).date().isoformat()
        lines = [f"{day} * amazon-credits snapshot {snap.account}", f"    ; taken_at: {_fmt_time(snap.taken_at)}"]
        for b in snap.balances:
            # A zero posting with `= AMOUNT` is a pure assertion; without the 0 ledger
            # would treat it as an assignment and invent a balancing amount.
            lines.append(f"    {account_name(prefix, snap, b)}  0 {_commodity(b)} = {_quantity(b)} {_commodity(b)}")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def render(fmt: Format, snapshots: Sequence[Snapshot], *, prefix: str = DEFAULT_ACCOUNT_PREFIX) -> str:
    if fmt == "json":
        return to_json(snapshots)
    if fmt == "csv":
        return to_csv(snapshots)
    if fmt == "beancount":
        return to_beancount(snapshots, prefix)
    if fmt == "ledger":
        return to_ledger(snapshots, prefix)
    raise ConfigInvalid(f"unknown export format {fmt!r}", f"Use one of: {', '.join(FORMATS)}.")


# ---------------------------------------------------------------- files


def latest_file_name(account: str) -> str:
    # Account names are e-mail addresses or labels; keep the file name portable.
    return re.sub(r"[^A-Za-z0-9@._-]+", "_", account).strip("._") + ".json"


def write_latest(snapshot: Snapshot, latest_dir: Path) -> Path:
    path = latest_dir / latest_file_name(snapshot.account)
    write_atomic(path, json.dumps(snapshot.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n")
    return path
