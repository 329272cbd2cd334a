"""VEX statements in one neutral, frozen shape, and the vocabulary shared by CycloneDX VEX,
OpenVEX and the vulnerability kind's `triage_state` / `vex_justification` fields.

QSpine speaks the CISA vocabulary (which OpenVEX implements verbatim): four states and five
not-affected justifications. CycloneDX's own labels are mapped into it; the original strings
stay on the statement (`source_state`, `source_justification`), so nothing is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from univers.version_range import VersionRange

CYCLONEDX = "cyclonedx"
OPENVEX = "openvex"

# CISA "Minimum Requirements for VEX" (2023-04), section 2.2 status, and OpenVEX v0.2.0.
STATES = ("under_investigation", "affected", "not_affected", "fixed")
# CISA "VEX Status Justifications" (2022-06), implemented verbatim by OpenVEX v0.2.0.
JUSTIFICATIONS = (
    "component_not_present",
    "vulnerable_code_not_present",
    "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary",
    "inline_mitigations_already_exist",
)

# CycloneDX `analysis.state` -> CISA status. Source: the CycloneDX <-> CISA crosswalk discussed
# in CycloneDX/specification discussion #609, as tabulated by getreeldev/cyclonedx-to-openvex
# (crosswalk.yaml, anchored on CISA's Minimum Requirements for VEX, 2023-04). `false_positive`
# carries no justification of its own: it becomes not_affected, and a triage decision still
# needs a justification label (CISA requires one, or an impact statement).
FROM_CYCLONEDX_STATE = {
    "in_triage": "under_investigation",
    "exploitable": "affected",
    "resolved": "fixed",
    "resolved_with_pedigree": "fixed",  # lossy: the pedigree (proof of fix) is not carried
    "not_affected": "not_affected",
    "false_positive": "not_affected",  # contested in #609; no label is invented for it
}
TO_CYCLONEDX_STATE = {
    "under_investigation": "in_triage",
    "affected": "exploitable",
    "fixed": "resolved",
    "not_affected": "not_affected",
}

# CycloneDX `analysis.justification` -> CISA justification. Same source as above: exact for
# code_not_present, code_not_reachable and protected_by_mitigating_control; the requires_* and
# protected_at_* labels all say an adversary cannot reach or control the vulnerable code in
# this product's configuration, environment or deployment (lossy, #609 groups them so);
# compiler hardening is a built-in mitigation.
FROM_CYCLONEDX_JUSTIFICATION = {
    "code_not_present": "vulnerable_code_not_present",
    "code_not_reachable": "vulnerable_code_not_in_execute_path",
    "requires_configuration": "vulnerable_code_cannot_be_controlled_by_adversary",
    "requires_dependency": "vulnerable_code_cannot_be_controlled_by_adversary",
    "requires_environment": "vulnerable_code_cannot_be_controlled_by_adversary",
    "protected_at_perimeter": "vulnerable_code_cannot_be_controlled_by_adversary",
    "protected_at_runtime": "vulnerable_code_cannot_be_controlled_by_adversary",
    "protected_by_compiler": "inline_mitigations_already_exist",
    "protected_by_mitigating_control": "inline_mitigations_already_exist",
}
# The way back picks the closest CycloneDX label; CycloneDX has none for "the component is not
# in the product", so code_not_present stands in. The exact CISA label also travels in the
# vulnerability's properties (JUSTIFICATION_PROPERTY), which the reader prefers.
TO_CYCLONEDX_JUSTIFICATION = {
    "component_not_present": "code_not_present",
    "vulnerable_code_not_present": "code_not_present",
    "vulnerable_code_not_in_execute_path": "code_not_reachable",
    "vulnerable_code_cannot_be_controlled_by_adversary": "requires_environment",
    "inline_mitigations_already_exist": "protected_by_mitigating_control",
}
JUSTIFICATION_PROPERTY = "qspine:vex:justification"
_parse_range: Callable[[str], Any] = VersionRange.from_string  # univers is untyped


@dataclass(frozen=True)
class VexVersion:
    """One entry of a CycloneDX `affects[].versions`: a version or a `vers:` range."""

    version: str = ""
    range: str = ""
    status: str = ""  # affected, unaffected or unknown


@dataclass(frozen=True)
class VexProduct:
    """A product (or component) a statement is about, as the document names it.

    `id` is the reference as written (a bom-ref, a purl, a BOM-Link URN, an OpenVEX @id);
    `purl`, `bom_ref`, `name` and `version` are what the document says about it, resolved
    against its own components where it lists them.
    """

    id: str
    purl: str = ""
    bom_ref: str = ""
    name: str = ""
    version: str = ""
    versions: tuple[VexVersion, ...] = ()
    subcomponents: tuple[str, ...] = ()  # OpenVEX: ids or purls of the vulnerable parts

    def covers(self, version: str) -> bool:
        """Whether the statement applies to `version` of this product: always, unless the
        document lists versions; then an equal version or a `vers:` range containing it
        (an unknown versioning scheme is compared as generic)."""
        if not self.versions:
            return True
        return any(_covers(entry, version) for entry in self.versions)


@dataclass(frozen=True)
class VexStatement:
    """One vulnerability's status for some products, in QSpine's (CISA) vocabulary."""

    vulnerability: str
    state: str  # one of STATES
    products: tuple[VexProduct, ...] = ()
    aliases: tuple[str, ...] = ()
    justification: str | None = None  # one of JUSTIFICATIONS
    detail: str = ""  # why: CycloneDX analysis.detail, OpenVEX impact_statement/status_notes
    action: str = ""  # what to do: CycloneDX recommendation, OpenVEX action_statement
    timestamp: str = ""
    source_state: str = ""  # the document's own state and justification strings
    source_justification: str = ""
    responses: tuple[str, ...] = ()  # CycloneDX analysis.response

    @property
    def identifiers(self) -> tuple[str, ...]:
        return (self.vulnerability, *self.aliases)


@dataclass(frozen=True)
class VexDocument:
    """What a VEX file says: its statements, and what it is about (`subject`)."""

    path: str
    format: str  # CYCLONEDX or OPENVEX
    spec_version: str
    identifier: str  # CycloneDX serialNumber or OpenVEX @id
    author: str
    timestamp: str
    statements: tuple[VexStatement, ...]
    subject: VexProduct | None = None
    warnings: tuple[str, ...] = ()


def bom_link_fragment(ref: str) -> str:
    """The bom-ref a BOM-Link (`urn:cdx:serial/version#bom-ref`) points at, else ""."""
    if not ref.startswith("urn:cdx:") or "#" not in ref:
        return ""
    return unquote(ref.split("#", 1)[1])


def _covers(entry: VexVersion, version: str) -> bool:
    if entry.version:
        return entry.version == version
    if not entry.range or not version:
        return False
    text = entry.range
    try:
        ranges = _parse_range(text)
    except ValueError:
        constraints = text.removeprefix("vers:").partition("/")[2]
        try:
            ranges = _parse_range(f"vers:generic/{constraints}")
        except ValueError:
            return False
    try:
        return bool(ranges.version_class(version) in ranges)
    except (ValueError, TypeError):
        return False
