"""Traceability results: what a trace or an impact analysis found, as plain data.

A link `source -> target` reads "source depends on target" (a test case verifies a
requirement, a requirement derives from a user need). So *upstream* of a record follows its
outgoing links, and *downstream* follows incoming links: what was built or checked on top of
it, and what a change to it may invalidate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

Direction = Literal["up", "down"]


@dataclass(frozen=True)
class TraceNode:
    """A record reached by a trace, at its shortest distance from where the trace started."""

    key: str
    kind: str
    title: str
    status: str
    version: int
    depth: int


@dataclass(frozen=True)
class TraceEdge:
    """A link on the traced graph (always as stored: source depends on target)."""

    type: str
    source: str
    target: str
    suspect: bool


@dataclass(frozen=True)
class TraceResult:
    """Everything reachable from `root` in one direction, with the links between them."""

    root: str
    direction: Direction
    depth_limit: int
    types: tuple[str, ...]
    nodes: list[TraceNode]
    edges: list[TraceEdge]
    as_of: dt.datetime | None = None

    def by_depth(self) -> dict[int, list[TraceNode]]:
        levels: dict[int, list[TraceNode]] = {}
        for node in self.nodes:
            levels.setdefault(node.depth, []).append(node)
        return levels


@dataclass(frozen=True)
class ImpactReport:
    """What a change to `changed` reaches: records that may need re-verification, grouped by
    kind, and the links that turn suspect once the changed records are released again."""

    changed: list[str]
    affected: dict[str, list[TraceNode]] = field(default_factory=dict)
    will_turn_suspect: list[TraceEdge] = field(default_factory=list)
    already_suspect: list[TraceEdge] = field(default_factory=list)
    as_of: dt.datetime | None = None

    @property
    def total(self) -> int:
        return sum(len(nodes) for nodes in self.affected.values())


@dataclass(frozen=True)
class ChangeImpact:
    """A change request's impact analysis, attached to it without being stored: the records
    it `changes`, analysed as the spine stood when it entered `assessed_in` (the assessment
    on which the work was started: rebuilt from history, so it cannot drift) and as it
    stands now. `at_assessment` is None before the request reaches that state."""

    change: str
    changed: list[str]
    assessed_in: str
    assessed_at: dt.datetime | None
    at_assessment: ImpactReport | None
    now: ImpactReport | None
