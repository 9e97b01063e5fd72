"""`report --out FILE.html`: one self-contained page, each balance over time as a chart.

Inline SVG drawn here in Python (no JavaScript, no CDN, nothing fetched), so
the page opens offline, in a mail attachment, or from a dashboard folder.
A night where a balance was not read has no point for it (never a zero).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from html import escape

from scraper.models import Balance, Snapshot

WIDTH, HEIGHT = 640, 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 70, 20, 20, 40


@dataclass
class Series:
    account: str
    kind: str
    unit: str  # currency code, or "points"
    expires_on: date | None
    points: list[tuple[datetime, Decimal]] = field(default_factory=list)

    @property
    def title(self) -> str:
        name = self.kind.replace("_", " ")
        expiry = f", expires {self.expires_on.isoformat()}" if self.expires_on else ""
        return f"{self.account}: {name} ({self.unit}{expiry})"


def _unit(b: Balance) -> str:
    return b.currency or "points"


def _value(b: Balance) -> Decimal:
    return b.amount if b.amount is not None else Decimal(b.points or 0)


def build_series(snapshots: Sequence[Snapshot]) -> list[Series]:
    by_key: dict[tuple[str, str, str, date | None], Series] = {}
    for snap in sorted(snapshots, key=lambda s: s.taken_at):
        for b in snap.balances:
            key = (snap.account, b.kind, _unit(b), b.expires_on)
            series = by_key.setdefault(key, Series(snap.account, b.kind, _unit(b), b.expires_on))
            series.points.append((snap.taken_at, _value(b)))
    return sorted(by_key.values(), key=lambda s: (s.account, s.kind, s.expires_on or date.max))


def coming_expiries(snapshots: Sequence[Snapshot], today: date) -> list[tuple[date, str, Balance]]:
    """Credits with an expiry date not yet past, from each account's newest snapshot."""
    newest: dict[str, Snapshot] = {}
    for snap in snapshots:
        if snap.account not in newest or snap.taken_at > newest[snap.account].taken_at:
            newest[snap.account] = snap
    rows = [(b.expires_on, acct, b) for acct, snap in newest.items() for b in snap.balances if b.expires_on and b.expires_on >= today]
    return sorted(rows, key=lambda r: (r[0], r[1], r[2].kind))


def _fmt(value: Decimal, unit: str) -> str:
    return f"{format(value, 'f')} {unit}"


def chart_svg(series: Series, index: int) -> str:
    times = [t.timestamp() for t, _ in series.points]
    values = [v for _, v in series.points]
    t0, t1 = min(times), max(times)
    v0, v1 = min(values + [Decimal(0)]), max(values)
    if v1 == v0:
        v1 = v0 + 1
    inner_w, inner_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM

    def x(t: float) -> float:
        return PAD_LEFT + (inner_w / 2 if t1 == t0 else (t - t0) / (t1 - t0) * inner_w)

    def y(v: Decimal) -> float:
        return PAD_TOP + inner_h - float((v - v0) / (v1 - v0)) * inner_h

    coords = [(round(x(t), 1), round(y(v), 1)) for t, v in zip(times, values, strict=True)]
    parts = [
        f'<svg class="chart" id="chart-{index}" data-series="{escape(series.title)}" xmlns="http://www.w3.org/2000/svg" '
        f'width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(series.title)}">',
        f'<line class="axis" x1="{PAD_LEFT}" y1="{PAD_TOP + inner_h}" x2="{WIDTH - PAD_RIGHT}" y2="{PAD_TOP + inner_h}"/>',
        f'<line class="axis" x1="{PAD_LEFT}" y1="{PAD_TOP}" x2="{PAD_LEFT}" y2="{PAD_TOP + inner_h}"/>',
        f'<text class="tick" x="{PAD_LEFT - 6}" y="{PAD_TOP + 4}" text-anchor="end">{escape(format(v1, "f"))}</text>',
        f'<text class="tick" x="{PAD_LEFT - 6}" y="{PAD_TOP + inner_h + 4}" text-anchor="end">{escape(format(v0, "f"))}</text>',
        f'<text class="tick" x="{PAD_LEFT}" y="{HEIGHT - 12}">{series.points[0][0].date().isoformat()}</text>',
        f'<text class="tick" x="{WIDTH - PAD_RIGHT}" y="{HEIGHT - 12}" text-anchor="end">{series.points[-1][0].date().isoformat()}</text>',
        '<polyline class="line" points="' + " ".join(f"{cx},{cy}" for cx, cy in coords) + '"/>',
    ]
    for (t, v), (cx, cy) in zip(series.points, coords, strict=True):
        stamp = t.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
        parts.append(
            f'<circle class="point" cx="{cx}" cy="{cy}" r="4" data-taken-at="{stamp}" data-value="{format(v, "f")}">'
            f"<title>{stamp}: {escape(_fmt(v, series.unit))}</title></circle>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
h2 { font-size: 1.05em; margin: 1.5em 0 0.3em; }
svg.chart { background: #fafafa; border: 1px solid #ddd; }
svg .axis { stroke: #888; stroke-width: 1; }
svg .line { fill: none; stroke: #e47911; stroke-width: 2; }
svg .point { fill: #232f3e; }
svg .tick { font-size: 11px; fill: #555; }
table { border-collapse: collapse; }
td, th { border: 1px solid #ddd; padding: 0.3em 0.6em; text-align: left; }
td.amount { text-align: right; font-variant-numeric: tabular-nums; }
"""


def render_report(snapshots: Sequence[Snapshot], *, today: date, generated_at: datetime) -> str:
    series = build_series(snapshots)
    expiries = coming_expiries(snapshots, today)
    body: list[str] = [f"<h1>Amazon credits</h1>\n<p>Generated {generated_at.astimezone(timezone.utc).isoformat(timespec='seconds').replace('+00:00', 'Z')} from {len(snapshots)} snapshots.</p>"]
    body.append("<section id=\"expiries\"><h2>Coming expiries</h2>")
    if expiries:
        body.append("<table><thead><tr><th>expires on</th><th>account</th><th>credit</th><th>amount</th></tr></thead><tbody>")
        for when, account, b in expiries:
            label = b.kind.replace("_", " ") + (f" ({b.description})" if b.description else "")
            body.append(
                f"<tr><td>{when.isoformat()}</td><td>{escape(account)}</td><td>{escape(label)}</td>"
                f'<td class="amount">{escape(_fmt(_value(b), _unit(b)))}</td></tr>'
            )
        body.append("</tbody></table>")
    else:
        body.append("<p>No credit with an expiry date.</p>")
    body.append("</section>\n<section id=\"charts\">")
    if not series:
        body.append("<p>No balances stored yet: run <code>amazon-credits refresh</code>.</p>")
    for i, s in enumerate(series):
        body.append(f"<h2>{escape(s.title)}</h2>\n{chart_svg(s, i)}")
    body.append("</section>")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>Amazon credits</title>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )
