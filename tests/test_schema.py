"""The published JSON Schema is committed; this keeps it equal to the model.

Regenerate after a model change with:
    python -c "import json; from scraper.models import snapshot_json_schema; print(json.dumps(snapshot_json_schema(), indent=2))" > scraper/snapshot.schema.json
"""

import json
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

import scraper
from scraper.models import Balance, Problem, Snapshot, snapshot_json_schema

SCHEMA_FILE = Path(scraper.__file__).parent / "snapshot.schema.json"


def test_committed_schema_matches_the_model() -> None:
    assert json.loads(SCHEMA_FILE.read_text()) == snapshot_json_schema()


def test_a_snapshot_validates_against_the_schema_and_amounts_are_strings() -> None:
    snap = Snapshot.build(
        account="a", marketplace="amazon.com", taken_at=datetime(2026, 11, 21, tzinfo=timezone.utc),
        balances=[Balance(kind="gift_card", amount=Decimal("1.50"), currency="USD", page="gift_card_balance")],
        problems=[Problem(page="checkout_payment", code="field_not_found", message="m")],
    )
    data = snap.model_dump(mode="json")
    jsonschema.validate(data, snapshot_json_schema())
    data["balances"][0]["amount"] = 1.5
    with pytest.raises(jsonschema.ValidationError, match="1.5 is not valid"):
        jsonschema.validate(data, snapshot_json_schema())
