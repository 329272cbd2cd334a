"""Lint of document records: the body is scanned; a dated historical record (a report,
form or external document in force before the QMSR) is allowed its legacy terms."""

from __future__ import annotations

import pytest

from qspine import InvalidInput, NotFound, Spine

from helpers import sample_fields

BODY = "Complies with the Quality System Regulation (QSR) and keeps a Design History File."


def _document(spine: Spine, title: str, **fields: object) -> str:
    values = {**sample_fields(spine.profile, "document", title), "body": BODY, **fields}
    return spine.records.create("eve", "document", values).key


def test_current_procedure_is_flagged_and_historical_record_is_allowed(spine: Spine) -> None:
    ada = spine.users.get("ada")
    sop = _document(spine, "Design control", document_type="sop", effective_date="2026-03-01")
    report = _document(
        spine, "2025 audit report", document_type="report", effective_date="2025-06-01"
    )
    late = _document(
        spine, "2026 audit report", document_type="report", effective_date="2026-06-01"
    )
    found = spine.lint.lint_record(ada, sop)
    assert [p.finding.text for p in found.findings] == [
        "Quality System Regulation",
        "QSR",
        "Design History File",
    ]
    assert found.findings[0].finding.where == "body line 1" and len(found.open) == 3
    old = spine.lint.lint_record(ada, report)
    assert old.historical and len(old.findings) == 3 and old.open == []
    assert not spine.lint.lint_record(ada, late).historical
    with pytest.raises(NotFound, match="no record NOPE-1"):
        spine.lint.lint_record(ada, "NOPE-1")
    requirement = spine.records.create(
        "eve", "requirement", sample_fields(spine.profile, "requirement", "A need")
    ).key
    with pytest.raises(InvalidInput, match="not a document record"):
        spine.lint.lint_record(ada, requirement)
