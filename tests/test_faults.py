"""Faults: the replay layer breaks one page at a time, the way a network and a busy
site do, and the refresh either retries and reads everything, or names the page.

For each fault (timeout, connection reset, HTTP 500 and 503, truncated and
empty HTML, a slow answer) and each page the amazon.com walk requests (every
page kind, the older activity page, the cart, checkout):
- recover: the fault hits fewer times than the walk tries; the snapshot equals
  the fault-free one, and the page took exactly one attempt more per fault;
- exhaust: the fault hits every attempt; the snapshot holds a precise problem
  for that page (request_failed, or site_changed for an empty page, naming
  its URL), no value the fault-free run did not read, and every other page's
  values; the snapshots stored before it are untouched.
A truncated page may look ready (its marker is in the part that arrived); a
page whose site data names an element at its end ('complete') is retried and
then reported incomplete. Either the values are right, or that page has a
problem: never a wrong value, and never a value lost in silence.

One Chromium for the module (pytest-playwright's); the walk runs in a fresh
context per case with short timeouts and backoff, so the suite takes seconds.
One end-to-end case goes through run_refresh to prove RefreshRequest.faults
reaches the replay.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser

from scraper.browser import new_context
from scraper.models import PageKind, ProblemCode, Snapshot
from scraper.refresh import RefreshRequest, RefreshResult, assemble_snapshot, run_refresh
from scraper.replay import Fault, FaultKind, Replay, request_key
from scraper.sitedata import load_marketplace
from scraper.store import Store
from scraper.walk import Visit, WalkSettings, walk
from tests.conftest import RECORDINGS

pytestmark = pytest.mark.browser

FOLDER = RECORDINGS / "amazon.com"
SITE = load_marketplace("amazon.com")
ATTEMPTS = 3
FAST = WalkSettings(navigation_timeout_ms=3_000, ready_timeout_ms=1_000, attempts=ATTEMPTS, backoff_s=0.01, backoff_max_s=0.02)
# A slow answer beyond the navigation timeout is a timeout; within it, just a slow page.
SLOW = WalkSettings(navigation_timeout_ms=800, ready_timeout_ms=1_000, attempts=ATTEMPTS, backoff_s=0.01, backoff_max_s=0.02)
SLOW_DELAY_S = 1.0
T0 = datetime(2026, 11, 1, 3, 0, tzinfo=timezone.utc)


@dataclass
class Run:
    snapshot: Snapshot
    visits: list[Visit]
    served: list[str]
    unrecorded: list[str]


def _walk(browser: Browser, faults: dict[str, Fault], settings: WalkSettings = FAST) -> Run:
    replay = Replay(FOLDER, faults=faults)
    context = new_context(browser, SITE, replay=replay)
    try:
        visits = walk(context.new_page(), SITE, settings=settings)
    finally:
        context.close()
    return Run(assemble_snapshot("faults", SITE, visits, T0 + timedelta(days=1)), visits, replay.served, replay.unrecorded)


_BASELINE: dict[str, Run] = {}


@pytest.fixture
def baseline(browser: Browser) -> Run:
    """The fault-free walk, once per module."""
    if not _BASELINE:
        run = _walk(browser, {})
        assert run.snapshot.status == "complete", run.snapshot.problems
        assert not run.unrecorded
        _BASELINE["run"] = run
    return _BASELINE["run"]


def _targets(run: Run) -> list[tuple[str, PageKind]]:
    """Every page the fault-free walk requested, with the kind of page it is."""
    kind_of = {request_key(v.url): v.kind for v in run.visits}
    targets = []
    for key in dict.fromkeys(run.served):
        kind = kind_of.get(key) or next(v.kind for v in run.visits if urlsplit(v.url).path == urlsplit(key).path)
        targets.append((key, kind))
    return targets


def _dump(items: list[Any]) -> list[dict[str, Any]]:
    return [item.model_dump(mode="json") for item in items]


def _store_with_history(path: Path, baseline: Run) -> tuple[Store, list[dict[str, Any]]]:
    store = Store(path)
    for days in (0, 0.5):
        store.append(baseline.snapshot.model_copy(update={"taken_at": T0 + timedelta(days=days)}))
    return store, _dump(store.snapshots())


def _check_kept(store: Store, before: list[dict[str, Any]], faulted: Snapshot) -> None:
    after = _dump(store.snapshots())
    assert after[: len(before)] == before, "a faulted run changed the snapshots stored before it"
    assert after[len(before) :] == [faulted.model_dump(mode="json")]


def _value(balance: dict[str, Any]) -> tuple[Any, ...]:
    """What a balance says, wherever it was read (a checkout line stands in for a failed page)."""
    return (balance["kind"], balance["amount"], balance["currency"], balance["points"], balance["expires_on"])


def _totals(balances: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    """Checkout shows one total per kind; with the kind's own page gone, that total stands in."""
    sums: dict[tuple[str, str], Decimal] = {}
    for b in balances:
        if b["amount"] is not None:
            sums[(b["kind"], b["currency"])] = sums.get((b["kind"], b["currency"]), Decimal(0)) + Decimal(b["amount"])
    return {(kind, str(total), currency, None, None) for (kind, currency), total in sums.items()}


