"""Request and response schemas of /api/v1/validation-runs: the same shapes as the CLI's
`--json` and the web page's JSON twin."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from qspine.services.validation import DEFAULT_TIMEOUT


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class RunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str = Field(description="The model version to validate, e.g. MV-1")
    datasets: list[str] = Field(description="Dataset keys; the first is QSPINE_DATASET")
    command: str = Field(description="Evaluation command QSpine executes in a fresh process")
    title: str = Field(description="Short description of the run")
    timeout: float = Field(DEFAULT_TIMEOUT, gt=0, le=86400, description="Seconds allowed")


class RerunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timeout: float = Field(DEFAULT_TIMEOUT, gt=0, le=86400, description="Seconds allowed")


class JudgementOut(_Out):
    criterion: str
    source: str = Field(description="The requirement the criterion comes from")
    measured: float | None
    passed: bool


class RunOut(_Out):
    key: str
    version: int
    model: str
    model_version: int
    datasets: list[str]
    outcome: str = Field(description="pass only when every criterion is met")
    verdict: str = Field(description="Execution verdict: pass, fail or error")
    exit_code: int
    error: str
    metrics: dict[str, float]
    judgements: list[JudgementOut]
    input_sha256: str
    output_sha256: str
    environment_sha256: str
    record_sha256: str = Field(description="The execution record blob (run_record)")
    log_sha256: str
    execution_id: int


class RerunOut(_Out):
    key: str
    version: int
    verdict: str = Field(description="reproduced or not_reproduced")
    differences: list[str]
    notes: list[str] = Field(description="Environment differences and newer versions")
    exit_code: int
    error: str
    metrics: dict[str, float]
    output_sha256: str
    record_sha256: str
    log_sha256: str
    execution_id: int


class ExecutionOut(_Out):
    id: int
    version: int
    purpose: str = Field(description="run or rerun")
    actor: str
    started_at: dt.datetime
    finished_at: dt.datetime
    exit_code: int
    verdict: str
    execution_sha256: str
    log_sha256: str | None
    differences: list[str]
    notes: list[str]


class RunViewOut(_Out):
    key: str
    version: int
    title: str
    status: str
    fields: dict[str, Any]
    record: dict[str, Any] | None = Field(description="The execution record QSpine kept")
    executions: list[ExecutionOut]
