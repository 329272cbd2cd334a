"""Post-market monitoring series and their breaches (ADR 0015 point 6), as pure functions.

A series is the values of one metric at one site for one deployed model version, in time
order. Its thresholds are criteria (`model/metric_criteria.py`) on the same metric; a point
breaches a criterion when the criterion does not hold for its value. Consecutive breaching
points of one series and criterion are one episode; a series that recovers and breaches
again opens a new episode. An episode is what raises one post-market signal.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from qspine.model.metric_criteria import Criterion

METRIC_NAME = re.compile(r"^[a-z][a-z0-9_.]*$")
# A metric whose name has one of these words (split on '_' and '.') measures a shift of the
# input data (population stability index, Kolmogorov-Smirnov, Kullback-Leibler, Jensen-Shannon,
# Wasserstein distance); its breaches are data drift. Any other metric is performance drift.
DATA_DRIFT_WORDS = frozenset({"drift", "psi", "ks", "kl", "js", "jsd", "wasserstein", "shift"})


@dataclass(frozen=True, order=True)
class Point:
    """One observed value of a monitored metric at one site (observed_at is UTC)."""

    observed_at: dt.datetime
    site: str
    metric: str
    value: float

    @property
    def series(self) -> tuple[str, str]:
        return (self.site, self.metric)


@dataclass(frozen=True)
class Breach:
    """One episode: consecutive points of a series for which `criterion` does not hold."""

    site: str
    metric: str
    criterion: Criterion
    first: Point
    last: Point
    worst: Point
    count: int

    def describe(self) -> str:
        period = _day(self.first.observed_at)
        if self.last.observed_at != self.first.observed_at:
            period += f" to {_day(self.last.observed_at)}"
        where = f" ({self.criterion.source})" if self.criterion.source else ""
        return (
            f"{self.site} {self.metric}: {self.criterion}{where} not met at {self.count} "
            f"consecutive point(s), {period}; worst {self.worst.value:.4g} on "
            f"{_day(self.worst.observed_at)}"
        )


def group_series(points: Iterable[Point]) -> dict[tuple[str, str], list[Point]]:
    """Points by (site, metric), each series in time order; series in (site, metric) order."""
    grouped: dict[tuple[str, str], list[Point]] = defaultdict(list)
    for point in points:
        grouped[point.series].append(point)
    return {key: sorted(grouped[key]) for key in sorted(grouped)}


def criteria_for(metric: str, criteria: Iterable[Criterion]) -> list[Criterion]:
    """The criteria that judge `metric`, without repeats (first source kept), in order."""
    seen: set[tuple[str, str, float]] = set()
    found = []
    for criterion in criteria:
        identity = (criterion.metric, criterion.op, criterion.value)
        if criterion.metric == metric and identity not in seen:
            seen.add(identity)
            found.append(criterion)
    return found


def breaches(points: Iterable[Point], criteria: Sequence[Criterion]) -> list[Breach]:
    """Every breach episode of every series in `points`, by series, criterion and time."""
    found: list[Breach] = []
    for (site, metric), series in group_series(points).items():
        for criterion in criteria_for(metric, criteria):
            run: list[Point] = []
            for point in series:
                if not criterion.holds(point.value):
                    run.append(point)
                    continue
                if run:
                    found.append(_episode(site, metric, criterion, run))
                    run = []
            if run:
                found.append(_episode(site, metric, criterion, run))
    return found


def signal_type_for(metric: str) -> str:
    """data_drift when the metric's name has a data-drift word, else performance_drift."""
    words = set(re.split(r"[_.]", metric))
    return "data_drift" if words & DATA_DRIFT_WORDS else "performance_drift"


def series_label(model: str, version: int, site: str, metric: str, criterion: Criterion) -> str:
    """The `series` field of the signals a series raises, and half of their identity:
    'MV-1 v3 · site-A · rolling_sensitivity · rolling_sensitivity >= 0.9'."""
    return f"{model} v{version} · {site} · {metric} · {criterion}"


def covered(breach: Breach, label: str, signals: Iterable[tuple[str, str]]) -> bool:
    """True when a signal (series label, observed_on ISO date) already stands for `breach`:
    same series and criterion, observed on a day within the episode. An episode that grew
    (more breaching points after, or before, the first signal's day) is still that episode;
    one that starts after the series recovered is not."""
    first, last = breach.first.observed_at.date(), breach.last.observed_at.date()
    for series, observed_on in signals:
        if series != label:
            continue
        try:
            day = dt.date.fromisoformat(observed_on)
        except ValueError:
            continue
        if first <= day <= last:
            return True
    return False


def signal_fields(
    breach: Breach, label: str, model: str, source: str, baseline: dict[str, float]
) -> dict[str, Any]:
    """A post_market_signal for a breach episode of `model`'s series `label` (the worst value,
    the threshold crossed, and the baseline from validation when it has the metric)."""
    criterion = breach.criterion
    fields: dict[str, Any] = {
        "title": f"{criterion} not met at {breach.site} ({model})",
        "signal_type": signal_type_for(breach.metric),
        "source": source,
        "observed_on": breach.first.observed_at.date().isoformat(),
        "metric": breach.metric,
        "value": breach.worst.value,
        "threshold": criterion.value,
        "site": breach.site,
        "series": label,
        "description": (
            f"Post-market monitoring of {model}: {breach.describe()}. The threshold is the "
            f"monitoring criterion `{criterion}` of {criterion.source or 'the model'}. "
            f"Source: {source}."
        ),
    }
    if breach.metric in baseline:
        fields["baseline_value"] = baseline[breach.metric]
    return fields


def capa_fields(
    breach: Breach, signal: str, model: str, title: str, source: str, owner: str
) -> dict[str, Any]:
    """A CAPA candidate addressing `signal`, owned by whoever ingested the series."""
    statement = (
        f"Post-market monitoring of {model} ({title}) raised {signal}: {breach.describe()}. "
        f"Source: {source}. Evaluate the signal; investigate the cause (a change in the "
        "input data or population, the site's workflow, or the model) and carry this "
        "candidate through investigation, or cancel it with the assessment as its reason."
    )
    return {
        "title": f"CAPA candidate: {breach.metric} at {breach.site} ({model}, {signal})",
        "capa_type": "corrective",
        "source_type": "post_market_signal",
        "problem_statement": statement,
        "owner": owner,
    }


def _episode(site: str, metric: str, criterion: Criterion, run: list[Point]) -> Breach:
    return Breach(site, metric, criterion, run[0], run[-1], _worst(criterion, run), len(run))


def _worst(criterion: Criterion, run: list[Point]) -> Point:
    """The point furthest on the wrong side of the threshold (the earliest on ties)."""
    if criterion.op in (">=", ">"):
        return min(run, key=lambda p: p.value)
    if criterion.op in ("<=", "<"):
        return max(run, key=lambda p: p.value)
    return max(run, key=lambda p: abs(p.value - criterion.value))


def _day(at: dt.datetime) -> str:
    if at.time() == dt.time(0):
        return at.date().isoformat()
    return at.strftime("%Y-%m-%d %H:%M UTC")
