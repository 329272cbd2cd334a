"""Monitoring through the REST API and the web page, and the series chart (deterministic SVG
with thresholds, breaching points, dated axes, title and description). The series are
simulated: small CSV files built by the test."""

from __future__ import annotations

import datetime as dt
import html
import xml.etree.ElementTree as ET
from collections.abc import Callable

from fastapi.testclient import TestClient

from qspine import Spine
from qspine.app import create_app
from qspine.model.metric_criteria import parse_criteria
from qspine.model.monitoring import Point, breaches
from qspine.reports.monitoring_chart import render_svg, series_chart
from qspine.services.monitoring import Series

from .web_helpers import Browser
from helpers import approve

SVG = "{http://www.w3.org/2000/svg}"


def deployed_model(spine: Spine) -> str:
    requirement = spine.records.create(
        "quinn",
        "requirement",
        {
            "title": "Sensitivity in use",
            "statement": "The model shall stay sensitive in use.",
            "monitoring_criteria": "rolling_sensitivity >= 0.9",
        },
    ).key
    model = spine.records.create(
        "quinn",
        "model_version",
        {"title": "CytoAssist model", "version_label": "1.0", "weights_sha256": "d" * 64},
    ).key
    spine.links.link("quinn", "implements", model, requirement)
    approve(spine, model)
    return model


def csv(values: list[float], site: str = "site-A") -> bytes:
    rows = [f"2026-06-{d:02d},{site},rolling_sensitivity,{v}" for d, v in enumerate(values, 1)]
    return ("observed_at,site,metric,value\n" + "\n".join(rows) + "\n").encode()


def test_api_ingest_and_series(web_spine: Spine) -> None:
    model = deployed_model(web_spine)
    secret, _ = web_spine.access.create_token("quinn", "monitoring")
    auth = {"Authorization": f"Bearer {secret}"}
    with TestClient(create_app(web_spine)) as client:
        made = client.post(
            f"/api/v1/models/{model}/monitoring",
            files={"file": ("w.csv", csv([0.95, 0.8, 0.85, 0.95]))},
            headers=auth,
        )
        assert made.status_code == 200, made.text
        report = made.json()
        assert (report["points_added"], report["signals_created"]) == (4, ["PMS-1"])
        assert report["breaches"][0]["capa"] == "CAPA-1"
        again = client.post(
            f"/api/v1/models/{model}/monitoring?version=1",
            files={"file": ("w.csv", csv([0.95, 0.8, 0.85, 0.95]))},
            headers=auth,
        ).json()
        assert again["points_unchanged"] == 4 and again["signals_created"] == []
        listed = client.get(f"/api/v1/models/{model}/monitoring", headers=auth).json()
        (series,) = listed
        assert series["points"][1] == {"observed_at": "2026-06-02T00:00:00Z", "value": 0.8}
        assert series["criteria"][0]["source"] == "REQ-1"
        assert series["breaches"][0]["count"] == 2 and series["breaches"][0]["worst"] == 0.8
        assert series["signals"][0]["capas"][0]["key"] == "CAPA-1"
        bad = client.post(
            f"/api/v1/models/{model}/monitoring",
            files={"file": ("bad.csv", b"observed_at,site,metric\n")},
            headers=auth,
        )
        assert bad.status_code == 422
        assert (
            "bad.csv: row 1 (header): column 'value' is missing" in bad.json()["error"]["message"]
        )
        conflict = client.post(
            f"/api/v1/models/{model}/monitoring",
            files={"file": ("x.csv", csv([0.5]))},
            headers=auth,
        )
        assert conflict.status_code == 409 and "x.csv: row 2" in conflict.text


