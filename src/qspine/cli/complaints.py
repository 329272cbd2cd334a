"""`qspine complaints …`: complaint data analysis (ISO 13485:2016 8.2.2, 8.4)."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from qspine.cli.context import options
from qspine.cli.output import console, print_json
from qspine.model.trending import (
    RISING_FACTOR,
    RISING_MINIMUM,
    ComplaintTrend,
    parse_day,
    resolve_period,
)

app = typer.Typer(
    help="Complaints: trends by product, failure mode or event type.", no_args_is_help=True
)

RISING = "▲ rising"


@app.command()
def trend(
    ctx: typer.Context,
    start: str | None = typer.Option(
        None, "--from", help="First awareness date, YYYY-MM-DD (default: 12 months back)"
    ),
    end: str | None = typer.Option(None, "--to", help="Last awareness date (default: today)"),
    by: str = typer.Option("product", "--by", help="product, failure_mode or event_type"),
    bucket: str = typer.Option("month", "--bucket", help="month or quarter"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Count complaints (not cancelled) per month or quarter of awareness and per value;
    mark a value rising when its last bucket is at least twice the mean of the earlier
    ones and at least 3."""
    opts = options(ctx)
    spine = opts.spine()
    first, last = resolve_period(
        None if start is None else parse_day(start, "--from"),
        None if end is None else parse_day(end, "--to"),
        spine.context.clock().date(),
    )
    reader = spine.users.get(opts.actor())
    found = spine.trends.complaints(reader, first, last, by, bucket)
    if json:
        print_json(found)
        return
    _print_trend(found)


def _print_trend(found: ComplaintTrend) -> None:
    """Rows are values, columns are buckets; printed at full width (never squeezed), so a
    long period stays readable in a file or a wide terminal."""
    what = found.by.replace("_", " ")
    grid = Table(
        title=f"Complaints by {what} per {found.bucket}, {found.start} to {found.end}: "
        f"{found.total} (cancelled left out)",
        title_justify="left",
    )
    grid.add_column(what, no_wrap=True)
    for bucket in found.buckets:
        grid.add_column(bucket.label, justify="right", no_wrap=True)
    grid.add_column("total", justify="right", no_wrap=True)
    grid.add_column("signal", no_wrap=True)
    for number, row in enumerate(found.rows, start=1):
        cells = [str(n) for n in (*row.counts, row.total)]
        rising = RISING if row.rising else ""
        grid.add_row(escape(row.value), *cells, rising, end_section=number == len(found.rows))
    totals = [str(n) for n in (*found.bucket_totals, found.total)]
    grid.add_row("total", *totals, "", style="bold")
    natural = console.measure(grid, options=console.options.update_width(10_000)).maximum
    if natural > console.width:  # wider than the terminal: print whole lines, unsqueezed
        grid.width = natural
    console.print(grid, crop=False)
    if found.rising:
        console.print(f"rising: {escape(', '.join(found.rising))}")
    console.print(
        f"rising = last {found.bucket} >= {RISING_FACTOR} times the mean of the earlier ones "
        f"and >= {RISING_MINIMUM}"
    )
