"""The premarket cybersecurity package of a release (FD&C Act 524B(b); FDA Cyber Guidance 2026
V and Appendix 4) as data: the SBOM with support data, the threat-model summary, the security
risk assessment, traceability threat -> risk -> control -> test, the security-to-safety bridge,
the security control categories, unresolved anomalies and the cyber metrics.

The threat model and the security risk file belong to the product, not to one release: the
package shows all of them (obsolete ones left out). The SBOM, anomalies and vulnerabilities
are the release's own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from qspine.model.cyber_bridge import Bridge, BridgeRisk, CategoryCoverage, Node
from qspine.model.cyber_metrics import CyberMetrics
from qspine.model.matrix import Matrix, cell_values
from qspine.model.matrix_rows import MatrixCell
from qspine.model.records import key_order

STRIDE = (
    "spoofing",
    "tampering",
    "repudiation",
    "information_disclosure",
    "denial_of_service",
    "elevation_of_privilege",
)
UNRESOLVED = ("affected", "under_investigation")


@dataclass(frozen=True)
class ReleaseInfo:
    key: str
    title: str
    status: str
    version_label: str
    product: str
    release_date: dt.date | None
    cyber_device: bool | None
    security_owner: str | None
    known_anomalies: str


@dataclass(frozen=True)
class PackageComponent:
    """A component at the version the release pins. Support data is the latest version's when
    that still names the same component version (the manufacturer keeps it current), else the
    pinned version's."""

    key: str
    name: str
    version: str
    pinned_version: int
    purl: str
    supplier: str
    licenses: tuple[str, ...]
    support_level: str
    end_of_support: dt.date | None
    past_end_of_support: bool
    known_vulnerabilities: tuple[str, ...]


@dataclass(frozen=True)
class ThreatSummary:
    """Threats (not obsolete) by STRIDE category (all six listed) and by entry point."""

    total: int
    by_stride: dict[str, int]
    by_entry_point: dict[str, int]
    by_status: dict[str, int]


@dataclass(frozen=True)
class RiskRow:
    key: str
    title: str
    status: str
    threats: tuple[str, ...]
    exploitability: str | None
    impact: str | None
    pre_control_rating: str | None
    post_control_exploitability: str | None
    post_control_impact: str | None
    post_control_rating: str | None
    safety_impact: bool
    controls: tuple[str, ...]


@dataclass(frozen=True)
class MatrixTable:
    """A trace matrix flattened for a document: column titles, and per row the cells as
    'KEY vN' (with a suspect mark) and title, plus its gap and suspect marks."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[tuple[tuple[str, str], ...], bool, bool], ...]
    gaps: int
    suspects: int
    fingerprint: str


@dataclass(frozen=True)
class Anomaly:
    """A vulnerability affecting the release or a component it contains, still affected or
    under investigation."""

    key: str
    identifier: str
    title: str
    status: str
    triage_state: str
    severity: str | None
    cvss_score: float | None
    affects: tuple[str, ...]


@dataclass(frozen=True)
class CyberPackage:
    release: ReleaseInfo
    generated_at: dt.datetime
    components: tuple[PackageComponent, ...]
    threat_summary: ThreatSummary
    risks: tuple[RiskRow, ...]
    traceability: MatrixTable | None
    safety_bridge: MatrixTable | None
    bridge: Bridge
    control_categories: tuple[CategoryCoverage, ...]
    anomalies: tuple[Anomaly, ...]
    metrics: CyberMetrics


def threat_summary(threats: Iterable[Node]) -> ThreatSummary:
    listed = list(threats)
    stride = {name: 0 for name in STRIDE}
    entry: dict[str, int] = {}
    status: dict[str, int] = {}
    for threat in listed:
        category = str(threat.fields.get("stride_category") or "")
        if category in stride:
            stride[category] += 1
        point = str(threat.fields.get("entry_point") or "").strip() or "(not stated)"
        entry[point] = entry.get(point, 0) + 1
        status[threat.status] = status.get(threat.status, 0) + 1
    return ThreatSummary(
        len(listed), stride, dict(sorted(entry.items())), dict(sorted(status.items()))
    )


def risk_rows(bridge: Bridge) -> tuple[RiskRow, ...]:
    """The security risk assessment table: every risk once, with the threats posing it."""
    posing: dict[str, list[str]] = {}
    risks: dict[str, BridgeRisk] = {}
    for threat in bridge.threats:
        for risk in threat.risks:
            posing.setdefault(risk.key, []).append(threat.key)
            risks.setdefault(risk.key, risk)
    for risk in bridge.unthreatened:
        risks.setdefault(risk.key, risk)
    rows = []
    for key in sorted(risks, key=key_order):
        risk = risks[key]
        ratings = risk.ratings
        rows.append(
            RiskRow(
                risk.key,
                risk.title,
                risk.status,
                tuple(posing.get(key, ())),
                ratings.get("exploitability"),
                ratings.get("impact"),
                ratings.get("pre_control_rating"),
                ratings.get("post_control_exploitability"),
                ratings.get("post_control_impact"),
                ratings.get("post_control_rating"),
                risk.safety_impact,
                tuple(c.key for c in risk.controls),
            )
        )
    return tuple(rows)


def matrix_table(matrix: Matrix, leading: int = 2) -> MatrixTable:
    """The rows of `matrix` reached from its first `leading` columns (for the security
    matrices: rows that begin at a threat or a security risk; rows that begin at a control or
    a test belong to the safety file or to other requirements). Gaps and suspects are counted
    over those rows; the fingerprint is the whole matrix's (`qspine matrix NAME`)."""
    rows = tuple(
        (tuple(_cell(cell) for cell in row.cells), row.gap, row.suspect)
        for row in matrix.rows
        if any(cell is not None for cell in row.cells[:leading])
    )
    return MatrixTable(
        matrix.name,
        matrix.title,
        tuple(c.title for c in matrix.columns),
        rows,
        sum(1 for _, gap, _ in rows if gap),
        sum(1 for _, _, suspect in rows if suspect),
        matrix.fingerprint,
    )


def _cell(cell: MatrixCell | None) -> tuple[str, str]:
    if cell is None:
        return ("", "")
    key, title, _ = cell_values(cell)
    return (key, title)
