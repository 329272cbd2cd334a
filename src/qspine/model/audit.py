"""Audit events and the hash chain that makes an edit, deletion, insertion or reorder visible."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from qspine.model.fingerprint import canonical_json, sha256_hex

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEvent:
    """One entry of the append-only audit trail (21 CFR 11.10(e))."""

    seq: int
    at: dt.datetime
    actor: str
    action: str
    subject: str
    version: int | None
    reason: str
    before: str | None
    after: str | None
    payload: dict[str, Any]
    prev_hash: str
    hash: str
    related: str | None = None


def event_hash(
    *,
    seq: int,
    at: dt.datetime,
    actor: str,
    action: str,
    subject: str,
    version: int | None,
    reason: str,
    before: str | None,
    after: str | None,
    payload: dict[str, Any],
    prev_hash: str,
    related: str | None = None,
) -> str:
    """SHA-256 over the previous hash and this event's canonical content.

    `related` (the other end of a link event) is hashed only when present, so events without
    one hash exactly as they did before the field existed.
    """
    body: dict[str, Any] = {
        "seq": seq,
        "at": at.astimezone(dt.UTC).isoformat(),
        "actor": actor,
        "action": action,
        "subject": subject,
        "version": version,
        "reason": reason,
        "before": before,
        "after": after,
        "payload": payload,
    }
    if related is not None:
        body["related"] = related
    return sha256_hex(prev_hash + canonical_json(body))


@dataclass(frozen=True)
class ChainBreak:
    """Where the chain first fails, and why."""

    seq: int
    problem: str


def first_break(events: Iterable[AuditEvent]) -> ChainBreak | None:
    """Walk events in stored order; return the first that does not follow from its predecessor.

    A deleted event leaves a gap in `seq` and a successor whose prev_hash points nowhere; an
    inserted or edited one has a hash that no longer matches its content; a reordered pair
    breaks both the seq order and the prev_hash link.
    """
    expected_seq = 1
    previous = GENESIS
    for event in events:
        if event.seq != expected_seq:
            return ChainBreak(event.seq, f"expected event {expected_seq} here, found {event.seq}")
        if event.prev_hash != previous:
            return ChainBreak(event.seq, "does not link to the event before it")
        recomputed = event_hash(
            seq=event.seq,
            at=event.at,
            actor=event.actor,
            action=event.action,
            subject=event.subject,
            version=event.version,
            reason=event.reason,
            before=event.before,
            after=event.after,
            payload=event.payload,
            prev_hash=event.prev_hash,
            related=event.related,
        )
        if recomputed != event.hash:
            return ChainBreak(event.seq, "content does not match its hash (edited)")
        previous = event.hash
        expected_seq += 1
    return None
