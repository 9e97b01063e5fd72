"""Commands for the record over time: nightly, history, export, report, alerts, schedule.

Registered on the main group in scraper/cli.py. They take the `App` from
click's context object (no import of scraper.cli, which imports this module).
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.table import Table

from scraper import alerts as alerts_module
from scraper import exports, nightly as nightly_module, schedule as schedule_module
from scraper.display import err, out
from scraper.errors import ConfigInvalid, ExitCode, PersonNeeded
from scraper.files import write_atomic
from scraper.history import format_change, history_rows
from scraper.logs import configure_file_logging
from scraper.models import Snapshot
from scraper.report import render_report
from scraper.store import Store

if TYPE_CHECKING:
    from scraper.browser import SharedBrowser
    from scraper.cli import App


def _utc_day(value: datetime | None) -> date | None:
    return value.date() if value else None


DAY = click.DateTime(formats=["%Y-%m-%d"])


def _config(app: App) -> Any:
    from scraper.config import load_config

    return load_config(app.paths.config_file)


def _stored(app: App, account: str | None = None) -> list[Snapshot]:
    """Every stored snapshot (of one account), oldest first; [] when no store exists: reading never creates one."""
    if not app.paths.store_path.exists():
        return []
    with Store(app.paths.store_path) as store:
        return store.snapshots(account=account)


# ---------------------------------------------------------------- history


@click.command()
@click.option("--account", help="Only this account.")
@click.option("--kind", help="Only this kind of credit (gift_card, promotional, kindle_points, ...).")
@click.option("--since", type=DAY, help="From this UTC day on (YYYY-MM-DD); earlier readings still count for the change.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON rows instead of a table.")
@click.pass_obj
def history(app: App, account: str | None, kind: str | None, since: datetime | None, as_json: bool) -> None:
    """Balances over time, with the change since the previous reading. Starts no browser."""
    since_utc = since.replace(tzinfo=timezone.utc) if since else None
    rows = history_rows(_stored(app, account), kind=kind, since=since_utc)
    if as_json:
        click.echo(json.dumps([r.public() for r in rows], indent=2, ensure_ascii=False))
        return
    if not rows:
        err().print("No balances stored yet; run `amazon-credits refresh` (or `amazon-credits demo`).", highlight=False)
        return
    table = Table("taken at (UTC)", "account", "credit", "balance", "change")
    for r in rows:
        credit = r.kind.replace("_", " ") + (f" (expires {r.expires_on.isoformat()})" if r.expires_on else "")
        table.add_row(r.taken_at.strftime("%Y-%m-%d %H:%M"), r.account, credit, f"{format(r.value, 'f')} {r.unit}", format_change(r.change))
    out().print(table)


# ---------------------------------------------------------------- export


@click.command()
@click.option("--format", "fmt", type=click.Choice(exports.FORMATS), default="json", show_default=True)
@click.option("--account", help="Only this account.")
@click.option("--since", type=DAY, help="From this UTC day (YYYY-MM-DD), included.")
@click.option("--until", type=DAY, help="Up to this UTC day (YYYY-MM-DD), included.")
@click.option("--account-prefix", help="beancount/ledger: accounts are PREFIX:Account:Kind (default: [export] account_prefix, else Assets:Amazon).")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), help="Write here (atomically) instead of standard output.")
@click.pass_obj
def export(
    app: App,
    fmt: exports.Format,
    account: str | None,
    since: datetime | None,
    until: datetime | None,
    account_prefix: str | None,
    out_path: Path | None,
) -> None:
    """Write stored snapshots, oldest first: json, csv, beancount or ledger."""
    prefix = exports.check_prefix(account_prefix) if account_prefix else _config(app).export.account_prefix
    snapshots = exports.filter_snapshots(_stored(app, account), account=account, since=_utc_day(since), until=_utc_day(until))
    text = exports.render(fmt, snapshots, prefix=prefix)
    if out_path is None:
        click.echo(text, nl=False)
    else:
        write_atomic(out_path, text)
        err().print(f"wrote {len(snapshots)} snapshot(s) to {out_path}", highlight=False)


# ---------------------------------------------------------------- report


@click.command()
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The HTML file to write.")
@click.option("--account", help="Only this account.")
@click.pass_obj
def report(app: App, out_path: Path, account: str | None) -> None:
    """One self-contained HTML page: each balance over time, and coming expiries."""
    snapshots = _stored(app, account)
    now = datetime.now(timezone.utc)
    write_atomic(out_path, render_report(snapshots, today=now.date(), generated_at=now))
    err().print(f"wrote {out_path} from {len(snapshots)} snapshot(s)", highlight=False)


# ---------------------------------------------------------------- alerts


@click.group()
def alerts() -> None:
    """Notifications through apprise URLs in the config's [alerts] table."""


