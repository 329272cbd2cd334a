"""Baselines: capture the released versions of a selection, sign them, compare them.

A baseline is a record of the managed kind `baseline`. Its member versions live in
`baseline_member`; its one version's fields carry the selection, the instant the versions
were taken at and the manifest (SHA-256 of the member list), so the approval signature,
which binds the version fingerprint, binds exactly that set of versions.
"""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qspine.model.asof import stamp
from qspine.model.baselines import (
    BaselineComparison,
    BaselineMember,
    BaselineView,
    MemberChange,
    manifest,
)
from qspine.model.bulk import bulk_allocation
from qspine.model.errors import Conflict, InvalidInput, NotFound
from qspine.model.profile import Profile
from qspine.model.records import RecordState, RecordSummary, diff_fields, key_order
from qspine.services import history, reads
from qspine.services.context import SpineContext
from qspine.services.lifecycle import load_record
from qspine.services.records import NewRecord, RecordService
from qspine.services.users import User, UserService
from qspine.store.engine import read_connection
from qspine.store.schema import baseline_member, record, version

KIND = "baseline"
# (record id) -> member; the id stays internal, for diffs and writes.
Members = dict[int, BaselineMember]


class BaselineService:
    """Create, show, list and compare baselines."""

    def __init__(self, context: SpineContext, users: UserService, records: RecordService) -> None:
        self._context = context
        self._users = users
        self._records = records

    def preview(
        self,
        user: User,
        kinds: Sequence[str] = (),
        keys: Sequence[str] = (),
        at: dt.datetime | None = None,
    ) -> BaselineView:
        """What a baseline of this selection would hold (now, or as of `at`), unsaved."""
        self._users.permits(user, "read")
        taken = at or self._context.clock()
        with read_connection(self._context.engine) as connection, bulk_allocation():
            members, skipped = self._select(connection, kinds, keys, at, strict=True)
        chosen = list(members.values())
        return BaselineView(
            None, "preview", "", tuple(kinds), tuple(keys), taken, manifest(chosen), chosen, skipped
        )

    def create(
        self,
        actor: str,
        title: str,
        kinds: Sequence[str] = (),
        keys: Sequence[str] = (),
        at: dt.datetime | None = None,
        description: str = "",
        reason: str = "",
    ) -> BaselineView:
        """Capture the released versions of the selection at `at` (default: now) as a new
        draft baseline; approve it by signing (`approved`)."""
        taken = at or self._context.clock()
        with read_connection(self._context.engine) as connection:
            members, _ = self._select(connection, kinds, keys, taken, strict=True)
        fields: dict[str, Any] = {
            "title": title,
            "kinds": list(kinds),
            "keys": list(keys),
            "taken_at": stamp(taken),
            "member_count": len(members),
            "manifest": manifest(list(members.values())),
        }
        if description:
            fields["description"] = description

        def write_members(connection: Connection, ids: list[int], _: list[str]) -> None:
            # Same selection inside the write transaction: a release that committed since the
            # read would change the set; refuse loudly rather than store a stale manifest.
            again, _ = self._select(connection, kinds, keys, taken, strict=True)
            if manifest(list(again.values())) != fields["manifest"]:
                raise Conflict("records were released while the baseline was taken; retry")
            connection.execute(
                baseline_member.insert(),
                [
                    {
                        "baseline_id": ids[0],
                        "record_id": record_id,
                        "version_number": member.version,
                        "fingerprint": member.fingerprint,
                    }
                    for record_id, member in again.items()
                ],
            )

        (key,) = self._records.create_with(
            actor, [NewRecord(KIND, fields)], reason or f"baseline '{title}'", write_members
        )
        return self.show(self._users.get(actor), key)

    def list(self, user: User) -> list[RecordSummary]:
        self._users.permits(user, "read")
        _, found = self._records.list(kind=KIND, limit=10_000)
        return found

    def show(self, user: User, key: str, at: dt.datetime | None = None) -> BaselineView:
        """The baseline now, or as it stood at `at` (its status and signatures then; its
        members never change)."""
        self._users.permits(user, "read")
        with read_connection(self._context.engine) as connection:
            return self._stored(connection, key, at)[0]

    def compare(
        self,
        user: User,
        left: str,
        right: str | None = None,
        at: dt.datetime | None = None,
    ) -> BaselineComparison:
        """Baseline `left` against baseline `right`, or against its own selection taken now
        (or as of `at`): added, removed and changed records, with field-level differences."""
        self._users.permits(user, "read")
        with read_connection(self._context.engine) as connection, bulk_allocation():
            base, before = self._stored(connection, left)
            if right is not None:
                if at is not None:
                    raise InvalidInput("compare: give another baseline or an as-of, not both")
                other, after = self._stored(connection, right)
                label = f"{right} ({other.title})"
            else:
                after, _ = self._select(connection, base.kinds, base.keys, at, strict=False)
                label = "now" if at is None else f"as of {stamp(at)}"
            changes, unchanged = _differences(connection, self._context, before, after)
        return BaselineComparison(f"{left} ({base.title})", label, changes, unchanged)

    def _stored(
        self, connection: Connection, key: str, at: dt.datetime | None = None
    ) -> tuple[BaselineView, Members]:
        row = load_record(connection, key)
        if row["kind"] != KIND:
            raise NotFound(f"{key} is a {row['kind']}, not a baseline")
        profile = self._context.profile
        stored = (
            reads.record_view(connection, profile, key)
            if at is None
            else reads.record_view_at(connection, profile, key, at)
        )
        fields = stored.version.fields
        held = _members_of(connection, self._context, row["id"])
        members = list(held.values())
        view = BaselineView(
            key=key,
            title=stored.title,
            status=stored.status,
            kinds=tuple(fields.get("kinds", [])),
            keys=tuple(fields.get("keys", [])),
            taken_at=dt.datetime.fromisoformat(fields["taken_at"]),
            manifest=fields["manifest"],
            members=members,
            created_by=stored.created_by,
            created_at=stored.created_at,
            description=fields.get("description", ""),
            signatures=stored.signatures,
            intact=manifest(members) == fields["manifest"],
            as_of=at,
        )
        return view, held

    def _select(
        self,
        connection: Connection,
        kinds: Sequence[str],
        keys: Sequence[str],
        at: dt.datetime | None,
        strict: bool,
    ) -> tuple[Members, builtins.list[str]]:
        """The released version, as of `at`, of every record of `kinds` and of each of
        `keys`; records of `kinds` never released by then are skipped (and named). With
        `strict`, a named key that did not exist or had no released version is an error."""
        profile = self._context.profile
        if not kinds and not keys:
            raise InvalidInput("baseline: name kinds and/or record keys to take")
        chosen: dict[int, RecordState] = {}
        skipped: list[str] = []
        for kind in dict.fromkeys(kinds):
            if kind not in profile.kinds:
                raise InvalidInput(f"baseline: unknown kind '{kind}'")
            if profile.kinds[kind].managed:
                raise InvalidInput(f"baseline: {kind} records cannot be baseline members")
            for record_id, state in history.kind_states(connection, profile, kind, at).items():
                if _in_force(profile, state):
                    chosen[record_id] = state
                else:
                    skipped.append(state.key)
        ids = _ids_of(connection, keys)
        named = history.states(connection, profile, ids.values(), at)
        for key, record_id in ids.items():
            found = named.get(record_id)
            if found is None or not _in_force(profile, found):
                if strict:
                    when = f"at {stamp(at)}" if at else "now"
                    raise InvalidInput(
                        f"baseline: {key} had no released version in force {when}"
                        if found
                        else f"baseline: {key} did not exist yet {when}"
                    )
                continue
            if profile.kinds[found.kind].managed:
                raise InvalidInput(f"baseline: {key} is a {found.kind}, not a member")
            chosen[record_id] = found
        wanted = {i: s.released_version for i, s in chosen.items() if s.released_version}
        return _versions(connection, self._context, wanted), skipped


