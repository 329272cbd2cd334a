"""The release gate of a model version (ADR 0015 point 5): what `model_release` checks.

`evaluate` reads, inside the caller's transaction, every validation run that evaluates the
model, its datasets, its execution record (the run's `run_record` blob), its latest rerun and
the model's signatures, and returns one condition per requirement of the gate. Of several
runs the one that meets most conditions (the newest on a tie) is the evidence. What ran is
read from the execution record, not from the links: a link re-confirmed to a newer model or
dataset version does not carry a run's evidence over to a version it never ran. The guard
refuses with the failed conditions' details; when the release passes, `release_event` records
the whole report as a `model.release_gate` audit event in the same transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from qspine.model.errors import InvalidInput, NotFound
from qspine.model.links import is_suspect
from qspine.model.model_gate import (
    CRITERIA,
    DATASETS,
    RERUN,
    RUN,
    SIGNATURES,
    GateCondition,
    GateReport,
    criteria_changes,
    short,
    unmet,
)
from qspine.model.profile import Profile
from qspine.model.validation_record import ExecutionRecord
from qspine.services import reads
from qspine.services.audit import NewEvent
from qspine.services.guard_subject import Subject
from qspine.services.lifecycle import load_record_of, load_version
from qspine.services.validation_reads import (
    EvaluatingRun,
    latest_rerun,
    model_criteria,
    runs_evaluating,
)
from qspine.store.blobs import BlobStore
from qspine.store.schema import app_user, audit_event, link, record, user_role, validation_execution

KIND = "model_version"
ACTION = "model.release_gate"
REVIEWER, APPROVER = "data_scientist", "qa_ra_lead"


def evaluate(
    connection: Connection, profile: Profile, key: str, blob_dir: Path | None = None
) -> GateReport:
    """Every condition of the release gate for `key`'s current version, with its evidence.

    `blob_dir` is the spine's blob folder, where the runs' execution records are kept;
    without it the criteria cannot be read and that condition fails saying so."""
    row = load_record_of(connection, key, KIND)
    current = load_version(connection, row["id"], row["latest_version"])
    runs = runs_evaluating(connection, row["id"])
    required = [(str(c), c.source) for c in model_criteria(connection, row["id"])] if runs else []
    per_run = [_run_conditions(connection, profile, row, r, blob_dir, required) for r in runs]
    if per_run:
        chosen = max(
            zip(per_run, runs, strict=True),
            key=lambda pair: (sum(c.ok for c in pair[0]), pair[1].id),
        )[0]
    else:
        missing = f"no validation run evaluates {key}: run one with `qspine validation run`"
        chosen = [
            GateCondition(RUN, False, missing),
            *(GateCondition(n, False, f"{n}: no validation run to check") for n in _AFTER_RUN),
        ]
    conditions = (*chosen, _signatures(connection, profile, row, current))
    return GateReport(key, current["number"], current["fingerprint"], conditions)


def guard(subject: Subject) -> list[str]:
    """The `model_release` guard: the failed conditions of the gate, in words."""
    return evaluate(
        subject.connection, subject.profile, subject.view.key, subject.blob_dir
    ).problems


def release_event(subject: Subject, actor: str) -> NewEvent:
    """The audit event that records the gate's reasoning with a release that passed it."""
    report = evaluate(subject.connection, subject.profile, subject.view.key, subject.blob_dir)
    return NewEvent(
        actor=actor,
        action=ACTION,
        subject=report.key,
        version=report.version,
        reason=f"release gate of {report.key} v{report.version}: every condition met",
        after=report.fingerprint,
        payload=report.to_json(),
    )


def recorded_report(connection: Connection, key: str) -> GateReport | None:
    """The gate report recorded with the latest release of `key`, if it was released."""
    payload = connection.execute(
        sa.select(audit_event.c.payload)
        .where(audit_event.c.subject == key, audit_event.c.action == ACTION)
        .order_by(audit_event.c.seq.desc())
        .limit(1)
    ).scalar_one_or_none()
    return None if payload is None else GateReport.from_json(payload)


# -- conditions ----------------------------------------------------------------------------

_AFTER_RUN = (DATASETS, CRITERIA, RERUN)


@dataclass(frozen=True)
class _Ran:
    """What a run's execution record says QSpine executed: the truth behind its links."""

    model: tuple[str, int]
    datasets: frozenset[tuple[str, int]]
    judgements: list[dict[str, Any]]
    outcome: str


