"""Redaction: pages full of sentinel personal data come out without any of it,
and every recording extracts exactly the same after redaction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scraper.extract import extract
from scraper.redact import MASK, redact_html, redact_text, redact_url
from scraper.replay import load_manifest
from scraper.sitedata import available_marketplaces, load_marketplace
from tests.conftest import RECORDINGS

NAME = "Zebediah Quuxworth"
EMAIL = "zeb.sentinel+amz@example.org"
SENTINELS = {
    "name": NAME,
    "first name": "Zebediah",
    "email": EMAIL,
    "email in attribute": "attr.sentinel@example.net",
    "street": "742 Sentinel Terrace",
    "city line": "Springfield, OR 97477",
    "phone us": "(541) 555-0199",
    "phone intl": "+44 20 7946 0958",
    "phone plain": "541-555-0123",
    "phone de": "030 1234 5678",
    "order id": "112-4455667-8899001",
    "digital order id": "D01-7654321-1234567",
    "claim code": "AQ5Z-SENTNL-GHIJ7",
    "card number": "4111 1111 1111 1111",
    "card number plain": "5500000000000004",
    "card last digits": "ending in 4242",
    "session token": "SENTINELSESSIONTOKEN",
    "hidden input": "SENTINELHIDDENVALUE",
    "script": "SENTINELSCRIPTSECRET",
    "inline handler": "SENTINELONCLICK",
    "customer id": "SENTINELCUSTOMERID",
    "csrf": "SENTINELCSRFTOKEN",
    "comment": "SENTINELCOMMENT",
    "noscript": "SENTINELNOSCRIPT",
    "text input": "SENTINELTYPEDTEXT",
    "textarea": "SENTINELTEXTAREA",
    "greeting": "Hello, Zebediah",
}

SENTINEL_PAGE = f"""<!-- origin: SENTINELCOMMENT -->
<!doctype html>
<html lang="en-us"><head>
<meta charset="utf-8"><meta name="csrf-token" content="SENTINELCSRFTOKEN">
<script>var customer = "SENTINELSCRIPTSECRET";</script>
<title>Checkout</title></head>
<body data-customer-id="SENTINELCUSTOMERID">
<noscript>SENTINELNOSCRIPT</noscript>
<header id="navbar">
  <a id="nav-link-accountList" href="/gp/css/homepage.html?session-id=SENTINELSESSIONTOKEN&amp;ref_=nav_ya">
    <span id="nav-link-accountList-nav-line-1">Hello, Zebediah</span></a>
  <span id="glow-ingress-line1">Deliver to {NAME}</span>
  <span id="glow-ingress-line2">Springfield 97477</span>
</header>
<div id="a-page" onclick="track('SENTINELONCLICK')">
<form id="pp-payment-form" method="post" action="/gp/buy/payselect/handlers/apx-submit.html?token=SENTINELSESSIONTOKEN">
  <input type="hidden" name="csrf" value="SENTINELHIDDENVALUE">
  <input type="text" name="note" value="SENTINELTYPEDTEXT">
  <input type="email" name="email" value="{EMAIL}" title="attr.sentinel@example.net">
  <textarea name="gift">SENTINELTEXTAREA</textarea>
  <div class="displayAddressDiv"><ul class="displayAddressUL">
    <li class="displayAddressFullName">{NAME}</li>
    <li class="displayAddressAddressLine1">742 Sentinel Terrace</li>
    <li class="displayAddressCityStateOrRegionPostalCode">Springfield, OR 97477</li>
  </ul></div>
  <p>Questions? Call (541) 555-0199 or +44 20 7946 0958, or 541-555-0123, or 030 1234 5678. Mail {EMAIL}.</p>
  <p>Order 112-4455667-8899001 and D01-7654321-1234567 (<a href="/gp/your-account/order-details?orderID=112-4455667-8899001">details</a>).</p>
  <p>Claim code AQ5Z-SENTNL-GHIJ7 redeemed. Card 4111 1111 1111 1111, also 5500000000000004.</p>
  <p>Visa ending in 4242 &middot; {NAME} &middot; Zebediah</p>
  <div id="pmts-gc-balance-line" class="a-row">
    <label>Use your <span class="a-color-price pmts-gc-balance-amount">$1,234.56</span> gift card balance</label>
  </div>
  <div id="pmts-rewards-points-line" class="a-row">
    <span class="pmts-rewards-program">Amazon Visa Rewards</span>:
    <span class="a-color-price pmts-rewards-points-value">2,418</span> points available
  </div>
  <p>Delivery date: December 31, 2026. Total: $54.98.</p>
  <input type="submit" name="placeYourOrder1" value="Place your order">