@alerts.command("test")
@click.pass_obj
def alerts_test(app: App) -> None:
    """Send a test message to every configured URL, one by one."""
    results = alerts_module.send_test(_config(app).alerts)
    for name, ok in results:
        out().print(f"{name}: {'sent' if ok else '[red]failed[/]'}", highlight=False)
    if not all(ok for _, ok in results):
        click.get_current_context().exit(int(ExitCode.UNAVAILABLE))


# ---------------------------------------------------------------- nightly


@contextmanager
def _no_stdin() -> Iterator[None]:
    """Nobody is at the keyboard: anything that tries to read gets end-of-file at once, never a hang."""
    saved = sys.stdin
    sys.stdin = io.StringIO("")
    try:
        yield
    finally:
        sys.stdin = saved


class _Collect:
    """Stands in for the store during one attempt: nightly stores only the attempt it keeps."""

    def append(self, snapshot: Snapshot) -> int:
        return 0


class _NobodyThere:
    """The sign-in's terminal in a nightly run: messages go to the log; a question is a person needed."""

    def say(self, text: str) -> None:
        nightly_module.log.info("signin_message", text=text)

    def ask(self, prompt: str, *, allow_empty: bool = False) -> str:
        raise PersonNeeded(f"sign-in asked {prompt!r} and nobody is at the keyboard.")


def _refresher(app: App, replay_root: Path | None, shared: SharedBrowser) -> nightly_module.RefreshOne:
    from scraper.refresh import RefreshRequest, run_refresh
    from scraper.sitedata import load_marketplace

    def refresh_one(name: str, account: Any) -> Snapshot:
        site = load_marketplace(account.marketplace)
        if replay_root is not None:
            # Recorded pages start signed in: no sign-in step.
            folder = replay_root / name if (replay_root / name / "manifest.toml").exists() else replay_root
            request = RefreshRequest(account=name, site=site, replay_dir=folder)
            return run_refresh(request, _Collect(), shared=shared).snapshot  # type: ignore[arg-type]
        from scraper.cli_signin import signin_hook
        from scraper.signin import SigninOptions

        # The same hook as `refresh --all`, but interactive=False: a code, approval or
        # captcha raises PersonNeeded with the command to run, and questions reach nobody.
        sign_in = signin_hook(app.paths, name, account.email, site, SigninOptions(interactive=False), terminal=_NobodyThere())
        request = RefreshRequest(account=name, site=site)
        return run_refresh(request, _Collect(), sign_in=sign_in, shared=shared).snapshot  # type: ignore[arg-type]

    return refresh_one


@click.command()
@click.option("--wait", "wait_s", type=click.FloatRange(min=0), default=nightly_module.DEFAULT_LOCK_WAIT_S, show_default=True,
              help="Seconds to wait for another run to finish before giving up with exit code 18.")
@click.option("--attempts", type=click.IntRange(min=1), default=nightly_module.DEFAULT_ATTEMPTS, show_default=True,
              help="Tries per account when the failure is transient (timeouts, 5xx).")
@click.option("--backoff", "backoff_s", type=click.FloatRange(min=0), default=nightly_module.DEFAULT_BACKOFF_S, show_default=True,
              help="Seconds before the first retry; doubles each time.")
