"""Secrets: a sentinel password, TOTP secret and session cookie pass through every
command, and appear in no file written and no output.

One account goes through the whole life of the tool against the fake Amazon
(tests/fake_amazon.py): login (password and authenticator secret typed in,
TOTP sign-in, the session cookie saved), refresh and nightly on the saved
session, record (redacted recordings of every page), export in every format,
show, and a sign-in that ends on a page nothing recognises, which saves a
failure capture; that page carries the sentinels in its form fields, as a
page that re-fills a form would. After each command, and at the end, every
file under the isolated home and the data folder (the SQLite store's bytes,
the encrypted session, logs, captures, recordings, exports) and every line of
output is searched for each sentinel, as text and in the encodings a file
could hold it in.

The CLI runs in a worker thread (conftest's run_cli) and launches its own
Chromium per command: this module starts no pytest-playwright browser.
"""

from __future__ import annotations

import base64
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest

from scraper import browser as browser_module
from scraper.credentials import SERVICE
from scraper.exports import FORMATS
from tests import fake_amazon
from tests.fake_amazon import FakeAmazon
from tests.memory_keyring import MemoryKeyring

pytestmark = pytest.mark.browser

EMAIL = "sam@example.com"
PASSWORD = "Sentinel-Pass-4f9d2b"
TOTP_SECRET = "SENTINELTOTPQQQQQQQQQQQQQQQQQQQB"  # base32, 160 bits
COOKIE = "SentinelCookie7d3e9a"
SECRETS = {"password": PASSWORD, "TOTP secret": TOTP_SECRET, "session cookie": COOKIE}


def _forms_of(secret: str) -> list[bytes]:
    """The secret as a file or an output could hold it."""
    raw = secret.encode()
    return [raw, quote(secret).encode(), base64.b64encode(raw), secret.encode("utf-16-le"), raw.hex().encode()]


def _leaks(folders: list[Path], outputs: list[str]) -> list[str]:
    found = []
    files = [p for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file()]
    assert files, "the commands wrote nothing: the search would prove nothing"
    for path in files:
        data = path.read_bytes()
        for name, secret in SECRETS.items():
            if any(form in data for form in _forms_of(secret)):
                found.append(f"{name} in {path}")
    for number, text in enumerate(outputs):
        for name, secret in SECRETS.items():
            if secret in text:
                found.append(f"{name} in output {number}: {text[:200]!r}")
    return found


class PageFillingFake(FakeAmazon):
    """After the password, optionally a page nothing recognises whose form fields hold
    the sentinels: the capture of it must not."""

    def _signin_post(self, route, form):  # type: ignore[no-untyped-def]
        if self.unknown_page and form.get("password"):
            self.password_submissions += 1
            body = (
                "<html><body><h1>Confirm it is you</h1>"
                f"<form method='post' action='/ap/confirm'><input type='password' name='password' value='{PASSWORD}'>"
                f"<input type='hidden' name='otpSecret' value='{TOTP_SECRET}'>"
                f"<input type='hidden' name='session-token' value='{COOKIE}' data-session-token='{COOKIE}'>"
                f"<input type='email' value='{EMAIL}'></form></body></html>"
            )
            route.fulfill(status=200, body=body, content_type="text/html")
            return
        super()._signin_post(route, form)


def test_no_secret_in_any_file_or_output(  # type: ignore[no-untyped-def]
    run_cli, no_network, monkeypatch: pytest.MonkeyPatch, isolated_home: Path, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    fake = PageFillingFake(accounts={EMAIL: PASSWORD}, mfa="totp", totp_secret=TOTP_SECRET, device_choice=True)
    monkeypatch.setattr(fake_amazon, "random_tokens", SimpleNamespace(token_hex=lambda n=8: COOKIE))
    monkeypatch.setattr(browser_module, "CONTEXT_HOOKS", [no_network.install, fake.install])
    data = tmp_path / "data"
    folders = [isolated_home, data]
    outputs: list[str] = []

    def run(*args: str, input: str | None = None, expect: int = 0) -> None:
        result = run_cli("--data-dir", str(data), "--verbose", *args, input=input)
        outputs.extend([result.stdout, result.stderr])
        assert result.exception is None, result.exception
        assert result.exit_code == expect, f"{args}: {result.exit_code}\n{result.stderr}"
        assert not _leaks(folders, outputs), f"after {args[0]}: {_leaks(folders, outputs)}"

    run("login", "--account", "sam", "--email", EMAIL, "--totp-secret", "--no-interactive",
        input=f"{PASSWORD}\n{TOTP_SECRET}\n")
    # The sentinels really went through: stored in the keyring, the cookie issued and used.
    assert memory_keyring.secrets[(SERVICE, "sam:totp-secret")] == TOTP_SECRET
    assert PASSWORD in memory_keyring.secrets.values()
    assert fake.tokens == {COOKIE}
    sessions = [p for p in data.rglob("*") if p.is_file() and "session" in str(p.relative_to(data))]
    assert sessions, "login saved no session"

    run("refresh", "--account", "sam")  # on the saved session
    run("nightly", "--json", "--backoff", "0")
    run("record", "--out", str(tmp_path / "data" / "recorded"), "--account", "sam")
    assert list((data / "recorded").glob("*.html")), "record wrote no page"
    for fmt in FORMATS:
        run("export", "--format", fmt, "--out", str(data / "exports" / f"export.{fmt}"))
        run("export", "--format", fmt)  # to standard output as well
    run("show", "--json")
    run("history")

    # A sign-in that ends on an unknown page holding the sentinels: a failure capture.
    fake.expire_sessions()
    fake.unknown_page = True
    run("login", "--account", "sam", "--no-interactive", expect=13)
    captures = [p for p in data.rglob("*") if p.is_file() and p.suffix == ".html" and "capture" in str(p)]
    assert captures, "no failure capture was saved"
    assert "Confirm it is you" in captures[0].read_text(encoding="utf-8")  # the capture is that page

    assert fake.password_submissions >= 2  # the stored password was used again, never written
    assert not _leaks(folders, outputs)
