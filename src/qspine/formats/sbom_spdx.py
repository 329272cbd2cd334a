"""SPDX 2.2/2.3 JSON, YAML, XML and tag-value, read and validated with spdx-tools (see
`formats.sbom`)."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

from packageurl import PackageURL
from spdx_tools.spdx.datetime_conversions import datetime_to_iso_string
from spdx_tools.spdx.model.actor import Actor
from spdx_tools.spdx.model.document import Document
from spdx_tools.spdx.model.package import Package, PackagePurpose
from spdx_tools.spdx.model.relationship import RelationshipType
from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion
from spdx_tools.spdx.model.spdx_none import SpdxNone
from spdx_tools.spdx.parser.error import SPDXParsingError
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from qspine.formats.sbom_shape import (
    SPDX,
    Sbom,
    SbomComponent,
    name_at_version,
    one_line,
    shorten,
    summary,
)
from qspine.model.errors import InvalidInput

# --- SPDX ---------------------------------------------------------------------------------


def read_spdx(text: str, suffix: str, name: str) -> Sbom:
    """Parse (spdx-tools, by file suffix) and validate an SPDX 2 document."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        document = _parse_spdx(text, suffix, name)
        problems = _validate_spdx(document, name)
    if problems:
        raise InvalidInput(f"{name}: not a valid SPDX document: {problems}")
    return _from_spdx(document, name, [one_line(str(w.message)) for w in caught])


def _parse_spdx(text: str, suffix: str, name: str) -> Document:
    """The spdx-tools document of `text`, parsed as a file with `suffix` (UTF-8)."""
    with tempfile.TemporaryDirectory(prefix="qspine-sbom-") as folder:
        path = Path(folder) / f"document{suffix}"
        path.write_text(text, encoding="utf-8")
        try:
            return parse_file(str(path))
        except SPDXParsingError as error:
            problems = summary(error.messages)
            raise InvalidInput(f"{name}: not a valid SPDX document: {problems}") from error
        except Exception as error:  # the parsers raise many kinds; the reason is in the message
            raise InvalidInput(
                f"{name}: spdx-tools could not read this SPDX document: "
                f"{type(error).__name__}: {shorten(one_line(str(error)))}"
            ) from error


def _validate_spdx(document: Document, name: str) -> str:
    """The document's validation problems, summarised; "" when it is valid."""
    try:
        messages = validate_full_spdx_document(document)
    except Exception as error:  # a validator crash; the reason is in the message
        raise InvalidInput(
            f"{name}: spdx-tools could not validate this SPDX document: "
            f"{type(error).__name__}: {shorten(one_line(str(error)))}"
        ) from error
    return summary(
        f"{m.context.spdx_id}: {m.validation_message}"
        if m.context.spdx_id
        else m.validation_message
        for m in messages
    )


_FORWARD = {
    RelationshipType.DEPENDS_ON,
    RelationshipType.CONTAINS,
    RelationshipType.DYNAMIC_LINK,
    RelationshipType.STATIC_LINK,
}
_REVERSE = {
    RelationshipType.DEPENDENCY_OF,
    RelationshipType.BUILD_DEPENDENCY_OF,
    RelationshipType.DEV_DEPENDENCY_OF,
    RelationshipType.OPTIONAL_DEPENDENCY_OF,
    RelationshipType.PROVIDED_DEPENDENCY_OF,
    RelationshipType.RUNTIME_DEPENDENCY_OF,
    RelationshipType.TEST_DEPENDENCY_OF,
    RelationshipType.CONTAINED_BY,
}


def _from_spdx(document: Document, name: str, notes: list[str]) -> Sbom:
    """The neutral SBOM of a valid spdx-tools document: packages are the components."""
    info = document.creation_info
    packages: dict[str, Package] = {}
    for package in document.packages:
        packages.setdefault(package.spdx_id, package)
    graph = _spdx_graph(document, set(packages))
    described = [ref for ref in _described(document) if ref in packages]
    has_root_graph = any(graph.get(ref) for ref in described)
    roots_deps = {t for ref in described for t in graph.get(ref, ())} if has_root_graph else None
    components = tuple(
        _spdx_component(
            package,
            tuple(graph.get(ref, ())),
            None if roots_deps is None else ref in roots_deps,
            name,
        )
        for ref, package in packages.items()
    )
    subject = packages[described[0]] if described else None
    return Sbom(
        path=name,
        format=SPDX,
        spec_version=info.spdx_version,
        serial=info.document_namespace,
        subject=name_at_version(subject.name, subject.version) if subject else "",
        components=components,
        created=datetime_to_iso_string(info.created),
        warnings=tuple(dict.fromkeys(notes)),
    )


