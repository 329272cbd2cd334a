"""Building blocks of the demo content: records and links named by local ids, and dates.

Content modules describe *what* the CytoAssist spine holds (each record with the status it
should end in and who writes, moves and signs it); `seed.py` turns that into service calls.
Local ids ("req2", "sop5") are resolved to real keys ("REQ-2", "DOC-5") while seeding.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

DEMO_PASSWORD = "cytoassist-demo"


@dataclass(frozen=True)
class Ref:
    """A field value that names another demo record by its local id (resolved to its key)."""

    local: str


@dataclass(frozen=True)
class Rec:
    """One demo record: kind, author, the status it ends in, and its field values.

    `signers` maps a signature meaning to the user who signs it when the lifecycle path to
    `status` needs one (defaults come from the seeder); unsigned steps are taken by the author.
    """

    local: str
    kind: str
    author: str
    status: str
    fields: dict[str, Any]
    signers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Link:
    """`source <type> target`, both by local id; made by the source record's author."""

    type: str
    source: str
    target: str


@dataclass(frozen=True)
class Revision:
    """A new version of an already released record, taken through review again.

    Links to the old version stay stamped with it (they become suspect) except those in
    `confirm`, which their source's author re-reviews after the new version is approved.
    """

    local: str
    author: str
    approver: str
    changes: dict[str, Any]
    reason: str
    confirm: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Gap:
    """A deliberate, realistic gap the readiness rules should find."""

    number: int
    title: str
    locals: tuple[str, ...]
    problem: str
    clause: str
    rule: str


def rec(local: str, kind: str, author: str, status: str, *,
        signers: dict[str, str] | None = None, **fields: Any) -> Rec:
    """Shorthand for `Rec` with the field values as keyword arguments."""
    return Rec(local, kind, author, status, dict(fields), dict(signers or {}))


def links(type_: str, source: str, *targets: str) -> list[Link]:
    """One source linked with the same type to several targets."""
    return [Link(type_, source, target) for target in targets]


def digest(label: str) -> str:
    """A stable SHA-256 standing in for an artifact the demo cannot ship (weights, manifests)."""
    return hashlib.sha256(f"acme-medtech/cytoassist/{label}".encode()).hexdigest()


@dataclass(frozen=True)
class Days:
    """Dates relative to the seeding day, so the story (and its gaps) stays true on any day."""

    today: dt.date

    def ago(self, days: int) -> str:
        return (self.today - dt.timedelta(days=days)).isoformat()

    def ahead(self, days: int) -> str:
        return (self.today + dt.timedelta(days=days)).isoformat()

    def stamp(self, days_ago: int, hour: int = 14, minute: int = 0) -> str:
        """An ISO 8601 UTC date and time `days_ago` days before today."""
        day = self.today - dt.timedelta(days=days_ago)
        return f"{day.isoformat()}T{hour:02d}:{minute:02d}:00Z"

    def year(self, days_ago: int) -> int:
        return (self.today - dt.timedelta(days=days_ago)).year

    def half(self, days_ago: int) -> str:
        """'H1 2026'-style label of the half-year containing that day."""
        day = self.today - dt.timedelta(days=days_ago)
        return f"H{1 if day.month <= 6 else 2} {day.year}"
