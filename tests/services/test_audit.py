"""`audit verify` catches an edited, deleted, inserted or reordered event made by direct SQL."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from qspine import Spine
from qspine.model.audit import event_hash

from helpers import PASSWORD, Invoke, sign_cli


@pytest.fixture
def chain(seeded: Invoke) -> Invoke:
    """A spine file with a few dozen chained events (seeded users and records, plus work)."""
    q = seeded
    assert q("-u", "eve", "record", "transition", "REQ-1", "in_review", "--expect", "1").code == 0
    assert sign_cli(q, "quinn", "REQ-1", "approved", 1, PASSWORD).code == 0
    assert q("-u", "eve", "link", "add", "REQ-1", "derives_from", "UN-1").code == 0
    assert q("audit", "verify").code == 0
    return q


def edit(db: sqlite3.Connection) -> None:
    db.execute("UPDATE audit_event SET reason = 'nothing to see here' WHERE seq = 5")


def delete(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM audit_event WHERE seq = 5")


def delete_last(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM audit_event WHERE seq = (SELECT max(seq) FROM audit_event)")


def insert(db: sqlite3.Connection) -> None:
    """A careful forger: shifts later events and gives the forged one a valid hash of its own."""
    db.execute("UPDATE audit_event SET seq = -seq WHERE seq >= 5")
    db.execute("UPDATE audit_event SET seq = 1 - seq WHERE seq < 0")
    previous = db.execute("SELECT hash FROM audit_event WHERE seq = 4").fetchone()[0]
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    body = {
        "seq": 5,
        "at": at,
        "actor": "quinn",
        "action": "signature.create",
        "subject": "REQ-2",
        "version": 1,
        "reason": "backdated",
        "before": None,
        "after": None,
        "payload": {},
    }
    forged = event_hash(prev_hash=previous, **body)
    db.execute(
        "INSERT INTO audit_event (seq, at, actor, action, subject, version, reason, before, "
        "after, payload, prev_hash, hash) VALUES (5, '2026-01-01 00:00:00.000000', 'quinn', "
        "'signature.create', 'REQ-2', 1, 'backdated', NULL, NULL, ?, ?, ?)",
        (json.dumps({}), previous, forged),
    )


def reorder(db: sqlite3.Connection) -> None:
    db.execute("UPDATE audit_event SET seq = -1 WHERE seq = 5")
    db.execute("UPDATE audit_event SET seq = 5 WHERE seq = 6")
    db.execute("UPDATE audit_event SET seq = 6 WHERE seq = -1")


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (edit, "BROKEN at event 5: content does not match its hash (edited)"),
        (delete, "BROKEN at event 6: expected event 5 here, found 6"),
        (delete_last, "events were removed"),
        (insert, "BROKEN at event 6: does not link to the event before it"),
        (reorder, "BROKEN at event 5"),
    ],
)
def test_verify_names_the_first_event_that_fails(
    chain: Invoke, db_file: Path, tamper: Callable[[sqlite3.Connection], None], expected: str
) -> None:
    with sqlite3.connect(db_file) as db:
        tamper(db)
    result = chain("audit", "verify")
    assert result.code == 1
    assert expected in " ".join(result.out.split())
    report = json.loads(chain("audit", "verify", "--json").out)
    assert report["intact"] is False


def test_verify_on_a_real_server_catches_an_edited_event(spine: Spine) -> None:
    spine.records.create("eve", "user_need", {"title": "Triage", "statement": "Fast triage"})
    assert spine.audit.verify().intact
    with spine.context.engine.begin() as connection:
        connection.execute(sa.text("UPDATE audit_event SET actor = 'mallory' WHERE seq = 2"))
    report = spine.audit.verify()
    assert report.chain_break is not None and report.chain_break.seq == 2


def test_every_write_appends_an_event_with_fingerprints(spine: Spine) -> None:
    view = spine.records.create("eve", "user_need", {"title": "Triage", "statement": "Fast"})
    revised = spine.records.revise("eve", view.key, {"statement": "Faster"}, 1, "clarify")
    log = spine.audit.log(view.key)
    assert [(e.action, e.version) for e in log[:2]] == [
        ("record.transition", 1),  # the unreleased v1 draft is superseded by v2
        ("record.revise", 2),
    ]
    event = log[1]
    assert (event.action, event.actor, event.reason) == ("record.revise", "eve", "clarify")
    assert (event.before, event.after) == (view.version.fingerprint, revised.version.fingerprint)
    assert event.at.tzinfo is not None and event.payload["changes"][0]["field"] == "statement"


def test_link_events_are_found_from_either_end(spine: Spine) -> None:
    need = spine.records.create("eve", "user_need", {"title": "Triage", "statement": "Fast"}).key
    req = spine.records.create("eve", "requirement", {"title": "R", "statement": "S"}).key
    spine.links.link("eve", "derives_from", req, need, "traced")
    for key in (need, req):
        event = spine.audit.log(key)[0]
        assert (event.action, event.subject, event.related) == ("link.create", req, need)
    assert spine.audit.verify().intact