def _no_wrong_values(run: Run, baseline: Run, where: str) -> None:
    known = {_value(b) for b in _dump(baseline.snapshot.balances)} | _totals(_dump(baseline.snapshot.balances))
    wrong = [b for b in _dump(run.snapshot.balances) if _value(b) not in known]
    assert not wrong, f"{where}: values the fault-free run did not read: {wrong}"
    known_activity = _dump(baseline.snapshot.activity)
    assert all(a in known_activity for a in _dump(run.snapshot.activity)), f"{where}: activity changed"


def _settings_for(kind: FaultKind) -> WalkSettings:
    return SLOW if kind == "slow" else FAST


RETRIED: list[FaultKind] = ["timeout", "reset", "http_500", "http_503", "empty", "slow"]


@pytest.mark.parametrize("kind", RETRIED)
def test_fewer_faults_than_attempts_read_everything(browser: Browser, baseline: Run, kind: FaultKind) -> None:
    """Every requested page faulted at once, fewer times than the walk tries: all is read."""
    # A slow answer costs a navigation timeout per fault, an empty page a ready timeout:
    # one per page is enough to show the retry for those.
    times = 1 if kind in ("slow", "empty") else ATTEMPTS - 1
    faults = {key: Fault(kind, times=times, delay_s=SLOW_DELAY_S) for key, _ in _targets(baseline)}
    run = _walk(browser, faults, _settings_for(kind))
    assert run.snapshot.status == "complete", run.snapshot.problems
    assert _dump(run.snapshot.balances) == _dump(baseline.snapshot.balances)
    assert _dump(run.snapshot.activity) == _dump(baseline.snapshot.activity)
    attempts = {v.kind: v.attempts for v in run.visits}
    if kind == "slow":  # the late answer of a timed-out attempt may cost one attempt more
        assert all(times < n <= ATTEMPTS for n in attempts.values()), attempts
    else:
        assert set(attempts.values()) == {times + 1}, attempts


def test_a_slow_page_within_the_timeout_is_simply_read(browser: Browser, baseline: Run) -> None:
    key = request_key(SITE.url_for(PageKind.GIFT_CARD_BALANCE))
    run = _walk(browser, {key: Fault("slow", times=1, delay_s=0.3)}, SLOW)
    assert _dump(run.snapshot.balances) == _dump(baseline.snapshot.balances)
    assert run.visits[0].attempts == 1


EXHAUSTED: dict[FaultKind, set[ProblemCode]] = {
    "timeout": {ProblemCode.REQUEST_FAILED},
    "reset": {ProblemCode.REQUEST_FAILED},
    "http_500": {ProblemCode.REQUEST_FAILED},
    "http_503": {ProblemCode.REQUEST_FAILED},
    # an empty first page is read and recognised as nothing; an empty older activity page
    # is not read at all ("did not show any expected element")
    "empty": {ProblemCode.SITE_CHANGED, ProblemCode.REQUEST_FAILED},
    "slow": {ProblemCode.REQUEST_FAILED},
}
# Page by page, so every other page is shown intact: a reset (cheap: it fails at once).
# The others are exhausted on every page at once below (an empty page costs a ready
# timeout per attempt), and slow (a navigation timeout per attempt) on the first page.
ONE_PAGE_AT_A_TIME: list[FaultKind] = ["reset"]


def _check_named(run: Run, baseline: Run, key: str, page: PageKind, kind: FaultKind, where: str) -> None:
    problems = [p for p in run.snapshot.problems if p.page == page]
    assert len(problems) == 1 and problems[0].code in EXHAUSTED[kind], f"{where}: {run.snapshot.problems}"
    assert urlsplit(key).path in problems[0].message, f"{where}: {problems[0].message}"
    _no_wrong_values(run, baseline, where)


