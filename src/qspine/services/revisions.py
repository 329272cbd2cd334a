"""New versions of records written inside the caller's transaction.

`RecordService.revise` is one revision in its own transaction. Importers (an SBOM import, an
advisory match, a VEX import) revise many records and must land whole or not at all, so they
call `revise_in` inside their own write transaction and append the events it returns with
theirs. Both paths run `write_revision`, so a revision means the same thing everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, RowMapping

from qspine.model.errors import InvalidInput
from qspine.model.fields import validate_fields
from qspine.model.fingerprint import content_fingerprint
from qspine.model.records import diff_fields
from qspine.services.audit import NewEvent
from qspine.services.context import SpineContext
from qspine.services.field_targets import check_targets
from qspine.services.lifecycle import (
    change_status,
    check_expected,
    load_record,
    load_version,
    record_transition,
)
from qspine.services.users import require
from qspine.store.schema import record, version


@dataclass(frozen=True)
class Revision:
    """A new version of `key`: current fields with `changes` applied (None removes a field);
    `to_status`, when given, is an unsigned transition the new version then takes."""

    key: str
    changes: dict[str, Any]
    reason: str
    to_status: str | None = None


def revise_in(
    connection: Connection,
    context: SpineContext,
    actor: str,
    revisions: Sequence[Revision],
    now: dt.datetime,
) -> list[NewEvent]:
    """Write `revisions` in the caller's write transaction; returns the events to append."""
    events: list[NewEvent] = []
    permitted: set[str] = set()
    for item in revisions:
        row = load_record(connection, item.key)
        if row["kind"] not in permitted:
            require(connection, context, actor, "write", row["kind"])
            permitted.add(row["kind"])
        events += write_revision(connection, context, actor, row, item.changes, item.reason, now)
        if item.to_status is not None:
            events += transition_in(
                connection, context, actor, item.key, item.to_status, item.reason, now
            )
    return events


def write_revision(
    connection: Connection,
    context: SpineContext,
    actor: str,
    row: RowMapping,
    changes: dict[str, Any],
    reason: str,
    now: dt.datetime,
    expected_version: int | None = None,
) -> list[NewEvent]:
    """One new version of the record `row` (its permission already checked).

    Lifecycles with a `supersede` state (design, document control) start every revision as a
    new draft; the released version stays in force until a newer one is released. Workflow
    lifecycles carry the current status over, unless the current version is released, which
    always needs a fresh approval.
    """
    key = row["key"]
    if not reason.strip():
        raise InvalidInput(f"{key}: a revision needs a reason")
    profile = context.profile
    spec = profile.kinds[row["kind"]]
    lifecycle = profile.lifecycles[spec.lifecycle]
    if spec.managed:
        raise InvalidInput(f"{key}: a {row['kind']} is never revised; make a new one")
    if expected_version is not None:
        check_expected(row, expected_version)
    current = load_version(connection, row["id"], row["latest_version"])
    if lifecycle.states[current["status"]].terminal:
        raise InvalidInput(
            f"{key} v{current['number']} is {current['status']}: "
            "a record in a final state cannot be revised"
        )
    merged = {**current["fields"], **changes}
    merged = {name: value for name, value in merged.items() if value is not None}
    fields = validate_fields(key, row["kind"], spec, merged)
    if fields == current["fields"]:
        raise InvalidInput(f"{key}: the revision changes nothing")
    check_targets(connection, [(key, spec, fields)])
    number = current["number"] + 1
    released = current["status"] in lifecycle.released_states
    status = lifecycle.initial if lifecycle.supersede or released else current["status"]
    fingerprint = content_fingerprint(row["kind"], key, fields)
    connection.execute(
        version.insert().values(
            record_id=row["id"],
            number=number,
            fields=fields,
            fingerprint=fingerprint,
            status=status,
            author=actor,
            created_at=now,
            reason=reason,
        )
    )
    record_transition(
        connection,
        row["id"],
        number,
        None,
        status,
        actor,
        "new version"
        if status == lifecycle.initial
        else f"status carried over from v{current['number']}",
        now,
    )
    events = [
        NewEvent(
            actor=actor,
            action="record.revise",
            subject=key,
            version=number,
            reason=reason,
            before=current["fingerprint"],
            after=fingerprint,
            payload={"changes": [c.__dict__ for c in diff_fields(current["fields"], fields)]},
        )
    ]
    if lifecycle.supersede and not released and current["status"] != lifecycle.supersede:
        events += change_status(
            connection,
            lifecycle=lifecycle,
            row=row,
            number=current["number"],
            from_status=current["status"],
            to_status=lifecycle.supersede,
            actor=actor,
            reason=f"replaced by v{number} before release",
            at=now,
        )
    connection.execute(
        record.update()
        .where(record.c.id == row["id"])
        .values(
            latest_version=number,
            status=status,
            title=str(fields.get(spec.title_field, "")),
            updated_at=now,
        )
    )
    return events


def transition_in(
    connection: Connection,
    context: SpineContext,
    actor: str,
    key: str,
    to_status: str,
    reason: str,
    now: dt.datetime,
) -> list[NewEvent]:
    """Move `key`'s current version along an unsigned transition, in the caller's transaction
    (an importer listing the component versions an SBOM names); returns the events."""
    row = load_record(connection, key)
    lifecycle = context.profile.lifecycle_of(row["kind"])
    step = lifecycle.transition(row["status"], to_status)
    if step is None or step.signature is not None:
        raise InvalidInput(
            f"{key} v{row['latest_version']} is {row['status']}: no unsigned transition "
            f"to '{to_status}'"
        )
    return change_status(
        connection,
        lifecycle=lifecycle,
        row=row,
        number=row["latest_version"],
        from_status=row["status"],
        to_status=step.to,
        actor=actor,
        reason=reason,
        at=now,
    )
