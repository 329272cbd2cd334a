"""`qspine model …`: register a model system, show it, list models, check and pass the
release gate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from qspine.cli.context import options, read_password
from qspine.cli.output import console, print_json, table
from qspine.cli.records import SET_HELP, parse_assignments
from qspine.model.model_gate import GateReport
from qspine.services.model_reads import ModelSystem
from qspine.services.models import code_spec

app = typer.Typer(
    help="AI model systems: register with computed fingerprints, show, list, release gate.",
    no_args_is_help=True,
)
CODE_HELP = "Code reference REPO:PATH[@COMMIT] (REPO a local folder; git show at COMMIT)"


@app.command()
def register(
    ctx: typer.Context,
    weights: Path = typer.Argument(..., help="The serialised weights file"),
    title: str = typer.Option(..., "--title", help="Model name and version as users see it"),
    version_label: str = typer.Option(..., "--version-label", help="User-visible version"),
    preprocessing: str | None = typer.Option(None, "--preprocessing", help=CODE_HELP),
    postprocessing: str | None = typer.Option(None, "--postprocessing", help=CODE_HELP),
    threshold: float | None = typer.Option(None, "--threshold", help="Decision threshold"),
    config: Path | None = typer.Option(None, "--config", help="Configuration JSON file"),
    package: list[str] = typer.Option(
        [], "--package", help="Key package: NAME (version read here) or NAME==VERSION"
    ),
    python_version: str | None = typer.Option(
        None, "--python-version", help="Python of the runtime (default: this interpreter)"
    ),
    lockfile: Path | None = typer.Option(None, "--lockfile", help="The environment's lock file"),
    trained_on: list[str] = typer.Option([], "--trained-on", help="Training dataset key"),
    implements: list[str] = typer.Option([], "--implements", help="Requirement key it meets"),
    set_: list[str] = typer.Option([], "--set", "-s", help=SET_HELP),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Hash the weights, pin the code and the environment, and record the model version with
    its training data and requirements in one transaction."""
    opts = options(ctx)
    spine = opts.spine()
    fields = parse_assignments(spine.profile, "model_version", "new model_version", set_)
    view = spine.models.register(
        opts.actor(),
        weights=weights,
        title=title,
        version_label=version_label,
        preprocessing=code_spec("--preprocessing", preprocessing),
        postprocessing=code_spec("--postprocessing", postprocessing),
        decision_threshold=threshold,
        configuration=config,
        packages=package,
        python_version=python_version,
        lockfile=lockfile,
        trained_on=trained_on,
        implements=implements,
        fields=fields,
    )
    if json:
        print_json(view)
        return
    f = view.version.fields
    console.print(
        f"registered {view.key} {escape(view.title)}: weights {f['weights_sha256']}, "
        f"environment {f['environment_sha256'][:12]}"
    )


