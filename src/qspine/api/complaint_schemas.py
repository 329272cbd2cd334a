"""Response schemas of /api/v1/complaints: a complaint trend on the wire.

The same shape as the CLI's `qspine complaints trend --json` and the web page's JSON twin
(all three render the one `ComplaintTrend` the service returns)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class TrendBucketOut(_Out):
    label: str = Field(description="'2026-01' (month) or '2026-Q1' (quarter)")
    start: dt.date = Field(description="First day counted (the period may clip the bucket)")
    end: dt.date = Field(description="Last day counted")


class TrendRowOut(_Out):
    value: str = Field(description="The product, failure mode or event type; '(not recorded)'")
    counts: list[int] = Field(description="Complaints per bucket, in bucket order")
    total: int
    previous_mean: float | None = Field(
        description="Mean count of the buckets before the last (null with one bucket)"
    )
    rising: bool = Field(description="Last bucket >= 2 times previous_mean, and >= 3")
    last: int = Field(description="The count in the last bucket")


class ComplaintTrendOut(_Out):
    start: dt.date = Field(description="First awareness date counted")
    end: dt.date = Field(description="Last awareness date counted")
    bucket: Literal["month", "quarter"]
    by: Literal["product", "failure_mode", "event_type"]
    buckets: list[TrendBucketOut] = Field(description="Every bucket of the period, in order")
    rows: list[TrendRowOut] = Field(description="One row per value, highest total first")
    bucket_totals: list[int] = Field(description="Complaints per bucket, in bucket order")
    total: int = Field(description="Complaints counted (cancelled ones are left out)")
    rising: list[str] = Field(description="The values flagged rising, in row order")
