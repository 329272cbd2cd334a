"""Binary metrics against scikit-learn on a real model and data set, Wilson bounds against
published and hand-computed values, and predictions.csv errors naming row and field."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from scipy.stats import norm
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from qspine.model.classification_metrics import (
    METRIC_NAMES,
    Prediction,
    auc,
    binary_metrics,
    read_predictions,
    wilson_interval,
)
from qspine.model.errors import InvalidInput


@pytest.fixture(scope="module")
def breast_cancer() -> tuple[list[int], list[float]]:
    """Held-out labels and scores of a logistic regression on the Wisconsin data (569 cases)."""
    features, labels = load_breast_cancer(return_X_y=True)
    train_x, test_x, train_y, test_y = train_test_split(
        features, labels, test_size=0.4, random_state=0, stratify=labels
    )
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=1000))
    model.fit(train_x, train_y)
    return [int(y) for y in test_y], [float(p) for p in model.predict_proba(test_x)[:, 1]]


def rows_of(labels: list[int], scores: list[float]) -> list[Prediction]:
    return [Prediction(str(i), y, s) for i, (y, s) in enumerate(zip(labels, scores, strict=True))]


@pytest.mark.parametrize("threshold", [0.5, 0.9, 0.1])
def test_counts_and_auc_agree_with_scikit_learn(
    breast_cancer: tuple[list[int], list[float]], threshold: float
) -> None:
    labels, scores = breast_cancer
    metrics = binary_metrics(rows_of(labels, scores), threshold)
    predicted = [1 if s >= threshold else 0 for s in scores]
    tn, fp, fn, tp = confusion_matrix(labels, predicted, labels=[0, 1]).ravel()
    assert (metrics["tp"], metrics["fp"], metrics["tn"], metrics["fn"]) == (tp, fp, tn, fn)
    assert metrics["n"] == len(labels) == 228
    assert metrics["sensitivity"] == tp / (tp + fn)
    assert metrics["specificity"] == tn / (tn + fp)
    assert metrics["ppv"] == tp / (tp + fp)
    assert metrics["npv"] == tn / (tn + fn)
    assert metrics["accuracy"] == (tp + tn) / len(labels)
    assert metrics["auc"] == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)


def test_tied_scores_count_half_like_scikit_learn(
    breast_cancer: tuple[list[int], list[float]],
) -> None:
    labels, scores = breast_cancer
    coarse = [round(s, 1) for s in scores]  # 11 distinct values: many ties across classes
    assert auc(rows_of(labels, coarse)) == pytest.approx(roc_auc_score(labels, coarse), abs=1e-12)
    two = [Prediction("a", 1, 0.5), Prediction("b", 0, 0.5)]
    assert auc(two) == 0.5


@pytest.mark.parametrize(
    ("successes", "total", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),  # Newcombe (1998), Stat Med 17:857, table II example
        (15, 148, 0.0624, 0.1605),  # same table
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (17, 19, 0.6861, 0.9706),  # by hand: centre 0.82835, half-width 0.14229
    ],
)
def test_wilson_bounds(successes: int, total: int, low: float, high: float) -> None:
    found = wilson_interval(successes, total)
    assert found == pytest.approx((low, high), abs=5e-5)


def test_wilson_bounds_solve_the_score_equation_and_are_exact_at_the_ends() -> None:
    """Independently: the bounds are the roots of (p - phat)^2 = z^2 p (1 - p) / n, with z
    from scipy; at 0 and n successes the outer bound is exactly 0 or 1 (not a hair inside,
    which a criterion such as 'specificity_ci_high >= 1' would fail)."""
    z = norm.ppf(0.975)
    for total in range(1, 120):
        for successes in range(total + 1):
            phat = successes / total
            a, b, c = 1 + z * z / total, -(2 * phat + z * z / total), phat * phat
            root = math.sqrt(b * b - 4 * a * c)
            expected = ((-b - root) / (2 * a), (-b + root) / (2 * a))
            assert wilson_interval(successes, total) == pytest.approx(expected, abs=1e-12)
        assert wilson_interval(0, total)[0] == 0.0
        assert wilson_interval(total, total)[1] == 1.0


def test_metric_names_list_every_computed_metric(
    breast_cancer: tuple[list[int], list[float]],
) -> None:
    labels, scores = breast_cancer
    assert set(binary_metrics(rows_of(labels, scores), 0.5)) == METRIC_NAMES


def test_a_zero_denominator_leaves_the_metric_out() -> None:
    only_negatives = [Prediction("a", 0, 0.1), Prediction("b", 0, 0.7)]
    metrics = binary_metrics(only_negatives, 0.5)
    assert metrics["specificity"] == 0.5 and metrics["fp"] == 1
    for absent in ("sensitivity", "sensitivity_ci_low", "sensitivity_ci_high", "auc"):
        assert absent not in metrics
    assert not any(isinstance(v, float) and math.isnan(v) for v in metrics.values())
    all_positive_calls = binary_metrics([Prediction("a", 1, 0.9)], 0.5)
    assert "npv" not in all_positive_calls and all_positive_calls["ppv"] == 1.0


def test_read_predictions(tmp_path: Path) -> None:
    good = tmp_path / "predictions.csv"
    good.write_text("score,id,label,extra\n0.25,a,0,x\n0.75,b,1,y\n\n")
    assert read_predictions(good) == [Prediction("a", 0, 0.25), Prediction("b", 1, 0.75)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,label\na,1\n", "predictions.csv: header must name id, label, score; missing score"),
        ("id,label,score\na,2,0.5\n", "predictions.csv row 2: field 'label' '2' is not 0 or 1"),
        ("id,label,score\na,1,0.5\nb,0,high\n", "row 3: field 'score' 'high' is not a number"),
        ("id,label,score\na,1,nan\n", "row 2: field 'score' 'nan' is not finite"),
        ("id,label,score\na,1,0.5\na,0,0.1\n", "row 3: field 'id' 'a' repeats row 2"),
        ("id,label,score\n,1,0.5\n", "row 2: field 'id' is empty"),
        ("id,label,score\na,1\n", "row 2: 2 field(s), expected id,label,score"),
        ("id,label,score\n", "no prediction rows after the header"),
    ],
)
def test_bad_predictions_name_the_row_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "predictions.csv"
    path.write_text(text)
    with pytest.raises(InvalidInput) as refused:
        read_predictions(path)
    assert message in str(refused.value)


def test_predictions_that_are_not_csv_name_the_row(tmp_path: Path) -> None:
    path = tmp_path / "predictions.csv"
    path.write_text("id,label,score\na,1,0.5\nb,0," + "9" * 200_000 + "\n")
    with pytest.raises(InvalidInput, match=r"predictions.csv row 3: not valid CSV \(field larg"):
        read_predictions(path)


def test_predictions_that_are_not_utf8_or_absent(tmp_path: Path) -> None:
    path = tmp_path / "predictions.csv"
    path.write_bytes(b"id,label,score\n\xff,1,0.5\n")
    with pytest.raises(InvalidInput, match="not UTF-8"):
        read_predictions(path)
    with pytest.raises(InvalidInput, match="cannot be read"):
        read_predictions(tmp_path / "absent.csv")
