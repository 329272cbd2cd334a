"""The machine-checked envelope of a PCCP planned modification (ADR 0015 point 7).

An envelope is one bound per line ('#' starts a comment):

- `may change: FIELD, FIELD` — model-system parts allowed to differ from the authorised
  version (the names in `CHANGEABLE`; `training_data` is the set of datasets trained on);
- `FIELD between LOW and HIGH` — a numeric model field must lie in [LOW, HIGH]; the field may
  then change within those bounds;
- `METRIC OP NUMBER` (several may share a line, separated by ';') — validated performance the
  new version must reach (`model/metric_criteria.py`);
- `training data from KEY` — every training dataset must be KEY or descend from it through
  `derived_from_dataset`; training data may then change. Several such lines: each dataset
  must descend from one of them.

`check` compares a new model version with its authorised base and its validated metrics and
says, in words, everything outside the envelope.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from qspine.model.errors import InvalidInput
from qspine.model.metric_criteria import Criterion, judge, parse_criteria

MODEL_SYSTEM_FIELDS = (
    "weights_sha256",
    "preprocessing_ref",
    "postprocessing_ref",
    "decision_threshold",
    "configuration_sha256",
    "environment_sha256",
    "architecture",
    "input_specification",
    "intended_use",
)
TRAINING_DATA = "training_data"
CHANGEABLE = (*MODEL_SYSTEM_FIELDS, TRAINING_DATA)
NUMERIC_FIELDS = ("decision_threshold", "random_seed")
FORMS = (
    "'may change: FIELD, FIELD', 'FIELD between LOW and HIGH', 'METRIC OP NUMBER' "
    "or 'training data from KEY'"
)
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_MAY_CHANGE = re.compile(r"^may\s+change\s*:(?P<names>.*)$", re.IGNORECASE)
_BETWEEN = re.compile(
    rf"^(?P<field>[a-z_][a-z0-9_]*)\s+between\s+(?P<low>{_NUMBER})\s+and\s+(?P<high>{_NUMBER})$",
    re.IGNORECASE,
)
_TRAINING = re.compile(r"^training\s+data\s+from\s+(?P<key>\S+)$", re.IGNORECASE)
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Range:
    """A numeric model field's bounds, from envelope line `line`."""

    field: str
    low: float
    high: float
    line: int

    def __str__(self) -> str:
        return f"{self.field} between {self.low:g} and {self.high:g}"


@dataclass(frozen=True)
class Envelope:
    """A parsed envelope."""

    may_change: frozenset[str] = frozenset()
    ranges: tuple[Range, ...] = ()
    criteria: tuple[Criterion, ...] = ()
    training_from: tuple[str, ...] = ()

    @property
    def allowed(self) -> frozenset[str]:
        """Parts that may differ from the base: listed, bounded by a range, or (training data)
        bounded by lineage."""
        extra = {r.field for r in self.ranges}
        if self.training_from:
            extra.add(TRAINING_DATA)
        return self.may_change | extra


@dataclass(frozen=True)
class ModelFacts:
    """What the check compares of one model version: its fields at that version and the
    datasets it was trained on (their keys, for lineage; and, when known, each at the
    version its trained_on link pins, 'DS-1 v2', so a retrain on a new version of the same
    dataset is a change of training data)."""

    key: str
    version: int
    fields: Mapping[str, Any]
    training_data: frozenset[str] = frozenset()
    training_versions: frozenset[str] = frozenset()

    def part(self, name: str) -> Any:
        if name == TRAINING_DATA:
            return self.training_versions or self.training_data
        return self.fields.get(name)


@dataclass(frozen=True)
class EnvelopeCheck:
    """The verdict: `findings` say what is outside the envelope, `checked` what was inside."""

    within: bool
    findings: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)


def parse_envelope(text: str, where: str = "envelope") -> Envelope:
    """The bounds in `text`; InvalidInput names `where` and the line that is wrong."""
    may_change: set[str] = set()
    ranges: list[Range] = []
    criteria: list[Criterion] = []
    training: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        at = f"{where} line {number}"
        if (match := _MAY_CHANGE.match(line)) is not None:
            may_change |= _field_names(match["names"], at)
        elif (match := _BETWEEN.match(line)) is not None:
            ranges.append(_range(match, number, at))
        elif (match := _TRAINING.match(line)) is not None:
            training.append(match["key"].upper())
        else:
            try:
                criteria += parse_criteria(line, source=f"envelope line {number}", where=at)
            except InvalidInput:
                raise InvalidInput(f"{at}: '{line}' is not {FORMS}") from None
    return Envelope(frozenset(may_change), tuple(ranges), tuple(criteria), tuple(training))


def check(
    envelope: str | Envelope,
    base: ModelFacts,
    new: ModelFacts,
    metrics: Mapping[str, Any] | None,
    lineage: Mapping[str, set[str]],
    together: Mapping[str, frozenset[str]] | None = None,
) -> EnvelopeCheck:
    """Is `new` inside the envelope around its authorised `base`?

    `metrics` are the new version's validated metrics (None: no passing validation run);
    `lineage` maps a dataset key to the keys of every dataset it descends from. `together`
    names the other modifications the version implements at the same time with the parts each
    allows to change: a part another one allows is not a finding here (a re-fit and a
    threshold change made together), while this envelope's own bounds still apply.
    """
    bounds = parse_envelope(envelope) if isinstance(envelope, str) else envelope
    findings: list[str] = []
    checked: list[str] = []
    _compare_parts(bounds, base, new, findings, checked, together or {})
    for bound in bounds.ranges:
        _check_range(bound, base, new, findings, checked)
    _check_criteria(bounds, new, metrics, findings, checked)
    _check_lineage(bounds, new, lineage, findings, checked)
    return EnvelopeCheck(not findings, findings, checked)


