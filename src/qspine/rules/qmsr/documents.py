"""Document control rules (ISO 13485:2016 4.2.4; 21 CFR 820.10(c)): one effective version,
controlled names, and no superseded regulatory references in documents in force."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from qspine.model.deadlines import as_date
from qspine.model.findings import Finding
from qspine.model.superseded import QMSR_EFFECTIVE, LintFinding, occurrence, scan
from qspine.rules.facts import FactRecord, Facts
from qspine.rules.registry import Outcome, PythonRule, rule

_UNCONTROLLED = re.compile(
    r"(?i)(?:^|[\s_.()-])(final|latest|revised|copy|backup|draft|old|v\d+|\(\d+\))(?=$|[\s_.()-])"
)
HISTORICAL_TYPES = frozenset({"report", "form", "external"})
"""Document types that are dated records of their time, not procedures in force."""


def in_force(facts: Facts) -> list[FactRecord]:
    """Documents with a version in force, with that version's fields: a draft revision does
    not take the effective version out of use; only an obsolete document is out of force."""
    states = facts.profile.lifecycle_of("document").states
    return [
        d
        for d in facts.records("document", released=True)
        if d.released is not None and not states[d.status].terminal
    ]


@rule(
    "DOC-EFF-001",
    "A controlled document has one effective version",
    ("ISO 13485:2016 4.2.4(g)", "21 CFR 820.10(c)"),
    every="document",
    severity="blocking",
    rationale="Only the current revision may be available at points of use; two versions in "
    "force at once means someone may work to the obsolete one.",
    remedy="Make the older version superseded (revising through the lifecycle does this).",
)
def more_than_one_effective(self: PythonRule, facts: Facts) -> Outcome:
    released = facts.profile.lifecycle_of("document").released_states
    states = facts.version_states("document")
    found = []
    for record in facts.records("document"):
        numbers = sorted(n for n, state in states.get(record.key, {}).items() if state in released)
        if len(numbers) > 1:
            listed = ", ".join(f"v{n}" for n in numbers)
            found.append(self.finding(record, f"versions {listed} are all in force"))
    return len(states), found


@rule(
    "DOC-NAME-001",
    "Documents in force carry controlled names, not working-copy names",
    ("ISO 13485:2016 4.2.4(c)", "ISO 13485:2016 4.2.4(e)", "21 CFR 820.10(c)"),
    every="document",
    severity="minor",
    rationale="Names such as 'final_v7_revised' or 'copy (2)' show that revision status is "
    "kept in file names rather than by document control; readers cannot tell which is current.",
    remedy="Title the document by its subject; its revision and status are the record's own.",
)
def uncontrolled_name(self: PythonRule, facts: Facts) -> Outcome:
    documents = in_force(facts)
    found = []
    for record in documents:
        title = str(record.fields.get("title") or record.title)
        words = [m.group(1) for m in _UNCONTROLLED.finditer(title)]
        if words:
            found.append(
                self.finding(
                    record, f"title '{title}' carries working-copy words: {', '.join(words)}"
                )
            )
    return len(documents), found


@rule(
    "DOC-REF-001",
    "Documents in force cite the QMSR, not the superseded QS regulation and guidance",
    ("21 CFR 820.10(c)", "ISO 13485:2016 4.2.4", "ISO 13485:2016 4.2.1"),
    every="document",
    severity="major",
    rationale="Since 2 February 2026 Part 820 incorporates ISO 13485:2016; procedures that "
    "still cite the QSR, its old sections, DHF/DMR/DHR or withdrawn guidance editions direct "
    "people to requirements that no longer exist. Dated historical records may keep the terms "
    "they were written with.",
    remedy="Revise the document with the replacement named in each finding, or suppress an "
    "occurrence with a reason where the old term is quoted on purpose.",
)
def superseded_references(self: PythonRule, facts: Facts) -> Outcome:
    checked = [d for d in in_force(facts) if not historical(d)]
    found: list[Finding] = []
    for record in checked:
        found += _references(self, facts, record)
    return len(checked), found


def historical(document: FactRecord) -> bool:
    """A dated record of its time (a report, form or external document in force before the
    QMSR): its legacy terms are allowed."""
    effective = as_date(document.fields.get("effective_date"))
    kind = document.fields.get("document_type")
    return kind in HISTORICAL_TYPES and effective is not None and str(effective) < QMSR_EFFECTIVE


def references(facts: Facts, record: FactRecord) -> list[tuple[LintFinding, str]]:
    """Each superseded reference in a document record's text (its body and attached file),
    placed ('body line 4', 'sop.docx paragraph 12'), with the occurrence that names it."""
    lines = facts.text_of(record)
    found = []
    for lint in scan([line.text for line in lines]):
        line = lines[lint.line - 1]
        found.append((replace(lint, where=line.place), occurrence(lint, line.text)))
    return found


def _references(self: PythonRule, facts: Facts, record: FactRecord) -> Iterator[Finding]:
    for lint, ident in references(facts, record):
        yield self.finding(
            record,
            f"{lint.where}, column {lint.column}: '{lint.text}' ({lint.title}); "
            f"use {lint.replacement}",
            occurrence=ident,
        )
