"""The nightly job's files for each platform, byte for byte, and install/status/remove
against tmp folders with a fake runner: no test touches the real user's scheduler."""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import time
from pathlib import Path

import pytest

from scraper import schedule
from scraper.errors import ConfigInvalid
from scraper.schedule import Locations, Result

EXPECTED = Path(__file__).parent / "expected" / "schedule"
AT = time(4, 5)
CMD = ["/home/me/.local/bin/amazon-credits", "--data-dir", "/home/me/credit data/50%", "nightly"]
WIN_CMD = [r"C:\Program Files\amazon-credits\amazon-credits.exe", "--data-dir", r"C:\Users\me\Credit Data", "nightly"]
MAC_CMD = ["/Users/me/.local/bin/amazon-credits", "nightly"]


def test_systemd_units_exact() -> None:
    units = schedule.systemd_units(CMD, AT)
    assert sorted(units) == ["amazon-credits-nightly.service", "amazon-credits-nightly.timer"]
    for name, text in units.items():
        assert text == (EXPECTED / name).read_text()
    assert "Persistent=true" in units["amazon-credits-nightly.timer"]
    assert "RandomizedDelaySec=30min" in units["amazon-credits-nightly.timer"]


def _verify(unit_dir: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """systemd-analyze verify as the user manager would load the units (it needs a runtime folder)."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    return subprocess.run(
        ["systemd-analyze", "--user", "verify", "amazon-credits-nightly.timer", "amazon-credits-nightly.service"],
        cwd=unit_dir,
        env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed on this machine")
def test_systemd_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    # A real executable (verify checks ExecStart exists) and an argument that needs quoting and % escaping.
    command = [sys.executable, "-m", "scraper.cli", "--data-dir", str(tmp_path / "my data" / "50%"), "nightly"]
    unit_dir = tmp_path / "units"
    unit_dir.mkdir()
    for name, text in schedule.systemd_units(command, AT).items():
        (unit_dir / name).write_text(text)
    proc = _verify(unit_dir, tmp_path)
    # verify exits 0 even for unknown keys, which it only warns about: require silence too.
    assert (proc.returncode, proc.stderr, proc.stdout) == (0, "", "")


def test_systemd_analyze_catches_a_broken_unit(tmp_path: Path) -> None:
    # Proves the check above can fail: a missing executable is reported.
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed on this machine")
    for name, text in schedule.systemd_units([str(tmp_path / "missing"), "nightly"], AT).items():
        (tmp_path / name).write_text(text)
    proc = _verify(tmp_path, tmp_path)
    assert proc.returncode != 0
    assert "is not executable" in proc.stderr


def test_launchd_plist_exact() -> None:
    data = schedule.launchd_plist(MAC_CMD, AT, log_dir=Path("/Users/me/Library/Logs/amazon-credits"))
    assert data == (EXPECTED / "io.github.amazon-credits.nightly.plist").read_bytes()
    parsed = plistlib.loads(data)
    assert parsed["ProgramArguments"] == MAC_CMD
    assert parsed["StartCalendarInterval"] == {"Hour": 4, "Minute": 5}
    assert parsed["StandardInPath"] == "/dev/null"


def test_windows_task_xml_exact() -> None:
    xml = schedule.windows_task_xml(WIN_CMD, AT)
    encoded = xml.encode("utf-16")
    assert encoded == (EXPECTED / "amazon-credits-nightly.xml").read_bytes()
    assert encoded[:2] == b"\xff\xfe"  # schtasks /XML reads UTF-16 with a byte-order mark
    ns = {"t": schedule.TASK_NS}
    root = ET.fromstring(xml.split("\n", 1)[1])
    assert root.findtext("t:Actions/t:Exec/t:Command", namespaces=ns) == WIN_CMD[0]
    assert root.findtext("t:Actions/t:Exec/t:Arguments", namespaces=ns) == '--data-dir "C:\\Users\\me\\Credit Data" nightly'
    assert root.findtext("t:Triggers/t:CalendarTrigger/t:StartBoundary", namespaces=ns) == "2000-01-01T04:05:00"
    assert root.findtext("t:Settings/t:StartWhenAvailable", namespaces=ns) == "true"


def test_crontab_line_exact() -> None:
    assert schedule.crontab_line(CMD, AT) == (EXPECTED / "crontab.txt").read_text()


@pytest.mark.parametrize(("text", "expected"), [("03:30", time(3, 30)), ("3:07", time(3, 7)), (" 23:59 ", time(23, 59))])
def test_parse_at(text: str, expected: time) -> None:
    assert schedule.parse_at(text) == expected


@pytest.mark.parametrize("text", ["24:00", "3.30", "0330", "12:60", ""])
def test_parse_at_refuses_with_the_expected_form(text: str) -> None:
    with pytest.raises(ConfigInvalid, match="is not a time of day") as info:
        schedule.parse_at(text)
    assert info.value.hint == "Give it as HH:MM on a 24-hour clock, e.g. --at 03:30."


def test_detect_platform() -> None:
    assert schedule.detect_platform("Darwin") == "launchd"
    assert schedule.detect_platform("Windows") == "windows"
    assert schedule.detect_platform("Linux", systemd_running=True) == "systemd"
    assert schedule.detect_platform("Linux", systemd_running=False) == "cron"
    assert schedule.detect_platform("FreeBSD") == "cron"


class FakeRunner:
    """Records every call; keeps a crontab in memory like the real `crontab` does."""

    def __init__(self, crontab: str | None = None, fail: set[str] = frozenset()) -> None:
        self.calls: list[tuple[list[str], str | None]] = []
        self.crontab = crontab
        self.fail = fail

    def __call__(self, argv: list[str], input_text: str | None) -> Result:
        self.calls.append((argv, input_text))
        if argv[0] in self.fail:
            return Result(1, "", f"{argv[0]}: refused")
        if argv == ["crontab", "-l"]:
            return Result(0, self.crontab) if self.crontab is not None else Result(1, "", "no crontab for me")
        if argv == ["crontab", "-"]:
            self.crontab = input_text
        if argv[:2] == ["schtasks", "/Query"]:
            return Result(0, "TaskName: \\amazon-credits-nightly")
        return Result(0, "")


@pytest.fixture
def loc(tmp_path: Path) -> Locations:
    return Locations(
        systemd_dir=tmp_path / "config" / "systemd" / "user",
        launch_agents_dir=tmp_path / "Library" / "LaunchAgents",
        task_dir=tmp_path / "data",
        log_dir=tmp_path / "logs",
    )


def test_systemd_install_status_remove(loc: Locations) -> None:
    run = FakeRunner()
    plan = schedule.plan_install("systemd", CMD, AT, loc)
    schedule.install(plan, run)
    assert (loc.systemd_dir / "amazon-credits-nightly.timer").read_text() == (EXPECTED / "amazon-credits-nightly.timer").read_text()
    assert (loc.systemd_dir / "amazon-credits-nightly.service").read_text() == (EXPECTED / "amazon-credits-nightly.service").read_text()
    assert [c for c, _ in run.calls] == [
        ["systemctl", "--user", "daemon-reload"],
        ["systemctl", "--user", "enable", "--now", "amazon-credits-nightly.timer"],
    ]
    assert schedule.status("systemd", loc, run).installed is True
    assert schedule.remove("systemd", loc, run) is True
    assert list(loc.systemd_dir.iterdir()) == []
    assert ["systemctl", "--user", "disable", "--now", "amazon-credits-nightly.timer"] in [c for c, _ in run.calls]
    assert schedule.status("systemd", loc, run) == schedule.Status("systemd", False, "no timer installed")
    assert schedule.remove("systemd", loc, run) is False


def test_systemd_install_reports_a_refusal(loc: Locations) -> None:
    with pytest.raises(schedule.ScheduleError, match="systemctl --user daemon-reload failed: systemctl: refused"):
        schedule.install(schedule.plan_install("systemd", CMD, AT, loc), FakeRunner(fail={"systemctl"}))


def test_launchd_install_status_remove(loc: Locations) -> None:
    run = FakeRunner()
    schedule.install(schedule.plan_install("launchd", MAC_CMD, AT, loc), run)
    path = loc.launch_agents_dir / "io.github.amazon-credits.nightly.plist"
    assert plistlib.loads(path.read_bytes())["ProgramArguments"] == MAC_CMD
    uid = os.getuid()
    assert [c for c, _ in run.calls] == [
        ["launchctl", "bootout", f"gui/{uid}/io.github.amazon-credits.nightly"],
        ["launchctl", "bootstrap", f"gui/{uid}", str(path)],
    ]
    assert schedule.status("launchd", loc, run) == schedule.Status("launchd", True, f"{path} (loaded)")
    assert schedule.remove("launchd", loc, run) is True
    assert not path.exists()
    assert schedule.status("launchd", loc, run).installed is False


def test_windows_install_status_remove(loc: Locations) -> None:
    run = FakeRunner()
    schedule.install(schedule.plan_install("windows", WIN_CMD, AT, loc), run)
    xml_path = loc.task_dir / "amazon-credits-nightly.xml"
    assert xml_path.read_bytes() == (EXPECTED / "amazon-credits-nightly.xml").read_bytes()
    assert run.calls[0][0] == ["schtasks", "/Create", "/TN", "amazon-credits-nightly", "/XML", str(xml_path), "/F"]
    assert schedule.status("windows", loc, run).installed is True
    assert schedule.remove("windows", loc, run) is True
    assert run.calls[-1][0] == ["schtasks", "/Delete", "/TN", "amazon-credits-nightly", "/F"]
    assert not xml_path.exists()


def test_cron_install_keeps_other_lines_and_replaces_its_own(loc: Locations) -> None:
    run = FakeRunner(crontab="MAILTO=me\n0 1 * * * backup\n")
    schedule.install(schedule.plan_install("cron", CMD, time(1, 0), loc), run)
    schedule.install(schedule.plan_install("cron", CMD, AT, loc), run)  # again, at another time
    assert run.crontab == "MAILTO=me\n0 1 * * * backup\n" + (EXPECTED / "crontab.txt").read_text()
    assert schedule.status("cron", loc, run) == schedule.Status("cron", True, (EXPECTED / "crontab.txt").read_text().rstrip("\n"))
    assert schedule.remove("cron", loc, run) is True
    assert run.crontab == "MAILTO=me\n0 1 * * * backup\n"
    assert schedule.remove("cron", loc, run) is False
    assert schedule.status("cron", loc, run).installed is False


def test_cron_install_into_no_crontab(loc: Locations) -> None:
    run = FakeRunner(crontab=None)
    schedule.install(schedule.plan_install("cron", CMD, AT, loc), run)
    assert run.crontab == (EXPECTED / "crontab.txt").read_text()


def test_plan_describe_shows_files_and_commands(loc: Locations) -> None:
    text = schedule.plan_install("systemd", CMD, AT, loc).describe()
    assert text == (
        f"# {loc.systemd_dir / 'amazon-credits-nightly.service'}\n"
        + (EXPECTED / "amazon-credits-nightly.service").read_text()
        + "\n"
        + f"# {loc.systemd_dir / 'amazon-credits-nightly.timer'}\n"
        + (EXPECTED / "amazon-credits-nightly.timer").read_text()
        + "\n"
        + "$ systemctl --user daemon-reload\n"
        + "$ systemctl --user enable --now amazon-credits-nightly.timer\n"
    )


def test_nightly_command_is_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    venv_bin = tmp_path / "venv" / "bin"
    venv_bin.mkdir(parents=True)
    monkeypatch.setattr(sys, "executable", str(venv_bin / "python"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    # no entry point anywhere: this Python runs the module
    assert schedule.nightly_command() == [str(venv_bin / "python"), "-m", "scraper.cli", "nightly"]
    # the venv's entry point beside the interpreter, with the data folder made absolute
    (venv_bin / "amazon-credits").write_text("#!/bin/sh\n")
    monkeypatch.chdir(tmp_path)
    assert schedule.nightly_command(Path("data")) == [str(venv_bin / "amazon-credits"), "--data-dir", str(tmp_path / "data"), "nightly"]


def test_status_without_the_scheduler_tool_says_not_installed(loc: Locations) -> None:
    def missing(argv: list[str], input_text: str | None) -> Result:
        raise schedule.ScheduleError(f"{argv[0]} was not found on this system")

    assert schedule.status("cron", loc, missing) == schedule.Status("cron", False, "crontab was not found on this system")
    with pytest.raises(schedule.ScheduleError, match="crontab was not found"):
        schedule.install(schedule.plan_install("cron", CMD, AT, loc), missing)
