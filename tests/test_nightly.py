"""`nightly`: every account, unattended. Outcomes per account, the worst as exit code,
retries only for transient failures, the lock, no standard input, JSON logs, alerts once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
import structlog
from apprise.decorators import notify

from scraper import nightly
from scraper.logs import configure_file_logging
from scraper.alerts import AlertSettings
from scraper.config import Account, Config, save_config
from scraper.errors import BadCredentials, Blocked, ExitCode, PersonNeeded, Unavailable
from scraper.models import Balance, Problem, Snapshot
from scraper.paths import resolve_paths
from scraper.store import Store
from tests.conftest import RECORDINGS

ROOT = Path(__file__).resolve().parent.parent
SENT: list[tuple[str, str]] = []


@notify(on="nightlytest")
def _record(body: str, title: str, notify_type: str, *args: object, **kwargs: object) -> bool:
    SENT.append((title, body))
    return True


@pytest.fixture(autouse=True)
def _clear_sent() -> Iterator[None]:
    SENT.clear()
    yield
    structlog.reset_defaults()  # nightly points structlog at its log file; leave no trace for other tests


T = datetime(2026, 11, 21, 3, 30, tzinfo=timezone.utc)


def _snap(account: str, amount: str = "10.00", problems: list[Problem] | None = None, balances: bool = True) -> Snapshot:
    bal = [Balance(kind="gift_card", amount=Decimal(amount), currency="USD", page="gift_card_balance")] if balances else []
    return Snapshot.build(account=account, marketplace="amazon.com", taken_at=T, balances=bal, problems=problems or [])


UNREACHABLE = Problem(page="gift_card_balance", code="request_failed", message="https://www.amazon.com/gc/balance: timed out")
NOT_VISITED = Problem(page="checkout_payment", code="skipped", message="the cart could not be loaded, so the payment step was not visited")


class Script:
    """A refresher that plays a script per account: each call takes the next step (an exception or a snapshot)."""

    def __init__(self, steps: dict[str, list[object]]) -> None:
        self.steps = steps
        self.calls: list[str] = []

    def __call__(self, name: str, account: object) -> Snapshot:
        self.calls.append(name)
        step = self.steps[name].pop(0)
        if isinstance(step, BaseException):
            raise step
        assert isinstance(step, Snapshot)
        return step


def _run(tmp_path: Path, script: Script, accounts: list[str], settings: AlertSettings | None = None, sleeps: list[float] | None = None) -> nightly.NightlyResult:
    waits = sleeps if sleeps is not None else []
    with Store(tmp_path / "credits.sqlite3") as store:
        return nightly.run_nightly(
            {a: Account(email=f"{a}@example.com") for a in accounts},
            script,
            store,
            latest_dir=tmp_path / "latest",
            alert_settings=settings or AlertSettings(),
            alert_state_path=tmp_path / "alerts-sent.json",
            attempts=3,
            backoff_s=5,
            sleep=waits.append,
        )


def test_one_account_failing_does_not_stop_the_others(tmp_path: Path) -> None:
    script = Script({
        "home": [_snap("home", "10.00")],
        "work": [PersonNeeded("Amazon asks for a one-time code.", "Run `amazon-credits login --account work`.")],
        "kids": [RuntimeError("a bug")],
        "gran": [_snap("gran", "3.00")],
    })
    result = _run(tmp_path, script, ["home", "work", "kids", "gran"])
    assert [(o.account, o.outcome, o.attempts) for o in result.outcomes] == [
        ("home", "ok", 1),
        ("work", "person_needed", 1),
        ("kids", "internal", 1),
        ("gran", "ok", 1),
    ]
    assert result.exit_code == ExitCode.INTERNAL
    assert result.outcomes[1].message == "Amazon asks for a one-time code."
    with Store(tmp_path / "credits.sqlite3") as store:
        assert store.accounts() == ["gran", "home"]
    assert sorted(p.name for p in (tmp_path / "latest").iterdir()) == ["gran.json", "home.json"]
    assert Snapshot.model_validate_json((tmp_path / "latest" / "home.json").read_text()) == _snap("home", "10.00")


@pytest.mark.parametrize(
    ("codes", "worst"),
    [
        ([ExitCode.OK, ExitCode.PARTIAL], ExitCode.PARTIAL),
        ([ExitCode.UNAVAILABLE, ExitCode.PARTIAL, ExitCode.OK], ExitCode.UNAVAILABLE),
        ([ExitCode.UNAVAILABLE, ExitCode.PERSON_NEEDED], ExitCode.PERSON_NEEDED),
        ([ExitCode.BLOCKED, ExitCode.BAD_CREDENTIALS, ExitCode.SITE_CHANGED], ExitCode.BAD_CREDENTIALS),
        ([], ExitCode.OK),
    ],
)
def test_exit_code_is_the_worst_outcome(codes: list[ExitCode], worst: ExitCode) -> None:
    assert nightly.worst(codes) == worst


def test_only_transient_failures_are_retried(tmp_path: Path) -> None:
    sleeps: list[float] = []
    script = Script({
        # Unavailable twice, then it works: three tries, waits 5 s then 10 s
        "flaky": [Unavailable("timed out"), Unavailable("HTTP 503"), _snap("flaky")],
        # every page failed to load: a transient snapshot, retried until the last try, then kept
        "down": [_snap("down", problems=[UNREACHABLE, NOT_VISITED], balances=False)] * 3,
        # never retried: a wrong password (retries lock accounts), a robot check, a partial read
        "wrong": [BadCredentials("Amazon does not know this password.")],
        "robot": [Blocked("a robot check stopped the run")],
        "half": [_snap("half", problems=[Problem(page="rewards", code="field_not_found", message="no points found")])],
    })
    result = _run(tmp_path, script, ["flaky", "down", "wrong", "robot", "half"], sleeps=sleeps)
    assert [(o.account, o.outcome, o.attempts) for o in result.outcomes] == [
        ("flaky", "ok", 3),
        ("down", "unavailable", 3),
        ("wrong", "bad_credentials", 1),
        ("robot", "blocked", 1),
        ("half", "partial", 1),
    ]
    assert script.calls == ["flaky"] * 3 + ["down"] * 3 + ["wrong", "robot", "half"]
    assert sleeps == [5, 10, 5, 10]
    with Store(tmp_path / "credits.sqlite3") as store:
        # one snapshot per account that produced one, not one per try
        assert [s.account for s in store.snapshots()] == ["flaky", "down", "half"]


def test_failure_alerts_are_sent_once_until_the_account_recovers(tmp_path: Path) -> None:
    settings = AlertSettings(urls=("nightlytest://me",))
    needed = PersonNeeded("Amazon asks for a one-time code.", "Run `amazon-credits login --account work`.")
    for _ in range(2):  # two nights, the same trouble
        _run(tmp_path, Script({"home": [_snap("home")], "work": [needed]}), ["home", "work"], settings)
    assert SENT == [("amazon-credits needs you", "work: Amazon asks for a one-time code.\nRun `amazon-credits login --account work`.")]
    _run(tmp_path, Script({"home": [_snap("home")], "work": [_snap("work")]}), ["home", "work"], settings)  # recovered
    _run(tmp_path, Script({"home": [_snap("home")], "work": [needed]}), ["home", "work"], settings)  # again: news again
    assert len(SENT) == 2


def test_a_damaged_alert_state_costs_the_alerts_not_the_snapshots(tmp_path: Path) -> None:
    (tmp_path / "alerts-sent.json").write_text("{damaged")
    result = _run(tmp_path, Script({"home": [_snap("home")]}), ["home"], AlertSettings(urls=("nightlytest://me",)))
    assert [(o.account, o.outcome) for o in result.outcomes] == [("home", "ok"), ("(alerts)", "config_invalid")]
    assert result.exit_code == ExitCode.CONFIG_INVALID
    with Store(tmp_path / "credits.sqlite3") as store:
        assert store.latest("home") == _snap("home")
    assert (tmp_path / "alerts-sent.json").read_text() == "{damaged"  # left as it was


def test_balance_change_alert_compares_with_the_stored_previous_snapshot(tmp_path: Path) -> None:
    settings = AlertSettings(urls=("nightlytest://me",))
    _run(tmp_path, Script({"home": [_snap("home", "10.00")]}), ["home"], settings)
    later = _snap("home", "7.50").model_copy(update={"taken_at": datetime(2026, 11, 22, 3, 30, tzinfo=timezone.utc)})
    _run(tmp_path, Script({"home": [later]}), ["home"], settings)
    assert SENT == [("Amazon gift card changed", "home: gift card went from 10.00 USD to 7.50 USD (-2.50 USD).")]


# ---------------------------------------------------------------- through the command line


def _configure(accounts: dict[str, str]) -> Path:
    """Accounts in the isolated config folder (conftest moved XDG_CONFIG_HOME)."""
    path = resolve_paths().config_file
    save_config(path, Config(accounts={name: Account(marketplace=m, email=f"{name}@example.com") for name, m in accounts.items()}))
    return path


def _unreachable_recordings(tmp_path: Path) -> Path:
    """A recordings folder with no pages: every request is aborted, as when amazon.com is down."""
    folder = tmp_path / "replay" / "work"
    folder.mkdir(parents=True)
    (folder / "manifest.toml").write_text('marketplace = "amazon.com"\n')
    return folder


@pytest.mark.browser
def test_nightly_runs_several_accounts_from_recordings(run_cli: Callable, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # home is served by the bundled amazon.com recordings; work's folder answers nothing.
    from scraper import browser as browser_module

    launches: list[object] = []
    contexts: list[object] = []
    real_open, real_context = browser_module.open_browser, browser_module.new_context
    monkeypatch.setattr(browser_module, "open_browser", lambda *a, **k: launches.append(a) or real_open(*a, **k))
    monkeypatch.setattr("scraper.refresh.new_context", lambda *a, **k: contexts.append(a) or real_context(*a, **k))
    _configure({"home": "amazon.com", "work": "amazon.com"})
    replay_root = tmp_path / "replay"
    _unreachable_recordings(tmp_path)
    for item in (RECORDINGS / "amazon.com").iterdir():
        (replay_root / item.name).symlink_to(item)
    data = tmp_path / "data"
    result = run_cli("--data-dir", str(data), "nightly", "--replay", str(replay_root), "--attempts", "2", "--backoff", "0", "--json", input="do not read me\n")
    assert result.exit_code == ExitCode.UNAVAILABLE, result.stderr
    outcomes = json.loads(result.stdout)
    assert [(o["account"], o["outcome"], o["exit_code"], o["attempts"]) for o in outcomes] == [
        ("home", "ok", 0, 1),
        ("work", "unavailable", 14, 2),
    ]
    # one Chromium for the night, a fresh context for each of the three attempts
    assert (len(launches), len(contexts)) == (1, 3)
    assert "home: ok (complete: 7 balance(s))" in result.stderr
    assert "nightly: unavailable; log: " in result.stderr

    with Store(data / "credits.sqlite3") as store:
        home = store.latest("home")
        assert home is not None and home.status == "complete" and len(home.balances) == 7
        assert store.latest("work").status == "failed"  # type: ignore[union-attr]
    assert json.loads((data / "latest" / "home.json").read_text())["account"] == "home"

    # JSON lines in the log folder say what happened to each account
    lines = [json.loads(line) for line in (data / "logs" / "nightly.log").read_text().splitlines()]
    done = [(e["account"], e["outcome"], e["exit_code"]) for e in lines if e["event"] == "account_done"]
    assert done == [("home", "ok", 0), ("work", "unavailable", 14)]
    assert [e["exit_code"] for e in lines if e["event"] == "nightly_done"] == [14]
    assert any(e["event"] == "account_retry" and e["account"] == "work" for e in lines)


def test_nightly_never_reads_standard_input(run_cli: Callable, monkeypatch: pytest.MonkeyPatch) -> None:
    # A refresher that tries to prompt gets end-of-file at once, even with input waiting.
    from scraper import cli_history

    def prompting(name: str, account: object) -> Snapshot:
        input("one-time code: ")
        raise AssertionError("input() returned")

    monkeypatch.setattr(cli_history, "_refresher", lambda app, replay, browser: prompting)
    _configure({"home": "amazon.com"})
    result = run_cli("nightly", "--json", input="123456\n")
    prompt, _, rest = result.stdout.partition("[")
    assert prompt == "one-time code: "  # asked, and got end-of-file rather than the waiting 123456
    outcomes = json.loads("[" + rest)
    assert [(o["account"], o["outcome"]) for o in outcomes] == [("home", "internal")]
    assert outcomes[0]["message"] == "internal error: EOFError: EOF when reading a line"
    assert result.exit_code == ExitCode.INTERNAL


def test_nightly_with_no_accounts_says_how_to_add_one(run_cli: Callable) -> None:
    result = run_cli("nightly")
    assert result.exit_code == ExitCode.CONFIG_INVALID
    assert "no accounts are configured in" in result.stderr
    assert "amazon-credits login --account NAME --email EMAIL" in result.stderr


def _subprocess_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def test_a_second_run_waits_then_exits_busy(tmp_path: Path) -> None:
    _configure({"home": "amazon.com"})
    data = tmp_path / "data"
    data.mkdir()
    lock = data / "nightly.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import sys, time; from filelock import FileLock; l = FileLock({str(lock)!r}); l.acquire(); print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "scraper.cli", "--data-dir", str(data), "nightly", "--wait", "1.5"],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, env=_subprocess_env(), timeout=60,
        )
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == ExitCode.BUSY, proc.stderr
    assert f"another nightly run still holds {lock} after 1.5 s of waiting." in proc.stderr.replace("\n", "")
    assert 1.5 <= waited < 30
    assert not (data / "credits.sqlite3").exists()  # it did nothing


def test_nightly_with_standard_input_closed(tmp_path: Path) -> None:
    """As a scheduler starts it: file descriptor 0 closed. No accounts here, so no browser;
    the run must still end at once with its message instead of failing on a missing stdin."""
    proc = subprocess.run(
        [sys.executable, "-m", "scraper.cli", "--data-dir", str(tmp_path / "data"), "nightly"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, env=_subprocess_env(), timeout=60,
        preexec_fn=lambda: os.close(0),
    )
    assert proc.returncode == ExitCode.CONFIG_INVALID, proc.stderr
    assert "no accounts are configured" in proc.stderr


def test_log_file_rotates(tmp_path: Path) -> None:
    path = configure_file_logging(tmp_path / "logs", max_bytes=2000, backups=2)
    for i in range(100):
        nightly.log.info("account_done", account=f"a{i}", outcome="ok")
    names = sorted(p.name for p in (tmp_path / "logs").iterdir())
    assert names == ["nightly.log", "nightly.log.1", "nightly.log.2"]
    assert all(json.loads(line)["event"] == "account_done" for line in path.read_text().splitlines())
    assert path.stat().st_size <= 2000


def test_live_nightly_signs_in_without_a_terminal(run_cli: Callable, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --replay each account signs in through the sign-in module, non-interactively;
    a sign-in that needs a person is that account's outcome, and the others go on."""
    from scraper import cli_signin, refresh, signin

    seen: list[tuple[str, str, bool]] = []

    def fake_ensure(context: object, name: str, email: str, site: object, *, sessions_dir: Path, captures_dir: Path,
                    options: signin.SigninOptions, terminal: signin.Terminal) -> bool:
        seen.append((name, email, options.interactive))
        if name == "work":
            terminal.ask("Enter the code we sent")  # what a prompt would do: it must not wait
        return False

    def fake_run_refresh(request: refresh.RefreshRequest, store: object, on_step: object = None, sign_in: Callable | None = None, clock: object = None, shared: object = None) -> refresh.RefreshResult:
        assert request.replay_dir is None and sign_in is not None
        sign_in(object())
        return refresh.RefreshResult(snapshot=_snap(request.account), snapshot_id=0, visits=[])

    monkeypatch.setattr(cli_signin, "ensure_signed_in", fake_ensure)
    monkeypatch.setattr(refresh, "run_refresh", fake_run_refresh)
    _configure({"home": "amazon.com", "work": "amazon.com"})
    result = run_cli("nightly", "--json")
    assert seen == [("home", "home@example.com", False), ("work", "work@example.com", False)]
    outcomes = json.loads(result.stdout)
    assert [(o["account"], o["outcome"]) for o in outcomes] == [("home", "ok"), ("work", "person_needed")]
    assert outcomes[1]["message"] == "sign-in asked 'Enter the code we sent' and nobody is at the keyboard."
    assert result.exit_code == ExitCode.PERSON_NEEDED
