"""MLflow import on a tracking store the test creates with MLflow itself: model versions,
datasets, validation runs and their links; re-import changes nothing; filters and refusals.

MLflow's SQL store triggers a SQLAlchemy 2.1 deprecation warning in MLflow's own module
(`noload`); it is ignored here and only here, where MLflow is imported."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import zipfile
from contextlib import closing
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from qspine.model.errors import Forbidden, InvalidInput
from qspine.model.fingerprint import canonical_json, sha256_hex
from qspine.spine import Spine

from helpers import PASSWORD, database_state, sample_fields

pytestmark = pytest.mark.filterwarnings(
    "ignore:The ``noload`` loader strategy is deprecated:DeprecationWarning"
)
WEIGHTS = b"pickled logistic regression"


def make_store(root: Path) -> str:
    """Experiment 'cytology': run 1 (one weights file, training and eval datasets) registered
    as cytonet 1, run 2 (an MLflow model folder) as cytonet 2; experiment 'scratch': a run
    nobody registered."""
    from mlflow import MlflowClient
    from mlflow.data.meta_dataset import MetaDataset
    from mlflow.data.sources import LocalArtifactDatasetSource
    from mlflow.entities import DatasetInput, InputTag
    from mlflow.types import ColSpec, DataType, Schema

    uri = f"sqlite:///{root / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    cytology = client.create_experiment("cytology", artifact_location=str(root / "artifacts"))
    scratch = client.create_experiment("scratch", artifact_location=str(root / "scratch"))
    schema = Schema([ColSpec(DataType.double, "mean_radius"), ColSpec(DataType.long, "label")])

    def dataset(name: str, path: str, context: str) -> DatasetInput:
        logged = MetaDataset(LocalArtifactDatasetSource(path), name=name, schema=schema)
        return DatasetInput(logged._to_mlflow_entity(), [InputTag("mlflow.data.context", context)])

    first = client.create_run(cytology, run_name="logreg-baseline").info.run_id
    client.log_param(first, "C", 1.0)
    client.log_param(first, "max_iter", 200)
    client.log_metric(first, "sensitivity", 0.96)
    client.log_metric(first, "specificity", 0.91)
    client.set_tag(first, "mlflow.source.git.commit", "3f2a9c1")
    client.log_inputs(
        first,
        [
            dataset("registry-train", "/data/registry/train.csv", "training"),
            dataset("holdout", "/data/registry/holdout.csv", "eval"),
        ],
    )
    (root / "model.pkl").write_bytes(WEIGHTS)
    client.log_artifact(first, str(root / "model.pkl"), artifact_path="model")
    client.set_terminated(first)

    second = client.create_run(cytology, run_name="logreg-tuned").info.run_id
    client.log_param(second, "C", 0.5)
    client.log_metric(second, "sensitivity", 0.93)
    folder = root / "mlmodel"
    folder.mkdir()
    (folder / "MLmodel").write_text("flavors:\n  sklearn: {}\n")
    (folder / "model.pkl").write_bytes(WEIGHTS + b" tuned")
    (folder / "requirements.txt").write_text("scikit-learn==1.5.2\n")
    client.log_artifact(second, str(folder), artifact_path="model")
    client.set_terminated(second)

    lonely = client.create_run(scratch, run_name="try-out").info.run_id
    client.log_metric(lonely, "sensitivity", 0.5)
    client.set_terminated(lonely)

    client.create_registered_model("cytonet")
    client.create_model_version("cytonet", f"runs:/{first}/model", run_id=first)
    client.create_model_version("cytonet", f"runs:/{second}/model/mlmodel", run_id=second)
    return uri


def fields_of(spine: Spine, key: str) -> dict[str, Any]:
    return dict(spine.records.show(key).version.fields)


def test_import_maps_versions_runs_and_datasets(spine: Spine, tmp_path: Path) -> None:
    uri = make_store(tmp_path)
    report = spine.mlflow.import_store("quinn", uri)
    kinds = [(r.kind, r.action) for r in report.records]
    assert kinds.count(("model_version", "created")) == 2
    assert kinds.count(("dataset", "created")) == 2
    assert kinds.count(("validation_run", "created")) == 2
    keys = {r.origin: r.key for r in report.records}
    first = keys["mlflow:cytonet/1"]
    model = fields_of(spine, first)
    assert model["title"] == "cytonet 1" and model["version_label"] == "1"
    assert model["weights_sha256"] == hashlib.sha256(WEIGHTS).hexdigest() == model["weights"]
    assert spine.blobs.read(model["weights"]) == WEIGHTS
    assert model["configuration"] == '{"C":"1.0","max_iter":"200"}'
    assert model["configuration_sha256"] == sha256_hex(model["configuration"])
    assert model["code_commit"] == "3f2a9c1"
    # an MLflow model folder is stored as a deterministic ZIP of its files
    second = fields_of(spine, keys["mlflow:cytonet/2"])
    archive = zipfile.ZipFile(BytesIO(spine.blobs.read(second["weights"])))
    assert archive.namelist() == ["MLmodel", "model.pkl", "requirements.txt"]

    train = next(
        r.key
        for r in report.records
        if r.kind == "dataset" and fields_of(spine, r.key)["title"].startswith("registry-train")
    )
    dataset = fields_of(spine, train)
    digest = dataset["origin"].removeprefix("mlflow-dataset:")
    assert dataset["purpose"] == "training" and len(digest) == 8
    assert "not a SHA-256" in dataset["source"] and "/data/registry/train.csv" in dataset["source"]
    assert dataset["schema"] == "Columns (from MLflow):\n- mean_radius: double\n- label: long"
    logged = {
        "name": "registry-train",
        "digest": digest,
        "source_type": "local",
        "source": json.dumps({"uri": "/data/registry/train.csv"}),
        "schema": json.dumps(
            {
                "mlflow_colspec": [
                    {"type": "double", "name": "mean_radius", "required": True},
                    {"type": "long", "name": "label", "required": True},
                ]
            }
        ),
        "profile": "",
    }
    assert dataset["manifest_sha256"] == sha256_hex(canonical_json(logged))

    view = spine.records.show(first)
    assert {(link.type, link.target) for link in view.links_out} == {("trained_on", train)}
    (run,) = [link.source for link in view.links_in if link.type == "evaluates"]
    run_fields = fields_of(spine, run)
    assert run_fields["outcome"] == "fail" and run_fields["origin"].startswith("mlflow:")
    assert "No criterion applied" in run_fields["acceptance_criteria"]
    assert "| sensitivity | 0.96 |" in run_fields["metrics"]
    assert run_fields["code_commit"] == "3f2a9c1" and run_fields["run_on"].endswith("Z")
    assert json.loads(spine.blobs.read(run_fields["report"]))["metrics"] == {
        "sensitivity": 0.96,
        "specificity": 0.91,
    }
    used = [link.type for link in spine.records.show(run).links_out]
    assert sorted(used) == ["evaluates", "uses_data"]
    assert report.links == 4  # trained_on, uses_data and two evaluates
    assert [s.split(" (")[1].split(",")[0] for s in report.skipped] == ["try-out"]
    with spine.context.engine.connect() as connection:
        actions = connection.execute(
            sa.text("SELECT action FROM audit_event WHERE action = 'mlflow.import'")
        ).all()
    assert len(actions) == 1


def test_reimport_is_idempotent_and_judges_criteria_once_linked(
    spine: Spine, tmp_path: Path
) -> None:
    uri = make_store(tmp_path)
    first = spine.mlflow.import_store("quinn", uri)
    before = database_state(spine)
    again = spine.mlflow.import_store("quinn", uri)
    after = database_state(spine)
    assert {r.action for r in again.records} == {"unchanged"} and again.links == 0
    for table in ("record", "version", "link", "blob", "records"):
        assert before[table] == after[table], table
    assert [r.key for r in again.records] == [r.key for r in first.records]

    model = next(r.key for r in first.records if r.origin == "mlflow:cytonet/1")
    fields = sample_fields(spine.profile, "requirement", "Sensitivity")
    fields["metric_criteria"] = "sensitivity >= 0.95; specificity >= 0.9"
    requirement = spine.records.create("quinn", "requirement", fields).key
    spine.links.link("quinn", "implements", model, requirement)
    judged = spine.mlflow.import_store("quinn", uri, model="cytonet")
    (run,) = [r for r in judged.records if r.kind == "validation_run" and r.action == "updated"]
    view = spine.records.show(run.key)
    assert view.latest_version == 2 and view.version.fields["outcome"] == "pass"
    assert (
        f"sensitivity >= 0.95 ({requirement}): 0.96, met"
        in (view.version.fields["acceptance_criteria"])
    )
    assert judged.skipped == []  # a model filter lists no unregistered runs

    # a recorded MLflow run gives the PCCP check its metrics (from the report blob)
    spine.signing.sign("quinn", PASSWORD, run.key, "verified", 2)
    plan = {
        "title": "Retune",
        "pccp_version": "P1",
        "modification_id": "M1",
        "description": "d",
        "modification_protocol": "p",
        "impact_assessment": "i",
        "envelope": "may change: weights_sha256\nsensitivity >= 0.95",
    }
    plan_key = spine.records.create("quinn", "pccp_modification", plan).key
    base = spine.records.create(
        "quinn", "model_version", {"title": "old", "version_label": "0", "weights_sha256": "0" * 64}
    ).key
    spine.links.link("quinn", "implements_modification", model, plan_key)
    spine.links.link("quinn", "modifies_model", model, base)
    report = spine.pccp.check(spine.users.get("vic"), model)
    assert report.checks[0].validation == f"{run.key} (report)"
    assert "sensitivity >= 0.95 (envelope line 2): 0.96, met" in report.checks[0].check.checked


def test_filters_and_refusals_write_nothing(spine: Spine, tmp_path: Path) -> None:
    uri = make_store(tmp_path)
    before = database_state(spine)
    with pytest.raises(
        InvalidInput,
        match=re.escape("no experiment 'nope' (experiments: Default, cytology, scratch)"),
    ):
        spine.mlflow.import_store("quinn", uri, experiment="nope")
    with pytest.raises(
        InvalidInput, match=re.escape("no registered model 'other' (registered: cytonet)")
    ):
        spine.mlflow.import_store("quinn", uri, model="other")
    with pytest.raises(InvalidInput, match="no MLflow database at"):
        spine.mlflow.import_store("quinn", f"sqlite:///{tmp_path / 'missing.db'}")
    not_mlflow = tmp_path / "other.db"
    with closing(sqlite3.connect(not_mlflow)) as connection:
        connection.execute("CREATE TABLE things (id INTEGER)")
    with pytest.raises(InvalidInput, match="is not an MLflow tracking database"):
        spine.mlflow.import_store("quinn", str(not_mlflow))
    with pytest.raises(InvalidInput, match="only a local store is read"):
        spine.mlflow.import_store("quinn", "http://mlflow.example:5000")
    with pytest.raises(Forbidden, match="lacks write:model_version"):
        spine.mlflow.import_store("vic", uri)
    assert database_state(spine) == before

    scratch = spine.mlflow.import_store("quinn", uri, experiment="scratch")
    assert scratch.records == [] and len(scratch.skipped) == 1
    cytology = spine.mlflow.import_store("quinn", str(tmp_path / "mlflow.db"), "cytology")
    assert sorted(r.origin for r in cytology.records if r.kind == "model_version") == [
        "mlflow:cytonet/1",
        "mlflow:cytonet/2",
    ]


def test_an_import_looks_records_up_by_origin_once_per_kind(
    spine: Spine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two versions, two runs and two datasets: three look-ups (one per kind), not one query
    per imported item."""
    from qspine.services import mlflow_import

    kinds: list[str] = []
    real = mlflow_import.by_origin

    def counted(connection: Any, kind: str) -> Any:
        kinds.append(kind)
        return real(connection, kind)

    monkeypatch.setattr(mlflow_import, "by_origin", counted)
    uri = make_store(tmp_path)
    first = spine.mlflow.import_store("quinn", uri)
    assert sorted(kinds) == ["dataset", "model_version", "validation_run"]
    assert first.count("created") == 6
    kinds.clear()
    again = spine.mlflow.import_store("quinn", uri)
    assert sorted(kinds) == ["dataset", "model_version", "validation_run"]
    assert {r.action for r in again.records} == {"unchanged"}
    assert [r.key for r in again.records] == [r.key for r in first.records]


