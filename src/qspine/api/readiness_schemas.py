"""Schemas of /api/v1/readiness: the same shape as `qspine check --json`
(qspine.reports.readiness_report.as_data)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FindingOut(BaseModel):
    rule: str
    severity: str = Field(description="blocking, major, minor or info")
    subject: str = Field(description="The record the finding is about")
    kind: str
    message: str
    occurrence: str = Field(description="Which place in the record ('' for the whole record)")
    related: list[str]
    title: str = Field(description="The rule's title")
    clauses: list[str]
    remedy: str


class SuppressedOut(FindingOut):
    reason: str
    suppressed_by: str
    suppressed_at: str


class ClauseOut(BaseModel):
    clause: str
    standard: str
    rules: list[str]
    checked: int = Field(description="Records checked by the rules citing the clause")
    failing: int
    findings: int
    worst: str | None
    score: float | None = Field(description="Share of checked records without findings (0-100)")
    heat: str = Field(description="none, ok, watch, weak or bad")


class RuleRunOut(BaseModel):
    id: str
    title: str
    severity: str
    pack: str
    engine: str
    clauses: list[str]
    checked: int
    passed: int
    findings: int


class MeasureOut(BaseModel):
    id: str
    title: str
    value: float | None
    unit: str
    detail: str


class ResolvedOut(BaseModel):
    rule: str
    subject: str
    occurrence: str


class TrendOut(BaseModel):
    previous_at: str
    previous_score: float | None
    new: list[FindingOut]
    resolved: list[ResolvedOut]


class ReadinessOut(BaseModel):
    packs: list[str]
    at: str
    as_of: str | None
    today: str
    score: float | None
    counts: dict[str, int]
    findings: list[FindingOut]
    suppressed: list[SuppressedOut]
    clauses: list[ClauseOut]
    rules: list[RuleRunOut]
    measures: list[MeasureOut]
    trend: TrendOut | None
    failing: int = Field(description="Open findings at or above fail_on")
    fail_on: str


class RuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    clauses: list[str]
    severity: str
    pack: str
    every: str
    rationale: str
    remedy: str
    engine: str
    logic: str


class SuppressionIn(_In):
    rule: str
    subject: str
    occurrence: str = Field(default="", max_length=255)
    reason: str = Field(min_length=1)
