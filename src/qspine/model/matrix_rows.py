"""A trace matrix's rows: cells, row groups over shared tails, and the chain they come from.

A matrix row is a path through its chain of columns. Rows are never held one by one: a test
case verifying six requirements has its rows (to the results below it) worked out once and
shared. Two holders:

- `ChainRows`, an unfiltered matrix straight from its columns' cells and the coded links
  between them. Its counts are worked out bottom-up in integers, and its lines (CSV) bottom-up
  in strings, so a full export makes no row and no tail objects at all; row groups are
  assembled only when the rows are iterated (HTML, XLSX, JSON, filters).
- `GroupedRows`, rows already in groups (a filtered matrix).
"""

from __future__ import annotations

import collections
import functools
import itertools
from abc import abstractmethod
from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple, overload

from qspine.model.bulk import bulk_allocation


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


Children = dict[int, list[int]]
"""A column's record id -> the records it reaches in the next column, in link order, each
coded as record id * 2 + 1 if the link is suspect, else record id * 2 (one int: the codes
index the tails directly, in C)."""

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
    """A matrix's rows in order, held as row groups; a row object is made when asked for.

    Subclasses give the groups, the counts (`len`, `gaps`, `suspects`) and the lines."""

    gaps: int
    suspects: int
    _length: int

    @property
    @abstractmethod
    def groups(self) -> list[RowGroup]:
        """The rows as groups: lead cells and the shared tails after them."""

    @abstractmethod
    def lines(self, text: RowText) -> Iterator[str]:
        """The rows written as lines, each begun with a newline, yielded a group at a time."""

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[MatrixRow]:
        for lead, tails in self.groups:
            lead_gap = None in lead
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


_MARK = (1).__and__
"""A coded record's suspect mark (1 or 0), in C."""


class GroupedRows(MatrixRows):
    """Rows given as groups (a filtered matrix: its tails are its own, not shared)."""

    def __init__(self, groups: list[RowGroup]) -> None:
        self._groups = groups
        self._length = self.gaps = self.suspects = 0
        for lead, tails in groups:
            lead_gap = None in lead
            for shared in tails:
                self._length += len(shared.items)
                self.gaps += len(shared.items) if lead_gap else shared.gaps
                self.suspects += shared.suspects

    @property
    def groups(self) -> list[RowGroup]:
        return self._groups

    def lines(self, text: RowText) -> Iterator[str]:
        """Each cell written once and each tail once; a group's lines joined in C."""
        cell_text, separator, end = text
        written: dict[int, str] = {}  # id(cell) -> text: cells live as long as the rows

        def write(cell: MatrixCell | None) -> str:
            known = written.get(id(cell))
            if known is None:
                known = written[id(cell)] = cell_text(cell)
            return known

        for lead, tails in self._groups:
            begin = "\n" + "".join([write(cell) + separator for cell in lead])
            lead_gap = None in lead
            parts = [
                separator.join(map(write, cells)) + end(lead_gap or gap, suspect)
                for shared in tails
                for cells, gap, suspect in shared.items
            ]
            yield begin + begin.join(parts)


