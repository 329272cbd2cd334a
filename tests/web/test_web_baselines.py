"""The baseline pages: the list and its capture form (refusals inline, input kept), one
baseline with its manifest, members and signatures, comparisons with another baseline, with
now and as of a past instant, and the record page's way to the baseline page."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from qspine import Spine
from qspine.model.asof import stamp
from qspine.store.schema import baseline_member

from .web_helpers import Browser, reapprove, traced_requirement
from helpers import PASSWORD, Clock

NEW_STATEMENT = "The label shall be readable at 40 cm."


@pytest.fixture
def designed(web_spine: Spine) -> Spine:
    """REQ-1 approved (v1), TC-1 a draft: a baseline of both kinds holds REQ-1 v1 only."""
    web_spine.context.clock = Clock()
    traced_requirement(web_spine)
    return web_spine


@pytest.fixture
def eve(signed_in: Callable[[str], Browser], designed: Spine) -> Browser:
    return signed_in("eve")


def capture(browser: Browser, title: str, **fields: object) -> str:
    """Post the capture form; returns the new baseline's key."""
    response = browser.post("/baselines", {"title": title, **fields})
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.endswith("?done=baseline")
    match = re.fullmatch(r"/baselines/(BL-\d+)\?done=baseline", location)
    assert match is not None
    return match.group(1)


def test_list_page_and_its_capture_form(eve: Browser, designed: Spine) -> None:
    page = eve.get("/baselines")
    assert page.status_code == 200
    text = page.text
    assert 'href="/baselines" aria-current="page">Baselines' in text
    assert "No baselines yet." in text and 'action="/baselines"' in text
    assert 'name="csrf_token"' in text and 'name="as_of"' in text
    assert 'value="requirement"' in text and 'value="test_case"' in text
    assert 'value="baseline"' not in text  # a managed kind is never a member
    kinds = eve.get("/baselines?format=json").json()["kinds"]
    assert "baseline" not in [kind["name"] for kind in kinds]
    assert len(kinds) == sum(not spec.managed for spec in designed.profile.kinds.values())


def test_capture_show_and_list(eve: Browser, designed: Spine) -> None:
    key = capture(
        eve,
        "Design baseline 1",
        kinds=["requirement", "test_case"],
        description="For design review 1.",
    )
    assert key == "BL-1"
    page = eve.get(f"/baselines/{key}?done=baseline").text
    assert "Baseline captured as a draft" in page
    assert '<span class="key">BL-1</span> Design baseline 1</h1>' in page
    assert "1 member version" in page and "✓ Intact" in page and "Manifest broken" not in page
    view = designed.baselines.show(designed.users.get("eve"), key)
    assert view.manifest in page and "For design review 1." in page
    members = page.split('id="members"', 1)[1]
    assert 'href="/records/REQ-1"' in members and "v1" in members and "TC-1" not in members
    assert "Not signed yet." in page
    assert 'href="/records/BL-1/sign?meaning=approved"' in page  # the ordinary signing flow

    listed = eve.get("/baselines").text
    row = listed.split("<tbody>", 1)[1]
    assert 'href="/baselines/BL-1"' in row and "Design baseline 1" in row and "Draft" in row
    data = eve.get("/baselines?format=json").json()["baselines"]
    assert [(b["key"], b["member_count"], b["status"]) for b in data] == [("BL-1", 1, "draft")]
    assert data[0]["taken_at"] == view.taken_at.isoformat().replace("+00:00", "Z")


def test_approved_baseline_shows_its_signature(eve: Browser, designed: Spine) -> None:
    key = capture(eve, "Design baseline 1", kinds=["requirement"])
    draft_at = designed.context.clock.mark()  # type: ignore[attr-defined]
    designed.signing.sign("quinn", PASSWORD, key, "approved", 1, "design review 1")
    before = eve.get(f"/baselines/{key}?as_of={stamp(draft_at)}").text
    assert "read-only history" in before and "Not signed yet." in before
    page = eve.get(f"/baselines/{key}").text
    assert "Approved" in page and "Quinn Quality" in page and "design review 1" in page
    assert "Verifies against the baseline" in page
    assert eve.get(f"/baselines/{key}?format=json").json()["baseline"]["status"] == "approved"


