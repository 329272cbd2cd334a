"""`qspine complaints trend`: the table with its rising marker, the JSON, quarters, the default
period, and every error one line with exit 2."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from qspine import open_spine

from cli_helpers import flat
from helpers import PASSWORD, Invoke, settings_for

JAN_TO_APR = ("--from", "2026-01-01", "--to", "2026-04-30")
# (awareness date, device name, failure mode); None leaves the field out.
COMPLAINTS = [
    ("2026-01-10", "CytoAssist", "display freeze"),
    ("2026-02-10", "CytoAssist", "display freeze"),
    ("2026-03-10", "Reader X", "missed detection"),
    ("2026-04-02", "ScanPad", "login failure"),
    ("2026-04-03", "ScanPad", "login failure"),
    ("2026-04-04", "ScanPad", "login failure"),
    ("2026-04-05", None, None),
    ("2026-04-06", "ScanPad", "login failure"),  # cancelled below
]


@pytest.fixture
def complaints(seeded: Invoke, db_file: Path, tmp_path: Path) -> Invoke:
    url = f"sqlite:///{db_file}"
    with open_spine(url, settings=settings_for(url, tmp_path)) as spine:
        for awareness, device, mode in COMPLAINTS:
            fields: dict[str, Any] = {
                "title": f"Complaint aware {awareness}",
                "awareness_date": awareness,
                "description": "As reported.",
            }
            if device is not None:
                fields.update(device_name=device, failure_mode=mode)
            spine.records.create("quinn", "complaint", fields)
        spine.signing.sign("ada", PASSWORD, "CMP-8", "approved", 1, "raised in error")
    return seeded


def trend(q: Invoke, *args: str) -> dict[str, Any]:
    result = q("-u", "eve", "complaints", "trend", *args, "--json")
    assert result.code == 0, result.err
    found: dict[str, Any] = json.loads(result.out)
    return found


def test_the_table_with_totals_and_the_rising_marker(complaints: Invoke) -> None:
    shown = complaints("-u", "eve", "complaints", "trend", *JAN_TO_APR)
    assert shown.code == 0, shown.err
    text = flat(shown)
    assert text.startswith(
        "Complaints by product per month, 2026-01-01 to 2026-04-30: 7 (cancelled left out)"
    )
    lines = {line.split("│")[1].strip(): line for line in shown.out.splitlines() if "│" in line}
    assert [cell.strip() for cell in lines["ScanPad"].split("│")[2:-1]] == [
        "0",
        "0",
        "0",
        "3",
        "3",
        "▲ rising",
    ]
    assert [cell.strip() for cell in lines["CytoAssist"].split("│")[2:-1]] == [
        "1",
        "1",
        "0",
        "0",
        "2",
        "",
    ]
    assert [cell.strip() for cell in lines["total"].split("│")[2:-1]] == [
        "1",
        "1",
        "1",
        "4",
        "7",
        "",
    ]
    assert "(not recorded)" in lines and "Reader X" in lines
    assert "rising: ScanPad" in text
    assert "rising = last month >= 2 times the mean of the earlier ones and >= 3" in text


def test_json_is_the_trend(complaints: Invoke) -> None:
    found = trend(complaints, *JAN_TO_APR)
    assert (found["start"], found["end"], found["by"], found["bucket"]) == (
        "2026-01-01",
        "2026-04-30",
        "product",
        "month",
    )
    assert [b["label"] for b in found["buckets"]] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert {row["value"]: row["counts"] for row in found["rows"]} == {
        "ScanPad": [0, 0, 0, 3],
        "CytoAssist": [1, 1, 0, 0],
        "Reader X": [0, 0, 1, 0],
        "(not recorded)": [0, 0, 0, 1],
    }
    assert found["bucket_totals"] == [1, 1, 1, 4] and found["total"] == 7
    assert found["rising"] == ["ScanPad"]


def test_by_failure_mode_per_quarter(complaints: Invoke) -> None:
    found = trend(complaints, *JAN_TO_APR, "--by", "failure_mode", "--bucket", "quarter")
    assert [b["label"] for b in found["buckets"]] == ["2026-Q1", "2026-Q2"]
    assert {row["value"]: row["counts"] for row in found["rows"]} == {
        "login failure": [0, 3],
        "display freeze": [2, 0],
        "missed detection": [1, 0],
        "(not recorded)": [0, 1],
    }
    assert found["rising"] == ["login failure"]


def test_the_default_period_ends_today(complaints: Invoke) -> None:
    found = trend(complaints)
    today = dt.datetime.now(dt.UTC).date()
    assert found["end"] == today.isoformat()
    assert len(found["buckets"]) == 12 and found["start"].endswith("-01")
    assert trend(complaints, "--from", "2026-04-01", "--to", "2026-04-04")["total"] == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2026-13-01"), "--from: '2026-13-01' is not a date (YYYY-MM-DD)"),
        (("--to", "soon"), "--to: 'soon' is not a date (YYYY-MM-DD)"),
        (
            ("--by", "site"),
            "by: 'site' is not a dimension; use product, failure_mode or event_type",
        ),
        (("--bucket", "week"), "bucket: 'week' is not a bucket size; use month or quarter"),
        (
            ("--from", "2026-05-01", "--to", "2026-01-01"),
            "from: 2026-05-01 is after to 2026-01-01",
        ),
        (
            ("--from", "2016-01-01", "--to", "2026-01-01"),
            "to: 2026-01-01 is 10 years or more after from 2016-01-01; "
            "trend at most 10 years at a time",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    complaints: Invoke, args: tuple[str, ...], message: str
) -> None:
    result = complaints("-u", "eve", "complaints", "trend", *args)
    assert (result.code, result.out, result.err) == (2, "", f"error: {message}\n")


def test_a_reader_must_say_who_they_are(complaints: Invoke) -> None:
    result = complaints("complaints", "trend", *JAN_TO_APR)
    assert result.code == 2 and "say who you are with --user NAME" in result.err


def test_a_long_period_prints_whole_lines_not_squeezed_columns(complaints: Invoke) -> None:
    shown = complaints(
        "-u", "eve", "complaints", "trend", "--from", "2025-01-01", "--to", *JAN_TO_APR[3:]
    )
    assert shown.code == 0, shown.err
    header = next(line for line in shown.out.splitlines() if "2025-01" in line)
    assert "2026-04" in header and "…" not in shown.out
    assert len(header) > 80
