"""The store: a plain SQLite file of snapshots, one row per refresh.

Each snapshot is written in one transaction, so a run killed mid-write leaves
the previous snapshots and no partial one. The schema version lives in
`PRAGMA user_version`; opening an older store applies the missing
migrations; a file that is not a store we can read is left untouched and
reported.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from scraper.errors import StoreInvalid
from scraper.models import Snapshot

# Each entry upgrades the store from version i to i + 1; append, never edit.
MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE snapshots (
            id INTEGER PRIMARY KEY,
            account TEXT NOT NULL,
            marketplace TEXT NOT NULL,
            taken_at TEXT NOT NULL,
            status TEXT NOT NULL,
            body TEXT NOT NULL
        )""",
        "CREATE INDEX snapshots_by_account_time ON snapshots (account, taken_at)",
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)

_HINT = "It was left as it is. Move it aside to start a new store, or restore it from a backup."


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(path, isolation_level=None)  # transactions are explicit
            self._db.execute("PRAGMA busy_timeout = 5000")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            # Version 0 with tables in it is another program's database: creating ours would change it.
            foreign = version == 0 and self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        except sqlite3.DatabaseError as exc:
            raise StoreInvalid(f"{path} is not a readable snapshot store ({exc}).", _HINT) from None
        if foreign:
            raise StoreInvalid(f"{path} is an SQLite database but not an amazon-credits store.", _HINT)
        if version > SCHEMA_VERSION:
            raise StoreInvalid(
                f"{path} was written by a newer amazon-credits (store version {version}, this one knows {SCHEMA_VERSION}).",
                "Upgrade amazon-credits to read it.",
            )
        if version < SCHEMA_VERSION:
            self._migrate(version)

    def _migrate(self, version: int) -> None:
        try:
            with self._transaction():
                for statements in MIGRATIONS[version:]:
                    for statement in statements:
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise StoreInvalid(f"{self.path} could not be upgraded ({exc}).", _HINT) from None

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def append(self, snapshot: Snapshot) -> int:
        with self._transaction():
            cursor = self._db.execute(
                "INSERT INTO snapshots (account, marketplace, taken_at, status, body) VALUES (?, ?, ?, ?, ?)",
                (
                    snapshot.account,
                    snapshot.marketplace,
                    snapshot.taken_at.isoformat(),
                    snapshot.status,
                    snapshot.model_dump_json(),
                ),
            )
        return int(cursor.lastrowid or 0)

    def _rows(self, sql: str, params: tuple[object, ...]) -> list[Snapshot]:
        try:
            rows = self._db.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise StoreInvalid(f"{self.path} could not be read ({exc}).", _HINT) from None
        snapshots = []
        for row_id, body in rows:
            try:
                snapshots.append(Snapshot.model_validate_json(body))
            except ValidationError as exc:
                raise StoreInvalid(f"{self.path}: snapshot {row_id} is damaged ({exc.error_count()} errors).", _HINT) from None
        return snapshots

    def latest(self, account: str | None = None) -> Snapshot | None:
        where, params = ("WHERE account = ?", (account,)) if account else ("", ())
        found = self._rows(f"SELECT id, body FROM snapshots {where} ORDER BY taken_at DESC, id DESC LIMIT 1", params)
        return found[0] if found else None

    def snapshots(
        self, account: str | None = None, since: datetime | None = None, until: datetime | None = None
    ) -> list[Snapshot]:
        """Oldest first. `since` and `until` are inclusive bounds on taken_at (UTC)."""
        clauses, params = [], []
        if account:
            clauses.append("account = ?")
            params.append(account)
        found = self._rows(
            "SELECT id, body FROM snapshots"
            + (f" WHERE {' AND '.join(clauses)}" if clauses else "")
            + " ORDER BY taken_at, id",
            tuple(params),
        )
        return [s for s in found if (since is None or s.taken_at >= since) and (until is None or s.taken_at <= until)]

    def accounts(self) -> list[str]:
        return [row[0] for row in self._db.execute("SELECT DISTINCT account FROM snapshots ORDER BY account")]
