"""The order guard: nothing that could place, change or pay for an order leaves the browser.

The checkout walk only reads. This guard makes that a property of the network
layer rather than a promise of the walk: it is a route on every browser
context the tool creates (live or replay, see `scraper.browser.new_context`),
installed last so Playwright asks it before any other route, and it aborts

- any request, whatever its method, whose URL looks like placing an order
  ("place-order", "placeYourOrder", the single-page-checkout submit handlers,
  buy-now and turbo checkout), and
- any request that is not a plain read (GET, HEAD, OPTIONS) unless it goes to
  the sign-in paths (`/ap/`, `/ax/`): a cart, checkout or account page is
  never changed by a form post, a fetch or a beacon from this tool.

Aborted requests fail in the page with net::ERR_BLOCKED_BY_CLIENT and are
listed in `OrderGuard.blocked`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import structlog
from playwright.sync_api import BrowserContext, Route

log = structlog.get_logger(__name__)

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Where a browser may post: the sign-in steps (email, password, codes, approval, captcha).
SIGNIN_PATHS = re.compile(r"^/(ap|ax)/")

# URLs that place an order, whatever the method. Checked on the decoded path and query.
PLACE_ORDER = re.compile(
    r"place[-_ ]?(your[-_ ]?)?order"
    r"|/gp/buy/spc/handlers/"
    r"|/checkout/[^?]*/spc(/|$|\?)"
    r"|/checkout/[^?]*(submit|confirm)"
    r"|/gp/buy/[^?]*(submit|confirm)"
    r"|buy-?now|/gp/buy/thankyou|turbo-?checkout|/gp/checkoutportal/enter-checkout",
    re.IGNORECASE,
)


def forbidden_reason(method: str, url: str) -> str | None:
    """Why a request must not be sent, or None when it is a harmless read. Pure."""
    parts = urlsplit(url)
    # "//gp//buy/..." reaches the same handler on most servers: collapse slashes before matching.
    path = re.sub(r"/{2,}", "/", unquote(parts.path))
    target = path + ("?" + unquote(parts.query) if parts.query else "")
    if PLACE_ORDER.search(target):
        return "it would place an order"
    if method.upper() not in READ_METHODS and not SIGNIN_PATHS.match(parts.path):
        return f"a {method.upper()} request could change the cart, the order or the account"
    return None


@dataclass
class OrderGuard:
    blocked: list[str] = field(default_factory=list)

    def install(self, context: BrowserContext) -> None:
        """Install as the last route of the context, so that it is consulted first."""
        context.route("**/*", self._handle)

    def _handle(self, route: Route) -> None:
        request = route.request
        reason = forbidden_reason(request.method, request.url)
        if reason is None:
            route.fallback()
            return
        self.blocked.append(f"{request.method} {request.url}")
        log.warning("request_blocked", method=request.method, url=request.url.split("?")[0], reason=reason)
        route.abort("blockedbyclient")


def install_guard(context: BrowserContext) -> OrderGuard:
    guard = OrderGuard()
    guard.install(context)
    return guard
