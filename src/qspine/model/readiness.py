"""The readiness report: rule results scored per clause, the self-assessment measures and
the trend against the previous run. Pure: the services layer runs the rules and fills it.

Scores. A rule's pass rate is the share of the records it checked that have no open
finding. A clause's score is the pass rate over every record checked by the rules citing it
(a clause cited by rules that had nothing to check has no score: it is not covered). The
overall score weighs each rule's pass rate by its severity (blocking 4, major 3, minor 2,
info 1) over the rules that checked something.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from qspine.model.findings import Finding, RuleResult, at_or_above, rank
from qspine.model.profile import SEVERITIES

WEIGHTS = {"blocking": 4, "major": 3, "minor": 2, "info": 1}
_PARAGRAPH = re.compile(r"(\([a-z0-9]+\))+$")
_SECTION = re.compile(r"^(\d+[A-Z]?(\.\d+)*|[IVX]+(\.[A-Z0-9]+)*)$")
_YEAR = re.compile(r"^(19|20)\d\d$")


@dataclass(frozen=True)
class Suppression:
    """A finding accepted on purpose, with who, when and why (audited)."""

    rule: str
    subject: str
    occurrence: str
    reason: str
    by: str
    at: dt.datetime


@dataclass(frozen=True)
class ClauseScore:
    clause: str
    rules: tuple[str, ...]
    checked: int
    failing: int
    findings: int
    worst: str | None

    @property
    def covered(self) -> bool:
        return self.checked > 0

    @property
    def score(self) -> float | None:
        if not self.checked:
            return None
        return round(100 * (self.checked - self.failing) / self.checked, 1)

    @property
    def standard(self) -> str:
        """The regulation or standard the clause belongs to (for grouping): the citation
        without its section ('ISO 13485:2016 7.3.6', 'FDA Cyber Guidance 2026 V.A.1',
        '21 CFR 820.10', 'FD&C Act 524B'); a year is part of the name, not a section."""
        head, _, rest = self.clause.rpartition(" ")
        if head == "21 CFR":  # grouped by Part: 11, 803, 820 ...
            return f"21 CFR Part {rest.split('.')[0]}"
        if head and _SECTION.match(rest) and not _YEAR.match(rest):
            return head
        return self.clause


@dataclass(frozen=True)
class Measure:
    """One of the four self-assessment measures."""

    id: str
    title: str
    value: float | None
    unit: str
    detail: str


@dataclass(frozen=True)
class Trend:
    """What changed since the previous recorded run."""

    previous_at: dt.datetime
    previous_score: float | None
    new: tuple[Finding, ...]
    resolved: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class ReadinessReport:
    packs: tuple[str, ...]
    at: dt.datetime
    as_of: dt.datetime | None
    today: dt.date
    results: tuple[RuleResult, ...]
    suppressed: tuple[tuple[Finding, Suppression], ...]
    measures: tuple[Measure, ...]
    trend: Trend | None = None

    @property
    def findings(self) -> list[Finding]:
        """Open findings, worst first, then by rule and record."""
        found = [f for result in self.results for f in result.findings]
        return sorted(found, key=lambda f: (rank(f.severity), f.rule, f.subject, f.occurrence))

    @property
    def counts(self) -> dict[str, int]:
        found = {severity: 0 for severity in SEVERITIES}
        for finding in self.findings:
            found[finding.severity] += 1
        return found

    @property
    def score(self) -> float | None:
        return overall_score(self.results)

    @property
    def clauses(self) -> list[ClauseScore]:
        return clause_scores(self.results)

    def failing(self, threshold: str) -> list[Finding]:
        """Open findings at or above `threshold` (what a CI gate fails on)."""
        return [f for f in self.findings if at_or_above(f.severity, threshold)]


def clause_of(citation: str) -> str:
    """A citation without its paragraph: 'ISO 13485:2016 4.2.4(g)' -> 'ISO 13485:2016 4.2.4'."""
    return _PARAGRAPH.sub("", citation.strip())


def clause_scores(results: Iterable[RuleResult]) -> list[ClauseScore]:
    grouped: dict[str, list[RuleResult]] = {}
    for result in results:
        for clause in dict.fromkeys(clause_of(c) for c in result.rule.clauses):
            grouped.setdefault(clause, []).append(result)
    scores = []
    for clause, members in grouped.items():
        findings = [f for r in members for f in r.findings]
        scores.append(
            ClauseScore(
                clause,
                tuple(r.rule.id for r in members),
                sum(r.checked for r in members),
                sum(r.checked - r.passed for r in members),
                len(findings),
                min((f.severity for f in findings), key=rank, default=None),
            )
        )
    return sorted(scores, key=lambda c: _clause_order(c.clause))


def overall_score(results: Iterable[RuleResult]) -> float | None:
    weighed = [(WEIGHTS[r.rule.severity], r.passed / r.checked) for r in results if r.checked]
    total = sum(weight for weight, _ in weighed)
    if not total:
        return None
    return round(100 * sum(weight * rate for weight, rate in weighed) / total, 1)


def _clause_order(clause: str) -> tuple[str, tuple[int, ...], str]:
    head, _, number = clause.rpartition(" ")
    parts = tuple(int(p) for p in re.findall(r"\d+", number)) if head else ()
    return (head or clause, parts, clause)