def test_web_page_charts_signals_and_upload(
    web_spine: Spine, signed_in: Callable[[str], Browser]
) -> None:
    model = deployed_model(web_spine)
    quinn = signed_in("quinn")
    empty = quinn.get(f"/models/{model}/monitoring")
    assert empty.status_code == 200 and "No monitoring data yet" in empty.text
    assert 'hx-post="/models/' in empty.text

    page = quinn.client.post(
        f"/models/{model}/monitoring",
        data={"csrf_token": quinn.csrf},
        files={"file": ("w.csv", csv([0.95, 0.8, 0.85, 0.95]))},
    )

    assert page.status_code == 200, page.text
    assert 'id="ingest-result"' in page.text
    assert '<a href="/records/PMS-1">PMS-1</a>' in page.text
    assert '<a href="/records/CAPA-1">CAPA-1</a>' in page.text
    assert page.text.count('role="img"') == 1 and 'class="breach"' in page.text
    assert "rolling_sensitivity &gt;= 0.9 (REQ-1)" in page.text
    refused = quinn.client.post(
        f"/models/{model}/monitoring",
        data={"csrf_token": quinn.csrf},
        files={"file": ("x.csv", b"observed_at,site,metric,value\n2026-06-01,A,m,1,2\n")},
    )
    assert refused.status_code == 422 and "x.csv: row 2: has 5 cell(s)" in refused.text
    swapped = quinn.client.post(
        f"/models/{model}/monitoring",
        data={"csrf_token": quinn.csrf},
        files={"file": ("y.csv", b"site\n")},
        headers={"HX-Request": "true"},
    )
    assert swapped.status_code == 200 and 'role="alert"' in swapped.text
    assert "y.csv: row 1 (header): column 'observed_at' is missing" in html.unescape(swapped.text)
    viewer = signed_in("vic").get(f"/models/{model}/monitoring")
    assert viewer.status_code == 200 and "Check and ingest" not in viewer.text
    twin = signed_in("vic").get(f"/models/{model}/monitoring?format=json").json()
    assert twin["series"][0]["signals"][0]["key"] == "PMS-1" and "charts" not in twin


def simulated_series() -> Series:
    criteria = tuple(parse_criteria("rolling_sensitivity >= 0.9", source="REQ-7"))
    values = [0.95, 0.93, 0.88, 0.86, 0.94, 0.89]
    points = tuple(
        Point(dt.datetime(2026, 6, 1 + i, tzinfo=dt.UTC), "site <A>", "rolling_sensitivity", v)
        for i, v in enumerate(values)
    )
    return Series(1, "site <A>", "rolling_sensitivity", points, criteria,
                  tuple(breaches(points, criteria)), ())  # fmt: skip


def test_the_chart_is_deterministic_accessible_svg() -> None:
    series = simulated_series()
    first = render_svg(series_chart(series, "MV-1"), "s1")
    assert first == render_svg(series_chart(simulated_series(), "MV-1"), "s1")

    root = ET.fromstring(first)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "s1-title s1-desc"
    assert root.find(f"{SVG}title").text == "rolling_sensitivity at site <A>, MV-1 v1"
    description = root.find(f"{SVG}desc").text
    assert "6 point(s) from 2026-06-01 to 2026-06-06" in description
    assert "Thresholds: rolling_sensitivity >= 0.9 (REQ-7)." in description
    assert "2 breach episode(s)" in description
    (threshold,) = root.iter(f"{SVG}g")
    assert threshold.find(f"{SVG}line").get("stroke-dasharray") == "6 4"
    assert threshold.find(f"{SVG}text").text == "rolling_sensitivity >= 0.9 (REQ-7)"
    marked = [r.find(f"{SVG}title").text for r in root.iter(f"{SVG}rect")]
    assert marked == [
        "2026-06-03: 0.88 (breaches rolling_sensitivity >= 0.9 (REQ-7))",
        "2026-06-04: 0.86 (breaches rolling_sensitivity >= 0.9 (REQ-7))",
        "2026-06-06: 0.89 (breaches rolling_sensitivity >= 0.9 (REQ-7))",
    ]
    assert len(list(root.iter(f"{SVG}circle"))) == 3
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "observed (UTC)" in labels
    assert labels[:4] == ["0.875", "0.9", "0.925", "0.95"]  # round values on the value axis
    assert labels[4:7] == ["2026-06-01", "2026-06-03", "2026-06-05"]  # whole days, every 2


def test_the_chart_of_one_point_is_centred() -> None:
    point = Point(dt.datetime(2026, 6, 1, 9, 30, tzinfo=dt.UTC), "A", "input_psi", 0.3)
    chart = series_chart(Series(2, "A", "input_psi", (point,), (), (), ()), "MV-2")
    (plotted,) = chart.points
    assert plotted.x == (chart.left + chart.right) / 2 and plotted.breaching == ()
    assert [t.label for t in chart.x_ticks] == ["2026-06-01 09:30"]
    assert "No threshold applies." in chart.description
    assert "<path" not in render_svg(chart, "one")


def test_web_upload_refuses_a_version_that_is_not_a_number(
    web_spine: Spine, signed_in: Callable[[str], Browser]
) -> None:
    """'²' is a digit to str.isdigit but not a number to int(): refused, not a crash."""
    model = deployed_model(web_spine)
    quinn = signed_in("quinn")
    for version in ("²", "1.5"):
        refused = quinn.client.post(
            f"/models/{model}/monitoring",
            data={"csrf_token": quinn.csrf, "version": version},
            files={"file": ("w.csv", csv([0.95]))},
        )
        assert refused.status_code == 422, refused.text
        assert f"version: &#39;{version}&#39; is not a version number" in refused.text
