"""Links: profile-validated endpoints, review stamps, suspect on upstream revision, confirm."""

from __future__ import annotations

import pytest

from qspine import Conflict, InvalidInput, NewLink, NotFound, Spine, load_profile

from helpers import PASSWORD, database_state, sample_fields

PROFILE = load_profile()


def approved(spine: Spine, kind: str, title: str) -> str:
    key = spine.records.create("eve", kind, sample_fields(PROFILE, kind, title)).key
    version = spine.records.show(key).version.number
    spine.records.transition("eve", key, "in_review", version)
    spine.signing.sign("quinn", PASSWORD, key, "approved", version)
    return key


def test_suspect_appears_on_upstream_revision_and_clears_on_confirm(spine: Spine) -> None:
    req = approved(spine, "requirement", "Display likelihood")
    test = approved(spine, "test_case", "Likelihood display test")
    spine.links.link("eve", "verifies", test, req, "covers the display")
    assert not spine.links.of(test)[0][0].suspect

    spine.records.revise("eve", req, {"statement": "Display likelihood with 95% CI"}, 1, "CI")
    assert not spine.links.of(test)[0][0].suspect, "a draft revision is not yet in force"
    spine.records.transition("eve", req, "in_review", 2)
    spine.signing.sign("quinn", PASSWORD, req, "approved", 2)

    (link,) = spine.links.of(test)[0]
    assert link.suspect and link.target_version == 1 and link.target_released_version == 2
    assert [s.source for s in spine.links.suspect()] == [test]
    assert spine.records.show(req).links_in[0].suspect

    confirmed = spine.links.confirm("quinn", "verifies", test, req, "test still covers the CI")
    assert not confirmed.suspect and confirmed.target_version == 2
    assert spine.links.suspect() == []
    event = spine.audit.log(req)[0]
    assert (event.action, event.payload["from_version"]) == ("link.confirm", 1)


def test_link_endpoints_follow_the_profile(spine: Spine) -> None:
    req = approved(spine, "requirement", "R")
    hazard = spine.records.create("eve", "hazard", sample_fields(PROFILE, "hazard")).key
    before = database_state(spine)
    with pytest.raises(InvalidInput, match=r"'verifies' goes from test_case.* not from hazard"):
        spine.links.link("eve", "verifies", hazard, req)
    with pytest.raises(InvalidInput, match="unknown link type 'proves'"):
        spine.links.link("eve", "proves", hazard, req)
    with pytest.raises(NotFound, match="no record TC-77"):
        spine.links.link("eve", "verifies", "TC-77", req)
    with pytest.raises(InvalidInput, match="itself"):
        spine.links.link("eve", "derives_from", req, req)
    assert database_state(spine) == before


def test_duplicate_link_conflicts_and_batch_lands_whole_or_not_at_all(spine: Spine) -> None:
    need = spine.records.create("eve", "user_need", sample_fields(PROFILE, "user_need")).key
    reqs = [
        spine.records.create("eve", "requirement", sample_fields(PROFILE, "requirement")).key
        for _ in range(3)
    ]
    spine.links.link("eve", "derives_from", reqs[0], need)
    before = database_state(spine)
    with pytest.raises(Conflict, match="already exists"):
        spine.links.link_many(
            "eve", [NewLink("derives_from", reqs[1], need), NewLink("derives_from", reqs[0], need)]
        )
    assert database_state(spine) == before
    assert spine.links.link_many("eve", [NewLink("derives_from", r, need) for r in reqs[1:]]) == 2


def test_unlink_keeps_history_and_allows_relinking(spine: Spine) -> None:
    need = spine.records.create("eve", "user_need", sample_fields(PROFILE, "user_need")).key
    req = spine.records.create("eve", "requirement", sample_fields(PROFILE, "requirement")).key
    spine.links.link("eve", "derives_from", req, need)
    with pytest.raises(InvalidInput, match="needs a reason"):
        spine.links.unlink("eve", "derives_from", req, need, "")
    removed = spine.links.unlink("eve", "derives_from", req, need, "wrong parent")
    assert removed.removed_at is not None
    assert spine.links.of(req) == ([], [])
    spine.links.link("eve", "derives_from", req, need, "right after all")
    assert len(spine.links.of(req)[0]) == 1
    assert [e.action for e in spine.audit.log(req)[:3]] == [
        "link.create",
        "link.remove",
        "link.create",
    ]


def test_confirm_without_change_is_refused(spine: Spine) -> None:
    req = approved(spine, "requirement", "R")
    test = approved(spine, "test_case", "T")
    spine.links.link("eve", "verifies", test, req)
    with pytest.raises(InvalidInput, match="nothing to confirm"):
        spine.links.confirm("eve", "verifies", test, req)


def test_baseline_links_pin_their_version_and_never_turn_suspect(spine: Spine) -> None:
    req = approved(spine, "requirement", "Display likelihood")
    release = spine.records.create("eve", "release", sample_fields(PROFILE, "release")).key
    spine.links.link("eve", "baseline_of", release, req, "2.0 baseline")
    spine.records.revise("eve", req, {"statement": "Changed for 2.1"}, 1, "2.1 change")
    spine.records.transition("eve", req, "in_review", 2)
    spine.signing.sign("quinn", PASSWORD, req, "approved", 2)
    (pinned,) = spine.links.of(release)[0]
    assert pinned.target_version == 1 and not pinned.suspect
    assert spine.links.suspect() == [] and spine.summary.summary().suspect_links == 0
    with pytest.raises(InvalidInput, match="pins REQ-1 v1 on purpose"):
        spine.links.confirm("eve", "baseline_of", release, req)
