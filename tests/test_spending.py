"""No spending: every form and place-order URL in the recordings (and the real captures)
is blocked by the order guard, in every spelling, and a page that tries to submit an
order by script (form.submit, requestSubmit, fetch, XHR, sendBeacon, navigation, a
popup, an iframe, on load) gets nothing out of the browser.

The pure part reads every recorded page; the browser part serves the recorded
amazon.com checkout page with an attacker's script added, through a context
made by scraper.browser.new_context like every context of the tool.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import pytest
from playwright.sync_api import Browser, BrowserContext
from playwright.sync_api import Error as PlaywrightError
from selectolax.lexbor import LexborHTMLParser

from scraper import browser as browser_module
from scraper.guard import OrderGuard, forbidden_reason
from scraper.replay import Replay, load_manifest, request_key
from scraper.sitedata import available_marketplaces, load_marketplace
from tests.conftest import CAPTURES, RECORDINGS
from tests.verification_report import count

SIGNIN = ("/ap/", "/ax/")
# A form whose own id, name or target says it buys, pays or submits an order.
ORDER_WORDS = ("order", "buy", "submit", "spc", "purchase")


@dataclass(frozen=True)
class Form:
    page: str
    url: str  # absolute action
    method: str
    says_order: bool


def _pages() -> Iterator[tuple[str, str, str]]:
    """(name, page url, html) of every recording and every real capture."""
    for manifest_path in sorted(RECORDINGS.glob("*/manifest.toml")):
        for page in load_manifest(manifest_path.parent).page:
            path = manifest_path.parent / page.file
            yield f"{manifest_path.parent.name}/{page.file}", page.url, path.read_text(encoding="utf-8")
    for path in sorted(CAPTURES.glob("**/*.html")):
        yield f"captures/{path.relative_to(CAPTURES)}", "https://www.amazon.com/", path.read_text(encoding="utf-8")


def _forms() -> list[Form]:
    forms = []
    for name, url, html in _pages():
        for node in LexborHTMLParser(html).css("form"):
            action = urljoin(url, node.attributes.get("action") or "")
            method = (node.attributes.get("method") or "get").upper()
            # The form's own name and target, not its buttons: the cart's "Proceed to checkout"
            # posts to the cart page, whose GET the walk reads (its POST is blocked, see below).
            own = f"{node.attributes.get('id', '')} {node.attributes.get('name', '')} {urlsplit(action).path}"
            forms.append(Form(name, action, method, any(word in own.lower() for word in ORDER_WORDS)))
    return forms


FORMS = _forms()
ORDER_FORMS = [f for f in FORMS if f.says_order and not urlsplit(f.url).path.startswith(SIGNIN)]


def test_the_recordings_hold_order_forms() -> None:
    """The suite has something to prove: the checkout pages carry the real button's form."""
    paths = {urlsplit(f.url).path for f in ORDER_FORMS}
    assert "/gp/buy/spc/handlers/place-order.html" in paths
    assert len({f.page for f in ORDER_FORMS}) >= len(available_marketplaces())


@pytest.mark.parametrize("form", [f for f in FORMS if f.method == "POST"], ids=lambda f: f"{f.page} {f.url[:60]}")
def test_every_posting_form_outside_sign_in_is_blocked(form: Form) -> None:
    if urlsplit(form.url).path.startswith(SIGNIN):
        assert forbidden_reason("POST", form.url) is None  # sign-in must still work
    else:
        assert forbidden_reason("POST", form.url) is not None


