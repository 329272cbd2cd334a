"""SBOM reading (qspine.formats.sbom): every real and conformance SBOM in ../shared/data either
reads or is rejected with one message naming it; exact counts and field values for known
files; and broken input written here."""

from __future__ import annotations

import codecs
import json
import re
from pathlib import Path
from typing import Any

import pytest

from qspine.formats.sbom import COMPONENT_TYPES, Sbom, SbomComponent, parse_sbom, read_sbom
from qspine.model.errors import InvalidInput

from helpers import SHARED_DATA

needs_data = pytest.mark.skipif(
    not SHARED_DATA.is_dir(),
    reason=f"../shared/data is absent: the real SBOMs are read in place from {SHARED_DATA}",
)

SPEC_TESTDATA = "sbom-cyclonedx-spec-testdata"
SBOM_NAME_ENDINGS = (".spdx", ".spdx.json", ".spdx.yaml", ".spdx.xml")
CANDIDATE_SUFFIXES = {".json", ".xml", ".yaml", ".bin", ".sbom"}
SBOM_MARKERS = (b"bomFormat", b"http://cyclonedx.org/schema/bom/", b"spdxVersion", b"SPDXVersion")

# Real SBOMs that are rejected, with a fragment of the reason the message must give.
EXPECTED_REJECTIONS = {
    # Files named "/bin/bash" etc.: SPDX 2 file names must be relative ("./...").
    "sbom-bom-shelter-in-the-lab/spdx-popular-containers/data/spdx-syft-bitnami_jupyter-base-"
    "notebook-sha256:b831bfa3de4718272ffbf8e1aa409f90bd19ee92ff0cbb04d36029c7eae154fc.json": (
        "file name must not be an absolute path"
    ),
    # SPDX 2.2 JSON (in the cyclonedx folder) with fractional seconds in "created".
    "sbom-bom-shelter-in-the-wild/cyclonedx/jx-darwin-arm64.tar.gz.sbom": "%Y-%m-%dT%H:%M:%SZ",
    # A licence given by url only: CycloneDX 1.2 needs an id or a name.
    "sbom-bom-shelter-in-the-wild/cyclonedx/obsidian-sailboat-sbom-cdx.json": (
        "not a valid CycloneDX 1.2 document"
    ),
    # An scp-style git URL (git@github.com:...) is not an IRI reference.
    "sbom-bom-shelter-in-the-wild/cyclonedx/redis-commander-sbom-cdx.json": (
        "is not a 'iri-reference' at components["
    ),
    # Absolute file names ("/lib/cbor.dart").
    "sbom-bom-shelter-in-the-wild/spdx/cbor-sbom.spdx": "file name must not be an absolute path",
    # Fractional seconds in "created" (syft).
    "sbom-bom-shelter-in-the-wild/spdx/chronicle-sbom.spdx.json": "%Y-%m-%dT%H:%M:%SZ",
    # Fractional seconds in "created".
    "sbom-bom-shelter-in-the-wild/spdx/constellation-spdx.json": "%Y-%m-%dT%H:%M:%SZ",
    # No "Created:" line.
    "sbom-bom-shelter-in-the-wild/spdx/fatbom-sbom.spdx": "argument: 'created'",
    # A "Created:" value the tag-value grammar rejects; files without checksums.
    "sbom-bom-shelter-in-the-wild/spdx/flux_0.26.3_sbom.spdx": "Error while parsing Created",
    # Fractional seconds in "created"; files without checksums.
    "sbom-bom-shelter-in-the-wild/spdx/flux_0.26.3_sbom.spdx.json": "%Y-%m-%dT%H:%M:%SZ",
    # Fractional seconds; suppliers without "Person:"/"Organization:".
    "sbom-bom-shelter-in-the-wild/spdx/grype-sbom.spdx.json": "%Y-%m-%dT%H:%M:%SZ",
    # Fractional seconds in "created".
    "sbom-bom-shelter-in-the-wild/spdx/helm-controller_0.16.0_sbom.spdx.json": "%Y-%m-%dT%H:%M:%SZ",
    # Package fields before any PackageName.
    "sbom-bom-shelter-in-the-wild/spdx/julia.spdx": "Element Package is not the current element",
    # "BSD-3" is not an SPDX licence id.
    "sbom-bom-shelter-in-the-wild/spdx/julia.spdx.json": "Unrecognized license reference: BSD-3",
    # A "purl" external reference whose locator is an https URL.
    "sbom-bom-shelter-in-the-wild/spdx/microsoft-sbom-tool.spdx.json": 'of type "purl" must',
    # Supplier "Microsoft/GitHub" without "Organization:".
    "sbom-bom-shelter-in-the-wild/spdx/missionlz.spdx.json": "Actor Microsoft/GitHub",
    # Valid JSON followed by HTML junk.
    "sbom-bom-shelter-in-the-wild/spdx/powershell-2.2.6.spdx.json": "not valid JSON: Extra data",
    # Packages with "hasFiles": null.
    "sbom-bom-shelter-in-the-wild/spdx/powershell.spdx.json": "'NoneType' object is not iterable",
    # SPDX-2.1, with lower-case relationship types.
    "sbom-bom-shelter-in-the-wild/spdx/usbutils.spdx": "Invalid RelationshipType describes",
    # Files without checksums, an unknown tag.
    "sbom-bom-shelter-in-the-wild/spdx/vast-sbom.spdx": "argument: 'checksums'",
    # Supplier "Microsoft/GitHub" without "Organization:".
    "sbom-bom-shelter-in-the-wild/spdx/win-x64-manifest.spdx.json": "Actor Microsoft/GitHub",
    # Absolute file names ("/lib/src/xml2json.dart").
    "sbom-bom-shelter-in-the-wild/spdx/xml2json-sbom.spdx": "file name must not be an absolute",
    # serialNumber "urn:uuid:xxxx" (a test fixture's placeholder).
    "sbom-cyclonedx-sbom-utility-testdata/test/diff/vulnerability/"
    "cdx-1-5-vulnerabilities-base.bom.json": "'urn:uuid:xxxx' does not match",
    # serialNumber "urn:uuid:xxxx".
    "sbom-cyclonedx-sbom-utility-testdata/test/normalize/"
    "cdx-1-5-vulnerabilities-container-nats-box.bom.json": "'urn:uuid:xxxx' does not match",
    # An endpoint ".../orders/{order_id}": braces are not allowed in an IRI.
    "sbom-cyclonedx-sbom-utility-testdata/test/vex/cdx-1-4-appthreat-vex.json": (
        "is not a 'iri-reference' at services["
    ),
    # licenseInfoFromFiles on a package with filesAnalyzed false.
    "sbom-spdx-examples/presentations/SBOMS-SPDX-Now-and-Future/ACME-v2.3.spdx.json": (
        "license_info_from_files must be None if files_analyzed is False"
    ),
    # Packages with filesAnalyzed false that CONTAIN files.
    "sbom-spdx-examples/software/example9/spdx2.2/appbomination.spdx.json": (
        "package must contain no elements if files_analyzed is False"
    ),
    # The tools-python "invalid" sample: fractional seconds, packages without downloadLocation.
    "sbom-spdx-tools-python-testdata/invalid/spdx-trivy-vmware_log-intelligence-fluentd-sha256_"
    "086af034f561f343f633be9d9f9e95f65ae6c61b8ddb2c6755ef5bb25b40f53a.json": "%Y-%m-%dT%H:%M:%SZ",
}

