"""Binary classification metrics computed the same way for every model (ADR 0015 point 3).

A validation command writes `predictions.csv` (`id,label,score`); QSpine reads it and computes
the confusion counts at the model's decision threshold (a score at or above it is positive),
sensitivity, specificity, PPV, NPV and accuracy, each with its Wilson 95% interval as two
metrics of its own (`sensitivity_ci_low`, `sensitivity_ci_high`), and the AUC as the
Mann-Whitney statistic with tied scores counted half. A metric whose denominator is zero is
left out rather than reported as NaN, so a criterion on it reads "not measured".
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from qspine.model.errors import InvalidInput

Z_95 = 1.959963984540054  # the standard normal quantile at 0.975
COLUMNS = ("id", "label", "score")
# name -> (numerator count, denominator counts): a proportion and its Wilson interval
_PROPORTIONS = {
    "sensitivity": ("tp", ("tp", "fn")),
    "specificity": ("tn", ("tn", "fp")),
    "ppv": ("tp", ("tp", "fp")),
    "npv": ("tn", ("tn", "fn")),
    "accuracy": ("correct", ("tp", "fp", "tn", "fn")),
}
# Every name binary_metrics may report: a command's metrics.json cannot supply any of them,
# not even one left out for a zero denominator.
METRIC_NAMES = frozenset(
    ["n", "positives", "negatives", "tp", "fp", "tn", "fn", "auc"]
    + [f"{name}{part}" for name in _PROPORTIONS for part in ("", "_ci_low", "_ci_high")]
)


@dataclass(frozen=True)
class Prediction:
    """One case: its id, the reference label (1 positive, 0 negative) and the model's score."""

    id: str
    label: int
    score: float


def binary_metrics(rows: Sequence[Prediction], threshold: float) -> dict[str, float]:
    """Counts, proportions with Wilson 95% bounds, and AUC for `rows` at `threshold`."""
    counts = {"tp": 0, "fp": 0, "tn": 0, "fn": 0}
    for row in rows:
        positive = row.score >= threshold
        if row.label == 1:
            counts["tp" if positive else "fn"] += 1
        else:
            counts["fp" if positive else "tn"] += 1
    metrics: dict[str, float] = {
        "n": len(rows),
        "positives": counts["tp"] + counts["fn"],
        "negatives": counts["tn"] + counts["fp"],
        **counts,
    }
    numerators = {**counts, "correct": counts["tp"] + counts["tn"]}
    for name, (numerator, denominator) in _PROPORTIONS.items():
        total = sum(counts[part] for part in denominator)
        if total == 0:
            continue
        successes = numerators[numerator]
        low, high = wilson_interval(successes, total)
        metrics[name] = successes / total
        metrics[f"{name}_ci_low"] = low
        metrics[f"{name}_ci_high"] = high
    area = auc(rows)
    if area is not None:
        metrics["auc"] = area
    return metrics


def wilson_interval(successes: int, total: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of successes/total (total > 0), clipped to [0, 1]."""
    if total <= 0:
        raise ValueError("the Wilson interval needs at least one trial")
    proportion = successes / total
    z2 = z * z
    denominator = 1 + z2 / total
    centre = (proportion + z2 / (2 * total)) / denominator
    half = z / denominator * math.sqrt(proportion * (1 - proportion) / total + z2 / (4 * total**2))
    # At 0 and at total the bound is exactly 0 or 1; rounding would leave it a hair inside.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == total else min(1.0, centre + half)
    return low, high


def auc(rows: Iterable[Prediction]) -> float | None:
    """Area under the ROC curve (Mann-Whitney U / (positives x negatives), ties averaged);
    None without at least one positive and one negative."""
    ordered = sorted(rows, key=lambda r: r.score)
    positives = sum(1 for r in ordered if r.label == 1)
    negatives = len(ordered) - positives
    if positives == 0 or negatives == 0:
        return None
    rank_sum = 0.0
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and ordered[end + 1].score == ordered[start].score:
            end += 1
        average_rank = (start + end) / 2 + 1
        rank_sum += average_rank * sum(1 for r in ordered[start : end + 1] if r.label == 1)
        start = end + 1
    u_statistic = rank_sum - positives * (positives + 1) / 2
    return u_statistic / (positives * negatives)


def read_predictions(path: Path) -> list[Prediction]:
    """The rows of a predictions CSV (header id,label,score); InvalidInput names the row and
    the field that is wrong."""
    name = path.name
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = [cell.strip() for cell in next(reader, [])]
            missing = [column for column in COLUMNS if column not in header]
            if missing:
                raise InvalidInput(
                    f"{name}: header must name {', '.join(COLUMNS)}; missing {', '.join(missing)}"
                )
            where = {column: header.index(column) for column in COLUMNS}
            rows: list[Prediction] = []
            seen: dict[str, int] = {}
            for number, cells in enumerate(reader, start=2):
                if not any(cell.strip() for cell in cells):
                    continue
                rows.append(_prediction(name, number, cells, where, seen))
    except csv.Error as error:
        raise InvalidInput(f"{name} row {reader.line_num}: not valid CSV ({error})") from None
    except UnicodeDecodeError as error:
        raise InvalidInput(f"{name}: not UTF-8 text ({error.reason})") from error
    except OSError as error:
        raise InvalidInput(f"{name}: cannot be read: {error.strerror}") from error
    if not rows:
        raise InvalidInput(f"{name}: no prediction rows after the header")
    return rows


def _prediction(
    name: str, number: int, cells: list[str], where: dict[str, int], seen: dict[str, int]
) -> Prediction:
    if len(cells) <= max(where.values()):
        raise InvalidInput(f"{name} row {number}: {len(cells)} field(s), expected id,label,score")
    identifier = cells[where["id"]].strip()
    if not identifier:
        raise InvalidInput(f"{name} row {number}: field 'id' is empty")
    if identifier in seen:
        raise InvalidInput(
            f"{name} row {number}: field 'id' '{identifier}' repeats row {seen[identifier]}"
        )
    seen[identifier] = number
    label_text = cells[where["label"]].strip()
    if label_text not in ("0", "1"):
        raise InvalidInput(f"{name} row {number}: field 'label' '{label_text}' is not 0 or 1")
    score_text = cells[where["score"]].strip()
    try:
        score = float(score_text)
    except ValueError:
        raise InvalidInput(
            f"{name} row {number}: field 'score' '{score_text}' is not a number"
        ) from None
    if not math.isfinite(score):
        raise InvalidInput(f"{name} row {number}: field 'score' '{score_text}' is not finite")
    return Prediction(identifier, int(label_text), score)
