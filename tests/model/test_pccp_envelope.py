"""PCCP envelope: the grammar (errors name the line) and each kind of finding."""

from __future__ import annotations

import pytest

from qspine.model.errors import InvalidInput
from qspine.model.pccp_envelope import ModelFacts, check, metrics_in, parse_envelope, show

WEIGHTS_A = "a" * 64
WEIGHTS_B = "b" * 64
ENVELOPE = """# M2: retrain on new data from the registry, re-tune the threshold
may change: weights_sha256, configuration_sha256
decision_threshold between 0.3 and 0.6
sensitivity >= 0.95; specificity >= 0.80
training data from DS-1
"""


def facts(key: str, training: set[str], **fields: object) -> ModelFacts:
    base = {
        "weights_sha256": WEIGHTS_A,
        "decision_threshold": 0.5,
        "intended_use": "Triage of cytology slides",
        "configuration_sha256": "c" * 64,
    }
    return ModelFacts(key, 1, {**base, **fields}, frozenset(training))


GOOD_METRICS = {"sensitivity": 0.97, "specificity": 0.85}
LINEAGE = {"DS-4": {"DS-2", "DS-1"}, "DS-7": {"DS-6"}}


def test_parse_reads_every_form() -> None:
    envelope = parse_envelope(ENVELOPE)
    assert envelope.may_change == {"weights_sha256", "configuration_sha256"}
    assert [str(r) for r in envelope.ranges] == ["decision_threshold between 0.3 and 0.6"]
    assert [str(c) for c in envelope.criteria] == ["sensitivity >= 0.95", "specificity >= 0.8"]
    assert envelope.criteria[0].source == "envelope line 4"
    assert envelope.training_from == ("DS-1",)
    assert envelope.allowed == {
        "weights_sha256",
        "configuration_sha256",
        "decision_threshold",
        "training_data",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("may change: weights_sha256\nmay change: colour", "line 2: unknown field 'colour'"),
        ("may change:", "line 1: 'may change:' lists no field"),
        ("intended_use between 1 and 2", "line 1: 'intended_use' is not a numeric model field"),
        ("decision_threshold between 0.7 and 0.2", "line 1: the lower bound 0.7 is above"),
        ("\n\nsensitivity about 0.9", "line 3: 'sensitivity about 0.9' is not"),
        ("may change weights_sha256", "line 1: 'may change weights_sha256' is not"),
    ],
)
def test_parse_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match="PCCP-1 envelope " + message):
        parse_envelope(text, "PCCP-1 envelope")


def test_a_version_inside_every_bound_is_within() -> None:
    base = facts("MV-1", {"DS-2"})
    new = facts("MV-2", {"DS-4", "DS-1"}, weights_sha256=WEIGHTS_B, decision_threshold=0.45)
    result = check(ENVELOPE, base, new, GOOD_METRICS, LINEAGE)
    assert result.within, result.findings
    assert result.findings == []
    assert "weights_sha256 changed from aaaaaaaaaaaa… to bbbbbbbbbbbb… (allowed)" in result.checked
    assert "decision_threshold 0.45 is decision_threshold between 0.3 and 0.6 (base 0.5)" in (
        result.checked
    )
    assert "training dataset DS-4 descends from DS-1" in result.checked
    assert "training dataset DS-1 is DS-1" in result.checked
    assert "intended_use unchanged" in result.checked


def test_a_change_not_allowed_names_field_base_and_new_value() -> None:
    base = facts("MV-1", {"DS-1"})
    new = facts("MV-2", {"DS-1"}, intended_use="Diagnosis of cytology slides")
    result = check(ENVELOPE, base, new, GOOD_METRICS, LINEAGE)
    assert not result.within
    assert result.findings == [
        "intended_use changed from Triage of cytology slides to Diagnosis of cytology slides; "
        "the envelope does not allow it to change (may change: configuration_sha256, "
        "decision_threshold, training_data, weights_sha256)"
    ]


def test_a_part_added_or_removed_is_a_change() -> None:
    base = facts("MV-1", {"DS-1"})
    new = facts("MV-2", {"DS-1"}, preprocessing_ref="repo=r; path=p.py; sha256=" + "d" * 64)
    result = check("may change: weights_sha256", base, new, None, {})
    assert result.findings[0].startswith("preprocessing_ref changed from (none) to repo=r;")


def test_a_value_outside_its_range() -> None:
    base = facts("MV-1", {"DS-1"})
    new = facts("MV-2", {"DS-1"}, decision_threshold=0.7)
    result = check(ENVELOPE, base, new, GOOD_METRICS, LINEAGE)
    assert result.findings == [
        "decision_threshold 0.7 is outside decision_threshold between 0.3 and 0.6 (base 0.5)"
    ]


def test_a_missing_ranged_value() -> None:
    base = facts("MV-1", {"DS-1"})
    new = ModelFacts("MV-2", 1, {k: v for k, v in base.fields.items() if k != "decision_threshold"})
    result = check("decision_threshold between 0.3 and 0.6", base, new, None, {})
    assert "decision_threshold has no numeric value in MV-2" in result.findings[-1]


