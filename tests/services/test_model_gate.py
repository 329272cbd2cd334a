"""The release gate (ADR 0015 point 5), on SQLite and PostgreSQL: each missing condition
refuses the release with its reason and writes nothing; the passing release records the gate's
reasoning as a `model.release_gate` audit event in the same transaction.

`ready_model` builds a model that passes every condition unless told to leave one out; the
CLI and web tests load it from here. The evaluation script, the dataset and the criteria are
the validation tests' own (tests/services/test_validation.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from qspine import Spine
from qspine.model.errors import InvalidInput
from qspine.model.model_gate import unmet
from qspine.store.schema import audit_event

from ai_scene import Ready, dataset_rows, ready_model, write_dataset
from helpers import PASSWORD, database_state


def refused(spine: Spine, ready: Ready) -> tuple[str, list[str]]:
    """Try the release; it must be refused with nothing written. Returns the message and the
    names of the gate's failed conditions."""
    before = database_state(spine)
    with pytest.raises(InvalidInput) as error:
        spine.signing.sign("quinn", PASSWORD, ready.model, "released", 1)
    assert database_state(spine) == before
    report = spine.models.gate(spine.users.get("vic"), ready.model)
    assert not report.passed
    return str(error.value), [c.name for c in report.conditions if not c.ok]


def test_the_passing_release_records_the_gate_report(spine: Spine, tmp_path: Path) -> None:
    ready = ready_model(spine, tmp_path)
    report = spine.models.gate(spine.users.get("vic"), ready.model)
    assert report.passed, report.problems
    assert [c.name for c in report.conditions] == [
        "validation_run",
        "datasets",
        "criteria",
        "rerun",
        "signatures",
    ]
    spine.signing.sign("quinn", PASSWORD, ready.model, "released", 1, "gate passed")
    assert spine.records.show(ready.model).status == "released"
    with spine.context.engine.connect() as connection:
        rows = connection.execute(
            sa.select(audit_event.c.action, audit_event.c.payload, audit_event.c.actor)
            .where(audit_event.c.subject == ready.model)
            .order_by(audit_event.c.seq)
        ).all()
    actions = [row.action for row in rows]
    assert actions[-3:] == ["signature.create", "record.transition", "model.release_gate"]
    payload, actor = rows[-1].payload, rows[-1].actor
    assert actor == "quinn" and payload["passed"] is True and payload["version"] == 1
    evidence = {c["name"]: c["evidence"] for c in payload["conditions"]}
    assert evidence["validation_run"]["run"] == ready.run
    assert evidence["validation_run"]["execution"] is not None
    assert evidence["datasets"]["datasets"][0]["dataset"] == ready.dataset
    assert evidence["datasets"]["datasets"][0]["status"] == "approved"
    assert [j["passed"] for j in evidence["criteria"]["judgements"]] == [True, True, True]
    assert evidence["rerun"]["verdict"] == "reproduced"
    signers = {(s["meaning"], s["signer"]) for s in evidence["signatures"]["signatures"]}
    assert signers == {("reviewed", "dana"), ("approved", "quinn")}
    system = spine.models.system(spine.users.get("vic"), ready.model)
    assert system.recorded_gate is not None and system.recorded_gate.to_json() == payload
    assert system.status == "released"
    assert spine.audit.verify().intact


def test_a_run_not_recorded_is_refused(spine: Spine, tmp_path: Path) -> None:
    ready = ready_model(spine, tmp_path, record_run=False)
    message, failed = refused(spine, ready)
    assert failed == ["validation_run"]
    assert f"{ready.run} v1 is draft, not recorded (sign it 'verified')" in message


def test_a_run_of_an_older_version_is_refused(spine: Spine, tmp_path: Path) -> None:
    ready = ready_model(spine, tmp_path, approve=False, reviewer=None)
    spine.records.transition("dana", ready.model, "draft", 1)
    spine.records.revise("dana", ready.model, {"runtime": "CPU, 1 thread"}, 1, "pin runtime")
    spine.signing.sign("dana", PASSWORD, ready.model, "reviewed", 2)
    spine.records.transition("dana", ready.model, "in_review", 2)
    spine.signing.sign("quinn", PASSWORD, ready.model, "approved", 2)
    before = database_state(spine)
    with pytest.raises(InvalidInput) as error:
        spine.signing.sign("quinn", PASSWORD, ready.model, "released", 2)
    assert database_state(spine) == before
    assert f"{ready.run} v1 evaluates {ready.model} v1, not the current v2" in str(error.value)


def test_a_dataset_not_approved_is_refused(spine: Spine, tmp_path: Path) -> None:
    ready = ready_model(spine, tmp_path, approve_dataset=False)
    message, failed = refused(spine, ready)
    assert failed == ["datasets"]
    assert f"dataset {ready.dataset} v1 is proposed, not approved" in message


def test_a_changed_requirement_is_refused(spine: Spine, tmp_path: Path) -> None:
    ready = ready_model(spine, tmp_path)
    criteria = "sensitivity >= 0.7; specificity >= 0.7\nauc >= 0.9"
    spine.records.revise("quinn", ready.requirement, {"metric_criteria": criteria}, 1, "raise")
    message, failed = refused(spine, ready)
    assert failed == ["criteria"]
    assert f"{ready.requirement} now requires 'auc >= 0.9', which the run did not judge" in message
    assert f"the run judged 'auc >= 0.8' ({ready.requirement}), which no requirement" in message


def test_a_missing_rerun_is_refused(spine: Spine, tmp_path: Path) -> None:
    ready = ready_model(spine, tmp_path, rerun=False)
    message, failed = refused(spine, ready)
    assert failed == ["rerun"]
    assert f"{ready.run} v1 was never rerun (`qspine validation rerun {ready.run}`)" in message


