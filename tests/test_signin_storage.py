"""Keyring, accounts config and saved sessions: no browser needed."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from keyrings.alt.file import PlaintextKeyring

from scraper import credentials
from scraper.config import Account, Config, load_config, save_config, with_account
from scraper.credentials import SERVICE, Secrets
from scraper.errors import ConfigInvalid, ExitCode, KeyringUnavailable
from scraper.paths import resolve_paths
from scraper.sessions import load_session, save_session, session_file
from tests.memory_keyring import MemoryKeyring

SENTINEL = "Sentinel-Pa55word-7c1e"
STATE = {"cookies": [{"name": "session-token", "value": "cookie-value-9f2d", "domain": ".amazon.com", "path": "/",
                      "expires": -1, "httpOnly": False, "secure": True, "sameSite": "Lax"}], "origins": []}


# ------------------------------------------------------------------ keyring


def test_secrets_round_trip_under_the_service_name(memory_keyring: MemoryKeyring) -> None:
    credentials.store_secrets("pat", Secrets(SENTINEL, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ"))
    assert memory_keyring.secrets == {
        (SERVICE, "pat:password"): SENTINEL,
        (SERVICE, "pat:totp-secret"): "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ",
    }
    assert credentials.load_secrets("pat") == Secrets(SENTINEL, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ")
    assert SENTINEL not in repr(credentials.load_secrets("pat"))
    assert credentials.forget_account("pat") == ["password", "totp-secret"]
    assert credentials.load_secrets("pat") is None


def test_no_keyring_is_keyring_unavailable_with_the_ways_out() -> None:
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(KeyringUnavailable) as caught:
        credentials.load_secrets("pat")
    text = str(caught.value)
    assert caught.value.exit_code == ExitCode.KEYRING_UNAVAILABLE == 15
    for way in ("desktop session", "dbus-run-session", "gnome-keyring-daemon", "keyrings.alt", "keyringrc.cfg"):
        assert way in text


def test_plaintext_keyring_is_refused_unless_chosen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring_pass.cfg")  # type: ignore[misc]
    keyring.set_keyring(backend)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    with pytest.raises(KeyringUnavailable, match="keeps secrets in a file, and nobody chose it"):
        credentials.store_secrets("pat", Secrets(SENTINEL))
    assert not (tmp_path / "keyring_pass.cfg").exists()  # never a silent plaintext fallback
    # Chosen explicitly through keyring's own configuration: used.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    credentials.store_secrets("pat", Secrets(SENTINEL))
    assert credentials.load_secrets("pat") == Secrets(SENTINEL)


def test_login_without_keyring_exits_15_before_asking(run_cli) -> None:  # type: ignore[no-untyped-def]
    keyring.set_keyring(fail.Keyring())
    result = run_cli("login", "--account", "pat", "--email", "pat@example.com", "--no-verify", input=f"{SENTINEL}\n")
    assert result.exit_code == 15
    assert "no usable keyring" in result.stderr and "dbus-run-session" in result.stderr
    assert "password" not in result.stderr.lower().split("no usable keyring")[0]  # nothing was asked
    assert not resolve_paths().config_file.exists()


# ------------------------------------------------------------------ config


def test_config_round_trip_keeps_other_tables(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "config.toml"
    path.parent.mkdir()
    path.write_text('[alerts]\nurls = ["ntfy://topic"]\n')
    config = with_account(load_config(path), "pat", Account(marketplace="amazon.com", email="pat@example.com"))
    save_config(path, config)
    again = load_config(path)
    assert again.accounts == {"pat": Account(marketplace="amazon.com", email="pat@example.com")}
    assert again.alerts.urls == ("ntfy://topic",)
    assert "export" not in path.read_text()  # nobody wrote it: stays out
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]  # no temporary file left


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[accounts.pat\n", "is not valid TOML"),
        ('[accounts.pat]\nmarketplace = "amazon.xx"\nemail = "p@example.com"\n', "accounts.pat.marketplace: "),
        ('[accounts.pat]\nemail = "p@example.com"\npassword = "x"\n', "accounts.pat.password: Extra inputs"),
        ('[accounts.pat]\nmarketplace = "amazon.com"\n', "accounts.pat.email: Field required"),
        ('[accounts."bad name"]\nemail = "p@example.com"\n', "account name 'bad name'"),
    ],
)
def test_invalid_config_names_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigInvalid) as caught:
        load_config(path)
    assert str(path) in caught.value.message and expected in caught.value.message


def test_login_leaves_an_invalid_config_untouched(run_cli) -> None:  # type: ignore[no-untyped-def]
    path = resolve_paths().config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[accounts.pat]\nmarketplace = "amazon.xx"\nemail = "p@example.com"\n')
    result = run_cli("login", "--account", "pat", "--no-verify", input=f"{SENTINEL}\n")
    assert result.exit_code == ExitCode.CONFIG_INVALID == 16
    assert "accounts.pat.marketplace" in result.stderr
    assert path.read_text() == '[accounts.pat]\nmarketplace = "amazon.xx"\nemail = "p@example.com"\n'


def test_unknown_account_in_config() -> None:
    with pytest.raises(ConfigInvalid, match="no account named 'work'"):
        Config().account("work", Path("/x/config.toml"))


# ------------------------------------------------------------------ sessions


def test_session_is_encrypted_0600_and_round_trips(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    path = save_session(tmp_path / "sessions", "pat", STATE)
    assert path == session_file(tmp_path / "sessions", "pat")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert b"cookie-value-9f2d" not in path.read_bytes() and b"session-token" not in path.read_bytes()
    assert (SERVICE, "pat:session-key") in memory_keyring.secrets
    assert load_session(tmp_path / "sessions", "pat") == STATE


@pytest.mark.parametrize("damage", ["garbage", "other_key", "not_a_session", "key_gone"])
def test_unreadable_session_is_set_aside_with_a_warning(
    tmp_path: Path, memory_keyring: MemoryKeyring, damage: str
) -> None:
    sessions = tmp_path / "sessions"
    path = save_session(sessions, "pat", STATE)
    if damage == "garbage":
        path.write_bytes(b"\x00not fernet at all")
    elif damage == "other_key":
        memory_keyring.secrets[(SERVICE, "pat:session-key")] = "A" * 43 + "="
    elif damage == "not_a_session":
        from cryptography.fernet import Fernet

        key = memory_keyring.secrets[(SERVICE, "pat:session-key")].encode()
        path.write_bytes(Fernet(key).encrypt(json.dumps([1, 2]).encode()))
    else:
        del memory_keyring.secrets[(SERVICE, "pat:session-key")]
    warnings: list[str] = []
    assert load_session(sessions, "pat", warn=warnings.append) is None
    assert not path.exists()
    aside = [p for p in sessions.iterdir() if p.name.startswith("pat.session.unreadable-")]
    assert len(aside) == 1
    assert len(warnings) == 1 and str(aside[0]) in warnings[0] and "Signing in afresh" in warnings[0]


# ------------------------------------------------------------------ accounts / logout


def test_login_no_verify_then_accounts_and_logout(run_cli, memory_keyring: MemoryKeyring) -> None:  # type: ignore[no-untyped-def]
    stored = run_cli("login", "--account", "pat", "--email", "pat@example.com", "--no-verify", "--totp-secret",
                     input=f"{SENTINEL}\njbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxq\n")
    assert stored.exit_code == 0, stored.stderr
    assert memory_keyring.secrets[(SERVICE, "pat:password")] == SENTINEL
    assert memory_keyring.secrets[(SERVICE, "pat:totp-secret")] == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ"
    listed = run_cli("accounts", "--json")
    assert json.loads(listed.stdout) == [{"account": "pat", "marketplace": "amazon.com", "email": "pat@example.com",
                                          "password_stored": True, "totp_stored": True, "session_saved": False}]
    table = run_cli("accounts")
    assert "pat@example.com" in table.stdout
    for output in (stored.stdout + stored.stderr, listed.stdout + listed.stderr, table.stdout + table.stderr):
        assert SENTINEL not in output and "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ" not in output
    config_text = resolve_paths().config_file.read_text()
    assert SENTINEL not in config_text and "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ" not in config_text
    out = run_cli("logout", "--account", "pat")
    assert out.exit_code == 0
    assert "removed the password, the totp secret" in out.stderr
    assert (SERVICE, "pat:password") not in memory_keyring.secrets
    assert json.loads(run_cli("accounts", "--json").stdout)[0]["password_stored"] is False
    assert run_cli("logout", "--account", "pat", "--forget").exit_code == 0
    assert json.loads(run_cli("accounts", "--json").stdout) == []


def test_login_rejects_a_bad_totp_secret(run_cli, memory_keyring: MemoryKeyring) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("login", "--account", "pat", "--email", "pat@example.com", "--no-verify", "--totp-secret",
                     input=f"{SENTINEL}\nnot base32 !!\n")
    assert result.exit_code == 2
    assert "not an authenticator secret" in result.stderr
    assert memory_keyring.secrets == {}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="only X11/Wayland need a DISPLAY")
def test_login_headed_without_a_display_says_so(run_cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    result = run_cli("login", "--account", "pat", "--email", "pat@example.com", "--headed", input=f"{SENTINEL}\n")
    assert result.exit_code == 2
    assert "--headed could not open a browser window here" in result.stderr and "xvfb-run" in result.stderr
    assert SENTINEL not in result.stdout + result.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="only X11/Wayland need a DISPLAY")
def test_refresh_headed_without_a_display_says_so(run_cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    result = run_cli("demo", "--headed")
    assert result.exit_code == 2
    assert "--headed could not open a browser window here" in result.stderr and "xvfb-run" in result.stderr
