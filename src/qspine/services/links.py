"""Typed links between records, validated by the profile, stamped with the target version.

Links are never deleted: unlinking marks them removed, with who, when and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from qspine.model.errors import Conflict, InvalidInput, NotFound
from qspine.model.links import LinkView
from qspine.services import reads
from qspine.services.audit import NewEvent, append
from qspine.services.context import SpineContext
from qspine.services.users import require
from qspine.store.engine import read_connection, write_transaction
from qspine.store.schema import link, link_stamp, record, version


@dataclass(frozen=True)
class NewLink:
    """A link to make: `source <type> target`, e.g. TC-4 verifies REQ-12."""

    type: str
    source: str
    target: str


class LinkService:
    """Make, remove and confirm links; list a record's links with suspect marks."""

    def __init__(self, context: SpineContext) -> None:
        self._context = context
        self._pinned = context.profile.pinned_link_types

    def link(self, actor: str, type: str, source: str, target: str, reason: str = "") -> LinkView:
        self.link_many(actor, [NewLink(type, source, target)], reason)
        return self._active(type, source, target)

    def link_many(self, actor: str, items: Sequence[NewLink], reason: str = "") -> int:
        """Make links in one transaction; every one is checked before anything is written."""
        if not items:
            return 0
        with write_transaction(self._context.engine) as connection:
            return write_links(connection, self._context, actor, items, reason)

    def unlink(self, actor: str, type: str, source: str, target: str, reason: str) -> LinkView:
        if not reason.strip():
            raise InvalidInput(f"link {source} {type} {target}: removing a link needs a reason")
        now = self._context.clock()
        with write_transaction(self._context.engine) as connection:
            row, source_kind = _active_row(connection, type, source, target)
            require(connection, self._context, actor, "write", source_kind)
            removed = Removal(row["id"], type, source, target, row["target_fingerprint"])
            append(connection, now, remove_links(connection, actor, [removed], reason, now))
            (view,) = reads.links_where(
                connection, link.c.id == row["id"], self._pinned, include_removed=True
            )
        return view

    def confirm(
        self, actor: str, type: str, source: str, target: str, reason: str = ""
    ) -> LinkView:
        """Re-review a (suspect) link against the target's current version and stamp it."""
        now = self._context.clock()
        with write_transaction(self._context.engine) as connection:
            row, source_kind = _active_row(connection, type, source, target)
            require(connection, self._context, actor, "write", source_kind)
            if type in self._pinned:
                raise InvalidInput(
                    f"link {source} {type} {target} pins {target} v{row['target_version']} on "
                    "purpose; it is never re-confirmed (link a new version instead)"
                )
            (current,) = _records_by_key(connection, {target}).values()
            if current["latest_version"] == row["target_version"]:
                raise InvalidInput(
                    f"link {source} {type} {target} is already stamped with "
                    f"{target} v{row['target_version']}: nothing to confirm"
                )
            connection.execute(
                link.update()
                .where(link.c.id == row["id"])
                .values(
                    target_version=current["latest_version"],
                    target_fingerprint=current["fingerprint"],
                    confirmed_at=now,
                    confirmed_by=actor,
                )
            )
            connection.execute(
                link_stamp.insert().values(
                    link_id=row["id"],
                    target_version=current["latest_version"],
                    target_fingerprint=current["fingerprint"],
                    at=now,
                    by=actor,
                )
            )
            append(
                connection,
                now,
                [
                    NewEvent(
                        actor=actor,
                        action="link.confirm",
                        subject=source,
                        related=target,
                        reason=reason,
                        version=current["latest_version"],
                        before=row["target_fingerprint"],
                        after=current["fingerprint"],
                        payload={
                            "type": type,
                            "link": row["id"],
                            "from_version": row["target_version"],
                        },
                    )
                ],
            )
        return self._active(type, source, target)

    def of(self, key: str) -> tuple[list[LinkView], list[LinkView]]:
        """(outgoing, incoming) active links of a record."""
        with read_connection(self._context.engine) as connection:
            row = connection.execute(sa.select(record.c.id).where(record.c.key == key)).first()
            if row is None:
                raise NotFound(f"no record {key}")
            return (
                reads.links_where(connection, link.c.source_id == row.id, self._pinned),
                reads.links_where(connection, link.c.target_id == row.id, self._pinned),
            )

    def suspect(self, limit: int = 1000) -> list[LinkView]:
        """Every active link whose target has a newer released version than its stamp."""
        target = record.alias("suspect_target")
        condition = link.c.id.in_(
            sa.select(link.c.id)
            .join(target, target.c.id == link.c.target_id)
            .where(reads.suspect_condition(target, self._pinned))
            .limit(limit)
        )
        with read_connection(self._context.engine) as connection:
            return reads.links_where(connection, condition, self._pinned)

    def _active(self, type: str, source: str, target: str) -> LinkView:
        with read_connection(self._context.engine) as connection:
            row, _ = _active_row(connection, type, source, target)
            (view,) = reads.links_where(connection, link.c.id == row["id"], self._pinned)
            return view


def _stamp(link_id: int, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "link_id": link_id,
        "target_version": row["target_version"],
        "target_fingerprint": row["target_fingerprint"],
        "at": row["created_at"],
        "by": row["created_by"],
    }


@dataclass(frozen=True)
class Removal:
    """An active link to remove, as its audit event names it."""

    id: int
    type: str
    source: str
    target: str
    target_fingerprint: str


