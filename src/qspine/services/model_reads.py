"""The read model of a model system: its fingerprints, code references, environment,
configuration, training data, requirements and validation runs, with the release gate now and
the one recorded at release (ADR 0015 points 1 and 5)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qspine.model.errors import InvalidInput, QSpineError
from qspine.model.links import is_suspect
from qspine.model.metric_criteria import parse_criteria
from qspine.model.model_gate import GateReport
from qspine.model.model_system import CodeRef, Environment, parse_code_ref, parse_packages
from qspine.services import model_gate
from qspine.services.context import SpineContext
from qspine.services.lifecycle import load_record_of, load_version
from qspine.services.validation_reads import runs_evaluating
from qspine.store.schema import link, record, validation_execution

KIND = "model_version"


@dataclass(frozen=True)
class DatasetUse:
    """A dataset a model was trained on, at the version the link pins."""

    key: str
    title: str
    version: int
    status: str
    manifest_sha256: str
    suspect: bool


@dataclass(frozen=True)
class RequirementUse:
    """A requirement the model implements, with the criteria it sets (current version)."""

    key: str
    title: str
    version: int
    status: str
    metric_criteria: list[str]
    monitoring_criteria: list[str]


@dataclass(frozen=True)
class RunUse:
    """A validation run evaluating the model, with its latest run and rerun verdicts."""

    key: str
    title: str
    version: int
    status: str
    outcome: str
    evaluates_version: int
    run_verdict: str
    rerun_verdict: str
    rerun_execution: int | None


@dataclass(frozen=True)
class ModelSystem:
    """A model version as one system: its fingerprints, code, environment, configuration,
    data, requirements, validation runs, the release gate now and the one recorded."""

    key: str
    title: str
    version: int
    status: str
    released_version: int | None
    fields: dict[str, Any]
    preprocessing: CodeRef | None
    postprocessing: CodeRef | None
    environment: Environment
    configuration: Any
    datasets: list[DatasetUse]
    requirements: list[RequirementUse]
    runs: list[RunUse]
    gate: GateReport
    recorded_gate: GateReport | None
    problems: list[str]


def system(connection: Connection, context: SpineContext, key: str) -> ModelSystem:
    profile = context.profile
    row = load_record_of(connection, key, KIND)
    current = load_version(connection, row["id"], row["latest_version"])
    fields = dict(current["fields"])
    problems: list[str] = []
    code = {
        name: _parsed(fields.get(name), name, problems)
        for name in ("preprocessing_ref", "postprocessing_ref")
    }
    try:
        packages = parse_packages(fields.get("packages") or [])
    except InvalidInput as error:
        problems.append(str(error))
        packages = {}
    environment = Environment(
        python=str(fields.get("python_version", "")),
        packages=packages,
        lockfile_sha256=str(fields.get("lockfile_sha256", "")),
    )
    if fields.get("environment_sha256") and environment.sha256 != fields["environment_sha256"]:
        problems.append("environment_sha256 does not match the environment fields")
    configuration: Any = None
    if fields.get("configuration"):
        try:
            configuration = json.loads(str(fields["configuration"]))
        except json.JSONDecodeError:
            problems.append("configuration is not JSON")
    return ModelSystem(
        key=key,
        title=row["title"],
        version=current["number"],
        status=current["status"],
        released_version=row["released_version"],
        fields=fields,
        preprocessing=code["preprocessing_ref"],
        postprocessing=code["postprocessing_ref"],
        environment=environment,
        configuration=configuration,
        datasets=_datasets(connection, row["id"]),
        requirements=_requirements(connection, row["id"]),
        runs=_runs(connection, row["id"]),
        gate=model_gate.evaluate(connection, profile, key, context.blob_dir),
        recorded_gate=model_gate.recorded_report(connection, key),
        problems=problems,
    )


def _parsed(text: Any, name: str, problems: list[str]) -> CodeRef | None:
    if not text:
        return None
    try:
        return parse_code_ref(str(text), where=name)
    except QSpineError as error:
        problems.append(str(error))
        return None


def linked(connection: Connection, record_id: int, type: str, outward: bool) -> list[Any]:
    """Active `type` links of the record: (link stamp, the other record) rows, by key."""
    other = record.alias("other")
    this_end, other_end = (
        (link.c.source_id, link.c.target_id) if outward else (link.c.target_id, link.c.source_id)
    )
    return list(
        connection.execute(
            sa.select(link.c.target_version.label("stamp"), other)
            .join(other, other.c.id == other_end)
            .where(this_end == record_id, link.c.type == type, link.c.removed_at.is_(None))
            .order_by(other.c.id)
        ).mappings()
    )


def _datasets(connection: Connection, model_id: int) -> list[DatasetUse]:
    found = []
    for row in linked(connection, model_id, "trained_on", outward=True):
        pinned = load_version(connection, row["id"], row["stamp"])
        found.append(
            DatasetUse(
                key=row["key"],
                title=row["title"],
                version=row["stamp"],
                status=pinned["status"],
                manifest_sha256=str(pinned["fields"].get("manifest_sha256", "")),
                suspect=is_suspect(row["stamp"], row["released_version"]),
            )
        )
    return found


def _requirements(connection: Connection, model_id: int) -> list[RequirementUse]:
    found = []
    for row in linked(connection, model_id, "implements", outward=True):
        fields = load_version(connection, row["id"], row["latest_version"])["fields"]
        found.append(
            RequirementUse(
                key=row["key"],
                title=row["title"],
                version=row["latest_version"],
                status=row["status"],
                metric_criteria=_criteria_text(fields.get("metric_criteria"), row["key"]),
                monitoring_criteria=_criteria_text(fields.get("monitoring_criteria"), row["key"]),
            )
        )
    return found


def _criteria_text(text: Any, key: str) -> list[str]:
    try:
        return [str(c) for c in parse_criteria(text, source=key, where=key)]
    except InvalidInput as error:
        return [f"unreadable: {error}"]


def _runs(connection: Connection, model_id: int) -> list[RunUse]:
    found = []
    for run in sorted(runs_evaluating(connection, model_id), key=lambda run: run.id):
        verdicts = {
            purpose: (verdict, execution)
            for purpose, verdict, execution in connection.execute(
                sa.select(
                    validation_execution.c.purpose,
                    validation_execution.c.verdict,
                    validation_execution.c.id,
                )
                .where(
                    validation_execution.c.record_id == run.id,
                    validation_execution.c.version == run.latest_version,
                )
                .order_by(validation_execution.c.id)
            )
        }
        rerun = verdicts.get("rerun")
        found.append(
            RunUse(
                key=run.key,
                title=run.title,
                version=run.latest_version,
                status=run.status,
                outcome=str(run.fields.get("outcome", "")),
                evaluates_version=run.stamp,
                run_verdict=verdicts.get("run", ("", None))[0],
                rerun_verdict=rerun[0] if rerun else "",
                rerun_execution=rerun[1] if rerun else None,
            )
        )
    return found
