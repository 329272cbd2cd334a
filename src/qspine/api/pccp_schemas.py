"""Response and request shapes of the PCCP and MLflow import routes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ModificationRefOut(_Out):
    key: str
    title: str
    version: int
    status: str
    which: str = Field(description="Which version the envelope was read from, and why")
    pccp_version: str
    modification_id: str
    envelope: str


class EnvelopeCheckOut(_Out):
    within: bool
    findings: list[str] = Field(description="Everything outside the envelope, in words")
    checked: list[str] = Field(description="What was checked and found inside")


class PccpCheckOut(_Out):
    modification: ModificationRefOut
    base: str = Field(description="The authorised base at the version modifies_model pins")
    check: EnvelopeCheckOut
    validation: str = Field(description="The run whose metrics were used, or why none")


class PccpReportOut(_Out):
    model: str
    version: int
    title: str
    status: str
    under_pccp: bool
    within: bool
    checks: list[PccpCheckOut]
    message: str


class ModelUnderOut(_Out):
    key: str
    title: str
    status: str
    within: bool
    findings: int


class ModificationSummaryOut(_Out):
    modification: ModificationRefOut
    models: list[ModelUnderOut]
    problem: str


class MlflowImportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tracking_uri: str = Field(
        description="A local store on the server: sqlite:///PATH, a path to an MLflow SQLite "
        "database, or a file store folder",
        examples=["sqlite:////srv/mlflow/mlflow.db"],
    )
    experiment: str | None = Field(None, description="Only versions whose run is in it")
    model: str | None = Field(None, description="Only the versions of this registered model")


class ImportedRecordOut(_Out):
    kind: str
    key: str
    origin: str
    action: str


class MlflowImportOut(_Out):
    tracking_uri: str
    experiment: str | None
    model: str | None
    records: list[ImportedRecordOut]
    created: int
    updated: int
    unchanged: int
    links: int
    skipped: list[str]
    notes: list[str]
