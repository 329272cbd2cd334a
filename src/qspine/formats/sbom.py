"""SBOMs (software bills of materials) read from files into one neutral, frozen shape.

CycloneDX JSON and XML are checked against the specification schema of their declared version
and then read with cyclonedx-python-lib; SPDX 2.2/2.3 JSON, YAML, XML and tag-value are read and
validated with spdx-tools. Anything that is not a valid SBOM raises `InvalidInput` with one
message naming the file and the problem; a warning the library raises while reading is kept in
`Sbom.warnings` rather than printed.

Components keep document order: nested CycloneDX components are flattened, CycloneDX services
follow the components (type "service"), SPDX packages are the components (files and snippets
are not). A CycloneDX component without a bom-ref gets a ref made from its purl or
name@version, unique in the document."""

from __future__ import annotations

import codecs
import io
import json
import re
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache, partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml
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
from packageurl import PackageURL
from rfc3986_validator import validate_rfc3986  # type: ignore[import-untyped]
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

from qspine.model.errors import InvalidInput

CYCLONEDX = "CycloneDX"
SPDX = "SPDX"
COMPONENT_TYPES = (
    "library",
    "framework",
    "application",
    "operating_system",
    "firmware",
    "container",
    "device_driver",
    "service",
    "other",
)


@dataclass(frozen=True)
class SbomComponent:
    """One component (CycloneDX component or service, SPDX package) as the SBOM states it."""

    ref: str  # bom-ref (CycloneDX; made from purl or name@version when absent) or SPDXID
    name: str
    version: str  # "" when absent
    purl: str  # "" when absent; canonical form from packageurl
    cpe: str  # "" when absent
    supplier: str  # supplier, else publisher/author(s) (SPDX: supplier, else originator)
    component_type: str  # one of COMPONENT_TYPES
    hashes: tuple[str, ...]  # "ALG:hex" with CycloneDX algorithm names, e.g. "SHA-256:ab12"
    licenses: tuple[str, ...]  # SPDX ids or expressions, or licence names when no id
    depends_on: tuple[str, ...]  # refs of the components this one depends on directly
    direct: bool | None  # a direct dependency of the subject; None when the SBOM does not say
    group: str = ""  # CycloneDX group (e.g. a Maven groupId), "" when absent


@dataclass(frozen=True)
class Sbom:
    """An SBOM as read: what it describes and every component, in document order."""

    path: str  # file name as given
    format: str  # CYCLONEDX or SPDX
    spec_version: str  # e.g. "1.5" or "SPDX-2.3"
    serial: str  # CycloneDX serialNumber / SPDX documentNamespace, "" if absent
    subject: str  # name@version of the metadata component / described package, "" if none
    components: tuple[SbomComponent, ...]
    created: str  # timestamp as in the document, "" if absent
    warnings: tuple[str, ...] = ()  # library warnings, dangling dependency refs; de-duplicated


def read_sbom(path: Path, name: str | None = None) -> Sbom:
    """Read the SBOM file at `path`; `name` (default: the file's name) is used in messages."""
    label = name if name is not None else path.name
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInput(f"{label}: cannot be read: {error.strerror or error}") from error
    return parse_sbom(data, label)


def parse_sbom(data: bytes, name: str) -> Sbom:
    """Parse an SBOM from bytes (an upload): the format is sniffed from the content, and from
    `name` for SPDX YAML."""
    text = _decode(data, name)
    start = text.lstrip()[:1]
    if start in ("{", "["):
        return _read_json(text, name)
    if start == "<":
        return _read_xml(data, text, name)
    if re.search(r"^\s*SPDXVersion\s*:", text, re.MULTILINE):
        return _read_spdx(text, ".spdx", name)
    if name.lower().endswith((".yaml", ".yml")) or re.search(r"^spdxVersion\s*:", text, re.M):
        return _read_yaml(text, name)
    raise InvalidInput(
        f"{name}: not a recognised SBOM (expected CycloneDX JSON or XML, or SPDX 2.2/2.3 "
        "JSON, YAML, XML or tag-value)"
    )


# --- Text and sniffing --------------------------------------------------------------------

