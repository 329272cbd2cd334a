"""The management review preparation page: the twelve inputs with their counts and record
links, the default period, the JSON twin, refused periods kept in the form, and the button
that opens the review record (CSRF-checked, refused for readers)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from qspine import Spine
from qspine.app import create_app
from qspine.model.review import INPUTS

from .web_helpers import Browser, login
from helpers import PASSWORD, Clock, database_state, sample_fields

PERIOD = "start=2026-01-01&end=2026-06-30"


def review_app(spine: Spine) -> FastAPI:
    return create_app(spine)


def create(spine: Spine, kind: str, title: str, **fields: Any) -> str:
    values = {**sample_fields(spine.profile, kind, title), **fields}
    return spine.records.create("quinn", kind, values).key


@pytest.fixture
def reviewed(web_spine: Spine) -> Spine:
    """MR-1 (second half of 2025) with ACT-1 open and overdue; CMP-1 aware in March 2026."""
    clock = Clock(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC))
    web_spine.context.clock = clock
    create(
        web_spine, "management_review", "MR H2", period_start="2025-07-01", period_end="2025-12-31"
    )
    create(web_spine, "action", "Fix <it>", owner="quinn", due_date="2026-03-01")
    web_spine.links.link("quinn", "action_of", "ACT-1", "MR-1")
    create(web_spine, "complaint", "Screen froze", awareness_date="2026-03-01", mdr_reportable="no")
    clock.now = dt.datetime(2026, 7, 10, 9, tzinfo=dt.UTC)
    return web_spine


@pytest.fixture
def browser(reviewed: Spine) -> Iterator[Callable[[str], Browser]]:
    app = review_app(reviewed)
    clients: list[TestClient] = []

    def open_as(username: str) -> Browser:
        client = TestClient(app)
        clients.append(client)
        return Browser(client, login(client, username, PASSWORD))

    yield open_as
    for client in clients:
        client.close()


def test_the_inputs_with_counts_and_record_links(browser: Callable[[str], Browser]) -> None:
    quinn = browser("quinn")
    response = quinn.get(f"/reviews/prepare?{PERIOD}")
    assert response.status_code == 200, response.text
    html = response.text
    headings = re.findall(r'<h2 id="input-([a-l])-h">([^<]+)</h2>', html)
    assert headings == [(letter, f"{letter}) {title}") for letter, title in INPUTS]
    assert 'follows up <a class="key" href="/records/MR-1">MR-1</a> MR H2' in html
    assert '<a class="key" href="/records/CMP-1">CMP-1</a>' in html
    assert '<a class="key" href="/records/ACT-1">ACT-1</a>' in html
    assert "Fix &lt;it&gt;" in html, "titles are escaped"
    assert "1 complaint received; 0 closed in the period; 1 open at period end." in html
    assert "No record kind of the profile holds recommendations for improvement" in html
    assert 'action="/reviews"' in html and 'name="csrf_token"' in html
    assert 'name="start" value="2026-01-01"' in html and 'name="end" value="2026-06-30"' in html


def test_json_twin_and_default_period(browser: Callable[[str], Browser]) -> None:
    vic = browser("vic")
    twin = vic.get(f"/reviews/prepare?{PERIOD}&format=json")
    assert twin.status_code == 200
    body = twin.json()
    assert body["can_create"] is False and body["form"]["error"] == ""
    inputs = body["inputs"]
    assert (inputs["start"], inputs["end"]) == ("2026-01-01", "2026-06-30")
    assert inputs["previous_review"]["key"] == "MR-1"
    (follow_up,) = [s for s in inputs["sections"] if s["letter"] == "i"]
    assert {f["name"]: f["value"] for f in follow_up["figures"]} == {
        "actions": 1,
        "closed": 0,
        "open": 1,
        "overdue": 1,
        "cancelled": 0,
    }
    assert 'action="/reviews"' not in vic.get(f"/reviews/prepare?{PERIOD}").text
    default = vic.get("/reviews/prepare?format=json").json()["inputs"]
    assert (default["start"], default["end"]) == ("2026-01-01", "2026-06-30")


def test_a_refused_period_stays_in_the_form(browser: Callable[[str], Browser]) -> None:
    quinn = browser("quinn")
    backwards = quinn.get("/reviews/prepare?start=2026-07-01&end=2026-06-30")
    assert backwards.status_code == 422
    assert "review period: start 2026-07-01 is after end 2026-06-30" in backwards.text
    assert 'value="2026-07-01"' in backwards.text and "a) Feedback" not in backwards.text
    broken = quinn.get("/reviews/prepare?start=soon&end=2026-06-30&format=json")
    assert broken.status_code == 422
    assert broken.json()["form"]["error"] == "start: 'soon' is not a date (YYYY-MM-DD)"
    assert broken.json()["inputs"] is None


def test_the_button_opens_the_review_record(
    browser: Callable[[str], Browser], reviewed: Spine
) -> None:
    quinn = browser("quinn")
    made = quinn.post("/reviews", {"start": "2026-01-01", "end": "2026-06-30", "title": ""})
    assert made.status_code == 303, made.text
    assert made.headers["location"] == "/records/MR-2?done=created"
    record = reviewed.records.show("MR-2")
    assert record.title == "Management review 2026-01-01 to 2026-06-30"
    assert (
        "### i) Follow-up actions from previous management reviews"
        in (record.version.fields["inputs_summary"])
    )
    outgoing, _ = reviewed.links.of("MR-2")
    assert [(x.type, x.target) for x in outgoing] == [("follows_up", "MR-1")]
    page = quinn.get(made.headers["location"])
    assert page.status_code == 200 and "Record created." in page.text


def test_refused_creations_write_nothing(
    browser: Callable[[str], Browser], reviewed: Spine
) -> None:
    before = database_state(reviewed)
    quinn, vic = browser("quinn"), browser("vic")
    forged = quinn.post(
        "/reviews", {**dict(start="2026-01-01", end="2026-06-30"), "csrf_token": "x"}
    )
    assert forged.status_code == 403
    reader = vic.post("/reviews", {"start": "2026-01-01", "end": "2026-06-30"})
    assert reader.status_code == 403 and 'role="alert"' in reader.text
    too_long = quinn.post("/reviews", {"start": "2020-01-01", "end": "2026-06-30"})
    assert too_long.status_code == 422 and "longer than 3 years" in too_long.text
    assert 'value="2020-01-01"' in too_long.text
    after = database_state(reviewed)
    # Signing in writes sessions and audit events; no record, version or link is added.
    assert after["records"] == before["records"] and after["link"] == before["link"]
