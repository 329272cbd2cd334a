"""What VEX import, export and the vulnerability list read: a release's vulnerabilities (those
whose `affects` links point at the release or at the version of a component it contains), the
component versions they were matched against, and the triage signatures on them.

A vulnerability belongs to a release when it affects the release itself, or affects one of its
components at the same component version (the version string) the release contains: the
`affects` link pins the component version the advisory was matched against, which may be a
later record version than the release's `contains` pin (a newly matched vulnerability is a new
component version), so record versions are not compared, package versions are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from qspine.model.errors import InvalidInput, NotFound
from qspine.services import reads
from qspine.services.lifecycle import load_record
from qspine.services.sbom_reads import Contained, contained
from qspine.store.schema import link, record, signature, version

VULNERABILITY = "vulnerability"
TRIAGED = "triaged"


@dataclass(frozen=True)
class Target:
    """What one `affects` link points at, with the target's fields at the pinned version."""

    vulnerability: str
    key: str
    kind: str
    fields: dict[str, Any]

    @property
    def version(self) -> str:
        return str(self.fields.get("version") or self.fields.get("version_label") or "")


@dataclass(frozen=True)
class Vulnerability:
    """A vulnerability record's latest version and what it affects."""

    key: str
    title: str
    status: str
    number: int
    fields: dict[str, Any]
    targets: tuple[Target, ...]

    @property
    def identifiers(self) -> tuple[str, ...]:
        return (str(self.fields.get("identifier", "")), *self.fields.get("aliases", ()))


@dataclass(frozen=True)
class ReleaseScope:
    """A release, the components it contains (at their pinned versions), and its
    vulnerabilities (each with only the targets that are in the release)."""

    key: str
    fields: dict[str, Any]
    components: tuple[Contained, ...]
    vulnerabilities: tuple[Vulnerability, ...]


@dataclass(frozen=True)
class TriageSignature:
    version: int
    signer: str
    printed_name: str
    at: dt.datetime


def release_row(connection: Connection, key: str) -> RowMapping:
    try:
        row = load_record(connection, key)
    except NotFound:
        raise NotFound(f"no release {key}") from None
    if row["kind"] != "release":
        raise InvalidInput(f"{key} is a {row['kind']}, not a release")
    return row


def release_scope(connection: Connection, key: str) -> ReleaseScope:
    row = release_row(connection, key)
    fields = _fields_at(connection, row["id"], row["latest_version"])
    components = tuple(contained(connection, key))
    pinned = {c.key: c.version for c in components}
    in_release = sa.or_(
        link.c.target_id == row["id"],
        link.c.target_id.in_(
            sa.select(link.c.target_id).where(
                link.c.source_id == row["id"],
                link.c.type == "contains",
                link.c.removed_at.is_(None),
            )
        ),
    )
    targets = [
        t
        for t in affected_targets(connection, in_release)
        if t.key == key or (t.key in pinned and t.version == pinned[t.key])
    ]
    return ReleaseScope(key, fields, components, tuple(vulnerabilities(connection, targets)))


def all_vulnerabilities(connection: Connection) -> list[Vulnerability]:
    targets = affected_targets(connection, sa.true())
    return vulnerabilities(connection, targets, everything=True)


def affected_targets(connection: Connection, condition: Any) -> list[Target]:
    """Active `affects` links matching `condition`, with each target's pinned fields."""
    source, target = record.alias("s"), record.alias("t")
    rows = connection.execute(
        sa.select(source.c.key, target.c.key, target.c.kind, version.c.fields)
        .select_from(link)
        .join(source, source.c.id == link.c.source_id)
        .join(target, target.c.id == link.c.target_id)
        .join(
            version,
            sa.and_(
                version.c.record_id == link.c.target_id,
                version.c.number == link.c.target_version,
            ),
        )
        .where(link.c.type == "affects", link.c.removed_at.is_(None), condition)
        .order_by(link.c.id)
    )
    return [Target(s, t, k, dict(f)) for s, t, k, f in rows]


def vulnerabilities(
    connection: Connection, targets: Iterable[Target], everything: bool = False
) -> list[Vulnerability]:
    """The vulnerability records named by `targets` (or every one, with `everything`), in
    creation order, each with its targets."""
    by_key: dict[str, list[Target]] = {}
    for item in targets:
        by_key.setdefault(item.vulnerability, []).append(item)
    if not by_key and not everything:
        return []
    rows = reads.kind_records(connection, VULNERABILITY, keys=None if everything else set(by_key))
    return [
        Vulnerability(
            r.key, r.title, r.status, r.number, dict(r.fields), tuple(by_key.get(r.key, ()))
        )
        for r in rows
    ]


def triage_signatures(connection: Connection, keys: Iterable[str]) -> dict[str, TriageSignature]:
    """The latest `triaged` signature of each record in `keys`."""
    wanted = sorted(set(keys))
    found: dict[str, TriageSignature] = {}
    for start in range(0, len(wanted), 500):
        rows = connection.execute(
            sa.select(
                record.c.key,
                signature.c.version_number,
                signature.c.signer,
                signature.c.printed_name,
                signature.c.at,
            )
            .join(record, record.c.id == signature.c.record_id)
            .where(
                record.c.key.in_(wanted[start : start + 500]),
                signature.c.meaning == TRIAGED,
            )
            .order_by(signature.c.at, signature.c.id)
        )
        for key, number, signer, printed_name, at in rows:
            found[key] = TriageSignature(number, signer, printed_name, at)
    return found


def _fields_at(connection: Connection, record_id: int, number: int) -> dict[str, Any]:
    fields = connection.execute(
        sa.select(version.c.fields).where(
            version.c.record_id == record_id, version.c.number == number
        )
    ).scalar_one()
    return dict(fields)
