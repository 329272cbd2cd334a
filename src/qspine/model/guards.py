"""Transition guards by name: what must hold before a record may enter a state.

A profile attaches guards to a kind's target states (`guards: {closed: [capa_closure]}`);
the services implement each name and refuse the transition, plain or signed, with every
problem in words. The names and what they check are listed here so a profile can be checked
when it is loaded and the reference documentation can be generated.
"""

from __future__ import annotations

GUARDS: dict[str, str] = {
    "action_closure": (
        "The action has a completion date and evidence of what was done (ISO 13485:2016 "
        "5.6.3, 8.5.2)."
    ),
    "audit_closure": (
        "The audit has a conclusion; an internal audit states the auditors' independence; a "
        "supplier audit names the supplier audited (ISO 13485:2016 8.2.4, 7.4.1)."
    ),
    "capa_closure": (
        "The CAPA names its risk impact (assesses_risk links to the risk records, or risk impact "
        "'none' with a rationale), has a root cause, at least one action and every action "
        "closed, effectiveness criteria and an 'effective' outcome, and an "
        "effectiveness_verified signature on its current version (ISO 13485:2016 8.5.2)."
    ),
    "change_closure": (
        "The change request names the records it changes; each was revised after the request "
        "was raised and that revision is released; no suspect link touches them; and every "
        "test that verifies them has a result recorded after the revision, or is named in "
        "the re-verification justification (ISO 13485:2016 7.3.9)."
    ),
    "complaint_closure": (
        "The complaint has an MDR decision (yes or no, with its date; a rationale when not "
        "reporting; report number and submission date when reporting), a justification when "
        "the MDR clock ran out before the decision or the submission, and an investigation "
        "summary or a documented reason for none (21 CFR 820.35(a), 21 CFR 803)."
    ),
    "finding_closure": (
        "The finding records whether a CAPA is required; if so, a CAPA addresses it, and if "
        "not, the correction taken is recorded (ISO 13485:2016 8.2.4)."
    ),
    "model_release": (
        "The model version is evaluated, at its current version, by a recorded validation run "
        "that QSpine executed (it has a run record) on approved dataset versions whose files "
        "still match their manifests, passed every metric criterion of the requirements the "
        "model implements, and was rerun in a fresh process with the same metrics and outputs; "
        "its current version carries a reviewed signature by a data scientist and an approved "
        "signature by a QA/RA lead (FDA PCCP Guidance 2025, GMLP 2021 principles 8 and 9, "
        "ISO 13485:2016 7.3.6, 7.3.7)."
    ),
    "nonconformance_closure": (
        "The nonconformance has an evaluation, a disposition with its rationale, an "
        "authorisation for a concession, an advisory-notice decision for delivered product, "
        "and a recorded CAPA decision, with a CAPA addressing it when one is required "
        "(ISO 13485:2016 8.3)."
    ),
    "review_closure": (
        "The management review records when it was held, its decisions and its conclusion on "
        "the QMS; it follows up the previous review, and presents again each action of that "
        "review not yet closed (ISO 13485:2016 5.6.2, 5.6.3)."
    ),
    "supplier_approval": (
        "The supplier's evaluation approves it (approved or conditionally approved), with its "
        "method and date and a later re-evaluation due date; an audit record when evaluated "
        "by audit; and linked evaluation evidence for a critical supplier (ISO 13485:2016 "
        "7.4.1)."
    ),
}
