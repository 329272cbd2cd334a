"""Cyber metrics from plain rows, every figure worked out by hand from the dates below.

As at 2026-06-30:
- triage days: V1 10, V2 4 (from history), V3 20, V5 30, V9 5 -> median 10; V4 is still under
  investigation (its triaged_on ignored); V8's decision predates its discovery (a problem).
- patch days: V1 40, V9 28 -> median 34; V8's fix lands after as_of (not patched yet).
- share: patched V1 (fixed), V9 (fix deployed); mitigated V3 (affected, controlled), V5
  (inline mitigations); counted V1 V3 V4 V5 V8 V9 (V2 is not affected for another reason,
  V6 cancelled, V7 discovered later) -> 4 / 6 = 66.7%.
- deploy: V1 fixed in 2.1 of product Cyto -> REL-2 (2026-02-01) to 2026-02-10 = 9 days (REL-3
  is 2.1 of another product); V9's fix reached the field before REL-1 was released (a problem).
- cadence: Cyto imports 01-10, 02-01, 04-01 (a re-import and a later one ignored) -> 22 and 59
  days, median 40.5, 90 days since; Other has no import: release dates 01-20 and 05-20 -> 120.
"""

from __future__ import annotations

import datetime as dt

from qspine.model.cyber_metrics import (
    ContainedComponent,
    ReleaseRow,
    SbomImportRow,
    VulnerabilityRow,
    compute_metrics,
    median,
    product_of,
    summary_line,
)

D = dt.date
AS_OF = D(2026, 6, 30)


def vuln(key: str, status: str, state: str, discovered: str, **extra: object) -> VulnerabilityRow:
    fields = {"triage_state": state, "discovered_on": discovered}
    decided = extra.pop("first_decided_on", None)
    products = extra.pop("products", ())
    fields.update({k: v for k, v in extra.items()})
    return VulnerabilityRow.of(
        key,
        status,
        fields,
        D.fromisoformat(str(decided)) if decided else None,
        products,
    )


VULNERABILITIES = [
    vuln(
        "VULN-1",
        "closed",
        "fixed",
        "2026-01-01",
        triaged_on="2026-01-11",
        fix_deployed_on="2026-02-10",
        fixed_in="2.1",
        products=("Cyto",),
    ),
    vuln(
        "VULN-2",
        "closed",
        "not_affected",
        "2026-02-01",
        vex_justification="vulnerable_code_not_present",
        first_decided_on="2026-02-05",
    ),
    vuln(
        "VULN-3",
        "investigating",
        "affected",
        "2026-03-01",
        triaged_on="2026-03-21",
        patient_risk="controlled",
    ),
    vuln("VULN-4", "open", "under_investigation", "2026-04-01", triaged_on="2026-04-02"),
    vuln(
        "VULN-5",
        "pending_closure",
        "not_affected",
        "2026-05-01",
        triaged_on="2026-05-31",
        vex_justification="inline_mitigations_already_exist",
    ),
    vuln("VULN-6", "cancelled", "under_investigation", "2026-01-15"),
    vuln("VULN-7", "open", "affected", "2026-08-01", triaged_on="2026-08-02"),
    vuln(
        "VULN-8",
        "investigating",
        "affected",
        "2026-06-01",
        triaged_on="2026-05-20",
        patient_risk="uncontrolled",
        fix_deployed_on="2026-07-15",
    ),
    vuln(
        "VULN-9",
        "closed",
        "not_affected",
        "2026-02-15",
        triaged_on="2026-02-20",
        vex_justification="component_not_present",
        fix_deployed_on="2026-03-15",
        fixed_in="2.0",
    ),
]


def release(key: str, product: str, label: str, day: str | None, released: bool, parts: bool):
    return ReleaseRow(key, product, label, D.fromisoformat(day) if day else None, released, parts)