def _in_force(profile: Profile, state: RecordState) -> bool:
    """The record has a released version that was not withdrawn (made obsolete) since."""
    if state.released_version is None:
        return False
    withdrawn = state.version == state.released_version and (
        state.status not in profile.lifecycle_of(state.kind).released_states
    )
    return not withdrawn


def _ids_of(connection: Connection, keys: Sequence[str]) -> dict[str, int]:
    wanted = list(dict.fromkeys(keys))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), history.CHUNK):
        chunk = wanted[start : start + history.CHUNK]
        rows = connection.execute(
            sa.select(record.c.key, record.c.id).where(record.c.key.in_(chunk))
        )
        found.update({key: int(record_id) for key, record_id in rows})
    missing = [key for key in wanted if key not in found]
    if missing:
        raise NotFound(f"baseline: no record {missing[0]}")
    return {key: found[key] for key in wanted}


def _versions(connection: Connection, context: SpineContext, wanted: dict[int, int]) -> Members:
    """record id -> member for the given (record id -> version number), in key order."""
    found: Members = {}
    title = history.title_column(context.profile)
    for chunk in history.chunks(wanted):
        rows = connection.execute(
            sa.select(record.c.id, record.c.key, record.c.kind, version.c.number)
            .add_columns(version.c.fingerprint, title)
            .join(version, version.c.record_id == record.c.id)
            .where(record.c.id.in_(chunk))
        )
        for record_id, key, kind, number, fingerprint, content in rows:
            if wanted[record_id] == number:
                found[record_id] = BaselineMember(
                    key, kind, history.title_of(context.profile, kind, content), number, fingerprint
                )
    return _inkey_order(found)


