"""The trace and impact pages: tables by distance, the SVG picture, the JSON twins, errors."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from qspine import Spine
from qspine.cli.output import jsonable
from qspine.model.trace import Direction
from qspine.web.trace_graph import trace_picture

from .web_helpers import Browser, extend, reapprove, traced_requirement

#   UN-1 <-derives_from- REQ-1 <-verifies- TC-1 <-result_of- TR-1
#                        REQ-1 <-verifies- TC-2
# REQ-1 is approved; TC-1's link predates the approval, TC-2's follows it.
DEPTHS = {"UN-1": 0, "REQ-1": 1, "TC-1": 2, "TC-2": 2, "TR-1": 3}


@pytest.fixture
def graph(web_spine: Spine) -> Spine:
    traced_requirement(web_spine)
    extend(
        web_spine,
        [("user_need", "Easy to read"), ("test_result", "Passed"), ("test_case", "Check again")],
        [
            ("derives_from", "REQ-1", "UN-1"),
            ("result_of", "TR-1", "TC-1"),
            ("verifies", "TC-2", "REQ-1"),
        ],
    )
    return web_spine


@pytest.fixture
def eve(signed_in: Callable[[str], Browser], graph: Spine) -> Browser:
    return signed_in("eve")


def svg_of(html: str) -> str:
    match = re.search(r"<svg.*?</svg>", html, re.S)
    assert match is not None, "no SVG on the page"
    return match.group(0)


def test_trace_page_lists_records_by_depth(eve: Browser) -> None:
    response = eve.get("/records/UN-1/trace?direction=down")
    assert response.status_code == 200, response.text
    tables = response.text.split("Records by distance", 1)[1]
    order = ["Start", "UN-1", "1 link away", "REQ-1", "2 links away", "TC-1", "TC-2"]
    order += ["3 links away", "TR-1"]
    positions = [tables.index(text) for text in order]
    assert positions == sorted(positions)
    assert 'href="/records/TR-1"' in tables and "Easy to read" in tables

    data = eve.get("/records/UN-1/trace?direction=down&format=json").json()
    assert {node["key"]: node["depth"] for node in data["trace"]["nodes"]} == DEPTHS


def test_upstream_trace_and_link_type_filter(eve: Browser) -> None:
    up = eve.get("/records/TR-1/trace?direction=up&format=json").json()["trace"]
    assert {n["key"]: n["depth"] for n in up["nodes"]} == {
        "TR-1": 0,
        "TC-1": 1,
        "REQ-1": 2,
        "UN-1": 3,
    }
    for query in ("types=derives_from,result_of", "types=derives_from&types=result_of"):
        down = eve.get(f"/records/UN-1/trace?{query}&format=json").json()["trace"]
        assert [n["key"] for n in down["nodes"]] == ["UN-1", "REQ-1"]
        assert down["types"] == ["derives_from", "result_of"]
    shallow = eve.get("/records/UN-1/trace?depth=1")
    assert 'value="1"' in shallow.text and "TC-1" not in svg_of(shallow.text)
    assert "checked" in eve.get("/records/UN-1/trace?types=verifies").text


def test_svg_draws_the_nodes_and_a_dashed_suspect_edge(eve: Browser, graph: Spine) -> None:
    before = svg_of(eve.get("/records/REQ-1/trace").text)
    for key in ("REQ-1", "TC-1", "TC-2", "TR-1"):
        assert f'href="/records/{key}"' in before and f">{key}</text>" in before
    assert "edge suspect" not in before

    reapprove(graph, "REQ-1", {"statement": "The label shall be readable at 40 cm."})
    after = svg_of(eve.get("/records/REQ-1/trace").text)
    assert after.count('class="edge suspect"') == 2  # TC-1 and TC-2 verify REQ-1
    assert 'marker-end="url(#arrow-suspect)"' in after and "· SUSPECT" in after
    assert after.count('class="edge"') == 1  # TR-1 result_of TC-1 is fine


def test_trace_json_twin_matches_the_service(eve: Browser, graph: Spine) -> None:
    eve_user = graph.users.get("eve")
    cases: list[tuple[Direction, str]] = [("down", "UN-1"), ("up", "TR-1")]
    for direction, key in cases:
        data = eve.get(f"/records/{key}/trace?direction={direction}&depth=7&format=json").json()
        expected = graph.trace.trace(eve_user, key, direction, depth=7)
        assert data["trace"] == jsonable(expected)
        assert "derives_from" in data["link_types"]


def test_picture_is_capped_and_says_so(graph: Spine) -> None:
    result = graph.trace.trace(graph.users.get("eve"), "UN-1", "down")
    picture = trace_picture(result, graph.profile, limit=3)
    assert picture.capped and (picture.drawn, picture.total) == (3, 5)
    assert [node.key for node in picture.nodes] == ["UN-1", "REQ-1", "TC-1"]
    assert sorted(edge.type for edge in picture.edges) == ["derives_from", "verifies"]
    assert not trace_picture(result, graph.profile).capped


def test_a_crowded_picture_names_link_types_once_and_orders_columns(
    eve: Browser, graph: Spine
) -> None:
    extend(
        graph,
        [("requirement", f"Derived {number}") for number in range(2, 27)],
        [("derives_from", f"REQ-{number}", "UN-1") for number in range(2, 27)],
    )
    result = graph.trace.trace(graph.users.get("eve"), "UN-1", "down")
    picture = trace_picture(result, graph.profile)
    assert len(picture.edges) == 29 and all(edge.label == "" for edge in picture.edges)
    assert picture.steps == [
        ("1 step", "derives from"),
        ("2 steps", "verifies"),
        ("3 steps", "is a result of"),
    ]
    assert "REQ-2 derives from UN-1" in [edge.hover for edge in picture.edges]
    column = [node.key for node in picture.nodes if node.x == picture.nodes[1].x]
    assert column[:3] == ["REQ-1", "REQ-2", "REQ-3"] and column[-1] == "REQ-26"

    svg = svg_of(eve.get("/records/UN-1/trace").text)
    assert 'class="edge-label' not in svg and "<title>REQ-2 derives from UN-1</title>" in svg
    page = eve.get("/records/UN-1/trace").text
    assert "29 links are drawn without names" in page and "1 step: derives from" in page
    small = trace_picture(graph.trace.trace(graph.users.get("eve"), "TR-1", "up"), graph.profile)
    assert small.steps == [] and all(edge.label for edge in small.edges)


def test_impact_groups_by_kind_and_lists_links_that_turn_suspect(
    eve: Browser, graph: Spine
) -> None:
    data = eve.get("/impact?keys=req-1&format=json").json()
    report = data["report"]
    assert data["keys"] == ["REQ-1"] and data["error"] == ""
    assert list(report["affected"]) == ["test_case", "test_result"]
    assert [n["key"] for n in report["affected"]["test_case"]] == ["TC-1", "TC-2"]
    pairs = [(e["source"], e["type"], e["target"]) for e in report["will_turn_suspect"]]
    assert pairs == [("TC-1", "verifies", "REQ-1"), ("TC-2", "verifies", "REQ-1")]
    assert report["already_suspect"] == []
    assert report == jsonable(graph.trace.impact(graph.users.get("eve"), ["REQ-1"]))

    html = eve.get("/impact?keys=REQ-1").text
    assert 'id="kind-test_case"' in html and 'id="kind-test_result"' in html
    will = html.split("Links that turn suspect when these records are released again", 1)[1]
    will = will.split("Links already suspect", 1)[0]
    assert 'href="/records/TC-1"' in will and 'href="/records/TC-2"' in will
    assert "No link would turn suspect" not in will

    reapprove(graph, "REQ-1", {"statement": "The label shall be readable at 40 cm."})
    again = eve.get("/impact?keys=REQ-1,UN-1&format=json").json()["report"]
    assert again["changed"] == ["REQ-1", "UN-1"]
    assert [e["source"] for e in again["already_suspect"]] == ["TC-1", "TC-2"]
    assert [e["source"] for e in again["will_turn_suspect"]] == ["REQ-1"]
    assert list(again["affected"]) == ["test_case", "test_result"]  # changed ones are roots


def test_impact_form_alone_and_errors_inline(eve: Browser) -> None:
    empty = eve.get("/impact")
    assert empty.status_code == 200 and 'name="keys"' in empty.text
    assert 'role="alert"' not in empty.text and "Affected records" not in empty.text

    blank = eve.get("/impact?keys=+")
    assert blank.status_code == 422 and 'role="alert"' in blank.text
    assert "name at least one record" in blank.text and 'name="keys"' in blank.text

    unknown = eve.get("/impact?keys=REQ-1,NOPE-9")
    assert unknown.status_code == 404 and "no record NOPE-9" in unknown.text
    assert 'value="REQ-1, NOPE-9"' in unknown.text
    assert eve.get("/impact?keys=NOPE-9&format=json").json()["error"] == "no record NOPE-9"


def test_a_viewer_sees_both_pages(signed_in: Callable[[str], Browser], graph: Spine) -> None:
    vic = signed_in("vic")
    trace = vic.get("/records/REQ-1/trace?direction=up")
    assert trace.status_code == 200 and "Upstream trace of" in trace.text
    impact = vic.get("/impact?keys=REQ-1")
    assert impact.status_code == 200 and "Affected records" in impact.text
    assert 'href="/impact" aria-current="page"' in impact.text


def test_record_page_links_to_trace_and_impact(eve: Browser) -> None:
    html = eve.get("/records/REQ-1").text
    assert 'href="/records/REQ-1/trace?direction=down"' in html
    assert 'href="/records/REQ-1/trace?direction=up"' in html
    assert 'href="/impact?keys=REQ-1"' in html


def test_unknown_record_gives_the_404_page(eve: Browser) -> None:
    response = eve.get("/records/NOPE-1/trace")
    assert response.status_code == 404 and "Not found" in response.text
    assert "no record NOPE-1" in response.text
    assert eve.get("/records/NOPE-1/trace?format=json").json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "query", ["depth=0", "depth=51", "depth=deep", "direction=sideways", "types=nonsense"]
)
def test_bad_trace_options_give_422(eve: Browser, query: str) -> None:
    response = eve.get(f"/records/REQ-1/trace?{query}")
    assert response.status_code == 422
    assert "That input was not accepted" in response.text


def test_signed_out_visitors_are_sent_to_login(graph: Spine, client: TestClient) -> None:
    for url in ("/records/REQ-1/trace", "/impact?keys=REQ-1"):
        response = client.get(url, follow_redirects=False)
        assert response.status_code == 303 and "/login?next=" in response.headers["location"]
