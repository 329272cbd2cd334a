"""Status changes of versions, shared by plain transitions and signature-gated ones.

A version's status changes only here, and every change is a transition row and an audit
event in the caller's transaction. When a version enters a released state, older released
versions of the same record move to the lifecycle's `supersede` state (a document's new
effective version supersedes the previous one).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from qspine.model.errors import Conflict, InvalidInput, NotFound
from qspine.model.profile import LifecycleSpec
from qspine.services.audit import NewEvent
from qspine.store.schema import record, transition, version

_RECORD = sa.select(record).where(record.c.key == sa.bindparam("key"))


def load_record(connection: Connection, key: str) -> RowMapping:
    row = connection.execute(_RECORD, {"key": key}).mappings().first()
    if row is None:
        raise NotFound(f"no record {key}")
    return row


def load_record_of(connection: Connection, key: str, kind: str) -> RowMapping:
    """`load_record` of a record that must be a `kind`: NotFound or InvalidInput naming both."""
    try:
        row = load_record(connection, key)
    except NotFound:
        raise NotFound(f"no {kind.replace('_', ' ')} {key}") from None
    if row["kind"] != kind:
        raise InvalidInput(f"{key} is a {row['kind']}, not a {kind}")
    return row


def load_version(connection: Connection, record_id: int, number: int) -> RowMapping:
    row = (
        connection.execute(
            sa.select(version).where(version.c.record_id == record_id, version.c.number == number)
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"record {record_id} has no version {number}")
    return row


def check_expected(row: RowMapping, expected_version: int) -> None:
    """Optimistic concurrency: the caller must have seen the version that is current."""
    if expected_version != row["latest_version"]:
        raise Conflict(
            f"{row['key']}: you acted on v{expected_version} but v{row['latest_version']} is "
            f"current (changed {row['updated_at']:%Y-%m-%d %H:%M:%S} UTC); reload and retry"
        )


def change_status(
    connection: Connection,
    *,
    lifecycle: LifecycleSpec,
    row: RowMapping,
    number: int,
    from_status: str,
    to_status: str,
    actor: str,
    reason: str,
    at: dt.datetime,
    signature_id: int | None = None,
) -> list[NewEvent]:
    """Move version `number` of `row` to `to_status`; returns the audit events to append."""
    updated = connection.execute(
        version.update()
        .where(
            version.c.record_id == row["id"],
            version.c.number == number,
            version.c.status == from_status,
        )
        .values(status=to_status)
    )
    if updated.rowcount != 1:
        raise Conflict(f"{row['key']} v{number} is no longer {from_status}; reload and retry")
    record_transition(
        connection, row["id"], number, from_status, to_status, actor, reason, at, signature_id
    )
    events = [
        NewEvent(
            actor=actor,
            action="record.transition",
            subject=row["key"],
            version=number,
            reason=reason,
            payload={"from": from_status, "to": to_status, "signature": signature_id},
        )
    ]
    values: dict[str, Any] = {"updated_at": at}
    if number == row["latest_version"]:
        values["status"] = to_status
    if to_status in lifecycle.released_states:
        values["released_version"] = number
        events += _supersede_older(connection, lifecycle, row, number, actor, at)
    connection.execute(record.update().where(record.c.id == row["id"]).values(**values))
    return events


def record_transition(
    connection: Connection,
    record_id: int,
    number: int,
    from_status: str | None,
    to_status: str,
    actor: str,
    reason: str,
    at: dt.datetime,
    signature_id: int | None = None,
) -> None:
    connection.execute(
        transition.insert().values(
            record_id=record_id,
            version_number=number,
            from_status=from_status,
            to_status=to_status,
            at=at,
            by=actor,
            reason=reason,
            signature_id=signature_id,
        )
    )


def _supersede_older(
    connection: Connection,
    lifecycle: LifecycleSpec,
    row: RowMapping,
    number: int,
    actor: str,
    at: dt.datetime,
) -> list[NewEvent]:
    if lifecycle.supersede is None:
        return []
    older = connection.execute(
        sa.select(version.c.number, version.c.status).where(
            version.c.record_id == row["id"],
            version.c.number < number,
            version.c.status.in_(sorted(lifecycle.released_states)),
        )
    ).all()
    events = []
    reason = f"superseded by v{number}"
    for old_number, old_status in older:
        connection.execute(
            version.update()
            .where(version.c.record_id == row["id"], version.c.number == old_number)
            .values(status=lifecycle.supersede)
        )
        record_transition(
            connection, row["id"], old_number, old_status, lifecycle.supersede, actor, reason, at
        )
        events.append(
            NewEvent(
                actor=actor,
                action="record.transition",
                subject=row["key"],
                version=old_number,
                reason=reason,
                payload={"from": old_status, "to": lifecycle.supersede},
            )
        )
    return events
