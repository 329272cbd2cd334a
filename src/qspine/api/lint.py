"""/api/v1/lint (an uploaded document file) and /api/v1/records/{key}/lint (a document
record's text): superseded regulatory references with their replacement and reason."""

from __future__ import annotations

from fastapi import APIRouter, UploadFile
from pydantic import BaseModel, ConfigDict

from qspine.api.deps import CurrentUser, SpineDep

router = APIRouter(tags=["readiness"])


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class LintFindingOut(_Out):
    rule: str
    title: str
    line: int
    column: int
    text: str
    replacement: str
    reason: str
    severity: str
    where: str


class LintedFileOut(_Out):
    path: str
    findings: list[LintFindingOut]


class PlacedFindingOut(_Out):
    finding: LintFindingOut
    occurrence: str
    suppressed_because: str


class RecordLintOut(_Out):
    key: str
    kind: str
    status: str
    version: int
    historical: bool
    findings: list[PlacedFindingOut]
    open: list[PlacedFindingOut]


@router.post("/lint", response_model=LintedFileOut, summary="Lint an uploaded document file")
def lint_upload(spine: SpineDep, user: CurrentUser, file: UploadFile) -> LintedFileOut:
    linted = spine.lint.lint_upload(user, file.file, file.filename or "upload")
    return LintedFileOut.model_validate(linted)


@router.get(
    "/records/{key}/lint",
    response_model=RecordLintOut,
    summary="Superseded references in a document record (body and attached file)",
)
def lint_record(spine: SpineDep, user: CurrentUser, key: str) -> RecordLintOut:
    return RecordLintOut.model_validate(spine.lint.lint_record(user, key))
