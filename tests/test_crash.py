"""Crash safety: a process killed with SIGKILL while it writes the store leaves a
store that opens, keeps every snapshot committed before, and holds no partial one.

A separate process (tests/crash_writer.py) appends large snapshots through
Store.append and is killed:
- at chosen points inside an append, from SQLite's own hooks on the store's
  connection: as BEGIN, INSERT or COMMIT starts, and at several virtual-machine
  steps into the INSERT;
- from outside, after N committed appends plus a seeded random delay, across
  several seeds, so the kill lands anywhere in the write, the journal included.
After each kill the store must open, pass SQLite's integrity check, hold exactly
snapshots 0..k-1 (k = the appends acknowledged, or one more if the kill came
after the commit but before the acknowledgement), each equal to what was
written, and accept the next append.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scraper.store import Store
from tests.conftest import ROOT
from tests.crash_writer import snapshot
from tests.verification_report import count


def _writer(store: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.crash_writer", str(store), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _acknowledged(lines: list[str]) -> int:
    """How many appends the writer reported committed."""
    committed = [int(line.split()[1]) for line in lines if line.startswith("committed")]
    return committed[-1] + 1 if committed else 0


def _check_store(path: Path, acknowledged: int, may_have_one_more: bool) -> int:
    # A journal left behind means the kill landed inside a write transaction.
    count("crash kills", "landed mid-transaction" if path.with_name(path.name + "-journal").exists() else "between transactions")
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with Store(path) as store:  # opens (a hot journal is rolled back here)
        kept = store.snapshots(account="crash")
        allowed = {acknowledged, acknowledged + 1} if may_have_one_more else {acknowledged}
        assert len(kept) in allowed, f"{len(kept)} snapshots after {acknowledged} acknowledged appends"
        for n, stored in enumerate(kept):  # every row whole and exactly as written, none partial
            assert stored.model_dump(mode="json") == snapshot(n).model_dump(mode="json"), f"snapshot {n} differs"
        store.append(snapshot(len(kept)))  # and the store still takes the next one
        assert len(store.snapshots(account="crash")) == len(kept) + 1
    return len(kept)


@pytest.mark.parametrize("statement", ["BEGIN", "INSERT", "COMMIT"])
@pytest.mark.parametrize("after", [0, 2])
def test_killed_as_a_statement_starts(tmp_path: Path, statement: str, after: int) -> None:
    path = tmp_path / "credits.sqlite3"
    writer = _writer(path, "statement", statement, str(after))
    out, err = writer.communicate(timeout=60)
    assert writer.returncode == -signal.SIGKILL, f"not killed: {out} {err}"
    assert "survived" not in out
    # Killed before the COMMIT ran: the append in flight must be absent, whatever else happened.
    _check_store(path, _acknowledged(out.splitlines()), may_have_one_more=False)


@pytest.mark.parametrize("step", [1, 10, 20, 30])
def test_killed_inside_the_insert(tmp_path: Path, step: int) -> None:
    path = tmp_path / "credits.sqlite3"
    writer = _writer(path, "step", str(step), "2")
    out, err = writer.communicate(timeout=60)
    assert writer.returncode == -signal.SIGKILL, f"not killed: {out} {err}"
    assert _check_store(path, _acknowledged(out.splitlines()), may_have_one_more=False) == 2


@pytest.mark.parametrize("seed", range(8))
def test_killed_from_outside_at_a_random_moment(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    wanted = rng.randint(1, 4)  # committed appends before the kill
    path = tmp_path / "credits.sqlite3"
    writer = _writer(path, "loop")
    assert writer.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while _acknowledged(lines) < wanted and time.monotonic() < deadline:
        line = writer.stdout.readline()
        assert line, f"the writer stopped: {writer.stderr.read() if writer.stderr else ''}"
        lines.append(line.strip())
    time.sleep(rng.uniform(0, 0.03))  # an append takes tens of ms: this lands inside one
    writer.send_signal(signal.SIGKILL)
    rest, _ = writer.communicate(timeout=30)
    lines += rest.splitlines()  # acknowledgements printed before the kill landed
    assert writer.returncode == -signal.SIGKILL
    _check_store(path, _acknowledged(lines), may_have_one_more=True)
