"""Baselines as data: a named, signed set of record versions, and how two sets differ."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from qspine.model.fingerprint import canonical_json, sha256_hex
from qspine.model.records import FieldChange
from qspine.model.signatures import SignatureView


@dataclass(frozen=True)
class BaselineMember:
    """One record version a baseline holds."""

    key: str
    kind: str
    title: str
    version: int
    fingerprint: str


def manifest(members: list[BaselineMember]) -> str:
    """SHA-256 of the member list: what the baseline's approval signature binds."""
    return manifest_of((m.key, m.version, m.fingerprint) for m in members)


def manifest_of(entries: Iterable[tuple[str, int, str]]) -> str:
    """SHA-256 of canonical JSON of sorted [key, version, content fingerprint] entries."""
    return sha256_hex(canonical_json(sorted([key, v, digest] for key, v, digest in entries)))


@dataclass(frozen=True)
class BaselineView:
    """A stored baseline (or, with key None, a preview of one: the same selection unsaved)."""

    key: str | None
    title: str
    status: str
    kinds: tuple[str, ...]
    keys: tuple[str, ...]
    taken_at: dt.datetime
    manifest: str
    members: list[BaselineMember]
    skipped: list[str] = field(default_factory=list)
    created_by: str = ""
    created_at: dt.datetime | None = None
    description: str = ""
    signatures: list[SignatureView] = field(default_factory=list)
    intact: bool = True
    as_of: dt.datetime | None = None

    @property
    def member_count(self) -> int:
        return len(self.members)


Change = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class MemberChange:
    """A record that differs between two baselines, with its field-level differences."""

    key: str
    kind: str
    title: str
    change: Change
    before: int | None
    after: int | None
    fields: list[FieldChange] = field(default_factory=list)


@dataclass(frozen=True)
class BaselineComparison:
    """`left` against `right` (a baseline key, or 'now' / an as-of instant)."""

    left: str
    right: str
    changes: list[MemberChange]
    unchanged: int

    def of(self, change: Change) -> list[MemberChange]:
        return [c for c in self.changes if c.change == change]

    @property
    def added(self) -> int:
        return len(self.of("added"))

    @property
    def removed(self) -> int:
        return len(self.of("removed"))

    @property
    def changed(self) -> int:
        return len(self.of("changed"))
