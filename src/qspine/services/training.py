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

from qspine.model.profile import Profile
from qspine.model.training import (
    TrainingCell,
    TrainingMatrix,
    required_documents,
    terminal_states,
)
from qspine.model.training import training_cells as cells_of
from qspine.services import reads
from qspine.services.context import SpineContext
from qspine.services.users import User, UserService
from qspine.store.engine import read_connection

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
            cells = training_cells(connection, self._context.profile, today)
        users = tuple(sorted({c.user for c in cells}))
        requirements = tuple(dict.fromkeys(c.requirement for c in cells))
        return TrainingMatrix(users, requirements, tuple(cells), today)

    def owed(self, user: User, username: str | None = None) -> list[TrainingCell]:
        """Training still owed (the derived assignments), by everyone or by `username`,
        soonest due first."""
        self._users.permits(user, "read")
        today = self._context.clock().date()
        with read_connection(self._context.engine) as connection:
            cells = training_cells(connection, self._context.profile, today, username)
        owed = [c for c in cells if c.owed]
        return sorted(owed, key=lambda c: (c.due or dt.date.max, c.user, c.requirement.document))


def signing_blockers(
    connection: Connection, profile: Profile, username: str, kind: str, today: dt.date
) -> list[str]:
    """Why `username` may not sign a record of `kind` now: training owed for a job role."""
    if kind in EXEMPT_KINDS:
        return []
    return [c.describe() for c in training_cells(connection, profile, today, username) if c.owed]


def training_cells(
    connection: Connection, profile: Profile, today: dt.date, username: str | None = None
) -> list[TrainingCell]:
    """Where each role holder (or `username`) stands on each required document now."""
    roles = [r for r in reads.kind_records(connection, "role", True) if r.fields.get("holders")]
    if not roles:  # the common case on a signature: nothing more to read
        return []
    needed = required_documents(roles)
    documents = {d.key: d for d in reads.kind_records(connection, "document", True, needed)}
    records = reads.kind_records(connection, "training_record", True)
    return cells_of(roles, documents, records, username, terminal_states(profile))
