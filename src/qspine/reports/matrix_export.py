"""Trace matrix exports: CSV and XLSX (cover sheet, frozen header, autofilter, gaps marked)."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from qspine.model.matrix import Matrix, MatrixCell

GAP_FILL = PatternFill("solid", start_color="FDE2E1", end_color="FDE2E1")
SUSPECT_FILL = PatternFill("solid", start_color="FFF1C2", end_color="FFF1C2")
HEADER_FILL = PatternFill("solid", start_color="1F2A3A", end_color="1F2A3A")


def header_row(matrix: Matrix) -> list[str]:
    names = []
    for column in matrix.columns:
        names += [f"{column.title} key", f"{column.title} title", f"{column.title} status"]
    return [*names, "gap", "suspect"]


def cell_values(cell: MatrixCell | None) -> list[str]:
    if cell is None:
        return ["", "", ""]
    key = f"{cell.key} v{cell.version}" + (" (SUSPECT)" if cell.suspect else "")
    return [key, cell.title, cell.status]


def to_csv(matrix: Matrix) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header_row(matrix))
    for row in matrix.rows:
        values = [v for cell in row.cells for v in cell_values(cell)]
        writer.writerow([*values, "yes" if row.gap else "", "yes" if row.suspect else ""])
    return out.getvalue()


def to_xlsx(matrix: Matrix) -> bytes:
    """A workbook a quality engineer can file: cover sheet first, then the matrix."""
    book = Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "Cover"
    facts = [
        ("Trace matrix", matrix.title),
        ("Name", matrix.name),
        ("Scope", " → ".join(column.title for column in matrix.columns)),
        ("Clauses", "; ".join(matrix.clauses)),
        ("Generated (UTC)", matrix.generated_at.strftime("%Y-%m-%d %H:%M:%S")),
        ("Rows", str(len(matrix.rows))),
        ("Rows with gaps", str(matrix.gaps)),
        ("Rows with suspect links", str(matrix.suspects)),
        ("Content fingerprint (SHA-256)", matrix.fingerprint),
    ]
    for line, (label, value) in enumerate(facts, start=1):
        cover.cell(line, 1, label).font = Font(bold=True)
        cover.cell(line, 2, value)
    cover.column_dimensions["A"].width = 30
    cover.column_dimensions["B"].width = 90
    sheet = book.create_sheet(matrix.name[:31])
    sheet.append(header_row(matrix))
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for line, row in enumerate(matrix.rows, start=2):  # (sheet.max_row rescans: quadratic)
        values = [v for cell in row.cells for v in cell_values(cell)]
        sheet.append([*values, "yes" if row.gap else "", "yes" if row.suspect else ""])
        for index, cell in enumerate(row.cells):
            fill = GAP_FILL if cell is None else SUSPECT_FILL if cell.suspect else None
            if fill is not None:
                for offset in range(3):
                    sheet.cell(line, index * 3 + 1 + offset).fill = fill
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for index in range(len(matrix.columns)):
        letter = sheet.cell(1, index * 3 + 2).column_letter
        sheet.column_dimensions[letter].width = 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
