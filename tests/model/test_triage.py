"""Triage carry-over (model/triage.py): a not-affected decision holds until the component
version or the advisory's modified time changes."""

from __future__ import annotations

from qspine.model.triage import DecidedOn, why_reopened


def test_the_same_advisory_time_written_another_way_keeps_the_decision() -> None:
    same = why_reopened("not_affected", [], "2024-01-25T14:03:52+00:00", "2024-01-25T14:03:52Z")
    assert same is None
    assert (
        why_reopened("not_affected", [], "2024-01-25T14:03:52.000000Z", "2024-01-25T14:03:52Z")
        is None
    )


def test_a_changed_version_or_advisory_reopens_a_not_affected_decision() -> None:
    moved = [DecidedOn("SBOM-1", "1.0", "1.1")]
    assert why_reopened("not_affected", moved, None, None) == (
        "not-affected decision reopened: SBOM-1 is now 1.1 (decided on 1.0)"
    )
    reason = why_reopened("not_affected", [], "2024-01-25T14:03:52Z", "2024-05-01T10:00:00Z")
    assert reason == (
        "not-affected decision reopened: the advisory was modified 2024-05-01T10:00:00Z "
        "(decided on the version of 2024-01-25T14:03:52Z)"
    )
    assert why_reopened("affected", moved, "a", "b") is None
    # a decision recorded without an advisory time compares only the versions
    assert why_reopened("not_affected", [], None, "2024-05-01T10:00:00Z") is None
