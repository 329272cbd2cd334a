"""`qspine sbom …`: import a release's SBOM, compare releases, list and export components."""

from __future__ import annotations

from pathlib import Path

import typer

from qspine.cli.context import options
from qspine.cli.output import console, print_json, progress, short, table
from qspine.formats.sbom_export import FORMATS
from qspine.model.sbom_diff import SbomDiff

app = typer.Typer(
    help="SBOMs: import CycloneDX or SPDX into a release, diff against the previous SBOM, export.",
    no_args_is_help=True,
)


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="CycloneDX (JSON/XML) or SPDX (JSON/tag-value) file"),
    release: str = typer.Option(..., "--release", "-r", help="Release the SBOM belongs to"),
    previous: str | None = typer.Option(
        None, help="Compare with this release (default: the product's previous release)"
    ),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Check the document against its specification, then write its components for the
    release in one transaction and show what changed since the previous SBOM."""
    opts = options(ctx)
    spine = opts.spine()
    with progress(f"importing {file.name}") as step:
        done = spine.sbom.import_file(opts.actor(), file, release, previous, progress=step)
    if json:
        print_json(done)
        return
    console.print(
        f"{done.file}: {done.format} {done.spec_version}, {done.diff.total} component(s), "
        f"{done.dependencies} dependency edge(s) -> {done.release}"
    )
    _print_diff(done.diff)
    for warning in done.warnings:
        console.print(f"warning: {warning}")


@app.command()
def diff(
    ctx: typer.Context,
    release: str = typer.Argument(..., help="The newer release"),
    against: str | None = typer.Option(
        None, help="The older release (default: the product's previous release)"
    ),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Components added, removed, upgraded and changed between two releases."""
    opts = options(ctx)
    spine = opts.spine()
    found = spine.sbom.diff(spine.users.get(opts.actor()), release, against)
    if json:
        print_json(found)
        return
    _print_diff(found)


@app.command()
def components(
    ctx: typer.Context,
    release: str = typer.Argument(...),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """The components a release contains, at the versions it contains."""
    opts = options(ctx)
    spine = opts.spine()
    found = spine.sbom.components(spine.users.get(opts.actor()), release)
    if json:
        print_json(found)
        return
    table(
        f"{release}: {len(found)} component(s)",
        ["key", "name", "version", "purl", "support", "end of support", "status"],
        [
            (
                f"{c.key} v{c.number}",
                short(c.fields.get("name", ""), 40),
                c.version,
                short(c.fields.get("purl", ""), 50),
                c.fields.get("support_level", ""),
                c.fields.get("end_of_support", ""),
                c.status,
            )
            for c in found
        ],
    )


@app.command()
def export(
    ctx: typer.Context,
    release: str = typer.Argument(...),
    format: str = typer.Option("cyclonedx", "--format", "-f", help=" or ".join(FORMATS)),
    output: Path | None = typer.Option(None, "--output", "-o", help="File (default: stdout)"),
) -> None:
    """The release's components as a CycloneDX 1.6 or SPDX 2.3 JSON SBOM, with support level
    and end of support."""
    opts = options(ctx)
    spine = opts.spine()
    text = spine.sbom.export(spine.users.get(opts.actor()), release, format)
    if output is None:
        typer.echo(text)
        return
    output.write_text(text, encoding="utf-8")
    console.print(f"wrote {output}")


def _print_diff(found: SbomDiff) -> None:
    against = found.previous or "no previous SBOM"
    console.print(
        f"{found.release} against {against}: {len(found.added)} added, "
        f"{len(found.removed)} removed, {len(found.upgraded)} upgraded, "
        f"{len(found.changed)} changed, {found.unchanged} unchanged"
    )
    rows = [
        (what, c.key, c.name, c.old_version, c.new_version)
        for what, changes in (
            ("upgraded", found.upgraded),
            ("changed", found.changed),
            ("added", found.added),
            ("removed", found.removed),
        )
        for c in changes
    ]
    if rows:
        table("changes", ["change", "key", "name", "was", "now"], rows)
    if found.suspect:
        table(
            "evidence now suspect (re-verify, then qspine link confirm)",
            ["link", "from", "to", "made against"],
            [(s.type, s.source, s.target, f"v{s.target_version}") for s in found.suspect],
        )
