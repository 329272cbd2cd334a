"""The execution record of a validation run, and the comparison of a rerun with it (ADR 0015
points 3 and 4).

The record is what QSpine saw and did: the command, every input as pinned and as found (the
model's weights, code and configuration, each dataset's files), the environment it ran in,
the metrics it computed, each criterion's judgement, the outcome, the manifest of the files the
command wrote and its exit code. It is stored as canonical JSON; `input_sha256` is the digest
of the inputs part and `output_sha256` the digest of the outputs manifest. A rerun makes a new
record and `compare` says, in words, what differs: inputs, metrics, outputs and the exit code
decide the verdict; environment differences are notes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from qspine.model.errors import InvalidInput
from qspine.model.fingerprint import canonical_json, sha256_hex
from qspine.model.metric_criteria import Criterion
from qspine.model.model_system import Environment, environment_differences

FORMAT = "qspine-validation-run/1"
REPRODUCED, NOT_REPRODUCED = "reproduced", "not_reproduced"
# Two manifests (as JSON) -> one line per file that differs ("file t.csv: sha256 ... -> ...").
FilesDiffer = Callable[[Mapping[str, Any], Mapping[str, Any]], list[str]]


@dataclass(frozen=True)
class CodeInput:
    """A code reference of the model (pre- or post-processing): pinned and found digests."""

    ref: str
    path: str
    sha256: str
    sha256_found: str
    problem: str = ""


@dataclass(frozen=True)
class ModelInput:
    """The model version as pinned by its record, and the weights digest found."""

    key: str
    version: int
    weights_sha256: str
    weights_sha256_found: str
    decision_threshold: float
    configuration_sha256: str
    preprocessing: CodeInput | None = None
    postprocessing: CodeInput | None = None


@dataclass(frozen=True)
class DatasetInput:
    """A dataset version: its pinned manifest digest, where its files were, and the manifest
    of the files found there (None with `problem` when they could not be read)."""

    key: str
    version: int
    manifest_sha256: str
    location: str
    manifest_found: Mapping[str, Any] | None
    manifest_sha256_found: str
    problem: str = ""


@dataclass(frozen=True)
class JudgementRecord:
    """One criterion as judged: its text, the requirement it came from, the value measured."""

    criterion: str
    source: str
    measured: float | None
    passed: bool


@dataclass(frozen=True)
class ExecutionRecord:
    """One execution of a validation command, as stored in the run's `run_record` blob."""

    command: str
    model: ModelInput
    datasets: tuple[DatasetInput, ...]
    environment: Environment
    metrics: Mapping[str, float]
    judgements: tuple[JudgementRecord, ...]
    outcome: str
    outputs: Mapping[str, Any] | None
    output_sha256: str
    exit_code: int
    error: str = ""

    @property
    def input_sha256(self) -> str:
        """The digest of what went in: command, model parts and dataset files as found."""
        return sha256_hex(canonical_json(self.inputs_json()))

    def inputs_json(self) -> dict[str, Any]:
        model = self.model
        return {
            "command": self.command,
            "model": {
                "key": model.key,
                "version": model.version,
                "weights_sha256": model.weights_sha256_found,
                "decision_threshold": model.decision_threshold,
                "configuration_sha256": model.configuration_sha256,
                "preprocessing": _code_found(model.preprocessing),
                "postprocessing": _code_found(model.postprocessing),
            },
            "datasets": [
                {"key": d.key, "version": d.version, "manifest_sha256": d.manifest_sha256_found}
                for d in self.datasets
            ],
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "command": self.command,
            "model": _plain(self.model),
            "datasets": [_plain(d) for d in self.datasets],
            "input_sha256": self.input_sha256,
            "environment": self.environment.as_json(),
            "metrics": dict(self.metrics),
            "judgements": [_plain(j) for j in self.judgements],
            "outcome": self.outcome,
            "outputs": self.outputs,
            "output_sha256": self.output_sha256,
            "exit_code": self.exit_code,
            "error": self.error,
        }

    def to_text(self) -> str:
        return canonical_json(self.to_json())

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ExecutionRecord:
        """Read a stored record; InvalidInput when it is not one."""
        if not isinstance(data, Mapping) or data.get("format") != FORMAT:
            raise InvalidInput(f"execution record: not a {FORMAT} document")
        try:
            model = dict(data["model"])
            environment = data["environment"]
            return cls(
                command=str(data["command"]),
                model=ModelInput(
                    **{
                        **model,
                        "preprocessing": _code(model.get("preprocessing")),
                        "postprocessing": _code(model.get("postprocessing")),
                    }
                ),
                datasets=tuple(DatasetInput(**d) for d in data["datasets"]),
                environment=Environment(
                    python=str(environment["python"]),
                    packages=dict(environment.get("packages", {})),
                    lockfile_sha256=str(environment.get("lockfile_sha256", "")),
                    platform=str(environment.get("platform", "")),
                ),
                metrics=dict(data["metrics"]),
                judgements=tuple(JudgementRecord(**j) for j in data["judgements"]),
                outcome=str(data["outcome"]),
                outputs=data.get("outputs"),
                output_sha256=str(data.get("output_sha256", "")),
                exit_code=int(data["exit_code"]),
                error=str(data.get("error", "")),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise InvalidInput(f"execution record: malformed ({error})") from error


@dataclass(frozen=True)
class Comparison:
    """A rerun against its original: the verdict, what differs, and notes that do not count."""

    verdict: str
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def compare(
    original: ExecutionRecord, rerun: ExecutionRecord, files_differ: FilesDiffer
) -> Comparison:
    """`reproduced` only when inputs, metrics, outputs and exit code are all identical."""
    differences = [
        *_input_differences(original, rerun, files_differ),
        *_metric_differences(original.metrics, rerun.metrics),
        *_output_differences(original, rerun, files_differ),
    ]
    if original.exit_code != rerun.exit_code:
        differences.append(f"exit code {original.exit_code} -> {rerun.exit_code}")
    if original.outcome != rerun.outcome:
        differences.append(f"outcome {original.outcome} -> {rerun.outcome}")
    notes = [
        f"environment: {line}"
        for line in environment_differences(original.environment, rerun.environment)
    ]
    return Comparison(NOT_REPRODUCED if differences else REPRODUCED, differences, notes)


def format_metric(value: float | None) -> str:
    if value is None:
        return "(absent)"
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return f"{value:.4g}"


def _input_differences(
    original: ExecutionRecord, rerun: ExecutionRecord, files_differ: FilesDiffer
) -> list[str]:
    found: list[str] = []
    if original.command != rerun.command:
        found.append(f"command '{original.command}' -> '{rerun.command}'")
    old, new = original.model, rerun.model
    if (old.key, old.version) != (new.key, new.version):
        found.append(f"model {old.key} v{old.version} -> {new.key} v{new.version}")
    if old.weights_sha256_found != new.weights_sha256_found:
        found.append(
            f"weights: sha256 {_short(old.weights_sha256_found)} -> "
            f"{_short(new.weights_sha256_found)}"
        )
    for label, before, after in (
        ("preprocessing", old.preprocessing, new.preprocessing),
        ("postprocessing", old.postprocessing, new.postprocessing),
    ):
        if _code_found(before) != _code_found(after):
            either = after or before
            path = either.path if either is not None else ""
            problem = f" ({after.problem})" if after is not None and after.problem else ""
            found.append(
                f"{label} {path}: sha256 {_short(before.sha256_found if before else '')} -> "
                f"{_short(after.sha256_found if after else '')}{problem}"
            )
    if old.decision_threshold != new.decision_threshold:
        found.append(f"decision threshold {old.decision_threshold} -> {new.decision_threshold}")
    if old.configuration_sha256 != new.configuration_sha256:
        found.append(
            f"configuration: sha256 {_short(old.configuration_sha256)} -> "
            f"{_short(new.configuration_sha256)}"
        )
    found += _dataset_differences(original.datasets, rerun.datasets, files_differ)
    return found


def _dataset_differences(
    before: Sequence[DatasetInput], after: Sequence[DatasetInput], files_differ: FilesDiffer
) -> list[str]:
    found: list[str] = []
    was = {d.key: d for d in before}
    now = {d.key: d for d in after}
    for key in [*was, *(k for k in now if k not in was)]:
        old, new = was.get(key), now.get(key)
        if old is None or new is None:
            found.append(f"dataset {key}: {'added' if old is None else 'removed'}")
            continue
        name = f"dataset {key} v{new.version}"
        if old.version != new.version:
            found.append(f"dataset {key}: version v{old.version} -> v{new.version}")
        if new.problem:
            found.append(f"{name}: {new.problem}")
        elif old.manifest_sha256_found != new.manifest_sha256_found:
            lines = (
                files_differ(old.manifest_found, new.manifest_found)
                if old.manifest_found is not None and new.manifest_found is not None
                else []
            )
            found += [f"{name} {line}" for line in lines] or [
                f"{name}: manifest sha256 {_short(old.manifest_sha256_found)} -> "
                f"{_short(new.manifest_sha256_found)}"
            ]
    return found


def _metric_differences(before: Mapping[str, float], after: Mapping[str, float]) -> list[str]:
    names = [*before, *(name for name in after if name not in before)]
    return [
        f"{name} {_metric_text(before.get(name), after.get(name))}"
        for name in names
        if before.get(name) != after.get(name)
    ]


def _metric_text(before: float | None, after: float | None) -> str:
    old, new = format_metric(before), format_metric(after)
    if old == new:  # differs beyond four significant digits
        old, new = repr(before), repr(after)
    return f"{old} -> {new}"


def _output_differences(
    original: ExecutionRecord, rerun: ExecutionRecord, files_differ: FilesDiffer
) -> list[str]:
    if original.output_sha256 == rerun.output_sha256:
        return []
    if original.outputs is None or rerun.outputs is None:
        was = "no files" if original.outputs is None else _short(original.output_sha256)
        now = "no files" if rerun.outputs is None else _short(rerun.output_sha256)
        return [f"outputs: {was} -> {now}"]
    lines = files_differ(original.outputs, rerun.outputs)
    return [f"output {line}" for line in lines] or [
        f"outputs: sha256 {_short(original.output_sha256)} -> {_short(rerun.output_sha256)}"
    ]


def _code_found(code: CodeInput | None) -> str | None:
    return None if code is None else code.sha256_found


def _code(data: Any) -> CodeInput | None:
    return None if data is None else CodeInput(**data)


def _plain(value: Any) -> Any:
    if isinstance(value, CodeInput | ModelInput | DatasetInput | JudgementRecord):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, Mapping):
        return dict(value)
    return value


def _short(digest: str) -> str:
    return digest[:12] if digest else "(none)"


def metrics_markdown(metrics: Mapping[str, float], error: str = "") -> str:
    """The metrics as a Markdown table (each proportion with its 95% interval)."""
    if not metrics:
        return f"No metrics: {error or 'nothing was measured'}."
    lines = ["| Metric | Value | 95% CI |", "|---|---|---|"]
    for name, value in metrics.items():
        if name.endswith(("_ci_low", "_ci_high")):
            continue
        low, high = metrics.get(f"{name}_ci_low"), metrics.get(f"{name}_ci_high")
        interval = f"{format_metric(low)} to {format_metric(high)}" if low is not None else ""
        lines.append(f"| {name} | {format_metric(value)} | {interval} |")
    return "\n".join(lines)


def acceptance_markdown(criteria: Sequence[Criterion]) -> str:
    """The criteria a run is judged by, each with the requirement it comes from."""
    return "\n".join(f"- `{c}`" + (f" ({c.source})" if c.source else "") for c in criteria)
