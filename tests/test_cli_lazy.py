"""`show` starts fast because scraper/cli.py imports heavy modules only in the commands
that use them; these tests keep it that way (tests/bench.py measures the time)."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import click

from scraper.cli import LAZY_COMMANDS, main
from tests.conftest import ROOT

HEAVY = ("playwright", "selectolax", "apprise", "scraper.refresh", "scraper.cli_signin", "scraper.cli_history",
         "scraper.cli_tools", "scraper.extract")


def test_every_lazy_command_is_in_its_module_and_every_module_command_is_listed() -> None:
    for module_name in set(LAZY_COMMANDS.values()):
        module = importlib.import_module(module_name)
        names = {command.name for command in module.COMMANDS}
        assert names == {name for name, owner in LAZY_COMMANDS.items() if owner == module_name}, module_name


def test_lazy_commands_resolve_and_show_in_help() -> None:
    ctx = click.Context(main)
    for name in LAZY_COMMANDS:
        command = main.get_command(ctx, name)
        assert command is not None and command.name == name
    assert set(LAZY_COMMANDS) <= set(main.list_commands(ctx))


def test_show_imports_no_browser_parser_or_notifier(tmp_path: Path) -> None:
    """A fresh process running `show` loads none of the heavy modules."""
    script = (
        "import sys, json\n"
        "from scraper.cli import main\n"
        "try:\n"
        f"    main(['--data-dir', {str(tmp_path)!r}, 'show'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.startswith({HEAVY!r}))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=60,
    )
    assert "no snapshot stored" in done.stderr  # it really ran `show`
    assert json.loads(done.stdout.splitlines()[-1]) == []
