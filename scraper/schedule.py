"""The nightly job, native to each platform: generate, install, inspect, remove.

The generators are pure functions of (command, time) so tests compare their
output byte for byte. Installing writes into folders found through
platformdirs/XDG (tests point them at tmp) and calls the platform's tool
through an injected `Runner`, so no test touches the real user's system.

- Linux with systemd: a user timer + service (Persistent=true catches up a run
  missed while the machine was off; RandomizedDelaySec spreads the load).
- macOS: a launchd agent (launchd runs a missed calendar job at wake).
- Windows: a Task Scheduler task XML for `schtasks /Create /XML`
  (StartWhenAvailable is the Persistent=true of Task Scheduler).
- anything else: a crontab line.
"""

from __future__ import annotations

import os
import platform
import plistlib
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Literal

import platformdirs

from scraper.errors import ConfigInvalid, CreditsError, ExitCode
from scraper.files import write_atomic

Platform = Literal["systemd", "launchd", "windows", "cron"]
PLATFORMS: tuple[Platform, ...] = ("systemd", "launchd", "windows", "cron")

JOB_NAME = "amazon-credits-nightly"
LAUNCHD_LABEL = "io.github.amazon-credits.nightly"
CRON_MARKER = "# amazon-credits nightly"
DEFAULT_AT = time(3, 30)
RANDOM_DELAY_MINUTES = 30
# A night whose run has not ended after this long is stuck; stop it so the next night can run.
TIME_LIMIT_HOURS = 2
DESCRIPTION = "amazon-credits: nightly refresh of every Amazon credit balance"


class ScheduleError(CreditsError):
    """The platform's scheduler refused or is missing."""

    exit_code = ExitCode.UNAVAILABLE


def parse_at(text: str) -> time:
    """'HH:MM' (24-hour) -> time; anything else is a usage error with the expected form."""
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", text.strip())
    if not match:
        raise ConfigInvalid(f"--at {text!r} is not a time of day", "Give it as HH:MM on a 24-hour clock, e.g. --at 03:30.")
    return time(int(match.group(1)), int(match.group(2)))


def detect_platform(system: str | None = None, *, systemd_running: bool | None = None) -> Platform:
    system = system or platform.system()
    if system == "Darwin":
        return "launchd"
    if system == "Windows":
        return "windows"
    if system == "Linux":
        if systemd_running is None:
            # sd_booted(): this folder exists only when systemd is PID 1.
            systemd_running = Path("/run/systemd/system").is_dir() and shutil.which("systemctl") is not None
        if systemd_running:
            return "systemd"
    return "cron"


def nightly_command(data_dir: Path | None = None) -> list[str]:
    """The command the job runs, as an absolute path (a scheduler has no PATH of yours): the
    entry point beside this Python (a venv's bin/ or Scripts/), else on PATH, else this Python."""
    name = "amazon-credits.exe" if os.name == "nt" else "amazon-credits"
    beside = Path(sys.executable).with_name(name)
    exe = str(beside) if beside.is_file() else shutil.which("amazon-credits")
    base = [exe] if exe else [sys.executable, "-m", "scraper.cli"]
    if data_dir is not None:
        base += ["--data-dir", str(Path(data_dir).resolve())]
    return base + ["nightly"]


# ---------------------------------------------------------------- generators


