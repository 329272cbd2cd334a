"""The threat model and the risk bridge (FDA Cyber Guidance 2026 V.A; AAMI TIR57, SW96), and the
coverage of the guidance's security control categories, built from records and links.

Per threat: the security risks it poses with their ratings; the controls mitigating each risk
with their category, the requirements specifying them and the tests verifying them (with
results); and, for a risk with safety impact, the hazardous situations and harms it may cause.
Gaps are marked where the chain breaks:

- `no_risk`: a threat poses no security risk;
- `no_control`: no risk control mitigates a security risk;
- `no_test`: no test case verifies a control;
- `no_may_cause`: a risk marked with safety impact links to no hazardous situation or harm.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from qspine.model.records import key_order

# The guidance's security control categories (FDA Cyber Guidance 2026, Appendix 1), in order.
CONTROL_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("authentication", "Authentication"),
    ("authorization", "Authorization"),
    ("cryptography", "Cryptography"),
    ("integrity", "Code, data and execution integrity"),
    ("confidentiality", "Confidentiality"),
    ("event_detection_and_logging", "Event detection and logging"),
    ("resiliency_and_recovery", "Resiliency and recovery"),
    ("updatability_and_patchability", "Firmware and software updates"),
)
GAPS = ("no_risk", "no_control", "no_test", "no_may_cause")
RATINGS = (
    "exploitability",
    "impact",
    "pre_control_rating",
    "post_control_exploitability",
    "post_control_impact",
    "post_control_rating",
)
# Link types the bridge reads.
BRIDGE_LINKS = ("poses", "mitigates", "verifies", "result_of", "may_cause", "leads_to")


@dataclass(frozen=True)
class Node:
    """A record as the bridge reads it: its latest version's fields."""

    key: str
    kind: str
    title: str
    status: str
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Edge:
    type: str
    source: str
    target: str
    suspect: bool = False


@dataclass(frozen=True)
class Ref:
    key: str
    title: str
    status: str
    suspect: bool = False


@dataclass(frozen=True)
class TestResultRef:
    key: str
    status: str
    outcome: str
    executed_on: str


@dataclass(frozen=True)
class TestEvidence:
    """A test case and its results, newest execution first."""

    key: str
    title: str
    status: str
    results: tuple[TestResultRef, ...]
    suspect: bool = False

    @property
    def latest_outcome(self) -> str | None:
        return self.results[0].outcome if self.results else None


@dataclass(frozen=True)
class BridgeControl:
    key: str
    title: str
    status: str
    category: str | None
    requirements: tuple[Ref, ...]
    tests: tuple[TestEvidence, ...]
    suspect: bool
    gaps: tuple[str, ...]


@dataclass(frozen=True)
class SafetyLink:
    """A hazardous situation or harm the risk may cause; a situation's harms (leads_to)."""

    key: str
    kind: str
    title: str
    status: str
    severity: str | None
    harms: tuple[Ref, ...]
    suspect: bool


@dataclass(frozen=True)
class BridgeRisk:
    key: str
    title: str
    status: str
    ratings: dict[str, str | None]
    safety_impact: bool
    controls: tuple[BridgeControl, ...]
    tests: tuple[TestEvidence, ...]  # verifying the risk's mitigation directly
    safety: tuple[SafetyLink, ...]
    suspect: bool  # the poses link from the threat
    gaps: tuple[str, ...]


@dataclass(frozen=True)
class BridgeThreat:
    key: str
    title: str
    status: str
    stride_category: str | None
    asset: str | None
    entry_point: str | None
    attack_vector: str | None
    risks: tuple[BridgeRisk, ...]
    gaps: tuple[str, ...]


@dataclass(frozen=True)
class Bridge:
    """Every threat with its chain; security risks no threat poses are listed apart.
    `gaps` counts each record once, however many threats reach it."""

    threats: tuple[BridgeThreat, ...]
    unthreatened: tuple[BridgeRisk, ...]
    gaps: dict[str, int]


@dataclass(frozen=True)
class RequirementCoverage:
    key: str
    title: str
    status: str
    tests: tuple[Ref, ...]


@dataclass(frozen=True)
class CategoryControl:
    key: str
    title: str
    status: str
    requirements: tuple[RequirementCoverage, ...]
    tests: tuple[Ref, ...]


@dataclass(frozen=True)
class CategoryCoverage:
    """One security control category: its controls, their requirements and tests. `tested`:
    some control of the category is verified, directly or through a requirement."""

    category: str
    title: str
    controls: tuple[CategoryControl, ...]

    @property
    def tested(self) -> bool:
        return any(c.tests or any(r.tests for r in c.requirements) for c in self.controls)


class Graph:
    """Nodes by key and edges by (type, source) and (type, target)."""

    def __init__(self, nodes: Iterable[Node], edges: Iterable[Edge]) -> None:
        self.nodes = {n.key: n for n in nodes}
        self.out: dict[tuple[str, str], list[Edge]] = {}
        self.into: dict[tuple[str, str], list[Edge]] = {}
        for edge in edges:
            if edge.source in self.nodes and edge.target in self.nodes:
                self.out.setdefault((edge.type, edge.source), []).append(edge)
                self.into.setdefault((edge.type, edge.target), []).append(edge)

    def of_kind(self, kind: str) -> list[Node]:
        return sorted((n for n in self.nodes.values() if n.kind == kind), key=_order)

    def targets(self, link: str, source: str, kind: str | None = None) -> list[tuple[Node, Edge]]:
        return self._ends(
            [(self.nodes[e.target], e) for e in self.out.get((link, source), [])], kind
        )

    def sources(self, link: str, target: str, kind: str | None = None) -> list[tuple[Node, Edge]]:
        return self._ends(
            [(self.nodes[e.source], e) for e in self.into.get((link, target), [])], kind
        )

    @staticmethod
    def _ends(found: list[tuple[Node, Edge]], kind: str | None) -> list[tuple[Node, Edge]]:
        return sorted(
            ((n, e) for n, e in found if kind is None or n.kind == kind), key=lambda p: _order(p[0])
        )


