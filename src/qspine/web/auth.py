"""Signing in and out of the web UI; the session and CSRF checks every page depends on.

The session secret lives only in the `qspine_session` cookie (HttpOnly, SameSite=Lax,
Secure over https); the spine keeps its hash and the CSRF token every POST form must echo.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from qspine.model.errors import AuthenticationFailed, Forbidden, InvalidInput
from qspine.services.access import WebSession
from qspine.web.errors import LOGIN_REASONS, SESSION_COOKIE, LoginRequired, WebRoute, safe_next
from qspine.web.rendering import get_spine, page, redirect

router = APIRouter(route_class=WebRoute)


async def current_session(request: Request) -> WebSession:
    """The signed-in person's live session, or LoginRequired (redirect to /login)."""
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        raise LoginRequired("required")
    try:
        return get_spine(request).access.session(secret)
    except AuthenticationFailed as failure:
        message = str(failure)
        if "timed out" in message:
            raise LoginRequired("expired") from None
        if "inactive" in message:
            raise LoginRequired("inactive") from None
        raise LoginRequired("required") from None


async def read_form(request: Request) -> FormData:
    return await request.form()


SessionDep = Annotated[WebSession, Depends(current_session)]
FormDep = Annotated[FormData, Depends(read_form)]


@dataclass(frozen=True)
class Post:
    """A POSTed form from a live session whose CSRF token matched."""

    session: WebSession
    form: FormData

    @property
    def actor(self) -> str:
        return self.session.user.username

    def text(self, name: str, default: str = "") -> str:
        value = self.form.get(name, default)
        return value if isinstance(value, str) else default

    def texts(self, name: str) -> list[str]:
        return [value for value in self.form.getlist(name) if isinstance(value, str)]

    def number(self, name: str) -> int:
        """An integer form field such as expected_version (a broken one is refused)."""
        try:
            return int(self.text(name))
        except ValueError:
            raise InvalidInput(
                f"the form field '{name}' is missing or broken; reload the page"
            ) from None


def checked_post(session: SessionDep, form: FormDep) -> Post:
    """Refuse (403, nothing written) a form whose csrf_token is not this session's."""
    token = form.get("csrf_token")
    if not isinstance(token, str) or not secrets.compare_digest(
        token.encode("utf-8"), session.csrf_token.encode("utf-8")
    ):
        raise Forbidden(
            "the form's security token (CSRF) is missing or does not match your session; "
            "nothing was changed. Reload the page and try again"
        )
    return Post(session, form)


PostDep = Annotated[Post, Depends(checked_post)]


@dataclass(frozen=True)
class LoginForm:
    username: str
    next: str
    reason: str
    error: str


@router.get("/login")
def login_page(request: Request, next: str = "/", reason: str = "") -> Response:
    message = LOGIN_REASONS.get(reason, "")
    data = LoginForm("", safe_next(next), message, "")
    return page(request, "login.html", data, None, section="login")


@router.post("/login")
def login(request: Request, form: FormDep) -> Response:
    username = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    target = safe_next(str(form.get("next", "/")))
    spine = get_spine(request)
    try:
        secret, _ = spine.access.login(username, password)
    except AuthenticationFailed as failure:
        data = LoginForm(username, target, "", str(failure))
        return page(request, "login.html", data, None, status=401, section="login")
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        spine.access.logout(old)
    response = redirect(target)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request, post: PostDep) -> Response:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        get_spine(request).access.logout(secret)
    response = redirect("/login?reason=signed_out")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
