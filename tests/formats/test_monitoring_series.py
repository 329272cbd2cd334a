"""Monitoring series files (CSV and JSON): points, UTC times, and errors that name the file,
the row or item and the field. The files are simulated series written into tmp_path."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from qspine.formats.monitoring_series import parse_series
from qspine.model.errors import InvalidInput
from qspine.model.monitoring import Point


def written(tmp_path: Path, name: str, text: str) -> bytes:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path.read_bytes()


def test_csv_points_with_dates_naive_and_offset_times(tmp_path: Path) -> None:
    data = written(
        tmp_path,
        "s.csv",
        "site,observed_at,value,metric\n"
        "site-A,2026-04-01,0.93,Rolling_Sensitivity\n"
        "site-A,2026-04-02T10:30:00,0.91,rolling_sensitivity\n"
        "\n"
        " site-B ,2026-04-02T10:30:00+02:00,1e-1,input_psi\n",
    )
    parsed = parse_series(data, "s.csv")
    utc = dt.UTC
    assert parsed.format == "csv" and len(parsed.sha256) == 64
    assert parsed.points == (
        Point(dt.datetime(2026, 4, 1, tzinfo=utc), "site-A", "rolling_sensitivity", 0.93),
        Point(dt.datetime(2026, 4, 2, 10, 30, tzinfo=utc), "site-A", "rolling_sensitivity", 0.91),
        Point(dt.datetime(2026, 4, 2, 8, 30, tzinfo=utc), "site-B", "input_psi", 0.1),
    )
    assert parsed.places == ("row 2", "row 3", "row 5")


def test_json_list_and_points_object(tmp_path: Path) -> None:
    item = {"observed_at": "2026-04-01T00:00:00Z", "site": "A", "metric": "psi", "value": 2}
    listed = parse_series(written(tmp_path, "a.json", json.dumps([item])), "a.json")
    wrapped = parse_series(written(tmp_path, "b.json", json.dumps({"points": [item]})), "b.json")
    assert listed.format == wrapped.format == "json"
    assert (
        listed.points
        == wrapped.points
        == (Point(dt.datetime(2026, 4, 1, tzinfo=dt.UTC), "A", "psi", 2.0),)
    )
    assert listed.places == ("item 1",)


HEADER = "observed_at,site,metric,value\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HEADER + "2026-04-01,A,sens,abc\n", "s.csv: row 2: value: 'abc' is not a number"),
        (HEADER + "2026-04-01,A,sens,nan\n", "s.csv: row 2: value: nan is not a finite number"),
        (HEADER + "2026-04-01,A,sens,0.9\n01/04/2026,A,sens,0.9\n", "s.csv: row 3: observed_at"),
        (HEADER + "2026-04-01,,sens,0.9\n", "s.csv: row 2: site: is empty"),
        (HEADER + "2026-04-01,A,Sens Rate,0.9\n", "s.csv: row 2: metric: 'Sens Rate'"),
        (HEADER + "2026-04-01,A,sens\n", "s.csv: row 2: has 3 cell(s), the header 4"),
        (
            HEADER + "0001-01-01T00:00:00+01:00,A,sens,1\n",
            "s.csv: row 2: observed_at: '0001-01-01T00:00:00+01:00' is out of range in UTC",
        ),
        ("observed_at,site,metric,value,n\n", "s.csv: row 1 (header): unknown column 'n'"),
        ("observed_at,site,value\n", "s.csv: row 1 (header): column 'metric' is missing"),
        (HEADER, "s.csv: no points"),
        ("  \n", "s.csv: the file is empty"),
        (
            HEADER + "2026-04-01,A,sens,0.9\n2026-04-02,A,sens,0.9\n2026-04-01T00:00Z,A,sens,1\n",
            "s.csv: row 4 repeats row 2: A sens at 2026-04-01T00:00:00+00:00 is listed twice",
        ),
    ],
)
def test_csv_errors_name_the_row_and_field(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(message)):
        parse_series(written(tmp_path, "s.csv", text), "s.csv")


GOOD = {"observed_at": "2026-04-01", "site": "A", "metric": "psi", "value": 0.1}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([GOOD, {**GOOD, "value": True}], "j.json: item 2: value: must be a number, not true"),
        ([GOOD, {**GOOD, "value": "0.2"}], "j.json: item 2 repeats item 1"),
        ([{**GOOD, "observed_at": 20260401}], "j.json: item 1: observed_at: must be an ISO"),
        ([{**GOOD, "extra": 1}], "j.json: item 1: unknown key 'extra'"),
        ([{k: v for k, v in GOOD.items() if k != "site"}], "j.json: item 1: key 'site' is missing"),
        ([3], "j.json: item 1: must be an object"),
        ({"points": [GOOD], "more": 1}, 'j.json: a JSON object must be {"points"'),
        ({"points": 3}, "j.json: 'points' must be a list"),
    ],
)
def test_json_errors_name_the_item_and_field(
    tmp_path: Path, document: object, message: str
) -> None:
    with pytest.raises(InvalidInput, match=re.escape(message)):
        parse_series(written(tmp_path, "j.json", json.dumps(document)), "j.json")


def test_broken_json_and_bytes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"b\.json: not valid JSON"):
        parse_series(b"[{", "b.json")
    with pytest.raises(InvalidInput, match=r"x\.csv: not UTF-8 text"):
        parse_series(b"\xff\xfe\x00", "x.csv")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[{"observed_at": "2026-04-01", "site": "A", "metric": "psi", "value": 1%s}]'
            % ("0" * 400),
            "j.json: item 1: value: an integer too large to be a finite number",
        ),
        (
            '[{"observed_at": "2026-04-01", "site": "A", "metric": "psi", "value": 1%s}]'
            % ("0" * 5000),
            "j.json: not readable JSON: Exceeds the limit",
        ),
        ("[" * 100_000, "j.json: not readable JSON: nested too deeply"),
    ],
)
def test_json_beyond_what_python_reads_is_refused_by_name(
    tmp_path: Path, text: str, message: str
) -> None:
    """Numbers too large for a float and nesting too deep for the parser are input errors,
    not crashes."""
    with pytest.raises(InvalidInput, match=re.escape(message)):
        parse_series(written(tmp_path, "j.json", text), "j.json")
