"""`qspine lint FILE...`: superseded regulatory references in controlled documents."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import typer
from rich.markup import escape

from qspine.cli.output import console, print_json, table
from qspine.formats.document_text import read_document
from qspine.model.superseded import LintFinding, scan


@dataclass(frozen=True)
class FileFindings:
    path: str
    findings: list[LintFinding]


def lint(
    files: list[Path] = typer.Argument(..., help="Markdown, text, DOCX or PDF files"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Flag superseded regulatory references (QSR, old 820.x sections, DHF/DMR/DHR, withdrawn
    guidance editions...) with the replacement and the reason; exit 1 if any is found."""
    documents = [read_document(path) for path in files]  # every file readable, or one error
    results = [
        FileFindings(document.path, scan(document.lines, document.where)) for document in documents
    ]
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
