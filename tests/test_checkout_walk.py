"""The walk over replayed pages: older activity pages followed, checkout only with items in the cart."""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from scraper.browser import new_context
from scraper.models import PageKind, Problem, ProblemCode
from scraper.refresh import assemble_snapshot
from scraper.replay import Fault, Replay, request_key
from scraper.replay import load_manifest
from scraper.sitedata import load_marketplace
from scraper.walk import REPLAY_SETTINGS, Visit, walk
from tests.conftest import RECORDINGS

pytestmark = pytest.mark.browser

TAKEN = datetime(2026, 11, 21, 12, 0, tzinfo=timezone.utc)


def _walk(
    browser: Browser, folder: Path, marketplace: str, faults: dict[str, Fault] | None = None
) -> tuple[list[Visit], Replay]:
    site = load_marketplace(marketplace)
    replay = Replay(folder, faults=faults or {})
    context = new_context(browser, site, replay=replay)
    try:
        steps: list[PageKind] = []
        visits = walk(context.new_page(), site, on_step=steps.append, settings=REPLAY_SETTINGS)
    finally:
        context.close()
    assert steps[-2:] in ([PageKind.CART, PageKind.CHECKOUT_PAYMENT], [PageKind.REWARDS, PageKind.CART])
    return visits, replay


def test_amazon_com_walk_follows_activity_pages_and_reads_checkout(browser: Browser) -> None:
    visits, replay = _walk(browser, RECORDINGS / "amazon.com", "amazon.com")
    assert [v.kind for v in visits] == [
        PageKind.GIFT_CARD_BALANCE,
        PageKind.PROMOTIONAL_BALANCE,
        PageKind.REWARDS,
        PageKind.KINDLE_REWARDS,
        PageKind.CART,
        PageKind.CHECKOUT_PAYMENT,
    ]
    assert len(visits[0].extra_pages) == 1  # the capture's "Next" page, and no further
    snapshot = assemble_snapshot("me", load_marketplace("amazon.com"), visits, TAKEN)
    assert snapshot.status == "complete" and snapshot.problems == []
    # 15 rows on the captured page, then the 2 older rows of the page its "Next" link leads to.
    assert len(snapshot.activity) == 17
    assert snapshot.activity[0].closing_balance == Decimal("0.00")
    assert [(a.date.isoformat(), a.amount, a.closing_balance) for a in snapshot.activity[-2:]] == [
        ("2025-08-02", Decimal("150.00"), Decimal("212.53")),
        ("2025-07-14", Decimal("-37.47"), Decimal("62.53")),
    ]
    assert ("reward_points", 2418) in [(b.kind, b.points) for b in snapshot.balances]
    assert request_key("https://www.amazon.com/gp/buy/payselect/handlers/display.html") in replay.served
    assert not replay.unrecorded


def _with_empty_cart(tmp_path: Path, marketplace: str) -> Path:
    folder = tmp_path / marketplace
    shutil.copytree(RECORDINGS / marketplace, folder)
    manifest = (folder / "manifest.toml").read_text(encoding="utf-8")
    # Serve the empty cart at the cart URL, and drop the cart with items.
    manifest = manifest.replace('file = "cart.html"', 'file = "cart-empty.html"')
    manifest = re.sub(r'url = "([^"]*/gp/cart/view\.html)\?state=empty"', r'url = "\1?unused=1"', manifest)
    (folder / "manifest.toml").write_text(manifest, encoding="utf-8")
    return folder


def test_empty_cart_skips_the_payment_step_and_the_snapshot_says_so(browser: Browser, tmp_path: Path) -> None:
    visits, replay = _walk(browser, _with_empty_cart(tmp_path, "amazon.de"), "amazon.de")
    assert [v.kind for v in visits][-2:] == [PageKind.CART, PageKind.CHECKOUT_PAYMENT]
    assert visits[-1].html is None and visits[-1].skipped
    assert not any("/gp/buy/" in key for key in replay.served), "the payment step must not be requested"
    snapshot = assemble_snapshot("me", load_marketplace("amazon.de"), visits, TAKEN)
    assert snapshot.problems == [
        Problem(
            page="checkout_payment",
            code=ProblemCode.SKIPPED,
            message="the cart is empty: Amazon shows the checkout balances only for a cart with items, "
            "and this tool never adds any",
        )
    ]
    assert snapshot.status == "complete"  # skipping is informational, not a failure
    assert [(b.kind, b.amount) for b in snapshot.balances if b.kind == "gift_card"] == [("gift_card", Decimal("1234.56"))]
    assert len(snapshot.activity) == 3  # two rows on the newest page, one on the older page


def test_an_older_activity_page_cut_short_is_a_problem_not_missing_rows(browser: Browser) -> None:
    pages = load_manifest(RECORDINGS / "amazon.com").page
    older = request_key(next(p.url for p in pages if p.file == "gift-card-balance-2.html"))
    visits, _ = _walk(browser, RECORDINGS / "amazon.com", "amazon.com", {older: Fault("truncated", times=5)})
    snapshot = assemble_snapshot("me", load_marketplace("amazon.com"), visits, TAKEN)
    assert [(p.page, p.code) for p in snapshot.problems] == [("gift_card_balance", ProblemCode.REQUEST_FAILED)]
    assert "older activity page: the page arrived incomplete" in snapshot.problems[0].message
    assert len(snapshot.activity) == 15  # the first page's rows; the cut page adds none