class ChainRows(MatrixRows):
    """The rows of a whole chain: the cells of each column by record id, and the coded links
    from each column to the next.

    Order: the first column's records in id order, each with its rows in link order; then,
    column by column, the records nothing in the previous column reaches (orphans), each
    starting rows of its own with empty cells before it, so an orphan shows as a gap
    instead of disappearing."""

    def __init__(self, cells: list[dict[int, MatrixCell]], children: list[Children]) -> None:
        self._cells = cells
        self._children = children
        self._width = len(cells)
        reached: list[set[int]] = [set()]
        for column in range(1, self._width):
            reached.append(set(itertools.chain.from_iterable(children[column - 1].values())))
        self._reached = reached
        self._orphans: list[list[int]] = [[]]  # from the second column on: nothing above
        self._orphans += [
            [
                record_id * 2
                for record_id in cells[column]
                if record_id * 2 not in reached[column] and record_id * 2 + 1 not in reached[column]
            ]
            for column in range(1, self._width)
        ]
        self._count()

    def _count(self) -> None:
        """Rows, gaps and suspect rows: below each coded record of the later columns,
        bottom-up in integers; then over the first column's records, each record below them
        weighted by how many of them link to it (counted in C)."""
        width = self._width
        rows: list[dict[int, int]] = [{} for _ in range(width)]
        gaps: list[dict[int, int]] = [{} for _ in range(width)]
        suspects: list[dict[int, int]] = [{} for _ in range(width)]
        for column in range(width - 1, 0, -1):
            below = self._children[column] if column < width - 1 else {}
            pad_gap = int(column < width - 1)
            here_rows, here_gaps, here_suspects = rows[column], gaps[column], suspects[column]
            if column < width - 1:
                next_rows, next_gaps, next_suspects = (
                    rows[column + 1].__getitem__,
                    gaps[column + 1].__getitem__,
                    suspects[column + 1].__getitem__,
                )
            last = column == width - 2  # the links below reach single-row records
            for code in itertools.chain(self._reached[column], self._orphans[column]):
                links = below.get(code >> 1)
                if links and last:  # one row a link, no gap; suspect: the link's mark
                    count = here_rows[code] = len(links)
                    here_gaps[code] = 0
                    here_suspects[code] = count if code & 1 else sum(map(_MARK, links))
                elif links:
                    count = here_rows[code] = sum(map(next_rows, links))
                    here_gaps[code] = sum(map(next_gaps, links))
                    here_suspects[code] = count if code & 1 else sum(map(next_suspects, links))
                else:  # the end of the chain, or nothing below: the rest is empty
                    here_rows[code] = 1
                    here_gaps[code] = pad_gap
                    here_suspects[code] = code & 1
        below = self._children[0] if width > 1 else {}
        alone = sum(1 for record_id in self._cells[0] if not below.get(record_id))
        self._length, self.gaps, self.suspects = alone, alone if width > 1 else 0, 0
        if width > 1:  # a record of the second column, once for each first-column record above
            parents = collections.Counter(itertools.chain.from_iterable(below.values()))
            for code, times in parents.items():
                self._length += rows[1][code] * times
                self.gaps += gaps[1][code] * times
                self.suspects += suspects[1][code] * times
        for column in range(1, width):  # an orphan's rows all have gaps (empty cells before)
            orphan_rows = sum(map(rows[column].__getitem__, self._orphans[column]))
            self._length += orphan_rows
            self.gaps += orphan_rows
            self.suspects += sum(map(suspects[column].__getitem__, self._orphans[column]))

    @functools.cached_property
    def groups(self) -> list[RowGroup]:
        """Row groups in column, record and link order, over tails shared between groups."""
        memo: list[dict[int, Tails]] = [{} for _ in self._cells]
        for column in range(self._width - 1, 0, -1):
            for code in itertools.chain(self._reached[column], self._orphans[column]):
                self._tails(memo, column, code)
        groups: list[RowGroup] = []
        below = self._children[0] if self._width > 1 else {}
        for record_id, cell in self._cells[0].items():
            links = below.get(record_id)
            if links:
                groups.append(((cell,), tuple(map(memo[1].__getitem__, links))))
            else:
                groups.append(((), (self._tails(memo, 0, record_id * 2),)))
        for column in range(1, self._width):
            lead = (None,) * column
            groups += [(lead, (memo[column][code],)) for code in self._orphans[column]]
        return groups

    def _tails(self, memo: list[dict[int, Tails]], column: int, code: int) -> Tails:
        """A coded record's tails from the next column's (already worked out)."""
        suspect = bool(code & 1)
        cell = self._cell(column, code)
        items: list[Tail] = []
        gaps = suspects = 0
        links = self._children[column].get(code >> 1) if column < self._width - 1 else None
        if links:
            for below in map(memo[column + 1].__getitem__, links):
                items += [
                    ((cell, *cells), gap, suspect or below_suspect)
                    for cells, gap, below_suspect in below.items
                ]
                gaps += below.gaps
                suspects += below.suspects
        else:
            pad = self._width - column - 1
            items.append(((cell,) + (None,) * pad, pad > 0, suspect))
            gaps = int(pad > 0)
        found = memo[column][code] = Tails(items, gaps, len(items) if suspect else suspects)
        return found

    def _cell(self, column: int, code: int) -> MatrixCell:
        """A coded record's cell; the suspect mark is the link's: a twin of the cell has it."""
        cell = self._cells[column][code >> 1]
        return cell._replace(suspect=True) if code & 1 else cell

    def lines(self, text: RowText) -> Iterator[str]:
        """Each reached record's lines to the end of the chain are written once, bottom-up,
        as strings, and shared by every record linking to it; a group's lines are joined to
        its lead in C. No row or tail objects are made."""
        with bulk_allocation():  # hundreds of thousands of shared line lists, all kept
            shared = _Lines(self, text)
        cell_text, separator, _ = text
        width = self._width
        below = self._children[0] if width > 1 else {}
        lines_of = shared.plain[1].__getitem__ if width > 1 else None
        for record_id, cell in self._cells[0].items():
            links = below.get(record_id)
            if links and lines_of is not None:
                begin = "\n" + cell_text(cell) + separator
                yield begin + begin.join(itertools.chain.from_iterable(map(lines_of, links)))
            else:
                yield "\n" + shared.end(0, record_id * 2, False, False)[0]
        for column in range(1, width):
            begin = "\n" + (cell_text(None) + separator) * column
            for code in self._orphans[column]:  # an orphan's rows: gaps all
                yield begin + begin.join(shared.of(column, code, True, False))


