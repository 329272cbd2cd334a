"""/api/v1/mlflow/import: import a local MLflow tracking store on the server."""

from __future__ import annotations

from fastapi import APIRouter

from qspine.api.deps import CurrentUser, SpineDep
from qspine.api.pccp_schemas import ImportedRecordOut, MlflowImportIn, MlflowImportOut

router = APIRouter(tags=["clinical AI"])


@router.post(
    "/mlflow/import",
    response_model=MlflowImportOut,
    summary="Import registered model versions, runs and datasets from a local MLflow store",
)
def import_store(body: MlflowImportIn, spine: SpineDep, user: CurrentUser) -> MlflowImportOut:
    """The store is read on the server, so only users who may write model versions may ask."""
    spine.users.permits(user, "write", "model_version")
    report = spine.mlflow.import_store(
        user.username, body.tracking_uri, body.experiment, body.model
    )
    return MlflowImportOut(
        tracking_uri=report.tracking_uri,
        experiment=report.experiment,
        model=report.model,
        records=[ImportedRecordOut.model_validate(r) for r in report.records],
        created=report.count("created"),
        updated=report.count("updated"),
        unchanged=report.count("unchanged"),
        links=report.links,
        skipped=report.skipped,
        notes=report.notes,
    )
