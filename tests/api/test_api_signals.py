"""GET /api/v1/signals/{key}: the CytoAssist demo's complaints followed hop by hop (now and as
of), the same chain the service returns, and the error paths."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qspine import Spine, open_spine
from qspine.app import create_app
from qspine.cli.output import jsonable

from helpers import DemoTemplate, demo_copy, settings_for

Api = tuple[TestClient, dict[str, str], Spine]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, demo_template: DemoTemplate) -> Iterator[Api]:
    """The demo, seeded once for the module (read-only tests), and dana's bearer token."""
    folder: Path = tmp_path_factory.mktemp("signal-api")
    url = demo_copy(demo_template, folder)
    spine = open_spine(url, settings=settings_for(url, folder))
    secret, _ = spine.access.create_token("dana", "signals")
    with TestClient(create_app(spine)) as client:
        yield client, {"Authorization": f"Bearer {secret}"}, spine
    spine.close()


def states(chain: dict[str, Any]) -> dict[str, str]:
    return {hop["step"]: hop["state"] for hop in chain["hops"]}


def found(chain: dict[str, Any], step: str) -> list[str]:
    return [r["key"] for hop in chain["hops"] if hop["step"] == step for r in hop["records"]]


def error(response: Any, status: int, code: str, text: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["code"] == code and text in body["message"], body


def test_follow_a_complaint_to_its_missing_release(api: Api) -> None:
    client, auth, spine = api
    response = client.get("/api/v1/signals/CMP-5", headers=auth)
    assert response.status_code == 200, response.text
    chain = response.json()
    assert (chain["key"], chain["kind"], chain["as_of"]) == ("CMP-5", "complaint", None)
    assert states(chain) == {
        "event": "ok",
        "investigation": "ok",
        "risk": "ok",
        "design_change": "partial",
        "verification": "partial",
        "release": "missing",
    }
    assert found(chain, "investigation") == ["CAPA-3"]
    assert found(chain, "risk") == ["HAZ-1", "HS-1", "RC-1", "HARM-1"]
    (change,) = [hop for hop in chain["hops"] if hop["step"] == "design_change"]
    assert change["findings"] == ["MV-2 v1: not revised since CR-2 was raised"]
    (mv,) = [r for r in change["records"] if r["key"] == "MV-2"]
    assert (mv["version"], mv["via"], mv["note"]) == (
        1,
        "CR-2 changes MV-2",
        "not revised since CR-2 was raised",
    )
    assert chain["complete"] is False
    assert [hop["step"] for hop in chain["broken"]] == ["design_change", "verification", "release"]
    assert chain == jsonable(spine.signals.follow(spine.users.get("dana"), "CMP-5"))


def test_an_uninvestigated_complaint_ends_the_chain(api: Api) -> None:
    client, auth, _ = api
    chain = client.get("/api/v1/signals/CMP-4", headers=auth).json()
    assert list(states(chain).values()) == ["ok", "missing", *["not_reached"] * 4]
    assert [hop["step"] for hop in chain["broken"]] == ["investigation"]
    assert chain["hops"][1]["findings"] == [
        "no CAPA addresses CMP-4, and it records no investigation or justification"
    ]


def test_as_of_a_past_instant(api: Api) -> None:
    client, auth, _ = api
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(microseconds=1)
    text = moment.isoformat().replace("+00:00", "Z")
    chain = client.get("/api/v1/signals/CMP-5", params={"as_of": text}, headers=auth).json()
    assert chain["as_of"] == text and states(chain)["release"] == "missing"


def test_errors(api: Api) -> None:
    client, auth, _ = api
    error(
        client.get("/api/v1/signals/REQ-1", headers=auth),
        422,
        "invalid_input",
        "REQ-1 is a requirement; follow a quality event",
    )
    error(client.get("/api/v1/signals/CMP-99", headers=auth), 404, "not_found", "no record CMP-99")
    error(
        client.get("/api/v1/signals/CMP-5?as_of=yesterday", headers=auth),
        422,
        "invalid_input",
        "as-of 'yesterday'",
    )
    error(
        client.get("/api/v1/signals/CMP-5?as_of=2999-01-01", headers=auth),
        422,
        "invalid_input",
        "'2999-01-01' is in the future",
    )
    error(
        client.get("/api/v1/signals/CMP-5?as_of=2020-01-01", headers=auth),
        404,
        "not_found",
        "CMP-5 did not exist yet",
    )
    error(client.get("/api/v1/signals/CMP-5"), 401, "authentication_failed", "authentication")


def test_documented_in_openapi(api: Api) -> None:
    client, _, _ = api
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/signals/{key}"]["get"]
    assert "as_of" in [p["name"] for p in operation["parameters"]]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/SignalChainOut")
