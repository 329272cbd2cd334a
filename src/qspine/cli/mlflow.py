"""`qspine mlflow import`: registered model versions, their runs and dataset inputs from a
local MLflow tracking store, as model, dataset and validation records (extra `mlflow`)."""

from __future__ import annotations

import typer
from rich.markup import escape

from qspine.cli.context import options
from qspine.cli.output import console, print_json, progress, table

app = typer.Typer(
    help="MLflow: import a local tracking store (needs the extra: pip install 'qspine[mlflow]').",
    no_args_is_help=True,
)


@app.command("import")
def import_(
    ctx: typer.Context,
    tracking_uri: str = typer.Argument(
        ..., help="sqlite:///PATH, a path to an MLflow SQLite database, or a file store folder"
    ),
    experiment: str | None = typer.Option(
        None, "--experiment", "-e", help="Only model versions whose run is in this experiment"
    ),
    model: str | None = typer.Option(
        None, "--model", "-m", help="Only the versions of this registered model"
    ),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Import registered model versions (weights, parameters, git commit), their runs'
    metrics (validation runs) and dataset inputs in one transaction; re-importing an
    unchanged store changes nothing."""
    opts = options(ctx)
    spine = opts.spine()
    with progress("reading the MLflow store"):
        report = spine.mlflow.import_store(opts.actor(), tracking_uri, experiment, model)
    if json:
        print_json(report)
        return
    console.print(
        f"{report.tracking_uri}: {report.count('created')} created, "
        f"{report.count('updated')} updated, {report.count('unchanged')} unchanged, "
        f"{report.links} link(s) made",
        markup=False,
    )
    if report.records:
        table(
            "Records",
            ["key", "kind", "origin", "action"],
            [(r.key, r.kind, escape(r.origin), r.action) for r in report.records],
        )
    for line in [*report.skipped, *report.notes]:
        console.print(f"note: {line}", markup=False)