def metrics_in(document: Any) -> dict[str, float] | None:
    """The numeric entries of a run record's (or an imported run's report's) `metrics`
    object, or None when the document has none: the validated metrics `check` takes."""
    metrics = document.get("metrics") if isinstance(document, dict) else None
    if not isinstance(metrics, dict):
        return None
    return {
        str(name): float(value)
        for name, value in metrics.items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    }


def show(value: Any) -> str:
    """A field value as a finding quotes it: digests and long text shortened."""
    if value is None or value == "" or value == frozenset():
        return "(none)"
    if isinstance(value, frozenset | set):
        return ", ".join(sorted(value))
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    if _HEX64.match(text):
        return text[:12] + "…"
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "…"


def _compare_parts(
    bounds: Envelope,
    base: ModelFacts,
    new: ModelFacts,
    findings: list[str],
    checked: list[str],
    together: Mapping[str, frozenset[str]],
) -> None:
    allowed = bounds.allowed
    for name in CHANGEABLE:
        before, after = base.part(name), new.part(name)
        if _same(before, after):
            if before not in (None, "", frozenset()):
                checked.append(f"{name} unchanged")
            continue
        change = f"{name} changed from {show(before)} to {show(after)}"
        others = sorted(key for key, parts in together.items() if name in parts)
        if name in allowed:
            checked.append(f"{change} (allowed)")
        elif others:
            checked.append(f"{change} (allowed by {', '.join(others)}, implemented with it)")
        else:
            findings.append(
                f"{change}; the envelope does not allow it to change "
                f"(may change: {', '.join(sorted(allowed)) or 'nothing'})"
            )


def _check_range(
    bound: Range, base: ModelFacts, new: ModelFacts, findings: list[str], checked: list[str]
) -> None:
    value = new.fields.get(bound.field)
    was = f" (base {show(base.fields.get(bound.field))})"
    if isinstance(value, bool) or not isinstance(value, int | float):
        findings.append(
            f"{bound.field} has no numeric value in {new.key}; the envelope says {bound}"
        )
    elif bound.low <= value <= bound.high:
        checked.append(f"{bound.field} {show(float(value))} is {bound}{was}")
    else:
        findings.append(f"{bound.field} {show(float(value))} is outside {bound}{was}")


def _check_criteria(
    bounds: Envelope,
    new: ModelFacts,
    metrics: Mapping[str, Any] | None,
    findings: list[str],
    checked: list[str],
) -> None:
    if not bounds.criteria:
        return
    if metrics is None:
        wanted = "; ".join(str(c) for c in bounds.criteria)
        findings.append(
            f"not validated: {new.key} v{new.version} has no passing validation run with "
            f"metrics, so {wanted} cannot be checked"
        )
        return
    for judgement in judge(bounds.criteria, metrics):
        (checked if judgement.passed else findings).append(judgement.describe())


def _check_lineage(
    bounds: Envelope,
    new: ModelFacts,
    lineage: Mapping[str, set[str]],
    findings: list[str],
    checked: list[str],
) -> None:
    if not bounds.training_from:
        return
    roots = ", ".join(bounds.training_from)
    if not new.training_data:
        findings.append(
            f"training data: {new.key} is trained on no dataset; the envelope says "
            f"training data from {roots}"
        )
        return
    for dataset in sorted(new.training_data):
        ancestors = lineage.get(dataset, set())
        origin = [r for r in bounds.training_from if r == dataset or r in ancestors]
        if origin:
            how = "is" if origin[0] == dataset else "descends from"
            checked.append(f"training dataset {dataset} {how} {origin[0]}")
        else:
            known = ", ".join(sorted(ancestors)) or "none recorded"
            findings.append(
                f"training dataset {dataset} does not descend from {roots} (its lineage: {known})"
            )


def _field_names(text: str, at: str) -> set[str]:
    names = {n.strip().lower() for n in text.split(",") if n.strip()}
    if not names:
        raise InvalidInput(f"{at}: 'may change:' lists no field")
    unknown = sorted(names - set(CHANGEABLE))
    if unknown:
        raise InvalidInput(
            f"{at}: unknown field {', '.join(repr(n) for n in unknown)} "
            f"(model-system parts: {', '.join(CHANGEABLE)})"
        )
    return names


def _range(match: re.Match[str], number: int, at: str) -> Range:
    name = match["field"].lower()
    if name not in NUMERIC_FIELDS:
        raise InvalidInput(
            f"{at}: '{name}' is not a numeric model field ({', '.join(NUMERIC_FIELDS)})"
        )
    low, high = float(match["low"]), float(match["high"])
    if low > high:
        raise InvalidInput(f"{at}: the lower bound {low:g} is above the upper bound {high:g}")
    return Range(name, low, high, number)


def _same(before: Any, after: Any) -> bool:
    if isinstance(before, int | float) and isinstance(after, int | float):
        return float(before) == float(after)
    return bool((before in (None, "") and after in (None, "")) or before == after)
