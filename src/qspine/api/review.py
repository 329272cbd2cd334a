"""/api/v1/reviews: management review inputs (ISO 13485:2016 5.6.2) and the review record."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from qspine.api.deps import CurrentUser, SpineDep
from qspine.api.review_schemas import ReviewCreate, ReviewCreated, ReviewInputsOut
from qspine.services.review import ReviewService
from qspine.spine import Spine

router = APIRouter(prefix="/reviews", tags=["management review"])


@router.get(
    "/inputs",
    response_model=ReviewInputsOut,
    summary="The twelve management review inputs of a period, counted as at its end, each "
    "with the records it counts (nothing is saved)",
)
def review_inputs(
    spine: SpineDep,
    user: CurrentUser,
    start: Annotated[dt.date, Query(description="First day of the period (YYYY-MM-DD)")],
    end: Annotated[dt.date, Query(description="Last day of the period, included")],
) -> ReviewInputsOut:
    return ReviewInputsOut.model_validate(_reviews(spine).prepare(user, start, end))


@router.post(
    "",
    response_model=ReviewCreated,
    status_code=201,
    summary="Open a management review record for a period, carrying its compiled inputs and "
    "following up the previous review",
)
def create_review(body: ReviewCreate, spine: SpineDep, user: CurrentUser) -> ReviewCreated:
    key = _reviews(spine).create(user.username, body.start, body.end, body.title)
    return ReviewCreated(key=key)


def _reviews(spine: Spine) -> ReviewService:
    return spine.reviews
