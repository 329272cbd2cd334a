"""Closure checklists: a CAPA, a change request and a complaint close only when complete."""

from __future__ import annotations

import datetime as dt

import pytest

from qspine import InvalidInput, NewLink, Spine, load_profile

from helpers import PASSWORD, Clock, approve, sample_fields

PROFILE = load_profile()


def new(spine: Spine, kind: str, **fields: object) -> str:
    return spine.records.create("quinn", kind, {**sample_fields(PROFILE, kind), **fields}).key


def revise(spine: Spine, key: str, **fields: object) -> int:
    view = spine.records.show(key)
    return spine.records.revise(
        "quinn", key, fields, view.latest_version, "complete"
    ).version.number


def to_pending(spine: Spine, key: str) -> None:
    spine.records.transition("quinn", key, "investigating", spine.records.show(key).latest_version)
    spine.records.transition(
        "quinn", key, "pending_closure", spine.records.show(key).latest_version
    )


def close(spine: Spine, key: str) -> None:
    spine.signing.sign("ada", PASSWORD, key, "closed", spine.records.show(key).latest_version)


def blockers(spine: Spine, key: str, to: str) -> list[str]:
    step = next(s for s in spine.records.show(key).next_transitions if s["to"] == to)
    return list(step["blocked_by"])


@pytest.fixture
def clocked(spine: Spine) -> Spine:
    spine.context.clock = Clock()
    return spine


def test_capa_closes_only_with_risk_actions_and_signed_effectiveness(clocked: Spine) -> None:
    spine = clocked
    capa = new(spine, "capa", risk_impact="risk_control_changed")
    spine.records.transition("quinn", capa, "investigating", 1)
    found = blockers(spine, capa, "pending_closure")
    assert found[0].startswith("risk impact: link the risk records assessed")
    assert (
        "actions: none linked" in found[2] and "no 'effectiveness_verified' signature" in found[-1]
    )
    with pytest.raises(InvalidInput, match=f"{capa} cannot move to pending_closure: risk impact"):
        spine.records.transition("quinn", capa, "pending_closure", 1)
    hazard = new(spine, "hazard")
    action = spine.records.create(
        "quinn",
        "action",
        {
            "title": "Fix",
            "owner": "eve",
            "due_date": "2026-04-01",
            "completed_on": "2026-03-01",
            "completion_evidence": "Fixed in build 7.",
        },
    ).key
    spine.links.link_many(
        "quinn",
        [NewLink("assesses_risk", capa, hazard), NewLink("action_of", action, capa)],
    )
    number = revise(
        spine,
        capa,
        root_cause="A cause",
        effectiveness_criteria="No recurrence in 3 months",
        effectiveness_outcome="effective",
    )
    assert blockers(spine, capa, "pending_closure") == [
        f"action {action} is open (owner eve, due 2026-04-01)",
        f"effectiveness: no 'effectiveness_verified' signature on v{number}",
    ]
    spine.signing.sign("ada", PASSWORD, capa, "effectiveness_verified", number)
    with pytest.raises(InvalidInput, match=f"action {action} is open"):
        spine.records.transition("quinn", capa, "pending_closure", number)
    to_pending(spine, action)
    close(spine, action)
    spine.records.transition("quinn", capa, "pending_closure", number)
    close(spine, capa)
    assert spine.records.show(capa).status == "closed"


def test_capa_without_risk_links_needs_a_no_impact_rationale(clocked: Spine) -> None:
    spine = clocked
    capa = new(spine, "capa", risk_impact="none")
    spine.records.transition("quinn", capa, "investigating", 1)
    assert blockers(spine, capa, "pending_closure")[0].startswith("risk impact:")
    revise(spine, capa, no_risk_impact_rationale="Training records only; no device effect.")
    assert not any(p.startswith("risk impact:") for p in blockers(spine, capa, "pending_closure"))


def test_change_closes_only_when_changed_records_are_revised_released_and_reverified(
    clocked: Spine,
) -> None:
    spine = clocked
    req = new(spine, "requirement")
    test = new(spine, "test_case")
    spine.links.link("quinn", "verifies", test, req)
    approve(spine, req)
    approve(spine, test)
    change = new(spine, "change_request")
    spine.links.link("quinn", "changes", change, req)
    spine.records.transition("quinn", change, "investigating", 1)
    assert blockers(spine, change, "pending_closure") == [
        f"{req}: not revised since {change} was raised"
    ]
    spine.records.revise("quinn", req, {"title": "Sharper"}, 1, "per change")
    assert blockers(spine, change, "pending_closure")[0] == f"{req} v2 is draft: not yet approved"
    approve(spine, req, 2)
    found = blockers(spine, change, "pending_closure")
    assert found == [
        f"suspect link: {test} verifies {req} (reviewed against v1, now v2)",
        f"{test} verifies {req} but has no result since {req} v2: re-run it or name it in the "
        "re-verification justification",
    ]
    with pytest.raises(InvalidInput, match="suspect link"):
        spine.records.transition("quinn", change, "pending_closure", 1)
    spine.links.confirm("quinn", "verifies", test, req, reason="still valid for v2")
    result = new(spine, "test_result")
    spine.links.link("quinn", "result_of", result, test)
    assert blockers(spine, change, "pending_closure") == []
    spine.records.transition("quinn", change, "pending_closure", 1)
    close(spine, change)
    assert spine.records.show(change).status == "closed"


