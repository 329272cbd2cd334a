"""`qspine check`: inspection readiness, and the CI gate (exit 1 on findings at or above
`--fail-on`); `qspine rules`: what is checked; `qspine finding suppress|unsuppress`: accept
one finding on purpose, with a reason (audited)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from qspine.cli.context import as_of as instant
from qspine.cli.context import options
from qspine.cli.output import console, print_json, table
from qspine.model.errors import InvalidInput
from qspine.model.findings import check_severity
from qspine.model.readiness import ReadinessReport
from qspine.reports.readiness_report import FORMATS, as_data, heat, render

findings = typer.Typer(
    help="Accept (suppress) or restore one readiness finding, with a reason.",
    no_args_is_help=True,
)

TONES = {"blocking": "bold red", "major": "yellow", "minor": "cyan", "info": "dim"}
HEAT = {"ok": "green", "watch": "yellow", "weak": "dark_orange", "bad": "red", "none": "dim"}


def check(
    ctx: typer.Context,
    as_of: str | None = typer.Option(None, "--as-of", help="Rebuild as of a past UTC instant"),
    pack: str | None = typer.Option(None, "--pack", help="Run one rule pack (default: all)"),
    fail_on: str = typer.Option(
        "blocking", "--fail-on", help="Exit 1 on findings at or above: blocking, major, minor, info"
    ),
    report: Path | None = typer.Option(
        None, "--report", "-o", help="Also write the report: .html, .md or .json"
    ),
    clauses: bool = typer.Option(False, "--clauses", help="Show the per-clause scores too"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Run every readiness rule over the live records (or as of a past instant): findings
    with the record, clause and fix, per-clause scores, the self-assessment measures and the
    trend since the previous check. Exits 1 when findings at or above --fail-on exist."""
    threshold = check_severity(fail_on)
    kind = report.suffix.lower().lstrip(".") if report is not None else ""
    if report is not None and kind not in FORMATS:
        raise InvalidInput(f"{report}: write the report as .html, .md or .json")
    opts = options(ctx)
    spine = opts.spine()
    at = instant(spine, as_of)
    result = spine.readiness.check(spine.users.get(opts.actor()), at, pack)
    if report is not None:
        report.write_text(render(result, kind), encoding="utf-8")
    if json:
        print_json({**as_data(result), "fail_on": threshold})
    else:
        _print(result, clauses)
        if report is not None:
            console.print(f"report written to {escape(str(report))}", soft_wrap=True)
    failing = result.failing(threshold)
    if failing:
        if not json:
            console.print(f"[red]{len(failing)} finding(s) at or above {threshold}[/]")
        raise typer.Exit(1)


def _print(result: ReadinessReport, clauses: bool) -> None:
    when = f"as of {result.as_of:%Y-%m-%d %H:%M}Z" if result.as_of else "live"
    counts = ", ".join(f"{n} {s}" for s, n in result.counts.items() if n)
    score = "n/a" if result.score is None else f"{result.score:.1f}"
    if result.findings:
        table(
            f"readiness ({when}) · score {score} · {counts}",
            ["severity", "rule", "record", "finding"],
            [
                (f"[{TONES[f.severity]}]{f.severity}[/]", f.rule, f.subject, escape(f.message))
                for f in result.findings
            ],
        )
    else:
        console.print(f"readiness ({when}) · score {score} · no open findings")
    if clauses:
        table(
            "clauses",
            ["clause", "score", "checked", "failing", "rules"],
            [
                (
                    c.clause,
                    f"[{HEAT[heat(c.score)]}]{'n/a' if c.score is None else c.score}[/]",
                    c.checked,
                    c.failing,
                    ", ".join(c.rules),
                )
                for c in result.clauses
            ],
        )
    for measure in result.measures:
        value = "n/a" if measure.value is None else f"{measure.value}{measure.unit}"
        console.print(f"{measure.title}: {value} ({escape(measure.detail)})", soft_wrap=True)
    if result.suppressed:
        console.print(f"{len(result.suppressed)} suppressed finding(s) not shown")
    trend = result.trend
    if trend is not None:
        console.print(
            f"since {trend.previous_at:%Y-%m-%d %H:%M}Z: {len(trend.new)} new, "
            f"{len(trend.resolved)} resolved"
        )


def rules(
    ctx: typer.Context,
    pack: str | None = typer.Option(None, "--pack", help="Only this rule pack"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Every readiness rule: id, severity, pack, title and clauses (docs/rules.md has more)."""
    spine = options(ctx).spine()
    infos = spine.readiness.rules(pack)
    if json:
        print_json(infos)
        return
    table(
        f"readiness rules · {len(infos)}",
        ["id", "severity", "pack", "title", "clauses"],
        [
            (
                i.id,
                f"[{TONES[i.severity]}]{i.severity}[/]",
                i.pack,
                escape(i.title),
                escape("; ".join(i.clauses)),
            )
            for i in infos
        ],
    )


@findings.command("suppress")
def suppress(
    ctx: typer.Context,
    rule: str = typer.Argument(..., help="Rule id, e.g. DOC-REF-001"),
    key: str = typer.Argument(..., help="The record the finding is about"),
    occurrence: str = typer.Option(
        "", "--occurrence", help="Which occurrence (from check --json), for per-place findings"
    ),
    reason: str = typer.Option(..., "--reason", help="Why this finding is accepted"),
) -> None:
    """Accept one finding on purpose; it leaves the open findings and stays listed as
    suppressed with your reason (an audit event)."""
    opts = options(ctx)
    spine = opts.spine()
    spine.readiness.suppress(spine.users.get(opts.actor()), rule, key, occurrence, reason)
    console.print(f"suppressed {rule} on {key}" + (f" ({occurrence})" if occurrence else ""))


@findings.command("unsuppress")
def unsuppress(
    ctx: typer.Context,
    rule: str = typer.Argument(...),
    key: str = typer.Argument(...),
    occurrence: str = typer.Option("", "--occurrence"),
    reason: str = typer.Option(..., "--reason", help="Why the suppression is withdrawn"),
) -> None:
    """Withdraw a suppression: the finding is open again from the next check."""
    opts = options(ctx)
    spine = opts.spine()
    spine.readiness.unsuppress(spine.users.get(opts.actor()), rule, key, occurrence, reason)
    console.print(f"{rule} on {key} is open again")
