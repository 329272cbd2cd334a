"""The /api/v1 router: records, links, traceability, matrices, baselines, audit, users, tokens,
status, profile."""

from __future__ import annotations

from fastapi import APIRouter

from qspine.api import (
    admin,
    baselines,
    complaints,
    cyber,
    datasets,
    links,
    lint,
    matrix,
    mlflow,
    models,
    monitoring,
    pccp,
    readiness,
    records,
    review,
    sbom,
    signals,
    trace,
    validation,
    vex,
    vulndb,
    work,
)
from qspine.api.schemas import ErrorOut

ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorOut, "description": text}
    for code, text in (
        (401, "Not authenticated, or the token is invalid, expired or revoked"),
        (403, "The user lacks the permission, or a rule such as separation of duties forbids it"),
        (404, "No such record, link, user, token, matrix or baseline"),
        (409, "Conflict: a stale expected_version or a duplicate"),
        (422, "Invalid input; the message names the record and field"),
    )
}

router = APIRouter(responses=ERRORS)
router.include_router(records.router)
router.include_router(links.router)
router.include_router(admin.router)
router.include_router(trace.router)
router.include_router(signals.router)
router.include_router(matrix.router)
router.include_router(baselines.router)
router.include_router(work.router)
router.include_router(complaints.router)
router.include_router(review.router)
router.include_router(cyber.router)
router.include_router(readiness.router)
router.include_router(lint.router)
router.include_router(sbom.router)
router.include_router(validation.router)
router.include_router(datasets.router)
router.include_router(vulndb.router)
router.include_router(vex.router)
router.include_router(monitoring.router)
router.include_router(models.router)
router.include_router(pccp.router)
router.include_router(mlflow.router)