def remove_links(
    connection: Connection,
    actor: str,
    items: Sequence[Removal],
    reason: str,
    now: dt.datetime,
) -> list[NewEvent]:
    """Mark `items` removed in the caller's transaction (permission already checked); returns
    the audit events to append. Links are never deleted."""
    events = []
    for item in items:
        connection.execute(
            link.update()
            .where(link.c.id == item.id, link.c.removed_at.is_(None))
            .values(removed_at=now, removed_by=actor)
        )
        events.append(
            NewEvent(
                actor=actor,
                action="link.remove",
                subject=item.source,
                related=item.target,
                reason=reason,
                before=item.target_fingerprint,
                payload={"type": item.type, "link": item.id},
            )
        )
    return events


def _records_by_key(connection: Connection, keys: set[str]) -> dict[str, RowMapping]:
    """id, kind, latest version and its fingerprint for each key that exists."""
    found: dict[str, RowMapping] = {}
    ordered = sorted(keys)
    for start in range(0, len(ordered), 500):
        query = (
            sa.select(
                record.c.id,
                record.c.key,
                record.c.kind,
                record.c.latest_version,
                version.c.fingerprint,
            )
            .join(
                version,
                sa.and_(
                    version.c.record_id == record.c.id, version.c.number == record.c.latest_version
                ),
            )
            .where(record.c.key.in_(ordered[start : start + 500]))
        )
        found.update({row["key"]: row for row in connection.execute(query).mappings()})
    return found


def _refuse_existing(
    connection: Connection, rows: list[dict[str, object]], ends: dict[str, RowMapping]
) -> None:
    if not rows:
        return
    ids = sorted({int(str(row["source_id"])) for row in rows})
    existing: set[tuple[object, ...]] = set()
    for start in range(0, len(ids), 500):
        existing.update(
            tuple(row)
            for row in connection.execute(
                sa.select(link.c.type, link.c.source_id, link.c.target_id).where(
                    link.c.source_id.in_(ids[start : start + 500]), link.c.removed_at.is_(None)
                )
            ).all()
        )
    keys = {row["id"]: key for key, row in ends.items()}
    for row in rows:
        if (row["type"], row["source_id"], row["target_id"]) in existing:
            raise Conflict(
                f"link {keys[row['source_id']]} {row['type']} "
                f"{keys[row['target_id']]} already exists"
            )


def _active_row(
    connection: Connection, type: str, source: str, target: str
) -> tuple[RowMapping, str]:
    source_row = record.alias("s")
    target_row = record.alias("t")
    row = (
        connection.execute(
            sa.select(link, source_row.c.kind.label("source_kind"))
            .join(source_row, source_row.c.id == link.c.source_id)
            .join(target_row, target_row.c.id == link.c.target_id)
            .where(
                link.c.type == type,
                source_row.c.key == source,
                target_row.c.key == target,
                link.c.removed_at.is_(None),
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"no link {source} {type} {target}")
    return row, row["source_kind"]


def write_links(
    connection: Connection,
    context: SpineContext,
    actor: str,
    items: Sequence[NewLink],
    reason: str = "",
) -> int:
    """Check and write `items` inside the caller's transaction (see LinkService.link_many),
    so a service can make a record and its links as one audited write."""
    profile = context.profile
    now = context.clock()
    ends = _records_by_key(connection, {k for i in items for k in (i.source, i.target)})
    rows, events, seen = [], [], set()
    for index, item in enumerate(items):
        where = f"link {item.source} {item.type} {item.target}"
        if len(items) > 1:
            where += f" (item {index + 1})"
        spec = profile.links.get(item.type)
        if spec is None:
            raise InvalidInput(f"{where}: unknown link type '{item.type}'")
        for key in (item.source, item.target):
            if key not in ends:
                raise NotFound(f"{where}: no record {key}")
        source, target = ends[item.source], ends[item.target]
        if source["id"] == target["id"]:
            raise InvalidInput(f"{where}: a record cannot link to itself")
        if not spec.allows(source["kind"], target["kind"]):
            raise InvalidInput(
                f"{where}: '{item.type}' goes from {', '.join(spec.from_)} to "
                f"{', '.join(spec.to)}; not from {source['kind']} to {target['kind']}"
            )
        if (item.type, source["id"], target["id"]) in seen:
            raise Conflict(f"{where}: listed twice")
        seen.add((item.type, source["id"], target["id"]))
        rows.append(
            {
                "type": item.type,
                "source_id": source["id"],
                "target_id": target["id"],
                "target_version": target["latest_version"],
                "target_fingerprint": target["fingerprint"],
                "created_at": now,
                "created_by": actor,
                "reason": reason,
            }
        )
        events.append(
            NewEvent(
                actor=actor,
                action="link.create",
                subject=item.source,
                related=item.target,
                reason=reason,
                after=target["fingerprint"],
                version=target["latest_version"],
                payload={"type": item.type, "source": item.source, "target": item.target},
            )
        )
    for kind in sorted({ends[i.source]["kind"] for i in items}):
        require(connection, context, actor, "write", kind)
    _refuse_existing(connection, rows, ends)
    if rows:
        made = connection.execute(
            link.insert().returning(link.c.id, sort_by_parameter_order=True), rows
        ).scalars()
        connection.execute(
            link_stamp.insert(),
            [_stamp(link_id, row) for link_id, row in zip(made, rows, strict=True)],
        )
    append(connection, now, events)
    return len(rows)
