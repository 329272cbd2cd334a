"""Write a release's components as an SBOM: CycloneDX 1.6 JSON (cyclonedx-python-lib) or SPDX 2.3
JSON (spdx-tools), each checked by reading it back with `formats.sbom`.

Support level and end of support (FDA premarket cybersecurity guidance, V.A.4) have no field in
either specification: CycloneDX carries them as component properties (`qspine:support_level`,
`qspine:end_of_support`), SPDX as the package comment.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from cyclonedx.model import HashAlgorithm, HashType, Property
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.contact import OrganizationalEntity
from cyclonedx.model.license import LicenseExpression
from cyclonedx.output.json import JsonV1Dot6
from license_expression import (  # type: ignore[import-untyped]
    ExpressionError,
    get_spdx_licensing,
)
from packageurl import PackageURL
from spdx_tools.spdx.model.actor import Actor, ActorType
from spdx_tools.spdx.model.checksum import Checksum, ChecksumAlgorithm
from spdx_tools.spdx.model.document import CreationInfo, Document
from spdx_tools.spdx.model.package import ExternalPackageRef, ExternalPackageRefCategory, Package
from spdx_tools.spdx.model.relationship import Relationship, RelationshipType
from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion
from spdx_tools.spdx.writer.json.json_writer import write_document_to_stream

from qspine.formats.sbom import parse_sbom
from qspine.formats.sbom_shape import SbomComponent
from qspine.model.errors import InvalidInput

FORMATS = ("cyclonedx", "spdx")
_TYPES = {
    "operating_system": ComponentType.OPERATING_SYSTEM,
    "device_driver": ComponentType.DEVICE_DRIVER,
    "other": ComponentType.LIBRARY,
}


@dataclass(frozen=True)
class Support:
    """The guidance's support data for one component."""

    level: str
    end: str  # ISO date or ""


def export_sbom(
    format: str,
    subject: str,
    subject_version: str,
    components: Sequence[tuple[SbomComponent, Support]],
    created: dt.datetime,
) -> str:
    """The SBOM text; read back with the specification check before it is returned."""
    if format not in FORMATS:
        raise InvalidInput(f"unknown SBOM format '{format}' (choose {' or '.join(FORMATS)})")
    writer = _cyclonedx if format == "cyclonedx" else _spdx
    text = writer(subject, subject_version, components, created)
    parse_sbom(text.encode(), f"{subject}.{format}.json")
    return text


def _cyclonedx(
    subject: str,
    subject_version: str,
    components: Sequence[tuple[SbomComponent, Support]],
    created: dt.datetime,
) -> str:
    bom = Bom(serial_number=uuid.uuid5(uuid.NAMESPACE_URL, f"qspine:{subject}@{subject_version}"))
    bom.metadata.timestamp = created
    root = Component(
        name=subject, version=subject_version, type=ComponentType.APPLICATION, bom_ref=subject
    )
    bom.metadata.component = root
    made: dict[str, Component] = {}
    for item, support in components:
        component = Component(
            name=item.name,
            version=item.version or None,
            group=item.group or None,
            type=_TYPES.get(item.component_type, ComponentType(item.component_type)),
            bom_ref=item.ref,
            purl=PackageURL.from_string(item.purl) if item.purl else None,
            cpe=item.cpe or None,
            supplier=OrganizationalEntity(name=item.supplier) if item.supplier else None,
            hashes=[_hash(text) for text in item.hashes],
            licenses=[LicenseExpression(text) for text in item.licenses],
            properties=[
                Property(name="qspine:support_level", value=support.level),
                *(
                    [Property(name="qspine:end_of_support", value=support.end)]
                    if support.end
                    else []
                ),
            ],
        )
        made[item.ref] = component
        bom.components.add(component)
    for item, _ in components:
        targets = [made[ref] for ref in item.depends_on if ref in made]
        if targets:
            bom.register_dependency(made[item.ref], targets)
    bom.register_dependency(root, [made[ref] for ref in _top_level(components)])
    return str(JsonV1Dot6(bom).output_as_string(indent=2))


