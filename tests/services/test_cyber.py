"""The cyber service on a small hand-built spine (SQLite and PostgreSQL): metrics, the risk
bridge, control categories and the premarket package worked out by hand; then the CytoAssist
demo, and the cyber line in the management review inputs.

The story (UTC days of 2026): REL-1 (Pump 1.0) gets its SBOM on 01-05 (requests 2.19.0, six
1.16.0) and is released; six is then marked unmaintained with support ending 01-31. REL-2
(Pump 1.1, release date 03-10) gets its SBOM on 03-01 (requests upgraded to 2.32.0).
VULN-1 (discovered 01-25, affects requests 2.19.0) is triaged affected on 02-04 (no
triaged_on: the day comes from history) and fixed in 1.1, deployed 03-20. VULN-2 (02-10)
affects REL-1 and six, still under investigation. VULN-3 (02-12) is not affected, triaged
02-13. VULN-4 (03-05) affects requests 2.32.0, triaged affected 03-06. Metrics as at 03-31.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qspine import InvalidInput, NotFound, Spine, load_profile, open_spine
from qspine.reports.cyber_package import as_data

from helpers import PASSWORD, Clock, DemoTemplate, demo_copy, sample_fields, settings_for

PROFILE = load_profile()
D = dt.date


class Story:
    """Writes records as quinn (ada signs) with the clock set to the day each happens."""

    def __init__(self, spine: Spine) -> None:
        self.spine = spine
        self.clock = Clock()
        spine.context.clock = self.clock

    def on(self, day: str) -> Story:
        self.clock.now = dt.datetime.fromisoformat(f"{day}T09:00:00+00:00")
        return self

    def create(self, kind: str, title: str, **fields: Any) -> str:
        values = {**sample_fields(PROFILE, kind, title), **fields}
        return self.spine.records.create("quinn", kind, values).key

    def revise(self, key: str, **changes: Any) -> None:
        number = self.spine.records.show(key).latest_version
        self.spine.records.revise("quinn", key, changes, number, "update")

    def link(self, type: str, source: str, *targets: str) -> None:
        for target in targets:
            self.spine.links.link("quinn", type, source, target)

    def sbom(self, release: str, name: str, *packages: tuple[str, str]) -> None:
        document = {
            "bomFormat": "CycloneDX",
            "specVersion": "1.5",
            "version": 1,
            "components": [
                {
                    "type": "library",
                    "bom-ref": f"pkg:pypi/{n}@{v}",
                    "name": n,
                    "version": v,
                    "purl": f"pkg:pypi/{n}@{v}",
                    "licenses": [{"license": {"id": "MIT"}}],
                }
                for n, v in packages
            ],
        }
        self.spine.sbom.import_bytes("quinn", json.dumps(document).encode(), name, release)


def component(spine: Spine, name: str) -> str:
    _total, items = spine.records.list(kind="sbom_component", text=name, limit=10)
    (match,) = [i for i in items if i.title.startswith(f"{name}@") or i.title == name]
    return match.key


@pytest.fixture
def story(spine: Spine) -> Story:
    s = Story(spine)
    s.on("2026-01-05")
    pump = {"product": "Pump", "security_owner": "quinn", "cyber_device": True}
    s.create(
        "release",
        "Pump 1.0",
        version_label="1.0",
        release_date="2026-01-20",
        known_anomalies="PR-1 - a label typo; no safety or security impact.",
        **pump,
    )
    s.sbom("REL-1", "bom-1.0.json", ("requests", "2.19.0"), ("six", "1.16.0"))
    spine.records.transition("quinn", "REL-1", "in_review", 1)
    spine.signing.sign("ada", PASSWORD, "REL-1", "released", 1)
    requests, six = component(spine, "requests"), component(spine, "six")
    s.revise(six, support_level="unmaintained", end_of_support="2026-01-31")
    s.on("2026-01-25").create(
        "vulnerability",
        "requests leaks Proxy-Authorization",
        identifier="CVE-2023-32681",
        discovered_on="2026-01-25",
        triage_state="under_investigation",
    )
    s.link("affects", "VULN-1", requests)
    s.on("2026-02-04").revise("VULN-1", triage_state="affected", patient_risk="controlled")
    s.on("2026-02-10").create(
        "vulnerability",
        "six eval",
        identifier="CVE-2026-0001",
        discovered_on="2026-02-10",
        triage_state="under_investigation",
        severity="high",
        cvss_score=8.1,
    )
    s.link("affects", "VULN-2", "REL-1", six)
    s.on("2026-02-12").create(
        "vulnerability",
        "six docs",
        identifier="CVE-2026-0002",
        discovered_on="2026-02-12",
        triage_state="not_affected",
        vex_justification="component_not_present",
        triaged_on="2026-02-13",
    )
    s.link("affects", "VULN-3", six)
    s.on("2026-03-01").create(
        "release", "Pump 1.1", version_label="1.1", release_date="2026-03-10", **pump
    )
    s.sbom("REL-2", "bom-1.1.json", ("requests", "2.32.0"), ("six", "1.16.0"))
    s.on("2026-03-05").create(
        "vulnerability",
        "requests verify",
        identifier="CVE-2024-35195",
        discovered_on="2026-03-05",
        triage_state="affected",
        triaged_on="2026-03-06",
        patient_risk="uncontrolled",
    )
    s.link("affects", "VULN-4", requests)
    s.on("2026-03-20").revise(
        "VULN-1", triage_state="fixed", fix_deployed_on="2026-03-20", fixed_in="1.1"
    )
    _threat_model(s)
    s.on("2026-03-31")
    return s


def _threat_model(s: Story) -> None:
    s.create("threat", "Rogue pairing", stride_category="spoofing", entry_point="Bluetooth")
    s.create("threat", "Firmware swap", stride_category="tampering", entry_point="USB")
    risk = {"safety_impact": True, "pre_control_rating": "unacceptable"}
    s.create(
        "security_risk",
        "Dose change",
        exploitability="high",
        impact="critical",
        post_control_rating="acceptable",
        **risk,
    )
    s.create("security_risk", "Alarm silenced", **risk)
    s.link("poses", "THR-1", "SR-1", "SR-2")
    s.create("hazardous_situation", "Overdose delivered")
    s.create("harm", "Overdose injury")
    s.link("may_cause", "SR-1", "HS-1")
    s.link("leads_to", "HS-1", "HARM-1")
    s.create(
        "risk_control", "Paired-device authentication", security_control_category="authentication"
    )
    s.create("risk_control", "Signed commands", security_control_category="cryptography")
    s.link("mitigates", "RC-1", "SR-1")
    s.link("mitigates", "RC-2", "SR-1")
    s.create("requirement", "Pairing needs a code")
    s.link("specified_by", "RC-1", "REQ-1")
    s.create("test_case", "Pairing attack test")
    s.create("test_case", "Pairing code test")
    s.link("verifies", "TC-1", "RC-1")
    s.link("verifies", "TC-2", "REQ-1")
    s.create("test_result", "Pairing attack run", outcome="pass")
    s.link("result_of", "TR-1", "TC-1")


def test_metrics_as_worked_out_by_hand(story: Story) -> None:
    spine = story.spine
    m = spine.cyber.metrics(spine.users.get("vic"))
    assert m.as_of == D(2026, 3, 31)
    assert m.vulnerabilities == 4
    assert m.by_triage_state == {
        "under_investigation": 1,
        "affected": 1,
        "not_affected": 1,
        "fixed": 1,
    }
    assert m.by_status == {"open": 4}
    assert [(d.key, d.days) for d in m.time_to_triage] == [
        ("VULN-1", 10),
        ("VULN-3", 1),
        ("VULN-4", 1),
    ]
    assert (m.median_days_to_triage, m.untriaged) == (1.0, ("VULN-2",))
    assert [(d.key, d.days) for d in m.time_to_patch] == [("VULN-1", 54)]
    share = m.patch_share
    assert (share.patched, share.mitigated) == (("VULN-1",), ())
    assert (share.counted, share.percent) == (("VULN-1", "VULN-2", "VULN-4"), 33.3)
    assert [(d.vulnerability, d.release, d.days) for d in m.time_to_deploy] == [
        ("VULN-1", "REL-2", 10)
    ]
    (cadence,) = m.sbom_cadence
    assert (cadence.product, cadence.source, cadence.releases) == (
        "Pump",
        "sbom_import",
        ("REL-1", "REL-2"),
    )
    assert (cadence.intervals, cadence.days_since_last) == ((55,), 30)
    six = component(spine, "six")
    assert [(c.key, c.version, c.releases) for c in m.past_end_of_support] == [
        (six, "1.16.0", ("REL-1",))
    ]
    assert [(c.key, c.support_level) for c in m.unsupported] == [(six, "unmaintained")]
    earlier = spine.cyber.metrics(spine.users.get("vic"), D(2026, 2, 1))
    assert (earlier.vulnerabilities, earlier.untriaged, earlier.past_end_of_support) == (
        1,
        ("VULN-1",),
        m.past_end_of_support,
    )
    with pytest.raises(InvalidInput, match="future"):
        spine.cyber.metrics(spine.users.get("vic"), D(2026, 4, 2))


def test_bridge_and_control_categories(story: Story) -> None:
    spine = story.spine
    bridge = spine.cyber.bridge(spine.users.get("vic"))
    assert [(t.key, [r.key for r in t.risks], t.gaps) for t in bridge.threats] == [
        ("THR-1", ["SR-1", "SR-2"], ()),
        ("THR-2", [], ("no_risk",)),
    ]
    sr1, sr2 = bridge.threats[0].risks
    assert (sr1.ratings["exploitability"], sr1.ratings["post_control_rating"]) == (
        "high",
        "acceptable",
    )
    assert [(c.key, c.category, c.gaps) for c in sr1.controls] == [
        ("RC-1", "authentication", ()),
        ("RC-2", "cryptography", ("no_test",)),
    ]
    (tc1,) = sr1.controls[0].tests
    assert (tc1.key, tc1.latest_outcome, [r.key for r in tc1.results]) == ("TC-1", "pass", ["TR-1"])
    assert [(s.key, [h.key for h in s.harms]) for s in sr1.safety] == [("HS-1", ["HARM-1"])]
    assert sr2.gaps == ("no_control", "no_may_cause")
    assert bridge.gaps == {"no_risk": 1, "no_control": 1, "no_test": 1, "no_may_cause": 1}
    coverage = {c.category: c for c in spine.cyber.control_categories(spine.users.get("vic"))}
    (rc1,) = coverage["authentication"].controls
    assert [(r.key, [t.key for t in r.tests]) for r in rc1.requirements] == [("REQ-1", ["TC-2"])]
    assert [c.key for c in coverage["cryptography"].controls] == ["RC-2"]
    assert sorted(name for name, c in coverage.items() if not c.controls) == [
        "authorization",
        "confidentiality",
        "event_detection_and_logging",
        "integrity",
        "resiliency_and_recovery",
        "updatability_and_patchability",
    ]


def test_package_of_each_release(story: Story) -> None:
    spine = story.spine
    vic = spine.users.get("vic")
    requests, six = component(spine, "requests"), component(spine, "six")
    first = spine.cyber.package(vic, "REL-1")
    release = first.release
    assert (release.product, release.version_label, release.status) == ("Pump", "1.0", "released")
    assert (release.cyber_device, release.security_owner) == (True, "quinn")
    assert [(c.key, c.name, c.version, c.pinned_version) for c in first.components] == [
        (requests, "requests", "2.19.0", 1),
        (six, "six", "1.16.0", 1),
    ]
    by_name = {c.name: c for c in first.components}
    assert (by_name["six"].support_level, by_name["six"].past_end_of_support) == (
        "unmaintained",
        True,
    )
    assert (by_name["requests"].support_level, by_name["requests"].licenses) == (
        "unknown",
        ("MIT",),
    )
    assert [(a.key, a.triage_state, a.affects) for a in first.anomalies] == [
        ("VULN-2", "under_investigation", ("REL-1", six))
    ]
    assert first.threat_summary.by_stride["spoofing"] == 1
    assert first.threat_summary.by_entry_point == {"Bluetooth": 1, "USB": 1}
    assert [(r.key, r.threats, r.controls) for r in first.risks] == [
        ("SR-1", ("THR-1",), ("RC-1", "RC-2")),
        ("SR-2", ("THR-1",), ()),
    ]
    assert first.traceability is not None and first.safety_bridge is not None
    assert [[key for key, _ in cells] for cells, _, _ in first.traceability.rows] == [
        ["THR-1 v1", "SR-1 v1", "RC-1 v1", "TC-1 v1"],
        ["THR-1 v1", "SR-1 v1", "RC-2 v1", ""],
        ["THR-1 v1", "SR-2 v1", "", ""],
        ["THR-2 v1", "", "", ""],
    ]
    assert first.traceability.gaps == 3
    second = spine.cyber.package(vic, "REL-2")
    assert [(c.name, c.version) for c in second.components] == [
        ("requests", "2.32.0"),
        ("six", "1.16.0"),
    ]
    assert [(a.key, a.affects) for a in second.anomalies] == [
        ("VULN-2", (six,)),
        ("VULN-4", (requests,)),
    ]
    data = as_data(second)
    assert data["sbom"]["count"] == 2 and data["anomalies"]["vulnerabilities"][1]["key"] == "VULN-4"
    json.dumps(data)  # plain JSON all the way down
    with pytest.raises(NotFound, match="REL-9"):
        spine.cyber.package(vic, "REL-9")
    with pytest.raises(InvalidInput, match="not a release"):
        spine.cyber.package(vic, "SR-1")


def test_management_review_inputs_carry_the_cyber_metrics(story: Story) -> None:
    spine = story.spine
    inputs = spine.reviews.prepare(spine.users.get("vic"), D(2026, 1, 1), D(2026, 3, 15))
    summary = inputs.section("a").summary
    # as at the period end (03-15): VULN-2 untriaged; VULN-1's fix was deployed after it
    assert summary.endswith(
        "Cybersecurity as at 2026-03-15: 4 known vulnerabilities, 1 untriaged; median 1 days to "
        "triage and n/a to patch; 33.3% patched or mitigated (1 patched, 0 mitigated, of 3)."
    )
    record = spine.records.show(spine.reviews.create("quinn", D(2026, 1, 1), D(2026, 3, 15)))
    assert "33.3% patched or mitigated" in record.version.fields["inputs_summary"]


# The demo: seeded once (SQLite) for the module.


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_template: DemoTemplate) -> Iterator[Spine]:
    folder: Path = tmp_path_factory.mktemp("cyber-demo")
    url = demo_copy(demo_template, folder)
    spine = open_spine(url, settings=settings_for(url, folder))
    yield spine
    spine.close()


def test_demo_metrics_bridge_and_packages(demo: Spine) -> None:
    ravi = demo.users.get("ravi")
    m = demo.cyber.metrics(ravi)
    assert m.by_triage_state == {
        "under_investigation": 2,
        "affected": 1,
        "not_affected": 3,
        "fixed": 0,
    }
    assert m.untriaged == ("VULN-4", "VULN-5")
    assert (m.patch_share.mitigated, m.patch_share.percent) == (("VULN-1",), 33.3)
    assert [(c.product, c.source, c.releases) for c in m.sbom_cadence] == [
        ("CytoAssist", "release_date", ("REL-1",))
    ]
    bridge = demo.cyber.bridge(ravi)
    assert bridge.gaps == {"no_risk": 1, "no_control": 1, "no_test": 0, "no_may_cause": 0}
    assert [t.key for t in bridge.threats if t.gaps] == ["THR-6"]
    package = demo.cyber.package(ravi, "REL-1")
    assert len(package.components) == 36
    assert [a.key for a in package.anomalies] == ["VULN-1", "VULN-4", "VULN-5"]
    assert "PR-187" in package.release.known_anomalies
    covered = [c.category for c in package.control_categories if c.controls]
    assert covered == ["authentication", "integrity", "resiliency_and_recovery"]
    later = demo.cyber.package(ravi, "REL-2")
    assert len(later.components) == 36 and later.anomalies == ()
