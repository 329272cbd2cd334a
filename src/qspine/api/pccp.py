"""/api/v1/models/{key}/pccp and /api/v1/pccp-modifications: PCCP envelope checks."""

from __future__ import annotations

from fastapi import APIRouter

from qspine.api.deps import CurrentUser, SpineDep
from qspine.api.pccp_schemas import ModificationSummaryOut, PccpReportOut

router = APIRouter(tags=["clinical AI"])


@router.get(
    "/models/{key}/pccp",
    response_model=PccpReportOut,
    summary="The model version against the envelope of the PCCP modification it implements",
)
def check(key: str, spine: SpineDep, user: CurrentUser) -> PccpReportOut:
    return PccpReportOut.model_validate(spine.pccp.check(user, key))


@router.get(
    "/pccp-modifications",
    response_model=list[ModificationSummaryOut],
    summary="Planned modifications with their envelope and the model versions under each",
)
def modifications(spine: SpineDep, user: CurrentUser) -> list[ModificationSummaryOut]:
    return [ModificationSummaryOut.model_validate(m) for m in spine.pccp.modifications(user)]