RELEASES = [
    release("REL-1", "Cyto", "2.0", "2026-03-20", True, True),
    release("REL-2", "Cyto", "2.1", "2026-02-01", True, True),
    release("REL-3", "Other", "2.1", "2026-01-20", True, True),
    release("REL-4", "Cyto", "2.2", None, False, True),
    release("REL-6", "Other", "3.0", "2026-05-20", True, True),
    release("REL-7", "Other", "4.0", "2026-09-01", False, True),
    release("REL-8", "Other", "0.9", "2026-01-02", True, False),
]
IMPORTS = [
    SbomImportRow("REL-1", D(2026, 1, 10)),
    SbomImportRow("REL-1", D(2026, 1, 12), "Cyto"),
    SbomImportRow("REL-2", D(2026, 2, 1), "Cyto"),
    SbomImportRow("REL-4", D(2026, 4, 1), "Cyto"),
    SbomImportRow("REL-5", D(2026, 7, 5), "Cyto"),
]


def part(key: str, release: str, released: bool = True, **extra: object) -> ContainedComponent:
    values: dict[str, object] = {
        "name": f"lib-{key}",
        "version": "1.0",
        "status": "listed",
        "support_level": "maintained",
        "end_of_support": None,
        **extra,
    }
    return ContainedComponent(
        key,
        str(values["name"]),
        str(values["version"]),
        str(values["status"]),
        str(values["support_level"]),
        values["end_of_support"],
        release,
        released,
    )


COMPONENTS = [
    part("SBOM-1", "REL-2", name="openssl", end_of_support=D(2026, 6, 1)),
    part("SBOM-1", "REL-1", name="openssl", end_of_support=D(2026, 6, 1)),
    part("SBOM-2", "REL-1", status="retired", end_of_support=D(2025, 1, 1)),
    part("SBOM-3", "REL-1", end_of_support=AS_OF),
    part("SBOM-4", "REL-4", released=False, end_of_support=D(2025, 1, 1)),
    part("SBOM-10", "REL-2", support_level="unmaintained"),
    part("SBOM-5", "REL-1", support_level="abandoned"),
]


def test_every_figure_as_worked_out_by_hand() -> None:
    m = compute_metrics(AS_OF, VULNERABILITIES, RELEASES, IMPORTS, COMPONENTS)
    assert m.vulnerabilities == 8
    assert m.by_triage_state == {
        "under_investigation": 1,
        "affected": 2,
        "not_affected": 3,
        "fixed": 1,
    }
    assert m.by_status == {
        "cancelled": 1,
        "closed": 3,
        "investigating": 2,
        "open": 1,
        "pending_closure": 1,
    }
    assert [(d.key, d.days) for d in m.time_to_triage] == [
        ("VULN-1", 10),
        ("VULN-2", 4),
        ("VULN-3", 20),
        ("VULN-5", 30),
        ("VULN-9", 5),
    ]
    assert m.median_days_to_triage == 10.0
    assert m.untriaged == ("VULN-4",)
    assert [(d.key, d.days) for d in m.time_to_patch] == [("VULN-1", 40), ("VULN-9", 28)]
    assert m.median_days_to_patch == 34.0
    share = m.patch_share
    assert (share.patched, share.mitigated) == (("VULN-1", "VULN-9"), ("VULN-3", "VULN-5"))
    assert share.counted == ("VULN-1", "VULN-3", "VULN-4", "VULN-5", "VULN-8", "VULN-9")
    assert share.percent == 66.7
    assert [(d.vulnerability, d.release, d.days) for d in m.time_to_deploy] == [
        ("VULN-1", "REL-2", 9)
    ]
    assert m.median_days_to_deploy == 9.0
    assert m.problems == (
        "VULN-8: triaged on 2026-05-20, before it was discovered on 2026-06-01",
        "VULN-9: fix deployed on 2026-03-15, before REL-1 (2.0) was released on 2026-03-20",
    )


