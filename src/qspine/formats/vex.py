"""VEX documents (CycloneDX VEX, JSON or XML, spec 1.4 and later; OpenVEX v0.2.0 JSON) read
from files into one neutral, frozen shape (`formats.vex_shape`), and written back.

A CycloneDX document is first checked against the schema of its declared version (the same
check an SBOM gets, `formats.sbom_cyclonedx`); its `affects[].ref`s are resolved against the
document's own components where it lists them, else kept as given (a bom-ref, a purl or a
BOM-Link URN to another BOM). A vulnerability without an analysis state says nothing VEX-wise
and is skipped with a warning. Anything that is not a VEX document raises one `InvalidInput`
naming the file and the problem.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cyclonedx.schema import OutputFormat
from jsonschema.exceptions import best_match  # type: ignore[import-untyped]
from lxml import etree  # type: ignore[import-untyped]
from packageurl import PackageURL

from qspine.formats.sbom_cyclonedx import (
    CYCLONEDX_NAMESPACE,
    XML_DECLARATION,
    invalid_cyclonedx,
    json_error_text,
    json_schema_validator,
    schema_version,
    xml_schema_problem,
)
from qspine.formats.vex_shape import (
    CYCLONEDX,
    FROM_CYCLONEDX_JUSTIFICATION,
    FROM_CYCLONEDX_STATE,
    JUSTIFICATION_PROPERTY,
    JUSTIFICATIONS,
    OPENVEX,
    STATES,
    VexDocument,
    VexProduct,
    VexStatement,
    VexVersion,
    bom_link_fragment,
)
from qspine.formats.vex_write import cyclonedx_vex, openvex
from qspine.formats.vex_xml import xml_bom
from qspine.model.errors import InvalidInput

__all__ = [
    "CYCLONEDX",
    "JUSTIFICATIONS",
    "OPENVEX",
    "STATES",
    "VexDocument",
    "VexProduct",
    "VexStatement",
    "VexVersion",
    "cyclonedx_vex",
    "openvex",
    "parse_vex",
    "purl_core",
    "read_vex",
]

OPENVEX_CONTEXT = "https://openvex.dev/ns"


def read_vex(path: Path, name: str | None = None) -> VexDocument:
    """Read the VEX file at `path`; `name` (default: the file's name) is used in messages."""
    label = name if name is not None else path.name
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInput(f"{label}: cannot be read: {error.strerror or error}") from error
    return parse_vex(data, label)


def parse_vex(data: bytes, name: str) -> VexDocument:
    """Parse a VEX document from bytes (an upload); the format is told from the content."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput(
            f"{name}: not a text file (byte {error.start} is not valid UTF-8)"
        ) from error
    start = text.lstrip()[:1]
    if start == "{":
        return _read_json(text, name)
    if start == "<":
        return _read_xml(data, text, name)
    raise InvalidInput(
        f"{name}: not a VEX document (expected CycloneDX VEX JSON or XML, or OpenVEX JSON)"
    )


def purl_core(purl: str) -> str:
    """`purl` without qualifiers and subpath (`?type=jar`, `#sub`), for a looser comparison;
    the text unchanged when it is not a Package URL."""
    try:
        parsed = PackageURL.from_string(purl)
    except ValueError:
        return purl
    return str(
        PackageURL(
            type=parsed.type,
            namespace=parsed.namespace,
            name=parsed.name,
            version=parsed.version,
        ).to_string()
    )


# --- JSON ---------------------------------------------------------------------------------


def _read_json(text: str, name: str) -> VexDocument:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"{name}: not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from error
    if not isinstance(doc, dict):
        raise InvalidInput(f"{name}: not a VEX document: the JSON is not an object")
    if "bomFormat" in doc:
        if doc["bomFormat"] != "CycloneDX":
            raise InvalidInput(f"{name}: bomFormat is {doc['bomFormat']!r}, not 'CycloneDX'")
        version = schema_version(doc.get("specVersion"), OutputFormat.JSON, name)
        problem = best_match(json_schema_validator(version).iter_errors(doc))
        if problem is not None:
            raise InvalidInput(invalid_cyclonedx(name, version, json_error_text(problem)))
        return _cyclonedx(doc, name, version.to_version())
    context = doc.get("@context")
    if isinstance(context, str) and context.startswith(OPENVEX_CONTEXT):
        return _openvex(doc, name)
    raise InvalidInput(
        f"{name}: not a VEX document: JSON with neither 'bomFormat' (CycloneDX) nor an "
        f"OpenVEX '@context' ({OPENVEX_CONTEXT}...)"
    )


# --- CycloneDX ----------------------------------------------------------------------------


def _cyclonedx(doc: dict[str, Any], name: str, spec_version: str) -> VexDocument:
    """Statements from a schema-valid CycloneDX document (XML arrives here as the same dicts)."""
    metadata = doc.get("metadata") or {}
    known = {
        str(item["bom-ref"]): item
        for item in _walk(doc.get("components"), "components")
        if item.get("bom-ref")
    }
    for item in _walk(doc.get("services"), "services"):
        if item.get("bom-ref"):
            known.setdefault(str(item["bom-ref"]), item)
    subject_item = metadata.get("component")
    subject = None
    if subject_item:
        for item in _walk([subject_item], "components"):
            if item.get("bom-ref"):
                known.setdefault(str(item["bom-ref"]), item)
        subject = _product(str(subject_item.get("bom-ref") or subject_item.get("name")), known)
    vulnerabilities = doc.get("vulnerabilities") or []
    if not vulnerabilities:
        raise InvalidInput(
            f"{name}: not a VEX document: the CycloneDX document lists no vulnerabilities"
        )
    statements, warnings = [], []
    created = str(metadata.get("timestamp") or "")
    for number, item in enumerate(vulnerabilities, start=1):
        label = f"vulnerability {number} ({item.get('id') or 'no id'})"
        analysis = item.get("analysis") or {}
        if not item.get("id"):
            warnings.append(f"{label}: no id, so nothing to match; skipped")
            continue
        if not analysis.get("state"):
            warnings.append(f"{label}: no analysis state, so no VEX statement; skipped")
            continue
        statements.append(_cyclonedx_statement(item, analysis, known, created))
    if not statements:
        raise InvalidInput(f"{name}: no VEX statements: {'; '.join(warnings)}")
    return VexDocument(
        path=name,
        format=CYCLONEDX,
        spec_version=spec_version,
        identifier=str(doc.get("serialNumber") or ""),
        author=_author(metadata),
        timestamp=created,
        statements=tuple(statements),
        subject=subject,
        warnings=tuple(warnings),
    )


def _cyclonedx_statement(
    item: dict[str, Any], analysis: dict[str, Any], known: dict[str, Any], created: str
) -> VexStatement:
    source_state = str(analysis["state"])
    source_justification = str(analysis.get("justification") or "")
    labelled = next(
        (
            str(p.get("value"))
            for p in item.get("properties") or ()
            if p.get("name") == JUSTIFICATION_PROPERTY and p.get("value") in JUSTIFICATIONS
        ),
        None,
    )
    return VexStatement(
        vulnerability=str(item["id"]),
        state=FROM_CYCLONEDX_STATE[source_state],
        products=tuple(
            _product(str(affect.get("ref") or ""), known, affect.get("versions") or ())
            for affect in item.get("affects") or ()
        ),
        aliases=tuple(
            dict.fromkeys(
                str(r["id"])
                for r in item.get("references") or ()
                if r.get("id") and r["id"] != item["id"]
            )
        ),
        justification=labelled or FROM_CYCLONEDX_JUSTIFICATION.get(source_justification),
        detail=str(analysis.get("detail") or ""),
        action=str(item.get("recommendation") or ""),
        timestamp=str(
            analysis.get("lastUpdated")
            or analysis.get("firstIssued")
            or item.get("updated")
            or item.get("published")
            or created
        ),
        source_state=source_state,
        source_justification=source_justification,
        responses=tuple(str(r) for r in analysis.get("response") or ()),
    )


def _product(ref: str, known: dict[str, Any], versions: Any = ()) -> VexProduct:
    listed = tuple(
        VexVersion(
            version=str(v.get("version") or ""),
            range=str(v.get("range") or ""),
            status=str(v.get("status") or ""),
        )
        for v in versions
    )
    item = known.get(ref)
    if item is not None:
        return VexProduct(
            id=ref,
            purl=str(item.get("purl") or ""),
            bom_ref=ref,
            name=str(item.get("name") or ""),
            version=str(item.get("version") or ""),
            versions=listed,
        )
    fragment = bom_link_fragment(ref)
    local = fragment or ref
    return VexProduct(
        id=ref,
        purl=local if local.startswith("pkg:") else "",
        bom_ref=local,
        versions=listed,
    )


def _walk(items: Any, key: str) -> Iterator[dict[str, Any]]:
    for item in items or ():
        yield item
        yield from _walk(item.get(key), key)


def _author(metadata: dict[str, Any]) -> str:
    for key in ("supplier", "manufacturer", "manufacture"):
        named = (metadata.get(key) or {}).get("name")
        if named:
            return str(named)
    authors = metadata.get("authors") or []
    return str(authors[0].get("name") or "") if authors else ""


# --- CycloneDX XML ------------------------------------------------------------------------


def _read_xml(data: bytes, text: str, name: str) -> VexDocument:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        raise InvalidInput(f"{name}: not well-formed XML: {error}") from error
    namespace = etree.QName(root).namespace or ""
    if not namespace.startswith(CYCLONEDX_NAMESPACE):
        raise InvalidInput(
            f"{name}: not a VEX document: XML root element {root.tag!r} is not a CycloneDX bom"
        )
    version = schema_version(namespace.removeprefix(CYCLONEDX_NAMESPACE), OutputFormat.XML, name)
    problem = xml_schema_problem(XML_DECLARATION.sub("", text, count=1), version)
    if problem:
        raise InvalidInput(
            invalid_cyclonedx(name, version, problem.replace(f"{{{namespace}}}", ""))
        )
    return _cyclonedx(xml_bom(root, namespace), name, version.to_version())


# --- OpenVEX ------------------------------------------------------------------------------


def _openvex(doc: dict[str, Any], name: str) -> VexDocument:
    statements = doc.get("statements")
    if not isinstance(statements, list) or not statements:
        raise InvalidInput(f"{name}: an OpenVEX document needs a non-empty 'statements' list")
    created = str(doc.get("timestamp") or "")
    read = [
        _openvex_statement(item, f"{name}: statement {number}", created)
        for number, item in enumerate(statements, start=1)
    ]
    context = str(doc["@context"])
    return VexDocument(
        path=name,
        format=OPENVEX,
        spec_version=context.removeprefix(OPENVEX_CONTEXT).strip("/") or "0.0.1",
        identifier=str(doc.get("@id") or ""),
        author=str(doc.get("author") or ""),
        timestamp=created,
        statements=tuple(read),
    )


def _openvex_statement(item: Any, where: str, created: str) -> VexStatement:
    if not isinstance(item, dict):
        raise InvalidInput(f"{where}: not an object")
    status = item.get("status")
    if status not in STATES:
        raise InvalidInput(f"{where}: status {status!r} is not one of {', '.join(STATES)}")
    justification = item.get("justification")
    if justification is not None and justification not in JUSTIFICATIONS:
        raise InvalidInput(
            f"{where}: justification {justification!r} is not one of {', '.join(JUSTIFICATIONS)}"
        )
    vulnerability = item.get("vulnerability")
    if isinstance(vulnerability, str):  # OpenVEX before v0.2.0: the identifier itself
        vulnerability = {"name": vulnerability}
    if not isinstance(vulnerability, dict) or not vulnerability.get("name"):
        raise InvalidInput(f"{where}: the vulnerability has no name")
    products = item.get("products") or []
    if not isinstance(products, list):
        raise InvalidInput(f"{where}: 'products' is not a list")
    main = str(vulnerability["name"])
    aliases = vulnerability.get("aliases") or []
    if not isinstance(aliases, list):
        raise InvalidInput(f"{where}: the vulnerability's 'aliases' is not a list")
    return VexStatement(
        vulnerability=main,
        state=str(status),
        products=tuple(_openvex_product(p, where) for p in products),
        aliases=tuple(dict.fromkeys(str(a) for a in aliases if a != main)),
        justification=justification,
        detail=str(item.get("impact_statement") or item.get("status_notes") or ""),
        action=str(item.get("action_statement") or ""),
        timestamp=str(item.get("timestamp") or created),
        source_state=str(status),
        source_justification=str(justification or ""),
    )


def _openvex_product(item: Any, where: str) -> VexProduct:
    ident, purl = _openvex_names(item, f"{where}: a product")
    name = ident or purl
    subcomponents = item.get("subcomponents") if isinstance(item, dict) else None
    if not isinstance(subcomponents, list | None):
        raise InvalidInput(f"{where}: the subcomponents of {name} are not a list")
    parts = [_openvex_names(s, f"{where}: a subcomponent of {name}") for s in subcomponents or ()]
    return VexProduct(id=name, purl=purl, subcomponents=tuple(i or p for i, p in parts))


def _openvex_names(item: Any, what: str) -> tuple[str, str]:
    """An OpenVEX product's or subcomponent's @id and purl (a string is the @id itself, as
    before v0.2.0); InvalidInput starting with `what` when it has neither."""
    if isinstance(item, str):  # OpenVEX before v0.2.0
        item = {"@id": item}
    if not isinstance(item, dict):
        raise InvalidInput(f"{what} is neither an object nor a string")
    identifiers = item.get("identifiers") or {}
    if not isinstance(identifiers, dict):
        raise InvalidInput(f"{what}'s 'identifiers' is not an object")
    ident = str(item.get("@id") or "")
    purl = str(identifiers.get("purl") or (ident if ident.startswith("pkg:") else ""))
    if not ident and not purl:
        raise InvalidInput(f"{what} has neither an @id nor a purl")
    return ident, purl
