"""/api/v1/todo and /api/v1/training: each person's due work; training and competence."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from qspine.api.deps import CurrentUser, SpineDep
from qspine.api.work_schemas import TodoOut, TrainingCellOut, TrainingMatrixOut

router = APIRouter(tags=["quality events"])
Person = Annotated[str | None, Query(alias="user", description="Whose (default: yours)")]


@router.get(
    "/todo",
    response_model=TodoOut,
    summary="Assigned, due and overdue items across every workflow, overdue first",
)
def todo(spine: SpineDep, user: CurrentUser, person: Person = None) -> TodoOut:
    return TodoOut.model_validate(spine.todo.for_user(user, person))


@router.get(
    "/training/matrix",
    response_model=TrainingMatrixOut,
    summary="Every holder of every approved job role against its required documents",
)
def training_matrix(spine: SpineDep, user: CurrentUser) -> TrainingMatrixOut:
    return TrainingMatrixOut.model_validate(spine.training.matrix(user))


@router.get(
    "/training/owed",
    response_model=list[TrainingCellOut],
    summary="Training still owed (assignments), soonest due first",
)
def training_owed(
    spine: SpineDep, user: CurrentUser, person: Person = None
) -> list[TrainingCellOut]:
    return [TrainingCellOut.model_validate(c) for c in spine.training.owed(user, person)]
