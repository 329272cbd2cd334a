"""GET /api/v1/complaints/trend: the counts table, the rising flag, quarters, the default
period, and the error paths (401, 403, 422)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qspine import Spine
from qspine.app import create_app
from qspine.cli.output import jsonable
from qspine.services.trending import TrendService

from api_helpers import bearer, error
from helpers import PASSWORD, Clock

URL = "/api/v1/complaints/trend"
JAN_TO_APR = {"from": "2026-01-01", "to": "2026-04-30"}
# (awareness date, device name); None leaves the device out.
COMPLAINTS = [
    ("2026-01-10", "CytoAssist"),
    ("2026-02-10", "CytoAssist"),
    ("2026-03-10", "Reader X"),
    ("2026-04-02", "ScanPad"),
    ("2026-04-03", "ScanPad"),
    ("2026-04-04", "ScanPad"),
    ("2026-04-05", None),
    ("2026-04-06", "ScanPad"),  # cancelled below
]


@pytest.fixture
def api(spine: Spine) -> Iterator[TestClient]:
    spine.context.clock = Clock()  # today is 2026-03-02
    for awareness, device in COMPLAINTS:
        fields: dict[str, Any] = {
            "title": f"Complaint aware {awareness}",
            "awareness_date": awareness,
            "description": "As reported.",
            "failure_mode": "display freeze",
        }
        if device is not None:
            fields["device_name"] = device
        spine.records.create("quinn", "complaint", fields)
    spine.signing.sign("ada", PASSWORD, "CMP-8", "approved", 1, "raised in error")
    with TestClient(create_app(spine)) as client:
        yield client


def table(body: dict[str, Any]) -> dict[str, list[int]]:
    return {row["value"]: row["counts"] for row in body["rows"]}


def test_trend_by_product_per_month(api: TestClient, spine: Spine) -> None:
    response = api.get(URL, params=JAN_TO_APR, headers=bearer(spine, "vic"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["start"], body["end"], body["by"], body["bucket"]) == (
        "2026-01-01",
        "2026-04-30",
        "product",
        "month",
    )
    assert [b["label"] for b in body["buckets"]] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert body["buckets"][0] == {"label": "2026-01", "start": "2026-01-01", "end": "2026-01-31"}
    assert table(body) == {
        "ScanPad": [0, 0, 0, 3],
        "CytoAssist": [1, 1, 0, 0],
        "Reader X": [0, 0, 1, 0],
        "(not recorded)": [0, 0, 0, 1],
    }
    assert body["bucket_totals"] == [1, 1, 1, 4] and body["total"] == 7
    assert body["rising"] == ["ScanPad"]
    scanpad = body["rows"][0]
    assert scanpad["rising"] and scanpad["last"] == 3 and scanpad["previous_mean"] == 0.0
    assert body["rows"][1]["previous_mean"] == pytest.approx(2 / 3)


def test_the_body_is_the_service_result(api: TestClient, spine: Spine) -> None:
    vic = spine.users.get("vic")
    trend = TrendService(spine.context, spine.users).complaints(
        vic, dt.date(2026, 1, 1), dt.date(2026, 4, 1)
    )
    response = api.get(
        URL, params={"from": "2026-01-01", "to": "2026-04-01"}, headers=bearer(spine, "vic")
    )
    assert response.json() == json.loads(json.dumps(jsonable(trend), default=dt.date.isoformat))


def test_by_failure_mode_per_quarter(api: TestClient, spine: Spine) -> None:
    response = api.get(
        URL,
        params={**JAN_TO_APR, "by": "failure_mode", "bucket": "quarter"},
        headers=bearer(spine, "vic"),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [b["label"] for b in body["buckets"]] == ["2026-Q1", "2026-Q2"]
    assert body["buckets"][1] == {"label": "2026-Q2", "start": "2026-04-01", "end": "2026-04-30"}
    assert table(body) == {"display freeze": [3, 4]}
    assert body["rising"] == [], "4 is not 2 x 3"


def test_the_default_period_is_the_last_twelve_months(api: TestClient, spine: Spine) -> None:
    body = api.get(URL, headers=bearer(spine, "vic")).json()
    assert (body["start"], body["end"]) == ("2025-04-01", "2026-03-02")
    assert len(body["buckets"]) == 12 and body["total"] == 2, "CMP-3 is aware after today"


def test_errors(api: TestClient, spine: Spine) -> None:
    vic = bearer(spine, "vic")
    error(api.get(URL, params=JAN_TO_APR), 401, "authentication_failed")
    error(
        api.get(URL, params={"from": "2026-05-01", "to": "2026-01-01"}, headers=vic),
        422,
        "invalid_input",
        "from: 2026-05-01 is after to 2026-01-01",
    )
    error(
        api.get(URL, params={"from": "2016-01-01", "to": "2026-01-01"}, headers=vic),
        422,
        "invalid_input",
        "to: 2026-01-01 is 10 years or more after from 2016-01-01",
    )
    error(api.get(URL, params={"by": "site"}, headers=vic), 422, "invalid_request", "query.by")
    error(
        api.get(URL, params={"bucket": "week"}, headers=vic), 422, "invalid_request", "query.bucket"
    )
    error(
        api.get(URL, params={"from": "2026-13-01"}, headers=vic),
        422,
        "invalid_request",
        "query.from",
    )


def test_reading_needs_the_read_permission(api: TestClient, spine: Spine) -> None:
    spine.users.add("ada", "nora", "Nora Former", PASSWORD, ["viewer"])
    nora = bearer(spine, "nora")
    spine.users.set_roles("ada", "nora", [], "left the company")
    error(api.get(URL, params=JAN_TO_APR, headers=nora), 403, "forbidden", "lacks read")


def test_listed_in_the_openapi_document(api: TestClient) -> None:
    document = api.get("/api/v1/openapi.json").json()
    operation = document["paths"][URL]["get"]
    assert operation["tags"] == ["quality events"]
    assert {p["name"] for p in operation["parameters"]} == {"from", "to", "by", "bucket"}
