"""The page walk: visit each page of a marketplace and hand back its rendered HTML.

The browser only navigates here; reading the HTML is extraction's job.
Transient failures (timeouts, resets, 5xx, a page that never became ready)
are retried with exponential backoff by tenacity, a bounded number of times,
then reported on the visit instead of raised, so one bad page does not lose
the others.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Frame, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from tenacity import RetryError, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from scraper.models import PageKind
from scraper.sitedata import SiteData

log = structlog.get_logger(__name__)

# Failures worth another try; anything else (a blocked or unrecorded request,
# a bad URL) will not get better by asking again.
_TRANSIENT_ERRORS = (
    "interrupted by another navigation",  # the error page of a previous failed visit still loading
    "ERR_TIMED_OUT",
    "ERR_ABORTED",  # a navigation that timed out is cancelled by the retry; the retry may see it
    "ERR_CONNECTION_RESET",
    "ERR_CONNECTION_CLOSED",
    "ERR_CONNECTION_REFUSED",
    "ERR_EMPTY_RESPONSE",
    "ERR_NETWORK_CHANGED",
    "ERR_INTERNET_DISCONNECTED",
    "ERR_NAME_NOT_RESOLVED",
)


class TransientPageError(Exception):
    """A failure that may pass: retried. `arrived`: a document came, worth reading if no retry does better."""

    def __init__(self, message: str, *, arrived: bool = False) -> None:
        super().__init__(message)
        self.arrived = arrived


@dataclass(frozen=True)
class WalkSettings:
    navigation_timeout_ms: int = 30_000
    ready_timeout_ms: int = 10_000
    attempts: int = 3
    backoff_s: float = 1.0  # first wait; doubles each attempt
    backoff_max_s: float = 20.0


REPLAY_SETTINGS = WalkSettings(navigation_timeout_ms=10_000, ready_timeout_ms=2_000, backoff_s=0.1, backoff_max_s=0.5)


@dataclass
class Visit:
    kind: PageKind
    url: str
    html: str | None = None
    error: str | None = None
    attempts: int = 0
    extra_pages: list[str] = field(default_factory=list)  # further pages of a paginated list
    skipped: str | None = None  # deliberately not visited, and why (checkout with an empty cart)


class _ErrorPageWatch:
    """Chromium commits its error page a moment after a failed navigation; a retry started
    before that is "interrupted by another navigation", and one reset then fails every
    attempt and the next page's too. Noting the error page's commit lets a retry wait for it."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.shown = False

    def __enter__(self) -> _ErrorPageWatch:
        self.page.on("framenavigated", self._navigated)
        return self

    def __exit__(self, *exc: object) -> None:
        self.page.remove_listener("framenavigated", self._navigated)

    def _navigated(self, frame: Frame) -> None:
        if frame == self.page.main_frame and frame.url.startswith("chrome-error://"):
            self.shown = True

    def settle(self, timeout_s: float = 2.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not self.shown and time.monotonic() < deadline:  # another browser may show none: bounded
            self.page.wait_for_timeout(20)


def _load(page: Page, url: str, ready: list[str], complete: list[str], settings: WalkSettings) -> str:
    with _ErrorPageWatch(page) as watch:
        try:
            response = page.goto(url, wait_until="domcontentloaded", timeout=settings.navigation_timeout_ms)
        except PlaywrightTimeout as exc:
            raise TransientPageError(f"timed out loading {url}") from exc
        except PlaywrightError as exc:
            if any(code in exc.message for code in _TRANSIENT_ERRORS):
                watch.settle()
                raise TransientPageError(f"{url}: {exc.message.splitlines()[0]}") from exc
            raise
    if response is not None and response.status >= 500:
        raise TransientPageError(f"{url} answered HTTP {response.status}")
    try:
        page.wait_for_selector(", ".join(ready), state="attached", timeout=settings.ready_timeout_ms)
    except PlaywrightTimeout as exc:
        # Empty, truncated or half-rendered: worth another try. After the last
        # attempt the caller still gets the HTML, and extraction says what it sees.
        raise TransientPageError(f"{url} did not show any expected element", arrived=True) from exc
    if complete and not any(page.query_selector(selector) for selector in complete):
        raise TransientPageError(f"{url} arrived incomplete", arrived=True)
    return page.content()


def visit(
    page: Page, kind: PageKind, url: str, ready: list[str], settings: WalkSettings, complete: list[str] | None = None
) -> Visit:
    """Load one page, retrying transient failures. `complete`: selectors of an element at its end."""
    result = Visit(kind=kind, url=url)
    retrying = Retrying(
        stop=stop_after_attempt(settings.attempts),
        wait=wait_exponential(multiplier=settings.backoff_s, max=settings.backoff_max_s),
        retry=retry_if_exception_type(TransientPageError),
    )
    try:
        for attempt in retrying:
            with attempt:
                result.attempts = attempt.retry_state.attempt_number
                result.html = _load(page, url, ready, complete or [], settings)
                result.url = page.url
                result.error = None
    except RetryError as exc:
        last = exc.last_attempt.exception()
        result.error = f"{last} (after {result.attempts} attempts)"
        log.warning("page_failed", page=kind.value, url=url, error=str(last), attempts=result.attempts)
        if isinstance(last, TransientPageError) and last.arrived:
            result.html = page.content()  # extraction names what is missing
    except PlaywrightError as exc:
        result.error = exc.message.splitlines()[0]
        log.warning("page_failed", page=kind.value, url=url, error=result.error)
    return result


def walk(
    page: Page,
    site: SiteData,
    on_step: Callable[[PageKind], None] = lambda kind: None,
    settings: WalkSettings = WalkSettings(),
    ready_extra: list[str] | None = None,
) -> list[Visit]:
    """Visit every page the marketplace marks for walking, in order.

    `ready_extra` adds selectors that also count as "the page is ready", such
    as sign-in forms, so an expired session is noticed without waiting.
    """
    # Imported here: checkout_walk builds on this module's `visit`.
    from scraper.checkout_walk import checkout_visits, follow_pages

    visits = []
    for kind in site.walk_pages:
        on_step(kind)
        ready = site.pages[kind].markers + (ready_extra or [])
        visits.append(visit(page, kind, site.url_for(kind), ready, settings, site.pages[kind].complete))
        visits.extend(follow_pages(page, visits[-1], site, settings))
    visits.extend(checkout_visits(page, site, settings, on_step))
    return visits
