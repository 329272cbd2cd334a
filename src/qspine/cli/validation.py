"""`qspine validation run|rerun|show`: model validation runs QSpine executes and reruns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import typer

from qspine.cli.context import options
from qspine.cli.output import console, print_json, progress, table, utc
from qspine.model.metric_criteria import judged_text
from qspine.model.validation_record import JudgementRecord, format_metric
from qspine.services.validation import DEFAULT_TIMEOUT
from qspine.services.validation_reads import Execution

app = typer.Typer(
    help="Model validation runs: execute on pinned inputs, rerun and compare, show.",
    no_args_is_help=True,
)


@app.command()
def run(
    ctx: typer.Context,
    model: str = typer.Option(..., "--model", "-m", help="The model version, e.g. MV-1"),
    data: list[str] = typer.Option(..., "--data", "-d", help="A dataset (repeat for more)"),
    command: str = typer.Option(
        ..., "--command", "-c", help="Evaluation command; reads QSPINE_* and writes predictions"
    ),
    title: str = typer.Option(..., "--title", "-t", help="Short description of the run"),
    timeout: float = typer.Option(DEFAULT_TIMEOUT, help="Seconds before the command is stopped"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Check the inputs against their pins, execute the command in a fresh process, compute
    the metrics at the model's threshold, judge them and record the run (a draft to sign)."""
    opts = options(ctx)
    spine = opts.spine()
    with progress(f"validating {model}") as step:
        done = spine.validation.run(
            opts.actor(), model, data, command, title, timeout=timeout, progress=step
        )
    if json:
        print_json(done)
        return
    console.print(
        f"{done.key}: {done.model} v{done.model_version} on {', '.join(done.datasets)}: "
        f"outcome {done.outcome} (execution {done.verdict}, exit code {done.exit_code})"
    )
    if done.error:
        console.print(f"error: {done.error}")
    _print_metrics(done.metrics)
    _print_judgements(done.judgements)
    console.print(f"outputs sha256 {done.output_sha256 or '(none)'}; sign it 'verified' to record")


@app.command()
def rerun(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="The validation run, e.g. VR-1"),
    timeout: float = typer.Option(DEFAULT_TIMEOUT, help="Seconds before the command is stopped"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Repeat the run on its pinned inputs in a fresh process and compare; exit code 1 when
    it is not reproduced."""
    opts = options(ctx)
    spine = opts.spine()
    with progress(f"rerunning {key}") as step:
        done = spine.validation.rerun(opts.actor(), key, timeout=timeout, progress=step)
    if json:
        print_json(done)
    else:
        console.print(f"{done.key}: {done.verdict.replace('_', ' ')}")
        for line in done.differences:
            console.print(f"  differs: {line}")
        for line in done.notes:
            console.print(f"  note: {line}")
    if done.verdict != "reproduced":
        raise typer.Exit(1)


@app.command()
def show(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="The validation run, e.g. VR-1"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """The run: what it pinned, its metrics and judgements, and every execution."""
    opts = options(ctx)
    spine = opts.spine()
    view = spine.validation.show(spine.users.get(opts.actor()), key)
    if json:
        print_json(view)
        return
    fields = view.fields
    console.print(
        f"{view.key} v{view.version} [{view.status}] {view.title}: outcome "
        f"{fields.get('outcome', '')}"
    )
    console.print(f"command: {fields.get('command', '')}")
    record = view.record
    if record is None:
        console.print("not executed by QSpine: no execution record to rerun")
    else:
        console.print(
            f"model {record.model.key} v{record.model.version} (threshold "
            f"{record.model.decision_threshold:g}); data "
            + ", ".join(f"{d.key} v{d.version}" for d in record.datasets)
        )
        if record.error:
            console.print(f"error: {record.error}")
        _print_metrics(record.metrics)
        _print_judgements(record.judgements)
    _print_executions(view.executions)


def _print_metrics(metrics: Mapping[str, float]) -> None:
    if not metrics:
        return
    table(
        "metrics",
        ["metric", "value", "95% CI"],
        [
            (
                name,
                format_metric(value),
                f"{format_metric(metrics[name + '_ci_low'])} to "
                f"{format_metric(metrics[name + '_ci_high'])}"
                if f"{name}_ci_low" in metrics
                else "",
            )
            for name, value in metrics.items()
            if not name.endswith(("_ci_low", "_ci_high"))
        ],
    )


def _print_judgements(judgements: Sequence[JudgementRecord]) -> None:
    table(
        "acceptance criteria",
        ["criterion", "requirement", "measured", "result"],
        [
            (
                j.criterion,
                j.source,
                format_metric(None) if j.measured is None else judged_text(j.criterion, j.measured),
                "met" if j.passed else "NOT met",
            )
            for j in judgements
        ],
    )


def _print_executions(found: Sequence[Execution]) -> None:
    table(
        "executions",
        ["#", "purpose", "by", "finished", "exit", "verdict", "differences"],
        [
            (
                e.id,
                e.purpose,
                e.actor,
                utc(e.finished_at),
                e.exit_code,
                e.verdict,
                "; ".join(e.differences),
            )
            for e in found
        ],
    )
