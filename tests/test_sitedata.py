import tomllib
from pathlib import Path

import pytest

from scraper.errors import ConfigInvalid
from scraper.models import PageKind
from scraper.sitedata import available_marketplaces, bundled_dir, load_marketplace, load_site_file, parse_site_data

AMAZON_COM = bundled_dir() / "amazon.com.toml"


def raw() -> dict:
    return tomllib.loads(AMAZON_COM.read_text())


def test_every_bundled_marketplace_loads() -> None:
    assert "amazon.com" in available_marketplaces()
    for marketplace in available_marketplaces():
        site = load_marketplace(marketplace)
        assert site.marketplace.id == marketplace


def test_amazon_com_pages_and_urls() -> None:
    site = load_marketplace("amazon.com")
    assert site.marketplace.currency == "USD"
    assert site.url_for(PageKind.GIFT_CARD_BALANCE) == "https://www.amazon.com/gc/balance"
    assert PageKind.PROMOTIONAL_BALANCE in site.walk_pages
    # The cart and the payment step are visited by the checkout walk, in that order, not on their own.
    assert PageKind.CART not in site.walk_pages and PageKind.CHECKOUT_PAYMENT not in site.walk_pages


def test_selectors_folder_is_data_only() -> None:
    # `selectors` is also a standard-library module that asyncio imports.
    assert not (bundled_dir() / "__init__.py").exists()
    assert not list(bundled_dir().glob("*.py"))


def _fails(data: dict, *needles: str) -> None:
    with pytest.raises(ConfigInvalid) as caught:
        parse_site_data(data, "test.toml")
    for needle in needles:
        assert needle in caught.value.message


def test_invalid_selector_names_file_key_and_problem() -> None:
    data = raw()
    data["pages"]["gift_card_balance"]["fields"][0]["amount"] = ["#ok", "div[[broken"]
    _fails(data, "test.toml", "pages.gift_card_balance.fields.0.amount", "invalid CSS selector 'div[[broken'")


def test_missing_key() -> None:
    data = raw()
    del data["marketplace"]["currency"]
    _fails(data, "marketplace.currency", "Field required")


def test_misspelt_key_is_not_ignored() -> None:
    data = raw()
    data["pages"]["gift_card_balance"]["markerz"] = ["#x"]
    _fails(data, "pages.gift_card_balance.markerz", "Extra inputs are not permitted")


def test_unknown_currency_and_locale() -> None:
    data = raw()
    data["marketplace"]["currency"] = "USX"
    data["marketplace"]["locale"] = "xx_QQ"
    _fails(data, "marketplace.currency", "not an ISO 4217", "marketplace.locale", "unknown locale 'xx_QQ'")


def test_unknown_page_kind() -> None:
    data = raw()
    data["pages"]["gift_card_balanse"] = data["pages"]["gift_card_balance"]
    _fails(data, "pages.gift_card_balanse")


def test_field_needs_exactly_one_value_kind() -> None:
    data = raw()
    data["pages"]["gift_card_balance"]["fields"][0]["points"] = ["#p"]
    _fails(data, "exactly one of 'amount' or 'points'")


def test_bad_toml_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "amazon.zz.toml"
    bad.write_text("[marketplace\nid = 1\n")
    with pytest.raises(ConfigInvalid, match=r"amazon\.zz\.toml is not valid TOML"):
        load_site_file(bad)


def test_unknown_marketplace_lists_the_known_ones() -> None:
    with pytest.raises(ConfigInvalid) as caught:
        load_marketplace("amazon.nowhere")
    assert "amazon.com" in str(caught.value.hint)


def test_an_error_with_no_key_says_top_level() -> None:
    _fails([], "test.toml", "(top level): Input should be a valid dictionary")  # type: ignore[arg-type]
