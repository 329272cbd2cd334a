"""Signatures: re-authentication, separation of duties, manifestation, content binding."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from qspine import AuthenticationFailed, Conflict, Forbidden, InvalidInput, Spine, load_profile

from helpers import PASSWORD, database_state, sample_fields, tamper_fields

PROFILE = load_profile()


def in_review(spine: Spine, author: str = "eve") -> str:
    key = spine.records.create(author, "requirement", sample_fields(PROFILE, "requirement")).key
    spine.records.transition(author, key, "in_review", 1)
    return key


def test_author_cannot_approve_own_version(spine: Spine) -> None:
    spine.users.set_roles("ada", "eve", ["design_engineer", "qa_ra_lead"], "acting lead")
    key = in_review(spine)
    before = database_state(spine)
    with pytest.raises(Forbidden, match="separation of duties"):
        spine.signing.sign("eve", PASSWORD, key, "approved", 1)
    assert database_state(spine) == before
    signed = spine.signing.sign("quinn", PASSWORD, key, "approved", 1, "meets 7.3.3")
    assert signed.signer == "quinn" and spine.records.show(key).status == "approved"


def test_reviewer_may_sign_non_gating_meaning_without_transition(spine: Spine) -> None:
    key = in_review(spine)
    spine.signing.sign("quinn", PASSWORD, key, "reviewed", 1)
    view = spine.records.show(key)
    assert view.status == "in_review" and [s.meaning for s in view.signatures] == ["reviewed"]


def test_gating_meaning_in_wrong_state_is_refused(spine: Spine) -> None:
    key = spine.records.create("eve", "requirement", sample_fields(PROFILE, "requirement")).key
    with pytest.raises(InvalidInput, match="not what this state needs"):
        spine.signing.sign("quinn", PASSWORD, key, "approved", 1)


def test_wrong_password_signs_nothing(spine: Spine) -> None:
    key = in_review(spine)
    with pytest.raises(AuthenticationFailed):
        spine.signing.sign("quinn", "not the password", key, "approved", 1)
    view = spine.records.show(key)
    assert view.signatures == [] and view.status == "in_review"
    assert spine.audit.log("user:quinn")[0].action == "auth.failed"


def test_signer_needs_the_meaning_permission(spine: Spine) -> None:
    key = in_review(spine)
    with pytest.raises(Forbidden, match="lacks sign:approved"):
        spine.signing.sign("vic", PASSWORD, key, "approved", 1)


def test_manifestation_shows_printed_name_meaning_and_utc_time(spine: Spine) -> None:
    key = in_review(spine)
    signed = spine.signing.sign("quinn", PASSWORD, key, "approved", 1)
    assert signed.printed_name == "Quinn Quality" and signed.meaning_title == "Approved"
    assert signed.manifestation.startswith("Quinn Quality (quinn) — Approved — ")
    assert signed.manifestation.endswith(" UTC")


def test_signature_no_longer_verifies_after_content_change(spine: Spine) -> None:
    key = in_review(spine)
    spine.signing.sign("quinn", PASSWORD, key, "approved", 1)
    assert spine.records.show(key).signatures[0].valid
    tamper_fields(spine, key, statement="Silently weakened requirement")
    assert not spine.records.show(key).signatures[0].valid
    report = spine.audit.verify()
    assert not report.intact
    assert any(f"{key} v1: content does not match" in p for p in report.problems)


def test_signature_binding_detects_edited_signature(spine: Spine) -> None:
    key = in_review(spine)
    spine.signing.sign("quinn", PASSWORD, key, "approved", 1)
    with spine.context.engine.begin() as connection:
        connection.execute(sa.text("UPDATE signature SET printed_name = 'Mallory'"))
    assert not spine.records.show(key).signatures[0].valid
    assert any("no longer verifies" in p for p in spine.audit.verify().problems)


def test_stale_expected_version_on_sign_conflicts(spine: Spine) -> None:
    key = in_review(spine)
    with pytest.raises(Conflict, match="reload"):
        spine.signing.sign("quinn", PASSWORD, key, "approved", 2)
