"""Transition guards by name: what must hold before a record may enter a state.

A profile attaches guards to a kind's target states (`guards: {closed: [capa_closure]}`);
the services implement each name and refuse the transition, plain or signed, with every
problem in words. The names and what they check are listed here so a profile can be checked
when it is loaded and the reference documentation can be generated.
"""

from __future__ import annotations

GUARDS: dict[str, str] = {
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
}
