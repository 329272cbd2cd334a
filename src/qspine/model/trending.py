"""Complaint trends as data (ISO 13485:2016 8.2.2, 8.4): counts per period and value.

A trend counts the complaints whose awareness date falls in a period, per calendar bucket
(month or quarter) and per value of one dimension (the product, the failure mode or the
event type), with every bucket of the period shown, empty ones as zero. Each value carries
a simple rising signal (see `ComplaintTrend`).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from qspine.model.errors import InvalidInput

Bucket = Literal["month", "quarter"]
Dimension = Literal["product", "failure_mode", "event_type"]

BUCKETS: tuple[Bucket, ...] = ("month", "quarter")
# dimension -> the complaint field that holds its value
DIMENSIONS: dict[Dimension, str] = {
    "product": "device_name",
    "failure_mode": "failure_mode",
    "event_type": "event_type",
}
COMPLAINT = "complaint"
DATE_FIELD = "awareness_date"
EXCLUDED_STATUSES = ("cancelled",)  # raised in error or duplicates: not complaints to trend
NOT_RECORDED = "(not recorded)"
MAX_YEARS = 10
RISING_FACTOR = 2
RISING_MINIMUM = 3

# One grouped count: (awareness month as 'YYYY-MM', the dimension's raw value, how many).
Observation = tuple[str | None, str | None, int]


@dataclass(frozen=True)
class TrendBucket:
    """One calendar month ('2026-01') or quarter ('2026-Q1'), clipped to the period."""

    label: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class TrendRow:
    """One value's counts, in bucket order, and its rising signal.

    `previous_mean` is the mean count of the buckets before the last (None when the period
    has a single bucket, which gives no signal)."""

    value: str
    counts: tuple[int, ...]
    total: int
    previous_mean: float | None
    rising: bool

    @property
    def last(self) -> int:
        return self.counts[-1] if self.counts else 0


@dataclass(frozen=True)
class ComplaintTrend:
    """Complaints (not cancelled) by awareness date from `start` to `end` (both included),
    counted per `bucket` and per value of the dimension `by`.

    Rising rule: a value is *rising* when its count in the last bucket is at least
    RISING_FACTOR (2) times the mean of its counts in the previous buckets, and at least
    RISING_MINIMUM (3). A value new in the last bucket (mean 0) rises once it reaches 3. The
    last bucket is taken as it stands, even when the period ends before the bucket does.

    Rows are ordered by total, highest first, then by value; `(not recorded)` comes last.
    """

    start: dt.date
    end: dt.date
    bucket: Bucket
    by: Dimension
    buckets: tuple[TrendBucket, ...]
    rows: tuple[TrendRow, ...]
    bucket_totals: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.bucket_totals)

    @property
    def rising(self) -> list[str]:
        """The values flagged rising, in row order."""
        return [row.value for row in self.rows if row.rising]

    def count(self, value: str, label: str) -> int:
        """The count of `value` in the bucket labelled `label` (0 when there is none)."""
        labels = [b.label for b in self.buckets]
        row = next((row for row in self.rows if row.value == value), None)
        if row is None or label not in labels:
            return 0
        return row.counts[labels.index(label)]


def check_request(start: dt.date, end: dt.date, by: str, bucket: str) -> tuple[Dimension, Bucket]:
    """The dimension and bucket size, checked; InvalidInput names the parameter at fault."""
    dimension = next((name for name in DIMENSIONS if name == by), None)
    if dimension is None:
        raise InvalidInput(f"by: '{by}' is not a dimension; use {_choices(list(DIMENSIONS))}")
    size = next((name for name in BUCKETS if name == bucket), None)
    if size is None:
        raise InvalidInput(f"bucket: '{bucket}' is not a bucket size; use {_choices(BUCKETS)}")
    if start > end:
        raise InvalidInput(f"from: {start} is after to {end}")
    if end >= _years_after(start, MAX_YEARS):
        raise InvalidInput(
            f"to: {end} is {MAX_YEARS} years or more after from {start}; "
            f"trend at most {MAX_YEARS} years at a time"
        )
    return dimension, size


def parse_day(text: str, parameter: str) -> dt.date:
    """A date from YYYY-MM-DD text; InvalidInput names `parameter` (e.g. 'from')."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{parameter}: '{text}' is not a date (YYYY-MM-DD)") from None


