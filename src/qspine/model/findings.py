"""Readiness findings: what a rule found, on which record, against which clause.

A rule (declarative in the profile, or Python in a rule pack) checks a population of records
and reports one `Finding` per problem. A finding names its subject record, and for findings
that sit at a place inside a record (a superseded reference on line 12 of an SOP) an
`occurrence` that stays the same while that place is unchanged, so it can be suppressed on
its own with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from qspine.model.errors import InvalidInput
from qspine.model.profile import SEVERITIES


@dataclass(frozen=True)
class RuleInfo:
    """What a rule is: the metadata every rule carries, whatever runs it."""

    id: str
    title: str
    clauses: tuple[str, ...]
    severity: str
    pack: str
    every: str
    rationale: str = ""
    remedy: str = ""
    engine: str = "python"  # or "declarative" (compiled to SQL from the profile)
    logic: str = ""  # what it checks, in words (declarative) or where its code is (Python)


@dataclass(frozen=True)
class Finding:
    """One problem a rule found: the record, what is wrong, and where in it."""

    rule: str
    severity: str
    subject: str
    kind: str
    message: str
    occurrence: str = ""
    related: tuple[str, ...] = ()

    @property
    def ident(self) -> tuple[str, str, str]:
        """What identifies a finding across runs (and what a suppression names)."""
        return (self.rule, self.subject, self.occurrence)


@dataclass(frozen=True)
class RuleResult:
    """A rule's run: how many records it checked and what it found."""

    rule: RuleInfo
    checked: int
    findings: tuple[Finding, ...]

    @property
    def passed(self) -> int:
        failing = {finding.subject for finding in self.findings}
        return max(self.checked - len(failing), 0)


def rank(severity: str) -> int:
    """0 for blocking up to 3 for info: lower is worse."""
    return SEVERITIES.index(severity)


def at_or_above(severity: str, threshold: str) -> bool:
    """Whether a finding of `severity` counts under a `--fail-on threshold` gate."""
    return rank(severity) <= rank(threshold)


def check_severity(value: str) -> str:
    """A severity name as given on a command line, checked."""
    if value not in SEVERITIES:
        raise InvalidInput(f"severity '{value}': one of {', '.join(SEVERITIES)}")
    return value
