"""Complaint trending on a hand-built spine: exact tables per product, failure mode and event
type, zero buckets, quarters, the rising rule, and what is left out (cancelled complaints,
dates outside the period, superseded versions)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from qspine import Forbidden, InvalidInput, Spine
from qspine.model.trending import NOT_RECORDED, ComplaintTrend, resolve_period, rising_signal
from qspine.services.trending import TrendService

from helpers import PASSWORD

D = dt.date
# (awareness date, device name, failure mode, event type); None leaves the field out.
COMPLAINTS: list[tuple[str, str | None, str | None, str | None]] = [
    ("2026-01-05", "CytoAssist", "missed detection", "malfunction"),
    ("2026-01-20", "CytoAssist", "display freeze", "malfunction"),
    ("2026-01-31", "Reader X", "display freeze", "no_adverse_event"),
    ("2026-02-01", "Reader X", "missed detection", "serious_injury"),  # revised to CytoAssist
    ("2026-02-14", "CytoAssist", "display freeze", "malfunction"),
    ("2026-02-28", "  ScanPad ", "login failure", "no_adverse_event"),
    ("2026-03-03", "CytoAssist", "missed detection", "malfunction"),
    ("2026-03-15", None, None, None),
    ("2026-04-01", "CytoAssist", "display freeze", "malfunction"),
    ("2026-04-02", "ScanPad", "login failure", "malfunction"),
    ("2026-04-10", "ScanPad", "login  failure", "malfunction"),
    ("2026-04-15", "ScanPad", "login failure", "malfunction"),  # cancelled
    ("2026-04-20", "ScanPad", "login failure", "no_adverse_event"),
    ("2026-04-30", "ScanPad", "login failure", "malfunction"),
    ("2025-12-31", "CytoAssist", "display freeze", "malfunction"),  # before the period
    ("2026-05-01", "CytoAssist", "missed detection", "malfunction"),  # after it
]
JAN_TO_APR = (D(2026, 1, 1), D(2026, 4, 30))
MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04"]


def complaint(awareness: str, device: str | None, mode: str | None, event: str | None) -> Any:
    fields: dict[str, Any] = {
        "title": f"Complaint aware {awareness}",
        "awareness_date": awareness,
        "description": "As reported.",
    }
    for name, value in (("device_name", device), ("failure_mode", mode), ("event_type", event)):
        if value is not None:
            fields[name] = value
    return fields


@pytest.fixture
def trends(spine: Spine) -> TrendService:
    for row in COMPLAINTS:
        spine.records.create("quinn", "complaint", complaint(*row))
    spine.records.revise("quinn", "CMP-4", {"device_name": "CytoAssist"}, 1, "product misnamed")
    spine.signing.sign("ada", PASSWORD, "CMP-12", "approved", 1, "duplicate of CMP-11")
    assert spine.records.show("CMP-12").status == "cancelled"
    return TrendService(spine.context, spine.users)


def table(trend: ComplaintTrend) -> dict[str, list[int]]:
    return {row.value: list(row.counts) for row in trend.rows}


def labels(trend: ComplaintTrend) -> list[str]:
    return [bucket.label for bucket in trend.buckets]


def read(spine: Spine, trends: TrendService, *args: Any, **kwargs: Any) -> ComplaintTrend:
    return trends.complaints(spine.users.get("vic"), *args, **kwargs)


def test_by_product_per_month(spine: Spine, trends: TrendService) -> None:
    trend = read(spine, trends, *JAN_TO_APR)
    assert (trend.by, trend.bucket, trend.start, trend.end) == ("product", "month", *JAN_TO_APR)
    assert labels(trend) == MONTHS
    assert table(trend) == {
        "CytoAssist": [2, 2, 1, 1],
        "ScanPad": [0, 1, 0, 4],
        "Reader X": [1, 0, 0, 0],
        NOT_RECORDED: [0, 0, 1, 0],
    }
    assert list(table(trend)) == ["CytoAssist", "ScanPad", "Reader X", NOT_RECORDED]
    assert [row.total for row in trend.rows] == [6, 5, 1, 1]
    assert trend.bucket_totals == (3, 3, 2, 5) and trend.total == 13
    assert trend.rising == ["ScanPad"]
    cyto, scanpad = trend.rows[0], trend.rows[1]
    assert cyto.previous_mean == pytest.approx(5 / 3) and not cyto.rising
    assert scanpad.previous_mean == pytest.approx(1 / 3) and scanpad.last == 4
    assert trend.count("ScanPad", "2026-04") == 4 and trend.count("Reader X", "2026-03") == 0
    assert trend.count("Nobody", "2026-04") == 0 and trend.count("ScanPad", "2027-01") == 0


def test_by_failure_mode_and_by_event_type(spine: Spine, trends: TrendService) -> None:
    modes = read(spine, trends, *JAN_TO_APR, by="failure_mode")
    assert table(modes) == {
        "login failure": [0, 1, 0, 4],
        "display freeze": [2, 1, 0, 1],
        "missed detection": [1, 1, 1, 0],
        NOT_RECORDED: [0, 0, 1, 0],
    }
    assert modes.rising == ["login failure"]

    events = read(spine, trends, *JAN_TO_APR, by="event_type")
    assert table(events) == {
        "malfunction": [2, 1, 1, 4],
        "no_adverse_event": [1, 1, 0, 1],
        "serious_injury": [0, 1, 0, 0],
        NOT_RECORDED: [0, 0, 1, 0],
    }
    assert events.rising == ["malfunction"], "4 >= 3 and 4 >= 2 x 4/3"


def test_every_bucket_in_range_is_shown_even_empty_and_edges_are_clipped(
    spine: Spine, trends: TrendService
) -> None:
    trend = read(spine, trends, D(2026, 1, 15), D(2026, 7, 31))
    assert labels(trend) == [*MONTHS, "2026-05", "2026-06", "2026-07"]
    assert trend.bucket_totals == (2, 3, 2, 5, 1, 0, 0)
    assert table(trend)["CytoAssist"] == [1, 2, 1, 1, 1, 0, 0]
    assert (trend.buckets[0].start, trend.buckets[0].end) == (D(2026, 1, 15), D(2026, 1, 31))
    assert (trend.buckets[-1].start, trend.buckets[-1].end) == (D(2026, 7, 1), D(2026, 7, 31))
    assert trend.rising == [], "nothing in the last bucket"

    empty = read(spine, trends, D(2020, 1, 1), D(2020, 3, 31), bucket="quarter")
    assert labels(empty) == ["2020-Q1"] and empty.rows == () and empty.bucket_totals == (0,)


def test_quarter_buckets(spine: Spine, trends: TrendService) -> None:
    trend = read(spine, trends, D(2026, 1, 1), D(2026, 6, 30), bucket="quarter")
    assert labels(trend) == ["2026-Q1", "2026-Q2"]
    assert (trend.buckets[1].start, trend.buckets[1].end) == (D(2026, 4, 1), D(2026, 6, 30))
    assert table(trend) == {
        "CytoAssist": [5, 2],
        "ScanPad": [1, 4],
        "Reader X": [1, 0],
        NOT_RECORDED: [1, 0],
    }
    assert trend.bucket_totals == (8, 6)
    assert trend.rising == ["ScanPad"]

    crossing = read(spine, trends, D(2025, 11, 1), D(2026, 2, 10), bucket="quarter")
    assert labels(crossing) == ["2025-Q4", "2026-Q1"]
    assert table(crossing)["CytoAssist"] == [1, 3]


def test_cancelled_and_superseded_are_left_out(spine: Spine, trends: TrendService) -> None:
    april = read(spine, trends, D(2026, 4, 15), D(2026, 4, 15))
    assert april.total == 0, "CMP-12 was cancelled"
    spine.records.create("quinn", "complaint", complaint("2026-04-15", "ScanPad", None, None))
    assert read(spine, trends, D(2026, 4, 15), D(2026, 4, 15)).total == 1
    february = read(spine, trends, D(2026, 2, 1), D(2026, 2, 1))
    assert table(february) == {"CytoAssist": [1]}, "only the latest version counts"


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ((0, 0, 3), (0.0, True)),
        ((0, 0, 2), (0.0, False)),
        ((2, 2, 4), (2.0, True)),
        ((2, 2, 3), (2.0, False)),
        ((1, 2, 3, 6), (2.0, True)),
        ((5,), (None, False)),
    ],
)
def test_rising_rule(counts: tuple[int, ...], expected: tuple[float | None, bool]) -> None:
    assert rising_signal(counts) == expected


@pytest.mark.parametrize(
    ("start", "end", "by", "bucket", "message"),
    [
        (
            *JAN_TO_APR,
            "site",
            "month",
            "by: 'site' is not a dimension; use product, failure_mode or event_type",
        ),
        (
            *JAN_TO_APR,
            "product",
            "week",
            "bucket: 'week' is not a bucket size; use month or quarter",
        ),
        (
            D(2026, 5, 1),
            D(2026, 1, 1),
            "product",
            "month",
            "from: 2026-05-01 is after to 2026-01-01",
        ),
        (
            D(2016, 1, 1),
            D(2026, 1, 1),
            "product",
            "month",
            "to: 2026-01-01 is 10 years or more after from 2016-01-01; "
            "trend at most 10 years at a time",
        ),
    ],
)
def test_bad_input_names_the_parameter(
    spine: Spine, start: dt.date, end: dt.date, by: str, bucket: str, message: str
) -> None:
    trends = TrendService(spine.context, spine.users)
    with pytest.raises(InvalidInput) as raised:
        read(spine, trends, start, end, by=by, bucket=bucket)
    assert str(raised.value) == message


def test_ten_years_less_a_day_is_the_longest_period(spine: Spine) -> None:
    trends = TrendService(spine.context, spine.users)
    longest = read(spine, trends, D(2016, 1, 2), D(2026, 1, 1))
    assert len(longest.buckets) == 121 and longest.buckets[0].label == "2016-01"
    leap = read(spine, trends, D(2016, 2, 29), D(2026, 2, 27), bucket="quarter")
    assert len(leap.buckets) == 41


def test_reading_needs_the_read_permission(spine: Spine) -> None:
    trends = TrendService(spine.context, spine.users)
    nobody = dataclasses.replace(spine.users.get("vic"), roles=())
    with pytest.raises(Forbidden):
        trends.complaints(nobody, *JAN_TO_APR)


def test_the_default_period_is_the_last_twelve_months() -> None:
    today = D(2026, 3, 14)
    assert resolve_period(None, None, today) == (D(2025, 4, 1), today)
    assert resolve_period(None, D(2026, 12, 31), today) == (D(2026, 1, 1), D(2026, 12, 31))
    assert resolve_period(D(2026, 1, 2), None, today) == (D(2026, 1, 2), today)
