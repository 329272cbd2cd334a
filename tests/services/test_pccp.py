"""PCCP service: a model version against the envelope of the modification it implements, its
pinned authorised base, its recorded validated metrics and its training-data lineage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qspine.model.errors import InvalidInput, NotFound
from qspine.spine import Spine

from helpers import PASSWORD, approve

ENVELOPE = """may change: weights_sha256
decision_threshold between 0.3 and 0.6
sensitivity >= 0.95
training data from DS-1"""


def model(spine: Spine, title: str, weights: str, **fields: Any) -> str:
    values = {"title": title, "version_label": title, "weights_sha256": weights * 64}
    return spine.records.create("quinn", "model_version", {**values, **fields}).key


def dataset(spine: Spine, title: str) -> str:
    values = {"title": title, "manifest_sha256": "e" * 64, "source": "registry"}
    return spine.records.create("quinn", "dataset", values).key


def modification(spine: Spine, envelope: str = ENVELOPE, approve: bool = True) -> str:
    fields = {
        "title": "Retrain on registry data",
        "pccp_version": "PCCP-CA-01 v1.0",
        "modification_id": "M2",
        "description": "Retrain.",
        "modification_protocol": "Protocol.",
        "impact_assessment": "Impact.",
        "envelope": envelope,
    }
    key = spine.records.create("quinn", "pccp_modification", fields).key
    if approve:
        spine.records.transition("quinn", key, "in_review", 1)
        spine.signing.sign("ada", PASSWORD, key, "approved", 1)
    return key


def passing_run(
    spine: Spine, tmp_path: Path, model_key: str, metrics: dict[str, float], record: bool = True
) -> str:
    path = tmp_path / f"run-{model_key}-{len(metrics)}.json"
    path.write_text(json.dumps({"metrics": metrics, "outcome": "pass"}))
    digest = spine.blobs.add("quinn", path).sha256
    fields = {"title": "Hold-out run", "metrics": "table", "outcome": "pass", "run_record": digest}
    key = spine.records.create("quinn", "validation_run", fields).key
    spine.links.link("quinn", "evaluates", key, model_key)
    if record:
        spine.signing.sign("quinn", PASSWORD, key, "verified", 1)
    return key


def scene(spine: Spine, tmp_path: Path) -> dict[str, str]:
    """MV-1 authorised on DS-1; MV-2 retrained on DS-2 (derived from DS-1) under PCCP-1."""
    keys = {"raw": dataset(spine, "Registry 2025"), "split": dataset(spine, "Registry train")}
    spine.links.link("quinn", "derived_from_dataset", keys["split"], keys["raw"])
    keys["base"] = model(spine, "CytoNet 1", "a", decision_threshold=0.5)
    spine.links.link("quinn", "trained_on", keys["base"], keys["raw"])
    keys["plan"] = modification(spine)
    keys["new"] = model(spine, "CytoNet 2", "b", decision_threshold=0.45)
    for type_, target in (
        ("trained_on", keys["split"]),
        ("implements_modification", keys["plan"]),
        ("modifies_model", keys["base"]),
    ):
        spine.links.link("quinn", type_, keys["new"], target)
    keys["run"] = passing_run(spine, tmp_path, keys["new"], {"sensitivity": 0.97})
    return keys


def test_a_retrained_version_inside_the_envelope(spine: Spine, tmp_path: Path) -> None:
    keys = scene(spine, tmp_path)
    report = spine.pccp.check(spine.users.get("vic"), keys["new"])
    assert report.under_pccp and report.within
    (one,) = report.checks
    assert one.modification.key == keys["plan"]
    assert one.modification.which == "current approved version"
    assert one.base == f"{keys['base']} v1"
    assert one.validation == f"{keys['run']} (run_record)"
    assert f"training dataset {keys['split']} descends from {keys['raw']}" in one.check.checked
    assert "sensitivity >= 0.95 (envelope line 3): 0.97, met" in one.check.checked
    listed = spine.pccp.modifications(spine.users.get("vic"))
    assert [(m.modification.key, [(u.key, u.within) for u in m.models]) for m in listed] == [
        (keys["plan"], [(keys["new"], True)])
    ]


def test_the_base_is_the_version_the_link_pins(spine: Spine, tmp_path: Path) -> None:
    keys = scene(spine, tmp_path)
    spine.records.revise("quinn", keys["base"], {"intended_use": "Screening"}, 1, "broaden")
    report = spine.pccp.check(spine.users.get("vic"), keys["new"])
    assert report.within and report.checks[0].base == f"{keys['base']} v1"


def test_a_revised_version_outside_the_envelope(spine: Spine, tmp_path: Path) -> None:
    keys = scene(spine, tmp_path)
    spine.records.revise(
        "quinn",
        keys["new"],
        {"intended_use": "Diagnosis", "decision_threshold": 0.8},
        1,
        "new use",
    )
    report = spine.pccp.check(spine.users.get("vic"), keys["new"])
    assert report.under_pccp and not report.within
    findings = report.checks[0].check.findings
    assert findings == [
        "intended_use changed from (none) to Diagnosis; the envelope does not allow it to "
        "change (may change: decision_threshold, training_data, weights_sha256)",
        "decision_threshold 0.8 is outside decision_threshold between 0.3 and 0.6 (base 0.5)",
        # the run evaluated v1, so v2 has no validated metrics
        f"not validated: {keys['new']} v2 has no passing validation run with metrics, so "
        "sensitivity >= 0.95 cannot be checked",
    ]
    listed = spine.pccp.modifications(spine.users.get("vic"))
    assert [(u.within, u.findings) for u in listed[0].models] == [(False, 3)]


def test_a_draft_run_does_not_validate(spine: Spine, tmp_path: Path) -> None:
    keys = scene(spine, tmp_path)
    spine.records.revise("quinn", keys["new"], {"random_seed": 7}, 1, "reseed")
    draft = passing_run(spine, tmp_path, keys["new"], {"sensitivity": 0.99, "x": 1}, False)
    report = spine.pccp.check(spine.users.get("vic"), keys["new"])
    assert not report.within
    assert report.checks[0].validation.endswith(f"passing but not usable: {draft} (draft)")


def test_unapproved_modification_and_missing_base(spine: Spine) -> None:
    plan = modification(spine, "may change: weights_sha256", approve=False)
    new = model(spine, "CytoNet 3", "c")
    spine.links.link("quinn", "implements_modification", new, plan)
    report = spine.pccp.check(spine.users.get("vic"), new)
    (one,) = report.checks
    assert one.modification.which == "current version (draft; none approved)"
    assert not report.within
    assert one.check.findings[0].startswith(f"no authorised base: {new} has no modifies_model")


def test_a_broken_envelope_is_a_finding_not_a_crash(spine: Spine) -> None:
    plan = modification(spine, "may change: colour", approve=False)
    new = model(spine, "CytoNet 4", "d")
    spine.links.link("quinn", "implements_modification", new, plan)
    (one,) = spine.pccp.check(spine.users.get("vic"), new).checks
    assert one.check.findings == [
        f"{plan} envelope line 1: unknown field 'colour' (model-system parts: weights_sha256, "
        "preprocessing_ref, postprocessing_ref, decision_threshold, configuration_sha256, "
        "environment_sha256, architecture, input_specification, intended_use, training_data)"
    ]


def test_not_under_a_pccp_and_wrong_keys(spine: Spine) -> None:
    lone = model(spine, "Standalone", "f")
    report = spine.pccp.check(spine.users.get("vic"), lone)
    assert not report.under_pccp and not report.within and report.checks == []
    assert "not under a PCCP" in report.message
    with pytest.raises(NotFound, match="no model version MV-99"):
        spine.pccp.check(spine.users.get("vic"), "MV-99")
    other = dataset(spine, "Not a model")
    with pytest.raises(InvalidInput, match=f"{other} is a dataset, not a model_version"):
        spine.pccp.check(spine.users.get("vic"), other)


def verdicts(spine: Spine, key: str) -> tuple[bool, list[str]]:
    """The PCCP check's verdict on `key` and the findings of readiness rule AI-PCC-001 on it:
    the rule must read what the check reads."""
    within = spine.pccp.check(spine.users.get("vic"), key).within
    report = spine.readiness.check(spine.users.get("vic"), record_run=False)
    (result,) = [r for r in report.results if r.rule.id == "AI-PCC-001"]
    return within, [f.message for f in result.findings if f.subject == key]


def test_a_retrain_on_a_new_version_of_the_same_dataset_changes_training_data(
    spine: Spine, tmp_path: Path
) -> None:
    data = dataset(spine, "Registry")
    base = model(spine, "CytoNet 1", "a")
    spine.links.link("quinn", "trained_on", base, data)  # pins v1
    spine.records.revise("quinn", data, {"source": "registry, 2026 extract"}, 1, "new data")
    plan = modification(spine, "may change: weights_sha256")
    new = model(spine, "CytoNet 1.1", "b")
    for type_, target in (
        ("trained_on", data),  # pins v2
        ("implements_modification", plan),
        ("modifies_model", base),
    ):
        spine.links.link("quinn", type_, new, target)
    approve(spine, new)
    (one,) = spine.pccp.check(spine.users.get("vic"), new).checks
    assert one.check.findings == [
        f"training_data changed from {data} v1 to {data} v2; the envelope does not allow it "
        "to change (may change: weights_sha256)"
    ]
    within, found = verdicts(spine, new)
    assert not within and len(found) == 1 and f"from {data} v1 to {data} v2" in found[0]


def test_the_rule_reads_the_approved_envelope_not_a_later_draft(
    spine: Spine, tmp_path: Path
) -> None:
    keys = scene(spine, tmp_path)
    spine.records.revise("quinn", keys["plan"], {"envelope": "may change: intended_use"}, 1, "x")
    approve(spine, keys["new"])
    assert verdicts(spine, keys["new"]) == (True, [])


def test_the_rule_reads_the_newest_recorded_passing_run(spine: Spine, tmp_path: Path) -> None:
    keys = scene(spine, tmp_path)  # its run: sensitivity 0.97, meets 'sensitivity >= 0.95'
    passing_run(spine, tmp_path, keys["new"], {"sensitivity": 0.9, "auc": 0.9})
    approve(spine, keys["new"])
    within, found = verdicts(spine, keys["new"])
    assert not within and len(found) == 1
    assert "sensitivity >= 0.95 (envelope line 3): 0.9, NOT met" in found[0]


def test_the_rule_reads_an_imported_runs_metrics_from_its_report(
    spine: Spine, tmp_path: Path
) -> None:
    keys = scene(spine, tmp_path)
    report = tmp_path / "mlflow-report.json"
    report.write_text(json.dumps({"source": "mlflow", "metrics": {"sensitivity": 0.9}}))
    fields = {
        "title": "MLflow run",
        "metrics": "table",
        "outcome": "pass",
        "report": spine.blobs.add("quinn", report).sha256,
    }
    imported = spine.records.create("quinn", "validation_run", fields).key
    spine.links.link("quinn", "evaluates", imported, keys["new"])
    spine.signing.sign("quinn", PASSWORD, imported, "verified", 1)
    approve(spine, keys["new"])
    within, found = verdicts(spine, keys["new"])
    assert not within and len(found) == 1
    assert "sensitivity >= 0.95 (envelope line 3): 0.9, NOT met" in found[0]


def test_the_rule_compares_with_the_base_version_the_link_pins(spine: Spine) -> None:
    """The base is approved at v1 and revised to v2 before the new version names it: the link
    pins v2, so v2 (not the approved v1) is what the check and the rule compare with."""
    base = model(spine, "CytoNet 1", "a")
    approve(spine, base)
    spine.records.revise("quinn", base, {"intended_use": "Screening"}, 1, "broaden")
    plan = modification(spine, "may change: weights_sha256")
    new = model(spine, "CytoNet 1.1", "b", intended_use="Screening")
    spine.links.link("quinn", "implements_modification", new, plan)
    spine.links.link("quinn", "modifies_model", new, base)  # pins v2
    approve(spine, new)
    assert spine.pccp.check(spine.users.get("vic"), new).checks[0].base == f"{base} v2"
    assert verdicts(spine, new) == (True, [])
