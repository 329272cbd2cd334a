"""Executing a validation command (ADR 0015 point 3): resolve the pinned inputs into a work
folder, run the command in a fresh process with the QSPINE_* variables, and evaluate what it
wrote.

Resolving never raises for a mismatch: it returns what it found and each mismatch in words, so
a run can refuse on any of them and a rerun can run anyway and report them. The command gets
only files (weights copied from the blob store, code read from its repository, configuration
and dataset locations as JSON), never the database.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import math
import os
import platform
import shlex
import shutil
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qspine.formats.dataset_manifest import build_manifest
from qspine.model.classification_metrics import METRIC_NAMES, binary_metrics, read_predictions
from qspine.model.errors import InvalidInput
from qspine.model.fingerprint import canonical_json, sha256_hex
from qspine.model.metric_criteria import Criterion, all_met, judge
from qspine.model.model_system import Environment, normalise_package, parse_code_ref
from qspine.model.validation_record import CodeInput, DatasetInput, JudgementRecord, ModelInput
from qspine.services import code_refs
from qspine.services.dataset_files import check_files
from qspine.services.validation_reads import Pinned
from qspine.store.blobs import BlobStore

PREDICTIONS, METRICS = "predictions.csv", "metrics.json"
_PYTHON_NAMES = ("python", "python3")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Inputs:
    """The resolved inputs: what was found, the variables for the command, and mismatches."""

    model: ModelInput
    datasets: tuple[DatasetInput, ...]
    variables: dict[str, str]
    output_dir: Path
    problems: tuple[str, ...]


@dataclass(frozen=True)
class Finished:
    """A finished process: its exit code, its log file, and why it failed ('' if it did not)."""

    exit_code: int
    log: Path
    error: str = ""


@dataclass(frozen=True)
class Evaluation:
    """What QSpine made of the outputs: metrics, judgements, outcome and execution verdict."""

    metrics: dict[str, float]
    judgements: tuple[JudgementRecord, ...]
    outcome: str
    verdict: str
    error: str
    outputs: Mapping[str, Any] | None = None
    output_sha256: str = ""


def resolve_inputs(
    blob_dir: Path, workdir: Path, model: Pinned, datasets: Sequence[Pinned], weights_name: str
) -> Inputs:
    """Copy and check every pinned input under `workdir`; mismatches are listed, not raised."""
    problems: list[str] = []
    fields = model.fields
    variables: dict[str, str] = {}
    weights_found = _weights(blob_dir, workdir, model, weights_name, problems, variables)
    codes: dict[str, CodeInput | None] = {}
    for role in ("preprocessing", "postprocessing"):
        codes[role] = _code(workdir, model, role, problems, variables)
    threshold = fields.get("decision_threshold")
    if not isinstance(threshold, int | float) or isinstance(threshold, bool):
        problems.append(f"{model.key} v{model.number} has no decision_threshold")
        threshold = 0.0
    variables["QSPINE_DECISION_THRESHOLD"] = repr(float(threshold))
    configuration = _configuration(workdir, model, problems, variables)
    found = []
    for dataset in datasets:
        check = check_files(blob_dir, dataset.fields)
        current = check.current
        name = f"dataset {dataset.key} v{dataset.number}"
        problems += [f"{name} {line}" for line in check.differences]
        found.append(
            DatasetInput(
                key=dataset.key,
                version=dataset.number,
                manifest_sha256=str(dataset.fields.get("manifest_sha256", "")),
                location=str(dataset.fields.get("location", "")),
                manifest_found=None if current is None else current.to_json(),
                manifest_sha256_found="" if current is None else current.digest,
                problem="" if current is not None else "; ".join(check.differences),
            )
        )
    locations = {d.key: d.location for d in found}
    (workdir / "datasets.json").write_text(json.dumps(locations, indent=2), encoding="utf-8")
    variables["QSPINE_DATASETS"] = str(workdir / "datasets.json")
    variables["QSPINE_DATASET"] = found[0].location if found else ""
    output_dir = workdir / "output"
    output_dir.mkdir()
    variables["QSPINE_OUTPUT_DIR"] = str(output_dir)
    pinned_model = ModelInput(
        key=model.key,
        version=model.number,
        weights_sha256=str(fields.get("weights_sha256", "")),
        weights_sha256_found=weights_found,
        decision_threshold=float(threshold),
        configuration_sha256=configuration,
        preprocessing=codes["preprocessing"],
        postprocessing=codes["postprocessing"],
    )
    return Inputs(pinned_model, tuple(found), variables, output_dir, tuple(problems))


def execute(command: str, variables: Mapping[str, str], workdir: Path, timeout: float) -> Finished:
    """Run `command` in a fresh process in `workdir`; stdout and stderr go to one log file.

    A leading `python` is this interpreter. Inherited QSPINE_* variables are dropped, so the
    command sees only the inputs QSpine gives it."""
    argv = split_command(command)
    if argv[0] in _PYTHON_NAMES:
        argv[0] = sys.executable
    environment = {k: v for k, v in os.environ.items() if not k.startswith("QSPINE_")}
    environment.update(variables)
    log = workdir / "execution.log"
    with log.open("wb") as out:
        try:
            process = subprocess.Popen(  # the command is what the run executes
                argv,
                cwd=workdir,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as error:
            message = f"the command could not be started: {error.strerror}: {argv[0]}"
            out.write((message + "\n").encode())
            return Finished(127, log, message)
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            message = f"the command did not finish within {timeout:g} s and was stopped"
            out.write(("\n" + message + "\n").encode())
            return Finished(-1, log, message)
    return Finished(code, log, "" if code == 0 else f"the command exited with code {code}")


def split_command(command: str) -> list[str]:
    """The command's words (shell quoting, no shell); InvalidInput when there are none."""
    try:
        argv = shlex.split(command)
    except ValueError as error:
        raise InvalidInput(f"command: {error}") from error
    if not argv:
        raise InvalidInput("command: empty; give the evaluation command to execute")
    return argv


