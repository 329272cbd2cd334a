"""Response schemas of /api/v1/models: the same shapes as `qspine model … --json` and the
model pages' data."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ModelRowOut(_Out):
    key: str
    title: str
    version_label: str
    version: int
    status: str
    gate_passed: bool = Field(description="True when every release-gate condition is met now")
    gate_open: int = Field(description="How many release-gate conditions are not met")
    runs: int = Field(description="Validation runs that evaluate the model")


class GateConditionOut(_Out):
    name: str
    title: str
    ok: bool
    detail: str = Field(description="Why the condition holds or not, in words")
    evidence: dict[str, Any] = Field(description="Keys, versions, execution ids and signers")


class GateReportOut(_Out):
    key: str
    version: int
    fingerprint: str = Field(description="Fingerprint of the version the gate was evaluated on")
    passed: bool
    problems: list[str]
    conditions: list[GateConditionOut]


class CodeRefOut(_Out):
    repo: str
    path: str
    sha256: str
    commit: str


class EnvironmentOut(_Out):
    python: str
    packages: dict[str, str]
    lockfile_sha256: str
    sha256: str


class DatasetUseOut(_Out):
    key: str
    title: str
    version: int = Field(description="The dataset version the trained_on link pins")
    status: str
    manifest_sha256: str
    suspect: bool


class RequirementUseOut(_Out):
    key: str
    title: str
    version: int
    status: str
    metric_criteria: list[str]
    monitoring_criteria: list[str]


class RunUseOut(_Out):
    key: str
    title: str
    version: int
    status: str
    outcome: str
    evaluates_version: int
    run_verdict: str
    rerun_verdict: str
    rerun_execution: int | None


class ModelSystemOut(_Out):
    key: str
    title: str
    version: int
    status: str
    released_version: int | None
    fields: dict[str, Any]
    preprocessing: CodeRefOut | None
    postprocessing: CodeRefOut | None
    environment: EnvironmentOut
    configuration: Any
    datasets: list[DatasetUseOut]
    requirements: list[RequirementUseOut]
    runs: list[RunUseOut]
    gate: GateReportOut = Field(description="The release gate evaluated now")
    recorded_gate: GateReportOut | None = Field(
        description="The gate report recorded with the release (audit event model.release_gate)"
    )
    problems: list[str]
