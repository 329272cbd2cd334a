"""What a Python rule reads: the spine as it stands now or as of a past instant.

Rules import only the domain model; the services layer hands them an object meeting `Facts`
(backed by SQL, rebuilt as of the check's instant). Rules never write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from qspine.model.profile import Profile


@dataclass(frozen=True)
class FactRecord:
    """A record with one version's fields (its current one, or its released one)."""

    key: str
    kind: str
    title: str
    status: str
    number: int
    released: int | None
    fields: Mapping[str, Any]
    created_at: dt.datetime  # when that version was written


@dataclass(frozen=True)
class FactLink:
    """An active link, with the target version its source last reviewed."""

    type: str
    source: str
    target: str
    target_version: int
    suspect: bool = False


@dataclass(frozen=True)
class FactExecution:
    """One execution of a model validation run (ADR 0015): the first run or a rerun."""

    run: str
    version: int
    purpose: str  # 'run' or 'rerun'
    verdict: str
    finished_at: dt.datetime


@dataclass(frozen=True)
class TextLine:
    """One line of a document record's text: where it is, and what it says."""

    place: str
    text: str


class Facts(Protocol):
    """The read side a Python rule gets. `today` is the check's day (as of, or now)."""

    @property
    def profile(self) -> Profile: ...
    @property
    def today(self) -> dt.date: ...
    @property
    def at(self) -> dt.datetime | None: ...

    def records(self, kind: str, released: bool = False) -> Sequence[FactRecord]:
        """Every record of `kind` with its current version's fields; with `released`, only
        records that have a released version, with that version's fields."""
        ...

    def links(self, link_type: str) -> Sequence[FactLink]:
        """Every active link of a type."""
        ...

    def suspect_links(self) -> Sequence[FactLink]:
        """Active links whose target has a released version newer than the one reviewed."""
        ...

    def reviewable_links(self) -> int:
        """How many active links can turn suspect (their type does not pin its target)."""
        ...

    def version_states(self, kind: str) -> Mapping[str, Mapping[int, str]]:
        """record key -> version number -> that version's state."""
        ...

    def text_of(self, record: FactRecord) -> Sequence[TextLine]:
        """A document record's readable text: its body field and its attached file."""
        ...

    def executions(self) -> Sequence[FactExecution]:
        """Every validation execution finished by the check's instant, oldest first."""
        ...

    def json_blob(self, digest: str) -> Any:
        """A stored JSON file's content (a run record), or None when absent or not JSON."""
        ...
