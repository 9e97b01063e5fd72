"""A stateful fake of Amazon's sign-in, served through Playwright request routing.

Pages come from recordings/signin/ (the real captures and the constructed
steps); form posts advance the state as Amazon does: email -> password ->
(captcha) -> (device choice) -> code or approval -> signed in, with a session
cookie that later runs can reuse. Nothing reaches the network: requests for
other hosts (the captures' scripts and images) are aborted and remembered.
"""

from __future__ import annotations

import secrets as random_tokens
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, urlsplit

import pyotp
from playwright.sync_api import BrowserContext, Route

from scraper.replay import load_manifest, request_key

RECORDINGS = Path(__file__).resolve().parent.parent / "recordings" / "signin"
SITE_RECORDINGS = RECORDINGS.parent / "amazon.com"
BASE = "https://www.amazon.com"
HOME = "/gp/css/homepage.html"
COOKIE = "session-token"
# The emails the captures carry, replaced by the one being signed in, as Amazon shows it.
CAPTURED_EMAILS = ("some-username@gmail.com", "nobody@gmail.com")

Mfa = Literal["none", "totp", "code", "approval"]


def site_pages(folder: Path = SITE_RECORDINGS) -> dict[str, Path]:
    """The recorded account pages a refresh walks, by request key."""
    return {request_key(page.url): folder / page.file for page in load_manifest(folder).page}


def _page(name: str) -> str:
    return (RECORDINGS / name).read_text(encoding="utf-8")


def poll_answer(status: str) -> str:
    # Constructed: the part of a /ap/cvf/approval/poll answer the approval page's script reads
    # (input[name=transactionApprovalStatus], see approve-or-code.html).
    return (
        '<div id="updatedApprovalPollAlerts"></div>'
        f'<input type="hidden" name="transactionApprovalStatus" value="{status}">'
        '<input type="hidden" name="otpStatus" value="Valid">'
    )


