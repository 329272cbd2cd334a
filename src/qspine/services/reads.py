"""Read queries shared by services: a record with its surroundings, lists, links, history."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qspine.model.asof import stamp
from qspine.model.errors import InvalidInput, NotFound
from qspine.model.fingerprint import content_fingerprint
from qspine.model.links import LinkView, is_suspect
from qspine.model.profile import Profile
from qspine.model.records import RecordSummary, RecordView, TransitionView, VersionView
from qspine.model.signatures import SignatureView
from qspine.services import history
from qspine.services.audit import signature_is_valid
from qspine.services.lifecycle import load_record
from qspine.store.schema import link, record, signature, transition, version

_source = record.alias("source")
_target = record.alias("target")


def record_view(connection: Connection, profile: Profile, key: str) -> RecordView:
    row = load_record(connection, key)
    versions = _versions(connection, row["id"])
    current = versions[-1]
    lifecycle = profile.lifecycle_of(row["kind"])
    links = _link_views(
        connection.execute(_LINKS_OF_RECORD, {"rid": row["id"]}).mappings(),
        profile.pinned_link_types,
    )
    return RecordView(
        key=row["key"],
        kind=row["kind"],
        title=row["title"],
        created_at=row["created_at"],
        created_by=row["created_by"],
        version=current,
        latest_version=row["latest_version"],
        released_version=row["released_version"],
        links_out=[x for x in links if x.source == key],
        links_in=[x for x in links if x.target == key],
        signatures=signatures_of(connection, profile, row["id"], key),
        transitions=transitions_of(connection, row["id"]),
        next_transitions=[
            {
                "to": t.to,
                "signature": t.signature,
                "separation_of_duties": t.separation_of_duties,
                "title": t.title,
            }
            for t in lifecycle.next_states(current.status)
        ],
    )


def record_view_at(
    connection: Connection, profile: Profile, key: str, at: dt.datetime
) -> RecordView:
    """The record as it stood at `at`: the version current then with the status it had,
    the links that existed with the stamps they carried, signatures and transitions so far."""
    row = load_record(connection, key)
    if row["created_at"] > at:
        raise NotFound(f"{key} did not exist yet at {stamp(at)}")
    moves = [t for t in transitions_of(connection, row["id"]) if t.at <= at]
    status_then = {t.version: t.to_status for t in moves}
    versions = [
        dataclasses.replace(v, status=status_then.get(v.number, v.status))
        for v in _versions(connection, row["id"])
        if v.created_at <= at
    ]
    current = versions[-1]
    state = history.states(connection, profile, [row["id"]], at)[row["id"]]
    links = _links_at(connection, profile, row["id"], at)
    return RecordView(
        key=row["key"],
        kind=row["kind"],
        title=state.title,
        created_at=row["created_at"],
        created_by=row["created_by"],
        version=current,
        latest_version=current.number,
        released_version=state.released_version,
        links_out=[x for x in links if x.source == key],
        links_in=[x for x in links if x.target == key],
        signatures=[s for s in signatures_of(connection, profile, row["id"], key) if s.at <= at],
        transitions=moves,
        as_of=at,
    )


def _links_at(
    connection: Connection, profile: Profile, record_id: int, at: dt.datetime
) -> list[LinkView]:
    rows = (
        connection.execute(
            _LINKS.where(
                sa.or_(link.c.source_id == record_id, link.c.target_id == record_id),
                history.link_active(at),
            )
        )
        .mappings()
        .all()
    )
    stamped = history.stamps(connection, [r["id"] for r in rows], at)
    ends = history.states(connection, profile, {r["target_id"] for r in rows}, at)
    pinned = profile.pinned_link_types
    views = []
    for r in rows:
        number, fingerprint = stamped.get(r["id"], (r["target_version"], r["target_fingerprint"]))
        released = ends[r["target_id"]].released_version if r["target_id"] in ends else None
        views.append(
            LinkView(
                id=r["id"],
                type=r["type"],
                source=r["source_key"],
                target=r["target_key"],
                target_version=number,
                target_fingerprint=fingerprint,
                created_at=r["created_at"],
                created_by=r["created_by"],
                suspect=r["type"] not in pinned and is_suspect(number, released),
                target_released_version=released,
            )
        )
    return views


def versions_of(connection: Connection, key: str) -> list[VersionView]:
    return _versions(connection, load_record(connection, key)["id"])


def _versions(connection: Connection, record_id: int) -> list[VersionView]:
    rows = connection.execute(_VERSIONS, {"rid": record_id}).mappings()
    return [
        VersionView(
            v["number"],
            v["fields"],
            v["fingerprint"],
            v["status"],
            v["author"],
            v["created_at"],
            v["reason"],
        )
        for v in rows
    ]


def suspect_condition(target: Any, pinned: frozenset[str]) -> Any:
    """SQL: an active link whose `target` (a record alias) has a newer released version."""
    return sa.and_(
        link.c.removed_at.is_(None),
        target.c.released_version > link.c.target_version,
        link.c.type.notin_(sorted(pinned)),
    )


_LINKS = (
    sa.select(
        link,
        _source.c.key.label("source_key"),
        _target.c.key.label("target_key"),
        _target.c.released_version.label("released"),
    )
    .join(_source, _source.c.id == link.c.source_id)
    .join(_target, _target.c.id == link.c.target_id)
    .order_by(link.c.type, link.c.id)
)
_LINKS_OF_RECORD = _LINKS.where(
    sa.or_(link.c.source_id == sa.bindparam("rid"), link.c.target_id == sa.bindparam("rid")),
    link.c.removed_at.is_(None),
)


def links_where(
    connection: Connection,
    condition: Any,
    pinned: frozenset[str],
    include_removed: bool = False,
) -> list[LinkView]:
    """Links matching `condition`; links of `pinned` types are never marked suspect."""
    query = _LINKS.where(condition)
    if not include_removed:
        query = query.where(link.c.removed_at.is_(None))
    return _link_views(connection.execute(query).mappings(), pinned)


def _link_views(rows: Any, pinned: frozenset[str]) -> list[LinkView]:
    return [
        LinkView(
            id=r["id"],
            type=r["type"],
            source=r["source_key"],
            target=r["target_key"],
            target_version=r["target_version"],
            target_fingerprint=r["target_fingerprint"],
            created_at=r["created_at"],
            created_by=r["created_by"],
            suspect=r["removed_at"] is None
            and r["type"] not in pinned
            and is_suspect(r["target_version"], r["released"]),
            target_released_version=r["released"],
            removed_at=r["removed_at"],
        )
        for r in rows
    ]


_SIGNATURES = (
    sa.select(signature, version.c.fields, record.c.kind)
    .join(record, record.c.id == signature.c.record_id)
    .join(
        version,
        sa.and_(
            version.c.record_id == signature.c.record_id,
            version.c.number == signature.c.version_number,
        ),
    )
    .where(signature.c.record_id == sa.bindparam("rid"))
    .order_by(signature.c.at, signature.c.id)
)
_TRANSITIONS = (
    sa.select(transition)
    .where(transition.c.record_id == sa.bindparam("rid"))
    .order_by(transition.c.at, transition.c.id)
)
_VERSIONS = (
    sa.select(version).where(version.c.record_id == sa.bindparam("rid")).order_by(version.c.number)
)


def signatures_of(
    connection: Connection, profile: Profile, record_id: int, key: str
) -> list[SignatureView]:
    rows = connection.execute(_SIGNATURES, {"rid": record_id}).mappings()
    views = []
    for r in rows:
        meaning = profile.meanings.get(r["meaning"])
        views.append(
            SignatureView(
                id=r["id"],
                key=key,
                version=r["version_number"],
                signer=r["signer"],
                printed_name=r["printed_name"],
                meaning=r["meaning"],
                meaning_title=meaning.title if meaning else r["meaning"],
                at=r["at"],
                reason=r["reason"],
                fingerprint=r["fingerprint"],
                valid=signature_is_valid(
                    {**r, "key": key}, content_fingerprint(r["kind"], key, r["fields"])
                ),
            )
        )
    return views


def transitions_of(connection: Connection, record_id: int) -> list[TransitionView]:
    rows = connection.execute(_TRANSITIONS, {"rid": record_id}).mappings()
    return [
        TransitionView(
            r["version_number"],
            r["from_status"],
            r["to_status"],
            r["at"],
            r["by"],
            r["reason"],
            r["signature_id"],
        )
        for r in rows
    ]


def record_list(
    connection: Connection,
    kind: str | None,
    status: str | None,
    text: str | None,
    where: dict[str, str],
    limit: int,
    offset: int,
) -> tuple[int, list[RecordSummary]]:
    """Records matching every filter, newest first; also the total count for paging."""
    if limit < 1 or limit > 10_000 or not 0 <= offset <= 100_000_000:
        raise InvalidInput("limit is 1..10000 and offset 0..100000000")
    query = sa.select(
        record.c.key,
        record.c.kind,
        record.c.title,
        record.c.status,
        record.c.latest_version,
        record.c.updated_at,
    )
    conditions = []
    if kind is not None:
        conditions.append(record.c.kind == kind)
    if status is not None:
        conditions.append(record.c.status == status)
    if text or where:
        query = query.join(
            version,
            sa.and_(
                version.c.record_id == record.c.id, version.c.number == record.c.latest_version
            ),
        )
    if text:
        pattern = f"%{text}%"
        conditions.append(
            sa.or_(
                record.c.key.ilike(pattern),
                record.c.title.ilike(pattern),
                sa.cast(version.c.fields, sa.Text).ilike(pattern),
            )
        )
    for name, value in where.items():
        conditions.append(version.c.fields[name].as_string() == value)
    query = query.where(*conditions)
    total = connection.execute(
        sa.select(sa.func.count()).select_from(query.subquery())
    ).scalar_one()
    rows = connection.execute(query.order_by(record.c.id.desc()).limit(limit).offset(offset))
    return int(total), [
        RecordSummary(r.key, r.kind, r.title, r.status, r.latest_version, r.updated_at)
        for r in rows
    ]


@dataclasses.dataclass(frozen=True)
class KindRow:
    """One record of a kind with one version's fields (its latest, or its released one)."""

    key: str
    title: str
    status: str
    released: int | None
    number: int
    fields: dict[str, Any]
    author: str
    created_at: dt.datetime


def kind_records(
    connection: Connection, kind: str, released: bool = False, keys: set[str] | None = None
) -> list[KindRow]:
    """Every record of `kind` (or those named in `keys`) in creation order, with the fields
    of its latest version, or of its released version (records never released left out):
    one query, for the workflow reads that scan a kind."""
    number = record.c.released_version if released else record.c.latest_version
    query = (
        sa.select(
            record.c.key,
            record.c.title,
            record.c.status,
            record.c.released_version,
            version.c.number,
            version.c.fields,
            version.c.author,
            version.c.created_at,
        )
        .join(version, sa.and_(version.c.record_id == record.c.id, version.c.number == number))
        .where(record.c.kind == kind)
        .order_by(record.c.id)
    )
    if keys is not None:
        query = query.where(record.c.key.in_(sorted(keys)))
    return [KindRow(*row) for row in connection.execute(query)]
