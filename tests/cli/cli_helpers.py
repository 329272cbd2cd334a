"""Helpers for CLI tests: instants between two runs, and printed text without rich's wrapping."""

from __future__ import annotations

import datetime as dt
import time

from qspine.model.asof import stamp

from helpers import Result


def between() -> tuple[str, str]:
    """An instant after every write so far and before any that follows: (ISO text, its stamp).

    The CLI opens its spine per run with the real clock, so tests note the instant between two
    steps (a few milliseconds apart) and read the past at it."""
    time.sleep(0.002)
    now = dt.datetime.now(dt.UTC)
    time.sleep(0.002)
    return now.isoformat(), stamp(now)


def flat(result: Result) -> str:
    """The printed text with rich's line wrapping undone."""
    return " ".join(result.out.split())
