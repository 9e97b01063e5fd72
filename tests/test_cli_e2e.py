"""The refresh pipeline end to end: real headless Chromium, replayed amazon.com pages,
driven through the command line; then show and export on the store it wrote."""

import json
import shutil
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

from scraper.models import snapshot_json_schema
from tests.conftest import CAPTURES, RECORDINGS

pytestmark = pytest.mark.browser


def balances_of(snapshot: dict) -> list[tuple]:
    return [(b["kind"], b["amount"], b["currency"], b["points"], b["expires_on"], b["page"]) for b in snapshot["balances"]]


EXPECTED_DEMO = [
    ("gift_card", "0.00", "USD", None, None, "gift_card_balance"),
    ("promotional", "5.00", "USD", None, "2026-12-31", "promotional_balance"),
    ("promotional", "12.50", "USD", None, "2027-01-15", "promotional_balance"),
    ("no_rush", "1.00", "USD", None, "2027-03-03", "rewards"),
    ("digital_credit", "5.99", "USD", None, "2027-06-30", "rewards"),
    ("kindle_points", None, None, 1250, None, "kindle_rewards"),
    ("reward_points", None, None, 2418, None, "checkout_payment"),
]


def test_demo_show_and_export(run_cli, isolated_home: Path) -> None:
    demo = run_cli("demo", "--json")
    assert demo.exit_code == 0, demo.stderr
    snapshot = json.loads(demo.stdout)
    assert snapshot["account"] == "demo" and snapshot["marketplace"] == "amazon.com"
    assert snapshot["status"] == "complete" and snapshot["problems"] == []
    assert balances_of(snapshot) == EXPECTED_DEMO
    assert snapshot["taken_at"].endswith("Z")
    for step in ("reading the gift card balance page", "reading the promotional balance page",
                 "reading the checkout payment page", "saving the snapshot"):
        assert step in demo.stderr
    assert "no recording" not in demo.stderr

    # The store lives in the platform data folder, which XDG_DATA_HOME moved.
    assert (isolated_home / ".local/share/amazon-credits/credits.sqlite3").is_file()

    shown = run_cli("show", "--account", "demo", "--json")
    assert shown.exit_code == 0 and json.loads(shown.stdout) == snapshot

    exported = run_cli("export", "--format", "json")
    assert exported.exit_code == 0
    array = json.loads(exported.stdout)
    assert array == [snapshot]
    for item in array:
        jsonschema.validate(item, snapshot_json_schema())

    table = run_cli("show", "--account", "demo")
    assert "2,418 points" in table.stdout and "12.50 USD" in table.stdout


def test_refresh_replay_with_a_missing_page_reports_it(run_cli, tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    shutil.copytree(RECORDINGS / "amazon.com", folder)
    manifest = (folder / "manifest.toml").read_text()
    start = manifest.index('[[page]]\nurl = "https://www.amazon.com/gc/promotional-balance"')
    end = manifest.index("[[page]]", start + 1)
    (folder / "manifest.toml").write_text(manifest[:start] + manifest[end:])
    data = tmp_path / "data"

    result = run_cli("--data-dir", str(data), "refresh", "--replay", str(folder), "--account", "me", "--json")
    assert result.exit_code == 3, result.stderr  # partial
    snapshot = json.loads(result.stdout)
    assert snapshot["status"] == "partial"
    assert [(p["page"], p["code"]) for p in snapshot["problems"]] == [("promotional_balance", "request_failed")]
    assert "1 request(s) had no recording" in result.stderr
    # the promotional total read at checkout is kept, since its own page gave nothing
    assert ("promotional", "17.50", "USD", None, None, "checkout_payment") in balances_of(snapshot)
    assert (data / "credits.sqlite3").is_file()


def test_show_before_any_refresh_says_what_to_do(run_cli) -> None:
    result = run_cli("show", "--account", "nobody")
    assert result.exit_code == 1
    assert "no snapshot stored for account 'nobody' yet" in result.stderr


def test_export_to_a_file(run_cli, tmp_path: Path) -> None:
    assert run_cli("demo").exit_code == 0
    out = tmp_path / "out" / "snapshots.json"
    result = run_cli("export", "--format", "json", "--out", str(out))
    assert result.exit_code == 0 and "wrote 1 snapshot(s)" in result.stderr
    [snapshot] = json.loads(out.read_text())
    assert Decimal(snapshot["balances"][1]["amount"]) == Decimal("5.00")


def test_inspect_real_capture_and_without_balance(run_cli, tmp_path: Path) -> None:
    capture = CAPTURES / "balance" / "gift-card-balance.html"
    result = run_cli("inspect", str(capture), "--json")
    assert result.exit_code == 0
    seen = json.loads(result.stdout)
    assert seen["page"] == "gift_card_balance" and seen["marketplace"] == "amazon.com"
    assert [(b["kind"], b["amount"], b["currency"]) for b in seen["balances"]] == [("gift_card", "0.00", "USD")]

    html = capture.read_text()
    start = html.index('<span id="gc-ui-balance-gc-balance-value"')
    stripped = tmp_path / "no-balance.html"
    stripped.write_text(html[:start] + html[html.index("</span>", start) + len("</span>"):])
    result = run_cli("inspect", str(stripped), "--json")
    seen = json.loads(result.stdout)
    assert [b for b in seen["balances"] if b["kind"] == "gift_card"] == []
    assert ("gift_card_balance", "field_not_found") in [(p["page"], p["code"]) for p in seen["problems"]]


def test_corrupt_store_gives_a_clear_error_and_is_left_alone(run_cli, isolated_home: Path) -> None:
    store = isolated_home / ".local/share/amazon-credits/credits.sqlite3"
    store.parent.mkdir(parents=True)
    store.write_bytes(b"garbage" * 50)
    result = run_cli("show")
    assert result.exit_code == 17
    assert "not a readable snapshot store" in result.stderr and "left as it is" in result.stderr
    assert store.read_bytes() == b"garbage" * 50


def test_a_browser_that_does_not_start_is_a_clear_error(run_cli) -> None:
    result = run_cli("demo", "--browser", "/bin/false")
    assert result.exit_code == 16, result.stderr
    assert "the browser /bin/false did not start" in result.stderr
    assert "--browser or AMAZON_CREDITS_BROWSER" in result.stderr


def test_the_browser_named_in_config_is_used(run_cli, isolated_home: Path) -> None:
    from scraper.browser import find_browser

    config = isolated_home / ".config/amazon-credits/config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('browser = "/nonexistent/chromium"\n')
    result = run_cli("demo")
    assert result.exit_code == 16
    assert "the browser named by config.toml, /nonexistent/chromium, does not exist" in result.stderr

    fake = isolated_home / "my-chrome"
    fake.write_text("")
    config.write_text(f'browser = "{fake}"\n')
    assert find_browser(None, None) == str(fake)
    assert find_browser(None, "/bin/true") == "/bin/true"  # --browser comes first
