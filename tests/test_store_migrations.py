"""Store schema versions: an older store opens and upgrades with its data intact; a store
that is damaged, or a database that is not ours, gives StoreInvalid and is left byte for byte."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from scraper import store as store_module
from scraper.errors import StoreInvalid
from scraper.store import Store
from tests.snapshot_samples import samples


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _v1_store(path: Path) -> None:
    """A store as version 1 of the schema wrote it, with the snapshots every test uses."""
    db = sqlite3.connect(path)
    for statement in store_module.MIGRATIONS[0]:
        db.execute(statement)
    for s in samples():
        db.execute(
            "INSERT INTO snapshots (account, marketplace, taken_at, status, body) VALUES (?, ?, ?, ?, ?)",
            (s.account, s.marketplace, s.taken_at.isoformat(), s.status, s.model_dump_json()),
        )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()


def test_a_version_1_store_opens_with_every_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "credits.sqlite3"
    _v1_store(path)
    with Store(path) as store:
        assert store.snapshots() == sorted(samples(), key=lambda s: s.taken_at)


def test_an_older_store_upgrades_through_each_missing_migration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "credits.sqlite3"
    _v1_store(path)
    # The next schema version, as a future release would append it.
    migrations = [*store_module.MIGRATIONS, ["ALTER TABLE snapshots ADD COLUMN note TEXT", "CREATE INDEX snapshots_by_time ON snapshots (taken_at)"]]
    monkeypatch.setattr(store_module, "MIGRATIONS", migrations)
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", len(migrations))
    with Store(path) as store:
        assert store.snapshots() == sorted(samples(), key=lambda s: s.taken_at)
        store.append(samples()[0].model_copy(update={"account": "new"}))
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 2
    assert "note" in [row[1] for row in db.execute("PRAGMA table_info(snapshots)")]
    assert db.execute("SELECT count(*) FROM snapshots").fetchone()[0] == 6
    db.close()


def test_a_failed_migration_leaves_the_store_at_its_old_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "credits.sqlite3"
    _v1_store(path)
    migrations = [*store_module.MIGRATIONS, ["ALTER TABLE snapshots ADD COLUMN note TEXT", "THIS IS NOT SQL"]]
    monkeypatch.setattr(store_module, "MIGRATIONS", migrations)
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", len(migrations))
    with pytest.raises(StoreInvalid, match="could not be upgraded"):
        Store(path)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    assert "note" not in [row[1] for row in db.execute("PRAGMA table_info(snapshots)")]  # rolled back
    db.close()


def test_a_truncated_store_is_reported_and_left_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "credits.sqlite3"
    _v1_store(path)
    path.write_bytes(path.read_bytes()[:1500])  # the header survives, the pages do not
    before = _digest(folder)
    with pytest.raises(StoreInvalid) as info:
        with Store(path) as store:
            store.snapshots()
    assert str(path) in info.value.message
    assert _digest(folder) == before


def test_a_database_that_is_not_a_store_is_left_untouched(tmp_path: Path) -> None:
    # Someone's other SQLite file at --data-dir: version 0, tables of its own. Creating our
    # tables in it would change a file that is not ours.
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "credits.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE recipes (name TEXT)")
    db.execute("INSERT INTO recipes VALUES ('bread')")
    db.commit()
    db.close()
    before = _digest(folder)
    with pytest.raises(StoreInvalid, match="is an SQLite database but not an amazon-credits store") as info:
        Store(path)
    assert info.value.hint and "left as it is" in info.value.hint
    assert _digest(folder) == before


def test_history_command_on_a_corrupt_store_exits_17_and_leaves_it(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    data.mkdir()
    path = data / "credits.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + b"\x07" * 4000)
    before = _digest(data)
    result = run_cli("--data-dir", str(data), "history")
    assert result.exit_code == 17
    assert "error:" in result.stderr and str(path) in result.stderr.replace("\n", "")
    assert _digest(data) == before