# Schema-valid conformance files cyclonedx-python-lib 11.12 cannot deserialize.
LIBRARY_CANNOT_READ = {
    # dataClassification as {"name": ...} objects (1.5+): "Unexpected key name/name".
    f"{SPEC_TESTDATA}/1.5/valid-saasbom-1.5.json": "DataClassification",
    f"{SPEC_TESTDATA}/1.5/valid-saasbom-1.5.xml": "DataClassification",
    f"{SPEC_TESTDATA}/1.6/valid-saasbom-1.6.json": "DataClassification",
    f"{SPEC_TESTDATA}/1.6/valid-saasbom-1.6.xml": "DataClassification",
    # Crypto properties in XML: "TypeError: 'BomRef' object is not iterable".
    f"{SPEC_TESTDATA}/1.6/valid-cryptography-full-1.6.xml": "'BomRef' object is not iterable",
    # Components with isExternal/versionRange in XML: a sort fails on None.
    f"{SPEC_TESTDATA}/1.6/valid-external-elements-1.6.xml": "'<' not supported",
}

# invalid-* conformance files that are accepted, with why: none - the schema check (JSON
# schema or XSD, plus the version and bomFormat checks) rejects every one of them.
EXPECTED_ACCEPTED_INVALID: dict[str, str] = {}


