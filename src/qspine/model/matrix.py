"""Trace matrices as data: columns, rows of cells, gaps and suspect marks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class MatrixCell:
    """One record in a row; `suspect` marks the link from the previous cell to this one."""

    key: str
    title: str
    status: str
    version: int
    suspect: bool = False


@dataclass(frozen=True)
class MatrixRow:
    """One path through the chain; a missing cell (None) anywhere makes the row a gap."""

    cells: tuple[MatrixCell | None, ...]

    @property
    def gap(self) -> bool:
        return any(cell is None for cell in self.cells)

    @property
    def suspect(self) -> bool:
        return any(cell is not None and cell.suspect for cell in self.cells)


@dataclass(frozen=True)
class MatrixHeader:
    kind: str
    title: str
    link: str | None


@dataclass(frozen=True)
class Matrix:
    """A computed trace matrix; `fingerprint` identifies its content for evidence."""

    name: str
    title: str
    clauses: tuple[str, ...]
    columns: tuple[MatrixHeader, ...]
    rows: list[MatrixRow]
    generated_at: dt.datetime
    fingerprint: str
    as_of: dt.datetime | None = None
    filters: dict[str, object] = field(default_factory=dict)

    @property
    def gaps(self) -> int:
        return sum(row.gap for row in self.rows)

    @property
    def suspects(self) -> int:
        return sum(row.suspect for row in self.rows)
