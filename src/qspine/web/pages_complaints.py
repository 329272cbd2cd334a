"""Complaint trend page (ISO 13485:2016 8.2.2, 8.4): the form, the counts table with its
rising badges, and a line chart drawn as inline SVG on the server (no JavaScript)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from qspine.model.trending import (
    BUCKETS,
    DIMENSIONS,
    RISING_FACTOR,
    RISING_MINIMUM,
    ComplaintTrend,
    parse_day,
    resolve_period,
)
from qspine.services.users import User
from qspine.spine import Spine
from qspine.web.auth import SessionDep
from qspine.web.errors import WebRoute
from qspine.web.rendering import get_spine, page

router = APIRouter(route_class=WebRoute)

MAX_SERIES = 8
# Okabe-Ito colours (safe for colour-blind readers), each series also with its own dashes.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#555555", "#000000")
DASHES = ("", "7 4", "2 3", "9 3 2 3", "", "7 4", "2 3", "9 3 2 3")
WIDTH, PLOT_HEIGHT = 820, 260
LEFT, RIGHT, TOP = 48, 16, 14
AXIS = 34  # room under the plot for the bucket labels
LEGEND_ROW, LEGEND_COLUMNS = 22, 3


@dataclass(frozen=True)
class TrendForm:
    """The form's values (the period as resolved) and its choices."""

    start: str
    end: str
    by: str
    bucket: str
    dimensions: tuple[str, ...] = tuple(DIMENSIONS)
    buckets: tuple[str, ...] = BUCKETS


@dataclass(frozen=True)
class TrendPage:
    trend: ComplaintTrend
    form: TrendForm
    rule: str


@dataclass(frozen=True)
class Series:
    value: str
    colour: str
    dash: str
    rising: bool
    path: str
    points: list[tuple[float, float, str]]  # x, y, "value, bucket: count"
    legend_x: int
    legend_y: int


@dataclass(frozen=True)
class Chart:
    """Geometry of the line chart: one series per value (the MAX_SERIES largest)."""

    width: int
    height: int
    title: str
    description: str
    plot: tuple[int, int, int, int]  # left, top, right, bottom
    y_ticks: list[tuple[int, float]]
    x_labels: list[tuple[str, float]]
    series: list[Series]
    hidden: int


def trend_data(spine: Spine, user: User, form: TrendForm) -> TrendPage:
    start, end = resolve_period(
        parse_day(form.start, "from") if form.start else None,
        parse_day(form.end, "to") if form.end else None,
        spine.context.clock().date(),
    )
    trend = spine.trends.complaints(user, start, end, form.by, form.bucket)
    resolved = TrendForm(start.isoformat(), end.isoformat(), trend.by, trend.bucket)
    rule = (
        f"Rising: the last {trend.bucket} has at least {RISING_FACTOR} times the mean of the "
        f"earlier {trend.bucket}s, and at least {RISING_MINIMUM} complaints."
    )
    return TrendPage(trend, resolved, rule)


def chart_of(trend: ComplaintTrend) -> Chart:
    shown = trend.rows[:MAX_SERIES]
    count = len(trend.buckets)
    right, bottom = WIDTH - RIGHT, TOP + PLOT_HEIGHT
    step = (right - LEFT) / count
    tick, top_value = _scale(max((max(row.counts) for row in shown), default=0))

    def x(index: int) -> float:
        return round(LEFT + (index + 0.5) * step, 1)

    def y(value: int) -> float:
        return round(bottom - PLOT_HEIGHT * value / top_value, 1)

    series = []
    for number, row in enumerate(shown):
        points = [
            (x(i), y(n), f"{row.value}, {trend.buckets[i].label}: {n}")
            for i, n in enumerate(row.counts)
        ]
        path = "M " + " L ".join(f"{px} {py}" for px, py, _ in points)
        line, column = divmod(number, LEGEND_COLUMNS)
        legend_x = LEFT + column * (WIDTH - LEFT) // LEGEND_COLUMNS
        legend_y = bottom + AXIS + line * LEGEND_ROW + 12
        colour, dash = COLOURS[number], DASHES[number]
        series.append(Series(row.value, colour, dash, row.rising, path, points, legend_x, legend_y))
    every = math.ceil(count / 12)
    labels = [(b.label, x(i)) for i, b in enumerate(trend.buckets) if i % every == 0]
    ticks = [(value, y(value)) for value in range(0, top_value + 1, tick)]
    legend_lines = math.ceil(len(series) / LEGEND_COLUMNS)
    what = trend.by.replace("_", " ")
    rising = trend.rising
    return Chart(
        WIDTH,
        bottom + AXIS + legend_lines * LEGEND_ROW + 8,
        f"Complaints by {what} per {trend.bucket}, {trend.start} to {trend.end}",
        f"{len(series)} line(s), one per {what}, over {count} {trend.bucket}(s); "
        + (f"rising: {', '.join(rising)}." if rising else "none rising."),
        (LEFT, TOP, right, bottom),
        ticks,
        labels,
        series,
        len(trend.rows) - len(shown),
    )


def _scale(highest: int) -> tuple[int, int]:
    """A tick step (1, 2 or 5 times a power of ten) giving at most five steps, and the top."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            tick = factor * magnitude
            if highest <= tick * 5:
                return tick, max(tick, math.ceil(highest / tick) * tick)
        magnitude *= 10


@router.get("/complaints/trend")
def complaint_trend_page(
    request: Request,
    session: SessionDep,
    start: Annotated[str, Query(alias="from")] = "",
    end: Annotated[str, Query(alias="to")] = "",
    by: str = "product",
    bucket: str = "month",
) -> Response:
    form = TrendForm(start.strip(), end.strip(), by.strip(), bucket.strip())
    data = trend_data(get_spine(request), session.user, form)
    chart = chart_of(data.trend) if data.trend.rows else None
    return page(
        request,
        "complaints_trend.html",
        data,
        session,
        section="complaints",
        extra={"chart": chart},
    )