def looks_like_sbom(path: Path) -> bool:
    """An SBOM by its name (SPDX endings) or by a CycloneDX/SPDX marker in its content."""
    if path.parent.name == "schema" or path.suffix not in CANDIDATE_SUFFIXES | {".spdx"}:
        return False
    if path.name.endswith(SBOM_NAME_ENDINGS):
        return True
    return any(marker in path.read_bytes() for marker in SBOM_MARKERS)


def sbom_files() -> list[Path]:
    if not SHARED_DATA.is_dir():
        return []
    return [
        path
        for folder in sorted(SHARED_DATA.glob("sbom-*"))
        for path in sorted(folder.rglob("*"))
        if path.is_file() and looks_like_sbom(path)
    ]


def relative(path: Path) -> str:
    return path.relative_to(SHARED_DATA).as_posix()


FILES = sbom_files()
_OUTCOMES: dict[str, Sbom | InvalidInput] = {}


def outcome(relative_path: str) -> Sbom | InvalidInput:
    """The file read, or the rejection: cached, since several tests look at the big files."""
    if relative_path not in _OUTCOMES:
        try:
            _OUTCOMES[relative_path] = read_sbom(SHARED_DATA / relative_path)
        except InvalidInput as error:
            _OUTCOMES[relative_path] = error
    return _OUTCOMES[relative_path]


def sbom(relative_path: str) -> Sbom:
    result = outcome(relative_path)
    assert isinstance(result, Sbom), str(result)
    return result


def component(document: Sbom, ref: str) -> SbomComponent:
    return next(c for c in document.components if c.ref == ref)


def check_components(document: Sbom) -> None:
    """What every read SBOM promises: named components with unique refs, known types,
    well-formed hashes and dependency refs that point at components."""
    refs = [c.ref for c in document.components]
    assert len(refs) == len(set(refs))
    for item in document.components:
        assert item.ref and item.name
        assert item.component_type in COMPONENT_TYPES
        assert all(re.fullmatch(r"[A-Za-z0-9-]+:[0-9a-f]+", h) for h in item.hashes), item.hashes
        assert set(item.depends_on) <= set(refs)


@needs_data
def test_the_corpus_is_found() -> None:
    spec = [p for p in FILES if relative(p).startswith(SPEC_TESTDATA)]
    assert (len(FILES) - len(spec), len(spec)) == (141, 292)


@needs_data
@pytest.mark.parametrize("path", FILES, ids=relative)
def test_every_sbom_reads_or_is_rejected_naming_the_file(path: Path) -> None:
    name = relative(path)
    result = outcome(name)
    invalid_fixture = name.startswith(SPEC_TESTDATA) and path.name.startswith("invalid-")
    expected_failure = EXPECTED_REJECTIONS.get(name) or LIBRARY_CANNOT_READ.get(name)
    if isinstance(result, InvalidInput):
        message = str(result)
        assert message.startswith(f"{path.name}: "), message
        if invalid_fixture:
            assert name not in EXPECTED_ACCEPTED_INVALID
            schema_reasons = ("not a valid CycloneDX", "is not supported", "bomFormat is")
            assert any(reason in message for reason in schema_reasons), message
            return
        assert expected_failure, f"unexpected rejection: {message}"
        assert expected_failure in message, message
        if name in LIBRARY_CANNOT_READ:
            assert "cyclonedx-python-lib could not read this schema-valid" in message
        return
    assert not expected_failure, f"{name} was expected to be rejected ({expected_failure})"
    assert not invalid_fixture or name in EXPECTED_ACCEPTED_INVALID, f"{name} was accepted"
    assert result.path == path.name
    check_components(result)


