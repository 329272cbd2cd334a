"""`qspine matrix NAME`: a trace matrix as a table, or exported to XLSX, CSV, HTML or JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import typer

from qspine.cli.context import AS_OF_HELP, as_of, options
from qspine.cli.output import console, jsonable, short, table
from qspine.model.asof import stamp
from qspine.model.errors import InvalidInput
from qspine.model.matrix import Matrix
from qspine.reports.matrix_export import to_html, to_xlsx, write_csv

FORMATS = ("table", "json", "csv", "xlsx", "html")


def matrix(
    ctx: typer.Context,
    name: str | None = typer.Argument(None, help="Matrix name from the profile (omit with --all)"),
    format: str = typer.Option("table", "--format", "-f", help="table, json, csv, xlsx or html"),
    output: Path | None = typer.Option(None, "-o", "--output", help="File to write"),
    gaps_only: bool = typer.Option(False, "--gaps-only", help="Only rows with a missing cell"),
    suspect_only: bool = typer.Option(
        False, "--suspect-only", help="Only rows with a suspect link"
    ),
    text: str = typer.Option(
        "", "--text", help="Only rows with a cell whose key or title has TEXT"
    ),
    at: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
    every: bool = typer.Option(
        False, "--all", help="Every matrix of the profile in one workbook (-f xlsx -o FILE)"
    ),
) -> None:
    """A trace matrix defined in the profile, with coverage gaps and suspect links."""
    if format not in FORMATS:
        raise InvalidInput(f"--format {format}: one of {', '.join(FORMATS)}")
    if format == "xlsx" and output is None:
        raise InvalidInput("--format xlsx writes a file: give -o FILE.xlsx")
    if every and (format != "xlsx" or name is not None):
        raise InvalidInput("--all writes one workbook: give -f xlsx -o FILE.xlsx and no NAME")
    opts = options(ctx)
    spine = opts.spine()
    if name is None and not every:
        raise InvalidInput(
            f"name a matrix ({', '.join(spine.matrices.names())}) or give --all -f xlsx"
        )
    reader = spine.users.get(opts.actor())
    instant = as_of(spine, at)
    names = list(spine.matrices.names()) if name is None else [name]
    built = [
        spine.matrices.build(reader, each, gaps_only, instant, suspect_only, text) for each in names
    ]
    if format == "table":
        _print_table(built[0])
        return
    write: Callable[[BinaryIO], object] = {
        "xlsx": lambda out: out.write(to_xlsx(built if every else built[0])),
        "csv": lambda out: write_csv(built[0], out),  # streamed: never one text in memory
        "html": lambda out: out.write(to_html(built[0]).encode("utf-8")),
        "json": lambda out: out.write(
            json.dumps(jsonable(built[0]), indent=2, ensure_ascii=False).encode("utf-8") + b"\n"
        ),
    }[format]
    if output is None:
        write(sys.stdout.buffer)
        return
    with output.open("wb") as out:
        write(out)
    if every:
        console.print(
            f"wrote {output} ({len(built)} matrices: "
            + ", ".join(f"{m.name} {len(m.rows)} rows, {m.gaps} with gaps" for m in built)
            + f"){_when(built[0])}"
        )
        return
    console.print(
        f"wrote {output} ({len(built[0].rows)} rows, {built[0].gaps} with gaps, "
        f"fingerprint {built[0].fingerprint[:16]}){_when(built[0])}"
    )


def _print_table(built: Matrix) -> None:
    table(
        f"{built.title}: {len(built.rows)} rows, {built.gaps} with gaps, "
        f"{built.suspects} with suspect links{_when(built)}",
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
    if built.filters:
        console.print("filters: " + ", ".join(f"{k}={v}" for k, v in built.filters.items()))


def _when(built: Matrix) -> str:
    return "" if built.as_of is None else f", as of {stamp(built.as_of)}"
