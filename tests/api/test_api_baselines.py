"""/api/v1/baselines: create, list, show, approve (sign), compare and preview, and their errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qspine import Spine, load_profile
from qspine.app import create_app
from qspine.model.asof import stamp

from api_helpers import bearer, error
from helpers import PASSWORD, Clock, approve, database_state, sample_fields

PROFILE = load_profile()


@pytest.fixture
def api(spine: Spine) -> Iterator[TestClient]:
    """REQ-1 and REQ-2 approved at v1, TC-1 never released; the clock is controlled."""
    spine.context.clock = Clock()
    for kind, title in [
        ("requirement", "Flag within 2 s"),
        ("requirement", "Log every result"),
        ("test_case", "Timing test"),
    ]:
        spine.records.create("quinn", kind, sample_fields(PROFILE, kind, title))
    approve(spine, "REQ-1", 1)
    approve(spine, "REQ-2", 1)
    with TestClient(create_app(spine)) as client:
        yield client


def members(view: Any) -> list[tuple[str, int]]:
    return [(m["key"], m["version"]) for m in view["members"]]


def test_create_approve_show_and_compare(api: TestClient, spine: Spine) -> None:
    quinn, ada, vic = bearer(spine, "quinn"), bearer(spine, "ada"), bearer(spine, "vic")
    made = api.post(
        "/api/v1/baselines",
        headers=quinn,
        json={
            "title": "Design baseline 1",
            "kinds": ["requirement"],
            "description": "Design review 1",
            "reason": "DR1",
        },
    )
    assert made.status_code == 201, made.text
    first = made.json()
    assert (first["key"], first["status"], first["intact"]) == ("BL-1", "draft", True)
    assert members(first) == [("REQ-1", 1), ("REQ-2", 1)] and first["member_count"] == 2
    assert (first["created_by"], first["description"]) == ("quinn", "Design review 1")
    listed = api.get("/api/v1/baselines", headers=vic).json()
    assert [(b["key"], b["status"], b["title"]) for b in listed] == [
        ("BL-1", "draft", "Design baseline 1")
    ]
    signed = api.post(
        "/api/v1/records/BL-1/signatures",
        headers=ada,
        json={"meaning": "approved", "password": PASSWORD, "expected_version": 1},
    )
    assert signed.status_code == 201, signed.text
    shown = api.get("/api/v1/baselines/BL-1", headers=vic).json()
    assert shown["status"] == "approved" and shown["signatures"][0]["valid"] is True
    then = api.get(
        "/api/v1/baselines/BL-1", headers=vic, params={"as_of": first["created_at"]}
    ).json()
    assert (then["status"], then["signatures"], then["as_of"]) == ("draft", [], first["created_at"])
    assert shown["signatures"][0]["manifestation"].startswith("Ada Lovelace (ada) — Approved")
    assert shown["manifest"] == first["manifest"]
    after_first = spine.context.clock.mark()  # type: ignore[attr-defined]

    spine.records.revise("quinn", "REQ-1", {"title": "Flag within 1 s"}, 1, "tighter")
    approve(spine, "REQ-1", 2)
    now = api.get("/api/v1/baselines/BL-1/compare", headers=vic).json()
    assert now["right"] == "now"
    assert (now["added"], now["removed"], now["changed"], now["unchanged"]) == (0, 0, 1, 1)
    (change,) = now["changes"]
    assert (change["key"], change["change"], change["before"], change["after"]) == (
        "REQ-1",
        "changed",
        1,
        2,
    )
    assert [(f["field"], f["before"], f["after"]) for f in change["fields"]] == [
        ("title", "Flag within 2 s", "Flag within 1 s")
    ]
    then = api.get(
        "/api/v1/baselines/BL-1/compare", headers=vic, params={"as_of": stamp(after_first)}
    ).json()
    assert then["changes"] == [] and then["unchanged"] == 2
    assert then["right"] == f"as of {stamp(after_first)}"

    retro = api.post(
        "/api/v1/baselines",
        headers=quinn,
        json={"title": "As reviewed", "kinds": ["requirement"], "as_of": stamp(after_first)},
    ).json()
    assert members(retro) == [("REQ-1", 1), ("REQ-2", 1)] and retro["key"] == "BL-2"
    assert dt.datetime.fromisoformat(retro["taken_at"]) == after_first
    current = api.post(
        "/api/v1/baselines", headers=quinn, json={"title": "Current", "keys": ["REQ-1"]}
    ).json()
    assert members(current) == [("REQ-1", 2)]
    against = api.get("/api/v1/baselines/BL-2/compare?with=BL-3", headers=vic).json()
    assert against["right"] == "BL-3 (Current)"
    assert [(c["key"], c["change"]) for c in against["changes"]] == [
        ("REQ-1", "changed"),
        ("REQ-2", "removed"),
    ]


def test_preview_saves_nothing(api: TestClient, spine: Spine) -> None:
    vic = bearer(spine, "vic")
    before = database_state(spine)
    preview = api.get(
        "/api/v1/baselines/preview?kinds=requirement&kinds=test_case", headers=vic
    ).json()
    assert preview["key"] is None and preview["skipped"] == ["TC-1"]
    assert members(preview) == [("REQ-1", 1), ("REQ-2", 1)]
    assert preview["kinds"] == ["requirement", "test_case"]
    by_key = api.get("/api/v1/baselines/preview?keys=REQ-2", headers=vic).json()
    assert members(by_key) == [("REQ-2", 1)]
    assert database_state(spine) == before
    assert api.get("/api/v1/baselines", headers=vic).json() == []


def test_baseline_errors(api: TestClient, spine: Spine) -> None:
    quinn, vic = bearer(spine, "quinn"), bearer(spine, "vic")
    post = "/api/v1/baselines"
    error(api.post(post, headers=quinn, json={"title": "x"}), 422, "invalid_input", "name kinds")
    error(
        api.post(post, headers=quinn, json={"title": "x", "keys": ["TC-1"]}),
        422,
        "invalid_input",
        "TC-1 had no released version",
    )
    error(
        api.post(
            post, headers=quinn, json={"title": "x", "kinds": ["requirement"], "as_of": "soon"}
        ),
        422,
        "invalid_input",
        "as-of 'soon'",
    )
    error(
        api.post(post, headers=quinn, json={"title": "x", "kinds": ["requirement"], "colour": 1}),
        422,
        "invalid_request",
        "colour",
    )
    error(
        api.post(post, headers=vic, json={"title": "x", "kinds": ["requirement"]}), 403, "forbidden"
    )
    error(api.get(post), 401, "authentication_failed")
    error(api.get(f"{post}/REQ-1", headers=vic), 404, "not_found", "not a baseline")
    error(api.get(f"{post}/BL-9", headers=vic), 404, "not_found", "BL-9")
    error(api.get(f"{post}/preview", headers=vic), 422, "invalid_input", "name kinds")
    error(
        api.get(f"{post}/preview?kinds=requirement&as_of=2999-01-01", headers=vic),
        422,
        "invalid_input",
        "'2999-01-01' is in the future",
    )
    assert api.post(post, headers=quinn, json={"title": "B", "keys": ["REQ-1"]}).status_code == 201
    error(
        api.get(f"{post}/BL-1/compare?with=BL-1&as_of=2026-03-01", headers=vic),
        422,
        "invalid_input",
        "not both",
    )
    error(api.get(f"{post}/BL-1/compare?with=REQ-2", headers=vic), 404, "not_found", "REQ-2")
