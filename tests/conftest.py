"""Shared test set-up: an isolated home, an in-memory keyring, a real Chromium,
no network, and a way to run the command line in-process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser, BrowserContext

from scraper import browser as browser_module
from scraper.cli import main
from tests.memory_keyring import MemoryKeyring

ROOT = Path(__file__).resolve().parent.parent
RECORDINGS = ROOT / "recordings"
CAPTURES = ROOT.parent / "shared" / "amazon-captures"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own HOME and XDG folders: nothing it writes lands in the real ones."""
    home = tmp_path / "home"
    for name, sub in [("HOME", ""), ("XDG_DATA_HOME", ".local/share"), ("XDG_CONFIG_HOME", ".config"),
                      ("XDG_CACHE_HOME", ".cache"), ("XDG_STATE_HOME", ".local/state")]:
        path = home / sub
        path.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(name, str(path))
    for name in ("AMAZON_CREDITS_DATA_DIR", "AMAZON_CREDITS_BROWSER"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


class EscapeGuard:
    """Lowest-priority route on every context: whatever no other route answered would
    have gone to the network. It is aborted and remembered, and the test fails."""

    def __init__(self) -> None:
        self.escaped: list[str] = []

    def install(self, context: BrowserContext) -> None:
        def handle(route) -> None:  # type: ignore[no-untyped-def]
            self.escaped.append(route.request.url)
            route.abort("blockedbyclient")

        context.route("**/*", handle)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[EscapeGuard]:
    guard = EscapeGuard()
    monkeypatch.setattr(browser_module, "CONTEXT_HOOKS", [guard.install])
    yield guard
    assert not guard.escaped, f"requests escaped the recordings: {guard.escaped}"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:  # pytest-playwright's hook
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        executable = browser_module.find_browser(pw)
    return {**browser_type_launch_args, "executable_path": executable, "args": browser_module.LAUNCH_ARGS}


@pytest.fixture
def context(browser: Browser, no_network: EscapeGuard) -> Iterator[BrowserContext]:
    """pytest-playwright's context, with the escape guard installed first."""
    ctx = browser.new_context(service_workers="block")
    no_network.install(ctx)
    yield ctx
    ctx.close()


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None


@pytest.fixture
def run_cli(isolated_home: Path):
    """Run `amazon-credits ARGS` in-process. A worker thread keeps its Playwright
    apart from pytest-playwright's, which owns the main thread's event loop."""

    def run(*args: str, input: str | None = None) -> CliResult:
        box: dict[str, object] = {}

        def target() -> None:
            box["result"] = CliRunner().invoke(main, list(args), input=input, catch_exceptions=True)

        thread = threading.Thread(target=target)
        thread.start()
        thread.join(timeout=300)
        assert not thread.is_alive(), f"amazon-credits {' '.join(args)} did not finish"
        result = box["result"]
        exc = result.exception if not isinstance(result.exception, SystemExit) else None  # type: ignore[attr-defined]
        return CliResult(result.exit_code, result.stdout, result.stderr, exc)  # type: ignore[attr-defined]

    return run


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    """The figures the verification suites collected (mutations run and caught, ...)."""
    from tests.verification_report import summary_lines

    for line in summary_lines():
        terminalreporter.write_line(line)
