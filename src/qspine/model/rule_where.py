"""The `where` conditions of declarative readiness rules, parsed once and checked in Python.

A condition maps a field name (or `status`) to what its value must be:

- a scalar: equal to it (`{status: approved}`, `{cyber_device: true}`);
- a list: one of them (`{status: [open, investigating]}`);
- a mapping with one operator:
  `{not: x}` or `{not: [x, y]}` (a missing value counts as "not x"),
  `{missing: true}` (not set, or empty), `{present: true}`,
  `{before: today}` / `{before: today-30d}` (a date more than N days before the check day),
  `{on_or_after: today+14d}`.

Dates compare as ISO text, so a datetime field compares by its day. The same parsed
predicates compile to SQL in the services layer; `matches` is the reading rules and tests use.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_DAY = re.compile(r"^today(?:([+-])(\d{1,5})d)?$")
OPERATORS = ("not", "missing", "present", "before", "on_or_after")


@dataclass(frozen=True)
class Predicate:
    """One condition on one field: `op` is eq, in, not, missing, present, before, on_or_after."""

    field: str
    op: str
    value: Any = None

    def day(self, today: dt.date) -> dt.date:
        """The day a before/on_or_after predicate compares with."""
        match = _DAY.match(str(self.value))
        assert match is not None, "validated by parse_where"
        sign, days = match.groups()
        shift = int(days or 0) * (-1 if sign == "-" else 1)
        return today + dt.timedelta(days=shift)

    def describe(self) -> str:
        if self.op == "eq":
            return f"{self.field} = {_text(self.value)}"
        if self.op == "in":
            return f"{self.field} is {' or '.join(map(_text, self.value))}"
        if self.op == "not":
            return f"{self.field} is not {' or '.join(map(_text, self.value))}"
        if self.op in ("missing", "present"):
            return f"{self.field} {self.op}"
        return f"{self.field} {self.op.replace('_', ' ')} {self.value}"


def parse_where(where: Mapping[str, Any]) -> tuple[tuple[Predicate, ...], list[str]]:
    """Predicates from a rule's `where`, and the problems found (field: what is wrong)."""
    predicates: list[Predicate] = []
    problems: list[str] = []
    for name, value in where.items():
        if isinstance(value, list | tuple):
            if not value:
                problems.append(f"{name}: an empty list matches nothing")
            predicates.append(Predicate(name, "in", tuple(value)))
        elif isinstance(value, Mapping):
            if len(value) != 1 or next(iter(value)) not in OPERATORS:
                problems.append(f"{name}: give one operator of {', '.join(OPERATORS)}")
                continue
            op, operand = next(iter(value.items()))
            predicate, problem = _operator(name, op, operand)
            if problem:
                problems.append(f"{name}.{op}: {problem}")
            else:
                predicates.append(predicate)
        else:
            predicates.append(Predicate(name, "eq", value))
    return tuple(predicates), problems


def _operator(name: str, op: str, operand: Any) -> tuple[Predicate, str]:
    if op == "not":
        values = tuple(operand) if isinstance(operand, list | tuple) else (operand,)
        return Predicate(name, "not", values), ""
    if op in ("missing", "present"):
        if operand is not True:
            return Predicate(name, op), "write `true`"
        return Predicate(name, op), ""
    if not _DAY.match(str(operand)):
        return Predicate(name, op), "write today, today-30d or today+7d"
    return Predicate(name, op, str(operand)), ""


def matches(
    predicates: tuple[Predicate, ...], status: str, fields: Mapping[str, Any], today: dt.date
) -> bool:
    """Whether a record in `status` with `fields` meets every predicate."""
    return all(
        _holds(p, status if p.field == "status" else fields.get(p.field), today) for p in predicates
    )


def _holds(predicate: Predicate, value: Any, today: dt.date) -> bool:
    empty = value is None or value == "" or value == []
    if predicate.op == "missing":
        return empty
    if predicate.op == "present":
        return not empty
    if predicate.op == "eq":
        return bool(value == predicate.value)
    if predicate.op == "in":
        return value in predicate.value
    if predicate.op == "not":
        return empty or value not in predicate.value
    if empty:
        return False
    day = predicate.day(today).isoformat()
    text = str(value)[:10]
    return text < day if predicate.op == "before" else text >= day


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
