"""What `seed_demo` made, as data and as a plain-text summary for the terminal."""

from __future__ import annotations

from dataclasses import dataclass, field

# Kinds grouped the way a QA/RA lead reads a spine; kinds a profile adds land in "Other".
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Design and development",
        ("user_need", "requirement", "software_item", "test_case", "test_result", "validation"),
    ),
    ("Risk management", ("hazard", "hazardous_situation", "harm", "risk_control")),
    ("Cybersecurity", ("threat", "security_risk", "sbom_component", "vulnerability")),
    ("Machine learning", ("dataset", "model_version", "validation_run")),
    ("Releases", ("release",)),
    (
        "Quality events",
        (
            "complaint",
            "capa",
            "nonconformance",
            "audit",
            "finding",
            "change_request",
            "post_market_signal",
            "management_review",
            "action",
        ),
    ),
    ("QMS documents, people and suppliers", ("document", "role", "training_record", "supplier")),
)


@dataclass(frozen=True)
class GapView:
    """A deliberate gap with the keys of the records it concerns."""

    number: int
    title: str
    keys: tuple[str, ...]
    problem: str
    clause: str
    rule: str


@dataclass(frozen=True)
class DemoSummary:
    """Counts and pointers describing the seeded demo spine."""

    manufacturer: str
    device: str
    records_by_kind: dict[str, int]
    kind_titles: dict[str, str]
    links: int
    suspect_links: int
    signatures: int
    users: list[tuple[str, str, tuple[str, ...], str]]
    password: str
    gaps: list[GapView] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def records(self) -> int:
        return sum(self.records_by_kind.values())

    def render(self) -> str:
        """A readable plain-text summary, at most 79 columns wide and free of console markup."""
        lines = [
            f"{self.manufacturer} {self.device}: class II software as a medical device,",
            "a cyber device (FD&C Act 524B) whose ML model estimates the likelihood of",
            "malignancy from breast FNA cell-nucleus features (WDBC data).",
            "",
            f"Seeded {self.records} records, {self.links} links ({self.suspect_links} suspect), "
            f"{self.signatures} signatures, {len(self.users)} users in {self.seconds:.1f} s.",
            "",
        ]
        grouped = {kind for _, kinds in GROUPS for kind in kinds}
        extra = tuple(k for k in self.records_by_kind if k not in grouped)
        for heading, kinds in (*GROUPS, ("Other", extra)):
            present = [k for k in kinds if k in self.records_by_kind]
            if not present:
                continue
            lines.append(f"{heading}:")
            for kind in present:
                title = self.kind_titles.get(kind, kind)
                lines.append(f"  {title:<36} {self.records_by_kind[kind]:>4}")
        lines += ["", f"Demo logins (password for all: {self.password}):"]
        for username, full_name, roles, job in self.users:
            lines.append(f"  {username:<7} {full_name:<16} {', '.join(roles):<17} {job}")
        if self.gaps:
            lines += [
                "",
                f"Deliberate gaps for readiness checks ({len(self.gaps)}, see docs/demo.md):",
            ]
            for gap in self.gaps:
                lines.append(f"  {gap.number}. {gap.title}: {', '.join(gap.keys)}")
        lines += ["", "next: qspine record list / qspine audit verify"]
        return "\n".join(lines)
