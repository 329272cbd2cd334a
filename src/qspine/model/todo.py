"""A person's work across workflows: what they owe, by when."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

SOON_DAYS = 14


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
        if self.due is None:
            return "open"
        if self.due < self.today:
            return "overdue"
        return "due soon" if (self.due - self.today).days <= SOON_DAYS else "later"


@dataclass(frozen=True)
class Todo:
    user: str
    today: dt.date
    items: tuple[TodoItem, ...]

    @property
    def overdue(self) -> int:
        return sum(item.state == "overdue" for item in self.items)