def _systemd_quote(arg: str) -> str:
    # systemd.service(5) "Command lines": % is a specifier, $ expands variables,
    # and arguments with spaces, quotes or backslashes go in double quotes.
    arg = arg.replace("%", "%%").replace("$", "$$")
    if arg and not re.search(r'[\s"\'\\;]', arg):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def systemd_units(command: Sequence[str], at: time = DEFAULT_AT) -> dict[str, str]:
    """{file name: content} for ~/.config/systemd/user/."""
    exec_start = " ".join(_systemd_quote(a) for a in command)
    service = (
        "[Unit]\n"
        f"Description={DESCRIPTION}\n"
        "\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"ExecStart={exec_start}\n"
        "StandardInput=null\n"
        f"TimeoutStartSec={TIME_LIMIT_HOURS}h\n"
        "Nice=10\n"
    )
    timer = (
        "[Unit]\n"
        f"Description={DESCRIPTION} (timer)\n"
        "\n"
        "[Timer]\n"
        f"OnCalendar=*-*-* {at.hour:02d}:{at.minute:02d}:00\n"
        "Persistent=true\n"
        f"RandomizedDelaySec={RANDOM_DELAY_MINUTES}min\n"
        f"Unit={JOB_NAME}.service\n"
        "\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    return {f"{JOB_NAME}.service": service, f"{JOB_NAME}.timer": timer}


def launchd_plist(command: Sequence[str], at: time = DEFAULT_AT, *, log_dir: Path) -> bytes:
    """A LaunchAgent plist; launchd has no random delay, and runs a missed job at wake."""
    return plistlib.dumps(
        {
            "Label": LAUNCHD_LABEL,
            "ProgramArguments": list(command),
            "StartCalendarInterval": {"Hour": at.hour, "Minute": at.minute},
            "StandardInPath": "/dev/null",
            "StandardOutPath": str(log_dir / "launchd.out.log"),
            "StandardErrorPath": str(log_dir / "launchd.err.log"),
            "ProcessType": "Background",
            "RunAtLoad": False,
        },
        sort_keys=False,
    )


TASK_NS = "http://schemas.microsoft.com/windows/2004/02/mit/task"


def windows_task_xml(command: Sequence[str], at: time = DEFAULT_AT) -> str:
    """Task Scheduler 1.2 XML. `schtasks /Create /XML` wants the file in UTF-16."""
    ET.register_namespace("", TASK_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
        el = ET.SubElement(parent, f"{{{TASK_NS}}}{tag}")
        if text is not None:
            el.text = text
        return el

    task = ET.Element(f"{{{TASK_NS}}}Task", {"version": "1.2"})
    info = sub(task, "RegistrationInfo")
    sub(info, "Description", DESCRIPTION)
    sub(info, "URI", f"\\{JOB_NAME}")
    trigger = sub(sub(task, "Triggers"), "CalendarTrigger")
    sub(trigger, "StartBoundary", f"2000-01-01T{at.hour:02d}:{at.minute:02d}:00")
    sub(trigger, "RandomDelay", f"PT{RANDOM_DELAY_MINUTES}M")
    sub(sub(trigger, "ScheduleByDay"), "DaysInterval", "1")
    principal = sub(sub(task, "Principals"), "Principal")
    principal.set("id", "Author")
    sub(principal, "LogonType", "InteractiveToken")
    sub(principal, "RunLevel", "LeastPrivilege")
    settings = sub(task, "Settings")
    sub(settings, "MultipleInstancesPolicy", "IgnoreNew")
    sub(settings, "DisallowStartIfOnBatteries", "false")
    sub(settings, "StopIfGoingOnBatteries", "false")
    sub(settings, "StartWhenAvailable", "true")
    sub(settings, "RunOnlyIfNetworkAvailable", "true")
    sub(settings, "ExecutionTimeLimit", f"PT{TIME_LIMIT_HOURS}H")
    sub(settings, "Enabled", "true")
    actions = sub(task, "Actions")
    actions.set("Context", "Author")
    exec_ = sub(actions, "Exec")
    sub(exec_, "Command", command[0])
    if len(command) > 1:
        sub(exec_, "Arguments", subprocess.list2cmdline(list(command[1:])))
    ET.indent(task, space="  ")
    body = ET.tostring(task, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-16"?>\n' + body + "\n"


def crontab_line(command: Sequence[str], at: time = DEFAULT_AT) -> str:
    # In a crontab an unescaped % ends the command; the job logs to its own file.
    cmd = shlex.join(command).replace("%", "\\%")
    return f"{at.minute} {at.hour} * * * {cmd} </dev/null >/dev/null 2>&1 {CRON_MARKER}\n"


# ---------------------------------------------------------------- installation


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str = ""
    stderr: str = ""


# (argv, stdin text) -> Result. Injected so tests never call the real systemctl/launchctl/schtasks/crontab.
Runner = Callable[[list[str], str | None], Result]


def run_command(argv: list[str], input_text: str | None = None) -> Result:
    if shutil.which(argv[0]) is None:
        raise ScheduleError(f"{argv[0]} was not found on this system", "Use `schedule install --print` and install the job by hand.")
    proc = subprocess.run(argv, input=input_text, capture_output=True, text=True, check=False, timeout=60)
    return Result(proc.returncode, proc.stdout, proc.stderr)


@dataclass(frozen=True)
class Locations:
    """Where each platform's files go; every field comes from platformdirs/XDG or the home folder."""

    systemd_dir: Path
    launch_agents_dir: Path
    task_dir: Path  # where the Windows task XML is kept for schtasks (and for the user to read)
    log_dir: Path

    @classmethod
    def default(cls) -> Locations:
        return cls(
            systemd_dir=platformdirs.user_config_path() / "systemd" / "user",
            launch_agents_dir=Path.home() / "Library" / "LaunchAgents",
            task_dir=platformdirs.user_data_path("amazon-credits"),
            log_dir=platformdirs.user_log_path("amazon-credits"),
        )


@dataclass
class Plan:
    """What `install` writes and runs; `--print` shows it without doing it."""

    platform: Platform
    files: dict[Path, bytes]
    commands: list[list[str]] = field(default_factory=list)
    crontab_line: str | None = None

    def describe(self) -> str:
        parts: list[str] = []
        for path, content in self.files.items():
            text = content.decode("utf-16") if path.suffix == ".xml" else content.decode()
            parts.append(f"# {path}\n{text}")
        if self.crontab_line:
            parts.append(f"# added to `crontab -l`\n{self.crontab_line}")
        for argv in self.commands:
            parts.append("$ " + shlex.join(argv))
        return "\n".join(parts).rstrip("\n") + "\n"


def plan_install(platform_: Platform, command: Sequence[str], at: time, loc: Locations) -> Plan:
    if platform_ == "systemd":
        files = {loc.systemd_dir / name: text.encode() for name, text in systemd_units(command, at).items()}
        return Plan(
            platform_,
            files,
            [["systemctl", "--user", "daemon-reload"], ["systemctl", "--user", "enable", "--now", f"{JOB_NAME}.timer"]],
        )
    if platform_ == "launchd":
        path = loc.launch_agents_dir / f"{LAUNCHD_LABEL}.plist"
        return Plan(
            platform_,
            {path: launchd_plist(command, at, log_dir=loc.log_dir)},
            [["launchctl", "bootstrap", f"gui/{_uid()}", str(path)]],
        )
    if platform_ == "windows":
        path = loc.task_dir / f"{JOB_NAME}.xml"
        return Plan(
            platform_,
            {path: windows_task_xml(command, at).encode("utf-16")},
            [["schtasks", "/Create", "/TN", JOB_NAME, "/XML", str(path), "/F"]],
        )
    return Plan(platform_, {}, [], crontab_line(command, at))


def _uid() -> int:
    return os.getuid() if hasattr(os, "getuid") else 0


def _check(result: Result, what: str) -> Result:
    if result.returncode != 0:
        raise ScheduleError(f"{what} failed: {(result.stderr or result.stdout).strip() or f'exit code {result.returncode}'}")
    return result


def _without_ours(crontab: str) -> list[str]:
    return [line for line in crontab.splitlines() if not line.rstrip().endswith(CRON_MARKER)]


def _read_crontab(run: Runner) -> str:
    result = run(["crontab", "-l"], None)
    # `crontab -l` exits 1 with "no crontab for USER" when there is none yet.
    return result.stdout if result.returncode == 0 else ""


def install(plan: Plan, run: Runner = run_command) -> None:
    if plan.platform == "launchd":
        # bootstrap refuses a label that is already loaded: unload the old one first (a failure means none was loaded).
        run(["launchctl", "bootout", f"gui/{_uid()}/{LAUNCHD_LABEL}"], None)
    for path, content in plan.files.items():
        write_atomic(path, content)
    for argv in plan.commands:
        _check(run(argv, None), shlex.join(argv))
    if plan.crontab_line:
        lines = _without_ours(_read_crontab(run)) + [plan.crontab_line.rstrip("\n")]
        _check(run(["crontab", "-"], "\n".join(lines) + "\n"), "crontab -")


@dataclass(frozen=True)
class Status:
    platform: Platform
    installed: bool
    detail: str


def status(platform_: Platform, loc: Locations, run: Runner = run_command) -> Status:
    try:
        return _status(platform_, loc, run)
    except ScheduleError as exc:  # no scheduler tool here: nothing can be installed with it
        return Status(platform_, False, exc.message)


def _status(platform_: Platform, loc: Locations, run: Runner) -> Status:
    if platform_ == "systemd":
        if not (loc.systemd_dir / f"{JOB_NAME}.timer").exists():
            return Status(platform_, False, "no timer installed")
        result = run(["systemctl", "--user", "list-timers", f"{JOB_NAME}.timer", "--all", "--no-pager"], None)
        return Status(platform_, True, result.stdout.strip() or result.stderr.strip())
    if platform_ == "launchd":
        path = loc.launch_agents_dir / f"{LAUNCHD_LABEL}.plist"
        if not path.exists():
            return Status(platform_, False, "no launch agent installed")
        result = run(["launchctl", "print", f"gui/{_uid()}/{LAUNCHD_LABEL}"], None)
        loaded = "loaded" if result.returncode == 0 else "not loaded"
        return Status(platform_, True, f"{path} ({loaded})")
    if platform_ == "windows":
        result = run(["schtasks", "/Query", "/TN", JOB_NAME, "/V", "/FO", "LIST"], None)
        if result.returncode != 0:
            return Status(platform_, False, "no scheduled task installed")
        return Status(platform_, True, result.stdout.strip())
    ours = [line for line in _read_crontab(run).splitlines() if line.rstrip().endswith(CRON_MARKER)]
    if not ours:
        return Status(platform_, False, "no crontab line installed")
    return Status(platform_, True, "\n".join(ours))


def remove(platform_: Platform, loc: Locations, run: Runner = run_command) -> bool:
    """Remove the job; True if there was one."""
    if platform_ == "systemd":
        timer = loc.systemd_dir / f"{JOB_NAME}.timer"
        if not timer.exists():
            return False
        run(["systemctl", "--user", "disable", "--now", f"{JOB_NAME}.timer"], None)
        for name in systemd_units(["x"]):
            (loc.systemd_dir / name).unlink(missing_ok=True)
        run(["systemctl", "--user", "daemon-reload"], None)
        return True
    if platform_ == "launchd":
        path = loc.launch_agents_dir / f"{LAUNCHD_LABEL}.plist"
        if not path.exists():
            return False
        run(["launchctl", "bootout", f"gui/{_uid()}/{LAUNCHD_LABEL}"], None)
        path.unlink()
        return True
    if platform_ == "windows":
        result = run(["schtasks", "/Delete", "/TN", JOB_NAME, "/F"], None)
        (loc.task_dir / f"{JOB_NAME}.xml").unlink(missing_ok=True)
        return result.returncode == 0
    current = _read_crontab(run)
    kept = _without_ours(current)
    if len(kept) == len(current.splitlines()):
        return False
    _check(run(["crontab", "-"], "\n".join(kept) + "\n" if kept else ""), "crontab -")
    return True
