"""Printing: rich tables for people, --json for programs, one line on stderr for errors."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

console = Console(highlight=False)


def jsonable(value: Any) -> Any:
    """Dataclasses, named tuples, datetimes and paths as plain JSON values (the faces'
    shared shape)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for name in _properties(type(value)):
            data[name] = jsonable(getattr(value, name))
        return data
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a named tuple: by name
        return {name: jsonable(getattr(value, name)) for name in value._fields}
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


@functools.cache
def _properties(cls: type) -> tuple[str, ...]:
    """Public computed properties (a signature's manifestation, a matrix's gap count...)."""
    return tuple(
        name
        for name in dir(cls)
        if not name.startswith("_")
        and isinstance(getattr(cls, name, None), property | functools.cached_property)
    )


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(jsonable(value), indent=2, ensure_ascii=False) + "\n")


def error_line(message: str) -> None:
    sys.stderr.write("error: " + " ".join(str(message).split()) + "\n")


def utc(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    grid = Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        grid.add_column(column, overflow="fold")
    for row in rows:
        grid.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(grid)


def short(value: Any, width: int = 70) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


Step = Callable[[str, int, int], None]


@contextmanager
def progress(description: str) -> Iterator[Step]:
    """A progress bar on stderr for a long operation; yields `step(what, done, total)`."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with bar:
        task = bar.add_task(description, total=None)

        def step(what: str, done: int, total: int) -> None:
            bar.update(task, description=what, completed=done, total=total)

        yield step
