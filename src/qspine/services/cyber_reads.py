"""The queries behind the cyber views: the rows the metrics are computed from, the threat-model
graph the bridge is built from, and the vulnerabilities affecting a release.

Every read is a handful of bulk queries scoped by link type and kind (no per-record loop over
the store): the security records are few, and links are read only where they touch them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qspine.model.cyber_bridge import Edge, Graph, Node
from qspine.model.cyber_metrics import (
    UNDER_INVESTIGATION,
    ContainedComponent,
    CyberMetrics,
    ReleaseRow,
    SbomImportRow,
    VulnerabilityRow,
    compute_metrics,
)
from qspine.model.deadlines import as_date
from qspine.model.profile import Profile
from qspine.services import reads
from qspine.services.sbom_reads import Contained, contained
from qspine.store.schema import audit_event, link, record, version

SBOM_IMPORT = "sbom.import"
_source = record.alias("cyber_source")
_target = record.alias("cyber_target")


def read_metrics(connection: Connection, profile: Profile, as_of: dt.date) -> CyberMetrics:
    """The cyber metrics as at `as_of`, from the records as they stand now."""
    releases = reads.kind_records(connection, "release")
    with_components = _releases_with_components(connection)
    released = profile.lifecycle_of("release").released_states if "release" in profile.kinds else ()
    release_rows = [
        ReleaseRow.of(r.key, r.title, r.fields, r.status in released, r.key in with_components)
        for r in releases
    ]
    products = {r.key: r.product for r in release_rows}
    vulnerabilities = read_vulnerabilities(connection, _affected_products(connection, products))
    shipped = [
        (r.key, c)
        for r in release_rows
        if r.released and r.has_components
        for c in contained(connection, r.key)
    ]
    supported = with_support(connection, [c for _, c in shipped])
    components = [
        ContainedComponent(
            c.key,
            str(c.fields.get("name") or ""),
            c.version,
            c.status,
            str(support.get("support_level") or "unknown"),
            as_date(support.get("end_of_support")),
            release,
            True,
        )
        for (release, _), (c, support) in zip(shipped, supported, strict=True)
    ]
    return compute_metrics(
        as_of, vulnerabilities, release_rows, _imports(connection, products), components
    )


def vulnerability_metrics(connection: Connection, as_of: dt.date) -> CyberMetrics:
    """The metrics of the vulnerabilities alone (no releases, SBOMs or components), in one
    query: for the management review, whose inputs are read in a handful of queries."""
    return compute_metrics(as_of, read_vulnerabilities(connection))


def read_vulnerabilities(
    connection: Connection, products: dict[str, set[str]] | None = None
) -> list[VulnerabilityRow]:
    """Every vulnerability with its latest fields and the day of its first triage decision
    (its first version whose triage state is not under_investigation), in one query."""
    earlier = version.alias("cyber_decided")
    decided = (
        sa.select(sa.func.min(earlier.c.created_at))
        .where(
            earlier.c.record_id == record.c.id,
            earlier.c.fields["triage_state"].as_string() != UNDER_INVESTIGATION,
        )
        .scalar_subquery()
    )
    rows = connection.execute(
        sa.select(record.c.key, record.c.status, version.c.fields, decided)
        .join(
            version,
            sa.and_(
                version.c.record_id == record.c.id, version.c.number == record.c.latest_version
            ),
        )
        .where(record.c.kind == "vulnerability")
        .order_by(record.c.id)
    )
    found = products or {}
    return [
        VulnerabilityRow.of(
            key, status, fields, None if at is None else _day(at), found.get(key, ())
        )
        for key, status, fields, at in rows
    ]


def with_support(
    connection: Connection, items: list[Contained]
) -> list[tuple[Contained, dict[str, Any]]]:
    """Each contained component with the fields its support data comes from: the latest
    version's when that names the same component version, else the pinned version's."""
    latest = {
        row.key: row.fields
        for row in reads.kind_records(connection, "sbom_component", keys={c.key for c in items})
    }
    found = []
    for item in items:
        newest = latest.get(item.key, {})
        same = str(newest.get("version", "")) == item.version
        found.append((item, dict(newest) if same else dict(item.fields)))
    return found


def load_graph(connection: Connection, profile: Profile) -> Graph:
    """The threat model, security risks, controls, their requirements, tests and results, and
    the hazardous situations and harms security risks may cause. Threats, risks and controls
    in a terminal status (obsolete) are left out."""
    pinned = profile.pinned_link_types
    spec, ver, cause = link.alias("cyber_spec"), link.alias("cyber_ver"), link.alias("cyber_cause")
    ver_target = record.alias("cyber_ver_target")
    specified = sa.select(spec.c.target_id).where(
        spec.c.type == "specified_by", spec.c.removed_at.is_(None)
    )

    def verified(links: Any, target: Any) -> Any:
        """SQL: a verifies link to a security risk, a control or a requirement specifying one."""
        kinds = target.c.kind.in_(["security_risk", "risk_control"])
        return sa.or_(kinds, links.c.target_id.in_(specified))

    tests = (
        sa.select(ver.c.source_id)
        .join(ver_target, ver_target.c.id == ver.c.target_id)
        .where(ver.c.type == "verifies", ver.c.removed_at.is_(None), verified(ver, ver_target))
    )
    caused = sa.select(cause.c.target_id).where(
        cause.c.type == "may_cause", cause.c.removed_at.is_(None)
    )
    edges = [
        *_edges(connection, pinned, ["poses", "may_cause", "mitigates", "specified_by"]),
        *_edges(connection, pinned, ["verifies"], verified(link, _target)),
        *_edges(connection, pinned, ["result_of"], link.c.target_id.in_(tests)),
        *_edges(connection, pinned, ["leads_to"], link.c.source_id.in_(caused)),
    ]
    nodes: list[Node] = []
    for kind in ("threat", "security_risk", "risk_control"):
        ended = _terminal(profile, kind)
        nodes += [n for n in _nodes(connection, kind) if n.status not in ended]
    ends = {e.target for e in edges} | {e.source for e in edges}
    for kind in ("hazardous_situation", "harm", "requirement", "test_case", "test_result"):
        nodes += _nodes(connection, kind, ends)
    return Graph(nodes, edges)


def releases(connection: Connection) -> list[dict[str, Any]]:
    """Every release (key, title, status, product, version label), newest first."""
    rows = reads.kind_records(connection, "release")
    return [
        {
            "key": r.key,
            "title": r.title,
            "status": r.status,
            "version_label": str(r.fields.get("version_label") or ""),
            "product": ReleaseRow.of(r.key, r.title, r.fields, False, False).product,
        }
        for r in reversed(rows)
    ]


def affecting(
    connection: Connection, release_key: str, components: Iterable[Contained]
) -> dict[str, list[str]]:
    """vulnerability key -> what of the release it affects: the release itself, or a component
    it contains at the same component version the affects link was matched against."""
    pinned = {c.key: c.version for c in components}
    rows = connection.execute(
        sa.select(_source.c.key, _target.c.key, _target.c.kind, version.c.fields)
        .select_from(link)
        .join(_source, _source.c.id == link.c.source_id)
        .join(_target, _target.c.id == link.c.target_id)
        .join(
            version,
            sa.and_(
                version.c.record_id == link.c.target_id,
                version.c.number == link.c.target_version,
            ),
        )
        .where(
            link.c.type == "affects",
            link.c.removed_at.is_(None),
            _source.c.kind == "vulnerability",
        )
        .order_by(link.c.id)
    )
    found: dict[str, list[str]] = {}
    for source, target, kind, fields in rows:
        if target == release_key or (
            kind == "sbom_component"
            and target in pinned
            and str((fields or {}).get("version", "")) == pinned[target]
        ):
            found.setdefault(source, []).append(target)
    return found


def _nodes(connection: Connection, kind: str, keys: set[str] | None = None) -> list[Node]:
    if keys is not None and not keys:
        return []
    rows = reads.kind_records(connection, kind, keys=keys)
    return [Node(r.key, kind, r.title, r.status, r.fields) for r in rows]


def _terminal(profile: Profile, kind: str) -> frozenset[str]:
    if kind not in profile.kinds:
        return frozenset()
    states = profile.lifecycle_of(kind).states
    return frozenset(name for name, state in states.items() if state.terminal)


def _edges(
    connection: Connection, pinned: frozenset[str], types: list[str], *conditions: Any
) -> list[Edge]:
    rows = connection.execute(
        sa.select(
            link.c.type,
            _source.c.key,
            _target.c.key,
            link.c.target_version,
            _target.c.released_version,
        )
        .select_from(link)
        .join(_source, _source.c.id == link.c.source_id)
        .join(_target, _target.c.id == link.c.target_id)
        .where(link.c.type.in_(types), link.c.removed_at.is_(None), *conditions)
        .order_by(link.c.id)
    )
    return [
        Edge(kind, source, target, kind not in pinned and released is not None and released > at)
        for kind, source, target, at, released in rows
    ]


def _releases_with_components(connection: Connection) -> set[str]:
    rows = connection.execute(
        sa.select(_source.c.key)
        .distinct()
        .select_from(link)
        .join(_source, _source.c.id == link.c.source_id)
        .join(_target, _target.c.id == link.c.target_id)
        .where(
            link.c.type == "contains",
            link.c.removed_at.is_(None),
            _source.c.kind == "release",
            _target.c.kind == "sbom_component",
        )
    )
    return {key for (key,) in rows}


def _affected_products(connection: Connection, products: dict[str, str]) -> dict[str, set[str]]:
    """vulnerability key -> the products of the releases it affects, directly or through a
    component the release contains."""
    inner = link.alias("cyber_contains")
    held = (
        sa.select(inner.c.source_id, inner.c.target_id)
        .where(inner.c.type == "contains", inner.c.removed_at.is_(None))
        .subquery()
    )
    holder = record.alias("cyber_holder")
    rows = connection.execute(
        sa.select(_source.c.key, _target.c.key, holder.c.key)
        .select_from(link)
        .join(_source, _source.c.id == link.c.source_id)
        .join(_target, _target.c.id == link.c.target_id)
        .outerjoin(held, held.c.target_id == link.c.target_id)
        .outerjoin(holder, holder.c.id == held.c.source_id)
        .where(link.c.type == "affects", link.c.removed_at.is_(None))
    )
    found: dict[str, set[str]] = {}
    for vulnerability, target, release in rows:
        for key in (target, release):
            if key in products:
                found.setdefault(vulnerability, set()).add(products[key])
    return found


def _imports(connection: Connection, products: dict[str, str]) -> list[SbomImportRow]:
    """The `sbom.import` audit events of the releases (indexed by subject)."""
    if not products:
        return []
    found = []
    keys = sorted(products)
    for start in range(0, len(keys), 500):
        rows = connection.execute(
            sa.select(audit_event.c.subject, audit_event.c.at, audit_event.c.payload).where(
                audit_event.c.subject.in_(keys[start : start + 500]),
                audit_event.c.action == SBOM_IMPORT,
            )
        )
        for subject, at, payload in rows:
            product = (payload or {}).get("product") if isinstance(payload, dict) else None
            found.append(SbomImportRow(subject, _day(at), str(product) if product else None))
    return found


def _day(at: dt.datetime) -> dt.date:
    if at.tzinfo is None:
        return at.date()
    return at.astimezone(dt.UTC).date()
