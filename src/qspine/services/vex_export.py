"""A release's vulnerabilities and their current triage as a VEX document: CycloneDX VEX
(1.6) or OpenVEX (v0.2.0), the release as the subject and the affected components (purl, else
bom-ref) as the products."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from qspine.formats.vex import CYCLONEDX, OPENVEX, VexProduct, VexStatement, cyclonedx_vex, openvex
from qspine.model.errors import InvalidInput
from qspine.services.vex_reads import ReleaseScope, Vulnerability

FORMATS = (CYCLONEDX, OPENVEX)


@dataclass(frozen=True)
class VexExport:
    release: str
    format: str
    filename: str
    media_type: str
    statements: int
    text: str


def export_document(
    scope: ReleaseScope, format: str, author: str | None, now: dt.datetime
) -> VexExport:
    if format not in FORMATS:
        raise InvalidInput(f"VEX format '{format}' is not one of {', '.join(FORMATS)}")
    if not scope.vulnerabilities:
        raise InvalidInput(
            f"{scope.key}: no vulnerability affects this release or its components; "
            "there is nothing to state"
        )
    fields = scope.fields
    subject = VexProduct(
        id=scope.key,
        bom_ref=scope.key,
        name=str(fields.get("product") or fields.get("title") or scope.key),
        version=str(fields.get("version_label") or ""),
    )
    pinned = {c.key: c.fields for c in scope.components}
    statements = [_statement(v, subject, pinned) for v in scope.vulnerabilities]
    stamp = now.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    if format == CYCLONEDX:
        text = cyclonedx_vex(statements, subject, timestamp=stamp)
        filename, media_type = f"{scope.key}.vex.cdx.json", "application/vnd.cyclonedx+json"
    else:
        owner = author or str(fields.get("security_owner") or "QSpine")
        text = openvex(statements, owner, timestamp=stamp)
        filename, media_type = f"{scope.key}.openvex.json", "application/json"
    return VexExport(scope.key, format, filename, media_type, len(statements), text)


def _statement(
    vulnerability: Vulnerability, release: VexProduct, pinned: Mapping[str, Mapping[str, Any]]
) -> VexStatement:
    """`release`: the release as a product; `pinned`: the fields of its components at the
    versions it contains."""
    fields = vulnerability.fields
    products = []
    for target in vulnerability.targets:
        if target.kind == "release":
            products.append(release)
            continue
        shown = pinned.get(target.key, target.fields)
        purl = str(shown.get("purl") or "")
        ref = str(shown.get("bom_ref") or "") or purl or target.key
        products.append(
            VexProduct(
                id=purl or ref,
                purl=purl,
                bom_ref=ref,
                name=str(shown.get("name") or ""),
                version=str(shown.get("version") or ""),
            )
        )
    state = str(fields.get("triage_state") or "under_investigation")
    day = fields.get("triaged_on") or fields.get("discovered_on")
    return VexStatement(
        vulnerability=str(fields.get("identifier") or vulnerability.key),
        state=state,
        products=tuple(products),
        aliases=tuple(str(a) for a in fields.get("aliases") or ()),
        justification=fields.get("vex_justification") if state == "not_affected" else None,
        detail=str(fields.get("justification") or ""),
        action=str(fields.get("remediation") or ""),
        timestamp=f"{day}T00:00:00Z" if day else "",
    )
