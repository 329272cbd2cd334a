"""Machine-checked metric criteria: 'sensitivity >= 0.95; sensitivity_ci_low >= 0.90'.

A requirement states the acceptance criteria of a model's validation (`metric_criteria`) and
the alert thresholds of its post-market monitoring (`monitoring_criteria`) in this form; a
PCCP envelope uses it for the performance a modified model must reach. One criterion is
METRIC OP NUMBER, criteria are separated by ';' or new lines, and '#' starts a comment.
Metric names are lower-case words joined by '_' or '.'; a confidence bound is its own metric
(`sensitivity_ci_low`), so a criterion on the lower bound of a 95% interval reads the same as
one on the point estimate.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from qspine.model.errors import InvalidInput

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": operator.eq,
}
_CRITERION = re.compile(
    r"^(?P<metric>[a-z][a-z0-9_.]*)\s*(?P<op>>=|<=|==|>|<)\s*"
    r"(?P<value>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)$"
)


@dataclass(frozen=True)
class Criterion:
    """One criterion, with where it came from (a requirement key, or '' when typed)."""

    metric: str
    op: str
    value: float
    source: str = ""

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {_exact(self.value)}"

    def holds(self, measured: float) -> bool:
        return not math.isnan(measured) and OPERATORS[self.op](measured, self.value)


@dataclass(frozen=True)
class Judgement:
    """A criterion applied to measured metrics: `measured` is None when the metric is absent,
    which fails the criterion."""

    criterion: Criterion
    measured: float | None

    @property
    def passed(self) -> bool:
        return self.measured is not None and self.criterion.holds(self.measured)

    def describe(self) -> str:
        where = f" ({self.criterion.source})" if self.criterion.source else ""
        if self.measured is None:
            return f"{self.criterion}{where}: not measured"
        verdict = "met" if self.passed else "NOT met"
        return f"{self.criterion}{where}: {measured_text(self.criterion, self.measured)}, {verdict}"


def parse_criteria(text: str | None, source: str = "", where: str = "criteria") -> list[Criterion]:
    """Every criterion in `text`; InvalidInput names `where` and the criterion's position."""
    found: list[Criterion] = []
    if not text:
        return found
    parts = [p for line in text.splitlines() for p in line.split("#", 1)[0].split(";")]
    for position, part in enumerate((p.strip() for p in parts if p.strip()), start=1):
        match = _CRITERION.match(part.lower())
        if match is None:
            raise InvalidInput(
                f"{where}: criterion {position} '{part}' is not METRIC OP NUMBER "
                f"(OP one of {', '.join(OPERATORS)}), e.g. 'sensitivity >= 0.95'"
            )
        found.append(Criterion(match["metric"], match["op"], float(match["value"]), source=source))
    return found


def judge(criteria: Iterable[Criterion], metrics: Mapping[str, float]) -> list[Judgement]:
    """Each criterion against the measured metrics, in the criteria's order."""
    return [Judgement(c, _number(metrics.get(c.metric))) for c in criteria]


def all_met(judgements: Iterable[Judgement]) -> bool:
    """True when there is at least one judgement and every one passed."""
    listed = list(judgements)
    return bool(listed) and all(j.passed for j in listed)


def measured_text(criterion: Criterion, measured: float) -> str:
    """`measured` to four significant digits, or in full when rounding would put it on the
    other side of the criterion's bound (0.94996 against '>= 0.95' is not shown as 0.95)."""
    if float(measured).is_integer() and abs(measured) < 1e15:
        short = str(int(measured))
    else:
        short = f"{measured:.4g}"
    return short if criterion.holds(float(short)) == criterion.holds(measured) else repr(measured)


def judged_text(criterion_text: str, measured: float) -> str:
    """`measured_text` for a stored judgement, whose criterion is kept as text."""
    try:
        criteria = parse_criteria(criterion_text)
    except InvalidInput:
        criteria = []
    if len(criteria) != 1:
        return f"{measured:.4g}"
    return measured_text(criteria[0], measured)


def _exact(value: float) -> str:
    """The bound as short as it reads back exactly: stored criteria are parsed again."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
