"""Dependencies shared by the API routes: the spine, the authenticated user, the as-of."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from qspine.model.asof import optional_instant
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


def instant(spine: Spine, text: str | None) -> dt.datetime | None:
    """The past UTC instant ISO text names (None: now); bad or future text is a 422."""
    return optional_instant(text, spine.context.clock())


async def as_of_instant(
    spine: SpineDep,
    as_of: Annotated[
        str | None,
        Query(
            description="Read as the spine stood at this past instant: ISO 8601 with offset "
            "(2026-03-01T12:00:00Z) or a date (the end of that UTC day)",
            examples=["2026-03-01T12:00:00Z", "2026-03-01"],
        ),
    ] = None,
) -> dt.datetime | None:
    """No I/O: async, like `get_spine`."""
    return instant(spine, as_of)


AsOf = Annotated[dt.datetime | None, Depends(as_of_instant)]
