"""Post-market monitoring of deployed model versions (ADR 0015 point 6): series are data,
breaches are records.

`ingest` stores a CSV or JSON file of `observed_at, site, metric, value` points for one
deployed model version (released or approved) in `monitoring_point`, keeps the file as a blob
and judges each series the file touches against the `monitoring_criteria` of the requirements
the model implements. Every breach episode (consecutive breaching points of one series and
criterion, `model/monitoring.py`) that no signal stands for yet opens, in the same
transaction, a `post_market_signal` that reports on the model and a CAPA candidate that
addresses it. A signal stands for an episode when its `series` field (model, version, site,
metric and criterion) is the episode's and its `observed_on` falls within the episode,
whatever the signal's status (a cancelled signal was judged, not forgotten), so a re-ingest,
or a later file that continues the episode, adds nothing; a series that recovered and
breaches again opens a new one. Two episodes of one series on the same day share a signal.
Only the series the file touches are judged; the audit event `monitoring.ingest` is
written when the ingest added points or records (a repeated file adds no event). Stored
points are never overwritten: a point already stored with another value is refused, naming
its row.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Connection, RowMapping

from qspine.formats.monitoring_series import SeriesFile, parse_series
from qspine.model.errors import Conflict, InvalidInput
from qspine.model.metric_criteria import Criterion
from qspine.model.monitoring import (
    Breach,
    Point,
    breaches,
    capa_fields,
    covered,
    criteria_for,
    group_series,
    series_label,
    signal_fields,
)
from qspine.services.audit import NewEvent, append
from qspine.services.blobs import BlobService
from qspine.services.context import SpineContext
from qspine.services.links import NewLink, write_links
from qspine.services.monitoring_reads import (
    PointKey,
    RaisedSignal,
    as_points,
    baseline_metrics,
    model_row,
    monitored_version,
    monitoring_criteria,
    signals_on,
    stored_points,
)
from qspine.services.records import NewRecord, insert_records
from qspine.services.users import User, UserService, require
from qspine.store.engine import read_connection, write_transaction
from qspine.store.schema import monitoring_point

MAX_SERIES_BYTES = 32 << 20
"""The largest monitoring series file one ingest takes."""


@dataclass(frozen=True)
class BreachReport:
    """One breach episode in the ingested series and the signal that stands for it."""

    series: str
    description: str
    observed_on: str
    worst: float
    count: int
    signal: str
    capa: str  # the CAPA candidate opened now; '' when the signal already existed
    new: bool


@dataclass(frozen=True)
class IngestReport:
    model: str
    version: int
    file: str
    format: str
    digest: str
    points_added: int
    points_unchanged: int
    series: int
    criteria: tuple[str, ...]
    thresholds_apply: bool
    breaches: tuple[BreachReport, ...]
    signals_created: tuple[str, ...]
    capas_created: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class Series:
    """One monitored series of one model version, judged against its thresholds."""

    version: int
    site: str
    metric: str
    points: tuple[Point, ...]
    criteria: tuple[Criterion, ...]
    breaches: tuple[Breach, ...]
    signals: tuple[RaisedSignal, ...]


@dataclass(frozen=True)
class ModelMonitoring:
    """A model version record and all its monitored series (the monitoring page's data)."""

    model: str
    title: str
    status: str
    deployed_version: int | None
    series: tuple[Series, ...]


class MonitoringService:
    """Ingest monitoring series of deployed model versions; read them back for the faces."""

    def __init__(self, context: SpineContext, users: UserService, blobs: BlobService) -> None:
        self._context = context
        self._users = users
        self._blobs = blobs

    def ingest(
        self,
        actor: str,
        model_key: str,
        filename: str,
        data: bytes,
        version: int | None = None,
    ) -> IngestReport:
        """Check the file and the model, keep the file, then store its new points and raise
        a signal and a CAPA candidate for each new breach episode, in one transaction."""
        filename = "".join(c for c in filename if c.isprintable()).strip() or "upload"
        if len(data) > MAX_SERIES_BYTES:
            raise InvalidInput(f"{filename}: larger than {MAX_SERIES_BYTES >> 20} MiB")
        parsed = parse_series(data, filename)
        with read_connection(self._context.engine) as connection:
            _Ingest(connection, self._context, actor, parsed).check(model_key, version)
        digest = self._store(actor, data, filename)
        with write_transaction(self._context.engine) as connection:
            run = _Ingest(connection, self._context, actor, parsed)
            return run.write(model_key, version, digest, self._blobs.read)

    def series(self, user: User, model_key: str) -> list[Series]:
        """Every stored series of the model, by version, site and metric."""
        return list(self.overview(user, model_key).series)

    def overview(self, user: User, model_key: str) -> ModelMonitoring:
        """The model record (title, status, version in force) with every stored series."""
        self._users.permits(user, "read")
        with read_connection(self._context.engine) as connection:
            row = model_row(connection, model_key)
            criteria = monitoring_criteria(connection, row["id"])
            points = stored_points(connection, row["id"])
            signals = signals_on(connection, row["id"])
        found = []
        for number in sorted(points):
            for (site, metric), listed in group_series(as_points(points[number])).items():
                mine = criteria_for(metric, criteria)
                prefix = f"{model_key} v{number} · {site} · {metric} · "
                found.append(
                    Series(
                        version=number,
                        site=site,
                        metric=metric,
                        points=tuple(listed),
                        criteria=tuple(mine),
                        breaches=tuple(breaches(listed, mine)),
                        signals=tuple(s for s in signals if _labels(s.series, prefix, metric)),
                    )
                )
        return ModelMonitoring(
            model_key, row["title"], row["status"], row["released_version"], tuple(found)
        )

    def _store(self, actor: str, data: bytes, name: str) -> str:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / _file_name(name)
            path.write_bytes(data)
            return self._blobs.add(actor, path).sha256


class _Ingest:
    """One ingest: the checks (read, before the file is kept) and the write."""

    def __init__(
        self, connection: Connection, context: SpineContext, actor: str, parsed: SeriesFile
    ) -> None:
        self.connection, self.context, self.actor, self.parsed = connection, context, actor, parsed
        self.touched = frozenset(p.series for p in parsed.points)

    def check(self, model_key: str, version: int | None) -> tuple[RowMapping, int, list[Point]]:
        """Permissions, the deployed version and no stored point contradicted; the new points."""
        require(self.connection, self.context, self.actor, "write", "post_market_signal")
        require(self.connection, self.context, self.actor, "write", "capa")
        row = model_row(self.connection, model_key)
        number = monitored_version(self.connection, row, version)
        stored = stored_points(self.connection, row["id"], number, self.touched).get(number, {})
        return row, number, self._new_points(stored, f"{model_key} v{number}")

    def write(
        self,
        model_key: str,
        version: int | None,
        digest: str,
        read_blob: Callable[[str], bytes],
    ) -> IngestReport:
        connection, parsed = self.connection, self.parsed
        row, number, new = self.check(model_key, version)
        now = self.context.clock()
        self._insert(row["id"], number, new, digest, now)
        criteria = monitoring_criteria(connection, row["id"])
        touched = self.touched
        points = as_points(stored_points(connection, row["id"], number, touched).get(number, {}))
        fresh, reports = _standing(model_key, number, breaches(points, criteria), connection, row)
        baseline = baseline_metrics(connection, row["id"], number, read_blob) if fresh else {}
        made = self._raise(row, number, digest, fresh, baseline, now)
        for (breach, label), (signal, capa) in zip(fresh, made, strict=True):
            reports.append(_report(breach, label, signal, capa, new=True))
        reports.sort(key=lambda r: (r.series, r.observed_on))
        report = IngestReport(
            model=model_key,
            version=number,
            file=parsed.name,
            format=parsed.format,
            digest=digest,
            points_added=len(new),
            points_unchanged=len(parsed.points) - len(new),
            series=len(touched),
            criteria=tuple(_criterion_text(c) for c in criteria),
            thresholds_apply=any(criteria_for(metric, criteria) for _, metric in touched),
            breaches=tuple(reports),
            signals_created=tuple(s for s, _ in made),
            capas_created=tuple(c for _, c in made),
            note=_note(criteria, touched),
        )
        if new or made:
            append(connection, now, [_event(self.actor, report)])
        return report

    def _insert(
        self, record_id: int, number: int, new: list[Point], digest: str, now: dt.datetime
    ) -> None:
        if not new:
            return
        self.connection.execute(
            monitoring_point.insert(),
            [
                {
                    "record_id": record_id,
                    "version": number,
                    "site": p.site,
                    "metric": p.metric,
                    "observed_at": p.observed_at,
                    "value": p.value,
                    "source_sha256": digest,
                    "ingested_at": now,
                    "ingested_by": self.actor,
                }
                for p in new
            ],
        )

    def _new_points(self, stored: dict[PointKey, float], where: str) -> list[Point]:
        """The file's points not stored yet; one stored with another value is refused."""
        new = []
        for point, place in zip(self.parsed.points, self.parsed.places, strict=True):
            value = stored.get((point.site, point.metric, point.observed_at))
            if value is None:
                new.append(point)
            elif value != point.value:
                raise Conflict(
                    f"{self.parsed.name}: {place}: {point.site} {point.metric} at "
                    f"{point.observed_at.isoformat()} is already stored for {where} with value "
                    f"{value!r}, not {point.value!r}; monitoring data are not overwritten"
                )
        return new

    def _raise(
        self,
        row: RowMapping,
        number: int,
        digest: str,
        fresh: list[tuple[Breach, str]],
        baseline: dict[str, float],
        now: dt.datetime,
    ) -> list[tuple[str, str]]:
        """A signal reporting on the model and a CAPA candidate addressing it, per episode."""
        if not fresh:
            return []
        source = f"monitoring file {self.parsed.name} (SHA-256 {digest})"
        model = f"{row['key']} v{number}"
        reason = f"post-market monitoring of {model}: {self.parsed.name}"
        items = [
            NewRecord("post_market_signal", signal_fields(b, label, model, source, baseline))
            for b, label in fresh
        ]
        _, signals, events = insert_records(
            self.connection, self.context, self.actor, items, reason, now
        )
        capas = [
            NewRecord("capa", capa_fields(b, key, model, row["title"], source, self.actor))
            for (b, _), key in zip(fresh, signals, strict=True)
        ]
        _, capa_keys, more = insert_records(
            self.connection, self.context, self.actor, capas, reason, now
        )
        append(self.connection, now, [*events, *more])
        links = [NewLink("reports_on", key, row["key"]) for key in signals]
        links += [NewLink("addresses", c, s) for c, s in zip(capa_keys, signals, strict=True)]
        write_links(self.connection, self.context, self.actor, links, reason)
        return list(zip(signals, capa_keys, strict=True))


def _file_name(name: str) -> str:
    """The uploaded name's last part as a file name the blob folder can take: not '.' or
    '..', at most 255 bytes (the extension kept)."""
    base = Path(name).name
    if base in ("", ".", ".."):
        return "monitoring"
    stem, dot, suffix = base.rpartition(".")
    if not stem or len(suffix) > 10:
        stem, dot, suffix = base, "", ""
    room = 255 - len(f"{dot}{suffix}".encode())
    return stem.encode()[:room].decode("utf-8", "ignore") + dot + suffix


def _labels(series: str, prefix: str, metric: str) -> bool:
    """True when a signal's series label is `prefix` (model, version, site, metric) and a
    criterion on `metric`: the criterion holds no ' · ', so a site whose name does cannot
    take another series' signals."""
    criterion = series.removeprefix(prefix)
    return criterion != series and criterion.startswith(f"{metric} ") and " · " not in criterion


def _standing(
    model_key: str, number: int, found: list[Breach], connection: Connection, row: RowMapping
) -> tuple[list[tuple[Breach, str]], list[BreachReport]]:
    """The episodes no signal stands for yet (with their series labels), and the reports of
    those a signal already stands for."""
    signals = signals_on(connection, row["id"])
    fresh: list[tuple[Breach, str]] = []
    reports: list[BreachReport] = []
    for breach in found:
        label = series_label(model_key, number, breach.site, breach.metric, breach.criterion)
        standing = next(
            (s.key for s in signals if covered(breach, label, [(s.series, s.observed_on)])),
            None,
        )
        if standing is None:
            fresh.append((breach, label))
        else:
            reports.append(_report(breach, label, standing, "", new=False))
    return fresh, reports


def _report(breach: Breach, label: str, signal: str, capa: str, new: bool) -> BreachReport:
    return BreachReport(
        series=label,
        description=breach.describe(),
        observed_on=breach.first.observed_at.date().isoformat(),
        worst=breach.worst.value,
        count=breach.count,
        signal=signal,
        capa=capa,
        new=new,
    )


def _criterion_text(criterion: Criterion) -> str:
    return f"{criterion} ({criterion.source})" if criterion.source else str(criterion)


def _note(criteria: list[Criterion], touched: frozenset[tuple[str, str]]) -> str:
    if not criteria:
        return (
            "no thresholds apply: the model implements no requirement with monitoring_criteria; "
            "the points are stored"
        )
    unjudged = sorted({metric for _, metric in touched if not criteria_for(metric, criteria)})
    if unjudged:
        return "no threshold applies to " + ", ".join(unjudged) + "; those points are stored"
    return ""


def _event(actor: str, report: IngestReport) -> NewEvent:
    return NewEvent(
        actor=actor,
        action="monitoring.ingest",
        subject=report.model,
        version=report.version,
        reason=f"monitoring file {report.file}",
        after=report.digest,
        payload={
            "file": report.file,
            "digest": report.digest,
            "points_added": report.points_added,
            "points_unchanged": report.points_unchanged,
            "signals": list(report.signals_created),
            "capas": list(report.capas_created),
        },
    )
