"""What the validation service reads and returns: a model version and its criteria, dataset
versions, validation runs and their executions (the append-only `validation_execution` table),
and the results of a run and a rerun.

`latest_rerun` is public for the release gate: the newest rerun of a run version.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from qspine.model.errors import NotFound, QSpineError
from qspine.model.metric_criteria import Criterion, parse_criteria
from qspine.model.pccp_envelope import metrics_in
from qspine.model.validation_record import ExecutionRecord, JudgementRecord
from qspine.services.lifecycle import load_record_of, load_version
from qspine.store.schema import blob, link, record, validation_execution, version


@dataclass(frozen=True)
class Pinned:
    """A record at one version: its key, id, number, status and fields."""

    id: int
    key: str
    kind: str
    number: int
    latest: int
    status: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class EvaluatingRun:
    """A validation run with an active `evaluates` link to a model: the model version it
    evaluates (`stamp`) and the run's latest version, status and fields."""

    id: int
    key: str
    title: str
    status: str
    latest_version: int
    stamp: int
    fields: dict[str, Any]


@dataclass(frozen=True)
class Execution:
    """One row of the execution history of a validation run."""

    id: int
    version: int
    purpose: str
    actor: str
    started_at: dt.datetime
    finished_at: dt.datetime
    exit_code: int
    verdict: str
    execution_sha256: str
    log_sha256: str | None
    differences: list[str]
    notes: list[str]


@dataclass(frozen=True)
class RunResult:
    """A recorded run: its key, outcome, execution verdict and what it measured."""

    key: str
    version: int
    model: str
    model_version: int
    datasets: list[str]
    outcome: str
    verdict: str
    exit_code: int
    error: str
    metrics: dict[str, float]
    judgements: list[JudgementRecord]
    input_sha256: str
    output_sha256: str
    environment_sha256: str
    record_sha256: str
    log_sha256: str
    execution_id: int


@dataclass(frozen=True)
class RerunResult:
    """A rerun: reproduced or not, each difference in words, and notes that do not count."""

    key: str
    version: int
    verdict: str
    differences: list[str]
    notes: list[str]
    exit_code: int
    error: str
    metrics: dict[str, float]
    output_sha256: str
    record_sha256: str
    log_sha256: str
    execution_id: int


@dataclass(frozen=True)
class RunView:
    """A validation run for the faces: its record fields, the execution record QSpine kept
    (None for a run entered by hand) and every execution."""

    key: str
    version: int
    title: str
    status: str
    fields: dict[str, Any]
    record: ExecutionRecord | None
    executions: list[Execution]


def pinned(connection: Connection, key: str, kind: str, number: int | None = None) -> Pinned:
    """`key` (which must be a `kind` record) at version `number` (default: the latest)."""
    row = load_record_of(connection, key, kind)
    wanted = row["latest_version"] if number is None else number
    try:
        stored = load_version(connection, row["id"], wanted)
    except NotFound:
        raise NotFound(f"{key} has no version {wanted}") from None
    return Pinned(
        id=row["id"],
        key=key,
        kind=kind,
        number=wanted,
        latest=row["latest_version"],
        status=stored["status"],
        fields=dict(stored["fields"]),
    )


def model_criteria(connection: Connection, model_id: int) -> list[Criterion]:
    """The metric criteria of every requirement the model `implements` (latest versions),
    in requirement key order, each with its requirement key as source."""
    target = record.alias("t")
    rows = connection.execute(
        sa.select(target.c.id, target.c.key, target.c.latest_version)
        .select_from(link)
        .join(target, target.c.id == link.c.target_id)
        .where(
            link.c.source_id == model_id,
            link.c.type == "implements",
            link.c.removed_at.is_(None),
            target.c.kind == "requirement",
        )
        .order_by(target.c.id)
    ).all()
    criteria: list[Criterion] = []
    for requirement_id, key, latest in rows:
        fields = load_version(connection, requirement_id, latest)["fields"]
        criteria += parse_criteria(
            fields.get("metric_criteria"), source=key, where=f"{key} metric_criteria"
        )
    return criteria


