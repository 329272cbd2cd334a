"""The vulnerability database through the API (/api/v1/vulndb: import an uploaded archive,
status, match) and the /vulndb page (status, upload, Match per release, the report)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qspine import Spine

from .web_helpers import Browser
from helpers import PASSWORD, SHARED_DATA

PREVIEWER = SHARED_DATA / "osv-pypa-advisory-database/vulns/invenio-previewer/PYSEC-2019-26.yaml"

pytestmark = pytest.mark.skipif(
    not PREVIEWER.exists(), reason=f"the shared data folder {SHARED_DATA} is absent"
)


def bearer(spine: Spine, username: str) -> dict[str, str]:
    secret, _ = spine.access.create_token(username, f"test token for {username}")
    return {"Authorization": f"Bearer {secret}"}


def error(response: Any, status: int, code: str, text: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["code"] == code and text in body["message"], body


def archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        zipped.writestr("PyPI/PYSEC-2019-26.yaml", PREVIEWER.read_bytes())
    return buffer.getvalue()


def release_with_sbom(spine: Spine) -> str:
    spine.users.add("ada", "sam", "Sam Security", PASSWORD, ["security_engineer"])
    key = spine.records.create(
        "sam",
        "release",
        {"title": "A 1", "version_label": "1", "product": "A", "security_owner": "sam"},
    ).key
    purl = "pkg:pypi/invenio-previewer@1.0.0a11"
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "components": [
            {
                "type": "library",
                "bom-ref": purl,
                "name": "invenio-previewer",
                "version": "1.0.0a11",
                "purl": purl,
            }
        ],
    }
    spine.sbom.import_bytes("sam", json.dumps(document).encode(), "bom.json", key)
    return key


def test_api_import_status_and_match(web_spine: Spine, client: TestClient) -> None:
    key = release_with_sbom(web_spine)
    headers = bearer(web_spine, "sam")
    upload = client.post(
        "/api/v1/vulndb/import",
        headers=headers,
        files={"file": ("PyPI.zip", archive(), "application/zip")},
    )
    assert upload.status_code == 200, upload.text
    assert (upload.json()["source"], upload.json()["new"]) == ("PyPI", 1)
    status = client.get("/api/v1/vulndb/status", headers=bearer(web_spine, "vic")).json()
    assert status["advisories"] == 1 and status["ecosystems"][0]["ecosystem"] == "PyPI"
    assert [r["key"] for r in status["releases"]] == [key]
    matched = client.post(f"/api/v1/vulndb/match?release={key}", headers=headers)
    assert matched.status_code == 200, matched.text
    body = matched.json()
    assert [v["identifier"] for v in body["new_vulnerabilities"]] == ["CVE-2019-1020019"]
    assert body["summary"]["new_links"] == 2  # the component and the release
    bad = client.post(
        "/api/v1/vulndb/import",
        headers=headers,
        files={"file": ("notes.txt", b"hello", "text/plain")},
    )
    error(bad, 422, "invalid_input", "notes.txt: upload a ZIP archive")
    viewer = client.post(f"/api/v1/vulndb/match?release={key}", headers=bearer(web_spine, "vic"))
    error(viewer, 403, "forbidden", "lacks write:vulnerability")


def test_page_upload_match_and_report(
    web_spine: Spine, signed_in: Callable[[str], Browser]
) -> None:
    key = release_with_sbom(web_spine)
    sam = signed_in("sam")
    empty = sam.get("/vulndb")
    assert empty.status_code == 200 and "No advisories yet" in empty.text
    uploaded = sam.post(
        "/vulndb/import", files={"file": ("PyPI.zip", archive(), "application/zip")}
    )
    assert uploaded.status_code == 200, uploaded.text
    assert "1 record(s): 1 new, 0 updated, 0 unchanged" in uploaded.text
    assert f"Match {key}" in uploaded.text
    matched = sam.post("/vulndb/match", {"release": key})
    assert matched.status_code == 200, matched.text
    assert 'class="new-vulnerability"' in matched.text
    vulnerability = web_spine.records.list("vulnerability")[1][0].key
    assert f'href="/records/{vulnerability}"' in matched.text
    page = sam.get("/vulndb")
    assert "Last match" in page.text and f'href="/records/{vulnerability}"' in page.text
    twin = sam.get("/vulndb?format=json").json()
    assert twin["status"]["last_match"]["payload"]["new_vulnerabilities"] == [vulnerability]
    refused = signed_in("vic").post("/vulndb/match", {"release": key})
    assert refused.status_code == 403 and "lacks write:vulnerability" in refused.text
    forged = sam.post("/vulndb/match", {"release": key, "csrf_token": "forged"})
    assert forged.status_code == 403
