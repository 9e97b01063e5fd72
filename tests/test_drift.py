"""Drift that cannot lie: broken selectors, label text as the last resort, inconsistent activity,
and a user's selectors file over the bundled one."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from scraper.errors import ConfigInvalid
from scraper.extract import extract
from scraper.models import ProblemCode
from scraper.sitedata import load_marketplace, merge_site_data
from tests.conftest import RECORDINGS


def recording(marketplace: str, name: str) -> str:
    return (RECORDINGS / marketplace / name).read_text(encoding="utf-8")


def test_renamed_balance_id_is_read_next_to_its_label_and_marked() -> None:
    # Amazon renames the balance span's id and drops its classes: no selector matches any more.
    html = recording("amazon.de", "gift-card-balance.html").replace(
        '<span id="gc-ui-balance-gc-balance-value" class="a-color-success a-text-bold">', '<span id="gc-v2-x">'
    )
    result = extract(html, load_marketplace("amazon.de"), "https://www.amazon.de/gc/balance")
    assert [(b.kind, b.amount, b.currency, b.found_by) for b in result.balances] == [
        ("gift_card", Decimal("1234.56"), "EUR", "label_text")
    ]
    assert result.matched["gift_card"] == "label_text:ihr geschenkgutschein-guthaben"
    assert result.problems == []  # the activity still agrees with the balance


def test_label_rule_for_points_at_checkout_in_japanese() -> None:
    html = recording("amazon.co.jp", "checkout-payment.html").replace("pmts-rewards-points-value", "pts-v2")
    result = extract(html, load_marketplace("amazon.co.jp"))
    points = [b for b in result.balances if b.kind == "reward_points"]
    assert [(b.points, b.found_by) for b in points] == [(12345, "label_text")]


def test_label_with_two_different_amounts_nearby_reads_nothing() -> None:
    # Ambiguity is not resolved by guessing: two amounts next to the label give no value.
    html = recording("amazon.com", "gift-card-balance.html").replace(
        '<span id="gc-ui-balance-gc-balance-value" class="a-color-success a-text-bold">\n$0.00',
        "<span>$0.00 (pending: $5.00)",
    )
    result = extract(html, load_marketplace("amazon.com"), "https://www.amazon.com/gc/balance")
    assert result.balances == []
    assert [p.code for p in result.problems] == [ProblemCode.FIELD_NOT_FOUND, ProblemCode.SITE_CHANGED]


def test_foreign_currency_next_to_the_label_is_never_read() -> None:
    html = recording("amazon.ca", "gift-card-balance.html").replace(
        '<span id="gc-ui-balance-gc-balance-value" class="a-color-success a-text-bold">\n$1,234.56',
        "<span>US$1,234.56",
    )
    result = extract(html, load_marketplace("amazon.ca"), "https://www.amazon.ca/gc/balance")
    assert result.balances == []
    assert ProblemCode.SITE_CHANGED in [p.code for p in result.problems]


def test_all_fields_failing_is_site_changed_naming_page_and_selectors() -> None:
    html = recording("amazon.fr", "rewards.html").replace("no-rush-rewards-table", "x1").replace(
        "digital-credits-table", "x2"
    )
    result = extract(html, load_marketplace("amazon.fr"), "https://www.amazon.fr/norushcredits")
    assert result.balances == []
    changed = [p for p in result.problems if p.code == ProblemCode.SITE_CHANGED]
    assert len(changed) == 1 and changed[0].page == "rewards"
    assert changed[0].selectors == ["table#no-rush-rewards-table", "table#digital-credits-table"]


def test_balance_that_disagrees_with_the_newest_closing_balance_is_inconsistent() -> None:
    html = recording("amazon.it", "gift-card-balance.html").replace("\n1.234,56 €\n  </span>", "\n1.234,65 €\n  </span>")
    result = extract(html, load_marketplace("amazon.it"), "https://www.amazon.it/gc/balance")
    assert [(p.code, p.message) for p in result.problems] == [
        (
            ProblemCode.INCONSISTENT,
            "gift_card: the balance shows 1234.65 EUR but the newest activity (2026-12-31) closes at 1234.56 EUR",
        )
    ]
    assert [b.amount for b in result.balances] == [Decimal("1234.65")]  # reported, and flagged


def test_older_activity_page_is_not_checked_against_the_balance() -> None:
    result = extract(recording("amazon.co.uk", "gift-card-balance-2.html"), load_marketplace("amazon.co.uk"))
    assert result.problems == [] and len(result.activity) == 1


def test_non_zero_balance_without_any_activity_table_is_a_problem() -> None:
    html = recording("amazon.in", "gift-card-balance.html").replace("a-bordered", "a-x")
    result = extract(html, load_marketplace("amazon.in"), "https://www.amazon.in/gc/balance")
    assert [p.code for p in result.problems] == [ProblemCode.FIELD_NOT_FOUND]
    assert "no activity table" in result.problems[0].message


def test_activity_row_with_a_foreign_currency_is_unparsable_not_misread() -> None:
    html = recording("amazon.co.uk", "gift-card-balance.html").replace("-£19.48", "-€19.48")
    result = extract(html, load_marketplace("amazon.co.uk"), "https://www.amazon.co.uk/gc/balance")
    assert [p.code for p in result.problems] == [ProblemCode.UNPARSABLE]
    assert "'€' is not a currency of amazon.co.uk" in result.problems[0].message
    assert len(result.activity) == 2


def test_user_selectors_file_extends_and_overrides_the_bundled_one(tmp_path: Path) -> None:
    user = tmp_path / "selectors"
    user.mkdir()
    (user / "amazon.de.toml").write_text(
        """
