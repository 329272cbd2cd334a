"""Rules that read across records: suspect links, training, management-review follow-up
and cybersecurity inputs, and the MDR clock."""

from __future__ import annotations

import re

from qspine.model.deadlines import as_date, mdr_clock
from qspine.model.findings import Finding
from qspine.model.training import required_documents, terminal_states, training_cells
from qspine.rules.facts import FactRecord, Facts
from qspine.rules.registry import Outcome, PythonRule, rule

_CYBER = re.compile(r"(?i)\b(cyber\w*|vulnerabilit\w*|SBOM|patch(?:es|ing)?)\b")


@rule(
    "TRC-SUS-001",
    "No link is left suspect after the record it points to changed",
    ("ISO 13485:2016 7.3.9", "IEC 62304:2006+A1:2015 7.4", "21 CFR 820.10(c)"),
    every="link",
    severity="major",
    rationale="When a design output changes, everything that verified or depended on the "
    "earlier version must be reviewed; an unreviewed suspect link is a change whose effect "
    "nobody has assessed.",
    remedy="Re-verify the source against the new version and confirm the link "
    "(qspine link confirm), or update the source record.",
)
def suspect_links(self: PythonRule, facts: Facts) -> Outcome:
    """One finding per suspect link, on its source (its kind from the key's prefix: no
    record is read, which keeps the rule fast at a million records)."""
    info = self.info
    found = []
    for link in facts.suspect_links():
        kind = facts.profile.kind_for_prefix(link.source.rpartition("-")[0])
        if kind is None:
            continue
        found.append(
            Finding(
                info.id,
                info.severity,
                link.source,
                kind,
                f"{link.source} {link.type} {link.target} was reviewed against "
                f"v{link.target_version}; {link.target} has changed since",
                occurrence=f"{link.type}>{link.target}",
                related=(link.target,),
            )
        )
    return facts.reviewable_links(), found


@rule(
    "TRN-CUR-001",
    "Role holders are trained on the version in force of each document their role requires",
    ("ISO 13485:2016 6.2", "21 CFR 11.10(i)", "21 CFR 11.10(g)"),
    every="role",
    severity="major",
    rationale="People performing work affecting quality must be competent on the current "
    "procedures; QSpine refuses signatures from holders who owe training, so the gap also "
    "stops work.",
    remedy="Train the holder on the document version in force and record the training record.",
)
def training_owed(self: PythonRule, facts: Facts) -> Outcome:
    ended = terminal_states(facts.profile)
    roles = [
        r
        for r in facts.records("role", released=True)
        if r.fields.get("holders") and r.status not in ended
    ]
    if not roles:
        return 0, []
    needed = required_documents(roles)
    documents = {d.key: d for d in facts.records("document", released=True) if d.key in needed}
    records = facts.records("training_record", released=True)
    cells = training_cells(roles, documents, records, ended=ended)
    by_key = {r.key: r for r in roles}
    found = [
        self.finding(
            by_key[cell.requirement.role],
            cell.describe(),
            occurrence=f"{cell.user}>{cell.requirement.document}",
            related=(cell.requirement.document,),
        )
        for cell in cells
        if cell.owed
    ]
    return len(roles), found


def _reviews_in_order(facts: Facts) -> list[FactRecord]:
    """Held reviews by the day they were held, then the ones not yet held (planned)."""
    reviews = [r for r in facts.records("management_review") if r.status != "cancelled"]
    return sorted(
        reviews,
        key=lambda r: (not r.fields.get("held_on"), str(r.fields.get("held_on") or ""), r.key),
    )


@rule(
    "MR-FUP-001",
    "Each management review follows up the one before it",
    ("ISO 13485:2016 5.6.2(h)", "ISO 13485:2016 5.6.3"),
    every="management_review",
    severity="major",
    rationale="Follow-up actions from previous management reviews are a required input; the "
    "link shows that their outputs were tracked to closure.",
    remedy="Link the review with follows_up to the previous review and present that review's "
    "open actions (qspine review prepare does both).",
)
def review_follows_up(self: PythonRule, facts: Facts) -> Outcome:
    reviews = _reviews_in_order(facts)
    following = {(link.source, link.target) for link in facts.links("follows_up")}
    later = reviews[1:]
    found = [
        self.finding(r, f"no follows_up link to {previous.key}", related=(previous.key,))
        for previous, r in zip(reviews, later, strict=False)
        if (r.key, previous.key) not in following
    ]
    return len(later), found


@rule(
    "MR-CYB-001",
    "Each completed management review considers cybersecurity",
    ("FDA Cyber Guidance 2026 VI", "ISO 13485:2016 5.6.2", "FD&C Act 524B(b)(1)"),
    every="management_review",
    severity="major",
    rationale="FDA expects cybersecurity metrics (vulnerabilities found and fixed, time to "
    "patch, SBOM currency) to reach management review so that the QMS governs them.",
    remedy="Present the vulnerabilities of the period (link them with reviews) or record the "
    "cybersecurity metrics in the review's inputs.",
)
def review_has_cyber_inputs(self: PythonRule, facts: Facts) -> Outcome:
    closing = ("pending_closure", "closed")
    reviews = [r for r in facts.records("management_review") if r.status in closing]
    kinds = {r.key: r.kind for r in facts.records("vulnerability")}
    presented = {link.source for link in facts.links("reviews") if link.target in kinds}
    found = []
    for review in reviews:
        text = " ".join(str(review.fields.get(n) or "") for n in ("inputs_summary", "decisions"))
        if review.key not in presented and not _CYBER.search(text):
            message = "no vulnerability reviewed and no cybersecurity metrics in its inputs"
            found.append(self.finding(review, message))
    return len(reviews), found


@rule(
    "CMP-MDR-002",
    "Reportable complaints are reported to FDA by the MDR deadline",
    ("21 CFR 803.50(a)", "21 CFR 803.53", "21 CFR 820.10(b)(3)"),
    every="complaint",
    severity="blocking",
    rationale="A reportable death, serious injury or malfunction must be reported within 30 "
    "calendar days of awareness (5 work days when FDA asked or remedial action is needed).",
    remedy="Submit the MDR and record its number and date; if it was late, record why.",
)
def mdr_deadline(self: PythonRule, facts: Facts) -> Outcome:
    reportable = [
        c
        for c in facts.records("complaint")
        if c.fields.get("mdr_reportable") == "yes" and c.status != "cancelled"
    ]
    found = []
    for complaint in reportable:
        fields = complaint.fields
        awareness = as_date(fields.get("awareness_date"))
        if awareness is None:
            found.append(self.finding(complaint, "reportable, but no awareness date recorded"))
            continue
        submitted = as_date(fields.get("mdr_submitted_on"))
        clock = mdr_clock(awareness, fields.get("mdr_clock"), facts.today, submitted)
        if clock.late and not (submitted and fields.get("late_mdr_justification")):
            what = f"submitted {submitted}" if submitted else "not submitted"
            found.append(
                self.finding(complaint, f"MDR due {clock.deadline} under {clock.label}; {what}")
            )
    return len(reportable), found
