"""The `amazon-credits` command line.

Every known failure is a CreditsError; the group turns it into a message on
standard error (what happened, what to do) and its own exit code, listed in
README.md. Standard output carries only results (tables, or JSON with
`--json`), so scripts can read it.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import click
import structlog

from scraper import __version__
from scraper.display import balances_table, err, out, print_problems, print_snapshot
from scraper.errors import ConfigInvalid, CreditsError, ExitCode
from scraper.logs import configure_logging
from scraper.models import INFORMATIONAL_CODES, ProblemCode, Snapshot
from scraper.paths import Paths, resolve_paths
from scraper.store import Store

# Playwright, Babel, selectolax, apprise and the sign-in, refresh and history modules are
# imported by the commands that use them, not here: `show` starts in a fresh process on
# every call and must take well under 0.3 s (tests/bench.py measures it).
if TYPE_CHECKING:
    from scraper.browser import SharedBrowser
    from scraper.refresh import RefreshRequest, RefreshResult, SignIn

# Commands defined in other modules, imported when invoked (or listed by --help).
# tests/test_cli_lazy.py keeps this equal to each module's COMMANDS.
LAZY_COMMANDS = {
    **dict.fromkeys(["nightly", "history", "export", "report", "alerts", "schedule"], "scraper.cli_history"),
    **dict.fromkeys(["doctor", "record"], "scraper.cli_tools"),
    **dict.fromkeys(["login", "logout", "accounts"], "scraper.cli_signin"),
}

log = structlog.get_logger(__name__)

DEMO_ACCOUNT = "demo"
DEMO_MARKETPLACE = "amazon.com"


@dataclass
class App:
    paths: Paths
    verbose: bool

    def store(self) -> Store:
        return Store(self.paths.store_path)

    def existing_store(self) -> Store | None:
        """The store if one exists; reading commands never create one."""
        return Store(self.paths.store_path) if self.paths.store_path.exists() else None


class CreditsGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is None and name in LAZY_COMMANDS:
            module = importlib.import_module(LAZY_COMMANDS[name])
            command = next(c for c in module.COMMANDS if c.name == name)
            self.add_command(command)
        return command

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except CreditsError as exc:
            console = err()
            console.print(f"[bold red]error:[/] {exc.message}", highlight=False)
            if exc.hint:
                console.print(exc.hint, highlight=False)
            ctx.exit(int(exc.exit_code))


@click.group(cls=CreditsGroup)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="AMAZON_CREDITS_DATA_DIR",
    help="Keep the store, sessions, captures and logs here instead of the platform's data folder.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log what happens, step by step.")
@click.option(
    "--log-format",
    type=click.Choice(["auto", "console", "json"]),
    default="auto",
    show_default=True,
    help="auto: readable on a terminal, JSON lines otherwise.",
)
@click.version_option(__version__, prog_name="amazon-credits")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, verbose: bool, log_format: str) -> None:
    """Read every Amazon credit balance into exact, dated snapshots."""
    configure_logging(verbose=verbose, fmt=log_format)  # type: ignore[arg-type]
    ctx.obj = App(paths=resolve_paths(data_dir), verbose=verbose)


pass_app = click.make_pass_decorator(App)


def exit_code_for(snapshot: Snapshot) -> ExitCode:
    if snapshot.status == "complete":
        return ExitCode.OK
    if snapshot.status == "partial":
        return ExitCode.PARTIAL
    # SKIPPED (e.g. checkout after a cart that did not load) says nothing about why the rest failed.
    if all(p.code == ProblemCode.REQUEST_FAILED for p in snapshot.problems if p.code not in INFORMATIONAL_CODES):
        return ExitCode.UNAVAILABLE
    return ExitCode.SITE_CHANGED


def report_refresh(result: RefreshResult, as_json: bool) -> None:
    if as_json:
        click.echo(result.snapshot.model_dump_json(indent=2))
    else:
        print_snapshot(out(), result.snapshot)
    if result.unrecorded:
        err().print(
            f"[yellow]replay:[/] {len(result.unrecorded)} request(s) had no recording and were aborted; "
            "run with --verbose to list them.",
            highlight=False,
        )
    click.get_current_context().exit(int(exit_code_for(result.snapshot)))


def _refresh(
    app: App, request: RefreshRequest, as_json: bool, sign_in: SignIn | None = None, shared: SharedBrowser | None = None
) -> None:
    from scraper.exports import write_latest
    from scraper.refresh import run_refresh

    console = err()
    steps: list[str] = []

    def on_step(step: str) -> None:
        steps.append(step)
        console.print(f"[dim]…[/] {step}", highlight=False)

    with app.store() as store:
        result = run_refresh(request, store, on_step=on_step, sign_in=sign_in, shared=shared)
    write_latest(result.snapshot, app.paths.latest_dir)  # latest/<account>.json for dashboards, replaced atomically
    report_refresh(result, as_json)


@main.command()
@click.option("--account", default="default", show_default=True, help="The account this snapshot belongs to.")
@click.option("--marketplace", help="amazon.com, amazon.de, ... (with --replay: taken from the recordings).")
@click.option(
    "--replay",
    "replay_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Serve every page from this recordings folder instead of the network.",
)
@click.option("--headed", is_flag=True, help="Show the browser window.")
@click.option("--browser", "browser_path", envvar="AMAZON_CREDITS_BROWSER", help="Chromium or Chrome to launch.")
@click.option("--json", "as_json", is_flag=True, help="Print the snapshot as JSON instead of a table.")
@click.option("--all", "all_accounts", is_flag=True, help="Every configured account, one after another.")
@click.option("--interactive/--no-interactive", default=None,
              help="May sign-in ask for codes and captchas? Default: when standard input is a terminal.")
@pass_app
def refresh(
    app: App,
    account: str,
    marketplace: str | None,
    replay_dir: Path | None,
    headed: bool,
    browser_path: str | None,
    as_json: bool,
    all_accounts: bool,
    interactive: bool | None,
) -> None:
    """Sign in, read every balance, and store a snapshot."""
    from scraper.refresh import RefreshRequest
    from scraper.replay import load_manifest
    from scraper.sitedata import load_marketplace

    if replay_dir is None:  # live: configured accounts, signed in as needed (scraper/cli_signin.py)
        from scraper.cli_signin import refresh_accounts

        refresh_accounts(
            app, account, all_accounts,
            lambda request, sign_in, shared: _refresh(app, request, as_json, sign_in, shared),
            headed=headed, interactive=interactive, browser_path=browser_path,
        )
        return
    marketplace = marketplace or load_manifest(replay_dir).marketplace
    request = RefreshRequest(
        account=account,
        site=load_marketplace(marketplace),
        replay_dir=replay_dir,
        headed=headed,
        browser_path=browser_path,
    )
    _refresh(app, request, as_json)


@main.command()
@click.option("--headed", is_flag=True, help="Show the browser window.")
@click.option("--browser", "browser_path", envvar="AMAZON_CREDITS_BROWSER", help="Chromium or Chrome to launch.")
@click.option("--json", "as_json", is_flag=True, help="Print the snapshot as JSON instead of a table.")
@pass_app
def demo(app: App, headed: bool, browser_path: str | None, as_json: bool) -> None:
    """Refresh from the bundled amazon.com recordings, as the account `demo`."""
    from scraper.refresh import RefreshRequest
    from scraper.replay import bundled_recordings
    from scraper.sitedata import load_marketplace

    request = RefreshRequest(
        account=DEMO_ACCOUNT,
        site=load_marketplace(DEMO_MARKETPLACE),
        replay_dir=bundled_recordings(DEMO_MARKETPLACE),
        headed=headed,
        browser_path=browser_path,
    )
    _refresh(app, request, as_json)


@main.command()
@click.option("--account", help="Only this account (default: the latest snapshot of any account).")
@click.option("--json", "as_json", is_flag=True, help="Print the snapshot as JSON.")
@pass_app
def show(app: App, account: str | None, as_json: bool) -> None:
    """Print the latest snapshot. Starts no browser."""
    store = app.existing_store()
    snapshot = store.latest(account) if store else None
    if snapshot is None:
        who = f" for account {account!r}" if account else ""
        raise click.ClickException(f"no snapshot stored{who} yet; run `amazon-credits refresh` or `amazon-credits demo`.")
    if as_json:
        click.echo(snapshot.model_dump_json(indent=2))
    else:
        print_snapshot(out(), snapshot)


def _marketplace_for(url: str | None, marketplace: str | None) -> str:
    from scraper.sitedata import available_marketplaces

    if marketplace:
        return marketplace
    if url:
        host = urlsplit(url).hostname or ""
        domain = host.removeprefix("www.")
        if domain in available_marketplaces():
            return domain
    return DEMO_MARKETPLACE


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", help="The page's address, if known: it breaks ties between page kinds.")
@click.option("--marketplace", help="Default: from --url, else amazon.com.")
@click.option("--json", "as_json", is_flag=True, help="Print what the scraper sees as JSON.")
def inspect(file: Path, url: str | None, marketplace: str | None, as_json: bool) -> None:
    """Show what the scraper sees in a saved page. Starts no browser."""
    from scraper.extract import extract
    from scraper.sitedata import load_marketplace

    site = load_marketplace(_marketplace_for(url, marketplace))
    try:
        html = file.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ConfigInvalid(f"cannot read {file}: {exc.strerror}") from None
    extraction = extract(html, site, url)
    if as_json:
        click.echo(json.dumps(extraction.public(), indent=2, ensure_ascii=False))
        return
    console = out()
    error = f", error: {extraction.error}" if extraction.error else ""
    console.print(f"{file}: {extraction.page.value} page on {extraction.marketplace}{error}", highlight=False)
    if extraction.balances:
        console.print(balances_table(extraction.balances))
    for name, selector in extraction.matched.items():
        console.print(f"  {name}: {selector or '[red]no candidate matched[/]'}", highlight=False)
    print_problems(console, extraction.problems)


if __name__ == "__main__":  # pragma: no cover
    main()