def test_a_justification_stands_for_a_test_not_rerun(clocked: Spine) -> None:
    spine = clocked
    req = new(spine, "requirement")
    test = new(spine, "test_case")
    spine.links.link("quinn", "verifies", test, req)
    approve(spine, req)
    change = new(spine, "change_request", reverification_justification=f"{test}: wording only")
    spine.links.link("quinn", "changes", change, req)
    spine.records.revise("quinn", req, {"title": "Reworded"}, 1, "per change")
    approve(spine, req, 2)
    spine.links.confirm("quinn", "verifies", test, req, reason="wording only")
    spine.records.transition("quinn", change, "investigating", 1)
    assert blockers(spine, change, "pending_closure") == []
    spine.records.revise(
        "quinn", change, {"reverification_justification": f"{test}0: another test"}, 1, "typo"
    )
    assert blockers(spine, change, "pending_closure")[0].startswith(f"{test} verifies {req}")


AWARE = dt.date(2026, 1, 5)


def complaint(spine: Spine, **fields: object) -> str:
    key = new(spine, "complaint", awareness_date=AWARE.isoformat(), **fields)
    spine.records.transition("quinn", key, "investigating", 1)
    return key


def test_complaint_needs_a_dated_mdr_decision_and_an_investigation(clocked: Spine) -> None:
    spine = clocked
    key = complaint(spine, mdr_reportable="undetermined")
    assert blockers(spine, key, "pending_closure") == [
        "MDR decision: reportability is still undetermined",
        "investigation: no summary, and no documented reason why none is needed",
    ]
    revise(
        spine,
        key,
        mdr_reportable="no",
        mdr_decided_on="2026-01-20",
        mdr_decision_rationale="No injury possible.",
        investigation_required=False,
        no_investigation_justification="Same cause as CMP-0, already investigated.",
    )
    assert blockers(spine, key, "pending_closure") == []


def test_an_mdr_submitted_after_its_deadline_needs_a_justification(clocked: Spine) -> None:
    spine = clocked
    key = complaint(
        spine,
        mdr_reportable="yes",
        mdr_clock="5_work_days",
        mdr_decided_on="2026-01-07",
        mdr_report_number="3017654321-2026-00001",
        mdr_submitted_on="2026-01-14",
        investigation_summary="Root cause found.",
    )
    # aware Mon 5 Jan 2026: five work days end Mon 12 Jan (no holiday that week)
    late = (
        "MDR: submitted on 2026-01-14, after the 5 work days (21 CFR 803.53) deadline of "
        "2026-01-12; record a late MDR justification"
    )
    assert blockers(spine, key, "pending_closure") == [late]
    with pytest.raises(InvalidInput, match="after the 5 work days"):
        spine.records.transition("quinn", key, "pending_closure", 1)
    revise(spine, key, late_mdr_justification="Awareness was logged late; SOP-003 retrained.")
    number = spine.records.show(key).latest_version
    spine.records.transition("quinn", key, "pending_closure", number)
    close(spine, key)
    assert spine.records.show(key).status == "closed"


def test_a_reportable_event_needs_its_submission_and_a_late_decision_is_flagged(
    clocked: Spine,
) -> None:
    spine = clocked
    key = complaint(
        spine,
        mdr_reportable="no",
        mdr_decided_on="2026-02-20",
        mdr_decision_rationale="Not reportable.",
        investigation_summary="Done.",
    )
    assert blockers(spine, key, "pending_closure") == [
        "MDR: decided on 2026-02-20, after the 30 calendar days (21 CFR 803.50) deadline of "
        "2026-02-04; record a late MDR justification"
    ]
    revise(spine, key, mdr_reportable="yes", mdr_decided_on="2026-01-10")
    assert blockers(spine, key, "pending_closure") == [
        "MDR: reportable, but no submission date and report number"
    ]


def test_a_signed_closure_is_refused_before_the_password_is_asked(clocked: Spine) -> None:
    spine = clocked
    req = new(spine, "requirement")
    approve(spine, req)
    change = new(spine, "change_request")
    spine.links.link("quinn", "changes", change, req)
    spine.records.revise("quinn", req, {"title": "Sharper"}, 1, "per change")
    approve(spine, req, 2)
    to_pending(spine, change)
    spine.records.revise("quinn", req, {"title": "Sharper still"}, 2, "after the fact")
    with pytest.raises(InvalidInput, match=f"{req} v3 is draft: not yet approved"):
        spine.signing.sign("ada", "not the password", change, "closed", 1)
    assert spine.records.show(change).status == "pending_closure"


def test_profile_guards_are_checked_when_loaded() -> None:
    from qspine.model.profile import build_profile
    from qspine.profiles import _builtin_raw

    raw = _builtin_raw("qmsr")
    raw["kinds"]["capa"]["guards"] = {"closed": ["nope"], "shelved": ["capa_closure"]}
    with pytest.raises(Exception) as error:
        build_profile(raw)
    text = str(error.value)
    assert "kinds.capa.guards.closed: unknown guard 'nope'" in text
    assert "kinds.capa.guards.shelved: not a state of lifecycle 'quality_event'" in text
