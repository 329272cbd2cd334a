"""/api/v1: trace a record upstream or downstream; impact analysis of a proposed change."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from qspine.api.deps import AsOf, CurrentUser, SpineDep
from qspine.api.schemas import ChangeImpactOut, ImpactOut, TraceOut

router = APIRouter(tags=["traceability"])


@router.get(
    "/records/{key}/trace",
    response_model=TraceOut,
    summary="Everything reachable from a record, upstream or downstream (now, or as of)",
)
def trace(
    key: str,
    spine: SpineDep,
    user: CurrentUser,
    at: AsOf,
    direction: Literal["up", "down"] = "down",
    types: Annotated[list[str], Query(description="Only these link types (repeatable)")] = [],  # noqa: B006
    depth: Annotated[int, Query(ge=1, le=50)] = 50,
) -> TraceOut:
    return TraceOut.model_validate(spine.trace.trace(user, key, direction, types, depth, at))


@router.get(
    "/impact",
    response_model=ImpactOut,
    summary="What a change to these records reaches, and which links turn suspect",
)
def impact(
    spine: SpineDep,
    user: CurrentUser,
    at: AsOf,
    keys: Annotated[list[str], Query(min_length=1, description="Record keys (repeatable)")],
    types: Annotated[list[str], Query(description="Only these link types (repeatable)")] = [],  # noqa: B006
) -> ImpactOut:
    return ImpactOut.model_validate(spine.trace.impact(user, keys, types, at))


@router.get(
    "/changes/{key}/impact",
    response_model=ChangeImpactOut,
    summary="A change request's impact analysis: as assessed when work started, and now",
)
def change_impact(key: str, spine: SpineDep, user: CurrentUser) -> ChangeImpactOut:
    return ChangeImpactOut.model_validate(spine.trace.change_impact(user, key))
