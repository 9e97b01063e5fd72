"""Secrets in the OS keyring, and nowhere else.

Service `amazon-credits`; per account a password, an optional authenticator
(TOTP) secret and the key that encrypts the saved browser session. A machine
with no usable keyring gets `KeyringUnavailable` with the ways out, never a
silent plaintext fallback: keyrings.alt's file backends are used only when
someone chose one explicitly through keyring's own configuration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import keyring
import keyring.core
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail
from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

from scraper.errors import KeyringUnavailable

SERVICE = "amazon-credits"

WAYS_OUT = (
    "Ways out: run it in a desktop session whose keyring is unlocked (GNOME Keyring, KWallet, "
    "macOS Keychain, Windows Credential Manager); on a headless Linux box start one with "
    "`dbus-run-session -- sh -c 'echo -n PASSPHRASE | gnome-keyring-daemon --unlock; amazon-credits ...'`; "
    "or choose a keyrings.alt backend yourself, knowing where it keeps secrets, with "
    "`PYTHON_KEYRING_BACKEND=keyrings.alt.file.EncryptedKeyring` or in keyringrc.cfg "
    "(`python -m keyring diagnose` shows where)."
)

T = TypeVar("T")


@dataclass(frozen=True)
class Secrets:
    """What signs an account in. `repr` never shows the values."""

    password: str = field(repr=False)
    totp_secret: str | None = field(default=None, repr=False)


def _explicitly_configured() -> bool:
    return keyring.core.load_env() is not None or keyring.core.load_config() is not None


def _is_plaintext_fallback(backend: KeyringBackend) -> bool:
    """keyrings.alt backends keep secrets in files; acceptable only when chosen on purpose."""
    backends = backend.backends if isinstance(backend, chainer.ChainerBackend) else [backend]
    return bool(backends) and all(type(b).__module__.startswith("keyrings.alt") for b in backends)


def usable_backend() -> KeyringBackend:
    """The keyring to use, or KeyringUnavailable saying why and what to do."""
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or (
        isinstance(backend, chainer.ChainerBackend) and not backend.backends
    ):
        raise KeyringUnavailable("no usable keyring: this system has no Secret Service or other keyring.", WAYS_OUT)
    if _is_plaintext_fallback(backend) and not _explicitly_configured():
        raise KeyringUnavailable(
            f"no usable keyring: the only one found, {type(backend).__name__} from keyrings.alt, keeps secrets "
            "in a file, and nobody chose it.",
            WAYS_OUT,
        )
    return backend


def _call(action: Callable[[KeyringBackend], T]) -> T:
    backend = usable_backend()
    try:
        return action(backend)
    except NoKeyringError as exc:
        raise KeyringUnavailable(f"no usable keyring: {type(exc).__name__}.", WAYS_OUT) from None
    except KeyringError as exc:
        # The message of a backend error names the backend's problem, never the secret.
        raise KeyringUnavailable(f"the keyring refused: {exc}", WAYS_OUT) from None


def _name(account: str, what: str) -> str:
    return f"{account}:{what}"


def get_secret(account: str, what: str) -> str | None:
    return _call(lambda b: b.get_password(SERVICE, _name(account, what)))


def set_secret(account: str, what: str, value: str) -> None:
    _call(lambda b: b.set_password(SERVICE, _name(account, what), value))


def delete_secret(account: str, what: str) -> bool:
    """Remove one secret; False when there was none."""

    def delete(backend: KeyringBackend) -> bool:
        try:
            backend.delete_password(SERVICE, _name(account, what))
        except PasswordDeleteError:
            return False
        return True

    return _call(delete)


PASSWORD = "password"
TOTP = "totp-secret"
SESSION_KEY = "session-key"


def load_secrets(account: str) -> Secrets | None:
    password = get_secret(account, PASSWORD)
    if password is None:
        return None
    return Secrets(password=password, totp_secret=get_secret(account, TOTP))


def store_secrets(account: str, secrets: Secrets) -> None:
    set_secret(account, PASSWORD, secrets.password)
    if secrets.totp_secret:
        set_secret(account, TOTP, secrets.totp_secret)
    else:
        delete_secret(account, TOTP)


def forget_account(account: str) -> list[str]:
    """Delete every secret of an account; the names of those that existed."""
    return [what for what in (PASSWORD, TOTP, SESSION_KEY) if delete_secret(account, what)]
