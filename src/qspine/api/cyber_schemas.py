"""Schemas of /api/v1/cyber: the cyber metrics and the risk bridge on the wire (the same shape
as `qspine cyber metrics --json` and `qspine cyber bridge --json`)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class DurationOut(_Out):
    key: str = Field(description="The vulnerability")
    start: dt.date
    end: dt.date
    days: int


class DeployTimeOut(_Out):
    vulnerability: str
    release: str = Field(description="The release fixed_in names")
    release_date: dt.date
    fix_deployed_on: dt.date
    days: int


class PatchShareOut(_Out):
    patched: list[str] = Field(description="Triage state fixed, or a fix deployed")
    mitigated: list[str] = Field(
        description="Not affected thanks to inline mitigations, or affected with patient risk "
        "controlled"
    )
    counted: list[str] = Field(
        description="The denominator: live vulnerabilities not 'not_affected' for another reason"
    )
    percent: float | None = Field(description="(patched + mitigated) / counted, in %")


class CadenceOut(_Out):
    product: str
    source: str = Field(description="sbom_import, or release_date when no import is recorded")
    dates: list[dt.date]
    releases: list[str]
    intervals: list[int] = Field(description="Days between successive updates")
    median_interval_days: float | None
    days_since_last: int | None


class ComponentConcernOut(_Out):
    key: str
    name: str
    version: str
    support_level: str
    end_of_support: dt.date | None
    releases: list[str] = Field(description="Released releases containing it")


class CyberMetricsOut(_Out):
    as_of: dt.date
    vulnerabilities: int = Field(description="Known (discovered by as_of), cancelled included")
    by_triage_state: dict[str, int] = Field(description="Live vulnerabilities per VEX state")
    by_status: dict[str, int]
    time_to_triage: list[DurationOut]
    median_days_to_triage: float | None
    untriaged: list[str]
    time_to_patch: list[DurationOut]
    median_days_to_patch: float | None
    patch_share: PatchShareOut
    time_to_deploy: list[DeployTimeOut]
    median_days_to_deploy: float | None
    sbom_cadence: list[CadenceOut]
    past_end_of_support: list[ComponentConcernOut]
    unsupported: list[ComponentConcernOut] = Field(description="Unmaintained or abandoned")
    problems: list[str] = Field(description="Inconsistent dates left out of the figures")


class RefOut(_Out):
    key: str
    title: str
    status: str
    suspect: bool


class TestResultRefOut(_Out):
    key: str
    status: str
    outcome: str
    executed_on: str


class TestEvidenceOut(_Out):
    key: str
    title: str
    status: str
    results: list[TestResultRefOut] = Field(description="Newest execution first")
    suspect: bool
    latest_outcome: str | None


class BridgeControlOut(_Out):
    key: str
    title: str
    status: str
    category: str | None = Field(description="The guidance's security control category")
    requirements: list[RefOut]
    tests: list[TestEvidenceOut]
    suspect: bool
    gaps: list[str]


class SafetyLinkOut(_Out):
    key: str
    kind: str = Field(description="hazardous_situation or harm")
    title: str
    status: str
    severity: str | None
    harms: list[RefOut]
    suspect: bool


class BridgeRiskOut(_Out):
    key: str
    title: str
    status: str
    ratings: dict[str, str | None]
    safety_impact: bool
    controls: list[BridgeControlOut]
    tests: list[TestEvidenceOut]
    safety: list[SafetyLinkOut]
    suspect: bool
    gaps: list[str]


class BridgeThreatOut(_Out):
    key: str
    title: str
    status: str
    stride_category: str | None
    asset: str | None
    entry_point: str | None
    attack_vector: str | None
    risks: list[BridgeRiskOut]
    gaps: list[str]


class BridgeOut(_Out):
    threats: list[BridgeThreatOut]
    unthreatened: list[BridgeRiskOut] = Field(description="Security risks no threat poses")
    gaps: dict[str, int] = Field(
        description="Records with each gap: no_risk, no_control, no_test, no_may_cause"
    )
