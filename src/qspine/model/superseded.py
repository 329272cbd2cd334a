"""Superseded regulatory references, as data: what a current controlled document must no
longer cite now that the QMSR (21 CFR 820 incorporating ISO 13485:2016) took effect on
2 February 2026, with the replacement and the reason for each.

The table follows the domain primer's section 10 (superseded references). Dated historical
records may keep the terms they were written with; current procedures, templates and new
records may not.
Scanning is pure: text in, findings out (line and column from 1, the matched text, the rule).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

QMSR_EFFECTIVE = "2026-02-02"

# Old QS-regulation sections (21 CFR 820.5 to 820.250) and their ISO 13485:2016 clause plus
# QMSR hook. Crosswalks are industry-made; FDA published none, so this is guidance.
OLD_SECTIONS: dict[int, str] = {
    5: "ISO 13485:2016 4.1 (quality management system)",
    20: "ISO 13485:2016 5 (management responsibility)",
    22: "ISO 13485:2016 8.2.4 (internal audit)",
    25: "ISO 13485:2016 6.2 (human resources)",
    30: "ISO 13485:2016 7.3 + 21 CFR 820.10(c) (design and development)",
    40: "ISO 13485:2016 4.2.4 (control of documents)",
    50: "ISO 13485:2016 7.4 (purchasing)",
    60: "ISO 13485:2016 7.5.8 (identification)",
    65: "ISO 13485:2016 7.5.9 (traceability)",
    70: "ISO 13485:2016 7.5.1, 4.1.6, 7.5.6, 7.6 (production and process controls)",
    72: "ISO 13485:2016 7.6 (monitoring and measuring equipment)",
    75: "ISO 13485:2016 7.5.6 (process validation)",
    80: "ISO 13485:2016 7.4.3, 8.2.6 (acceptance activities)",
    86: "ISO 13485:2016 7.5.8 (acceptance status)",
    90: "ISO 13485:2016 8.3 (nonconforming product)",
    100: "ISO 13485:2016 8.5.2, 8.5.3 (corrective and preventive action)",
    120: "21 CFR 820.45 (labeling and packaging)",
    130: "21 CFR 820.45 (labeling and packaging)",
    140: "ISO 13485:2016 7.5.11 (preservation of product)",
    150: "ISO 13485:2016 7.5.11 (preservation of product)",
    160: "ISO 13485:2016 7.2, 7.5.1 (distribution)",
    170: "ISO 13485:2016 7.5.3 (installation)",
    180: "ISO 13485:2016 4.2.5 + 21 CFR 820.35 (records)",
    181: "ISO 13485:2016 4.2.3 (medical device file)",
    184: "ISO 13485:2016 7.5.1 + 21 CFR 820.35(c) (record of each device or batch)",
    186: "ISO 13485:2016 4.2.4, 4.2.5 (quality system record: QMS documentation)",
    198: "ISO 13485:2016 8.2.2 + 21 CFR 820.35(a), 820.10(b)(3) (complaint files)",
    200: "ISO 13485:2016 7.5.4 + 21 CFR 820.35(b) (servicing)",
    250: "ISO 13485:2016 8.4 (statistical techniques: analysis of data)",
}
QMSR_SECTIONS = frozenset({1, 3, 7, 10, 35, 45})
"""The sections of Part 820 as it stands under the QMSR: citing them is right."""


@dataclass(frozen=True)
class Reference:
    """One superseded reference: how it is found, what replaces it and why."""

    id: str
    title: str
    pattern: re.Pattern[str]
    replacement: str
    reason: str
    severity: str = "major"
    replace: Callable[[re.Match[str]], str] | None = None
    """Per-occurrence replacement (old section numbers map one by one)."""

    def replacement_for(self, match: re.Match[str]) -> str:
        return self.replace(match) if self.replace else self.replacement


@dataclass(frozen=True)
class LintFinding:
    rule: str
    title: str
    line: int
    column: int
    text: str
    replacement: str
    reason: str
    severity: str
    where: str = ""
    """Where in the file, for formats without lines (a DOCX paragraph, a PDF page)."""


def _old_section(match: re.Match[str]) -> str:
    number = int(match.group("section"))
    paragraph = match.group("paragraph") or ""
    if number == 180 and paragraph.startswith("(c)"):
        return "delete: audit reports are no longer shielded from inspection (QMSR FAQ Q8)"
    return OLD_SECTIONS.get(number, "the ISO 13485:2016 clause and the QMSR section it maps to")


def _words(*alternatives: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", flags)


REFERENCES: tuple[Reference, ...] = (
    Reference(
        "SUP-QSR",
        "Quality System Regulation cited as current",
        _words(r"Quality System Regulation", r"QS [Rr]egulation", r"QSR", flags=re.I),
        "QMSR: 21 CFR Part 820 as amended, effective 2 February 2026",
        "Part 820 was renamed the Quality Management System Regulation and now incorporates "
        "ISO 13485:2016 by reference (89 FR 7496).",
    ),
    Reference(
        "SUP-820-SECTION",
        "QS-regulation section cited",
        re.compile(
            r"\b(?:21\s*CFR\s*(?:Part\s*)?|§\s*|Part\s+)?820\.(?P<section>\d{1,3})"
            r"(?!\d|\.\d)(?P<paragraph>(?:\([a-z0-9]+\))*)"
        ),
        "",
        "Sections 820.5 to 820.250 were removed by the QMSR; cite the ISO 13485:2016 clause and "
        "the QMSR section instead (industry crosswalk; FDA published none).",
        replace=_old_section,
    ),
    Reference(
        "SUP-820-15",
        "Proposed-rule section 820.15 cited",
        re.compile(r"\b820\.15\b"),
        "21 CFR 820.3(b)",
        "820.15 existed only in the proposed rule; the final QMSR put the definitions in 820.3.",
    ),
    Reference(
        "SUP-QSIT",
        "Withdrawn inspection technique or compliance program",
        _words(r"QSIT", r"Quality System Inspection Technique", r"7382\.845", r"7383\.001"),
        "Compliance Program 7382.850",
        "QSIT and CP 7382.845 / 7383.001 were withdrawn on 2 February 2026; FDA inspects under "
        "CP 7382.850.",
    ),
    Reference(
        "SUP-DHF",
        "Design history file (DHF)",
        _words(r"DHF", r"[Dd]esign [Hh]istory [Ff]iles?"),
        "design and development file (ISO 13485:2016 7.3.10)",
        "The QMSR uses ISO 13485's design and development file; the DHF is gone from Part 820.",
    ),
    Reference(
        "SUP-DMR",
        "Device master record (DMR)",
        _words(r"DMR", r"[Dd]evice [Mm]aster [Rr]ecords?"),
        "medical device file (ISO 13485:2016 4.2.3; 21 CFR 820.3(b), 820.45(c))",
        "The QMSR replaced the device master record with ISO 13485's medical device file.",
    ),
    Reference(
        "SUP-DHR",
        "Device history record (DHR)",
        _words(r"DHR", r"[Dd]evice [Hh]istory [Rr]ecords?"),
        "record of each device or batch (ISO 13485:2016 7.5.1) with its UDI (21 CFR 820.35(c))",
        "The QMSR replaced the device history record with ISO 13485's per device or batch record.",
    ),
    Reference(
        "SUP-QS-RECORD",
        "Quality system record",
        _words(r"[Qq]uality [Ss]ystem [Rr]ecords?"),
        "QMS documentation (ISO 13485:2016 4.2)",
        "The quality system record (old 820.186) is gone; ISO 13485 4.2 governs the documentation.",
    ),
    Reference(
        "SUP-EXEC-MGMT",
        "Management with executive responsibility",
        re.compile(r"\bmanagement with executive responsibility\b", re.I),
        "top management",
        "ISO 13485:2016 (and ISO 9000) speak of top management.",
        severity="minor",
    ),
    Reference(
        "SUP-QUALITY-SYSTEM",
        "'Quality system' in the regulatory sense",
        re.compile(
            r"\bquality system\b(?! regulation| record| inspection| considerations| software)",
            re.I,
        ),
        "quality management system",
        "Under the QMSR (820.1, 820.10) and ISO 13485:2016 the term is quality management system.",
        severity="minor",
    ),
    Reference(
        "SUP-CYBER-GUIDANCE",
        "Superseded cybersecurity guidance edition",
        re.compile(
            r"Quality System Considerations|"
            r"(?:premarket|pre-market)[^.\n]{0,60}cybersecurity[^.\n]{0,60}\b2014\b|"
            r"cybersecurity[^.\n]{0,60}(?:premarket|pre-market)[^.\n]{0,60}\b2014\b",
            re.I,
        ),
        "Cybersecurity in Medical Devices: Quality Management System Considerations and Content "
        "of Premarket Submissions (3 February 2026)",
        "The 2014 premarket guidance and the 2023 and June 2025 'Quality System Considerations' "
        "editions were superseded on 3 February 2026.",
    ),
    Reference(
        "SUP-CSA",
        "Superseded software-assurance guidance",
        re.compile(
            r"Quality System Software|"
            r"(?:General Principles of Software Validation|GPSV)[^.\n]{0,40}"
            r"\b(?:section|sec\.?)\s*6\b",
            re.I,
        ),
        "Computer Software Assurance for Production and Quality Management System Software "
        "(3 February 2026)",
        "The CSA guidance was reissued for the QMSR on 3 February 2026 and replaces GPSV "
        "section 6.",
    ),
    Reference(
        "SUP-LOC",
        "Level of Concern",
        re.compile(r"\blevels? of concern\b", re.I),
        "Basic or Enhanced Documentation Level",
        "FDA's device software functions guidance (2023) replaced the Level of Concern with "
        "documentation levels.",
    ),
    Reference(
        "SUP-PCCP-2024",
        "PCCP guidance cited by its December 2024 edition",
        re.compile(
            r"(?:PCCP|Predetermined Change Control Plan)[^.\n]{0,80}\bDec(?:ember|\.)? 2024\b",
            re.I,
        ),
        "the 18 August 2025 final PCCP guidance for AI-enabled device software functions",
        "The December 2024 PCCP guidance was reissued on 18 August 2025.",
        severity="minor",
    ),
    Reference(
        "SUP-14971-2007",
        "ISO 14971:2007 cited",
        re.compile(r"\b(?:EN )?ISO 14971:2007(?:/AC:2009)?\b|\bEN ISO 14971:2012\b"),
        "ISO 14971:2019",
        "ISO 14971:2019 replaced the 2007 edition (and EN ISO 14971:2012).",
    ),
)

_TIR57 = re.compile(r"\b(?:AAMI )?TIR57\b")
_SW96 = re.compile(r"\bSW96\b")
TIR57_ALONE = Reference(
    "SUP-TIR57-ALONE",
    "AAMI TIR57 cited without SW96",
    _TIR57,
    "ANSI/AAMI SW96:2023 with TIR57",
    "SW96:2023 is the security risk management standard for devices; TIR57 alone is the older "
    "basis.",
    severity="minor",
)


def scan(lines: Iterable[str], where: Callable[[int], str] | None = None) -> list[LintFinding]:
    """Every superseded reference in `lines` (line numbers from 1). `where(line)` names the
    location for formats without lines. A section cite of the QMSR itself (820.10 and the
    like) is not a finding."""
    text = list(lines)
    rules = list(REFERENCES)
    if not any(_SW96.search(line) for line in text):
        rules.append(TIR57_ALONE)
    found = []
    for number, line in enumerate(text, start=1):
        taken: list[tuple[int, int]] = []
        for rule in rules:
            for match in rule.pattern.finditer(line):
                if rule.id == "SUP-820-SECTION" and _current_section(match):
                    continue
                span = match.span()
                if any(start < span[1] and span[0] < end for start, end in taken):
                    continue  # one finding per stretch of text: the first rule that matched
                taken.append(span)
                found.append(
                    LintFinding(
                        rule.id,
                        rule.title,
                        number,
                        span[0] + 1,
                        match.group(0),
                        rule.replacement_for(match),
                        rule.reason,
                        rule.severity,
                        where(number) if where else "",
                    )
                )
    return sorted(found, key=lambda f: (f.line, f.column))


def _current_section(match: re.Match[str]) -> bool:
    """A section of Part 820 as it stands (or 820.15, its own rule): not a removed one."""
    number = int(match.group("section"))
    return number in QMSR_SECTIONS or number == 15 or number > 250


def occurrence(finding: LintFinding, line_text: str) -> str:
    """What identifies one superseded reference in a document across revisions: the rule,
    a digest of its line's text and the column. Unchanged while that line is unchanged."""
    digest = hashlib.sha256(line_text.encode()).hexdigest()[:12]
    return f"{finding.rule}:{digest}:{finding.column}"
