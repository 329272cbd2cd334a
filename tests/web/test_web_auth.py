"""Signing in and out, the session cookie, idle timeout, CSRF and permission refusals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from qspine import Spine
from qspine.app import create_app

from .web_helpers import Browser, csrf_of, login
from helpers import PASSWORD, database_state, sample_fields


def test_pages_send_signed_out_visitors_to_login(client: TestClient) -> None:
    response = client.get("/records?kind=requirement", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == (
        "/login?next=%2Frecords%3Fkind%3Drequirement&reason=required"
    )
    page = client.get(response.headers["location"])
    assert "Please sign in to continue." in page.text
    assert 'name="next" value="/records?kind=requirement"' in page.text


def test_json_twin_of_a_page_answers_401_when_signed_out(client: TestClient) -> None:
    response = client.get("/?format=json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_login_sets_an_httponly_lax_cookie_and_follows_next(client: TestClient) -> None:
    response = client.post(
        "/login",
        data={"username": "eve", "password": PASSWORD, "next": "/records"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/records"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("qspine_session=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie
    assert "Eve Engineer" in client.get("/").text


def test_cookie_is_secure_over_https(web_spine: Spine) -> None:
    with TestClient(create_app(web_spine), base_url="https://testserver") as client:
        response = client.post(
            "/login", data={"username": "eve", "password": PASSWORD}, follow_redirects=False
        )
    assert "Secure" in response.headers["set-cookie"]


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "records"])
def test_login_never_redirects_off_site(client: TestClient, target: str) -> None:
    response = client.post(
        "/login",
        data={"username": "eve", "password": PASSWORD, "next": target},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_wrong_password_is_refused_with_the_username_kept(
    client: TestClient, web_spine: Spine
) -> None:
    response = client.post("/login", data={"username": "eve", "password": "wrong password"})
    assert response.status_code == 401
    assert "wrong username or password" in response.text
    assert 'value="eve"' in response.text
    assert "set-cookie" not in response.headers
    assert web_spine.audit.log(limit=1)[0].action == "auth.failed"


def test_logout_ends_the_session_on_the_server(client: TestClient, web_spine: Spine) -> None:
    csrf = login(client, "eve")
    secret = client.cookies["qspine_session"]
    response = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?reason=signed_out"
    assert 'qspine_session=""' in response.headers["set-cookie"]
    (event,) = web_spine.audit.log(subject="user:eve", limit=1)
    assert (event.action, event.reason) == ("session.end", "logout")
    # The old cookie, replayed, no longer opens a session.
    replay = TestClient(client.app, cookies={"qspine_session": secret})
    assert replay.get("/", follow_redirects=False).status_code == 303


def test_logout_without_the_csrf_token_is_refused(client: TestClient) -> None:
    login(client, "eve")
    response = client.post("/logout", data={"csrf_token": "forged"})
    assert response.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200


def test_idle_session_times_out_and_says_so(client: TestClient, web_spine: Spine) -> None:
    login(client, "eve")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=31)
    web_spine.context.clock = lambda: later
    response = client.get("/records/REQ-1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Frecords%2FREQ-1&reason=expired"
    assert "Your session timed out" in client.get(response.headers["location"]).text


def _create_form(csrf: str) -> dict[str, str]:
    return {
        "csrf_token": csrf,
        "kind": "requirement",
        "field.title": "Show likelihood",
        "field.statement": "The system shall show the likelihood.",
    }


@pytest.mark.parametrize("token", ["", "forged-token"])
def test_forged_or_missing_csrf_token_writes_nothing(
    signed_in: Callable[[str], Browser], web_spine: Spine, token: str
) -> None:
    eve = signed_in("eve")
    requirement = web_spine.records.create(
        "eve", "requirement", sample_fields(web_spine.profile, "requirement")
    )
    before = database_state(web_spine)
    posts = {
        "/records/new": _create_form(token),
        f"/records/{requirement.key}/transition": {"to": "in_review", "expected_version": "1"},
        f"/records/{requirement.key}/edit": {
            "field.title": "Changed",
            "expected_version": "1",
            "reason": "r",
        },
        f"/records/{requirement.key}/sign": {
            "meaning": "authored",
            "expected_version": "1",
            "password": PASSWORD,
        },
        "/tokens": {"name": "ci", "days": "30", "password": PASSWORD},
    }
    for url, form in posts.items():
        response = eve.post(url, {**form, "csrf_token": token})
        assert response.status_code == 403, url
        assert "security token (CSRF)" in response.text
    assert database_state(web_spine) == before


def test_csrf_token_of_another_session_is_refused(
    signed_in: Callable[[str], Browser], web_spine: Spine
) -> None:
    eve, quinn = signed_in("eve"), signed_in("quinn")
    assert eve.csrf != quinn.csrf
    before = database_state(web_spine)
    assert eve.post("/records/new", _create_form(quinn.csrf)).status_code == 403
    assert database_state(web_spine) == before


def test_viewer_cannot_create_records(
    signed_in: Callable[[str], Browser], web_spine: Spine
) -> None:
    vic = signed_in("vic")
    assert vic.get("/records/new?kind=requirement").status_code == 403
    assert "Your roles do not allow creating records" in vic.get("/records/new").text
    before = database_state(web_spine)
    response = vic.post("/records/new", _create_form(vic.csrf))
    assert response.status_code == 403
    assert "lacks write:requirement" in response.text
    assert database_state(web_spine) == before


def test_viewer_sees_no_write_controls(
    signed_in: Callable[[str], Browser], web_spine: Spine
) -> None:
    requirement = web_spine.records.create(
        "eve", "requirement", sample_fields(web_spine.profile, "requirement")
    )
    page = signed_in("vic").get(f"/records/{requirement.key}").text
    assert "Edit (new version)" not in page
    assert "Add a link" not in page
    assert "/transition" not in page
    assert "need a role you do not have" in page


def test_only_admins_reach_user_administration(
    signed_in: Callable[[str], Browser], web_spine: Spine
) -> None:
    eve = signed_in("eve")
    page = eve.get("/admin/users")
    assert page.status_code == 403 and "lacks admin" in page.text
    assert 'href="/admin/users"' not in eve.get("/").text
    before = database_state(web_spine)
    response = eve.post(
        "/admin/users",
        {"username": "mallory", "full_name": "M", "password": PASSWORD, "roles": "admin"},
    )
    assert response.status_code == 403
    assert (
        eve.post("/admin/users/vic/active", {"active": "false", "reason": "x"}).status_code == 403
    )
    assert database_state(web_spine) == before
    assert 'href="/admin/users"' in signed_in("ada").get("/").text


def test_login_page_is_reachable_with_a_stale_cookie(web_spine: Spine) -> None:
    client = TestClient(create_app(web_spine), cookies={"qspine_session": "stale"})
    response = client.get("/", follow_redirects=False)
    assert response.headers["location"] == "/login?next=%2F&reason=required"
    assert csrf_of(client.post("/login", data={"username": "eve", "password": PASSWORD}).text)
