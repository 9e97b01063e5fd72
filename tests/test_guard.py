"""The order guard: a click on "Place your order" cannot reach anything.

The browser test opens the recorded checkout page in a context made by
`scraper.browser.new_context` (as every context of the tool is), clicks the
button, and shows that the request was aborted before any other route saw it:
the replay never served or even looked it up, and the escape guard (the
lowest-priority route, standing in for the network) never received it.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from scraper.browser import new_context
from scraper.guard import forbidden_reason
from scraper.replay import Replay, request_key
from scraper.sitedata import load_marketplace
from tests.conftest import RECORDINGS


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("POST", "https://www.amazon.com/gp/buy/spc/handlers/place-order.html"),
        ("GET", "https://www.amazon.com/gp/buy/spc/handlers/place-order.html"),
        ("GET", "https://www.amazon.com/gp/buy/spc/handlers/static-submit-decoupled.html?ref=x"),
        ("POST", "https://www.amazon.com/checkout/p/p-106-123/spc/place-order?referrer=spc"),
        ("GET", "https://www.amazon.de/checkout/spc/placeYourOrder?x=1"),
        ("POST", "https://www.amazon.co.jp/gp/buy/payselect/handlers/apx-submit.html"),
        ("POST", "https://www.amazon.com/gp/cart/view.html"),  # delete / change quantity
        ("POST", "https://www.amazon.com/gp/add-to-cart/html"),
        ("PUT", "https://www.amazon.com/cart/add-to-cart"),
        ("DELETE", "https://www.amazon.com/api/cart/items/1"),
        ("POST", "https://fls-na.amazon.com/1/batch/1/OE/"),
        ("GET", "https://www.amazon.com/checkout/entry/buynow?asin=B0000001"),
        ("GET", "https://www.amazon.com/gp/buy/thankyou/handlers/display.html"),
        ("GET", "https://www.amazon.com/gp/buy/spc%2Fhandlers%2Fplace-order.html"),
    ],
)
def test_order_changing_requests_are_forbidden(method: str, url: str) -> None:
    assert forbidden_reason(method, url) is not None


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "https://www.amazon.com/gc/balance"),
        ("GET", "https://www.amazon.com/gp/cart/view.html"),
        ("GET", "https://www.amazon.com/gp/buy/payselect/handlers/display.html"),
        ("GET", "https://www.amazon.com/checkout/p/p-106-123/pay?pipelineType=Chewbacca"),
        ("POST", "https://www.amazon.com/ap/signin"),
        ("POST", "https://www.amazon.com/ax/claim/validate"),
        ("POST", "https://www.amazon.com/ap/cvf/approval/poll"),
        ("HEAD", "https://www.amazon.com/norushcredits"),
    ],
)
def test_reads_and_sign_in_pass(method: str, url: str) -> None:
    assert forbidden_reason(method, url) is None


CHECKOUT = "https://www.amazon.com/gp/buy/payselect/handlers/display.html"
PLACE_ORDER = "https://www.amazon.com/gp/buy/spc/handlers/place-order.html"


@pytest.mark.browser
def test_clicking_place_your_order_sends_nothing(browser: Browser, no_network) -> None:  # type: ignore[no-untyped-def]
    replay = Replay(RECORDINGS / "amazon.com")
    looked_up: list[str] = []
    replay.on_request = looked_up.append
    context = new_context(browser, load_marketplace("amazon.com"), replay=replay)
    try:
        failed: list[tuple[str, str, str | None]] = []
        context.on("requestfailed", lambda r: failed.append((r.method, r.url, r.failure)))
        page = context.new_page()
        page.goto(CHECKOUT, wait_until="domcontentloaded")
        assert page.locator("#placeOrder").get_attribute("value") == "Place your order"

        with page.expect_event("requestfailed") as event:
            page.locator("#placeOrder").click()
        assert event.value.url == PLACE_ORDER and event.value.method == "POST"
        assert "ERR_BLOCKED_BY_CLIENT" in (event.value.failure or "")

        # A script posting to the same handler fares no better (in a second tab: the blocked
        # form submission leaves the first one on Chromium's error page).
        page = context.new_page()
        page.goto(CHECKOUT, wait_until="domcontentloaded")
        outcome = page.evaluate(
            """url => fetch(url, {method: 'POST', body: 'placeYourOrder1=1'})
                       .then(() => 'sent', e => 'blocked: ' + e.message)""",
            PLACE_ORDER,
        )
        assert outcome.startswith("blocked")
        # Even a plain GET of the handler is refused.
        get_outcome = page.evaluate("url => fetch(url).then(() => 'sent', () => 'blocked')", PLACE_ORDER)
        assert get_outcome == "blocked"
    finally:
        context.close()

    # No route after the guard saw the request: not the replay, not the stand-in for the network.
    assert request_key(PLACE_ORDER) not in looked_up
    assert PLACE_ORDER not in replay.unrecorded
    assert not no_network.escaped
    assert looked_up == [request_key(CHECKOUT)] * 2
    assert [(m, u) for m, u, _ in failed].count(("POST", PLACE_ORDER)) == 2