def _run_conditions(
    connection: Connection,
    profile: Profile,
    model: RowMapping,
    run: EvaluatingRun,
    blob_dir: Path | None,
    required: list[tuple[str, str]],
) -> list[GateCondition]:
    version = load_version(connection, run.id, run.latest_version)
    fields = version["fields"]
    name = f"{run.key} v{version['number']}"
    digest = str(fields.get("run_record") or "")
    execution = _execution(connection, run.id, digest) if digest else None
    ran = _read_run_record(digest, blob_dir) if digest else "no run record"
    evidence = {
        "run": run.key,
        "run_version": version["number"],
        "evaluates_version": run.stamp,
        "status": version["status"],
        "outcome": fields.get("outcome"),
        "run_record": digest,
        "execution": None if execution is None else execution["id"],
    }
    found = []
    current = model["latest_version"]
    if run.stamp != current:
        found.append(f"evaluates {model['key']} v{run.stamp}, not the current v{current}")
    elif isinstance(ran, _Ran) and ran.model != (model["key"], current):
        found.append(f"executed {ran.model[0]} v{ran.model[1]}, not the current v{current}")
    lifecycle = profile.lifecycle_of("validation_run")
    if not lifecycle.states[version["status"]].released:
        found.append(f"is {version['status']}, not recorded (sign it 'verified')")
    if fields.get("outcome") != "pass":
        found.append(f"outcome is {fields.get('outcome') or 'not recorded'}, not pass")
    if not digest:
        found.append("has no run record: QSpine did not execute it")
    elif execution is None:
        found.append(f"its run record {short(digest)} matches no execution QSpine recorded")
    if found:
        detail = f"{name} " + "; ".join(found)
    else:
        detail = (
            f"{name} evaluates {model['key']} v{current}, recorded, outcome pass, executed "
            f"by QSpine (execution {evidence['execution']})"
        )
    run_ok = GateCondition(RUN, not found, detail, evidence)
    return [
        run_ok,
        _datasets(connection, profile, run.id, name, ran),
        _criteria(model, name, digest, ran, required),
        _rerun(connection, run.id, version["number"], name, run.key),
    ]


