"""The read side Python rules get (qspine.rules.facts.Facts), backed by the store: the spine
now from the derived columns, or rebuilt as of a past instant from versions, transitions,
links and review stamps. Reads are cached for the length of one check."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qspine.formats.document_text import read_document
from qspine.model.bulk import bulk_allocation
from qspine.model.errors import InvalidInput
from qspine.model.profile import Profile
from qspine.rules.facts import FactExecution, FactLink, FactRecord, TextLine
from qspine.services import history, reads
from qspine.store.blobs import BlobStore
from qspine.store.engine import fetch_literal
from qspine.store.schema import blob, link, record, transition, validation_execution, version

_T = TypeVar("_T")


def _memo(method: Callable[..., _T]) -> Callable[..., _T]:
    """Cache a method's answers on its instance (one SpineFacts lives for one check; a cache
    on the class would keep every check's records alive)."""
    name = f"_memo_{method.__name__}"

    @functools.wraps(method)
    def cached(self: Any, *args: Any, **kwargs: Any) -> _T:
        memo: dict[Any, _T] = self.__dict__.setdefault(name, {})
        key = (args, tuple(sorted(kwargs.items())))
        if key not in memo:
            memo[key] = method(self, *args, **kwargs)
        return memo[key]

    return cached


class SpineFacts:
    """Facts for one check, on one open read connection."""

    def __init__(
        self,
        connection: Connection,
        profile: Profile,
        blobs: BlobStore,
        today: dt.date,
        at: dt.datetime | None,
    ) -> None:
        self._connection = connection
        self._profile = profile
        self._blobs = blobs
        self._today = today
        self._at = at

    @property
    def profile(self) -> Profile:
        return self._profile

    @property
    def today(self) -> dt.date:
        return self._today

    @property
    def at(self) -> dt.datetime | None:
        return self._at

    @_memo
    def records(self, kind: str, released: bool = False) -> Sequence[FactRecord]:
        if self._at is None:
            return self._records_now(kind, released)
        states = history.kind_states(self._connection, self._profile, kind, self._at)
        wanted = {
            state.id: (state.released_version if released else state.version)
            for state in states.values()
        }
        contents = _contents(self._connection, {i: n for i, n in wanted.items() if n})
        return tuple(
            FactRecord(
                s.key,
                kind,
                s.title,
                s.status,
                contents[s.id][0],
                s.released_version,
                contents[s.id][1],
                contents[s.id][2],
            )
            for s in states.values()
            if s.id in contents
        )

    def _records_now(self, kind: str, released: bool) -> tuple[FactRecord, ...]:
        """As reads.kind_records, for rules that list whole kinds (a million-record spine has
        hundreds of thousands of a kind) and read the fields of few: rows straight from the
        driver, fields decoded on first use, each distinct time parsed once."""
        number = "released_version" if released else "latest_version"
        rows = fetch_literal(
            self._connection,
            "SELECT r.key, r.title, r.status, v.number, r.released_version, v.fields, "
            f"v.created_at FROM record r JOIN version v ON v.record_id = r.id AND v.number = "
            f"r.{number} WHERE r.kind = {history.quoted([kind])} ORDER BY r.id",
        )
        times: dict[Any, dt.datetime] = {}
        with bulk_allocation():
            return tuple(
                FactRecord(
                    key,
                    kind,
                    title,
                    status,
                    n,
                    out,
                    _Fields(fields),
                    times.get(created) or times.setdefault(created, _instant(created)),
                )
                for key, title, status, n, out, fields, created in rows
            )

    @_memo
    def links(self, link_type: str) -> Sequence[FactLink]:
        source, target = record.alias("source"), record.alias("target")
        rows = self._connection.execute(
            sa.select(link.c.type, source.c.key, target.c.key, link.c.target_version)
            .join(source, source.c.id == link.c.source_id)
            .join(target, target.c.id == link.c.target_id)
            .where(link.c.type == link_type, history.link_active(self._at))
            .order_by(link.c.id)
        )
        with bulk_allocation():
            return tuple(FactLink(*row) for row in rows)

    # -- narrower reads for the self-assessment measures (readiness_measures) ---------------

    def with_link(
        self, kind: str, link_type: str, inward: bool = False, among: Iterable[str] | None = None
    ) -> frozenset[str]:
        """Keys of the `kind` records (of those in `among`, if given) with an active
        `link_type` link from them, or to them with `inward`: what the measures ask of
        `links`, without reading every link of the type."""
        near = link.c.target_id if inward else link.c.source_id
        linked = sa.exists().where(
            near == record.c.id, link.c.type == link_type, history.link_active(self._at)
        )
        if among is None:
            query = sa.select(record.c.key).where(record.c.kind == kind, linked)
            return frozenset(self._connection.execute(query).scalars())
        # By key, through its unique index; the kind is checked here (filtering on it too led
        # SQLite to walk every record of the kind for each chunk of keys).
        keys, found = sorted(set(among)), set[str]()
        for start in range(0, len(keys), history.CHUNK):
            part = keys[start : start + history.CHUNK]
            rows = self._connection.execute(
                sa.select(record.c.key, record.c.kind).where(record.c.key.in_(part), linked)
            )
            found.update(key for key, of in rows if of == kind)
        return frozenset(found)

    def revised_keys(self, kind: str) -> list[str]:
        """Keys of the `kind` records whose released version is v2 or later, in the order of
        `records(kind, released=True)`."""
        if self._at is not None:
            return [r.key for r in self.records(kind, released=True) if (r.released or 0) > 1]
        query = (
            sa.select(record.c.key)
            .where(record.c.kind == kind, record.c.released_version > 1)
            .order_by(record.c.id)
        )
        return list(self._connection.execute(query).scalars())

    def reviewable_links(self) -> int:
        pinned = sorted(self._profile.pinned_link_types)
        count = self._connection.execute(
            sa.select(sa.func.count())
            .select_from(link)
            .where(history.link_active(self._at), link.c.type.notin_(pinned))
        ).scalar()
        return int(count or 0)

    def suspect_links(self) -> Sequence[FactLink]:
        pinned = self._profile.pinned_link_types
        if self._at is None:
            target = record.alias("suspect_target")
            # Only a record released twice or more can be newer than a link's stamp (stamps
            # are versions from 1): start from those few and reach their links by index,
            # instead of reading every link.
            revised = sa.select(record.c.id).where(record.c.released_version > 1)
            condition = link.c.id.in_(
                sa.select(link.c.id)
                .join(target, target.c.id == link.c.target_id)
                .where(link.c.target_id.in_(revised), reads.suspect_condition(target, pinned))
            )
            views = reads.links_where(self._connection, condition, pinned)
            return tuple(
                FactLink(v.type, v.source, v.target, v.target_version, True) for v in views
            )
        return self._suspect_at(self._at, pinned)

    def _suspect_at(self, at: dt.datetime, pinned: frozenset[str]) -> Sequence[FactLink]:
        rows = self._connection.execute(
            sa.select(link.c.id, link.c.type, link.c.source_id, link.c.target_id).where(
                history.link_active(at), link.c.type.notin_(sorted(pinned))
            )
        ).all()
        stamped = history.stamps(self._connection, [row[0] for row in rows], at)
        ends = {row[2] for row in rows} | {row[3] for row in rows}
        states = history.states(self._connection, self._profile, ends, at)
        found = []
        for link_id, type_, source_id, target_id in rows:
            target = states.get(target_id)
            stamp = stamped.get(link_id)
            if target is None or stamp is None or source_id not in states:
                continue
            if (target.released_version or 0) > stamp[0]:
                found.append(
                    FactLink(type_, states[source_id].key, target.key, stamp[0], suspect=True)
                )
        return tuple(found)

    @_memo
    def version_states(self, kind: str) -> Mapping[str, Mapping[int, str]]:
        if self._at is None:
            rows = self._connection.execute(
                sa.select(record.c.key, version.c.number, version.c.status)
                .join(version, version.c.record_id == record.c.id)
                .where(record.c.kind == kind)
            )
            found: dict[str, dict[int, str]] = {}
            for key, number, status in rows:
                found.setdefault(key, {})[number] = status
            return found
        return self._version_states_at(kind, self._at)

    def _version_states_at(self, kind: str, at: dt.datetime) -> Mapping[str, Mapping[int, str]]:
        initial = self._profile.lifecycle_of(kind).initial
        found: dict[str, dict[int, str]] = {}
        for key, number in self._connection.execute(
            sa.select(record.c.key, version.c.number)
            .join(version, version.c.record_id == record.c.id)
            .where(record.c.kind == kind, version.c.created_at <= at)
        ):
            found.setdefault(key, {})[number] = initial
        for key, number, status in self._connection.execute(
            sa.select(record.c.key, transition.c.version_number, transition.c.to_status)
            .join(transition, transition.c.record_id == record.c.id)
            .where(record.c.kind == kind, transition.c.at <= at)
            .order_by(transition.c.at, transition.c.id)
        ):
            if number in found.get(key, {}):
                found[key][number] = status
        return found

    def text_of(self, subject: FactRecord) -> Sequence[TextLine]:
        lines = [
            TextLine(f"body line {n}", text)
            for n, text in enumerate(str(subject.fields.get("body") or "").splitlines(), 1)
        ]
        digest = subject.fields.get("file")
        if digest:
            lines += self._file_lines(str(digest))
        return lines

    @_memo
    def executions(self) -> Sequence[FactExecution]:
        query = (
            sa.select(
                record.c.key,
                validation_execution.c.version,
                validation_execution.c.purpose,
                validation_execution.c.verdict,
                validation_execution.c.finished_at,
            )
            .join(record, record.c.id == validation_execution.c.record_id)
            .order_by(validation_execution.c.id)
        )
        if self._at is not None:
            query = query.where(validation_execution.c.finished_at <= self._at)
        return tuple(FactExecution(*row) for row in self._connection.execute(query))

    @_memo
    def json_blob(self, digest: str) -> Any:
        try:
            return json.loads(self._blobs.path_of(digest).read_bytes())
        except (OSError, ValueError):
            return None

    def _file_lines(self, digest: str) -> list[TextLine]:
        name = self._connection.execute(
            sa.select(blob.c.filename).where(blob.c.sha256 == digest)
        ).scalar()
        if name is None:
            return []
        try:
            text = read_document(self._blobs.path_of(digest), name)
        except InvalidInput:
            return []  # not a readable document (a drawing, a spreadsheet): nothing to lint
        return [
            TextLine(f"{name} {place}", line)
            for line, place in zip(text.lines, text.places, strict=True)
        ]


