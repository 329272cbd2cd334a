"""Traversal and impact on a hand-built spine with known answers."""

from __future__ import annotations

import pytest

from qspine import InvalidInput, NewLink, NewRecord, NotFound, Spine, load_profile

from helpers import PASSWORD, sample_fields

PROFILE = load_profile()

#   UN-1 <-derives_from- REQ-1 <-verifies- TC-1 <-result_of- TR-1
#                        REQ-2 <-verifies- TC-1          (TC-1 verifies both)
#   UN-1 <-derives_from- REQ-2
#   HS-1 <-mitigates- RC-1 -specified_by-> REQ-1 ;  RC-1 <-verifies- TC-2
#   REL-1 -baseline_of-> REQ-1   (pinned)
SHAPE = [
    ("user_need", 1),
    ("requirement", 2),
    ("test_case", 2),
    ("test_result", 1),
    ("hazardous_situation", 1),
    ("risk_control", 1),
    ("release", 1),
]
LINKS = [
    ("derives_from", "REQ-1", "UN-1"),
    ("derives_from", "REQ-2", "UN-1"),
    ("verifies", "TC-1", "REQ-1"),
    ("verifies", "TC-1", "REQ-2"),
    ("result_of", "TR-1", "TC-1"),
    ("mitigates", "RC-1", "HS-1"),
    ("specified_by", "RC-1", "REQ-1"),
    ("verifies", "TC-2", "RC-1"),
    ("baseline_of", "REL-1", "REQ-1"),
]


@pytest.fixture
def graph(spine: Spine) -> Spine:
    spine.records.create_many(
        "quinn",
        [
            NewRecord(kind, sample_fields(PROFILE, kind, f"{kind} {i}"))
            for kind, count in SHAPE
            for i in range(count)
        ],
    )
    spine.links.link_many("quinn", [NewLink(*link) for link in LINKS])
    return spine


def keys(result: object, depth: int | None = None) -> set[str]:
    nodes = result.nodes  # type: ignore[attr-defined]
    return {n.key for n in nodes if depth is None or n.depth == depth}


def test_downstream_closure_with_depths(graph: Spine) -> None:
    ada = graph.users.get("ada")
    down = graph.trace.trace(ada, "UN-1", "down")
    assert {(n.key, n.depth) for n in down.nodes} == {
        ("UN-1", 0),
        ("REQ-1", 1),
        ("REQ-2", 1),
        ("TC-1", 2),
        ("RC-1", 2),
        ("REL-1", 2),
        ("TR-1", 3),
        ("TC-2", 3),
    }
    assert {(e.type, e.source, e.target) for e in down.edges} == set(LINKS) - {
        ("mitigates", "RC-1", "HS-1")
    }
    limited = graph.trace.trace(ada, "UN-1", "down", depth=1)
    assert keys(limited) == {"UN-1", "REQ-1", "REQ-2"}
    verifies_only = graph.trace.trace(ada, "REQ-1", "down", types=["verifies", "result_of"])
    assert keys(verifies_only) == {"REQ-1", "TC-1", "TR-1"}


def test_upstream_closure(graph: Spine) -> None:
    up = graph.trace.trace(graph.users.get("ada"), "TR-1", "up")
    assert {(n.key, n.depth) for n in up.nodes} == {
        ("TR-1", 0),
        ("TC-1", 1),
        ("REQ-1", 2),
        ("REQ-2", 2),
        ("UN-1", 3),
    }
    up_rc = graph.trace.trace(graph.users.get("ada"), "TC-2", "up")
    assert keys(up_rc) == {"TC-2", "RC-1", "HS-1", "REQ-1", "UN-1"}


def test_removed_links_are_not_followed(graph: Spine) -> None:
    graph.links.unlink("quinn", "derives_from", "REQ-2", "UN-1", "wrong parent")
    assert "REQ-2" not in keys(graph.trace.trace(graph.users.get("ada"), "UN-1", "down"))


def test_cycles_terminate(graph: Spine) -> None:
    graph.links.link("quinn", "derives_from", "REQ-2", "REQ-1")
    graph.links.link("quinn", "derives_from", "REQ-1", "REQ-2")
    down = graph.trace.trace(graph.users.get("ada"), "REQ-1", "down")
    assert ("REQ-2", 1) in {(n.key, n.depth) for n in down.nodes}


def test_impact_groups_by_kind_and_names_the_links_that_turn_suspect(graph: Spine) -> None:
    report = graph.trace.impact(graph.users.get("ada"), ["REQ-1"])
    assert report.changed == ["REQ-1"]
    assert {kind: {n.key for n in nodes} for kind, nodes in report.affected.items()} == {
        "test_case": {"TC-1", "TC-2"},
        "risk_control": {"RC-1"},
        "test_result": {"TR-1"},
    }, "a release's baseline pins what shipped: impact does not travel across it"
    assert {(e.type, e.source) for e in report.will_turn_suspect} == {
        ("verifies", "TC-1"),
        ("specified_by", "RC-1"),
    }, "baseline_of pins: never suspect"
    assert report.total == 4


def test_impact_reports_links_already_suspect(graph: Spine) -> None:
    key = "REQ-2"
    graph.records.transition("quinn", key, "in_review", 1)
    graph.signing.sign("ada", PASSWORD, key, "approved", 1)
    graph.records.revise("quinn", key, {"title": "Clarified"}, 1, "clarify")
    graph.records.transition("quinn", key, "in_review", 2)
    graph.signing.sign("ada", PASSWORD, key, "approved", 2)
    report = graph.trace.impact(graph.users.get("ada"), [key])
    assert [(e.type, e.source) for e in report.already_suspect] == [("verifies", "TC-1")]
    assert report.will_turn_suspect == []


def test_invalid_requests(graph: Spine) -> None:
    ada = graph.users.get("ada")
    with pytest.raises(NotFound, match="no record REQ-99"):
        graph.trace.trace(ada, "REQ-99")
    with pytest.raises(InvalidInput, match="unknown link type 'proves'"):
        graph.trace.trace(ada, "REQ-1", types=["proves"])
    with pytest.raises(InvalidInput, match="depth 0"):
        graph.trace.trace(ada, "REQ-1", depth=0)
    with pytest.raises(InvalidInput, match="at least one record"):
        graph.trace.impact(ada, [])


def test_impact_does_not_cross_event_links_but_trace_does(graph: Spine) -> None:
    graph.records.create("quinn", "software_item", sample_fields(PROFILE, "software_item"))
    graph.records.create("quinn", "complaint", sample_fields(PROFILE, "complaint"))
    graph.links.link_many(
        "quinn",
        [
            NewLink("implements", "SWI-1", "REQ-2"),
            NewLink("contains", "REL-1", "SWI-1"),
            NewLink("concerns", "CMP-1", "REL-1"),
        ],
    )
    ada = graph.users.get("ada")
    report = graph.trace.impact(ada, ["REQ-2"])
    reached = {n.key for nodes in report.affected.values() for n in nodes}
    assert {"SWI-1", "REL-1"} <= reached, "a contained item's change reaches the release"
    assert "CMP-1" not in reached, "a complaint about the release is not re-verified"
    assert "CMP-1" in keys(graph.trace.trace(ada, "REQ-2", "down"))
