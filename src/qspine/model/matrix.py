"""Trace matrices as data: columns, rows of cells, gaps and suspect marks.

A matrix's rows are held as groups that share their tails: the rows below a test case that
verifies six requirements are held once, not six times. Counting, fingerprinting and CSV
work per group and per shared tail (string joins in C), so a matrix of a million rows is
read without a million row objects; rows are made only for whoever iterates them.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, overload


class MatrixCell(NamedTuple):
    """One record in a row; `suspect` marks the link from the previous cell to this one.

    A named tuple: cheap to make, and of plain values only, so the cyclic collector stops
    tracking it."""

    key: str
    title: str
    status: str
    version: int
    suspect: bool = False


class MatrixRow(NamedTuple):
    """One path through the chain; a missing cell (None) anywhere makes the row a gap, and a
    suspect cell makes the row suspect. The two marks are worked out once, when the row is
    assembled (a matrix can have a million rows, each read several times)."""

    cells: tuple[MatrixCell | None, ...]
    gap: bool
    suspect: bool


Tail = tuple[tuple[MatrixCell | None, ...], bool, bool]
"""A row's cells from one column to the last, with its gap and suspect marks (a plain tuple:
there are hundreds of thousands)."""


class RowText(NamedTuple):
    """How rows are written as lines: a cell's text (None: a missing cell), the separator
    between cells, and what ends a line given the row's gap and suspect marks."""

    cell: Callable[[MatrixCell | None], str]
    separator: str
    end: Callable[[bool, bool], str]


class Tails:
    """Every row from one record (reached through a link with one suspect mark) to the last
    column: shared by every row group whose record links to that one."""

    __slots__ = ("gaps", "items", "suspects")

    def __init__(self, items: list[Tail], gaps: int, suspects: int) -> None:
        self.items = items
        self.gaps = gaps
        self.suspects = suspects

    @classmethod
    def counted(cls, items: list[Tail]) -> Tails:
        """Tails whose gap and suspect counts are worked out here."""
        return cls(items, sum(tail[1] for tail in items), sum(tail[2] for tail in items))


RowGroup = tuple[tuple[MatrixCell | None, ...], tuple[Tails, ...]]
"""Rows that begin with the same lead cells and end with each of the shared tails."""


class MatrixRows(Sequence[MatrixRow]):
    """A matrix's rows in order, held as row groups; a row object is made when asked for."""

    def __init__(self, groups: list[RowGroup]) -> None:
        self._groups = groups
        self._length = self.gaps = self.suspects = 0
        for lead, tails in groups:
            lead_gap = any(cell is None for cell in lead)
            for shared in tails:
                self._length += len(shared.items)
                self.gaps += len(shared.items) if lead_gap else shared.gaps
                self.suspects += shared.suspects

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[MatrixRow]:
        for lead, tails in self._groups:
            lead_gap = any(cell is None for cell in lead)
            for shared in tails:
                for cells, gap, suspect in shared.items:
                    yield MatrixRow(lead + cells, lead_gap or gap, suspect)

    @overload
    def __getitem__(self, index: int) -> MatrixRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[MatrixRow]: ...

    def __getitem__(self, index: int | slice) -> MatrixRow | list[MatrixRow]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._length)
            if step < 0:
                return list(self)[index]
            return list(itertools.islice(self, start, stop, step))
        position = index + self._length if index < 0 else index
        if not 0 <= position < self._length:
            raise IndexError("matrix row index out of range")
        return next(itertools.islice(self, position, None))

    def lines(self, text: RowText) -> Iterator[str]:
        """The rows written as lines, each begun with a newline, yielded a group at a time.

        Each cell is written once and each shared tail once; a group's lines are its tails
        joined to its lead in C."""
        cell_text, separator, end = text
        written: dict[int, str] = {}  # id(cell) -> text: cells live as long as the rows

        def write(cell: MatrixCell | None) -> str:
            known = written.get(id(cell))
            if known is None:
                known = written[id(cell)] = cell_text(cell)
            return known

        def tail_lines(shared: Tails, lead_gap: bool) -> list[str]:
            return [
                separator.join(map(write, cells)) + end(lead_gap or gap, suspect)
                for cells, gap, suspect in shared.items
            ]

        shared_lines: dict[Tails, list[str]] = {}  # the lines of tails after a full lead
        for lead, tails in self._groups:
            begin = "\n" + "".join([write(cell) + separator for cell in lead])
            if None in lead:  # an orphan's rows: their own, gap marked
                parts = [line for shared in tails for line in tail_lines(shared, True)]
            else:
                try:
                    parts = list(
                        itertools.chain.from_iterable(map(shared_lines.__getitem__, tails))
                    )
                except KeyError:  # tails met for the first time: written once, then shared
                    for shared in tails:
                        if shared not in shared_lines:
                            shared_lines[shared] = tail_lines(shared, False)
                    parts = list(
                        itertools.chain.from_iterable(map(shared_lines.__getitem__, tails))
                    )
            yield begin + begin.join(parts)


