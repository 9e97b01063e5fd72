"""After `demo`: history, every export format, the report, alerts test and schedule, through the CLI."""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from apprise.decorators import notify

from scraper import schedule
from scraper.alerts import AlertSettings
from scraper.config import Config, save_config
from scraper.exports import ExportSettings
from scraper.paths import resolve_paths
from scraper.schedule import Result
from scraper.store import Store
from tests.snapshot_samples import samples

SENT: list[str] = []


@notify(on="clitest")
def _record(body: str, title: str, notify_type: str, *args: object, **kwargs: object) -> bool:
    SENT.append(title)
    return True


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A store written by two `demo` runs, shared by the read-only tests of this module.
    Module-scoped, so it runs before the per-test isolated_home: it isolates itself the same way."""
    from click.testing import CliRunner

    from scraper import browser as browser_module
    from scraper.cli import main
    from tests.conftest import EscapeGuard

    root = tmp_path_factory.mktemp("demo")
    guard = EscapeGuard()
    with pytest.MonkeyPatch.context() as mp:
        for name, sub in [("HOME", "home"), ("XDG_DATA_HOME", "xdg/data"), ("XDG_CONFIG_HOME", "xdg/config"),
                          ("XDG_CACHE_HOME", "xdg/cache"), ("XDG_STATE_HOME", "xdg/state")]:
            (root / sub).mkdir(parents=True)
            mp.setenv(name, str(root / sub))
        mp.setattr(browser_module, "CONTEXT_HOOKS", [guard.install])
        results = []

        def target() -> None:
            for _ in range(2):
                results.append(CliRunner().invoke(main, ["--data-dir", str(root / "data"), "demo"]))

        thread = threading.Thread(target=target)  # apart from pytest-playwright's event loop
        thread.start()
        thread.join(timeout=300)
    assert [r.exit_code for r in results] == [0, 0], [r.output for r in results]
    assert not guard.escaped, f"requests escaped the recordings: {guard.escaped}"
    yield root / "data"


@pytest.mark.browser
def test_history_after_demo(run_cli: Callable, demo_data: Path) -> None:
    result = run_cli("--data-dir", str(demo_data), "history", "--json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 14  # 7 balances, twice
    first, second = rows[:7], rows[7:]
    assert [r["change"] for r in first] == [None] * 7
    assert [r["change"] for r in second] == ["0.00", "0.00", "0.00", "0.00", "0.00", "0", "0"]
    assert [(r["kind"], r["value"], r["unit"], r["expires_on"]) for r in second] == [
        ("gift_card", "0.00", "USD", None),
        ("promotional", "5.00", "USD", "2026-12-31"),
        ("promotional", "12.50", "USD", "2027-01-15"),
        ("no_rush", "1.00", "USD", "2027-03-03"),
        ("digital_credit", "5.99", "USD", "2027-06-30"),
        ("kindle_points", "1250", "points", None),
        ("reward_points", "2418", "points", None),
    ]
    only = run_cli("--data-dir", str(demo_data), "history", "--kind", "promotional", "--account", "demo")
    assert only.exit_code == 0
    assert only.stdout.count("promotional (expires") == 4 and "kindle" not in only.stdout
    assert json.loads(run_cli("--data-dir", str(demo_data), "history", "--json", "--since", "2999-01-01").stdout) == []


@pytest.mark.browser
def test_each_refresh_writes_latest_json(run_cli: Callable, demo_data: Path) -> None:
    latest = json.loads((demo_data / "latest" / "demo.json").read_text())
    exported = json.loads(run_cli("--data-dir", str(demo_data), "export", "--format", "json").stdout)
    assert latest == exported[-1]  # the second demo run replaced the first one's file
    assert [p.name for p in (demo_data / "latest").iterdir()] == ["demo.json"]  # no temp file left behind


@pytest.mark.browser
def test_every_export_format_after_demo(run_cli: Callable, demo_data: Path, tmp_path: Path) -> None:
    def export(*args: str) -> str:
        result = run_cli("--data-dir", str(demo_data), "export", *args)
        assert result.exit_code == 0, result.stderr
        return result.stdout

    snapshots = json.loads(export("--format", "json"))
    assert len(snapshots) == 2 and {s["account"] for s in snapshots} == {"demo"}
    rows = list(csv.DictReader(io.StringIO(export("--format", "csv"))))
    assert len(rows) == 14
    assert rows[1]["kind"] == "promotional" and rows[1]["amount"] == "5.00" and rows[1]["expires_on"] == "2026-12-31"
    day = snapshots[0]["taken_at"][:10]
    beancount = export("--format", "beancount").splitlines()
    assert len(beancount) == 14
    assert " balance Assets:Amazon:Demo:Promotional:Expires-2027-01-15  12.50 USD" in beancount[2]
    ledger = export("--format", "ledger", "--account-prefix", "Assets:Gifts")
    assert ledger.count(f"{day} * amazon-credits snapshot demo") == 2
    assert "    Assets:Gifts:Demo:KindlePoints  0 KINDLE_POINTS = 1250 KINDLE_POINTS" in ledger
    assert export("--format", "csv", "--account", "nobody").count("\n") == 1  # the header only
    assert json.loads(export("--until", "2000-01-01")) == []

    out = tmp_path / "out" / "credits.beancount"
    result = run_cli("--data-dir", str(demo_data), "export", "--format", "beancount", "--out", str(out))
    assert result.exit_code == 0 and out.read_text().splitlines() == beancount
    assert "wrote 2 snapshot(s) to" in result.stderr


@pytest.mark.browser
def test_export_prefix_from_the_config(run_cli: Callable, demo_data: Path) -> None:
    save_config(resolve_paths().config_file, Config(export=ExportSettings(account_prefix="Assets:Shops:Amazon")))
    result = run_cli("--data-dir", str(demo_data), "export", "--format", "beancount")
    assert result.stdout.splitlines()[0].endswith("balance Assets:Shops:Amazon:Demo:GiftCard  0.00 USD")
    bad = run_cli("--data-dir", str(demo_data), "export", "--format", "ledger", "--account-prefix", "assets")
    assert bad.exit_code == 16 and "account prefix 'assets' is not a valid account name" in bad.stderr


def test_export_of_an_empty_store_is_an_empty_array(run_cli: Callable, tmp_path: Path) -> None:
    result = run_cli("--data-dir", str(tmp_path / "none"), "export")
    assert (result.exit_code, result.stdout) == (0, "[]\n")
    assert not (tmp_path / "none" / "credits.sqlite3").exists()  # reading never creates a store


def test_report_command_writes_the_page(run_cli: Callable, tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Store(data / "credits.sqlite3") as store:
        for s in samples():
            store.append(s)
    out = tmp_path / "report.html"
    result = run_cli("--data-dir", str(data), "report", "--out", str(out), "--account", "family")
    assert result.exit_code == 0, result.stderr
    html = out.read_text()
    assert html.count('<svg class="chart"') == 1 and 'data-value="5.50"' in html
    assert "wrote" in result.stderr and "from 2 snapshot(s)" in result.stderr


def test_alerts_test_command(run_cli: Callable) -> None:
    SENT.clear()
    none = run_cli("alerts", "test")
    assert none.exit_code == 16 and "no alert URLs are configured" in none.stderr
    save_config(resolve_paths().config_file, Config(alerts=AlertSettings(urls=("clitest://a", "clitest://b"))))
    result = run_cli("alerts", "test")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["alert URL #1 (clitest://…): sent", "alert URL #2 (clitest://…): sent"]
    assert SENT == ["amazon-credits test", "amazon-credits test"]


def test_schedule_print_install_status_remove(run_cli: Callable, isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []

    def fake(argv: list[str], input_text: str | None = None) -> Result:
        calls.append(argv)
        return Result(0, "NEXT LEFT ... amazon-credits-nightly.timer")

    monkeypatch.setattr(schedule, "run_command", fake)
    data = tmp_path / "data"
    printed = run_cli("--data-dir", str(data), "schedule", "install", "--print", "--platform", "systemd", "--at", "02:10")
    assert printed.exit_code == 0, printed.stderr
    assert "OnCalendar=*-*-* 02:10:00\n" in printed.stdout
    assert f"--data-dir {data.resolve()} nightly\n" in printed.stdout
    assert calls == [] and not (isolated_home / ".config/systemd").exists()  # --print changes nothing

    assert run_cli("schedule", "install", "--platform", "systemd", "--at", "02:10").exit_code == 0
    timer = isolated_home / ".config/systemd/user/amazon-credits-nightly.timer"
    assert "OnCalendar=*-*-* 02:10:00\n" in timer.read_text()
    assert calls[-1] == ["systemctl", "--user", "enable", "--now", "amazon-credits-nightly.timer"]
    status = run_cli("schedule", "status", "--platform", "systemd")
    assert status.exit_code == 0 and status.stdout.startswith("systemd: installed\n")
    assert run_cli("schedule", "remove", "--platform", "systemd").stdout == "systemd: removed the nightly job\n"
    assert not timer.exists()
    gone = run_cli("schedule", "status", "--platform", "systemd")
    assert (gone.exit_code, gone.stdout) == (1, "systemd: not installed\nno timer installed\n")
    bad = run_cli("schedule", "install", "--at", "25:00")
    assert bad.exit_code == 16 and "--at '25:00' is not a time of day" in bad.stderr
