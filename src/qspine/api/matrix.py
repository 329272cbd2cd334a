"""/api/v1/matrices: the profile's trace matrices, as JSON or as CSV/XLSX downloads."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response

from qspine.api.deps import CurrentUser, SpineDep
from qspine.api.schemas import MatrixInfoOut, MatrixOut
from qspine.reports.matrix_export import to_csv, to_xlsx

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
    summary="A trace matrix with gaps and suspect links (format=csv|xlsx to download)",
    responses={200: {"content": {"text/csv": {}, XLSX: {}}}},
)
def matrix(
    name: str,
    spine: SpineDep,
    user: CurrentUser,
    gaps_only: bool = False,
    format: Literal["json", "csv", "xlsx"] = "json",
) -> MatrixOut | Response:
    built = spine.matrices.build(user, name, gaps_only)
    if format == "csv":
        return Response(
            to_csv(built),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if format == "xlsx":
        return Response(
            to_xlsx(built),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    return MatrixOut.model_validate(built)