</form>
</div>
</body></html>
"""


def test_sentinel_page_loses_every_piece_of_personal_data() -> None:
    redacted = redact_html(SENTINEL_PAGE, known=[NAME, "Zebediah", EMAIL])
    left = {what: value for what, value in SENTINELS.items() if value in redacted}
    assert left == {}, f"personal data survived redaction: {left}"
    # ... and the money, the dates and the structure survive it.
    result = extract(redacted, load_marketplace("amazon.com"))
    assert [(b.kind, str(b.amount), b.points) for b in result.balances] == [
        ("gift_card", "1234.56", None),
        ("reward_points", "None", 2418),
    ]
    for kept in ("December 31, 2026", "$54.98", 'value="Place your order"', 'id="pmts-gc-balance-line"', "Hello, " + MASK):
        assert kept in redacted


def test_structural_rules_alone_leave_no_name_in_the_greeting_and_address_blocks() -> None:
    redacted = redact_html(SENTINEL_PAGE)
    assert "Hello, Zebediah" not in redacted
    assert "742 Sentinel Terrace" not in redacted and "Springfield" not in redacted
    assert f"Deliver to {NAME}" not in redacted


def test_signed_out_greeting_is_kept() -> None:
    page = '<span id="nav-link-accountList-nav-line-1">Hello, sign in</span>'
    assert "Hello, sign in" in redact_html(page)


def test_pagination_link_and_its_page_url_redact_alike() -> None:
    link = "/gc/balance?ref_=gcf_b_bp_b_c_d_b_w&next=eyJjIjoiQVhYWFgifQ%3D%3D"
    page = f'<ul class="a-pagination"><li class="a-last"><a href="{link}">Next</a></li></ul>'
    redacted = redact_html(page)
    url = redact_url("https://www.amazon.com" + link)
    assert url.startswith("https://www.amazon.com/gc/balance?ref_=gcf_b_bp_b_c_d_b_w&next=r")
    assert "eyJjIjoiQVhYWFgifQ" not in url
    assert url.removeprefix("https://www.amazon.com") in redacted.replace("&amp;", "&")


def test_redact_text_keeps_amounts_and_dates_of_every_marketplace() -> None:
    for text in ("1.234,56 €", "1\u202f234,56\u00a0€", "₹1,23,456.78", "￥12,345", "2026/12/24", "31. Dez. 2026",
                 "-$19.48", "CDN$ 1,000.00", "2026年12月31日"):
        assert redact_text(text) == text


def _recordings() -> list[tuple[Path, str, str]]:
    cases = []
    for marketplace in available_marketplaces():
        folder = RECORDINGS / marketplace
        if (folder / "manifest.toml").is_file():
            cases += [(folder, page.file, page.url) for page in load_manifest(folder).page]
    return cases


@pytest.mark.parametrize(("folder", "file", "url"), _recordings(), ids=lambda v: v if isinstance(v, str) else v.name)
def test_every_recording_extracts_the_same_after_redaction(folder: Path, file: str, url: str) -> None:
    html = (folder / file).read_text(encoding="utf-8")
    expected = json.loads((folder / file.replace(".html", ".expected.json")).read_text(encoding="utf-8"))
    site = load_marketplace(load_manifest(folder).marketplace)
    assert extract(redact_html(html), site, url).public() == expected
