"""Vulnerability triage and VEX through the API (/api/v1/vulnerabilities, /api/v1/releases/{key}
/vex) and the web pages (/vulnerabilities, the triage form, a release's VEX page)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qspine import Spine
from qspine.app import create_app
from qspine.formats.vex import parse_vex

from .web_helpers import Browser
from helpers import PASSWORD, database_state


def bearer(spine: Spine, username: str) -> dict[str, str]:
    secret, _ = spine.access.create_token(username, f"test token for {username}")
    return {"Authorization": f"Bearer {secret}"}


def error(response: Any, status: int, code: str, text: str = "") -> None:
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["code"] == code and text in body["message"], body


def product(spine: Spine) -> dict[str, str]:
    """REL-1 with requests and numpy, a vulnerability of each (VULN-1, VULN-2)."""
    spine.users.add("ada", "sam", "Sam Security", PASSWORD, ["security_engineer"])
    release = spine.records.create(
        "eve",
        "release",
        {"title": "CytoAssist 2.0", "version_label": "2.0", "product": "CytoAssist"},
    ).key
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "components": [
            {"type": "library", "name": n, "version": v, "purl": f"pkg:pypi/{n}@{v}"}
            for n, v in (("requests", "2.19.0"), ("numpy", "1.26.4"))
        ],
    }
    spine.sbom.import_bytes("sam", json.dumps(bom).encode(), "bom.json", release)
    components = {
        c.fields["name"]: c.key for c in spine.sbom.components(spine.users.get("sam"), release)
    }
    keys = {"release": release}
    for name, identifier in (("requests", "PYSEC-2023-74"), ("numpy", "GHSA-numpy-0001")):
        keys[name] = spine.records.create(
            "sam",
            "vulnerability",
            {
                "title": identifier,
                "identifier": identifier,
                "discovered_on": "2026-02-20",
                "triage_state": "under_investigation",
            },
        ).key
        spine.links.link("sam", "affects", keys[name], components[name])
    return keys


@pytest.fixture
def api(web_spine: Spine) -> Iterator[TestClient]:
    with TestClient(create_app(web_spine)) as test_client:
        yield test_client


def test_api_lists_triages_imports_and_exports(web_spine: Spine, api: TestClient) -> None:
    keys = product(web_spine)
    sam, vic = bearer(web_spine, "sam"), bearer(web_spine, "vic")
    listed = api.get("/api/v1/vulnerabilities", headers=vic, params={"release": keys["release"]})
    assert listed.status_code == 200, listed.text
    assert listed.json()["counts"]["under_investigation"] == 2
    body = {
        "state": "not_affected",
        "justification": "vulnerable_code_not_present",
        "detail": "Our build strips the module.",
        "password": PASSWORD,
        "expected_version": 1,
    }
    done = api.post(f"/api/v1/vulnerabilities/{keys['requests']}/triage", headers=sam, json=body)
    assert done.status_code == 201, done.text
    assert (done.json()["version"], done.json()["signature"]["meaning"]) == (2, "triaged")
    before = database_state(web_spine)
    stale = api.post(f"/api/v1/vulnerabilities/{keys['requests']}/triage", headers=sam, json=body)
    error(stale, 409, "conflict", "you acted on v1")
    missing = {**body, "justification": None, "expected_version": 2}
    error(
        api.post(f"/api/v1/vulnerabilities/{keys['requests']}/triage", headers=sam, json=missing),
        422,
        "invalid_input",
        "needs a VEX justification",
    )
    error(
        api.post(
            f"/api/v1/vulnerabilities/{keys['numpy']}/triage",
            headers=vic,
            json={**body, "expected_version": 1},
        ),
        403,
        "forbidden",
    )
    assert database_state(web_spine) == before
    wrong = {**body, "password": "not it", "expected_version": 2}
    error(
        api.post(f"/api/v1/vulnerabilities/{keys['requests']}/triage", headers=sam, json=wrong),
        401,
        "authentication_failed",
    )
    vex = {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://openvex.dev/docs/public/vex-numpy",
        "author": "numpy PSIRT",
        "timestamp": "2026-03-01T10:00:00Z",
        "version": 1,
        "statements": [
            {
                "vulnerability": {"name": "GHSA-numpy-0001"},
                "products": [{"@id": "pkg:pypi/numpy@1.26.4"}],
                "status": "fixed",
                "status_notes": "Patched in 1.26.4.",
            }
        ],
    }
    imported = api.post(
        f"/api/v1/releases/{keys['release']}/vex",
        headers=sam,
        files={"file": ("numpy.openvex.json", json.dumps(vex).encode(), "application/json")},
        data={"password": PASSWORD},
    )
    assert imported.status_code == 200, imported.text
    assert [(a["key"], a["state"]) for a in imported.json()["applied"]] == [
        (keys["numpy"], "fixed")
    ]
    exported = api.get(
        f"/api/v1/releases/{keys['release']}/vex", headers=vic, params={"format": "openvex"}
    )
    assert exported.status_code == 200
    assert 'filename="REL-1.openvex.json"' in exported.headers["content-disposition"]
    document = parse_vex(exported.content, "REL-1.openvex.json")
    assert {s.vulnerability: s.state for s in document.statements} == {
        "PYSEC-2023-74": "not_affected",
        "GHSA-numpy-0001": "fixed",
    }
    error(
        api.get(f"/api/v1/releases/{keys['release']}/vex", headers=vic, params={"format": "x"}),
        422,
        "invalid_input",
        "not one of cyclonedx, openvex",
    )


def test_web_list_filter_and_triage_form(
    web_spine: Spine, signed_in: Callable[[str], Browser]
) -> None:
    keys = product(web_spine)
    sam = signed_in("sam")
    listing = sam.get("/vulnerabilities")
    assert listing.status_code == 200
    assert keys["requests"] in listing.text and 'hx-get="/vulnerabilities"' in listing.text
    twin = sam.get("/vulnerabilities?format=json&state=fixed").json()
    assert (twin["total"], twin["state"]) == (0, "fixed")

    form = sam.get(f"/vulnerabilities/{keys['numpy']}/triage")
    assert form.status_code == 200
    assert 'name="justification"' not in form.text  # shown for not_affected only
    picked = sam.get(f"/vulnerabilities/{keys['numpy']}/triage?state=not_affected")
    assert 'name="justification"' in picked.text
    assert "vulnerable_code_not_in_execute_path" in picked.text

    before = database_state(web_spine)
    refused = sam.post(
        f"/vulnerabilities/{keys['numpy']}/triage",
        {"state": "not_affected", "expected_version": "1", "password": PASSWORD},
    )
    assert refused.status_code == 422
    assert "needs a VEX justification" in refused.text and "Not saved." in refused.text
    wrong = sam.post(
        f"/vulnerabilities/{keys['numpy']}/triage",
        {"state": "fixed", "detail": "Upgraded", "expected_version": "1", "password": "nope"},
    )
    assert wrong.status_code == 401 and "Not signed." in wrong.text
    assert 'value="fixed" selected' in wrong.text  # the choice is kept
    after = database_state(web_spine)
    assert (after["version"], after["signature"]) == (before["version"], before["signature"])

    done = sam.post(
        f"/vulnerabilities/{keys['numpy']}/triage",
        {
            "state": "not_affected",
            "justification": "vulnerable_code_not_in_execute_path",
            "detail": "We never call the affected function.",
            "patient_risk": "controlled",
            "expected_version": "1",
            "password": PASSWORD,
        },
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/records/{keys['numpy']}?done=signed#signatures"
    fields = web_spine.records.show(keys["numpy"]).version.fields
    assert (fields["triage_state"], fields["patient_risk"]) == ("not_affected", "controlled")
    shown = sam.get("/vulnerabilities?state=not_affected")
    assert keys["numpy"] in shown.text and "Sam Security (sam)" in shown.text

    viewer = signed_in("vic").get(f"/vulnerabilities/{keys['requests']}/triage")
    assert viewer.status_code == 403
    assert "You cannot triage this vulnerability" in viewer.text


def test_web_release_vex_upload_and_download(
    web_spine: Spine, signed_in: Callable[[str], Browser]
) -> None:
    keys = product(web_spine)
    sam = signed_in("sam")
    release = keys["release"]
    shown = sam.get(f"/releases/{release}/vex")
    assert shown.status_code == 200 and "PYSEC-2023-74" in shown.text
    vex = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "components": [
            {
                "type": "library",
                "bom-ref": "rq",
                "name": "requests",
                "purl": "pkg:pypi/requests@2.19.0",
            }
        ],
        "vulnerabilities": [
            {
                "id": "PYSEC-2023-74",
                "analysis": {"state": "exploitable", "detail": "Reachable through the uploader."},
                "recommendation": "Upgrade requests to 2.31.0.",
                "affects": [{"ref": "rq"}],
            },
            {"id": "CVE-2000-0001", "analysis": {"state": "resolved"}, "affects": [{"ref": "rq"}]},
        ],
    }
    upload = sam.post(
        f"/releases/{release}/vex",
        {"password": PASSWORD},
        files={"file": ("supplier.cdx.json", json.dumps(vex).encode(), "application/json")},
    )
    assert upload.status_code == 200, upload.text
    assert "1 signed triage decision(s)" in upload.text
    assert "no vulnerability of REL-1 is known by this id" in upload.text
    assert web_spine.records.show(keys["requests"]).version.fields["triage_state"] == "affected"
    bad = sam.post(
        f"/releases/{release}/vex",
        {"password": PASSWORD},
        files={"file": ("bad.json", b"{", "application/json")},
    )
    assert bad.status_code == 422 and "bad.json: not valid JSON" in bad.text
    download = sam.get(f"/releases/{release}/vex/export?format=cyclonedx")
    assert download.status_code == 200
    document = parse_vex(download.content, "REL-1.vex.cdx.json")
    assert {s.vulnerability: s.source_state for s in document.statements} == {
        "PYSEC-2023-74": "exploitable",
        "GHSA-numpy-0001": "in_triage",
    }