class _Lines:
    """The lines from each coded record of a chain to its end, as `ChainRows.lines` writes
    them: `plain` for every record a link reaches (rows marked by their own cells), worked
    out bottom-up; `of` for rows whose gap or suspect mark comes from above (below a suspect
    link, or an orphan's), worked out when first asked for."""

    def __init__(self, rows: ChainRows, text: RowText) -> None:
        self._rows = rows
        self._text = text
        width = rows._width
        self._empty = text.separator + text.cell(None)
        self.plain: list[dict[int, tuple[str, ...]]] = [{} for _ in range(width)]
        self._marked: dict[tuple[int, int, bool, bool], tuple[str, ...]] = {}
        cell_text, separator, _ = text
        for column in range(width - 1, 0, -1):
            here = self.plain[column]
            if column == width - 1:
                for code in rows._reached[column]:
                    here[code] = self.end(column, code, False, bool(code & 1))
                continue
            below, lines_of = rows._children[column], self.plain[column + 1].__getitem__
            cells = rows._cells[column]
            for code in rows._reached[column]:
                links = below.get(code >> 1)
                if not links:
                    here[code] = self.end(column, code, False, bool(code & 1))
                elif code & 1:  # below a suspect link, every row is suspect
                    here[code] = self.of(column, code, False, True)
                else:
                    begin = cell_text(cells[code >> 1]) + separator
                    here[code] = tuple(
                        [
                            begin + line
                            for line in itertools.chain.from_iterable(map(lines_of, links))
                        ]
                    )

    def end(self, column: int, code: int, gap: bool, suspect: bool) -> tuple[str, ...]:
        """The one line of a record with nothing below it: empty cells to the last column."""
        pad = self._rows._width - column - 1
        cell = self._rows._cell(column, code)
        end = self._text.end(gap or pad > 0, suspect)
        return (self._text.cell(cell) + self._empty * pad + end,)

    def of(self, column: int, code: int, gap: bool, suspect: bool) -> tuple[str, ...]:
        """A coded record's lines with the marks given from above (and its own)."""
        suspect = suspect or bool(code & 1)
        if not (gap or suspect):
            return self.plain[column][code]
        key = (column, code, gap, suspect)
        found = self._marked.get(key)
        if found is not None:
            return found
        rows = self._rows
        links = rows._children[column].get(code >> 1) if column < rows._width - 1 else None
        if links:
            begin = self._text.cell(rows._cell(column, code)) + self._text.separator
            found = tuple(
                [begin + line for link in links for line in self.of(column + 1, link, gap, suspect)]
            )
        else:
            found = self.end(column, code, gap, suspect)
        self._marked[key] = found
        return found