def test_sbom_cadence_from_imports_else_release_dates() -> None:
    m = compute_metrics(AS_OF, VULNERABILITIES, RELEASES, IMPORTS, COMPONENTS)
    cyto, other = m.sbom_cadence
    assert (cyto.product, cyto.source, cyto.releases) == (
        "Cyto",
        "sbom_import",
        ("REL-1", "REL-2", "REL-4"),
    )
    assert cyto.dates == (D(2026, 1, 10), D(2026, 2, 1), D(2026, 4, 1))
    assert (cyto.intervals, cyto.median_interval_days, cyto.days_since_last) == ((22, 59), 40.5, 90)
    assert (other.product, other.source, other.releases) == (
        "Other",
        "release_date",
        ("REL-3", "REL-6"),
    )
    assert (other.intervals, other.median_interval_days, other.days_since_last) == (
        (120,),
        120.0,
        41,
    )


def test_components_past_end_of_support_and_unsupported_in_released_products() -> None:
    m = compute_metrics(AS_OF, VULNERABILITIES, RELEASES, IMPORTS, COMPONENTS)
    assert [(c.key, c.name, c.releases) for c in m.past_end_of_support] == [
        ("SBOM-1", "openssl", ("REL-1", "REL-2"))
    ]
    assert [(c.key, c.support_level) for c in m.unsupported] == [
        ("SBOM-5", "abandoned"),
        ("SBOM-10", "unmaintained"),
    ]


def test_fix_release_without_product_is_the_earliest_named() -> None:
    row = vuln(
        "VULN-1", "closed", "fixed", "2026-01-01", fix_deployed_on="2026-02-10", fixed_in="2.1"
    )
    m = compute_metrics(AS_OF, [row], RELEASES)
    assert [(d.release, d.days) for d in m.time_to_deploy] == [("REL-3", 21)]


def test_an_earlier_as_of_sees_less() -> None:
    m = compute_metrics(D(2026, 3, 1), VULNERABILITIES, RELEASES, IMPORTS, COMPONENTS)
    # VULN-3 was discovered that day and triaged later; VULN-9's fix was not deployed yet
    assert m.vulnerabilities == 5
    assert m.untriaged == ("VULN-3",)
    assert [d.key for d in m.time_to_patch] == ["VULN-1"]
    assert m.past_end_of_support == ()


def test_nothing_known() -> None:
    m = compute_metrics(AS_OF, [])
    assert m.vulnerabilities == 0
    assert m.by_triage_state == dict.fromkeys(
        ("under_investigation", "affected", "not_affected", "fixed"), 0
    )
    assert (m.median_days_to_triage, m.median_days_to_patch, m.patch_share.percent) == (
        None,
        None,
        None,
    )
    assert summary_line(m) == (
        "Cybersecurity as at 2026-06-30: 0 known vulnerabilities, 0 untriaged; median n/a to "
        "triage and n/a to patch; n/a patched or mitigated (0 patched, 0 mitigated, of 0); 0 "
        "component(s) past end of support and 0 unmaintained or abandoned in released products."
    )


def test_summary_line_and_helpers() -> None:
    m = compute_metrics(AS_OF, VULNERABILITIES, RELEASES, IMPORTS, COMPONENTS)
    assert summary_line(m) == (
        "Cybersecurity as at 2026-06-30: 8 known vulnerabilities, 1 untriaged; median 10 days "
        "to triage and 34 days to patch; 66.7% patched or mitigated (2 patched, 2 mitigated, of "
        "6); 1 component(s) past end of support and 2 unmaintained or abandoned in released "
        "products."
    )
    assert summary_line(m, components=False).endswith("mitigated (2 patched, 2 mitigated, of 6).")
    assert median([3, 1, 2, 10]) == 2.5 and median([]) is None
    assert product_of("CytoAssist 2.0.0", {"version_label": "2.0.0"}) == "CytoAssist"
    assert product_of("CytoAssist 2.0.0", {"product": "Cyto", "version_label": "2.0.0"}) == "Cyto"
    assert product_of("2.0.0", {"version_label": "2.0.0"}) == "2.0.0"
    row = ReleaseRow.of(
        "REL-9", "Pump 1.1", {"version_label": "1.1", "release_date": "2026-01-02"}, True, False
    )
    assert (row.product, row.release_date) == ("Pump", D(2026, 1, 2))
