"""The audit trail: append events in the caller's transaction, read them, verify the chain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qspine.model.audit import AuditEvent, ChainBreak, event_hash, first_break
from qspine.model.baselines import manifest_of
from qspine.model.fingerprint import content_fingerprint
from qspine.model.signatures import signature_binding
from qspine.services.context import SpineContext
from qspine.store.engine import read_connection
from qspine.store.schema import audit_event, audit_head, baseline_member, record, signature, version

_BATCH = 5000


@dataclass(frozen=True)
class NewEvent:
    """An event to append; seq and hashes are assigned by `append`."""

    actor: str
    action: str
    subject: str
    reason: str = ""
    version: int | None = None
    before: str | None = None
    after: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    related: str | None = None


def append(connection: Connection, at: dt.datetime, events: Sequence[NewEvent]) -> None:
    """Chain `events` onto the log inside the caller's (write) transaction."""
    if not events:
        return
    seq, previous = connection.execute(
        sa.select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
    ).one()
    rows = []
    for event in events:
        seq += 1
        body = {
            "seq": seq,
            "at": at,
            "actor": event.actor,
            "action": event.action,
            "subject": event.subject,
            "version": event.version,
            "reason": event.reason,
            "before": event.before,
            "after": event.after,
            "payload": event.payload,
            "related": event.related,
        }
        digest = event_hash(prev_hash=previous, **body)
        rows.append({**body, "prev_hash": previous, "hash": digest})
        previous = digest
    connection.execute(audit_event.insert(), rows)
    connection.execute(
        audit_head.update().where(audit_head.c.id == 1).values(seq=seq, hash=previous)
    )


@dataclass(frozen=True)
class VerifyReport:
    """Outcome of `audit verify`: the chain, and the records checked against it."""

    events_checked: int
    chain_break: ChainBreak | None
    problems: list[str]

    @property
    def intact(self) -> bool:
        return self.chain_break is None and not self.problems


class AuditService:
    """Read the trail and prove it intact (21 CFR 11.10(e))."""

    def __init__(self, context: SpineContext) -> None:
        self._context = context

    def log(
        self, subject: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[AuditEvent]:
        """Newest first; for one record, `subject` is its key (events about its links too,
        whichever end it is: both columns are indexed)."""
        query = (
            sa.select(audit_event).order_by(audit_event.c.seq.desc()).limit(limit).offset(offset)
        )
        if subject is not None:
            query = query.where(
                sa.or_(audit_event.c.subject == subject, audit_event.c.related == subject)
            )
        with read_connection(self._context.engine) as connection:
            return [_event(row) for row in connection.execute(query).mappings()]

    def verify(self) -> VerifyReport:
        """Walk the whole chain; then check the head and every version and signature against it."""
        with read_connection(self._context.engine) as connection:
            counter = _Counter()
            chain_break = first_break(counter.count(_all_events(connection)))
            problems: list[str] = []
            if chain_break is None:
                problems += _head_problems(connection, counter.last)
            problems += _content_problems(connection)
            problems += _manifest_problems(connection)
        return VerifyReport(counter.n, chain_break, problems)


class _Counter:
    def __init__(self) -> None:
        self.n = 0
        self.last: AuditEvent | None = None

    def count(self, events: Iterator[AuditEvent]) -> Iterator[AuditEvent]:
        for event in events:
            self.n += 1
            self.last = event
            yield event


def _all_events(connection: Connection) -> Iterator[AuditEvent]:
    after = 0
    while True:
        rows = (
            connection.execute(
                sa.select(audit_event)
                .where(audit_event.c.seq > after)
                .order_by(audit_event.c.seq)
                .limit(_BATCH)
            )
            .mappings()
            .all()
        )
        if not rows:
            return
        for row in rows:
            yield _event(row)
        after = rows[-1]["seq"]


def _head_problems(connection: Connection, last: AuditEvent | None) -> list[str]:
    seq, digest = connection.execute(sa.select(audit_head.c.seq, audit_head.c.hash)).one()
    last_seq = last.seq if last else 0
    if last_seq != seq or (last is not None and last.hash != digest):
        return [f"the log ends at event {last_seq} but its head says {seq}: events were removed"]
    return []


def _manifest_problems(connection: Connection) -> list[str]:
    """Baselines whose member rows no longer hash to the manifest their version carries."""
    member = record.alias("member")
    rows = connection.execute(
        sa.select(
            baseline_member.c.baseline_id,
            member.c.key,
            baseline_member.c.version_number,
            baseline_member.c.fingerprint,
        ).join(member, member.c.id == baseline_member.c.record_id)
    )
    entries: dict[int, list[tuple[str, int, str]]] = {}
    for baseline_id, key, number, digest in rows:
        entries.setdefault(baseline_id, []).append((key, number, digest))
    problems = []
    stated = connection.execute(
        sa.select(record.c.id, record.c.key, version.c.fields)
        .join(version, version.c.record_id == record.c.id)
        .where(record.c.kind == "baseline")
    )
    for baseline_id, key, fields in stated:
        if manifest_of(entries.get(baseline_id, [])) != fields.get("manifest"):
            problems.append(f"{key}: member versions do not match the manifest (edited)")
    return problems


def _content_problems(connection: Connection) -> list[str]:
    """Versions whose content no longer matches their fingerprint; broken signatures."""
    problems = []
    rows = connection.execute(
        sa.select(
            record.c.kind, record.c.key, version.c.number, version.c.fields, version.c.fingerprint
        )
        .join(version, version.c.record_id == record.c.id)
        .execution_options(yield_per=_BATCH)
    )
    for kind, key, number, fields, fingerprint in rows:
        if content_fingerprint(kind, key, fields) != fingerprint:
            problems.append(f"{key} v{number}: content does not match its fingerprint (edited)")
    signatures = connection.execute(
        sa.select(signature, record.c.key, record.c.kind, version.c.fields)
        .join(record, record.c.id == signature.c.record_id)
        .join(
            version,
            sa.and_(
                version.c.record_id == signature.c.record_id,
                version.c.number == signature.c.version_number,
            ),
        )
    ).mappings()
    for row in signatures:
        if not signature_is_valid(row, content_fingerprint(row["kind"], row["key"], row["fields"])):
            problems.append(
                f"{row['key']} v{row['version_number']}: signature {row['id']} "
                f"({row['meaning']} by {row['signer']}) no longer verifies"
            )
    return problems


def signature_is_valid(row: Any, version_fingerprint: str) -> bool:
    """A stored signature row verifies when its binding and signed fingerprint still hold."""
    binding = signature_binding(
        signer=row["signer"],
        printed_name=row["printed_name"],
        meaning=row["meaning"],
        at=row["at"],
        key=row["key"],
        version=row["version_number"],
        fingerprint=row["fingerprint"],
    )
    return bool(binding == row["binding"] and row["fingerprint"] == version_fingerprint)


def _event(row: Any) -> AuditEvent:
    return AuditEvent(
        seq=row["seq"],
        at=row["at"],
        actor=row["actor"],
        action=row["action"],
        subject=row["subject"],
        version=row["version"],
        reason=row["reason"],
        before=row["before"],
        after=row["after"],
        payload=row["payload"],
        prev_hash=row["prev_hash"],
        hash=row["hash"],
        related=row["related"],
    )
