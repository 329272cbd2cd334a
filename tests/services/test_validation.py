"""Validation runs QSpine executes and reruns (ADR 0015 points 3 and 4), on SQLite and PostgreSQL.

A tiny deterministic evaluation command (written here) reads the QSPINE_* variables, the
weights, the preprocessing code and a CSV dataset, and writes predictions.csv and metrics.json.
The scene (`build_scene`) is shared with the other AI tests in tests/ai_scene.py.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from qspine import Spine
from qspine.model.classification_metrics import Prediction, binary_metrics
from qspine.model.errors import Forbidden, InvalidInput
from qspine.model.fingerprint import canonical_json, sha256_hex
from qspine.store.schema import audit_event, validation_execution

from ai_scene import (
    PREPROCESSING,
    build_scene,
    dataset_rows,
    write_dataset,
)
from helpers import PASSWORD, database_state


def expected_metrics() -> dict[str, float]:
    """What the script's scores give at 0.5, computed here independently of the service."""
    rows = [
        Prediction(i, label, float(f"{1 / (1 + math.exp(-6.0 * x / 2.0)):.6f}"))
        for i, x, label in dataset_rows()
    ]
    return binary_metrics(rows, 0.5)


def test_run_records_the_evidence_and_a_rerun_reproduces_it(spine: Spine, tmp_path: Path) -> None:
    scene = build_scene(spine, tmp_path)
    run = spine.validation.run("quinn", scene.model, [scene.dataset], scene.command, "Test run")
    assert run.outcome == "pass" and run.verdict == "pass" and run.exit_code == 0
    expected = expected_metrics()
    assert {k: run.metrics[k] for k in expected} == expected
    counts = {name: run.metrics[name] for name in ("tp", "fn", "fp", "tn")}
    assert counts == {"tp": 17, "fn": 2, "fp": 3, "tn": 18}  # x = 0.0 scores 0.5: positive
    assert run.metrics["calibration_slope"] == 0.97 and "note" not in run.metrics
    assert [(j.criterion, j.source, j.passed) for j in run.judgements] == [
        ("sensitivity >= 0.7", scene.requirement, True),
        ("specificity >= 0.7", scene.requirement, True),
        ("auc >= 0.8", scene.requirement, True),
    ]
    shown = spine.records.show(run.key)
    assert shown.status == "draft"
    fields = shown.version.fields
    assert fields["outcome"] == "pass" and fields["executed_by"] == "quinn"
    assert (
        fields["output_sha256"] == run.output_sha256 and fields["run_record"] == run.record_sha256
    )
    assert "| sensitivity | 0.8947 | 0.6861 to 0.9706 |" in fields["metrics"]
    assert f"`auc >= 0.8` ({scene.requirement})" in fields["acceptance_criteria"]
    links = {(link.type, link.target) for link in shown.links_out}
    assert {("evaluates", scene.model), ("uses_data", scene.dataset)} <= links
    stored = json.loads(spine.blobs.read(run.record_sha256))
    assert stored["input_sha256"] == run.input_sha256 == fields["input_sha256"]
    assert stored["judgements"][0] == {
        "criterion": "sensitivity >= 0.7",
        "source": scene.requirement,
        "measured": 17 / 19,
        "passed": True,
    }
    assert "evaluated 40 cases" in spine.blobs.read(run.log_sha256).decode()

    again = spine.validation.rerun("quinn", run.key)
    assert again.verdict == "reproduced", again.differences
    assert again.differences == [] and again.metrics == run.metrics
    assert again.output_sha256 == run.output_sha256 and again.record_sha256 == run.record_sha256
    history = spine.validation.executions(spine.users.get("vic"), run.key)
    assert [(e.purpose, e.verdict) for e in history] == [("run", "pass"), ("rerun", "reproduced")]
    with spine.context.engine.connect() as connection:
        actions = connection.execute(
            sa.select(audit_event.c.action).where(audit_event.c.subject == run.key)
        ).scalars()
        assert {"record.create", "validation.run", "validation.rerun"} <= set(actions)
    assert spine.records.show(run.key).latest_version == 1


