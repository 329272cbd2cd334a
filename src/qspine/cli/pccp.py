"""`qspine pccp …`: check a model version against its PCCP planned modification's envelope,
and list the planned modifications with the model versions made under them."""

from __future__ import annotations

import typer
from rich.markup import escape

from qspine.cli.context import options
from qspine.cli.output import console, print_json, table
from qspine.services.pccp import PccpReport

app = typer.Typer(
    help="PCCP: check model versions against the envelope of their planned modification.",
    no_args_is_help=True,
)


@app.command()
def check(
    ctx: typer.Context,
    model: str = typer.Argument(..., help="Model version key, e.g. MV-2"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Compare the model version with its authorised base (modifies_model) against the
    envelope of the modification it implements; exit 1 when outside or not under a PCCP."""
    opts = options(ctx)
    spine = opts.spine()
    report = spine.pccp.check(spine.users.get(opts.actor()), model)
    if json:
        print_json(report)
    else:
        print_report(report)
    if not report.within:
        raise typer.Exit(1)


@app.command("list")
def list_(ctx: typer.Context, json: bool = typer.Option(False, "--json")) -> None:
    """Every planned modification, with the model versions made under it and their verdict."""
    opts = options(ctx)
    spine = opts.spine()
    found = spine.pccp.modifications(spine.users.get(opts.actor()))
    if json:
        print_json(found)
        return
    table(  # titles and plan names are people's text, not markup
        f"{len(found)} planned modification(s)",
        ["modification", "plan", "envelope from", "model versions"],
        [
            (
                escape(f"{m.modification.key} {m.modification.title}"),
                escape(f"{m.modification.pccp_version} {m.modification.modification_id}"),
                f"v{m.modification.version} ({m.modification.which})",
                ", ".join(f"{u.key} {'within' if u.within else 'OUTSIDE'}" for u in m.models)
                or "none",
            )
            for m in found
        ],
    )


def print_report(report: PccpReport) -> None:
    head = f"{report.model} v{report.version} {report.title} ({report.status})"
    if not report.under_pccp:
        console.print(f"{head}: {report.message}", markup=False)
        return
    verdict = "WITHIN the PCCP" if report.within else "OUTSIDE the PCCP"
    console.print(f"{head}: {verdict}", markup=False)
    for one in report.checks:
        plan = one.modification
        console.print(
            f"\n{plan.key} v{plan.version} ({plan.which}) {plan.pccp_version} "
            f"{plan.modification_id}: {plan.title}; base {one.base or 'none'}; "
            f"metrics: {one.validation}",
            markup=False,
        )
        for finding in one.check.findings:
            console.print(f"  ✗ {finding}", markup=False)
        for item in one.check.checked:
            console.print(f"  ✓ {item}", markup=False)
