"""As-of views: record, trace, impact and matrix rebuilt at past instants, with known answers.

A controllable clock dates every write, so the instants between steps are exact:

  A  UN-1 <- REQ-1 (v1 approved) <- TC-1, TC-3 (verifies, stamped v1)
  B  REQ-1 v2 approved (v1 superseded): both verifies links suspect
  C  TC-3's link confirmed against v2: only TC-1's is suspect
  now  TC-1's link removed, TC-2 verifies REQ-1 v2
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from alembic import command

from qspine import NotFound, Spine, load_profile
from qspine.model.asof import parse_instant, stamp
from qspine.model.errors import InvalidInput
from qspine.store.migrate import alembic_config

from helpers import Clock, approve, sample_fields

PROFILE = load_profile()


@dataclass
class Story:
    spine: Spine
    before: dt.datetime
    a: dt.datetime
    b: dt.datetime
    c: dt.datetime


@pytest.fixture
def story(spine: Spine) -> Story:
    clock = Clock()
    spine.context.clock = clock
    before = clock.mark()
    for kind, title in [
        ("user_need", "Triage"),
        ("requirement", "Flag within 2 s"),
        ("test_case", "Timing test"),
        ("test_case", "Replacement test"),
        ("test_case", "Soak test"),
        ("test_result", "Timing run"),
    ]:
        spine.records.create("quinn", kind, sample_fields(PROFILE, kind, title))
    spine.links.link("quinn", "derives_from", "REQ-1", "UN-1")
    spine.links.link("quinn", "verifies", "TC-1", "REQ-1")
    spine.links.link("quinn", "verifies", "TC-3", "REQ-1")
    spine.links.link("quinn", "result_of", "TR-1", "TC-1")
    approve(spine, "REQ-1", 1)
    a = clock.mark()
    spine.records.revise("quinn", "REQ-1", {"title": "Flag within 1 s"}, 1, "tighter")
    approve(spine, "REQ-1", 2)
    b = clock.mark()
    spine.links.confirm("quinn", "verifies", "TC-3", "REQ-1", "still verifies v2")
    c = clock.mark()
    spine.links.unlink("quinn", "verifies", "TC-1", "REQ-1", "timing test retired")
    spine.links.link("quinn", "verifies", "TC-2", "REQ-1")
    return Story(spine, before, a, b, c)


def test_record_as_of_each_instant(story: Story) -> None:
    records = story.spine.records
    then = records.show("REQ-1", at=story.a)
    assert (then.version.number, then.status, then.title) == (1, "approved", "Flag within 2 s")
    assert then.released_version == 1 and then.as_of == story.a
    assert [(x.source, x.suspect) for x in then.links_in] == [("TC-1", False), ("TC-3", False)]
    assert [s.meaning for s in then.signatures] == ["approved"]
    assert then.next_transitions == [], "the past is read-only"

    later = records.show("REQ-1", at=story.b)
    assert (later.version.number, later.status, later.title) == (2, "approved", "Flag within 1 s")
    assert [(x.source, x.target_version, x.suspect) for x in later.links_in] == [
        ("TC-1", 1, True),
        ("TC-3", 1, True),
    ]
    assert [x.target for x in later.links_out] == ["UN-1"]

    confirmed = records.show("REQ-1", at=story.c)
    assert [(x.source, x.target_version, x.suspect) for x in confirmed.links_in] == [
        ("TC-1", 1, True),
        ("TC-3", 2, False),
    ]
    now = records.show("REQ-1")
    assert {(x.source, x.suspect) for x in now.links_in} == {("TC-2", False), ("TC-3", False)}
    history = records.show("REQ-1", at=story.b)
    assert history.version.status == "approved"
    first = records.show("REQ-1", at=story.a)
    assert first.version.status == "approved", "v1 was approved before v2 superseded it"


def test_trace_as_of_follows_the_links_that_existed(story: Story) -> None:
    spine, ada = story.spine, story.spine.users.get("ada")
    keys = lambda r: {n.key for n in r.nodes}  # noqa: E731
    assert keys(spine.trace.trace(ada, "REQ-1", "down", at=story.b)) == {
        "REQ-1",
        "TC-1",
        "TC-3",
        "TR-1",
    }
    assert keys(spine.trace.trace(ada, "REQ-1", "down")) == {"REQ-1", "TC-2", "TC-3"}
    at_b = spine.trace.trace(ada, "UN-1", "down", at=story.b)
    assert at_b.as_of == story.b
    assert {(e.source, e.suspect) for e in at_b.edges if e.type == "verifies"} == {
        ("TC-1", True),
        ("TC-3", True),
    }
    at_c = spine.trace.trace(ada, "UN-1", "down", at=story.c)
    assert {(e.source, e.suspect) for e in at_c.edges if e.type == "verifies"} == {
        ("TC-1", True),
        ("TC-3", False),
    }
    req = next(n for n in spine.trace.trace(ada, "UN-1", at=story.a).nodes if n.key == "REQ-1")
    assert (req.version, req.status, req.title) == (1, "approved", "Flag within 2 s")
    with pytest.raises(NotFound, match="did not exist yet"):
        spine.trace.trace(ada, "UN-1", at=story.before)


def test_impact_as_of(story: Story) -> None:
    spine, ada = story.spine, story.spine.users.get("ada")
    then = spine.trace.impact(ada, ["REQ-1"], at=story.a)
    assert {(e.source, e.type) for e in then.will_turn_suspect} == {
        ("TC-1", "verifies"),
        ("TC-3", "verifies"),
    }
    assert then.already_suspect == []
    at_b = spine.trace.impact(ada, ["REQ-1"], at=story.b)
    assert {e.source for e in at_b.already_suspect} == {"TC-1", "TC-3"}
    assert {n.key for n in at_b.affected["test_result"]} == {"TR-1"}
    now = spine.trace.impact(ada, ["REQ-1"])
    assert "test_result" not in now.affected, "TR-1's test no longer verifies REQ-1"


def test_matrix_as_of(story: Story) -> None:
    spine, ada = story.spine, story.spine.users.get("ada")

    def rows(at: dt.datetime | None) -> list[list[tuple[str, int, bool] | None]]:
        built = spine.matrices.build(ada, "requirement_verification", at=at)
        return [
            [None if c is None else (c.key, c.version, c.suspect) for c in row.cells]
            for row in built.rows
        ]

    assert rows(story.a) == [
        [("REQ-1", 1, False), ("TC-1", 1, False), ("TR-1", 1, False)],
        [("REQ-1", 1, False), ("TC-3", 1, False), None],
        [None, ("TC-2", 1, False), None],
    ]
    assert rows(story.b) == [
        [("REQ-1", 2, False), ("TC-1", 1, True), ("TR-1", 1, False)],
        [("REQ-1", 2, False), ("TC-3", 1, True), None],
        [None, ("TC-2", 1, False), None],
    ]
    assert rows(None) == [
        [("REQ-1", 2, False), ("TC-2", 1, False), None],
        [("REQ-1", 2, False), ("TC-3", 1, False), None],
        [None, ("TC-1", 1, False), ("TR-1", 1, False)],
    ]
    before = spine.matrices.build(ada, "requirement_verification", at=story.before)
    assert len(before.rows) == 0 and before.as_of == story.before
    at_a = spine.matrices.build(ada, "requirement_verification", at=story.a)
    again = spine.matrices.build(ada, "requirement_verification", at=story.a)
    assert at_a.fingerprint == again.fingerprint
    assert at_a.fingerprint != spine.matrices.build(ada, "requirement_verification").fingerprint


def test_matrix_filters(story: Story) -> None:
    spine, ada = story.spine, story.spine.users.get("ada")
    suspect = spine.matrices.build(ada, "requirement_verification", at=story.c, suspect_only=True)
    assert [[c and c.key for c in row.cells] for row in suspect.rows] == [["REQ-1", "TC-1", "TR-1"]]
    found = spine.matrices.build(ada, "requirement_verification", text="soak")
    assert [row.cells[1] and row.cells[1].key for row in found.rows] == ["TC-3"]
    assert found.filters == {"text": "soak"}


def test_link_stamps_backfill_from_the_audit_trail(story: Story) -> None:
    """Migration 0004 rebuilds stamp history from links and confirm events: same answers."""
    spine = story.spine
    expected = [spine.records.show("REQ-1", at=at).links_in for at in (story.a, story.b, story.c)]
    config = alembic_config()
    with spine.context.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
        command.upgrade(config, "head")
    rebuilt = [spine.records.show("REQ-1", at=at).links_in for at in (story.a, story.b, story.c)]
    assert rebuilt == expected


def test_parse_instant() -> None:
    now = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)
    assert parse_instant("2026-03-01", now) == dt.datetime(
        2026, 3, 1, 23, 59, 59, 999999, tzinfo=dt.UTC
    )
    assert parse_instant("2026-03-01T12:00:00+01:00", now) == dt.datetime(
        2026, 3, 1, 11, 0, tzinfo=dt.UTC
    )
    assert stamp(parse_instant("2026-03-01T12:00:00Z", now)) == "2026-03-01T12:00:00.000000Z"
    with pytest.raises(InvalidInput, match="give the UTC offset"):
        parse_instant("2026-03-01T12:00:00", now)
    with pytest.raises(InvalidInput, match="in the future"):
        parse_instant("2027-01-01", now)
    with pytest.raises(InvalidInput, match="ISO 8601"):
        parse_instant("last tuesday", now)
