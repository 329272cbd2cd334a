"""`qspine mlflow import` on a store made with MLflow: created, then unchanged; unknown
names refused (MLflow's own SQLAlchemy deprecation warning is ignored in this file only)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_helpers import flat
from helpers import Invoke

pytestmark = pytest.mark.filterwarnings(
    "ignore:The ``noload`` loader strategy is deprecated:DeprecationWarning"
)


def store(root: Path, name: str = "cytonet") -> str:
    """One run with a parameter, a metric and a weights file, registered as `name` 1."""
    from mlflow import MlflowClient

    uri = f"sqlite:///{root / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    experiment = client.create_experiment("cytology", artifact_location=str(root / "art"))
    run = client.create_run(experiment, run_name="baseline").info.run_id
    client.log_param(run, "C", 1.0)
    client.log_metric(run, "sensitivity", 0.96)
    (root / "weights.bin").write_bytes(b"weights")
    client.log_artifact(run, str(root / "weights.bin"), artifact_path="model")
    client.set_terminated(run)
    client.create_registered_model(name)
    client.create_model_version(name, f"runs:/{run}/model", run_id=run)
    return uri


def test_import_then_reimport(seeded: Invoke, tmp_path: Path) -> None:
    uri = store(tmp_path)
    done = seeded("-u", "quinn", "mlflow", "import", uri, "--json")
    assert done.code == 0, done.err
    report = json.loads(done.out)
    assert [(r["kind"], r["origin"], r["action"]) for r in report["records"]] == [
        ("model_version", "mlflow:cytonet/1", "created"),
        ("validation_run", report["records"][1]["origin"], "created"),
    ]
    again = seeded("-u", "quinn", "mlflow", "import", uri, "--model", "cytonet")
    assert again.code == 0, again.err
    assert "0 created, 0 updated, 2 unchanged, 0 link(s) made" in flat(again)
    shown = json.loads(seeded("-u", "eve", "record", "show", "MV-1", "--json").out)
    assert shown["version"]["fields"]["origin"] == "mlflow:cytonet/1"

    unknown = seeded("-u", "quinn", "mlflow", "import", uri, "--experiment", "nope")
    assert unknown.code == 2 and "no experiment 'nope'" in unknown.err
    refused = seeded("-u", "eve", "mlflow", "import", uri)
    assert refused.code != 0 and "lacks write:" in refused.err


def test_a_model_name_is_printed_as_text_not_markup(seeded: Invoke, tmp_path: Path) -> None:
    """An MLflow name is the store's own text: '[v2]' in it was read as a rich style and
    vanished from the table."""
    done = seeded("-u", "quinn", "mlflow", "import", store(tmp_path, "cytonet [v2]"))
    assert done.code == 0, done.err
    assert "[v2]" in done.out
