"""Response schemas of /api/v1/todo and /api/v1/training: the same shapes as the CLI's
`--json` and the web pages' JSON twins."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class TodoItemOut(_Out):
    key: str
    kind: str
    title: str
    status: str
    what: str = Field(description="What is owed on this record")
    due: dt.date | None
    state: str = Field(description="overdue, due soon, later, or open (no due date)")


class TodoOut(_Out):
    user: str
    today: dt.date
    overdue: int
    items: list[TodoItemOut]


class RequirementOut(_Out):
    role: str
    role_title: str
    document: str
    document_title: str
    version: int = Field(description="The document version in force")
    effective_since: dt.date | None


class TrainingCellOut(_Out):
    user: str
    requirement: RequirementOut
    state: str = Field(description="current, outdated (an earlier version) or missing")
    trained_version: int | None
    record: str | None = Field(description="The training record, when there is one")
    completed_on: dt.date | None
    due: dt.date | None = Field(description="When owed training is due")


class TrainingMatrixOut(_Out):
    users: list[str]
    requirements: list[RequirementOut]
    cells: list[TrainingCellOut]
    today: dt.date


class SupplierAuditOut(_Out):
    key: str
    title: str
    status: str
    audit_date: dt.date | None


class SupplierEntryOut(_Out):
    key: str
    title: str
    status: str = Field(description="Record status: proposed, approved, suspended, retired")
    approval_status: str | None = Field(description="Outcome of the latest evaluation")
    criticality: str | None
    supplier_type: str | None
    evaluation_method: str | None
    evaluation_date: dt.date | None
    reevaluation_due: dt.date | None
    evidence: list[str] = Field(description="Documents that are evaluation evidence for it")
    audits: list[SupplierAuditOut] = Field(description="Audits of this supplier")
    supplies: list[str] = Field(description="Components, datasets and items it supplies")
    state: str = Field(
        description="re-evaluation overdue, re-evaluation due soon, no re-evaluation date, "
        "current, or not approved"
    )


class SupplierListOut(_Out):
    today: dt.date
    counts: dict[str, int]
    suppliers: list[SupplierEntryOut]
