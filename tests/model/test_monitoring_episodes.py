"""Breach episodes of monitoring series: grouping, episodes, worst values, drift types and
which signal stands for an episode (pure functions; the series are simulated)."""

from __future__ import annotations

import datetime as dt

from qspine.model.metric_criteria import parse_criteria
from qspine.model.monitoring import (
    Point,
    breaches,
    covered,
    criteria_for,
    group_series,
    series_label,
    signal_type_for,
)


def day(n: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2026, 4, n, hour, tzinfo=dt.UTC)


def series(values: list[float], site: str = "A", metric: str = "sens") -> list[Point]:
    return [Point(day(i + 1), site, metric, v) for i, v in enumerate(values)]


def test_group_series_orders_series_and_points() -> None:
    points = [*reversed(series([1, 2], site="B")), *series([3], site="A")]
    grouped = group_series(points)
    assert list(grouped) == [("A", "sens"), ("B", "sens")]
    assert [p.value for p in grouped[("B", "sens")]] == [1, 2]


def test_consecutive_breaches_are_one_episode_and_recovery_starts_another() -> None:
    criteria = parse_criteria("sens >= 0.9", source="REQ-1")
    found = breaches(series([0.95, 0.8, 0.85, 0.7, 0.92, 0.88, 0.95, 0.5]), criteria)
    assert [(b.first.value, b.last.value, b.worst.value, b.count) for b in found] == [
        (0.8, 0.7, 0.7, 3),
        (0.88, 0.88, 0.88, 1),
        (0.5, 0.5, 0.5, 1),
    ]
    assert found[0].describe() == (
        "A sens: sens >= 0.9 (REQ-1) not met at 3 consecutive point(s), 2026-04-02 to "
        "2026-04-04; worst 0.7 on 2026-04-04"
    )


def test_worst_is_on_the_wrong_side_of_each_operator() -> None:
    upper = breaches(series([0.3, 0.5, 0.4]), parse_criteria("sens <= 0.2"))
    exact = breaches(series([0.9, 1.3, 1.0]), parse_criteria("sens == 1"))
    assert upper[0].worst.value == 0.5
    assert [b.worst.value for b in exact] == [1.3]  # 0.9 and 1.3 breach, 1.0 holds
    assert [b.count for b in exact] == [2]


def test_only_criteria_on_the_series_metric_apply_and_repeats_count_once() -> None:
    criteria = parse_criteria("sens >= 0.9; spec >= 0.9", "REQ-1") + parse_criteria(
        "sens >= 0.9", "REQ-2"
    )
    assert [c.source for c in criteria_for("sens", criteria)] == ["REQ-1"]
    assert breaches(series([0.1], metric="other"), criteria) == []
    assert len(breaches(series([0.1]), criteria)) == 1


def test_drift_metrics_are_data_drift() -> None:
    assert signal_type_for("input_psi") == "data_drift"
    assert signal_type_for("feature.ks") == "data_drift"
    assert signal_type_for("score_drift") == "data_drift"
    assert signal_type_for("rolling_sensitivity") == "performance_drift"
    assert signal_type_for("kappa") == "performance_drift"  # 'ks' is a word, not a substring


def test_a_signal_stands_for_the_episode_its_day_falls_in() -> None:
    (criterion,) = parse_criteria("sens >= 0.9")
    label = series_label("MV-1", 3, "A", "sens", criterion)
    assert label == "MV-1 v3 · A · sens · sens >= 0.9"
    (episode,) = breaches(series([0.95, 0.8, 0.8, 0.8]), [criterion])
    assert covered(episode, label, [(label, "2026-04-02")])
    assert covered(episode, label, [(label, "2026-04-04")])
    assert not covered(episode, label, [(label, "2026-04-01")])
    assert not covered(episode, label, [("MV-1 v3 · B · sens · sens >= 0.9", "2026-04-02")])
    assert not covered(episode, label, [(label, "not a date")])


def test_intraday_points_are_described_with_their_time() -> None:
    points = [Point(day(1, 6), "A", "sens", 0.5), Point(day(1, 18), "A", "sens", 0.4)]
    (episode,) = breaches(points, parse_criteria("sens >= 0.9"))
    assert "2026-04-01 06:00 UTC to 2026-04-01 18:00 UTC" in episode.describe()
