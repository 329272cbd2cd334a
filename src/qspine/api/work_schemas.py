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