def test_a_changed_dataset_file_refuses_the_run_and_the_rerun_names_it(
    spine: Spine, tmp_path: Path
) -> None:
    scene = build_scene(spine, tmp_path)
    run = spine.validation.run("quinn", scene.model, [scene.dataset], scene.command, "Before")
    rows = dataset_rows()
    rows[0] = (rows[0][0], rows[0][1], 1)  # relabel one negative far from the threshold
    write_dataset(scene.data, rows)
    before = database_state(spine)
    with pytest.raises(InvalidInput) as refused:
        spine.validation.run("quinn", scene.model, [scene.dataset], scene.command, "After")
    assert f"dataset {scene.dataset} v1 file test.csv: sha256" in str(refused.value)
    assert database_state(spine) == before

    again = spine.validation.rerun("quinn", run.key)
    assert again.verdict == "not_reproduced"
    dataset_lines = [d for d in again.differences if d.startswith("dataset")]
    assert len(dataset_lines) == 1
    assert dataset_lines[0].startswith(f"dataset {scene.dataset} v1 file test.csv: sha256 ")
    assert "fn 2 -> 3" in again.differences and "positives 19 -> 20" in again.differences
    assert "sensitivity 0.8947 -> 0.85" in again.differences
    assert any(d.startswith("output file predictions.csv: sha256") for d in again.differences)
    assert not any(d.startswith(("weights", "preprocessing")) for d in again.differences)
    with spine.context.engine.connect() as connection:
        stored = connection.execute(
            sa.select(validation_execution.c.differences).where(
                validation_execution.c.purpose == "rerun"
            )
        ).scalar_one()
    assert stored["differences"] == again.differences


def test_a_changed_preprocessing_file_is_reported_by_the_rerun(
    spine: Spine, tmp_path: Path
) -> None:
    scene = build_scene(spine, tmp_path)
    run = spine.validation.run("quinn", scene.model, [scene.dataset], scene.command, "Run")
    (scene.repo / "src" / "pre.py").write_text("def scale(x):\n    return x / 3.0\n")
    with pytest.raises(InvalidInput, match=r"preprocessing src/pre\.py: sha256"):
        spine.validation.run("quinn", scene.model, [scene.dataset], scene.command, "Again")
    again = spine.validation.rerun("quinn", run.key)
    assert again.verdict == "not_reproduced"
    assert again.differences[0].startswith("preprocessing src/pre.py: sha256 ")
    assert not any(d.startswith("dataset") for d in again.differences)


def test_a_failing_command_is_recorded_as_failed_with_its_log(spine: Spine, tmp_path: Path) -> None:
    scene = build_scene(spine, tmp_path)
    configuration = canonical_json({"fail": True, "seed": 7})
    spine.records.revise(
        "quinn",
        scene.model,
        {"configuration": configuration, "configuration_sha256": sha256_hex(configuration)},
        1,
        "make the evaluation fail",
    )
    run = spine.validation.run("quinn", scene.model, [scene.dataset], scene.command, "Broken")
    assert (run.outcome, run.verdict, run.exit_code) == ("fail", "error", 3)
    assert run.error == "the command exited with code 3"
    assert run.metrics == {}
    assert all(j.measured is None and not j.passed for j in run.judgements)
    fields = spine.records.show(run.key).version.fields
    assert fields["outcome"] == "fail"
    assert fields["metrics"] == "No metrics: the command exited with code 3."
    (execution,) = spine.validation.executions(spine.users.get("quinn"), run.key)
    assert execution.verdict == "error" and execution.exit_code == 3
    log = spine.validation.log(spine.users.get("vic"), run.key, execution.id)
    assert "simulated failure in the evaluation" in log


def test_missing_predictions_fail_the_run_with_that_reason(spine: Spine, tmp_path: Path) -> None:
    scene = build_scene(spine, tmp_path)
    quiet = tmp_path / "quiet.py"
    quiet.write_text("print('nothing written')\n")
    run = spine.validation.run("quinn", scene.model, [scene.dataset], f"python {quiet}", "Quiet")
    assert (run.outcome, run.verdict, run.exit_code) == ("fail", "error", 0)
    assert run.error == "the command wrote no predictions.csv to QSPINE_OUTPUT_DIR"


def test_inputs_that_cannot_be_validated_are_refused_before_executing(
    spine: Spine, tmp_path: Path
) -> None:
    scene = build_scene(spine, tmp_path)
    marker = tmp_path / "ran"
    command = f"python -c \"open(r'{marker}', 'w')\""
    before = database_state(spine)
    spine.links.unlink("quinn", "implements", scene.model, scene.requirement, "not this one")
    after_unlink = database_state(spine)
    with pytest.raises(InvalidInput, match="implements no requirement with metric_criteria"):
        spine.validation.run("quinn", scene.model, [scene.dataset], command, "No criteria")
    spine.links.link("quinn", "implements", scene.model, scene.requirement)
    weights = spine.records.show(scene.model).version.fields["weights"]
    blob_file = spine.context.blob_dir / weights[:2] / weights[2:]
    blob_file.unlink()
    with pytest.raises(InvalidInput, match=r"weights: blob \w+ is not in the blob store"):
        spine.validation.run("quinn", scene.model, [scene.dataset], command, "No weights")
    with pytest.raises(InvalidInput, match="datasets: name at least one dataset"):
        spine.validation.run("quinn", scene.model, [], command, "No data")
    with pytest.raises(InvalidInput, match=f"{scene.requirement} is a requirement, not a dataset"):
        spine.validation.run("quinn", scene.model, [scene.requirement], command, "Wrong kind")
    with pytest.raises(Forbidden):
        spine.validation.run("eve", scene.model, [scene.dataset], command, "Not allowed")
    assert not marker.exists()
    assert before != after_unlink  # the unlink itself was written
    assert database_state(spine)["records"] == after_unlink["records"]


