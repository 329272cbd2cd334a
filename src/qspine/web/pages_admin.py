"""User administration (admins only) and each person's own API tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from qspine.model.errors import QSpineError
from qspine.services.access import TokenInfo
from qspine.services.users import User
from qspine.spine import Spine
from qspine.web.auth import PostDep, SessionDep
from qspine.web.errors import MAX_ID, WebRoute, status_of
from qspine.web.rendering import get_spine, page, redirect

router = APIRouter(route_class=WebRoute)


@dataclass(frozen=True)
class RoleChoice:
    name: str
    title: str
    help: str


@dataclass(frozen=True)
class NewUserForm:
    username: str = ""
    full_name: str = ""
    email: str = ""
    roles: list[str] = field(default_factory=list)
    error: str = ""


@dataclass(frozen=True)
class UsersPage:
    users: list[User]
    roles: list[RoleChoice]
    form: NewUserForm
    error: str = ""


@dataclass(frozen=True)
class TokensPage:
    tokens: list[TokenInfo]
    new_secret: str = ""
    new_token: TokenInfo | None = None
    name: str = ""
    days: int = 90
    error: str = ""


def users_data(
    spine: Spine, user: User, form: NewUserForm | None = None, error: str = ""
) -> UsersPage:
    spine.users.check(user.username, "admin")
    roles = [RoleChoice(name, r.title, r.help) for name, r in spine.profile.roles.items()]
    return UsersPage(spine.users.list(), roles, form or NewUserForm(), error)


def tokens_data(spine: Spine, user: User) -> TokensPage:
    return TokensPage(spine.access.tokens(user.username))


@router.get("/admin/users")
def users(request: Request, session: SessionDep) -> Response:
    data = users_data(get_spine(request), session.user)
    return page(request, "admin_users.html", data, session, section="admin")


@router.post("/admin/users")
def add_user(request: Request, post: PostDep) -> Response:
    spine = get_spine(request)
    form = NewUserForm(
        post.text("username").strip(),
        post.text("full_name").strip(),
        post.text("email").strip(),
        post.texts("roles"),
    )
    spine.users.check(post.actor, "admin")
    try:
        spine.users.add(
            post.actor, form.username, form.full_name, post.text("password"), form.roles, form.email
        )
    except QSpineError as problem:
        failed = NewUserForm(form.username, form.full_name, form.email, form.roles, str(problem))
        data = users_data(spine, post.session.user, failed)
        status = status_of(problem)
        return page(request, "admin_users.html", data, post.session, status=status, section="admin")
    return redirect("/admin/users?done=user_added")


@router.post("/admin/users/{username}/roles")
def set_roles(request: Request, username: str, post: PostDep) -> Response:
    get_spine(request).users.set_roles(
        post.actor, username, post.texts("roles"), post.text("reason")
    )
    return redirect("/admin/users?done=roles")


@router.post("/admin/users/{username}/active")
def set_active(request: Request, username: str, post: PostDep) -> Response:
    active = post.text("active") == "true"
    get_spine(request).users.set_active(post.actor, username, active, post.text("reason"))
    return redirect("/admin/users?done=active")


@router.get("/tokens")
def tokens(request: Request, session: SessionDep) -> Response:
    data = tokens_data(get_spine(request), session.user)
    return page(request, "tokens.html", data, session, section="tokens")


@router.post("/tokens")
def create_token(request: Request, post: PostDep) -> Response:
    """A new token after re-entering the password; its secret is shown on this response only."""
    spine = get_spine(request)
    name = post.text("name").strip()
    days_text = post.text("days", "90")
    try:
        days = int(days_text)
        spine.users.authenticate(post.actor, post.text("password"))
        secret, info = spine.access.create_token(post.actor, name, days)
    except (QSpineError, ValueError) as problem:
        status = status_of(problem) if isinstance(problem, QSpineError) else 422
        message = str(problem) if isinstance(problem, QSpineError) else "days: a whole number"
        data = TokensPage(spine.access.tokens(post.actor), name=name, error=message)
        return page(request, "tokens.html", data, post.session, status=status, section="tokens")
    data = TokensPage(spine.access.tokens(post.actor), secret, info)
    return page(request, "tokens.html", data, post.session, status=201, section="tokens")


@router.post("/tokens/{token_id}/revoke")
def revoke_token(
    request: Request, token_id: Annotated[int, Path(ge=1, le=MAX_ID)], post: PostDep
) -> Response:
    get_spine(request).access.revoke_token(post.actor, token_id)
    return redirect("/tokens?done=revoked")
