"""As-of views on the web: the record, trace and impact pages rebuilt at a past instant, with
the read-only banner, no actions, links that stay in that instant, and one clear error for
bad input."""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest

from qspine import Spine
from qspine.model.asof import stamp

from .web_helpers import Browser, extend, reapprove, traced_requirement
from helpers import Clock

# REQ-1 "Show it" v1 is approved and verified by TC-1; then (after THEN) REQ-1 gets a new
# title in v2, approved, and TC-2 starts verifying it.


@pytest.fixture
def then(web_spine: Spine) -> str:
    """The instant (as `as_of` text) before the changes."""
    clock = Clock()
    web_spine.context.clock = clock
    traced_requirement(web_spine)
    instant = clock.mark()
    reapprove(web_spine, "REQ-1", {"title": "Show it clearly"})
    extend(web_spine, [("test_case", "Check again")], [("verifies", "TC-2", "REQ-1")])
    return stamp(instant)


@pytest.fixture
def quinn(signed_in: Callable[[str], Browser], then: str) -> Browser:
    """QA lead: may write, sign and link, so every action would show if it were offered."""
    return signed_in("quinn")


def test_record_as_of_shows_the_old_version_and_no_actions(quinn: Browser, then: str) -> None:
    now = quinn.get("/records/REQ-1").text
    assert "Show it clearly" in now and 'href="/records/REQ-1/sign?meaning=approved"' in now
    assert 'href="/records/REQ-1/edit"' in now and "Viewing as of" not in now

    response = quinn.get(f"/records/REQ-1?as_of={then}")
    assert response.status_code == 200, response.text
    page = response.text
    assert '<span class="key">REQ-1</span> Show it</h1>' in page
    assert "Show it clearly" not in page
    assert "Viewing as of 2026-03-02 09:" in page and "UTC — read-only history" in page
    assert 'href="/records/REQ-1">Back to now</a>' in page
    assert "Version in effect then" in page and "Changes from v1 to v2" not in page
    assert "/sign?meaning=" not in page and "/transition" not in page
    assert 'href="/records/REQ-1/edit"' not in page and "Add a link from" not in page
    assert "A historical view offers no actions" in page
    assert f'href="/records/REQ-1/trace?direction=down&amp;as_of={then}"' in page
    assert f'href="/records/TC-1?as_of={then}"' in page  # the graph and links stay then
    assert "TC-2" not in page  # its link came later


def test_a_viewer_sees_an_old_draft_as_draft(
    signed_in: Callable[[str], Browser], web_spine: Spine
) -> None:
    clock = Clock()
    web_spine.context.clock = clock
    traced_requirement(web_spine)
    web_spine.records.revise("eve", "REQ-1", {"title": "Second"}, 1, "retitle")
    draft = clock.mark()
    web_spine.records.transition("eve", "REQ-1", "in_review", 2)
    data = signed_in("vic").get(f"/records/REQ-1?as_of={stamp(draft)}&format=json").json()
    assert data["record"]["title"] == "Second"
    assert data["record"]["version"]["number"] == 2
    assert data["record"]["version"]["status"] == "draft"
    assert [entry["version"]["status"] for entry in data["history"]] == ["draft", "approved"]
    assert data["actions"] == [] and data["as_of"] == stamp(draft).replace(".000000", "")


def test_record_json_twin_says_when(quinn: Browser, then: str) -> None:
    data = quinn.get(f"/records/REQ-1?as_of={then}&format=json").json()
    assert data["record"]["as_of"] is not None and data["as_of"] == data["record"]["as_of"]
    assert data["record"]["version"]["fields"]["title"] == "Show it"
    assert data["can_write"] is False and data["editable"] is False
    assert len(data["history"]) == 1
    assert quinn.get("/records/REQ-1?format=json").json()["as_of"] is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yesterday", "give an ISO 8601 UTC instant"),
        ("2099-01-01", "is in the future"),
        ("2026-03-02T09:00:00+01:00", "did not exist yet"),
    ],
)
def test_bad_as_of_is_one_clear_error(quinn: Browser, then: str, text: str, expected: str) -> None:
    for url in (f"/records/REQ-1?as_of={text}", f"/records/REQ-1/trace?as_of={text}"):
        response = quinn.get(url.replace("+", "%2B"))
        assert response.status_code in (404, 422)
        assert expected in html.unescape(response.text)
        assert response.text.count('role="alert"') == 1
    twin = quinn.get(f"/records/REQ-1?as_of={text.replace('+', '%2B')}&format=json").json()
    assert expected in twin["error"]["message"]


def test_a_time_without_offset_or_a_date_is_taken_as_utc(quinn: Browser, then: str) -> None:
    minute = then[:16]  # 2026-03-02T09:MM, the control's datetime-local shape
    page = quinn.get(f"/records/REQ-1?as_of={minute}").text
    assert "Viewing as of" in page and "Show it clearly" not in page
    day = quinn.get("/records/REQ-1?as_of=2026-03-01")  # the end of that day: before START
    assert day.status_code == 404
    assert "did not exist yet at 2026-03-01T23:59:59.999999Z" in day.text


def test_trace_as_of_leaves_out_later_links(quinn: Browser, then: str) -> None:
    now = quinn.get("/records/REQ-1/trace?format=json").json()["trace"]
    assert {node["key"] for node in now["nodes"]} == {"REQ-1", "TC-1", "TC-2"}
    page = quinn.get(f"/records/REQ-1/trace?as_of={then}")
    assert page.status_code == 200, page.text
    assert "Viewing as of" in page.text and f'name="as_of" type="text" value="{then}"' in page.text
    assert 'href="/records/REQ-1/trace?direction=down&amp;depth=50">Back to now' in page.text
    assert f'href="/records/TC-1?as_of={then}"' in page.text
    assert "TC-2" not in page.text
    data = quinn.get(f"/records/REQ-1/trace?as_of={then}&format=json").json()["trace"]
    assert [node["key"] for node in data["nodes"]] == ["REQ-1", "TC-1"]
    assert data["as_of"] is not None


def test_impact_as_of_and_its_inline_error(quinn: Browser, then: str, web_spine: Spine) -> None:
    data = quinn.get(f"/impact?keys=REQ-1&as_of={then}&format=json").json()
    assert [node["key"] for node in data["report"]["affected"]["test_case"]] == ["TC-1"]
    assert data["as_of"] is not None and data["report"]["as_of"] == data["as_of"]
    page = quinn.get(f"/impact?keys=REQ-1&as_of={then}").text
    assert "Viewing as of" in page and 'href="/impact?keys=REQ-1">Back to now' in page

    bad = quinn.get("/impact?keys=REQ-1&as_of=soon")
    assert bad.status_code == 422 and bad.text.count('role="alert"') == 1
    assert "as-of &#39;soon&#39;" in bad.text and 'value="soon"' in bad.text
    assert 'aria-label="Historical view"' not in bad.text
