"""Errors as pages: every web route runs inside `WebRoute`, which turns a QSpineError into a
page with the matching status (the app's own handlers answer the API with JSON)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute

from qspine.model.errors import (
    AuthenticationFailed,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    ProfileError,
    QSpineError,
)
from qspine.services.access import WebSession
from qspine.web.rendering import get_spine, page, redirect, wants_json, with_headers

SESSION_COOKIE = "qspine_session"
# Bounds for numbers from URLs, so they fit the databases' 64-bit integers.
MAX_ID = 2**62
MAX_PAGE = 10**9

STATUS: dict[type[QSpineError], int] = {
    AuthenticationFailed: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    InvalidInput: 422,
    ProfileError: 422,
}

TITLES = {
    400: "Something went wrong",
    401: "Authentication failed",
    403: "Not permitted",
    404: "Not found",
    409: "Someone changed this first",
    422: "That input was not accepted",
}

# Why someone was sent to the login page: codes in the URL, text chosen here.
LOGIN_REASONS = {
    "required": "Please sign in to continue.",
    "expired": "Your session timed out; please sign in again.",
    "inactive": "Your account is inactive; ask an administrator.",
    "signed_out": "You are signed out.",
}


class LoginRequired(Exception):
    """No live session: the page sends the browser to /login, saying why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ErrorPage:
    status: int
    code: str
    title: str
    message: str


def status_of(error: QSpineError) -> int:
    for kind, status in STATUS.items():
        if isinstance(error, kind):
            return status
    return 400


def safe_next(target: str | None) -> str:
    """Only same-site paths: never an open redirect to another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def login_redirect(request: Request, reason: str) -> Response:
    if wants_json(request):
        body = {"error": {"code": "authentication_failed", "message": LOGIN_REASONS[reason]}}
        return with_headers(JSONResponse(body, 401))
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        target = request.headers.get("referer", "/").removeprefix(str(request.base_url)[:-1])
    response = redirect("/login?" + urlencode({"next": safe_next(target), "reason": reason}))
    if reason != "required":
        response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def error_response(request: Request, error: QSpineError | ErrorPage) -> Response:
    if isinstance(error, QSpineError):
        status = status_of(error)
        error = ErrorPage(status, error.code, TITLES.get(status, TITLES[400]), str(error))
    if wants_json(request):
        body = {"error": {"code": error.code, "message": error.message}}
        return with_headers(JSONResponse(body, error.status))
    return page(request, "error.html", error, quiet_session(request), status=error.status)


def quiet_session(request: Request) -> WebSession | None:
    """The session, if any, for the page chrome of an error page (never raises)."""
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        return None
    try:
        return get_spine(request).access.session(secret)
    except QSpineError:
        return None


class WebRoute(APIRoute):
    """An APIRoute whose errors render as web pages (or JSON for the JSON twin)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired as missing:
                return login_redirect(request, missing.reason)
            except QSpineError as error:
                return error_response(request, error)
            except RequestValidationError as invalid:
                problems = "; ".join(
                    f"{'.'.join(str(p) for p in item['loc'])}: {item['msg']}"
                    for item in invalid.errors()
                )
                return error_response(
                    request, ErrorPage(422, "invalid_request", TITLES[422], problems)
                )

        return guarded
