"""/api/v1/todo, /api/v1/training and /api/v1/suppliers: each person's due work; training and
competence; the approved supplier list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from qspine.api.deps import CurrentUser, SpineDep
from qspine.api.work_schemas import (
    SupplierListOut,
    TodoOut,
    TrainingCellOut,
    TrainingMatrixOut,
)

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


@router.get(
    "/suppliers",
    response_model=SupplierListOut,
    summary="The approved supplier list: evaluation state, evidence and audits, overdue first",
)
def suppliers(
    spine: SpineDep,
    user: CurrentUser,
    approved: Annotated[bool, Query(description="Only approved suppliers")] = False,
) -> SupplierListOut:
    return SupplierListOut.model_validate(spine.suppliers.approved_list(user, approved))
