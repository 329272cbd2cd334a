"""Create, revise and transition controlled records: each call one transaction, audited.

Versions are immutable: a revision is a new version with a reason. Whether it starts as a
new draft or carries the current status depends on the lifecycle (see `revise`).
"""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qspine.model.errors import Forbidden, InvalidInput, NotFound
from qspine.model.fields import validate_fields
from qspine.model.fingerprint import content_fingerprint
from qspine.model.profile import KindSpec, Profile
from qspine.model.records import RecordSummary, RecordView, VersionView, diff_fields
from qspine.services import guards, reads
from qspine.services.audit import NewEvent, append
from qspine.services.context import SpineContext
from qspine.services.field_targets import check_targets
from qspine.services.lifecycle import change_status, check_expected, load_record
from qspine.services.revisions import write_revision
from qspine.services.users import require
from qspine.store.engine import read_connection, write_transaction
from qspine.store.schema import key_counter, record, transition, version


@dataclass(frozen=True)
class NewRecord:
    """A record to create: its kind and field values."""

    kind: str
    fields: dict[str, Any]


class RecordService:
    """Records and their versions: the write operations and the reads the faces need."""

    def __init__(self, context: SpineContext) -> None:
        self._context = context

    # -- writes ---------------------------------------------------------------------------

    def create(self, actor: str, kind: str, fields: dict[str, Any], reason: str = "") -> RecordView:
        (key,) = self.create_many(actor, [NewRecord(kind, fields)], reason)
        return self.show(key)

    def create_many(self, actor: str, items: Sequence[NewRecord], reason: str = "") -> list[str]:
        """Create records in one transaction (an import lands whole or not at all)."""
        return self.create_with(actor, items, reason)

    def create_with(
        self,
        actor: str,
        items: Sequence[NewRecord],
        reason: str = "",
        then: AfterCreate | None = None,
    ) -> list[str]:
        """As `create_many`; `then(connection, ids, keys)` writes what belongs with the new
        records in the same transaction: a managed kind's members (only its service may create
        such records), or the links a service makes with them (a review's follows_up)."""
        if not items:
            return []
        managed = sorted({i.kind for i in items if _managed(self._context.profile, i.kind)})
        if managed and then is None:
            raise InvalidInput(f"{managed[0]} records are made by their own command only")
        now = self._context.clock()
        with write_transaction(self._context.engine) as connection:
            ids, keys, events = insert_records(connection, self._context, actor, items, reason, now)
            if then is not None:
                then(connection, ids, keys)
            append(connection, now, events)
        return keys

    def revise(
        self,
        actor: str,
        key: str,
        changes: dict[str, Any],
        expected_version: int,
        reason: str,
    ) -> RecordView:
        """Write a new version: current fields with `changes` applied (None removes a field).

        Lifecycles with a `supersede` state (design, document control) start every revision
        as a new draft; the released version stays in force until a newer one is released.
        Workflow lifecycles (quality events) carry the current status over, unless the
        current version is released, which always needs a fresh approval.
        """
        now = self._context.clock()
        with write_transaction(self._context.engine) as connection:
            row = load_record(connection, key)
            require(connection, self._context, actor, "write", row["kind"])
            events = write_revision(
                connection, self._context, actor, row, changes, reason, now, expected_version
            )
            append(connection, now, events)
        return self.show(key)

    def transition(
        self, actor: str, key: str, to_status: str, expected_version: int, reason: str = ""
    ) -> RecordView:
        """Move the current version along its lifecycle; signed steps go through `sign`."""
        now = self._context.clock()
        with write_transaction(self._context.engine) as connection:
            row = load_record(connection, key)
            lifecycle = self._context.profile.lifecycle_of(row["kind"])
            require(connection, self._context, actor, "write", row["kind"])
            check_expected(row, expected_version)
            step = lifecycle.transition(row["status"], to_status)
            if step is None:
                allowed = ", ".join(t.to for t in lifecycle.next_states(row["status"])) or "none"
                raise InvalidInput(
                    f"{key} v{row['latest_version']} is {row['status']}: no "
                    f"transition to '{to_status}' (allowed: {allowed})"
                )
            if step.signature is not None:
                raise Forbidden(
                    f"{key}: {row['status']} -> {to_status} requires a "
                    f"'{step.signature}' signature; sign it instead"
                )
            profile, blob_dir = self._context.profile, self._context.blob_dir
            guards.refuse_if_blocked(connection, profile, key, to_status, now.date(), blob_dir)
            events = change_status(
                connection,
                lifecycle=lifecycle,
                row=row,
                number=row["latest_version"],
                from_status=row["status"],
                to_status=to_status,
                actor=actor,
                reason=reason,
                at=now,
            )
            events += guards.reasoning(
                connection, profile, key, to_status, actor, now.date(), blob_dir
            )
            append(connection, now, events)
        return self.show(key)

    # -- reads ------------------------------------------------------------------------------

    def show(self, key: str, at: dt.datetime | None = None) -> RecordView:
        """The record now, or as it stood at the past instant `at`."""
        with read_connection(self._context.engine) as connection:
            profile = self._context.profile
            if at is not None:
                return reads.record_view_at(connection, profile, key, at)
            view = reads.record_view(connection, profile, key)
            today = self._context.clock().date()
            return guards.annotate(connection, profile, view, today, self._context.blob_dir)

    def history(self, key: str) -> list[VersionView]:
        with read_connection(self._context.engine) as connection:
            return reads.versions_of(connection, key)

    def diff(self, key: str, before: int, after: int) -> list[Any]:
        versions = {v.number: v for v in self.history(key)}
        for number in (before, after):
            if number not in versions:
                raise NotFound(f"{key} has no version {number}")
        return diff_fields(versions[before].fields, versions[after].fields)

    def list(
        self,
        kind: str | None = None,
        status: str | None = None,
        text: str | None = None,
        where: dict[str, str] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[int, builtins.list[RecordSummary]]:
        if kind is not None and kind not in self._context.profile.kinds:
            raise InvalidInput(f"unknown kind '{kind}'")
        with read_connection(self._context.engine) as connection:
            return reads.record_list(connection, kind, status, text, where or {}, limit, offset)


AfterCreate = Callable[[Connection, list[int], list[str]], None]


def _managed(profile: Profile, kind: str) -> bool:
    spec = profile.kinds.get(kind)
    return spec is not None and spec.managed


def _title(spec: KindSpec, fields: dict[str, Any]) -> str:
    return str(fields.get(spec.title_field, ""))


def _allocate_keys(connection: Connection, prefixes: list[str]) -> list[str]:
    """Keys such as REQ-12: per-prefix counters that only ever grow, so keys are never reused."""
    needed: dict[str, int] = {}
    for prefix in prefixes:
        needed[prefix] = needed.get(prefix, 0) + 1
    next_number: dict[str, int] = {}
    for prefix, count in needed.items():
        last = connection.execute(
            sa.select(key_counter.c.last).where(key_counter.c.prefix == prefix).with_for_update()
        ).scalar()
        if last is None:
            connection.execute(key_counter.insert().values(prefix=prefix, last=count))
            last = 0
        else:
            connection.execute(
                key_counter.update().where(key_counter.c.prefix == prefix).values(last=last + count)
            )
        next_number[prefix] = last + 1
    keys = []
    for prefix in prefixes:
        keys.append(f"{prefix}-{next_number[prefix]}")
        next_number[prefix] += 1
    return keys


def insert_records(
    connection: Connection,
    context: SpineContext,
    actor: str,
    items: Sequence[NewRecord],
    reason: str,
    now: dt.datetime,
) -> tuple[list[int], list[str], list[NewEvent]]:
    """Validate and write `items` in the caller's transaction: ids, keys and the audit events
    for the caller to append (an importer makes records, revisions and links as one write)."""
    if not items:
        return [], [], []
    profile = context.profile
    prepared = []
    for index, item in enumerate(items):
        subject = f"new {item.kind}" + (f" (item {index + 1})" if len(items) > 1 else "")
        if item.kind not in profile.kinds:
            raise InvalidInput(f"{subject}: unknown kind '{item.kind}'")
        spec = profile.kinds[item.kind]
        prepared.append((item.kind, spec, validate_fields(subject, item.kind, spec, item.fields)))
    for kind in sorted({kind for kind, _, _ in prepared}):
        require(connection, context, actor, "write", kind)
    check_targets(connection, [(f"new {k}", s, f) for k, s, f in prepared])
    keys = _allocate_keys(connection, [spec.prefix for _, spec, _ in prepared])
    rows: list[dict[str, Any]] = []
    for (kind, spec, fields), key in zip(prepared, keys, strict=True):
        rows.append(
            {
                "kind": kind,
                "key": key,
                "created_at": now,
                "created_by": actor,
                "latest_version": 1,
                "released_version": None,
                "status": profile.lifecycles[spec.lifecycle].initial,
                "title": _title(spec, fields),
                "updated_at": now,
            }
        )
    ids = list(
        connection.execute(
            record.insert().returning(record.c.id, sort_by_parameter_order=True), rows
        ).scalars()
    )
    versions, transitions, events = [], [], []
    for record_id, row, (kind, _, fields) in zip(ids, rows, prepared, strict=True):
        fingerprint = content_fingerprint(kind, row["key"], fields)
        versions.append(
            {
                "record_id": record_id,
                "number": 1,
                "fields": fields,
                "fingerprint": fingerprint,
                "status": row["status"],
                "author": actor,
                "created_at": now,
                "reason": reason,
            }
        )
        transitions.append(
            {
                "record_id": record_id,
                "version_number": 1,
                "from_status": None,
                "to_status": row["status"],
                "at": now,
                "by": actor,
                "reason": "created",
                "signature_id": None,
            }
        )
        events.append(
            NewEvent(
                actor=actor,
                action="record.create",
                subject=row["key"],
                version=1,
                reason=reason,
                after=fingerprint,
                payload={"kind": kind, "fields": fields},
            )
        )
    connection.execute(version.insert(), versions)
    connection.execute(transition.insert(), transitions)
    return ids, keys, events