def build_bridge(graph: Graph) -> Bridge:
    """The bridge over every threat and security risk of `graph`."""
    risks = {r.key: _risk(graph, r) for r in graph.of_kind("security_risk")}
    threats = []
    posed: set[str] = set()
    for threat in graph.of_kind("threat"):
        chain = []
        for risk, edge in graph.targets("poses", threat.key, "security_risk"):
            posed.add(risk.key)
            chain.append(dataclasses.replace(risks[risk.key], suspect=edge.suspect))
        fields = threat.fields
        threats.append(
            BridgeThreat(
                threat.key,
                threat.title,
                threat.status,
                fields.get("stride_category"),
                fields.get("asset"),
                fields.get("entry_point"),
                fields.get("attack_vector"),
                tuple(chain),
                () if chain else ("no_risk",),
            )
        )
    counts = {gap: 0 for gap in GAPS}
    counts["no_risk"] = sum(1 for t in threats if t.gaps)
    controls: dict[str, BridgeControl] = {}
    for item in risks.values():
        for gap in item.gaps:
            counts[gap] += 1
        controls.update((c.key, c) for c in item.controls)
    counts["no_test"] = sum(1 for c in controls.values() if c.gaps)
    unthreatened = tuple(risks[k] for k in risks if k not in posed)
    return Bridge(tuple(threats), unthreatened, counts)


def _risk(graph: Graph, risk: Node) -> BridgeRisk:
    fields = risk.fields
    controls = tuple(
        _control(graph, control, edge.suspect)
        for control, edge in graph.sources("mitigates", risk.key, "risk_control")
    )
    safety = tuple(
        _safety(graph, target, edge.suspect)
        for target, edge in graph.targets("may_cause", risk.key)
        if target.kind in ("hazardous_situation", "harm")
    )
    impact = bool(fields.get("safety_impact"))
    gaps = (() if controls else ("no_control",)) + (
        ("no_may_cause",) if impact and not safety else ()
    )
    return BridgeRisk(
        risk.key,
        risk.title,
        risk.status,
        {name: fields.get(name) for name in RATINGS},
        impact,
        controls,
        _tests(graph, risk.key),
        safety,
        False,
        gaps,
    )


def _control(graph: Graph, control: Node, suspect: bool) -> BridgeControl:
    tests = _tests(graph, control.key)
    return BridgeControl(
        control.key,
        control.title,
        control.status,
        control.fields.get("security_control_category"),
        tuple(_ref(r, e) for r, e in graph.targets("specified_by", control.key, "requirement")),
        tests,
        suspect,
        () if tests else ("no_test",),
    )


def _tests(graph: Graph, key: str) -> tuple[TestEvidence, ...]:
    found = []
    for test, edge in graph.sources("verifies", key, "test_case"):
        results = [
            TestResultRef(
                r.key,
                r.status,
                str(r.fields.get("outcome") or ""),
                str(r.fields.get("executed_on") or ""),
            )
            for r, _ in graph.sources("result_of", test.key, "test_result")
        ]
        results.sort(key=lambda r: (r.executed_on, key_order(r.key)), reverse=True)
        found.append(TestEvidence(test.key, test.title, test.status, tuple(results), edge.suspect))
    return tuple(found)


def _safety(graph: Graph, target: Node, suspect: bool) -> SafetyLink:
    harms: tuple[Ref, ...] = ()
    if target.kind == "hazardous_situation":
        harms = tuple(_ref(h, e) for h, e in graph.targets("leads_to", target.key, "harm"))
    severity = target.fields.get("severity" if target.kind == "harm" else "initial_severity")
    return SafetyLink(
        target.key, target.kind, target.title, target.status, severity, harms, suspect
    )


def control_categories(
    graph: Graph, retired: frozenset[str] = frozenset()
) -> tuple[CategoryCoverage, ...]:
    """The eight categories, each with the controls (not in a `retired` status) that name it,
    their requirements (specified_by) and the tests verifying control or requirement; a
    category without controls is listed empty."""
    by_category: dict[str, list[CategoryControl]] = {name: [] for name, _ in CONTROL_CATEGORIES}
    for control in graph.of_kind("risk_control"):
        category = control.fields.get("security_control_category")
        if category not in by_category or control.status in retired:
            continue
        requirements = tuple(
            RequirementCoverage(
                r.key,
                r.title,
                r.status,
                tuple(_ref(t, e) for t, e in graph.sources("verifies", r.key, "test_case")),
            )
            for r, _ in graph.targets("specified_by", control.key, "requirement")
        )
        tests = tuple(_ref(t, e) for t, e in graph.sources("verifies", control.key, "test_case"))
        by_category[category].append(
            CategoryControl(control.key, control.title, control.status, requirements, tests)
        )
    return tuple(
        CategoryCoverage(name, title, tuple(by_category[name]))
        for name, title in CONTROL_CATEGORIES
    )


def _ref(node: Node, edge: Edge) -> Ref:
    return Ref(node.key, node.title, node.status, edge.suspect)


def _order(node: Node) -> tuple[str, int]:
    return key_order(node.key)