KEYCLOAK = "sbom-cyclonedx-bom-examples/SBOM/keycloak-10.0.2/bom.json"
JUICE_SHOP = "sbom-cyclonedx-bom-examples/SBOM/juice-shop/via_npm/bare/bom.1.4.json"
LARAVEL = "sbom-cyclonedx-bom-examples/SBOM/laravel-7.12.0"
LARAVEL_FILES = ("bom.1.1.xml", "bom.1.2.json", "bom.1.3.json", "bom.1.4.json", "bom.1.4.xml")
MAVEN_SPDX = "sbom-spdx-examples/software/example8/spdx2.3/examplemaven-0.0.1.spdx.json"
TOOLS = "sbom-spdx-tools-python-testdata"


# Counted independently (stdlib json / xml.etree, nested components flattened; "PackageName:"
# lines for tag-value).
@needs_data
@pytest.mark.parametrize(
    ("relative_path", "count"),
    [
        (KEYCLOAK, 903),
        (JUICE_SHOP, 1115),
        *[(f"{LARAVEL}/{file}", 62) for file in LARAVEL_FILES],
        (MAVEN_SPDX, 6),
        (f"{TOOLS}/SPDXTagExample-v2.3.spdx", 4),
        (f"{TOOLS}/SPDXJSONExample-UTF-16.spdx.json", 4),
        ("sbom-bom-shelter-in-the-wild/spdx/istio-release.spdx", 3461),
    ],
)
def test_component_counts_of_known_files(relative_path: str, count: int) -> None:
    assert len(sbom(relative_path).components) == count


@needs_data
def test_a_keycloak_component_as_stated() -> None:
    document = sbom(KEYCLOAK)
    assert (document.format, document.spec_version) == ("CycloneDX", "1.2")
    assert document.serial == "urn:uuid:411dafd2-c29f-491a-97d7-e97de5bc2289"
    assert document.created == "2020-08-02T21:21:17Z"
    assert document.subject == "keycloak-parent@10.0.2"
    first = document.components[0]
    assert first.ref == first.purl == "pkg:maven/org.bouncycastle/bcprov-jdk15on@1.62?type=jar"
    assert (first.group, first.name) == ("org.bouncycastle", "bcprov-jdk15on")
    assert first.version == "1.62"
    assert first.component_type == "library"
    assert (
        "SHA-256:2fa0ab71b154da29ac134097bc6bbacd90987dd4c4005516159e6494d1d52ea2" in first.hashes
    )
    assert len(first.hashes) == 8
    assert first.licenses == ("Bouncy Castle Licence",)
    # The graph has no entry for the metadata component: directness is not stated.
    assert {c.direct for c in document.components} == {None}


@needs_data
def test_juice_shop_dependency_graph() -> None:
    document = sbom(JUICE_SHOP)
    assert (document.serial, document.created, document.subject) == ("", "", "juice-shop@14.1.1")
    express = component(document, "express@4.18.2")
    assert express.direct is True
    assert len(express.depends_on) == 31
    assert "express@4.18.2|body-parser@1.20.1" in express.depends_on
    nested_body_parser = component(document, "express@4.18.2|body-parser@1.20.1")
    assert nested_body_parser.direct is False
    assert nested_body_parser.purl == "pkg:npm/body-parser@1.20.1"
    assert sum(c.direct is True for c in document.components) == 71
    first = document.components[0]
    assert (first.group, first.name) == ("@babel", "helper-string-parser")
    assert first.supplier == "The Babel Team"  # the (1.4) author
    assert first.purl == (
        "pkg:npm/%40babel/helper-string-parser@7.19.4#packages/babel-helper-string-parser"
    )


