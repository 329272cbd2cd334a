"""Trace matrix exports: CSV, XLSX (cover sheet, frozen header, autofilter, gaps marked) and
standalone HTML."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, BinaryIO

from jinja2 import Environment
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from qspine.model.asof import stamp
from qspine.model.bulk import bulk_allocation
from qspine.model.matrix import Matrix, cell_values

GAP_FILL = PatternFill("solid", start_color="FDE2E1", end_color="FDE2E1")
SUSPECT_FILL = PatternFill("solid", start_color="FFF1C2", end_color="FFF1C2")
HEADER_FILL = PatternFill("solid", start_color="1F2A3A", end_color="1F2A3A")
HEADER_FONT = Font(bold=True, color="FFFFFF")
BOLD = Font(bold=True)


def to_csv(matrix: Matrix) -> str:
    """The matrix as CSV; its SHA-256 is the matrix's fingerprint."""
    return matrix.csv()


def write_csv(matrix: Matrix, out: BinaryIO) -> None:
    """The matrix as CSV (UTF-8) into `out`, a row group at a time: a million rows are never
    held as one text."""
    for chunk in matrix.csv_chunks():
        out.write(chunk.encode())


def cover_facts(matrix: Matrix) -> list[tuple[str, str]]:
    """What a filed copy must say about itself: scope, instant, filters, counts, fingerprint."""
    filters = ", ".join(f"{name}={value}" for name, value in matrix.filters.items())
    return [
        ("Trace matrix", matrix.title),
        ("Name", matrix.name),
        ("Scope", " → ".join(column.title for column in matrix.columns)),
        ("Clauses", "; ".join(matrix.clauses)),
        ("As of (UTC)", stamp(matrix.as_of) if matrix.as_of else "now (when generated)"),
        ("Generated (UTC)", stamp(matrix.generated_at)),
        ("Filters", filters or "none (every row)"),
        ("Rows", str(len(matrix.rows))),
        ("Rows with gaps", str(matrix.gaps)),
        ("Rows with suspect links", str(matrix.suspects)),
        ("Content fingerprint (SHA-256)", matrix.fingerprint),
    ]


def to_xlsx(matrices: Matrix | Sequence[Matrix]) -> bytes:
    """A workbook a quality engineer can file: a cover sheet, then one sheet per matrix
    (frozen header, autofilter, gaps and suspect links highlighted).

    Written in openpyxl's write-only mode, row by row: memory and time stay linear at
    hundreds of thousands of rows."""
    chosen = [matrices] if isinstance(matrices, Matrix) else list(matrices)
    book = Workbook(write_only=True)
    cover = book.create_sheet("Cover")
    cover.column_dimensions["A"].width = 30
    cover.column_dimensions["B"].width = 90
    for index, matrix in enumerate(chosen):
        if index:
            cover.append([])
        for label, value in cover_facts(matrix):
            cover.append([_styled(cover, label, BOLD), value])
    with bulk_allocation():
        for matrix in chosen:
            _matrix_sheet(book, matrix)
        out = io.BytesIO()
        book.save(out)
    return out.getvalue()


def _matrix_sheet(book: Workbook, matrix: Matrix) -> None:
    sheet = book.create_sheet(matrix.name[:31])
    names = matrix.header_row()
    width = len(names)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(width)}{len(matrix.rows) + 1}"
    for index in range(len(matrix.columns)):
        sheet.column_dimensions[get_column_letter(index * 3 + 2)].width = 40
    sheet.append([_styled(sheet, name, HEADER_FONT, HEADER_FILL) for name in names])
    for row in matrix.rows:
        values: list[object] = []
        for cell in row.cells:
            fill = GAP_FILL if cell is None else SUSPECT_FILL if cell.suspect else None
            for value in cell_values(cell):
                values.append(value if fill is None else _styled(sheet, value, None, fill))
        values += ["yes" if row.gap else "", "yes" if row.suspect else ""]
        sheet.append(values)


def _styled(
    sheet: Any, value: object, font: Font | None = None, fill: PatternFill | None = None
) -> Cell:
    cell: Cell = WriteOnlyCell(sheet, value)  # type: ignore[arg-type]
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    return cell


def to_html(matrix: Matrix) -> str:
    """A standalone HTML file (no scripts, no external files): the cover facts, then the
    matrix with gaps and suspect links marked in colour and in words, for filing or mail."""
    return _TEMPLATE.render(
        matrix=matrix,
        facts=cover_facts(matrix),
        headers=matrix.header_row()[:-2],
        rows=[(row, [(cell, cell_values(cell)) for cell in row.cells]) for row in matrix.rows],
    )


_TEMPLATE = Environment(autoescape=True).from_string(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"/>
<title>{{ matrix.title }} — trace matrix</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #1f2a3a; }
h1 { font-size: 1.4rem; margin: 0 0 1rem; }
table { border-collapse: collapse; }
.facts th { text-align: left; padding: .15rem 1rem .15rem 0; vertical-align: top; }
.facts td { font-family: ui-monospace, monospace; }
.matrix { margin-top: 1.5rem; width: 100%; }
.matrix th { position: sticky; top: 0; background: #1f2a3a; color: #fff; text-align: left; }
.matrix th, .matrix td { border: 1px solid #ccd3dd; padding: .25rem .45rem; vertical-align: top; }
.matrix td.gap { background: #fde2e1; }
.matrix td.suspect { background: #fff1c2; }
.legend span { padding: 0 .4rem; margin-right: .6rem; }
</style></head>
<body>
<h1>{{ matrix.title }}</h1>
<table class="facts">
{% for label, value in facts %}<tr><th scope="row">{{ label }}</th><td>{{ value }}</td></tr>
{% endfor %}</table>
<p class="legend"><span style="background:#fde2e1">gap: no record in this column</span>
<span style="background:#fff1c2">suspect: linked version is older than the released one</span></p>
<table class="matrix">
<thead><tr>{% for name in headers %}<th scope="col">{{ name }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row, cells in rows %}<tr>
{%- for cell, values in cells -%}
{%- set mark = "gap" if cell is none else ("suspect" if cell.suspect else "") -%}
{%- for value in values -%}
<td class="{{ mark }}">{{ value if cell is not none else ("— gap —" if loop.first else "") }}</td>
{%- endfor -%}
{%- endfor -%}
</tr>
{% endfor %}</tbody></table>
</body></html>
"""
)
