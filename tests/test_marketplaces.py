"""The eleven marketplaces as data: each file validates, names only its own currency, has every
page kind with a recording, and knows its signed-out greeting."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from scraper.models import PageKind
from scraper.replay import load_manifest
from scraper.signin_pages import is_signed_in
from scraper.sitedata import available_marketplaces, load_marketplace
from tests.conftest import RECORDINGS

MARKETPLACES = {
    "amazon.com": ("USD", "en_US"),
    "amazon.ca": ("CAD", "en_CA"),
    "amazon.com.mx": ("MXN", "es_MX"),
    "amazon.co.uk": ("GBP", "en_GB"),
    "amazon.de": ("EUR", "de_DE"),
    "amazon.fr": ("EUR", "fr_FR"),
    "amazon.it": ("EUR", "it_IT"),
    "amazon.es": ("EUR", "es_ES"),
    "amazon.co.jp": ("JPY", "ja_JP"),
    "amazon.in": ("INR", "en_IN"),
    "amazon.com.au": ("AUD", "en_AU"),
}
PAGE_KINDS = {
    PageKind.GIFT_CARD_BALANCE,
    PageKind.PROMOTIONAL_BALANCE,
    PageKind.REWARDS,
    PageKind.CART,
    PageKind.CHECKOUT_PAYMENT,
}


def test_the_eleven_marketplaces_are_bundled() -> None:
    assert available_marketplaces() == sorted(MARKETPLACES)


@pytest.mark.parametrize("marketplace", sorted(MARKETPLACES))
def test_marketplace_file_names_only_its_own_currency(marketplace: str) -> None:
    site = load_marketplace(marketplace)
    info = site.marketplace
    assert (info.currency, info.locale) == MARKETPLACES[marketplace]
    assert info.base_url == f"https://www.{marketplace}"
    assert set(info.currency_symbols.values()) == {info.currency}


@pytest.mark.parametrize("marketplace", sorted(MARKETPLACES))
def test_every_page_kind_has_a_recording(marketplace: str) -> None:
    site = load_marketplace(marketplace)
    assert PAGE_KINDS <= set(site.pages)
    assert (PageKind.KINDLE_REWARDS in site.pages) == (marketplace == "amazon.com")
    recorded = {p.url for p in load_manifest(RECORDINGS / marketplace).page}
    for kind in site.pages:
        assert site.url_for(kind) in recorded, f"{marketplace}: no recording at {site.url_for(kind)}"


@pytest.mark.parametrize(
    ("marketplace", "greeting"),
    [
        ("amazon.de", "Hallo, anmelden"),
        ("amazon.de", "Hello, sign in"),  # amazon.de can be browsed in English
        ("amazon.fr", "Bonjour, identifiez-vous"),
        ("amazon.it", "Ciao, accedi"),
        ("amazon.es", "Hola, identifícate"),
        ("amazon.com.mx", "Hola, Identifícate"),
        ("amazon.co.jp", "こんにちは, ログイン"),
        ("amazon.co.uk", "Hello, sign in"),
    ],
)
def test_signed_out_greeting_in_each_language_is_not_signed_in(marketplace: str, greeting: str) -> None:
    spec = load_marketplace(marketplace).signin
    page = '<span id="nav-link-accountList-nav-line-1">{}</span>'
    assert not is_signed_in(LexborHTMLParser(page.format(greeting)), spec)
    assert is_signed_in(LexborHTMLParser(page.format(greeting.split(",")[0] + ", Zoë")), spec)


def _construct_module():  # type: ignore[no-untyped-def]
    import importlib.util
    import sys

    path = RECORDINGS.parent / "tests" / "construct_recordings.py"
    spec = importlib.util.spec_from_file_location("construct_recordings", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_constructed_recordings_and_selectors_are_what_the_script_writes() -> None:
    # Edit tests/construct_recordings.py and run it; never the generated files by hand.
    construct = _construct_module()
    for market in construct.MARKETS:
        folder = RECORDINGS / market.id
        for stem, _, html, expected in construct.build(market):
            if html is not None:
                assert (folder / f"{stem}.html").read_text(encoding="utf-8") == html, f"{market.id}/{stem}.html"
            on_disk = (folder / f"{stem}.expected.json").read_text(encoding="utf-8")
            assert on_disk == construct.json.dumps(expected, indent=2, ensure_ascii=False) + "\n", stem
        if market.id != "amazon.com":
            selectors = (RECORDINGS.parent / "selectors" / f"{market.id}.toml").read_text(encoding="utf-8")
            assert selectors == construct.selectors_toml(market) + construct.signin_toml(market)
            manifest = (folder / "manifest.toml").read_text(encoding="utf-8")
            assert manifest == construct.manifest_toml(market, construct.build(market))
