"""Trace matrices as data: columns, rows (see `matrix_rows`), gaps, suspect marks, CSV.

A matrix of a million rows is counted, fingerprinted and written as CSV without a million
row objects; rows are made only for whoever iterates them.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from qspine.model.matrix_rows import MatrixCell, MatrixRows, RowText


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


_SPECIAL = re.compile(r'["\r\n]')


def _csv_cell(cell: MatrixCell | None) -> str:
    """A cell's three CSV fields: joined as they are when the joined text holds only its
    own two commas and no quote or line break (nearly every cell: one search, not three),
    else each field quoted as it needs."""
    if cell is None:
        return ",,"
    values = cell_values(cell)
    text = ",".join(values)
    if text.count(",") == 2 and _SPECIAL.search(text) is None:
        return text
    return ",".join(map(_csv_field, values))


def _csv_end(gap: bool, suspect: bool) -> str:
    return (",yes" if gap else ",") + (",yes" if suspect else ",")


CSV_TEXT = RowText(_csv_cell, ",", _csv_end)
