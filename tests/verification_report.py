"""Figures the verification suites collect while they run (mutation counts, ...).

tests/conftest.py prints them at the end of the test report, so they show
with `-q` as well as with `-s`.
"""

from __future__ import annotations

from collections import Counter

# Suite name -> outcome -> count, e.g. LINES["mutations"]["caught"] += 1.
COUNTS: dict[str, Counter[str]] = {}


def count(suite: str, outcome: str, n: int = 1) -> None:
    COUNTS.setdefault(suite, Counter())[outcome] += n


def summary_lines() -> list[str]:
    return [
        f"{suite}: " + ", ".join(f"{outcome} {n}" for outcome, n in sorted(counts.items()))
        for suite, counts in sorted(COUNTS.items())
    ]
