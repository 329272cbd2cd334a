"""MLflow import: registered model versions, their runs and dataset inputs as model_version,
validation_run and dataset records (ADR 0015 point 8).

- A registered model version is a model_version (origin `mlflow:MODEL/VERSION`): title
  "MODEL VERSION", the model artifact as the weights blob (one file as it is; an MLflow model
  folder as a deterministic ZIP, `mlflow_reads.archive`) with its SHA-256, the run's
  parameters as canonical-JSON configuration with its SHA-256, the `mlflow.source.git.commit`
  tag as code commit.
- Each dataset input of the run is a dataset (origin `mlflow-dataset:DIGEST`). MLflow's digest
  is not a SHA-256 of the data; `manifest_sha256` is the SHA-256 of MLflow's own description
  of the dataset (canonical JSON of name, digest, source type, source, schema and profile),
  and `source` says so. A training (or unlabelled) input is linked `trained_on`; an
  evaluation or test input `uses_data` from the validation run.
- The run's metrics (latest value of each) are a validation_run (origin `mlflow:RUN_ID`,
  draft) that `evaluates` the model version: a metrics table, a JSON report blob with the
  parameters and metrics, and an outcome judged by the metric_criteria of the requirements
  the model implements; with none, the outcome is `fail` and the acceptance criteria say
  that no criterion applied. Only runs QSpine executes pass the release gate.

Re-importing finds every record by `origin`: an unchanged record is left alone, a changed one
gets a new version, existing links are kept. Everything is one transaction with one
`mlflow.import` audit event.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from qspine.model.fields import validate_fields
from qspine.model.fingerprint import canonical_json, sha256_hex
from qspine.model.metric_criteria import Criterion, all_met, judge
from qspine.services.audit import NewEvent, append
from qspine.services.blobs import BlobService
from qspine.services.context import SpineContext
from qspine.services.lifecycle import load_record
from qspine.services.links import NewLink, write_links
from qspine.services.mlflow_reads import MlflowDataset, MlflowRun, MlflowVersion, read_store
from qspine.services.records import NewRecord, insert_records
from qspine.services.revisions import Revision, revise_in
from qspine.services.users import UserService, require
from qspine.services.validation_reads import model_criteria
from qspine.store.engine import read_connection, write_transaction
from qspine.store.schema import link, record, version

EVALUATION_CONTEXTS = {"eval", "evaluation", "test", "testing"}
PURPOSES = {
    "training": "training",
    "train": "training",
    "validation": "tuning",
    "tuning": "tuning",
    **{c: "test" for c in EVALUATION_CONTEXTS},
}
MANAGED = {
    "model_version": (
        "title",
        "version_label",
        "weights",
        "weights_sha256",
        "configuration",
        "configuration_sha256",
        "code_commit",
        "origin",
    ),
    "dataset": ("title", "manifest_sha256", "source", "schema", "row_count", "purpose", "origin"),
    "validation_run": (
        "title",
        "run_on",
        "executed_by",
        "code_commit",
        "metrics",
        "acceptance_criteria",
        "outcome",
        "report",
        "origin",
    ),
}


@dataclass(frozen=True)
class ImportedRecord:
    """One record the import made, revised or found unchanged."""

    kind: str
    key: str
    origin: str
    action: str  # created, updated, unchanged, kept (final state: not revised)


@dataclass(frozen=True)
class ImportReport:
    tracking_uri: str
    experiment: str | None
    model: str | None
    records: list[ImportedRecord] = field(default_factory=list)
    links: int = 0
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for r in self.records if r.action == action)


class MlflowImportService:
    """Import a local MLflow tracking store into model, dataset and validation records."""

    def __init__(self, context: SpineContext, users: UserService, blobs: BlobService) -> None:
        self._context = context
        self._users = users
        self._blobs = blobs

    def import_store(
        self,
        actor: str,
        tracking_uri: str,
        experiment: str | None = None,
        model: str | None = None,
    ) -> ImportReport:
        with read_connection(self._context.engine) as connection:
            for kind in MANAGED:
                require(connection, self._context, actor, "write", kind)
        with tempfile.TemporaryDirectory() as folder:
            snapshot = read_store(tracking_uri, experiment or None, model or None, Path(folder))
            weights = {
                (v.name, v.version): self._blobs.add(actor, v.weights).sha256
                for v in snapshot.versions
            }
            reports = {
                run.run_id: self._store_json(actor, folder, run.run_id, run.report())
                for run in _runs(snapshot.versions)
            }
        now = self._context.clock()
        with write_transaction(self._context.engine) as connection:
            writer = _Import(connection, self._context, actor, now)
            for dataset in _datasets(snapshot.versions):
                writer.dataset(dataset, _purpose(snapshot.versions, dataset.digest))
            for item in snapshot.versions:
                writer.model(item, weights[(item.name, item.version)])
            for run in _runs(snapshot.versions):
                writer.run(run, [v for v in snapshot.versions if v.run == run], reports[run.run_id])
            report = ImportReport(
                snapshot.uri,
                experiment,
                model,
                writer.records,
                writer.links,
                snapshot.skipped,
                writer.notes,
            )
            writer.events.append(
                NewEvent(
                    actor=actor,
                    action="mlflow.import",
                    subject=f"mlflow:{snapshot.uri}"[:200],
                    reason=writer.reason,
                    payload={
                        "tracking_uri": snapshot.uri,
                        "experiment": experiment,
                        "model": model,
                        "created": report.count("created"),
                        "updated": report.count("updated"),
                        "unchanged": report.count("unchanged"),
                        "links": writer.links,
                        "records": [r.key for r in writer.records],
                    },
                )
            )
            append(connection, now, writer.events)
        return report

    def _store_json(self, actor: str, folder: str, run_id: str, document: dict[str, Any]) -> str:
        path = Path(folder) / f"mlflow-run-{run_id}.json"
        path.write_text(canonical_json(document), encoding="utf-8")
        return self._blobs.add(actor, path).sha256


class _Import:
    """The writes of one import, inside one transaction."""

    def __init__(
        self, connection: Connection, context: SpineContext, actor: str, now: dt.datetime
    ) -> None:
        self.connection = connection
        self.context = context
        self.actor = actor
        self.now = now
        self.reason = "MLflow import"
        self.events: list[NewEvent] = []
        self.records: list[ImportedRecord] = []
        self.notes: list[str] = []
        self.links = 0
        self.keys: dict[str, str] = {}  # origin -> key
        self.found: dict[str, dict[str, RowMapping]] = {}  # kind -> origin -> stored record

    def dataset(self, item: MlflowDataset, purpose: str | None) -> None:
        description = item.description()
        fields: dict[str, Any] = {
            "title": f"{item.name or 'dataset'} (MLflow digest {item.digest})",
            "manifest_sha256": sha256_hex(canonical_json(description)),
            "source": (
                f"MLflow dataset input '{item.name}': {item.source_type or 'unknown'} source "
                f"{item.source_text()}; MLflow digest {item.digest} (MLflow's fingerprint, "
                "not a SHA-256). manifest_sha256 is the SHA-256 of MLflow's description of the "
                "dataset (canonical JSON of name, digest, source type, source, schema and "
                "profile), not of the data files: register the files with `qspine dataset "
                "register` to pin their content."
            ),
            "schema": item.schema_markdown(),
            "row_count": item.row_count(),
            "purpose": purpose,
            "origin": f"mlflow-dataset:{item.digest}",
        }
        self._upsert("dataset", fields)

    def model(self, item: MlflowVersion, weights: str) -> None:
        run = item.run
        configuration = canonical_json(run.params) if run is not None and run.params else None
        fields: dict[str, Any] = {
            "title": f"{item.name} {item.version}",
            "version_label": item.version,
            "weights": weights,
            "weights_sha256": weights,
            "configuration": configuration,
            "configuration_sha256": sha256_hex(configuration) if configuration else None,
            "code_commit": (run.commit or None) if run is not None else None,
            "origin": f"mlflow:{item.name}/{item.version}",
        }
        key = self._upsert("model_version", fields)
        if run is not None:
            wanted = [
                NewLink("trained_on", key, self.keys[f"mlflow-dataset:{d.digest}"])
                for d in run.datasets
                if d.context.lower() not in EVALUATION_CONTEXTS
            ]
            self._link(wanted)

    def run(self, run: MlflowRun, versions: list[MlflowVersion], report: str) -> None:
        models = [self.keys[f"mlflow:{v.name}/{v.version}"] for v in versions]
        criteria = self._criteria(models)
        judgements = judge(criteria, run.metrics)
        if criteria:
            accepted = "\n".join(f"- {j.describe()}" for j in judgements)
            outcome = "pass" if all_met(judgements) else "fail"
        else:
            accepted = (
                f"No criterion applied: {', '.join(models)} implements no requirement with "
                "metric_criteria at import, so the run is recorded as fail. Link the "
                "requirements (implements) and import again to judge the metrics."
            )
            outcome = "fail"
        fields: dict[str, Any] = {
            "title": f"MLflow run {run.name or run.run_id[:8]} ({run.run_id[:8]})",
            "run_on": run.started.isoformat() if run.started else None,
            "executed_by": run.user or None,
            "code_commit": run.commit or None,
            "metrics": run.metrics_markdown(),
            "acceptance_criteria": accepted,
            "outcome": outcome,
            "report": report,
            "origin": f"mlflow:{run.run_id}",
        }
        key = self._upsert("validation_run", fields)
        used = [
            NewLink("uses_data", key, self.keys[f"mlflow-dataset:{d.digest}"])
            for d in run.datasets
            if d.context.lower() in EVALUATION_CONTEXTS
        ]
        self._link([*(NewLink("evaluates", key, m) for m in models), *used])

    def _upsert(self, kind: str, wanted: dict[str, Any]) -> str:
        """Create the record with `origin`, or revise it when its imported fields changed."""
        origin = str(wanted["origin"])
        if origin in self.keys:
            return self.keys[origin]
        spec = self.context.profile.kinds[kind]
        fields = {k: v for k, v in wanted.items() if v is not None}
        fields = validate_fields(f"{kind} from {origin}", kind, spec, fields)
        if kind not in self.found:
            self.found[kind] = by_origin(self.connection, kind)
        row = self.found[kind].get(origin)
        if row is None:
            _, (key,), events = insert_records(
                self.connection,
                self.context,
                self.actor,
                [NewRecord(kind, fields)],
                self.reason,
                self.now,
            )
            self.events += events
            action = "created"
        else:
            key = str(row["key"])
            current = dict(row["fields"])
            changes = {n: fields.get(n) for n in MANAGED[kind] if current.get(n) != fields.get(n)}
            lifecycle = self.context.profile.lifecycle_of(kind)
            if not changes:
                action = "unchanged"
            elif lifecycle.states[row["status"]].terminal:
                action = "kept"
                self.notes.append(
                    f"{key} is {row['status']}: not revised although MLflow now says "
                    f"otherwise about {', '.join(sorted(changes))}"
                )
            else:
                self.events += revise_in(
                    self.connection,
                    self.context,
                    self.actor,
                    [Revision(key, changes, f"{self.reason}: {origin} changed")],
                    self.now,
                )
                action = "updated"
        self.keys[origin] = key
        self.records.append(ImportedRecord(kind, key, origin, action))
        return key

    def _link(self, wanted: list[NewLink]) -> None:
        missing = [item for item in dict.fromkeys(wanted) if not self._linked(item)]
        if missing:
            self.links += write_links(
                self.connection, self.context, self.actor, missing, self.reason
            )

    def _linked(self, item: NewLink) -> bool:
        source, target = record.alias("s"), record.alias("t")
        found = self.connection.execute(
            sa.select(link.c.id)
            .join(source, source.c.id == link.c.source_id)
            .join(target, target.c.id == link.c.target_id)
            .where(
                link.c.type == item.type,
                link.c.removed_at.is_(None),
                source.c.key == item.source,
                target.c.key == item.target,
            )
        ).first()
        return found is not None

    def _criteria(self, models: list[str]) -> list[Criterion]:
        """The metric criteria of the requirements the run's model versions implement, as a
        validation run of one of them is judged (each requirement once)."""
        found: dict[tuple[str, str, str, float], Criterion] = {}
        for key in models:
            for criterion in model_criteria(
                self.connection, load_record(self.connection, key)["id"]
            ):
                identity = (criterion.source, criterion.metric, criterion.op, criterion.value)
                found.setdefault(identity, criterion)
        return list(found.values())


def by_origin(connection: Connection, kind: str) -> dict[str, RowMapping]:
    """The `kind` records an MLflow import made, by the origin their current version names
    (the oldest record of an origin): one query per kind, not one per imported item."""
    origin = version.c.fields["origin"].as_string()
    rows = connection.execute(
        sa.select(record.c.key, record.c.status, version.c.fields, origin.label("origin"))
        .join(
            version,
            sa.and_(
                version.c.record_id == record.c.id,
                version.c.number == record.c.latest_version,
            ),
        )
        .where(record.c.kind == kind, origin.like("mlflow%"))
        .order_by(record.c.id)
    ).mappings()
    found: dict[str, RowMapping] = {}
    for row in rows:
        found.setdefault(str(row["origin"]), row)
    return found


def _runs(versions: list[MlflowVersion]) -> list[MlflowRun]:
    return list({v.run.run_id: v.run for v in versions if v.run is not None}.values())


def _datasets(versions: list[MlflowVersion]) -> list[MlflowDataset]:
    found: dict[str, MlflowDataset] = {}
    for run in _runs(versions):
        for item in run.datasets:
            found.setdefault(item.digest, item)
    return list(found.values())


def _purpose(versions: list[MlflowVersion], digest: str) -> str | None:
    """The dataset's purpose from the contexts it was logged with: one purpose, or mixed (a
    context that names no purpose, or none, adds nothing)."""
    contexts = {
        PURPOSES.get(d.context.lower(), "")
        for run in _runs(versions)
        for d in run.datasets
        if d.digest == digest
    } - {""}
    if len(contexts) > 1:
        return "mixed"
    return next(iter(contexts), None)
