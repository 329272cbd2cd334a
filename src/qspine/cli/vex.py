"""`qspine vuln …` (list and triage vulnerabilities) and `qspine vex …` (import and export VEX
documents for a release). Triage decisions are signed: the password is asked like `sign`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from qspine.cli.context import options, read_password
from qspine.cli.output import console, print_json, progress, short, table
from qspine.services.vex import VexImport

vuln = typer.Typer(
    help="Vulnerabilities: list them and triage them (signed).", no_args_is_help=True
)
vex = typer.Typer(
    help="VEX: import CycloneDX VEX or OpenVEX into a release, export its triage.",
    no_args_is_help=True,
)


@vuln.command("list")
def list_(
    ctx: typer.Context,
    release: str | None = typer.Option(None, "--release", "-r", help="Only this release's"),
    state: str | None = typer.Option(
        None, help="Only this triage state: under_investigation, affected, not_affected, fixed"
    ),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Vulnerabilities with their triage state, who signed it and what they affect; open ones
    first, longest open first."""
    opts = options(ctx)
    spine = opts.spine()
    found = spine.vex.list_vulnerabilities(spine.users.get(opts.actor()), release, state)
    if json:
        print_json(found)
        return
    title = f"vulnerabilities{' of ' + release if release else ''}" + (
        f" ({state})" if state else ""
    )
    table(
        f"{title}: {found.total}",
        [
            "key",
            "identifier",
            "severity",
            "triage",
            "justification",
            "owner",
            "affects",
            "days",
            "signed by",
        ],
        [
            (
                r.key,
                r.identifier + (f" ({', '.join(r.aliases)})" if r.aliases else ""),
                r.severity or "",
                r.triage_state,
                r.vex_justification or "",
                r.owner or "",
                short(
                    ", ".join(f"{c.name}@{c.version}" for c in r.components)
                    or ", ".join(r.releases),
                    40,
                ),
                "" if r.days_open is None else r.days_open,
                r.signed_by
                + ("" if r.signed_current or not r.signed_by else f" (v{r.signed_version})"),
            )
            for r in found.rows
        ],
    )
    console.print(", ".join(f"{name}: {count}" for name, count in found.counts.items()))


@vuln.command()
def triage(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="The vulnerability record, e.g. VULN-3"),
    state: str = typer.Option(
        ..., help="under_investigation, affected, not_affected or fixed (OpenVEX vocabulary)"
    ),
    justification: str | None = typer.Option(
        None,
        help="Required for not_affected: component_not_present, vulnerable_code_not_present, "
        "vulnerable_code_not_in_execute_path, vulnerable_code_cannot_be_controlled_by_adversary, "
        "inline_mitigations_already_exist",
    ),
    detail: str = typer.Option("", help="Why: the reasoning behind the decision"),
    remediation: str = typer.Option("", help="Fix or compensating controls (affected, fixed)"),
    patient_risk: str | None = typer.Option(
        None, "--patient-risk", help="controlled, uncontrolled or not_assessed"
    ),
    expect: int | None = typer.Option(
        None, "--expect", help="The version you are deciding on (default: the current one)"
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from stdin"
    ),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Decide KEY's triage state as a new version signed 'triaged' (re-enter your password)."""
    opts = options(ctx)
    actor = opts.actor()
    spine = opts.spine()
    version = expect or spine.vex.vulnerability(spine.users.get(actor), key).version
    spine.vex.preflight_triage(actor, key, version)
    password = read_password(password_stdin, f"Password for {actor} (triaging {key} as {state})")
    done = spine.vex.triage(
        actor,
        password,
        key,
        state,
        justification,
        detail,
        patient_risk,
        expected_version=version,
        remediation=remediation,
    )
    if json:
        print_json(done)
        return
    console.print(
        f"{key} v{done.version}: {done.state}"
        + (f" ({done.justification})" if done.justification else "")
        + f"; signed {escape(done.signature.manifestation)}"
    )


@vex.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="CycloneDX VEX (JSON or XML) or OpenVEX (JSON)"),
    release: str = typer.Option(..., "--release", "-r", help="The release it is about"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from stdin"
    ),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Apply each statement that matches a vulnerability of the release as a signed triage
    decision (one transaction); report the statements that match nothing."""
    opts = options(ctx)
    actor = opts.actor()
    spine = opts.spine()
    password = read_password(password_stdin, f"Password for {actor} (signing the VEX decisions)")
    with progress(f"importing {file.name}") as step:
        done = spine.vex.import_vex(actor, password, file, release, progress=step)
    if json:
        print_json(done)
        return
    _print_import(done)


@vex.command("export")
def export(
    ctx: typer.Context,
    release: str = typer.Option(..., "--release", "-r"),
    format: str = typer.Option("cyclonedx", "--format", "-f", help="cyclonedx or openvex"),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout"),
    author: str | None = typer.Option(
        None, help="OpenVEX author (default: the release's security owner)"
    ),
) -> None:
    """The release's vulnerabilities with their current triage as a VEX document."""
    opts = options(ctx)
    spine = opts.spine()
    done = spine.vex.export_vex(spine.users.get(opts.actor()), release, format, author=author)
    if output is None:
        typer.echo(done.text, nl=False)
        return
    output.write_text(done.text, encoding="utf-8")
    console.print(f"{output}: {done.format} VEX, {done.statements} statement(s) for {release}")


def _print_import(done: VexImport) -> None:
    console.print(
        f"{escape(done.file)}: {done.format} {done.spec_version}, {done.statements} statement(s) "
        f"-> {done.release}: {len(done.applied)} decision(s) signed, "
        f"{len(done.unchanged)} unchanged, {len(done.skipped)} not applied"
    )
    if done.applied:
        table(
            "signed triage decisions",
            ["statement", "key", "identifier", "state", "justification", "version", "products"],
            [
                (
                    a.statement,
                    a.key,
                    a.identifier,
                    a.state,
                    a.justification or "",
                    a.version,
                    ", ".join(a.products),
                )
                for a in done.applied
            ],
        )
    for item in (*done.skipped, *done.not_in_release):
        console.print(
            f"statement {item.statement} ({escape(item.vulnerability)}): {escape(item.reason)}"
        )
    for warning in done.warnings:
        console.print(f"warning: {escape(warning)}")
