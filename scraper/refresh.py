"""A refresh, end to end: browser -> (sign-in) -> page walk -> extract -> Snapshot -> store.

`assemble_snapshot` is the pure heart: visits in, snapshot out. `run_refresh`
wraps it with the browser and the store.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import structlog
from playwright.sync_api import BrowserContext

from scraper.browser import SharedBrowser, new_context
from scraper.extract import extract, with_older_pages
from scraper.reconcile import reconcile
from scraper.models import ActivityEntry, Balance, Problem, ProblemCode, Snapshot
from scraper.replay import Fault, Replay
from scraper.sitedata import SiteData
from scraper.store import Store
from scraper.walk import REPLAY_SETTINGS, Visit, WalkSettings, walk

log = structlog.get_logger(__name__)

# Called with a fresh context before the walk; makes sure it is signed in
# (the sign-in module provides it; a replay starts signed in and needs none).
SignIn = Callable[[BrowserContext], None]


@dataclass
class RefreshRequest:
    account: str
    site: SiteData
    replay_dir: Path | None = None
    headed: bool = False
    browser_path: str | None = None
    settings: WalkSettings | None = None
    # Replay only: faults injected per request_key (timeouts, 5xx, ...), to test how the walk copes.
    faults: dict[str, Fault] = field(default_factory=dict)


@dataclass
class RefreshResult:
    snapshot: Snapshot
    snapshot_id: int
    visits: list[Visit]
    unrecorded: list[str] = field(default_factory=list)


def _visit_problems(visit: Visit) -> list[Problem]:
    return [Problem(page=visit.kind, code=ProblemCode.REQUEST_FAILED, message=f"{visit.url}: {visit.error}")]


def assemble_snapshot(account: str, site: SiteData, visits: list[Visit], taken_at: datetime) -> Snapshot:
    """Read every visited page into one snapshot. Pure: no browser, no clock."""
    balances: list[Balance] = []
    problems: list[Problem] = []
    activity: list[ActivityEntry] = []
    for visit in visits:
        if visit.skipped is not None:
            problems.append(Problem(page=visit.kind, code=ProblemCode.SKIPPED, message=visit.skipped))
            continue
        if visit.html is None:
            problems.extend(_visit_problems(visit))
            continue
        extraction = extract(visit.html, site, visit.url)
        if extraction.page != visit.kind:
            problems.append(
                Problem(
                    page=visit.kind,
                    code=ProblemCode.SITE_CHANGED,
                    message=f"{visit.url} showed a {extraction.page.value} page instead of {visit.kind.value}",
                    selectors=site.pages[visit.kind].markers,
                )
            )
            continue
        if visit.extra_pages:
            extraction = with_older_pages(extraction, [extract(html, site) for html in visit.extra_pages])
        balances.extend(extraction.balances)
        problems.extend(extraction.problems)
        activity.extend(extraction.activity)
    balances, mismatches = reconcile(balances)
    return Snapshot.build(
        account=account,
        marketplace=site.marketplace.id,
        taken_at=taken_at,
        balances=balances,
        problems=problems + mismatches,
        activity=activity,
    )


def run_refresh(
    request: RefreshRequest,
    store: Store,
    on_step: Callable[[str], None] = lambda step: None,
    sign_in: SignIn | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    shared: SharedBrowser | None = None,
) -> RefreshResult:
    """One account's refresh. Pass `shared` to launch one browser for several accounts."""
    replay = Replay(request.replay_dir, faults=dict(request.faults)) if request.replay_dir else None
    settings = request.settings or (REPLAY_SETTINGS if replay else WalkSettings())
    with ExitStack() as stack:
        if shared is None:
            shared = stack.enter_context(SharedBrowser(headed=request.headed, executable=request.browser_path))
        on_step("starting the browser")
        # A context per account: cookies and storage never cross accounts, even in one browser.
        context = new_context(shared.get(), request.site, replay=replay)
        stack.callback(context.close)
        if sign_in is not None:
            on_step("signing in")
            sign_in(context)
        page = context.new_page()
        visits = walk(
            page,
            request.site,
            on_step=lambda kind: on_step(f"reading the {kind.value.replace('_', ' ')} page"),
            settings=settings,
        )
    snapshot = assemble_snapshot(request.account, request.site, visits, clock())
    on_step("saving the snapshot")
    snapshot_id = store.append(snapshot)
    unrecorded = replay.unrecorded if replay else []
    if unrecorded:
        log.warning("replay_unrecorded", count=len(unrecorded), urls=unrecorded[:10])
    log.info("refresh_done", account=request.account, status=snapshot.status, snapshot_id=snapshot_id)
    return RefreshResult(snapshot=snapshot, snapshot_id=snapshot_id, visits=visits, unrecorded=unrecorded)

