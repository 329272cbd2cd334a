"""The complaint trend page: the form, the counts table with its rising badge, the inline SVG
chart (one line per value, legend, accessible title), the JSON twin, and errors as pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qspine import Spine

from .web_helpers import Browser
from helpers import PASSWORD, Clock

URL = "/complaints/trend"
JAN_TO_APR = "from=2026-01-01&to=2026-04-30"
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


def complaint(awareness: str, device: str | None) -> dict[str, Any]:
    fields = {
        "title": f"Complaint aware {awareness}",
        "awareness_date": awareness,
        "description": "As reported.",
    }
    return fields if device is None else {**fields, "device_name": device}


@pytest.fixture
def vic(web_spine: Spine, signed_in: Callable[[str], Browser]) -> Browser:
    web_spine.context.clock = Clock()  # today is 2026-03-02
    for awareness, device in COMPLAINTS:
        web_spine.records.create("quinn", "complaint", complaint(awareness, device))
    web_spine.signing.sign("ada", PASSWORD, "CMP-8", "approved", 1, "raised in error")
    return signed_in("vic")


def body_rows(html: str) -> dict[str, list[str]]:
    """The table's body rows: value -> the cells after it (counts, total, signal)."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        value = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        assert value is not None
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        rows[value.group(1)] = [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]
    return rows


def svg_of(html: str) -> str:
    match = re.search(r"<svg .*?</svg>", html, re.S)
    assert match is not None, "no chart"
    return match.group(0)


def test_the_table_with_zero_buckets_totals_and_the_rising_badge(vic: Browser) -> None:
    response = vic.get(f"{URL}?{JAN_TO_APR}")
    assert response.status_code == 200, response.text
    html = response.text
    head = html.split("<tbody>", 1)[0].split('<table class="table trend">', 1)[1]
    assert re.findall(r'class="num nowrap"><span title="[^"]+">([^<]+)</span>', head) == [
        "2026-01",
        "2026-02",
        "2026-03",
        "2026-04",
    ]
    assert body_rows(html) == {
        "ScanPad": ["0", "0", "0", "3", "3", "▲ Rising"],
        "CytoAssist": ["1", "1", "0", "0", "2", ""],
        "Reader X": ["0", "0", "1", "0", "1", ""],
        "(not recorded)": ["0", "0", "0", "1", "1", ""],
    }
    footer = html.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    assert re.findall(r'<td class="num">(?:<strong>)?(\d+)', footer) == ["1", "1", "1", "4", "7"]
    assert "<strong>7</strong> complaints" in html
    assert html.count("▲ Rising") == 2, "the summary and ScanPad's row"


def test_the_chart_draws_one_line_per_value_with_a_legend(vic: Browser) -> None:
    svg = svg_of(vic.get(f"{URL}?{JAN_TO_APR}").text)
    assert 'role="img"' in svg and 'aria-labelledby="trend-title trend-desc"' in svg
    assert (
        '<title id="trend-title">Complaints by product per month, 2026-01-01 to 2026-04-30</title>'
        in svg
    )
    assert "rising: ScanPad." in svg
    series = re.findall(r'<g class="series( rising)?" data-value="([^"]+)">', svg)
    assert series[::-1] == [
        (" rising", "ScanPad"),
        ("", "CytoAssist"),
        ("", "Reader X"),
        ("", "(not recorded)"),
    ], "drawn last to first: the largest on top"
    assert svg.count("<path ") == 4 and svg.count("<circle ") == 16, "4 lines of 4 points"
    assert svg.count('<g class="legend-item">') == 4 and "ScanPad ▲ rising" in svg
    assert ">2026-01</text>" in svg and ">2026-04</text>" in svg, "bucket labels"
    assert "<title>ScanPad, 2026-04: 3</title>" in svg
    assert "style=" not in svg and "<script" not in svg, "CSP allows neither"


def test_the_form_keeps_the_choices_and_quarters_and_failure_modes(vic: Browser) -> None:
    html = vic.get(f"{URL}?{JAN_TO_APR}&by=failure_mode&bucket=quarter").text
    assert '<input id="from" name="from" type="date" value="2026-01-01" required>' in html
    assert '<option value="failure_mode" selected>Failure mode</option>' in html
    assert '<option value="quarter" selected>Quarter</option>' in html
    assert body_rows(html) == {"(not recorded)": ["3", "4", "7", ""]}
    assert ">2026-Q1</text>" in svg_of(html)


def test_the_default_period_and_the_empty_page(vic: Browser) -> None:
    html = vic.get(URL).text
    assert 'name="from" type="date" value="2025-04-01"' in html
    assert 'name="to" type="date" value="2026-03-02"' in html
    assert "<strong>2</strong> complaints" in html
    empty = vic.get(f"{URL}?from=2020-01-01&to=2020-12-31").text
    assert "No complaints with an awareness date from 2020-01-01 to 2020-12-31." in empty
    assert "<svg " not in empty.split('<main id="main"', 1)[1]


def test_more_values_than_lines_are_named_in_the_caption(web_spine: Spine, vic: Browser) -> None:
    for number in range(10):
        web_spine.records.create("quinn", "complaint", complaint("2026-02-01", f"Model {number}"))
    html = vic.get(f"{URL}?{JAN_TO_APR}").text
    assert len(body_rows(html)) == 14
    assert len(re.findall(r'<g class="series', svg_of(html))) == 8
    assert "the 8 product values with the most complaints; 6 more are in the table" in html


def test_the_json_twin(vic: Browser) -> None:
    response = vic.get(f"{URL}?{JAN_TO_APR}&format=json")
    assert response.status_code == 200
    data = response.json()
    assert data["form"]["start"] == "2026-01-01" and data["form"]["by"] == "product"
    trend = data["trend"]
    assert (trend["start"], trend["end"], trend["total"]) == ("2026-01-01", "2026-04-30", 7)
    assert trend["rising"] == ["ScanPad"]
    assert {row["value"]: row["counts"] for row in trend["rows"]}["ScanPad"] == [0, 0, 0, 3]


def test_bad_input_is_a_page_naming_the_parameter(vic: Browser) -> None:
    backwards = vic.get(f"{URL}?from=2026-05-01&to=2026-01-01")
    assert (
        backwards.status_code == 422 and "from: 2026-05-01 is after to 2026-01-01" in backwards.text
    )
    not_a_date = vic.get(f"{URL}?from=May")
    assert not_a_date.status_code == 422 and "from: &#39;May&#39; is not a date" in not_a_date.text
    unknown = vic.get(f"{URL}?by=site&format=json")
    assert unknown.status_code == 422
    assert unknown.json()["error"]["message"].startswith("by: 'site' is not a dimension")


def test_signed_out_readers_are_sent_to_login(client: TestClient) -> None:
    response = client.get(f"{URL}?{JAN_TO_APR}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == (
        "/login?next=%2Fcomplaints%2Ftrend%3Ffrom%3D2026-01-01%26to%3D2026-04-30&reason=required"
    )
