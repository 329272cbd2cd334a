"""Cybersecurity views over the spine: the cyber metrics, the threat model and risk bridge, the
security control categories, and the premarket cybersecurity package of a release (FD&C Act
524B; FDA Cyber Guidance 2026). Reads only; nothing is written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from qspine.model.cyber_bridge import Bridge, CategoryCoverage, build_bridge, control_categories
from qspine.model.cyber_metrics import CyberMetrics, product_of
from qspine.model.cyber_package import (
    UNRESOLVED,
    Anomaly,
    CyberPackage,
    MatrixTable,
    PackageComponent,
    ReleaseInfo,
    matrix_table,
    risk_rows,
    threat_summary,
)
from qspine.model.deadlines import as_date
from qspine.model.errors import InvalidInput, NotFound
from qspine.model.records import key_order
from qspine.services import cyber_reads, reads
from qspine.services.context import SpineContext
from qspine.services.lifecycle import load_record
from qspine.services.matrix import MatrixService
from qspine.services.sbom_reads import Contained, contained
from qspine.services.users import User, UserService
from qspine.store.engine import read_connection

TRACEABILITY_MATRIX = "security_controls"
SAFETY_MATRIX = "security_safety"


@dataclass(frozen=True)
class CyberOverview:
    """What the Cybersecurity hub shows: metrics, control categories, the bridge, and the
    releases a package can be made for."""

    metrics: CyberMetrics
    control_categories: tuple[CategoryCoverage, ...]
    bridge: Bridge
    releases: tuple[dict[str, Any], ...]


class CyberService:
    def __init__(self, context: SpineContext, users: UserService, matrices: MatrixService) -> None:
        self._context = context
        self._users = users
        self._matrices = matrices

    def metrics(self, user: User, as_of: dt.date | None = None) -> CyberMetrics:
        """The cyber metrics as at `as_of` (default today, UTC); see qspine.model.cyber_metrics
        for every definition."""
        self._users.permits(user, "read")
        day = self._day(as_of)
        with read_connection(self._context.engine) as connection:
            return cyber_reads.read_metrics(connection, self._context.profile, day)

    def bridge(self, user: User) -> Bridge:
        """Per threat: its security risks with ratings, their controls with category,
        requirements and tests (with results), the hazardous situations and harms they may
        cause; gaps marked."""
        self._users.permits(user, "read")
        with read_connection(self._context.engine) as connection:
            return build_bridge(cyber_reads.load_graph(connection, self._context.profile))

    def control_categories(self, user: User) -> tuple[CategoryCoverage, ...]:
        """The eight security control categories -> controls -> requirements -> tests."""
        self._users.permits(user, "read")
        with read_connection(self._context.engine) as connection:
            return control_categories(cyber_reads.load_graph(connection, self._context.profile))

    def overview(self, user: User, as_of: dt.date | None = None) -> CyberOverview:
        self._users.permits(user, "read")
        day = self._day(as_of)
        profile = self._context.profile
        with read_connection(self._context.engine) as connection:
            graph = cyber_reads.load_graph(connection, profile)
            return CyberOverview(
                cyber_reads.read_metrics(connection, profile, day),
                control_categories(graph),
                build_bridge(graph),
                tuple(cyber_reads.releases(connection)),
            )

    def package(self, user: User, release: str) -> CyberPackage:
        """The premarket cybersecurity package of `release` (see qspine.model.cyber_package)."""
        self._users.permits(user, "read")
        profile = self._context.profile
        now = self._context.clock()
        with read_connection(self._context.engine) as connection:
            info = _release_info(connection, release)
            items = contained(connection, release)
            components = _components(connection, items, now.date())
            graph = cyber_reads.load_graph(connection, profile)
            anomalies = _anomalies(connection, release, items)
            metrics = cyber_reads.read_metrics(connection, profile, now.date())
        bridge = build_bridge(graph)
        return CyberPackage(
            release=info,
            generated_at=now,
            components=components,
            threat_summary=threat_summary(graph.of_kind("threat")),
            risks=risk_rows(bridge),
            traceability=self._matrix(user, TRACEABILITY_MATRIX),
            safety_bridge=self._matrix(user, SAFETY_MATRIX),
            bridge=bridge,
            control_categories=control_categories(graph),
            anomalies=anomalies,
            metrics=metrics,
        )

    def _matrix(self, user: User, name: str) -> MatrixTable | None:
        if name not in self._context.profile.matrices:
            return None
        return matrix_table(self._matrices.build(user, name))

    def _day(self, as_of: dt.date | None) -> dt.date:
        today = self._context.clock().date()
        if as_of is not None and as_of > today:
            raise InvalidInput(f"as of {as_of}: a date in the future; give today or earlier")
        return as_of or today


def _release_info(connection: Connection, key: str) -> ReleaseInfo:
    try:
        row = load_record(connection, key)
    except NotFound:
        raise NotFound(f"no release {key}") from None
    if row["kind"] != "release":
        raise InvalidInput(f"{key} is a {row['kind']}, not a release")
    (release,) = reads.kind_records(connection, "release", keys={key})
    fields = release.fields
    cyber = fields.get("cyber_device")
    return ReleaseInfo(
        key=release.key,
        title=release.title,
        status=release.status,
        version_label=str(fields.get("version_label") or ""),
        product=product_of(release.title, fields),
        release_date=as_date(fields.get("release_date")),
        cyber_device=None if cyber is None else bool(cyber),
        security_owner=fields.get("security_owner"),
        known_anomalies=str(fields.get("known_anomalies") or ""),
    )


def _components(
    connection: Connection, items: list[Contained], today: dt.date
) -> tuple[PackageComponent, ...]:
    found = []
    for item, support in cyber_reads.with_support(connection, items):
        fields = item.fields
        end = as_date(support.get("end_of_support"))
        found.append(
            PackageComponent(
                key=item.key,
                name=str(fields.get("name") or ""),
                version=item.version,
                pinned_version=item.number,
                purl=str(fields.get("purl") or ""),
                supplier=str(fields.get("supplier_name") or ""),
                licenses=tuple(fields.get("licenses") or ()),
                support_level=str(support.get("support_level") or "unknown"),
                end_of_support=end,
                past_end_of_support=end is not None and end < today,
                known_vulnerabilities=tuple(support.get("known_vulnerabilities") or ()),
            )
        )
    return tuple(sorted(found, key=lambda c: (c.name.casefold(), c.version, key_order(c.key))))


def _anomalies(connection: Connection, release: str, items: list[Contained]) -> tuple[Anomaly, ...]:
    hits = cyber_reads.affecting(connection, release, items)
    if not hits:
        return ()
    found = []
    for row in reads.kind_records(connection, "vulnerability", keys=set(hits)):
        fields = row.fields
        state = str(fields.get("triage_state") or "under_investigation")
        if state not in UNRESOLVED or row.status == "cancelled":
            continue
        score = fields.get("cvss_score")
        found.append(
            Anomaly(
                key=row.key,
                identifier=str(fields.get("identifier") or ""),
                title=row.title,
                status=row.status,
                triage_state=state,
                severity=fields.get("severity"),
                cvss_score=None if score is None else float(score),
                affects=tuple(sorted(set(hits[row.key]), key=key_order)),
            )
        )
    return tuple(sorted(found, key=lambda a: key_order(a.key)))
