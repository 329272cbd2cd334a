"""The superseded-reference table (PRIMER section 10) on small texts and on the real SOP sets
in ../shared/data, whose findings were checked by hand line by line against the files."""

from __future__ import annotations

import pytest

from qspine.model.superseded import scan

from helpers import SHARED_DATA as DATA

PACTO = "qms-pactosigna-sample-iso13485"


def rules(text: str) -> list[tuple[str, str]]:
    return [(f.rule, f.text) for f in scan(text.splitlines())]


def test_each_reference_and_its_replacement() -> None:
    found = scan(
        [
            "Per 21 CFR 820.30(g) and the QS regulation, the DHF and DMR are kept.",
            "Audit reports are shielded under 820.180(c); definitions in 820.15.",
            "Inspections follow QSIT (CP 7382.845).",
            "Risk per ISO 14971:2007; software Level of Concern: Major.",
            "Management with executive responsibility reviews the quality system.",
            "See the PCCP guidance of December 2024 and GPSV section 6.",
        ]
    )
    assert [(f.line, f.rule, f.text) for f in found] == [
        (1, "SUP-820-SECTION", "21 CFR 820.30(g)"),
        (1, "SUP-QSR", "QS regulation"),
        (1, "SUP-DHF", "DHF"),
        (1, "SUP-DMR", "DMR"),
        (2, "SUP-820-SECTION", "820.180(c)"),
        (2, "SUP-820-15", "820.15"),
        (3, "SUP-QSIT", "QSIT"),
        (3, "SUP-QSIT", "7382.845"),
        (4, "SUP-14971-2007", "ISO 14971:2007"),
        (4, "SUP-LOC", "Level of Concern"),
        (5, "SUP-EXEC-MGMT", "Management with executive responsibility"),
        (5, "SUP-QUALITY-SYSTEM", "quality system"),
        (6, "SUP-PCCP-2024", "PCCP guidance of December 2024"),
        (6, "SUP-CSA", "GPSV section 6"),
    ]
    assert found[0].replacement.startswith("ISO 13485:2016 7.3 + 21 CFR 820.10(c)")
    assert found[0].column == 5
    assert found[4].replacement.startswith("delete: audit reports")


def test_current_references_are_not_findings() -> None:
    clean = (
        "Under the QMSR, 21 CFR 820.10(c) and 820.35(a) apply; 21 CFR 820.1 and 820.3(b) define "
        "terms. The quality management system, the design and development file (ISO "
        "13485:2016 7.3.10) and the medical device file are kept per ISO 14971:2019 and "
        "AAMI SW96:2023 with TIR57. Inspections follow CP 7382.850."
    )
    assert rules(clean) == []
    assert rules("Security risk per AAMI TIR57.") == [("SUP-TIR57-ALONE", "AAMI TIR57")]
    assert rules("Section 820.40.") == [("SUP-820-SECTION", "820.40")]


