"""VEX reading and writing (qspine.formats.vex): every real CycloneDX VEX example in
../shared/data with its statements checked by hand against the files; OpenVEX documents
written here in the published v0.2.0 format; CycloneDX XML; round trips (the CycloneDX output
is checked against the schema by reading it back); broken documents."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from qspine.formats.vex import (
    CYCLONEDX,
    JUSTIFICATIONS,
    OPENVEX,
    STATES,
    VexDocument,
    VexProduct,
    VexStatement,
    VexVersion,
    cyclonedx_vex,
    openvex,
    parse_vex,
    purl_core,
    read_vex,
)
from qspine.formats.vex_shape import FROM_CYCLONEDX_JUSTIFICATION, FROM_CYCLONEDX_STATE
from qspine.model.errors import InvalidInput

from helpers import SHARED_DATA

VEX = SHARED_DATA / "sbom-cyclonedx-bom-examples" / "VEX"
UTILITY = SHARED_DATA / "sbom-cyclonedx-sbom-utility-testdata" / "test"
needs_data = pytest.mark.skipif(
    not VEX.is_dir(), reason=f"../shared/data is absent: the VEX examples are read from {VEX}"
)
STAMP = "2026-03-02T09:00:00Z"

RIPPLE20 = [f"CVE-2020-{n}" for n in range(11896, 11915)]  # CVE-2020-11896 ... 11914
ACME = ("acme-product-1", "acme-product-2", "acme-product-3")
ABC = "urn:cdx:cbb2cd68-2857-43b8-a10b-e8c03d277d18/1#product-ABC"
JKL = "urn:cdx:e4c3eedc-4978-470c-ad02-6ffff63738ff/1#product-JKL"
NIP = "vulnerable_code_not_in_execute_path"  # CycloneDX code_not_reachable
NCP = "vulnerable_code_not_present"  # CycloneDX code_not_present


def ripple(state: str, justification: str | None, *refs: str) -> list[tuple[Any, ...]]:
    return [(cve, state, justification, refs) for cve in RIPPLE20]


# Per file: (vulnerability, our state, our justification, product refs as written), in order;
# read off the files by hand (see also each case's README).
CISA_3_STATES = (
    "under_investigation not_affected affected not_affected under_investigation fixed "
    "not_affected under_investigation under_investigation not_affected not_affected affected "
    "under_investigation affected affected affected fixed not_affected fixed"
).split()
EXPECTED: dict[str, list[tuple[Any, ...]]] = {
    "CISA-Use-Cases/Case-1/vex-affected.json": [
        ("CVE-2021-44228", "affected", None, ("product-DEF",))
    ],
    "CISA-Use-Cases/Case-1/vex-fixed.json": [("CVE-2021-44228", "fixed", None, ("product-DEF",))],
    "CISA-Use-Cases/Case-1/vex-not_affected.json": [
        ("CVE-2021-44228", "not_affected", NCP, ("product-ABC",))
    ],
    "CISA-Use-Cases/Case-1/vex-under_investigation.json": [
        ("CVE-2021-44228", "under_investigation", None, ("product-GHI",))
    ],
    "CISA-Use-Cases/Case-2/vex.json": ripple("not_affected", NIP, "product-ABC"),
    "CISA-Use-Cases/Case-3/vex.json": [
        (cve, state, NCP if state == "not_affected" else None, ("product-GHI",))
        for cve, state in zip(RIPPLE20, CISA_3_STATES, strict=True)
    ],
    "CISA-Use-Cases/Case-4/vex.json": [("CVE-2021-44228", "affected", None, ("product-ABC",))],
    "CISA-Use-Cases/Case-5/vex.json": [
        ("CVE-2021-44228", "under_investigation", None, ("product-XYZ",))
    ],
    "CISA-Use-Cases/Case-6/vex.json": [
        ("CVE-2021-44228", "affected", None, ("product-ABC",)),
        ("CVE-2021-44228", "not_affected", NCP, ("product-ABC",)),
    ],
    "CISA-Use-Cases/Case-7/vex.json": [
        ("CVE-2021-44228", "affected", None, (ABC, JKL)),
        ("CVE-2021-44228", "not_affected", NCP, (ABC,)),
        ("CVE-2021-44228", "not_affected", NCP, (JKL,)),
        ("CVE-2021-44228", "fixed", None, (JKL,)),
    ],
    "CISA-Use-Cases/Case-8/vex.json": [
        ("CVE-2021-44228", "affected", None, (ABC, JKL)),
        ("CVE-2021-44228", "not_affected", NCP, (ABC,)),
        ("CVE-2021-44228", "not_affected", NCP, (JKL,)),
        ("CVE-2021-44228", "fixed", None, (JKL,)),
        ("CVE-2021-45105", "affected", None, (ABC, JKL)),
        ("CVE-2021-45105", "not_affected", NCP, (ABC, JKL)),
        ("CVE-2021-45105", "not_affected", NCP, (JKL,)),
        ("CVE-2021-45105", "fixed", None, (JKL,)),
    ],
    "Use-Cases/Case-1/vex.json": [("CVE-2020-25649", "not_affected", NIP, ("acme-product",))],
    "Use-Cases/Case-2/vex.json": [("CVE-2020-25649", "affected", None, ("acme-product",))],
    "Use-Cases/Case-3/vex.json": [
        ("CVE-2020-25649", "under_investigation", None, ("acme-product",))
    ],
    "Use-Cases/Case-4/vex.json": [("CVE-2020-25649", "not_affected", NIP, ("acme-product",))],
    "Use-Cases/Case-5/vex.json": [
        ("CVE-2020-25649", "affected", None, ("acme-product",)),
        ("CVE-2020-25649", "not_affected", NIP, ("acme-product",)),
    ],
    "Use-Cases/Case-6/vex.json": [
        ("CVE-2020-25649", "not_affected", NIP, tuple(f"urn:cdx:{s}" for s in ACME))
    ],
    "Use-Cases/Case-7/vex.json": [("CVE-2020-25649", "not_affected", NIP, ())],
    "Use-Cases/Case-8/vex.json": [("CVE-2020-25649", "not_affected", NIP, ("acme-product",))],
    "Use-Cases/Case-9/vex.json": ripple("not_affected", NIP, *(f"urn:cdx:{s}" for s in ACME)),
    "Use-Cases/Case-10/vex.json": [("CVE-2020-25649", "not_affected", NIP, ("acme-product",))],
    "Use-Cases/Case-11/vex.json": ripple("not_affected", NIP, "acme-product"),
    "Use-Cases/Case-12/vex.json": [
        ("CVE-2020-25649", "not_affected", NIP, ("acme-product",)),
        ("CVE-2020-35491", "affected", None, ("acme-product",)),
        ("CVE-2020-14195", "not_affected", "inline_mitigations_already_exist", ("acme-product",)),
    ],
    "Use-Cases/Case-13/vex.json": [
        ("CVE-2020-25649", "not_affected", NIP, ("urn:cdx:" + ACME[0], "urn:cdx:" + ACME[1])),
        ("CVE-2020-25649", "affected", None, ("urn:cdx:" + ACME[2],)),
    ],
    "vex.json": [
        (
            "CVE-2020-25649",
            "not_affected",
            NIP,
            (
                "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#"
                "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar",
            ),
        )
    ],
}
# The serial numbers the Use-Cases' BOM-Links name (acme-product-N in bom-N.json).
ACME_SERIALS = {
    "acme-product-1": "2c385cf7-e1ee-46e9-a51c-13de1ecb380a/1#acme-product-1",
    "acme-product-2": "6ffac0b2-5246-4fb9-a6fe-7993041856a0/1#acme-product-2",
    "acme-product-3": "240b5b0b-917d-4f48-816c-97e1944d8079/1#acme-product-3",
}


def _refs(refs: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(
        "urn:cdx:" + ACME_SERIALS[r.removeprefix("urn:cdx:")] if r.startswith("urn:cdx:acme") else r
        for r in refs
    )


def summary(document: VexDocument) -> list[tuple[Any, ...]]:
    return [
        (s.vulnerability, s.state, s.justification, tuple(p.id for p in s.products))
        for s in document.statements
    ]


def vex_files() -> list[str]:
    if not VEX.is_dir():
        return []
    return sorted(str(p.relative_to(VEX)) for p in VEX.rglob("*.json") if "vex" in p.name)


@needs_data
def test_every_real_cyclonedx_vex_example_is_covered_by_the_expectations() -> None:
    assert vex_files() == sorted(EXPECTED)  # 25 VEX files: a new one needs checking by hand


@needs_data
@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_real_cyclonedx_vex_reads_as_checked_by_hand(relative: str) -> None:
    document = read_vex(VEX / relative)
    assert (document.format, document.spec_version) == (CYCLONEDX, "1.4")
    expected = [(v, s, j, _refs(r)) for v, s, j, r in EXPECTED[relative]]
    assert summary(document) == expected
    for statement in document.statements:  # nothing lost: the file's own words are kept
        assert FROM_CYCLONEDX_STATE[statement.source_state] == statement.state
        if statement.source_justification:
            assert FROM_CYCLONEDX_JUSTIFICATION[statement.source_justification] == (
                statement.justification
            )


@needs_data
def test_details_versions_references_and_bom_links_of_real_files() -> None:
    jackson = read_vex(VEX / "vex.json").statements[0]
    assert jackson.aliases == ("SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302",)
    assert jackson.responses == ("will_not_fix", "update")
    assert jackson.detail.startswith("Automated dataflow analysis and manual code review")
    assert (jackson.source_state, jackson.source_justification) == (
        "not_affected",
        "code_not_reachable",
    )
    (product,) = jackson.products  # a BOM-Link into bom.json: the bom-ref is a purl
    assert product.purl == "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar"
    assert purl_core(product.purl) == "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0"

    case4 = read_vex(VEX / "CISA-Use-Cases/Case-4/vex.json")
    assert case4.subject == VexProduct(id="product-ABC", bom_ref="product-ABC", name="ABC")
    (abc,) = case4.statements[0].products
    assert abc.versions[2] == VexVersion(range="vers:generic/>=2.9|<=4.1", status="affected")
    assert [abc.covers(v) for v in ("2.4", "2.5", "3.0", "4.1", "4.2")] == [
        True,
        False,
        True,
        True,
        False,
    ]
    # an unknown versioning scheme (vers:semver) is compared as generic
    affected, unaffected = read_vex(VEX / "Use-Cases/Case-5/vex.json").statements
    assert affected.products[0].covers("2.0.0") and not affected.products[0].covers("7.0.0")
    assert unaffected.products[0].covers("7.1.0") and not unaffected.products[0].covers("2.0.0")
    # resolved against the document's own metadata component
    case12 = read_vex(VEX / "Use-Cases/Case-12/vex.json")
    assert case12.statements[2].products[0].name == "Acme Product"
    assert case12.statements[2].source_justification == "protected_by_mitigating_control"


@needs_data
@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        (VEX / "bom.json", "lists no vulnerabilities"),
        (VEX / "Use-Cases/Case-13/bom-1.json", "lists no vulnerabilities"),
        (UTILITY / "vex/cdx-1-4-appthreat-vex.json", "not a valid CycloneDX 1.4 document"),
        (
            UTILITY / "diff/vulnerability/cdx-1-5-vulnerabilities-base.bom.json",
            "does not match '^urn:uuid:",
        ),
    ],
)
def test_real_documents_that_are_not_vex_or_not_valid_are_refused(
    path: Path, fragment: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_vex(path)
    assert str(caught.value).startswith(f"{path.name}: ")
    assert fragment in str(caught.value)


# --- OpenVEX, written here in the published v0.2.0 format -------------------------------

OPENVEX_DOCUMENT = {
    "@context": "https://openvex.dev/ns/v0.2.0",
    "@id": "https://openvex.dev/docs/example/vex-9fb3463de1b57",
    "author": "Acme MedTech PSIRT <psirt@acme.example>",
    "role": "Document Creator",
    "timestamp": "2026-03-01T10:00:00Z",
    "version": 1,
    "statements": [
        {
            "vulnerability": {
                "@id": "https://nvd.nist.gov/vuln/detail/CVE-2021-44228",
                "name": "CVE-2021-44228",
                "aliases": ["GHSA-jfh8-c2jp-5v3q"],
            },
            "products": [
                {
                    "@id": "pkg:maven/org.springframework.boot/spring-boot@2.6.0-M3",
                    "identifiers": {
                        "purl": "pkg:maven/org.springframework.boot/spring-boot@2.6.0-M3"
                    },
                    "subcomponents": [
                        {"@id": "pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1"}
                    ],
                }
            ],
            "status": "not_affected",
            "justification": "vulnerable_code_not_in_execute_path",
            "impact_statement": "Only applications using log4j-core are vulnerable.",
        },
        {
            "vulnerability": {"name": "CVE-2023-12345"},
            "timestamp": "2026-03-01T12:00:00Z",
            "products": [{"@id": "pkg:pypi/requests@2.19.0"}],
            "status": "affected",
            "action_statement": "Upgrade requests to 2.31.0 or later.",
        },
        {
            "vulnerability": {"name": "GHSA-j8r2-6x86-q33q"},
            "products": [{"@id": "pkg:pypi/requests@2.31.0"}],
            "status": "fixed",
        },
        {
            "vulnerability": {"name": "CVE-2024-0001"},
            "products": [{"@id": "https://acme.example/products/cytoassist"}],
            "status": "under_investigation",
            "status_notes": "Analysis started.",
        },
    ],
}


def test_openvex_document_reads_into_the_neutral_shape() -> None:
    document = parse_vex(json.dumps(OPENVEX_DOCUMENT).encode(), "acme.openvex.json")
    assert (document.format, document.spec_version, document.author) == (
        OPENVEX,
        "v0.2.0",
        "Acme MedTech PSIRT <psirt@acme.example>",
    )
    log4j, requests, fixed, investigating = document.statements
    assert log4j == VexStatement(
        vulnerability="CVE-2021-44228",
        state="not_affected",
        products=(
            VexProduct(
                id="pkg:maven/org.springframework.boot/spring-boot@2.6.0-M3",
                purl="pkg:maven/org.springframework.boot/spring-boot@2.6.0-M3",
                subcomponents=("pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1",),
            ),
        ),
        aliases=("GHSA-jfh8-c2jp-5v3q",),
        justification="vulnerable_code_not_in_execute_path",
        detail="Only applications using log4j-core are vulnerable.",
        timestamp="2026-03-01T10:00:00Z",  # inherited from the document
        source_state="not_affected",
        source_justification="vulnerable_code_not_in_execute_path",
    )
    assert (requests.state, requests.action, requests.timestamp) == (
        "affected",
        "Upgrade requests to 2.31.0 or later.",
        "2026-03-01T12:00:00Z",
    )
    assert (fixed.vulnerability, fixed.state, fixed.products[0].purl) == (
        "GHSA-j8r2-6x86-q33q",
        "fixed",
        "pkg:pypi/requests@2.31.0",
    )
    assert (investigating.detail, investigating.products[0].purl) == ("Analysis started.", "")


def test_openvex_before_v020_names_vulnerability_and_products_as_strings() -> None:
    old = {
        "@context": "https://openvex.dev/ns",
        "@id": "https://openvex.dev/docs/example/vex-1",
        "author": "Wolfi J Inkinson",
        "timestamp": "2023-01-08T18:02:03Z",
        "version": 1,
        "statements": [
            {
                "vulnerability": "CVE-2023-12345",
                "products": ["pkg:apk/wolfi/git@2.39.0-r1?arch=armv7"],
                "status": "fixed",
            }
        ],
    }
    (statement,) = parse_vex(json.dumps(old).encode(), "old.json").statements
    assert (statement.vulnerability, statement.products[0].purl) == (
        "CVE-2023-12345",
        "pkg:apk/wolfi/git@2.39.0-r1?arch=armv7",
    )


def test_openvex_subcomponents_named_by_strings_are_kept() -> None:
    document = {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://openvex.dev/docs/example/vex-2",
        "author": "A",
        "timestamp": "2023-01-08T18:02:03Z",
        "version": 1,
        "statements": [
            {
                "vulnerability": {"name": "CVE-2023-12345"},
                "products": [
                    {
                        "@id": "pkg:oci/app@sha256:1",
                        "subcomponents": ["pkg:pypi/requests@2.19.0", {"@id": "pkg:npm/x@1"}],
                    }
                ],
                "status": "fixed",
            }
        ],
    }
    (statement,) = parse_vex(json.dumps(document).encode(), "sub.json").statements
    assert statement.products[0].subcomponents == ("pkg:pypi/requests@2.19.0", "pkg:npm/x@1")


# --- CycloneDX XML ------------------------------------------------------------------------

XML_VEX = """<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5"
     serialNumber="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79" version="1">
  <metadata>
    <timestamp>2026-03-01T10:00:00Z</timestamp>
    <component type="application" bom-ref="acme-product">
      <name>Acme Product</name>
      <version>2.2.0</version>
    </component>
  </metadata>
  <components>
    <component type="library" bom-ref="jackson">
      <name>jackson-databind</name>
      <version>2.10.0</version>
      <purl>pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar</purl>
    </component>
  </components>
  <vulnerabilities>
    <vulnerability bom-ref="v1">
      <id>CVE-2020-25649</id>
      <references>
        <reference><id>GHSA-288c-cq4h-88gq</id><source><name>GitHub</name></source></reference>
      </references>
      <recommendation>Upgrade to 2.10.5.1</recommendation>
      <analysis>
        <state>not_affected</state>
        <justification>requires_environment</justification>
        <responses><response>will_not_fix</response></responses>
        <detail>DOM deserialisation is never used.</detail>
        <lastUpdated>2026-03-01T11:00:00Z</lastUpdated>
      </analysis>
      <affects>
        <target>
          <ref>jackson</ref>
          <versions><version><version>2.10.0</version><status>unaffected</status></version></versions>
        </target>
        <target><ref>acme-product</ref></target>
      </affects>
    </vulnerability>
    <vulnerability bom-ref="v2">
      <id>CVE-2020-35491</id>
      <analysis><state>resolved_with_pedigree</state></analysis>
      <affects><target><ref>acme-product</ref></target></affects>
    </vulnerability>
    <vulnerability bom-ref="v3">
      <id>CVE-2099-0001</id>
    </vulnerability>
  </vulnerabilities>