@pytest.mark.parametrize("kind", ONE_PAGE_AT_A_TIME + ["slow"])
def test_a_page_that_keeps_failing_is_named_and_loses_nothing_else(
    browser: Browser, baseline: Run, kind: FaultKind, tmp_path: Path
) -> None:
    targets = _targets(baseline)[:1] if kind == "slow" else _targets(baseline)
    store, before = _store_with_history(tmp_path / "credits.sqlite3", baseline)
    for key, page in targets:
        run = _walk(browser, {key: Fault(kind, times=ATTEMPTS, delay_s=SLOW_DELAY_S)}, _settings_for(kind))
        where = f"{kind} x{ATTEMPTS} on {key}"
        _check_named(run, baseline, key, page, kind, where)
        others = [p for p in run.snapshot.problems if p.page != page]
        # checkout is visited only after the cart: with no cart it is skipped, and says why
        allowed = {PageKind.CHECKOUT_PAYMENT} if page is PageKind.CART else set()
        assert all(p.page in allowed for p in others), f"{where}: {others}"
        untouched = [b for b in _dump(baseline.snapshot.balances) if b["page"] not in {page, *allowed}]
        assert all(b in _dump(run.snapshot.balances) for b in untouched), f"{where}: another page's value was lost"
        store.append(run.snapshot)
        _check_kept(store, before, run.snapshot)
        before = _dump(store.snapshots())


@pytest.mark.parametrize("kind", [k for k in EXHAUSTED if k not in ONE_PAGE_AT_A_TIME + ["slow"]])
def test_every_page_failing_at_once_is_each_named(browser: Browser, baseline: Run, kind: FaultKind) -> None:
    targets = _targets(baseline)
    run = _walk(browser, {key: Fault(kind, times=ATTEMPTS) for key, _ in targets})
    assert run.snapshot.status == "failed"
    assert not run.snapshot.balances
    # Older activity pages and checkout are reached only through the pages before them.
    first_hand = [(key, page) for key, page in targets if key in {request_key(v.url) for v in run.visits if not v.skipped}]
    assert {page for _, page in first_hand} >= set(SITE.walk_pages) | {PageKind.CART}
    for key, page in first_hand:
        _check_named(run, baseline, key, page, kind, f"{kind} on every page, {key}")


@pytest.mark.parametrize("times", [ATTEMPTS])  # every attempt cut: a retry cannot save it
def test_a_truncated_page_is_right_or_a_problem(browser: Browser, baseline: Run, times: int) -> None:
    for key, page in _targets(baseline):
        run = _walk(browser, {key: Fault("truncated", times=times)})
        where = f"truncated x{times} on {key}"
        _no_wrong_values(run, baseline, where)
        same = _dump(run.snapshot.balances) == _dump(baseline.snapshot.balances) and _dump(
            run.snapshot.activity
        ) == _dump(baseline.snapshot.activity)
        assert same or any(p.page == page for p in run.snapshot.problems), f"{where}: values lost without a problem"


def test_refresh_passes_faults_to_the_replay_and_keeps_the_store(isolated_home: Path, baseline: Run) -> None:
    """End to end through run_refresh (its own Chromium, in a worker thread beside
    pytest-playwright's): a reset gift card page fails, the earlier snapshots stay."""
    path = isolated_home / "credits.sqlite3"
    store, before = _store_with_history(path, baseline)
    store.close()
    key = request_key(SITE.url_for(PageKind.GIFT_CARD_BALANCE))
    request = RefreshRequest(
        account="faults", site=SITE, replay_dir=FOLDER, settings=FAST, faults={key: Fault("reset", times=ATTEMPTS)}
    )
    box: dict[str, RefreshResult | BaseException] = {}

    def target() -> None:
        try:
            with Store(path) as own:  # SQLite connections stay in the thread that opened them
                box["result"] = run_refresh(request, own, clock=lambda: T0 + timedelta(days=1))
        except BaseException as exc:  # re-raised below, in the test's thread
            box["result"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=120)
    result = box["result"]
    assert isinstance(result, RefreshResult), result
    problems = [(p.page, p.code) for p in result.snapshot.problems]
    assert problems == [(PageKind.GIFT_CARD_BALANCE, ProblemCode.REQUEST_FAILED)]
    assert result.snapshot.status == "partial"
    assert not any(b.page == PageKind.GIFT_CARD_BALANCE for b in result.snapshot.balances)
    with Store(path) as reopened:
        _check_kept(reopened, before, result.snapshot)