def _top_level(components: Sequence[tuple[SbomComponent, Support]]) -> list[str]:
    """Refs the product depends on: the direct ones, or, when none is marked, those no other
    component depends on."""
    direct = [item.ref for item, _ in components if item.direct]
    if direct:
        return direct
    needed = {ref for item, _ in components for ref in item.depends_on}
    return [item.ref for item, _ in components if item.ref not in needed]


def _hash(text: str) -> HashType:
    algorithm, _, content = text.partition(":")
    return HashType(alg=HashAlgorithm(algorithm), content=content)


def _spdx(
    subject: str,
    subject_version: str,
    components: Sequence[tuple[SbomComponent, Support]],
    created: dt.datetime,
) -> str:

    name = f"{subject}@{subject_version}"
    info = CreationInfo(
        spdx_version="SPDX-2.3",
        spdx_id="SPDXRef-DOCUMENT",
        name=f"{subject}-{subject_version}",
        document_namespace=f"https://qspine.invalid/spdx/{uuid.uuid5(uuid.NAMESPACE_URL, name)}",
        creators=[Actor(ActorType.TOOL, "QSpine")],
        created=created.replace(microsecond=0, tzinfo=None),
    )
    root_id = "SPDXRef-Product"
    packages = [
        Package(
            spdx_id=root_id,
            name=subject,
            version=subject_version,
            download_location=SpdxNoAssertion(),
            files_analyzed=False,
        )
    ]
    relationships = [Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, root_id)]
    ids: dict[str, str] = {}
    for index, (item, support) in enumerate(components, start=1):
        spdx_id = f"SPDXRef-Package-{index}"
        ids[item.ref] = spdx_id
        checksums = []
        for text in item.hashes:
            algorithm, _, content = text.partition(":")
            name = algorithm.replace("-", "")
            if name in ChecksumAlgorithm.__members__:
                checksums.append(Checksum(ChecksumAlgorithm[name], content.lower()))
        declared, unlisted = _licence(item.licenses)
        comment = (
            f"support level: {support.level}"
            + (f"; end of support: {support.end}" if support.end else "")
            + unlisted
        )
        packages.append(
            Package(
                spdx_id=spdx_id,
                name=item.name,
                version=item.version or None,
                download_location=SpdxNoAssertion(),
                files_analyzed=False,
                supplier=Actor(ActorType.ORGANIZATION, item.supplier) if item.supplier else None,
                checksums=checksums,
                license_declared=declared,
                external_references=[
                    ExternalPackageRef(
                        ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", item.purl
                    )
                ]
                if item.purl
                else [],
                comment=comment,
            )
        )
    for item, _ in components:
        source = ids[item.ref]
        relationships.append(
            Relationship(root_id, RelationshipType.DEPENDS_ON, source)
            if item.direct
            else Relationship(root_id, RelationshipType.CONTAINS, source)
        )
        relationships += [
            Relationship(source, RelationshipType.DEPENDS_ON, ids[ref])
            for ref in item.depends_on
            if ref in ids
        ]
    document = Document(info, packages=packages, relationships=relationships)
    stream = io.StringIO()
    write_document_to_stream(document, stream, validate=False)  # read back and validated below
    return json.dumps(json.loads(stream.getvalue()), indent=2)


def _licence(licenses: Sequence[str]) -> tuple[object, str]:
    """The declared licence as an SPDX expression when every part is on the SPDX list; else
    NOASSERTION, with the names kept for the package comment."""
    if not licenses:
        return SpdxNoAssertion(), ""
    licensing = get_spdx_licensing()
    expression = " AND ".join(f"({text})" if " " in text else text for text in licenses)
    try:
        return licensing.parse(expression, validate=True, strict=True), ""
    except ExpressionError:
        return SpdxNoAssertion(), f"; licences as stated: {', '.join(licenses)}"