@needs_data
def test_laravel_reads_the_same_in_every_spec_version() -> None:
    documents = {file: sbom(f"{LARAVEL}/{file}") for file in LARAVEL_FILES}
    contents = {
        file: {(c.name, c.version, c.purl, c.licenses) for c in document.components}
        for file, document in documents.items()
    }
    assert len({frozenset(content) for content in contents.values()}) == 1
    assert [d.spec_version for d in documents.values()] == ["1.1", "1.2", "1.3", "1.4", "1.4"]
    # 1.1 has no metadata and no dependency graph.
    assert documents["bom.1.1.xml"].subject == ""
    assert {c.direct for c in documents["bom.1.1.xml"].components} == {None}
    for file in LARAVEL_FILES[1:]:
        document = documents[file]
        assert document.subject == "cyclonedx-php-composer-demo@dev-master", file
        laravel = component(document, "laravel/laravel-7.12.0.0")
        assert laravel.direct is True
        assert laravel.licenses == ("MIT",)
        assert laravel.purl == "pkg:composer/laravel/laravel@v7.12.0"
        assert "laravel/framework-7.30.6.0" in laravel.depends_on
        assert component(document, "laravel/framework-7.30.6.0").direct is False


@needs_data
def test_an_spdx_23_json_example() -> None:
    document = sbom(MAVEN_SPDX)
    assert (document.format, document.spec_version) == ("SPDX", "SPDX-2.3")
    assert document.serial == "http://spdx.org/documents/examplemaven-0.0.1"
    assert (document.created, document.subject) == ("2022-10-23T15:44:16Z", "examplemaven@0.0.1")
    example = component(document, "SPDXRef-example")
    # junit TEST_DEPENDENCY_OF example; example DYNAMIC_LINKs the four log4j/slf4j packages.
    assert example.depends_on == (
        "SPDXRef-junit",
        "SPDXRef-log4jslf4jbinding",
        "SPDXRef-log4jslf4jApi",
        "SPDXRef-log4jApi",
        "SPDXRef-log4jImpl",
    )
    assert example.hashes == ("SHA-1:b8a7e6c75001e6d78625cfc9a3103bf121abf8b4",)
    assert (example.supplier, example.licenses) == ("SPDX", ("Apache-2.0",))
    junit = component(document, "SPDXRef-junit")
    assert (junit.name, junit.version, junit.direct) == ("JUnit", "3.8.1", True)
    assert (junit.supplier, junit.licenses) == ("JUnit", ("CPL-1.0",))
    assert component(document, "SPDXRef-log4jApi").direct is True
    assert example.direct is False  # the subject itself


@needs_data
def test_the_spdx_tag_value_example() -> None:
    document = sbom(f"{TOOLS}/SPDXTagExample-v2.3.spdx")
    assert [c.ref for c in document.components] == [
        "SPDXRef-Package",
        "SPDXRef-fromDoap-1",
        "SPDXRef-fromDoap-0",
        "SPDXRef-Saxon",
    ]
    glibc = component(document, "SPDXRef-Package")
    assert (document.subject, glibc.supplier) == ("glibc@2.11.1", "Jane Doe")
    assert glibc.component_type == "other"  # primaryPackagePurpose SOURCE
    assert glibc.cpe == "cpe:2.3:a:pivotal_software:spring_framework:4.1.0:*:*:*:*:*:*:*"
    assert glibc.licenses == ("LGPL-2.0-only OR LicenseRef-3",)
    sha256 = "SHA-256:11b6d3ee554eedf79299905a98f9b9a04e498210b59f15094c916c91d150efcd"
    assert sha256 in glibc.hashes
    assert any(h.startswith("BLAKE2b-384:") for h in glibc.hashes)
    jena = component(document, "SPDXRef-fromDoap-0")
    assert jena.purl == "pkg:maven/org.apache.jena/apache-jena@3.12.0"
    # The package DYNAMIC_LINKs Saxon and only CONTAINS files otherwise.
    assert glibc.depends_on == ("SPDXRef-Saxon",)
    assert component(document, "SPDXRef-Saxon").direct is True


