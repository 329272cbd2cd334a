"""Helpers for API tests: a bearer header for a user, and the one error shape."""

from __future__ import annotations

from typing import Any

from qspine import Spine


def bearer(spine: Spine, username: str) -> dict[str, str]:
    secret, _ = spine.access.create_token(username, f"test token for {username}")
    return {"Authorization": f"Bearer {secret}"}


def error(response: Any, status: int, code: str, text: str = "") -> None:
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["code"] == code and text in body["message"], body
