"""`refresh --account NAME` and `--all` sign in through the fake Amazon, then walk.

run_refresh launches its own Chromium, so these run in run_cli's worker
thread (one browser per refresh: kept to two tests).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from scraper import browser as browser_module
from scraper.paths import resolve_paths
from scraper.sessions import session_file
from tests.fake_amazon import HOME, FakeAmazon

pytestmark = pytest.mark.browser

PASSWORD = "Sentinel-Pa55word-7c1e"


@pytest.fixture
def fake(no_network, monkeypatch: pytest.MonkeyPatch, isolated_home: Path) -> Iterator[FakeAmazon]:  # type: ignore[no-untyped-def]
    amazon = FakeAmazon(accounts={"pat@example.com": PASSWORD, "sam@example.com": "sams-password"})
    monkeypatch.setattr(browser_module, "CONTEXT_HOOKS", [no_network.install, amazon.install])
    yield amazon
    assert amazon.unknown == [], amazon.unknown
    for path in (p for p in isolated_home.rglob("*") if p.is_file()):
        assert PASSWORD.encode() not in path.read_bytes(), path


def _store(run_cli, name: str, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("login", "--account", name, "--email", email, "--no-verify", input=f"{password}\n")
    assert result.exit_code == 0, result.stderr


def test_refresh_signs_in_then_reuses_the_session(run_cli, fake: FakeAmazon) -> None:  # type: ignore[no-untyped-def]
    _store(run_cli, "pat", "pat@example.com", PASSWORD)
    first = run_cli("refresh", "--account", "pat", "--no-interactive", "--json")
    assert first.exit_code == 0, first.stderr
    snapshot = json.loads(first.stdout)
    assert snapshot["account"] == "pat" and snapshot["status"] == "complete"
    assert any(b["kind"] == "gift_card" for b in snapshot["balances"])
    assert fake.password_submissions == 1
    assert "signing in" in first.stderr
    assert session_file(resolve_paths().sessions_dir, "pat").exists()
    assert PASSWORD not in first.stdout + first.stderr

    fake.documents.clear()
    second = run_cli("refresh", "--account", "pat", "--no-interactive", "--json")
    assert second.exit_code == 0, second.stderr
    assert fake.password_submissions == 1  # the saved session was enough
    assert fake.documents[0] == f"GET {HOME}"
    assert not any("/ap/" in d or "/ax/" in d for d in fake.documents)  # no sign-in page visited
    assert "GET /gc/balance" in fake.documents


def test_refresh_all_goes_on_after_one_account_fails(run_cli, fake: FakeAmazon) -> None:  # type: ignore[no-untyped-def]
    _store(run_cli, "pat", "pat@example.com", PASSWORD)
    _store(run_cli, "sam", "sam@example.com", "not-sams-password")
    result = run_cli("refresh", "--all", "--no-interactive", "--json")
    assert result.exit_code == 10  # sam's wrong password; pat was still read
    assert "error: account 'sam': Amazon says the password for account 'sam' is wrong" in result.stderr
    assert fake.submitted_passwords == [PASSWORD, "not-sams-password"]  # one each, never retried
    shown = run_cli("show", "--account", "pat", "--json")
    assert shown.exit_code == 0 and json.loads(shown.stdout)["account"] == "pat"


def test_nightly_stops_at_a_code_with_the_command_to_run(run_cli, fake: FakeAmazon) -> None:  # type: ignore[no-untyped-def]
    fake.mfa = "code"
    _store(run_cli, "pat", "pat@example.com", PASSWORD)
    result = run_cli("nightly", "--attempts", "1", "--wait", "0")
    assert result.exit_code == 11, result.stderr
    assert "a person is needed; run `amazon-credits login --account pat --headed`" in result.stderr
    assert fake.password_submissions == 1
