"""Follow-a-signal on a hand-built spine: every hop's answer known, at each stage and as of
a past instant; broken and missing hops named."""

from __future__ import annotations

import pytest

from qspine import InvalidInput, Spine, load_profile
from qspine.model.signals import SignalChain

from helpers import PASSWORD, Clock, approve, sample_fields

PROFILE = load_profile()


def create(spine: Spine, kind: str, title: str, **extra: object) -> str:
    return spine.records.create("quinn", kind, {**sample_fields(PROFILE, kind, title), **extra}).key


def release(spine: Spine, key: str) -> None:
    spine.records.transition("quinn", key, "in_review", 1)
    spine.signing.sign("ada", PASSWORD, key, "released", 1)


def states(chain: SignalChain) -> dict[str, str]:
    return {hop.step: hop.state for hop in chain.hops}


def found(chain: SignalChain, step: str) -> list[str]:
    return [r.key for hop in chain.hops if hop.step == step for r in hop.records]


def findings(chain: SignalChain, step: str) -> list[str]:
    return [f for hop in chain.hops if hop.step == step for f in hop.findings]


@pytest.fixture
def loop(spine: Spine) -> Spine:
    spine.context.clock = Clock()
    create(spine, "requirement", "Flag within 2 s")
    approve(spine, "REQ-1")
    create(spine, "test_case", "Timing test")
    create(spine, "test_result", "Timing run 1")
    create(spine, "release", "CytoAssist 2.0")
    create(spine, "hazardous_situation", "Late flag")
    create(spine, "complaint", "Flag arrived late")
    create(spine, "capa", "Late flags")
    create(spine, "change_request", "Tighten timing")
    for link in [
        ("verifies", "TC-1", "REQ-1"),
        ("result_of", "TR-1", "TC-1"),
        ("baseline_of", "REL-1", "REQ-1"),
        ("concerns", "CMP-1", "REL-1"),
        ("addresses", "CAPA-1", "CMP-1"),
        ("assesses_risk", "CAPA-1", "HS-1"),
        ("originates_from", "CR-1", "CAPA-1"),
        ("changes", "CR-1", "REQ-1"),
    ]:
        spine.links.link("quinn", *link)
    release(spine, "REL-1")
    return spine


def test_the_loop_closes_hop_by_hop(loop: Spine) -> None:
    spine, ada = loop, loop.users.get("ada")
    raised = spine.signals.follow(ada, "CMP-1")
    assert states(raised) == {
        "event": "ok",
        "investigation": "ok",
        "risk": "ok",
        "design_change": "partial",
        "verification": "ok",
        "release": "missing",
    }
    assert found(raised, "investigation") == ["CAPA-1"]
    assert found(raised, "risk") == ["HS-1"]
    assert found(raised, "design_change") == ["CR-1", "REQ-1"]
    assert findings(raised, "design_change") == ["REQ-1 v1: not revised since CR-1 was raised"]
    assert found(raised, "release") == ["REL-1"], "the release the complaint concerns is shown"
    assert findings(raised, "release") == ["no released version ships REQ-1"]
    assert not raised.complete
    before_fix = spine.context.clock.mark()  # type: ignore[attr-defined]

    spine.records.revise("quinn", "REQ-1", {"title": "Flag within 1 s"}, 1, "CR-1")
    approve(spine, "REQ-1", 2)
    revised = spine.signals.follow(ada, "CMP-1")
    assert states(revised)["design_change"] == "ok"
    assert states(revised)["verification"] == "partial"
    assert findings(revised, "verification") == ["TC-1: not re-run since REQ-1 v2"]
    (req,) = [r for h in revised.hops for r in h.records if r.key == "REQ-1"]
    assert (req.version, req.status) == (2, "approved")
    assert [s.meaning for s in req.signatures] == ["approved"]

    create(spine, "test_result", "Timing run 2")
    spine.links.link("quinn", "result_of", "TR-2", "TC-1")
    spine.links.confirm("quinn", "verifies", "TC-1", "REQ-1", "re-reviewed")
    create(spine, "release", "CytoAssist 2.1")
    spine.links.link("quinn", "baseline_of", "REL-2", "REQ-1")
    release(spine, "REL-2")
    closed = spine.signals.follow(ada, "CMP-1")
    assert closed.complete, [h.findings for h in closed.broken]
    assert found(closed, "verification") == ["TC-1", "TR-2"]
    assert found(closed, "release") == ["REL-1", "REL-2"]

    then = spine.signals.follow(ada, "CMP-1", at=before_fix)
    assert states(then) == states(raised) and then.as_of == before_fix
    assert found(then, "release") == ["REL-1"]


def test_the_capa_itself_and_events_settled_without_one(loop: Spine) -> None:
    spine, ada = loop, loop.users.get("ada")
    assert found(spine.signals.follow(ada, "CAPA-1"), "risk") == ["HS-1"]
    create(spine, "complaint", "Unexplained")
    bare = spine.signals.follow(ada, "CMP-2")
    assert states(bare) == {
        "event": "ok",
        "investigation": "missing",
        "risk": "not_reached",
        "design_change": "not_reached",
        "verification": "not_reached",
        "release": "not_reached",
    }
    assert [h.step for h in bare.broken] == ["investigation"]
    create(
        spine,
        "complaint",
        "Duplicate report",
        investigation_required=False,
        no_investigation_justification="Same event as CMP-1, already investigated.",
    )
    settled = spine.signals.follow(ada, "CMP-3")
    assert settled.complete
    (record,) = [r for h in settled.hops if h.step == "investigation" for r in h.records]
    assert record.via.startswith("no investigation needed: Same event as CMP-1")


def test_only_quality_events_start_a_signal(loop: Spine) -> None:
    with pytest.raises(InvalidInput, match="REQ-1 is a requirement; follow a quality event"):
        loop.signals.follow(loop.users.get("ada"), "REQ-1")
