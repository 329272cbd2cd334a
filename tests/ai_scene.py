"""The shared scene of the AI evidence tests (ADR 0015): a tiny deterministic evaluation
command (it reads the QSPINE_* variables, the weights, the preprocessing code and a CSV
dataset, and writes predictions.csv and metrics.json), its dataset and criteria, a model
version ready to run (`build_scene`) and one ready for the release gate (`ready_model`).
Used by the validation, model-gate, CLI, web and readiness-rule tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from qspine import Spine
from qspine.model.fingerprint import canonical_json, sha256_hex
from qspine.services import code_refs

from helpers import PASSWORD

EVALUATE = """\
import csv, json, math, os, pathlib, sys
out = pathlib.Path(os.environ["QSPINE_OUTPUT_DIR"])
weights = json.loads(pathlib.Path(os.environ["QSPINE_MODEL_WEIGHTS"]).read_text())
configuration = json.loads(pathlib.Path(os.environ["QSPINE_CONFIGURATION"]).read_text())
code = {}
exec(pathlib.Path(os.environ["QSPINE_PREPROCESSING"]).read_text(), code)
locations = json.loads(pathlib.Path(os.environ["QSPINE_DATASETS"]).read_text())
assert os.environ["QSPINE_DATASET"] == next(iter(locations.values()))
assert float(os.environ["QSPINE_DECISION_THRESHOLD"]) == 0.5
if configuration.get("fail"):
    print("simulated failure in the evaluation", file=sys.stderr)
    sys.exit(3)
table = pathlib.Path(os.environ["QSPINE_DATASET"]) / "test.csv"
rows = list(csv.DictReader(table.open()))
with (out / "predictions.csv").open("w", newline="") as handle:
    writer = csv.writer(handle)
    writer.writerow(["id", "label", "score"])
    for row in rows:
        x = code["scale"](float(row["x"]))
        score = 1 / (1 + math.exp(-(weights["w"] * x + weights["b"])))
        writer.writerow([row["id"], row["label"], f"{score:.6f}"])
(out / "metrics.json").write_text(json.dumps({"calibration_slope": 0.97, "note": "text"}))
print("evaluated", len(rows), "cases")
"""
PREPROCESSING = "def scale(x):\n    return x / 2.0\n"
CRITERIA = "sensitivity >= 0.7; specificity >= 0.7\nauc >= 0.8  # agreed in the plan"


def dataset_rows() -> list[tuple[str, float, int]]:
    """40 cases: x in [-2, 2), label 1 when x > 0 except four deliberate label errors."""
    rows = []
    for index in range(40):
        x = -2 + index * 0.1
        label = 1 if x > 0 else 0
        if index in (5, 17, 24, 33):
            label = 1 - label
        rows.append((f"c{index:02d}", round(x, 2), label))
    return rows


def write_dataset(folder: Path, rows: list[tuple[str, float, int]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["id,x,label", *(f"{i},{x},{label}" for i, x, label in rows)]
    (folder / "test.csv").write_text("\n".join(lines) + "\n")
    return folder


@dataclass
class Scene:
    model: str
    dataset: str
    requirement: str
    script: Path
    data: Path
    repo: Path

    @property
    def command(self) -> str:
        return f"python {self.script}"


def build_scene(
    spine: Spine, tmp_path: Path, actor: str = "quinn", commit: str = "", repo: Path | None = None
) -> Scene:
    """A dataset, a requirement with metric criteria, and a model version implementing it
    (weights blob, preprocessing code reference, threshold 0.5, configuration)."""
    script = tmp_path / "evaluate.py"
    script.write_text(EVALUATE)
    data = write_dataset(tmp_path / "data", dataset_rows())
    dataset = spine.datasets.register(
        actor, data, {"title": "Test split", "source": "synthetic", "purpose": "test"}
    ).key
    if repo is None:
        repo = tmp_path / "repo"
        (repo / "src").mkdir(parents=True)
        (repo / "src" / "pre.py").write_text(PREPROCESSING)
    weights_file = tmp_path / "weights.json"
    weights_file.write_text(json.dumps({"w": 6.0, "b": 0.0}))
    weights = spine.blobs.add(actor, weights_file).sha256
    requirement = spine.records.create(
        actor,
        "requirement",
        {"title": "Detect", "statement": "The model shall detect.", "metric_criteria": CRITERIA},
    ).key
    configuration = canonical_json({"fail": False, "seed": 7})
    model = spine.records.create(
        actor,
        "model_version",
        {
            "title": "Detector 1.0",
            "version_label": "1.0",
            "weights": weights,
            "weights_sha256": weights,
            "preprocessing_ref": str(code_refs.pin(str(repo), "src/pre.py", commit)),
            "decision_threshold": 0.5,
            "configuration": configuration,
            "configuration_sha256": sha256_hex(configuration),
            "packages": ["sqlalchemy==2.0.0"],
        },
    ).key
    spine.links.link(actor, "implements", model, requirement)
    return Scene(model, dataset, requirement, script, data, repo)


@dataclass
class Ready:
    model: str
    dataset: str
    requirement: str
    run: str
    data: Path


def ready_model(
    spine: Spine,
    tmp_path: Path,
    *,
    approve_dataset: bool = True,
    record_run: bool = True,
    rerun: bool = True,
    reviewer: str | None = "dana",
    approve: bool = True,
) -> Ready:
    """dana (data scientist) registers a dataset (quinn approves it) and a model implementing
    a requirement with metric criteria, runs and records its validation, reruns it, signs the
    model reviewed; quinn (QA/RA lead) approves the model. Each keyword leaves one step out."""
    if "dana" not in {u.username for u in spine.users.list()}:
        spine.users.add("ada", "dana", "Dana Scientist", PASSWORD, ["data_scientist"])
    data = write_dataset(tmp_path / "data", dataset_rows())
    dataset = spine.datasets.register(
        "dana", data, {"title": "Locked test set", "source": "synthetic", "purpose": "test"}
    ).key
    if approve_dataset:
        spine.signing.sign("quinn", PASSWORD, dataset, "approved", 1)
    requirement = spine.records.create(
        "quinn",
        "requirement",
        {"title": "Detect", "statement": "It shall detect.", "metric_criteria": CRITERIA},
    ).key
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "pre.py").write_text(PREPROCESSING)
    weights = tmp_path / "weights.json"
    weights.write_text(json.dumps({"w": 6.0, "b": 0.0}))
    script = tmp_path / "evaluate.py"
    script.write_text(EVALUATE)
    model = spine.models.register(
        "dana",
        weights=weights,
        title="Detector 1.0",
        version_label="1.0",
        preprocessing=(str(repo), "src/pre.py", ""),
        decision_threshold=0.5,
        configuration={"fail": False, "seed": 7},
        packages=["sqlalchemy"],
        implements=[requirement],
        fields={"intended_use": "Flag cases for review."},
    ).key
    run = spine.validation.run("dana", model, [dataset], f"python {script}", "Locked test").key
    if record_run:
        spine.signing.sign("dana", PASSWORD, run, "verified", 1)
    if rerun:
        assert spine.validation.rerun("dana", run).verdict == "reproduced"
    if reviewer is not None:
        spine.signing.sign(reviewer, PASSWORD, model, "reviewed", 1)
    spine.records.transition("dana", model, "in_review", 1)
    if approve:
        spine.signing.sign("quinn", PASSWORD, model, "approved", 1)
    return Ready(model, dataset, requirement, run, data)
