"""/api/v1/matrices: the profile's trace matrices, as JSON or as CSV/XLSX/HTML downloads."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from qspine.api.deps import AsOf, CurrentUser, SpineDep
from qspine.api.schemas import MatrixInfoOut, MatrixOut
from qspine.reports.matrix_export import to_csv, to_html, to_xlsx

router = APIRouter(prefix="/matrices", tags=["traceability"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("", response_model=list[MatrixInfoOut], summary="The profile's trace matrices")
def matrices(spine: SpineDep, user: CurrentUser) -> list[MatrixInfoOut]:
    spine.users.permits(user, "read")
    return [
        MatrixInfoOut(
            name=name,
            title=spec.title,
            clauses=list(spec.clauses),
            kinds=[column.kind for column in spec.columns],
        )
        for name, spec in spine.profile.matrices.items()
    ]


@router.get(
    "/{name}",
    response_model=MatrixOut,
    summary="A trace matrix with gaps and suspect links (format=csv|xlsx|html to download)",
    responses={200: {"content": {"text/csv": {}, XLSX: {}, "text/html": {}}}},
)
def matrix(
    name: str,
    spine: SpineDep,
    user: CurrentUser,
    at: AsOf,
    gaps_only: Annotated[bool, Query(description="Only rows with a missing cell")] = False,
    suspect_only: Annotated[bool, Query(description="Only rows with a suspect link")] = False,
    text: Annotated[
        str, Query(max_length=200, description="Only rows with a cell whose key or title has it")
    ] = "",
    format: Literal["json", "csv", "xlsx", "html"] = "json",
) -> MatrixOut | Response:
    built = spine.matrices.build(user, name, gaps_only, at, suspect_only, text)
    if format == "json":
        return MatrixOut.model_validate(built)
    if format == "csv":
        return _download(to_csv(built), "text/csv; charset=utf-8", f"{name}.csv")
    if format == "html":
        return _download(to_html(built), "text/html; charset=utf-8", f"{name}.html")
    return _download(to_xlsx(built), XLSX, f"{name}.xlsx")


def _download(content: str | bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