def test_criteria_not_met_and_not_measured() -> None:
    base = facts("MV-1", {"DS-1"})
    new = facts("MV-2", {"DS-1"})
    result = check(ENVELOPE, base, new, {"sensitivity": 0.93}, LINEAGE)
    assert result.findings == [
        "sensitivity >= 0.95 (envelope line 4): 0.93, NOT met",
        "specificity >= 0.8 (envelope line 4): not measured",
    ]


def test_no_validated_metrics_is_not_validated() -> None:
    base = facts("MV-1", {"DS-1"})
    result = check(ENVELOPE, base, facts("MV-2", {"DS-1"}), None, LINEAGE)
    assert result.findings == [
        "not validated: MV-2 v1 has no passing validation run with metrics, so "
        "sensitivity >= 0.95; specificity >= 0.8 cannot be checked"
    ]


def test_training_data_outside_the_lineage() -> None:
    base = facts("MV-1", {"DS-1"})
    new = facts("MV-2", {"DS-7", "DS-9"})
    result = check(ENVELOPE, base, new, GOOD_METRICS, LINEAGE)
    assert result.findings == [
        "training dataset DS-7 does not descend from DS-1 (its lineage: DS-6)",
        "training dataset DS-9 does not descend from DS-1 (its lineage: none recorded)",
    ]
    untrained = check(ENVELOPE, base, facts("MV-2", set()), GOOD_METRICS, LINEAGE)
    assert "MV-2 is trained on no dataset" in untrained.findings[-1]


def test_training_data_may_not_change_without_a_bound() -> None:
    base = facts("MV-1", {"DS-1"})
    result = check("may change: weights_sha256", base, facts("MV-2", {"DS-4"}), None, LINEAGE)
    assert result.findings == [
        "training_data changed from DS-1 to DS-4; the envelope does not allow it to change "
        "(may change: weights_sha256)"
    ]


def test_a_new_version_of_the_same_training_dataset_is_a_change() -> None:
    def trained(key: str, pins: set[str]) -> ModelFacts:
        return ModelFacts(key, 1, facts(key, set()).fields, frozenset({"DS-1"}), frozenset(pins))

    base = trained("MV-1", {"DS-1 v1"})
    result = check("may change: weights_sha256", base, trained("MV-2", {"DS-1 v2"}), None, {})
    assert result.findings == [
        "training_data changed from DS-1 v1 to DS-1 v2; the envelope does not allow it to "
        "change (may change: weights_sha256)"
    ]
    same = check("may change: weights_sha256", base, trained("MV-2", {"DS-1 v1"}), None, {})
    assert same.within and "training_data unchanged" in same.checked
    bounded = check("training data from DS-1", base, trained("MV-2", {"DS-1 v2"}), None, {})
    assert bounded.within and "training dataset DS-1 is DS-1" in bounded.checked


def test_metrics_in_reads_the_numbers_of_a_documents_metrics() -> None:
    document = {"metrics": {"auc": 0.91, "n": 40, "ok": True, "note": "text"}}
    assert metrics_in(document) == {"auc": 0.91, "n": 40.0}
    assert metrics_in({"metrics": []}) is None and metrics_in([1]) is None


def test_an_empty_envelope_allows_nothing_to_change() -> None:
    base = facts("MV-1", set())
    same = check("# nothing may change", base, facts("MV-2", set()), None, {})
    assert same.within and "weights_sha256 unchanged" in same.checked
    moved = check("", base, facts("MV-2", set(), weights_sha256=WEIGHTS_B), None, {})
    assert moved.findings[0].endswith("(may change: nothing)")


def test_show_shortens_digests_and_long_text() -> None:
    assert show(WEIGHTS_A) == "aaaaaaaaaaaa…"
    assert show("x " * 40).endswith("…") and len(show("x " * 40)) == 58
    assert show(None) == "(none)" and show(frozenset({"DS-2", "DS-1"})) == "DS-1, DS-2"


def test_a_part_another_modification_allows_is_not_outside_but_own_bounds_hold() -> None:
    """A re-fit (M1: weights) and a threshold change (M2) made together in one version."""
    base = facts("MV-1", {"DS-2"}, weights_sha256="a" * 64, decision_threshold=0.5)
    new = facts("MV-2", {"DS-2"}, weights_sha256="b" * 64, decision_threshold=0.42)
    m2 = "may change: decision_threshold\ndecision_threshold between 0.45 and 0.55"
    alone = check(m2, base, new, None, {})
    assert any(f.startswith("weights_sha256 changed") for f in alone.findings)
    together = check(m2, base, new, None, {}, {"PCCP-1": frozenset({"weights_sha256"})})
    assert not any(f.startswith("weights_sha256") for f in together.findings)
    assert any("allowed by PCCP-1, implemented with it" in c for c in together.checked)
    assert any("decision_threshold" in f and "0.42" in f for f in together.findings)
