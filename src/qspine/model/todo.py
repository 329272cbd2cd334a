"""A person's work across workflows: what they owe, by when."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

SOON_DAYS = 14


def due_state(due: dt.date | None, today: dt.date) -> str:
    """overdue, due soon (within SOON_DAYS), later, or open (no due date)."""
    if due is None:
        return "open"
    if due < today:
        return "overdue"
    return "due soon" if (due - today).days <= SOON_DAYS else "later"


@dataclass(frozen=True)
class TodoItem:
    """One thing a person must do: the record it is about, what is owed and its due date."""

    key: str
    kind: str
    title: str
    status: str
    what: str
    due: dt.date | None
    today: dt.date

    @property
    def state(self) -> str:
        """overdue, due soon (within SOON_DAYS), later, or open (no due date)."""
        return due_state(self.due, self.today)


@dataclass(frozen=True)
class Todo:
    user: str
    today: dt.date
    items: tuple[TodoItem, ...]

    @property
    def overdue(self) -> int:
        return sum(item.state == "overdue" for item in self.items)
