"""Regulatory clocks counted in calendar days or in US federal work days.

21 CFR 803.50 gives a manufacturer 30 calendar days from the day it becomes aware of a
reportable event to submit an MDR; 803.53 gives 5 work days when an event needs remedial
action to prevent an unreasonable risk of substantial harm, or when FDA asked for 5-day
reports. The day of awareness is day 0. A work day is a weekday that is not a US federal
holiday (as observed: a Saturday holiday is observed on the Friday before, a Sunday one on
the Monday after); the holidays come from the maintained `holidays` package, not a list of
our own.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import holidays

from qspine.model.errors import InvalidInput

CALENDAR_30 = "30_calendar_days"
WORK_DAYS_5 = "5_work_days"
MDR_CLOCKS = {
    CALENDAR_30: "30 calendar days (21 CFR 803.50)",
    WORK_DAYS_5: "5 work days (21 CFR 803.53)",
}


def as_date(value: Any) -> dt.date | None:
    """A date field's value (stored as an ISO string) as a date; None when empty."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        return dt.date.fromisoformat(value)
    return None


@functools.cache
def _federal(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("US", years=year)


def federal_holiday(day: dt.date) -> str | None:
    """The name of the US federal holiday observed on `day`, if any."""
    return _federal(day.year).get(day)


def is_work_day(day: dt.date) -> bool:
    return day.weekday() < 5 and federal_holiday(day) is None


def add_work_days(start: dt.date, count: int) -> dt.date:
    """The `count`-th work day after `start` (`start` itself is day 0, whatever it is)."""
    if count < 0:
        raise InvalidInput(f"work days to add must not be negative (got {count})")
    day = start
    while count:
        day += dt.timedelta(days=1)
        if is_work_day(day):
            count -= 1
    return day


def mdr_deadline(awareness: dt.date, clock: str | None) -> dt.date:
    """The last day to submit an MDR for an event first known on `awareness`."""
    if clock in (None, "", CALENDAR_30):
        return awareness + dt.timedelta(days=30)
    if clock == WORK_DAYS_5:
        return add_work_days(awareness, 5)
    raise InvalidInput(f"unknown MDR clock '{clock}' (clocks: {', '.join(MDR_CLOCKS)})")


def mdr_due(fields: Mapping[str, Any]) -> dt.date | None:
    """The MDR deadline of a complaint (None without an awareness date)."""
    awareness = as_date(fields.get("awareness_date"))
    if awareness is None:
        return None
    clock = fields.get("mdr_clock")
    try:
        return mdr_deadline(awareness, clock if clock in MDR_CLOCKS else None)
    except OverflowError:
        return dt.date.max


@dataclass(frozen=True)
class Clock:
    """Where a regulatory clock stands on `today`: its deadline and the days left (negative:
    overdue), and whether the obligation was met in time."""

    label: str
    started: dt.date
    deadline: dt.date
    today: dt.date
    met_on: dt.date | None = None

    @property
    def days_left(self) -> int:
        return (self.deadline - self.today).days

    @property
    def late(self) -> bool:
        """Met after the deadline, or not met and past it."""
        if self.met_on is not None:
            return self.met_on > self.deadline
        return self.today > self.deadline

    @property
    def state(self) -> str:
        if self.met_on is not None:
            return "met late" if self.late else "met"
        if self.late:
            return "overdue"
        return "due today" if self.days_left == 0 else "running"


def mdr_clock(
    awareness: dt.date, clock: str | None, today: dt.date, submitted: dt.date | None = None
) -> Clock:
    label = MDR_CLOCKS[clock if clock in MDR_CLOCKS else CALENDAR_30]
    return Clock(label, awareness, mdr_deadline(awareness, clock), today, submitted)
