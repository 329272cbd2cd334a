"""`qspine vulndb …`: import OSV advisories into the offline vulnerability database, show what
it holds, match releases against it."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from qspine.cli.context import options
from qspine.cli.output import console, print_json, progress, table, utc
from qspine.model.vulndb_report import MatchReport

app = typer.Typer(
    help="Offline vulnerability database: import OSV advisories, match releases against them.",
    no_args_is_help=True,
)
SHOWN = 50
"""Rows printed per list of a match report (--json has them all)."""


@app.command("import")
def import_(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="Folder, ZIP archive or one OSV .json/.yaml record"),
    source: str | None = typer.Option(
        None, help="Database label (default: the folder's or archive's name)"
    ),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Load OSV records (JSON or YAML) incrementally: new ones are added, changed ones
    replaced, unchanged ones left; all or nothing."""
    opts = options(ctx)
    spine = opts.spine()
    with progress(f"importing {path.name}") as step:
        done = spine.vulndb.import_advisories(opts.actor(), path, progress=step, source=source)
    if json:
        print_json(done)
        return
    console.print(
        f"{escape(done.file)} ({escape(done.source)}): {done.records:,} record(s): "
        f"{done.new:,} new, {done.updated:,} updated, {done.unchanged:,} unchanged; "
        f"{done.withdrawn:,} withdrawn; {done.unparsed_versions:,} range version(s) the "
        "ecosystem cannot read"
    )


@app.command()
def status(ctx: typer.Context, json: bool = typer.Option(False, "--json")) -> None:
    """Advisories per ecosystem and source, the newest modified time, the last import and
    match, and the releases that can be matched."""
    opts = options(ctx)
    spine = opts.spine()
    found = spine.vulndb.status(spine.users.get(opts.actor()))
    if json:
        print_json(found)
        return
    console.print(
        f"{found.advisories:,} advisories ({found.withdrawn:,} withdrawn), newest modified "
        f"{utc(found.newest_modified) or '—'}"
    )
    table(
        "per ecosystem",
        ["ecosystem", "advisories", "packages"],
        [(e.ecosystem, f"{e.advisories:,}", f"{e.packages:,}") for e in found.ecosystems],
    )
    table(
        "per source",
        ["source", "advisories", "withdrawn", "newest modified", "last imported"],
        [
            (
                escape(s.source),
                f"{s.advisories:,}",
                f"{s.withdrawn:,}",
                utc(s.newest_modified),
                utc(s.last_imported),
            )
            for s in found.sources
        ],
    )
    for label, run in (("last import", found.last_import), ("last match", found.last_match)):
        if run is not None:
            console.print(f"{label}: {utc(run.at)} by {run.actor}: {escape(run.reason)}")


@app.command()
def match(
    ctx: typer.Context,
    release: str | None = typer.Option(
        None, "--release", "-r", help="One release (default: every release not withdrawn)"
    ),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Match the releases' components against the database; write the vulnerabilities,
    affects links, component versions and CAPA candidates found; report what is new."""
    opts = options(ctx)
    spine = opts.spine()
    with progress("matching") as step:
        report = spine.vulndb.match(opts.actor(), release, progress=step)
    if json:
        print_json(report)
        return
    print_report(report)


def print_report(report: MatchReport) -> None:
    console.print(
        f"{', '.join(report.releases) or 'no release'}: {report.components:,} component(s) "
        f"({report.not_matchable:,} without a matchable purl) against {report.advisories:,} "
        f"advisories: {len(report.matches):,} match(es), "
        f"{len(report.new_vulnerabilities):,} new vulnerabilities, "
        f"{len(report.reused):,} known, {report.new_links:,} new link(s)"
    )
    if report.new_vulnerabilities:
        table(
            "new vulnerabilities",
            ["record", "identifier", "title"],
            [(v.key, v.identifier, escape(v.title)) for v in report.new_vulnerabilities[:SHOWN]],
        )
    if report.capa_candidates:
        table(
            "CAPA candidates (released releases)",
            ["record", "vulnerability", "release", "owner"],
            [
                (c.key, c.vulnerability, c.release, c.owner or "")
                for c in report.capa_candidates[:SHOWN]
            ],
        )
    if report.components_revised:
        console.print(
            "components with newly known vulnerabilities (new listed version; evidence linked "
            "to the older version is now suspect): " + ", ".join(report.components_revised[:SHOWN])
        )
    if report.reopened:
        table(
            "not-affected decisions reopened",
            ["vulnerability", "why"],
            [(r.vulnerability, escape(r.reason)) for r in report.reopened[:SHOWN]],
        )
    if report.no_longer_matched:
        table(
            "no longer matched (links kept)",
            ["vulnerability", "component", "release", "why"],
            [
                (g.vulnerability, g.component, g.release, escape(g.reason))
                for g in report.no_longer_matched[:SHOWN]
            ],
        )
    if report.older_versions:
        console.print(
            f"{len(report.older_versions):,} match(es) in releases that contain an older version "
            "than the component's current one (linked to the release only)"
        )