def evaluate(
    output_dir: Path, threshold: float, criteria: Sequence[Criterion], finished: Finished
) -> Evaluation:
    """Metrics from predictions.csv at the threshold (plus metrics.json's own names), each
    criterion judged; a failed command or missing predictions is verdict 'error'."""
    outputs, output_sha256, problem = _outputs(output_dir)
    error = finished.error or problem
    metrics: dict[str, float] = {}
    if not error:
        try:
            metrics = _metrics(output_dir, threshold)
        except InvalidInput as problem:
            error = str(problem)
    judgements = tuple(
        JudgementRecord(str(j.criterion), j.criterion.source, j.measured, j.passed)
        for j in judge(criteria, metrics)
    )
    passed = not error and all_met(judge(criteria, metrics))
    outcome = "pass" if passed else "fail"
    verdict = "error" if error else outcome
    return Evaluation(metrics, judgements, outcome, verdict, error, outputs, output_sha256)


def current_environment(packages: Sequence[str]) -> Environment:
    """This interpreter: Python, platform, and the model's key packages as installed now."""
    installed: dict[str, str] = {}
    for item in packages:
        name = normalise_package(str(item).split("==", 1)[0].strip())
        try:
            installed[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return Environment(
        python=platform.python_version(), packages=installed, platform=platform.platform()
    )


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        while chunk := data.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _weights(
    blob_dir: Path,
    workdir: Path,
    model: Pinned,
    name: str,
    problems: list[str],
    variables: dict[str, str],
) -> str:
    digest = str(model.fields.get("weights") or "")
    if not digest:
        problems.append(f"{model.key} v{model.number}: no weights blob stored (field weights)")
        return ""
    source = BlobStore(blob_dir).path_of(digest)
    if not source.is_file():
        problems.append(f"weights: blob {digest[:12]} is not in the blob store")
        return ""
    target = workdir / "weights" / (Path(name).name or "weights.bin")
    target.parent.mkdir()
    shutil.copyfile(source, target)
    found = sha256_file(target)
    pinned = str(model.fields.get("weights_sha256", ""))
    if found != pinned:
        problems.append(f"weights: sha256 {pinned[:12]} pinned, {found[:12]} found in the store")
    variables["QSPINE_MODEL_WEIGHTS"] = str(target)
    return found


def _code(
    workdir: Path, model: Pinned, role: str, problems: list[str], variables: dict[str, str]
) -> CodeInput | None:
    text = model.fields.get(f"{role}_ref")
    if not text:
        return None
    try:
        ref = parse_code_ref(str(text), where=f"{model.key} {role}_ref")
    except InvalidInput as error:
        problems.append(str(error))
        return None
    try:
        resolved = code_refs.resolve(ref, workdir)
    except InvalidInput as error:
        problems.append(f"{role} {ref.path}: {error}")
        return CodeInput(str(ref), ref.path, ref.sha256, "", str(error))
    difference = resolved.difference(role)
    if difference is not None:
        problems.append(difference)
    variables[f"QSPINE_{role.upper()}"] = str(resolved.path)
    return CodeInput(str(ref), ref.path, ref.sha256, resolved.sha256)


def _configuration(
    workdir: Path, model: Pinned, problems: list[str], variables: dict[str, str]
) -> str:
    text = str(model.fields.get("configuration") or "{}")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        problems.append(f"{model.key} configuration: not JSON ({error.msg})")
        document = None
    canonical = canonical_json(document) if document is not None else text
    found = sha256_hex(canonical)
    pinned = str(model.fields.get("configuration_sha256") or "")
    if pinned and pinned not in (found, sha256_hex(text)):
        problems.append(f"configuration: sha256 {pinned[:12]} pinned, {found[:12]} found")
    path = workdir / "configuration.json"
    path.write_text(canonical, encoding="utf-8")
    variables["QSPINE_CONFIGURATION"] = str(path)
    return found


def _metrics(output_dir: Path, threshold: float) -> dict[str, float]:
    predictions = output_dir / PREDICTIONS
    if not predictions.is_file():
        raise InvalidInput(f"the command wrote no {PREDICTIONS} to QSPINE_OUTPUT_DIR")
    metrics = binary_metrics(read_predictions(predictions), threshold)
    extra = output_dir / METRICS
    if extra.is_file():
        try:
            document = json.loads(extra.read_text(encoding="utf-8"))
        except ValueError as error:  # not UTF-8, not JSON, or an integer too long to read
            raise InvalidInput(f"{METRICS}: not JSON ({error})") from error
        if not isinstance(document, dict):
            raise InvalidInput(f"{METRICS}: must be a JSON object of metric names and numbers")
        for name, value in sorted(document.items()):
            if name not in METRIC_NAMES and _finite(value):
                metrics[str(name)] = value
    return metrics


def _finite(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer beyond any float
        return False


def _outputs(output_dir: Path) -> tuple[Mapping[str, Any] | None, str, str]:
    """The outputs manifest and its digest, or why the outputs could not be fingerprinted."""
    try:
        if not any(output_dir.iterdir()):
            return None, "", ""
        manifest = build_manifest(output_dir)
    except InvalidInput as error:
        return None, "", f"the outputs could not be fingerprinted: {error}"
    except OSError as error:
        return None, "", f"QSPINE_OUTPUT_DIR cannot be read: {error.strerror}"
    return manifest.to_json(), manifest.digest, ""
