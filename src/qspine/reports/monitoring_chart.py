"""A monitored series as an inline SVG line chart: its values over time, each threshold as a
dashed line labelled with its criterion and requirement, breaching points marked with a
distinct shape (not colour alone), dated axes, and a title and description for screen
readers. Pure geometry first (`series_chart`), then text (`render_svg`); the same series always
gives the same bytes."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from qspine.model.metric_criteria import Criterion
from qspine.services.monitoring import Series

# Okabe-Ito colours (safe for colour-blind readers), as in the cyber chart.
LINE, BREACH, THRESHOLD, INK, GRID = "#0072B2", "#D55E00", "#E69F00", "#1c2330", "#d8dde6"
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 44
TICKS = 5


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    value: float
    at: str
    breaching: tuple[str, ...]  # the criteria it does not meet


@dataclass(frozen=True)
class ThresholdLine:
    y: float
    value: float
    label: str


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class LineChart:
    title: str
    description: str
    width: int
    height: int
    left: int
    top: int
    right: int
    bottom: int
    points: tuple[ChartPoint, ...]
    thresholds: tuple[ThresholdLine, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]

    @property
    def path(self) -> str:
        return " ".join(
            f"{'M' if i == 0 else 'L'}{p.x:.1f},{p.y:.1f}" for i, p in enumerate(self.points)
        )


def series_chart(series: Series, model: str) -> LineChart:
    """The geometry of one series' chart, scaled to its values and its thresholds."""
    points = series.points
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    values = [p.value for p in points] + [c.value for c in series.criteria]
    low, high = _value_range(values)
    start, end = points[0].observed_at, points[-1].observed_at
    span = (end - start).total_seconds()

    def x_of(at: dt.datetime) -> float:
        if span == 0:
            return (LEFT + right) / 2
        return LEFT + (right - LEFT) * (at - start).total_seconds() / span

    def y_of(value: float) -> float:
        return bottom - (bottom - TOP) * (value - low) / (high - low)

    plotted = tuple(
        ChartPoint(
            round(x_of(p.observed_at), 1),
            round(y_of(p.value), 1),
            p.value,
            _when(p.observed_at, span),
            tuple(_label(c) for c in series.criteria if not c.holds(p.value)),
        )
        for p in points
    )
    thresholds = tuple(
        ThresholdLine(round(y_of(c.value), 1), c.value, _label(c)) for c in series.criteria
    )
    x_ticks = _x_ticks(start, end, span, x_of)
    y_ticks = tuple(Tick(round(y_of(v), 1), _number(v)) for v in _round_values(low, high))
    title = f"{series.metric} at {series.site}, {model} v{series.version}"
    return LineChart(
        title,
        _description(series, plotted, span),
        WIDTH,
        HEIGHT,
        LEFT,
        TOP,
        right,
        bottom,
        plotted,
        thresholds,
        x_ticks,
        y_ticks,
    )


