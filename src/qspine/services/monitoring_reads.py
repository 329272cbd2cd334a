"""What monitoring reads: the deployed model version, the monitoring criteria of the
requirements it implements, stored points, the signals raised on it with their CAPA
candidates, and the metrics of its latest passing validation run (the signals' baseline)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from qspine.model.errors import InvalidInput, NotFound
from qspine.model.metric_criteria import Criterion, parse_criteria
from qspine.model.monitoring import Point
from qspine.services.lifecycle import load_record_of, load_version
from qspine.services.validation_reads import run_metrics, runs_evaluating
from qspine.store.schema import link, monitoring_point, record, version

# A deployed model version: released for clinical use, or approved (fixed and reviewed) and
# running in the field before release, e.g. a silent-mode pilot whose outputs are monitored.
MONITORED_STATES = ("released", "approved")

PointKey = tuple[str, str, dt.datetime]
_MAX_IN = 500  # more distinct sites or metrics than this are filtered after reading


@dataclass(frozen=True)
class RecordRef:
    key: str
    title: str
    status: str


@dataclass(frozen=True)
class RaisedSignal:
    """A post_market_signal that reports on the model, with the CAPAs addressing it."""

    key: str
    title: str
    status: str
    fields: dict[str, Any]
    capas: tuple[RecordRef, ...] = field(default_factory=tuple)

    @property
    def series(self) -> str:
        return str(self.fields.get("series", ""))

    @property
    def observed_on(self) -> str:
        return str(self.fields.get("observed_on", ""))


def model_row(connection: Connection, key: str) -> RowMapping:
    return load_record_of(connection, key, "model_version")


def monitored_version(connection: Connection, row: RowMapping, number: int | None) -> int:
    """The version to monitor: `number`, or the version in force; refused unless deployed."""
    key = row["key"]
    if number is None:
        if row["released_version"] is None:
            raise InvalidInput(
                f"{key}: no version is deployed (status {row['status']}); monitoring needs a "
                f"version that is {' or '.join(MONITORED_STATES)}"
            )
        number = int(row["released_version"])
    try:
        status = load_version(connection, row["id"], number)["status"]
    except NotFound:
        raise NotFound(f"{key} has no version {number}") from None
    if status not in MONITORED_STATES:
        raise InvalidInput(
            f"{key} v{number} is {status}: only a deployed model version "
            f"({' or '.join(MONITORED_STATES)}) is monitored"
        )
    return number


def monitoring_criteria(connection: Connection, record_id: int) -> list[Criterion]:
    """The monitoring criteria of every requirement the model implements, at the requirement
    version each implements link pins (what the model was reviewed against), in key order."""
    target = record.alias("t")
    rows = connection.execute(
        sa.select(target.c.key, version.c.fields)
        .select_from(link)
        .join(target, target.c.id == link.c.target_id)
        .join(
            version,
            sa.and_(version.c.record_id == target.c.id, version.c.number == link.c.target_version),
        )
        .where(
            link.c.source_id == record_id,
            link.c.type == "implements",
            link.c.removed_at.is_(None),
        )
        .order_by(target.c.id)
    )
    found: list[Criterion] = []
    for key, fields in rows:
        text = fields.get("monitoring_criteria")
        found += parse_criteria(text, source=key, where=f"{key} monitoring_criteria")
    return found


def stored_points(
    connection: Connection,
    record_id: int,
    number: int | None = None,
    series: Collection[tuple[str, str]] | None = None,
) -> dict[int, dict[PointKey, float]]:
    """The stored values of the model's points, by version, keyed by (site, metric, time);
    with `series`, only the points of those (site, metric) series (an ingest reads the
    history of the series its file touches, not of every series ever monitored)."""
    query = sa.select(
        monitoring_point.c.version,
        monitoring_point.c.site,
        monitoring_point.c.metric,
        monitoring_point.c.observed_at,
        monitoring_point.c.value,
    ).where(monitoring_point.c.record_id == record_id)
    if number is not None:
        query = query.where(monitoring_point.c.version == number)
    if series is not None:
        for column, names in (
            (monitoring_point.c.site, {site for site, _ in series}),
            (monitoring_point.c.metric, {metric for _, metric in series}),
        ):
            if len(names) <= _MAX_IN:
                query = query.where(column.in_(sorted(names)))
    found: dict[int, dict[PointKey, float]] = defaultdict(dict)
    for at_version, site, metric, observed_at, value in connection.execute(query):
        if series is None or (site, metric) in series:
            found[at_version][(site, metric, observed_at)] = value
    return found


def as_points(values: dict[PointKey, float]) -> list[Point]:
    return sorted(Point(at, site, metric, value) for (site, metric, at), value in values.items())


def signals_on(connection: Connection, record_id: int) -> list[RaisedSignal]:
    """Post-market signals that report on the model (latest fields), with their CAPAs."""
    source = record.alias("s")
    rows = connection.execute(
        sa.select(source.c.id, source.c.key, source.c.title, source.c.status, version.c.fields)
        .select_from(link)
        .join(source, source.c.id == link.c.source_id)
        .join(
            version,
            sa.and_(
                version.c.record_id == source.c.id, version.c.number == source.c.latest_version
            ),
        )
        .where(
            link.c.target_id == record_id,
            link.c.type == "reports_on",
            link.c.removed_at.is_(None),
            source.c.kind == "post_market_signal",
        )
        .order_by(source.c.id)
    ).all()
    capas = _capas_addressing(connection, [r[0] for r in rows])
    return [
        RaisedSignal(key, title, status, dict(fields), tuple(capas.get(id_, ())))
        for id_, key, title, status, fields in rows
    ]


def baseline_metrics(
    connection: Connection, record_id: int, number: int, read_blob: Callable[[str], bytes]
) -> dict[str, float]:
    """The metrics of the latest passing validation run that evaluates the model (one pinned
    at `number` first), from its run record's "metrics"; {} when there is none to read."""
    passing = [
        run
        for run in runs_evaluating(connection, record_id)
        if run.status != "voided" and run.fields.get("outcome") == "pass"
    ]
    passing.sort(key=lambda run: run.stamp != number)  # stable: newest first within each
    for run in passing:
        metrics = run_metrics(read_blob, run.fields.get("run_record"))
        if metrics is not None:
            return metrics
    return {}


def _capas_addressing(connection: Connection, signal_ids: list[int]) -> dict[int, list[RecordRef]]:
    found: dict[int, list[RecordRef]] = defaultdict(list)
    source = record.alias("s")
    for start in range(0, len(signal_ids), 500):
        rows = connection.execute(
            sa.select(link.c.target_id, source.c.key, source.c.title, source.c.status)
            .join(source, source.c.id == link.c.source_id)
            .where(
                link.c.target_id.in_(signal_ids[start : start + 500]),
                link.c.type == "addresses",
                link.c.removed_at.is_(None),
                source.c.kind == "capa",
            )
            .order_by(link.c.id)
        )
        for target, key, title, status in rows:
            found[target].append(RecordRef(key, title, status))
    return found