def test_compare_with_another_baseline_shows_the_changed_field(
    eve: Browser, designed: Spine
) -> None:
    capture(eve, "Design baseline 1", kinds=["requirement", "test_case"])
    reapprove(designed, "REQ-1", {"statement": NEW_STATEMENT})
    designed.records.transition("eve", "TC-1", "in_review", 1)
    designed.signing.sign("quinn", PASSWORD, "TC-1", "approved", 1)
    second = capture(eve, "Design baseline 2", kinds=["requirement", "test_case"])

    form = eve.get("/baselines/BL-1").text
    assert '<option value="BL-2">BL-2 — Design baseline 2 (Draft)</option>' in form
    response = eve.get(f"/baselines/BL-1/compare?with={second}")
    assert response.status_code == 200, response.text
    page = response.text
    assert "BL-1 (Design baseline 1)" in page and "BL-2 (Design baseline 2)" in page
    tiles = page.split('class="stats four"', 1)[1].split("</ul>", 1)[0]
    counts = re.findall(r'stat-value">(\d+)</span><span class="stat-label">(\w+)', tiles)
    assert counts == [("1", "added"), ("0", "removed"), ("1", "changed"), ("0", "unchanged")]
    added = page.split('id="added"', 1)[1].split("</section>", 1)[0]
    assert 'href="/records/TC-1"' in added and "v1" in added
    changed = page.split('id="changed"', 1)[1].split("</section>", 1)[0]
    assert 'href="/records/REQ-1"' in changed and "v1 → v2" in changed
    assert '<th scope="row">Statement</th>' in changed
    assert NEW_STATEMENT in changed
    old = designed.records.history("REQ-1")[0].fields["statement"]
    assert html.escape(old, quote=True) in changed or old in changed

    data = eve.get(f"/baselines/BL-1/compare?with={second}&format=json").json()
    comparison = data["comparison"]
    assert (comparison["added"], comparison["removed"], comparison["changed"]) == (1, 0, 1)
    (req,) = [c for c in comparison["changes"] if c["change"] == "changed"]
    assert [(f["field"], f["after"]) for f in req["fields"]] == [("statement", NEW_STATEMENT)]


def test_compare_with_now_and_as_of(eve: Browser, designed: Spine) -> None:
    capture(eve, "Design baseline 1", kinds=["requirement"])
    before = designed.context.clock.mark()  # type: ignore[attr-defined]
    reapprove(designed, "REQ-1", {"statement": NEW_STATEMENT})

    now = eve.get("/baselines/BL-1/compare")
    assert now.status_code == 200
    assert "compared with</span> now" in now.text and "v1 → v2" in now.text
    assert NEW_STATEMENT in now.text

    blank = eve.get("/baselines/BL-1/compare?with=&as_of=")  # the form sent empty: now
    assert "compared with</span> now" in blank.text

    then = eve.get(f"/baselines/BL-1/compare?as_of={stamp(before)}")
    assert then.status_code == 200
    assert "No differences" in then.text and "v1 → v2" not in then.text
    data = eve.get(f"/baselines/BL-1/compare?as_of={stamp(before)}&format=json").json()
    assert data["comparison"]["changes"] == [] and data["comparison"]["unchanged"] == 1
    assert data["comparison"]["right"].startswith("as of ")


def test_compare_refusals_are_clear(eve: Browser, designed: Spine) -> None:
    capture(eve, "Design baseline 1", kinds=["requirement"])
    capture(eve, "Design baseline 2", kinds=["requirement"])
    both = eve.get("/baselines/BL-1/compare?with=BL-2&as_of=2026-03-02T09:00:00Z")
    assert both.status_code == 422 and "not both" in both.text
    bad = eve.get("/baselines/BL-1/compare?as_of=whenever")
    assert bad.status_code == 422 and "as-of &#39;whenever&#39;" in bad.text
    assert eve.get("/baselines/BL-1/compare?with=REQ-1").status_code == 404
    missing = eve.get("/baselines/REQ-1")
    assert missing.status_code == 404 and "REQ-1 is a requirement, not a baseline" in missing.text
    assert eve.get("/baselines/BL-9").status_code == 404