@app.command()
def show(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="Model version key, e.g. MV-1"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """The model system: fingerprints, code, environment, data, requirements, validation
    runs, and the release gate now and as recorded at release."""
    opts = options(ctx)
    spine = opts.spine()
    system = spine.models.system(spine.users.get(opts.actor()), key)
    if json:
        print_json(system)
        return
    print_system(system)


@app.command("list")
def list_(ctx: typer.Context, json: bool = typer.Option(False, "--json")) -> None:
    """Every model version with its status and release gate."""
    opts = options(ctx)
    spine = opts.spine()
    rows = spine.models.list(spine.users.get(opts.actor()))
    if json:
        print_json(rows)
        return
    table(
        f"{len(rows)} model version(s)",
        ["key", "title", "version", "status", "gate", "runs"],
        [
            (
                f"{r.key} v{r.version}",
                escape(r.title),
                escape(str(r.version_label)),
                r.status,
                "passes" if r.gate_passed else f"{r.gate_open} open",
                r.runs,
            )
            for r in rows
        ],
    )


@app.command()
def gate(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="Model version key"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """The release gate of the current version, each condition with its evidence; exit 1
    when a condition is not met."""
    opts = options(ctx)
    spine = opts.spine()
    report = spine.models.gate(spine.users.get(opts.actor()), key)
    if json:
        print_json(report)
    else:
        print_gate(report)
    if not report.passed:
        raise typer.Exit(1)


@app.command()
def release(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="Model version key"),
    expect: int | None = typer.Option(
        None, "--expect", help="The version you release (default: the current version)"
    ),
    reason: str = typer.Option("", help="Comment recorded with the signature"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from stdin"
    ),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Sign the current version 'released' (re-entering your password): the release gate
    runs first, and its report is recorded with the release."""
    opts = options(ctx)
    actor = opts.actor()
    spine = opts.spine()
    number = expect if expect is not None else spine.records.show(key).latest_version
    spine.signing.preflight(actor, key, "released", number)
    password = read_password(password_stdin, f"Password for {actor} (releasing {key})")
    spine.signing.sign(actor, password, key, "released", number, reason)
    system = spine.models.system(spine.users.get(actor), key)
    if json:
        print_json(system)
        return
    console.print(f"released {key} v{number}; the release gate's report is recorded")
    if system.recorded_gate is not None:
        print_gate(system.recorded_gate)


def print_gate(report: GateReport) -> None:
    state = "[green]passes[/green]" if report.passed else "[red]blocked[/red]"
    console.print(f"release gate of {report.key} v{report.version}: {state}")
    for condition in report.conditions:
        mark = "[green]✓[/green]" if condition.ok else "[red]✗[/red]"
        console.print(f" {mark} {escape(condition.title)}")
        console.print(f"     {escape(condition.detail)}")


def print_system(system: ModelSystem) -> None:
    f = system.fields
    console.print(f"[bold]{system.key}[/bold] {escape(system.title)}")
    label = escape(str(f.get("version_label", "")))
    console.print(f"v{system.version} · [bold]{system.status}[/bold] · {label}")
    rows: list[tuple[str, Any]] = [
        ("weights", f.get("weights_sha256", "")),
        ("preprocessing", system.preprocessing or ""),
        ("postprocessing", system.postprocessing or ""),
        ("decision threshold", f.get("decision_threshold", "")),
        ("configuration", f.get("configuration", "")),
        ("configuration sha256", f.get("configuration_sha256", "")),
        ("python", system.environment.python),
        ("packages", ", ".join(system.environment.package_list())),
        ("lock file sha256", system.environment.lockfile_sha256),
        ("environment sha256", f.get("environment_sha256", "")),
    ]
    table("model system", ["part", "pin"], [(name, escape(str(value))) for name, value in rows])
    for problem in system.problems:
        console.print(f"[red]problem:[/red] {escape(problem)}")
    if system.datasets:
        table(
            "trained on",
            ["dataset", "status", "manifest", "suspect"],
            [
                (f"{d.key} v{d.version}", d.status, d.manifest_sha256[:12], d.suspect)
                for d in system.datasets
            ],
        )
    if system.requirements:
        table(
            "implements",
            ["requirement", "status", "metric criteria", "monitoring criteria"],
            [
                (
                    f"{r.key} v{r.version}",
                    r.status,
                    escape("; ".join(r.metric_criteria)),
                    escape("; ".join(r.monitoring_criteria)),
                )
                for r in system.requirements
            ],
        )
    if system.runs:
        table(
            "validation runs",
            ["run", "status", "outcome", "evaluates", "run verdict", "latest rerun"],
            [
                (
                    f"{r.key} v{r.version}",
                    r.status,
                    r.outcome,
                    f"v{r.evaluates_version}",
                    r.run_verdict,
                    r.rerun_verdict,
                )
                for r in system.runs
            ],
        )
    print_gate(system.gate)
    if system.recorded_gate is not None:
        console.print("recorded at release:")
        print_gate(system.recorded_gate)
