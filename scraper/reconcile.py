"""Reconcile balances read on several pages into one account of the money.

Checkout repeats the gift card and promotional totals that their own pages
already list. Keeping both would count the same money twice, so a checkout
total is a cross-check: kept only when the dedicated page gave nothing for
that kind, and a mismatch is a problem rather than a silent choice.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from scraper.models import Balance, PageKind, Problem, ProblemCode

# Pages that only repeat totals shown elsewhere in more detail.
_SUMMARY_PAGES = frozenset({PageKind.CHECKOUT_PAYMENT.value})


def _totals(balances: list[Balance]) -> dict[tuple[str, str | None], Decimal]:
    totals: dict[tuple[str, str | None], Decimal] = defaultdict(Decimal)
    for balance in balances:
        if balance.amount is not None:
            totals[(balance.kind, balance.currency)] += balance.amount
    return totals


def reconcile(balances: list[Balance]) -> tuple[list[Balance], list[Problem]]:
    detailed = [b for b in balances if b.page not in _SUMMARY_PAGES]
    detailed_kinds = {b.kind for b in detailed}
    kept = list(detailed)
    problems = []
    detailed_totals = _totals(detailed)
    for summary in (b for b in balances if b.page in _SUMMARY_PAGES):
        if summary.kind not in detailed_kinds or summary.amount is None:
            kept.append(summary)
            continue
        shown = detailed_totals.get((summary.kind, summary.currency))
        if shown != summary.amount:
            problems.append(
                Problem(
                    page=summary.page,
                    code=ProblemCode.INCONSISTENT,
                    message=(
                        f"{summary.page} shows {summary.kind} {format(summary.amount, 'f')} {summary.currency}, "
                        f"its own page {format(shown, 'f') + ' ' + str(summary.currency) if shown is not None else 'none in that currency'}"
                    ),
                )
            )
    return kept, problems
