"""Trace matrices computed from the spine, as the profile defines them.

Each column's records and the links to the previous column are loaded in bulk (two queries a
column), then rows are assembled in memory: linear in the number of records and links.
Records of a later column that nothing in the previous column reaches start rows of their
own with empty cells before them, so an orphan shows as a gap instead of disappearing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qspine.model.bulk import bulk_allocation
from qspine.model.errors import InvalidInput, NotFound
from qspine.model.links import is_suspect
from qspine.model.matrix import Matrix, MatrixHeader
from qspine.model.matrix_rows import (
    ChainRows,
    Children,
    GroupedRows,
    MatrixCell,
    MatrixRow,
    MatrixRows,
    RowGroup,
    Tails,
)
from qspine.model.profile import Profile, matrix_direction
from qspine.services import history
from qspine.services.context import SpineContext
from qspine.services.users import User, UserService
from qspine.store.engine import fetch_literal, read_connection
from qspine.store.schema import link


class MatrixService:
    """Build the named matrices of the profile."""

    def __init__(self, context: SpineContext, users: UserService) -> None:
        self._context = context
        self._users = users

    def names(self) -> dict[str, str]:
        return {name: spec.title for name, spec in self._context.profile.matrices.items()}

    def build(
        self,
        user: User,
        name: str,
        gaps_only: bool = False,
        at: dt.datetime | None = None,
        suspect_only: bool = False,
        text: str = "",
    ) -> Matrix:
        """The matrix as the spine stands now or stood at `at`, optionally filtered to rows
        with gaps, rows with a suspect link, or rows with a cell whose key or title contains
        `text`. The fingerprint covers the rows shown."""
        self._users.permits(user, "read")
        with bulk_allocation():
            return self._build(name, gaps_only, at, suspect_only, text)

    def _build(
        self, name: str, gaps_only: bool, at: dt.datetime | None, suspect_only: bool, text: str
    ) -> Matrix:
        profile = self._context.profile
        spec = profile.matrices.get(name)
        if spec is None:
            raise NotFound(f"no matrix '{name}' (matrices: {', '.join(profile.matrices)})")
        with read_connection(self._context.engine) as connection:
            columns = [_column(connection, profile, c.kind, at) for c in spec.columns]
            children: list[Children] = []
            for index in range(1, len(spec.columns)):
                column = spec.columns[index]
                previous = spec.columns[index - 1].kind
                direction = matrix_direction(profile, previous, column)
                if direction is None or column.link is None:
                    raise InvalidInput(f"matrix {name}: column {index} does not connect")
                pinned = column.link in profile.pinned_link_types
                ends = (columns[index - 1][1], columns[index][1])
                children.append(_children(connection, column.link, direction, pinned, ends, at))
        rows: MatrixRows = ChainRows([cells for cells, _ in columns], children)
        keep = _keeper(gaps_only, suspect_only, text)
        if keep is not None:
            rows = GroupedRows(_filtered(rows.groups, keep))
        headers = tuple(
            MatrixHeader(c.kind, c.title or profile.kinds[c.kind].title, c.link)
            for c in spec.columns
        )
        filters = {"gaps_only": gaps_only, "suspect_only": suspect_only, "text": text}
        return Matrix(
            name,
            spec.title,
            spec.clauses,
            headers,
            rows,
            self._context.clock(),
            as_of=at,
            filters={k: v for k, v in filters.items() if v},
        )


def _column(
    connection: Connection, profile: Profile, kind: str, at: dt.datetime | None
) -> tuple[dict[int, MatrixCell], dict[int, int | None]]:
    """A column's cells by record id, and each record's released version (for suspect marks),
    as the records stand now or stood at `at`."""
    if at is None:  # the hot path: rows straight from the driver, no state objects
        rows = history.kind_rows(connection, kind)
        cells = {row[0]: MatrixCell(row[1], row[3], row[4], row[5]) for row in rows}
        return cells, {row[0]: row[6] for row in rows}
    states = history.kind_states(connection, profile, kind, at)
    return (
        {i: MatrixCell(s.key, s.title, s.status, s.version) for i, s in states.items()},
        {i: s.released_version for i, s in states.items()},
    )


def _keeper(gaps: bool, suspect: bool, text: str) -> Callable[[MatrixRow], bool] | None:
    """The row filter: rows with gaps, rows with a suspect link, rows with a cell whose key or
    title contains `text` (all that are asked for); None when every row is kept."""
    needle = text.strip().casefold()
    if not (gaps or suspect or needle):
        return None

    def keep(row: MatrixRow) -> bool:
        return (
            (not gaps or row.gap)
            and (not suspect or row.suspect)
            and (
                not needle
                or any(
                    cell is not None
                    and (needle in cell.key.casefold() or needle in cell.title.casefold())
                    for cell in row.cells
                )
            )
        )

    return keep


def _children(
    connection: Connection,
    link_type: str,
    direction: str,
    pinned: bool,
    ends: tuple[dict[int, int | None], dict[int, int | None]],
    at: dt.datetime | None,
) -> Children:
    """previous-column record id -> the coded records it reaches in this one, as of `at`.

    `ends` are the released versions of the records of the previous column and this one, by
    record id; links to records of other kinds are not part of the chain and are left out
    here, once."""
    inward = direction == "in"  # the link points from this column into the previous one
    sources, targets = (ends[1], ends[0]) if inward else ends
    far = "source_id" if inward else "target_id"
    rows: Sequence[tuple[Any, ...]]
    if at is None:  # the hot path: one literal statement, rows straight from the driver
        rows = fetch_literal(
            connection,
            f"SELECT 0, source_id, target_id, target_version FROM link "
            f"WHERE type = {history.quoted([link_type])} AND removed_at IS NULL ORDER BY {far}",
        )
        stamped: dict[int, tuple[int, str]] = {}
    else:
        rows = connection.execute(
            sa.select(link.c.id, link.c.source_id, link.c.target_id, link.c.target_version)
            .where(link.c.type == link_type, history.link_active(at))
            .order_by(link.c[far])
        ).all()
        stamped = history.stamps_of_type(connection, link_type, at)
    found: Children = defaultdict(list)
    for link_id, source, target, version in rows:
        newest = targets.get(target, 0)
        if newest == 0 or source not in sources:  # an end of another kind
            continue
        if stamped and link_id in stamped:
            version = stamped[link_id][0]
        suspect = not pinned and is_suspect(version, newest)
        if inward:
            found[target].append(source * 2 + suspect)
        else:
            found[source].append(target * 2 + suspect)
    return found


def _filtered(groups: list[RowGroup], keep: Callable[[MatrixRow], bool]) -> list[RowGroup]:
    """The groups with only the rows `keep` accepts (tails filtered per group: not shared)."""
    kept: list[RowGroup] = []
    for lead, tails in groups:
        lead_gap = any(cell is None for cell in lead)
        chosen = [
            Tails.counted(
                [
                    (cells, gap, suspect)
                    for cells, gap, suspect in shared.items
                    if keep(MatrixRow(lead + cells, lead_gap or gap, suspect))
                ]
            )
            for shared in tails
        ]
        chosen = [shared for shared in chosen if shared.items]
        if chosen:
            kept.append((lead, tuple(chosen)))
    return kept
