"""What a person sees: a table of balances and the problems, drawn with rich."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from scraper.models import Balance, Problem, Snapshot


def out() -> Console:
    """Results, on standard output, for a person or a script."""
    return Console(soft_wrap=True)


def err() -> Console:
    """Progress, problems and errors, on standard error, so standard output stays clean."""
    return Console(stderr=True, soft_wrap=True)


def _value(balance: Balance) -> str:
    if balance.points is not None:
        return f"{balance.points:,} points"
    return f"{format(balance.amount, 'f')} {balance.currency}"


def balances_table(balances: list[Balance], title: str | None = None) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("Credit")
    table.add_column("Balance", justify="right")
    table.add_column("Expires")
    table.add_column("Description")
    table.add_column("Read from")
    for balance in balances:
        table.add_row(
            balance.kind.replace("_", " "),
            _value(balance),
            balance.expires_on.isoformat() if balance.expires_on else "",
            balance.description or "",
            balance.page.replace("_", " ") + (" (by label text)" if balance.found_by == "label_text" else ""),
        )
    return table


def print_problems(console: Console, problems: list[Problem]) -> None:
    for problem in problems:
        console.print(f"[yellow]problem[/] on {problem.page}: {problem.message} [dim]({problem.code})[/]")


def print_snapshot(console: Console, snapshot: Snapshot) -> None:
    taken = snapshot.taken_at.strftime("%Y-%m-%d %H:%M UTC")
    title = f"{snapshot.account} on {snapshot.marketplace}, {taken} ({snapshot.status})"
    if snapshot.balances:
        console.print(balances_table(snapshot.balances, title))
    else:
        console.print(f"{title}: no balance could be read.")
    print_problems(console, snapshot.problems)
