"""Training and competence (ISO 13485:2016 6.2) as data: who must be trained on what.

A job role (kind `role`, approved) names its holders and the documents they must be trained
on. For each holder and each required document in force, the training is *current* when a
recorded training record names that person, that document and its effective version (or a
later one); *outdated* when only an earlier version was trained on; *missing* otherwise. An
assignment is the training a holder still owes: it starts when the version became effective
(or when the role was last approved, if later, since that is when the holder was named) and
is due `grace_days` later.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

CURRENT, OUTDATED, MISSING = "current", "outdated", "missing"


@dataclass(frozen=True)
class Requirement:
    """A document a role requires, as it is in force now."""

    role: str
    role_title: str
    document: str
    document_title: str
    version: int
    effective_since: dt.date | None


@dataclass(frozen=True)
class TrainingCell:
    """Where one holder stands on one required document."""

    user: str
    requirement: Requirement
    state: str
    trained_version: int | None = None
    record: str | None = None
    completed_on: dt.date | None = None
    due: dt.date | None = None

    @property
    def owed(self) -> bool:
        return self.state != CURRENT

    def overdue(self, today: dt.date) -> bool:
        return self.owed and self.due is not None and self.due < today

    def describe(self) -> str:
        need = self.requirement
        what = (
            f"{need.role} '{need.role_title}' requires training on {need.document} v{need.version}"
        )
        if self.state == OUTDATED:
            return f"{what}; {self.user} was trained on v{self.trained_version} ({self.record})"
        return f"{what}; no training record for {self.user}"


@dataclass(frozen=True)
class TrainingMatrix:
    """Every holder of every approved role against the documents the role requires."""

    users: tuple[str, ...]
    requirements: tuple[Requirement, ...]
    cells: tuple[TrainingCell, ...]
    today: dt.date

    def cell(self, user: str, requirement: Requirement) -> TrainingCell | None:
        return next(
            (c for c in self.cells if c.user == user and c.requirement == requirement), None
        )

    @property
    def owed(self) -> list[TrainingCell]:
        return [c for c in self.cells if c.owed]
