"""The outcomes a user must be able to tell apart, each with its own exit code.

DESIGN.md's outcomes table: every failure the tool knows about is one of these
classes, and the CLI turns it into a message and the class's exit code. The
codes are listed in README.md; change them only together.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


class ExitCode(IntEnum):
    OK = 0
    PARTIAL = 3  # a snapshot was stored, but some balances could not be read
    USAGE = 2  # click's own code for bad arguments
    BAD_CREDENTIALS = 10
    PERSON_NEEDED = 11
    BLOCKED = 12
    SITE_CHANGED = 13
    UNAVAILABLE = 14
    KEYRING_UNAVAILABLE = 15
    CONFIG_INVALID = 16
    STORE_INVALID = 17
    BUSY = 18  # another run holds the lock
    INTERNAL = 70  # a bug: please report it


class CreditsError(Exception):
    """Base of every error the tool reports to a user.

    `message` says what happened; `hint` says what to do. Neither may carry a
    secret: they are printed and logged.
    """

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n{self.hint}"


class BadCredentials(CreditsError):
    """Wrong password or unknown account. Never retried: retries lock accounts."""

    exit_code = ExitCode.BAD_CREDENTIALS


class PersonNeeded(CreditsError):
    """A code, approval or captcha needs a person, and none is at the keyboard."""

    exit_code = ExitCode.PERSON_NEEDED


class Blocked(CreditsError):
    """Amazon's bot challenge or robot check stopped the run."""

    exit_code = ExitCode.BLOCKED


class SiteChanged(CreditsError):
    """A page nothing recognises, or a selector that found nothing."""

    exit_code = ExitCode.SITE_CHANGED


class Unavailable(CreditsError):
    """Timeouts, 5xx answers, connection resets: transient, retried with backoff."""

    exit_code = ExitCode.UNAVAILABLE


class KeyringUnavailable(CreditsError):
    exit_code = ExitCode.KEYRING_UNAVAILABLE


class ConfigInvalid(CreditsError):
    """A config or selectors file that does not validate."""

    exit_code = ExitCode.CONFIG_INVALID


class StoreInvalid(CreditsError):
    """A store that cannot be opened or read; it is left untouched."""

    exit_code = ExitCode.STORE_INVALID


class NoDisplay(CreditsError):
    """--headed asked for a window where none can open (a server, ssh without -X)."""

    exit_code = ExitCode.USAGE


class Busy(CreditsError):
    exit_code = ExitCode.BUSY


def what_is_wrong(exc: ValidationError, prefix: str = "") -> list[str]:
    """Each error of a pydantic validation as `key.path: what is wrong`.

    Never the input value: a config value can be a token or an email.
    """
    lines = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"])
        lines.append(f"{prefix + key if key else prefix.rstrip('.') or '(top level)'}: {error['msg']}")
    return lines
