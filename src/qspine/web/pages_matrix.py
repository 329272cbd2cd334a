"""Trace matrix pages: the profile's matrices, one matrix as a table with its gaps and suspect
links marked, and its complete downloads (XLSX with a cover sheet, CSV, JSON).

The HTML table stops at MAX_HTML_ROWS rows so a browser stays responsive; the downloads always
carry every row.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from qspine.cli.output import jsonable
from qspine.model.matrix import Matrix, MatrixCell, MatrixHeader
from qspine.reports.matrix_export import to_csv, to_xlsx
from qspine.services.users import User
from qspine.spine import Spine
from qspine.web.auth import SessionDep
from qspine.web.errors import WebRoute
from qspine.web.rendering import get_spine, page, with_headers

router = APIRouter(route_class=WebRoute)
MAX_HTML_ROWS = 2000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ExportFormat = Literal["xlsx", "csv", "json"]


@dataclass(frozen=True)
class MatrixInfo:
    name: str
    title: str
    clauses: tuple[str, ...]
    chain: list[str]
    help: str


@dataclass(frozen=True)
class MatricesPage:
    matrices: list[MatrixInfo]


@dataclass(frozen=True)
class RowView:
    cells: tuple[MatrixCell | None, ...]
    gap: bool
    suspect: bool


@dataclass(frozen=True)
class MatrixPage:
    """One matrix as the page shows it: `rows` holds at most MAX_HTML_ROWS of `total` rows."""

    name: str
    title: str
    clauses: tuple[str, ...]
    help: str
    columns: tuple[MatrixHeader, ...]
    gaps_only: bool
    total: int
    gaps: int
    suspects: int
    generated_at: dt.datetime
    fingerprint: str
    rows: list[RowView]
    capped: bool


def matrices_data(spine: Spine, user: User) -> MatricesPage:
    spine.users.permits(user, "read")
    profile = spine.profile
    found = [
        MatrixInfo(
            name,
            spec.title,
            spec.clauses,
            [column.title or profile.kinds[column.kind].title for column in spec.columns],
            spec.help,
        )
        for name, spec in profile.matrices.items()
    ]
    return MatricesPage(found)


def row_views(matrix: Matrix, limit: int | None = None) -> list[RowView]:
    rows = matrix.rows if limit is None else matrix.rows[:limit]
    return [RowView(row.cells, row.gap, row.suspect) for row in rows]


def matrix_data(spine: Spine, user: User, name: str, gaps_only: bool) -> MatrixPage:
    matrix = spine.matrices.build(user, name, gaps_only)
    return MatrixPage(
        matrix.name,
        matrix.title,
        matrix.clauses,
        spine.profile.matrices[name].help,
        matrix.columns,
        gaps_only,
        len(matrix.rows),
        matrix.gaps,
        matrix.suspects,
        matrix.generated_at,
        matrix.fingerprint,
        row_views(matrix, MAX_HTML_ROWS),
        len(matrix.rows) > MAX_HTML_ROWS,
    )


def matrix_json(matrix: Matrix) -> str:
    """The complete matrix as JSON (the same shape as the API's /api/v1/matrices/{name})."""
    body = {
        "name": matrix.name,
        "title": matrix.title,
        "clauses": matrix.clauses,
        "columns": matrix.columns,
        "generated_at": matrix.generated_at,
        "fingerprint": matrix.fingerprint,
        "gaps": matrix.gaps,
        "suspects": matrix.suspects,
        "rows": row_views(matrix),
    }
    return json.dumps(jsonable(body), indent=2, ensure_ascii=False) + "\n"


def export(matrix: Matrix, fmt: ExportFormat) -> Response:
    content: str | bytes
    if fmt == "xlsx":
        content, media = to_xlsx(matrix), XLSX
    elif fmt == "csv":
        content, media = to_csv(matrix), "text/csv; charset=utf-8"
    else:
        content, media = matrix_json(matrix), "application/json"
    disposition = f'attachment; filename="{matrix.name}.{fmt}"'
    return with_headers(
        Response(content, media_type=media, headers={"Content-Disposition": disposition})
    )


@router.get("/matrices")
def matrices_page(request: Request, session: SessionDep) -> Response:
    data = matrices_data(get_spine(request), session.user)
    return page(request, "matrices.html", data, session, section="matrices")


@router.get("/matrices/{name}")
def matrix_page(
    request: Request, session: SessionDep, name: str, gaps_only: bool = False
) -> Response:
    data = matrix_data(get_spine(request), session.user, name, gaps_only)
    return page(request, "matrix.html", data, session, section="matrices")


@router.get("/matrices/{name}/export.{fmt}")
def matrix_export(
    request: Request, session: SessionDep, name: str, fmt: ExportFormat, gaps_only: bool = False
) -> Response:
    matrix = get_spine(request).matrices.build(session.user, name, gaps_only)
    return export(matrix, fmt)
