"""Forms: create and edit records, transitions, signing, links, users and tokens.

Refusals come back as the same form with the service's message next to the field and the
person's input kept; nothing is written when anything is refused.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest

from qspine import Spine

from .web_helpers import Browser, traced_requirement
from helpers import PASSWORD, database_state


@pytest.fixture
def eve(signed_in: Callable[[str], Browser]) -> Browser:
    return signed_in("eve")


def text(response: object) -> str:
    return html.unescape(getattr(response, "text", ""))


def field_error(page: str, name: str) -> str:
    match = re.search(rf'<p class="field-error" id="e-{name}">([^<]*)</p>', page)
    assert match is not None, f"no error shown at field {name}"
    return html.unescape(match.group(1))


def test_create_a_record_from_the_generated_form(eve: Browser, web_spine: Spine) -> None:
    form = eve.get("/records/new?kind=requirement").text
    assert '<textarea id="f-statement" name="field.statement"' in form
    assert '<select id="f-category" name="field.category"' in form
    response = eve.post(
        "/records/new",
        {
            "kind": "requirement",
            "field.title": "Show likelihood",
            "field.statement": "Line one\r\nLine two",
            "field.category": "safety",
            "field.level": "",
            "reason": "from DR-1",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/records/REQ-1?done=created"
    view = web_spine.records.show("REQ-1")
    assert view.version.fields == {
        "title": "Show likelihood",
        "statement": "Line one\nLine two",
        "category": "safety",
    }
    assert view.version.reason == "from DR-1"
    assert "Record created." in eve.get(response.headers["location"]).text


def test_refused_create_shows_the_error_at_the_field_and_keeps_input(
    eve: Browser, web_spine: Spine
) -> None:
    before = database_state(web_spine)
    response = eve.post(
        "/records/new",
        {"kind": "requirement", "field.statement": "Kept <text>", "field.category": "safety"},
    )
    assert response.status_code == 422
    page = response.text
    assert field_error(page, "title") == "new requirement: field 'title' is required"
    assert 'aria-invalid="true"' in page and 'role="alert"' in page
    assert "Kept &lt;text&gt;</textarea>" in page
    assert '<option value="safety" selected>' in page
    assert database_state(web_spine) == before


def test_typed_fields_are_parsed_with_errors_per_field(eve: Browser, web_spine: Spine) -> None:
    before = database_state(web_spine)
    response = eve.post(
        "/records/new",
        {
            "kind": "test_case",
            "field.title": "T",
            "field.method": "test",
            "field.procedure": "p",
            "field.acceptance_criteria": "a",
            "field.sample_size": "lots",
        },
    )
    assert response.status_code == 422
    assert field_error(response.text, "sample_size") == (
        "new test_case: field 'sample_size': 'lots' is not a whole number"
    )
    assert 'value="lots"' in response.text
    response = eve.post(
        "/records/new",
        {
            "kind": "test_case",
            "field.title": "T",
            "field.method": "test",
            "field.procedure": "p",
            "field.acceptance_criteria": "a",
            "field.sample_size": "0",
        },
    )
    assert response.status_code == 422
    assert "below the minimum 1" in field_error(response.text, "sample_size")
    assert database_state(web_spine) == before


def test_bool_list_and_datetime_controls_round_trip(
    signed_in: Callable[[str], Browser], web_spine: Spine
) -> None:
    quinn = signed_in("quinn")
    form = quinn.get("/records/new?kind=software_item").text
    assert 'type="checkbox" id="f-soup" name="field.soup" value="true"' in form
    created = quinn.post(
        "/records/new",
        {
            "kind": "software_item",
            "field.title": "nginx",
            "field.safety_class": "B",
            "field.soup": "true",
        },
    )
    assert created.status_code == 303
    assert web_spine.records.show("SWI-1").version.fields["soup"] is True
    created = quinn.post(
        "/records/new",
        {
            "kind": "vulnerability",
            **_required(web_spine, "vulnerability"),
            "field.cwe": "CWE-400, CWE-770",
        },
    )
    assert created.status_code == 303, text(created)
    assert web_spine.records.show("VULN-1").version.fields["cwe"] == ["CWE-400", "CWE-770"]
    edit = quinn.get("/records/VULN-1/edit").text
    assert 'value="CWE-400, CWE-770"' in edit
    created = quinn.post(
        "/records/new",
        {**_required(web_spine, "test_result"), "field.executed_on": "2026-03-01T10:15"},
    )
    assert created.status_code == 303, text(created)
    fields = web_spine.records.show("TR-1").version.fields
    assert fields["executed_on"] == "2026-03-01T10:15:00Z"
    assert 'value="2026-03-01T10:15:00"' in quinn.get("/records/TR-1/edit").text


def _required(spine: Spine, kind: str) -> dict[str, str]:
    """Form values for the required fields of `kind` (what the test does not care about)."""
    values = {"kind": kind}
    for name, spec in spine.profile.kinds[kind].fields.items():
        if not spec.required:
            continue
        if spec.type == "enum":
            value = spec.values[0]
        elif spec.type == "date":
            value = "2026-03-01"
        elif spec.type == "datetime":
            value = "2026-03-01T10:00"
        else:
            value = f"sample {name}"
        values[f"field.{name}"] = value
    return values


def test_edit_makes_a_new_version_and_needs_a_reason(eve: Browser, web_spine: Spine) -> None:
    traced_requirement(web_spine)
    form = eve.get("/records/TC-1/edit").text
    assert '<input type="hidden" name="expected_version" value="1">' in form
    before = database_state(web_spine)
    changed = {"field.title": "Check it twice", "field.method": "test", "expected_version": "1"}
    missing = eve.post("/records/TC-1/edit", {**_current(web_spine, "TC-1"), **changed})
    assert missing.status_code == 422
    assert "TC-1: a revision needs a reason" in text(missing)
    assert 'value="Check it twice"' in missing.text
    assert database_state(web_spine) == before
    saved = eve.post(
        "/records/TC-1/edit", {**_current(web_spine, "TC-1"), **changed, "reason": "clarify"}
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/records/TC-1?done=revised"
    view = web_spine.records.show("TC-1")
    assert (view.latest_version, view.title, view.version.reason) == (
        2,
        "Check it twice",
        "clarify",
    )
    unchanged = eve.post(
        "/records/TC-1/edit",
        {**_current(web_spine, "TC-1"), "expected_version": "2", "reason": "again"},
    )
    assert unchanged.status_code == 422 and "the revision changes nothing" in text(unchanged)


def _current(spine: Spine, key: str) -> dict[str, str]:
    fields = spine.records.show(key).version.fields
    return {f"field.{name}": str(value) for name, value in fields.items()}


def test_edit_after_someone_else_changed_the_record_is_a_conflict(
    eve: Browser, web_spine: Spine
) -> None:
    traced_requirement(web_spine)
    web_spine.records.revise("quinn", "TC-1", {"title": "Quinn's title"}, 1, "mine first")
    before = database_state(web_spine)
    response = eve.post(
        "/records/TC-1/edit",
        {
            **_current(web_spine, "TC-1"),
            "field.title": "Eve's",
            "expected_version": "1",
            "reason": "r",
        },
    )
    assert response.status_code == 409
    page = text(response)
    assert "Someone changed this record." in page
    assert "you acted on v1 but v2 is current" in page
    assert 'value="Eve\'s"' in page
    assert database_state(web_spine) == before


def test_transition_buttons_and_their_refusals(eve: Browser, web_spine: Spine) -> None:
    traced_requirement(web_spine)
    moved = eve.post("/records/TC-1/transition", {"to": "in_review", "expected_version": "1"})
    assert moved.status_code == 303 and moved.headers["location"] == "/records/TC-1?done=transition"
    assert web_spine.records.show("TC-1").status == "in_review"
    stale = eve.post("/records/TC-1/transition", {"to": "draft", "expected_version": "0"})
    assert stale.status_code == 409 and "Someone changed this first" in stale.text
    gated = eve.post("/records/TC-1/transition", {"to": "approved", "expected_version": "1"})
    assert gated.status_code == 403 and "sign it instead" in gated.text
    assert web_spine.records.show("TC-1").status == "in_review"


def test_signing_with_a_wrong_password_signs_nothing(
    signed_in: Callable[[str], Browser], web_spine: Spine
) -> None:
    traced_requirement(web_spine)
    web_spine.records.transition("eve", "TC-1", "in_review", 1)
    quinn = signed_in("quinn")
    page = quinn.get("/records/TC-1/sign?meaning=approved").text
    assert web_spine.profile.meanings["approved"].statement in page
    assert 'type="password"' in page and "The record moves to" in page
    form = {"meaning": "approved", "expected_version": "1", "reason": "ok"}
    refused = quinn.post("/records/TC-1/sign", {**form, "password": "not it at all"})
    assert refused.status_code == 401
    assert "Not signed." in refused.text and "wrong username or password" in refused.text
    assert web_spine.records.show("TC-1").signatures == []
    assert web_spine.records.show("TC-1").status == "in_review"
    signed = quinn.post("/records/TC-1/sign", {**form, "password": PASSWORD})
    assert signed.status_code == 303
    assert signed.headers["location"] == "/records/TC-1?done=signed#signatures"
    (signature,) = web_spine.records.show("TC-1").signatures
    record_page = quinn.get("/records/TC-1").text
    assert signature.manifestation in record_page
    assert "Verifies against v1" in record_page
    assert web_spine.records.show("TC-1").status == "approved"


def test_refused_preflight_shows_the_reason_instead_of_the_form(
    eve: Browser, web_spine: Spine
) -> None:
    traced_requirement(web_spine)
    web_spine.records.transition("eve", "TC-1", "in_review", 1)
    response = eve.get("/records/TC-1/sign?meaning=approved")
    assert response.status_code == 403
    assert "separation of duties" in text(response)
    assert 'type="password"' not in response.text
    assert eve.get("/records/TC-1/sign?meaning=released").status_code == 403
    unknown = eve.get("/records/TC-1/sign?meaning=blessed")
    assert unknown.status_code == 422 and "unknown signature meaning" in text(unknown)


def test_link_form_creates_links_and_shows_refusals_inline(eve: Browser, web_spine: Spine) -> None:
    traced_requirement(web_spine)
    page = eve.get("/records/TC-1").text
    assert '<option value="verifies"' in page
    made = eve.post("/records/TC-1/links", {"type": "verifies", "target": "req-1 "})
    assert made.status_code == 409 and "already exists" in text(made)
    web_spine.records.create("eve", "user_need", {"title": "Need", "statement": "S"})
    before = database_state(web_spine)
    wrong = eve.post("/records/TC-1/links", {"type": "verifies", "target": "UN-1"})
    assert wrong.status_code == 422
    assert "'verifies' goes from test_case to" in text(wrong)
    assert 'id="link-target" name="target" type="text" value="UN-1"' in wrong.text
    missing = eve.post("/records/TC-1/links", {"type": "verifies", "target": "REQ-404"})
    assert missing.status_code == 404 and "no record REQ-404" in text(missing)
    assert database_state(web_spine) == before
    web_spine.records.create("eve", "requirement", {"title": "Two", "statement": "S"})
    made = eve.post("/records/TC-1/links", {"type": "verifies", "target": "REQ-2"})
    assert made.status_code == 303
    assert [link.target for link in web_spine.links.of("TC-1")[0]] == ["REQ-1", "REQ-2"]


def test_admin_adds_users_changes_roles_and_deactivates(
    signed_in: Callable[[str], Browser], web_spine: Spine
) -> None:
    ada = signed_in("ada")
    page = ada.get("/admin/users").text
    assert "Vic Viewer" in page and "Roles of vic" in page
    new = {"username": "tess", "full_name": "Tess Tester", "password": PASSWORD}
    added = ada.post("/admin/users", {**new, "roles": ["test_engineer", "viewer"]})
    assert added.status_code == 303
    assert web_spine.users.get("tess").roles == ("test_engineer", "viewer")
    again = ada.post("/admin/users", {**new, "roles": "viewer"})
    assert again.status_code == 409 and "already exists" in again.text
    assert 'value="Tess Tester"' in again.text and PASSWORD not in again.text
    short = ada.post("/admin/users", {**new, "username": "tim", "password": "short"})
    assert short.status_code == 422 and "at least" in short.text
    roles = ada.post("/admin/users/tess/roles", {"roles": "auditor", "reason": "moved"})
    assert roles.status_code == 303 and web_spine.users.get("tess").roles == ("auditor",)
    off = ada.post("/admin/users/tess/active", {"active": "false", "reason": "left"})
    assert off.status_code == 303 and web_spine.users.get("tess").active is False
    assert "Inactive" in ada.get("/admin/users").text
    users = ada.get("/admin/users?format=json").json()["users"]
    assert {"tess", "ada"} <= {user["username"] for user in users}


def test_tokens_need_the_password_show_the_secret_once_and_revoke(
    eve: Browser, web_spine: Spine
) -> None:
    refused = eve.post("/tokens", {"name": "ci", "days": "30", "password": "wrong one"})
    assert refused.status_code == 401 and web_spine.access.tokens("eve") == []
    created = eve.post("/tokens", {"name": "ci", "days": "30", "password": PASSWORD})
    assert created.status_code == 201
    secret = re.search(r'id="secret" class="mono" type="text" value="(qsp_[^"]+)"', created.text)
    assert secret is not None
    assert web_spine.access.user_for_token(secret.group(1)).username == "eve"
    assert secret.group(1) not in eve.get("/tokens").text
    (token,) = web_spine.access.tokens("eve")
    revoked = eve.post(f"/tokens/{token.id}/revoke")
    assert revoked.status_code == 303 and revoked.headers["location"] == "/tokens?done=revoked"
    assert web_spine.access.tokens("eve")[0].revoked_at is not None
    bad_days = eve.post("/tokens", {"name": "ci", "days": "999", "password": PASSWORD})
    assert bad_days.status_code == 422 and "choose 1 to 366" in bad_days.text