@click.option("--replay", "replay_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Serve pages from recordings instead of the network: DIR/<account>/ if it has a manifest, else DIR.")
@click.option("--browser", "browser_path", envvar="AMAZON_CREDITS_BROWSER", help="Chromium or Chrome to launch.")
@click.option("--json", "as_json", is_flag=True, help="Print each account's outcome as JSON.")
@click.pass_obj
def nightly(app: App, wait_s: float, attempts: int, backoff_s: float, replay_dir: Path | None, browser_path: str | None, as_json: bool) -> None:
    """Refresh every configured account, unattended: what `schedule install` runs.

    Never prompts. Logs JSON lines to nightly.log in the log folder. The exit
    code is the worst outcome among the accounts.
    """
    log_path = configure_file_logging(app.paths.log_dir)
    config = _config(app)
    if not config.accounts:
        raise ConfigInvalid(f"no accounts are configured in {app.paths.config_file}.", nightly_module.NO_ACCOUNTS_HINT)
    console = err()

    def on_account(o: nightly_module.AccountOutcome) -> None:
        console.print(f"{o.account}: {o.outcome} ({o.message})", highlight=False)

    with _no_stdin(), nightly_module.nightly_lock(app.paths.data_dir / nightly_module.LOCK_FILE_NAME, wait_s):
        from scraper.browser import SharedBrowser  # Playwright loads only for commands that browse

        # One browser launch for the night; each account gets its own context.
        with Store(app.paths.store_path) as store, SharedBrowser(executable=browser_path) as shared:
            result = nightly_module.run_nightly(
                config.accounts,
                _refresher(app, replay_dir, shared),
                store,
                latest_dir=app.paths.latest_dir,
                alert_settings=config.alerts,
                alert_state_path=app.paths.data_dir / alerts_module.STATE_FILE_NAME,
                attempts=attempts,
                backoff_s=backoff_s,
                on_account=on_account,
            )
    if as_json:
        click.echo(json.dumps(
            [{"account": o.account, "outcome": o.outcome, "exit_code": int(o.code), "attempts": o.attempts,
              "message": o.message, "hint": o.hint, "snapshot_id": o.snapshot_id} for o in result.outcomes],
            indent=2, ensure_ascii=False,
        ))
    console.print(f"nightly: {nightly_module.outcome_name(result.exit_code)}; log: {log_path}", highlight=False)
    click.get_current_context().exit(int(result.exit_code))


# ---------------------------------------------------------------- schedule


@click.group()
def schedule() -> None:
    """Install, show or remove the nightly job (systemd timer, launchd agent, Task Scheduler, or cron)."""


PLATFORM_OPTION = click.option(
    "--platform", "platform_", type=click.Choice(schedule_module.PLATFORMS), help="Default: this machine's scheduler."
)


@schedule.command("install")
@click.option("--at", "at_text", default="03:30", show_default=True, help="Local time of day, HH:MM (24-hour).")
@click.option("--print", "print_only", is_flag=True, help="Show what would be installed, and change nothing.")
@PLATFORM_OPTION
@click.pass_obj
def schedule_install(app: App, at_text: str, print_only: bool, platform_: str | None) -> None:
    """Install the nightly job; run again to change the time."""
    at: time = schedule_module.parse_at(at_text)
    chosen = platform_ or schedule_module.detect_platform()
    data_dir = app.paths.data_dir if _data_dir_given() else None
    plan = schedule_module.plan_install(chosen, schedule_module.nightly_command(data_dir), at, schedule_module.Locations.default())  # type: ignore[arg-type]
    if print_only:
        click.echo(plan.describe(), nl=False)
        return
    schedule_module.install(plan, run=schedule_module.run_command)
    err().print(f"installed a {chosen} job for {at.strftime('%H:%M')} every night", highlight=False)


def _data_dir_given() -> bool:
    ctx = click.get_current_context().find_root()
    return ctx.params.get("data_dir") is not None


@schedule.command("status")
@PLATFORM_OPTION
def schedule_status(platform_: str | None) -> None:
    """Say whether the nightly job is installed, and what the scheduler reports."""
    chosen = platform_ or schedule_module.detect_platform()
    st = schedule_module.status(chosen, schedule_module.Locations.default(), run=schedule_module.run_command)  # type: ignore[arg-type]
    click.echo(f"{st.platform}: {'installed' if st.installed else 'not installed'}\n{st.detail}")
    if not st.installed:
        click.get_current_context().exit(1)


@schedule.command("remove")
@PLATFORM_OPTION
def schedule_remove(platform_: str | None) -> None:
    """Remove the nightly job."""
    chosen = platform_ or schedule_module.detect_platform()
    removed = schedule_module.remove(chosen, schedule_module.Locations.default(), run=schedule_module.run_command)  # type: ignore[arg-type]
    click.echo(f"{chosen}: {'removed the nightly job' if removed else 'no nightly job was installed'}")


COMMANDS = [nightly, history, export, report, alerts, schedule]
