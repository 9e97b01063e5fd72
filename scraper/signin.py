"""Sign-in as a loop over page states: look at the page, act for that state, repeat.

Each state is recognised from the page itself (scraper/signin_pages.py), so
the order Amazon shows them in does not matter. What only a person can do
(a code with no stored secret, an approval, a captcha) is asked on the
terminal or left to the person in a visible window; in a run with nobody at
the keyboard it stops with `PersonNeeded` and the command to run. The
password is submitted at most once per run: a wrong one is `BadCredentials`
and never retried, because retries lock accounts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol
from urllib.parse import urlencode, urljoin

import click
import pyotp
import structlog
from playwright.sync_api import BrowserContext, Page, Response
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from selectolax.lexbor import LexborHTMLParser
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

from scraper.credentials import Secrets, load_secrets
from scraper.errors import BadCredentials, Blocked, PersonNeeded, SiteChanged, Unavailable
from scraper.models import PageKind
from scraper.sessions import load_session, save_session
from scraper.redact import redact_html
from scraper.signin_pages import SigninPage, approval_status, classify_signin
from scraper.sitedata import SiteData

log = structlog.get_logger(__name__)

EMAIL_INPUT = "input#ap_email_login, input#ap_email:not([type=hidden])"
PASSWORD_INPUT = "input#ap_password"
REMEMBER_ME = "input[name=rememberMe]"
SWITCH_ACCOUNT = "a#ap_switch_account_link, a#ap_change_login_claim"
OTP_INPUT = "input#auth-mfa-otpcode"
REMEMBER_DEVICE = "input#auth-mfa-remember-device"
DEVICE_RADIO = "input[name=otpDeviceContext]"
SEND_CODE = "#auth-send-code"
CAPTCHA_INPUT = "input[name=cvf_captcha_input]"
CAPTCHA_SUBMIT = "input[name=cvf_captcha_captcha_action][value=verifyCaptcha]"
CAPTCHA_WITH_PASSWORD = "input#auth-captcha-guess"
POLLING_FORM = "form#pollingForm"
TEXTED_CODE_INPUT = "form#verification-code-form input#input-box-otp"
APPROVED = {"TransactionCompleted", "TransactionCompletionTimeout"}
EXPIRED = {"TransactionExpired"}
MAX_PROMPTED_CODES = 3


class Terminal(Protocol):
    def say(self, text: str) -> None: ...
    def ask(self, prompt: str, *, allow_empty: bool = False) -> str: ...


class ClickTerminal:
    """Messages on standard error (standard output carries only results)."""

    def say(self, text: str) -> None:
        click.echo(text, err=True)

    def ask(self, prompt: str, *, allow_empty: bool = False) -> str:
        answer = click.prompt(prompt, err=True, default="" if allow_empty else None, show_default=False)
        return str(answer).strip()


@dataclass(frozen=True)
class SigninOptions:
    interactive: bool
    headed: bool = False
    approval_timeout: float = 180.0  # seconds to wait for "approve the notification"
    person_timeout: float = 300.0  # seconds a person gets to finish a challenge in the window
    poll_interval: float = 5.0
    step_limit: int = 25
    navigation_timeout: float = 45.0
    element_timeout: float = 10.0  # seconds for a field or button of a recognised step to be usable
    load_attempts: int = 3  # opening the first page: timeouts and 5xx are retried this often
    backoff: float = 2.0  # seconds, doubled after each failed attempt


@dataclass
class Account:
    """Who signs in: the config's name and email, the keyring's secrets."""

    name: str
    email: str
    secrets: Secrets = field(repr=False)


def is_other_account(claimed: str | None, configured: str) -> bool:
    """Is a remembered account on the password step not ours? Only emails are
    compared: a mobile number may be shown formatted otherwise than configured."""
    if not claimed or "@" not in claimed or "@" not in configured:
        return False
    return claimed.strip().casefold() != configured.strip().casefold()


def login_command(account: str) -> str:
    return f"amazon-credits login --account {account} --headed"


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def _check(response: Response | None, what: str) -> None:
    if response is not None and response.status >= 500:
        raise Unavailable(f"Amazon answered {what} with HTTP {response.status}.", "Try again later.")


def open_page(page: Page, url: str, options: SigninOptions) -> None:
    """Load a page; timeouts, connection errors and 5xx answers are retried with backoff.

    Never used for a form submission: a password is not sent twice.
    """

    @retry(
        retry=retry_if_exception_type(Unavailable),
        stop=stop_after_attempt(max(1, options.load_attempts)),
        wait=wait_exponential(multiplier=options.backoff, max=60),
        reraise=True,
    )
    def attempt() -> None:
        try:
            response = page.goto(url, wait_until="domcontentloaded", timeout=options.navigation_timeout * 1000)
        except PlaywrightTimeout:
            raise Unavailable(f"Amazon did not answer {url} within {options.navigation_timeout:g} s.") from None
        except PlaywrightError as exc:
            raise Unavailable(f"{url} could not be loaded: {exc.message.splitlines()[0]}") from None
        _check(response, url)

    try:
        attempt()
    except Unavailable as exc:
        raise Unavailable(
            f"{exc.message} (tried {options.load_attempts} times)", "Amazon or the connection is down; try again later."
        ) from None


class SigninLoop:
    def __init__(
        self,
        page: Page,
        site: SiteData,
        account: Account,
        options: SigninOptions,
        terminal: Terminal,
        captures_dir: Path,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.page = page
        self.site = site
        self.account = account
        self.options = options
        self.terminal = terminal
        self.captures_dir = captures_dir
        self.clock = clock
        self.password_submitted = False
        self.email_submitted = False
        self.switched_account = False
        self.codes_submitted = 0
        self.code_source: str | None = None
        self.captchas_submitted = 0

    # -------------------------------------------------------------- the loop

    def run(self) -> None:
        for _ in range(self.options.step_limit):
            html = self._content()
            found = classify_signin(html, self.site.signin)
            if found is None:
                self._site_changed(html, "a page that is no sign-in step Amazon is known to show")
            assert found is not None
            log.info("signin_step", kind=found.kind.value, error=found.error)
            if found.kind is PageKind.SIGNED_IN:
                return
            try:
                self._act(found)
            except PlaywrightError as exc:  # a recognised step whose field or button is not usable
                reason = exc.message.splitlines()[0]
                self._site_changed(self._content(), f"the {found.kind.value} step, which could not be filled in ({reason})")
        self._site_changed(self._content(), f"sign-in did not finish within {self.options.step_limit} steps")

    def _act(self, found: SigninPage) -> None:
        handlers: dict[PageKind, Callable[[SigninPage], None]] = {
            PageKind.SIGNIN_EMAIL: self._email,
            PageKind.SIGNIN_PASSWORD: self._password,
            PageKind.NEW_CUSTOMER: lambda _: self._unknown_account(),
            PageKind.MFA_DEVICE_CHOICE: self._device_choice,
            PageKind.MFA_OTP: self._otp,
            PageKind.APPROVAL: self._approval,
            PageKind.CAPTCHA: self._captcha,
            PageKind.BOT_CHALLENGE: self._bot_challenge,
        }
        handlers[found.kind](found)

    # -------------------------------------------------------------- states

    def _email(self, found: SigninPage) -> None:
        if found.error is not None and self.email_submitted:
            self._unknown_account()
        self.email_submitted = True
        field_ = self.page.locator(EMAIL_INPUT).first
        field_.fill(self.account.email)
        self._submit(lambda: field_.press("Enter"), "the email")

    def _password(self, found: SigninPage) -> None:
        if self.password_submitted:
            if found.error == "unknown_account":
                self._unknown_account()
            if found.error is not None:
                raise BadCredentials(
                    f"Amazon says the password for account {self.account.name!r} is wrong. It was submitted "
                    "once and is not retried: retries lock accounts.",
                    f"Check it on the Amazon site, then store it again with "
                    f"`amazon-credits login --account {self.account.name} --new-password`.",
                )
            # Asked again with no error (e.g. with a captcha): never a second submission.
            self._needs_person("the password a second time", PageKind.SIGNIN_PASSWORD)
            return
        if is_other_account(found.claimed_email, self.account.email):
            # A remembered account that is not ours: switch, once.
            if self.switched_account:
                self._site_changed(self._content(), "the password step is for another account even after switching")
            self.switched_account = True
            log.info("signin_switch_account")
            link = self.page.locator(SWITCH_ACCOUNT).first
            self._submit(lambda: link.click(), "the switch to another account")
            return
        self._send_password()

    def _send_password(self) -> None:
        """Fill and send the password: the one submission this run makes."""
        if self.password_submitted:  # callers check; this makes "once per run" hold regardless
            raise self._nobody_for("the password a second time")
        field_ = self.page.locator(PASSWORD_INPUT).first
        field_.fill(self.account.secrets.password)
        remember = self.page.locator(REMEMBER_ME)
        if remember.count() and remember.first.is_visible():
            remember.first.check()  # "Keep me signed in": sessions that last
        self.password_submitted = True  # before sending: even a failed send counts as the one try
        self._submit(lambda: field_.press("Enter"), "the password")

    def _unknown_account(self) -> None:
        raise BadCredentials(
            f"Amazon knows no account with the email configured for {self.account.name!r}.",
            f"Fix it with `amazon-credits login --account {self.account.name} --email EMAIL`.",
        )

    def _device_choice(self, found: SigninPage) -> None:
        radios = self.page.locator(DEVICE_RADIO)
        if self.account.secrets.totp_secret:
            for i in range(radios.count()):
                if "TOTP" in (radios.nth(i).get_attribute("value") or ""):
                    radios.nth(i).check()
                    break
        button = self.page.locator(SEND_CODE).first
        self._submit(lambda: button.click(), "the choice of where to send the code")

    def _otp(self, found: SigninPage) -> None:
        if found.error == "bad_otp" and self.codes_submitted:
            if self.code_source == "totp":
                raise BadCredentials(
                    f"Amazon did not accept the code made from the authenticator secret of {self.account.name!r}.",
                    "Check this computer's clock, or store the secret again with "
                    f"`amazon-credits login --account {self.account.name} --new-password --totp-secret`.",
                )
            self.terminal.say("Amazon did not accept that code.")
            if self.codes_submitted >= MAX_PROMPTED_CODES:
                raise BadCredentials(f"Amazon did not accept {self.codes_submitted} codes in a row.", "Sign in again later.")
        if not self.account.secrets.totp_secret and self.options.interactive and self.options.headed:
            self._wait_for_person("the verification code", PageKind.MFA_OTP)  # typed in the window
            return
        code = self._code()
        field_ = self.page.locator(OTP_INPUT).first
        field_.fill(code)
        remember = self.page.locator(REMEMBER_DEVICE)
        if remember.count():
            remember.first.check()  # "Don't require a code on this browser": fewer codes at night
        self.codes_submitted += 1
        self._submit(lambda: field_.press("Enter"), "the verification code")

    def _code(self) -> str:
        secret = self.account.secrets.totp_secret
        if secret:
            self.code_source = "totp"
            return pyotp.TOTP(secret).now()
        self.code_source = "prompt"
        if not self.options.interactive:
            raise self._nobody_for("a verification code")
        return self.terminal.ask("Verification code Amazon sent you")

    def _approval(self, found: SigninPage) -> None:
        if not self.options.interactive:
            raise self._nobody_for("approval of the sign-in in the Amazon app")
        texted = self.page.locator(TEXTED_CODE_INPUT).count() > 0
        # Headed: a texted code is typed in the window; polling notices the page moving on.
        if texted and not self.options.headed and self.codes_submitted < MAX_PROMPTED_CODES:
            if self.codes_submitted:
                self.terminal.say("Amazon did not accept that code.")
            code = self.terminal.ask(
                "Code Amazon texted you (or press Enter to approve the notification in the Amazon app)",
                allow_empty=True,
            )
            if code:
                self._texted_code(code)
                return
        form = LexborHTMLParser(self._content()).css_first(POLLING_FORM)
        if form is None:
            self._site_changed(self._content(), "the approval page has no polling form")
        assert form is not None
        fields = [(n.attributes.get("name") or "", n.attributes.get("value") or "") for n in form.css("input[name]")]
        poll_url = urljoin(self.page.url, form.attributes.get("action") or "") + "?" + urlencode(fields)
        return_to = dict(fields).get("openid.return_to") or self.site.marketplace.base_url + self.site.signin.check_url
        approval_url = self.page.url
        deadline = self.clock() + self.options.approval_timeout
        while True:
            remaining = deadline - self.clock()
            if remaining <= 0:
                raise self._person_needed(
                    f"the sign-in of {self.account.name!r} was not approved within {self.options.approval_timeout:g} s"
                )
            self.terminal.say(
                f"Approve the sign-in in the Amazon app or the notification Amazon sent: {int(remaining + 0.999)} s left"
            )
            self.page.wait_for_timeout(min(self.options.poll_interval, max(remaining, 0)) * 1000)
            if self.page.url != approval_url:
                return  # the page's own script (or the person, in a window) moved on: look again
            try:
                answer = self._fetch(poll_url)
            except Unavailable:
                if self.page.url != approval_url:
                    return  # navigated while polling
                raise
            status = approval_status(answer)
            log.info("signin_approval_poll", status=status)
            if status in APPROVED:
                self.terminal.say("Approved.")
                open_page(self.page, return_to, self.options)
                return
            if status in EXPIRED:
                raise self._person_needed("the approval request expired")

    def _texted_code(self, code: str) -> None:
        # The page's script copies the visible box into the hidden otpCode; without it, we do.
        self.page.locator(TEXTED_CODE_INPUT).first.fill(code)
        self.page.locator("form#verification-code-form input[name=otpCode]").evaluate(
            "(input, code) => { input.value = code; }", code
        )
        self.codes_submitted += 1
        button = self.page.locator("form#verification-code-form input[type=submit]").first
        self._submit(lambda: button.click(), "the texted code")

    def _captcha(self, found: SigninPage) -> None:
        if found.robot_check:
            if self.options.headed:
                self._wait_for_person("Amazon's robot check", PageKind.CAPTCHA)
                return
            raise Blocked(
                "Amazon showed its robot check (\"enter the characters you see\") instead of signing in.",
                f"Wait a few hours, then sign in once in a visible window: `{login_command(self.account.name)}`.",
            )
        with_password = self.page.locator(CAPTCHA_WITH_PASSWORD).count() > 0
        if with_password and self.password_submitted:
            # The password again with a captcha: never a second password submission from here.
            self._needs_person("the password again with a captcha", PageKind.CAPTCHA)
            return
        if not self.options.interactive:
            raise self._nobody_for("a captcha")
        if self.options.headed:
            self._wait_for_person("the captcha", PageKind.CAPTCHA)
            return
        if self.captchas_submitted >= MAX_PROMPTED_CODES:
            raise self._person_needed("Amazon keeps asking for captchas")
        picture = self._screenshot("captcha")
        self.terminal.say(f"Amazon asks for the characters in a picture, saved as {picture}")
        answer = self.terminal.ask("Characters in the picture")
        self.captchas_submitted += 1
        if with_password:  # the classic password step with an image: both in one form
            self.page.locator(CAPTCHA_WITH_PASSWORD).first.fill(answer)
            self._send_password()
            return
        self.page.locator(CAPTCHA_INPUT).first.fill(answer)
        button = self.page.locator(CAPTCHA_SUBMIT).first
        self._submit(lambda: button.click(), "the captcha")

    def _bot_challenge(self, found: SigninPage) -> None:
        if self.options.headed:
            self._wait_for_person("Amazon's bot check", PageKind.BOT_CHALLENGE)
            return
        raise Blocked(
            "Amazon's bot check (a JavaScript challenge page) stopped the sign-in.",
            f"Wait a few hours, then sign in once in a visible window: `{login_command(self.account.name)}`.",
        )

    # -------------------------------------------------------------- helpers

    def _needs_person(self, what: str, kind: PageKind) -> None:
        if self.options.interactive and self.options.headed:
            self._wait_for_person(what, kind)
            return
        raise self._nobody_for(what)

    def _person_needed(self, what_happened: str) -> PersonNeeded:
        # The command is in the message itself: a nightly summary may show only the message.
        return PersonNeeded(
            f"{what_happened}: a person is needed; run `{login_command(self.account.name)}`.",
            "Later runs reuse the session it saves.",
        )

    def _nobody_for(self, what: str) -> PersonNeeded:
        return self._person_needed(
            f"Amazon asks for {what} to sign in account {self.account.name!r}, and this run has nobody to give it"
        )

    def _wait_for_person(self, what: str, kind: PageKind) -> None:
        """Headed: the person finishes it in the window; we notice when the page moves on."""
        start_url = self.page.url
        deadline = self.clock() + self.options.person_timeout
        while (remaining := deadline - self.clock()) > 0:
            self.terminal.say(f"Finish {what} in the browser window: {int(remaining + 0.999)} s left")
            self.page.wait_for_timeout(min(self.options.poll_interval, remaining) * 1000)
            try:
                found = classify_signin(self.page.content(), self.site.signin)
            except PlaywrightError:
                continue  # navigating right now
            if found is None or found.kind is not kind or self.page.url != start_url:
                return
        raise self._person_needed(f"{what} was not finished within {self.options.person_timeout:g} s")

    def _content(self) -> str:
        for _ in range(3):
            try:
                return self.page.content()
            except PlaywrightError:  # "page is navigating": let it settle
                self.page.wait_for_load_state("domcontentloaded")
        return self.page.content()

    def _submit(self, action: Callable[[], None], what: str) -> None:
        """Do one form action and wait for the page it leads to. Never retried."""
        try:
            with self.page.expect_navigation(
                wait_until="domcontentloaded", timeout=self.options.navigation_timeout * 1000
            ) as navigation:
                action()
        except PlaywrightTimeout:
            raise Unavailable(
                f"Amazon did not answer {what} within {self.options.navigation_timeout:g} s.",
                "It was not sent again. Try again later.",
            ) from None
        _check(navigation.value, what)

    def _fetch(self, url: str) -> str:
        """A GET from inside the page, as the page's own script polls (cookies included)."""
        try:
            return str(
                self.page.evaluate(
                    "async (url) => { const r = await fetch(url, {credentials: 'include'});"
                    " if (r.status >= 500) throw new Error('HTTP ' + r.status); return await r.text(); }",
                    url,
                )
            )
        except PlaywrightError as exc:
            raise Unavailable(f"polling for the approval failed: {exc.message.splitlines()[0]}") from None

    def _secrets(self) -> list[str]:
        return [s for s in (self.account.email, self.account.secrets.password, self.account.secrets.totp_secret) if s]

    def _screenshot(self, name: str) -> Path:
        self.captures_dir.mkdir(parents=True, exist_ok=True)
        path = self.captures_dir / f"{name}-{_stamp()}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def _site_changed(self, html: str, reason: str) -> None:
        self.captures_dir.mkdir(parents=True, exist_ok=True)
        stem = f"signin-unrecognised-{_stamp()}"
        html_path = self.captures_dir / f"{stem}.html"
        html_path.write_text(redact_html(html, known=self._secrets()), encoding="utf-8")
        picture = self.captures_dir / f"{stem}.png"
        try:
            self.page.screenshot(path=str(picture), full_page=True)
            saved = f"{html_path} and {picture}"
        except PlaywrightError:
            saved = str(html_path)
        raise SiteChanged(
            f"sign-in stopped at {reason} ({self.page.url.split('?')[0]}). Saved (redacted): {saved}",
            "Amazon's sign-in may have changed: please report it with the saved page.",
        )


