"""`login`, `logout` and `accounts`: the accounts and their secrets.

Secrets are asked without echo and go to the keyring only; the config keeps
names, marketplaces and emails. `login` checks what it was given by signing
in (reusing the saved session when Amazon still accepts it).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
import pyotp
from playwright.sync_api import BrowserContext, sync_playwright
from pydantic import ValidationError

from scraper import credentials
from scraper.browser import SharedBrowser, new_context, open_browser
from scraper.config import Account, Config, load_config, save_config, with_account, without_account
from scraper.credentials import Secrets
from scraper.errors import BadCredentials, ConfigInvalid, CreditsError, KeyringUnavailable, what_is_wrong
from scraper.refresh import RefreshRequest
from scraper.sessions import delete_session, session_file
from scraper.signin import ClickTerminal, SigninOptions, Terminal, ensure_signed_in
from scraper.sitedata import SiteData, load_marketplace


@contextmanager
def browser_context(site: SiteData, *, headed: bool, browser_path: str | None) -> Iterator[BrowserContext]:
    """A fresh browser and context, closed afterwards, whatever happens."""
    with sync_playwright() as playwright:
        browser = open_browser(playwright, headed=headed, executable=browser_path)
        try:
            yield new_context(browser, site)
        finally:
            browser.close()


def _interactive(choice: bool | None) -> bool:
    return sys.stdin.isatty() if choice is None else choice


def _valid_totp(secret: str) -> str:
    cleaned = secret.replace(" ", "").upper()
    try:
        pyotp.TOTP(cleaned).now()
    except Exception:  # binascii.Error or ValueError, depending on what is wrong with it
        raise click.BadParameter("that is not an authenticator secret (base32 letters and digits).") from None
    return cleaned


def _account_settings(config: Config, name: str, email: str | None, marketplace: str | None, interactive: bool) -> Account:
    current = config.accounts.get(name)
    email = email or (current.email if current else None)
    if email is None:
        if not interactive:
            raise click.UsageError(f"account {name!r} is new: give its sign-in email with --email.")
        email = str(click.prompt("Amazon sign-in email or mobile number", err=True)).strip()
    try:
        return Account(marketplace=marketplace or (current.marketplace if current else "amazon.com"), email=email)
    except ValidationError as exc:
        raise click.UsageError("; ".join(what_is_wrong(exc))) from None


@click.command()
@click.option("--account", "name", default="default", show_default=True, help="A name for this Amazon account.")
@click.option("--marketplace", help="amazon.com (default), amazon.de, ...")
@click.option("--email", help="The email or mobile number you sign in with.")
@click.option("--totp-secret", "ask_totp", is_flag=True,
              help="Also store the authenticator (TOTP) secret, asked without echo, so codes need nobody.")
@click.option("--new-password", is_flag=True, help="Ask for the password even though one is stored.")
@click.option("--verify/--no-verify", default=True, show_default=True, help="Check by signing in.")
@click.option("--headed", is_flag=True, help="Sign in in a visible window; finish any challenge there.")
@click.option("--interactive/--no-interactive", default=None,
              help="May the sign-in ask for codes and captchas? Default: when standard input is a terminal.")
@click.option("--approval-timeout", type=click.FloatRange(min=1), default=180, show_default=True,
              help="Seconds to wait for you to approve the sign-in in the Amazon app.")
@click.option("--poll-interval", type=click.FloatRange(min=0), default=5, hidden=True)
@click.option("--backoff", type=click.FloatRange(min=0), default=2, hidden=True,
              help="Seconds before retrying a page that timed out or answered 5xx; doubles each time.")
@click.option("--browser", "browser_path", envvar="AMAZON_CREDITS_BROWSER", help="Chromium or Chrome to launch.")
@click.pass_obj
def login(
    app: Any, name: str, marketplace: str | None, email: str | None, ask_totp: bool, new_password: bool,
    verify: bool, headed: bool, interactive: bool | None, approval_timeout: float, poll_interval: float,
    backoff: float, browser_path: str | None,
) -> None:
    """Store an account's password (and authenticator secret) in the keyring and sign in."""
    paths = app.paths
    asking = _interactive(interactive)
    credentials.usable_backend()  # before asking anything: no keyring, no point typing a password
    config = load_config(paths.config_file)
    settings = _account_settings(config, name, email, marketplace, asking)
    site = load_marketplace(settings.marketplace)
    stored = credentials.load_secrets(name)
    if stored is not None and settings.email != getattr(config.accounts.get(name), "email", None):
        new_password = True  # another Amazon account under this name: its password too
    password = stored.password if stored and not new_password else None
    if password is None:
        password = str(click.prompt(f"Amazon password for {settings.email}", hide_input=True, err=True))
    totp = _valid_totp(str(click.prompt("Authenticator (TOTP) secret", hide_input=True, err=True))) if ask_totp else (
        stored.totp_secret if stored else None
    )
    secrets = Secrets(password=password, totp_secret=totp)
    changed = stored is None or stored != secrets
    if changed:
        delete_session(paths.sessions_dir, name)  # a session of the old secrets proves nothing about the new
    terminal = ClickTerminal()
    if verify:
        options = SigninOptions(
            interactive=asking, headed=headed, approval_timeout=approval_timeout, poll_interval=poll_interval,
            backoff=backoff,
        )
        try:
            with browser_context(site, headed=headed, browser_path=browser_path) as context:
                signed_in = ensure_signed_in(
                    context, name, settings.email, site, sessions_dir=paths.sessions_dir,
                    captures_dir=paths.captures_dir, options=options, terminal=terminal, secrets=secrets,
                )
        except BadCredentials:
            raise  # nothing stored: the previous secrets (if any) stay as they were
        except CreditsError as exc:
            # Not refused, only not finished: keep what was typed so the hint's command works.
            _store(paths, config, name, settings, secrets)
            exc.hint = f"{exc.hint or ''}\nThe password is stored; the sign-in is not finished.".strip()
            raise
        _store(paths, config, name, settings, secrets)
        how = "signed in" if signed_in else "still signed in (saved session)"
        terminal.say(f"Account {name!r}: {how} on {site.marketplace.id}; the session is saved for later runs.")
    else:
        _store(paths, config, name, settings, secrets)
        terminal.say(f"Account {name!r} stored (not checked: --no-verify).")


