"""/api/v1/reviews: the management review inputs of a period, the review record it opens
(following up the previous one), and the refusals, each in the one error shape."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from qspine import Spine, load_profile
from qspine.app import create_app
from qspine.cli.output import jsonable
from qspine.services.review import ReviewService

from api_helpers import bearer, error
from helpers import PASSWORD, Clock, database_state, sample_fields

PROFILE = load_profile()
PERIOD = {"start": "2026-01-01", "end": "2026-06-30"}


def review_app(spine: Spine) -> FastAPI:
    return create_app(spine)


def create(spine: Spine, kind: str, title: str, **fields: Any) -> str:
    values = {**sample_fields(PROFILE, kind, title), **fields}
    return spine.records.create("quinn", kind, values).key


@pytest.fixture
def api(spine: Spine) -> Iterator[TestClient]:
    """MR-1 (the second half of 2025) with ACT-1 closed and ACT-2 open and overdue; CMP-1
    received in the period and CMP-2 after it."""
    clock = Clock(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC))
    spine.context.clock = clock
    create(spine, "management_review", "MR H2", period_start="2025-07-01", period_end="2025-12-31")
    for title, due in [("Done", "2026-02-01"), ("Late", "2026-03-01")]:
        done = (
            {"completed_on": "2026-01-31", "completion_evidence": "Done."}
            if title == "Done"
            else {}
        )
        key = create(spine, "action", title, owner="quinn", due_date=due, **done)
        spine.links.link("quinn", "action_of", key, "MR-1")
    clock.now = dt.datetime(2026, 2, 1, 9, tzinfo=dt.UTC)
    spine.records.transition("quinn", "ACT-1", "investigating", 1)
    spine.records.transition("quinn", "ACT-1", "pending_closure", 1)
    spine.signing.sign("ada", PASSWORD, "ACT-1", "closed", 1)
    for aware in ("2026-03-01", "2026-07-01"):
        create(spine, "complaint", f"Aware {aware}", awareness_date=aware, mdr_reportable="no")
    clock.now = dt.datetime(2026, 7, 10, 9, tzinfo=dt.UTC)
    with TestClient(review_app(spine)) as client:
        yield client


def figures(body: dict[str, Any], letter: str) -> dict[str, tuple[int, list[str]]]:
    (section,) = [s for s in body["sections"] if s["letter"] == letter]
    return {f["name"]: (f["value"], f["keys"]) for f in section["figures"]}


def test_inputs_of_a_period(api: TestClient, spine: Spine) -> None:
    response = api.get("/api/v1/reviews/inputs", params=PERIOD, headers=bearer(spine, "vic"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["start"], body["end"]) == ("2026-01-01", "2026-06-30")
    assert body["previous_review"] == {
        "key": "MR-1",
        "kind": "management_review",
        "title": "MR H2",
        "status": "open",
    }
    assert [s["letter"] for s in body["sections"]] == list("abcdefghijkl")
    assert figures(body, "b") == {
        "received": (1, ["CMP-1"]),
        "closed": (0, []),
        "open": (1, ["CMP-1"]),
    }
    assert figures(body, "i") == {
        "actions": (2, ["ACT-1", "ACT-2"]),
        "closed": (1, ["ACT-1"]),
        "open": (1, ["ACT-2"]),
        "overdue": (1, ["ACT-2"]),
        "cancelled": (0, []),
    }
    (follow_up,) = [s for s in body["sections"] if s["letter"] == "i"]
    assert follow_up["clause"] == "ISO 13485:2016 5.6.2 i)" and follow_up["source"] is True
    assert [r["key"] for r in follow_up["records"]] == ["ACT-1", "ACT-2", "MR-1"]
    (recommendations,) = [s for s in body["sections"] if s["letter"] == "k"]
    assert recommendations["source"] is False and recommendations["figures"] == []
    same = ReviewService(spine.context, spine.users, spine.records).prepare(
        spine.users.get("vic"), dt.date(2026, 1, 1), dt.date(2026, 6, 30)
    )
    assert body["sections"] == jsonable(same)["sections"], "the service's own shape"


def test_create_a_review_that_follows_up_the_previous_one(api: TestClient, spine: Spine) -> None:
    response = api.post(
        "/api/v1/reviews",
        json={**PERIOD, "title": "Management review H1 2026"},
        headers=bearer(spine, "quinn"),
    )
    assert response.status_code == 201, response.text
    assert response.json() == {"key": "MR-2"}
    made = spine.records.show("MR-2")
    assert made.title == "Management review H1 2026"
    fields = made.version.fields
    assert (fields["period_start"], fields["period_end"]) == ("2026-01-01", "2026-06-30")
    assert "### b) Complaint handling" in fields["inputs_summary"]
    assert "- Open and past their due date: 1 (ACT-2)" in fields["inputs_summary"]
    outgoing, _ = spine.links.of("MR-2")
    assert [(x.type, x.target) for x in outgoing] == [("follows_up", "MR-1")]
    untitled = api.post("/api/v1/reviews", json=PERIOD, headers=bearer(spine, "quinn"))
    assert spine.records.show(untitled.json()["key"]).title == (
        "Management review 2026-01-01 to 2026-06-30"
    )


def test_refusals(api: TestClient, spine: Spine) -> None:
    quinn, vic = bearer(spine, "quinn"), bearer(spine, "vic")
    before = database_state(spine)
    backwards = {"start": "2026-07-01", "end": "2026-06-30"}
    error(
        api.get("/api/v1/reviews/inputs", params=backwards, headers=vic),
        422,
        "invalid_input",
        "review period: start 2026-07-01 is after end 2026-06-30",
    )
    error(
        api.post(
            "/api/v1/reviews", json={"start": "2020-01-01", "end": "2026-06-30"}, headers=quinn
        ),
        422,
        "invalid_input",
        "longer than 3 years",
    )
    error(api.post("/api/v1/reviews", json=PERIOD, headers=vic), 403, "forbidden")
    error(
        api.get(
            "/api/v1/reviews/inputs",
            params={"start": "2026-13-01", "end": "2026-06-30"},
            headers=vic,
        ),
        422,
        "invalid_request",
        "start",
    )
    error(
        api.get("/api/v1/reviews/inputs", params={"start": "2026-01-01"}, headers=vic),
        422,
        "invalid_request",
        "end",
    )
    error(
        api.post("/api/v1/reviews", json={**PERIOD, "held_on": "x"}, headers=quinn),
        422,
        "invalid_request",
    )
    error(api.get("/api/v1/reviews/inputs", params=PERIOD), 401, "authentication_failed")
    assert database_state(spine) == before
