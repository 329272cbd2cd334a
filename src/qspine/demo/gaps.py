"""The demo's deliberate gaps: true, realistic problems that readiness checks should find.

Each gap names the records it is about and the rules of the `qmsr` pack that find it;
`qspine check` on the demo finds these and nothing else (tests/test_demo.py).
"""

from __future__ import annotations

from qspine.demo.spec import Gap

GAPS: tuple[Gap, ...] = (
    Gap(
        1,
        "Approved requirement with no verifying test case",
        ("req10",),
        "REQ-10 'Security event logging' is approved and in the 2.0 baseline, but no test case "
        "verifies it.",
        "ISO 13485:2016 7.3.6; 21 CFR 820.10(c)",
        ("DES-VER-001",),
    ),
    Gap(
        2,
        "Approved risk control with no verification",
        ("rc6",),
        "RC-6 'Degraded-mode message' is approved, mitigates HS-4 and is specified by REQ-14, "
        "but no test case verifies its implementation or effectiveness.",
        "ISO 14971:2019 7.2",
        ("RISK-CTL-001", "RISK-CTL-003"),
    ),
    Gap(
        3,
        "CAPA found effective with no risk assessment",
        ("capa2",),
        "CAPA-2 records an 'effective' effectiveness check, but its risk_impact is 'none' with "
        "no assesses_risk link and no no_risk_impact_rationale; its closure checklist blocks "
        "submitting it for closure until one of the two is recorded.",
        "ISO 13485:2016 8.5.2; ISO 14971:2019 10",
        ("CAPA-RISK-001",),
    ),
    Gap(
        4,
        "Complaint without an MDR decision after 30 days",
        ("cmp3",),
        "CMP-3 (possible wrong-accession display) has mdr_reportable 'undetermined' and an "
        "awareness date 45 days before seeding; the 30-day MDR clock has run out.",
        "21 CFR 803.50(a); 21 CFR 820.10(b)(3); ISO 13485:2016 8.2.3",
        ("CMP-MDR-001",),
    ),
    Gap(
        5,
        "Overdue management-review action",
        ("act2", "mr2"),
        "ACT-2, an action of MR-2, was due 20 days before seeding and is still open.",
        "ISO 13485:2016 5.6.3; ISO 13485:2016 5.6.2",
        ("ACT-DUE-001",),
    ),
    Gap(
        6,
        "Effective SOP citing the withdrawn QS regulation",
        ("doc5",),
        "DOC-5 (SOP-005) is effective, titled 'SOP-005 Design Control final_v7_revised', and "
        "its body cites the 'Quality System Regulation (QSR)', 21 CFR 820.30, the DHF and the "
        "DMR, all withdrawn by the QMSR on 2 February 2026.",
        "21 CFR 820.10(c); ISO 13485:2016 4.2.4; ISO 13485:2016 7.3.10",
        ("DOC-REF-001", "DOC-NAME-001"),
    ),
    Gap(
        7,
        "Suspect links after a requirement change",
        ("req2", "tc2"),
        "REQ-2 v2 (threshold 0.42) is approved, but TC-2's verifies link is still stamped with "
        "REQ-2 v1; TC-2 still tests 0.50 (TR-12 fails on 2.1.0-rc1). REL-1's baseline_of link "
        "rightly stays pinned to v1, the version 2.0.0 shipped with.",
        "ISO 13485:2016 7.3.9; IEC 62304:2006+A1:2015 7.4",
        ("TRC-SUS-001",),
    ),
    Gap(
        8,
        "Approved supplier overdue for re-evaluation",
        ("sup2",),
        "SUP-2 (Northfield Cytopathology Partners, critical data provider) is approved, but its "
        "re-evaluation was due 65 days before seeding.",
        "ISO 13485:2016 7.4.1",
        ("SUP-EVAL-001",),
    ),
    Gap(
        9,
        "Vulnerability under investigation for more than 30 days",
        ("vuln4",),
        "VULN-4 (CVE-2024-37891, urllib3) has triage_state 'under_investigation' 41 days after "
        "discovery; SOP-007 requires initial triage within 30 days.",
        "FD&C Act 524B(b)(2); FDA Cyber Guidance 2026 VI.B",
        ("VUL-TRI-001",),
    ),
    Gap(
        10,
        "Role holder not trained on a required SOP",
        ("role3", "doc1"),
        "Mei holds ROLE-3 (Clinical Data Scientist, approved), which requires DOC-1 (SOP-001); "
        "she has no training record for it, so she may not sign until she is trained.",
        "ISO 13485:2016 6.2; 21 CFR 11.10(g)",
        ("TRN-CUR-001",),
    ),
)