def _store(paths: Any, config: Config, name: str, settings: Account, secrets: Secrets) -> None:
    credentials.store_secrets(name, secrets)
    save_config(paths.config_file, with_account(config, name, settings))


@click.command()
@click.option("--account", "name", default="default", show_default=True)
@click.option("--forget", is_flag=True, help="Also remove the account from the config.")
@click.pass_obj
def logout(app: Any, name: str, forget: bool) -> None:
    """Remove an account's secrets and its saved session."""
    paths = app.paths
    config = load_config(paths.config_file)
    if name not in config.accounts:
        raise ConfigInvalid(f"no account named {name!r} in {paths.config_file}.", "See `amazon-credits accounts`.")
    removed = credentials.forget_account(name)
    session = delete_session(paths.sessions_dir, name)
    if forget:
        save_config(paths.config_file, without_account(config, name))
    parts = [*(f"the {what.replace('-', ' ')}" for what in removed), *(["the saved session"] if session else [])]
    click.echo(f"Account {name!r}: removed {', '.join(parts) or 'nothing (no secrets were stored)'}"
               f"{' and its config entry' if forget else ''}.", err=True)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_obj
def accounts(app: Any, as_json: bool) -> None:
    """List the accounts: name, marketplace, email, and whether secrets and a session are stored. Never a secret."""
    paths = app.paths
    config = load_config(paths.config_file)
    rows: list[dict[str, Any]] = []
    keyring_note = None
    for name, account in sorted(config.accounts.items()):
        row: dict[str, Any] = {"account": name, "marketplace": account.marketplace, "email": account.email}
        try:
            secrets = credentials.load_secrets(name)
            row["password_stored"] = secrets is not None
            row["totp_stored"] = bool(secrets and secrets.totp_secret)
        except KeyringUnavailable as exc:
            row["password_stored"] = row["totp_stored"] = None
            keyring_note = exc.message
        row["session_saved"] = session_file(paths.sessions_dir, name).exists()
        rows.append(row)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    elif not rows:
        click.echo(f"No accounts yet ({paths.config_file}); add one with `amazon-credits login --email EMAIL`.", err=True)
    else:
        def mark(value: bool | None) -> str:
            return "?" if value is None else ("yes" if value else "no")

        click.echo(f"{'account':<16} {'marketplace':<14} {'email':<32} password totp session")
        for r in rows:
            click.echo(f"{r['account']:<16} {r['marketplace']:<14} {r['email']:<32} {mark(r['password_stored']):<8} "
                       f"{mark(r['totp_stored']):<4} {mark(r['session_saved'])}")
    if keyring_note:
        click.echo(f"note: {keyring_note}", err=True)


COMMANDS = [login, logout, accounts]


# ---------------------------------------------------------------- refresh --account / --all


def signin_hook(
    paths: Any, name: str, email: str, site: SiteData, options: SigninOptions, terminal: Terminal | None = None
) -> Callable[[BrowserContext], None]:
    """What `run_refresh` calls with its fresh context: reuse the session, or sign in.
    `terminal`: where messages and questions go (nightly passes one with nobody there)."""

    def sign_in(context: BrowserContext) -> None:
        ensure_signed_in(
            context, name, email, site, sessions_dir=paths.sessions_dir, captures_dir=paths.captures_dir,
            options=options, terminal=terminal or ClickTerminal(),
        )

    return sign_in


def refresh_accounts(
    app: Any,
    account: str,
    all_accounts: bool,
    refresh_one: Callable[[RefreshRequest, Callable[[BrowserContext], None], SharedBrowser], None],
    *,
    headed: bool,
    interactive: bool | None,
    browser_path: str | None,
) -> None:
    """Live `refresh`: one configured account, or `--all` of them, each signed in as needed.

    With several accounts one failing does not stop the others; the exit code
    is the first failure's (0 when all succeeded).
    """
    paths = app.paths
    config = load_config(paths.config_file)
    names = sorted(config.accounts) if all_accounts else [account]
    if not names:
        raise ConfigInvalid(f"no accounts are configured in {paths.config_file}.",
                            "Add one with `amazon-credits login --account NAME --email EMAIL`.")
    options = SigninOptions(interactive=_interactive(interactive), headed=headed)
    codes: list[int] = []
    with SharedBrowser(headed=headed, executable=browser_path) as shared:  # one launch for all accounts
        for name in names:
            settings = config.account(name, paths.config_file)
            site = load_marketplace(settings.marketplace)
            request = RefreshRequest(account=name, site=site, headed=headed, browser_path=browser_path)
            try:
                refresh_one(request, signin_hook(paths, name, settings.email, site, options), shared)
                codes.append(0)
            except click.exceptions.Exit as done:  # the report's exit code
                codes.append(done.exit_code)
            except CreditsError as exc:
                if len(names) == 1:
                    raise
                click.echo(f"error: account {name!r}: {exc.message}", err=True)
                if exc.hint:
                    click.echo(exc.hint, err=True)
                codes.append(int(exc.exit_code))
    raise click.exceptions.Exit(next((code for code in codes if code), 0))