[[pages.gift_card_balance.fields]]
name = "gift_card"
kind = "gift_card"
amount = ["#gc-v2-x", "#gc-ui-balance-gc-balance-value"]
""",
        encoding="utf-8",
    )
    site = load_marketplace("amazon.de", user)
    fields = site.pages["gift_card_balance"].fields
    assert [f.amount for f in fields] == [["#gc-v2-x", "#gc-ui-balance-gc-balance-value"]]
    assert site.pages["gift_card_balance"].activity is not None  # the rest of the bundled file is kept
    html = recording("amazon.de", "gift-card-balance.html").replace("gc-ui-balance-gc-balance-value", "gc-v2-x")
    result = extract(html, site, "https://www.amazon.de/gc/balance")
    assert [(b.amount, b.found_by) for b in result.balances] == [(Decimal("1234.56"), "selector")]
    assert result.matched["gift_card"] == "#gc-v2-x"


def test_user_selectors_file_from_the_config_folder_is_validated(isolated_home: Path) -> None:
    folder = isolated_home / ".config" / "amazon-credits" / "selectors"
    folder.mkdir(parents=True)
    (folder / "amazon.fr.toml").write_text('[pages.rewards]\nmarkers = ["table[[broken"]\n', encoding="utf-8")
    with pytest.raises(ConfigInvalid) as info:
        load_marketplace("amazon.fr")
    assert "amazon.fr.toml (over the bundled amazon.fr.toml)" in info.value.message
    assert "pages.rewards.markers" in info.value.message


def test_merge_replaces_fields_by_name_and_appends_new_ones() -> None:
    base = {"pages": {"p": {"url": "/a", "fields": [{"name": "x", "amount": ["a"]}, {"name": "y", "amount": ["b"]}]}}}
    over = {"pages": {"p": {"fields": [{"name": "y", "amount": ["c"]}, {"name": "z", "points": ["d"]}]}}}
    assert merge_site_data(base, over) == {
        "pages": {
            "p": {
                "url": "/a",
                "fields": [{"name": "x", "amount": ["a"]}, {"name": "y", "amount": ["c"]}, {"name": "z", "points": ["d"]}],
            }
        }
    }
