"""`qspine monitor …`: ingest post-market monitoring series of a deployed model version and
show its series with their thresholds, breaches and signals."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from qspine.cli.context import options
from qspine.cli.output import console, print_json, table
from qspine.model.errors import InvalidInput
from qspine.services.monitoring import MAX_SERIES_BYTES

app = typer.Typer(
    help="Post-market monitoring: performance and drift series of deployed model versions.",
    no_args_is_help=True,
)


@app.command()
def ingest(
    ctx: typer.Context,
    model: str = typer.Argument(..., help="The model_version record, e.g. MV-1"),
    file: Path = typer.Argument(..., help="CSV or JSON: observed_at, site, metric, value"),
    version: int | None = typer.Option(
        None, "--version", help="Model version (default: the version in force)"
    ),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Store the file's points for the deployed model version; each new breach of a
    monitoring criterion opens a post-market signal and a CAPA candidate."""
    opts = options(ctx)
    try:
        with file.open("rb") as handle:  # one byte more than the limit: the service refuses
            data = handle.read(MAX_SERIES_BYTES + 1)
    except OSError as error:
        raise InvalidInput(f"{file.name}: cannot be read: {error.strerror}") from None
    done = opts.spine().monitoring.ingest(opts.actor(), model, file.name, data, version)
    if json:
        print_json(done)
        return
    console.print(
        f"{done.file} ({done.format}) -> {done.model} v{done.version}: "
        f"{done.points_added} point(s) added, {done.points_unchanged} unchanged, "
        f"{done.series} series",
        markup=False,
    )
    if done.note:
        console.print(done.note, markup=False)
    new = [b for b in done.breaches if b.new]
    console.print(
        f"{len(done.breaches)} breach episode(s), {len(new)} new: "
        f"{len(done.signals_created)} signal(s) and {len(done.capas_created)} CAPA "
        "candidate(s) created"
    )
    for breach in done.breaches:  # site names are the data's own text, not markup
        made = f"opened {breach.signal}, {breach.capa}" if breach.new else f"as {breach.signal}"
        console.print(f"  {breach.description} ({made})", markup=False)


@app.command()
def series(
    ctx: typer.Context,
    model: str = typer.Argument(..., help="The model_version record, e.g. MV-1"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Every monitored series of the model: points, thresholds, breaches and signals."""
    opts = options(ctx)
    spine = opts.spine()
    found = spine.monitoring.series(spine.users.get(opts.actor()), model)
    if json:
        print_json(found)
        return
    table(
        f"{model}: {len(found)} monitored series",
        ["series", "points", "period", "thresholds", "breaches", "signals"],
        [
            (
                escape(f"v{s.version} {s.site} {s.metric}"),
                len(s.points),
                f"{s.points[0].observed_at.date()} to {s.points[-1].observed_at.date()}",
                "; ".join(str(c) for c in s.criteria) or "none",
                len(s.breaches),
                ", ".join(f"{x.key} ({x.status})" for x in s.signals),
            )
            for s in found
        ],
    )