def _contents(connection: Connection, wanted: dict[int, int]) -> dict[int, dict[str, Any]]:
    """record id -> the fields of the given version."""
    found: dict[int, dict[str, Any]] = {}
    for chunk in history.chunks(wanted):
        rows = connection.execute(
            sa.select(version.c.record_id, version.c.number, version.c.fields).where(
                version.c.record_id.in_(chunk)
            )
        )
        found.update({i: fields for i, number, fields in rows if wanted[i] == number})
    return found


def _members_of(connection: Connection, context: SpineContext, baseline_id: int) -> Members:
    """A stored baseline's members, as captured (the member rows' own fingerprints)."""
    rows = connection.execute(
        sa.select(record.c.id, record.c.key, record.c.kind, baseline_member.c.version_number)
        .add_columns(baseline_member.c.fingerprint, history.title_column(context.profile))
        .join(record, record.c.id == baseline_member.c.record_id)
        .join(
            version,
            sa.and_(
                version.c.record_id == baseline_member.c.record_id,
                version.c.number == baseline_member.c.version_number,
            ),
        )
        .where(baseline_member.c.baseline_id == baseline_id)
    )
    return _inkey_order(
        {
            record_id: BaselineMember(
                key, kind, history.title_of(context.profile, kind, content), number, fingerprint
            )
            for record_id, key, kind, number, fingerprint, content in rows
        }
    )


def _inkey_order(members: Members) -> Members:
    return dict(sorted(members.items(), key=lambda item: key_order(item[1].key)))


def _differences(
    connection: Connection, context: SpineContext, before: Members, after: Members
) -> tuple[list[MemberChange], int]:
    changes: list[MemberChange] = []
    unchanged = 0
    moved = {
        record_id
        for record_id in before.keys() & after.keys()
        if before[record_id].version != after[record_id].version
    }
    old = _contents(connection, {i: before[i].version for i in moved})
    new = _contents(connection, {i: after[i].version for i in moved})
    for record_id in before.keys() | after.keys():
        left, right = before.get(record_id), after.get(record_id)
        if left is None and right is not None:
            changes.append(
                MemberChange(right.key, right.kind, right.title, "added", None, right.version)
            )
        elif right is None and left is not None:
            changes.append(
                MemberChange(left.key, left.kind, left.title, "removed", left.version, None)
            )
        elif left is not None and right is not None and record_id in moved:
            fields = diff_fields(old[record_id], new[record_id])
            changes.append(
                MemberChange(
                    right.key,
                    right.kind,
                    right.title,
                    "changed",
                    left.version,
                    right.version,
                    fields,
                )
            )
        else:
            unchanged += 1
    changes.sort(key=lambda c: (c.change, key_order(c.key)))
    return changes, unchanged
