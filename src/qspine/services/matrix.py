"""Trace matrices computed from the spine, as the profile defines them.

Each column's records and the links to the previous column are loaded in bulk (two queries a
column), then rows are assembled in memory: linear in the number of records and links.
Records of a later column that nothing in the previous column reaches start rows of their
own with empty cells before them, so an orphan shows as a gap instead of disappearing.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qspine.model.errors import InvalidInput, NotFound
from qspine.model.fingerprint import canonical_json, sha256_hex
from qspine.model.links import is_suspect
from qspine.model.matrix import Matrix, MatrixCell, MatrixHeader, MatrixRow
from qspine.model.profile import matrix_direction
from qspine.services.context import SpineContext
from qspine.services.users import User, UserService
from qspine.store.engine import read_connection
from qspine.store.schema import link, record

Children = dict[int, list[tuple[int, bool]]]


class MatrixService:
    """Build the named matrices of the profile."""

    def __init__(self, context: SpineContext, users: UserService) -> None:
        self._context = context
        self._users = users

    def names(self) -> dict[str, str]:
        return {name: spec.title for name, spec in self._context.profile.matrices.items()}

    def build(self, user: User, name: str, gaps_only: bool = False) -> Matrix:
        self._users.permits(user, "read")
        profile = self._context.profile
        spec = profile.matrices.get(name)
        if spec is None:
            raise NotFound(f"no matrix '{name}' (matrices: {', '.join(profile.matrices)})")
        with read_connection(self._context.engine) as connection:
            cells = [_cells(connection, column.kind) for column in spec.columns]
            children: list[Children] = []
            for index in range(1, len(spec.columns)):
                column = spec.columns[index]
                previous = spec.columns[index - 1].kind
                direction = matrix_direction(profile, previous, column)
                if direction is None or column.link is None:
                    raise InvalidInput(f"matrix {name}: column {index} does not connect")
                children.append(
                    _children(
                        connection, column.link, direction, column.link in profile.pinned_link_types
                    )
                )
        rows = _rows(cells, children)
        if gaps_only:
            rows = [row for row in rows if row.gap]
        headers = tuple(
            MatrixHeader(c.kind, c.title or profile.kinds[c.kind].title, c.link)
            for c in spec.columns
        )
        content = [
            [None if c is None else [c.key, c.version, c.status, c.suspect] for c in row.cells]
            for row in rows
        ]
        return Matrix(
            name,
            spec.title,
            spec.clauses,
            headers,
            rows,
            self._context.clock(),
            sha256_hex(canonical_json({"matrix": name, "rows": content})),
        )


def _cells(connection: Connection, kind: str) -> dict[int, MatrixCell]:
    rows = connection.execute(
        sa.select(
            record.c.id, record.c.key, record.c.title, record.c.status, record.c.latest_version
        )
        .where(record.c.kind == kind)
        .order_by(record.c.id)
    )
    return {
        row_id: MatrixCell(key, title, status, version)
        for row_id, key, title, status, version in rows
    }


def _children(connection: Connection, link_type: str, direction: str, pinned: bool) -> Children:
    """previous-column record id -> [(this-column record id, link suspect?)]."""
    target = record.alias("t")
    near, far = (
        (link.c.target_id, link.c.source_id)
        if direction == "in"
        else (link.c.source_id, link.c.target_id)
    )
    rows = connection.execute(
        sa.select(near, far, link.c.target_version, target.c.released_version)
        .join(target, target.c.id == link.c.target_id)
        .where(link.c.type == link_type, link.c.removed_at.is_(None))
        .order_by(far)
    )
    found: Children = defaultdict(list)
    for parent, child, stamped, released in rows:
        found[parent].append((child, not pinned and is_suspect(stamped, released)))
    return found


def _rows(cells: list[dict[int, MatrixCell]], children: list[Children]) -> list[MatrixRow]:
    width = len(cells)
    rows: list[MatrixRow] = []
    reached: list[set[int]] = [set() for _ in range(width)]

    def walk(
        column: int, record_id: int, prefix: tuple[MatrixCell | None, ...], suspect: bool
    ) -> None:
        cell = cells[column].get(record_id)
        if cell is None:  # linked record of another kind: not part of this chain
            return
        reached[column].add(record_id)
        here = (*prefix, MatrixCell(cell.key, cell.title, cell.status, cell.version, suspect))
        below = children[column].get(record_id, []) if column < width - 1 else []
        below = [(child, s) for child, s in below if child in cells[column + 1]]
        if not below:
            rows.append(MatrixRow(here + (None,) * (width - len(here))))
            return
        for child, child_suspect in below:
            walk(column + 1, child, here, child_suspect)

    for column in range(width):
        for record_id in cells[column]:
            if column == 0 or record_id not in reached[column]:
                walk(column, record_id, (None,) * column, False)
    return rows
