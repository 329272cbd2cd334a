"""Records: creation, validation, revision with optimistic concurrency, lists, history, diff."""

from __future__ import annotations

from pathlib import Path

import pytest

from qspine import Conflict, Forbidden, InvalidInput, NewRecord, NotFound, Spine, load_profile

from helpers import database_state, sample_fields

PROFILE = load_profile()


def requirement(spine: Spine, title: str = "Show likelihood", **extra: object) -> str:
    fields = {**sample_fields(PROFILE, "requirement", title), **extra}
    return spine.records.create("eve", "requirement", fields).key


def test_keys_come_from_the_prefix_and_are_never_reused(spine: Spine) -> None:
    assert [requirement(spine) for _ in range(3)] == ["REQ-1", "REQ-2", "REQ-3"]
    assert (
        spine.records.create("eve", "user_need", sample_fields(PROFILE, "user_need")).key == "UN-1"
    )
    with pytest.raises(InvalidInput):
        spine.records.create_many(
            "eve",
            [
                NewRecord("requirement", {"title": "ok", "statement": "s"}),
                NewRecord("requirement", {"title": "no statement"}),
            ],
        )
    assert requirement(spine) == "REQ-4"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "t"}, "new requirement: field 'statement' is required"),
        (
            {"title": "t", "statement": "s", "category": "fun"},
            "field 'category': 'fun' is not one of",
        ),
        (
            {"title": "t", "statement": "s", "colour": "red"},
            "unknown field 'colour' for kind requirement",
        ),
        ({"title": 5, "statement": "s"}, "field 'title': expected text"),
    ],
)
def test_invalid_fields_name_record_and_field_and_write_nothing(
    spine: Spine, fields: dict[str, object], message: str
) -> None:
    before = database_state(spine)
    with pytest.raises(InvalidInput, match=message):
        spine.records.create("eve", "requirement", fields)
    assert database_state(spine) == before


def test_ref_and_blob_fields_must_point_at_something_real(spine: Spine, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="refers to DOC-9, which does not exist"):
        spine.records.create(
            "quinn",
            "training_record",
            {**sample_fields(PROFILE, "training_record"), "document": "DOC-9"},
        )
    need = spine.records.create("eve", "user_need", sample_fields(PROFILE, "user_need")).key
    with pytest.raises(InvalidInput, match=f"refers to {need}, a user_need; expected document"):
        spine.records.create(
            "quinn",
            "training_record",
            {**sample_fields(PROFILE, "training_record"), "document": need},
        )
    file = tmp_path / "sop.md"
    file.write_text("# SOP-001 Document control\n")
    info = spine.blobs.add("quinn", file)
    fields = {**sample_fields(PROFILE, "document"), "file": info.sha256}
    assert spine.records.create("quinn", "document", fields).version.fields["file"] == info.sha256
    assert spine.blobs.read(info.sha256) == file.read_bytes()
    with pytest.raises(InvalidInput, match="not in the blob store"):
        spine.records.create("quinn", "document", {**fields, "file": "0" * 64})


def test_revise_makes_a_new_immutable_version_with_a_diff(spine: Spine) -> None:
    key = requirement(spine, category="functional")
    first = spine.records.show(key).version
    view = spine.records.revise(
        "eve",
        key,
        {"category": "safety", "rationale": "Hazard HS-2"},
        1,
        "risk control realised as a requirement",
    )
    assert view.version.number == 2 and view.version.fingerprint != first.fingerprint
    assert spine.records.history(key)[0].fields == first.fields
    changes = {c.field: (c.change, c.before, c.after) for c in spine.records.diff(key, 1, 2)}
    assert changes == {
        "category": ("changed", "functional", "safety"),
        "rationale": ("added", None, "Hazard HS-2"),
    }


def test_stale_revise_conflicts_and_writes_nothing(spine: Spine) -> None:
    key = requirement(spine)
    spine.records.revise("eve", key, {"title": "Alice's edit"}, 1, "first")
    before = database_state(spine)
    with pytest.raises(Conflict, match="you acted on v1 but v2 is current"):
        spine.records.revise("quinn", key, {"title": "Bob's edit"}, 1, "second, stale")
    assert database_state(spine) == before
    assert spine.records.show(key).title == "Alice's edit"


def test_stale_transition_conflicts(spine: Spine) -> None:
    key = requirement(spine)
    spine.records.revise("eve", key, {"title": "v2"}, 1, "edit")
    with pytest.raises(Conflict):
        spine.records.transition("eve", key, "in_review", 1)


def test_revision_needs_a_reason_and_a_change(spine: Spine) -> None:
    key = requirement(spine)
    with pytest.raises(InvalidInput, match="needs a reason"):
        spine.records.revise("eve", key, {"title": "x"}, 1, " ")
    with pytest.raises(InvalidInput, match="changes nothing"):
        spine.records.revise("eve", key, {"title": "Show likelihood"}, 1, "no-op")


def test_permissions_are_checked_in_the_service(spine: Spine) -> None:
    before = database_state(spine)
    with pytest.raises(Forbidden, match=r"vic .* lacks write:requirement"):
        spine.records.create("vic", "requirement", sample_fields(PROFILE, "requirement"))
    with pytest.raises(Forbidden, match="not a user"):
        spine.records.create("mallory", "requirement", sample_fields(PROFILE, "requirement"))
    with pytest.raises(Forbidden, match="lacks write:capa"):
        spine.records.create("eve", "capa", sample_fields(PROFILE, "capa"))
    assert database_state(spine) == before


def test_list_filters_by_kind_status_field_and_text(spine: Spine) -> None:
    requirement(spine, "Display the malignancy likelihood", category="functional")
    requirement(spine, "Encrypt data at rest", category="security")
    spine.records.create("eve", "user_need", sample_fields(PROFILE, "user_need", "Fast triage"))
    total, rows = spine.records.list(kind="requirement")
    assert total == 2 and {r.key for r in rows} == {"REQ-1", "REQ-2"}
    assert [r.key for r in spine.records.list(where={"category": "security"})[1]] == ["REQ-2"]
    assert [r.key for r in spine.records.list(text="MALIGNANCY")[1]] == ["REQ-1"]
    assert spine.records.list(status="approved") == (0, [])
    assert [r.key for r in spine.records.list(limit=1, offset=1)[1]] == ["REQ-2"]
    with pytest.raises(InvalidInput, match="unknown kind"):
        spine.records.list(kind="nonsense")


def test_show_unknown_record_is_not_found(spine: Spine) -> None:
    with pytest.raises(NotFound, match="no record REQ-404"):
        spine.records.show("REQ-404")


def test_empty_batches_write_nothing(spine: Spine) -> None:
    before = database_state(spine)
    assert spine.records.create_many("eve", []) == []
    assert spine.links.link_many("eve", []) == 0
    assert database_state(spine) == before