def runs_evaluating(connection: Connection, model_id: int) -> list[EvaluatingRun]:
    """Every validation run evaluating the model through an active link, newest run first."""
    run = record.alias("run")
    rows = connection.execute(
        sa.select(
            run.c.id,
            run.c.key,
            run.c.title,
            run.c.status,
            run.c.latest_version,
            link.c.target_version,
            version.c.fields,
        )
        .select_from(link)
        .join(run, run.c.id == link.c.source_id)
        .join(
            version,
            sa.and_(version.c.record_id == run.c.id, version.c.number == run.c.latest_version),
        )
        .where(
            link.c.target_id == model_id,
            link.c.type == "evaluates",
            link.c.removed_at.is_(None),
            run.c.kind == "validation_run",
        )
        .order_by(run.c.id.desc())
    ).all()
    return [EvaluatingRun(*row[:6], dict(row[6])) for row in rows]


def run_metrics(read_blob: Callable[[str], bytes], digest: Any) -> dict[str, float] | None:
    """The numeric `metrics` of the JSON blob `digest` (a run record, or an imported run's
    report), or None when there is no such blob or it holds no metrics."""
    if not isinstance(digest, str) or not digest:
        return None
    try:
        document = json.loads(read_blob(digest))
    except (OSError, ValueError, QSpineError):
        return None
    return metrics_in(document)


def executions(connection: Connection, record_id: int) -> list[Execution]:
    """Every execution of the run, oldest first."""
    rows = connection.execute(
        sa.select(validation_execution)
        .where(validation_execution.c.record_id == record_id)
        .order_by(validation_execution.c.id)
    ).mappings()
    return [_execution(row) for row in rows]


def latest_rerun(connection: Connection, record_id: int, version: int) -> RowMapping | None:
    """The newest 'rerun' row of the validation run `record_id` at `version`, or None."""
    return (
        connection.execute(
            sa.select(validation_execution)
            .where(
                validation_execution.c.record_id == record_id,
                validation_execution.c.version == version,
                validation_execution.c.purpose == "rerun",
            )
            .order_by(validation_execution.c.id.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )


def changed_fields(connection: Connection, item: Pinned) -> list[str]:
    """Fields of the latest version of `item`'s record that differ from the pinned version."""
    if item.latest == item.number:
        return []
    latest = load_version(connection, item.id, item.latest)["fields"]
    names = set(latest) | set(item.fields)
    return sorted(name for name in names if latest.get(name) != item.fields.get(name))


def newer_versions(connection: Connection, items: Sequence[Pinned]) -> list[str]:
    """A note for each item whose record has a newer version than the pinned one."""
    notes = []
    for item in items:
        changed = changed_fields(connection, item)
        if item.latest != item.number:
            notes.append(
                f"{item.key} has a newer version v{item.latest} than the pinned v{item.number}"
                + (f"; changed: {', '.join(changed)}" if changed else "")
                + "; the rerun used the pinned version"
            )
    return notes


def blob_filename(connection: Connection, digest: str) -> str:
    name = connection.execute(
        sa.select(blob.c.filename).where(blob.c.sha256 == digest)
    ).scalar_one_or_none()
    return str(name) if name else ""


def _execution(row: RowMapping) -> Execution:
    stored = row["differences"]
    differences, notes = (
        (list(stored.get("differences", [])), list(stored.get("notes", [])))
        if isinstance(stored, dict)
        else (list(stored or []), [])
    )
    return Execution(
        id=row["id"],
        version=row["version"],
        purpose=row["purpose"],
        actor=row["actor"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        exit_code=row["exit_code"],
        verdict=row["verdict"],
        execution_sha256=row["execution_sha256"],
        log_sha256=row["log_sha256"],
        differences=differences,
        notes=notes,
    )
