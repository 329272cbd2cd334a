"""The REST API: every route, its happy path and its error paths (401/403/404/409/422)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from qspine import Spine, load_profile
from qspine.app import create_app

from api_helpers import bearer, error
from helpers import PASSWORD, database_state, sample_fields

PROFILE = load_profile()


@pytest.fixture
def api(spine: Spine) -> Iterator[TestClient]:
    with TestClient(create_app(spine)) as client:
        yield client


def test_record_lifecycle_over_http(api: TestClient, spine: Spine) -> None:
    eve, quinn = bearer(spine, "eve"), bearer(spine, "quinn")
    created = api.post(
        "/api/v1/records",
        headers=eve,
        json={
            "kind": "requirement",
            "fields": sample_fields(PROFILE, "requirement", "Show likelihood"),
            "reason": "new input",
        },
    )
    assert created.status_code == 201 and created.json()["key"] == "REQ-1"
    test = api.post(
        "/api/v1/records",
        headers=eve,
        json={
            "kind": "test_case",
            "fields": sample_fields(PROFILE, "test_case", "Likelihood shown"),
        },
    )
    assert (
        api.post(
            "/api/v1/links",
            headers=eve,
            json={"type": "verifies", "source": test.json()["key"], "target": "REQ-1"},
        ).status_code
        == 201
    )
    moved = api.post(
        "/api/v1/records/REQ-1/transitions",
        headers=eve,
        json={"to": "in_review", "expected_version": 1},
    )
    assert moved.json()["status"] == "in_review"
    signed = api.post(
        "/api/v1/records/REQ-1/signatures",
        headers=quinn,
        json={"meaning": "approved", "password": PASSWORD, "expected_version": 1},
    )
    assert signed.status_code == 201
    assert signed.json()["manifestation"].startswith("Quinn Quality (quinn) — Approved — ")
    revised = api.post(
        "/api/v1/records/REQ-1/revisions",
        headers=eve,
        json={
            "changes": {"statement": "Show it with a 95% CI"},
            "expected_version": 1,
            "reason": "add CI",
        },
    )
    assert revised.status_code == 201 and revised.json()["version"]["number"] == 2
    api.post(
        "/api/v1/records/REQ-1/transitions",
        headers=eve,
        json={"to": "in_review", "expected_version": 2},
    )
    api.post(
        "/api/v1/records/REQ-1/signatures",
        headers=quinn,
        json={"meaning": "approved", "password": PASSWORD, "expected_version": 2},
    )
    suspect = api.get("/api/v1/links/suspect", headers=eve).json()
    assert [(s["source"], s["target"]) for s in suspect] == [("TC-1", "REQ-1")]
    confirmed = api.post(
        "/api/v1/links/confirm",
        headers=eve,
        json={"type": "verifies", "source": "TC-1", "target": "REQ-1", "reason": "still covers"},
    )
    assert confirmed.json()["suspect"] is False
    links = api.get("/api/v1/records/REQ-1/links", headers=eve).json()
    assert [x["source"] for x in links["in"]] == ["TC-1"] and links["out"] == []
    assert [v["status"] for v in api.get("/api/v1/records/REQ-1/versions", headers=eve).json()] == [
        "superseded",
        "approved",
    ]
    diff = api.get("/api/v1/records/REQ-1/diff?from=1&to=2", headers=eve).json()
    assert [c["field"] for c in diff] == ["statement"]
    page = api.get("/api/v1/records?kind=requirement&q=likelihood", headers=eve).json()
    assert page["total"] == 1 and page["records"][0]["status"] == "approved"
    assert api.get("/api/v1/records?where=category=nonexistent", headers=eve).json()["total"] == 0
    removed = api.post(
        "/api/v1/links/remove",
        headers=eve,
        json={"type": "verifies", "source": "TC-1", "target": "REQ-1", "reason": "wrong test"},
    )
    assert removed.json()["removed_at"] is not None
    shown = api.get("/api/v1/records/REQ-1", headers=eve).json()
    assert shown["signatures"][0]["valid"] and shown["links_in"] == []


def test_audit_status_profile_and_roles(api: TestClient, spine: Spine) -> None:
    vic = bearer(spine, "vic")
    log = api.get("/api/v1/audit?limit=5", headers=vic).json()
    assert len(log) == 5 and log[0]["seq"] > log[-1]["seq"]
    assert api.get("/api/v1/audit?subject=user:eve", headers=vic).json()[-1]["action"] == (
        "user.create"
    )
    verify = api.get("/api/v1/audit/verify", headers=vic).json()
    assert verify["intact"] is True and verify["events_checked"] > 0
    assert api.get("/api/v1/status", headers=vic).json()["users"] == 4
    assert "requirement" in api.get("/api/v1/profile", headers=vic).json()["kinds"]
    assert {r["name"] for r in api.get("/api/v1/roles", headers=vic).json()} >= {"admin"}


def test_users_and_tokens(api: TestClient, spine: Spine) -> None:
    ada, eve = bearer(spine, "ada"), bearer(spine, "eve")
    assert [u["username"] for u in api.get("/api/v1/users", headers=ada).json()] == [
        "ada",
        "eve",
        "quinn",
        "vic",
    ]
    made = api.post(
        "/api/v1/users",
        headers=ada,
        json={
            "username": "zoe",
            "full_name": "Zoe Zhang",
            "password": PASSWORD,
            "roles": ["viewer"],
        },
    )
    assert made.status_code == 201
    roles = api.put(
        "/api/v1/users/zoe/roles",
        headers=ada,
        json={"roles": ["auditor"], "reason": "internal audit"},
    )
    assert roles.json()["roles"] == ["auditor"]
    off = api.put("/api/v1/users/zoe/active", headers=ada, json={"active": False, "reason": "left"})
    assert off.json()["active"] is False
    created = api.post("/api/v1/tokens", headers=eve, json={"name": "CI", "days": 30})
    assert created.status_code == 201 and created.json()["token"].startswith("qsp_")
    fresh = {"Authorization": f"Bearer {created.json()['token']}"}
    assert api.get("/api/v1/status", headers=fresh).status_code == 200
    mine = api.get("/api/v1/tokens", headers=eve).json()
    assert {t["name"] for t in mine} == {"test token for eve", "CI"}
    assert all("token_hash" not in t and len(t["prefix"]) == 10 for t in mine)
    revoked = api.delete(f"/api/v1/tokens/{created.json()['info']['id']}", headers=eve)
    assert revoked.json()["revoked_at"] is not None
    error(api.get("/api/v1/status", headers=fresh), 401, "authentication_failed", "revoked")


def test_authentication_errors(api: TestClient, spine: Spine) -> None:
    error(api.get("/api/v1/records"), 401, "authentication_failed", "Bearer")
    error(
        api.get("/api/v1/records", headers={"Authorization": "Bearer qsp_nope"}),
        401,
        "authentication_failed",
        "invalid",
    )
    assert api.get("/api/v1/records").headers["www-authenticate"] == "Bearer"


def test_permission_errors_change_nothing(api: TestClient, spine: Spine) -> None:
    vic, eve = bearer(spine, "vic"), bearer(spine, "eve")
    before = database_state(spine)
    error(
        api.post(
            "/api/v1/records",
            headers=vic,
            json={"kind": "requirement", "fields": sample_fields(PROFILE, "requirement")},
        ),
        403,
        "forbidden",
        "lacks write:requirement",
    )
    error(api.get("/api/v1/users", headers=eve), 403, "forbidden", "lacks admin")
    error(
        api.post(
            "/api/v1/users",
            headers=eve,
            json={"username": "mal", "full_name": "Mal", "password": PASSWORD},
        ),
        403,
        "forbidden",
    )
    after = database_state(spine)
    assert {k: v for k, v in after.items() if k != "head"} == {
        k: v for k, v in before.items() if k != "head"
    }


def test_not_found_conflict_and_invalid_input(api: TestClient, spine: Spine) -> None:
    eve, quinn = bearer(spine, "eve"), bearer(spine, "quinn")
    error(api.get("/api/v1/records/REQ-404", headers=eve), 404, "not_found", "REQ-404")
    error(api.delete("/api/v1/tokens/999", headers=eve), 404, "not_found")
    error(
        api.post(
            "/api/v1/records",
            headers=eve,
            json={"kind": "requirement", "fields": {"title": "no statement"}},
        ),
        422,
        "invalid_input",
        "'statement' is required",
    )
    error(
        api.post("/api/v1/records", headers=eve, json={"kind": "requirement"}),
        422,
        "invalid_request",
        "body.fields",
    )
    error(
        api.post("/api/v1/records", headers=eve, json={"kind": "x", "fields": {}, "extra": 1}),
        422,
        "invalid_request",
        "body.extra",
    )
    spine.records.create("eve", "requirement", sample_fields(PROFILE, "requirement"))
    error(
        api.post(
            "/api/v1/records/REQ-1/revisions",
            headers=eve,
            json={"changes": {"title": "x"}, "expected_version": 7, "reason": "stale"},
        ),
        409,
        "conflict",
        "you acted on v7",
    )
    error(
        api.post(
            "/api/v1/records/REQ-1/transitions",
            headers=eve,
            json={"to": "approved", "expected_version": 1},
        ),
        422,
        "invalid_input",
        "no transition",
    )
    api.post(
        "/api/v1/records/REQ-1/transitions",
        headers=eve,
        json={"to": "in_review", "expected_version": 1},
    )
    error(
        api.post(
            "/api/v1/records/REQ-1/transitions",
            headers=eve,
            json={"to": "approved", "expected_version": 1},
        ),
        403,
        "forbidden",
        "requires",
    )
    error(
        api.post(
            "/api/v1/records/REQ-1/signatures",
            headers=quinn,
            json={"meaning": "approved", "password": "wrong password", "expected_version": 1},
        ),
        401,
        "authentication_failed",
    )
    assert api.get("/api/v1/records/REQ-1", headers=eve).json()["signatures"] == []
    error(
        api.post(
            "/api/v1/links",
            headers=eve,
            json={"type": "verifies", "source": "REQ-1", "target": "REQ-1"},
        ),
        422,
        "invalid_input",
    )
    error(api.get("/api/v1/records?limit=0", headers=eve), 422, "invalid_request", "limit")
    error(api.get("/api/v1/records?where=bogus", headers=eve), 422, "invalid_request", "where")


def test_cookie_session_reads_but_cannot_write_without_csrf(api: TestClient, spine: Spine) -> None:
    secret, _ = spine.access.login("eve", PASSWORD)
    api.cookies.set("qspine_session", secret)
    assert api.get("/api/v1/status").status_code == 200
    error(
        api.post("/api/v1/records", json={"kind": "requirement", "fields": {}}),
        401,
        "authentication_failed",
    )


def test_openapi_document(api: TestClient) -> None:
    spec = api.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "QSpine"
    assert "/api/v1/records/{key}/signatures" in spec["paths"]
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
