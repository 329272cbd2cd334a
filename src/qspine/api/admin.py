"""/api/v1: audit log and verification, users and roles, tokens, status, profile."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from qspine.api.deps import CurrentUser, SpineDep
from qspine.api.records import MAX_OFFSET
from qspine.api.schemas import (
    ActiveIn,
    AuditEventOut,
    RoleOut,
    RolesIn,
    SummaryOut,
    TokenCreate,
    TokenCreated,
    TokenOut,
    UserCreate,
    UserOut,
    VerifyOut,
)

router = APIRouter()


@router.get(
    "/audit",
    response_model=list[AuditEventOut],
    tags=["audit"],
    summary="The audit trail, newest first",
)
def audit_log(
    spine: SpineDep,
    user: CurrentUser,
    subject: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[AuditEventOut]:
    spine.users.permits(user, "read")
    return [AuditEventOut.model_validate(e) for e in spine.audit.log(subject, limit, offset)]


@router.get(
    "/audit/verify",
    response_model=VerifyOut,
    tags=["audit"],
    summary="Verify the hash chain, every version fingerprint and every signature",
)
def audit_verify(spine: SpineDep, user: CurrentUser) -> VerifyOut:
    spine.users.permits(user, "read")
    return VerifyOut.model_validate(spine.audit.verify())


@router.get("/users", response_model=list[UserOut], tags=["users"])
def list_users(spine: SpineDep, user: CurrentUser) -> list[UserOut]:
    spine.users.permits(user, "admin")
    return [UserOut.model_validate(u) for u in spine.users.list()]


@router.post("/users", response_model=UserOut, status_code=201, tags=["users"])
def create_user(body: UserCreate, spine: SpineDep, user: CurrentUser) -> UserOut:
    created = spine.users.add(
        user.username, body.username, body.full_name, body.password, body.roles, body.email
    )
    return UserOut.model_validate(created)


@router.put("/users/{username}/roles", response_model=UserOut, tags=["users"])
def set_roles(username: str, body: RolesIn, spine: SpineDep, user: CurrentUser) -> UserOut:
    changed = spine.users.set_roles(user.username, username, body.roles, body.reason)
    return UserOut.model_validate(changed)


@router.put("/users/{username}/active", response_model=UserOut, tags=["users"])
def set_active(username: str, body: ActiveIn, spine: SpineDep, user: CurrentUser) -> UserOut:
    changed = spine.users.set_active(user.username, username, body.active, body.reason)
    return UserOut.model_validate(changed)


@router.get(
    "/roles",
    response_model=list[RoleOut],
    tags=["users"],
    summary="The profile's roles and their permissions",
)
def roles(spine: SpineDep, user: CurrentUser) -> list[RoleOut]:
    spine.users.permits(user, "read")
    return [
        RoleOut(name=name, title=role.title, permissions=list(role.permissions))
        for name, role in spine.profile.roles.items()
    ]


@router.get("/tokens", response_model=list[TokenOut], tags=["tokens"])
def list_tokens(spine: SpineDep, user: CurrentUser) -> list[TokenOut]:
    return [TokenOut.model_validate(t) for t in spine.access.tokens(user.username)]


@router.post(
    "/tokens",
    response_model=TokenCreated,
    status_code=201,
    tags=["tokens"],
    summary="Create a bearer token for yourself (the secret is shown once)",
)
def create_token(body: TokenCreate, spine: SpineDep, user: CurrentUser) -> TokenCreated:
    secret, info = spine.access.create_token(user.username, body.name, body.days)
    return TokenCreated(token=secret, info=TokenOut.model_validate(info))


@router.delete("/tokens/{token_id}", response_model=TokenOut, tags=["tokens"])
def revoke_token(
    token_id: Annotated[int, Path(ge=1, le=2**62)], spine: SpineDep, user: CurrentUser
) -> TokenOut:
    return TokenOut.model_validate(spine.access.revoke_token(user.username, token_id))


@router.get(
    "/status",
    response_model=SummaryOut,
    tags=["spine"],
    summary="Records by kind and status, links, signatures, users, audit events",
)
def status(spine: SpineDep, user: CurrentUser) -> SummaryOut:
    spine.users.permits(user, "read")
    return SummaryOut.model_validate(spine.summary.summary())


@router.get("/profile", tags=["spine"], summary="The active profile (kinds, links, lifecycles)")
def profile(spine: SpineDep, user: CurrentUser) -> dict[str, Any]:
    spine.users.permits(user, "read")
    return spine.profile.model_dump(by_alias=True, mode="json")