</bom>
"""


def test_cyclonedx_xml_reads_like_json_and_skips_a_vulnerability_without_analysis() -> None:
    document = parse_vex(XML_VEX.encode(), "vex.xml")
    assert (document.format, document.spec_version) == (CYCLONEDX, "1.5")
    assert document.warnings == (
        "vulnerability 3 (CVE-2099-0001): no analysis state, so no VEX statement; skipped",
    )
    jackson, pedigree = document.statements
    assert jackson == VexStatement(
        vulnerability="CVE-2020-25649",
        state="not_affected",
        products=(
            VexProduct(
                id="jackson",
                purl="pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar",
                bom_ref="jackson",
                name="jackson-databind",
                version="2.10.0",
                versions=(VexVersion(version="2.10.0", status="unaffected"),),
            ),
            VexProduct(
                id="acme-product", bom_ref="acme-product", name="Acme Product", version="2.2.0"
            ),
        ),
        aliases=("GHSA-288c-cq4h-88gq",),
        justification="vulnerable_code_cannot_be_controlled_by_adversary",
        detail="DOM deserialisation is never used.",
        action="Upgrade to 2.10.5.1",
        timestamp="2026-03-01T11:00:00Z",
        source_state="not_affected",
        source_justification="requires_environment",
        responses=("will_not_fix",),
    )
    assert (pedigree.state, pedigree.source_state, pedigree.timestamp) == (
        "fixed",
        "resolved_with_pedigree",
        "2026-03-01T10:00:00Z",
    )


def test_invalid_cyclonedx_xml_is_refused_with_the_schema_line() -> None:
    broken = XML_VEX.replace("<state>not_affected</state>", "<state>maybe</state>")
    with pytest.raises(
        InvalidInput, match=r"^vex.xml: not a valid CycloneDX 1.5 document: line \d+"
    ):
        parse_vex(broken.encode(), "vex.xml")


# --- Round trips --------------------------------------------------------------------------

STATEMENTS = (
    VexStatement(
        vulnerability="CVE-2020-25649",
        state="not_affected",
        products=(
            VexProduct(
                id="pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0",
                purl="pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0",
                bom_ref="pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0",
                name="jackson-databind",
                version="2.10.0",
            ),
        ),
        aliases=("GHSA-288c-cq4h-88gq",),
        justification="component_not_present",
        detail="Not shipped: the XML module is excluded from the build.",
        timestamp="2026-03-01T00:00:00Z",
    ),
    VexStatement(
        vulnerability="PYSEC-2023-74",
        state="affected",
        products=(
            VexProduct(
                id="pkg:pypi/requests@2.19.0",
                purl="pkg:pypi/requests@2.19.0",
                bom_ref="pkg:pypi/requests@2.19.0",
                name="requests",
                version="2.19.0",
            ),
            VexProduct(id="REL-1", bom_ref="REL-1", name="CytoAssist", version="2.0"),
        ),
        aliases=("CVE-2023-32681", "GHSA-j8r2-6x86-q33q"),
        detail="Proxy credentials can leak on redirects.",
        action="Upgrade requests to 2.31.0 in 2.0.1.",
        timestamp="2026-03-02T00:00:00Z",
    ),
    VexStatement(
        vulnerability="GO-2024-0001",
        state="fixed",
        products=(
            VexProduct(
                id="pkg:golang/golang.org/x/net@0.23.0",
                purl="pkg:golang/golang.org/x/net@0.23.0",
                bom_ref="pkg:golang/golang.org/x/net@0.23.0",
                name="net",
                version="0.23.0",
            ),
        ),
        detail="Fixed by the upgrade in 2.0.",
        timestamp="2026-03-03T00:00:00Z",
    ),
    VexStatement(
        vulnerability="CVE-2024-9999",
        state="under_investigation",
        products=(VexProduct(id="REL-1", bom_ref="REL-1", name="CytoAssist", version="2.0"),),
        timestamp="2026-03-04T00:00:00Z",
    ),
)
SUBJECT = VexProduct(id="REL-1", bom_ref="REL-1", name="CytoAssist", version="2.0")


def as_read(statement: VexStatement, source_state: str, source_justification: str) -> VexStatement:
    return replace(statement, source_state=source_state, source_justification=source_justification)


@pytest.mark.parametrize("spec_version", ["1.5", "1.6"])
def test_cyclonedx_round_trip_gives_the_same_statements(spec_version: str) -> None:
    text = cyclonedx_vex(
        STATEMENTS,
        SUBJECT,
        serial="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        timestamp=STAMP,
        spec_version=spec_version,
    )
    document = parse_vex(text.encode(), "out.cdx.json")  # checked against the schema on read
    assert (document.spec_version, document.subject) == (spec_version, SUBJECT)
    sources = [
        ("not_affected", "code_not_present"),
        ("exploitable", ""),
        ("resolved", ""),
        ("in_triage", ""),
    ]
    assert document.statements == tuple(
        as_read(s, *source) for s, source in zip(STATEMENTS, sources, strict=True)
    )
    written = json.loads(text)
    refs = [c["bom-ref"] for c in written["components"]]
    assert refs == [
        "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0",
        "pkg:pypi/requests@2.19.0",
        "pkg:golang/golang.org/x/net@0.23.0",
    ]  # the subject is the metadata component, not repeated
    # and once more: what was read writes back to the identical document
    again = cyclonedx_vex(
        document.statements,
        document.subject,
        serial="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        timestamp=STAMP,
        spec_version=spec_version,
    )
    assert again == text


@needs_data
@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_real_files_survive_a_cyclonedx_round_trip(relative: str) -> None:
    original = read_vex(VEX / relative)
    text = cyclonedx_vex(original.statements, original.subject, timestamp=STAMP)
    again = parse_vex(text.encode(), "again.json")
    # a statement without a time of its own takes the document's (OpenVEX inheritance rule)
    assert again.statements == tuple(
        replace(s, timestamp=s.timestamp or STAMP) for s in original.statements
    )
    assert again.subject == original.subject


def test_openvex_round_trip_gives_the_same_statements() -> None:
    text = openvex(
        STATEMENTS,
        "Acme MedTech PSIRT",
        document_id="https://openvex.dev/docs/public/vex-qspine-rel-1",
        timestamp=STAMP,
    )
    document = parse_vex(text.encode(), "out.openvex.json")
    # OpenVEX names products by @id and purl only
    expected = tuple(
        replace(
            s,
            products=tuple(VexProduct(id=p.id, purl=p.purl) for p in s.products),
            source_state=s.state,
            source_justification=s.justification or "",
        )
        for s in STATEMENTS
    )
    assert document.statements == expected
    assert (document.identifier, document.author, document.timestamp) == (
        "https://openvex.dev/docs/public/vex-qspine-rel-1",
        "Acme MedTech PSIRT",
        STAMP,
    )


def test_openvex_output_meets_the_v020_schema_rules() -> None:
    """The OpenVEX v0.2.0 JSON schema's statement rules: not_affected has exactly one of a
    justification or an impact statement; affected has an action statement."""
    bare = replace(STATEMENTS[1], action="")
    reasoned = replace(STATEMENTS[0], justification=None)
    written = json.loads(openvex([*STATEMENTS, bare, reasoned], "PSIRT", timestamp=STAMP))
    assert written["@context"] == "https://openvex.dev/ns/v0.2.0"
    for item in written["statements"]:
        assert set(item) <= {
            "vulnerability",
            "timestamp",
            "products",
            "status",
            "justification",
            "impact_statement",
            "status_notes",
            "action_statement",
        }
        if item["status"] == "not_affected":
            assert ("justification" in item) != ("impact_statement" in item)
        if item["status"] == "affected":
            assert item["action_statement"]
    assert written["statements"][4]["action_statement"] == STATEMENTS[1].detail
    assert written["statements"][5]["impact_statement"] == STATEMENTS[0].detail


def test_the_vocabulary_tables_cover_cyclonedx_and_land_in_ours() -> None:
    assert set(FROM_CYCLONEDX_STATE.values()) == set(STATES)
    assert set(FROM_CYCLONEDX_JUSTIFICATION.values()) <= set(JUSTIFICATIONS)
    assert len(FROM_CYCLONEDX_JUSTIFICATION) == 9  # every CycloneDX 1.4-1.6 justification


# --- Broken documents ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not a VEX document"),
        (b"\xff\xfe\x00junk", "not a text file"),
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "not a VEX document"),
        (b'{"hello": "world"}', "neither 'bomFormat' (CycloneDX) nor an OpenVEX '@context'"),
        (b'{"bomFormat": "SPDX"}', "bomFormat is 'SPDX'"),
        (b'{"bomFormat": "CycloneDX", "specVersion": "1.6"}', "lists no vulnerabilities"),
        (
            b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "vulnerabilities": [{"id": 3}]}',
            "not a valid CycloneDX 1.6 document",
        ),
        (b'<?xml version="1.0"?><Document/>', "is not a CycloneDX bom"),
        (b"<bom", "not well-formed XML"),
    ],
)
def test_broken_documents_are_refused_naming_the_file(content: bytes, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_vex(content, "upload.json")
    assert str(caught.value).startswith("upload.json: ")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"statements": []}, "needs a non-empty 'statements' list"),
        ({"statements": [{"status": "fixed", "products": []}]}, "statement 1: the vulnerability"),
        (
            {"statements": [{"vulnerability": {"name": "X"}, "status": "exploitable"}]},
            "statement 1: status 'exploitable' is not one of",
        ),
        (
            {
                "statements": [
                    {
                        "vulnerability": {"name": "X"},
                        "status": "not_affected",
                        "justification": "code_not_reachable",
                    }
                ]
            },
            "statement 1: justification 'code_not_reachable' is not one of",
        ),
        (
            {"statements": [{"vulnerability": {"name": "X"}, "status": "fixed", "products": [{}]}]},
            "statement 1: a product has neither an @id nor a purl",
        ),
        (
            {
                "statements": [
                    {"vulnerability": {"name": "X", "aliases": "CVE-1"}, "status": "fixed"}
                ]
            },
            "statement 1: the vulnerability's 'aliases' is not a list",
        ),
        (
            {
                "statements": [
                    {
                        "vulnerability": {"name": "X"},
                        "status": "fixed",
                        "products": [{"@id": "p", "identifiers": "pkg:pypi/x@1"}],
                    }
                ]
            },
            "statement 1: a product's 'identifiers' is not an object",
        ),
        (
            {
                "statements": [
                    {
                        "vulnerability": {"name": "X"},
                        "status": "fixed",
                        "products": [{"@id": "p", "subcomponents": [{}]}],
                    }
                ]
            },
            "statement 1: a subcomponent of p has neither an @id nor a purl",
        ),
    ],
)
def test_broken_openvex_is_refused_naming_the_statement(
    change: dict[str, Any], message: str
) -> None:
    document = {**OPENVEX_DOCUMENT, **change}
    with pytest.raises(InvalidInput) as caught:
        parse_vex(json.dumps(document).encode(), "bad.openvex.json")
    assert str(caught.value).startswith("bad.openvex.json: ")
    assert message in str(caught.value)


def test_a_missing_file_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"^gone.json: cannot be read"):
        read_vex(tmp_path / "gone.json")
