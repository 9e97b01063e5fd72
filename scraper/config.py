"""The accounts config: names, marketplaces and sign-in emails, never secrets.

A TOML file in the platform config folder (`Paths.config_file`):

    browser = "/usr/bin/chromium"   # optional

    [accounts.personal]
    marketplace = "amazon.com"
    email = "pat@example.com"

Validated on load: a broken file is `ConfigInvalid` naming the file and the
key, and is never overwritten by a later write. Writes are atomic.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from scraper.errors import ConfigInvalid, what_is_wrong
from scraper.alerts import AlertSettings
from scraper.exports import ExportSettings
from scraper.files import write_atomic
from scraper.sitedata import available_marketplaces

ACCOUNT_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
_HINT = "Fix or remove the key named above (`amazon-credits login` rewrites an account's entry)."


class Account(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    marketplace: str = "amazon.com"
    email: str = Field(min_length=3, pattern=r"^\S+$", description="the sign-in email or mobile number")

    @field_validator("marketplace")
    @classmethod
    def _known(cls, value: str) -> str:
        known = available_marketplaces()
        if value not in known:
            raise ValueError(f"unknown marketplace {value!r} (known: {', '.join(known)})")
        return value


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    browser: str | None = Field(default=None, description="the Chromium or Chrome to launch, if not found by itself")
    accounts: dict[str, Account] = Field(default_factory=dict)
    alerts: AlertSettings = Field(default_factory=AlertSettings)  # [alerts]: apprise URLs, expiry window
    export: ExportSettings = Field(default_factory=ExportSettings)  # [export]: beancount/ledger account prefix

    @field_validator("accounts")
    @classmethod
    def _names(cls, accounts: dict[str, Account]) -> dict[str, Account]:
        for name in accounts:
            if not re.match(ACCOUNT_NAME, name):
                raise ValueError(f"account name {name!r}: use letters, digits, '.', '_' or '-'")
        return accounts

    def account(self, name: str, path: Path) -> Account:
        if name not in self.accounts:
            known = ", ".join(sorted(self.accounts)) or "none yet"
            raise ConfigInvalid(
                f"no account named {name!r} in {path} (accounts: {known}).",
                f"Add it with `amazon-credits login --account {name} --email EMAIL`.",
            )
        return self.accounts[name]


def load_config(path: Path) -> Config:
    """The config at `path`; an empty one when the file does not exist yet."""
    if not path.exists():
        return Config()
    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigInvalid(f"{path} is not valid TOML: {exc}", _HINT) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigInvalid(f"{path} cannot be read: {exc}") from None
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        lines = "\n".join(f"  {line}" for line in what_is_wrong(exc))
        raise ConfigInvalid(f"{path} is not a valid config:\n{lines}", _HINT) from None


def save_config(path: Path, config: Config) -> None:
    # exclude_unset: tables nobody wrote (alerts, export) stay out of the file, defaults stay defaults
    write_atomic(path, tomli_w.dumps(config.model_dump(mode="json", exclude_unset=True)))


def with_account(config: Config, name: str, account: Account) -> Config:
    return config.model_copy(update={"accounts": {**config.accounts, name: account}})  # keeps [alerts], [export]


def without_account(config: Config, name: str) -> Config:
    return config.model_copy(update={"accounts": {k: v for k, v in config.accounts.items() if k != name}})
