"""`qspine lint FILE...`: superseded regulatory references in controlled documents."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from qspine.cli.context import options
from qspine.cli.output import console, print_json, table
from qspine.model.errors import InvalidInput
from qspine.services.lint import RecordLint, lint_file


def lint(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(None, help="Markdown, text, DOCX or PDF files"),
    record: str | None = typer.Option(
        None, "--record", help="Lint a document record (its body and attached file) instead"
    ),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Flag superseded regulatory references (QSR, old 820.x sections, DHF/DMR/DHR, withdrawn
    guidance editions...) with the replacement and the reason; exit 1 if any is found (for a
    record: any not suppressed, unless it is a dated historical record)."""
    if record is not None:
        if files:
            raise InvalidInput("give files or --record, not both")
        _lint_record(ctx, record, json)
        return
    if not files:
        raise InvalidInput("name the files to lint, or --record KEY")
    results = [lint_file(path) for path in files]  # every file readable, or one error
    total = sum(len(result.findings) for result in results)
    if json:
        print_json(results)
    else:
        for result in results:
            if not result.findings:
                console.print(f"{escape(result.path)}: clean", soft_wrap=True)
                continue
            table(
                f"{result.path} · {len(result.findings)} superseded reference(s)",
                ["where", "rule", "found", "replace with", "why"],
                [
                    (
                        f.where or f"line {f.line}",
                        f.rule,
                        escape(f.text),
                        escape(f.replacement),
                        escape(f.reason),
                    )
                    for f in result.findings
                ],
            )
        console.print(f"{total} finding(s) in {len(results)} file(s)")
    if total:
        raise typer.Exit(1)


def _lint_record(ctx: typer.Context, key: str, json: bool) -> None:
    opts = options(ctx)
    spine = opts.spine()
    found: RecordLint = spine.lint.lint_record(spine.users.get(opts.actor()), key)
    if json:
        print_json(found)
    elif not found.findings:
        console.print(f"{key}: clean")
    else:
        note = " (dated historical record: legacy terms allowed)" if found.historical else ""
        table(
            f"{key} · {len(found.findings)} superseded reference(s){note}",
            ["where", "rule", "found", "replace with", "occurrence", "suppressed"],
            [
                (
                    p.finding.where,
                    p.finding.rule,
                    escape(p.finding.text),
                    escape(p.finding.replacement),
                    p.occurrence,
                    escape(p.suppressed_because) or "",
                )
                for p in found.findings
            ],
        )
    if found.open:
        raise typer.Exit(1)
