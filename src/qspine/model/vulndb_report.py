"""What matching releases against the offline vulnerability database found and did: the
report every face shows (plain data; the audit event keeps its summary)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


@dataclass(frozen=True)
class VulnerabilityRef:
    key: str
    identifier: str
    title: str


class MatchedPair(NamedTuple):
    """A vulnerability found in a component of a release, and the advisory behind it (a
    tuple: a big SBOM has hundreds of thousands)."""

    vulnerability: str
    identifier: str
    component: str
    name: str
    version: str
    release: str
    advisories: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class CapaCandidate:
    key: str
    vulnerability: str
    release: str
    owner: str | None


@dataclass(frozen=True)
class Reopened:
    vulnerability: str
    reason: str


@dataclass(frozen=True)
class NoLongerMatched:
    """An affects link this match did not find again: reported, never removed."""

    vulnerability: str
    component: str
    release: str
    reason: str


@dataclass(frozen=True)
class OlderVersion:
    """A release that contains an older version of a component than the component's current
    one: the vulnerability is linked to the release, the component record is left alone."""

    vulnerability: str
    component: str
    release: str
    contained_version: str
    current_version: str


@dataclass
class MatchReport:
    releases: tuple[str, ...]
    components: int
    not_matchable: int
    """Components without a Package URL of an ecosystem advisories name, or without a version."""
    advisories: int
    """Advisories naming the releases' packages (withdrawn ones left out)."""
    distinct: int = 0
    """Distinct package versions matched (a version several components share is matched once)."""
    matches: list[MatchedPair] = field(default_factory=list)
    new_vulnerabilities: list[VulnerabilityRef] = field(default_factory=list)
    reused: list[VulnerabilityRef] = field(default_factory=list)
    new_links: int = 0
    repinned: int = 0
    components_revised: list[str] = field(default_factory=list)
    capa_candidates: list[CapaCandidate] = field(default_factory=list)
    reopened: list[Reopened] = field(default_factory=list)
    no_longer_matched: list[NoLongerMatched] = field(default_factory=list)
    older_versions: list[OlderVersion] = field(default_factory=list)
    unparsed_versions: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds: read (components and advisories), index, match, write."""

    @property
    def summary(self) -> dict[str, int]:
        return {
            "releases": len(self.releases),
            "components": self.components,
            "matches": len(self.matches),
            "new_vulnerabilities": len(self.new_vulnerabilities),
            "reused": len(self.reused),
            "new_links": self.new_links,
            "components_revised": len(self.components_revised),
            "capa_candidates": len(self.capa_candidates),
            "reopened": len(self.reopened),
            "no_longer_matched": len(self.no_longer_matched),
        }
