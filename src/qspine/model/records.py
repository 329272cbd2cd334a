"""Read-side views of records, versions and transitions, as plain frozen dataclasses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from qspine.model.links import LinkView
from qspine.model.signatures import SignatureView


def key_order(key: str) -> tuple[str, int]:
    """Sort key for record keys by prefix, then number: REQ-2 before REQ-10."""
    prefix, _, number = key.rpartition("-")
    return (prefix, int(number) if number.isdigit() else 0)


@dataclass(frozen=True)
class RecordState:
    """Where a record stood at one instant (now, or as of a past one)."""

    id: int
    key: str
    kind: str
    title: str
    status: str
    version: int
    released_version: int | None


@dataclass(frozen=True)
class TransitionView:
    """One recorded status change of one version."""

    version: int
    from_status: str | None
    to_status: str
    at: dt.datetime
    by: str
    reason: str
    signature_id: int | None = None


@dataclass(frozen=True)
class VersionView:
    """One immutable version: its content, fingerprint and the status it has now (or had)."""

    number: int
    fields: dict[str, Any]
    fingerprint: str
    status: str
    author: str
    created_at: dt.datetime
    reason: str


@dataclass(frozen=True)
class RecordView:
    """A record as one face shows it: its current (or as-of) version and surroundings."""

    key: str
    kind: str
    title: str
    created_at: dt.datetime
    created_by: str
    version: VersionView
    latest_version: int
    released_version: int | None
    links_out: list[LinkView] = field(default_factory=list)
    links_in: list[LinkView] = field(default_factory=list)
    signatures: list[SignatureView] = field(default_factory=list)
    transitions: list[TransitionView] = field(default_factory=list)
    next_transitions: list[dict[str, Any]] = field(default_factory=list)
    as_of: dt.datetime | None = None

    @property
    def status(self) -> str:
        return self.version.status


@dataclass(frozen=True)
class RecordSummary:
    """A line of a record list."""

    key: str
    kind: str
    title: str
    status: str
    version: int
    updated_at: dt.datetime


@dataclass(frozen=True)
class FieldChange:
    """One field's value in two versions; `change` is added, removed or changed."""

    field: str
    change: str
    before: Any
    after: Any


def diff_fields(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """Field-by-field difference between two versions' content, in field-name order."""
    changes = []
    for name in sorted(set(before) | set(after)):
        if name not in before:
            changes.append(FieldChange(name, "added", None, after[name]))
        elif name not in after:
            changes.append(FieldChange(name, "removed", before[name], None))
        elif before[name] != after[name]:
            changes.append(FieldChange(name, "changed", before[name], after[name]))
    return changes
