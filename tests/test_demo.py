"""The CytoAssist demo: seeded once into a fresh SQLite spine, then checked through the services.

Each deliberate gap listed in docs/demo.md is checked against the records it names, so the
demo keeps giving readiness rules something true to find.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from qspine import Forbidden, InvalidInput, Spine, open_spine
from qspine.demo import DEMO_PASSWORD, DEMO_USERS, DemoSummary, seed_demo
from qspine.demo.gaps import GAPS
from qspine.model.records import RecordView
from qspine.model.rule_where import matches, parse_where

from helpers import DemoTemplate, Invoke, demo_copy, settings_for

TODAY = dt.date.today()
DOCS = Path(__file__).resolve().parents[1] / "docs" / "demo.md"
GAP_KEYS = {
    1: ("REQ-10",),
    2: ("RC-6",),
    3: ("CAPA-2",),
    4: ("CMP-3",),
    5: ("ACT-2", "MR-2"),
    6: ("DOC-5",),
    7: ("REQ-2", "TC-2"),
    8: ("SUP-2",),
    9: ("VULN-4",),
    10: ("ROLE-3", "DOC-1"),
}


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory, demo_template: DemoTemplate
) -> Iterator[tuple[Spine, DemoSummary]]:
    tmp_path = tmp_path_factory.mktemp("demo")
    url = demo_copy(demo_template, tmp_path)
    spine = open_spine(url, settings=settings_for(url, tmp_path))
    yield spine, demo_template.summary
    spine.close()


@pytest.fixture(scope="module")
def spine(demo: tuple[Spine, DemoSummary]) -> Spine:
    return demo[0]


@pytest.fixture(scope="module")
def summary(demo: tuple[Spine, DemoSummary]) -> DemoSummary:
    return demo[1]


def show(spine: Spine, key: str) -> RecordView:
    return spine.records.show(key)


def days_ago(value: str) -> int:
    return (TODAY - dt.date.fromisoformat(value)).days


def test_every_kind_has_at_least_two_records(spine: Spine, summary: DemoSummary) -> None:
    for kind in spine.profile.kinds:
        total, _ = spine.records.list(kind=kind, limit=1)
        assert total >= 2, kind
        assert summary.records_by_kind[kind] == total
    assert 250 <= summary.records <= 400


def test_users_links_and_signatures(spine: Spine, summary: DemoSummary) -> None:
    assert [u.username for u in spine.users.list()] == sorted(u.username for u in DEMO_USERS)
    for user in DEMO_USERS:
        assert spine.users.authenticate(user.username, DEMO_PASSWORD).roles == user.roles
    total, items = spine.records.list(limit=1000)
    views = [show(spine, item.key) for item in items]
    assert total == summary.records == len(views)
    assert sum(len(v.links_out) for v in views) == summary.links > 300
    signatures = [s for v in views for s in v.signatures]
    assert len(signatures) == summary.signatures
    assert 60 <= len(signatures) <= 150
    assert all(s.valid for s in signatures)
    meanings = {s.meaning for s in signatures}
    assert meanings == {
        "approved",
        "released",
        "reviewed",
        "verified",
        "closed",
        "effectiveness_verified",
    }


def test_local_ids_name_the_keys(summary: DemoSummary) -> None:
    """Content refers to records by local id ('req2'); each one became the matching key."""
    for local, key in summary.keys.items():
        match = re.fullmatch(r"([a-z]+)(\d+)", local)
        assert match is not None, local
        assert key == f"{match[1].upper()}-{match[2]}"


def test_audit_chain_is_intact(spine: Spine) -> None:
    assert spine.audit.verify().intact


def test_lifecycles_end_where_the_story_says(spine: Spine) -> None:
    assert show(spine, "REL-1").status == "released"
    assert show(spine, "REL-2").status == "in_review"
    _, approved = spine.records.list(kind="requirement", status="approved", limit=100)
    assert len(approved) >= 10
    for status in ("draft", "in_review"):
        assert spine.records.list(kind="requirement", status=status, limit=1)[0] >= 1
    assert spine.records.list(kind="document", status="effective", limit=1)[0] >= 5
    assert spine.records.list(kind="test_result", status="recorded", limit=1)[0] >= 5
    for kind in ("complaint", "capa"):
        assert spine.records.list(kind=kind, status="closed", limit=1)[0] >= 1
        assert spine.records.list(kind=kind, status="investigating", limit=1)[0] >= 1
    closed = show(spine, "CAPA-1")
    closer = next(s for s in closed.signatures if s.meaning == "closed")
    assert closer.signer != closed.version.author, "separation of duties"


def test_suspect_links_come_only_from_the_req2_revision(spine: Spine) -> None:
    suspect = {(link.type, link.source, link.target) for link in spine.links.suspect()}
    assert suspect == {("verifies", "TC-2", "REQ-2")}
    req = show(spine, "REQ-2")
    assert (req.version.number, req.status, req.released_version) == (2, "approved", 2)
    assert "0.42" in req.version.fields["statement"]
    assert [v.status for v in spine.records.history("REQ-2")] == ["superseded", "approved"]
    confirmed = {(link.type, link.source): link for link in req.links_in}
    assert confirmed[("changes", "CR-2")].target_version == 2
    assert confirmed[("implements", "SWI-3")].target_version == 2
    assert confirmed[("baseline_of", "REL-2")].target_version == 2
    pinned = confirmed[("baseline_of", "REL-1")]
    assert pinned.target_version == 1 and not pinned.suspect, "a baseline pins its version"


def test_docs_list_every_gap_with_its_keys(summary: DemoSummary) -> None:
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("## Deliberate gaps") :]
    assert {gap.number: gap.keys for gap in summary.gaps} == GAP_KEYS
    for gap in summary.gaps:
        item = re.search(rf"^{gap.number}\. (.+?)(?=^\d+\. |^## |\Z)", section, re.M | re.S)
        assert item is not None, f"gap {gap.number} missing from docs/demo.md"
        for key in gap.keys:
            assert key in item.group(1), (gap.number, key)


def test_gap_1_approved_requirement_without_test(spine: Spine) -> None:
    req = show(spine, "REQ-10")
    assert req.status == "approved"
    assert not [link for link in req.links_in if link.type == "verifies"]


def test_gap_2_approved_risk_control_without_verification(spine: Spine) -> None:
    control = show(spine, "RC-6")
    assert control.status == "approved"
    assert not [link for link in control.links_in if link.type == "verifies"]
    assert {link.type for link in control.links_out} == {"mitigates", "specified_by"}


def test_gap_3_capa_found_effective_without_risk_assessment(spine: Spine) -> None:
    capa = show(spine, "CAPA-2")
    assert capa.status == "investigating"
    assert capa.version.fields["effectiveness_outcome"] == "effective"
    assert capa.version.fields["risk_impact"] == "none"
    assert "no_risk_impact_rationale" not in capa.version.fields
    assert not [link for link in capa.links_out if link.type == "assesses_risk"]
    step = next(s for s in capa.next_transitions if s["to"] == "pending_closure")
    assert any(problem.startswith("risk impact:") for problem in step["blocked_by"])


def test_gap_4_complaint_without_mdr_decision_after_30_days(spine: Spine) -> None:
    complaint = show(spine, "CMP-3")
    assert complaint.version.fields["mdr_reportable"] == "undetermined"
    assert days_ago(complaint.version.fields["awareness_date"]) > 30
    assert complaint.status in ("open", "investigating")


def test_gap_5_overdue_management_review_action(spine: Spine) -> None:
    action = show(spine, "ACT-2")
    assert action.status == "open"
    assert days_ago(action.version.fields["due_date"]) > 0
    assert [(link.type, link.target) for link in action.links_out] == [("action_of", "MR-2")]


def test_gap_6_effective_sop_with_superseded_references(spine: Spine) -> None:
    sop = show(spine, "DOC-5")
    assert sop.status == "effective"
    assert "final_v7_revised" in sop.title
    body = sop.version.fields["body"]
    for phrase in ("Quality System Regulation (QSR)", "21 CFR 820.30", "DHF"):
        assert phrase in body


def test_gap_8_approved_supplier_overdue_for_reevaluation(spine: Spine) -> None:
    supplier = show(spine, "SUP-2")
    assert supplier.status == "approved"
    assert supplier.version.fields["approval_status"] == "approved"
    assert days_ago(supplier.version.fields["reevaluation_due"]) > 0


def test_gap_9_vulnerability_under_investigation_beyond_30_days(spine: Spine) -> None:
    vulnerability = show(spine, "VULN-4")
    assert vulnerability.version.fields["triage_state"] == "under_investigation"
    assert days_ago(vulnerability.version.fields["discovered_on"]) > 30
    assert vulnerability.status in ("open", "investigating")


def test_gap_10_role_holder_not_trained_and_may_not_sign(spine: Spine) -> None:
    admin = spine.users.get("admin")
    owed = spine.training.owed(admin)
    assert [(c.user, c.requirement.role, c.requirement.document, c.state) for c in owed] == [
        ("mei", "ROLE-3", "DOC-1", "missing")
    ]
    matrix = spine.training.matrix(admin)
    assert {"marco", "lena", "tomas", "mei"} <= set(matrix.users)
    with pytest.raises(
        Forbidden, match="ROLE-3 'Clinical Data Scientist' requires training on DOC-1"
    ):
        spine.signing.sign(
            "mei", DEMO_PASSWORD, "MV-2", "verified", show(spine, "MV-2").version.number, "ok"
        )


def test_quality_event_checklists_pass_where_closed_and_name_what_open_ones_lack(
    spine: Spine,
) -> None:
    for key in ("NC-1", "AUD-1", "AUD-4", "ACT-9", "MR-1", "CAPA-1", "CR-1", "CMP-1", "CMP-2"):
        assert show(spine, key).status == "closed", key
    assert show(spine, "SUP-1").status == "approved"

    def blocked(key: str) -> dict[str, list[str]]:
        steps = spine.records.show(key).next_transitions
        return {step["to"]: step["blocked_by"] for step in steps if "blocked_by" in step}

    assert blocked("MR-2") == {"closed": []}
    assert blocked("NC-3")["pending_closure"] == [
        "evaluation: not recorded (investigation, need to notify external parties)",
        "disposition: not decided",
        "CAPA required, but no CAPA addresses NC-3",
    ]
    assert blocked("AUD-3")["pending_closure"] == [
        "conclusion: not recorded",
        "independence: internal auditors must not audit their own work; say so",
    ]


def test_check_finds_every_deliberate_gap_and_nothing_else(spine: Spine) -> None:
    """`qspine check` on the demo: each finding is one of the gaps in docs/demo.md (its rule
    and one of its records), and each gap is found by each rule it lists."""
    report = spine.readiness.check(spine.users.get("dana"), record_run=False)
    expected = {
        (rule, key): gap.number
        for gap in GAPS
        for rule in gap.rules
        for key in GAP_KEYS[gap.number]
    }
    stray = [
        f"{f.rule} {f.subject}: {f.message}"
        for f in report.findings
        if (f.rule, f.subject) not in expected
    ]
    assert stray == []
    found = {expected[(f.rule, f.subject)] for f in report.findings}
    assert found == set(range(1, 11))
    by_rule = {(f.rule, f.subject) for f in report.findings}
    for gap in GAPS:
        for rule in gap.rules:
            assert any((rule, key) in by_rule for key in GAP_KEYS[gap.number]), (gap.number, rule)
    assert report.counts["blocking"] == 3  # REQ-10, RC-6 and the undecided CMP-3
    assert sum(1 for f in report.findings if f.rule == "DOC-REF-001") == 10


def test_sql_rules_agree_with_a_plain_reading(spine: Spine) -> None:
    """An independent reading of every declarative rule (record views, Python predicates)
    gives the same findings as the rules compiled to SQL."""
    views: dict[str, RecordView] = {}

    def view(key: str) -> RecordView:
        if key not in views:
            views[key] = show(spine, key)
        return views[key]

    def meets(record: RecordView, where: dict[str, object]) -> bool:
        predicates, problems = parse_where(where)
        assert problems == []
        return matches(predicates, record.status, record.version.fields, TODAY)

    plain: dict[str, list[str]] = {}
    for rule_id, rule in spine.profile.rules.items():
        for item in spine.records.list(kind=rule.every, limit=1000)[1]:
            record = view(item.key)
            if not meets(record, rule.where):
                continue
            if rule.flag:
                failing = True
            elif rule.require:
                failing = any(record.version.fields.get(n) in (None, "", []) for n in rule.require)
            else:
                condition = rule.has or rule.lacks
                assert condition is not None
                inward = condition.direction == "in"
                count = sum(
                    link.type == condition.link
                    and (condition.kind is None or other.kind == condition.kind)
                    and meets(other, condition.where)
                    for link in (record.links_in if inward else record.links_out)
                    for other in [view(link.source if inward else link.target)]
                )
                has = count >= condition.at_least
                failing = not has if rule.has is not None else count > 0
            if failing:
                plain.setdefault(rule_id, []).append(item.key)
    report = spine.readiness.check(spine.users.get("dana"), record_run=False)
    compiled: dict[str, list[str]] = {}
    for result in report.results:
        if result.rule.engine == "declarative":
            for finding in result.findings:
                compiled.setdefault(finding.rule, []).append(finding.subject)
    assert compiled == plain
    assert compiled == {
        "DES-VER-001": ["REQ-10"],
        "RISK-CTL-001": ["RC-6"],
        "RISK-CTL-003": ["RC-6"],
        "CAPA-RISK-001": ["CAPA-2"],
        "CMP-MDR-001": ["CMP-3"],
        "ACT-DUE-001": ["ACT-2"],
        "SUP-EVAL-001": ["SUP-2"],
        "VUL-TRI-001": ["VULN-4"],
    }


def test_render_is_plain_and_points_onwards(summary: DemoSummary) -> None:
    text = summary.render()
    assert "Acme MedTech CytoAssist" in text
    assert "next: qspine record list / qspine audit verify" in text
    assert DEMO_PASSWORD in text
    for user in DEMO_USERS:
        assert user.username in text
    assert "[" not in text, "the CLI prints through rich; square brackets would be markup"
    assert max(len(line) for line in text.splitlines()) < 80


def test_second_seed_is_refused(spine: Spine) -> None:
    with pytest.raises(InvalidInput, match="the spine is not empty"):
        seed_demo(spine)


def test_cli_demo_seeds_a_new_database(qspine: Invoke) -> None:
    result = qspine("demo")
    assert result.code == 0, result.err
    assert "Seeded" in result.out and "next: qspine record list" in result.out
    again = qspine("demo")
    assert again.code == 2 and "not empty" in again.err


def test_the_demo_model_is_real_reproduced_bit_for_bit_and_released(spine: Spine) -> None:
    """MV-1 is trained on load_breast_cancer while seeding; VR-1 is QSpine's own execution
    on the real DS-3 files, and a rerun in a fresh process gives the same bytes."""
    dana = spine.users.get("dana")
    run = spine.validation.show(dana, "VR-1")
    assert (run.status, run.fields["outcome"]) == ("recorded", "pass")
    assert [(e.purpose, e.verdict) for e in run.executions] == [
        ("run", "pass"),
        ("rerun", "reproduced"),
    ]
    assert run.record is not None
    metrics = run.record.metrics
    assert (metrics["tp"], metrics["fn"], metrics["tn"], metrics["fp"]) == (61, 3, 106, 1)
    again = spine.validation.rerun("mei", "VR-1")
    assert (again.verdict, again.differences) == ("reproduced", [])
    assert again.output_sha256 == run.record.output_sha256 == run.fields["output_sha256"]
    assert again.metrics == dict(metrics)
    assert spine.datasets.verify(dana, "DS-3").matches
    system = spine.models.system(dana, "MV-1")
    assert system.status == "released"
    assert system.recorded_gate is not None and system.recorded_gate.passed
    signals = spine.monitoring.series(dana, "MV-1")
    assert {s.metric for s in signals} == {"rolling_sensitivity", "input_psi"}
    assert all(s.breaches for s in signals)


def test_model_1_1_0_differs_from_1_0_0_only_where_its_pccp_allows(spine: Spine) -> None:
    """MV-2 implements M1 (re-fit on updated SOUP) and M2 (threshold 0.42) on MV-1: the only
    thing keeping it outside the plan is its validation, still a draft awaiting verification."""
    report = spine.pccp.check(spine.users.get("dana"), "MV-2")
    assert [c.modification.key for c in report.checks] == ["PCCP-1", "PCCP-2"]
    for each in report.checks:
        assert each.base == "MV-1 v1"
        assert [f.split(":")[0] for f in each.check.findings] == ["not validated"], each
        assert "decision_threshold changed from 0.5 to 0.42 (allowed" in " ".join(
            each.check.checked
        )
