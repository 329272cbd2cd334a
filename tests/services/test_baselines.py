"""Baselines: capture, approve, compare with another baseline, with now and as of a past
instant; selection errors; tamper evidence; managed-kind guard."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa

from qspine import InvalidInput, NotFound, Spine, load_profile
from qspine.store.schema import baseline_member

from helpers import PASSWORD, Clock, approve, sample_fields

PROFILE = load_profile()


@pytest.fixture
def designed(spine: Spine) -> Spine:
    spine.context.clock = Clock()
    for kind, title in [
        ("requirement", "Flag within 2 s"),
        ("requirement", "Log every result"),
        ("requirement", "Export PDF"),
        ("test_case", "Timing test"),
    ]:
        spine.records.create("quinn", kind, sample_fields(PROFILE, kind, title))
    for key in ("REQ-1", "REQ-2", "TC-1"):
        approve(spine, key)
    return spine


def members(view: object) -> list[tuple[str, int]]:
    return [(m.key, m.version) for m in view.members]  # type: ignore[attr-defined]


def test_capture_approve_and_compare(designed: Spine) -> None:
    spine, ada = designed, designed.users.get("ada")
    first = spine.baselines.create("quinn", "Design baseline 1", kinds=["requirement", "test_case"])
    assert first.key == "BL-1" and first.status == "draft"
    assert members(first) == [("REQ-1", 1), ("REQ-2", 1), ("TC-1", 1)]
    assert first.intact
    stored = spine.records.show("BL-1")
    assert stored.version.fields["manifest"] == first.manifest
    assert stored.version.fields["member_count"] == 3
    spine.signing.sign("ada", PASSWORD, "BL-1", "approved", 1, "design review 1")
    approved = spine.baselines.show(ada, "BL-1")
    assert approved.status == "approved" and approved.signatures[0].valid
    after_first = spine.context.clock.mark()  # type: ignore[attr-defined]

    spine.records.revise("quinn", "REQ-1", {"title": "Flag within 1 s"}, 1, "tighter")
    approve(spine, "REQ-1", 2)
    approve(spine, "REQ-3")
    spine.signing.sign("ada", PASSWORD, "REQ-2", "approved", 1, "withdrawn")  # obsolete
    assert spine.records.show("REQ-2").status == "obsolete"
    second = spine.baselines.create(
        "quinn", "Design baseline 2", kinds=["requirement", "test_case"]
    )
    assert members(second) == [("REQ-1", 2), ("REQ-3", 1), ("TC-1", 1)]

    compared = spine.baselines.compare(ada, "BL-1", "BL-2")
    assert (compared.added, compared.removed, compared.changed, compared.unchanged) == (1, 1, 1, 1)
    assert [(c.key, c.change, c.before, c.after) for c in compared.changes] == [
        ("REQ-3", "added", None, 1),
        ("REQ-1", "changed", 1, 2),
        ("REQ-2", "removed", 1, None),
    ]
    (changed,) = compared.of("changed")
    assert [(f.field, f.before, f.after) for f in changed.fields] == [
        ("title", "Flag within 2 s", "Flag within 1 s")
    ]
    assert compared.left == "BL-1 (Design baseline 1)" and compared.right.startswith("BL-2")

    with_now = spine.baselines.compare(ada, "BL-1")
    assert with_now.right == "now"
    assert [(c.key, c.change) for c in with_now.changes] == [
        (c.key, c.change) for c in compared.changes
    ]
    then = spine.baselines.compare(ada, "BL-1", at=after_first)
    assert then.changes == [] and then.unchanged == 3
    assert then.right.startswith("as of ")


def test_capture_as_of_a_past_instant_and_preview(designed: Spine) -> None:
    spine, ada = designed, designed.users.get("ada")
    before = spine.context.clock.mark()  # type: ignore[attr-defined]
    spine.records.revise("quinn", "REQ-1", {"title": "Flag within 1 s"}, 1, "tighter")
    approve(spine, "REQ-1", 2)
    retro = spine.baselines.create("quinn", "As shipped", kinds=["requirement"], at=before)
    assert members(retro) == [("REQ-1", 1), ("REQ-2", 1)]
    assert retro.taken_at == before
    preview = spine.baselines.preview(ada, kinds=["requirement"], keys=["TC-1"])
    assert preview.key is None
    assert members(preview) == [("REQ-1", 2), ("REQ-2", 1), ("TC-1", 1)]
    assert preview.skipped == ["REQ-3"], "never-released records are named, not taken"
    assert spine.records.show("BL-1").version.fields["kinds"] == ["requirement"]


def test_selection_errors_write_nothing(designed: Spine) -> None:
    spine = designed
    with pytest.raises(NotFound, match="no record REQ-9"):
        spine.baselines.create("quinn", "Bad", keys=["REQ-1", "REQ-9"])
    with pytest.raises(InvalidInput, match="REQ-3 had no released version in force"):
        spine.baselines.create("quinn", "Bad", keys=["REQ-3"])
    with pytest.raises(InvalidInput, match="unknown kind 'requirment'"):
        spine.baselines.create("quinn", "Bad", kinds=["requirment"])
    with pytest.raises(InvalidInput, match="name kinds and/or record keys"):
        spine.baselines.create("quinn", "Bad")
    assert spine.baselines.list(spine.users.get("ada")) == []


def test_baselines_are_made_and_never_revised_by_generic_commands(designed: Spine) -> None:
    spine = designed
    with pytest.raises(InvalidInput, match="made by their own command"):
        spine.records.create("quinn", "baseline", {"title": "x"})
    spine.baselines.create("quinn", "B", keys=["REQ-1"])
    with pytest.raises(InvalidInput, match="never revised"):
        spine.records.revise("quinn", "BL-1", {"title": "y"}, 1, "rename")
    with pytest.raises(NotFound, match="REQ-1 is a requirement, not a baseline"):
        spine.baselines.show(spine.users.get("ada"), "REQ-1")


def test_a_member_changed_in_the_database_breaks_the_manifest(designed: Spine) -> None:
    spine = designed
    view = spine.baselines.create("quinn", "B", kinds=["requirement"])
    with spine.context.engine.begin() as connection:
        connection.execute(
            sa.update(baseline_member).values(version_number=1, fingerprint="0" * 64)
        )
    tampered = spine.baselines.show(spine.users.get("ada"), "BL-1")
    assert not tampered.intact
    assert dataclasses.replace(tampered, intact=True) != view
    assert any("BL-1" in problem for problem in spine.audit.verify().problems)


def test_a_baseline_as_it_stood_before_its_approval(designed: Spine) -> None:
    spine, ada = designed, designed.users.get("ada")
    spine.baselines.create("quinn", "B", kinds=["requirement"])
    draft_at = spine.context.clock.mark()  # type: ignore[attr-defined]
    spine.signing.sign("ada", PASSWORD, "BL-1", "approved", 1, "review")
    then = spine.baselines.show(ada, "BL-1", at=draft_at)
    assert (then.status, then.signatures, then.as_of) == ("draft", [], draft_at)
    assert then.members == spine.baselines.show(ada, "BL-1").members
    assert spine.baselines.show(ada, "BL-1").status == "approved"
    with pytest.raises(NotFound, match="did not exist yet"):
        spine.baselines.show(ada, "BL-1", at=spine.records.show("REQ-1").created_at)
