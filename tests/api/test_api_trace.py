"""/api/v1 traceability routes: trace and impact, with their error paths."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from qspine import NewLink, NewRecord, Spine, load_profile
from qspine.app import create_app

from helpers import sample_fields

PROFILE = load_profile()


@pytest.fixture
def api(spine: Spine) -> Iterator[tuple[TestClient, dict[str, str]]]:
    spine.records.create_many(
        "quinn",
        [
            NewRecord(kind, sample_fields(PROFILE, kind))
            for kind in ("user_need", "requirement", "test_case", "test_result")
        ],
    )
    spine.links.link_many(
        "quinn",
        [
            NewLink("derives_from", "REQ-1", "UN-1"),
            NewLink("verifies", "TC-1", "REQ-1"),
            NewLink("result_of", "TR-1", "TC-1"),
        ],
    )
    secret, _ = spine.access.create_token("vic", "read only")
    with TestClient(create_app(spine)) as client:
        yield client, {"Authorization": f"Bearer {secret}"}


def test_trace_both_ways(api: tuple[TestClient, dict[str, str]]) -> None:
    client, auth = api
    down = client.get("/api/v1/records/UN-1/trace", headers=auth).json()
    assert [(n["key"], n["depth"]) for n in down["nodes"]] == [
        ("UN-1", 0),
        ("REQ-1", 1),
        ("TC-1", 2),
        ("TR-1", 3),
    ]
    up = client.get("/api/v1/records/TR-1/trace?direction=up&depth=2", headers=auth).json()
    assert {n["key"] for n in up["nodes"]} == {"TR-1", "TC-1", "REQ-1"}
    typed = client.get("/api/v1/records/UN-1/trace?types=derives_from", headers=auth).json()
    assert {n["key"] for n in typed["nodes"]} == {"UN-1", "REQ-1"}


def test_impact(api: tuple[TestClient, dict[str, str]]) -> None:
    client, auth = api
    report = client.get("/api/v1/impact?keys=REQ-1", headers=auth).json()
    assert report["total"] == 2 and set(report["affected"]) == {"test_case", "test_result"}
    assert [(e["source"], e["type"]) for e in report["will_turn_suspect"]] == [("TC-1", "verifies")]


def test_trace_errors(api: tuple[TestClient, dict[str, str]]) -> None:
    client, auth = api
    assert client.get("/api/v1/records/REQ-9/trace", headers=auth).status_code == 404
    bad = client.get("/api/v1/records/REQ-1/trace?types=proves", headers=auth)
    assert bad.status_code == 422 and "proves" in bad.json()["error"]["message"]
    assert client.get("/api/v1/records/REQ-1/trace?depth=99", headers=auth).status_code == 422
    assert client.get("/api/v1/impact", headers=auth).status_code == 422
    assert client.get("/api/v1/impact?keys=REQ-1").status_code == 401


def test_matrices(api: tuple[TestClient, dict[str, str]]) -> None:
    client, auth = api
    listed = client.get("/api/v1/matrices", headers=auth).json()
    assert {m["name"] for m in listed} >= {"design_verification", "risk_controls"}
    built = client.get("/api/v1/matrices/design_verification", headers=auth).json()
    assert [[c and c["key"] for c in row["cells"]] for row in built["rows"]] == [
        ["UN-1", "REQ-1", "TC-1", "TR-1"]
    ]
    assert built["gaps"] == 0 and len(built["fingerprint"]) == 64
    csv_text = client.get("/api/v1/matrices/design_verification?format=csv", headers=auth)
    assert csv_text.headers["content-type"].startswith("text/csv")
    assert csv_text.text.splitlines()[1].startswith("UN-1 v1,")
    xlsx = client.get("/api/v1/matrices/design_verification?format=xlsx", headers=auth)
    assert xlsx.content[:2] == b"PK" and "attachment" in xlsx.headers["content-disposition"]
    assert client.get("/api/v1/matrices/nope", headers=auth).status_code == 404
    assert (
        client.get("/api/v1/matrices/design_verification?format=pdf", headers=auth).status_code
        == 422
    )
