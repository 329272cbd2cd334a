"""My work: each person's assigned, due and overdue items across the quality workflows.

Gathered from the records themselves, never from a separate task list: open actions they
own (management review, CAPA, audit and change actions), CAPAs they own with their
effectiveness check, complaints they entered whose MDR decision or report is pending with
its regulatory deadline, findings they raised awaiting a response, suppliers they entered
due for re-evaluation, training they owe for their job roles, and records they wrote that
are still moving.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Connection

from qspine.model.deadlines import as_date, mdr_due
from qspine.model.profile import Profile
from qspine.model.todo import Todo, TodoItem
from qspine.services import reads
from qspine.services.context import SpineContext
from qspine.services.training import training_cells
from qspine.services.users import User, UserService
from qspine.services.worklist import WorklistService
from qspine.store.engine import read_connection

DONE = frozenset({"closed", "cancelled"})


class TodoService:
    def __init__(self, context: SpineContext, users: UserService, work: WorklistService) -> None:
        self._context = context
        self._users = users
        self._work = work

    def overdue(self, user: User) -> list[TodoItem]:
        """The reader's own items past their due date (the dashboard's card): the dated
        workflows only, not the records still moving, which have no due date."""
        self._users.permits(user, "read")
        today = self._context.clock().date()
        with read_connection(self._context.engine) as connection:
            items = _gather(connection, self._context.profile, user.username, today)
        return sorted(
            (i for i in items if i.state == "overdue"), key=lambda i: (i.due or today, i.key)
        )

    def for_user(self, user: User, username: str | None = None) -> Todo:
        """`username`'s items (default: the reader's own), overdue first, then by due date."""
        self._users.permits(user, "read")
        who = username or user.username
        self._users.get(who)  # NotFound for an unknown user
        today = self._context.clock().date()
        with read_connection(self._context.engine) as connection:
            items = _gather(connection, self._context.profile, who, today)
        seen = {item.key for item in items}
        _, written = self._work.open_work(who, limit=200)
        items += [
            TodoItem(
                r.key,
                r.kind,
                r.title,
                r.status,
                f"move your v{r.version} on",
                None,
                today,
            )
            for r in written
            if r.key not in seen
        ]
        order = {"overdue": 0, "due soon": 1, "later": 2, "open": 3}
        items.sort(key=lambda i: (order[i.state], i.due or dt.date.max, i.key))
        return Todo(who, today, tuple(items))


def _gather(connection: Connection, profile: Profile, who: str, today: dt.date) -> list[TodoItem]:
    items: list[TodoItem] = []

    def add(row: reads.KindRow, kind: str, what: str, due: dt.date | None) -> None:
        items.append(TodoItem(row.key, kind, row.title, row.status, what, due, today))

    for row in reads.kind_records(connection, "action"):
        if row.fields.get("owner") == who and row.status not in DONE:
            add(row, "action", "complete the action", as_date(row.fields.get("due_date")))
    for row in reads.kind_records(connection, "capa"):
        if row.fields.get("owner") == who and row.status not in DONE:
            add(row, "capa", "check effectiveness", as_date(row.fields.get("effectiveness_due")))
    for row in reads.kind_records(connection, "complaint"):
        if row.author != who or row.status in DONE:
            continue
        decision, deadline = row.fields.get("mdr_reportable"), mdr_due(row.fields)
        if decision not in ("yes", "no"):
            add(row, "complaint", "decide MDR reportability", deadline)
        elif decision == "yes" and not row.fields.get("mdr_submitted_on"):
            add(row, "complaint", "submit the MDR", deadline)
    for row in reads.kind_records(connection, "finding"):
        if row.author == who and row.status not in DONE and row.fields.get("response_due"):
            add(row, "finding", "respond to the finding", as_date(row.fields["response_due"]))
    for row in reads.kind_records(connection, "supplier"):
        due = as_date(row.fields.get("reevaluation_due"))
        if row.author == who and row.status == "approved" and due is not None:
            add(row, "supplier", "re-evaluate the supplier", due)
    for cell in training_cells(connection, profile, today, who):
        if cell.owed:
            need = cell.requirement
            items.append(
                TodoItem(
                    need.document,
                    "document",
                    need.document_title,
                    "effective",
                    f"train on v{need.version} ({need.role} {need.role_title})",
                    cell.due,
                    today,
                )
            )
    return items
