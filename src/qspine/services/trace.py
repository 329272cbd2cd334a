"""Traversal and impact analysis over the link graph.

A breadth-first walk with one indexed query per level (chunks of the frontier): each record
is visited once, so a trace costs work proportional to what it reaches, never a scan of the
store.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qspine.model.errors import InvalidInput, NotFound
from qspine.model.links import is_suspect
from qspine.model.trace import Direction, ImpactReport, TraceEdge, TraceNode, TraceResult
from qspine.services.context import SpineContext
from qspine.services.users import User, UserService
from qspine.store.engine import read_connection
from qspine.store.schema import link, record

MAX_DEPTH = 50


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
    ) -> TraceResult:
        """Every record reachable from `key` (its shortest distance) and the links between."""
        self._users.permits(user, "read")
        wanted = self._check(direction, types, depth)
        with read_connection(self._context.engine) as connection:
            root = _record_id(connection, key)
            reached = _closure(connection, [root], direction, wanted, depth)
            nodes = _nodes(connection, reached)
            edges = self._edges(connection, set(reached), wanted)
        return TraceResult(key, direction, depth, tuple(wanted), nodes, edges)

    def impact(self, user: User, keys: Sequence[str], types: Sequence[str] = ()) -> ImpactReport:
        """What changing `keys` reaches downstream, and which links turn suspect on release."""
        self._users.permits(user, "read")
        if not keys:
            raise InvalidInput("impact: name at least one record")
        wanted = self._check("down", types, MAX_DEPTH)
        with read_connection(self._context.engine) as connection:
            roots = [_record_id(connection, key) for key in dict.fromkeys(keys)]
            pinned = self._context.profile.pinned_link_types
            # Impact does not cross pinned links (a baseline records what shipped) nor event
            # and reference links (profile: propagates_impact: false).
            barriers = self._context.profile.impact_barriers
            reached = _closure(connection, roots, "down", wanted, MAX_DEPTH, skip=barriers)
            nodes = [node for node in _nodes(connection, reached) if node.depth > 0]
            direct = self._edges(connection, set(roots), wanted, into=set(roots))
        affected: dict[str, list[TraceNode]] = {}
        for node in nodes:
            affected.setdefault(node.kind, []).append(node)
        movable = [edge for edge in direct if edge.type not in pinned]
        return ImpactReport(
            changed=list(dict.fromkeys(keys)),
            affected=affected,
            will_turn_suspect=[edge for edge in movable if not edge.suspect],
            already_suspect=[edge for edge in movable if edge.suspect],
        )

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
        ids: set[int],
        types: list[str],
        into: set[int] | None = None,
    ) -> list[TraceEdge]:
        """Active links among `ids` (or, with `into`, every active link pointing into `into`)."""
        source = record.alias("s")
        target = record.alias("t")
        query = (
            sa.select(
                link.c.type,
                source.c.key,
                target.c.key,
                link.c.target_version,
                target.c.released_version,
                link.c.source_id,
                link.c.target_id,
            )
            .join(source, source.c.id == link.c.source_id)
            .join(target, target.c.id == link.c.target_id)
            .where(link.c.removed_at.is_(None))
            .order_by(link.c.type, source.c.key, target.c.key)
        )
        if types:
            query = query.where(link.c.type.in_(types))
        pinned = self._context.profile.pinned_link_types
        edges = []
        for chunk in _chunks(sorted(into if into is not None else ids)):
            condition = link.c.target_id.in_(chunk)
            rows = connection.execute(query.where(condition)).all()
            for kind, source_key, target_key, stamped, released, source_id, _ in rows:
                if into is None and source_id not in ids:
                    continue
                suspect = kind not in pinned and is_suspect(stamped, released)
                edges.append(TraceEdge(kind, source_key, target_key, suspect))
        return edges


def _record_id(connection: Connection, key: str) -> int:
    found = connection.execute(sa.select(record.c.id).where(record.c.key == key)).scalar()
    if found is None:
        raise NotFound(f"no record {key}")
    return int(found)


def _closure(
    connection: Connection,
    roots: list[int],
    direction: str,
    types: list[str],
    depth: int,
    skip: frozenset[str] = frozenset(),
) -> dict[int, int]:
    """record id -> shortest distance from any root, following active links.

    Breadth first, one indexed query per level over the frontier, each record visited once:
    linear in the links reached. (A recursive CTE deduplicates (record, depth) pairs, not
    records, and revisits a record once per depth it can be reached at: combinatorial on
    graphs with long chains.)
    """
    step_from, step_to = (
        (link.c.target_id, link.c.source_id)
        if direction == "down"
        else (link.c.source_id, link.c.target_id)
    )
    base = sa.select(step_to).where(link.c.removed_at.is_(None))
    if types:
        base = base.where(link.c.type.in_(types))
    if skip:
        base = base.where(link.c.type.notin_(sorted(skip)))
    existing = connection.execute(sa.select(record.c.id).where(record.c.id.in_(roots)))
    reached = {int(row_id): 0 for (row_id,) in existing}
    frontier = sorted(reached)
    level = 0
    while frontier and level < depth:
        level += 1
        following: set[int] = set()
        for chunk in _chunks(frontier):
            for (row_id,) in connection.execute(base.where(step_from.in_(chunk))):
                if row_id not in reached:
                    reached[row_id] = level
                    following.add(row_id)
        frontier = sorted(following)
    return reached


def _nodes(connection: Connection, reached: dict[int, int]) -> list[TraceNode]:
    nodes = []
    for chunk in _chunks(sorted(reached)):
        rows = connection.execute(
            sa.select(
                record.c.id,
                record.c.key,
                record.c.kind,
                record.c.title,
                record.c.status,
                record.c.latest_version,
            ).where(record.c.id.in_(chunk))
        ).all()
        nodes += [
            TraceNode(key, kind, title, status, version, reached[row_id])
            for row_id, key, kind, title, status, version in rows
        ]
    return sorted(nodes, key=lambda node: (node.depth, node.kind, node.key))


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]
