"""Sign-in page classification: pure, no browser.

The kind and error of every real capture are written out by hand here, so the
expected files next to the recordings cannot merely agree with themselves.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from scraper.extract import extract
from scraper.models import PageKind
from scraper.redact import redact_html
from scraper.signin_pages import approval_status, classify_signin
from scraper.sitedata import SigninSpec, load_marketplace, parse_site_data, read_toml

ROOT = Path(__file__).resolve().parent.parent
RECORDINGS = ROOT / "recordings" / "signin"
CAPTURES = Path("/work/shared/amazon-captures/signin")
SITE = load_marketplace("amazon.com")

# file -> (kind, error), for the real captures and the constructed pages.
EXPECTED = {
    "email-step-classic.html": ("signin_email", None),
    "email-step-claim.html": ("signin_email", None),
    "password-step.html": ("signin_password", None),
    "password-incorrect.html": ("signin_password", "bad_password"),
    "otp-entry.html": ("mfa_otp", None),
    "approve-or-code.html": ("approval", None),
    "captcha.html": ("captcha", None),
    "bot-challenge.html": ("bot_challenge", None),
    "unknown-account.html": ("signin_email", "unknown_account"),
    "otp-wrong-code.html": ("mfa_otp", "bad_otp"),
    "remembered-account.html": ("signin_password", None),
    "device-choice.html": ("mfa_device_choice", None),
    "validate-captcha.html": ("captcha", None),
    "password-captcha.html": ("captcha", None),
    "new-customer.html": ("new_customer", "unknown_account"),
    "signed-in.html": ("signed_in", None),
}
MANIFEST = tomllib.loads((RECORDINGS / "manifest.toml").read_text())["page"]


def test_every_recording_is_in_the_manifest_and_the_table() -> None:
    on_disk = {p.name for p in RECORDINGS.glob("*.html")}
    assert on_disk == {p["file"] for p in MANIFEST} == set(EXPECTED)


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda e: e["file"])
def test_recording_states_its_origin_and_matches_its_expected_file(entry: dict[str, str]) -> None:
    html = (RECORDINGS / entry["file"]).read_text(encoding="utf-8")
    assert html.startswith(f"<!-- origin: {entry['origin']}.")
    if entry["origin"] == "captured":
        assert "license" in entry and "MIT" in html.splitlines()[0]
        # Unchanged below the provenance line.
        assert html.split("\n", 1)[1] == (CAPTURES / entry["file"]).read_text(encoding="utf-8")
    result = extract(html, SITE, entry["url"]).public()
    expected = json.loads((RECORDINGS / entry["file"].replace(".html", ".expected.json")).read_text())
    assert result == expected
    assert (result["page"], result["error"]) == EXPECTED[entry["file"]]
    assert result["balances"] == [] and result["problems"] == []


@pytest.mark.skipif(not CAPTURES.is_dir(), reason="the shared captures are not on this machine")
@pytest.mark.parametrize("path", sorted(CAPTURES.glob("*.html")), ids=lambda p: p.name)
def test_extract_names_kind_and_error_of_every_shared_capture(path: Path) -> None:
    result = extract(path.read_text(encoding="utf-8"), SITE)
    assert (result.page.value, result.error) == EXPECTED[path.name]


def test_remembered_account_and_password_step_name_their_email() -> None:
    spec = SITE.signin
    remembered = classify_signin((RECORDINGS / "remembered-account.html").read_text(), spec)
    incorrect = classify_signin((RECORDINGS / "password-incorrect.html").read_text(), spec)
    assert remembered is not None and remembered.claimed_email == "some-username@gmail.com"
    assert incorrect is not None and incorrect.claimed_email == "nobody@gmail.com"


def test_robot_check_is_a_captcha_flagged_as_robot_check() -> None:
    page = classify_signin((RECORDINGS / "validate-captcha.html").read_text(), SITE.signin)
    widget = classify_signin((RECORDINGS / "captcha.html").read_text(), SITE.signin)
    assert page is not None and page.robot_check is True
    assert widget is not None and widget.robot_check is False


def test_signed_out_header_is_not_signed_in() -> None:
    html = '<span id="nav-link-accountList-nav-line-1">Hello, sign in</span>'
    assert classify_signin(html, SITE.signin) is None
    assert classify_signin(html.replace("sign in", "Pat"), SITE.signin).kind is PageKind.SIGNED_IN  # type: ignore[union-attr]


def test_error_text_from_site_data_decides_over_the_page() -> None:
    # An unknown email reported on a password step is an unknown account, not a bad password.
    html = '<input id="ap_password"><div id="auth-error-message-box">We cannot find an account with that email address</div>'
    assert classify_signin(html, SITE.signin).error == "unknown_account"  # type: ignore[union-attr]
    german = SigninSpec(unknown_account_texts=["kein Konto"])
    html_de = '<input id="ap_password"><div id="auth-error-message-box">Wir finden kein Konto</div>'
    assert classify_signin(html_de, german).error == "unknown_account"  # type: ignore[union-attr]
    assert classify_signin(html_de, SITE.signin).error == "bad_password"  # type: ignore[union-attr]


def test_signin_table_is_optional_in_site_data() -> None:
    raw = read_toml(ROOT / "selectors" / "amazon.com.toml")
    assert raw["signin"]["check_url"] == "/gp/css/homepage.html"
    del raw["signin"]
    assert parse_site_data(raw, "test").signin == SigninSpec()


def test_signed_in_header_does_not_hide_a_balance_page() -> None:
    html = '<span id="nav-link-accountList-nav-line-1">Hello, Pat</span><span id="gc-ui-balance-gc-balance-value">$1.00</span>'
    result = extract(html, SITE)
    assert result.page is PageKind.GIFT_CARD_BALANCE
    assert [str(b.money) for b in result.balances] == ["1.00 USD"]


def test_approval_status_reads_the_poll_answer() -> None:
    assert approval_status('<input type="hidden" name="transactionApprovalStatus" value="TransactionPending">') == (
        "TransactionPending"
    )
    assert approval_status("<p>nothing</p>") is None


def test_redact_empties_inputs_and_removes_secrets() -> None:
    html = (RECORDINGS / "password-incorrect.html").read_text()
    out = redact_html(html, known=["nobody@gmail.com"])
    assert "nobody@gmail.com" not in out.lower()
    assert "cvpj2FdWosJ3tgDINrj2Bj2BZ2BiVWpvcj3D" not in out  # the appActionToken
    assert classify_signin(out, SITE.signin).kind is PageKind.SIGNIN_PASSWORD  # type: ignore[union-attr]


@pytest.mark.skipif(not CAPTURES.is_dir(), reason="the shared captures are not on this machine")
def test_inspect_command_names_kind_and_error_of_every_shared_capture(run_cli) -> None:  # type: ignore[no-untyped-def]
    seen = {}
    for path in sorted(CAPTURES.glob("*.html")):
        result = run_cli("inspect", str(path), "--json")
        assert result.exit_code == 0, result.stderr
        shown = json.loads(result.stdout)
        seen[path.name] = (shown["page"], shown["error"])
        text = run_cli("inspect", str(path))
        kind, error = EXPECTED[path.name]
        assert f"{kind} page on amazon.com" in text.stdout
        assert (f"error: {error}" in text.stdout) == (error is not None)
    assert seen == {name: EXPECTED[name] for name in seen}
    assert len(seen) == 8


def test_other_account_compares_emails_only() -> None:
    from scraper.signin import is_other_account

    assert is_other_account("sam@example.com", "pat@example.com") is True
    assert is_other_account("Pat@Example.com", "pat@example.com") is False
    assert is_other_account(None, "pat@example.com") is False
    assert is_other_account("+1 555-010-0199", "15550100199") is False  # a phone, shown formatted