@needs_data
def test_utf16_json_reads_like_its_utf8_twin() -> None:
    utf16 = sbom(f"{TOOLS}/SPDXJSONExample-UTF-16.spdx.json")
    utf8 = sbom(f"{TOOLS}/SPDXJSONExample-v2.2.spdx.json")
    assert (SHARED_DATA / TOOLS / "SPDXJSONExample-UTF-16.spdx.json").read_bytes()[:2] in (
        codecs.BOM_UTF16_LE,
        codecs.BOM_UTF16_BE,
    )
    assert utf16.components == utf8.components
    assert utf16.subject == "glibc@2.11.1"


@needs_data
def test_the_same_spdx_document_in_every_serialisation() -> None:
    forms = ["SPDXJSONExample-v2.3.spdx.json", "SPDXTagExample-v2.3.spdx"]
    forms += ["SPDXYAMLExample-v2.3.spdx.yaml", "SPDXXMLExample-v2.3.spdx.xml"]
    documents = [sbom(f"{TOOLS}/{form}") for form in forms]
    assert all(d.components == documents[0].components for d in documents)
    assert {(d.serial, d.created, d.subject) for d in documents} == {
        (documents[0].serial, documents[0].created, "glibc@2.11.1")
    }


# --- Documents written here (no shared data needed) ---------------------------------------

ROOT = {"type": "application", "bom-ref": "app", "name": "app", "version": "2.0"}


def cyclonedx(**extra: Any) -> dict[str, Any]:
    return {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, **extra}


