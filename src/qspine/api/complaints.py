"""/api/v1/complaints: complaint trends (ISO 13485:2016 8.2.2, 8.4)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from qspine.api.complaint_schemas import ComplaintTrendOut
from qspine.api.deps import CurrentUser, SpineDep
from qspine.model.trending import resolve_period

router = APIRouter(prefix="/complaints", tags=["quality events"])


@router.get(
    "/trend",
    response_model=ComplaintTrendOut,
    summary="Complaints (not cancelled) per month or quarter of awareness and per product, "
    "failure mode or event type, with a rising flag per value",
)
def complaint_trend(
    spine: SpineDep,
    user: CurrentUser,
    start: Annotated[
        dt.date | None,
        Query(alias="from", description="First awareness date (default: 12 months back)"),
    ] = None,
    end: Annotated[
        dt.date | None, Query(alias="to", description="Last awareness date (default: today)")
    ] = None,
    by: Annotated[
        Literal["product", "failure_mode", "event_type"], Query(description="What to count by")
    ] = "product",
    bucket: Annotated[Literal["month", "quarter"], Query(description="Bucket size")] = "month",
) -> ComplaintTrendOut:
    first, last = resolve_period(start, end, spine.context.clock().date())
    return ComplaintTrendOut.model_validate(spine.trends.complaints(user, first, last, by, bucket))
