"""`qspine review …`: management review inputs (ISO 13485:2016 5.6.2) for a period."""

from __future__ import annotations

import datetime as dt
import json as json_module
import sys
from typing import Any

import typer
from rich.markup import escape

from qspine.cli.context import options
from qspine.cli.output import console, jsonable, table
from qspine.model.errors import InvalidInput
from qspine.model.review import CLAUSE, ReviewInputs, ReviewSection
from qspine.services.review import ReviewService
from qspine.spine import Spine

app = typer.Typer(
    help="Management review: the ISO 13485 5.6.2 inputs of a period, compiled from records.",
    no_args_is_help=True,
)


@app.command()
def prepare(
    ctx: typer.Context,
    period: str = typer.Option(
        ..., "--period", help="First and last day, both included: 2026-01-01..2026-06-30"
    ),
    create: bool = typer.Option(
        False, "--create", help="Also open a management review record carrying these inputs"
    ),
    title: str | None = typer.Option(None, "--title", help="Title of the record (--create)"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Compile the twelve review inputs of the period: counts as at its end, each with the
    records it counts. With --create, record them in a new management review that follows
    up the previous one, and print its key."""
    start, end = parse_period(period)
    if title is not None and not create:
        raise InvalidInput("--title names the record --create makes: give --create too")
    opts = options(ctx)
    spine = opts.spine()
    reviews = review_service(spine)
    actor = opts.actor()
    created = reviews.create(actor, start, end, title) if create else None
    inputs = reviews.prepare(spine.users.get(actor), start, end)
    if json:
        body = {**jsonable(inputs), "created": created}
        text = json_module.dumps(body, indent=2, ensure_ascii=False, default=_iso)
        sys.stdout.write(text + "\n")
        return
    _print_inputs(inputs)
    if created is not None:
        console.print(f"created {created}: management review for {start} to {end}")


def review_service(spine: Spine) -> ReviewService:
    return spine.reviews


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    """'2026-01-01..2026-06-30' as (first day, last day)."""
    first, separator, last = text.strip().partition("..")
    if not separator:
        raise InvalidInput(f"--period: '{text}' is not FIRST..LAST (e.g. 2026-01-01..2026-06-30)")
    try:
        return dt.date.fromisoformat(first.strip()), dt.date.fromisoformat(last.strip())
    except ValueError:
        raise InvalidInput(
            f"--period: '{text}' does not name two dates (YYYY-MM-DD..YYYY-MM-DD)"
        ) from None


def _print_inputs(inputs: ReviewInputs) -> None:
    previous = inputs.previous_review
    console.print(
        f"[bold]Management review inputs[/bold] {inputs.start} to {inputs.end} ({CLAUSE}) · "
        + (
            f"follows up {escape(previous.key)} {escape(previous.title)}"
            if previous
            else "no previous review"
        )
    )
    console.print("[dim]Counts stand as at the end of the period.[/dim]")
    for section in inputs.sections:
        _print_section(section)


def _print_section(section: ReviewSection) -> None:
    heading = f"{section.letter}) {section.title}"
    if not section.figures:
        console.print(f"\n[bold]{escape(heading)}[/bold]\n[dim]{escape(section.summary)}[/dim]")
        return
    rows: list[list[Any]] = [
        [escape(f.label), f.value, escape(", ".join(f.keys))] for f in section.figures
    ]
    console.print()
    table(heading, ["what is counted", "count", "records counted"], rows)
    console.print(escape(section.summary))


def _iso(value: object) -> str:
    """Dates as YYYY-MM-DD in the JSON output."""
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