def write(tmp_path: Path, name: str, content: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def test_cyclonedx_json_mapping(tmp_path: Path) -> None:
    doc = cyclonedx(
        specVersion="1.6",
        serialNumber="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        metadata={"timestamp": "2024-05-01T10:00:00Z", "component": ROOT},
        components=[
            {
                "type": "framework",
                "bom-ref": "web",
                "name": "web",
                "version": "1.0",
                "purl": "pkg:pypi/Web@1.0",
                "supplier": {"name": "Web Inc."},
                "hashes": [{"alg": "SHA-256", "content": "AB" * 32}],
                "licenses": [{"expression": "MIT OR Apache-2.0"}],
                "components": [{"type": "operating-system", "name": "inner", "version": "3"}],
            },
            {"type": "device-driver", "bom-ref": "drv", "name": "drv", "publisher": "Acme"},
            {"type": "data", "bom-ref": "blob", "name": "blob", "authors": [{"name": "Ann"}]},
        ],
        services=[{"bom-ref": "api", "name": "api", "provider": {"name": "Cloud"}}],
        dependencies=[
            {"ref": "app", "dependsOn": ["web", "api"]},
            {"ref": "web", "dependsOn": ["drv", "ghost"]},
        ],
    )
    document = read_sbom(write(tmp_path, "bom.json", json.dumps(doc)))
    assert (document.serial, document.created) == (doc["serialNumber"], "2024-05-01T10:00:00Z")
    assert document.subject == "app@2.0"
    assert [c.ref for c in document.components] == ["web", "inner@3", "drv", "blob", "api"]
    web, inner, drv, blob, api = document.components
    assert web == SbomComponent(
        ref="web",
        name="web",
        version="1.0",
        purl="pkg:pypi/web@1.0",
        cpe="",
        supplier="Web Inc.",
        component_type="framework",
        hashes=("SHA-256:" + "ab" * 32,),
        licenses=("MIT OR Apache-2.0",),
        depends_on=("drv",),
        direct=True,
    )
    assert (inner.component_type, inner.direct) == ("operating_system", False)
    assert (drv.component_type, drv.supplier) == ("device_driver", "Acme")
    assert (blob.component_type, blob.supplier) == ("other", "Ann")
    assert (api.component_type, api.supplier, api.direct) == ("service", "Cloud", True)
    assert document.warnings == ("dependencies name 1 unknown ref(s), e.g. 'ghost'",)


def test_cyclonedx_xml_reads_like_json(tmp_path: Path) -> None:
    namespace = "http://cyclonedx.org/schema/bom/1.4"
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="{namespace}" version="1">
  <metadata><component type="application" bom-ref="app"><name>app</name></component></metadata>
  <components>
    <component type="library" bom-ref="lib"><name>lib</name><version>1</version>
      <licenses><license><id>MIT</id></license></licenses>
      <purl>pkg:npm/lib@1</purl></component>
  </components>
  <dependencies><dependency ref="app"><dependency ref="lib"/></dependency></dependencies>
</bom>
"""
    document = read_sbom(write(tmp_path, "bom.xml", xml))
    assert (document.spec_version, document.subject, document.serial) == ("1.4", "app", "")
    (lib,) = document.components
    assert (lib.purl, lib.licenses, lib.direct) == ("pkg:npm/lib@1", ("MIT",), True)


@pytest.mark.parametrize(("version", "notes"), [("1.4", 0), ("1.6", 1)])
def test_library_deprecations_are_kept_only_where_the_version_deprecates(
    version: str, notes: int
) -> None:
    authored = {"type": "library", "name": "a", "author": "A"}
    doc = cyclonedx(specVersion=version, components=[authored])
    document = parse_sbom(json.dumps(doc).encode(), "bom.json")
    assert document.components[0].supplier == "A"
    assert len(document.warnings) == notes
    assert all("`@.author` is deprecated" in note for note in document.warnings)


def test_utf16_with_a_byte_order_mark(tmp_path: Path) -> None:
    doc = cyclonedx(components=[{"type": "library", "name": "a", "version": "1"}])
    for encoding in ("utf-16", "utf-8-sig"):
        document = parse_sbom(json.dumps(doc).encode(encoding), "bom.json")
        assert [c.ref for c in document.components] == ["a@1"]


def spdx_json(**extra: Any) -> dict[str, Any]:
    return {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": "doc",
        "documentNamespace": "https://example.com/doc-1",
        "creationInfo": {"created": "2024-01-02T03:04:05Z", "creators": ["Tool: test"]},
        **extra,
    }


def spdx_package(spdx_id: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"SPDXID": spdx_id, "name": name, "downloadLocation": "NOASSERTION", **extra}


def test_spdx_json_mapping(tmp_path: Path) -> None:
    doc = spdx_json(
        packages=[
            spdx_package(
                "SPDXRef-app",
                "app",
                versionInfo="1.0",
                supplier="Organization: Acme",
                primaryPackagePurpose="APPLICATION",
                filesAnalyzed=False,
            ),
            spdx_package(
                "SPDXRef-lib",
                "lib",
                versionInfo="2.0",
                originator="Person: Bo",
                checksums=[{"algorithm": "SHA256", "checksumValue": "cd" * 32}],
                licenseConcluded="NOASSERTION",
                licenseDeclared="MIT",
                externalRefs=[
                    {
                        "referenceCategory": "PACKAGE-MANAGER",
                        "referenceType": "purl",
                        "referenceLocator": "pkg:PyPI/Lib@2.0",
                    }
                ],
                filesAnalyzed=False,
            ),
            spdx_package("SPDXRef-deep", "deep", filesAnalyzed=False),
        ],
        relationships=[
            {
                "spdxElementId": "SPDXRef-DOCUMENT",
                "relationshipType": "DESCRIBES",
                "relatedSpdxElement": "SPDXRef-app",
            },
            {
                "spdxElementId": "SPDXRef-lib",
                "relationshipType": "DEPENDENCY_OF",
                "relatedSpdxElement": "SPDXRef-app",
            },
            {
                "spdxElementId": "SPDXRef-lib",
                "relationshipType": "DEPENDS_ON",
                "relatedSpdxElement": "SPDXRef-deep",
            },
        ],
    )
    document = read_sbom(write(tmp_path, "sbom.spdx.json", json.dumps(doc)))
    assert (document.format, document.spec_version, document.subject) == (
        "SPDX",
        "SPDX-2.3",
        "app@1.0",
    )
    assert (document.serial, document.created) == (
        "https://example.com/doc-1",
        "2024-01-02T03:04:05Z",
    )
    app, lib, deep = document.components
    assert (app.supplier, app.component_type, app.depends_on) == (
        "Acme",
        "application",
        ("SPDXRef-lib",),
    )
    assert lib == SbomComponent(
        ref="SPDXRef-lib",
        name="lib",
        version="2.0",
        purl="pkg:pypi/lib@2.0",
        cpe="",
        supplier="Bo",
        component_type="library",
        hashes=("SHA-256:" + "cd" * 32,),
        licenses=("MIT",),
        depends_on=("SPDXRef-deep",),
        direct=True,
    )
    assert (app.direct, deep.direct) == (False, False)


BROKEN: dict[str, tuple[bytes | str, str]] = {
    "truncated.json": (b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "co', "not valid JSON"),
    "empty.json": (b"", "the file is empty"),
    "binary.bin": (bytes(range(256)) * 4, "not a text file"),
    "archive.zip": (b"PK\x03\x04" + bytes(64), "not a text file"),
    "spdx3.json": (
        json.dumps({"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": []}),
        "SPDX 3 documents are not supported",
    ),
    "unknown.json": (json.dumps({"hello": "world"}), "not an SBOM"),
    "list.json": (b"[1, 2]", "not an SBOM"),
    "notes.txt": (b"just some text", "not a recognised SBOM"),
    "old.json": (json.dumps(cyclonedx(specVersion="1.1")), "version '1.1' is not supported"),
    "future.json": (json.dumps(cyclonedx(specVersion="9.9")), "version '9.9' is not supported"),
    "unfinished.xml": (b'<bom xmlns="http://cyclonedx.org/schema/bom/1.5">', "not well-formed"),
    "other.xml": (b"<catalog/>", "neither a CycloneDX bom nor an SPDX Document"),
    "broken.spdx": (b"SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n", "not a valid SPDX document"),
    "broken.spdx.yaml": (b"spdxVersion: SPDX-2.3\nname: [", "not valid YAML"),
    "deep.json": (b"[" * 100_000, "nested too deeply"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_input_is_one_clear_rejection(tmp_path: Path, name: str) -> None:
    content, reason = BROKEN[name]
    with pytest.raises(InvalidInput) as caught:
        read_sbom(write(tmp_path, name, content))
    assert str(caught.value).startswith(f"{name}: ")
    assert reason in str(caught.value)


def test_a_wrong_type_in_a_component_names_the_path(tmp_path: Path) -> None:
    doc = cyclonedx(
        components=[
            {"type": "library", "name": "ok"},
            {"type": "library", "name": "bad", "hashes": "foo"},
        ]
    )
    with pytest.raises(InvalidInput) as caught:
        read_sbom(write(tmp_path, "bom.json", json.dumps(doc)))
    assert str(caught.value) == (
        "bom.json: not a valid CycloneDX 1.5 document: 'foo' is not of type 'array' "
        "at components[1].hashes"
    )


def test_an_xml_schema_error_gives_the_file_line(tmp_path: Path) -> None:
    xml = (
        '<?xml version="1.0"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1">\n'
        '<components>\n<component type="gadget"><name>x</name></component>\n</components>\n</bom>\n'
    )
    expected = r"^bom\.xml: not a valid CycloneDX 1\.6 document: line 4: "
    with pytest.raises(InvalidInput, match=expected):
        read_sbom(write(tmp_path, "bom.xml", xml))


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"^gone.json: cannot be read"):
        read_sbom(tmp_path / "gone.json")


@needs_data
@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
def test_truncated_real_files_are_rejected_cleanly(fraction: float) -> None:
    for relative_path in (f"{LARAVEL}/bom.1.4.json", f"{LARAVEL}/bom.1.4.xml", MAVEN_SPDX):
        data = (SHARED_DATA / relative_path).read_bytes()
        with pytest.raises(InvalidInput) as caught:
            parse_sbom(data[: int(len(data) * fraction)], Path(relative_path).name)
        assert str(caught.value).startswith(Path(relative_path).name + ": ")