_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _decode(data: bytes, name: str) -> str:
    """The text of `data`: decoded by its byte order mark, else as UTF-8."""
    encoding = next((enc for bom, enc in _BYTE_ORDER_MARKS if data.startswith(bom)), "utf-8")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise InvalidInput(
            f"{name}: not a text file (byte {error.start} is not valid {encoding})"
        ) from error
    if "\x00" in text:
        raise InvalidInput(f"{name}: not a text file (it contains NUL characters)")
    if not text.strip():
        raise InvalidInput(f"{name}: the file is empty")
    return text


def _read_json(text: str, name: str) -> Sbom:
    """A JSON SBOM: CycloneDX or SPDX 2, told apart by their marker keys."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"{name}: not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from error
    except RecursionError as error:
        raise InvalidInput(f"{name}: not readable JSON: nested too deeply") from error
    if not isinstance(doc, dict):
        raise InvalidInput(f"{name}: not an SBOM: the JSON document is not an object")
    if "bomFormat" in doc:
        if doc["bomFormat"] != CYCLONEDX:
            raise InvalidInput(f"{name}: bomFormat is {doc['bomFormat']!r}, not 'CycloneDX'")
        return _read_cyclonedx_json(doc, name)
    _reject_spdx3(doc, name)
    if "spdxVersion" in doc:
        return _read_spdx(text, ".json", name)
    raise InvalidInput(
        f"{name}: not an SBOM: JSON with neither 'bomFormat' (CycloneDX) nor 'spdxVersion' (SPDX)"
    )


def _read_yaml(text: str, name: str) -> Sbom:
    """An SPDX YAML document."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InvalidInput(f"{name}: not valid YAML: {_one_line(str(error))}") from error
    if not isinstance(doc, dict) or "spdxVersion" not in doc:
        raise InvalidInput(f"{name}: not an SBOM: YAML without 'spdxVersion' (SPDX)")
    _reject_spdx3(doc, name)
    return _read_spdx(text, ".yaml", name)


def _reject_spdx3(doc: dict[str, Any], name: str) -> None:
    """Refuse SPDX 3 (JSON-LD), which spdx-tools' SPDX 2 reader cannot read."""
    version = str(doc.get("spdxVersion", ""))
    context = json.dumps(doc.get("@context", ""))
    if version.startswith("SPDX-3") or "spdx.org/rdf/3" in context:
        raise InvalidInput(f"{name}: SPDX 3 documents are not supported (only SPDX 2.2 and 2.3)")


_CYCLONEDX_NAMESPACE = "http://cyclonedx.org/schema/bom/"
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def _read_xml(data: bytes, text: str, name: str) -> Sbom:
    """An XML SBOM: CycloneDX (by namespace) or SPDX (a <Document> root)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        raise InvalidInput(f"{name}: not well-formed XML: {error}") from error
    qname = etree.QName(root)
    namespace = qname.namespace or ""
    if namespace.startswith(_CYCLONEDX_NAMESPACE):
        return _read_cyclonedx_xml(root, text, namespace, name)
    if qname.localname == "Document" and not namespace:
        return _read_spdx(text, ".xml", name)
    if qname.localname == "RDF":
        raise InvalidInput(f"{name}: SPDX RDF/XML is not supported (use JSON, YAML or tag-value)")
    raise InvalidInput(
        f"{name}: not an SBOM: XML root element {root.tag!r} is neither a CycloneDX bom "
        "nor an SPDX Document"
    )


# --- CycloneDX ----------------------------------------------------------------------------


def _read_cyclonedx_json(doc: dict[str, Any], name: str) -> Sbom:
    """Validate a CycloneDX JSON document against its schema, then read it with the library."""
    version = _schema_version(doc.get("specVersion"), OutputFormat.JSON, name)
    error = best_match(_json_schema_validator(version).iter_errors(doc))
    if error is not None:
        raise InvalidInput(_invalid_cyclonedx(name, version, _json_error_text(error)))
    layout = _Layout(
        serial=str(doc.get("serialNumber") or ""),
        created=str((doc.get("metadata") or {}).get("timestamp") or ""),
        components=_json_refs(doc, "components"),
        services=_json_refs(doc, "services"),
    )
    return _read_bom(partial(_bom_from_json, doc), layout, version, name)


def _read_cyclonedx_xml(root: Any, text: str, namespace: str, name: str) -> Sbom:
    """Validate a CycloneDX XML document against its XSD, then read it with the library."""
    version = _schema_version(namespace.removeprefix(_CYCLONEDX_NAMESPACE), OutputFormat.XML, name)
    # Without its declaration (which may name an encoding other than the UTF-8 the validator
    # uses); the line break after it stays, so reported line numbers are the file's.
    problem = _xml_schema_problem(_XML_DECLARATION.sub("", text, count=1), version)
    if problem:
        raise InvalidInput(
            _invalid_cyclonedx(name, version, problem.replace(f"{{{namespace}}}", ""))
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


def _schema_version(value: object, output: OutputFormat, name: str) -> SchemaVersion:
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


def _invalid_cyclonedx(name: str, version: SchemaVersion, problem: str) -> str:
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
            yield ValidationError(f"{_shorten(key, 120)} appears more than once")
            return
        seen.add(key)


_Draft7Validator = validators.extend(Draft7Validator, {"uniqueItems": _unique_items})


@cache
def _json_schema_validator(version: SchemaVersion) -> Any:
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


def _json_error_text(error: Any) -> str:
    """A schema error as "message at components[3].hashes"."""
    where = "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path
    ).lstrip(".")
    message = _shorten(_one_line(error.message), 240)
    return f"{message} at {where}" if where else message


@cache
def _xml_schema_validator(version: SchemaVersion) -> Any:
    """The library's XSD validator for `version` (cached: loading the XSD costs)."""
    return make_schemabased_validator(OutputFormat.XML, version)