def _variants(url: str) -> Iterator[tuple[str, str]]:
    """The same request, spelled the ways a page or a server could spell it."""
    parts = urlsplit(url)
    path = parts.path
    hosts = {load_marketplace(m).marketplace.base_url.removeprefix("https://") for m in available_marketplaces()}
    yield "as found", url
    for host in sorted(hosts):
        yield f"on {host}", urlunsplit(("https", host, path, parts.query, ""))
    yield "http", urlunsplit(("http", parts.netloc, path, parts.query, ""))
    yield "upper case", urlunsplit((parts.scheme, parts.netloc, path.upper(), parts.query, ""))
    yield "query added", urlunsplit((parts.scheme, parts.netloc, path, "ie=UTF8&ref_=chk_spc_placeOrder", ""))
    yield "fragment", url + "#place"
    yield "trailing slash", urlunsplit((parts.scheme, parts.netloc, path + "/", parts.query, ""))
    yield "path parameter", urlunsplit((parts.scheme, parts.netloc, path + ";jsessionid=1", parts.query, ""))
    yield "doubled slash", urlunsplit((parts.scheme, parts.netloc, path.replace("/", "//", 2), parts.query, ""))
    yield "slashes encoded", urlunsplit((parts.scheme, parts.netloc, path.replace("/", "%2F").replace("%2F", "/", 1), parts.query, ""))
    yield "all encoded", urlunsplit((parts.scheme, parts.netloc, "/" + quote(path[1:], safe="").replace("-", "%2D"), parts.query, ""))
    yield "hyphen encoded twice", urlunsplit((parts.scheme, parts.netloc, path.replace("-", "%252D"), parts.query, ""))


ORDER_URLS = sorted({f.url for f in ORDER_FORMS})


@pytest.mark.parametrize("url", ORDER_URLS)
@pytest.mark.parametrize("method", ["POST", "GET", "PUT"])
def test_every_order_url_variant_is_blocked(url: str, method: str) -> None:
    """An order form's target is refused whatever the method and however it is spelled."""
    passed = [(name, variant) for name, variant in _variants(url) if forbidden_reason(method, variant) is None]
    count("spending: order URL variants", "checked", len(list(_variants(url))))
    count("spending: order URL variants", "passed the guard", len(passed))
    assert not passed, f"{method} got through the guard: {passed}"


# --- a page that tries by script -----------------------------------------------------------

CHECKOUT = "https://www.amazon.com/gp/buy/payselect/handlers/display.html"
ON_LOAD = CHECKOUT + "?attack=onload"
PLACE_ORDER = "https://www.amazon.com/gp/buy/spc/handlers/place-order.html"

ATTACKER = """
<script>
window.attack = {
  submit: () => document.getElementById('placeYourOrder').submit(),
  requestSubmit: () => document.getElementById('placeYourOrder').requestSubmit(),
  click: () => document.getElementById('placeOrder').click(),
  getForm: () => { const f = document.createElement('form'); f.method = 'get';
                   f.action = '/gp/buy/spc/handlers/place-order.html'; document.body.append(f); f.submit(); },
  fetchPost: () => fetch('/gp/buy/spc/handlers/place-order.html', {method: 'POST', body: 'placeYourOrder1=1'}).catch(() => 0),
  fetchGet: () => fetch('/gp/buy/spc/handlers/place-order.html?x=1', {mode: 'no-cors'}).catch(() => 0),
  fetchEncoded: () => fetch('/gp/buy/spc%2Fhandlers%2Fplace-order.html', {method: 'POST'}).catch(() => 0),
  fetchNewCheckout: () => fetch('/checkout/p/p-106-1/spc/place-order?referrer=spc', {method: 'POST', keepalive: true}).catch(() => 0),
  xhr: () => { const x = new XMLHttpRequest(); x.open('POST', '/gp/buy/spc/handlers/place-order.html'); x.send('a=1'); },
  beacon: () => navigator.sendBeacon('/gp/buy/spc/handlers/place-order.html', 'placeYourOrder1=1'),
  location: () => { location.href = '/gp/buy/spc/handlers/place-order.html?via=location'; },
  popup: () => window.open('/gp/buy/spc/handlers/place-order.html?via=popup'),
  iframe: () => { const f = document.createElement('iframe');
                  f.src = '/gp/buy/spc/handlers/place-order.html?via=iframe'; document.body.append(f); },
  changeCart: () => fetch('/gp/cart/view.html', {method: 'POST', body: 'quantity.1=9'}).catch(() => 0),
};
</script>
"""
ON_LOAD_SCRIPT = """
<script>
addEventListener('load', () => { document.getElementById('placeYourOrder').submit(); });
</script>
"""


