"""`qspine cyber …`: cybersecurity metrics, the threat model and risk bridge, and the premarket
cybersecurity package of a release (FD&C Act 524B; FDA Cyber Guidance 2026)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import typer
from rich.markup import escape

from qspine.cli.context import options
from qspine.cli.output import console, print_json, table
from qspine.model.cyber_bridge import Bridge, BridgeControl
from qspine.model.cyber_metrics import CyberMetrics, summary_line
from qspine.model.errors import InvalidInput
from qspine.reports.cyber_package import FORMATS, filename, render

app = typer.Typer(
    help="Cybersecurity: metrics, the threat model and risk bridge, the premarket package.",
    no_args_is_help=True,
)
GAP_TEXT = {
    "no_risk": "poses no security risk",
    "no_control": "no control",
    "no_test": "no test",
    "no_may_cause": "safety impact not linked",
}


@app.command()
def metrics(
    ctx: typer.Context,
    as_of: str | None = typer.Option(
        None, "--as-of", help="Take the figures as at this day (YYYY-MM-DD; default today)"
    ),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Vulnerabilities by triage state and status, median days to triage and to patch, the
    share patched or mitigated, time to deploy, SBOM update cadence, and components past end
    of support or unmaintained in released products."""
    opts = options(ctx)
    spine = opts.spine()
    result = spine.cyber.metrics(spine.users.get(opts.actor()), _day(as_of))
    if json:
        print_json(result)
        return
    _print_metrics(result)


@app.command()
def bridge(ctx: typer.Context, json: bool = typer.Option(False, "--json")) -> None:
    """Per threat: its security risks with ratings, their controls (category, tests and
    results) and, where exploitation can hurt a patient, the hazardous situations and harms
    they may cause; gaps marked."""
    opts = options(ctx)
    spine = opts.spine()
    result = spine.cyber.bridge(spine.users.get(opts.actor()))
    if json:
        print_json(result)
        return
    _print_bridge(result)


@app.command()
def package(
    ctx: typer.Context,
    release: str = typer.Option(..., "--release", "-r", help="The release (e.g. REL-2)"),
    format: str = typer.Option("html", "--format", "-f", help="html or json"),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write to this file (default: cyber-package-KEY.FORMAT)"
    ),
) -> None:
    """Write the premarket cybersecurity package of a release: SBOM with support data,
    threat-model summary, security risk assessment, traceability threat -> risk -> control ->
    test, the security-to-safety bridge, control categories, unresolved anomalies, metrics.
    `-o -` writes to standard output."""
    if format not in FORMATS:
        raise InvalidInput(f"--format '{format}': one of {', '.join(FORMATS)}")
    opts = options(ctx)
    spine = opts.spine()
    user = spine.users.get(opts.actor())
    if output is not None and str(output) == "-":
        sys.stdout.write(render(spine.cyber.package(user, release), format))
        return
    with console.status(f"building the cybersecurity package of {escape(release)}…"):
        built = spine.cyber.package(user, release)
        text = render(built, format)
    target = output or Path(filename(built, format))
    target.write_text(text, encoding="utf-8")
    console.print(
        f"{escape(built.release.key)} package written to {escape(str(target))}: "
        f"{len(built.components)} components, {len(built.risks)} security risks, "
        f"{len(built.anomalies)} unresolved vulnerabilities",
        soft_wrap=True,
    )


def _day(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"--as-of: '{text}' is not a date (YYYY-MM-DD)") from None


def _print_metrics(m: CyberMetrics) -> None:
    console.print(escape(summary_line(m)), soft_wrap=True)
    table(
        "vulnerabilities by triage state (live)",
        ["triage state", "count"],
        [(state.replace("_", " "), n) for state, n in m.by_triage_state.items()],
    )
    table("vulnerabilities by status", ["status", "count"], list(m.by_status.items()))
    share = m.patch_share
    console.print(
        f"patched {len(share.patched)}, mitigated {len(share.mitigated)}, of "
        f"{len(share.counted)} counted; time to deploy: "
        + (f"median {m.median_days_to_deploy:g} days" if m.time_to_deploy else "n/a"),
        soft_wrap=True,
    )
    if m.sbom_cadence:
        table(
            "SBOM update cadence",
            ["product", "from", "updates", "median days between", "days since last"],
            [
                (
                    escape(c.product),
                    c.source.replace("_", " "),
                    len(c.dates),
                    "n/a" if c.median_interval_days is None else f"{c.median_interval_days:g}",
                    "n/a" if c.days_since_last is None else c.days_since_last,
                )
                for c in m.sbom_cadence
            ],
        )
    concerns = [("past end of support", c) for c in m.past_end_of_support] + [
        (c.support_level, c) for c in m.unsupported
    ]
    if concerns:
        rows = [
            (f"{c.key} {escape(c.name)}", escape(c.version), why, c.end_of_support, c.releases)
            for why, c in concerns
        ]
        table(
            "components of released products needing attention",
            ["component", "version", "why", "end of support", "releases"],
            [(*row[:4], ", ".join(row[4])) for row in rows],
        )
    for problem in m.problems:
        console.print(f"[yellow]left out:[/] {escape(problem)}", soft_wrap=True)


def _print_bridge(b: Bridge) -> None:
    rows = []
    for threat in b.threats:
        if not threat.risks:
            rows.append(
                (f"{threat.key} {escape(threat.title)}", "", "", "", "", GAP_TEXT["no_risk"])
            )
        for risk in threat.risks:
            controls = ", ".join(_control_text(c) for c in risk.controls)
            safety = ", ".join(
                s.key + (f" -> {', '.join(h.key for h in s.harms)}" if s.harms else "")
                for s in risk.safety
            )
            rating = (
                f"{risk.ratings.get('exploitability') or '?'}/{risk.ratings.get('impact') or '?'}"
            )
            gaps = [GAP_TEXT[g] for g in risk.gaps]
            gaps += [f"{c.key}: {GAP_TEXT[g]}" for c in risk.controls for g in c.gaps]
            rows.append(
                (
                    f"{threat.key} {escape(threat.title)}",
                    f"{risk.key} {escape(risk.title)}",
                    rating,
                    escape(controls),
                    safety,
                    "; ".join(gaps),
                )
            )
    table(
        "threat model and risk bridge",
        [
            "threat",
            "security risk",
            "exploitability/impact",
            "controls (tests)",
            "may cause",
            "gaps",
        ],
        rows,
    )
    if b.unthreatened:
        console.print(
            "security risks posed by no threat: " + ", ".join(r.key for r in b.unthreatened)
        )
    console.print(
        ", ".join(f"{n} {GAP_TEXT[g]}" for g, n in b.gaps.items()) + " (records with gaps)"
    )


def _control_text(control: BridgeControl) -> str:
    """'RC-4 (integrity: TC-8 pass)': the control, its category and its tests' latest results."""
    tests = ", ".join(f"{t.key} {t.latest_outcome or 'no result'}" for t in control.tests)
    category = (control.category or "-").replace("_", " ")
    return f"{control.key} ({category}: {tests or 'no test'})"
