"""A small horizontal bar chart of vulnerabilities by triage state, as geometry for an inline
SVG (the standalone package and the Cybersecurity page draw the same one; no JavaScript)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# Okabe-Ito colours (safe for colour-blind readers), one per OpenVEX state.
COLOURS = {
    "under_investigation": "#E69F00",
    "affected": "#D55E00",
    "not_affected": "#009E73",
    "fixed": "#0072B2",
}
WIDTH, ROW, LABEL, GAP = 520, 30, 170, 8


@dataclass(frozen=True)
class Bar:
    name: str
    label: str
    value: int
    y: int
    width: float
    colour: str


@dataclass(frozen=True)
class BarChart:
    title: str
    description: str
    width: int
    height: int
    left: int
    bar_height: int
    bars: tuple[Bar, ...]


def triage_chart(by_state: Mapping[str, int]) -> BarChart:
    """One bar per triage state, scaled to the largest count (empty bars for zero)."""
    top = max(by_state.values(), default=0) or 1
    room = WIDTH - LABEL - 60
    bars = tuple(
        Bar(
            name,
            name.replace("_", " ").capitalize(),
            value,
            GAP + index * ROW,
            round(room * value / top, 1),
            COLOURS.get(name, "#555555"),
        )
        for index, (name, value) in enumerate(by_state.items())
    )
    total = sum(by_state.values())
    description = "; ".join(f"{b.label.lower()}: {b.value}" for b in bars)
    return BarChart(
        "Vulnerabilities by triage state",
        f"{total} live vulnerabilities. {description}.",
        WIDTH,
        GAP * 2 + ROW * len(bars),
        LABEL,
        ROW - 10,
        bars,
    )
