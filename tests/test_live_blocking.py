"""Live walks skip what a balance does not need: images, fonts, media, styles, ads and
telemetry. Pure rules, then one page in Chromium whose requests are counted."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Route

from scraper.browser import block_unneeded, unneeded


@pytest.mark.parametrize(
    "resource_type,url",
    [
        ("image", "https://m.media-amazon.com/images/I/x.jpg"),
        ("font", "https://m.media-amazon.com/images/S/sash/x.woff2"),
        ("stylesheet", "https://m.media-amazon.com/images/I/x.css"),
        ("media", "https://www.amazon.com/clip.mp4"),
        ("script", "https://fls-na.amazon.com/1/batch/1/OE/"),
        ("fetch", "https://fls-eu.amazon.de/1/batch/1/OE/"),
        ("xhr", "https://unagi.amazon.com/1/events/com.amazon.csm.csa.prod"),
        ("xhr", "https://unagi-na.amazon.com/1/events"),
        ("script", "https://aax-us-east.amazon-adsystem.com/e/dtb/bid"),
        ("script", "https://c.amazon-adsystem.com/aax2/apstag.js"),
        ("ping", "https://device-metrics-us.amazon.com/metrics"),
        ("script", "https://www.googletagmanager.com/gtm.js"),
    ],
)
def test_skipped(resource_type: str, url: str) -> None:
    assert unneeded(resource_type, url)


@pytest.mark.parametrize(
    "resource_type,url",
    [
        ("document", "https://www.amazon.com/gc/balance"),
        ("document", "https://www.amazon.co.jp/gp/buy/payselect/handlers/display.html"),
        ("script", "https://m.media-amazon.com/images/I/61xJcNKKLXL.js"),  # pages' own scripts (sign-in needs them)
        ("xhr", "https://www.amazon.com/ap/cvf/approval/poll"),
        ("document", "https://www.amazon.de/ap/signin"),
    ],
)
def test_kept(resource_type: str, url: str) -> None:
    assert not unneeded(resource_type, url)


PAGE = """<html><body><div id="gc-ui-balance-gc-balance-value">$1.00</div>
<img src="https://m.media-amazon.com/images/I/x.jpg">
<link rel="stylesheet" href="https://m.media-amazon.com/images/I/x.css">
<script src="https://c.amazon-adsystem.com/aax2/apstag.js"></script>
<script src="https://m.media-amazon.com/images/I/own.js"></script>
<script>fetch('https://unagi.amazon.com/1/events', {method: 'POST', mode: 'no-cors', body: 'x'}).catch(() => 0);
navigator.sendBeacon('https://fls-na.amazon.com/1/batch/1/OE/', 'x');</script>
</body></html>"""


@pytest.mark.browser
def test_a_live_context_lets_only_the_page_and_its_scripts_through(browser: Browser, no_network) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    reached: list[str] = []

    def serve(route: Route) -> None:  # installed first: consulted after block_unneeded
        reached.append(route.request.url)
        if route.request.url == "https://www.amazon.com/gc/balance":
            route.fulfill(status=200, content_type="text/html", body=PAGE)
        else:
            route.fulfill(status=200, body="")

    context.route("**/*", serve)
    block_unneeded(context)
    failed: list[str] = []
    context.on("requestfailed", lambda r: failed.append(r.url))
    try:
        page = context.new_page()
        page.goto("https://www.amazon.com/gc/balance", wait_until="load")
        page.wait_for_timeout(300)  # the beacon and the fetch leave after load
    finally:
        context.close()
    assert reached == ["https://www.amazon.com/gc/balance", "https://m.media-amazon.com/images/I/own.js"]
    assert {"https://c.amazon-adsystem.com/aax2/apstag.js", "https://unagi.amazon.com/1/events",
            "https://fls-na.amazon.com/1/batch/1/OE/", "https://m.media-amazon.com/images/I/x.jpg"} <= set(failed)
