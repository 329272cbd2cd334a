"""Dependencies shared by the API routes: the spine and the authenticated user."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from qspine.model.errors import AuthenticationFailed
from qspine.services.users import User
from qspine.spine import Spine

SESSION_COOKIE = "qspine_session"
_bearer = HTTPBearer(auto_error=False, description="A token from `qspine token create`")


async def get_spine(request: Request) -> Spine:
    """No I/O: async, so FastAPI does not spend a threadpool hop on it."""
    spine: Spine = request.app.state.spine
    return spine


SpineDep = Annotated[Spine, Depends(get_spine)]


async def current_user(
    request: Request,
    spine: SpineDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """A bearer token; or, for reads only, the web session cookie (forms carry CSRF tokens,
    plain API writes do not, so cookie-authenticated writes are refused).

    Async on purpose: one indexed lookup (well under a millisecond) is cheaper on the event
    loop than a threadpool hop under load (ADR 0006)."""
    if credentials is not None:
        return spine.access.user_for_token(credentials.credentials)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie and request.method in ("GET", "HEAD"):
        return spine.access.session(cookie).user
    raise AuthenticationFailed("authentication required: send 'Authorization: Bearer <token>'")


CurrentUser = Annotated[User, Depends(current_user)]
