"""/api/v1 as_of on the record, trace, impact and matrix routes; matrix filters and HTML.

A controllable clock dates every write, so the instants between steps are exact:

  before  nothing exists
  a       UN-1 <- REQ-1 (v1 approved, "Flag within 2 s") <- TC-1, TC-2 (verifies, stamped v1)
  now     REQ-1 v2 approved ("Flag within 1 s"): TC-2's link suspect; TC-1's link removed
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qspine import Spine, load_profile
from qspine.app import create_app
from qspine.model.asof import stamp

from api_helpers import bearer, error
from helpers import Clock, approve, sample_fields

PROFILE = load_profile()


@dataclass
class Story:
    client: TestClient
    auth: dict[str, str]
    before: str
    a: dt.datetime

    def get(self, path: str, **params: str) -> Any:
        response = self.client.get(path, headers=self.auth, params=params)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def story(spine: Spine) -> Iterator[Story]:
    clock = Clock()
    spine.context.clock = clock
    before = clock.mark()
    for kind, title in [
        ("user_need", "Triage"),
        ("requirement", "Flag within 2 s"),
        ("test_case", "Timing test"),
        ("test_case", "Soak test"),
    ]:
        spine.records.create("quinn", kind, sample_fields(PROFILE, kind, title))
    spine.links.link("quinn", "derives_from", "REQ-1", "UN-1")
    spine.links.link("quinn", "verifies", "TC-1", "REQ-1")
    spine.links.link("quinn", "verifies", "TC-2", "REQ-1")
    approve(spine, "REQ-1", 1)
    a = clock.mark()
    spine.records.revise("quinn", "REQ-1", {"title": "Flag within 1 s"}, 1, "tighter")
    approve(spine, "REQ-1", 2)
    spine.links.unlink("quinn", "verifies", "TC-1", "REQ-1", "timing test retired")
    with TestClient(create_app(spine)) as client:
        yield Story(client, bearer(spine, "vic"), stamp(before), a)


def instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_record_as_of_before_a_revision_has_the_old_title(story: Story) -> None:
    then = story.get("/api/v1/records/REQ-1", as_of=stamp(story.a))
    assert (then["title"], then["status"], instant(then["as_of"])) == (
        "Flag within 2 s",
        "approved",
        story.a,
    )
    assert then["version"]["number"] == 1
    assert [(x["source"], x["suspect"]) for x in then["links_in"]] == [
        ("TC-1", False),
        ("TC-2", False),
    ]
    assert then["next_transitions"] == []
    now = story.get("/api/v1/records/REQ-1")
    assert (now["title"], now["as_of"]) == ("Flag within 1 s", None)


def test_trace_and_impact_as_of_before_a_link_was_removed(story: Story) -> None:
    then = story.get("/api/v1/records/UN-1/trace", as_of=stamp(story.a))
    assert {n["key"] for n in then["nodes"]} == {"UN-1", "REQ-1", "TC-1", "TC-2"}
    assert instant(then["as_of"]) == story.a
    now = story.get("/api/v1/records/UN-1/trace")
    assert {n["key"] for n in now["nodes"]} == {"UN-1", "REQ-1", "TC-2"}
    assert now["as_of"] is None

    impact_then = story.get("/api/v1/impact", keys="REQ-1", as_of=stamp(story.a))
    assert {e["source"] for e in impact_then["will_turn_suspect"]} == {"TC-1", "TC-2"}
    assert impact_then["already_suspect"] == []
    impact_now = story.get("/api/v1/impact", keys="REQ-1")
    assert impact_now["will_turn_suspect"] == []
    assert [e["source"] for e in impact_now["already_suspect"]] == ["TC-2"]


def keys_of(matrix: Any) -> set[tuple[str | None, ...]]:
    return {tuple(c and c["key"] for c in row["cells"]) for row in matrix["rows"]}


def test_matrix_as_of_filters_and_html(story: Story) -> None:
    path = "/api/v1/matrices/design_verification"
    then = story.get(path, as_of=stamp(story.a))
    assert keys_of(then) == {("UN-1", "REQ-1", "TC-1", None), ("UN-1", "REQ-1", "TC-2", None)}
    assert then["gaps"] == 2 and then["suspects"] == 0 and instant(then["as_of"]) == story.a
    suspect = story.get(path, suspect_only="true")
    assert keys_of(suspect) == {("UN-1", "REQ-1", "TC-2", None)}
    assert suspect["filters"] == {"suspect_only": True} and suspect["as_of"] is None
    assert story.get(path, suspect_only="true", as_of=stamp(story.a))["rows"] == []
    assert keys_of(story.get(path, text="timing", as_of=stamp(story.a))) == {
        ("UN-1", "REQ-1", "TC-1", None)
    }

    html = story.client.get(
        path, headers=story.auth, params={"format": "html", "as_of": stamp(story.a)}
    )
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert 'filename="design_verification.html"' in html.headers["content-disposition"]
    assert html.text.startswith("<!doctype html>")
    assert then["fingerprint"] in html.text and "gap" in html.text
    assert stamp(story.a) in html.text
    assert then["fingerprint"] != story.get(path)["fingerprint"], "the fingerprint binds as_of"


@pytest.mark.parametrize(
    ("path", "as_of", "message"),
    [
        ("/api/v1/records/REQ-1", "yesterday", "as-of 'yesterday': give an ISO 8601"),
        ("/api/v1/records/UN-1/trace", "2999-01-01", "as-of '2999-01-01' is in the future"),
        ("/api/v1/impact?keys=REQ-1", "2026-03-01T12:00:00", "give the UTC offset"),
        (
            "/api/v1/matrices/design_verification",
            "0001-01-01T00:00:00+01:00",
            "as-of '0001-01-01T00:00:00+01:00' is out of range",
        ),
    ],
)
def test_bad_as_of_is_a_422_naming_the_value(
    story: Story, path: str, as_of: str, message: str
) -> None:
    response = story.client.get(path, headers=story.auth, params={"as_of": as_of})
    error(response, 422, "invalid_input", message)


def test_as_of_before_a_record_existed_is_a_404(story: Story) -> None:
    the_day_before = (story.a.date() - dt.timedelta(days=1)).isoformat()
    for path in ("/api/v1/records/REQ-1", "/api/v1/records/REQ-1/trace"):
        for as_of in (story.before, the_day_before):
            response = story.client.get(path, headers=story.auth, params={"as_of": as_of})
            error(response, 404, "not_found", "REQ-1")
