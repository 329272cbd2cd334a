"""The risk bridge and the control-category coverage over a small hand-made graph: each gap
once, chains in key order, test results newest first, empty categories listed."""

from __future__ import annotations

from qspine.model.cyber_bridge import (
    CONTROL_CATEGORIES,
    Edge,
    Graph,
    Node,
    build_bridge,
    control_categories,
)
from qspine.model.cyber_package import risk_rows, threat_summary


def node(key: str, kind: str, status: str = "approved", **fields: object) -> Node:
    return Node(key, kind, f"{key} title", status, fields)


NODES = [
    node("THR-2", "threat", stride_category="tampering", entry_point="USB"),
    node("THR-1", "threat", stride_category="spoofing", entry_point="API"),
    node("THR-10", "threat", stride_category="spoofing", entry_point="API"),
    node("SR-1", "security_risk", exploitability="high", impact="critical", safety_impact=True),
    node("SR-2", "security_risk", exploitability="low", impact="low", safety_impact=True),
    node("SR-3", "security_risk", exploitability="low", impact="low", safety_impact=False),
    node("RC-1", "risk_control", security_control_category="authentication"),
    node("RC-2", "risk_control", security_control_category="cryptography"),
    node("RC-3", "risk_control", "obsolete", security_control_category="integrity"),
    node("RC-4", "risk_control"),  # a safety control: no category
    node("REQ-1", "requirement"),
    node("TC-1", "test_case"),
    node("TC-2", "test_case"),
    node("TR-1", "test_result", outcome="fail", executed_on="2026-01-01T00:00:00Z"),
    node("TR-2", "test_result", outcome="pass", executed_on="2026-02-01T00:00:00Z"),
    node("HS-1", "hazardous_situation", initial_severity="serious"),
    node("HARM-1", "harm", severity="critical"),
]
EDGES = [
    Edge("poses", "THR-1", "SR-1"),
    Edge("poses", "THR-2", "SR-1", suspect=True),
    Edge("poses", "THR-2", "SR-2"),
    Edge("mitigates", "RC-2", "SR-1"),
    Edge("mitigates", "RC-1", "SR-1"),
    Edge("mitigates", "RC-4", "SR-2"),
    Edge("specified_by", "RC-1", "REQ-1"),
    Edge("verifies", "TC-1", "RC-1"),
    Edge("verifies", "TC-2", "REQ-1"),
    Edge("verifies", "TC-2", "SR-1"),
    Edge("result_of", "TR-1", "TC-1"),
    Edge("result_of", "TR-2", "TC-1"),
    Edge("may_cause", "SR-1", "HS-1"),
    Edge("leads_to", "HS-1", "HARM-1"),
    Edge("poses", "THR-1", "GONE-1"),  # an end the graph does not hold: ignored
]


def test_bridge_chains_and_gaps() -> None:
    bridge = build_bridge(Graph(NODES, EDGES))
    assert [(t.key, [r.key for r in t.risks], t.gaps) for t in bridge.threats] == [
        ("THR-1", ["SR-1"], ()),
        ("THR-2", ["SR-1", "SR-2"], ()),
        ("THR-10", [], ("no_risk",)),
    ]
    sr1_from_1, sr1_from_2 = bridge.threats[0].risks[0], bridge.threats[1].risks[0]
    assert (sr1_from_1.suspect, sr1_from_2.suspect) == (False, True)
    assert sr1_from_1.ratings["exploitability"] == "high" and sr1_from_1.gaps == ()
    rc1, rc2 = sr1_from_1.controls
    assert (rc1.key, rc1.category, [r.key for r in rc1.requirements], rc1.gaps) == (
        "RC-1",
        "authentication",
        ["REQ-1"],
        (),
    )
    (tc1,) = rc1.tests
    assert [r.key for r in tc1.results] == ["TR-2", "TR-1"] and tc1.latest_outcome == "pass"
    assert (rc2.key, rc2.gaps) == ("RC-2", ("no_test",))
    assert [t.key for t in sr1_from_1.tests] == ["TC-2"]
    (hs,) = sr1_from_1.safety
    assert (hs.key, hs.severity, [h.key for h in hs.harms]) == ("HS-1", "serious", ["HARM-1"])
    sr2 = bridge.threats[1].risks[1]
    assert sr2.gaps == ("no_may_cause",) and [c.key for c in sr2.controls] == ["RC-4"]
    assert [r.key for r in bridge.unthreatened] == ["SR-3"]
    assert bridge.unthreatened[0].gaps == ("no_control",)
    # each record counted once: RC-2 reached twice, RC-4 has no test either
    assert bridge.gaps == {"no_risk": 1, "no_control": 1, "no_test": 2, "no_may_cause": 1}


def test_control_categories_list_every_category() -> None:
    coverage = control_categories(Graph(NODES, EDGES), frozenset({"obsolete"}))
    assert [c.category for c in coverage] == [name for name, _ in CONTROL_CATEGORIES]
    by_name = {c.category: c for c in coverage}
    (rc1,) = by_name["authentication"].controls
    assert [(r.key, [t.key for t in r.tests]) for r in rc1.requirements] == [("REQ-1", ["TC-2"])]
    assert [t.key for t in rc1.tests] == ["TC-1"] and by_name["authentication"].tested
    assert [c.key for c in by_name["cryptography"].controls] == ["RC-2"]
    assert not by_name["cryptography"].tested
    assert by_name["integrity"].controls == ()  # RC-3 is obsolete
    assert sum(1 for c in coverage if not c.controls) == 6


def test_package_tables_from_the_bridge() -> None:
    graph = Graph(NODES, EDGES)
    rows = risk_rows(build_bridge(graph))
    assert [(r.key, r.threats, r.controls) for r in rows] == [
        ("SR-1", ("THR-1", "THR-2"), ("RC-1", "RC-2")),
        ("SR-2", ("THR-2",), ("RC-4",)),
        ("SR-3", (), ()),
    ]
    summary = threat_summary(graph.of_kind("threat"))
    assert summary.total == 3
    assert summary.by_stride["spoofing"] == 2 and summary.by_stride["repudiation"] == 0
    assert summary.by_entry_point == {"API": 2, "USB": 1}
