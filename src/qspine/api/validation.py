"""/api/v1/validation-runs: execute a model validation run, rerun it, read it with its
executions."""

from __future__ import annotations

from fastapi import APIRouter

from qspine.api.deps import CurrentUser, SpineDep
from qspine.api.validation_schemas import (
    ExecutionOut,
    RerunIn,
    RerunOut,
    RunIn,
    RunOut,
    RunViewOut,
)

router = APIRouter(tags=["clinical AI"])


@router.post(
    "/validation-runs",
    response_model=RunOut,
    status_code=201,
    summary="Check the inputs against their pins, execute the command, judge and record",
)
def run(body: RunIn, spine: SpineDep, user: CurrentUser) -> RunOut:
    done = spine.validation.run(
        user.username, body.model, body.datasets, body.command, body.title, timeout=body.timeout
    )
    return RunOut.model_validate(done)


@router.post(
    "/validation-runs/{key}/rerun",
    response_model=RerunOut,
    summary="Repeat the run on its pinned inputs in a fresh process and compare",
)
def rerun(key: str, spine: SpineDep, user: CurrentUser, body: RerunIn | None = None) -> RerunOut:
    timeout = (body or RerunIn()).timeout
    return RerunOut.model_validate(spine.validation.rerun(user.username, key, timeout=timeout))


@router.get(
    "/validation-runs/{key}",
    response_model=RunViewOut,
    summary="The run's fields, execution record and every execution (run and reruns)",
)
def show(key: str, spine: SpineDep, user: CurrentUser) -> RunViewOut:
    view = spine.validation.show(user, key)
    return RunViewOut(
        key=view.key,
        version=view.version,
        title=view.title,
        status=view.status,
        fields=view.fields,
        record=None if view.record is None else view.record.to_json(),
        executions=[ExecutionOut.model_validate(e) for e in view.executions],
    )
