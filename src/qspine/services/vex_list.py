"""The vulnerability list the faces show: one row per vulnerability record with its triage
decision, who signed it, what it affects and how long it has been open."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from qspine.model.deadlines import as_date
from qspine.services.vex_reads import TriageSignature, Vulnerability

RESOLVED = ("not_affected", "fixed")


@dataclass(frozen=True)
class AffectedComponent:
    key: str
    name: str
    version: str
    purl: str


@dataclass(frozen=True)
class VulnerabilityRow:
    key: str
    title: str
    status: str
    version: int  # the record's current version (what a triage must expect)
    identifier: str
    aliases: tuple[str, ...]
    severity: str | None
    cvss_score: float | None
    triage_state: str
    vex_justification: str | None
    justification: str
    patient_risk: str | None
    remediation: str
    owner: str | None
    discovered_on: dt.date | None
    triaged_on: dt.date | None
    days_open: int | None  # discovery to decision (not_affected/fixed), else to today
    open: bool
    components: tuple[AffectedComponent, ...]
    releases: tuple[str, ...]  # releases it affects directly
    signed_by: str  # "Printed Name (user)" of the latest triage signature, or ""
    signed_at: dt.datetime | None
    signed_version: int | None
    signed_current: bool  # that signature is on the current version


@dataclass(frozen=True)
class VulnerabilityList:
    release: str | None
    state: str | None
    today: dt.date
    rows: tuple[VulnerabilityRow, ...]
    counts: dict[str, int] = field(default_factory=dict)  # by triage state, before filtering

    @property
    def total(self) -> int:
        return len(self.rows)


def row_of(
    vulnerability: Vulnerability,
    signature: TriageSignature | None,
    today: dt.date,
    closed: Collection[str],
    pinned: Mapping[str, dict[str, Any]] | None = None,
) -> VulnerabilityRow:
    """`pinned`: the fields of a release's components at the versions it contains (so a
    release's list shows the versions the release ships)."""
    fields = vulnerability.fields
    state = str(fields.get("triage_state") or "under_investigation")
    discovered, triaged = as_date(fields.get("discovered_on")), as_date(fields.get("triaged_on"))
    is_open = state not in RESOLVED and vulnerability.status not in closed
    end = triaged if not is_open and triaged is not None else today
    components = []
    for target in vulnerability.targets:
        if target.kind != "sbom_component":
            continue
        shown = (pinned or {}).get(target.key, target.fields)
        components.append(
            AffectedComponent(
                target.key,
                str(shown.get("name") or ""),
                str(shown.get("version") or ""),
                str(shown.get("purl") or ""),
            )
        )
    score = fields.get("cvss_score")
    return VulnerabilityRow(
        key=vulnerability.key,
        title=vulnerability.title,
        status=vulnerability.status,
        version=vulnerability.number,
        identifier=str(fields.get("identifier") or ""),
        aliases=tuple(fields.get("aliases") or ()),
        severity=fields.get("severity"),
        cvss_score=float(score) if score is not None else None,
        triage_state=state,
        vex_justification=fields.get("vex_justification"),
        justification=str(fields.get("justification") or ""),
        patient_risk=fields.get("patient_risk"),
        remediation=str(fields.get("remediation") or ""),
        owner=fields.get("owner"),
        discovered_on=discovered,
        triaged_on=triaged,
        days_open=(end - discovered).days if discovered is not None else None,
        open=is_open,
        components=tuple(components),
        releases=tuple(t.key for t in vulnerability.targets if t.kind == "release"),
        signed_by=f"{signature.printed_name} ({signature.signer})" if signature else "",
        signed_at=signature.at if signature else None,
        signed_version=signature.version if signature else None,
        signed_current=signature is not None and signature.version == vulnerability.number,
    )