def render_svg(chart: LineChart, id_prefix: str) -> str:
    """The chart as SVG markup (every text escaped); `id_prefix` keeps ids unique on a page."""
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {chart.width} {chart.height}" '
        f'width="{chart.width}" role="img" aria-labelledby="{title_id} {desc_id}" '
        'font-family="system-ui, sans-serif" font-size="11" class="monitoring-chart">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
        f'<desc id="{desc_id}">{escape(chart.description)}</desc>',
    ]
    for tick in chart.y_ticks:
        parts.append(
            f'<line x1="{chart.left}" x2="{chart.right}" y1="{tick.position:.1f}" '
            f'y2="{tick.position:.1f}" stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{chart.left - 6}" y="{tick.position + 4:.1f}" text-anchor="end" '
            f'fill="{INK}">{escape(tick.label)}</text>'
        )
    for tick in chart.x_ticks:
        parts.append(
            f'<line x1="{tick.position:.1f}" x2="{tick.position:.1f}" y1="{chart.bottom}" '
            f'y2="{chart.bottom + 4}" stroke="{INK}"/>'
            f'<text x="{tick.position:.1f}" y="{chart.bottom + 16}" text-anchor="middle" '
            f'fill="{INK}">{escape(tick.label)}</text>'
        )
    parts.append(
        f'<line x1="{chart.left}" x2="{chart.right}" y1="{chart.bottom}" y2="{chart.bottom}" '
        f'stroke="{INK}"/><line x1="{chart.left}" x2="{chart.left}" y1="{chart.top}" '
        f'y2="{chart.bottom}" stroke="{INK}"/>'
        f'<text x="{(chart.left + chart.right) / 2:.1f}" y="{chart.height - 6}" '
        f'text-anchor="middle" fill="{INK}">observed (UTC)</text>'
    )
    for line in chart.thresholds:
        parts.append(
            f'<g class="threshold"><line x1="{chart.left}" x2="{chart.right}" y1="{line.y:.1f}" '
            f'y2="{line.y:.1f}" stroke="{THRESHOLD}" stroke-width="2" stroke-dasharray="6 4"/>'
            f'<text x="{chart.right - 4}" y="{line.y - 4:.1f}" text-anchor="end" '
            f'fill="{INK}">{escape(line.label)}</text></g>'
        )
    if len(chart.points) > 1:
        parts.append(f'<path d="{chart.path}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    for point in chart.points:
        text = f"{point.at}: {_number(point.value)}"
        if point.breaching:
            text += " (breaches " + "; ".join(point.breaching) + ")"
            shape = (
                f'<rect x="{point.x - 5:.1f}" y="{point.y - 5:.1f}" width="10" height="10" '
                f'fill="{BREACH}" class="breach">'
            )
            parts.append(f"{shape}<title>{escape(text)}</title></rect>")
        else:
            parts.append(
                f'<circle cx="{point.x:.1f}" cy="{point.y:.1f}" r="3.5" fill="{LINE}">'
                f"<title>{escape(text)}</title></circle>"
            )
    parts.append("</svg>")
    return "\n".join(parts)


def _x_ticks(
    start: dt.datetime, end: dt.datetime, span: float, x_of: Callable[[dt.datetime], float]
) -> tuple[Tick, ...]:
    """Whole days when the series spans two days or more (every few days, at most TICKS),
    else evenly spaced times labelled to the minute."""
    if span >= 2 * 86400:
        first = start.date() + dt.timedelta(days=0 if start.time() == dt.time(0) else 1)
        days = (end.date() - first).days
        step = max(1, math.ceil(days / (TICKS - 1)))
        marks = [first + dt.timedelta(days=k * step) for k in range(days // step + 1)]
        return tuple(
            Tick(round(x_of(dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC)), 1), d.isoformat())
            for d in marks
        )
    count = 1 if span == 0 else TICKS
    moments = [start + (end - start) * i / max(count - 1, 1) for i in range(count)]
    return tuple(Tick(round(x_of(m), 1), _when(m, span)) for m in moments)


def _round_values(low: float, high: float) -> list[float]:
    """Round values between low and high: the step of 1, 2, 2.5 or 5 times a power of ten
    nearest to a fourth of the range."""
    rough = (high - low) / (TICKS - 1)
    power = 10 ** math.floor(math.log10(rough))
    step = min((m * power for m in (1, 2, 2.5, 5, 10)), key=lambda c: abs(math.log(c / rough)))
    first = math.ceil(low / step)
    return [round(k * step, 12) for k in range(first, math.floor(high / step) + 1)]


def _value_range(values: list[float]) -> tuple[float, float]:
    low, high = min(values), max(values)
    pad = (high - low) * 0.08 or (abs(high) * 0.1 or 0.5)
    return low - pad, high + pad


def _when(at: dt.datetime, span: float) -> str:
    if span < 2 * 86400 and (span > 0 or at.time() != dt.time(0)):
        return at.strftime("%Y-%m-%d %H:%M")
    return at.date().isoformat()


def _period(first: dt.datetime, last: dt.datetime, span: float) -> str:
    if first == last:
        return _when(first, span)
    return f"{_when(first, span)} to {_when(last, span)}"


def _number(value: float) -> str:
    return f"{value:.3g}"


def _label(criterion: Criterion) -> str:
    return f"{criterion} ({criterion.source})" if criterion.source else str(criterion)


def _description(series: Series, points: tuple[ChartPoint, ...], span: float) -> str:
    values = [p.value for p in points]
    text = (
        f"{len(points)} point(s) from {points[0].at} to {points[-1].at}, values "
        f"{_number(min(values))} to {_number(max(values))}."
    )
    if series.criteria:
        text += " Thresholds: " + "; ".join(_label(c) for c in series.criteria) + "."
    else:
        text += " No threshold applies."
    if series.breaches:
        text += f" {len(series.breaches)} breach episode(s): " + "; ".join(
            f"{_period(b.first.observed_at, b.last.observed_at, span)}, {b.count} point(s), "
            f"worst {_number(b.worst.value)} against {b.criterion}"
            for b in series.breaches
        )
        text += "."
    return text
