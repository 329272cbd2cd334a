"""Triage carry-over: a 'not affected' decision holds for later matches until the component
version it was decided on, or the advisory behind it, changes (issue 7, VEX and triage)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from qspine.model.advisories import same_time

NOT_AFFECTED = "not_affected"
REOPENED = "under_investigation"


@dataclass(frozen=True)
class DecidedOn:
    """One component a decision covers: the version the affects link pins (what was decided
    on) and the component's version now."""

    component: str
    decided: str
    current: str


def why_reopened(
    triage_state: str | None,
    components: Iterable[DecidedOn],
    decided_modified: str | None,
    current_modified: str | None,
) -> str | None:
    """None while the decision carries over; else why it no longer does (the reason of the
    revision that reopens it). Only a not-affected decision carries over: the other states
    are open (under investigation) or a fact about the product (affected, fixed). A decision
    recorded without the advisory's modified time (entered by hand, imported from VEX) is
    taken to be on the advisory as it stands; only the component versions are compared."""
    if triage_state != NOT_AFFECTED:
        return None
    changes = [
        f"{each.component} is now {each.current} (decided on {each.decided})"
        for each in components
        if each.decided != each.current
    ]
    if decided_modified and not same_time(decided_modified, current_modified):
        changes.append(
            f"the advisory was modified {current_modified or 'without a date'} "
            f"(decided on the version of {decided_modified})"
        )
    if not changes:
        return None
    return "not-affected decision reopened: " + "; ".join(changes)
