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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from qspine.model.deadlines import as_date
from qspine.model.profile import Profile

CURRENT, OUTDATED, MISSING = "current", "outdated", "missing"

GRACE_DAYS = 30
"""Days a holder has to complete training on a newly effective document version."""


class Released(Protocol):
    """A record with the fields of its released version (roles, documents, training)."""

    @property
    def key(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def released(self) -> int | None: ...
    @property
    def fields(self) -> Mapping[str, Any]: ...
    @property
    def created_at(self) -> dt.datetime: ...


Trained = list[tuple[int, str, dt.date | None]]
"""(version trained on, training record key, completed on) of one person on one document."""


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


def terminal_states(profile: Profile) -> frozenset[str]:
    """States that end a record's life (obsolete, retired, voided ...): such a role, document
    or training record no longer counts, though it keeps its released version."""
    return frozenset(
        name
        for lifecycle in profile.lifecycles.values()
        for name, state in lifecycle.states.items()
        if state.terminal
    )


def training_cells(
    roles: Iterable[Released],
    documents: Mapping[str, Released],
    records: Iterable[Released],
    username: str | None = None,
    ended: frozenset[str] = frozenset(),
) -> list[TrainingCell]:
    """Each holder of each role (with holders) against each required document in force,
    from released roles, the released documents by key and recorded training records;
    records whose status is in `ended` (retired, obsolete, voided) are left out."""
    trained = trained_on((r for r in records if r.status not in ended), username)
    cells = []
    for role in (r for r in roles if r.status not in ended):
        holders = [h for h in role.fields.get("holders") or [] if username in (None, h)]
        for key in role.fields.get("required_documents") or []:
            document = documents.get(key)
            if document is None or document.released is None or document.status in ended:
                continue  # not in force: nothing to train on
            since = as_date(document.fields.get("effective_date")) or document.created_at.date()
            requirement = Requirement(
                role.key, role.title, key, document.title, document.released, since
            )
            start = max(since, role.created_at.date())
            due = start + dt.timedelta(days=GRACE_DAYS)
            for holder in holders:
                cells.append(_cell(holder, requirement, trained.get((holder, key), []), due))
    return cells


def required_documents(roles: Sequence[Released]) -> set[str]:
    """The keys of every document some role with holders requires."""
    return {
        key
        for role in roles
        if role.fields.get("holders")
        for key in role.fields.get("required_documents") or []
    }


def _cell(holder: str, requirement: Requirement, records: Trained, due: dt.date) -> TrainingCell:
    best = max(records, default=None)
    if best is None:
        return TrainingCell(holder, requirement, MISSING, due=due)
    number, key, completed = best
    if number >= requirement.version:
        return TrainingCell(holder, requirement, CURRENT, number, key, completed)
    return TrainingCell(holder, requirement, OUTDATED, number, key, completed, due)


def trained_on(
    records: Iterable[Released], username: str | None = None
) -> dict[tuple[str, str], Trained]:
    """(trainee, document key) -> what they were trained on, from recorded training."""
    found: dict[tuple[str, str], Trained] = {}
    for row in records:
        trainee, document = row.fields.get("trainee"), row.fields.get("document")
        if not trainee or not document or username not in (None, trainee):
            continue
        number = int(row.fields.get("document_version") or 0)
        completed = as_date(row.fields.get("completed_on"))
        found.setdefault((trainee, document), []).append((number, row.key, completed))
    return found
