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
import json
import re
from pathlib import Path
from typing import Any

import yaml
from lxml import etree  # type: ignore[import-untyped]

from qspine.formats.sbom_cyclonedx import (
    CYCLONEDX_NAMESPACE,
    read_cyclonedx_json,
    read_cyclonedx_xml,
)
from qspine.formats.sbom_shape import (
    COMPONENT_TYPES,
    CYCLONEDX,
    SPDX,
    Sbom,
    SbomComponent,
    one_line,
)
from qspine.formats.sbom_spdx import read_spdx
from qspine.model.errors import InvalidInput

__all__ = [
    "COMPONENT_TYPES",
    "CYCLONEDX",
    "SPDX",
    "Sbom",
    "SbomComponent",
    "parse_sbom",
    "read_sbom",
]


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
        return read_spdx(text, ".spdx", name)
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
        return read_cyclonedx_json(doc, name)
    _reject_spdx3(doc, name)
    if "spdxVersion" in doc:
        return read_spdx(text, ".json", name)
    raise InvalidInput(
        f"{name}: not an SBOM: JSON with neither 'bomFormat' (CycloneDX) nor 'spdxVersion' (SPDX)"
    )


def _read_yaml(text: str, name: str) -> Sbom:
    """An SPDX YAML document."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InvalidInput(f"{name}: not valid YAML: {one_line(str(error))}") from error
    if not isinstance(doc, dict) or "spdxVersion" not in doc:
        raise InvalidInput(f"{name}: not an SBOM: YAML without 'spdxVersion' (SPDX)")
    _reject_spdx3(doc, name)
    return read_spdx(text, ".yaml", name)


def _reject_spdx3(doc: dict[str, Any], name: str) -> None:
    """Refuse SPDX 3 (JSON-LD), which spdx-tools' SPDX 2 reader cannot read."""
    version = str(doc.get("spdxVersion", ""))
    context = json.dumps(doc.get("@context", ""))
    if version.startswith("SPDX-3") or "spdx.org/rdf/3" in context:
        raise InvalidInput(f"{name}: SPDX 3 documents are not supported (only SPDX 2.2 and 2.3)")


def _read_xml(data: bytes, text: str, name: str) -> Sbom:
    """An XML SBOM: CycloneDX (by namespace) or SPDX (a <Document> root)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        raise InvalidInput(f"{name}: not well-formed XML: {error}") from error
    qname = etree.QName(root)
    namespace = qname.namespace or ""
    if namespace.startswith(CYCLONEDX_NAMESPACE):
        return read_cyclonedx_xml(root, text, namespace, name)
    if qname.localname == "Document" and not namespace:
        return read_spdx(text, ".xml", name)
    if qname.localname == "RDF":
        raise InvalidInput(f"{name}: SPDX RDF/XML is not supported (use JSON, YAML or tag-value)")
    raise InvalidInput(
        f"{name}: not an SBOM: XML root element {root.tag!r} is neither a CycloneDX bom "
        "nor an SPDX Document"
    )
