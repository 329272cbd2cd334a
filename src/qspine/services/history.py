"""Record and link state now, or rebuilt as of a past instant.

Nothing in the spine is overwritten without a trace: versions are immutable and dated,
every status change is a dated transition, a removed link keeps its row with `removed_at`,
and every review stamp a link carried is a dated `link_stamp` row. So the state at any past
instant T is a query over those: the highest version created by T, the last transition of
that version by T, the last release by T, links made by T and not removed by T, each with its
last stamp by T. Read views take `at=None` for now (the derived columns, no reconstruction).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qspine.model.profile import Profile
from qspine.model.records import RecordState
from qspine.store.engine import fetch_literal
from qspine.store.schema import link, link_stamp, record, transition, version

CHUNK = 500


def chunks(ids: Iterable[int], size: int = CHUNK) -> list[list[int]]:
    ordered = sorted(ids)
    return [ordered[start : start + size] for start in range(0, len(ordered), size)]


def link_active(at: dt.datetime | None) -> Any:
    """SQL: the link existed (made and not yet removed) at `at`, or now."""
    if at is None:
        return link.c.removed_at.is_(None)
    return sa.and_(
        link.c.created_at <= at,
        sa.or_(link.c.removed_at.is_(None), link.c.removed_at > at),
    )


def states(
    connection: Connection, profile: Profile, ids: Iterable[int], at: dt.datetime | None
) -> dict[int, RecordState]:
    """record id -> its state now or at `at` (records that did not exist yet are left out)."""
    found: dict[int, RecordState] = {}
    for chunk in chunks(ids):
        if at is None:  # the hot path of every trace: literal ids, rows from the driver
            found.update(_now(connection, f"id IN ({','.join(map(str, chunk))})"))
        else:
            found.update(_rebuilt(connection, profile, record.c.id.in_(chunk), at))
    return found


def kind_states(
    connection: Connection, profile: Profile, kind: str, at: dt.datetime | None
) -> dict[int, RecordState]:
    """Every record of `kind` (as it stood at `at`), in creation order."""
    if at is None:
        return _now(connection, f"kind = {quoted([kind])}")
    return _rebuilt(connection, profile, record.c.kind == kind, at)


def quoted(names: Iterable[str]) -> str:
    """Profile names (kinds, link types: checked against the profile) as SQL string literals."""
    return ",".join("'" + name.replace("'", "''") + "'" for name in sorted(names))


def kind_rows(connection: Connection, kind: str) -> list[tuple[Any, ...]]:
    """Every record of `kind` now, as rows in RecordState's field order (no objects made)."""
    return _now_rows(connection, f"kind = {quoted([kind])}")


def _now(connection: Connection, where: str) -> dict[int, RecordState]:
    return {row[0]: RecordState(*row) for row in _now_rows(connection, where)}


def _now_rows(connection: Connection, where: str) -> list[tuple[Any, ...]]:
    """Current states from the record table's derived columns, read from the driver."""
    return fetch_literal(
        connection,
        "SELECT id, key, kind, title, status, latest_version, released_version "
        f"FROM record WHERE {where} ORDER BY id",
    )


def stamps(
    connection: Connection, link_ids: Iterable[int], at: dt.datetime
) -> dict[int, tuple[int, str]]:
    """link id -> (target version, fingerprint) of the last review stamp made by `at`."""
    found: dict[int, tuple[int, str]] = {}
    for chunk in chunks(link_ids):
        found.update(_stamps(connection, link_stamp.c.link_id.in_(chunk), at))
    return found


def stamps_of_type(
    connection: Connection, link_type: str, at: dt.datetime
) -> dict[int, tuple[int, str]]:
    """As `stamps`, for every link of one type (a matrix column)."""
    owned = sa.select(link.c.id).where(link.c.type == link_type)
    return _stamps(connection, link_stamp.c.link_id.in_(owned), at)


def _stamps(connection: Connection, scope: Any, at: dt.datetime) -> dict[int, tuple[int, str]]:
    rows = connection.execute(
        sa.select(
            link_stamp.c.link_id, link_stamp.c.target_version, link_stamp.c.target_fingerprint
        )
        .where(scope, link_stamp.c.at <= at)
        .order_by(link_stamp.c.at, link_stamp.c.id)
    )
    return {link_id: (number, fingerprint) for link_id, number, fingerprint in rows}


def _rebuilt(
    connection: Connection, profile: Profile, scope: Any, at: dt.datetime
) -> dict[int, RecordState]:
    latest = (
        sa.select(version.c.record_id, sa.func.max(version.c.number).label("number"))
        .join(record, record.c.id == version.c.record_id)
        .where(scope, version.c.created_at <= at)
        .group_by(version.c.record_id)
        .subquery()
    )
    current = connection.execute(
        sa.select(record.c.id, record.c.key, record.c.kind, version.c.number)
        .add_columns(title_column(profile))
        .join(latest, latest.c.record_id == record.c.id)
        .join(
            version,
            sa.and_(version.c.record_id == record.c.id, version.c.number == latest.c.number),
        )
        .order_by(record.c.id)
    ).all()
    status: dict[tuple[int, int], str] = {}
    released: dict[int, int] = {}
    kinds = {row_id: kind for row_id, _, kind, _, _ in current}
    moves = connection.execute(
        sa.select(transition.c.record_id, transition.c.version_number, transition.c.to_status)
        .join(record, record.c.id == transition.c.record_id)
        .where(scope, transition.c.at <= at)
        .order_by(transition.c.at, transition.c.id)
    )
    for row_id, number, to_status in moves:
        status[(row_id, number)] = to_status
        kind = kinds.get(row_id)
        if kind is not None and to_status in profile.lifecycle_of(kind).released_states:
            released[row_id] = number
    found = {}
    for row_id, key, kind, number, content in current:
        title = title_of(profile, kind, content)
        state = status.get((row_id, number), profile.lifecycle_of(kind).initial)
        found[row_id] = RecordState(row_id, key, kind, title, state, number, released.get(row_id))
    return found


def title_column(profile: Profile) -> Any:
    """SQL for a version's title: the JSON field itself when every kind titles records by
    the same field (no need to load whole contents), else the whole fields (see title_of)."""
    names = {kind.title_field for kind in profile.kinds.values()}
    if len(names) == 1:
        return version.c.fields[names.pop()].as_string()
    return version.c.fields


def title_of(profile: Profile, kind: str, content: Any) -> str:
    """The title from what `title_column` selected."""
    if isinstance(content, dict):
        return str(content.get(profile.kinds[kind].title_field, ""))
    return "" if content is None else str(content)