def test_a_rerun_not_reproduced_is_refused(spine: Spine, tmp_path: Path) -> None:
    ready = ready_model(spine, tmp_path)
    rows = dataset_rows()
    rows[0] = (rows[0][0], rows[0][1], 1)
    write_dataset(ready.data, rows)
    assert spine.validation.rerun("dana", ready.run).verdict == "not_reproduced"
    message, failed = refused(spine, ready)
    assert failed == ["rerun"]
    assert "is not_reproduced: dataset" in message and "sensitivity 0.8947 -> 0.85" in message


def test_missing_signatures_are_refused(spine: Spine, tmp_path: Path) -> None:
    ready = ready_model(spine, tmp_path, reviewer="eve")
    message, failed = refused(spine, ready)
    assert failed == ["signatures"]
    assert (
        f"no 'reviewed' signature by a data scientist on {ready.model} v1 (signed by eve, "
        "who lack the role data_scientist)"
    ) in message


def test_an_approval_by_someone_not_qa_ra_lead_is_refused(spine: Spine, tmp_path: Path) -> None:
    ready = ready_model(spine, tmp_path, approve=False)
    spine.signing.sign("eve", PASSWORD, ready.model, "approved", 1)
    message, failed = refused(spine, ready)
    assert failed == ["signatures"]
    assert f"no 'approved' signature by a QA/RA lead on {ready.model} v1" in message


def test_no_validation_run_fails_every_run_condition(spine: Spine, tmp_path: Path) -> None:
    spine.users.add("ada", "dana", "Dana Scientist", PASSWORD, ["data_scientist"])
    weights = tmp_path / "w.bin"
    weights.write_bytes(b"\x00\x01")
    key = spine.models.register("dana", weights=weights, title="Bare", version_label="0.1").key
    report = spine.models.gate(spine.users.get("vic"), key)
    assert [c.ok for c in report.conditions] == [False] * 5
    assert report.problems[0] == (
        f"no validation run evaluates {key}: run one with `qspine validation run`"
    )


def test_a_link_re_confirmed_to_a_new_model_version_does_not_carry_the_run_over(
    spine: Spine, tmp_path: Path
) -> None:
    """v2 has other weights; confirming the run's evaluates link stamps it v2, but the run
    executed v1: its execution record says so, and the gate reads that."""
    ready = ready_model(spine, tmp_path, approve=False, reviewer=None)
    spine.records.transition("dana", ready.model, "draft", 1)
    other = tmp_path / "other-weights.json"
    other.write_text(json.dumps({"w": 1.0, "b": 0.0}))
    weights = spine.blobs.add("dana", other).sha256
    new = {"weights": weights, "weights_sha256": weights}
    spine.records.revise("dana", ready.model, new, 1, "retrained")
    spine.links.confirm("dana", "evaluates", ready.run, ready.model, "same evaluation")
    spine.signing.sign("dana", PASSWORD, ready.model, "reviewed", 2)
    spine.records.transition("dana", ready.model, "in_review", 2)
    spine.signing.sign("quinn", PASSWORD, ready.model, "approved", 2)
    before = database_state(spine)
    with pytest.raises(InvalidInput) as error:
        spine.signing.sign("quinn", PASSWORD, ready.model, "released", 2)
    assert database_state(spine) == before
    assert f"{ready.run} v1 executed {ready.model} v1, not the current v2" in str(error.value)


def test_a_uses_data_link_re_confirmed_to_a_new_dataset_version_is_refused(
    spine: Spine, tmp_path: Path
) -> None:
    ready = ready_model(spine, tmp_path)
    spine.records.revise("dana", ready.dataset, {"title": "Locked test set, v2"}, 1, "rename")
    spine.signing.sign("quinn", PASSWORD, ready.dataset, "approved", 2)
    spine.links.confirm("dana", "uses_data", ready.run, ready.dataset, "same data")
    message, failed = refused(spine, ready)
    assert failed == ["datasets"]
    assert f"it ran on dataset {ready.dataset} v1, not linked (uses_data)" in message
    assert f"dataset {ready.dataset} v2 is linked but the run did not use it" in message


def test_a_revised_run_keeps_its_execution(spine: Spine, tmp_path: Path) -> None:
    """Adding a subgroup analysis to a run QSpine executed keeps its run record: once signed
    and rerun again, it is still the evidence."""
    ready = ready_model(spine, tmp_path)
    spine.records.revise("dana", ready.run, {"subgroup_analysis": "Same by site."}, 1, "add")
    spine.signing.sign("dana", PASSWORD, ready.run, "verified", 2)
    assert spine.validation.rerun("dana", ready.run).verdict == "reproduced"
    report = spine.models.gate(spine.users.get("vic"), ready.model)
    assert report.passed, report.problems
    assert report.conditions[0].detail.startswith(f"{ready.run} v2 evaluates {ready.model} v1")


def test_an_unmet_criterion_is_not_rounded_onto_its_bound() -> None:
    judged = {"criterion": "sensitivity >= 0.95", "source": "REQ-1", "passed": False}
    assert unmet([{**judged, "measured": 0.94996}]) == [
        "'sensitivity >= 0.95' (REQ-1) not met: measured 0.94996"
    ]
    assert unmet([{**judged, "measured": 0.8}, {**judged, "measured": None}]) == [
        "'sensitivity >= 0.95' (REQ-1) not met: measured 0.8",
        "'sensitivity >= 0.95' (REQ-1) not met: not measured",
    ]
