"""Registering a model system (ADR 0015 point 1), on SQLite and PostgreSQL: every digest is
computed from real files, the record and its links land in one audited transaction, and bad
input is refused naming the argument, with nothing written."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import platform
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from qspine import Spine
from qspine.model.errors import Forbidden, InvalidInput
from qspine.model.fingerprint import canonical_json
from qspine.model.model_system import Environment, parse_code_ref
from qspine.store.schema import audit_event

from helpers import PASSWORD, database_state


def parts(tmp_path: Path) -> dict[str, Path]:
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "pre.py").write_text("def scale(x):\n    return x / 2\n")
    (repo / "src" / "post.py").write_text("def label(score):\n    return score >= 0.5\n")
    files = {"repo": repo}
    for name, content in (
        ("weights", b"\x80\x04weights-bytes"),
        ("config", b'{"seed": 7, "depth": 3}'),
        ("lock", b"numpy==2.0.0\nscikit-learn==1.5.2\n"),
    ):
        path = tmp_path / f"{name}.bin"
        path.write_bytes(content)
        files[name] = path
    return files


def inputs(spine: Spine, tmp_path: Path) -> tuple[dict[str, Path], str, str]:
    dataset_dir = tmp_path / "train"
    dataset_dir.mkdir()
    (dataset_dir / "train.csv").write_text("id,x,label\n1,0.5,1\n2,-0.5,0\n")
    dataset = spine.datasets.register(
        "quinn", dataset_dir, {"title": "Training", "source": "synthetic", "purpose": "training"}
    ).key
    requirement = spine.records.create(
        "quinn",
        "requirement",
        {
            "title": "Sensitive",
            "statement": "It shall find them.",
            "metric_criteria": "sensitivity >= 0.9; sensitivity_ci_low >= 0.8",
            "monitoring_criteria": "auc >= 0.85",
        },
    ).key
    return parts(tmp_path), dataset, requirement


def register(spine: Spine, files: dict[str, Path], **changes: Any) -> str:
    arguments: dict[str, Any] = {
        "weights": files["weights"],
        "title": "Detector 2.1",
        "version_label": "2.1",
        "preprocessing": (str(files["repo"]), "src/pre.py", ""),
        "postprocessing": (str(files["repo"]), "src/post.py", ""),
        "decision_threshold": 0.42,
        "configuration": files["config"],
        "packages": ["sqlalchemy", "numpy==2.0.0"],
        "lockfile": files["lock"],
        "fields": {"intended_use": "Triage.", "random_seed": 7, "architecture": "logistic"},
    }
    arguments.update(changes)
    return spine.models.register("quinn", **arguments).key


def test_register_pins_every_part_from_the_files(spine: Spine, tmp_path: Path) -> None:
    files, dataset, requirement = inputs(spine, tmp_path)
    key = register(spine, files, trained_on=[dataset], implements=[requirement])
    view = spine.records.show(key)
    fields = view.version.fields
    weights = hashlib.sha256(files["weights"].read_bytes()).hexdigest()
    assert fields["weights_sha256"] == fields["weights"] == weights
    assert spine.blobs.read(weights) == files["weights"].read_bytes()
    pre = parse_code_ref(fields["preprocessing_ref"])
    assert pre.path == "src/pre.py" and pre.repo == str(files["repo"])
    assert pre.sha256 == hashlib.sha256(b"def scale(x):\n    return x / 2\n").hexdigest()
    assert parse_code_ref(fields["postprocessing_ref"]).path == "src/post.py"
    assert fields["configuration"] == canonical_json({"depth": 3, "seed": 7})
    configuration_digest = hashlib.sha256(fields["configuration"].encode()).hexdigest()
    assert fields["configuration_sha256"] == configuration_digest
    installed = importlib.metadata.version("sqlalchemy")
    assert fields["packages"] == ["numpy==2.0.0", f"sqlalchemy=={installed}"]
    assert fields["python_version"] == platform.python_version()
    lock = hashlib.sha256(files["lock"].read_bytes()).hexdigest()
    assert fields["lockfile_sha256"] == lock
    environment = Environment(
        platform.python_version(), {"numpy": "2.0.0", "sqlalchemy": installed}, lock
    )
    assert fields["environment_sha256"] == environment.sha256
    assert fields["decision_threshold"] == 0.42 and fields["random_seed"] == 7
    links = {(link.type, link.target) for link in view.links_out}
    assert links == {("trained_on", dataset), ("implements", requirement)}
    with spine.context.engine.connect() as connection:
        event = connection.execute(
            sa.select(audit_event.c.payload).where(
                audit_event.c.subject == key, audit_event.c.action == "model.register"
            )
        ).scalar_one()
    assert event["weights_sha256"] == weights and event["trained_on"] == [dataset]


def test_the_system_read_shows_every_part(spine: Spine, tmp_path: Path) -> None:
    files, dataset, requirement = inputs(spine, tmp_path)
    key = register(
        spine, files, trained_on=[dataset], implements=[requirement], python_version="3.12.4"
    )
    system = spine.models.system(spine.users.get("vic"), key)
    assert system.problems == []
    assert system.preprocessing is not None and system.preprocessing.path == "src/pre.py"
    assert system.environment.python == "3.12.4"
    assert system.environment.sha256 == system.fields["environment_sha256"]
    assert system.configuration == {"depth": 3, "seed": 7}
    (used,) = system.datasets
    assert (used.key, used.version, used.status, used.suspect) == (dataset, 1, "proposed", False)
    assert used.manifest_sha256 == spine.records.show(dataset).version.fields["manifest_sha256"]
    (implemented,) = system.requirements
    assert implemented.metric_criteria == ["sensitivity >= 0.9", "sensitivity_ci_low >= 0.8"]
    assert implemented.monitoring_criteria == ["auc >= 0.85"]
    assert system.runs == [] and not system.gate.passed and system.recorded_gate is None
    (row,) = spine.models.list(spine.users.get("vic"))
    assert (row.key, row.version_label, row.status, row.gate_passed) == (key, "2.1", "draft", False)
    assert row.gate_open == 5 and row.runs == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"weights": Path("missing.bin")}, "weights: no file at missing.bin"),
        ({"trained_on": ["DS-9"]}, "trained_on: no dataset DS-9"),
        ({"implements": ["DS-1"]}, "implements: DS-1 is a dataset, not a requirement"),
        ({"packages": ["numpy>=2"]}, "packages: item 1 'numpy>=2' is neither a package name"),
        ({"packages": ["no-such-package-qs"]}, "packages: 'no-such-package-qs' is not installed"),
        ({"packages": ["a==1==2"]}, "packages: item 1 'a==1==2' is not NAME==VERSION"),
        ({"packages": ["numpy==2.0.0", "NumPy==1.0"]}, "packages: item 2 'NumPy==1.0' names"),
        ({"packages": ["sqlalchemy", "SQLAlchemy==1.0"]}, "item 2 'SQLAlchemy==1.0' names sql"),
        ({"packages": ["numpy==2.0.0", "numpy==2.0.0"]}, "item 2 'numpy==2.0.0' names numpy"),
        ({"preprocessing": ("REPO", "src/gone.py", "")}, "preprocessing: code reference: 'src/"),
        ({"configuration": "BAD"}, "configuration: "),
        ({"lockfile": Path("nope.lock")}, "lockfile: no file at nope.lock"),
        ({"fields": {"weights_sha256": "0" * 64}}, "fields: weights_sha256 are computed"),
        ({"fields": {"random_seed": "seven"}}, "random_seed"),
        ({"title": " "}, "title"),
    ],
)
def test_bad_input_is_refused_naming_the_argument(
    spine: Spine, tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    files, _, _ = inputs(spine, tmp_path)
    if change.get("preprocessing"):
        change = {"preprocessing": (str(files["repo"]), "src/gone.py", "")}
    if change.get("configuration") == "BAD":
        bad = tmp_path / "bad.json"
        bad.write_text("{not json")
        change = {"configuration": bad}
    before = database_state(spine)
    with pytest.raises(InvalidInput) as refused:
        register(spine, files, **change)
    assert message in str(refused.value)
    assert database_state(spine) == before


def test_a_configuration_must_be_an_object_and_a_viewer_cannot_register(
    spine: Spine, tmp_path: Path
) -> None:
    files = parts(tmp_path)
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps([1, 2]))
    with pytest.raises(InvalidInput, match="configuration: must be a JSON object"):
        register(spine, files, configuration=listed)
    before = database_state(spine)
    with pytest.raises(Forbidden, match="lacks write:model_version"):
        spine.models.register("vic", weights=files["weights"], title="T", version_label="1")
    assert database_state(spine) == before


def test_a_registered_model_moves_through_review_like_any_record(
    spine: Spine, tmp_path: Path
) -> None:
    files = parts(tmp_path)
    key = register(spine, files, configuration={"seed": 1})
    spine.records.transition("quinn", key, "in_review", 1)
    spine.signing.sign("ada", PASSWORD, key, "approved", 1)
    shown = spine.records.show(key)
    assert shown.status == "approved"
    (release,) = [t for t in shown.next_transitions if t["to"] == "released"]
    assert any("never" in p or "no validation run" in p for p in release["blocked_by"])
