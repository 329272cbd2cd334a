"""Reads the vulnerability match writes from: vulnerability records with their ids, active
affects links with the version each pins, and components' current versions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qspine.services.context import SpineContext
from qspine.store.schema import link, record, version


@dataclass(frozen=True)
class Held:
    """A vulnerability record as it stands."""

    key: str
    terminal: bool
    fields: dict[str, Any]

    @property
    def ids(self) -> set[str]:
        return {str(self.fields.get("identifier", "")), *self.fields.get("aliases", [])}


@dataclass(frozen=True)
class Affects:
    """An active affects link and the target version it pins."""

    id: int
    source: str
    target: str
    pinned: str
    fingerprint: str


@dataclass(frozen=True)
class Latest:
    key: str
    version: str
    known: tuple[str, ...]
    terminal: bool


def ids_of(connection: Connection, keys: list[str]) -> list[int]:
    found: list[int] = []
    ordered = sorted(set(keys))
    for start in range(0, len(ordered), 500):
        found += connection.execute(
            sa.select(record.c.id).where(record.c.key.in_(ordered[start : start + 500]))
        ).scalars()
    return found


def affects_links(connection: Connection, where: Any) -> list[Affects]:
    """Active affects links matching `where`, each with the `version` field of the version it
    pins (read in SQL: the version's other fields stay in the database)."""
    source, target = record.alias("s"), record.alias("t")
    rows = connection.execute(
        sa.select(
            link.c.id,
            source.c.key,
            target.c.key,
            version.c.fields["version"].as_string(),
            link.c.target_fingerprint,
        )
        .join(source, source.c.id == link.c.source_id)
        .join(target, target.c.id == link.c.target_id)
        .join(
            version,
            sa.and_(version.c.record_id == target.c.id, version.c.number == link.c.target_version),
        )
        .where(where, link.c.type == "affects", link.c.removed_at.is_(None))
        .order_by(link.c.id)
    )
    return [Affects(id_, s, t, pinned or "", fp) for id_, s, t, pinned, fp in rows]


def latest_components(
    connection: Connection, context: SpineContext, ids: set[int]
) -> dict[str, Latest]:
    lifecycle = context.profile.lifecycle_of("sbom_component")
    found: dict[str, Latest] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        rows = connection.execute(
            sa.select(record.c.key, record.c.status, version.c.fields)
            .join(
                version,
                sa.and_(
                    version.c.record_id == record.c.id,
                    version.c.number == record.c.latest_version,
                ),
            )
            .where(record.c.id.in_(ordered[start : start + 500]))
        )
        for key, status, fields in rows:
            found[key] = Latest(
                key,
                str(fields.get("version", "")),
                tuple(fields.get("known_vulnerabilities", [])),
                lifecycle.states[status].terminal,
            )
    return found


def vulnerabilities(connection: Connection, context: SpineContext) -> list[Held]:
    lifecycle = context.profile.lifecycle_of("vulnerability")
    rows = connection.execute(
        sa.select(record.c.key, record.c.status, version.c.fields)
        .join(
            version,
            sa.and_(
                version.c.record_id == record.c.id, version.c.number == record.c.latest_version
            ),
        )
        .where(record.c.kind == "vulnerability")
        .order_by(record.c.id)
    )
    return [Held(key, lifecycle.states[status].terminal, dict(f)) for key, status, f in rows]
