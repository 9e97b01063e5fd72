"""Which sign-in step a page is, from the page itself. Pure: no browser.

Amazon's sign-in pages are recognised by element ids, which are the same on
every marketplace (see the captures in recordings/signin/). What a page says
in words (error texts, the signed-out greeting) is marketplace data and comes
from the `[signin]` table of the site data.

The sign-in loop (scraper/signin.py) and `extract()` (hence `inspect`) both
use `classify_signin`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from selectolax.lexbor import LexborHTMLParser

from scraper.dom import any_present, text_of
from scraper.models import PageKind
from scraper.sitedata import SigninSpec

SigninError = Literal["bad_password", "unknown_account", "bad_otp"]

# Recognisers, checked in this order: a page carrying a challenge is that
# challenge even when it also carries a password field (the classic password
# step with an image captcha has both #ap_password and #auth-captcha-guess).
BOT_CHALLENGE = ["#challenge-container"]
BOT_CHALLENGE_SCRIPTS = ["window.gokuProps", "AwsWafIntegration"]
ROBOT_CHECK = ["input#captchacharacters", "form[action*='validateCaptcha']"]
CAPTCHA = ["form.cvf-widget-form-captcha", "input[name=cvf_captcha_input]", "input#auth-captcha-guess"]
DEVICE_CHOICE = ["form#auth-select-device-form", "input[name=otpDeviceContext]"]
OTP = ["form#auth-mfa-form", "input#auth-mfa-otpcode"]
APPROVAL = ["form#pollingForm"]
NEW_CUSTOMER = ["form#intent-confirmation-form"]
PASSWORD = ["input#ap_password"]
# The password step carries the email in a hidden #ap_email, so only a visible one counts.
EMAIL = ["input#ap_email_login", "input#ap_email:not([type=hidden])"]
GREETING = "#nav-link-accountList-nav-line-1"
ERROR_BOX = ["#auth-error-message-box"]
# Where the password step shows which account it is for (remembered account).
CLAIMED_EMAIL = ["input#ap-claim", "input#ap_email[type=hidden]"]

@dataclass(frozen=True)
class SigninPage:
    kind: PageKind
    error: SigninError | None = None
    claimed_email: str | None = None  # the account a password step is for
    robot_check: bool = False  # /errors/validateCaptcha rather than the sign-in captcha


def _is_bot_challenge(doc: LexborHTMLParser) -> bool:
    if any_present(doc, BOT_CHALLENGE):
        return True
    scripts = " ".join(node.text() for node in doc.css("script"))
    return any(marker in scripts for marker in BOT_CHALLENGE_SCRIPTS)


def _error_text(doc: LexborHTMLParser) -> str | None:
    for selector in ERROR_BOX:
        node = doc.css_first(selector)
        if node is not None and text_of(node):
            return text_of(node)
    return None


def _contains(text: str, needles: list[str]) -> bool:
    lowered = text.lower()
    return any(needle.lower() in lowered for needle in needles)


def _error_for(kind: PageKind, text: str | None, spec: SigninSpec) -> SigninError | None:
    """What an error box means. The page it sits on decides; its text only
    overrides when it names another cause (an unknown email can be reported on
    the password step of the claim flow)."""
    if text is None:
        return None
    if _contains(text, spec.unknown_account_texts):
        return "unknown_account"
    if _contains(text, spec.bad_otp_texts) or kind is PageKind.MFA_OTP:
        return "bad_otp"
    if kind is PageKind.SIGNIN_PASSWORD:
        return "bad_password"
    if kind is PageKind.SIGNIN_EMAIL:
        return "unknown_account"
    return None


def _claimed_email(doc: LexborHTMLParser) -> str | None:
    for selector in CLAIMED_EMAIL:
        node = doc.css_first(selector)
        if node is not None and (node.attributes.get("value") or "").strip():
            return (node.attributes.get("value") or "").strip()
    return None


def is_signed_in(doc: LexborHTMLParser, spec: SigninSpec) -> bool:
    node = doc.css_first(GREETING)
    if node is None:
        return False
    greeting = text_of(node)
    return bool(greeting) and not _contains(greeting, spec.signed_out_greetings)


def classify_signin(html: str, spec: SigninSpec) -> SigninPage | None:
    """The sign-in step this page is, or None when it is no sign-in page at all.

    A page with a signed-in header is `signed_in` only when it is no sign-in
    step; callers that know other pages (extract) check those first.
    """
    doc = LexborHTMLParser(html)
    if _is_bot_challenge(doc):
        return SigninPage(PageKind.BOT_CHALLENGE)
    if any_present(doc, ROBOT_CHECK):
        return SigninPage(PageKind.CAPTCHA, robot_check=True)
    if any_present(doc, CAPTCHA):
        return SigninPage(PageKind.CAPTCHA)
    if any_present(doc, DEVICE_CHOICE):
        return SigninPage(PageKind.MFA_DEVICE_CHOICE)
    if any_present(doc, OTP):
        return SigninPage(PageKind.MFA_OTP, _error_for(PageKind.MFA_OTP, _error_text(doc), spec))
    if any_present(doc, APPROVAL):
        return SigninPage(PageKind.APPROVAL)
    if any_present(doc, NEW_CUSTOMER):
        # "Looks like you're new to Amazon": the claim flow's answer to an unknown email.
        return SigninPage(PageKind.NEW_CUSTOMER, "unknown_account")
    if any_present(doc, PASSWORD):
        error = _error_for(PageKind.SIGNIN_PASSWORD, _error_text(doc), spec)
        return SigninPage(PageKind.SIGNIN_PASSWORD, error, claimed_email=_claimed_email(doc))
    if any_present(doc, EMAIL):
        return SigninPage(PageKind.SIGNIN_EMAIL, _error_for(PageKind.SIGNIN_EMAIL, _error_text(doc), spec))
    if is_signed_in(doc, spec):
        return SigninPage(PageKind.SIGNED_IN)
    return None


def approval_status(html: str) -> str | None:
    """The status in an answer of /ap/cvf/approval/poll, as the approval page's
    own script reads it (`input[name=transactionApprovalStatus]`)."""
    node = LexborHTMLParser(html).css_first("input[name=transactionApprovalStatus]")
    return node.attributes.get("value") if node is not None else None

