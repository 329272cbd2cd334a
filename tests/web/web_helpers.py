"""Helpers for the web tests: the four standard users, signing in, reading a CSRF token."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from qspine import Spine

from helpers import PASSWORD, sample_fields


def four_users(spine: Spine) -> Spine:
    spine.users.add("bootstrap", "ada", "Ada Lovelace", PASSWORD, ["admin"])
    spine.users.add("ada", "eve", "Eve Engineer", PASSWORD, ["design_engineer"])
    spine.users.add("ada", "quinn", "Quinn Quality", PASSWORD, ["qa_ra_lead"])
    spine.users.add("ada", "vic", "Vic Viewer", PASSWORD, ["viewer"])
    return spine


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the form; returns the session's CSRF token (read from a page)."""
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return csrf_of(client.get("/").text)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match is not None, "no CSRF token on the page"
    return match.group(1)


@dataclass
class Browser:
    """A signed-in TestClient and the CSRF token its forms carry."""

    client: TestClient
    csrf: str

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """POST a form with this session's CSRF token (unless the data brings its own)."""
        form = {"csrf_token": self.csrf, **(data or {})}
        return self.client.post(url, data=form, follow_redirects=False, **kwargs)


def traced_requirement(spine: Spine) -> None:
    """REQ-1 approved by quinn (written by eve) and verified by TC-1 (a draft)."""
    profile = spine.profile
    spine.records.create("eve", "requirement", sample_fields(profile, "requirement", "Show it"))
    spine.records.create("eve", "test_case", sample_fields(profile, "test_case", "Check it"))
    spine.links.link("eve", "verifies", "TC-1", "REQ-1")
    spine.records.transition("eve", "REQ-1", "in_review", 1)
    spine.signing.sign("quinn", PASSWORD, "REQ-1", "approved", 1, "looks right")


def reapprove(spine: Spine, key: str, changes: dict[str, Any]) -> None:
    """A new version of `key` by eve, approved by quinn: links to it turn suspect."""
    current = spine.records.show(key).latest_version
    spine.records.revise("eve", key, changes, current, "tighten it")
    spine.records.transition("eve", key, "in_review", current + 1)
    spine.signing.sign("quinn", PASSWORD, key, "approved", current + 1)


def extend(spine: Spine, records: list[tuple[str, str]], links: list[tuple[str, str, str]]) -> None:
    """Add records (kind, title) and then links (type, source, target), as quinn."""
    from qspine import NewLink, NewRecord

    spine.records.create_many(
        "quinn",
        [NewRecord(kind, sample_fields(spine.profile, kind, title)) for kind, title in records],
    )
    spine.links.link_many("quinn", [NewLink(*link) for link in links])
