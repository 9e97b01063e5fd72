"""Every export format against exact expected files, and read back by the tool it is meant for."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from pydantic import ValidationError

from scraper import exports, files
from scraper.errors import ConfigInvalid
from scraper.models import Snapshot, snapshot_json_schema
from tests.snapshot_samples import FAMILY, ME, samples

EXPECTED = Path(__file__).parent / "expected" / "exports"
PUBLISHED_SCHEMA = Path(__file__).parent.parent / "scraper" / "snapshot.schema.json"


@pytest.mark.parametrize(("fmt", "file"), [("json", "all.json"), ("csv", "all.csv"), ("beancount", "all.beancount"), ("ledger", "all.ledger")])
def test_every_format_exactly(fmt: exports.Format, file: str) -> None:
    assert exports.render(fmt, samples()) == (EXPECTED / file).read_text()


def test_json_is_valid_against_the_published_schema() -> None:
    # The committed file when the repository has it; the schema the models publish either way.
    schemas = [snapshot_json_schema()]
    if PUBLISHED_SCHEMA.exists():
        schemas.append(json.loads(PUBLISHED_SCHEMA.read_text()))
    data = json.loads(exports.to_json(samples()))
    assert len(data) == 5
    for schema in schemas:
        item_schema = schema if schema.get("type") != "array" else schema["items"]
        for item in data:
            jsonschema.validate(item, item_schema)
        # and the check can fail: an amount as a float is refused
        bad = json.loads(json.dumps(data[0]))
        bad["balances"][0]["amount"] = 25.0
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, item_schema)


def test_json_round_trips_to_equal_snapshots() -> None:
    data = json.loads(exports.to_json(samples()))
    assert [Snapshot.model_validate(d) for d in data] == samples()


def test_filters_account_since_until() -> None:
    chosen = exports.filter_snapshots(samples(), account=ME, since=date(2026, 11, 19), until=date(2026, 11, 19))
    assert exports.to_csv(chosen) == (EXPECTED / "me-since-19-until-19.csv").read_text()
    # until includes its whole UTC day, up to 23:59:59
    assert [s.taken_at.day for s in exports.filter_snapshots(samples(), until=date(2026, 11, 20))] == [18, 18, 19, 19, 20]
    assert [s.account for s in exports.filter_snapshots(samples(), account=FAMILY)] == [FAMILY, FAMILY]
    assert exports.filter_snapshots(samples(), since=date(2026, 11, 21)) == []


def test_csv_columns_are_stable() -> None:
    header = exports.to_csv([]).splitlines()
    assert header == [
        "account,marketplace,taken_at,status,kind,amount,currency,points,expires_on,description,page,found_by"
    ]


def test_account_prefix_is_configurable_and_checked() -> None:
    assert exports.to_beancount(samples(), "Assets:Rewards:Amz") == (EXPECTED / "all-prefix.beancount").read_text()
    for bad in ["assets:amazon", "Assets::Amazon", "", "Assets:Ama zon"]:
        with pytest.raises(ConfigInvalid, match="is not a valid account name"):
            exports.to_ledger(samples(), bad)
    assert exports.ExportSettings().account_prefix == "Assets:Amazon"
    with pytest.raises(ValidationError, match="'assets' is not an account name like Assets:Amazon"):
        exports.ExportSettings(account_prefix="assets")


def _opening(snap: Snapshot, prefix: str, amounts: dict[str, str]) -> list[tuple[str, str]]:
    return [(exports.account_name(prefix, snap, b), amounts.get(b.kind, exports._quantity(b)) + " " + exports._commodity(b)) for b in snap.balances]


@pytest.mark.parametrize(("gift_card", "ok"), [("25.00", True), ("24.90", False)])
def test_beancount_directives_load_and_assert(gift_card: str, ok: bool) -> None:
    # (beancount tolerates one unit of the last digit, so the wrong amount is 0.10 off, not 0.01)
    from beancount import loader
    from beancount.core import data

    snap = samples()[0]
    postings = _opening(snap, "Assets:Amazon", {"gift_card": gift_card})
    opens = "".join(f"2026-01-01 open {acct}\n" for acct, _ in postings) + "2026-01-01 open Equity:Opening\n"
    txn = '2026-11-17 * "opening"\n' + "".join(f"  {acct}  {amt}\n" for acct, amt in postings)
    txn += "".join(f"  Equity:Opening  -{amt}\n" for _, amt in postings)
    entries, errors, _ = loader.load_string(opens + txn + exports.to_beancount([snap]))
    balances = [e for e in entries if isinstance(e, data.Balance)]
    assert [(b.date.isoformat(), b.account, str(b.amount)) for b in balances] == [
        ("2026-11-19", "Assets:Amazon:Me-Example-Com:GiftCard", "25.00 USD"),
        ("2026-11-19", "Assets:Amazon:Me-Example-Com:Promotional:Expires-2026-12-01", "10.00 USD"),
        ("2026-11-19", "Assets:Amazon:Me-Example-Com:KindlePoints", "120 KINDLE_POINTS"),
    ]
    assert [type(e).__name__ for e in errors] == ([] if ok else ["BalanceError"])


@pytest.mark.skipif(shutil.which("ledger") is None, reason="ledger is not installed (apt-get install ledger)")
@pytest.mark.parametrize(("gift_card", "ok"), [("25.00", True), ("24.90", False)])
def test_ledger_assertions_are_checked_by_ledger(gift_card: str, ok: bool, tmp_path: Path) -> None:
    snap = samples()[0]
    postings = _opening(snap, "Assets:Amazon", {"gift_card": gift_card})
    txn = "2026-11-17 * opening\n" + "".join(f"    {acct}  {amt}\n    Equity:Opening\n" for acct, amt in postings[:1])
    txn += "".join(f"\n2026-11-17 * opening\n    {acct}  {amt}\n    Equity:Opening\n" for acct, amt in postings[1:])
    journal = tmp_path / "j.ledger"
    journal.write_text(txn + "\n" + exports.to_ledger([snap]))
    proc = subprocess.run(["ledger", "-f", str(journal), "--flat", "balance", "Assets"], capture_output=True, text=True, timeout=30)
    if ok:
        assert proc.returncode == 0, proc.stderr
        assert "25.00 USD  Assets:Amazon:Me-Example-Com:GiftCard" in proc.stdout
        assert "120 KINDLE_POINTS  Assets:Amazon:Me-Example-Com:KindlePoints" in proc.stdout
    else:
        assert proc.returncode != 0
        assert "Balance assertion off by" in proc.stderr


@pytest.mark.skipif(shutil.which("ledger") is None, reason="ledger is not installed (apt-get install ledger)")
def test_whole_ledger_export_parses(tmp_path: Path) -> None:
    journal = tmp_path / "all.ledger"
    journal.write_text(exports.to_ledger(samples()))
    # --permissive: parse every line but do not check the assertions (no opening balances here);
    # --empty: list accounts whose postings are all zero.
    proc = subprocess.run(["ledger", "-f", str(journal), "--permissive", "--empty", "--flat", "accounts"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "Assets:Amazon:Family:GiftCard",
        "Assets:Amazon:Me-Example-Com:GiftCard",
        "Assets:Amazon:Me-Example-Com:KindlePoints",
        "Assets:Amazon:Me-Example-Com:Promotional:Expires-2026-12-01",
    ]


def test_write_latest_is_atomic_and_per_account(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    snaps = samples()
    path = exports.write_latest(snaps[0], tmp_path / "latest")
    assert path == tmp_path / "latest" / "me@example.com.json"
    exports.write_latest(snaps[2], tmp_path / "latest")
    assert Snapshot.model_validate_json(path.read_text()) == snaps[2]
    exports.write_latest(snaps[1], tmp_path / "latest")
    assert sorted(p.name for p in (tmp_path / "latest").iterdir()) == ["family.json", "me@example.com.json"]

    # A failure while writing leaves the previous file whole and no temp file behind.
    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        exports.write_latest(snaps[4], tmp_path / "latest")
    assert Snapshot.model_validate_json(path.read_text()) == snaps[2]
    assert sorted(p.name for p in (tmp_path / "latest").iterdir()) == ["family.json", "me@example.com.json"]


def test_latest_file_name_is_portable() -> None:
    assert exports.latest_file_name("me@example.com") == "me@example.com.json"
    assert exports.latest_file_name("../../etc/passwd") == "etc_passwd.json"
    assert exports.latest_file_name("Mum & Dad") == "Mum_Dad.json"
