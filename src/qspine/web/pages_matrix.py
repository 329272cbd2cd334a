"""Trace matrix pages: the profile's matrices, one matrix as a table with its gaps and suspect
links marked (filtered, now or as of a past instant), and its complete downloads (XLSX with a
cover sheet, CSV, JSON, standalone HTML), one workbook of every matrix.

The HTML table stops at MAX_HTML_ROWS rows so a browser stays responsive; the downloads always
carry every row the filters keep.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from typing import Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from qspine.cli.output import jsonable
from qspine.model.asof import stamp
from qspine.model.matrix import Matrix, MatrixHeader
from qspine.model.matrix_rows import MatrixCell
from qspine.reports.matrix_export import to_csv, to_html, to_xlsx
from qspine.services.users import User
from qspine.spine import Spine
from qspine.web.asof import as_of_instant
from qspine.web.auth import SessionDep
from qspine.web.errors import WebRoute
from qspine.web.rendering import get_spine, page, with_headers

router = APIRouter(route_class=WebRoute)
MAX_HTML_ROWS = 2000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ExportFormat = Literal["xlsx", "csv", "json", "html"]


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
class MatrixFilters:
    """What the rows are filtered by, and the instant they are taken at (None: now)."""

    gaps_only: bool = False
    suspect_only: bool = False
    text: str = ""
    as_of: dt.datetime | None = None

    @property
    def query(self) -> str:
        """The filters as a query string ('' when none): pages and downloads repeat it."""
        pairs = [
            ("gaps_only", "1" if self.gaps_only else ""),
            ("suspect_only", "1" if self.suspect_only else ""),
            ("text", self.text),
            ("as_of", stamp(self.as_of) if self.as_of is not None else ""),
        ]
        wanted = urlencode([(name, value) for name, value in pairs if value], safe=":")
        return f"?{wanted}" if wanted else ""

    @property
    def now_query(self) -> str:
        """The same filters, now (the as-of banner's way back)."""
        return replace(self, as_of=None).query

    @property
    def narrowed(self) -> bool:
        return self.gaps_only or self.suspect_only or bool(self.text)

    @property
    def words(self) -> str:
        """'gaps only, containing “pump”' for the row count."""
        words = ["gaps only"] if self.gaps_only else []
        words += ["suspect links only"] if self.suspect_only else []
        words += [f"containing “{self.text}”"] if self.text else []
        return ", ".join(words)


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
    filters: MatrixFilters
    total: int
    gaps: int
    suspects: int
    generated_at: dt.datetime
    fingerprint: str
    rows: list[RowView]
    capped: bool

    @property
    def gaps_only(self) -> bool:
        return self.filters.gaps_only

    @property
    def as_of(self) -> dt.datetime | None:
        return self.filters.as_of


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


def build(spine: Spine, user: User, name: str, filters: MatrixFilters) -> Matrix:
    return spine.matrices.build(
        user,
        name,
        filters.gaps_only,
        at=filters.as_of,
        suspect_only=filters.suspect_only,
        text=filters.text,
    )


def matrix_data(spine: Spine, user: User, name: str, filters: MatrixFilters) -> MatrixPage:
    matrix = build(spine, user, name, filters)
    return MatrixPage(
        matrix.name,
        matrix.title,
        matrix.clauses,
        spine.profile.matrices[name].help,
        matrix.columns,
        filters,
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
        "as_of": matrix.as_of,
        "filters": matrix.filters,
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
    elif fmt == "html":
        content, media = to_html(matrix), "text/html; charset=utf-8"
    else:
        content, media = matrix_json(matrix), "application/json"
    return download(content, media, file_name(matrix.name, matrix.as_of, fmt))


def download(content: str | bytes, media: str, name: str) -> Response:
    disposition = f'attachment; filename="{name}"'
    return with_headers(
        Response(content, media_type=media, headers={"Content-Disposition": disposition})
    )


def file_name(stem: str, as_of: dt.datetime | None, fmt: str) -> str:
    """`design_verification.xlsx`, or `design_verification-as-of-20260301T235959Z.xlsx`."""
    if as_of is None:
        return f"{stem}.{fmt}"
    return f"{stem}-as-of-{as_of.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}.{fmt}"


@router.get("/matrices")
def matrices_page(request: Request, session: SessionDep) -> Response:
    data = matrices_data(get_spine(request), session.user)
    return page(request, "matrices.html", data, session, section="matrices")


@router.get("/matrices/export.xlsx")
def every_matrix_export(
    request: Request, session: SessionDep, as_of: str | None = None
) -> Response:
    """One workbook: a cover with every matrix's facts, then one sheet per matrix."""
    spine = get_spine(request)
    filters = MatrixFilters(as_of=as_of_instant(spine, as_of))
    matrices = [build(spine, session.user, name, filters) for name in spine.profile.matrices]
    return download(to_xlsx(matrices), XLSX, file_name("trace-matrices", filters.as_of, "xlsx"))


@router.get("/matrices/{name}")
def matrix_page(
    request: Request,
    session: SessionDep,
    name: str,
    gaps_only: bool = False,
    suspect_only: bool = False,
    text: str = "",
    as_of: str | None = None,
) -> Response:
    spine = get_spine(request)
    filters = MatrixFilters(gaps_only, suspect_only, text.strip(), as_of_instant(spine, as_of))
    data = matrix_data(spine, session.user, name, filters)
    return page(request, "matrix.html", data, session, section="matrices")


@router.get("/matrices/{name}/export.{fmt}")
def matrix_export(
    request: Request,
    session: SessionDep,
    name: str,
    fmt: ExportFormat,
    gaps_only: bool = False,
    suspect_only: bool = False,
    text: str = "",
    as_of: str | None = None,
) -> Response:
    spine = get_spine(request)
    filters = MatrixFilters(gaps_only, suspect_only, text.strip(), as_of_instant(spine, as_of))
    return export(build(spine, session.user, name, filters), fmt)
