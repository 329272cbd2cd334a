"""Response shapes of /api/v1/models/{key}/monitoring."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class BreachReportOut(_Out):
    series: str
    description: str
    observed_on: str
    worst: float
    count: int
    signal: str
    capa: str
    new: bool


class IngestOut(_Out):
    model: str
    version: int
    file: str
    format: str
    digest: str
    points_added: int
    points_unchanged: int
    series: int
    criteria: list[str]
    thresholds_apply: bool
    breaches: list[BreachReportOut]
    signals_created: list[str]
    capas_created: list[str]
    note: str


class PointOut(_Out):
    observed_at: dt.datetime
    value: float


class CriterionOut(_Out):
    metric: str
    op: str
    value: float
    source: str


class EpisodeOut(_Out):
    criterion: str
    first: dt.datetime
    last: dt.datetime
    worst: float
    count: int
    description: str


class RecordRefOut(_Out):
    key: str
    title: str
    status: str


class SignalOut(_Out):
    key: str
    title: str
    status: str
    fields: dict[str, Any]
    capas: list[RecordRefOut]


class SeriesOut(_Out):
    version: int
    site: str
    metric: str
    points: list[PointOut]
    criteria: list[CriterionOut]
    breaches: list[EpisodeOut]
    signals: list[SignalOut]
