"""A process that writes snapshots to a store until it is killed (tests/test_crash.py).

    python -m tests.crash_writer STORE loop
        append snapshot 0, 1, 2, ... forever; print "committed N" after each.
    python -m tests.crash_writer STORE statement PREFIX AFTER
        append AFTER snapshots, then SIGKILL itself the moment SQLite starts the
        next append's statement that begins with PREFIX (BEGIN, INSERT, COMMIT).
    python -m tests.crash_writer STORE step K AFTER
        append AFTER snapshots, then SIGKILL itself at the K-th SQLite progress
        callback (one per virtual machine instruction; an append runs about 34) of the next append.

Only the store's own code writes; the kill points come from SQLite's trace and
progress hooks on the store's connection, so production code has no test seam.
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from scraper.models import ActivityEntry, Balance, Snapshot
from scraper.store import Store

T0 = datetime(2026, 1, 1, 3, 0, tzinfo=timezone.utc)
ACTIVITY_ROWS = 1500  # a few hundred kB a snapshot: writing it takes long enough to be hit


def snapshot(n: int) -> Snapshot:
    """Snapshot number n: the same every time, so the test can compare exactly."""
    activity = [
        ActivityEntry(
            date=date(2025, 1, 1) + timedelta(days=i % 365),
            description=f"order {n}-{i}",
            amount=Decimal(f"-{i % 97}.{i % 100:02d}"),
            closing_balance=Decimal(f"{n}.{i % 100:02d}"),
            currency="USD",
        )
        for i in range(ACTIVITY_ROWS)
    ]
    return Snapshot.build(
        account="crash",
        marketplace="amazon.com",
        taken_at=T0 + timedelta(minutes=n),
        balances=[Balance(kind="gift_card", amount=Decimal(f"{n}.{n % 100:02d}"), currency="USD", page="gift_card_balance")],
        problems=[],
        activity=activity,
    )


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main(argv: list[str]) -> None:
    store = Store(Path(argv[0]))
    mode = argv[1]
    if mode == "loop":
        n = 0
        while True:
            store.append(snapshot(n))
            print(f"committed {n}", flush=True)
            n += 1
    after = int(argv[-1])
    for n in range(after):
        store.append(snapshot(n))
    print(f"committed {after - 1}" if after else "ready", flush=True)
    db = store._db  # the store's own connection: the hooks watch exactly what it runs
    if mode == "statement":
        prefix = argv[2]
        db.set_trace_callback(lambda sql: _die() if sql.lstrip().upper().startswith(prefix) else None)
    elif mode == "step":
        calls = {"n": 0}
        target = int(argv[2])

        def progress() -> int:
            calls["n"] += 1
            if calls["n"] >= target:
                _die()
            return 0

        db.set_progress_handler(progress, 1)
    store.append(snapshot(after))
    print("survived", flush=True)  # the kill point was never reached: the test fails on this


if __name__ == "__main__":
    main(sys.argv[1:])
