"""What the SBOM service reads: a release's components at the versions it contains, its fields,
the product's previous release, dependency edges, and the links made against older versions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from qspine.model.sbom_diff import SuspectLink, package_identity
from qspine.services.context import SpineContext
from qspine.services.lifecycle import load_record_of
from qspine.store.schema import link, record, version


@dataclass(frozen=True)
class Contained:
    """A component a release contains, at the version the contains link pins."""

    id: int
    key: str
    number: int  # pinned version
    latest: int
    status: str
    fields: dict[str, Any]
    link_id: int
    link_fingerprint: str

    @property
    def package(self) -> str:
        return str(self.fields.get("package") or identity_of(self.fields))

    @property
    def version(self) -> str:
        return str(self.fields.get("version", ""))


def contained(connection: Connection, release: str) -> list[Contained]:
    """The components `release` contains, each at its pinned version, in key order."""
    source = record.alias("r")
    rows = connection.execute(
        sa.select(
            record.c.id,
            record.c.key,
            record.c.latest_version,
            record.c.status,
            version.c.number,
            version.c.fields,
            link.c.id.label("link_id"),
            link.c.target_fingerprint,
        )
        .select_from(link)
        .join(source, source.c.id == link.c.source_id)
        .join(record, record.c.id == link.c.target_id)
        .join(
            version,
            sa.and_(version.c.record_id == record.c.id, version.c.number == link.c.target_version),
        )
        .where(
            source.c.key == release,
            link.c.type == "contains",
            link.c.removed_at.is_(None),
            record.c.kind == "sbom_component",
        )
        .order_by(record.c.id)
    ).mappings()
    return [
        Contained(
            r["id"],
            r["key"],
            r["number"],
            r["latest_version"],
            r["status"],
            r["fields"],
            r["link_id"],
            r["target_fingerprint"],
        )
        for r in rows
    ]


def row_fields(connection: Connection, row: RowMapping) -> dict[str, Any]:
    fields = connection.execute(
        sa.select(version.c.fields).where(
            version.c.record_id == row["id"], version.c.number == row["latest_version"]
        )
    ).scalar_one()
    return dict(fields)


def dependency_edges(connection: Connection, ids: list[int]) -> dict[int, list[int]]:
    """depends_on targets of each of `ids`."""
    found: dict[int, list[int]] = {}
    for start in range(0, len(ids), 500):
        for source, target in connection.execute(
            sa.select(link.c.source_id, link.c.target_id)
            .where(
                link.c.type == "depends_on",
                link.c.removed_at.is_(None),
                link.c.source_id.in_(ids[start : start + 500]),
            )
            .order_by(link.c.id)
        ):
            found.setdefault(source, []).append(target)
    return found


def release_row(connection: Connection, key: str) -> RowMapping:
    return load_record_of(connection, key, "release")


def previous_release(connection: Connection, row: RowMapping) -> str | None:
    """The latest other release of the same product (field `product`) that has components."""
    product = row_fields(connection, row).get("product")
    releases = connection.execute(
        sa.select(record.c.id, record.c.key, record.c.latest_version)
        .where(
            record.c.kind == "release",
            record.c.id != row["id"],
            record.c.id < row["id"],
            sa.exists().where(
                link.c.source_id == record.c.id,
                link.c.type == "contains",
                link.c.removed_at.is_(None),
            ),
        )
        .order_by(record.c.id.desc())
    ).mappings()
    for other in releases:
        if row_fields(connection, other).get("product") == product:
            return str(other["key"])
    return None


def identity_of(fields: dict[str, Any]) -> str:
    return package_identity(
        str(fields.get("purl", "")), str(fields.get("group", "")), str(fields.get("name", ""))
    )


def latest_fields(connection: Connection, record_id: int) -> dict[str, Any]:
    row = connection.execute(
        sa.select(version.c.fields)
        .join(
            record,
            sa.and_(
                record.c.id == version.c.record_id, record.c.latest_version == version.c.number
            ),
        )
        .where(record.c.id == record_id)
    ).scalar_one()
    return dict(row)


def record_status(connection: Connection, record_id: int) -> str:
    return str(
        connection.execute(sa.select(record.c.status).where(record.c.id == record_id)).scalar_one()
    )


def suspect_links(
    connection: Connection, context: SpineContext, keys: Sequence[str]
) -> list[SuspectLink]:
    """Links made against an older version of the revised components, now suspect."""
    if not keys:
        return []
    source, target = record.alias("s"), record.alias("t")
    pinned = sorted(context.profile.pinned_link_types)
    rows = connection.execute(
        sa.select(link.c.type, source.c.key, target.c.key.label("target"), link.c.target_version)
        .join(source, source.c.id == link.c.source_id)
        .join(target, target.c.id == link.c.target_id)
        .where(
            target.c.key.in_(list(keys)),
            link.c.removed_at.is_(None),
            link.c.type.notin_(pinned),
            target.c.released_version > link.c.target_version,
        )
        .order_by(link.c.id)
    )
    return [SuspectLink(t, s, g, v) for t, s, g, v in rows]
