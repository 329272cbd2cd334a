"""Management review inputs (ISO 13485:2016 5.6.2) compiled from the records of a period.

Each of the twelve inputs, in the standard's order, is a section with a few counts, the
records each count was taken from, and a one-line summary. Counts come from the records
only: dates in their current fields, and status changes from their recorded transitions,
so every figure is "as at the end of the period" and can be checked record by record.
Inputs the profile holds no records for say so and count nothing. The data shapes and the
period rules are here; how each input is counted is in `review_sections`.

Rules every section shares:
- Period days are UTC days; both ends are included.
- "Closed in the period": the record entered `closed` on a day of the period.
- "Open at period end": raised on or before the last day, and not closed or cancelled
  by the end of that day.
- A record cancelled by the end of the period (raised in error, a duplicate) counts nowhere.
- Follow-up actions are those of the previous review created by the end of the period.
- Records raised from a date field (complaints, nonconformances, signals, vulnerabilities,
  audits) count by that date; CAPAs, change requests and actions by the day they were
  created; findings by their audit's date (else the day they were created).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from qspine.model.deadlines import as_date
from qspine.model.errors import InvalidInput
from qspine.model.records import key_order

CLAUSE = "ISO 13485:2016 5.6.2"
MAX_YEARS = 3
# The inputs of 5.6.2 in the standard's order: (letter, short title of our own).
INPUTS: tuple[tuple[str, str], ...] = (
    ("a", "Feedback"),
    ("b", "Complaint handling"),
    ("c", "Reporting to regulatory authorities"),
    ("d", "Audits"),
    ("e", "Monitoring and measurement of processes"),
    ("f", "Monitoring and measurement of product"),
    ("g", "Corrective action"),
    ("h", "Preventive action"),
    ("i", "Follow-up actions from previous management reviews"),
    ("j", "Changes that could affect the quality management system"),
    ("k", "Recommendations for improvement"),
    ("l", "Applicable new or revised regulatory requirements"),
)
# The day a record of each kind was raised, by field; other kinds: the day it was created.
RAISED_ON = {
    "complaint": "awareness_date",
    "nonconformance": "detected_on",
    "post_market_signal": "observed_on",
    "vulnerability": "discovered_on",
    "audit": "audit_date",
}
CLOSED, CANCELLED, RETIRED = "closed", "cancelled", "retired"
# Status changes the compiler reads from the transitions (ended, or made effective/released).
TRACKED = (CLOSED, CANCELLED, RETIRED, "effective", "released")
REVIEW = "management_review"


@dataclass(frozen=True)
class InputRecord:
    """A record an input was computed from, with its current status."""

    key: str
    kind: str
    title: str
    status: str


@dataclass(frozen=True)
class Figure:
    """One count of an input and the keys of the records counted."""

    name: str
    label: str
    value: int
    keys: tuple[str, ...]


@dataclass(frozen=True)
class ReviewSection:
    """One input of 5.6.2: its figures, the records behind them and a plain summary.
    `source` is False when the profile has no records for this input (nothing counted)."""

    letter: str
    title: str
    summary: str
    figures: tuple[Figure, ...] = ()
    records: tuple[InputRecord, ...] = ()
    source: bool = True

    @property
    def clause(self) -> str:
        return f"{CLAUSE} {self.letter})"

    def figure(self, name: str) -> int:
        for item in self.figures:
            if item.name == name:
                return item.value
        raise KeyError(f"{self.letter}) has no figure '{name}'")


@dataclass(frozen=True)
class ReviewInputs:
    """The inputs of a management review for the period `start` to `end` (both included)."""

    start: dt.date
    end: dt.date
    prepared_at: dt.datetime
    previous_review: InputRecord | None
    sections: tuple[ReviewSection, ...]

    def section(self, letter: str) -> ReviewSection:
        for section in self.sections:
            if section.letter == letter:
                return section
        raise KeyError(f"no input {letter})")


@dataclass(frozen=True)
class Item:
    """A record as the compiler reads it: current fields and status, the UTC day it was
    created, and the UTC days it entered each TRACKED status (any version)."""

    key: str
    kind: str
    title: str
    status: str
    fields: Mapping[str, Any]
    created_on: dt.date
    entered: Mapping[str, tuple[dt.date, ...]] = field(default_factory=dict)

    @property
    def record(self) -> InputRecord:
        return InputRecord(self.key, self.kind, self.title, self.status)

    def date(self, name: str) -> dt.date | None:
        return as_date(self.fields.get(name))

    def first(self, status: str) -> dt.date | None:
        days = self.entered.get(status, ())
        return days[0] if days else None


def check_period(start: dt.date, end: dt.date) -> None:
    """A review period runs forward and spans at most MAX_YEARS years."""
    if start > end:
        raise InvalidInput(f"review period: start {start} is after end {end}")
    limit = _years_after(start, MAX_YEARS)
    if limit is not None and end >= limit:
        raise InvalidInput(
            f"review period: {start} to {end} is longer than {MAX_YEARS} years; "
            "review a shorter period"
        )


def previous_review(
    reviews: Iterable[Item], start: dt.date, end: dt.date, follows_up: Mapping[str, str]
) -> Item | None:
    """The review this period follows up: the one a review of exactly this period links
    with follows_up, else the latest (by period end) whose period ended before `start`.
    Cancelled reviews are skipped."""
    live = {r.key: r for r in reviews if r.status != CANCELLED}
    same = sorted(
        (
            r
            for r in live.values()
            if r.date("period_start") == start and r.date("period_end") == end
        ),
        key=lambda r: key_order(r.key),
        reverse=True,
    )
    for review in same:
        target = follows_up.get(review.key)
        if target is not None and target in live:
            return live[target]
    earlier = [r for r in live.values() if (r.date("period_end") or end) < start]
    if not earlier:
        return None
    return max(earlier, key=lambda r: (r.date("period_end") or start, key_order(r.key)))


def to_markdown(inputs: ReviewInputs) -> str:
    """The inputs as Markdown for a review record: one `###` heading per input."""
    previous = inputs.previous_review
    lines = [
        f"## Management review inputs: {inputs.start} to {inputs.end}",
        "",
        f"{CLAUSE} inputs compiled from the spine's records on "
        f"{inputs.prepared_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC. Counts stand as at the "
        "end of the period; each names the records it counts.",
        "",
        "Previous review: "
        + (f"{previous.key} ({previous.title})." if previous else "none before this period."),
    ]
    for section in inputs.sections:
        lines += ["", f"### {section.letter}) {section.title}", "", section.summary]
        if section.figures:
            lines.append("")
        for figure in section.figures:
            keys = f" ({', '.join(figure.keys)})" if figure.keys else ""
            lines.append(f"- {figure.label}: {figure.value}{keys}")
    return "\n".join(lines) + "\n"


def _years_after(day: dt.date, years: int) -> dt.date | None:
    """The same day `years` later (1 March for 29 February); None past the calendar's end."""
    if day.year + years > dt.MAXYEAR:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # from 29 February: the period may run to 28 February
        return day.replace(year=day.year + years, month=3, day=1)
