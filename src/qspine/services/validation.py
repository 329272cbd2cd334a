"""Validation runs QSpine executes and reruns (ADR 0015 points 3 and 4).

`run` checks every input against its pin and refuses on any mismatch, executes the command in
a fresh process, computes the metrics itself, judges them against the metric criteria of the
requirements the model implements, and writes the validation_run record (a draft: a person
signs it 'verified'), its evaluates/uses_data links, an execution row and an audit event in one
transaction; the execution record and the log are blobs. `rerun` resolves the same pinned
inputs again, executes the same command, compares, and appends an execution row: it changes
no record.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from qspine.formats.dataset_manifest import Manifest, manifest_differences
from qspine.model.errors import InvalidInput
from qspine.model.metric_criteria import Criterion, parse_criteria
from qspine.model.validation_record import (
    Comparison,
    ExecutionRecord,
    acceptance_markdown,
    compare,
    metrics_markdown,
)
from qspine.services.audit import NewEvent, append
from qspine.services.blobs import BlobService
from qspine.services.context import SpineContext
from qspine.services.links import NewLink, write_links
from qspine.services.records import NewRecord, insert_records
from qspine.services.users import User, UserService, require
from qspine.services.validation_exec import (
    Evaluation,
    Finished,
    Inputs,
    current_environment,
    evaluate,
    execute,
    resolve_inputs,
    split_command,
)
from qspine.services.validation_reads import (
    Execution,
    Pinned,
    RerunResult,
    RunResult,
    RunView,
    blob_filename,
    executions,
    model_criteria,
    newer_versions,
    pinned,
)
from qspine.store.engine import read_connection, write_transaction
from qspine.store.schema import validation_execution

DEFAULT_TIMEOUT = 3600.0
__all__ = ["DEFAULT_TIMEOUT", "RerunResult", "RunResult", "RunView", "ValidationService"]
Progress = Callable[[str, int, int], None]


class ValidationService:
    """Execute, rerun and show model validation runs."""

    def __init__(self, context: SpineContext, users: UserService, blobs: BlobService) -> None:
        self._context = context
        self._users = users
        self._blobs = blobs

    def run(
        self,
        actor: str,
        model_key: str,
        dataset_keys: Sequence[str],
        command: str,
        title: str,
        timeout: float = DEFAULT_TIMEOUT,
        progress: Progress | None = None,
    ) -> RunResult:
        """Check the inputs, execute, judge and record; refuses (writing nothing) when an
        input differs from its pin or the model has no criteria to be judged by."""
        step = progress or (lambda _what, _done, _total: None)
        split_command(command)
        _check_timeout(timeout)
        if not title.strip():
            raise InvalidInput("title: give the validation run a short title")
        _check_keys(dataset_keys)
        with read_connection(self._context.engine) as connection:
            require(connection, self._context, actor, "write", "validation_run")
            model = pinned(connection, model_key, "model_version")
            datasets = [pinned(connection, key, "dataset") for key in dataset_keys]
            criteria = model_criteria(connection, model.id)
            weights_name = blob_filename(connection, str(model.fields.get("weights") or ""))
        if not criteria:
            raise InvalidInput(
                f"{model_key} implements no requirement with metric_criteria: link it "
                "'implements' to the requirement that states its acceptance criteria"
            )
        step("checking inputs against their pins", 0, 4)
        with tempfile.TemporaryDirectory(prefix="qspine-run-") as folder:
            workdir = Path(folder)
            inputs = resolve_inputs(self._context.blob_dir, workdir, model, datasets, weights_name)
            if inputs.problems:
                raise InvalidInput(
                    f"{model_key}: not run, inputs differ from their pins: "
                    + "; ".join(inputs.problems)
                )
            step("executing the command", 1, 4)
            done = self._execute(
                actor, command, inputs, criteria, workdir, timeout, model, (model, *datasets)
            )
        step("recording the run", 3, 4)
        result = self._record_run(actor, title, command, model, datasets, criteria, done)
        step("done", 4, 4)
        return result

    def rerun(
        self,
        actor: str,
        run_key: str,
        timeout: float = DEFAULT_TIMEOUT,
        progress: Progress | None = None,
    ) -> RerunResult:
        """Repeat the run's command on its pinned inputs in a fresh process and compare."""
        step = progress or (lambda _what, _done, _total: None)
        _check_timeout(timeout)
        with read_connection(self._context.engine) as connection:
            require(connection, self._context, actor, "write", "validation_run")
            run = pinned(connection, run_key, "validation_run")
        original = self._original(run)
        with read_connection(self._context.engine) as connection:
            model = pinned(connection, original.model.key, "model_version", original.model.version)
            datasets = [pinned(connection, d.key, "dataset", d.version) for d in original.datasets]
            weights_name = blob_filename(connection, str(model.fields.get("weights") or ""))
            notes = newer_versions(connection, [model, *datasets])
        criteria = [
            c for j in original.judgements for c in parse_criteria(j.criterion, source=j.source)
        ]
        step("resolving the pinned inputs", 0, 4)
        with tempfile.TemporaryDirectory(prefix="qspine-rerun-") as folder:
            workdir = Path(folder)
            inputs = resolve_inputs(self._context.blob_dir, workdir, model, datasets, weights_name)
            step("executing the command", 1, 4)
            done = self._execute(actor, original.command, inputs, criteria, workdir, timeout, model)
        comparison = compare(original, done.record, _files_differ)
        step("recording the rerun", 3, 4)
        return self._record_rerun(actor, run, done, comparison, notes)

    def show(self, user: User, run_key: str) -> RunView:
        """The run's record fields, its execution record and its executions."""
        self._users.permits(user, "read")
        with read_connection(self._context.engine) as connection:
            run = pinned(connection, run_key, "validation_run")
            history = executions(connection, run.id)
        digest = run.fields.get("run_record")
        record = self._original(run) if digest else None
        return RunView(
            run_key, run.number, str(run.fields.get("title", "")), run.status,
            run.fields, record, history,
        )  # fmt: skip

    def executions(self, user: User, run_key: str) -> list[Execution]:
        """Every execution of the run (the first and each rerun), oldest first."""
        self._users.permits(user, "read")
        with read_connection(self._context.engine) as connection:
            return executions(connection, pinned(connection, run_key, "validation_run").id)

    def log(self, user: User, run_key: str, execution_id: int) -> str:
        """The captured stdout and stderr of one execution of the run."""
        found = [e for e in self.executions(user, run_key) if e.id == execution_id]
        if not found or not found[0].log_sha256:
            raise InvalidInput(f"{run_key} has no execution {execution_id} with a log")
        return self._blobs.read(found[0].log_sha256).decode("utf-8", errors="replace")

    # -- helpers ------------------------------------------------------------------------------

    def _execute(
        self,
        actor: str,
        command: str,
        inputs: Inputs,
        criteria: Sequence[Criterion],
        workdir: Path,
        timeout: float,
        model: Pinned,
        pins: Sequence[Pinned] = (),
    ) -> _Done:
        """Execute and evaluate; refuse before storing anything when one of `pins` got a new
        version meanwhile (a run must link the versions that ran), then store the blobs."""
        started = self._context.clock()
        finished = execute(command, inputs.variables, workdir, timeout)
        ended = self._context.clock()
        evaluation = evaluate(
            inputs.output_dir, inputs.model.decision_threshold, criteria, finished
        )
        packages = model.fields.get("packages") or []
        record = ExecutionRecord(
            command=command,
            model=inputs.model,
            datasets=inputs.datasets,
            environment=current_environment([str(p) for p in packages]),
            metrics=evaluation.metrics,
            judgements=evaluation.judgements,
            outcome=evaluation.outcome,
            outputs=evaluation.outputs,
            output_sha256=evaluation.output_sha256,
            exit_code=finished.exit_code,
            error=evaluation.error,
        )
        if pins:
            with read_connection(self._context.engine) as connection:
                _refuse_moved(connection, pins)
        path = workdir / "validation-record.json"
        path.write_text(record.to_text(), encoding="utf-8")
        record_sha256 = self._blobs.add(actor, path).sha256
        log_sha256 = self._blobs.add(actor, finished.log).sha256
        return _Done(record, evaluation, finished, started, ended, record_sha256, log_sha256)

    def _original(self, run: Pinned) -> ExecutionRecord:
        digest = run.fields.get("run_record")
        if not digest:
            raise InvalidInput(
                f"{run.key} has no run_record: QSpine did not execute it, so it cannot be rerun"
            )
        try:
            document = json.loads(self._blobs.read(str(digest)).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise InvalidInput(f"{run.key} run_record: not JSON ({error})") from error
        return ExecutionRecord.from_json(document)

    def _record_run(
        self,
        actor: str,
        title: str,
        command: str,
        model: Pinned,
        datasets: Sequence[Pinned],
        criteria: Sequence[Criterion],
        done: _Done,
    ) -> RunResult:
        record = done.record
        fields = {
            "title": title.strip(),
            "run_on": done.started.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "executed_by": actor,
            "command": command,
            "input_sha256": record.input_sha256,
            "environment_sha256": record.environment.sha256,
            "output_sha256": record.output_sha256,
            "run_record": done.record_sha256,
            "metrics": metrics_markdown(record.metrics, done.evaluation.error),
            "acceptance_criteria": acceptance_markdown(criteria),
            "outcome": record.outcome,
        }
        fields = {name: value for name, value in fields.items() if value != ""}
        reason = f"validation run of {model.key} v{model.number} executed by QSpine"
        now = self._context.clock()
        with write_transaction(self._context.engine) as connection:
            _refuse_moved(connection, (model, *datasets))
            ids, keys, events = insert_records(
                connection, self._context, actor, [NewRecord("validation_run", fields)], reason, now
            )
            append(connection, now, events)
            key = keys[0]
            links = [NewLink("evaluates", key, model.key)]
            links += [NewLink("uses_data", key, d.key) for d in datasets]
            write_links(connection, self._context, actor, links, reason)
            execution_id = _insert_execution(connection, ids[0], 1, "run", actor, done, {})
            append(connection, now, [
                NewEvent(
                    actor=actor, action="validation.run", subject=key, version=1, reason=reason,
                    after=done.record_sha256,
                    payload={
                        "model": f"{model.key} v{model.number}",
                        "datasets": [f"{d.key} v{d.number}" for d in datasets],
                        "outcome": record.outcome, "verdict": done.evaluation.verdict,
                        "exit_code": record.exit_code, "input_sha256": record.input_sha256,
                        "output_sha256": record.output_sha256, "execution": execution_id,
                    },
                )
            ])  # fmt: skip
        return RunResult(
            key=key,
            version=1,
            model=model.key,
            model_version=model.number,
            datasets=[d.key for d in datasets],
            outcome=record.outcome,
            verdict=done.evaluation.verdict,
            exit_code=record.exit_code,
            error=record.error,
            metrics=dict(record.metrics),
            judgements=list(record.judgements),
            input_sha256=record.input_sha256,
            output_sha256=record.output_sha256,
            environment_sha256=record.environment.sha256,
            record_sha256=done.record_sha256,
            log_sha256=done.log_sha256,
            execution_id=execution_id,
        )

    def _record_rerun(
        self, actor: str, run: Pinned, done: _Done, comparison: Comparison, notes: list[str]
    ) -> RerunResult:
        notes = [*notes, *comparison.notes]
        if done.record.error:
            notes.append(f"rerun: {done.record.error}")
        now = self._context.clock()
        with write_transaction(self._context.engine) as connection:
            require(connection, self._context, actor, "write", "validation_run")
            stored = {"differences": comparison.differences, "notes": notes}
            execution_id = _insert_execution(
                connection, run.id, run.number, "rerun", actor, done, stored, comparison.verdict
            )
            append(connection, now, [
                NewEvent(
                    actor=actor, action="validation.rerun", subject=run.key, version=run.number,
                    reason=f"rerun of {run.key}: {comparison.verdict}", after=done.record_sha256,
                    payload={
                        "verdict": comparison.verdict, "differences": comparison.differences,
                        "notes": notes, "exit_code": done.record.exit_code,
                        "output_sha256": done.record.output_sha256, "execution": execution_id,
                    },
                )
            ])  # fmt: skip
        return RerunResult(
            key=run.key,
            version=run.number,
            verdict=comparison.verdict,
            differences=comparison.differences,
            notes=notes,
            exit_code=done.record.exit_code,
            error=done.record.error,
            metrics=dict(done.record.metrics),
            output_sha256=done.record.output_sha256,
            record_sha256=done.record_sha256,
            log_sha256=done.log_sha256,
            execution_id=execution_id,
        )


@dataclass(frozen=True)
class _Done:
    record: ExecutionRecord
    evaluation: Evaluation
    finished: Finished
    started: dt.datetime
    ended: dt.datetime
    record_sha256: str
    log_sha256: str


def _insert_execution(
    connection: Connection,
    record_id: int,
    version: int,
    purpose: str,
    actor: str,
    done: _Done,
    differences: Mapping[str, Any],
    verdict: str | None = None,
) -> int:
    return int(
        connection.execute(
            validation_execution.insert()
            .values(
                record_id=record_id,
                version=version,
                purpose=purpose,
                actor=actor,
                started_at=done.started,
                finished_at=done.ended,
                exit_code=done.record.exit_code,
                verdict=verdict or done.evaluation.verdict,
                execution_sha256=done.record_sha256,
                log_sha256=done.log_sha256,
                differences=dict(differences) or {"differences": [], "notes": []},
            )
            .returning(validation_execution.c.id)
        ).scalar_one()
    )


def _files_differ(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    return manifest_differences(Manifest.from_json(dict(old)), Manifest.from_json(dict(new)))


def _refuse_moved(connection: Connection, items: Sequence[Pinned]) -> None:
    """The links of a run must pin the versions that ran."""
    for item in items:
        if pinned(connection, item.key, item.kind).number != item.number:
            raise InvalidInput(f"{item.key} got a new version while the run executed; run it again")


def _check_timeout(timeout: float) -> None:
    if not (math.isfinite(timeout) and timeout > 0):
        raise InvalidInput(f"timeout: {timeout:g} s; give a positive number of seconds")


def _check_keys(keys: Sequence[str]) -> None:
    if not keys:
        raise InvalidInput("datasets: name at least one dataset to validate on")
    seen = set()
    for key in keys:
        if key in seen:
            raise InvalidInput(f"datasets: {key} is named twice")
        seen.add(key)
