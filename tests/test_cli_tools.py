"""`doctor` on a fresh install and with a broken selectors file; `record` from replayed pages,
redacted, replayable, and free of the sentinel personal data planted in them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from scraper.redact import redact_url
from scraper.replay import load_manifest
from scraper.sitedata import available_marketplaces
from tests.conftest import RECORDINGS
from tests.test_redact import SENTINELS

MARKETPLACES = 11


def test_doctor_on_a_fresh_install_passes_and_shows_matched_candidates(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("doctor", "--no-browser", "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    checks = json.loads(result.stdout)
    by_area: dict[str, list[dict]] = {}
    for check in checks:
        by_area.setdefault(check["area"], []).append(check)
    assert [c["ok"] for c in by_area["keyring"]] == [True]
    assert by_area["store"][0]["detail"] == "not created yet: the first refresh creates it"
    assert sorted(c["name"] for c in by_area["selectors"]) == available_marketplaces()
    assert len(by_area["selectors"]) == MARKETPLACES and all(c["ok"] for c in by_area["selectors"])
    recordings = {c["name"]: c for c in by_area["recordings"]}
    assert all(c["ok"] for c in recordings.values())
    assert {name.split("/")[0] for name in recordings} == set(available_marketplaces())
    gift = recordings["amazon.com/gift-card-balance.html"]
    assert gift["fields"] == {"gift_card": "#gc-ui-balance-gc-balance-value", "activity": "div#gc-balance-table table.a-bordered"}
    assert gift["detail"] == "gift_card_balance: 1 balance(s), 15 activity row(s)"
    assert recordings["amazon.fr/cart-empty.html"]["fields"] == {"item_count": "#nav-cart-count"}
    assert f"all {len(checks)} checks passed" in result.stderr


def test_doctor_names_a_broken_user_selectors_file(run_cli, isolated_home: Path) -> None:  # type: ignore[no-untyped-def]
    folder = isolated_home / ".config" / "amazon-credits" / "selectors"
    folder.mkdir(parents=True)
    (folder / "amazon.it.toml").write_text('[marketplace]\ncurrency = "EURO"\n', encoding="utf-8")
    result = run_cli("doctor", "--no-browser", "--json")
    assert result.exit_code == 16
    failed = [c for c in json.loads(result.stdout) if not c["ok"]]
    assert [(c["area"], c["name"]) for c in failed] == [("selectors", "amazon.it"), ("recordings", "amazon.it")]
    assert str(folder / "amazon.it.toml") in failed[0]["detail"] and "marketplace.currency" in failed[0]["detail"]


@pytest.mark.browser
def test_doctor_starts_the_browser(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("doctor", "--json")
    browser = [c for c in json.loads(result.stdout) if c["area"] == "browser"]
    assert len(browser) == 1 and browser[0]["ok"], browser
    assert "starts" in browser[0]["detail"]


def _plant_sentinels(folder: Path) -> None:
    block = (
        '<div id="glow-ingress-line1">Deliver to Zebediah Quuxworth</div>'
        '<span id="nav-link-accountList-nav-line-1">Hello, Zebediah</span>'
        '<p>zeb.sentinel+amz@example.org, (541) 555-0199, +44 20 7946 0958, 541-555-0123, 030 1234 5678,'
        " order 112-4455667-8899001, D01-7654321-1234567, claim AQ5Z-SENTNL-GHIJ7, card 4111 1111 1111 1111,"
        " 5500000000000004, Visa ending in 4242</p>"
        '<ul class="displayAddressUL"><li>Zebediah Quuxworth</li><li>742 Sentinel Terrace</li>'
        "<li>Springfield, OR 97477</li></ul>"
        '<input type="hidden" name="t" value="SENTINELHIDDENVALUE"><input type="text" value="SENTINELTYPEDTEXT">'
        '<textarea>SENTINELTEXTAREA</textarea><noscript>SENTINELNOSCRIPT</noscript>'
        '<a href="/gp/css/homepage.html?session-id=SENTINELSESSIONTOKEN" onclick="x(\'SENTINELONCLICK\')" '
        'data-customer-id="SENTINELCUSTOMERID" title="attr.sentinel@example.net">account</a>'
        '<meta name="csrf-token" content="SENTINELCSRFTOKEN"><!-- SENTINELCOMMENT -->'
        '<script>var s = "SENTINELSCRIPTSECRET";</script>'
    )
    for page in folder.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        page.write_text(html.replace("</body>", block + "</body>") if "</body>" in html else html + block, encoding="utf-8")


def test_record_saves_redacted_replayable_pages_without_personal_data(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "live"
    shutil.copytree(RECORDINGS / "amazon.com", source)
    _plant_sentinels(source)
    out = tmp_path / "contributed"

    result = run_cli("record", "--replay", str(source), "--out", str(out))
    assert result.exit_code == 0, result.stderr

    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(
        [f"{stem}.{ext}" for stem in ("gift-card-balance", "gift-card-balance-2", "promotional-balance", "rewards",
                                      "kindle-rewards", "cart", "checkout-payment") for ext in ("html", "expected.json")]
        + ["manifest.toml"]
    )
    written = "\n".join(p.read_text(encoding="utf-8") for p in out.iterdir())
    left = {what: value for what, value in SENTINELS.items() if value in written}
    assert left == {}, f"personal data reached the recording: {left}"

    manifest = load_manifest(out)
    assert manifest.marketplace == "amazon.com" and all(p.origin == "captured" for p in manifest.page)
    capture_next = (
        "https://www.amazon.com/gc/balance?ref_=gcf_b_bp_b_c_d_b_w&next=eyJsIjoxMDAsInQiOiJUUkFWRVJTRV9ET1dOIiwidSI6"
        "MjAwLCJwIjoyLCJuIjoxNSwiYyI6IkFYWFhYWFhYWFhYWFgifQ%3D%3D"
    )
    assert [p.url for p in manifest.page if p.file == "gift-card-balance-2.html"] == [redact_url(capture_next)]
    for page in manifest.page:
        assert (out / page.file).read_text(encoding="utf-8").startswith("<!-- origin: captured from amazon.com")
        # The planted data changed nothing the extractor reads: the readings equal the bundled expected files.
        recorded = json.loads((out / page.file.replace(".html", ".expected.json")).read_text(encoding="utf-8"))
        bundled = json.loads((RECORDINGS / "amazon.com" / page.file.replace(".html", ".expected.json")).read_text())
        assert recorded == bundled, page.file

    # The contribution replays like the bundled recordings, older activity page included.
    again = run_cli("--data-dir", str(tmp_path / "data"), "refresh", "--replay", str(out), "--json")
    assert again.exit_code == 0, again.stderr
    snapshot = json.loads(again.stdout)
    assert snapshot["status"] == "complete" and len(snapshot["activity"]) == 17


LOCALIZED = [
    (marketplace, page.file)
    for marketplace in available_marketplaces()
    if marketplace != "amazon.com" and (RECORDINGS / marketplace / "manifest.toml").is_file()
    for page in load_manifest(RECORDINGS / marketplace).page
    if page.file in ("gift-card-balance.html", "checkout-payment.html")
]


@pytest.mark.parametrize(("marketplace", "file"), LOCALIZED)
def test_inspect_reads_localized_pages_exactly(run_cli, marketplace: str, file: str) -> None:  # type: ignore[no-untyped-def]
    page = RECORDINGS / marketplace / file
    result = run_cli("inspect", str(page), "--marketplace", marketplace, "--json")
    assert result.exit_code == 0, result.stderr
    expected = json.loads(page.with_name(file.replace(".html", ".expected.json")).read_text(encoding="utf-8"))
    assert json.loads(result.stdout) == expected
