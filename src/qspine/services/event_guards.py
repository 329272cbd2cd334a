"""Closure checklists of the design-linked quality events: complaint, CAPA, change request.

Each check reads the record as it stands in the caller's transaction (a Subject) and returns
its problems in words, naming the records, versions, fields and links concerned.
"""

from __future__ import annotations

import re

from qspine.model.deadlines import as_date, mdr_clock
from qspine.services import reads
from qspine.services.guard_subject import CLOSED, Subject, has_text, sources, targets


def capa_closure(subject: Subject) -> list[str]:
    fields, view = subject.fields, subject.view
    found = []
    assessed = targets(view, "assesses_risk")
    if not assessed and not (
        fields.get("risk_impact") == "none" and has_text(fields.get("no_risk_impact_rationale"))
    ):
        found.append(
            "risk impact: link the risk records assessed (assesses_risk), or set risk impact "
            "'none' and give the no-risk-impact rationale"
        )
    if not has_text(fields.get("root_cause")):
        found.append("root cause: not recorded")
    actions = sources(view, "action_of")
    if not actions:
        found.append("actions: none linked (an action record 'is an action of' this CAPA)")
    for key in actions:
        action = subject.other(key)
        if action.status not in CLOSED:
            owner = action.version.fields.get("owner", "?")
            due = action.version.fields.get("due_date", "?")
            found.append(f"action {key} is {action.status} (owner {owner}, due {due})")
    if not has_text(fields.get("effectiveness_criteria")):
        found.append("effectiveness: no criteria recorded")
    outcome = fields.get("effectiveness_outcome")
    if outcome != "effective":
        found.append(f"effectiveness: outcome is {outcome or 'not recorded'}, not effective")
    number = view.version.number
    if not any(
        s.meaning == "effectiveness_verified" and s.version == number and s.valid
        for s in view.signatures
    ):
        found.append(f"effectiveness: no 'effectiveness_verified' signature on v{number}")
    return found


def change_closure(subject: Subject) -> list[str]:
    view = subject.view
    changed = targets(view, "changes")
    if not changed:
        return ["affected records: none named (this change request 'changes' no record)"]
    justified = str(subject.fields.get("reverification_justification") or "")
    found = []
    for key in changed:
        found += _changed_record_problems(subject, key, justified)
    return found


def _changed_record_problems(subject: Subject, key: str, justified: str) -> list[str]:
    raised = subject.view.created_at
    target = subject.other(key)
    versions = reads.versions_of(subject.connection, key)
    revised = [v for v in versions if v.created_at > raised]
    if not revised:
        return [f"{key}: not revised since {subject.view.key} was raised"]
    first = revised[0]
    found = []
    released = target.released_version
    if released is None or released < target.latest_version:
        found.append(f"{key} v{target.latest_version} is {target.status}: not yet approved")
    links = subject.profile.links
    for link in target.links_in + target.links_out:
        if link.suspect and links[link.type].carries_impact:
            found.append(
                f"suspect link: {link.source} {link.type} {link.target} (reviewed against "
                f"v{link.target_version}, now v{link.target_released_version})"
            )
    for link in target.links_in:
        if link.type != "verifies" or re.search(rf"\b{re.escape(link.source)}\b", justified):
            continue  # re-run, or named (as a whole key: TC-1 is not TC-12) in the justification
        test = subject.other(link.source)
        results = sources(test, "result_of")
        if not any(subject.other(result).created_at > first.created_at for result in results):
            found.append(
                f"{link.source} verifies {key} but has no result since {key} v{first.number}: "
                "re-run it or name it in the re-verification justification"
            )
    return found


def complaint_closure(subject: Subject) -> list[str]:
    fields = subject.fields
    found = []
    decision = fields.get("mdr_reportable")
    decided_on = as_date(fields.get("mdr_decided_on"))
    if decision not in ("yes", "no"):
        found.append("MDR decision: reportability is still undetermined")
    elif decided_on is None:
        found.append("MDR decision: no decision date")
    if decision == "no" and not has_text(fields.get("mdr_decision_rationale")):
        found.append("MDR decision: not reportable, but no rationale recorded")
    submitted = as_date(fields.get("mdr_submitted_on"))
    if decision == "yes" and (submitted is None or not has_text(fields.get("mdr_report_number"))):
        found.append("MDR: reportable, but no submission date and report number")
    awareness = as_date(fields.get("awareness_date"))
    met = submitted if decision == "yes" else decided_on
    if awareness is not None and decision in ("yes", "no") and met is not None:
        clock = mdr_clock(awareness, fields.get("mdr_clock"), subject.today, met)
        if clock.late and not has_text(fields.get("late_mdr_justification")):
            what = "submitted" if decision == "yes" else "decided"
            found.append(
                f"MDR: {what} on {met}, after the {clock.label} deadline of "
                f"{clock.deadline}; record a late MDR justification"
            )
    if not has_text(fields.get("investigation_summary")) and not (
        fields.get("investigation_required") is False
        and has_text(fields.get("no_investigation_justification"))
    ):
        found.append("investigation: no summary, and no documented reason why none is needed")
    return found
