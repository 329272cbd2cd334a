"""Trace matrices computed from the spine, as the profile defines them.

Each column's records and the links to the previous column are loaded in bulk (two queries a
column), then rows are assembled in memory: linear in the number of records and links.
Records of a later column that nothing in the previous column reaches start rows of their
own with empty cells before them, so an orphan shows as a gap instead of disappearing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qspine.model.asof import stamp
from qspine.model.bulk import bulk_allocation
from qspine.model.errors import InvalidInput, NotFound
from qspine.model.fingerprint import canonical_json
from qspine.model.links import is_suspect
from qspine.model.matrix import Matrix, MatrixCell, MatrixHeader, MatrixRow
from qspine.model.profile import matrix_direction
from qspine.model.records import RecordState
from qspine.services import history
from qspine.services.context import SpineContext
from qspine.services.users import User, UserService
from qspine.store.engine import read_connection
from qspine.store.schema import link

Children = dict[int, list[tuple[int, bool]]]


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
            states = [history.kind_states(connection, profile, c.kind, at) for c in spec.columns]
            children: list[Children] = []
            for index in range(1, len(spec.columns)):
                column = spec.columns[index]
                previous = spec.columns[index - 1].kind
                direction = matrix_direction(profile, previous, column)
                if direction is None or column.link is None:
                    raise InvalidInput(f"matrix {name}: column {index} does not connect")
                pinned = column.link in profile.pinned_link_types
                ends = (states[index - 1], states[index])
                children.append(_children(connection, column.link, direction, pinned, ends, at))
        cells = [
            {i: MatrixCell(s.key, s.title, s.status, s.version) for i, s in column.items()}
            for column in states
        ]
        rows = _filtered(_rows(cells, children), gaps_only, suspect_only, text)
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
            _fingerprint(name, at, rows),
            as_of=at,
            filters={k: v for k, v in filters.items() if v},
        )


def _fingerprint(name: str, at: dt.datetime | None, rows: list[MatrixRow]) -> str:
    """SHA-256 over the matrix name, the as-of instant and each row's cells (key, version,
    status, suspect mark), one line per row: streamed, never one giant string."""
    digest = hashlib.sha256(
        canonical_json({"matrix": name, "as_of": None if at is None else stamp(at)}).encode()
    )
    for row in rows:
        line = "\t".join(
            "" if c is None else f"{c.key} {c.version} {c.status}{' suspect' if c.suspect else ''}"
            for c in row.cells
        )
        digest.update(f"\n{line}".encode())
    return digest.hexdigest()


def _filtered(rows: list[MatrixRow], gaps: bool, suspect: bool, text: str) -> list[MatrixRow]:
    needle = text.strip().casefold()
    return [
        row
        for row in rows
        if (not gaps or row.gap)
        and (not suspect or row.suspect)
        and (
            not needle
            or any(
                cell is not None
                and (needle in cell.key.casefold() or needle in cell.title.casefold())
                for cell in row.cells
            )
        )
    ]


def _children(
    connection: Connection,
    link_type: str,
    direction: str,
    pinned: bool,
    ends: tuple[dict[int, RecordState], dict[int, RecordState]],
    at: dt.datetime | None,
) -> Children:
    """previous-column record id -> [(this-column record id, link suspect?)], as of `at`.

    `ends` are the states of the previous column and this one; links to records of other
    kinds are not part of the chain and are left out here, once."""
    previous, current = ends
    targets = previous if direction == "in" else current
    near, far = (
        (link.c.target_id, link.c.source_id)
        if direction == "in"
        else (link.c.source_id, link.c.target_id)
    )
    rows = connection.execute(
        sa.select(link.c.id, near, far, link.c.target_id, link.c.target_version)
        .where(link.c.type == link_type, history.link_active(at))
        .order_by(far)
    ).all()
    stamped = {} if at is None else history.stamps_of_type(connection, link_type, at)
    found: Children = defaultdict(list)
    for link_id, parent, child, target_id, stamp_now in rows:
        target = targets.get(target_id)
        if target is None or child not in current:  # another kind: not part of this chain
            continue
        version = stamped[link_id][0] if link_id in stamped else stamp_now
        suspect = not pinned and is_suspect(version, target.released_version)
        found[parent].append((child, suspect))
    return found


def _rows(cells: list[dict[int, MatrixCell]], children: list[Children]) -> list[MatrixRow]:
    width = len(cells)
    rows: list[MatrixRow] = []
    reached: list[set[int]] = [set() for _ in range(width)]
    suspects: list[dict[int, MatrixCell]] = [{} for _ in range(width)]

    def walk(
        column: int, record_id: int, prefix: tuple[MatrixCell | None, ...], suspect: bool
    ) -> None:
        cell = cells[column].get(record_id)
        if cell is None:  # linked record of another kind: not part of this chain
            return
        reached[column].add(record_id)
        if suspect:  # cells are frozen: one suspect twin per record, shared by its rows
            twin = suspects[column].get(record_id)
            if twin is None:
                twin = suspects[column][record_id] = dataclasses.replace(cell, suspect=True)
            cell = twin
        here = (*prefix, cell)
        below = children[column].get(record_id, ()) if column < width - 1 else ()
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