@pytest.mark.skipif(not (DATA / PACTO).is_dir(), reason=f"{DATA} is absent: real SOPs not here")
def test_the_real_sop_sets() -> None:
    """Every finding on the two Markdown QMS sets (hand-checked)."""
    found = set()
    for path in sorted(DATA.glob("qms-*/**/*.md")):
        for f in scan(path.read_text(encoding="utf-8").splitlines()):
            found.add((path.relative_to(DATA).as_posix(), f.line, f.rule, f.text))
    sops = f"{PACTO}/docs/sops"
    expected = {
        (
            "qms-lean-iso13485-obsidian/02-procedures/SOP-07 Design and Development Control.md",
            32,
            "SUP-DHF",
            "design history file",
        ),
        (f"{PACTO}/README.md", 143, "SUP-QSR", "Quality System Regulation"),
        *(
            (f"{PACTO}/docs/audits/reports/AUD-RPT-001.md", n, "SUP-DHF", t)
            for n, t in [
                (41, "design history files"),
                (47, "design history files"),
                (85, "design history file"),
                (87, "design history file"),
                (99, "design history file"),
            ]
        ),
        (f"{PACTO}/docs/audits/schedules/AUD-SCH-2026.md", 54, "SUP-QSR", "QSR"),
        *(
            (f"{PACTO}/docs/personnel/JD-PROD-001.md", n, "SUP-DHR", t)
            for n, t in [
                (29, "Device History Record"),
                (29, "DHR"),
                (51, "DHR"),
                (73, "Device History Record"),
                (73, "DHR"),
            ]
        ),
        (f"{PACTO}/docs/personnel/JD-RA-001.md", 63, "SUP-QSR", "quality system regulation"),
        (
            f"{PACTO}/docs/policies/POL-001-quality-policy.md",
            66,
            "SUP-820-SECTION",
            "21 CFR Part 820.20",
        ),
        (f"{sops}/SOP-001-document-control.md", 31, "SUP-820-SECTION", "21 CFR Part 820.40"),
        (f"{sops}/SOP-001-document-control.md", 180, "SUP-820-SECTION", "21 CFR Part 820.40"),
        (f"{sops}/SOP-002-design-development.md", 199, "SUP-820-SECTION", "21 CFR Part 820.30"),
        (f"{sops}/SOP-004-capa.md", 202, "SUP-820-SECTION", "21 CFR Part 820.90"),
        (f"{sops}/SOP-004-capa.md", 203, "SUP-820-SECTION", "21 CFR Part 820.100"),
        (f"{sops}/SOP-005-control-of-records.md", 98, "SUP-820-SECTION", "21 CFR 820.184"),
        (f"{sops}/SOP-005-control-of-records.md", 99, "SUP-820-SECTION", "21 CFR 820.198"),
        (f"{sops}/SOP-005-control-of-records.md", 121, "SUP-820-SECTION", "21 CFR 820.184"),
        (f"{sops}/SOP-006-management-review.md", 195, "SUP-820-SECTION", "21 CFR Part 820.20"),
        (f"{sops}/SOP-007-training-competence.md", 207, "SUP-820-SECTION", "21 CFR Part 820.25"),
        (f"{sops}/SOP-008-internal-audit.md", 152, "SUP-DMR", "DMR"),
        (f"{sops}/SOP-008-internal-audit.md", 152, "SUP-DHR", "DHR"),
        (f"{sops}/SOP-008-internal-audit.md", 183, "SUP-820-SECTION", "21 CFR Part 820.22"),
        (f"{sops}/SOP-009-purchasing-suppliers.md", 187, "SUP-820-SECTION", "21 CFR Part 820.50"),
        (f"{sops}/SOP-010-feedback-complaints.md", 207, "SUP-820-SECTION", "21 CFR Part 820.198"),
        (f"{sops}/SOP-011-nonconforming-product.md", 127, "SUP-820-SECTION", "21 CFR 820.90"),
        (f"{sops}/SOP-013-software-lifecycle.md", 175, "SUP-820-SECTION", "21 CFR 820.30"),
        (f"{sops}/SOP-014-production-control.md", 134, "SUP-820-SECTION", "21 CFR 820.70"),
        (f"{sops}/SOP-014-production-control.md", 134, "SUP-820-SECTION", "820.120"),
        (f"{sops}/SOP-015-change-control.md", 137, "SUP-820-SECTION", "21 CFR 820.30(i)"),
        (f"{sops}/SOP-016-data-analysis.md", 118, "SUP-820-SECTION", "21 CFR 820.250"),
        (f"{sops}/SOP-020-preservation-labeling.md", 135, "SUP-820-SECTION", "21 CFR 820.120"),
        (f"{PACTO}/docs/user-guide/shared-responsibility-matrix.md", 31, "SUP-DMR", "DMR"),
        (f"{PACTO}/docs/user-guide/shared-responsibility-matrix.md", 31, "SUP-DHR", "DHR"),
        (
            f"{PACTO}/docs/user-guide/shared-responsibility-matrix.md",
            73,
            "SUP-QSR",
            "Quality System Regulation",
        ),
    }
    assert found == expected
