import sqlite3
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from scraper.errors import StoreInvalid
from scraper.models import Balance, Snapshot
from scraper.store import SCHEMA_VERSION, Store

T0 = datetime(2026, 11, 1, 3, 0, tzinfo=timezone.utc)


def snap(account: str, amount: str, at: datetime) -> Snapshot:
    balance = Balance(kind="gift_card", amount=Decimal(amount), currency="USD", page="gift_card_balance")
    return Snapshot.build(account=account, marketplace="amazon.com", taken_at=at, balances=[balance], problems=[])


def test_append_latest_and_history(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite3") as store:
        store.append(snap("alice", "1.00", T0))
        store.append(snap("bob", "2.00", T0 + timedelta(days=1)))
        store.append(snap("alice", "3.10", T0 + timedelta(days=2)))
        assert store.latest("alice").balances[0].amount == Decimal("3.10")
        assert store.latest().account == "alice"
        assert [s.balances[0].amount for s in store.snapshots("alice")] == [Decimal("1.00"), Decimal("3.10")]
        assert len(store.snapshots(since=T0 + timedelta(days=1))) == 2
        assert len(store.snapshots(until=T0)) == 1
        assert store.accounts() == ["alice", "bob"]
        assert store.latest("carol") is None


def test_snapshots_survive_reopening_exactly(tmp_path: Path) -> None:
    original = snap("alice", "12.30", T0)
    with Store(tmp_path / "s.sqlite3") as store:
        store.append(original)
    with Store(tmp_path / "s.sqlite3") as store:
        assert store.latest("alice") == original


def test_new_store_has_current_schema_version(tmp_path: Path) -> None:
    Store(tmp_path / "s.sqlite3").close()
    db = sqlite3.connect(tmp_path / "s.sqlite3")
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_corrupt_store_is_reported_and_left_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    folder.mkdir()
    path = folder / "s.sqlite3"
    garbage = b"this is not sqlite" * 100
    path.write_bytes(garbage)
    with pytest.raises(StoreInvalid, match="not a readable snapshot store") as caught:
        Store(path)
    assert "left as it is" in caught.value.hint
    assert path.read_bytes() == garbage
    assert sorted(p.name for p in folder.iterdir()) == ["s.sqlite3"]  # no journal, no new file


def test_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreInvalid, match="newer amazon-credits"):
        Store(path)


def test_damaged_snapshot_row_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    with Store(path) as store:
        row = store.append(snap("alice", "1.00", T0))
    db = sqlite3.connect(path)
    db.execute("UPDATE snapshots SET body = '{\"amount\": 1.5}' WHERE id = ?", (row,))
    db.commit()
    db.close()
    with Store(path) as store, pytest.raises(StoreInvalid, match=f"snapshot {row} is damaged"):
        store.latest("alice")
