"""The offline vulnerability database's tables: write an import incrementally, read the
advisories that name given packages, count what is held."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qspine.formats.osv import OsvFile, OsvRecord
from qspine.model.advisories import osv_time, severity_of, unreadable_versions
from qspine.model.errors import InvalidInput
from qspine.model.fingerprint import canonical_json, sha256_hex
from qspine.model.vulnerability_match import affected_packages
from qspine.store.schema import advisory, advisory_alias, advisory_package

_CHUNK = 500


@dataclass(frozen=True)
class PreparedAdvisory:
    """One OSV record as the advisory table holds it, with the packages and ids it names."""

    osv_id: str
    path: str
    row: dict[str, Any]
    packages: frozenset[tuple[str, str]]
    ids: frozenset[str]
    unreadable: frozenset[tuple[str, str]] = frozenset()
    """(advisory, version) range versions its ecosystem cannot read: those never match."""


def prepare(file: OsvFile, source: str, now: dt.datetime) -> PreparedAdvisory:
    """The rows for one record; InvalidInput naming the file when a timestamp is not one."""
    record = file.record
    content = record.model_dump(mode="json", exclude_unset=True)
    times = {}
    for name in ("modified", "published", "withdrawn"):
        try:
            times[name] = osv_time(getattr(record, name))
        except ValueError:
            raise InvalidInput(
                f"{file.path}: not an OSV record: {name}: '{getattr(record, name)}' is not an "
                "RFC 3339 time"
            ) from None
    _check_lengths(file)
    severity = severity_of(
        [item.model_dump() for item in record.severity], record.database_specific
    )
    entries = affected_packages(record.id, record.affected)
    return PreparedAdvisory(
        osv_id=record.id,
        path=file.path,
        row={
            "osv_id": record.id,
            "source": source,
            **times,
            "aliases": list(record.aliases),
            "summary": record.summary or record.details.split("\n", 1)[0][:500],
            "severity": severity.rating,
            "digest": sha256_hex(canonical_json(content)),
            "record": content,
            "imported_at": now,
        },
        packages=frozenset(entry.key for entry in entries),
        ids=frozenset({record.id, *record.aliases}),
        unreadable=frozenset(unreadable_versions(entries)),
    )


_ID_LENGTH = 128
"""The longest id or alias the advisory tables hold (advisory.osv_id, advisory_alias.alias)."""


def _check_lengths(file: OsvFile) -> None:
    """InvalidInput naming the file and field for an id the tables cannot hold (PostgreSQL
    would refuse the whole import without saying which record; SQLite would keep it)."""
    for where, value in (("id", file.record.id), *(("aliases", a) for a in file.record.aliases)):
        if len(value) > _ID_LENGTH:
            raise InvalidInput(
                f"{file.path}: not an OSV record: {where}: '{value[:40]}…' is longer than "
                f"{_ID_LENGTH} characters"
            )


@dataclass(frozen=True)
class Stored:
    id: int
    modified: dt.datetime | None
    digest: str


def stored(connection: Connection) -> dict[str, Stored]:
    """Every advisory held: osv id -> (row id, modified, digest)."""
    rows = connection.execute(
        sa.select(advisory.c.osv_id, advisory.c.id, advisory.c.modified, advisory.c.digest)
    )
    return {osv_id: Stored(id_, modified, digest) for osv_id, id_, modified, digest in rows}


def insert(connection: Connection, items: Sequence[PreparedAdvisory]) -> None:
    for start in range(0, len(items), _CHUNK):
        chunk = items[start : start + _CHUNK]
        ids = connection.execute(
            advisory.insert().returning(advisory.c.id, sort_by_parameter_order=True),
            [item.row for item in chunk],
        ).scalars()
        _write_names(connection, list(zip(ids, chunk, strict=True)))


def update(connection: Connection, items: Sequence[tuple[int, PreparedAdvisory]]) -> None:
    """Replace changed advisories in place (same row id), with their packages and ids."""
    for start in range(0, len(items), _CHUNK):
        chunk = items[start : start + _CHUNK]
        row_ids = [row_id for row_id, _ in chunk]
        connection.execute(
            advisory_package.delete().where(advisory_package.c.advisory_id.in_(row_ids))
        )
        connection.execute(advisory_alias.delete().where(advisory_alias.c.advisory_id.in_(row_ids)))
        connection.execute(
            advisory.update().where(advisory.c.id == sa.bindparam("row_id")),
            [
                {"row_id": row_id, **{k: v for k, v in item.row.items() if k != "osv_id"}}
                for row_id, item in chunk
            ],
        )
        _write_names(connection, chunk)


def _write_names(connection: Connection, items: Iterable[tuple[int, PreparedAdvisory]]) -> None:
    packages, aliases = [], []
    for row_id, item in items:
        packages += [
            {"advisory_id": row_id, "ecosystem": ecosystem, "name": name}
            for ecosystem, name in sorted(item.packages)
        ]
        aliases += [{"advisory_id": row_id, "alias": alias} for alias in sorted(item.ids)]
    if packages:
        connection.execute(advisory_package.insert(), packages)
    if aliases:
        connection.execute(advisory_alias.insert(), aliases)


@dataclass(frozen=True)
class Advisory:
    """A stored advisory as matching and the vulnerability records read it."""

    osv_id: str
    source: str
    modified: dt.datetime | None
    withdrawn: dt.datetime | None
    aliases: tuple[str, ...]
    severity: str
    content: dict[str, Any]
    """The record as stored (JSON)."""

    @property
    def ids(self) -> frozenset[str]:
        return frozenset({self.osv_id, *self.aliases})

    @functools.cached_property
    def record(self) -> OsvRecord:
        """The whole record, read when a vulnerability is made from it (matching needs only
        its `affected` list: `affected_from_json`)."""
        return OsvRecord.model_validate(self.content)


def naming(connection: Connection, packages: Iterable[tuple[str, str]]) -> list[Advisory]:
    """The advisories naming any of `packages` ((ecosystem, name) as matching compares them),
    withdrawn ones included, in id order."""
    by_ecosystem: dict[str, list[str]] = defaultdict(list)
    for ecosystem, name in sorted(set(packages)):
        by_ecosystem[ecosystem].append(name)
    row_ids: set[int] = set()
    for ecosystem, names in by_ecosystem.items():
        for start in range(0, len(names), _CHUNK):
            row_ids.update(
                connection.execute(
                    sa.select(advisory_package.c.advisory_id).where(
                        advisory_package.c.ecosystem == ecosystem,
                        advisory_package.c.name.in_(names[start : start + _CHUNK]),
                    )
                ).scalars()
            )
    return _load(connection, advisory.c.id, sorted(row_ids))


def by_ids(connection: Connection, ids: Iterable[str]) -> list[Advisory]:
    """The advisories that go by any of `ids` (their own id or an alias)."""
    wanted = sorted(set(ids))
    row_ids: set[int] = set()
    for start in range(0, len(wanted), _CHUNK):
        row_ids.update(
            connection.execute(
                sa.select(advisory_alias.c.advisory_id).where(
                    advisory_alias.c.alias.in_(wanted[start : start + _CHUNK])
                )
            ).scalars()
        )
    return _load(connection, advisory.c.id, sorted(row_ids))


def modified_times(
    connection: Connection, ids: Iterable[str]
) -> list[tuple[frozenset[str], dt.datetime]]:
    """(ids, modified) of every advisory not withdrawn that goes by any of `ids`: the
    advisory times behind a vulnerability, without reading the records."""
    wanted = sorted(set(ids))
    found: dict[str, tuple[frozenset[str], dt.datetime]] = {}
    for start in range(0, len(wanted), _CHUNK):
        named = sa.select(advisory_alias.c.advisory_id).where(
            advisory_alias.c.alias.in_(wanted[start : start + _CHUNK])
        )
        rows = connection.execute(
            sa.select(advisory.c.osv_id, advisory.c.aliases, advisory.c.modified).where(
                advisory.c.id.in_(named),
                advisory.c.withdrawn.is_(None),
                advisory.c.modified.is_not(None),
            )
        )
        for osv_id, aliases, modified in rows:
            found[osv_id] = (frozenset({osv_id, *aliases}), modified)
    return [found[osv_id] for osv_id in sorted(found)]


def _load(connection: Connection, column: Any, values: list[Any]) -> list[Advisory]:
    found = []
    for start in range(0, len(values), _CHUNK):
        rows = connection.execute(
            sa.select(
                advisory.c.osv_id,
                advisory.c.source,
                advisory.c.modified,
                advisory.c.withdrawn,
                advisory.c.aliases,
                advisory.c.severity,
                advisory.c.record,
            )
            .where(column.in_(values[start : start + _CHUNK]))
            .order_by(advisory.c.id)
        )
        found += [
            Advisory(
                osv_id,
                source,
                modified,
                withdrawn,
                tuple(aliases),
                severity,
                record,
            )
            for osv_id, source, modified, withdrawn, aliases, severity, record in rows
        ]
    return found


@dataclass(frozen=True)
class EcosystemCount:
    ecosystem: str
    advisories: int
    packages: int


@dataclass(frozen=True)
class SourceCount:
    source: str
    advisories: int
    withdrawn: int
    newest_modified: dt.datetime | None
    last_imported: dt.datetime | None


def ecosystem_counts(connection: Connection) -> list[EcosystemCount]:
    rows = connection.execute(
        sa.select(
            advisory_package.c.ecosystem,
            sa.func.count(sa.distinct(advisory_package.c.advisory_id)),
            sa.func.count(sa.distinct(advisory_package.c.name)),
        )
        .group_by(advisory_package.c.ecosystem)
        .order_by(advisory_package.c.ecosystem)
    )
    return [EcosystemCount(e, int(a), int(p)) for e, a, p in rows]


def source_counts(connection: Connection) -> list[SourceCount]:
    rows = connection.execute(
        sa.select(
            advisory.c.source,
            sa.func.count(),
            sa.func.count(advisory.c.withdrawn),
            sa.func.max(advisory.c.modified),
            sa.func.max(advisory.c.imported_at),
        )
        .group_by(advisory.c.source)
        .order_by(advisory.c.source)
    )
    return [SourceCount(s, int(n), int(w), m, i) for s, n, w, m, i in rows]