def test_a_model_folder_is_archived_in_chunks_with_the_bytes_it_always_had(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No file is read whole into memory (weights can be larger than it), and the archive is
    byte for byte what `writestr` made, so weights imported before keep their SHA-256."""
    from qspine.services.mlflow_reads import archive

    folder = tmp_path / "model"
    (folder / "sub").mkdir(parents=True)
    (folder / "MLmodel").write_text("flavors:\n  sklearn: {}\n")
    (folder / "sub" / "weights.bin").write_bytes(bytes(range(256)) * 8192)
    expected = BytesIO()
    with zipfile.ZipFile(expected, "w", compression=zipfile.ZIP_STORED) as zipped:
        for name in ("MLmodel", "sub/weights.bin"):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.create_system, info.external_attr = 3, 0o644 << 16
            zipped.writestr(info, (folder / name).read_bytes())

    def whole(path: Path) -> bytes:
        raise AssertionError(f"{path} was read whole")

    monkeypatch.setattr(Path, "read_bytes", whole)
    made = archive(folder, tmp_path / "model.zip")
    monkeypatch.undo()
    assert made.read_bytes() == expected.getvalue()


def test_a_dataset_logged_once_without_a_context_keeps_its_purpose(tmp_path: Path) -> None:
    from qspine.services.mlflow_import import _purpose
    from qspine.services.mlflow_reads import MlflowDataset, MlflowRun, MlflowVersion

    def version(run_id: str, *contexts: str) -> MlflowVersion:
        datasets = tuple(MlflowDataset("d", "abc", "local", "", "", "", c) for c in contexts)
        run = MlflowRun(run_id, "", "1", "e", None, "", {}, {}, "", datasets)
        return MlflowVersion("m", run_id, "", run, tmp_path)

    assert _purpose([version("1", "training"), version("2", "")], "abc") == "training"
    assert _purpose([version("1", "training"), version("2", "eval")], "abc") == "mixed"
    assert _purpose([version("1", ""), version("2", "whatever")], "abc") is None