@dataclass(frozen=True)
class MatrixHeader:
    kind: str
    title: str
    link: str | None


@dataclass(frozen=True)
class Matrix:
    """A computed trace matrix.

    Its `fingerprint` identifies its content for evidence: the SHA-256 of its CSV export,
    the digest `sha256sum` prints for the downloaded file. Worked out when first read (a
    pass over every row), or on the way when the CSV is written."""

    name: str
    title: str
    clauses: tuple[str, ...]
    columns: tuple[MatrixHeader, ...]
    rows: MatrixRows
    generated_at: dt.datetime
    as_of: dt.datetime | None = None
    filters: dict[str, object] = field(default_factory=dict)

    @property
    def gaps(self) -> int:
        return self.rows.gaps

    @property
    def suspects(self) -> int:
        return self.rows.suspects

    @functools.cached_property
    def fingerprint(self) -> str:
        for _ in self.csv_chunks():  # sets the fingerprint on the way
            pass
        return str(self.__dict__["fingerprint"])

    def csv(self) -> str:
        """The matrix as one CSV text (see `csv_chunks`)."""
        return "".join(self.csv_chunks())

    def csv_chunks(self) -> Iterator[str]:
        """The matrix as CSV (RFC 4180 quoting), a row group at a time: a header line, then
        one line per row (each cell's key with version and suspect mark, title and status;
        then gap and suspect as 'yes' or empty). Written from the shared tails: string joins,
        not row objects; never held whole. The fingerprint is taken on the way."""
        digest = None if "fingerprint" in self.__dict__ else hashlib.sha256()
        chunks = itertools.chain((self._csv_header(),), self.rows.lines(CSV_TEXT), ("\n",))
        for chunk in chunks:
            if digest is not None:
                digest.update(chunk.encode())
            yield chunk
        if digest is not None:  # cached_property's slot, filled once the whole text is read
            self.__dict__["fingerprint"] = digest.hexdigest()

    def header_row(self) -> list[str]:
        names = []
        for column in self.columns:
            names += [f"{column.title} key", f"{column.title} title", f"{column.title} status"]
        return [*names, "gap", "suspect"]

    def _csv_header(self) -> str:
        return ",".join(map(_csv_field, self.header_row()))


def cell_values(cell: MatrixCell | None) -> list[str]:
    """A cell as exports show it: key with version (and suspect mark), title, status."""
    if cell is None:
        return ["", "", ""]
    key = f"{cell.key} v{cell.version}" + (" (SUSPECT)" if cell.suspect else "")
    return [key, cell.title, cell.status]


_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def _csv_field(value: str) -> str:
    """One CSV field (RFC 4180): quoted, quotes doubled, when it holds a comma, a quote or a
    line break."""
    return '"' + value.replace('"', '""') + '"' if _NEEDS_QUOTES.search(value) else value


def _csv_cell(cell: MatrixCell | None) -> str:
    """A cell's three CSV fields."""
    if cell is None:
        return ",,"
    return ",".join(
        [
            value if _NEEDS_QUOTES.search(value) is None else _csv_field(value)
            for value in cell_values(cell)
        ]
    )


def _csv_end(gap: bool, suspect: bool) -> str:
    return (",yes" if gap else ",") + (",yes" if suspect else ",")


CSV_TEXT = RowText(_csv_cell, ",", _csv_end)
