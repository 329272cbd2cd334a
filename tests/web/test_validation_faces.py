"""Validation runs through the REST API and the web pages: run, rerun, show, the run form."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from qspine import Spine
from qspine.app import create_app

import ai_scene
from .web_helpers import Browser


def test_api_run_rerun_and_show(web_spine: Spine, tmp_path: Path) -> None:
    scenes = ai_scene
    scene = scenes.build_scene(web_spine, tmp_path)
    secret, _ = web_spine.access.create_token("quinn", "validation")
    auth = {"Authorization": f"Bearer {secret}"}
    body = {
        "model": scene.model,
        "datasets": [scene.dataset],
        "command": scene.command,
        "title": "API run",
    }
    with TestClient(create_app(web_spine)) as client:
        made = client.post("/api/v1/validation-runs", json=body, headers=auth)
        assert made.status_code == 201, made.text
        run = made.json()
        assert run["outcome"] == "pass" and run["key"] == "VR-1"
        assert run["judgements"][2] == {
            "criterion": "auc >= 0.8",
            "source": scene.requirement,
            "measured": run["metrics"]["auc"],
            "passed": True,
        }
        again = client.post("/api/v1/validation-runs/VR-1/rerun", headers=auth)
        assert again.status_code == 200, again.text
        assert again.json()["verdict"] == "reproduced"
        shown = client.get("/api/v1/validation-runs/VR-1", headers=auth).json()
        assert shown["record"]["output_sha256"] == run["output_sha256"]
        assert [e["purpose"] for e in shown["executions"]] == ["run", "rerun"]
        refused = client.post(
            "/api/v1/validation-runs", json={**body, "datasets": []}, headers=auth
        )
        assert refused.status_code == 422
        assert "name at least one dataset" in refused.json()["error"]["message"]
        viewer, _ = web_spine.access.create_token("vic", "read")
        forbidden = client.post(
            "/api/v1/validation-runs/VR-1/rerun", headers={"Authorization": f"Bearer {viewer}"}
        )
        assert forbidden.status_code == 403


def test_web_run_form_page_and_rerun(
    web_spine: Spine, tmp_path: Path, signed_in: Callable[[str], Browser]
) -> None:
    scenes = ai_scene
    scene = scenes.build_scene(web_spine, tmp_path)
    quinn = signed_in("quinn")
    form = quinn.get(f"/validation-runs/new?model={scene.model}")
    assert form.status_code == 200
    assert f'value="{scene.dataset}"' in form.text and f'value="{scene.model}"' in form.text
    refused = quinn.post(
        "/validation-runs",
        {"model": scene.model, "command": scene.command, "title": "No data"},
    )
    assert refused.status_code == 422 and 'id="run-problem"' in refused.text
    made = quinn.post(
        "/validation-runs",
        {
            "model": scene.model,
            "datasets": scene.dataset,
            "command": scene.command,
            "title": "Web run",
        },
    )
    assert made.status_code == 303 and made.headers["location"] == "/validation-runs/VR-1"
    shown = quinn.get("/validation-runs/VR-1")
    assert shown.status_code == 200
    assert 'class="judgement-pass"' in shown.text and "✓ met" in shown.text
    assert "Rerun and compare" in shown.text and 'hx-indicator="#rerun-busy"' in shown.text
    assert f'href="/datasets/{scene.dataset}"' in shown.text

    rows = scenes.dataset_rows()
    rows[0] = (rows[0][0], rows[0][1], 1)
    scenes.write_dataset(scene.data, rows)
    rerun = quinn.post("/validation-runs/VR-1/rerun", headers={"HX-Request": "true"})
    assert rerun.status_code == 200
    assert 'id="rerun-result"' in rerun.text and "Not reproduced" in rerun.text
    assert f"dataset {scene.dataset} v1 file test.csv: sha256" in rerun.text
    assert 'class="execution-not_reproduced"' in rerun.text
    twin = quinn.get("/validation-runs/VR-1?format=json").json()
    assert [e["verdict"] for e in twin["run"]["executions"]] == ["pass", "not_reproduced"]
    execution = twin["run"]["executions"][0]["id"]
    log = quinn.get(f"/validation-runs/VR-1/executions/{execution}/log")
    assert "evaluated 40 cases" in log.text

    viewer = signed_in("vic")
    page = viewer.get("/validation-runs/VR-1")
    assert page.status_code == 200 and "Rerun and compare" not in page.text
    assert "but not execute them" in viewer.get("/validation-runs/new").text
