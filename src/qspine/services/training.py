"""Training and competence (ISO 13485:2016 6.2; 21 CFR 11.10(g) authority checks).

Reads approved job roles (their holders and required documents), the version of each
required document in force and the recorded training records, and works out each holder's
training state (see qspine.model.training). Assignments are derived, never stored: when a
document version becomes effective, every holder of a role requiring it owes training on it
from that day until a training record for that version is recorded, so nothing can go stale.
A holder who owes training may not sign anything but training evidence, and is told why.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Connection

from qspine.model.deadlines import as_date
from qspine.model.training import (
    CURRENT,
    MISSING,
    OUTDATED,
    Requirement,
    TrainingCell,
    TrainingMatrix,
)
from qspine.services import reads
from qspine.services.context import SpineContext
from qspine.services.users import User, UserService
from qspine.store.engine import read_connection

GRACE_DAYS = 30
"""Days a holder has to complete training on a newly effective document version."""

Trained = list[tuple[int, str, dt.date | None]]
"""(version trained on, training record key, completed on) of one person on one document."""

EXEMPT_KINDS = frozenset({"training_record"})
"""Signing training evidence is how the gap is closed: never blocked by it."""


class TrainingService:
    def __init__(self, context: SpineContext, users: UserService) -> None:
        self._context = context
        self._users = users

    def matrix(self, user: User) -> TrainingMatrix:
        """Every holder of every approved job role against its required documents."""
        self._users.permits(user, "read")
        today = self._context.clock().date()
        with read_connection(self._context.engine) as connection:
            cells = training_cells(connection, today)
        users = tuple(sorted({c.user for c in cells}))
        requirements = tuple(dict.fromkeys(c.requirement for c in cells))
        return TrainingMatrix(users, requirements, tuple(cells), today)

    def owed(self, user: User, username: str | None = None) -> list[TrainingCell]:
        """Training still owed (the derived assignments), by everyone or by `username`,
        soonest due first."""
        self._users.permits(user, "read")
        today = self._context.clock().date()
        with read_connection(self._context.engine) as connection:
            cells = training_cells(connection, today, username)
        owed = [c for c in cells if c.owed]
        return sorted(owed, key=lambda c: (c.due or dt.date.max, c.user, c.requirement.document))


def signing_blockers(connection: Connection, username: str, kind: str, today: dt.date) -> list[str]:
    """Why `username` may not sign a record of `kind` now: training owed for a job role."""
    if kind in EXEMPT_KINDS:
        return []
    return [c.describe() for c in training_cells(connection, today, username) if c.owed]


def training_cells(
    connection: Connection, today: dt.date, username: str | None = None
) -> list[TrainingCell]:
    roles = [r for r in reads.kind_records(connection, "role", True) if r.fields.get("holders")]
    if not roles:  # the common case on a signature: nothing more to read
        return []
    needed = {key for r in roles for key in r.fields.get("required_documents") or []}
    documents = {d.key: d for d in reads.kind_records(connection, "document", True, needed)}
    trained = _trained(connection, username)
    cells = []
    for role in roles:
        holders = [h for h in role.fields["holders"] if username in (None, h)]
        for key in role.fields.get("required_documents") or []:
            document = documents.get(key)
            if document is None or document.released is None:
                continue  # not in force: nothing to train on yet
            since = as_date(document.fields.get("effective_date")) or document.created_at.date()
            requirement = Requirement(
                role.key, role.title, key, document.title, document.released, since
            )
            start = max(since, role.created_at.date())
            due = start + dt.timedelta(days=GRACE_DAYS)
            for holder in holders:
                cells.append(_cell(holder, requirement, trained.get((holder, key), []), due))
    return cells


def _cell(holder: str, requirement: Requirement, records: Trained, due: dt.date) -> TrainingCell:
    best = max(records, default=None)
    if best is None:
        return TrainingCell(holder, requirement, MISSING, due=due)
    number, key, completed = best
    if number >= requirement.version:
        return TrainingCell(holder, requirement, CURRENT, number, key, completed)
    return TrainingCell(holder, requirement, OUTDATED, number, key, completed, due)


def _trained(connection: Connection, username: str | None) -> dict[tuple[str, str], Trained]:
    """(trainee, document key) -> what they were trained on."""
    found: dict[tuple[str, str], Trained] = {}
    for row in reads.kind_records(connection, "training_record", True):
        trainee, document = row.fields.get("trainee"), row.fields.get("document")
        if not trainee or not document or username not in (None, trainee):
            continue
        number = int(row.fields.get("document_version") or 0)
        completed = as_date(row.fields.get("completed_on"))
        found.setdefault((trainee, document), []).append((number, row.key, completed))
    return found
