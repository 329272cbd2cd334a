"""The cyber views on the CytoAssist demo through the API (/api/v1/cyber/metrics, /bridge,
/releases/{key}/cyber-package) and the web (/cyber hub with its JSON twin, the package
download). The downloaded HTML is parsed: well formed, with the expected tables and rows."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qspine import Spine, open_spine
from qspine.app import create_app
from qspine.demo import DEMO_PASSWORD

from .web_helpers import login
from helpers import DemoTemplate, demo_copy, settings_for

VOID = {"meta", "br", "link", "input", "img", "hr"}


class Tables(HTMLParser):
    """Rows (of cells' text) of every table with an id; unbalanced tags are recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.unbalanced: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.current: str | None = None
        self.svg_bars: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag not in VOID:
            self.open.append(tag)
        if tag == "table" and named.get("id"):
            self.current = named["id"]
            self.tables[self.current] = []
        elif tag == "tr" and self.current is not None:
            self.tables[self.current].append([])
        elif tag in ("td", "th") and self.current is not None and self.tables[self.current]:
            self.tables[self.current][-1].append("")
        elif tag == "g" and named.get("data-state"):
            self.svg_bars.append(str(named["data-state"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.open or self.open[-1] != tag:
            self.unbalanced.append(tag)
            return
        self.open.pop()
        if tag == "table":
            self.current = None

    def handle_data(self, data: str) -> None:
        rows = self.tables.get(self.current or "")
        if rows and rows[-1] and self.open[-1] not in ("tr", "tbody", "thead"):
            rows[-1][-1] += data

    def close(self) -> None:
        super().close()
        for rows in self.tables.values():
            for row in rows:
                row[:] = [" ".join(cell.split()) for cell in row]


def parsed(html: str) -> Tables:
    tables = Tables()
    tables.feed(html)
    tables.close()
    assert tables.unbalanced == [] and tables.open == [], "the HTML is well formed"
    return tables


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_template: DemoTemplate) -> Iterator[Spine]:
    folder: Path = tmp_path_factory.mktemp("cyber-faces")
    url = demo_copy(demo_template, folder)
    spine = open_spine(url, settings=settings_for(url, folder))
    yield spine
    spine.close()


@pytest.fixture(scope="module")
def client(demo: Spine) -> Iterator[TestClient]:
    with TestClient(create_app(demo)) as test_client:
        yield test_client


def test_api_metrics_and_bridge(demo: Spine, client: TestClient) -> None:
    secret, _ = demo.access.create_token("ravi", "cyber")
    auth = {"Authorization": f"Bearer {secret}"}
    metrics = client.get("/api/v1/cyber/metrics", headers=auth)
    assert metrics.status_code == 200, metrics.text
    body = metrics.json()
    assert body["by_triage_state"]["not_affected"] == 3 and body["untriaged"] == [
        "VULN-4",
        "VULN-5",
    ]
    assert body["patch_share"]["percent"] == 33.3
    assert body["sbom_cadence"][0]["product"] == "CytoAssist"
    past = client.get("/api/v1/cyber/metrics?as_of=2020-01-01", headers=auth).json()
    assert past["vulnerabilities"] == 0
    assert client.get("/api/v1/cyber/metrics?as_of=2999-01-01", headers=auth).status_code == 422
    bridge = client.get("/api/v1/cyber/bridge", headers=auth).json()
    assert bridge["gaps"] == {"no_risk": 1, "no_control": 1, "no_test": 0, "no_may_cause": 0}
    risk = bridge["threats"][1]["risks"][0]
    assert (risk["key"], risk["safety"][0]["key"], risk["safety"][0]["harms"][0]["key"]) == (
        "SR-2",
        "HS-5",
        "HARM-1",
    )
    assert client.get("/api/v1/cyber/metrics").status_code == 401
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/cyber/metrics", "/api/v1/releases/{key}/cyber-package"} <= set(paths)


def test_api_package_as_json_and_html(demo: Spine, client: TestClient) -> None:
    secret, _ = demo.access.create_token("ravi", "package")
    auth = {"Authorization": f"Bearer {secret}"}
    as_json = client.get("/api/v1/releases/REL-1/cyber-package", headers=auth)
    assert as_json.status_code == 200
    assert as_json.headers["content-type"].startswith("application/json")
    data = as_json.json()
    assert list(data) == [
        "format",
        "format_version",
        "generated_at",
        "release",
        "sbom",
        "threat_model",
        "risk_assessment",
        "traceability",
        "safety_bridge",
        "bridge",
        "control_categories",
        "anomalies",
        "metrics",
    ]
    assert [v["key"] for v in data["anomalies"]["vulnerabilities"]] == [
        "VULN-1",
        "VULN-4",
        "VULN-5",
    ]
    html = client.get("/api/v1/releases/REL-1/cyber-package?format=html", headers=auth)
    assert html.status_code == 200 and 'href="/records/SBOM-3"' in html.text
    assert 'filename="cyber-package-REL-1.html"' in html.headers["content-disposition"]
    missing = client.get("/api/v1/releases/REL-99/cyber-package", headers=auth)
    assert missing.status_code == 404 and "no release REL-99" in missing.json()["error"]["message"]
    wrong = client.get("/api/v1/releases/REL-1/cyber-package?format=pdf", headers=auth)
    assert wrong.status_code == 422


def test_hub_page_its_json_twin_and_the_download(client: TestClient) -> None:
    login(client, "ravi", DEMO_PASSWORD)
    page = client.get("/cyber")
    assert page.status_code == 200
    html = page.text
    assert 'href="/cyber" aria-current="page"' in html, "the nav entry is current"
    for target in ("/sboms", "/vulndb", "/vulnerabilities"):
        assert f'href="{target}"' in html
    tables = parsed(html)
    assert tables.svg_bars == ["under_investigation", "affected", "not_affected", "fixed"]
    categories = {row[0]: row for row in tables.tables["categories"][1:]}
    assert "no control" in categories["Authorization"][1]
    assert "RC-7" in categories["Authentication"][1]
    bridge_rows = tables.tables["bridge"][1:]
    assert any("THR-6" in row[0] and "poses no security risk" in row[1] for row in bridge_rows)
    assert '<option value="REL-2">' in html
    twin = client.get("/cyber?format=json").json()
    assert set(twin) == {"metrics", "control_categories", "bridge", "releases"}
    assert [r["key"] for r in twin["releases"]] == ["REL-2", "REL-1"]
    download = client.get("/cyber/package?release=REL-1&format=html")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    package = parsed(download.text)
    expected = {
        "sbom-table",
        "stride-table",
        "entry-table",
        "risk-table",
        "trace-table",
        "safety-table",
        "bridge-table",
        "category-table",
        "anomaly-table",
        "cadence-table",
    }
    assert expected <= set(package.tables)
    assert len(package.tables["sbom-table"]) == 1 + 36
    assert len(package.tables["risk-table"]) == 1 + 5
    anomalies = [row[1] for row in package.tables["anomaly-table"][1:]]
    assert anomalies == ["CVE-2023-44487", "CVE-2024-37891", "CVE-2024-35195"]
    stride = {row[0]: row[1] for row in package.tables["stride-table"][1:]}
    assert stride["tampering"] == "2" and stride["elevation of privilege"] == "0"
    assert package.svg_bars == ["under_investigation", "affected", "not_affected", "fixed"]
    as_json = client.get("/cyber/package?release=REL-2&format=json")
    assert as_json.json()["release"]["version_label"] == "2.1.0"
    assert client.get("/cyber/package?release=REL-1&format=pdf").status_code == 422
    assert client.get("/cyber/package?release=").status_code == 422
    assert client.get("/cyber/package?release=REL-99").status_code == 404
    assert client.get("/cyber?as_of=someday").status_code == 422
