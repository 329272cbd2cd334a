"""The MLflow import page: a form naming a local tracking store on the server (and optionally
an experiment or a registered model), and the outcome of the import just made."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from qspine.model.errors import QSpineError
from qspine.services.mlflow_import import ImportReport
from qspine.web.auth import PostDep, SessionDep
from qspine.web.errors import WebRoute, status_of
from qspine.web.rendering import get_spine, page

router = APIRouter(route_class=WebRoute)


@dataclass(frozen=True)
class MlflowPage:
    """The form's last values and the import's report or its one error."""

    tracking_uri: str = ""
    experiment: str = ""
    model: str = ""
    report: ImportReport | None = None
    problem: str = ""


@router.get("/mlflow")
def mlflow_form(request: Request, session: SessionDep) -> Response:
    return page(request, "mlflow.html", MlflowPage(), session, section="models")


@router.post("/mlflow/import")
def mlflow_import(request: Request, post: PostDep) -> Response:
    uri, experiment, model = (post.text(n).strip() for n in ("tracking_uri", "experiment", "model"))
    report, problem, status = None, "", 200
    try:
        report = get_spine(request).mlflow.import_store(
            post.actor, uri, experiment or None, model or None
        )
    except QSpineError as error:
        problem, status = str(error), status_of(error)
    data = MlflowPage(uri, experiment, model, report, problem)
    return page(request, "mlflow.html", data, post.session, status=status, section="models")
