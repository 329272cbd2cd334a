"""VEX and signed triage (services/vex.py) on SQLite and PostgreSQL: a triage decision is a
signed, audited new version; refusals write nothing; a VEX import applies what it can match to
a release built here (and a real CycloneDX VEX example to the real SBOM it names), reporting
the rest; an export reads back with formats/vex.py."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from qspine.formats.vex import CYCLONEDX, OPENVEX, parse_vex
from qspine.model.errors import AuthenticationFailed, Conflict, Forbidden, InvalidInput, NotFound
from qspine.spine import Spine

from helpers import PASSWORD, SHARED_DATA, database_state

VEX = SHARED_DATA / "sbom-cyclonedx-bom-examples" / "VEX"
needs_data = pytest.mark.skipif(
    not VEX.is_dir(), reason=f"../shared/data is absent: the VEX examples are read from {VEX}"
)
JACKSON = "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar"


def sbom(*components: tuple[str, str, str]) -> bytes:
    """A CycloneDX 1.5 SBOM with (name, version, purl) library components."""
    return json.dumps(
        {
            "bomFormat": "CycloneDX",
            "specVersion": "1.5",
            "version": 1,
            "metadata": {"component": {"type": "application", "name": "CytoAssist"}},
            "components": [
                {"type": "library", "bom-ref": purl, "name": n, "version": v, "purl": purl}
                for n, v, purl in components
            ],
        }
    ).encode()


def vulnerability(spine: Spine, identifier: str, *targets: str, **fields: Any) -> str:
    made = spine.records.create(
        "sam",
        "vulnerability",
        {
            "title": f"{identifier} in the product",
            "identifier": identifier,
            "discovered_on": "2026-02-20",
            "triage_state": "under_investigation",
            "source": "osv",
            "severity": "high",
            **fields,
        },
    )
    for target in targets:
        spine.links.link("sam", "affects", made.key, target)
    return made.key


@pytest.fixture
def product(spine: Spine) -> dict[str, str]:
    """Release REL-1 of CytoAssist with three components and four vulnerabilities."""
    spine.users.add("ada", "sam", "Sam Security", PASSWORD, ["security_engineer"])
    release = spine.records.create(
        "eve",
        "release",
        {"title": "CytoAssist 2.0", "version_label": "2.0", "product": "CytoAssist"},
    ).key
    spine.sbom.import_bytes(
        "sam",
        sbom(
            ("requests", "2.19.0", "pkg:pypi/requests@2.19.0"),
            ("numpy", "1.26.4", "pkg:pypi/numpy@1.26.4"),
            ("jackson-databind", "2.10.0", JACKSON),
        ),
        "bom.json",
        release,
    )
    keys = {c.fields["name"]: c.key for c in spine.sbom.components(spine.users.get("sam"), release)}
    return {
        "release": release,
        **keys,
        "leak": vulnerability(spine, "PYSEC-2023-74", keys["requests"], aliases=["CVE-2023-32681"]),
        "numpy": vulnerability(spine, "GHSA-numpy-0001", keys["numpy"]),
        "jackson": vulnerability(spine, "CVE-2020-25649", keys["jackson-databind"]),
        "whole": vulnerability(spine, "CVE-2024-9999", release),
    }


def written(spine: Spine) -> dict[str, Any]:
    """What a refused write must leave alone (a failed password attempt is audited, so the
    audit and user tables may change)."""
    state = database_state(spine)
    return {k: state[k] for k in ("record", "version", "transition", "link", "signature")} | {
        "records": state["records"]
    }


# --- triage -------------------------------------------------------------------------------


def test_a_triage_decision_is_a_signed_audited_new_version(
    spine: Spine, product: dict[str, str]
) -> None:
    key = product["leak"]
    done = spine.vex.triage(
        "sam",
        PASSWORD,
        key,
        "not_affected",
        "vulnerable_code_not_in_execute_path",
        "Redirects never carry proxy credentials in CytoAssist.",
        "controlled",
        expected_version=1,
    )
    assert (done.version, done.state, done.signature.meaning, done.signature.signer) == (
        2,
        "not_affected",
        "triaged",
        "sam",
    )
    assert done.signature.valid and done.signature.version == 2
    view = spine.records.show(key)
    fields = view.version.fields
    assert (fields["triage_state"], fields["vex_justification"], fields["patient_risk"]) == (
        "not_affected",
        "vulnerable_code_not_in_execute_path",
        "controlled",
    )
    assert fields["triaged_on"] == spine.context.clock().date().isoformat()
    assert fields["justification"] == "Redirects never carry proxy credentials in CytoAssist."
    assert view.status == "open"  # a triage signature moves no status
    actions = [e.action for e in spine.audit.log(key, limit=10)]
    assert actions[:3] == ["vulnerability.triage", "signature.create", "record.revise"]
    assert spine.audit.verify().intact
    (row,) = [
        r for r in spine.vex.list_vulnerabilities(spine.users.get("vic")).rows if r.key == key
    ]
    assert (row.signed_by, row.signed_current, row.open) == ("Sam Security (sam)", True, False)
    # an affected decision with its remediation, on top
    spine.vex.triage(
        "sam",
        PASSWORD,
        key,
        "affected",
        detail="Proxy use is configurable after all.",
        expected_version=2,
        remediation="Upgrade requests to 2.31.0 in 2.0.1.",
    )
    fields = spine.records.show(key).version.fields
    assert "vex_justification" not in fields and fields["remediation"].startswith("Upgrade")


@pytest.mark.parametrize(
    ("state", "justification", "detail", "message"),
    [
        ("not_affected", None, "reasons", "a not_affected decision needs a VEX justification"),
        ("affected", "component_not_present", "x", "belongs to not_affected decisions"),
        ("affected", None, "  ", "an affected decision needs a detail or remediation text"),
        ("fixed", None, "", "a fixed decision needs a detail or remediation text"),
        ("exploitable", None, "", "triage state 'exploitable' is not one of"),
        ("not_affected", "code_not_reachable", "", "VEX justification 'code_not_reachable'"),
    ],
)
def test_decisions_that_break_the_vex_rules_are_refused_and_write_nothing(
    spine: Spine,
    product: dict[str, str],
    state: str,
    justification: str | None,
    detail: str,
    message: str,
) -> None:
    before = database_state(spine)
    with pytest.raises(InvalidInput, match=message):
        spine.vex.triage(
            "sam", PASSWORD, product["leak"], state, justification, detail, expected_version=1
        )
    assert database_state(spine) == before


def test_wrong_password_stale_version_and_missing_rights_write_nothing(
    spine: Spine, product: dict[str, str]
) -> None:
    key = product["numpy"]
    before = written(spine)
    with pytest.raises(AuthenticationFailed):
        spine.vex.triage(
            "sam", "wrong password!", key, "fixed", detail="upgraded", expected_version=1
        )
    assert written(spine) == before
    with pytest.raises(Conflict, match="you acted on v3 but v1 is current"):
        spine.vex.triage("sam", PASSWORD, key, "fixed", detail="upgraded", expected_version=3)
    with pytest.raises(Forbidden):  # a design engineer may not write vulnerabilities
        spine.vex.triage("eve", PASSWORD, key, "fixed", detail="upgraded", expected_version=1)
    with pytest.raises(Forbidden):  # a viewer neither
        spine.vex.triage("vic", PASSWORD, key, "fixed", detail="upgraded", expected_version=1)
    with pytest.raises(InvalidInput, match="is a release, not a vulnerability"):
        spine.vex.triage(
            "sam", PASSWORD, product["release"], "fixed", detail="x", expected_version=1
        )
    with pytest.raises(InvalidInput, match="patient_risk 'low' is not one of"):
        spine.vex.triage(
            "sam", PASSWORD, key, "fixed", detail="x", patient_risk="low", expected_version=1
        )
    assert written(spine) == before


# --- VEX import ---------------------------------------------------------------------------


def openvex_document(*statements: dict[str, Any]) -> bytes:
    return json.dumps(
        {
            "@context": "https://openvex.dev/ns/v0.2.0",
            "@id": "https://openvex.dev/docs/public/vex-cytoassist-2.0",
            "author": "Numerical Supplier PSIRT",
            "timestamp": "2026-03-01T10:00:00Z",
            "version": 1,
            "statements": list(statements),
        }
    ).encode()


def test_import_applies_matched_statements_as_signed_decisions_and_reports_the_rest(
    spine: Spine, product: dict[str, str]
) -> None:
    document = openvex_document(
        {  # known by its alias; the product is a component of the release
            "vulnerability": {"name": "CVE-2023-32681"},
            "products": [{"@id": "pkg:pypi/requests@2.19.0"}],
            "status": "not_affected",
            "justification": "vulnerable_code_cannot_be_controlled_by_adversary",
            "impact_statement": "Redirect targets are fixed in configuration.",
        },
        {  # the purl without the component's ?type=jar qualifier still matches
            "vulnerability": {"name": "CVE-2020-25649"},
            "products": [
                {"@id": "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0"},
                {"@id": "pkg:npm/left-pad@1.3.0"},
            ],
            "status": "affected",
            "action_statement": "Upgrade jackson-databind to 2.10.5.1.",
        },
        {  # the release itself, by product name
            "vulnerability": {"name": "CVE-2024-9999"},
            "products": [{"@id": "CytoAssist"}],
            "status": "under_investigation",
        },
        {  # no such vulnerability in the release
            "vulnerability": {"name": "CVE-1999-0001"},
            "products": [{"@id": "pkg:pypi/requests@2.19.0"}],
            "status": "fixed",
        },
        {  # not_affected with an impact statement but no justification label
            "vulnerability": {"name": "GHSA-numpy-0001"},
            "products": [{"@id": "pkg:pypi/numpy@1.26.4"}],
            "status": "not_affected",
            "impact_statement": "Not reachable.",
        },
    )
    report = spine.vex.import_bytes(
        "sam", PASSWORD, document, "supplier.openvex.json", product["release"]
    )
    assert (report.format, report.statements) == (OPENVEX, 5)
    assert [(a.key, a.state, a.justification, a.version) for a in report.applied] == [
        (product["leak"], "not_affected", "vulnerable_code_cannot_be_controlled_by_adversary", 2),
        (product["jackson"], "affected", None, 2),
    ]
    assert report.applied[1].products == (product["jackson-databind"],)
    assert [(s.statement, s.vulnerability) for s in report.unchanged] == [(3, "CVE-2024-9999")]
    assert {(s.statement, s.reason.split(":")[0]) for s in report.skipped} == {
        (4, "no vulnerability of REL-1 is known by this id"),
        (5, product["numpy"]),
    }
    assert "needs a VEX justification" in next(s.reason for s in report.skipped if s.statement == 5)
    assert [(s.statement, s.reason) for s in report.not_in_release] == [
        (2, "pkg:npm/left-pad@1.3.0 is not in REL-1")
    ]
    jackson = spine.records.show(product["jackson"])
    assert jackson.version.fields["remediation"] == "Upgrade jackson-databind to 2.10.5.1."
    assert [(s.meaning, s.signer, s.version) for s in jackson.signatures] == [("triaged", "sam", 2)]
    (event,) = [e for e in spine.audit.log(product["release"], limit=5) if e.action == "vex.import"]
    assert event.payload["applied"] == [product["leak"], product["jackson"]]
    assert spine.audit.verify().intact
    # importing the same document again changes nothing more
    again = spine.vex.import_bytes(
        "sam", PASSWORD, document, "supplier.openvex.json", product["release"]
    )
    assert (again.applied, len(again.unchanged)) == ((), 3)


def test_statements_that_disagree_about_one_vulnerability_are_not_applied(
    spine: Spine, product: dict[str, str]
) -> None:
    document = openvex_document(
        {
            "vulnerability": {"name": "GHSA-numpy-0001"},
            "products": [{"@id": "pkg:pypi/numpy@1.26.4"}],
            "status": "affected",
            "action_statement": "Upgrade.",
        },
        {
            "vulnerability": {"name": "GHSA-numpy-0001"},
            "products": [{"@id": "pkg:pypi/numpy@1.26.4"}],
            "status": "fixed",
            "status_notes": "Patched in our fork.",
        },
    )
    report = spine.vex.import_bytes("sam", PASSWORD, document, "mixed.json", product["release"])
    assert report.applied == ()
    assert [s.statement for s in report.skipped] == [1, 2]
    assert all("disagree" in s.reason for s in report.skipped)
    assert spine.records.show(product["numpy"]).latest_version == 1


def test_a_statement_repeating_the_record_still_disagrees_with_one_changing_it(
    spine: Spine, product: dict[str, str]
) -> None:
    document = openvex_document(
        {  # what the record already says
            "vulnerability": {"name": "GHSA-numpy-0001"},
            "products": [{"@id": "pkg:pypi/numpy@1.26.4"}],
            "status": "under_investigation",
        },
        {
            "vulnerability": {"name": "GHSA-numpy-0001"},
            "products": [{"@id": "pkg:pypi/numpy@1.26.4"}],
            "status": "affected",
            "action_statement": "Upgrade.",
        },
    )
    report = spine.vex.import_bytes("sam", PASSWORD, document, "mixed.json", product["release"])
    assert (report.applied, report.unchanged) == ((), ())
    assert [s.statement for s in report.skipped] == [1, 2]
    assert all("statements 1, 2 disagree" in s.reason for s in report.skipped)
    assert spine.records.show(product["numpy"]).latest_version == 1


def test_a_refused_import_writes_nothing(spine: Spine, product: dict[str, str]) -> None:
    document = openvex_document(
        {
            "vulnerability": {"name": "PYSEC-2023-74"},
            "products": [{"@id": "pkg:pypi/requests@2.19.0"}],
            "status": "fixed",
            "status_notes": "Upgraded.",
        }
    )
    before = written(spine)
    with pytest.raises(AuthenticationFailed):
        spine.vex.import_bytes("sam", "not the password", document, "v.json", product["release"])
    with pytest.raises(Forbidden):
        spine.vex.import_bytes("vic", PASSWORD, document, "v.json", product["release"])
    with pytest.raises(NotFound, match="no release REL-9"):
        spine.vex.import_bytes("sam", PASSWORD, document, "v.json", "REL-9")
    with pytest.raises(InvalidInput, match=r"^v\.json: not a VEX document"):
        spine.vex.import_bytes("sam", PASSWORD, b'{"x": 1}', "v.json", product["release"])
    huge = document + b" " * (32 << 20)  # the service refuses what every face refuses
    with pytest.raises(InvalidInput, match=r"^v\.json: larger than 32 MiB"):
        spine.vex.import_bytes("sam", PASSWORD, huge, "v.json", product["release"])
    assert written(spine) == before


@needs_data
def test_a_real_cyclonedx_vex_applies_to_the_real_sbom_it_names(spine: Spine) -> None:
    """VEX/vex.json says CVE-2020-25649 is not exploitable in jackson-databind 2.10.0 of the
    example app whose SBOM is VEX/bom.json (a BOM-Link to its component)."""
    spine.users.add("ada", "sam", "Sam Security", PASSWORD, ["security_engineer"])
    release = spine.records.create(
        "eve",
        "release",
        {"title": "example-app 1.0.0", "version_label": "1.0.0", "product": "example-app"},
    ).key
    spine.sbom.import_file("sam", VEX / "bom.json", release)
    components = {
        c.fields["name"]: c.key for c in spine.sbom.components(spine.users.get("sam"), release)
    }
    assert sorted(components) == ["jackson-annotations", "jackson-core", "jackson-databind"]
    key = vulnerability(spine, "CVE-2020-25649", components["jackson-databind"])
    other = vulnerability(spine, "CVE-2020-36518", components["jackson-databind"])
    report = spine.vex.import_vex("sam", PASSWORD, VEX / "vex.json", release)
    assert (report.format, report.spec_version, report.statements) == (CYCLONEDX, "1.4", 1)
    assert [(a.key, a.state, a.justification) for a in report.applied] == [
        (key, "not_affected", "vulnerable_code_not_in_execute_path")
    ]
    fields = spine.records.show(key).version.fields
    assert fields["justification"].startswith("Automated dataflow analysis and manual code")
    assert spine.records.show(other).latest_version == 1  # a different vulnerability


# --- export and list ----------------------------------------------------------------------


@pytest.mark.parametrize("format", [CYCLONEDX, OPENVEX])
def test_export_reads_back_with_the_current_triage(
    spine: Spine, product: dict[str, str], format: str
) -> None:
    spine.vex.triage(
        "sam",
        PASSWORD,
        product["leak"],
        "not_affected",
        "inline_mitigations_already_exist",
        "Credentials are stripped by our HTTP wrapper.",
        expected_version=1,
    )
    exported = spine.vex.export_vex(spine.users.get("vic"), product["release"], format)
    document = parse_vex(exported.text.encode(), exported.filename)
    assert (document.format, exported.statements) == (format, 4)
    by_id = {s.vulnerability: s for s in document.statements}
    leak = by_id["PYSEC-2023-74"]
    assert (leak.state, leak.justification, leak.aliases, leak.detail) == (
        "not_affected",
        "inline_mitigations_already_exist",
        ("CVE-2023-32681",),
        "Credentials are stripped by our HTTP wrapper.",
    )
    assert [p.purl for p in leak.products] == ["pkg:pypi/requests@2.19.0"]
    assert by_id["CVE-2024-9999"].products[0].id == product["release"]
    assert by_id["CVE-2020-25649"].products[0].purl == JACKSON
    assert {s.state for s in document.statements} == {"not_affected", "under_investigation"}
    # the export of a release is importable into it again: nothing changes
    report = spine.vex.import_bytes(
        "sam", PASSWORD, exported.text.encode(), exported.filename, product["release"]
    )
    assert report.applied == () and report.not_in_release == ()
    with pytest.raises(InvalidInput, match="not one of cyclonedx, openvex"):
        spine.vex.export_vex(spine.users.get("vic"), product["release"], "csaf")


def test_list_by_release_and_state(spine: Spine, product: dict[str, str]) -> None:
    spine.vex.triage(
        "sam", PASSWORD, product["numpy"], "fixed", detail="Upgraded.", expected_version=1
    )
    listed = spine.vex.list_vulnerabilities(spine.users.get("vic"), product["release"])
    assert listed.counts == {
        "under_investigation": 3,
        "affected": 0,
        "not_affected": 0,
        "fixed": 1,
    }
    assert [r.key for r in listed.rows][-1] == product["numpy"]  # open ones first
    fixed = spine.vex.list_vulnerabilities(spine.users.get("vic"), product["release"], "fixed")
    (row,) = fixed.rows
    assert (row.identifier, row.days_open, row.open) == (
        "GHSA-numpy-0001",
        (spine.context.clock().date() - dt.date(2026, 2, 20)).days,
        False,
    )
    assert [(c.name, c.version) for c in row.components] == [("numpy", "1.26.4")]
    whole = spine.vex.vulnerability(spine.users.get("vic"), product["whole"])
    assert (whole.releases, whole.components, whole.signed_by) == ((product["release"],), (), "")
    with pytest.raises(InvalidInput, match="triage state 'open' is not one of"):
        spine.vex.list_vulnerabilities(spine.users.get("vic"), state="open")
