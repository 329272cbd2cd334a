"""A person's open work: records whose current version they wrote and that are still moving.

"Open" means neither released (approved, effective, recorded, ...) nor final (superseded,
closed, ...): drafts, reviews and investigations waiting for someone to act. The dashboard
shows it; the query uses the (kind, status) index, so it stays cheap on a large store.
"""

from __future__ import annotations

import sqlalchemy as sa

from qspine.model.profile import Profile
from qspine.model.records import RecordSummary
from qspine.services.context import SpineContext
from qspine.services.users import require
from qspine.store.engine import read_connection
from qspine.store.schema import record, version


class WorklistService:
    """Read-only: what is waiting on a given author."""

    def __init__(self, context: SpineContext) -> None:
        self._context = context

    def open_work(self, actor: str, limit: int = 20) -> tuple[int, list[RecordSummary]]:
        """(total, newest first) records whose current version `actor` authored, still open."""
        open_by_kind = open_states(self._context.profile)
        if not open_by_kind:
            return 0, []
        condition = sa.or_(
            *(
                sa.and_(record.c.kind == kind, record.c.status.in_(sorted(states)))
                for kind, states in sorted(open_by_kind.items())
            )
        )
        query = (
            sa.select(
                record.c.key,
                record.c.kind,
                record.c.title,
                record.c.status,
                record.c.latest_version,
                record.c.updated_at,
            )
            .join(
                version,
                sa.and_(
                    version.c.record_id == record.c.id,
                    version.c.number == record.c.latest_version,
                ),
            )
            .where(condition, version.c.author == actor)
        )
        with read_connection(self._context.engine) as connection:
            require(connection, self._context, actor, "read")
            total = connection.execute(
                sa.select(sa.func.count()).select_from(query.subquery())
            ).scalar_one()
            rows = connection.execute(
                query.order_by(record.c.updated_at.desc(), record.c.id.desc()).limit(limit)
            )
            return int(total), [
                RecordSummary(r.key, r.kind, r.title, r.status, r.latest_version, r.updated_at)
                for r in rows
            ]


def open_states(profile: Profile) -> dict[str, frozenset[str]]:
    """For each kind, the states of its lifecycle that are neither released nor terminal."""
    result = {}
    for name, kind in profile.kinds.items():
        lifecycle = profile.lifecycles[kind.lifecycle]
        states = frozenset(
            state
            for state, spec in lifecycle.states.items()
            if not spec.released and not spec.terminal
        )
        if states:
            result[name] = states
    return result
