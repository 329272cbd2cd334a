"""What the PCCP check reads: a record's active links either way, dataset lineage, and the
validated metrics of a model version."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from qspine.services.validation_reads import run_metrics, runs_evaluating
from qspine.store.blobs import BlobStore
from qspine.store.schema import link, record

PASSING_STATUS = "recorded"


@dataclass(frozen=True)
class ValidatedMetrics:
    """The metrics of a model version's latest recorded passing validation run (None when
    there is none), and which run they came from or why there are none."""

    metrics: dict[str, float] | None
    source: str


def active_targets(
    connection: Connection, record_id: int, type: str
) -> list[tuple[RowMapping, int]]:
    """The records `record_id` links to by `type`, each with the version the link pins."""
    rows = connection.execute(
        sa.select(record, link.c.target_version)
        .join(link, link.c.target_id == record.c.id)
        .where(link.c.source_id == record_id, link.c.type == type, link.c.removed_at.is_(None))
        .order_by(record.c.id)
    ).mappings()
    return [(row, int(row["target_version"])) for row in rows]


def sources_of(connection: Connection, record_id: int, type: str) -> list[RowMapping]:
    """The records that link to `record_id` by `type`, oldest first."""
    return list(
        connection.execute(
            sa.select(record)
            .join(link, link.c.source_id == record.c.id)
            .where(link.c.target_id == record_id, link.c.type == type, link.c.removed_at.is_(None))
            .order_by(record.c.id)
        ).mappings()
    )


def ancestors(connection: Connection, key: str) -> set[str]:
    """Every dataset `key` descends from, following derived_from_dataset links out."""
    parent, child = record.alias("p"), record.alias("c")
    found: set[str] = set()
    frontier = {key}
    while frontier:
        rows = connection.execute(
            sa.select(parent.c.key)
            .select_from(link)
            .join(child, child.c.id == link.c.source_id)
            .join(parent, parent.c.id == link.c.target_id)
            .where(
                child.c.key.in_(sorted(frontier)),
                link.c.type == "derived_from_dataset",
                link.c.removed_at.is_(None),
            )
        ).scalars()
        frontier = set(rows) - found - {key}
        found |= frontier
    return found


def validated_metrics(
    connection: Connection, blobs: BlobStore, model: RowMapping
) -> ValidatedMetrics:
    """Metrics of the latest validation run that evaluates the model's current version, is
    recorded and passed: the `metrics` object of its run_record JSON, else of its report JSON
    (an MLflow import keeps the logged metrics there)."""
    unrecorded = []
    for run in runs_evaluating(connection, model["id"]):
        if run.stamp != model["latest_version"] or run.fields.get("outcome") != "pass":
            continue
        if run.status != PASSING_STATUS:
            unrecorded.append(f"{run.key} ({run.status})")
            continue
        for name in ("run_record", "report"):
            metrics = run_metrics(blobs.read, run.fields.get(name))
            if metrics is not None:
                return ValidatedMetrics(metrics, f"{run.key} ({name})")
        unrecorded.append(f"{run.key} (no metrics in its run record or report)")
    this = f"{model['key']} v{model['latest_version']}"
    if unrecorded:
        return ValidatedMetrics(
            None,
            f"no recorded passing validation run with metrics evaluates {this}; passing but "
            f"not usable: {', '.join(unrecorded)}",
        )
    return ValidatedMetrics(None, f"no recorded passing validation run evaluates {this}")
