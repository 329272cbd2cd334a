"""PCCP checks and the MLflow import through the REST API and the web pages.

MLflow's SQL store triggers a SQLAlchemy 2.1 deprecation warning in MLflow's own module
(`noload`); it is ignored in this file only, where MLflow is imported."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qspine import Spine
from qspine.app import create_app

from .web_helpers import Browser

pytestmark = pytest.mark.filterwarnings(
    "ignore:The ``noload`` loader strategy is deprecated:DeprecationWarning"
)


def plan_with_models(spine: Spine) -> tuple[str, str, str]:
    """PCCP-1 (weights may change) with MV-2 inside and MV-3 outside (new intended use)."""

    def model(title: str, weights: str, **extra: str) -> str:
        fields = {"title": title, "version_label": title, "weights_sha256": weights * 64}
        return spine.records.create("quinn", "model_version", {**fields, **extra}).key

    base = model("CytoNet 1", "a")
    plan = spine.records.create(
        "quinn",
        "pccp_modification",
        {
            "title": "Retrain",
            "pccp_version": "PCCP-CA-01 v1.0",
            "modification_id": "M2",
            "description": "Retrain.",
            "modification_protocol": "Protocol.",
            "impact_assessment": "Impact.",
            "envelope": "may change: weights_sha256",
        },
    ).key
    inside, outside = model("CytoNet 2", "b"), model("CytoNet 3", "c", intended_use="Diagnosis")
    for new in (inside, outside):
        spine.links.link("quinn", "implements_modification", new, plan)
        spine.links.link("quinn", "modifies_model", new, base)
    return plan, inside, outside


def store(root: Path) -> str:
    from mlflow import MlflowClient

    uri = f"sqlite:///{root / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    experiment = client.create_experiment("cytology", artifact_location=str(root / "art"))
    run = client.create_run(experiment, run_name="baseline").info.run_id
    client.log_metric(run, "sensitivity", 0.96)
    (root / "weights.bin").write_bytes(b"weights")
    client.log_artifact(run, str(root / "weights.bin"), artifact_path="model")
    client.set_terminated(run)
    client.create_registered_model("cytonet")
    client.create_model_version("cytonet", f"runs:/{run}/model", run_id=run)
    return uri


def test_api_check_list_and_import(web_spine: Spine, tmp_path: Path) -> None:
    plan, inside, outside = plan_with_models(web_spine)
    uri = store(tmp_path)
    quinn, _ = web_spine.access.create_token("quinn", "ai")
    vic, _ = web_spine.access.create_token("vic", "read")
    with TestClient(create_app(web_spine)) as client:
        good = client.get(
            f"/api/v1/models/{inside}/pccp", headers={"Authorization": f"Bearer {vic}"}
        )
        assert good.status_code == 200, good.text
        assert good.json()["within"] is True and good.json()["checks"][0]["base"] == "MV-1 v1"
        bad = client.get(
            f"/api/v1/models/{outside}/pccp", headers={"Authorization": f"Bearer {vic}"}
        ).json()
        assert bad["within"] is False
        assert bad["checks"][0]["check"]["findings"][0].startswith(
            "intended_use changed from (none) to Diagnosis"
        )
        listed = client.get(
            "/api/v1/pccp-modifications", headers={"Authorization": f"Bearer {vic}"}
        ).json()
        assert [(m["modification"]["key"], len(m["models"])) for m in listed] == [(plan, 2)]
        missing = client.get(
            "/api/v1/models/MV-99/pccp", headers={"Authorization": f"Bearer {vic}"}
        )
        assert missing.status_code == 404 and "MV-99" in missing.json()["error"]["message"]

        refused = client.post(
            "/api/v1/mlflow/import",
            json={"tracking_uri": uri},
            headers={"Authorization": f"Bearer {vic}"},
        )
        assert refused.status_code == 403
        made = client.post(
            "/api/v1/mlflow/import",
            json={"tracking_uri": uri, "model": "cytonet"},
            headers={"Authorization": f"Bearer {quinn}"},
        )
        assert made.status_code == 200, made.text
        assert (made.json()["created"], made.json()["unchanged"]) == (2, 0)
        again = client.post(
            "/api/v1/mlflow/import",
            json={"tracking_uri": uri},
            headers={"Authorization": f"Bearer {quinn}"},
        ).json()
        assert (again["created"], again["unchanged"]) == (0, 2)
        unknown = client.post(
            "/api/v1/mlflow/import",
            json={"tracking_uri": uri, "experiment": "nope"},
            headers={"Authorization": f"Bearer {quinn}"},
        )
        assert unknown.status_code == 422
        assert "no experiment 'nope'" in unknown.json()["error"]["message"]


def test_web_pages(web_spine: Spine, signed_in: Callable[[str], Browser], tmp_path: Path) -> None:
    _, inside, outside = plan_with_models(web_spine)
    vic = signed_in("vic")
    listing = vic.get("/pccp")
    assert listing.status_code == 200, listing.text
    assert f'href="/models/{inside}/pccp" class="badge tone-released">within' in listing.text
    assert f'href="/models/{outside}/pccp" class="badge tone-suspect">outside' in listing.text
    assert "may change: weights_sha256" in listing.text
    check = vic.get(f"/models/{outside}/pccp")
    assert "outside the PCCP" in check.text and 'class="pccp-finding"' in check.text
    assert "intended_use changed from (none) to Diagnosis" in check.text
    lone = vic.get("/models/MV-1/pccp")
    assert "not under a PCCP" in lone.text
    assert vic.get(f"/models/{inside}/pccp", headers={"Accept": "application/json"}).json()[
        "within"
    ]

    quinn = signed_in("quinn")
    form = quinn.get("/mlflow")
    assert form.status_code == 200 and 'name="tracking_uri"' in form.text
    uri = store(tmp_path)
    done = quinn.post("/mlflow/import", data={"tracking_uri": uri, "experiment": "", "model": ""})
    assert done.status_code == 200, done.text
    assert 'id="import-result"' in done.text and "2 created" in done.text
    wrong = quinn.post("/mlflow/import", data={"tracking_uri": str(tmp_path / "none.db")})
    assert wrong.status_code == 422 and "no MLflow database at" in wrong.text