def _spdx_graph(document: Document, packages: set[str]) -> dict[str, list[str]]:
    """package id -> package ids it depends on or contains, in relationship order."""
    graph: dict[str, list[str]] = {}
    for relationship in document.relationships:
        source, target = relationship.spdx_element_id, relationship.related_spdx_element_id
        if not isinstance(target, str):
            continue
        if relationship.relationship_type in _REVERSE:
            source, target = target, source
        elif relationship.relationship_type not in _FORWARD:
            continue
        if source in packages and target in packages and source != target:
            targets = graph.setdefault(source, [])
            if target not in targets:
                targets.append(target)
    return graph


def _described(document: Document) -> list[str]:
    """The ids the document DESCRIBES (or that are DESCRIBED_BY it), in order."""
    document_id = document.creation_info.spdx_id
    described: list[str] = []
    for relationship in document.relationships:
        target = relationship.related_spdx_element_id
        kind = relationship.relationship_type
        if kind == RelationshipType.DESCRIBES and relationship.spdx_element_id == document_id:
            described.append(str(target))
        elif kind == RelationshipType.DESCRIBED_BY and target == document_id:
            described.append(relationship.spdx_element_id)
    return list(dict.fromkeys(described))


_SPDX_PURPOSES = {
    PackagePurpose.LIBRARY: "library",
    PackagePurpose.FRAMEWORK: "framework",
    PackagePurpose.APPLICATION: "application",
    PackagePurpose.CONTAINER: "container",
    PackagePurpose.OPERATING_SYSTEM: "operating_system",
    PackagePurpose.FIRMWARE: "firmware",
}
_SPDX_ALGORITHMS = {
    "SHA1": "SHA-1",
    "SHA224": "SHA-224",
    "SHA256": "SHA-256",
    "SHA384": "SHA-384",
    "SHA512": "SHA-512",
    "BLAKE2B_256": "BLAKE2b-256",
    "BLAKE2B_384": "BLAKE2b-384",
    "BLAKE2B_512": "BLAKE2b-512",
}
_CPE_TYPES = ("cpe23Type", "cpe22Type")


def _spdx_component(
    package: Package, depends_on: tuple[str, ...], direct: bool | None, name: str
) -> SbomComponent:
    """A package as a component; without a primaryPackagePurpose it counts as a library."""
    purpose = package.primary_package_purpose
    return SbomComponent(
        ref=package.spdx_id,
        name=package.name,
        version=package.version or "",
        purl=_spdx_purl(package, name),
        cpe=next(iter(_external_refs(package, _CPE_TYPES)), ""),
        supplier=_actor_name(package.supplier) or _actor_name(package.originator),
        component_type="library" if purpose is None else _SPDX_PURPOSES.get(purpose, "other"),
        hashes=tuple(
            f"{_SPDX_ALGORITHMS.get(c.algorithm.name, c.algorithm.name.replace('_', '-'))}:"
            f"{c.value.lower()}"
            for c in package.checksums
        ),
        licenses=_spdx_licenses(package),
        depends_on=depends_on,
        direct=direct,
    )


def _external_refs(package: Package, types: tuple[str, ...]) -> list[str]:
    return [ref.locator for ref in package.external_references if ref.reference_type in types]


def _spdx_purl(package: Package, name: str) -> str:
    """The package's first purl, in packageurl's canonical form."""
    locators = _external_refs(package, ("purl",))
    if not locators:
        return ""
    try:
        return PackageURL.from_string(locators[0]).to_string()
    except ValueError as error:
        raise InvalidInput(
            f"{name}: package {package.spdx_id} has an invalid purl {locators[0]!r}: {error}"
        ) from error


def _actor_name(actor: Actor | SpdxNoAssertion | None) -> str:
    return actor.name if isinstance(actor, Actor) else ""


def _spdx_licenses(package: Package) -> tuple[str, ...]:
    """licenseConcluded, else licenseDeclared; NOASSERTION and NONE say nothing."""
    for licence in (package.license_concluded, package.license_declared):
        if licence is not None and not isinstance(licence, SpdxNoAssertion | SpdxNone):
            return (str(licence),)
    return ()
