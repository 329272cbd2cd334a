"""Metric criteria as requirements state them: parsing, errors and judgement."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qspine.model.errors import InvalidInput
from qspine.model.metric_criteria import (
    Criterion,
    all_met,
    judge,
    judged_text,
    parse_criteria,
)


def test_parses_separators_comments_and_bounds() -> None:
    text = "sensitivity >= 0.95; sensitivity_ci_low >= 0.9\n# fixed in VP-CA-003\nauc > .95"
    found = parse_criteria(text, source="REQ-5")
    assert found == [
        Criterion("sensitivity", ">=", 0.95, "REQ-5"),
        Criterion("sensitivity_ci_low", ">=", 0.9, "REQ-5"),
        Criterion("auc", ">", 0.95, "REQ-5"),
    ]
    assert [str(c) for c in found] == [
        "sensitivity >= 0.95",
        "sensitivity_ci_low >= 0.9",
        "auc > 0.95",
    ]


def test_empty_text_has_no_criteria() -> None:
    assert parse_criteria(None) == []
    assert parse_criteria("  \n # only a comment") == []


@pytest.mark.parametrize(
    ("text", "position"),
    [("sensitivity => 0.9", 1), ("auc >= 0.9; specificity at least 0.9", 2), ("0.9 <= auc", 1)],
)
def test_a_bad_criterion_is_named_with_its_position(text: str, position: int) -> None:
    with pytest.raises(InvalidInput, match=f"REQ-5 metric_criteria: criterion {position} '"):
        parse_criteria(text, where="REQ-5 metric_criteria")


def test_judge_reads_measured_values_and_fails_absent_ones() -> None:
    criteria = parse_criteria("sensitivity >= 0.95; specificity >= 0.9; auc >= 0.95", "REQ-5")
    judgements = judge(criteria, {"sensitivity": 0.953125, "specificity": 0.89})
    assert [j.passed for j in judgements] == [True, False, False]
    assert judgements[0].describe() == "sensitivity >= 0.95 (REQ-5): 0.9531, met"
    assert judgements[1].describe() == "specificity >= 0.9 (REQ-5): 0.89, NOT met"
    assert judgements[2].describe() == "auc >= 0.95 (REQ-5): not measured"
    assert not all_met(judgements)
    assert all_met(judgements[:1])
    assert not all_met([])


def test_boundaries_and_non_numbers() -> None:
    (at_least,) = parse_criteria("psi <= 0.2")
    assert at_least.holds(0.2) and not at_least.holds(0.2000001)
    assert not at_least.holds(float("nan"))
    assert [j.measured for j in judge([at_least], {"psi": True})] == [None]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("sensitivity >= 0.9512345", "sensitivity >= 0.9512345"),
        ("n >= 1234567", "n >= 1234567"),
        ("psi <= 1e-7", "psi <= 1e-07"),
    ],
)
def test_a_criterion_reads_back_as_the_bound_it_judges(text: str, shown: str) -> None:
    """The stored judgement keeps the criterion as text and a rerun parses it again: six
    significant digits ('0.951234', '1.23457e+06') would judge against another bound."""
    (criterion,) = parse_criteria(text)
    assert str(criterion) == shown
    assert parse_criteria(str(criterion)) == [criterion]


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_bound_round_trips_through_its_text(value: float) -> None:
    criterion = Criterion("auc", ">=", value)
    assert parse_criteria(str(criterion)) == [criterion]


def test_a_value_just_outside_the_bound_is_not_shown_on_it() -> None:
    (short,) = judge(parse_criteria("sensitivity >= 0.95"), {"sensitivity": 0.94996})
    assert short.describe() == "sensitivity >= 0.95: 0.94996, NOT met"
    (above,) = judge(parse_criteria("specificity > 0.9"), {"specificity": 0.90001})
    assert above.describe() == "specificity > 0.9: 0.90001, met"
    assert judged_text("sensitivity >= 0.95", 0.953125) == "0.9531"
    assert judged_text("not a criterion", 0.94996) == "0.95"
