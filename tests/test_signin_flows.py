"""Every sign-in scenario, through the command line, in headless Chromium, against
the fake Amazon sign-in (tests/fake_amazon.py) served from the recordings.

The command line runs in-process on the main thread, and its browser is
pytest-playwright's one Chromium for the whole session: each run gets a new
context from it (made by scraper.browser.new_context, so every guard and the
fake are installed), instead of launching Chromium per run, which takes
seconds on a busy machine. After every test, no file the run wrote and no
output holds the sentinel password or authenticator secret.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyotp
import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser, BrowserContext

from scraper import browser as browser_module
from scraper import cli_signin
from scraper.cli import main
from scraper.credentials import SERVICE
from scraper.paths import resolve_paths
from scraper.sessions import session_file
from scraper.sitedata import SiteData
from tests.fake_amazon import HOME, FakeAmazon
from tests.memory_keyring import MemoryKeyring

pytestmark = pytest.mark.browser

EMAIL = "pat@example.com"
PASSWORD = "Sentinel-Pa55word-7c1e"
TOTP_SECRET = "SENTINELTOTPSECRETAAAAAAAAAAAAAB"  # base32, 160 bits
COMMAND = "amazon-credits login --account pat --headed"
OUTPUTS: list[str] = []


@pytest.fixture
def fake(no_network, monkeypatch: pytest.MonkeyPatch, isolated_home: Path) -> Iterator[FakeAmazon]:  # type: ignore[no-untyped-def]
    amazon = FakeAmazon(accounts={EMAIL: PASSWORD, "other@example.com": "other-password"})
    # After the escape guard, so the fake answers first; the guard sees whatever it does not.
    monkeypatch.setattr(browser_module, "CONTEXT_HOOKS", [no_network.install, amazon.install])
    OUTPUTS.clear()
    yield amazon
    assert amazon.unknown == [], f"pages the fake does not know were asked for: {amazon.unknown}"
    assert all(kind != "document" for kind, _ in amazon.aborted), amazon.aborted
    _assert_no_secret_anywhere(isolated_home)


def _assert_no_secret_anywhere(home: Path) -> None:
    written = [p for p in home.rglob("*") if p.is_file()]
    for path in written:
        data = path.read_bytes()
        for secret in (PASSWORD, TOTP_SECRET):
            assert secret.encode() not in data, f"{secret!r} found in {path}"
    for text in OUTPUTS:
        assert PASSWORD not in text and TOTP_SECRET not in text


@pytest.fixture
def run_cli(browser: Browser, monkeypatch: pytest.MonkeyPatch, isolated_home: Path):  # type: ignore[no-untyped-def]
    """`amazon-credits ARGS` in-process, its browser context a new one from the shared browser."""

    @contextmanager
    def shared_browser_context(site: SiteData, *, headed: bool, browser_path: str | None) -> Iterator[BrowserContext]:
        context = browser_module.new_context(browser, site)
        try:
            yield context
        finally:
            context.close()

    monkeypatch.setattr(cli_signin, "browser_context", shared_browser_context)

    def run(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
        result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=True)
        result.exception_ = result.exception if not isinstance(result.exception, SystemExit) else None
        return result

    return run


def login(run_cli, *args: str, input: str | None = None, interactive: bool = True):  # type: ignore[no-untyped-def]
    result = run_cli(
        "--verbose", "login", "--account", "pat", "--email", EMAIL, "--poll-interval", "0.05", "--backoff", "0",
        "--interactive" if interactive else "--no-interactive", *args, input=input,
    )
    OUTPUTS.extend([result.stdout, result.stderr])
    assert result.exception_ is None, result.exception_
    return result


def _session() -> Path:
    return session_file(resolve_paths().sessions_dir, "pat")


def _captures() -> list[Path]:
    folder = resolve_paths().captures_dir
    return sorted(folder.iterdir()) if folder.exists() else []


# ------------------------------------------------------------------ getting in


@pytest.mark.parametrize("flow", ["classic", "claim"])
def test_email_and_password_flows(run_cli, fake: FakeAmazon, memory_keyring: MemoryKeyring, flow: str) -> None:  # type: ignore[no-untyped-def]
    fake.flow = flow  # type: ignore[assignment]
    result = login(run_cli, input=f"{PASSWORD}\n")
    assert result.exit_code == 0, result.stderr
    assert "Account 'pat': signed in on amazon.com" in result.stderr
    assert fake.password_submissions == 1
    email_post = "POST /ax/claim" if flow == "claim" else "POST /ap/signin"
    assert fake.documents == [f"GET {HOME}", email_post, "POST /ap/signin"]
    assert memory_keyring.secrets[(SERVICE, "pat:password")] == PASSWORD
    assert stat.S_IMODE(os.stat(_session()).st_mode) == 0o600
    assert b"session-token" not in _session().read_bytes()  # encrypted


def test_remembered_account_goes_straight_to_the_password(run_cli, fake: FakeAmazon) -> None:  # type: ignore[no-untyped-def]
    fake.remembered = EMAIL
    result = login(run_cli, input=f"{PASSWORD}\n")
    assert result.exit_code == 0, result.stderr
    assert fake.documents == [f"GET {HOME}", "POST /ap/signin"]  # no email step
    assert fake.submitted_passwords == [PASSWORD]


def test_remembered_other_account_is_switched(run_cli, fake: FakeAmazon) -> None:  # type: ignore[no-untyped-def]
    fake.remembered = "other@example.com"
    result = login(run_cli, input=f"{PASSWORD}\n")
    assert result.exit_code == 0, result.stderr
    # account page (remembered password step) -> switch link -> email step -> password step
    assert fake.documents == [f"GET {HOME}", "GET /ap/signin", "POST /ap/signin", "POST /ap/signin"]
    assert fake.submitted_passwords == [PASSWORD]  # never the other account's


# ------------------------------------------------------------------ two-step


def test_totp_from_the_keyring_needs_nobody(run_cli, fake: FakeAmazon, memory_keyring: MemoryKeyring) -> None:  # type: ignore[no-untyped-def]
    fake.mfa, fake.totp_secret, fake.device_choice = "totp", TOTP_SECRET, True
    result = login(run_cli, "--totp-secret", input=f"{PASSWORD}\n{TOTP_SECRET}\n", interactive=False)
    assert result.exit_code == 0, result.stderr
    assert memory_keyring.secrets[(SERVICE, "pat:totp-secret")] == TOTP_SECRET
    assert "Verification code" not in result.stderr  # nothing asked
    assert pyotp.TOTP(TOTP_SECRET).verify(pyotp.TOTP(TOTP_SECRET).now())
    assert fake.documents.count("POST /ap/signin") == 4  # email, password, device choice, code


def test_totp_secret_amazon_does_not_accept_is_bad_credentials(run_cli, fake: FakeAmazon) -> None:  # type: ignore[no-untyped-def]
    fake.mfa, fake.totp_secret = "totp", "OTHERSECRETAAAAAAAAAAAAAAAAAAAAB"
    result = login(run_cli, "--totp-secret", input=f"{PASSWORD}\n{TOTP_SECRET}\n", interactive=False)
    assert result.exit_code == 10
    assert "did not accept the code made from the authenticator secret of 'pat'" in result.stderr
    assert fake.documents.count("POST /ap/signin") == 3  # email, password, one code: not retried


def test_prompted_code(run_cli, fake: FakeAmazon) -> None:  # type: ignore[no-untyped-def]
    fake.mfa = "code"
    result = login(run_cli, input=f"{PASSWORD}\n424242\n")
    assert result.exit_code == 0, result.stderr
    assert "Verification code Amazon sent you" in result.stderr


def test_wrong_code_then_right(run_cli, fake: FakeAmazon) -> None:  # type: ignore[no-untyped-def]
    fake.mfa = "code"
    result = login(run_cli, input=f"{PASSWORD}\n111111\n424242\n")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("Verification code Amazon sent you") == 2
    assert "Amazon did not accept that code." in result.stderr
    assert fake.password_submissions == 1


def test_code_in_a_non_interactive_run_needs_a_person(run_cli, fake: FakeAmazon) -> None:  # type: ignore[no-untyped-def]
    fake.mfa = "code"
    result = login(run_cli, input=f"{PASSWORD}\n", interactive=False)
    assert result.exit_code == 11
    assert "a verification code" in result.stderr and COMMAND in result.stderr


def test_approval_granted_after_some_polls(run_cli, fake: FakeAmazon) -> None:  # type: ignore[no-untyped-def]
    fake.mfa, fake.approve_after_polls = "approval", 3
    result = login(run_cli, input=f"{PASSWORD}\n\n")  # Enter: no texted code, approve in the app
    assert result.exit_code == 0, result.stderr
    assert fake.polls == 3
    countdown = re.findall(r"Approve the sign-in .*: (\d+) s left", result.stderr)
    assert len(countdown) == 3 and countdown[0] == "180"
    assert "Approved." in result.stderr


def test_approval_noticed_when_the_page_moves_on_by_itself(run_cli, fake: FakeAmazon) -> None:  # type: ignore[no-untyped-def]
    fake.mfa, fake.approve_after_polls, fake.approval_script_redirects = "approval", None, True
    result = run_cli("--verbose", "login", "--account", "pat", "--email", EMAIL, "--interactive",
                     "--poll-interval", "1", input=f"{PASSWORD}\n\n")
    OUTPUTS.extend([result.stdout, result.stderr])
    assert result.exit_code == 0, result.stderr
    assert fake.polls == 0  # the page navigated before the first poll was due
    assert "GET /ap/signin" in fake.documents


def test_approval_timing_out(run_cli, fake: FakeAmazon, memory_keyring: MemoryKeyring) -> None:  # type: ignore[no-untyped-def]
    fake.mfa, fake.approve_after_polls = "approval", None
    result = run_cli("login", "--account", "pat", "--email", EMAIL, "--interactive", "--approval-timeout", "1",
                     "--poll-interval", "0.25", input=f"{PASSWORD}\n\n")
    OUTPUTS.extend([result.stdout, result.stderr])
    assert result.exit_code == 11
    assert "was not approved within 1 s" in result.stderr and COMMAND in result.stderr
    assert 3 <= fake.polls <= 5
    assert [int(n) for n in re.findall(r": (\d+) s left", result.stderr)][0] == 1
    # Not refused, only unfinished: the password is kept so the hint's command works.
    assert memory_keyring.secrets[(SERVICE, "pat:password")] == PASSWORD
    assert not _session().exists()


def test_approval_request_expiring_needs_a_person(run_cli, fake: FakeAmazon) -> None:  # type: ignore[no-untyped-def]
    fake.mfa, fake.approve_after_polls, fake.approval_expires_after_polls = "approval", None, 2
    result = login(run_cli, input=f"{PASSWORD}\n\n")
    assert result.exit_code == 11
    assert "the approval request expired: a person is needed; run `amazon-credits login --account pat --headed`" in (
        result.stderr
    )
    assert fake.polls == 2


def test_texted_code_on_the_approval_page_wrong_then_right(run_cli, fake: FakeAmazon) -> None:  # type: ignore[no-untyped-def]
    fake.mfa, fake.approve_after_polls = "approval", None
    result = login(run_cli, input=f"{PASSWORD}\n000000\n424242\n")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("Code Amazon texted you") == 2
    assert "Amazon did not accept that code." in result.stderr
    assert fake.documents.count("POST /ap/cvf/approval/verifyOtp") == 2
    assert fake.polls == 0


def test_approval_in_a_non_interactive_run_needs_a_person(run_cli, fake: FakeAmazon) -> None:  # type: ignore[no-untyped-def]
    fake.mfa = "approval"
    result = login(run_cli, input=f"{PASSWORD}\n", interactive=False)
    assert result.exit_code == 11
    assert "approval of the sign-in" in result.stderr and COMMAND in result.stderr
    assert fake.polls == 0


# ------------------------------------------------------------------ captchas and bots


def test_captcha_interactive_is_answered_on_the_terminal(run_cli, fake: FakeAmazon) -> None:  # type: ignore[no-untyped-def]
    fake.captcha = "widget"
    result = login(run_cli, input=f"{PASSWORD}\n{fake.captcha_answer}\n")
    assert result.exit_code == 0, result.stderr
    pictures = [p for p in _captures() if p.suffix == ".png"]
    assert len(pictures) == 1 and str(pictures[0]) in result.stderr
    assert pictures[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "POST /ap/verify" in fake.documents


def test_password_step_with_a_captcha_sends_both_once(run_cli, fake: FakeAmazon) -> None:  # type: ignore[no-untyped-def]
    fake.captcha = "password"
    result = login(run_cli, input=f"{PASSWORD}\n{fake.captcha_answer}\n")
    assert result.exit_code == 0, result.stderr
    assert fake.submitted_passwords == [PASSWORD]
    assert len([p for p in _captures() if p.suffix == ".png"]) == 1


def test_password_captcha_after_a_wrong_guess_needs_a_person(run_cli, fake: FakeAmazon) -> None:  # type: ignore[no-untyped-def]
    fake.captcha = "password"
    result = login(run_cli, input=f"{PASSWORD}\nWRONG\n")
    assert result.exit_code == 11
    assert "the password again with a captcha" in result.stderr and COMMAND in result.stderr
    assert fake.password_submissions == 1  # never a second time


def test_captcha_non_interactive_needs_a_person(run_cli, fake: FakeAmazon) -> None:  # type: ignore[no-untyped-def]
    fake.captcha = "widget"
    result = login(run_cli, input=f"{PASSWORD}\n", interactive=False)
    assert result.exit_code == 11
    assert "a captcha" in result.stderr and COMMAND in result.stderr
    assert fake.password_submissions == 1


@pytest.mark.parametrize("check", ["bot_challenge", "robot_check"])
def test_bot_challenge_and_robot_check_are_blocked(run_cli, fake: FakeAmazon, check: str) -> None:  # type: ignore[no-untyped-def]
    setattr(fake, check, True)
    result = login(run_cli, input=f"{PASSWORD}\n")
    assert result.exit_code == 12
    assert ("bot check" if check == "bot_challenge" else "robot check") in result.stderr
    assert COMMAND in result.stderr
    assert fake.password_submissions == 0


# ------------------------------------------------------------------ refusals


def test_wrong_password_is_submitted_exactly_once(run_cli, fake: FakeAmazon, memory_keyring: MemoryKeyring) -> None:  # type: ignore[no-untyped-def]
    result = login(run_cli, input="wrong-password\n")
    assert result.exit_code == 10
    assert fake.password_submissions == 1
    assert "password for account 'pat' is wrong" in result.stderr and "not retried" in result.stderr
    assert memory_keyring.secrets == {}  # nothing stored
    assert not resolve_paths().config_file.exists()
    assert not _session().exists()


@pytest.mark.parametrize("flow", ["classic", "claim"])
def test_unknown_account(run_cli, fake: FakeAmazon, flow: str) -> None:  # type: ignore[no-untyped-def]
    fake.flow = flow  # type: ignore[assignment]
    fake.accounts = {"other@example.com": "other-password"}
    result = login(run_cli, input=f"{PASSWORD}\n")
    assert result.exit_code == 10
    assert "Amazon knows no account with the email configured for 'pat'" in result.stderr
    assert fake.password_submissions == 0


def test_unrecognised_page_is_site_changed_with_redacted_capture(run_cli, fake: FakeAmazon) -> None:  # type: ignore[no-untyped-def]
    fake.unknown_page = True
    result = login(run_cli, input=f"{PASSWORD}\n")
    assert result.exit_code == 13
    html, png = [p for p in _captures() if p.suffix == ".html"], [p for p in _captures() if p.suffix == ".png"]
    assert len(html) == 1 and len(png) == 1
    assert str(html[0]) in result.stderr and str(png[0]) in result.stderr
    saved = html[0].read_text()
    assert "Something new" in saved and 'value="tok"' not in saved
    assert EMAIL not in saved and "for [redacted]" in saved


def test_5xx_on_page_load_is_retried_then_works(run_cli, fake: FakeAmazon) -> None:  # type: ignore[no-untyped-def]
    fake.fail_home = 2
    result = login(run_cli, input=f"{PASSWORD}\n")
    assert result.exit_code == 0, result.stderr
    assert fake.documents[:3] == [f"GET {HOME}"] * 3


def test_5xx_that_persists_is_unavailable(run_cli, fake: FakeAmazon) -> None:  # type: ignore[no-untyped-def]
    fake.fail_home = 10
    result = login(run_cli, input=f"{PASSWORD}\n")
    assert result.exit_code == 14
    assert "HTTP 503" in result.stderr and "tried 3 times" in result.stderr
    assert fake.documents == [f"GET {HOME}"] * 3


def test_5xx_on_the_password_is_not_sent_again(run_cli, fake: FakeAmazon) -> None:  # type: ignore[no-untyped-def]
    fake.fail_password_post = True
    result = login(run_cli, input=f"{PASSWORD}\n")
    assert result.exit_code == 14
    assert fake.password_submissions == 1


# ------------------------------------------------------------------ sessions that last


def test_saved_session_is_reused(run_cli, fake: FakeAmazon) -> None:  # type: ignore[no-untyped-def]
    assert login(run_cli, input=f"{PASSWORD}\n").exit_code == 0
    fake.documents.clear()
    again = login(run_cli)  # the password is stored: nothing asked
    assert again.exit_code == 0, again.stderr
    assert "still signed in (saved session)" in again.stderr
    assert fake.documents == [f"GET {HOME}"]  # no sign-in page visited
    assert fake.password_submissions == 1


def test_expired_session_signs_in_again(run_cli, fake: FakeAmazon) -> None:  # type: ignore[no-untyped-def]
    assert login(run_cli, input=f"{PASSWORD}\n").exit_code == 0
    fake.expire_sessions()
    again = login(run_cli)
    assert again.exit_code == 0, again.stderr
    assert "Account 'pat': signed in" in again.stderr
    assert fake.password_submissions == 2  # one per run


def test_corrupt_session_file_is_set_aside(run_cli, fake: FakeAmazon) -> None:  # type: ignore[no-untyped-def]
    assert login(run_cli, input=f"{PASSWORD}\n").exit_code == 0
    _session().write_bytes(b"this is not a session")
    again = login(run_cli)
    assert again.exit_code == 0, again.stderr
    assert "warning: the saved session for 'pat' was set aside because it cannot be decrypted" in again.stderr
    assert len(list(_session().parent.glob("pat.session.unreadable-*"))) == 1
    assert fake.password_submissions == 2
    assert _session().exists()  # a fresh one


# ------------------------------------------------------------------ headed: a person finishes it in the window


class _Person:
    """The terminal of a headed run; when told to finish the captcha, the 'person' does it in the page."""

    def __init__(self, context: BrowserContext, answer: str | None) -> None:
        self.context, self.answer, self.said = context, answer, []  # type: ignore[var-annotated]

    def say(self, text: str) -> None:
        self.said.append(text)
        if self.answer is None or len(self.said) != 2:
            return
        page = self.context.pages[0]
        if text.startswith("Finish the captcha"):
            page.fill("input[name=cvf_captcha_input]", self.answer)
            with page.expect_navigation():
                page.click("input[name=cvf_captcha_captcha_action][value=verifyCaptcha]")
        elif text.startswith("Finish the verification code"):
            page.fill("input#auth-mfa-otpcode", self.answer)
            with page.expect_navigation():
                page.click("input#auth-signin-button")

    def ask(self, prompt: str) -> str:
        raise AssertionError(f"a headed run asked on the terminal: {prompt}")


@pytest.mark.parametrize("solved", [True, False])
def test_headed_sign_in_waits_for_the_person(browser: Browser, fake: FakeAmazon, solved: bool, tmp_path: Path) -> None:
    from scraper.credentials import Secrets
    from scraper.errors import PersonNeeded
    from scraper.signin import Account, SigninOptions, sign_in
    from scraper.sitedata import load_marketplace

    fake.captcha = "widget"
    site = load_marketplace("amazon.com")
    context = browser_module.new_context(browser, site)
    person = _Person(context, fake.captcha_answer if solved else None)
    options = SigninOptions(interactive=True, headed=True, poll_interval=0.05, person_timeout=0.5 if not solved else 30)
    try:
        if solved:
            assert sign_in(context, site, Account("pat", EMAIL, Secrets(PASSWORD)), options, person, tmp_path) is True
            assert "POST /ap/verify" in fake.documents
            assert fake.password_submissions == 1
        else:
            with pytest.raises(PersonNeeded, match="the captcha was not finished within 0.5 s"):
                sign_in(context, site, Account("pat", EMAIL, Secrets(PASSWORD)), options, person, tmp_path)
            assert len(person.said) >= 3  # a countdown while waiting
    finally:
        context.close()
    assert all(line.startswith("Finish the captcha in the browser window:") for line in person.said)


def test_headed_code_is_typed_in_the_window(browser: Browser, fake: FakeAmazon, tmp_path: Path) -> None:
    from scraper.credentials import Secrets
    from scraper.signin import Account, SigninOptions, sign_in
    from scraper.sitedata import load_marketplace

    fake.mfa = "code"
    site = load_marketplace("amazon.com")
    context = browser_module.new_context(browser, site)
    person = _Person(context, "424242")  # ask() fails the test: nothing is asked on the terminal
    options = SigninOptions(interactive=True, headed=True, poll_interval=0.05)
    try:
        assert sign_in(context, site, Account("pat", EMAIL, Secrets(PASSWORD)), options, person, tmp_path) is True
    finally:
        context.close()
    assert person.said[0].startswith("Finish the verification code in the browser window:")
    assert fake.documents.count("POST /ap/signin") == 3  # email, password, the code typed by the person


def test_a_step_that_cannot_be_filled_in_is_site_changed(browser: Browser, fake: FakeAmazon, tmp_path: Path) -> None:
    from scraper.credentials import Secrets
    from scraper.errors import SiteChanged
    from scraper.signin import Account, SigninOptions, sign_in
    from scraper.sitedata import load_marketplace

    fake.disabled_email_field = True
    site = load_marketplace("amazon.com")
    context = browser_module.new_context(browser, site)
    options = SigninOptions(interactive=False, element_timeout=0.5)
    try:
        with pytest.raises(SiteChanged, match="the signin_email step, which could not be filled in") as caught:
            sign_in(context, site, Account("pat", EMAIL, Secrets(PASSWORD)), options, _Person(context, None), tmp_path)
    finally:
        context.close()
    saved = sorted(tmp_path.glob("signin-unrecognised-*"))
    assert [p.suffix for p in saved] == [".html", ".png"] and str(saved[0]) in caught.value.message
    assert fake.password_submissions == 0
