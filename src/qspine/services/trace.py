"""Traversal and impact analysis over the link graph, now or as of a past instant.

A breadth-first walk with one indexed query per level (chunks of the frontier): each record
is visited once and each link read once, so a trace costs work proportional to what it
reaches, never a scan of the store. The links walked are the trace's edges: no second pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qspine.model.asof import stamp
from qspine.model.errors import InvalidInput, NotFound
from qspine.model.links import is_suspect
from qspine.model.records import RecordState
from qspine.model.trace import (
    ChangeImpact,
    Direction,
    ImpactReport,
    TraceEdge,
    TraceNode,
    TraceResult,
)
from qspine.services import history, reads
from qspine.services.context import SpineContext
from qspine.services.users import User, UserService
from qspine.store.engine import fetch_literal, read_connection
from qspine.store.schema import link, record

MAX_DEPTH = 50
CHANGE_KIND, CHANGE_LINK, ASSESSED_IN = "change_request", "changes", "investigating"
"""A change request's impact is analysed over the records it `changes`, as of the moment it
entered investigation: the assessment on which the work was started."""


@dataclass(frozen=True)
class _Walked:
    """A link met by the walk: its id, type, ends (record ids) and current stamp."""

    id: int
    type: str
    source: int
    target: int
    stamped: int


class TraceService:
    """Upstream and downstream closures, and the impact of a proposed change."""

    def __init__(self, context: SpineContext, users: UserService) -> None:
        self._context = context
        self._users = users

    def trace(
        self,
        user: User,
        key: str,
        direction: Direction = "down",
        types: Sequence[str] = (),
        depth: int = MAX_DEPTH,
        at: dt.datetime | None = None,
    ) -> TraceResult:
        """Every record reachable from `key` (its shortest distance) and the links between,
        as the spine stands now or stood at `at`."""
        self._users.permits(user, "read")
        wanted = self._check(direction, types, depth)
        with read_connection(self._context.engine) as connection:
            root = _record_id(connection, key, at)
            reached, walked = _walk(connection, [root], direction, wanted, depth, at=at)
            found = history.states(connection, self._context.profile, reached, at)
            edges = self._edges(connection, walked, found, at)
        nodes = _nodes(found, reached)
        return TraceResult(key, direction, depth, tuple(wanted), nodes, edges, at)

    def impact(
        self,
        user: User,
        keys: Sequence[str],
        types: Sequence[str] = (),
        at: dt.datetime | None = None,
    ) -> ImpactReport:
        """What changing `keys` reaches downstream, and which links turn suspect on release."""
        self._users.permits(user, "read")
        if not keys:
            raise InvalidInput("impact: name at least one record")
        wanted = self._check("down", types, MAX_DEPTH)
        profile = self._context.profile
        with read_connection(self._context.engine) as connection:
            roots = [_record_id(connection, key, at) for key in dict.fromkeys(keys)]
            # Impact does not cross pinned links (a baseline records what shipped) nor event
            # and reference links (profile: propagates_impact: false).
            reached, _ = _walk(
                connection, roots, "down", wanted, MAX_DEPTH, skip=profile.impact_barriers, at=at
            )
            # Every link into a changed record turns suspect once it is released again.
            _, walked = _walk(connection, roots, "down", wanted, 1, at=at)
            direct = [edge for edge in walked if edge.target in roots]
            ends = {end for edge in direct for end in (edge.source, edge.target)}
            found = history.states(connection, profile, set(reached) | ends, at)
            into = self._edges(connection, direct, found, at)
        nodes = [node for node in _nodes(found, reached) if node.depth > 0]
        affected: dict[str, list[TraceNode]] = {}
        for node in nodes:
            affected.setdefault(node.kind, []).append(node)
        movable = [edge for edge in into if edge.type not in profile.pinned_link_types]
        return ImpactReport(
            changed=list(dict.fromkeys(keys)),
            affected=affected,
            will_turn_suspect=[edge for edge in movable if not edge.suspect],
            already_suspect=[edge for edge in movable if edge.suspect],
            as_of=at,
        )

    def change_impact(self, user: User, key: str) -> ChangeImpact:
        """The impact analysis of change request `key` over the records it `changes`: as
        assessed when work on it started (it entered ASSESSED_IN), and now."""
        self._users.permits(user, "read")
        with read_connection(self._context.engine) as connection:
            view = reads.record_view(connection, self._context.profile, key)
            if view.kind != CHANGE_KIND:
                raise InvalidInput(f"{key} is a {view.kind}, not a change request")
            changed = [link.target for link in view.links_out if link.type == CHANGE_LINK]
            started = next((t.at for t in view.transitions if t.to_status == ASSESSED_IN), None)
            existed = []  # what it named as changing at that moment, not what it names now
            if started is not None:
                then_view = reads.record_view_at(connection, self._context.profile, key, started)
                existed = [lk.target for lk in then_view.links_out if lk.type == CHANGE_LINK]
        then = self.impact(user, existed, at=started) if existed else None
        now = self.impact(user, changed) if changed else None
        return ChangeImpact(key, changed, ASSESSED_IN, started, then, now)

    def _check(self, direction: str, types: Sequence[str], depth: int) -> list[str]:
        if direction not in ("up", "down"):
            raise InvalidInput(f"direction '{direction}': up or down")
        if not 1 <= depth <= MAX_DEPTH:
            raise InvalidInput(f"depth {depth}: choose 1 to {MAX_DEPTH}")
        unknown = [name for name in types if name not in self._context.profile.links]
        if unknown:
            raise InvalidInput(f"unknown link type '{unknown[0]}'")
        return list(types)

    def _edges(
        self,
        connection: Connection,
        walked: list[_Walked],
        found: dict[int, RecordState],
        at: dt.datetime | None,
    ) -> list[TraceEdge]:
        """Walked links as trace edges, suspect when the target has a newer release than the
        link's stamp (both as of `at`)."""
        pinned = self._context.profile.pinned_link_types
        stamped = {edge.id: edge.stamped for edge in walked}
        if at is not None:
            stamped = {i: s[0] for i, s in history.stamps(connection, stamped, at).items()}
        edges = []
        for edge in walked:
            source, target = found.get(edge.source), found.get(edge.target)
            if source is None or target is None:
                continue
            suspect = edge.type not in pinned and is_suspect(
                stamped.get(edge.id, edge.stamped), target.released_version
            )
            edges.append(TraceEdge(edge.type, source.key, target.key, suspect))
        return sorted(edges, key=lambda e: (e.type, e.source, e.target))


