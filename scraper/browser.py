"""Find a Chromium and launch it through Playwright.

Order: the one named by `--browser`/config or AMAZON_CREDITS_BROWSER, then
Playwright's own download, then a system Chromium or Chrome. Playwright reads
no environment variable for this, so we pass `executable_path` ourselves.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Playwright, Route
from playwright.sync_api import Error as PlaywrightError

from scraper.errors import ConfigInvalid, NoDisplay
from scraper.guard import install_guard
from scraper.replay import UNNEEDED_RESOURCES, Replay
from scraper.sitedata import SiteData

ENV_VAR = "AMAZON_CREDITS_BROWSER"

# Chromium phones home at start-up (component updates, sync, safe browsing); none of that is
# wanted for a scraper, and on a closed network each attempt is a refused connection.
LAUNCH_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    "--disable-quic",
    "--disable-features=Translate,OptimizationHints,MediaRouter",
]

_SYSTEM_NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"]
_SYSTEM_PATHS = [
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe",
]


def system_browser() -> str | None:
    for name in _SYSTEM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return next((p for p in _SYSTEM_PATHS if Path(p).is_file()), None)


def _config_browser() -> str | None:
    from scraper.config import load_config  # only when nothing more direct names a browser
    from scraper.paths import resolve_paths

    return load_config(resolve_paths().config_file).browser


def find_browser(playwright: Playwright | None = None, configured: str | None = None) -> str | None:
    """The executable to launch; None means Playwright's own download, which exists.

    First the one named: `--browser`, then AMAZON_CREDITS_BROWSER, then `browser`
    in config.toml; else Playwright's own; else a system Chromium or Chrome.
    """
    for source, named in (
        ("--browser", configured),
        (ENV_VAR, os.environ.get(ENV_VAR)),
        ("config.toml", _config_browser()),
    ):
        if named:
            if not Path(named).is_file():
                raise ConfigInvalid(
                    f"the browser named by {source}, {named}, does not exist.",
                    "Name an installed Chromium or Chrome, or remove the setting to let the tool search.",
                )
            return named
    if playwright is not None and Path(playwright.chromium.executable_path).is_file():
        return None
    found = system_browser()
    if found is None:
        raise ConfigInvalid(
            "no Chromium or Chrome was found on this machine.",
            "Install one (`apt-get install chromium`, or `python -m playwright install chromium`), "
            f"or set {ENV_VAR} to its path.",
        )
    return found


def open_browser(
    playwright: Playwright, *, headed: bool = False, executable: str | None = None
) -> Browser:
    path = find_browser(playwright, executable)
    args = list(LAUNCH_ARGS)
    if sys.platform.startswith("linux") and hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to start its sandbox as root
    try:
        return playwright.chromium.launch(headless=not headed, executable_path=path, args=args)
    except PlaywrightError as exc:
        reason = exc.message.splitlines()[0]
        if not headed:
            raise ConfigInvalid(
                f"the browser {path or playwright.chromium.executable_path} did not start: {reason}.",
                f"Check it with `python -m scraper.browser`, or name another with --browser or {ENV_VAR}.",
            ) from None
        # The usual cause: no display (a server, an ssh session without -X).
        raise NoDisplay(
            f"--headed could not open a browser window here: {reason}.",
            "Run it on a desktop, over `ssh -X`, or under `xvfb-run`.",
        ) from None


# Ads and telemetry: Amazon's client-side metrics (fls-*, unagi*, device-metrics-*), its ad
# system, and third-party trackers. Their answers change nothing a balance page shows.
UNNEEDED_HOSTS = re.compile(
    r"(^|\.)(amazon-adsystem\.com|doubleclick\.net|google-analytics\.com|googletagmanager\.com)$"
    r"|^(fls-[a-z]+|unagi(-[a-z]+)?|device-metrics-[a-z]+|aax(-[a-z0-9]+)*)\.amazon\.[a-z.]+$"
)


def unneeded(resource_type: str, url: str) -> bool:
    """Whether a live walk may skip this request. Pure."""
    return resource_type in UNNEEDED_RESOURCES or bool(UNNEEDED_HOSTS.search(urlsplit(url).hostname or ""))


def block_unneeded(context: BrowserContext) -> None:
    """Abort images, fonts, media, styles, ads and telemetry: a balance needs none of them."""

    def handle(route: Route) -> None:
        if unneeded(route.request.resource_type, route.request.url):
            route.abort("blockedbyclient")
        else:
            route.fallback()

    context.route("**/*", handle)


class SharedBrowser:
    """One Chromium for several accounts: launched on first use, closed on exit.

    Each account still gets its own context (see `new_context`), so cookies and
    storage never cross accounts; only the launch is shared. Playwright's sync
    API is bound to the thread that started it, so accounts run one after
    another in that thread.
    """

    def __init__(self, *, headed: bool = False, executable: str | None = None) -> None:
        self.headed = headed
        self.executable = executable
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    def get(self) -> Browser:
        if self._browser is None:
            from playwright.sync_api import sync_playwright

            self._playwright = sync_playwright().start()
            self._browser = open_browser(self._playwright, headed=self.headed, executable=self.executable)
        return self._browser

    def __enter__(self) -> SharedBrowser:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()
        self._browser = self._playwright = None


# Run on every new context before any other route is installed, so their routes
# take precedence. The tests add a guard here that fails on any request that
# would reach the network.
CONTEXT_HOOKS: list[Callable[[BrowserContext], None]] = []


def new_context(
    browser: Browser, site: SiteData, *, replay: Replay | None = None, storage_state: dict[str, Any] | None = None
) -> BrowserContext:
    """Every browser context the tool uses is made here, so every guard is installed on each."""
    context = browser.new_context(
        locale=site.marketplace.locale.replace("_", "-"),
        storage_state=storage_state,  # type: ignore[arg-type]
        service_workers="block",  # a service worker could answer requests our routes never see
    )
    for hook in CONTEXT_HOOKS:
        hook(context)
    if replay is not None:
        replay.install(context)
    else:
        block_unneeded(context)
    install_guard(context)  # last, so it is consulted first: nothing may place or change an order
    return context


if __name__ == "__main__":  # `python -m scraper.browser`: used by `make` to decide whether to install one
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        try:
            found = find_browser(pw)
        except ConfigInvalid as exc:
            print(exc.message)
            sys.exit(1)
        print(found or pw.chromium.executable_path)
