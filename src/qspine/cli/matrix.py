"""`qspine matrix NAME`: a trace matrix as a table, or exported to XLSX, CSV or JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from qspine.cli.context import options
from qspine.cli.output import console, jsonable, short, table
from qspine.model.errors import InvalidInput
from qspine.model.matrix import Matrix
from qspine.reports.matrix_export import to_csv, to_xlsx

FORMATS = ("table", "json", "csv", "xlsx")


def matrix(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Matrix name from the profile (see --list)"),
    format: str = typer.Option("table", "--format", "-f", help="table, json, csv or xlsx"),
    output: Path | None = typer.Option(None, "-o", "--output", help="File to write"),
    gaps_only: bool = typer.Option(False, "--gaps-only", help="Only rows with a missing cell"),
) -> None:
    """A trace matrix defined in the profile, with coverage gaps and suspect links."""
    if format not in FORMATS:
        raise InvalidInput(f"--format {format}: one of {', '.join(FORMATS)}")
    if format == "xlsx" and output is None:
        raise InvalidInput("--format xlsx writes a file: give -o FILE.xlsx")
    opts = options(ctx)
    spine = opts.spine()
    built = spine.matrices.build(spine.users.get(opts.actor()), name, gaps_only)
    if format == "table":
        _print_table(built)
        return
    payload = {
        "xlsx": lambda: to_xlsx(built),
        "csv": lambda: to_csv(built).encode("utf-8"),
        "json": lambda: (
            json.dumps(jsonable(built), indent=2, ensure_ascii=False).encode("utf-8") + b"\n"
        ),
    }[format]()
    if output is None:
        sys.stdout.buffer.write(payload)
        return
    output.write_bytes(payload)
    console.print(
        f"wrote {output} ({len(built.rows)} rows, {built.gaps} with gaps, "
        f"fingerprint {built.fingerprint[:16]})"
    )


def _print_table(built: Matrix) -> None:
    table(
        f"{built.title}: {len(built.rows)} rows, {built.gaps} with gaps, "
        f"{built.suspects} with suspect links",
        [c.title for c in built.columns],
        [
            [
                "—" if c is None else f"{c.key}{' ⚠' if c.suspect else ''} {short(c.title, 24)}"
                for c in row.cells
            ]
            for row in built.rows[:500]
        ],
    )
    if len(built.rows) > 500:
        console.print(f"(first 500 of {len(built.rows)} rows; export for all)")
