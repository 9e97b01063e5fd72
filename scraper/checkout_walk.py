"""The parts of the walk that look before they go: older activity pages, and checkout.

- Activity pages: a page with a paginated activity table is followed through
  its "next" links (a bounded number of pages, never the same URL twice); the
  older pages' HTML goes into `Visit.extra_pages`.
- Checkout: the payment-selection step shows the gift card and promotional
  lines and card reward points, but only for a cart that holds items. The walk
  reads the cart's item count first and goes to the payment step only when it
  is above zero; otherwise the step is skipped and says why. It navigates by
  URL and never clicks, adds, removes or changes anything; scraper/guard.py
  aborts any request that could, whatever the page tries.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog
from playwright.sync_api import Page
from selectolax.lexbor import LexborHTMLParser

from scraper.dom import any_present
from scraper.extract import extract
from scraper.models import PageKind
from scraper.sitedata import SiteData
from scraper.walk import Visit, WalkSettings, visit

log = structlog.get_logger(__name__)

MAX_ACTIVITY_PAGES = 20  # older pages followed at most; a loop or a huge history stops here


def follow_pages(page: Page, first: Visit, site: SiteData, settings: WalkSettings) -> list[Visit]:
    """Fetch the older pages of `first`'s activity table into `first.extra_pages`.

    Returns the visits of pages that failed to load (one at most: the walk
    stops there), so that the snapshot says its activity is incomplete.
    """
    spec = site.pages[first.kind]
    if spec.activity is None or not spec.activity.next_page or first.html is None:
        return []
    seen = {first.url}
    url = extract(first.html, site, first.url).next_url
    while url and url not in seen and len(first.extra_pages) < MAX_ACTIVITY_PAGES:
        seen.add(url)
        older = visit(page, first.kind, url, spec.markers, settings, spec.complete)
        if older.html is not None and not older.error and not _links_back(older.html, spec.activity.previous_page):
            # Reached through "Next", so it must link back; without that link it arrived cut short.
            older.error = "the page arrived incomplete (no link back to newer activity)"
        if older.html is None or older.error:
            older.error = f"older activity page: {older.error}"
            older.html = None
            return [older]
        first.extra_pages.append(older.html)
        url = extract(older.html, site, older.url).next_url
    if url and url not in seen:
        log.warning("activity_truncated", page=first.kind.value, pages=1 + len(first.extra_pages))
    return []


def _links_back(html: str, previous_page: list[str]) -> bool:
    if not previous_page:
        return True  # nothing to check against
    return any_present(LexborHTMLParser(html), previous_page)


def checkout_visits(
    page: Page,
    site: SiteData,
    settings: WalkSettings,
    on_step: Callable[[PageKind], None] = lambda kind: None,
) -> list[Visit]:
    """The cart, then the payment-selection step only if the cart holds items."""
    if PageKind.CART not in site.pages or PageKind.CHECKOUT_PAYMENT not in site.pages:
        return []
    on_step(PageKind.CART)
    cart_spec = site.pages[PageKind.CART]
    cart = visit(page, PageKind.CART, site.url_for(PageKind.CART), cart_spec.markers, settings, cart_spec.complete)
    checkout_url = site.url_for(PageKind.CHECKOUT_PAYMENT)
    if cart.html is None:
        reason = "the cart could not be loaded, so the payment step was not visited"
        return [cart, Visit(kind=PageKind.CHECKOUT_PAYMENT, url=checkout_url, skipped=reason)]
    count = extract(cart.html, site, cart.url).item_count
    if not count:
        reason = (
            "the cart is empty: Amazon shows the checkout balances only for a cart with items, "
            "and this tool never adds any"
            if count == 0
            else "the cart's item count could not be read, so the payment step was not visited"
        )
        return [cart, Visit(kind=PageKind.CHECKOUT_PAYMENT, url=checkout_url, skipped=reason)]
    on_step(PageKind.CHECKOUT_PAYMENT)
    spec = site.pages[PageKind.CHECKOUT_PAYMENT]
    return [cart, visit(page, PageKind.CHECKOUT_PAYMENT, checkout_url, spec.markers, settings, spec.complete)]
