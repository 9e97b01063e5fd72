"""Alerts: what is announced, and that each is delivered once. Delivery goes through
apprise's own custom-notification hook (@notify) or a local HTTP endpoint: nothing external."""

from __future__ import annotations

import json
import threading
from datetime import date, datetime, timezone
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from apprise.decorators import notify

from scraper import alerts
from scraper.alerts import Alert, AlertSettings, State
from scraper.errors import ConfigInvalid
from scraper.models import Balance, Snapshot
from tests.snapshot_samples import ME, samples

DELIVERED: list[tuple[str, str]] = []


@notify(on="actest")
def _record(body: str, title: str, notify_type: str, *args: object, **kwargs: object) -> bool:
    DELIVERED.append((title, body))
    return True


@notify(on="acdown")
def _refuse(body: str, title: str, notify_type: str, *args: object, **kwargs: object) -> bool:
    return False


@pytest.fixture(autouse=True)
def _clear() -> None:
    DELIVERED.clear()


NOW = datetime(2026, 11, 19, 4, 0, tzinfo=timezone.utc)


def test_expiry_alerts_within_the_window() -> None:
    snap = samples()[2]  # promotional 10.00 USD expiring 2026-12-01
    assert alerts.expiry_alerts(snap, date(2026, 11, 19), 14) == [
        Alert(
            key="expiring:me@example.com:promotional:2026-12-01:10.00 USD",
            kind="expiring",
            account=ME,
            title="Amazon credit expires in 12 days",
            body='me@example.com: 10.00 USD of promotional (Prime Day credit, "thank you") expires on 2026-12-01.',
        )
    ]
    assert alerts.expiry_alerts(snap, date(2026, 11, 19), 11) == []  # outside the window
    assert alerts.expiry_alerts(snap, date(2026, 12, 2), 14) == []  # already expired
    assert alerts.expiry_alerts(snap, date(2026, 11, 30), 14)[0].title == "Amazon credit expires tomorrow"
    assert alerts.expiry_alerts(snap, date(2026, 12, 1), 0)[0].title == "Amazon credit expires today"


def test_change_alerts_compare_the_same_credit() -> None:
    s = samples()
    changes = alerts.change_alerts(s[0], s[2])
    assert [(a.key, a.title, a.body) for a in changes] == [
        (
            "changed:me@example.com:gift_card:None:2026-11-19T03:39:55+00:00",
            "Amazon gift card changed",
            "me@example.com: gift card went from 25.00 USD to 18.25 USD (-6.75 USD).",
        ),
        (
            "changed:me@example.com:kindle_points:None:2026-11-19T03:39:55+00:00",
            "Amazon kindle points changed",
            "me@example.com: kindle points went from 120 points to 150 points (+30 points).",
        ),
    ]
    # the promotional credit is absent from the next snapshot: not read is not a change
    assert alerts.change_alerts(s[2], s[4]) == []
    assert alerts.change_alerts(None, s[0]) == []


def test_settings_from_config_and_bad_settings() -> None:
    assert AlertSettings.from_mapping({"urls": ["actest://a"], "expiry_days": 7}) == AlertSettings(
        urls=("actest://a",), expiry_days=7, on_change=True, on_failure=True
    )
    assert AlertSettings.from_mapping(None) == AlertSettings()
    with pytest.raises(ConfigInvalid) as info:
        AlertSettings.from_mapping({"expiry_days": -1, "url": "x", "on_change": "yes"})
    assert info.value.message == (
        "the [alerts] settings are not valid:\n"
        "  alerts.expiry_days: Input should be greater than or equal to 0\n"
        "  alerts.on_change: Input should be a valid boolean\n"
        "  alerts.url: Extra inputs are not permitted"
    )
    with pytest.raises(ConfigInvalid, match="alerts.urls: Value error, must be a list of apprise notification URLs"):
        AlertSettings.from_mapping({"urls": [3]})


def test_each_alert_is_sent_once_across_runs(tmp_path: Path) -> None:
    settings = AlertSettings(urls=("actest://me",), expiry_days=14)
    s = samples()
    state_path = tmp_path / "alerts-sent.json"

    night1 = alerts.alerts_for_snapshot(s[0], s[2], settings, date(2026, 11, 19))
    first = alerts.send(night1, settings, State.load(state_path), now=NOW)
    assert [a.kind for a in first.sent] == ["expiring", "changed", "changed"]
    assert len(DELIVERED) == 3

    # the next night reads the same expiring credit again: nothing new is delivered
    night2 = alerts.alerts_for_snapshot(s[2], s[2].model_copy(update={"taken_at": datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)}), settings, date(2026, 11, 20))
    second = alerts.send(night2, settings, State.load(state_path), now=NOW)
    assert (second.sent, [a.kind for a in second.already_sent]) == ([], ["expiring"])
    assert len(DELIVERED) == 3
    assert json.loads(state_path.read_text()) == {a.key: NOW.isoformat() for a in first.sent}