def _execution(connection: Connection, run_id: int, digest: str) -> RowMapping | None:
    """The run's execution that wrote `digest`, at any version of the run: a revision of the
    run's other fields keeps its execution record."""
    return (
        connection.execute(
            sa.select(validation_execution)
            .where(
                validation_execution.c.record_id == run_id,
                validation_execution.c.purpose == "run",
                validation_execution.c.execution_sha256 == digest,
            )
            .order_by(validation_execution.c.id.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )


def _read_run_record(digest: str, blob_dir: Path | None) -> _Ran | str:
    """The execution record `digest`, or why it cannot be read."""
    try:
        if blob_dir is None:
            raise InvalidInput("the blob store is not available to this check")
        document = json.loads(BlobStore(blob_dir).read(digest).decode("utf-8"))
        executed = ExecutionRecord.from_json(document)
        return _Ran(
            model=(executed.model.key, executed.model.version),
            datasets=frozenset((d.key, d.version) for d in executed.datasets),
            judgements=[dict(j) for j in document["judgements"]],
            outcome=executed.outcome,
        )
    except (NotFound, InvalidInput, ValueError, KeyError, TypeError) as error:
        return f"its run record {short(digest)} cannot be read ({error})"


def _datasets(
    connection: Connection, profile: Profile, run_id: int, name: str, ran: _Ran | str
) -> GateCondition:
    target = record.alias("target")
    rows = connection.execute(
        sa.select(
            link.c.target_version,
            target.c.id,
            target.c.key,
            target.c.kind,
            target.c.released_version,
        )
        .select_from(link)
        .join(target, target.c.id == link.c.target_id)
        .where(link.c.source_id == run_id, link.c.type == "uses_data", link.c.removed_at.is_(None))
        .order_by(target.c.id)
    ).mappings()
    found, evidence = [], []
    for row in rows:
        pinned = load_version(connection, row["id"], row["target_version"])
        label = f"dataset {row['key']} v{row['target_version']}"
        status = pinned["status"]
        evidence.append(
            {
                "dataset": row["key"],
                "version": row["target_version"],
                "status": status,
                "manifest_sha256": pinned["fields"].get("manifest_sha256", ""),
            }
        )
        if not profile.lifecycle_of(row["kind"]).states[status].released:
            found.append(f"{label} is {status}, not approved")
        if is_suspect(row["target_version"], row["released_version"]):
            found.append(
                f"{label} is suspect: v{row['released_version']} is approved since the run"
            )
    if isinstance(ran, _Ran):  # the links must name exactly the versions that ran
        linked = {(e["dataset"], e["version"]) for e in evidence}
        found += [
            f"it ran on dataset {k} v{n}, not linked (uses_data)"
            for k, n in sorted(ran.datasets - linked)
        ]
        found += [
            f"dataset {k} v{n} is linked but the run did not use it"
            for k, n in sorted(linked - ran.datasets)
        ]
    if not evidence:
        return GateCondition(DATASETS, False, f"{name} names no dataset it used (uses_data)")
    if found:
        return GateCondition(
            DATASETS, False, f"{name}: " + "; ".join(found), {"datasets": evidence}
        )
    listed = ", ".join(f"{e['dataset']} v{e['version']}" for e in evidence)
    return GateCondition(DATASETS, True, f"{name} used approved {listed}", {"datasets": evidence})


def _criteria(
    model: RowMapping,
    name: str,
    digest: str,
    ran: _Ran | str,
    required: list[tuple[str, str]],
) -> GateCondition:
    if not digest:
        return GateCondition(CRITERIA, False, f"{name}: no run record to read its judgements from")
    if not isinstance(ran, _Ran):
        return GateCondition(CRITERIA, False, f"{name}: {ran}")
    judgements, outcome = ran.judgements, ran.outcome
    judged = [(str(j.get("criterion", "")), str(j.get("source", ""))) for j in judgements]
    found = unmet(judgements)
    if not judgements:
        found.append("it judged no criterion")
    elif outcome != "pass":
        found.append(f"its execution record says outcome {outcome}")
    found += criteria_changes(judged, required)
    evidence = {"judgements": judgements, "required": [text for text, _ in required]}
    if found:
        return GateCondition(CRITERIA, False, f"{name}: " + "; ".join(found), evidence)
    detail = f"{name} met all {len(judgements)} criteria of the requirements {model['key']} "
    detail += "implements, unchanged since the run"
    return GateCondition(CRITERIA, True, detail, evidence)


def _rerun(connection: Connection, run_id: int, number: int, name: str, key: str) -> GateCondition:
    row = latest_rerun(connection, run_id, number)
    if row is None:
        return GateCondition(
            RERUN, False, f"{name} was never rerun (`qspine validation rerun {key}`)"
        )
    evidence = {
        "execution": row["id"],
        "verdict": row["verdict"],
        "actor": row["actor"],
        "finished_at": row["finished_at"].isoformat(),
        "execution_sha256": row["execution_sha256"],
    }
    if row["verdict"] != "reproduced":
        stored = row["differences"] if isinstance(row["differences"], dict) else {}
        differences = list(stored.get("differences", []))
        detail = f"{name}: its latest rerun (execution {row['id']}) is {row['verdict']}"
        if differences:
            detail += ": " + "; ".join(differences)
        return GateCondition(RERUN, False, detail, evidence)
    detail = f"{name}: its latest rerun (execution {row['id']}, by {row['actor']}) reproduced it"
    return GateCondition(RERUN, True, detail, evidence)


def _signatures(
    connection: Connection, profile: Profile, model: RowMapping, current: RowMapping
) -> GateCondition:
    key, number = model["key"], current["number"]
    on_current = [
        s
        for s in reads.signatures_of(connection, profile, model["id"], key)
        if s.version == number and s.valid and s.fingerprint == current["fingerprint"]
    ]
    found, evidence = [], []
    for meaning, role, title in (
        ("reviewed", REVIEWER, "a data scientist"),
        ("approved", APPROVER, "a QA/RA lead"),
    ):
        signed = [s for s in on_current if s.meaning == meaning]
        holders = [s for s in signed if role in _roles(connection, s.signer)]
        if holders:
            first = holders[0]
            evidence.append(
                {
                    "meaning": meaning,
                    "role": role,
                    "signer": first.signer,
                    "printed_name": first.printed_name,
                    "signature": first.id,
                    "at": first.at.isoformat(),
                }
            )
            continue
        others = ", ".join(sorted({s.signer for s in signed}))
        found.append(
            f"no '{meaning}' signature by {title} on {key} v{number}"
            + (f" (signed by {others}, who lack the role {role})" if others else "")
        )
    if found:
        return GateCondition(SIGNATURES, False, "; ".join(found), {"signatures": evidence})
    names = " and ".join(f"{e['meaning']} by {e['signer']}" for e in evidence)
    return GateCondition(SIGNATURES, True, f"{key} v{number} {names}", {"signatures": evidence})


def _roles(connection: Connection, username: str) -> set[str]:
    return set(
        connection.execute(
            sa.select(user_role.c.role)
            .join(app_user, app_user.c.id == user_role.c.user_id)
            .where(app_user.c.username == username)
        ).scalars()
    )
