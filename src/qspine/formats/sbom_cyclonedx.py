"""CycloneDX JSON and XML: checked against the specification schema of the declared version,
then read with cyclonedx-python-lib (see `formats.sbom`)."""

from __future__ import annotations

import io
import json
import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache, partial
from typing import Any
from urllib.parse import quote

from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.license import DisjunctiveLicense, LicenseExpression
from cyclonedx.model.service import Service
from cyclonedx.schema import OutputFormat, SchemaVersion
from cyclonedx.schema.deprecation import BaseSchemaDeprecationWarning
from cyclonedx.validation import make_schemabased_validator
from jsonschema import Draft7Validator, FormatChecker, validators  # type: ignore[import-untyped]
from jsonschema.exceptions import ValidationError, best_match  # type: ignore[import-untyped]
from lxml import etree  # type: ignore[import-untyped]
from rfc3986_validator import validate_rfc3986  # type: ignore[import-untyped]

from qspine.formats.sbom_shape import (
    CYCLONEDX,
    Sbom,
    SbomComponent,
    name_at_version,
    one_line,
    shorten,
)
from qspine.model.errors import InvalidInput

CYCLONEDX_NAMESPACE = "http://cyclonedx.org/schema/bom/"
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")

# --- CycloneDX ----------------------------------------------------------------------------


def read_cyclonedx_json(doc: dict[str, Any], name: str) -> Sbom:
    """Validate a CycloneDX JSON document against its schema, then read it with the library."""
    version = schema_version(doc.get("specVersion"), OutputFormat.JSON, name)
    error = best_match(json_schema_validator(version).iter_errors(doc))
    if error is not None:
        raise InvalidInput(invalid_cyclonedx(name, version, json_error_text(error)))
    layout = _Layout(
        serial=str(doc.get("serialNumber") or ""),
        created=str((doc.get("metadata") or {}).get("timestamp") or ""),
        components=_json_refs(doc, "components"),
        services=_json_refs(doc, "services"),
    )
    return _read_bom(partial(_bom_from_json, doc), layout, version, name)


def read_cyclonedx_xml(root: Any, text: str, namespace: str, name: str) -> Sbom:
    """Validate a CycloneDX XML document against its XSD, then read it with the library."""
    version = schema_version(namespace.removeprefix(CYCLONEDX_NAMESPACE), OutputFormat.XML, name)
    # Without its declaration (which may name an encoding other than the UTF-8 the validator
    # uses); the line break after it stays, so reported line numbers are the file's.
    problem = xml_schema_problem(XML_DECLARATION.sub("", text, count=1), version)
    if problem:
        raise InvalidInput(
            invalid_cyclonedx(name, version, problem.replace(f"{{{namespace}}}", ""))
        )
    layout = _Layout(
        serial=root.get("serialNumber", ""),
        created=root.findtext(f"{{{namespace}}}metadata/{{{namespace}}}timestamp") or "",
        components=_xml_refs(root, namespace, "component"),
        services=_xml_refs(root, namespace, "service"),
    )
    with_refs = etree.tostring(root, encoding="unicode")
    return _read_bom(partial(_bom_from_xml, with_refs), layout, version, name)


def _bom_from_json(doc: dict[str, Any]) -> Bom | None:
    bom: Bom | None = Bom.from_json(doc)  # type: ignore[attr-defined]  # added by py_serializable
    return bom


def _bom_from_xml(text: str) -> Bom | None:
    bom: Bom | None = Bom.from_xml(io.StringIO(text))  # type: ignore[attr-defined]  # as above
    return bom


def schema_version(value: object, output: OutputFormat, name: str) -> SchemaVersion:
    """The declared CycloneDX version, if the library has a schema for it in this format."""
    if value is None:
        raise InvalidInput(f"{name}: a CycloneDX document without a specVersion")
    try:
        version = SchemaVersion.from_version(str(value))
        make_schemabased_validator(output, version)
    except (ValueError, TypeError) as error:
        raise InvalidInput(
            f"{name}: CycloneDX version {value!r} is not supported in {output.name} "
            "(supported: JSON 1.2 to 1.7, XML 1.0 to 1.7)"
        ) from error
    return version


