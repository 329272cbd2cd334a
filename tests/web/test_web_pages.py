"""Every page renders with its key content, and its JSON twin carries the same data."""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest

from qspine import Spine
from qspine.model.records import RecordSummary
from qspine.services.worklist import WorklistService, open_states

from .web_helpers import Browser, reapprove, traced_requirement
from helpers import PASSWORD, sample_fields

PAGES = {
    "/": ["Dashboard", "My open work", "Recent activity", "Records by kind and status"],
    "/records": ["2 records", "REQ-1", "TC-1"],
    "/records?kind=requirement&q=show": ["1 record", "REQ-1"],
    "/records/REQ-1": ["Show it", "Version history", "Quinn Quality (quinn) — Approved — "],
    "/records/TC-1": ["Links out", "verifies", "Add a link from TC-1"],
    "/records/new": ["New record", "Requirement (design input)"],
    "/records/new?kind=test_case": ["New Test case (verification protocol)", "Acceptance criteria"],
    "/records/TC-1/edit": ["Edit TC-1", "Reason for this change", 'value="Check it"'],
    "/records/TC-1/sign?meaning=authored": ["Sign TC-1", "I wrote this version"],
    "/links/suspect": ["Suspect links", "No suspect links"],
    "/audit": ["Audit trail", "signature.create", "Verify the chain now"],
    "/audit?subject=REQ-1": ["Events for REQ-1", "record.create"],
    "/tokens": ["API tokens", "Create a token"],
}


@pytest.fixture
def eve(signed_in: Callable[[str], Browser], web_spine: Spine) -> Browser:
    traced_requirement(web_spine)
    return signed_in("eve")


@pytest.mark.parametrize("url", PAGES)
def test_page_renders_with_its_key_content(eve: Browser, url: str) -> None:
    response = eve.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    for text in PAGES[url]:
        assert text in response.text, text
    assert '<main id="main"' in response.text and 'aria-label="Main"' in response.text
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_a_json_twin(eve: Browser, url: str) -> None:
    by_query = eve.get(url + ("&" if "?" in url else "?") + "format=json")
    by_header = eve.get(url, headers={"Accept": "application/json"})
    assert by_query.status_code == 200 and by_header.status_code == 200
    assert by_query.json() == by_header.json()


def test_dashboard_json_has_counts_open_work_and_activity(eve: Browser) -> None:
    data = eve.get("/?format=json").json()
    assert data["summary"]["records"] == 2
    assert data["summary"]["by_kind"]["requirement"] == {"approved": 1}
    assert [row["key"] for row in data["open_work"]] == ["TC-1"]
    assert data["open_work_total"] == 1
    assert "signature.create" in [event["action"] for event in data["recent"]]


def test_record_json_carries_signatures_with_their_manifestation(eve: Browser) -> None:
    data = eve.get("/records/REQ-1?format=json").json()
    (signature,) = data["record"]["signatures"]
    assert signature["printed_name"] == "Quinn Quality" and signature["valid"] is True
    assert signature["manifestation"].startswith("Quinn Quality (quinn) — Approved — ")
    assert [a["to"] for a in data["actions"]] == ["obsolete"]
    assert data["history"][0]["version"]["number"] == 1


def test_record_page_shows_lifecycle_buttons_by_kind_of_step(
    signed_in: Callable[[str], Browser], web_spine: Spine
) -> None:
    traced_requirement(web_spine)
    web_spine.records.transition("eve", "TC-1", "in_review", 1)
    page = signed_in("quinn").get("/records/TC-1").text
    assert 'href="/records/TC-1/sign?meaning=approved"' in page
    assert 'name="to" value="draft"' in page


def test_suspect_link_is_marked_drawn_dashed_and_confirmable(
    signed_in: Callable[[str], Browser], web_spine: Spine
) -> None:
    traced_requirement(web_spine)
    reapprove(web_spine, "REQ-1", {"statement": "The system shall show it at once."})
    eve = signed_in("eve")
    assert 'class="stat stat-alert"' in eve.get("/").text
    page = eve.get("/records/TC-1").text
    assert "SUSPECT" in page and 'class="edge suspect"' in page
    assert "now v2" in page
    suspect = eve.get("/links/suspect?format=json").json()
    assert suspect["links"][0]["link"]["source"] == "TC-1"
    assert "Links in" in eve.get("/records/REQ-1").text
    form = {"type": "verifies", "source": "TC-1", "target": "REQ-1", "next": "/links/suspect"}
    response = eve.post("/links/confirm", form)
    assert response.status_code == 303
    assert response.headers["location"] == "/links/suspect?done=confirmed"
    assert "No suspect links" in eve.get(response.headers["location"]).text
    assert 'class="edge suspect"' not in eve.get("/records/TC-1").text
    assert web_spine.links.suspect() == []