def sign_in(
    context: BrowserContext,
    site: SiteData,
    account: Account,
    options: SigninOptions,
    terminal: Terminal,
    captures_dir: Path,
) -> bool:
    """Make `context` signed in. True when a sign-in happened, False when it already was."""
    page = context.new_page()
    page.set_default_timeout(options.element_timeout * 1000)
    try:
        open_page(page, site.marketplace.base_url + site.signin.check_url, options)
        found = classify_signin(page.content(), site.signin)
        if found is not None and found.kind is PageKind.SIGNED_IN:
            log.info("signin_session_valid", account=account.name)
            return False
        SigninLoop(page, site, account, options, terminal, captures_dir).run()
        log.info("signin_done", account=account.name)
        return True
    finally:
        page.close()


def ensure_signed_in(
    context: BrowserContext,
    name: str,
    email: str,
    site: SiteData,
    *,
    sessions_dir: Path,
    captures_dir: Path,
    options: SigninOptions,
    terminal: Terminal,
    secrets: Secrets | None = None,
) -> bool:
    """Reuse the saved session when Amazon still accepts it, else sign in; save the session after.

    True when a sign-in happened. The hook `refresh` calls with its fresh context.
    `secrets` default to the keyring's; `login` passes the ones just typed.
    """
    state = load_session(sessions_dir, name, warn=lambda text: terminal.say(f"warning: {text}"))
    if state is not None:
        context.add_cookies(state["cookies"])
    secrets = secrets or load_secrets(name)
    if secrets is None:
        raise PersonNeeded(
            f"no password is stored for account {name!r}.",
            f"Store it with `amazon-credits login --account {name}`.",
        )
    signed_in = sign_in(context, site, Account(name, email, secrets), options, terminal, captures_dir)
    save_session(sessions_dir, name, context.storage_state())  # type: ignore[arg-type]
    return signed_in
