"""A summary of the whole spine: counts by kind and status, links, signatures, users, audit."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from qspine.services.context import SpineContext
from qspine.services.reads import suspect_condition
from qspine.store.engine import read_connection
from qspine.store.schema import app_user, audit_head, link, record, signature


@dataclass(frozen=True)
class SpineSummary:
    """What the spine holds right now (the dashboard and `qspine status` show it)."""

    database: str
    profile: str
    records: int
    by_kind: dict[str, dict[str, int]]
    links: int
    suspect_links: int
    signatures: int
    users: int
    audit_events: int


class SummaryService:
    def __init__(self, context: SpineContext) -> None:
        self._context = context

    def summary(self) -> SpineSummary:
        target = record.alias("target")
        with read_connection(self._context.engine) as connection:
            by_kind: dict[str, dict[str, int]] = {}
            rows = connection.execute(
                sa.select(record.c.kind, record.c.status, sa.func.count())
                .group_by(record.c.kind, record.c.status)
                .order_by(record.c.kind, record.c.status)
            )
            for kind, status, count in rows:
                by_kind.setdefault(kind, {})[status] = count
            active = link.c.removed_at.is_(None)
            links = connection.execute(sa.select(sa.func.count()).where(active)).scalar_one()
            suspect = connection.execute(
                sa.select(sa.func.count())
                .select_from(link.join(target, target.c.id == link.c.target_id))
                .where(suspect_condition(target, self._context.profile.pinned_link_types))
            ).scalar_one()
            signatures = connection.execute(
                sa.select(sa.func.count()).select_from(signature)
            ).scalar_one()
            users = connection.execute(
                sa.select(sa.func.count()).select_from(app_user)
            ).scalar_one()
            events = connection.execute(sa.select(audit_head.c.seq)).scalar_one()
        return SpineSummary(
            database=self._context.engine.url.render_as_string(hide_password=True),
            profile=self._context.profile.name,
            records=sum(sum(s.values()) for s in by_kind.values()),
            by_kind=by_kind,
            links=links,
            suspect_links=suspect,
            signatures=signatures,
            users=users,
            audit_events=events,
        )