def _contents(
    connection: Connection, wanted: Mapping[int, int]
) -> dict[int, tuple[int, dict[str, Any], dt.datetime]]:
    """record id -> (number, fields, created_at) of the wanted version of each record."""
    found = {}
    for chunk in history.chunks(wanted):
        rows = connection.execute(
            sa.select(
                version.c.record_id, version.c.number, version.c.fields, version.c.created_at
            ).where(version.c.record_id.in_(chunk))
        )
        for record_id, number, fields, created_at in rows:
            if wanted[record_id] == number:
                found[record_id] = (number, fields, created_at)
    return found


class _Fields(Mapping[str, Any]):
    """A version's fields, decoded from their stored JSON on first use: a check lists whole
    kinds (hundreds of thousands of records) and most rules read the fields of few of them.
    PostgreSQL's driver hands JSONB over decoded already."""

    __slots__ = ("_raw", "_value")

    def __init__(self, raw: str | dict[str, Any]) -> None:
        self._raw = raw
        self._value: dict[str, Any] | None = raw if isinstance(raw, dict) else None

    def _decoded(self) -> dict[str, Any]:
        if self._value is None:
            self._value = json.loads(self._raw) if isinstance(self._raw, str) else self._raw
        return self._value

    def __getitem__(self, name: str) -> Any:
        return self._decoded()[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self._decoded().get(name, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())

    def __repr__(self) -> str:
        return repr(self._decoded())


def _instant(value: str | dt.datetime) -> dt.datetime:
    """A stored UTC time as schema.UTCDateTime reads it (SQLite keeps naive UTC text, as
    SQLAlchemy writes it: `YYYY-MM-DD HH:MM:SS.ffffff`)."""
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
