"""/api/v1/baselines: capture, list, show, preview and compare signed sets of versions.

A baseline is approved like any record: POST /records/{key}/signatures (meaning approved).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from qspine.api.deps import AsOf, CurrentUser, SpineDep, instant
from qspine.api.schemas import (
    BaselineComparisonOut,
    BaselineCreate,
    BaselineOut,
    RecordSummaryOut,
)

router = APIRouter(prefix="/baselines", tags=["baselines"])
Kinds = Annotated[list[str], Query(description="Kinds to take released versions of (repeatable)")]
Keys = Annotated[
    list[str], Query(description="Records to take the released version of (repeatable)")
]


@router.get("", response_model=list[RecordSummaryOut], summary="Every baseline with its status")
def list_baselines(spine: SpineDep, user: CurrentUser) -> list[RecordSummaryOut]:
    return [RecordSummaryOut.model_validate(b) for b in spine.baselines.list(user)]


@router.post(
    "",
    response_model=BaselineOut,
    status_code=201,
    summary="Capture the released versions of a selection as a draft baseline",
)
def create_baseline(body: BaselineCreate, spine: SpineDep, user: CurrentUser) -> BaselineOut:
    view = spine.baselines.create(
        user.username,
        body.title,
        body.kinds,
        body.keys,
        instant(spine, body.as_of),
        body.description,
        body.reason,
    )
    return BaselineOut.model_validate(view)


@router.get(
    "/preview",
    response_model=BaselineOut,
    summary="What a baseline of this selection would hold (nothing is saved)",
)
def preview_baseline(
    spine: SpineDep,
    user: CurrentUser,
    at: AsOf,
    kinds: Kinds = [],  # noqa: B006
    keys: Keys = [],  # noqa: B006
) -> BaselineOut:
    return BaselineOut.model_validate(spine.baselines.preview(user, kinds, keys, at))


@router.get(
    "/{key}",
    response_model=BaselineOut,
    summary="A baseline: member versions, manifest check, signatures",
)
def show_baseline(key: str, spine: SpineDep, user: CurrentUser, at: AsOf) -> BaselineOut:
    return BaselineOut.model_validate(spine.baselines.show(user, key, at))


@router.get(
    "/{key}/compare",
    response_model=BaselineComparisonOut,
    summary="Added, removed and changed records against another baseline, now, or as of",
)
def compare_baselines(
    key: str,
    spine: SpineDep,
    user: CurrentUser,
    at: AsOf,
    other: Annotated[
        str | None,
        Query(
            alias="with",
            description="Another baseline; without it, the same selection now (or as_of)",
        ),
    ] = None,
) -> BaselineComparisonOut:
    return BaselineComparisonOut.model_validate(spine.baselines.compare(user, key, other, at))
