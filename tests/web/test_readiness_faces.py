"""Inspection readiness on the CytoAssist demo through all three faces: `qspine check`,
`qspine rules` and `qspine finding suppress|unsuppress`; /api/v1/readiness (check, recorded
runs, report, rules, suppressions); and the /readiness dashboard. One service answers all."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qspine import Forbidden, InvalidInput, Spine, open_spine
from qspine.app import create_app
from qspine.demo import DEMO_PASSWORD

from .web_helpers import Browser, login
from helpers import DemoTemplate, Invoke, demo_copy, settings_for

GAP_RULES = {
    "ACT-DUE-001",
    "CAPA-RISK-001",
    "CMP-MDR-001",
    "DES-VER-001",
    "DOC-NAME-001",
    "DOC-REF-001",
    "RISK-CTL-001",
    "RISK-CTL-003",
    "SUP-EVAL-001",
    "TRC-SUS-001",
    "TRN-CUR-001",
    "VUL-TRI-001",
}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory, demo_template: DemoTemplate) -> Path:
    folder = tmp_path_factory.mktemp("readiness-demo")
    demo_copy(demo_template, folder)
    return folder / "demo.db"


@pytest.fixture
def demo(demo_db: Path, tmp_path: Path) -> Iterator[Spine]:
    """A private copy of the demo per test: checks record runs and suppress findings."""
    shutil.copyfile(demo_db, tmp_path / "demo.db")
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    spine = open_spine(url, settings=settings_for(url, tmp_path))
    yield spine
    spine.close()


def test_cli_check_is_a_gate_with_reports(
    qspine: Invoke, db_file: Path, demo_db: Path, tmp_path: Path
) -> None:
    shutil.copyfile(demo_db, db_file)
    shown = qspine("-u", "dana", "check")
    assert shown.code == 1, "blocking findings fail the default gate"
    assert "REQ-10" in shown.out and "3 finding(s) at or above blocking" in shown.out
    assert "Time to retrieve a controlled record with its chain" in shown.out
    data = json.loads(qspine("-u", "dana", "check", "--json").out)
    assert {f["rule"] for f in data["findings"]} == GAP_RULES
    assert data["counts"] == {"blocking": 3, "major": 17, "minor": 1, "info": 0}
    assert data["fail_on"] == "blocking" and data["trend"] is not None, "the first run recorded"
    assert [m["id"] for m in data["measures"]] == [
        "retrieval",
        "linked",
        "actions_on_time",
        "impacts_shown",
    ]
    ref = next(f for f in data["findings"] if f["rule"] == "DES-VER-001")
    assert ref["subject"] == "REQ-10" and "ISO 13485:2016 7.3.6" in ref["clauses"]
    assert ref["remedy"].startswith("Write a test case")
    # every report form, written and read back
    for suffix in ("html", "md", "json"):
        out = tmp_path / f"readiness.{suffix}"
        assert qspine("-u", "dana", "check", "-o", str(out)).code == 1
        text = out.read_text()
        assert "REQ-10" in text and "DES-VER-001" in text
    assert json.loads((tmp_path / "readiness.json").read_text())["score"] == data["score"]
    assert "<h2>Clauses</h2>" in (tmp_path / "readiness.html").read_text()
    assert "## Self-assessment measures" in (tmp_path / "readiness.md").read_text()
    # thresholds, packs and bad input
    assert qspine("-u", "dana", "check", "--fail-on", "info").code == 1
    assert qspine("-u", "dana", "check", "--pack", "qmsr", "--json").code == 1
    unknown = qspine("-u", "dana", "check", "--pack", "nope")
    assert unknown.code == 2 and "rule pack 'nope' is not installed" in unknown.err
    bad = qspine("-u", "dana", "check", "--fail-on", "fatal")
    assert bad.code == 2 and "severity 'fatal'" in bad.err
    wrong = qspine("-u", "dana", "check", "-o", str(tmp_path / "r.pdf"))
    assert wrong.code == 2 and ".html, .md or .json" in wrong.err
    listed = json.loads(qspine("rules", "--json").out)
    assert len(listed) >= 48 and {"DOC-REF-001", "CMP-MDR-001"} <= {r["id"] for r in listed}


def test_as_of_before_the_demo_existed_finds_nothing(demo: Spine) -> None:
    dana = demo.users.get("dana")
    start = min(e.at for e in demo.audit.log(limit=100000))
    before = demo.readiness.check(dana, start, record_run=False)
    assert before.findings == [] and before.score is None
    live = demo.readiness.check(dana, record_run=False)
    assert len(live.findings) == 21


def test_suppression_is_audited_and_shows_in_the_trend(demo: Spine, qspine: Invoke) -> None:
    dana = demo.users.get("dana")
    first = demo.readiness.check(dana)  # recorded
    assert first.trend is None
    occurrences = [f for f in first.findings if f.rule == "DOC-REF-001"]
    chosen = occurrences[0]
    demo.readiness.suppress(
        dana, chosen.rule, chosen.subject, chosen.occurrence, "Quoted in the revision history"
    )
    second = demo.readiness.check(dana)
    assert len(second.findings) == 20
    assert [(f.ident, s.reason, s.by) for f, s in second.suppressed] == [
        (chosen.ident, "Quoted in the revision history", "dana")
    ]
    assert second.trend is not None and second.trend.resolved == (chosen.ident,)
    assert second.trend.new == ()
    events = [e for e in demo.audit.log("DOC-5") if e.action.startswith("finding.")]
    assert [(e.action, e.actor, e.reason) for e in events] == [
        ("finding.suppress", "dana", "Quoted in the revision history")
    ]
    with pytest.raises(InvalidInput, match="already suppressed"):
        demo.readiness.suppress(dana, chosen.rule, "DOC-5", chosen.occurrence, "again")
    with pytest.raises(InvalidInput, match="say why"):
        demo.readiness.suppress(dana, "DOC-NAME-001", "DOC-5", "", "  ")
    with pytest.raises(Forbidden, match="lacks write"):
        demo.readiness.suppress(demo.users.get("aisha"), "DOC-NAME-001", "DOC-5", "", "no")
    demo.readiness.unsuppress(dana, chosen.rule, "DOC-5", chosen.occurrence, "Revised text")
    third = demo.readiness.check(dana, record_run=False)
    assert chosen.ident in {f.ident for f in third.findings} and third.suppressed == ()
    assert audit_integrity(demo)


def audit_integrity(spine: Spine) -> bool:
    return spine.audit.verify().intact


def test_cli_suppress_and_unsuppress(qspine: Invoke, db_file: Path, demo_db: Path) -> None:
    shutil.copyfile(demo_db, db_file)
    done = qspine(
        "-u", "dana", "finding", "suppress", "DOC-NAME-001", "DOC-5", "--reason", "Renamed at rev F"
    )
    assert done.code == 0, done.err
    data = json.loads(qspine("-u", "dana", "check", "--json").out)
    assert [s["rule"] for s in data["suppressed"]] == ["DOC-NAME-001"]
    assert "DOC-NAME-001" not in {f["rule"] for f in data["findings"]}
    missing = qspine(
        "-u", "dana", "finding", "unsuppress", "DES-VER-001", "REQ-10", "--reason", "x"
    )
    assert missing.code == 2 and "no suppression of DES-VER-001 on REQ-10" in missing.err
    back = qspine(
        "-u", "dana", "finding", "unsuppress", "DOC-NAME-001", "DOC-5", "--reason", "Not renamed"
    )
    assert back.code == 0
    assert qspine("-u", "dana", "finding", "suppress", "NOPE-1", "DOC-5", "--reason", "x").code == 2


def test_api_readiness(demo: Spine) -> None:
    secret, _ = demo.access.create_token("dana", "ci")
    auth = {"Authorization": f"Bearer {secret}"}
    with TestClient(create_app(demo)) as client:
        live = client.get("/api/v1/readiness", headers=auth)
        assert live.status_code == 200
        body = live.json()
        assert {f["rule"] for f in body["findings"]} == GAP_RULES
        assert body["failing"] == 3 and body["trend"] is None
        major = client.get("/api/v1/readiness?fail_on=major", headers=auth).json()
        assert major["failing"] == 20
        run = client.post("/api/v1/readiness/runs", headers=auth)
        assert run.status_code == 201
        again = client.post("/api/v1/readiness/runs", headers=auth).json()
        assert again["trend"]["new"] == [] and again["trend"]["resolved"] == []
        heat = {c["clause"]: c["heat"] for c in body["clauses"]}
        assert heat["ISO 13485:2016 8.2.3"] == "bad" and heat["ISO 13485:2016 8.2.4"] == "ok"
        md = client.get("/api/v1/readiness/report?format=md", headers=auth)
        assert md.status_code == 200 and md.text.startswith("# Inspection readiness")
        html = client.get("/api/v1/readiness/report", headers=auth)
        assert 'href="/records/REQ-10"' in html.text
        rules = client.get("/api/v1/readiness/rules", headers=auth).json()
        assert next(r for r in rules if r["id"] == "DOC-REF-001")["engine"] == "python"
        payload = {"rule": "DOC-NAME-001", "subject": "DOC-5", "reason": "Renamed at rev F"}
        made = client.post("/api/v1/readiness/suppressions", headers=auth, json=payload)
        assert made.status_code == 204
        twice = client.post("/api/v1/readiness/suppressions", headers=auth, json=payload)
        assert twice.status_code == 422 and "already suppressed" in twice.json()["error"]["message"]
        empty = {**payload, "reason": ""}
        assert (
            client.post("/api/v1/readiness/suppressions", headers=auth, json=empty).status_code
            == 422
        )
        withdrawn = client.post(
            "/api/v1/readiness/suppressions/withdraw", headers=auth, json=payload
        )
        assert withdrawn.status_code == 204
        past = client.get("/api/v1/readiness?as_of=2000-01-01", headers=auth).json()
        assert past["findings"] == [] and past["as_of"].startswith("2000-01-01T23:59:59")
        assert client.get("/api/v1/readiness?pack=nope", headers=auth).status_code == 404


def test_dashboard_page(demo: Spine) -> None:
    with TestClient(create_app(demo)) as client:
        browser = Browser(client, login(client, "dana", DEMO_PASSWORD))
        page = client.get("/readiness").text
        assert "Inspection readiness" in page and 'class="heat"' in page
        assert 'href="/records/REQ-10"' in page and "Fix: Write a test case" in page
        assert 'class="heat-bad"' in page and "Self-assessment" in page
        assert client.get("/readiness?severity=minor").text.count('class="finding"') == 1
        twin = client.get("/readiness", headers={"Accept": "application/json"}).json()
        assert twin["counts"]["blocking"] == 3
        recorded = browser.post("/readiness/runs")
        assert recorded.status_code == 303
        assert "Check recorded" in client.get(recorded.headers["location"]).text
        done = browser.post(
            "/readiness/suppressions",
            {"rule": "DOC-NAME-001", "subject": "DOC-5", "occurrence": "", "reason": "Renamed"},
        )
        assert done.status_code == 303
        after = client.get("/readiness").text
        assert "<h2>Suppressed</h2>" in after and "Renamed" in after
        assert "1 resolved" in after
        refused = browser.post(
            "/readiness/suppressions",
            {"rule": "DOC-NAME-001", "subject": "DOC-5", "occurrence": "", "reason": "Again"},
        )
        assert refused.status_code == 422 and "already suppressed" in refused.text
        report = client.get("/readiness/report.html")
        assert report.status_code == 200 and "attachment" in report.headers["content-disposition"]
        assert "Readiness" in client.get("/").text, "the nav links the dashboard"


SOP = "# SOP\n\nThis procedure meets the Quality System Regulation (QSR), 21 CFR 820.30.\n"


def test_lint_faces_for_files_and_records(
    demo: Spine, qspine: Invoke, db_file: Path, demo_db: Path, tmp_path: Path
) -> None:
    shutil.copyfile(demo_db, db_file)
    shown = qspine("-u", "dana", "lint", "--record", "DOC-5", "--json")
    assert shown.code == 1
    placed = json.loads(shown.out)["findings"]
    assert len(placed) == 10 and placed[0]["occurrence"].startswith("SUP-QSR:")
    assert qspine("-u", "dana", "lint", "--record", "DOC-1").code == 0
    assert qspine("-u", "dana", "lint", "--record", "REQ-1").code == 2
    assert qspine("lint").code == 2
    secret, _ = demo.access.create_token("dana", "lint")
    auth = {"Authorization": f"Bearer {secret}"}
    with TestClient(create_app(demo)) as client:
        upload = client.post(
            "/api/v1/lint", headers=auth, files={"file": ("sop.md", SOP.encode(), "text/markdown")}
        )
        assert upload.status_code == 200
        assert [f["text"] for f in upload.json()["findings"]] == [
            "Quality System Regulation",
            "QSR",
            "21 CFR 820.30",
        ]
        refused = client.post(
            "/api/v1/lint", headers=auth, files={"file": ("sop.xlsx", b"xx", "application/x")}
        )
        assert refused.status_code == 422 and "sop.xlsx" in refused.json()["error"]["message"]
        record = client.get("/api/v1/records/DOC-5/lint", headers=auth).json()
        assert record["historical"] is False and len(record["open"]) == 10
        browser = Browser(client, login(client, "dana", DEMO_PASSWORD))
        page = client.get("/records/DOC-5").text
        assert 'id="superseded-references"' in page and page.count('class="lint-finding"') == 10
        first = placed[0]["occurrence"]
        done = browser.post(
            "/readiness/suppressions",
            {
                "rule": "DOC-REF-001",
                "subject": "DOC-5",
                "occurrence": first,
                "reason": "Quoted as history",
                "back": "/records/DOC-5",
            },
        )
        assert done.headers["location"] == "/records/DOC-5?done=suppressed"
        after = client.get(done.headers["location"]).text
        assert "Quoted as history" in after and "9 open" in after
        check = demo.readiness.check(demo.users.get("dana"), record_run=False)
        assert sum(f.rule == "DOC-REF-001" for f in check.findings) == 9
        form = client.get("/lint").text
        assert 'enctype="multipart/form-data"' in form
        linted = client.post(
            "/lint",
            data={"csrf_token": browser.csrf},
            files={"file": ("sop.md", SOP.encode(), "text/markdown")},
        )
        assert linted.status_code == 200 and linted.text.count('class="lint-finding"') == 3
        bad = client.post(
            "/lint",
            data={"csrf_token": browser.csrf},
            files={"file": ("sop.bin", b"\x00", "application/octet-stream")},
        )
        assert bad.status_code == 422 and "sop.bin" in bad.text
