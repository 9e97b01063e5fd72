"""`doctor` and `record`: the tools that let a user see and fix what broke.

- `doctor` checks the browser, the keyring, the store and every selectors file
  (bundled and the user's own), then runs extraction over the bundled
  recordings and shows which candidate selector matched each field.
- `record --out DIR` runs a refresh and saves each visited page's rendered
  HTML with personal data removed (scraper/redact.py), a manifest and the
  extractor's current reading of each page, so a user can contribute a
  recording when Amazon changes a page.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from scraper.display import err, out
from scraper.errors import CreditsError, ExitCode
from scraper.extract import extract
from scraper.models import PageKind
from scraper.redact import redact_html, redact_url
from scraper.replay import bundled_recordings, load_manifest
from scraper.sitedata import available_marketplaces, bundled_dir, load_marketplace


@dataclass
class Check:
    area: str
    name: str
    ok: bool
    detail: str
    hint: str | None = None
    exit_code: ExitCode = ExitCode.OK
    fields: dict[str, str | None] = field(default_factory=dict)


def _failed(area: str, name: str, exc: Exception, code: ExitCode) -> Check:
    if isinstance(exc, CreditsError):
        return Check(area, name, False, exc.message, exc.hint, exc.exit_code)
    return Check(area, name, False, f"{type(exc).__name__}: {exc}", None, code)


def check_browser(configured: str | None) -> Check:
    """Find a Chromium and start it once, headless, in a thread of its own (a caller may own an event loop)."""
    box: dict[str, Any] = {}

    def run() -> None:
        from playwright.sync_api import sync_playwright

        from scraper.browser import find_browser, open_browser

        try:
            with sync_playwright() as playwright:
                path = find_browser(playwright, configured) or playwright.chromium.executable_path
                browser = open_browser(playwright, executable=configured)
                box["check"] = Check("browser", "chromium", True, f"{path} (version {browser.version}) starts")
                browser.close()
        except Exception as exc:  # any failure to start is what doctor reports
            box["check"] = _failed("browser", "chromium", exc, ExitCode.CONFIG_INVALID)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    return box.get("check") or Check("browser", "chromium", False, "the browser did not start within 120 s",
                                     exit_code=ExitCode.CONFIG_INVALID)


def check_keyring() -> Check:
    from scraper.credentials import usable_backend

    try:
        backend = usable_backend()
    except Exception as exc:
        return _failed("keyring", "keyring", exc, ExitCode.KEYRING_UNAVAILABLE)
    return Check("keyring", "keyring", True, f"{type(backend).__module__}.{type(backend).__name__}")


def check_store(path: Path) -> Check:
    if not path.exists():
        return Check("store", str(path), True, "not created yet: the first refresh creates it")
    from scraper.store import Store

    try:
        with Store(path) as store:
            accounts = store.accounts()
            count = sum(len(store.snapshots(account)) for account in accounts)
    except Exception as exc:
        return _failed("store", str(path), exc, ExitCode.STORE_INVALID)
    return Check("store", str(path), True, f"{count} snapshot(s) of {len(accounts)} account(s)")


def check_selectors(user: Path) -> list[Check]:
    checks = []
    for marketplace in available_marketplaces(user):
        own = user / f"{marketplace}.toml"
        where = f"{bundled_dir() / (marketplace + '.toml')}" + (f" + {own}" if own.is_file() else "")
        try:
            site = load_marketplace(marketplace, user)
        except Exception as exc:
            checks.append(_failed("selectors", marketplace, exc, ExitCode.CONFIG_INVALID))
            continue
        pages = ", ".join(kind.value for kind in site.pages)
        checks.append(Check("selectors", marketplace, True, f"{where}: {pages}"))
    return checks


def check_recordings(user: Path) -> list[Check]:
    """Extraction over every bundled recording, against its expected file; which candidate matched."""
    checks = []
    for marketplace in available_marketplaces(user):
        folder = bundled_recordings(marketplace)
        if not (folder / "manifest.toml").is_file():
            continue
        try:
            site = load_marketplace(marketplace, user)
            pages = load_manifest(folder).page
        except Exception as exc:
            checks.append(_failed("recordings", marketplace, exc, ExitCode.CONFIG_INVALID))
            continue
        for page in pages:
            name = f"{marketplace}/{page.file}"
            html = (folder / page.file).read_text(encoding="utf-8")
            result = extract(html, site, page.url)
            expected_file = folder / page.file.replace(".html", ".expected.json")
            expected = json.loads(expected_file.read_text(encoding="utf-8")) if expected_file.is_file() else None
            same = expected is not None and result.public() == expected
            detail = (
                f"{result.page.value}: {len(result.balances)} balance(s), {len(result.activity)} activity row(s)"
                + ("" if same else " — differs from its expected file" if expected is not None else " — no expected file")
            )
            checks.append(
                Check("recordings", name, same, detail, None if same else "Your selectors file may need a fix.",
                      ExitCode.OK if same else ExitCode.SITE_CHANGED, dict(result.matched))
            )
    return checks


def run_doctor(paths: Any, browser_path: str | None, with_browser: bool = True) -> list[Check]:
    checks = [check_browser(browser_path)] if with_browser else []
    checks += [check_keyring(), check_store(paths.store_path)]
    checks += check_selectors(paths.user_selectors_dir)
    checks += check_recordings(paths.user_selectors_dir)
    return checks


def _print_checks(console: Console, checks: list[Check]) -> None:
    table = Table("", "area", "what", "detail")
    for check in checks:
        mark = "[green]ok[/]" if check.ok else "[bold red]FAIL[/]"
        detail = check.detail + (f"\n[yellow]{check.hint}[/]" if check.hint else "")
        if check.fields:
            detail += "\n" + "\n".join(
                f"  {name}: {selector or '[red]no candidate matched[/]'}" for name, selector in check.fields.items()
            )
        table.add_row(mark, check.area, check.name, detail)
    console.print(table)


@click.command()
@click.option("--browser", "browser_path", envvar="AMAZON_CREDITS_BROWSER", help="Chromium or Chrome to check.")
@click.option("--no-browser", is_flag=True, help="Skip starting the browser.")
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
@click.pass_obj
def doctor(app: Any, browser_path: str | None, no_browser: bool, as_json: bool) -> None:
    """Check the browser, keyring, store, every selectors file and the bundled recordings."""
    checks = run_doctor(app.paths, browser_path, with_browser=not no_browser)
    if as_json:
        click.echo(json.dumps([c.__dict__ | {"exit_code": int(c.exit_code)} for c in checks], indent=2, ensure_ascii=False))
    else:
        _print_checks(out(), checks)
    failed = [c for c in checks if not c.ok]
    if failed:
        err().print(f"[bold red]{len(failed)} check(s) failed[/]; the first: {failed[0].area} {failed[0].name}",
                                   highlight=False)
        click.get_current_context().exit(int(failed[0].exit_code or ExitCode.INTERNAL))
    err().print(f"all {len(checks)} checks passed", highlight=False)


# ---------------------------------------------------------------- record


def _stem(kind: PageKind) -> str:
    return kind.value.replace("_", "-")


def write_recording(
    out_dir: Path, site: Any, visits: list[Any], known: list[str], when: datetime
) -> list[str]:
    """Save the visited pages, redacted, with a manifest and their current expected files. Returns the files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    origin = (
        f"<!-- origin: captured from {site.marketplace.id} by `amazon-credits record` on {when:%Y-%m-%d}; "
        "personal data removed by scraper/redact.py. Review the page before sharing it. -->\n"
    )
    entries: list[tuple[str, str]] = []
    for visit in visits:
        if visit.html is None or visit.skipped:
            continue
        pages = [(visit.url, visit.html)]
        url = visit.url
        for older in visit.extra_pages:  # older activity pages: each one's URL is the link on the page before
            url = extract(pages[-1][1], site, pages[-1][0]).next_url or f"{url}#older"
            pages.append((url, older))
        for number, (page_url, html) in enumerate(pages, start=1):
            stem = _stem(visit.kind) + ("" if number == 1 else f"-{number}")
            redacted = redact_html(html, known)
            clean_url = redact_url(page_url, known)
            (out_dir / f"{stem}.html").write_text(origin + redacted, encoding="utf-8")
            reading = extract(redacted, site, clean_url).public()
            (out_dir / f"{stem}.expected.json").write_text(
                json.dumps(reading, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            entries.append((clean_url, f"{stem}.html"))
    lines = [
        f"# Pages recorded from {site.marketplace.id} by `amazon-credits record` on {when:%Y-%m-%d %H:%M} UTC.",
        "# Personal data was removed by scraper/redact.py; look through the pages before sharing them.",
        "# Each NAME.expected.json is what the extractor read at recording time: check it against the page.",
        f'marketplace = "{site.marketplace.id}"',
    ]
    for url, file in entries:
        lines += ["", "[[page]]", f"url = {json.dumps(url)}", f'file = "{file}"', 'origin = "captured"',
                  f'source = "recorded from {site.marketplace.id} with amazon-credits record, redacted"']
    (out_dir / "manifest.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [file for _, file in entries]


class _NoStore:
    """A recording keeps no snapshot."""

    def append(self, snapshot: Any) -> int:
        return 0


@click.command()
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the redacted pages and their manifest.")
@click.option("--account", default="default", show_default=True, help="A configured account (see `login`).")
@click.option("--replay", "replay_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Record from this recordings folder instead of the live site (for testing).")
@click.option("--headed", is_flag=True, help="Show the browser window.")
@click.option("--browser", "browser_path", envvar="AMAZON_CREDITS_BROWSER", help="Chromium or Chrome to launch.")
@click.pass_obj
def record(app: Any, out_dir: Path, account: str, replay_dir: Path | None, headed: bool, browser_path: str | None) -> None:
    """Refresh and save every visited page with personal data removed, plus a manifest."""
    from scraper.refresh import RefreshRequest, run_refresh

    known: list[str] = []  # the account's email: masked wherever a page shows it
    sign_in = None
    if replay_dir is not None:
        site = load_marketplace(load_manifest(replay_dir).marketplace)
    else:
        from scraper.config import load_config
        from scraper.signin import ClickTerminal, SigninOptions, ensure_signed_in

        settings = load_config(app.paths.config_file).account(account, app.paths.config_file)
        site = load_marketplace(settings.marketplace)
        known.append(settings.email)

        def sign_in(context: Any) -> None:
            ensure_signed_in(context, account, settings.email, site, sessions_dir=app.paths.sessions_dir,
                             captures_dir=app.paths.captures_dir, options=SigninOptions(interactive=True, headed=headed),
                             terminal=ClickTerminal())

    request = RefreshRequest(account=account, site=site, replay_dir=replay_dir, headed=headed, browser_path=browser_path)
    result = run_refresh(request, _NoStore(), on_step=lambda step: click.echo(f"… {step}", err=True), sign_in=sign_in)
    files = write_recording(out_dir, site, result.visits, known, datetime.now(timezone.utc))
    click.echo(f"saved {len(files)} page(s) to {out_dir}: {', '.join(files)}", err=True)


COMMANDS = [doctor, record]