def test_a_failed_delivery_is_tried_again(tmp_path: Path) -> None:
    alert = alerts.run_alert(ME, "unavailable", "amazon.com did not answer", None)
    state = State.load(tmp_path / "s.json")
    down = alerts.send([alert], AlertSettings(urls=("acdown://x",)), state, now=NOW)
    assert (down.sent, down.failed) == ([], [alert])
    up = alerts.send([alert], AlertSettings(urls=("actest://x",)), State.load(tmp_path / "s.json"), now=NOW)
    assert up.sent == [alert]
    assert DELIVERED == [("amazon-credits nightly run failed (unavailable)", "me@example.com: amazon.com did not answer")]


def test_run_alert_once_until_the_account_recovers(tmp_path: Path) -> None:
    settings = AlertSettings(urls=("actest://x",))
    path = tmp_path / "s.json"
    needed = alerts.run_alert(ME, "person_needed", "Amazon asks for a one-time code.", "Run: amazon-credits refresh --account me@example.com")
    assert needed.title == "amazon-credits needs you"
    for _ in range(3):  # three nights in a row
        alerts.send([needed], settings, State.load(path), now=NOW)
    assert len(DELIVERED) == 1
    state = State.load(path)
    state.clear_account(ME)  # a night that succeeded
    state.save()
    alerts.send([needed], settings, State.load(path), now=NOW)
    assert len(DELIVERED) == 2


def test_no_urls_means_nothing_sent_and_nothing_remembered(tmp_path: Path) -> None:
    alert = alerts.run_alert(ME, "blocked", "robot check", None)
    result = alerts.send([alert], AlertSettings(), State.load(tmp_path / "s.json"), now=NOW)
    assert (result.sent, result.failed) == ([], [])
    assert not (tmp_path / "s.json").exists()


def test_a_bad_url_is_named_without_its_secret() -> None:
    with pytest.raises(ConfigInvalid) as info:
        alerts.build_apprise(["actest://ok", "nosuchscheme://user:hunter2@host/token"])
    assert info.value.message == "alert URL #2 (nosuchscheme://…) is not a notification URL apprise understands"
    assert "hunter2" not in str(info.value)


def test_send_test_reports_each_url() -> None:
    results = alerts.send_test(AlertSettings(urls=("actest://a", "acdown://token-secret")))
    assert results == [("alert URL #1 (actest://…)", True), ("alert URL #2 (acdown://…)", False)]
    assert DELIVERED == [("amazon-credits test", "Alerts from amazon-credits reach you here.")]
    with pytest.raises(ConfigInvalid, match="no alert URLs are configured"):
        alerts.send_test(AlertSettings())


def test_state_file_that_is_not_json_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text("{not json")
    with pytest.raises(ConfigInvalid, match="cannot be read") as info:
        State.load(path)
    assert info.value.hint == "Delete it to start afresh; alerts already sent may then be sent once more."
    assert path.read_text() == "{not json"


def test_delivery_to_a_local_http_endpoint(tmp_path: Path) -> None:
    """apprise's json:// plugin posting to a server on 127.0.0.1: a real HTTP delivery, nothing external."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings = AlertSettings(urls=(f"json://127.0.0.1:{server.server_port}/hook",))
        snap = Snapshot.build(
            account=ME,
            marketplace="amazon.com",
            taken_at=NOW,
            balances=[Balance(kind="promotional", amount=Decimal("4.00"), currency="USD", expires_on=date(2026, 11, 20), page="promotional_balance")],
            problems=[],
        )
        batch = alerts.alerts_for_snapshot(None, snap, settings, NOW.date())
        alerts.send(batch, settings, State.load(tmp_path / "s.json"), now=NOW)
        alerts.send(batch, settings, State.load(tmp_path / "s.json"), now=NOW)
    finally:
        server.shutdown()
    assert [(r["title"], r["message"]) for r in received] == [
        ("Amazon credit expires tomorrow", "me@example.com: 4.00 USD of promotional expires on 2026-11-20.")
    ]
