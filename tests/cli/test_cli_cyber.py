"""`qspine cyber metrics|bridge|package` on the CytoAssist demo: tables for people, --json for
programs, the package written as HTML or JSON, and one-line errors (exit 2)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import DemoTemplate, Invoke, demo_copy


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory, demo_template: DemoTemplate) -> Path:
    folder = tmp_path_factory.mktemp("cyber-cli-demo")
    demo_copy(demo_template, folder)
    return folder / "demo.db"


@pytest.fixture
def demo(qspine: Invoke, db_file: Path, demo_db: Path) -> Invoke:
    shutil.copyfile(demo_db, db_file)
    return qspine


def test_metrics_as_table_and_json(demo: Invoke) -> None:
    shown = demo("-u", "ravi", "cyber", "metrics")
    assert shown.code == 0, shown.err
    assert "6 known vulnerabilities, 2 untriaged" in shown.out
    assert "33.3% patched or mitigated" in shown.out and "CytoAssist" in shown.out
    data = json.loads(demo("-u", "ravi", "cyber", "metrics", "--json").out)
    assert data["by_triage_state"] == {
        "under_investigation": 2,
        "affected": 1,
        "not_affected": 3,
        "fixed": 0,
    }
    assert data["patch_share"]["percent"] == 33.3 and data["untriaged"] == ["VULN-4", "VULN-5"]
    dated = json.loads(
        demo("-u", "ravi", "cyber", "metrics", "--as-of", "2020-01-01", "--json").out
    )
    assert dated["as_of"] == "2020-01-01" and dated["vulnerabilities"] == 0
    bad = demo("-u", "ravi", "cyber", "metrics", "--as-of", "yesterday")
    assert bad.code == 2 and "--as-of: 'yesterday' is not a date" in bad.err


def test_bridge_as_table_and_json(demo: Invoke) -> None:
    shown = demo("-u", "ravi", "cyber", "bridge")
    assert shown.code == 0, shown.err
    assert "THR-6" in shown.out and "RC-8" in shown.out
    assert "1 poses no security risk, 1 no control" in " ".join(shown.out.split())
    data = json.loads(demo("-u", "ravi", "cyber", "bridge", "--json").out)
    assert data["gaps"] == {"no_risk": 1, "no_control": 1, "no_test": 0, "no_may_cause": 0}
    first = data["threats"][0]
    assert (first["key"], first["risks"][0]["controls"][0]["key"]) == ("THR-1", "RC-7")
    assert first["risks"][0]["controls"][0]["tests"][0]["latest_outcome"] == "pass"


def test_package_written_as_html_and_json(
    demo: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "rel1.html"
    written = demo("-u", "ravi", "cyber", "package", "--release", "REL-1", "-o", str(target))
    assert written.code == 0, written.err
    assert "36 components, 5 security risks, 3 unresolved vulnerabilities" in written.out
    html = target.read_text()
    assert 'id="sbom-table"' in html and 'id="trace-table"' in html and "CVE-2023-44487" in html
    printed = demo("-u", "ravi", "cyber", "package", "-r", "REL-2", "-f", "json", "-o", "-")
    data = json.loads(printed.out)
    assert data["format"] == "qspine-cyber-package" and data["release"]["key"] == "REL-2"
    assert data["sbom"]["count"] == 36 and data["anomalies"]["vulnerabilities"] == []
    monkeypatch.chdir(tmp_path)
    assert demo("-u", "ravi", "cyber", "package", "-r", "REL-2", "-f", "json").code == 0
    named = json.loads((tmp_path / "cyber-package-REL-2.json").read_text())
    assert named["release"] == data["release"] and named["metrics"] == data["metrics"]


def test_errors_are_one_line(demo: Invoke) -> None:
    wrong = demo("-u", "ravi", "cyber", "package", "--release", "REL-1", "-f", "pdf")
    assert wrong.code == 2 and "--format 'pdf': one of html, json" in wrong.err
    missing = demo("-u", "ravi", "cyber", "package", "--release", "REL-99", "-o", "-")
    assert missing.code == 2 and "no release REL-99" in missing.err
    other = demo("-u", "ravi", "cyber", "package", "--release", "SR-1", "-o", "-")
    assert other.code == 2 and "SR-1 is a security_risk, not a release" in other.err
    anonymous = demo("cyber", "metrics")
    assert anonymous.code == 2 and "--user" in anonymous.err
