"""Transition guards (see qspine.model.guards): the checks behind each guard name.

Each guard reads the record as it stands inside the caller's transaction and returns its
problems in words, naming the records, versions, fields and links concerned; no problems
means the record may enter the state. They run before plain and signed transitions alike,
and the record's faces show them beforehand next to each guarded next step.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Connection

from qspine.model.errors import InvalidInput
from qspine.model.profile import Profile
from qspine.model.records import RecordView
from qspine.services import event_guards, model_gate, qms_guards, reads
from qspine.services.audit import NewEvent
from qspine.services.guard_subject import Guard, Subject
from qspine.services.lifecycle import load_record


def problems(
    connection: Connection,
    profile: Profile,
    view: RecordView,
    to_status: str,
    today: dt.date,
    blob_dir: Path | None = None,
) -> list[str]:
    """Every problem the guards of `view`'s kind find for entering `to_status`."""
    names = profile.kinds[view.kind].guards.get(to_status, ())
    subject = Subject(connection, profile, view, today, blob_dir)
    return [problem for name in names for problem in GUARDS[name](subject)]


def refuse_if_blocked(
    connection: Connection,
    profile: Profile,
    key: str,
    to_status: str,
    today: dt.date,
    blob_dir: Path | None = None,
) -> None:
    """Raise InvalidInput listing every problem if `key` may not enter `to_status`."""
    if not profile.kinds[load_record(connection, key)["kind"]].guards.get(to_status):
        return
    view = reads.record_view(connection, profile, key)
    found = problems(connection, profile, view, to_status, today, blob_dir)
    if found:
        raise InvalidInput(f"{key} cannot move to {to_status}: " + "; ".join(found))


def reasoning(
    connection: Connection,
    profile: Profile,
    key: str,
    to_status: str,
    actor: str,
    today: dt.date,
    blob_dir: Path | None = None,
) -> list[NewEvent]:
    """Audit events recording why the guards that keep their reasoning (RECORDERS) let
    `key` enter `to_status`: appended with the transition, in its transaction."""
    names = profile.kinds[load_record(connection, key)["kind"]].guards.get(to_status, ())
    if not any(name in RECORDERS for name in names):
        return []
    view = reads.record_view(connection, profile, key)
    subject = Subject(connection, profile, view, today, blob_dir)
    return [RECORDERS[name](subject, actor) for name in names if name in RECORDERS]


def annotate(
    connection: Connection,
    profile: Profile,
    view: RecordView,
    today: dt.date,
    blob_dir: Path | None = None,
) -> RecordView:
    """The view with each guarded next step's problems under `blocked_by`."""
    guarded = profile.kinds[view.kind].guards
    if not any(step["to"] in guarded for step in view.next_transitions):
        return view
    steps = [
        {**step, "blocked_by": problems(connection, profile, view, step["to"], today, blob_dir)}
        if step["to"] in guarded
        else step
        for step in view.next_transitions
    ]
    return dataclasses.replace(view, next_transitions=steps)


GUARDS: dict[str, Guard] = {
    "action_closure": qms_guards.action_closure,
    "audit_closure": qms_guards.audit_closure,
    "capa_closure": event_guards.capa_closure,
    "change_closure": event_guards.change_closure,
    "complaint_closure": event_guards.complaint_closure,
    "finding_closure": qms_guards.finding_closure,
    "model_release": model_gate.guard,
    "nonconformance_closure": qms_guards.nonconformance_closure,
    "review_closure": qms_guards.review_closure,
    "supplier_approval": qms_guards.supplier_approval,
}

# Guards whose reasoning is recorded with a transition they let through: (subject, actor) ->
# the audit event that keeps it.
RECORDERS: dict[str, Callable[[Subject, str], NewEvent]] = {
    "model_release": model_gate.release_event,
}