def invalid_cyclonedx(name: str, version: SchemaVersion, problem: str) -> str:
    return f"{name}: not a valid CycloneDX {version.to_version()} document: {problem}"


_VISIBLE_ASCII = "".join(chr(code) for code in range(0x21, 0x7F))


def _is_iri_reference(value: object) -> bool:
    """RFC 3987 IRI-reference syntax: the IRI mapped to a URI (RFC 3987 section 3.1, non-ASCII
    characters percent-encoded) must be an RFC 3986 URI-reference."""
    if not isinstance(value, str):
        return True
    if any(ord(char) <= 0x20 or ord(char) == 0x7F for char in value):
        return False
    return validate_rfc3986(quote(value, safe=_VISIBLE_ASCII), rule="URI_reference") is not None


def _unique_items(validator: Any, unique: bool, instance: Any, schema: object) -> Iterator[Any]:
    """`uniqueItems` in linear time (jsonschema's compares every pair of objects: seconds for
    a thousand components). Items are compared by their canonical JSON text."""
    if not unique or not validator.is_type(instance, "array"):
        return
    seen: set[str] = set()
    for item in instance:
        key = json.dumps(item, sort_keys=True)
        if key in seen:
            yield ValidationError(f"{shorten(key, 120)} appears more than once")
            return
        seen.add(key)


_Draft7Validator = validators.extend(Draft7Validator, {"uniqueItems": _unique_items})


@cache
def json_schema_validator(version: SchemaVersion) -> Any:
    """The library's schema (and schema registry) for `version`, checked with two keywords
    made fast: `iri-reference` and `uniqueItems`.

    jsonschema's own `iri-reference` check (rfc3987-syntax) takes about 60 ms per URL, minutes
    for a real SBOM (python-jsonschema/jsonschema#1392); the replacement agrees with it on all
    7,800 distinct URLs of the test corpus. The library exposes its jsonschema validator only
    as `_validator`, and jsonschema the registry only as `_registry`.
    """
    checker = FormatChecker(Draft7Validator.FORMAT_CHECKER.checkers)
    checker.checks("iri-reference", raises=ValueError)(_is_iri_reference)
    library = make_schemabased_validator(OutputFormat.JSON, version)._validator
    return _Draft7Validator(library.schema, registry=library._registry, format_checker=checker)


def json_error_text(error: Any) -> str:
    """A schema error as "message at components[3].hashes"."""
    where = "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path
    ).lstrip(".")
    message = shorten(one_line(error.message), 240)
    return f"{message} at {where}" if where else message


@cache
def _xml_schema_validator(version: SchemaVersion) -> Any:
    """The library's XSD validator for `version` (cached: loading the XSD costs)."""
    return make_schemabased_validator(OutputFormat.XML, version)


def xml_schema_problem(text: str, version: SchemaVersion) -> str:
    """The first XSD violation of `text` as "line N: message", or "" when it is valid."""
    try:
        errors = _xml_schema_validator(version).validate_str(text, all_errors=True)
    except etree.LxmlError as error:
        return f"the XML could not be checked: {error}"
    first = next(iter(errors or ()), None)
    if first is None:
        return ""
    entry = first.data
    return f"line {entry.line}: {shorten(one_line(entry.message), 240)}"


@dataclass(frozen=True)
class _Layout:
    """What is read from the document itself rather than from the library's model: the
    library keeps components in sorted sets (losing document order) and makes up a serial
    number and a timestamp when the document has none."""

    serial: str
    created: str
    components: tuple[str, ...]  # refs, nested ones flattened, in document order
    services: tuple[str, ...]


def _json_refs(doc: dict[str, Any], key: str) -> tuple[str, ...]:
    """The refs of every `key` element (components or services), nested ones flattened, in
    document order; an element without a bom-ref is given one so it can be told apart."""
    elements = list(_json_walk(doc.get(key), key))
    refs = _assign_refs(
        (str(item.get("bom-ref") or ""), _ref_hint(item.get("purl"), item)) for item in elements
    )
    for item, ref in zip(elements, refs, strict=True):
        item["bom-ref"] = ref
    return refs


def _json_walk(items: Any, key: str) -> Iterator[dict[str, Any]]:
    for item in items or ():
        yield item
        yield from _json_walk(item.get(key), key)