def test_refused_capture_keeps_the_input(eve: Browser, designed: Spine) -> None:
    nothing = eve.post("/baselines", {"title": "Empty", "description": "kept"})
    assert nothing.status_code == 422
    assert "name kinds and/or record keys" in nothing.text and 'role="alert"' in nothing.text
    assert 'value="Empty"' in nothing.text and ">kept</textarea>" in nothing.text

    untitled = eve.post("/baselines", {"title": "", "kinds": ["requirement"]})
    assert untitled.status_code == 422 and "field &#39;title&#39; is required" in untitled.text
    assert 'aria-invalid="true" aria-describedby="capture-error"' in untitled.text
    assert 'value="requirement" checked' in untitled.text

    unreleased = eve.post("/baselines", {"title": "T", "keys": "tc-1"})
    assert unreleased.status_code == 422 and "TC-1 had no released version" in unreleased.text
    assert 'value="tc-1"' in unreleased.text

    bad_time = eve.post("/baselines", {"title": "T", "kinds": ["requirement"], "as_of": "soon"})
    assert bad_time.status_code == 422 and 'value="soon"' in bad_time.text
    assert 'aria-describedby="bl-as-of-help capture-error" aria-invalid="true"' in bad_time.text

    forged = eve.post("/baselines", {"title": "T", "kinds": ["requirement"], "csrf_token": "x"})
    assert forged.status_code == 403
    assert designed.baselines.list(designed.users.get("eve")) == []


def test_capture_as_of_a_past_instant_and_by_key(eve: Browser, designed: Spine) -> None:
    before = designed.context.clock.mark()  # type: ignore[attr-defined]
    reapprove(designed, "REQ-1", {"statement": NEW_STATEMENT})
    key = capture(eve, "As it was", keys="req-1", as_of=stamp(before))
    view = designed.baselines.show(designed.users.get("eve"), key)
    assert [(m.key, m.version) for m in view.members] == [("REQ-1", 1)]
    assert view.taken_at == before and view.keys == ("REQ-1",)


def test_a_viewer_reads_but_cannot_capture(
    signed_in: Callable[[str], Browser], designed: Spine
) -> None:
    designed.baselines.create("quinn", "Design baseline 1", kinds=["requirement"])
    vic = signed_in("vic")
    listed = vic.get("/baselines").text
    assert 'href="/baselines/BL-1"' in listed and 'action="/baselines"' not in listed
    page = vic.get("/baselines/BL-1").text
    assert "/sign?meaning=" not in page and "need a role you do not have" in page
    refused = vic.post("/baselines", {"title": "T", "kinds": ["requirement"]})
    assert refused.status_code == 403
    assert len(designed.baselines.list(designed.users.get("vic"))) == 1


def test_record_page_of_a_baseline_links_to_its_baseline_page(
    eve: Browser, designed: Spine
) -> None:
    capture(eve, "Design baseline 1", kinds=["requirement"])
    page = eve.get("/records/BL-1").text
    assert 'href="/baselines/BL-1"' in page and "is a baseline" in page
    assert 'href="/records/BL-1/edit"' not in page  # baselines are never revised
    assert 'href="/baselines/' not in eve.get("/records/REQ-1").text
    assert eve.get("/records/BL-1?format=json").json()["baseline_href"] == "/baselines/BL-1"
    assert 'href="/records/new?kind=baseline"' not in eve.get("/records/new").text


def test_a_broken_manifest_is_shown(eve: Browser, designed: Spine) -> None:
    capture(eve, "Design baseline 1", kinds=["requirement"])
    with designed.context.engine.begin() as connection:
        connection.execute(sa.update(baseline_member).values(fingerprint="0" * 64))
    page = eve.get("/baselines/BL-1").text
    assert "Manifest broken" in page and 'role="alert"' in page and "✓ Intact" not in page
    assert eve.get("/baselines/BL-1?format=json").json()["baseline"]["intact"] is False