def resolve_period(
    start: dt.date | None, end: dt.date | None, today: dt.date
) -> tuple[dt.date, dt.date]:
    """The period asked for; by default it ends `today` and starts on the first day of the
    twelfth calendar month back (the end's month included)."""
    last = end if end is not None else today
    if start is not None:
        return start, last
    month = max(last.year * 12 + last.month - 1 - 11, 12)
    return dt.date(month // 12, month % 12 + 1, 1), last


def build_trend(
    start: dt.date,
    end: dt.date,
    by: Dimension,
    bucket: Bucket,
    observations: Iterable[Observation],
) -> ComplaintTrend:
    """The trend from counts per awareness month of the complaints aware in the period (the
    caller selects them by day); months outside the period or unreadable are skipped.

    Values are compared with surrounding and repeated whitespace removed; an empty or
    missing value counts as `(not recorded)`."""
    buckets = _buckets(start, end, bucket)
    first, last = _index(start, bucket), _index(end, bucket)
    counts: dict[str, list[int]] = {}
    for month_text, raw, number in observations:
        month = _month(month_text)
        if month is None or not first <= _index(month, bucket) <= last:
            continue
        row = counts.setdefault(_value(raw), [0] * len(buckets))
        row[_index(month, bucket) - first] += number
    rows = tuple(_row(value, tuple(row)) for value, row in sorted(counts.items(), key=_order))
    totals = tuple(sum(row.counts[i] for row in rows) for i in range(len(buckets)))
    return ComplaintTrend(start, end, bucket, by, buckets, rows, totals)


def rising_signal(counts: tuple[int, ...]) -> tuple[float | None, bool]:
    """(mean of the buckets before the last, rising?) by the rule `ComplaintTrend` states."""
    if len(counts) < 2:
        return None, False
    previous = counts[:-1]
    mean = sum(previous) / len(previous)
    last = counts[-1]
    return mean, last >= RISING_MINIMUM and last >= RISING_FACTOR * mean


def _row(value: str, counts: tuple[int, ...]) -> TrendRow:
    mean, rising = rising_signal(counts)
    return TrendRow(value, counts, sum(counts), mean, rising)


def _order(item: tuple[str, list[int]]) -> tuple[bool, int, str, str]:
    value, counts = item
    return value == NOT_RECORDED, -sum(counts), value.casefold(), value


def _buckets(start: dt.date, end: dt.date, bucket: Bucket) -> tuple[TrendBucket, ...]:
    found = []
    for index in range(_index(start, bucket), _index(end, bucket) + 1):
        first, last, label = _bounds(index, bucket)
        found.append(TrendBucket(label, max(first, start), min(last, end)))
    return tuple(found)


def _index(day: dt.date, bucket: Bucket) -> int:
    """A running number of the month or quarter that holds `day`."""
    if bucket == "month":
        return day.year * 12 + day.month - 1
    return day.year * 4 + (day.month - 1) // 3


def _bounds(index: int, bucket: Bucket) -> tuple[dt.date, dt.date, str]:
    """First day, last day and label of the month or quarter number `index`."""
    months = 1 if bucket == "month" else 3
    year, part = divmod(index, 12 if bucket == "month" else 4)
    last_month = part * months + months
    first = dt.date(year, last_month - months + 1, 1)
    last = dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
    label = f"{year}-{part + 1:02d}" if bucket == "month" else f"{year}-Q{part + 1}"
    return first, last, label


def _years_after(day: dt.date, years: int) -> dt.date:
    if day.year + years > dt.MAXYEAR:
        return dt.date.max
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def _month(text: str | None) -> dt.date | None:
    """The first day of the month 'YYYY-MM' names (None when it names none)."""
    if not text or len(text) != 7 or text[4] != "-":
        return None
    try:
        return dt.date(int(text[:4]), int(text[5:]), 1)
    except ValueError:
        return None


def _value(raw: str | None) -> str:
    text = " ".join(str(raw).split()) if raw is not None else ""
    return text or NOT_RECORDED


def _choices(names: Iterable[str]) -> str:
    listed = list(names)
    return ", ".join(listed[:-1]) + " or " + listed[-1]