def test_version_history_shows_field_level_diffs(
    signed_in: Callable[[str], Browser], web_spine: Spine
) -> None:
    traced_requirement(web_spine)
    reapprove(web_spine, "REQ-1", {"statement": "Now <b>bolder</b>.", "rationale": "Why"})
    page = signed_in("vic").get("/records/REQ-1").text
    assert "Changes from v1 to v2" in page
    assert "Now &lt;b&gt;bolder&lt;/b&gt;." in page and "<b>bolder" not in page
    assert '<span class="change change-added">added</span>' in page
    assert "v1 is in force" not in page


def test_record_list_pages_and_filters(
    signed_in: Callable[[str], Browser], web_spine: Spine
) -> None:
    from qspine.services.records import NewRecord

    fields = sample_fields(web_spine.profile, "hazard")
    web_spine.records.create_many("eve", [NewRecord("hazard", fields)] * 60)
    vic = signed_in("vic")
    first = vic.get("/records?kind=hazard").text
    assert "60 records" in first and "page 1 of 2" in first and "HAZ-60" in first
    assert 'href="/records?kind=hazard&amp;page=2"' in first
    second = vic.get("/records?kind=hazard&page=2&format=json").json()
    assert second["total"] == 60 and len(second["records"]) == 10
    assert second["records"][-1]["key"] == "HAZ-1"
    assert vic.get("/records?status=approved&format=json").json()["total"] == 0
    unknown = vic.get("/records?kind=nonsense")
    assert unknown.status_code == 422
    assert "unknown kind 'nonsense'" in html.unescape(unknown.text)


def test_audit_chain_is_verified_only_when_asked(eve: Browser) -> None:
    assert "Intact." not in eve.get("/audit").text
    assert eve.get("/audit?format=json").json()["verification"] is None
    page = eve.get("/audit?verify=true").text
    assert "Intact." in page
    report = eve.get("/audit?verify=true&format=json").json()["verification"]
    assert report["intact"] is True and report["events_checked"] > 10


def test_unknown_record_is_a_404_page(eve: Browser) -> None:
    response = eve.get("/records/REQ-99")
    assert response.status_code == 404
    assert "no record REQ-99" in response.text and "Not found" in response.text
    twin = eve.get("/records/REQ-99?format=json")
    assert twin.status_code == 404 and twin.json()["error"]["code"] == "not_found"


def test_key_suggestions_filter_as_you_type(eve: Browser) -> None:
    options = eve.get("/records/suggest?target=REQ&kind=requirement").text
    assert '<option value="REQ-1">Show it</option>' in options
    assert "TC-1" not in options
    assert "TC-1" in eve.get("/records/suggest?field.document=check").text


def test_htmx_is_vendored_with_its_licence(eve: Browser) -> None:
    script = eve.get("/static/htmx.min.js")
    assert script.status_code == 200
    assert script.text.startswith("/*! htmx 2.0.11")
    assert "Zero-Clause BSD" in eve.get("/static/htmx.LICENSE.txt").text
    assert '<script src="/static/htmx.min.js" defer>' in eve.get("/").text
    assert eve.get("/static/qspine.css").status_code == 200


def test_worklist_lists_open_versions_the_user_wrote(web_spine: Spine) -> None:
    traced_requirement(web_spine)
    worklist = WorklistService(web_spine.context)
    total, rows = worklist.open_work("eve")
    assert total == 1 and [r.key for r in rows] == ["TC-1"]
    assert isinstance(rows[0], RecordSummary)
    assert worklist.open_work("quinn") == (0, [])
    assert "approved" not in open_states(web_spine.profile)["requirement"]


def test_signed_in_pages_do_not_leak_the_password(eve: Browser) -> None:
    assert PASSWORD not in eve.get("/").text


@pytest.mark.parametrize(
    "url", ["/records?page=99999999999999999999", "/audit?page=0", "/records?page=two"]
)
def test_out_of_range_numbers_in_urls_are_a_422_page(eve: Browser, url: str) -> None:
    response = eve.get(url)
    assert response.status_code == 422
    assert "That input was not accepted" in response.text
    assert eve.post("/tokens/99999999999999999999/revoke").status_code == 422
