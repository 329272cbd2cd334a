"""Management review preparation (ISO 13485:2016 5.6.2): compile the inputs of a period from
the records, and open a management review record that carries them.

Reading is a handful of queries whatever the store's size: the records that can count for
the period (raised in it, or still open when it began), the status changes they went
through, the audits their findings came from, the previous review and its actions. The
rules that turn those into figures are pure (qspine.model.review).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql.elements import ColumnElement

from qspine.model.deadlines import as_date
from qspine.model.profile import Profile
from qspine.model.review import (
    CANCELLED,
    CLOSED,
    RAISED_ON,
    RETIRED,
    REVIEW,
    TRACKED,
    Item,
    ReviewInputs,
    check_period,
    previous_review,
    to_markdown,
)
from qspine.model.review_sections import compile_inputs
from qspine.services.context import SpineContext
from qspine.services.cyber_reads import vulnerability_metrics
from qspine.services.links import NewLink, write_links
from qspine.services.records import NewRecord, RecordService
from qspine.services.users import User, UserService
from qspine.store.engine import read_connection
from qspine.store.schema import link, record, transition, version

ENDED = (CLOSED, CANCELLED, RETIRED)
# Kinds counted from the day a date field names (audits: only those held in the period).
DATED = {kind: name for kind, name in RAISED_ON.items() if kind != "audit"}
# Kinds counted from the day the record was created.
CREATED = ("capa", "change_request")
# Kinds counted when a version entered a status in the period.
ENTERED = {"document": "effective", "release": "released"}


class ReviewService:
    """Prepare the inputs of a management review and record the review."""

    def __init__(
        self,
        context: SpineContext,
        users: UserService,
        records: RecordService,
    ) -> None:
        self._context = context
        self._users = users
        self._records = records

    def prepare(self, user: User, start: dt.date, end: dt.date) -> ReviewInputs:
        """The 5.6.2 inputs for `start` to `end` (both included), read now; nothing is written."""
        self._users.permits(user, "read")
        check_period(start, end)
        with read_connection(self._context.engine) as connection:
            return _Compiler(connection, self._context.profile, start, end).inputs(
                self._context.clock()
            )

    def create(self, actor: str, start: dt.date, end: dt.date, title: str | None = None) -> str:
        """A new management review record for the period with its inputs compiled as
        Markdown, following up the previous review if there is one (the record and its
        follows_up link are one audited transaction); returns its key."""
        inputs = self.prepare(self._users.get(actor), start, end)
        name = (title or "").strip() or f"Management review {start} to {end}"
        fields = {
            "title": name,
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "inputs_summary": to_markdown(inputs),
        }
        reason = f"inputs compiled for {start} to {end}"
        previous = inputs.previous_review

        def follow_up(connection: Connection, _ids: list[int], keys: list[str]) -> None:
            if previous is not None:
                follows = NewLink("follows_up", keys[0], previous.key)
                write_links(connection, self._context, actor, [follows], reason)

        (key,) = self._records.create_with(actor, [NewRecord(REVIEW, fields)], reason, follow_up)
        return key


class _Compiler:
    """The queries behind one preparation, over one read-only connection."""

    def __init__(self, connection: Connection, profile: Profile, start: dt.date, end: dt.date):
        self.connection = connection
        self.profile = profile
        self.start, self.end = start, end
        self.first = dt.datetime.combine(start, dt.time.min, dt.UTC)
        self.last = dt.datetime.combine(end, dt.time.max, dt.UTC)

    def inputs(self, now: dt.datetime) -> ReviewInputs:
        condition = self.candidates()
        rows = self.connection.execute(_current().where(condition)).all()
        ids = sa.select(record.c.id).join(version, _latest()).where(condition)
        entered = self.entered(transition.c.record_id.in_(ids))
        items = [_item(row, entered) for row in rows]
        keys = {row.id: row.key for row in rows}
        found_in = self.found_in(ids, keys)
        reviews = [i for i in items if i.kind == REVIEW]
        previous = previous_review(reviews, self.start, self.end, self.follows_up(rows))
        actions = self.actions_of(previous, rows)
        cyber = None
        if "vulnerability" in self.profile.kinds:  # input a): the cyber metrics at period end
            cyber = vulnerability_metrics(self.connection, min(self.end, now.date()))
        return compile_inputs(
            self.start,
            self.end,
            now,
            self.profile.kinds,
            items,
            found_in,
            previous,
            actions,
            cyber,
        )

    def candidates(self) -> ColumnElement[bool]:
        """SQL: the records that can count for the period, of the kinds the profile has."""
        start, end = self.start.isoformat(), self.end.isoformat()
        open_then = self.not_ended_before()
        conditions: list[ColumnElement[bool]] = []
        for kind, name in DATED.items():
            day = version.c.fields[name].as_string()
            conditions.append(_of(kind, day <= end, sa.or_(day >= start, open_then)))
        for kind in CREATED:
            made = record.c.created_at
            conditions.append(_of(kind, made <= self.last, sa.or_(made >= self.first, open_then)))
        audit_day = version.c.fields["audit_date"].as_string()
        supplier_due = version.c.fields["reevaluation_due"].as_string()
        conditions += [
            _of("finding", sa.or_(record.c.created_at >= self.first, open_then)),
            _of("audit", audit_day >= start, audit_day <= end),
            _of("supplier", supplier_due <= end, open_then),
            record.c.kind == REVIEW,
        ]
        for kind, status in ENTERED.items():
            conditions.append(
                _of(
                    kind,
                    sa.exists().where(
                        transition.c.record_id == record.c.id,
                        transition.c.to_status == status,
                        transition.c.at.between(self.first, self.last),
                    ),
                )
            )
        return sa.and_(record.c.kind.in_(sorted(self.profile.kinds)), sa.or_(*conditions))

    def not_ended_before(self) -> ColumnElement[bool]:
        """SQL: the record had not been closed, cancelled or retired when the period began."""
        return sa.or_(
            record.c.status.not_in(ENDED),
            ~sa.exists().where(
                transition.c.record_id == record.c.id,
                transition.c.to_status.in_(ENDED),
                transition.c.at < self.first,
            ),
        )

    def entered(self, which: ColumnElement[bool]) -> dict[int, dict[str, list[dt.date]]]:
        """record id -> TRACKED status -> the UTC days it entered it, in order."""
        found: dict[int, dict[str, list[dt.date]]] = {}
        rows = self.connection.execute(
            sa.select(transition.c.record_id, transition.c.to_status, transition.c.at)
            .where(which, transition.c.to_status.in_(TRACKED))
            .order_by(transition.c.at, transition.c.id)
        )
        for record_id, status, at in rows:
            found.setdefault(record_id, {}).setdefault(status, []).append(_day(at))
        return found

    def found_in(
        self, ids: sa.Select[tuple[int]], keys: dict[int, str]
    ) -> dict[str, dt.date | None]:
        """finding key -> the audit date of the (earliest) audit it was found in."""
        audit = record.alias("audit")
        audit_version = version.alias("audit_version")
        rows = self.connection.execute(
            sa.select(link.c.source_id, audit_version.c.fields["audit_date"].as_string())
            .join(audit, audit.c.id == link.c.target_id)
            .join(
                audit_version,
                sa.and_(
                    audit_version.c.record_id == audit.c.id,
                    audit_version.c.number == audit.c.latest_version,
                ),
            )
            .where(
                link.c.type == "found_in", link.c.removed_at.is_(None), link.c.source_id.in_(ids)
            )
        )
        found: dict[str, dt.date | None] = {}
        for source_id, text in rows:
            key, day = keys.get(source_id), as_date(text)
            if key is None or day is None:
                continue
            earlier = found.get(key)
            found[key] = day if earlier is None else min(earlier, day)
        return found

    def follows_up(self, rows: Sequence[Row[Any]]) -> dict[str, str]:
        """review key -> the review it follows up, for reviews of exactly this period."""
        same = [
            row.id
            for row in rows
            if row.kind == REVIEW
            and as_date(row.fields.get("period_start")) == self.start
            and as_date(row.fields.get("period_end")) == self.end
        ]
        if not same:
            return {}
        source, target = record.alias("source"), record.alias("target")
        found = self.connection.execute(
            sa.select(source.c.key, target.c.key)
            .select_from(link)
            .join(source, source.c.id == link.c.source_id)
            .join(target, target.c.id == link.c.target_id)
            .where(
                link.c.type == "follows_up", link.c.removed_at.is_(None), link.c.source_id.in_(same)
            )
        )
        return {source_key: target_key for source_key, target_key in found}

    def actions_of(self, review: Item | None, rows: Sequence[Row[Any]]) -> list[Item]:
        """The actions linked `action_of` the review (source: action, target: review)."""
        if review is None:
            return []
        review_id = next(row.id for row in rows if row.key == review.key)
        ids = sa.select(link.c.source_id).where(
            link.c.type == "action_of",
            link.c.target_id == review_id,
            link.c.removed_at.is_(None),
        )
        which = sa.and_(record.c.kind == "action", record.c.id.in_(ids))
        found = self.connection.execute(_current().where(which)).all()
        entered = self.entered(transition.c.record_id.in_(ids))
        return [_item(row, entered) for row in found]


def _current() -> sa.Select[Any]:
    """Records with the fields of their latest version."""
    return sa.select(
        record.c.id,
        record.c.key,
        record.c.kind,
        record.c.title,
        record.c.status,
        record.c.created_at,
        version.c.fields,
    ).join(version, _latest())


def _latest() -> ColumnElement[bool]:
    return sa.and_(version.c.record_id == record.c.id, version.c.number == record.c.latest_version)


def _of(kind: str, *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return sa.and_(record.c.kind == kind, *conditions)


def _item(row: Row[Any], entered: dict[int, dict[str, list[dt.date]]]) -> Item:
    days = entered.get(row.id, {})
    return Item(
        row.key,
        row.kind,
        row.title,
        row.status,
        dict(row.fields),
        _day(row.created_at),
        {status: tuple(found) for status, found in days.items()},
    )


def _day(at: dt.datetime) -> dt.date:
    return at.astimezone(dt.UTC).date()
