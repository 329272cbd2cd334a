"""Closure and approval checklists of the QMS processes around the design file.

Nonconformance (ISO 13485:2016 8.3), internal and supplier audits and their findings (8.2.4),
actions (5.6.3, 8.5.2), management review (5.6) and supplier approval (7.4.1). Each check
reads the record as it stands in the caller's transaction (a Subject) and returns its
problems in words, naming the fields and links concerned.
"""

from __future__ import annotations

from qspine.model.deadlines import as_date
from qspine.services import reads
from qspine.services.guard_subject import CLOSED, Subject, has_text, sources, targets


def _capa_decision(subject: Subject, otherwise: str | None = None) -> list[str]:
    """A CAPA is required (one must address this record) or not (then the `otherwise`
    field, if named, must be written), and the choice is recorded either way."""
    required = subject.fields.get("capa_required")
    if required is None:
        return ["CAPA decision: record whether a CAPA is required"]
    if required and not sources(subject.view, "addresses"):
        return [f"CAPA required, but no CAPA addresses {subject.view.key}"]
    if not required and otherwise and not has_text(subject.fields.get(otherwise)):
        return [f"no CAPA required, so the {otherwise.replace('_', ' ')} must be recorded"]
    return []


def nonconformance_closure(subject: Subject) -> list[str]:
    fields = subject.fields
    found = []
    if not has_text(fields.get("evaluation")):
        found.append("evaluation: not recorded (investigation, need to notify external parties)")
    disposition = fields.get("disposition")
    if disposition is None:
        found.append("disposition: not decided")
    elif not has_text(fields.get("disposition_rationale")):
        found.append(f"disposition: {disposition} without a rationale")
    if disposition == "concession" and not fields.get("concession_authorized_by"):
        found.append("concession: not authorised (name who authorised it)")
    if fields.get("delivered") and fields.get("advisory_notice") not in ("yes", "no"):
        found.append("delivered product: decide whether an advisory notice is issued")
    return found + _capa_decision(subject)


def finding_closure(subject: Subject) -> list[str]:
    return _capa_decision(subject, "correction")


def audit_closure(subject: Subject) -> list[str]:
    fields = subject.fields
    found = []
    if not has_text(fields.get("conclusion")):
        found.append("conclusion: not recorded")
    audit_type = fields.get("audit_type")
    if audit_type == "internal" and not has_text(fields.get("independence_statement")):
        found.append("independence: internal auditors must not audit their own work; say so")
    if audit_type == "supplier" and not targets(subject.view, "audits_supplier"):
        found.append("supplier audit: link the supplier audited (audits_supplier)")
    return found


def action_closure(subject: Subject) -> list[str]:
    fields = subject.fields
    found = []
    if not fields.get("completed_on"):
        found.append("completion: no completion date")
    if not has_text(fields.get("completion_evidence")):
        found.append("completion: no evidence of what was done")
    return found


def review_closure(subject: Subject) -> list[str]:
    """Minutes complete, and the previous review followed up: linked with follows_up, and each
    of its actions either closed or presented again (a reviews link to the action)."""
    fields, view = subject.fields, subject.view
    found = [
        f"{name.replace('_', ' ')}: not recorded"
        for name in ("held_on", "decisions", "qms_effectiveness_conclusion")
        if not fields.get(name)
    ]
    start = as_date(fields.get("period_start"))
    earlier = [
        row
        for row in reads.kind_records(subject.connection, "management_review")
        if row.key != view.key
        and row.status != "cancelled"
        and start is not None
        and (as_date(row.fields.get("period_end")) or start) <= start
    ]
    if not earlier:
        return found
    previous = max(earlier, key=lambda row: (as_date(row.fields.get("period_end")), row.key))
    followed = targets(view, "follows_up")
    if previous.key not in followed:
        found.append(f"follow-up: {previous.key} is the previous review; link follows_up to it")
    presented = set(targets(view, "reviews"))
    for key in followed:
        for action_key in sources(subject.other(key), "action_of"):
            action = subject.other(action_key)
            if action.status not in CLOSED and action_key not in presented:
                found.append(
                    f"follow-up: {action_key} (action of {key}) is {action.status}; "
                    "present it in this review (reviews)"
                )
    return found


def supplier_approval(subject: Subject) -> list[str]:
    """Approval (or reinstatement) rests on a recorded evaluation with its evidence."""
    fields = subject.fields
    found = []
    status = fields.get("approval_status")
    if status not in ("approved", "conditionally_approved"):
        found.append(f"approval status is {status or 'not set'}: the evaluation must approve it")
    method = fields.get("evaluation_method")
    evaluated = as_date(fields.get("evaluation_date"))
    if method is None or evaluated is None:
        found.append("evaluation: record the method and the date")
    due = as_date(fields.get("reevaluation_due"))
    if due is None:
        found.append("re-evaluation: no due date set")
    elif evaluated is not None and due <= evaluated:
        found.append(f"re-evaluation: due {due} is not after the evaluation on {evaluated}")
    audits = sources(subject.view, "audits_supplier")
    if method == "audit" and not audits:
        found.append("evaluated by audit, but no audit record audits this supplier")
    if fields.get("criticality") == "critical" and not audits + sources(subject.view, "evidences"):
        found.append(
            "critical supplier: link the evaluation evidence (a document that 'is evaluation "
            "evidence for' it, or a supplier audit)"
        )
    return found
