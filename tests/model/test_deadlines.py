"""MDR clocks: calendar days, and work days that skip weekends and US federal holidays."""

from __future__ import annotations

import datetime as dt

import pytest

from qspine import InvalidInput
from qspine.model.deadlines import (
    add_work_days,
    federal_holiday,
    is_work_day,
    mdr_clock,
    mdr_deadline,
)

D = dt.date


def test_thirty_calendar_days_count_from_the_day_after_awareness() -> None:
    assert mdr_deadline(D(2026, 1, 31), "30_calendar_days") == D(2026, 3, 2)
    assert mdr_deadline(D(2026, 12, 15), None) == D(2027, 1, 14), "the default clock"


@pytest.mark.parametrize(
    ("awareness", "deadline", "why"),
    [
        (D(2026, 11, 25), D(2026, 12, 3), "Thanksgiving (Thu) and the weekend are skipped"),
        (D(2026, 7, 2), D(2026, 7, 10), "Independence Day falls on a Saturday: Fri 3 observed"),
        (D(2026, 12, 18), D(2026, 12, 28), "Christmas (Fri) and the weekend are skipped"),
        (D(2026, 6, 13), D(2026, 6, 22), "aware on a Saturday: Juneteenth (Fri 19) skipped"),
        (D(2027, 12, 23), D(2028, 1, 3), "Dec 24 and Dec 31 2027 observed (Sat holidays)"),
    ],
)
def test_five_work_days_skip_weekends_and_federal_holidays(
    awareness: dt.date, deadline: dt.date, why: str
) -> None:
    assert mdr_deadline(awareness, "5_work_days") == deadline, why


def test_holidays_and_work_days() -> None:
    assert federal_holiday(D(2026, 11, 26)) == "Thanksgiving Day"
    assert federal_holiday(D(2026, 7, 3)) == "Independence Day (observed)"
    assert not is_work_day(D(2026, 11, 28)) and is_work_day(D(2026, 11, 27))
    assert add_work_days(D(2026, 11, 27), 0) == D(2026, 11, 27)
    with pytest.raises(InvalidInput):
        add_work_days(D(2026, 11, 27), -1)
    with pytest.raises(InvalidInput, match="unknown MDR clock 'weekly'"):
        mdr_deadline(D(2026, 1, 1), "weekly")


def test_clock_states() -> None:
    aware = D(2026, 3, 2)
    assert mdr_clock(aware, None, D(2026, 3, 31)).state == "running"
    assert mdr_clock(aware, None, D(2026, 4, 1)).days_left == 0
    assert mdr_clock(aware, None, D(2026, 4, 1)).state == "due today"
    assert mdr_clock(aware, None, D(2026, 4, 2)).state == "overdue"
    assert mdr_clock(aware, None, D(2026, 4, 9), submitted=D(2026, 3, 20)).state == "met"
    late = mdr_clock(aware, "5_work_days", D(2026, 4, 9), submitted=D(2026, 3, 10))
    assert late.deadline == D(2026, 3, 9) and late.state == "met late" and late.late