def test_rerun_notes_a_newer_model_version_and_runs_the_pinned_one(
    spine: Spine, tmp_path: Path
) -> None:
    scene = build_scene(spine, tmp_path)
    run = spine.validation.run("quinn", scene.model, [scene.dataset], scene.command, "v1")
    spine.records.revise("quinn", scene.model, {"decision_threshold": 0.9}, 1, "stricter")
    again = spine.validation.rerun("quinn", run.key)
    assert again.verdict == "reproduced"
    assert again.notes[0] == (
        f"{scene.model} has a newer version v2 than the pinned v1; changed: "
        "decision_threshold; the rerun used the pinned version"
    )
    with pytest.raises(Forbidden):
        spine.validation.rerun("vic", run.key)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_code_pinned_at_a_git_commit_is_read_at_that_commit(spine: Spine, tmp_path: Path) -> None:
    repo = tmp_path / "gitrepo"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "pre.py").write_text(PREPROCESSING)
    git = ["git", "-C", str(repo), "-c", "user.name=T", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "src/pre.py"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "pre"], check=True)
    commit = subprocess.run(
        [*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    scene = build_scene(spine, tmp_path, commit=commit, repo=repo)
    (repo / "src" / "pre.py").write_text("def scale(x):\n    return x\n")  # uncommitted edit
    run = spine.validation.run("quinn", scene.model, [scene.dataset], scene.command, "At commit")
    assert run.outcome == "pass"
    stored = json.loads(spine.blobs.read(run.record_sha256))
    assert stored["model"]["preprocessing"]["ref"].startswith(f"repo={repo}; commit={commit}")
    subprocess.run([*git, "commit", "-q", "-am", "change"], check=True)
    again = spine.validation.rerun("quinn", run.key)
    assert again.verdict == "reproduced"  # still read at the pinned commit


def test_a_data_scientist_may_run_and_sign_the_run_verified(spine: Spine, tmp_path: Path) -> None:
    spine.users.add("ada", "dana", "Dana Data", PASSWORD, ["data_scientist"])
    scene = build_scene(spine, tmp_path)
    run = spine.validation.run("dana", scene.model, [scene.dataset], scene.command, "By dana")
    spine.signing.sign("quinn", PASSWORD, run.key, "verified", 1, "checked the run")
    assert spine.records.show(run.key).status == "recorded"
    view = spine.validation.show(spine.users.get("vic"), run.key)
    assert view.record is not None and view.record.outcome == "pass"
    assert [e.purpose for e in view.executions] == ["run"]


def test_a_command_that_hangs_or_cannot_start_is_recorded_as_an_error(
    spine: Spine, tmp_path: Path
) -> None:
    scene = build_scene(spine, tmp_path)
    hang = tmp_path / "hang.py"
    hang.write_text("import time\nprint('started', flush=True)\ntime.sleep(60)\n")
    stuck = spine.validation.run(
        "quinn", scene.model, [scene.dataset], f"python {hang}", "Hangs", timeout=1
    )
    assert (stuck.outcome, stuck.verdict, stuck.exit_code) == ("fail", "error", -1)
    assert stuck.error == "the command did not finish within 1 s and was stopped"
    log = spine.blobs.read(stuck.log_sha256).decode()
    assert log.startswith("started") and stuck.error in log
    missing = spine.validation.run(
        "quinn", scene.model, [scene.dataset], "no-such-program-qspine --x", "Missing"
    )
    assert (missing.verdict, missing.exit_code) == ("error", 127)
    assert "could not be started" in missing.error and "no-such-program-qspine" in missing.error
    with pytest.raises(InvalidInput, match="command: No closing quotation"):
        spine.validation.run("quinn", scene.model, [scene.dataset], "python 'open", "Bad")


def test_metrics_json_cannot_supply_a_metric_qspine_computes(spine: Spine, tmp_path: Path) -> None:
    """With no positive case QSpine leaves sensitivity and AUC out ('not measured'); the
    command's own metrics.json must not fill them in, and an integer too big for a float
    is ignored like any other non-number."""
    scene = build_scene(spine, tmp_path)
    script = tmp_path / "negatives.py"
    script.write_text(
        "import json, os, pathlib\n"
        "out = pathlib.Path(os.environ['QSPINE_OUTPUT_DIR'])\n"
        "rows = ''.join(f'c{i},0,0.1\\n' for i in range(20))\n"
        "(out / 'predictions.csv').write_text('id,label,score\\n' + rows)\n"
        "(out / 'metrics.json').write_text(\n"
        '    \'{"sensitivity": 0.99, "sensitivity_ci_low": 0.95, "auc": 0.99,\'\n'
        "    ' \"f1\": 0.9, \"huge\": 1' + '0' * 400 + '}')\n"
    )
    run = spine.validation.run("quinn", scene.model, [scene.dataset], f"python {script}", "Neg")
    assert run.verdict == "fail" and run.outcome == "fail" and run.error == ""
    for absent in ("sensitivity", "sensitivity_ci_low", "auc", "huge"):
        assert absent not in run.metrics
    assert run.metrics["f1"] == 0.9 and run.metrics["specificity"] == 1.0
    assert [(j.criterion, j.measured) for j in run.judgements] == [
        ("sensitivity >= 0.7", None),
        ("specificity >= 0.7", 1.0),
        ("auc >= 0.8", None),
    ]


def test_a_command_that_removes_its_output_folder_is_recorded_as_an_error(
    spine: Spine, tmp_path: Path
) -> None:
    scene = build_scene(spine, tmp_path)
    script = tmp_path / "remove.py"
    script.write_text("import os, shutil\nshutil.rmtree(os.environ['QSPINE_OUTPUT_DIR'])\n")
    run = spine.validation.run("quinn", scene.model, [scene.dataset], f"python {script}", "Gone")
    assert (run.outcome, run.verdict, run.exit_code) == ("fail", "error", 0)
    assert run.error == "QSPINE_OUTPUT_DIR cannot be read: No such file or directory"


@pytest.mark.parametrize("timeout", [0.0, -5.0, math.nan, math.inf])
def test_a_timeout_that_is_not_a_positive_number_is_refused(
    spine: Spine, tmp_path: Path, timeout: float
) -> None:
    scene = build_scene(spine, tmp_path)
    run = spine.validation.run("quinn", scene.model, [scene.dataset], scene.command, "First")
    marker = tmp_path / "ran"
    command = f"python -c \"open(r'{marker}', 'w')\""
    before = database_state(spine)
    with pytest.raises(InvalidInput, match=r"timeout: .* give a positive number of seconds"):
        spine.validation.run("quinn", scene.model, [scene.dataset], command, "T", timeout=timeout)
    with pytest.raises(InvalidInput, match=r"timeout: .* give a positive number of seconds"):
        spine.validation.rerun("quinn", run.key, timeout=timeout)
    assert database_state(spine) == before and not marker.exists()


def test_a_new_version_during_the_execution_refuses_the_run_writing_nothing(
    spine: Spine, tmp_path: Path
) -> None:
    scene = build_scene(spine, tmp_path)
    meanwhile: dict[str, object] = {}

    def revise_while_executing(what: str, _done: int, _total: int) -> None:
        if what == "executing the command":
            spine.records.revise("quinn", scene.model, {"runtime": "GPU"}, 1, "meanwhile")
            meanwhile["state"] = database_state(spine)

    with pytest.raises(InvalidInput, match=f"{scene.model} got a new version while the run"):
        spine.validation.run(
            "quinn", scene.model, [scene.dataset], scene.command, "Racing",
            progress=revise_while_executing,
        )  # fmt: skip
    assert database_state(spine) == meanwhile["state"]


def test_a_criterion_finer_than_six_digits_is_judged_and_rejudged_exactly(
    spine: Spine, tmp_path: Path
) -> None:
    """17/19 = 0.894736842... meets 'sensitivity >= 0.8947368'; kept as '0.894737' the rerun
    would judge it against another bound and fail it."""
    scene = build_scene(spine, tmp_path)
    criteria = "sensitivity >= 0.8947368; specificity >= 0.7\nauc >= 0.8"
    spine.records.revise("quinn", scene.requirement, {"metric_criteria": criteria}, 1, "finer")
    run = spine.validation.run("quinn", scene.model, [scene.dataset], scene.command, "Fine")
    assert run.outcome == "pass"
    assert run.judgements[0].criterion == "sensitivity >= 0.8947368"
    stored = json.loads(spine.blobs.read(run.record_sha256))
    assert stored["judgements"][0]["criterion"] == "sensitivity >= 0.8947368"
    again = spine.validation.rerun("quinn", run.key)
    assert again.verdict == "reproduced", again.differences