def _attack_recordings(folder: Path) -> Path:
    """The recorded checkout page plus the attacker's script, served at the checkout URL."""
    folder.mkdir()
    recorded = (RECORDINGS / "amazon.com" / "checkout-payment.html").read_text(encoding="utf-8")
    (folder / "attack.html").write_text(recorded.replace("</body>", ATTACKER + "</body>"), encoding="utf-8")
    (folder / "onload.html").write_text(recorded.replace("</body>", ON_LOAD_SCRIPT + "</body>"), encoding="utf-8")
    source = 'source = "recordings/amazon.com/checkout-payment.html with a test script that tries to place an order"'
    (folder / "manifest.toml").write_text(
        'marketplace = "amazon.com"\n'
        f'[[page]]\nurl = "{CHECKOUT}"\nfile = "attack.html"\norigin = "constructed"\n{source}\n'
        f'[[page]]\nurl = "{ON_LOAD}"\nfile = "onload.html"\norigin = "constructed"\n{source}\n',
        encoding="utf-8",
    )
    return folder


ATTACKS = {  # name: the place-order path the blocked request must go to
    "submit": "place-order.html",
    "requestSubmit": "place-order.html",
    "click": "place-order.html",
    "getForm": "place-order.html",
    "fetchPost": "place-order.html",
    "fetchGet": "place-order.html",
    "fetchEncoded": "place-order.html",
    "fetchNewCheckout": "/spc/place-order",
    "xhr": "place-order.html",
    "beacon": "place-order.html",
    "location": "place-order.html",
    "popup": "place-order.html",
    "iframe": "place-order.html",
    "changeCart": "/gp/cart/view.html",
}


def _wait_for_block(context: BrowserContext, guard: OrderGuard, before: int, timeout_s: float = 5.0) -> list[str]:
    """Routes are answered while Playwright runs, so wait through it, not with time.sleep."""
    deadline = time.monotonic() + timeout_s
    waiter = context.new_page()
    while len(guard.blocked) == before and time.monotonic() < deadline:
        waiter.wait_for_timeout(20)
    waiter.close()
    return guard.blocked[before:]


@pytest.mark.browser
def test_a_page_cannot_place_an_order_by_script(
    browser: Browser, no_network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    guards: list[OrderGuard] = []
    real_install = browser_module.install_guard
    monkeypatch.setattr(browser_module, "install_guard", lambda context: guards.append(real_install(context)) or guards[-1])
    replay = Replay(_attack_recordings(tmp_path / "attack"))
    looked_up: list[str] = []
    replay.on_request = looked_up.append
    context: BrowserContext = new_context_for(browser, replay)
    guard = guards[0]
    try:
        for name, target in ATTACKS.items():
            page = context.new_page()
            page.goto(CHECKOUT, wait_until="domcontentloaded")
            before = len(guard.blocked)
            try:
                page.evaluate(f"() => {{ window.attack.{name}(); }}")
            except PlaywrightError:
                pass  # a navigation may tear down the page's context mid-call
            blocked = _wait_for_block(context, guard, before)
            assert any(target in entry for entry in blocked), f"{name}: nothing blocked ({blocked})"
            for extra in context.pages[1:]:
                extra.close()
        page = context.new_page()
        before = len(guard.blocked)
        page.goto(ON_LOAD, wait_until="domcontentloaded")
        assert any("place-order.html" in entry for entry in _wait_for_block(context, guard, before)), "on load: nothing blocked"
    finally:
        context.close()
    count("spending: scripted attempts", "blocked", len(ATTACKS) + 1)
    # The guard answered first: no other route (the replay, the stand-in for the network) saw any of it.
    assert set(looked_up) <= {request_key(CHECKOUT), request_key(ON_LOAD)}, looked_up
    assert not replay.unrecorded
    assert not no_network.escaped


def new_context_for(browser: Browser, replay: Replay) -> BrowserContext:
    return browser_module.new_context(browser, load_marketplace("amazon.com"), replay=replay)