def _xml_schema_problem(text: str, version: SchemaVersion) -> str:
    """The first XSD violation of `text` as "line N: message", or "" when it is valid."""
    try:
        errors = _xml_schema_validator(version).validate_str(text, all_errors=True)
    except etree.LxmlError as error:
        return f"the XML could not be checked: {error}"
    first = next(iter(errors or ()), None)
    if first is None:
        return ""
    entry = first.data
    return f"line {entry.line}: {_shorten(_one_line(entry.message), 240)}"


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
            f"{_shorten(_one_line(str(error)))}"
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
        subject=_name_at_version(subject.name, subject.version) if subject is not None else "",
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
        notes.append(_one_line(str(warning.message)))
    return notes


# --- SPDX ---------------------------------------------------------------------------------


def _read_spdx(text: str, suffix: str, name: str) -> Sbom:
    """Parse (spdx-tools, by file suffix) and validate an SPDX 2 document."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        document = _parse_spdx(text, suffix, name)
        problems = _validate_spdx(document, name)
    if problems:
        raise InvalidInput(f"{name}: not a valid SPDX document: {problems}")
    return _from_spdx(document, name, [_one_line(str(w.message)) for w in caught])


def _parse_spdx(text: str, suffix: str, name: str) -> Document:
    """The spdx-tools document of `text`, parsed as a file with `suffix` (UTF-8)."""
    with tempfile.TemporaryDirectory(prefix="qspine-sbom-") as folder:
        path = Path(folder) / f"document{suffix}"
        path.write_text(text, encoding="utf-8")
        try:
            return parse_file(str(path))
        except SPDXParsingError as error:
            problems = _summary(error.messages)
            raise InvalidInput(f"{name}: not a valid SPDX document: {problems}") from error
        except Exception as error:  # the parsers raise many kinds; the reason is in the message
            raise InvalidInput(
                f"{name}: spdx-tools could not read this SPDX document: "
                f"{type(error).__name__}: {_shorten(_one_line(str(error)))}"
            ) from error


def _validate_spdx(document: Document, name: str) -> str:
    """The document's validation problems, summarised; "" when it is valid."""
    try:
        messages = validate_full_spdx_document(document)
    except Exception as error:  # a validator crash; the reason is in the message
        raise InvalidInput(
            f"{name}: spdx-tools could not validate this SPDX document: "
            f"{type(error).__name__}: {_shorten(_one_line(str(error)))}"
        ) from error
    return _summary(
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
        subject=_name_at_version(subject.name, subject.version) if subject else "",
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


# --- Shared helpers -----------------------------------------------------------------------


def _name_at_version(name: str | None, version: str | None) -> str:
    return f"{name or ''}@{version}" if version else name or ""


def _summary(messages: Iterable[str], shown: int = 3) -> str:
    """The first few messages, one line each, and how many more there are."""
    items = [_shorten(_one_line(message), 240) for message in messages]
    text = "; ".join(items[:shown])
    return f"{text} (and {len(items) - shown} more)" if len(items) > shown else text


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _shorten(text: str, limit: int = 400) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
