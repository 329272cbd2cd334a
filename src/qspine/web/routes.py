"""The web UI's router (mounted at / by `qspine.app.create_app`): one sub-router per area.

Order matters where paths overlap: /records/new and /records/suggest come before
/records/{key}.
"""

from __future__ import annotations

from fastapi import APIRouter

from qspine.web import (
    auth,
    pages_admin,
    pages_baselines,
    pages_complaints,
    pages_cyber,
    pages_datasets,
    pages_edit,
    pages_home,
    pages_matrix,
    pages_mlflow,
    pages_models,
    pages_monitoring,
    pages_pccp,
    pages_readiness,
    pages_records,
    pages_review,
    pages_sbom,
    pages_sign,
    pages_signal,
    pages_trace,
    pages_validation,
    pages_vex,
    pages_vulndb,
    pages_work,
)

router = APIRouter(include_in_schema=False)
router.include_router(auth.router)
router.include_router(pages_home.router)
router.include_router(pages_edit.router)
router.include_router(pages_sign.router)
router.include_router(pages_records.router)
router.include_router(pages_trace.router)
router.include_router(pages_signal.router)
router.include_router(pages_matrix.router)
router.include_router(pages_baselines.router)
router.include_router(pages_work.router)
router.include_router(pages_readiness.router)
router.include_router(pages_complaints.router)
router.include_router(pages_cyber.router)
router.include_router(pages_review.router)
router.include_router(pages_sbom.router)
router.include_router(pages_validation.router)
router.include_router(pages_datasets.router)
router.include_router(pages_vulndb.router)
router.include_router(pages_vex.router)
router.include_router(pages_models.router)
router.include_router(pages_monitoring.router)
router.include_router(pages_pccp.router)
router.include_router(pages_mlflow.router)
router.include_router(pages_admin.router)
