"""Closure and approval checklists of nonconformances, audits, findings, actions, management
reviews and suppliers: each workflow's happy path, and every check that blocks it."""

from __future__ import annotations

import pytest

from qspine import InvalidInput, NewLink, Spine
from services.test_guards import blockers, close, new, revise

from helpers import PASSWORD


def start(spine: Spine, key: str) -> None:
    spine.records.transition("quinn", key, "investigating", spine.records.show(key).latest_version)


def test_nonconformance_needs_evaluation_disposition_and_its_capa(spine: Spine) -> None:
    nc = new(spine, "nonconformance", delivered=True, capa_required=None)
    start(spine, nc)
    assert blockers(spine, nc, "pending_closure") == [
        "evaluation: not recorded (investigation, need to notify external parties)",
        "disposition: not decided",
        "delivered product: decide whether an advisory notice is issued",
        "CAPA decision: record whether a CAPA is required",
    ]
    with pytest.raises(InvalidInput, match=f"{nc} cannot move to pending_closure: evaluation"):
        spine.records.transition("quinn", nc, "pending_closure", 1)
    revise(
        spine,
        nc,
        evaluation="Lot 7 only; customers notified.",
        disposition="concession",
        advisory_notice="no",
        capa_required=True,
    )
    assert blockers(spine, nc, "pending_closure") == [
        "disposition: concession without a rationale",
        "concession: not authorised (name who authorised it)",
        f"CAPA required, but no CAPA addresses {nc}",
    ]
    capa = new(spine, "capa")
    spine.links.link("quinn", "addresses", capa, nc)
    revise(spine, nc, disposition_rationale="Within tolerance.", concession_authorized_by="ada")
    spine.records.transition("quinn", nc, "pending_closure", spine.records.show(nc).latest_version)
    close(spine, nc)
    assert spine.records.show(nc).status == "closed"


def test_finding_closes_with_its_capa_or_its_correction(spine: Spine) -> None:
    finding = new(spine, "finding", capa_required=False)
    start(spine, finding)
    assert blockers(spine, finding, "pending_closure") == [
        "no CAPA required, so the correction must be recorded"
    ]
    revise(spine, finding, correction="SOP-005 revised to QMSR terms.")
    to_close = spine.records.show(finding).latest_version
    spine.records.transition("quinn", finding, "pending_closure", to_close)
    close(spine, finding)
    assert spine.records.show(finding).status == "closed"


def test_audit_needs_a_conclusion_independence_and_for_a_supplier_the_supplier(
    spine: Spine,
) -> None:
    internal = new(spine, "audit", audit_type="internal")
    start(spine, internal)
    assert blockers(spine, internal, "pending_closure") == [
        "conclusion: not recorded",
        "independence: internal auditors must not audit their own work; say so",
    ]
    supplier_audit = new(spine, "audit", audit_type="supplier", conclusion="Suitable.")
    start(spine, supplier_audit)
    assert blockers(spine, supplier_audit, "pending_closure") == [
        "supplier audit: link the supplier audited (audits_supplier)"
    ]
    spine.links.link("quinn", "audits_supplier", supplier_audit, new(spine, "supplier"))
    to_pending_from_investigating(spine, supplier_audit)
    close(spine, supplier_audit)
    assert spine.records.show(supplier_audit).status == "closed"


def to_pending_from_investigating(spine: Spine, key: str) -> None:
    spine.records.transition(
        "quinn", key, "pending_closure", spine.records.show(key).latest_version
    )


def test_action_closes_with_completion_date_and_evidence(spine: Spine) -> None:
    action = new(spine, "action", owner="eve", due_date="2026-05-01")
    start(spine, action)
    assert blockers(spine, action, "pending_closure") == [
        "completion: no completion date",
        "completion: no evidence of what was done",
    ]
    revise(spine, action, completed_on="2026-04-20", completion_evidence="SOP-005 rev G.")
    to_pending_from_investigating(spine, action)
    close(spine, action)
    assert spine.records.show(action).status == "closed"


def test_review_follows_up_the_previous_one_and_its_open_actions(spine: Spine) -> None:
    first = new(spine, "management_review", period_start="2025-07-01", period_end="2025-12-31")
    action = new(spine, "action", owner="eve", due_date="2026-03-01")
    spine.links.link("quinn", "action_of", action, first)
    second = new(spine, "management_review", period_start="2026-01-01", period_end="2026-06-30")
    start(spine, second)
    assert blockers(spine, second, "pending_closure") == [
        "held on: not recorded",
        "decisions: not recorded",
        "qms effectiveness conclusion: not recorded",
        f"follow-up: {first} is the previous review; link follows_up to it",
    ]
    revise(
        spine,
        second,
        held_on="2026-07-10",
        decisions="Hire a second auditor.",
        qms_effectiveness_conclusion="Effective.",
    )
    spine.links.link("quinn", "follows_up", second, first)
    assert blockers(spine, second, "pending_closure") == [
        f"follow-up: {action} (action of {first}) is open; present it in this review (reviews)"
    ]
    spine.links.link("quinn", "reviews", second, action)
    to_pending_from_investigating(spine, second)
    close(spine, second)
    # the first review, with nothing before it, needs only its own minutes
    start(spine, first)
    assert blockers(spine, first, "pending_closure")[-1] == (
        "qms effectiveness conclusion: not recorded"
    )


def test_supplier_is_approved_on_an_evaluation_with_evidence(spine: Spine) -> None:
    supplier = new(
        spine,
        "supplier",
        criticality="critical",
        approval_status="approved",
        evaluation_method="audit",
        evaluation_date="2026-03-01",
        reevaluation_due="2026-02-01",
    )
    with pytest.raises(InvalidInput, match=f"{supplier} cannot move to approved") as refused:
        spine.signing.sign("ada", PASSWORD, supplier, "approved", 1)
    assert str(refused.value).endswith(
        "re-evaluation: due 2026-02-01 is not after the evaluation on 2026-03-01; "
        "evaluated by audit, but no audit record audits this supplier; critical supplier: "
        "link the evaluation evidence (a document that 'is evaluation evidence for' it, or a "
        "supplier audit)"
    )
    assert spine.records.show(supplier).status == "proposed"
    number = revise(spine, supplier, reevaluation_due="2027-03-01")
    audit = new(spine, "audit", audit_type="supplier")
    spine.links.link_many("quinn", [NewLink("audits_supplier", audit, supplier)])
    spine.signing.sign("ada", PASSWORD, supplier, "approved", number)
    assert spine.records.show(supplier).status == "approved"


def test_a_pending_evaluation_cannot_approve_and_a_document_can_evidence_it(
    spine: Spine,
) -> None:
    supplier = new(spine, "supplier", criticality="critical")  # approval_status: pending
    assert blockers(spine, supplier, "approved") == [
        "approval status is pending: the evaluation must approve it",
        "evaluation: record the method and the date",
        "re-evaluation: no due date set",
        "critical supplier: link the evaluation evidence (a document that 'is evaluation "
        "evidence for' it, or a supplier audit)",
    ]
    spine.links.link("quinn", "evidences", new(spine, "document"), supplier)
    revise(
        spine,
        supplier,
        approval_status="conditionally_approved",
        evaluation_method="certification_review",
        evaluation_date="2026-03-01",
        reevaluation_due="2027-03-01",
    )
    assert blockers(spine, supplier, "approved") == []
