"""The records a vulnerability match makes: a new vulnerability's fields from the advisories
behind it, a CAPA candidate's, and the report lines (pure functions of the match)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from qspine.model.advisories import preferred_identifier, severity_of, time_text
from qspine.model.triage import REOPENED
from qspine.model.vulndb_report import MatchedPair
from qspine.model.vulnerability_match import Match, PackageRef
from qspine.services.advisory_store import Advisory
from qspine.services.sbom_reads import Contained
from qspine.services.vulndb_reads import Held

_RANK = {"critical": 5, "high": 4, "medium": 3, "low": 2, "none": 1, "unknown": 0}


@dataclass(frozen=True)
class ReleaseInfo:
    key: str
    title: str
    status: str
    released: bool
    security_owner: str | None
    components: tuple[Contained, ...]


class Hit(NamedTuple):
    """One advisory affecting one component of one release, at the version it contains (a
    tuple: a big SBOM has hundreds of thousands)."""

    release: str
    component: Contained
    package: PackageRef
    match: Match


@dataclass
class Plan:
    """One vulnerability's share of the match."""

    ids: set[str]
    advisories: list[Advisory]
    hits: list[Hit]
    holder: Held | None
    closed: list[Held]
    key: str = ""
    identifier: str = ""
    by_component: dict[str, list[Hit]] = field(default_factory=dict)
    by_release: dict[str, list[Hit]] = field(default_factory=dict)
    modified: list[dt.datetime] = field(default_factory=list)
    """Modified times of every live advisory going by the vulnerability's ids, including those
    naming packages this match did not read (another release's)."""


def matched_pair(plan: Plan, hit: Hit) -> MatchedPair:
    return MatchedPair(
        vulnerability=plan.key,
        identifier=plan.identifier,
        component=hit.component.key,
        name=str(hit.component.fields.get("name") or hit.package.name),
        version=hit.component.version,
        release=hit.release,
        advisories=(hit.match.advisory,),
        reason=hit.match.reason,
    )


def vulnerability_title(plan: Plan) -> str:
    primary = sorted(plan.advisories, key=lambda a: (not a.record.summary, a.osv_id))
    text = primary[0].record.summary.strip() if primary else ""
    if not text and primary:  # the first sentence of the details
        sentences = " ".join(primary[0].record.details.split()).split(". ")
        text = sentences[0] if len(sentences[0]) >= 40 else ". ".join(sentences[:2])
        text = text.rstrip(".")
    if not text:
        text = f"{plan.identifier or preferred_identifier(plan.ids)} in {plan.hits[0].package.name}"
    return text if len(text) <= 160 else text[:159] + "…"


def newest_modified(plan: Plan) -> str:
    """The advisory time a vulnerability record keeps: the newest of every advisory behind it
    (not only of those this match read, so matching one release never moves it back)."""
    times = [a.modified for a in plan.advisories if a.modified is not None] + plan.modified
    return time_text(max(times)) if times else ""


def vulnerability_fields(
    plan: Plan, releases: dict[str, ReleaseInfo], today: dt.date
) -> dict[str, Any]:
    """A new vulnerability record: identity, the advisories' text and their highest stated
    severity, owned by the security owner of the first release it was found in."""
    severities = [
        severity_of([s.model_dump() for s in a.record.severity], a.record.database_specific)
        for a in plan.advisories
    ]
    severity = max(severities, key=lambda s: (_RANK[s.rating], s.score or 0))
    primary = sorted(plan.advisories, key=lambda a: (not a.record.summary, a.osv_id))[0]
    owners = [releases[r].security_owner for r in sorted(plan.by_release)]
    cwe = {str(c) for a in plan.advisories for c in a.record.database_specific.get("cwe_ids", [])}
    fields = {
        "title": vulnerability_title(plan),
        "identifier": plan.identifier,
        "aliases": sorted(plan.ids - {plan.identifier}),
        "source": "osv",
        "summary": primary.record.details or primary.record.summary,
        "cwe": sorted(cwe),
        "severity": severity.rating,
        "cvss_score": severity.score,
        "cvss_vector": severity.vector,
        "discovered_on": today.isoformat(),
        "owner": next((o for o in owners if o), None),
        "advisory_modified": newest_modified(plan),
        "triage_state": REOPENED,
    }
    return {k: v for k, v in fields.items() if v not in (None, "", [])}


def capa_fields(plan: Plan, release: ReleaseInfo) -> dict[str, Any]:
    """A CAPA candidate for a vulnerability newly found in a released release, assigned to
    the release's security owner; triage decides whether it proceeds or is cancelled."""
    hit = plan.by_release[release.key][0]
    name = str(hit.component.fields.get("name") or hit.package.name)
    aliases = ", ".join(sorted(plan.ids - {plan.identifier})) or "no aliases"
    advisories = ", ".join(a.osv_id for a in plan.advisories)
    statement = (
        f"{plan.identifier} ({aliases}) was matched offline against released {release.key} "
        f"({release.title}): {name} {hit.component.version} ({hit.component.key}); "
        f"{hit.match.reason}. Advisories: {advisories}. Triage {plan.key} and either carry "
        "this candidate through investigation or cancel it with the triage decision as its "
        "reason."
    )
    fields = {
        "title": f"CAPA candidate: {plan.identifier} in {name}@{hit.component.version} "
        f"({release.key})",
        "capa_type": "preventive",
        "source_type": "vulnerability",
        "problem_statement": statement,
        "owner": release.security_owner,
    }
    return {k: v for k, v in fields.items() if v}