def _xml_refs(root: Any, namespace: str, kind: str) -> tuple[str, ...]:
    """As `_json_refs`, for the `kind` ("component" or "service") elements of an XML BOM."""
    path = f"{{{namespace}}}{kind}s/{{{namespace}}}{kind}"
    elements = list(_xml_walk(root, path))
    refs = _assign_refs(
        (
            item.get("bom-ref", ""),
            _ref_hint(item.findtext(f"{{{namespace}}}purl"), _xml_fields(item, namespace)),
        )
        for item in elements
    )
    for item, ref in zip(elements, refs, strict=True):
        item.set("bom-ref", ref)
    return refs


def _xml_walk(parent: Any, path: str) -> Iterator[Any]:
    for item in parent.iterfind(path):
        yield item
        yield from _xml_walk(item, path)


def _xml_fields(item: Any, namespace: str) -> dict[str, str]:
    return {key: item.findtext(f"{{{namespace}}}{key}") or "" for key in ("name", "version")}


def _ref_hint(purl: object, item: dict[str, Any]) -> str:
    """What to call an element without a bom-ref: its purl, else name@version."""
    if purl:
        return str(purl)
    name, version = str(item.get("name") or ""), str(item.get("version") or "")
    return f"{name}@{version}" if version else name or "unnamed"