def _record_id(connection: Connection, key: str, at: dt.datetime | None) -> int:
    row = connection.execute(
        sa.select(record.c.id, record.c.created_at).where(record.c.key == key)
    ).first()
    if row is None:
        raise NotFound(f"no record {key}")
    if at is not None and row.created_at > at:
        raise NotFound(f"{key} did not exist yet at {stamp(at)}")
    return int(row.id)


def _walk(
    connection: Connection,
    roots: list[int],
    direction: str,
    types: list[str],
    depth: int,
    skip: frozenset[str] = frozenset(),
    at: dt.datetime | None = None,
) -> tuple[dict[int, int], list[_Walked]]:
    """(record id -> shortest distance from any root, the links walked between them).

    Breadth first, one indexed query per level over the frontier, each record visited once:
    linear in the links reached. (A recursive CTE deduplicates (record, depth) pairs, not
    records, and revisits a record once per depth it can be reached at: combinatorial on
    graphs with long chains.) The last level's links among reached records are kept too.
    """
    near = "target_id" if direction == "down" else "source_id"
    fetch = _step_now(near, types, skip) if at is None else _step_as_of(near, types, skip, at)
    reached = {root: 0 for root in roots}
    walked: list[_Walked] = []
    frontier = sorted(reached)
    level = 0
    while frontier:
        level += 1
        following: set[int] = set()
        for chunk in history.chunks(frontier):
            for row in fetch(connection, chunk):
                edge = _Walked(*row)
                end = edge.source if direction == "down" else edge.target
                if level > depth:  # past the limit: only links among records already reached
                    if end in reached:
                        walked.append(edge)
                    continue
                walked.append(edge)
                if end not in reached:
                    reached[end] = level
                    following.add(end)
        frontier = sorted(following) if level <= depth else []
    return reached, walked


Step = Callable[[Connection, list[int]], Sequence[Sequence[Any]]]
_STEP_COLUMNS = "id, type, source_id, target_id, target_version"


def _step_now(near: str, types: list[str], skip: frozenset[str]) -> Step:
    """The links at a frontier now: one literal statement read from the covering index."""
    where = "removed_at IS NULL"
    if types:
        where += f" AND type IN ({history.quoted(types)})"
    if skip:
        where += f" AND type NOT IN ({history.quoted(skip)})"

    def fetch(connection: Connection, chunk: list[int]) -> Sequence[Sequence[Any]]:
        # Record ids are ints from the database: inlined, nothing needs binding or expanding.
        ids = ",".join(map(str, chunk))
        return fetch_literal(
            connection, f"SELECT {_STEP_COLUMNS} FROM link WHERE {near} IN ({ids}) AND {where}"
        )

    return fetch


def _step_as_of(near: str, types: list[str], skip: frozenset[str], at: dt.datetime) -> Step:
    """The links at a frontier that existed at `at` (made by then and not yet removed)."""
    base = sa.select(
        link.c.id, link.c.type, link.c.source_id, link.c.target_id, link.c.target_version
    ).where(history.link_active(at))
    if types:
        base = base.where(link.c.type.in_(types))
    if skip:
        base = base.where(link.c.type.notin_(sorted(skip)))

    def fetch(connection: Connection, chunk: list[int]) -> Sequence[Sequence[Any]]:
        return connection.execute(base.where(link.c[near].in_(chunk))).all()

    return fetch


def _nodes(found: dict[int, RecordState], reached: dict[int, int]) -> list[TraceNode]:
    nodes = [
        TraceNode(state.key, state.kind, state.title, state.status, state.version, reached[i])
        for i, state in found.items()
        if i in reached
    ]
    return sorted(nodes, key=lambda node: (node.depth, node.kind, node.key))