@dataclass
class FakeAmazon:
    accounts: dict[str, str]  # email -> password
    flow: Literal["classic", "claim"] = "classic"
    mfa: Mfa = "none"
    totp_secret: str | None = None
    codes: tuple[str, ...] = ("424242",)  # codes "sent by text" that Amazon accepts
    device_choice: bool = False
    approve_after_polls: int | None = 2  # None: never approved
    approval_expires_after_polls: int | None = None  # the request expires (TransactionExpired)
    approval_script_redirects: bool = False  # the approval page's own script moves on, as in a real browser
    captcha: Literal["none", "widget", "password"] = "none"  # password: the password step carries an image
    captcha_answer: str = "KX4PQ"
    bot_challenge: bool = False
    robot_check: bool = False
    remembered: str | None = None  # the browser remembers this account: password step first
    unknown_page: bool = False  # after the password, a page nothing recognises
    disabled_email_field: bool = False  # an email step whose field cannot be typed in
    fail_home: int = 0  # answer the first N loads of the account page with HTTP 503
    fail_password_post: bool = False  # answer the password submission with HTTP 503
    pages: dict[str, Path] = field(default_factory=site_pages)  # the account's pages, behind sign-in

    # what happened
    password_submissions: int = 0
    submitted_passwords: list[str] = field(default_factory=list)
    polls: int = 0
    documents: list[str] = field(default_factory=list)  # "GET /path" of every page load
    aborted: list[tuple[str, str]] = field(default_factory=list)  # (resource type, url) for other hosts
    unknown: list[str] = field(default_factory=list)  # amazon.com requests the fake has no answer for
    tokens: set[str] = field(default_factory=set)
    _email: str = ""

    def install(self, context: BrowserContext) -> None:
        context.route("**/*", self._handle)

    def expire_sessions(self) -> None:
        self.tokens.clear()

    # ---------------------------------------------------------------- routing

    def _handle(self, route: Route) -> None:
        request = route.request
        parts = urlsplit(request.url)
        if parts.hostname != "www.amazon.com":
            self.aborted.append((request.resource_type, request.url))
            route.abort("blockedbyclient")
            return
        if request.resource_type == "document":
            self.documents.append(f"{request.method} {parts.path}")
        form = {k: v[-1] for k, v in parse_qs(request.post_data or "", keep_blank_values=True).items()}
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        signed_in = self._signed_in(request.headers.get("cookie", ""))
        key = (request.method, parts.path)
        if key == ("GET", HOME) and self.fail_home > 0:
            self.fail_home -= 1
            route.fulfill(status=503, body="Service Unavailable", content_type="text/plain")
        elif key == ("GET", HOME):
            self._home(route, signed_in, query)
        elif key == ("GET", "/ap/signin"):
            if signed_in:
                self._signed_in_page(route)
            elif query.get("approved_elsewhere") == "1":
                self._complete(route)
            else:
                self._signin_start(route, query)
        elif key == ("GET", "/ax/claim"):
            self._serve(route, "email-step-claim.html")
        elif key == ("POST", "/ax/claim"):
            self._claim(route, form)
        elif key == ("POST", "/ap/signin"):
            self._signin_post(route, form)
        elif key == ("POST", "/ap/verify"):
            if form.get("cvf_captcha_input") == self.captcha_answer:
                self._after_captcha(route)
            else:
                self._serve(route, "captcha.html")
        elif key == ("POST", "/ap/cvf/approval/verifyOtp"):
            if self.mfa == "approval" and form.get("otpCode") in self.codes:
                self._complete(route)
            else:
                self._serve(route, "approve-or-code.html")
        elif key == ("GET", "/ap/cvf/approval/poll"):
            self._poll(route)
        elif key == ("GET", "/errors/validateCaptcha"):
            self._serve(route, "validate-captcha.html")
        elif request.method == "GET" and request_key(request.url) in self.pages:
            if signed_in:
                body = self.pages[request_key(request.url)].read_text(encoding="utf-8")
                route.fulfill(status=200, body=body, content_type="text/html; charset=utf-8")
            else:  # Amazon sends whoever is not signed in to the sign-in
                self._signin_start(route, query)
        elif request.resource_type not in ("document", "fetch"):
            # The captures' own scripts report page metrics (/ap/uedata ...): answered, not kept.
            route.fulfill(status=204, body="")
        else:
            self.unknown.append(f"{request.method} {request.url}")
            route.fulfill(status=404, body="not in the fake", content_type="text/plain")

    def _signed_in(self, cookie_header: str) -> bool:
        jar = SimpleCookie()
        jar.load(cookie_header)
        return COOKIE in jar and jar[COOKIE].value in self.tokens

    def _serve(self, route: Route, name: str, email: str | None = None) -> None:
        html = _page(name)
        shown = email or self._email
        if shown:
            for captured in CAPTURED_EMAILS:
                html = html.replace(captured, shown)
        route.fulfill(status=200, body=html, content_type="text/html; charset=utf-8")

    def _signed_in_page(self, route: Route, cookie: str | None = None) -> None:
        # Served in place of Amazon's redirect: Playwright does not route the request a
        # fulfilled 302 leads to, so the fake answers with the page the redirect ends on.
        headers = {}
        if cookie:
            headers["set-cookie"] = f"{COOKIE}={cookie}; Domain=.amazon.com; Path=/; Secure; Max-Age=31536000"
        route.fulfill(status=200, headers=headers, body=_page("signed-in.html"), content_type="text/html; charset=utf-8")

    def _signin_start(self, route: Route, query: dict[str, str]) -> None:
        if self.remembered and query.get("switch_account") != "signin":
            self._serve(route, "remembered-account.html", self.remembered)
            return
        self.remembered = None
        if self.disabled_email_field:
            html = _page("email-step-classic.html").replace('id="ap_email"', 'id="ap_email" disabled', 1)
            route.fulfill(status=200, body=html, content_type="text/html; charset=utf-8")
            return
        self._serve(route, "email-step-claim.html" if self.flow == "claim" else "email-step-classic.html")

    # ---------------------------------------------------------------- states

    def _home(self, route: Route, signed_in: bool, query: dict[str, str]) -> None:
        # Amazon redirects to the sign-in or the robot check; the fake serves where it ends.
        if self.bot_challenge:
            self._serve(route, "bot-challenge.html")
        elif self.robot_check:
            self._serve(route, "validate-captcha.html")
        elif signed_in:
            self._signed_in_page(route)
        else:
            self._signin_start(route, query)

    def _claim(self, route: Route, form: dict[str, str]) -> None:
        email = form.get("email", "")
        if email not in self.accounts:
            self._serve(route, "new-customer.html")
            return
        self._email = email
        self._serve(route, "password-step.html")

    def _signin_post(self, route: Route, form: dict[str, str]) -> None:
        action = form.get("appAction", "")
        if action == "SIGNIN_MFA":
            self._check_code(route, form.get("otpCode", ""))
        elif action == "SIGNIN_MFA_SELECT_DEVICE":
            self._serve(route, "otp-entry.html")
        elif form.get("password"):
            self.password_submissions += 1
            self.submitted_passwords.append(form["password"])
            email = form.get("email", "")
            self._email = email
            if self.fail_password_post:
                route.fulfill(status=503, body="Service Unavailable", content_type="text/plain")
            elif self.captcha == "password" and form.get("guess") != self.captcha_answer:
                self._serve(route, "password-captcha.html")
            elif self.accounts.get(email) != form["password"]:
                self._serve(route, "password-incorrect.html")
            elif self.unknown_page:
                body = f"<html><body><h1>Something new</h1><p>for {email}</p><input id='x' value='tok'></body></html>"
                route.fulfill(status=200, body=body, content_type="text/html")
            elif self.captcha == "widget":
                self._serve(route, "captcha.html")
            else:
                self._after_captcha(route)
        else:
            email = form.get("email", "")
            if email in self.accounts:
                self._email = email
                self._serve(route, "password-captcha.html" if self.captcha == "password" else "password-step.html")
            else:
                self._serve(route, "unknown-account.html")

    def _after_captcha(self, route: Route) -> None:
        if self.mfa == "none":
            self._complete(route)
        elif self.mfa == "approval" and self.approval_script_redirects:
            # The capture's poller needs Amazon's scripts; this stands in for what it does once approved.
            script = ("<script>setTimeout(function () { location.replace("
                      "'https://www.amazon.com/ap/signin?approved_elsewhere=1'); }, 150);</script></body>")
            html = _page("approve-or-code.html").replace("</body>", script, 1)
            route.fulfill(status=200, body=html, content_type="text/html; charset=utf-8")
        elif self.mfa == "approval":
            self._serve(route, "approve-or-code.html")
        elif self.device_choice:
            self._serve(route, "device-choice.html")
        else:
            self._serve(route, "otp-entry.html")

    def _check_code(self, route: Route, code: str) -> None:
        if self.mfa == "totp" and self.totp_secret and pyotp.TOTP(self.totp_secret).verify(code, valid_window=1):
            self._complete(route)
        elif self.mfa == "code" and code in self.codes:
            self._complete(route)
        else:
            self._serve(route, "otp-wrong-code.html")

    def _complete(self, route: Route) -> None:
        token = random_tokens.token_hex(8)
        self.tokens.add(token)
        self._signed_in_page(route, cookie=token)

    def _poll(self, route: Route) -> None:
        self.polls += 1
        if self.approve_after_polls is not None and self.polls >= self.approve_after_polls:
            token = random_tokens.token_hex(8)
            self.tokens.add(token)
            route.fulfill(
                status=200,
                body=poll_answer("TransactionCompleted"),
                content_type="text/html",
                headers={"set-cookie": f"{COOKIE}={token}; Domain=.amazon.com; Path=/; Secure; Max-Age=31536000"},
            )
        elif self.approval_expires_after_polls is not None and self.polls >= self.approval_expires_after_polls:
            route.fulfill(status=200, body=poll_answer("TransactionExpired"), content_type="text/html")
        else:
            route.fulfill(status=200, body=poll_answer("TransactionPending"), content_type="text/html")