def _assign_refs(items: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    """Each element's bom-ref, or for one without, its hint made unique in the document."""
    pairs = list(items)
    taken = {ref for ref, _ in pairs if ref}
    refs: list[str] = []
    for ref, hint in pairs:
        if not ref:
            ref, number = hint, 1
            while ref in taken:
                number += 1
                ref = f"{hint}#{number}"
            taken.add(ref)
        refs.append(ref)
    return tuple(refs)


def _read_bom(
    read: Callable[[], Bom | None], layout: _Layout, version: SchemaVersion, name: str
) -> Sbom:
    """Read a schema-valid document with the library, keeping what it warns about."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bom = _deserialize(read, version, name)
        sbom = _from_bom(bom, layout, version, name)
    notes = _relevant_warnings(caught, version) + list(sbom.warnings)
    return replace(sbom, warnings=tuple(dict.fromkeys(notes)))


def _deserialize(read: Callable[[], Bom | None], version: SchemaVersion, name: str) -> Bom:
    """Run the library's deserializer; its failures become one message saying the library
    could not read the (schema-valid) document, and why."""
    try:
        bom = read()
    except Exception as error:  # the library raises many kinds; the reason is in the message
        raise InvalidInput(
            f"{name}: cyclonedx-python-lib could not read this schema-valid CycloneDX "
            f"{version.to_version()} document: {type(error).__name__}: "
            f"{shorten(one_line(str(error)))}"
        ) from error
    if bom is None:
        raise InvalidInput(f"{name}: cyclonedx-python-lib read nothing from this document")
    return bom


def _from_bom(bom: Bom, layout: _Layout, version: SchemaVersion, name: str) -> Sbom:
    """The neutral SBOM of a library `Bom`, in the document's order."""
    graph = _dependency_graph(bom)
    subject = bom.metadata.component
    root = str(subject.bom_ref) if subject is not None and subject.bom_ref else ""
    known = set(layout.components) | set(layout.services)
    roots_deps = set(graph[root]) if root in graph else None
    components = _cyclonedx_components(bom, layout, graph, known, roots_deps)
    notes = []
    dangling = sorted({ref for deps in graph.values() for ref in deps} - known - {root})
    if dangling:
        notes.append(f"dependencies name {len(dangling)} unknown ref(s), e.g. {dangling[0]!r}")
    return Sbom(
        path=name,
        format=CYCLONEDX,
        spec_version=version.to_version(),
        serial=layout.serial,
        subject=name_at_version(subject.name, subject.version) if subject is not None else "",
        components=components,
        created=layout.created,
        warnings=tuple(notes),
    )


def _dependency_graph(bom: Bom) -> dict[str, list[str]]:
    """ref -> refs it depends on directly, from the BOM's dependencies."""
    graph: dict[str, list[str]] = {}
    for dependency in bom.dependencies:
        targets = graph.setdefault(str(dependency.ref), [])
        targets.extend(str(target.ref) for target in dependency.dependencies)
    return graph


def _cyclonedx_components(
    bom: Bom,
    layout: _Layout,
    graph: dict[str, list[str]],
    known: set[str],
    roots_deps: set[str] | None,
) -> tuple[SbomComponent, ...]:
    """Components then services, in document order, each ref once."""
    by_ref: dict[str, Component | Service] = {}
    for element in _library_walk(bom.components, bom.services):
        by_ref.setdefault(str(element.bom_ref), element)
    result = []
    for ref in dict.fromkeys(layout.components + layout.services):
        item = by_ref.get(ref)
        if item is None:
            continue
        depends_on = tuple(dict.fromkeys(t for t in graph.get(ref, ()) if t in known and t != ref))
        direct = None if roots_deps is None else ref in roots_deps
        if isinstance(item, Component):
            result.append(_cyclonedx_component(item, ref, depends_on, direct))
        else:
            result.append(_cyclonedx_service(item, ref, depends_on, direct))
    return tuple(result)


def _library_walk(
    components: Iterable[Component], services: Iterable[Service]
) -> Iterator[Component | Service]:
    for component in components:
        yield component
        yield from _library_walk(component.components, ())
    for service in services:
        yield service
        yield from _library_walk((), service.services)


_CYCLONEDX_TYPES = {
    ComponentType.LIBRARY: "library",
    ComponentType.FRAMEWORK: "framework",
    ComponentType.APPLICATION: "application",
    ComponentType.CONTAINER: "container",
    ComponentType.OPERATING_SYSTEM: "operating_system",
    ComponentType.DEVICE_DRIVER: "device_driver",
    ComponentType.FIRMWARE: "firmware",
}


def _cyclonedx_component(
    component: Component, ref: str, depends_on: tuple[str, ...], direct: bool | None
) -> SbomComponent:
    return SbomComponent(
        ref=ref,
        name=component.name,
        version=component.version or "",
        purl=component.purl.to_string() if component.purl is not None else "",
        cpe=component.cpe or "",
        supplier=_cyclonedx_supplier(component),
        component_type=_CYCLONEDX_TYPES.get(component.type, "other"),
        hashes=tuple(f"{h.alg.value}:{h.content.lower()}" for h in component.hashes),
        licenses=_cyclonedx_licenses(component.licenses),
        depends_on=depends_on,
        direct=direct,
        group=component.group or "",
    )


def _cyclonedx_service(
    service: Service, ref: str, depends_on: tuple[str, ...], direct: bool | None
) -> SbomComponent:
    provider = service.provider.name if service.provider is not None else None
    return SbomComponent(
        ref=ref,
        name=service.name,
        version=service.version or "",
        purl="",
        cpe="",
        supplier=provider or "",
        component_type="service",
        hashes=(),
        licenses=_cyclonedx_licenses(service.licenses),
        depends_on=depends_on,
        direct=direct,
        group=service.group or "",
    )


def _cyclonedx_supplier(component: Component) -> str:
    """The supplier's name, else the publisher, else the author(s)."""
    if component.supplier is not None and component.supplier.name:
        return component.supplier.name
    if component.publisher:
        return component.publisher
    if component.author:
        return component.author
    return ", ".join(author.name for author in component.authors if author.name)


def _cyclonedx_licenses(licenses: Iterable[object]) -> tuple[str, ...]:
    """SPDX ids or expressions, or the licence's name where it has no id."""
    result = []
    for licence in licenses:
        if isinstance(licence, LicenseExpression):
            result.append(licence.value)
        elif isinstance(licence, DisjunctiveLicense) and (licence.id or licence.name):
            result.append(licence.id or licence.name or "")
    return tuple(result)


def _relevant_warnings(caught: list[warnings.WarningMessage], version: SchemaVersion) -> list[str]:
    """The library's warnings, less deprecations of fields the document's version still has."""
    notes = []
    for warning in caught:
        category = warning.category
        if issubclass(category, BaseSchemaDeprecationWarning) and (
            version < category.SCHEMA_VERSION
        ):
            continue
        notes.append(one_line(str(warning.message)))
    return notes
