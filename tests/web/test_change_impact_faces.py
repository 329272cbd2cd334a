"""A change request's impact analysis, attached without being stored: the records it
`changes`, as assessed when it entered investigation (rebuilt from history) and now, through
the service, `qspine impact --change`, /api/v1/changes/{key}/impact and the record page."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qspine import InvalidInput, Spine, open_spine
from qspine.app import create_app

from .web_helpers import four_users, login
from helpers import PASSWORD, Clock, Invoke, approve, sample_fields, settings_for

START = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


def story(spine: Spine) -> None:
    """REQ-1 verified by TC-1; CR-1 changes REQ-1 and goes into investigation; a day later
    TC-2 is written against REQ-1, so the impact now reaches one more test than assessed."""
    clock = Clock(START)
    spine.context.clock = clock
    profile = spine.profile

    def new(kind: str, title: str) -> str:
        return spine.records.create("quinn", kind, sample_fields(profile, kind, title)).key

    new("requirement", "Show the estimate")
    approve(spine, "REQ-1")
    new("test_case", "Estimate shown")
    spine.links.link("quinn", "verifies", "TC-1", "REQ-1")
    new("change_request", "Two decimals")
    spine.links.link("quinn", "changes", "CR-1", "REQ-1")
    clock.now = START + dt.timedelta(hours=1)
    spine.records.transition("quinn", "CR-1", "investigating", 1)
    clock.now = START + dt.timedelta(days=1)
    new("test_case", "Two decimals shown")
    spine.links.link("quinn", "verifies", "TC-2", "REQ-1")


def reached(report: object) -> list[str]:
    affected = report["affected"] if isinstance(report, dict) else report.affected  # type: ignore[attr-defined]
    return sorted(
        n["key"] if isinstance(n, dict) else n.key for ns in affected.values() for n in ns
    )


def test_service_then_and_now(spine: Spine) -> None:
    story(spine)
    reader = spine.users.get("vic")
    analysis = spine.trace.change_impact(reader, "CR-1")
    assert analysis.changed == ["REQ-1"]
    assessed = analysis.assessed_at
    assert assessed is not None and dt.timedelta(hours=1) <= assessed - START < dt.timedelta(
        hours=1, minutes=1
    )  # the test clock ticks a second a call
    assert analysis.at_assessment is not None and analysis.now is not None
    assert reached(analysis.at_assessment) == ["TC-1"]
    assert reached(analysis.now) == ["TC-1", "TC-2"]
    assert [(e.source, e.type) for e in analysis.now.will_turn_suspect] == [
        ("CR-1", "changes"),
        ("TC-1", "verifies"),
        ("TC-2", "verifies"),
    ]
    with pytest.raises(InvalidInput, match="REQ-1 is a requirement, not a change request"):
        spine.trace.change_impact(reader, "REQ-1")
    fresh = spine.records.create(
        "quinn", "change_request", sample_fields(spine.profile, "change_request")
    ).key
    untouched = spine.trace.change_impact(reader, fresh)
    assert (untouched.changed, untouched.at_assessment, untouched.now) == ([], None, None)


def test_cli_api_and_page(qspine: Invoke, db_file: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{db_file}"
    with four_users(open_spine(url, settings=settings_for(url, tmp_path))) as spine:
        story(spine)
    shown = qspine("-u", "vic", "impact", "--change", "CR-1")
    assert shown.code == 0, shown.err
    assert "as assessed when CR-1 entered investigating" in shown.out and "TC-2" in shown.out
    data = json.loads(qspine("-u", "vic", "impact", "--change", "CR-1", "--json").out)
    assert reached(data["at_assessment"]) == ["TC-1"] and reached(data["now"]) == ["TC-1", "TC-2"]
    refused = qspine("-u", "vic", "impact", "--change", "CR-1", "REQ-1")
    assert refused.code == 2 and "takes no keys" in refused.err

    with open_spine(url, settings=settings_for(url, tmp_path)) as spine:
        secret, _ = spine.access.create_token("vic", "impact")
        with TestClient(create_app(spine)) as client:
            auth = {"Authorization": f"Bearer {secret}"}
            body = client.get("/api/v1/changes/CR-1/impact", headers=auth).json()
            assert body["assessed_at"].startswith("2026-03-02T10:00:0")
            assert reached(body["at_assessment"]) == ["TC-1"]
            assert body["now"]["total"] == 2
            missing = client.get("/api/v1/changes/CR-9/impact", headers=auth)
            assert missing.status_code == 404

            login(client, "vic", PASSWORD)
            page = client.get("/records/CR-1").text
            assert 'id="change-impact-h"' in page and "As assessed when work started" in page
            assert "/impact?keys=REQ-1&amp;as_of=2026-03-02T10:00:0" in page
            assert 'id="change-impact-h"' not in client.get("/records/REQ-1").text
