"""Complaint trending (ISO 13485:2016 8.2.2, 8.4): the data analysis behind a trend review.

Reads the current version of every complaint that is not cancelled, in one grouped query:
the database returns one count per (awareness month, value), so the work in Python grows
with the number of months and values, not with the number of complaints.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from qspine.model.errors import InvalidInput
from qspine.model.trending import (
    COMPLAINT,
    DATE_FIELD,
    DIMENSIONS,
    EXCLUDED_STATUSES,
    ComplaintTrend,
    Observation,
    build_trend,
    check_request,
)
from qspine.services.context import SpineContext
from qspine.services.users import User, UserService
from qspine.store.engine import read_connection
from qspine.store.schema import record, version


class TrendService:
    """Trends of quality events over time."""

    def __init__(self, context: SpineContext, users: UserService) -> None:
        self._context = context
        self._users = users

    def complaints(
        self,
        user: User,
        start: dt.date,
        end: dt.date,
        by: str = "product",
        bucket: str = "month",
    ) -> ComplaintTrend:
        """Complaints aware from `start` to `end` (both included), counted per `bucket`
        (month or quarter) and per product, failure mode or event type (`by`)."""
        self._users.permits(user, "read")
        dimension, size = check_request(start, end, by, bucket)
        if COMPLAINT not in self._context.profile.kinds:
            raise InvalidInput(f"the profile '{self._context.profile.name}' has no complaints")
        with read_connection(self._context.engine) as connection:
            rows = connection.execute(_counts(DIMENSIONS[dimension], start, end)).all()
        observations: list[Observation] = [(month, value, number) for month, value, number in rows]
        return build_trend(start, end, dimension, size, observations)


def _counts(field: str, start: dt.date, end: dt.date) -> sa.Select[str, str, int]:
    """SQL: (awareness month, value, count) of current complaint versions aware in the period.

    Grouped over a subquery's columns, so PostgreSQL sees the same expressions in SELECT and
    GROUP BY (the JSON paths are bound parameters)."""
    day = version.c.fields[DATE_FIELD].as_string()
    current = (
        sa.select(
            sa.func.substr(day, 1, 7).label("month"),
            version.c.fields[field].as_string().label("value"),
        )
        .select_from(record)
        .join(
            version,
            sa.and_(
                version.c.record_id == record.c.id,
                version.c.number == record.c.latest_version,
            ),
        )
        .where(
            record.c.kind == COMPLAINT,
            record.c.status.not_in(EXCLUDED_STATUSES),
            day.between(start.isoformat(), end.isoformat()),
        )
        .subquery()
    )
    return sa.select(current.c.month, current.c.value, sa.func.count()).group_by(
        current.c.month, current.c.value
    )
