"""Training: roles require documents; holders owe training on each effective version and may
not sign (but training evidence) until it is recorded."""

from __future__ import annotations

import datetime as dt

import pytest

from qspine import Forbidden, Spine, load_profile
from qspine.model.training import CURRENT, MISSING, OUTDATED

from helpers import PASSWORD, Clock, sample_fields

PROFILE = load_profile()


def make_effective(spine: Spine, key: str, number: int = 1) -> None:
    spine.records.transition("eve", key, "in_review", number)
    spine.signing.sign("ada", PASSWORD, key, "approved", number)
    spine.signing.sign("ada", PASSWORD, key, "released", number)


def trained(spine: Spine, trainee: str, document: str, number: int) -> str:
    key = spine.records.create(
        "ada",
        "training_record",
        {
            "title": f"{trainee} on {document} v{number}",
            "trainee": trainee,
            "document": document,
            "document_version": number,
            "completed_on": "2026-03-03",
        },
    ).key
    spine.signing.sign(trainee, PASSWORD, key, "verified", 1)  # trainees may sign evidence
    return key


@pytest.fixture
def trained_spine(spine: Spine) -> Spine:
    spine.context.clock = Clock()
    return spine


def test_a_holder_owes_training_on_each_effective_version_and_cannot_sign_meanwhile(
    trained_spine: Spine,
) -> None:
    spine = trained_spine
    doc = spine.records.create(
        "eve", "document", {**sample_fields(PROFILE, "document"), "title": "SOP-003 Complaints"}
    ).key
    make_effective(spine, doc)
    requirement = spine.records.create("eve", "requirement", sample_fields(PROFILE, "requirement"))
    spine.records.transition("eve", requirement.key, "in_review", 1)
    role = spine.records.create(
        "ada",
        "role",
        {"title": "Complaint handler", "holders": ["quinn"], "required_documents": [doc]},
    ).key
    # proposed roles name nobody yet: quinn may still sign
    assert spine.signing.preflight("quinn", requirement.key, "approved", 1) == "approved"
    spine.signing.sign("quinn", PASSWORD, role, "approved", 1)
    with pytest.raises(Forbidden) as refused:
        spine.signing.sign("quinn", PASSWORD, requirement.key, "approved", 1)
    assert str(refused.value) == (
        f"quinn may not sign {requirement.key} until trained for their job role "
        f"(21 CFR 11.10(g); ISO 13485:2016 6.2): {role} 'Complaint handler' requires training "
        f"on {doc} v1; no training record for quinn"
    )
    vic = spine.users.get("vic")
    (owed,) = spine.training.owed(vic)
    assert (owed.user, owed.state, owed.requirement.document) == ("quinn", MISSING, doc)
    assert owed.due == owed.requirement.effective_since + dt.timedelta(days=30)
    first = trained(spine, "quinn", doc, 1)
    spine.signing.sign("quinn", PASSWORD, requirement.key, "approved", 1)
    assert spine.records.show(requirement.key).status == "approved"
    assert spine.training.owed(vic) == []
    # a new effective version: quinn's training is outdated until recorded again
    spine.records.revise("eve", doc, {"change_summary": "QMSR record elements"}, 1, "rev B")
    make_effective(spine, doc, 2)
    matrix = spine.training.matrix(vic)
    (cell,) = matrix.cells
    assert (cell.state, cell.trained_version, cell.record) == (OUTDATED, 1, first)
    other = spine.records.create("eve", "requirement", sample_fields(PROFILE, "requirement")).key
    spine.records.transition("eve", other, "in_review", 1)
    with pytest.raises(Forbidden, match=f"quinn was trained on v1 \\({first}\\)"):
        spine.signing.preflight("quinn", other, "approved", 1)
    trained(spine, "quinn", doc, 2)
    assert spine.training.matrix(vic).cells[0].state == CURRENT
    spine.signing.sign("quinn", PASSWORD, other, "approved", 1)


def test_no_role_no_requirement(trained_spine: Spine) -> None:
    spine = trained_spine
    matrix = spine.training.matrix(spine.users.get("vic"))
    assert matrix.cells == () and matrix.users == ()
