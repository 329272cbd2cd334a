"""VEX statements written as CycloneDX VEX (1.5 or 1.6 JSON) or OpenVEX v0.2.0 JSON.

Both writers are deterministic for given statements, serial/@id and timestamp, so an export
can be compared with the previous one. `formats.vex` reads either back into the same
statements (what each format can carry: OpenVEX has no versions, responses or names).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from typing import Any

from packageurl import PackageURL

from qspine.formats.vex_shape import (
    FROM_CYCLONEDX_JUSTIFICATION,
    FROM_CYCLONEDX_STATE,
    JUSTIFICATION_PROPERTY,
    TO_CYCLONEDX_JUSTIFICATION,
    TO_CYCLONEDX_STATE,
    VexProduct,
    VexStatement,
)

OPENVEX_CONTEXT_V020 = "https://openvex.dev/ns/v0.2.0"
CYCLONEDX_VERSIONS = ("1.5", "1.6")
TOOL = "QSpine"


def cyclonedx_vex(
    statements: Sequence[VexStatement],
    subject: VexProduct | None = None,
    *,
    serial: str | None = None,
    timestamp: str | None = None,
    spec_version: str = "1.6",
) -> str:
    """A standalone CycloneDX VEX: `subject` (the product, e.g. a release) as the metadata
    component, every named product a statement mentions as a component (a product known only
    by a reference, or a BOM-Link into another BOM, stays a bare reference, as it came), one
    vulnerability per statement."""
    if spec_version not in CYCLONEDX_VERSIONS:
        raise ValueError(f"CycloneDX VEX is written as {' or '.join(CYCLONEDX_VERSIONS)}")
    subject_ref = _ref(subject) if subject is not None else ""
    components: dict[str, dict[str, Any]] = {}
    for statement in statements:
        for product in statement.products:
            ref = _ref(product)
            if product.name and ref != subject_ref and not ref.startswith("urn:cdx:"):
                components.setdefault(ref, _component(product, ref, "library"))
    metadata: dict[str, Any] = {
        "timestamp": timestamp or _now(),
        "tools": {"components": [{"type": "application", "name": TOOL}]},
    }
    if subject is not None:
        metadata["component"] = _component(subject, subject_ref, "application")
    document: dict[str, Any] = {
        "bomFormat": "CycloneDX",
        "specVersion": spec_version,
        "serialNumber": serial or f"urn:uuid:{uuid.uuid4()}",
        "version": 1,
        "metadata": metadata,
    }
    if components:
        document["components"] = list(components.values())
    document["vulnerabilities"] = [_vulnerability(s) for s in statements]
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def openvex(
    statements: Sequence[VexStatement],
    author: str,
    *,
    document_id: str | None = None,
    timestamp: str | None = None,
    version: int = 1,
    role: str = "",
) -> str:
    """An OpenVEX v0.2.0 document. A not_affected statement carries its justification label
    and, without one, its detail as the impact statement (the schema allows one of the two);
    other detail goes to status_notes. An affected statement always has an action statement
    (its action, else its detail), as the specification requires."""
    document: dict[str, Any] = {
        "@context": OPENVEX_CONTEXT_V020,
        "@id": document_id or f"https://openvex.dev/docs/public/vex-{uuid.uuid4().hex}",
        "author": author,
        "timestamp": timestamp or _now(),
        "version": version,
        "tooling": TOOL,
        "statements": [_statement(s) for s in statements],
    }
    if role:
        document["role"] = role
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _ref(product: VexProduct) -> str:
    return product.bom_ref or product.purl or product.id


def _component(product: VexProduct, ref: str, kind: str) -> dict[str, Any]:
    item: dict[str, Any] = {"type": kind, "bom-ref": ref, "name": product.name or _name(product)}
    if product.version:
        item["version"] = product.version
    if product.purl:
        item["purl"] = product.purl
    return item


def _name(product: VexProduct) -> str:
    if product.purl:
        try:
            return str(PackageURL.from_string(product.purl).name)
        except ValueError:
            pass
    return product.id


def _vulnerability(statement: VexStatement) -> dict[str, Any]:
    state = statement.source_state
    if FROM_CYCLONEDX_STATE.get(state) != statement.state:
        state = TO_CYCLONEDX_STATE[statement.state]
    analysis: dict[str, Any] = {"state": state}
    properties = []
    if statement.justification is not None:
        label = statement.source_justification
        if FROM_CYCLONEDX_JUSTIFICATION.get(label) != statement.justification:
            label = TO_CYCLONEDX_JUSTIFICATION[statement.justification]
        analysis["justification"] = label
        properties.append({"name": JUSTIFICATION_PROPERTY, "value": statement.justification})
    if statement.responses:
        analysis["response"] = list(statement.responses)
    if statement.detail:
        analysis["detail"] = statement.detail
    if statement.timestamp:
        analysis["lastUpdated"] = statement.timestamp
    item: dict[str, Any] = {"id": statement.vulnerability}
    if statement.aliases:
        item["references"] = [
            {"id": alias, "source": {"name": _source_of(alias)}} for alias in statement.aliases
        ]
    if statement.action:
        item["recommendation"] = statement.action
    item["analysis"] = analysis
    item["affects"] = [_affect(p) for p in statement.products]
    if properties:
        item["properties"] = properties
    return item


def _affect(product: VexProduct) -> dict[str, Any]:
    ref = product.id if product.id.startswith("urn:cdx:") else _ref(product)
    affect: dict[str, Any] = {"ref": ref}
    versions = []
    for entry in product.versions:
        listed: dict[str, Any] = (
            {"version": entry.version} if entry.version else {"range": entry.range}
        )
        if entry.status:
            listed["status"] = entry.status
        versions.append(listed)
    if versions:
        affect["versions"] = versions
    return affect


def _source_of(identifier: str) -> str:
    """The database an identifier belongs to, by its prefix (CycloneDX references name one)."""
    prefix = identifier.split("-", 1)[0].upper()
    return {
        "CVE": "NVD",
        "GHSA": "GitHub Advisories",
        "PYSEC": "PyPA Advisory Database",
        "GO": "Go Vulnerability Database",
        "PSF": "PSF Advisory Database",
        "OSV": "OSV",
        "RUSTSEC": "RustSec",
    }.get(prefix, "OSV")


def _statement(statement: VexStatement) -> dict[str, Any]:
    vulnerability: dict[str, Any] = {"name": statement.vulnerability}
    if statement.aliases:
        vulnerability["aliases"] = list(statement.aliases)
    item: dict[str, Any] = {"vulnerability": vulnerability}
    if statement.timestamp:
        item["timestamp"] = statement.timestamp
    item["products"] = [_openvex_product(p) for p in statement.products]
    item["status"] = statement.state
    if statement.state == "not_affected" and statement.justification is not None:
        item["justification"] = statement.justification
        if statement.detail:
            item["status_notes"] = statement.detail
    elif statement.state == "not_affected" and statement.detail:
        item["impact_statement"] = statement.detail
    elif statement.detail:
        item["status_notes"] = statement.detail
    action = statement.action or (statement.detail if statement.state == "affected" else "")
    if action:
        item["action_statement"] = action
    return item


def _openvex_product(product: VexProduct) -> dict[str, Any]:
    item: dict[str, Any] = {"@id": product.id}
    if product.purl:
        item["identifiers"] = {"purl": product.purl}
    if product.subcomponents:
        item["subcomponents"] = [{"@id": s} for s in product.subcomponents]
    return item
