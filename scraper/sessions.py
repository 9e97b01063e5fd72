"""Saved browser sessions: Playwright's storage state, encrypted, mode 0600.

Cookies grant access to the account, so the file is encrypted with Fernet
(cryptography: authenticated AES, so a damaged or foreign file is detected,
not half-read); the key lives in the keyring beside the password. A file that
cannot be decrypted or parsed is moved aside with a warning and the caller
signs in afresh: nothing crashes on a bad session.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import structlog
from cryptography.fernet import Fernet, InvalidToken

from scraper import credentials
from scraper.files import write_atomic

log = structlog.get_logger(__name__)


def session_file(sessions_dir: Path, account: str) -> Path:
    return sessions_dir / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', account)}.session"


def _key(account: str, *, create: bool) -> bytes | None:
    key = credentials.get_secret(account, credentials.SESSION_KEY)
    if key is None and create:
        key = Fernet.generate_key().decode("ascii")
        credentials.set_secret(account, credentials.SESSION_KEY, key)
    return key.encode("ascii") if key is not None else None


def save_session(sessions_dir: Path, account: str, state: dict[str, Any]) -> Path:
    """Encrypt and write atomically; the file is 0600 from its first byte."""
    token = Fernet(_key(account, create=True)).encrypt(json.dumps(state).encode("utf-8"))  # type: ignore[arg-type]
    sessions_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = session_file(sessions_dir, account)
    write_atomic(path, token)  # mkstemp: 0600 from the first byte
    return path


def _set_aside(path: Path, reason: str) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.unreadable-{stamp}")
    os.replace(path, aside)
    log.warning("session_set_aside", file=str(path), moved_to=str(aside), reason=reason)
    return aside


def load_session(sessions_dir: Path, account: str, warn: Any = None) -> dict[str, Any] | None:
    """The saved state, or None (no session, or one set aside because it was unreadable).

    `warn(message)` is told when a file is set aside, so a person sees it.
    """
    path = session_file(sessions_dir, account)
    if not path.exists():
        return None
    key = _key(account, create=False)
    reason: str | None = None
    state: Any = None
    if key is None:
        reason = "its key is not in the keyring"
    else:
        try:
            state = json.loads(Fernet(key).decrypt(path.read_bytes()).decode("utf-8"))
        except InvalidToken:
            reason = "it cannot be decrypted (damaged, or written with another key)"
        except (ValueError, UnicodeDecodeError):
            reason = "it decrypts to something that is not a browser session"
        if reason is None and not (isinstance(state, dict) and isinstance(state.get("cookies"), list)):
            reason = "it decrypts to something that is not a browser session"
    if reason is not None:
        aside = _set_aside(path, reason)
        if warn is not None:
            warn(f"the saved session for {account!r} was set aside because {reason}: {aside}. Signing in afresh.")
        return None
    return state  # type: ignore[no-any-return]


def delete_session(sessions_dir: Path, account: str) -> bool:
    path = session_file(sessions_dir, account)
    if path.exists():
        path.unlink()
        return True
    return False
