"""The execution record's JSON round trip and the comparison of a rerun with its original."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from qspine.formats.dataset_manifest import Manifest, build_manifest, manifest_differences
from qspine.model.errors import InvalidInput
from qspine.model.metric_criteria import parse_criteria
from qspine.model.model_system import Environment
from qspine.model.validation_record import (
    CodeInput,
    DatasetInput,
    ExecutionRecord,
    JudgementRecord,
    ModelInput,
    acceptance_markdown,
    compare,
    metrics_markdown,
)


def files_differ(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    return manifest_differences(Manifest.from_json(dict(old)), Manifest.from_json(dict(new)))


def manifest_of(folder: Path, files: dict[str, str]) -> Manifest:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return build_manifest(folder)


def record(tmp_path: Path, name: str, **changes: Any) -> ExecutionRecord:
    data = manifest_of(tmp_path / name / "data", {"test.csv": "id,x\n1,2\n"})
    outputs = manifest_of(tmp_path / name / "out", {"predictions.csv": "id,label,score\n1,1,0.9\n"})
    base = ExecutionRecord(
        command="python evaluate.py",
        model=ModelInput(
            key="MV-1",
            version=1,
            weights_sha256="a" * 64,
            weights_sha256_found="a" * 64,
            decision_threshold=0.5,
            configuration_sha256="c" * 64,
            preprocessing=CodeInput(
                "repo=/r; path=src/pre.py; sha256=" + "b" * 64, "src/pre.py", "b" * 64, "b" * 64
            ),
        ),
        datasets=(DatasetInput("DS-3", 2, data.digest, "/data", data.to_json(), data.digest),),
        environment=Environment("3.11.7", {"numpy": "1.26.4"}, platform="Linux"),
        metrics={"n": 40, "sensitivity": 0.953, "auc": 0.91},
        judgements=(JudgementRecord("sensitivity >= 0.9", "REQ-5", 0.953, True),),
        outcome="pass",
        outputs=outputs.to_json(),
        output_sha256=outputs.digest,
        exit_code=0,
    )
    return dataclasses.replace(base, **changes)


def test_the_record_round_trips_through_json(tmp_path: Path) -> None:
    original = record(tmp_path, "a")
    text = original.to_text()
    again = ExecutionRecord.from_json(json.loads(text))
    assert again == original
    assert again.to_text() == text
    document = json.loads(text)
    assert document["input_sha256"] == original.input_sha256
    assert document["judgements"] == [
        {"criterion": "sensitivity >= 0.9", "source": "REQ-5", "measured": 0.953, "passed": True}
    ]


def test_a_malformed_record_is_refused() -> None:
    with pytest.raises(InvalidInput, match="not a qspine-validation-run/1"):
        ExecutionRecord.from_json({"format": "other"})
    with pytest.raises(InvalidInput, match="malformed"):
        ExecutionRecord.from_json({"format": "qspine-validation-run/1", "command": "x"})


def test_identical_executions_reproduce_and_environment_is_only_noted(tmp_path: Path) -> None:
    original = record(tmp_path, "a")
    assert compare(original, record(tmp_path, "b"), files_differ).verdict == "reproduced"
    moved = record(
        tmp_path, "c", environment=Environment("3.12.1", {"numpy": "2.0.0"}, "", "Linux")
    )
    found = compare(original, moved, files_differ)
    assert found.verdict == "reproduced" and found.differences == []
    assert found.notes == [
        "environment: Python 3.11.7 -> 3.12.1",
        "environment: numpy 1.26.4 -> 2.0.0",
    ]


def test_each_difference_is_said_in_words(tmp_path: Path) -> None:
    original = record(tmp_path, "a")
    data = manifest_of(tmp_path / "d" / "data", {"test.csv": "id,x\n1,3\n"})
    outputs = manifest_of(tmp_path / "d" / "out", {"predictions.csv": "id,label,score\n1,1,0.8\n"})
    preprocessing = original.model.preprocessing
    assert preprocessing is not None
    code = dataclasses.replace(preprocessing, sha256_found="d" * 64)
    rerun = record(
        tmp_path,
        "e",
        model=dataclasses.replace(original.model, preprocessing=code),
        datasets=(DatasetInput("DS-3", 2, original.datasets[0].manifest_sha256, "/data",
                               data.to_json(), data.digest),),
        metrics={"n": 40, "sensitivity": 0.938, "auc": 0.91},
        outputs=outputs.to_json(),
        output_sha256=outputs.digest,
        exit_code=0,
    )  # fmt: skip
    found = compare(original, rerun, files_differ)
    assert found.verdict == "not_reproduced"
    assert found.differences[0] == f"preprocessing src/pre.py: sha256 {'b' * 12} -> {'d' * 12}"
    assert found.differences[1].startswith("dataset DS-3 v2 file test.csv: sha256 ")
    assert "sensitivity 0.953 -> 0.938" in found.differences
    assert found.differences[-1].startswith("output file predictions.csv: sha256 ")
    assert len(found.differences) == 4


def test_exit_code_and_missing_outputs_count(tmp_path: Path) -> None:
    original = record(tmp_path, "a")
    failed = record(tmp_path, "b", exit_code=2, outputs=None, output_sha256="", metrics={},
                    outcome="fail", error="the command exited with code 2")  # fmt: skip
    found = compare(original, failed, files_differ)
    assert "exit code 0 -> 2" in found.differences
    assert "outcome pass -> fail" in found.differences
    assert "sensitivity 0.953 -> (absent)" in found.differences
    assert any(d.startswith("outputs: ") and d.endswith("-> no files") for d in found.differences)


def test_markdown_of_metrics_and_criteria() -> None:
    table = metrics_markdown({"n": 20, "sensitivity": 0.9, "sensitivity_ci_low": 0.699,
                              "sensitivity_ci_high": 0.9721})  # fmt: skip
    assert table.splitlines()[2:] == ["| n | 20 |  |", "| sensitivity | 0.9 | 0.699 to 0.9721 |"]
    assert metrics_markdown({}, "the command exited with code 1") == (
        "No metrics: the command exited with code 1."
    )
    criteria = parse_criteria("auc >= 0.9; sensitivity > 0.8", source="REQ-2")
    assert acceptance_markdown(criteria) == "- `auc >= 0.9` (REQ-2)\n- `sensitivity > 0.8` (REQ-2)"
