"""The HTML report: series and expiries as pure functions, then the page opened in a real
headless Chromium to check that each chart rendered with its data points."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext

from scraper import report
from tests.snapshot_samples import FAMILY, ME, samples

TODAY = date(2026, 11, 21)
GENERATED = datetime(2026, 11, 21, 8, 0, tzinfo=timezone.utc)


def test_series_group_each_credit_over_time() -> None:
    series = report.build_series(samples())
    assert [(s.title, [format(v, "f") for _, v in s.points]) for s in series] == [
        ("family: gift card (USD)", ["5.50"]),
        ("me@example.com: gift card (USD)", ["25.00", "18.25", "18.25"]),
        ("me@example.com: kindle points (points)", ["120", "150", "150"]),
        ("me@example.com: promotional (USD, expires 2026-12-01)", ["10.00", "10.00"]),
    ]


def test_coming_expiries_come_from_the_newest_snapshot() -> None:
    s = samples()
    # the newest ME snapshot no longer lists the promotional credit
    assert report.coming_expiries(s, TODAY) == []
    rows = report.coming_expiries(s[:3], TODAY)
    assert [(d.isoformat(), acct, b.amount) for d, acct, b in rows] == [("2026-12-01", ME, Decimal("10.00"))]
    assert report.coming_expiries(s[:3], date(2026, 12, 2)) == []


def test_page_is_self_contained() -> None:
    html = report.render_report(samples()[:3], today=TODAY, generated_at=GENERATED)
    assert "<script" not in html
    for needle in ("http://", "https://", "src=", "@import", "url("):
        # the SVG namespace is the only URL, and it is never fetched
        assert html.replace('xmlns="http://www.w3.org/2000/svg"', "").count(needle) == 0, needle


def test_empty_store_says_what_to_do() -> None:
    html = report.render_report([], today=TODAY, generated_at=GENERATED)
    assert "No balances stored yet: run <code>amazon-credits refresh</code>." in html
    assert "No credit with an expiry date." in html


@pytest.mark.browser
def test_report_renders_charts_with_their_points_in_chromium(context: BrowserContext, tmp_path: Path) -> None:
    # `context` (conftest) aborts and fails the test on any request that would leave the machine.
    out = tmp_path / "report.html"
    out.write_text(report.render_report(samples()[:3], today=TODAY, generated_at=GENERATED), encoding="utf-8")
    # Served from the written file under a fake address: the guard sees file:// as a request too.
    url = "https://report.invalid/report.html"
    context.route(url, lambda route: route.fulfill(path=out, content_type="text/html; charset=utf-8"))
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    page.goto(url)

    charts = page.locator("svg.chart")
    assert charts.count() == 4
    assert charts.evaluate_all("els => els.map(e => e.dataset.series)") == [
        "family: gift card (USD)",
        "me@example.com: gift card (USD)",
        "me@example.com: kindle points (points)",
        "me@example.com: promotional (USD, expires 2026-12-01)",
    ]
    gift = page.locator('svg.chart[data-series="me@example.com: gift card (USD)"]')
    points = gift.evaluate(
        """svg => { const box = svg.getBoundingClientRect();
        return [...svg.querySelectorAll('circle.point')].map(c => { const r = c.getBoundingClientRect();
          return {value: c.dataset.value, at: c.dataset.takenAt, x: r.x + r.width / 2 - box.x, y: r.y + r.height / 2 - box.y,
                  w: r.width, inside: r.x >= box.x && r.right <= box.right && r.y >= box.y && r.bottom <= box.bottom}; }); }"""
    )
    assert [(p["value"], p["at"]) for p in points] == [("25.00", "2026-11-18T03:41:07Z"), ("18.25", "2026-11-19T03:39:55Z")]
    assert all(p["inside"] and p["w"] == 8 for p in points)  # drawn, r=4, inside the chart
    assert points[0]["x"] < points[1]["x"]  # later to the right
    assert points[0]["y"] < points[1]["y"]  # 25.00 drawn above 18.25
    # the line joins the points it was drawn through
    assert gift.locator("polyline.line").evaluate("l => l.points.numberOfItems") == 2
    assert gift.locator("polyline.line").evaluate("l => l.getTotalLength()") > 100

    rows = page.locator("#expiries tbody tr").evaluate_all("rs => rs.map(r => [...r.cells].map(c => c.textContent))")
    assert rows == [["2026-12-01", ME, 'promotional (Prime Day credit, "thank you")', "10.00 USD"]]
    assert requests == [url]  # nothing but the page itself was requested
    assert FAMILY in out.read_text()
