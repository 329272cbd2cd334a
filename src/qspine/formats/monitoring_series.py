"""Monitoring series files: the post-market values of a deployed model (ADR 0015 point 6).

Two shapes carry the same four fields, `observed_at, site, metric, value`:

- CSV (UTF-8, a header row naming exactly those four columns, in any order). Any other
  column is refused, not ignored: a column QSpine would drop (a confidence bound, a sample
  size) is data someone meant to monitor, and silently losing it would hide a threshold.
- JSON: a list of objects with exactly those keys, or an object {"points": [...]}.
  A file whose first character is '[' or '{' is read as JSON, anything else as CSV.

`observed_at` is an ISO 8601 date (midnight UTC) or date-time (a time without an offset is
UTC; one with an offset is converted to UTC). `site` is non-empty text of at most 200
characters without control characters; `metric` a lower-case name as criteria use it
(`rolling_sensitivity`, `psi.age`); `value` a finite number. Every error names the file, the
row (CSV, counting the header as row 1) or item (JSON, from 1) and the field; the same series
and time twice is an error naming both rows. Nothing is returned on error, so nothing is
written.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import unicodedata
from dataclasses import dataclass
from typing import Any

from qspine.model.errors import InvalidInput
from qspine.model.monitoring import METRIC_NAME, Point

FIELDS = ("observed_at", "site", "metric", "value")
MAX_SITE = 200


@dataclass(frozen=True)
class SeriesFile:
    """A parsed file: its points and, for each, where it was ('row 3', 'item 2')."""

    name: str
    sha256: str
    format: str
    points: tuple[Point, ...]
    places: tuple[str, ...]


def parse_series(data: bytes, name: str) -> SeriesFile:
    """The points of a CSV or JSON monitoring file; InvalidInput names file, row and field."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput(
            f"{name}: not UTF-8 text ({error.reason} at byte {error.start})"
        ) from None
    stripped = text.lstrip()
    if not stripped:
        raise InvalidInput(f"{name}: the file is empty")
    if stripped[0] in "[{":
        format, rows = "json", _json_items(text, name)
    else:
        format, rows = "csv", _csv_rows(text, name)
    points: list[Point] = []
    places: list[str] = []
    seen: dict[tuple[str, str, dt.datetime], str] = {}
    for place, row in rows:
        point = _point(row, f"{name}: {place}")
        identity = (point.site, point.metric, point.observed_at)
        if identity in seen:
            raise InvalidInput(
                f"{name}: {place} repeats {seen[identity]}: {point.site} {point.metric} at "
                f"{point.observed_at.isoformat()} is listed twice"
            )
        seen[identity] = place
        points.append(point)
        places.append(place)
    if not points:
        raise InvalidInput(f"{name}: no points (expected {', '.join(FIELDS)})")
    return SeriesFile(name, hashlib.sha256(data).hexdigest(), format, tuple(points), tuple(places))


def _csv_rows(text: str, name: str) -> list[tuple[str, dict[str, Any]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip().lower() for cell in next(reader)]
        _check_columns(header, f"{name}: row 1 (header)", "column")
        rows = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            place = f"row {reader.line_num}"
            if len(cells) != len(header):
                raise InvalidInput(
                    f"{name}: {place}: has {len(cells)} cell(s), the header {len(header)}"
                )
            rows.append((place, dict(zip(header, cells, strict=True))))
    except csv.Error as error:
        raise InvalidInput(f"{name}: row {reader.line_num}: not valid CSV: {error}") from None
    return rows


def _json_items(text: str, name: str) -> list[tuple[str, dict[str, Any]]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"{name}: not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from None
    except ValueError as error:  # an integer literal longer than Python converts
        raise InvalidInput(f"{name}: not readable JSON: {error}") from None
    except RecursionError:
        raise InvalidInput(f"{name}: not readable JSON: nested too deeply") from None
    if isinstance(document, dict):
        if set(document) != {"points"}:
            raise InvalidInput(f'{name}: a JSON object must be {{"points": [...]}} and no more')
        document = document["points"]
    if not isinstance(document, list):
        raise InvalidInput(f"{name}: 'points' must be a list of objects")
    items = []
    for index, item in enumerate(document, start=1):
        place = f"item {index}"
        if not isinstance(item, dict):
            raise InvalidInput(f"{name}: {place}: must be an object with {', '.join(FIELDS)}")
        _check_columns(list(item), f"{name}: {place}", "key")
        items.append((place, item))
    return items


def _check_columns(names: list[str], where: str, what: str) -> None:
    extra = [n for n in names if n not in FIELDS]
    if extra:
        raise InvalidInput(
            f"{where}: unknown {what} '{extra[0]}' (a monitoring file has exactly "
            f"{', '.join(FIELDS)}; other {what}s are refused, not dropped)"
        )
    missing = [n for n in FIELDS if n not in names]
    if missing:
        raise InvalidInput(f"{where}: {what} '{missing[0]}' is missing")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InvalidInput(f"{where}: {what} '{repeated[0]}' appears twice")


def _point(row: dict[str, Any], where: str) -> Point:
    return Point(
        observed_at=_instant(row["observed_at"], f"{where}: observed_at"),
        site=_site(row["site"], f"{where}: site"),
        metric=_metric(row["metric"], f"{where}: metric"),
        value=_value(row["value"], f"{where}: value"),
    )


def _instant(value: Any, where: str) -> dt.datetime:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{where}: must be an ISO 8601 date or date-time")
    text = value.strip()
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        at = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"{where}: '{text}' is not an ISO 8601 date (2026-03-01) or date-time "
            "(2026-03-01T10:00:00Z)"
        ) from None
    try:
        return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
    except OverflowError:
        raise InvalidInput(f"{where}: '{text}' is out of range in UTC") from None


def _site(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{where}: is empty (name the deployment site)")
    text = value.strip()
    if len(text) > MAX_SITE:
        raise InvalidInput(f"{where}: longer than {MAX_SITE} characters")
    control = next((c for c in text if unicodedata.category(c) == "Cc"), None)
    if control is not None:
        raise InvalidInput(f"{where}: contains the control character {control!r}")
    return text


def _metric(value: Any, where: str) -> str:
    text = value.strip().lower() if isinstance(value, str) else ""
    if not METRIC_NAME.match(text) or len(text) > 200:
        raise InvalidInput(
            f"{where}: '{value}' is not a metric name (lower-case letters, digits, '_' and '.', "
            "starting with a letter, e.g. rolling_sensitivity)"
        )
    return text


def _value(value: Any, where: str) -> float:
    if isinstance(value, bool):
        raise InvalidInput(f"{where}: must be a number, not {str(value).lower()}")
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:
            raise InvalidInput(f"{where}: an integer too large to be a finite number") from None
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise InvalidInput(f"{where}: '{value}' is not a number") from None
    else:
        raise InvalidInput(f"{where}: must be a number")
    if not math.isfinite(number):
        raise InvalidInput(f"{where}: {value} is not a finite number")
    return number
