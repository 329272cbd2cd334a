"""/api/v1/records: list, show, versions, diff, create, revise, transition, sign."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import StringConstraints

from qspine.api.deps import AsOf, CurrentUser, SpineDep
from qspine.api.schemas import (
    FieldChangeOut,
    RecordCreate,
    RecordOut,
    RecordPage,
    RecordRevise,
    RecordSummaryOut,
    SignatureOut,
    SignIn,
    TransitionIn,
    VersionOut,
)
from qspine.model.errors import InvalidInput

router = APIRouter(prefix="/records", tags=["records"])
MAX_OFFSET = 100_000_000
FieldFilter = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*=")]
Key = Annotated[str, "record key such as REQ-12"]


@router.get("", response_model=RecordPage, summary="List and search records")
def list_records(
    spine: SpineDep,
    user: CurrentUser,
    kind: str | None = None,
    status: str | None = None,
    q: Annotated[str | None, Query(description="Text in key, title or any field")] = None,
    where: Annotated[list[FieldFilter], Query(description="field=value (repeatable)")] = [],  # noqa: B006
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> RecordPage:
    spine.users.permits(user, "read")
    filters = {}
    for item in where:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise InvalidInput(f"where '{item}': write field=value")
        filters[name] = value
    total, rows = spine.records.list(kind, status, q, filters, limit, offset)
    return RecordPage(
        total=total,
        limit=limit,
        offset=offset,
        records=[RecordSummaryOut.model_validate(r) for r in rows],
    )


@router.post("", response_model=RecordOut, status_code=201, summary="Create a record")
def create_record(body: RecordCreate, spine: SpineDep, user: CurrentUser) -> RecordOut:
    view = spine.records.create(user.username, body.kind, body.fields, body.reason)
    return RecordOut.model_validate(view)


@router.get(
    "/{key}",
    response_model=RecordOut,
    summary="A record with links and signatures, now or as it stood at a past instant",
)
async def show_record(key: Key, spine: SpineDep, user: CurrentUser, at: AsOf) -> RecordOut:
    spine.users.permits(user, "read")
    return RecordOut.model_validate(spine.records.show(key, at))


@router.get("/{key}/versions", response_model=list[VersionOut], summary="Every version")
async def versions(key: Key, spine: SpineDep, user: CurrentUser) -> list[VersionOut]:
    spine.users.permits(user, "read")
    return [VersionOut.model_validate(v) for v in spine.records.history(key)]


@router.get("/{key}/diff", response_model=list[FieldChangeOut], summary="Field-level diff")
async def diff(
    key: Key,
    spine: SpineDep,
    user: CurrentUser,
    before: Annotated[int, Query(alias="from", ge=1)],
    after: Annotated[int, Query(alias="to", ge=1)],
) -> list[FieldChangeOut]:
    spine.users.permits(user, "read")
    return [FieldChangeOut.model_validate(c) for c in spine.records.diff(key, before, after)]


@router.post(
    "/{key}/revisions",
    response_model=RecordOut,
    status_code=201,
    summary="Write a new version (optimistic concurrency: expected_version)",
)
def revise(key: Key, body: RecordRevise, spine: SpineDep, user: CurrentUser) -> RecordOut:
    view = spine.records.revise(
        user.username, key, body.changes, body.expected_version, body.reason
    )
    return RecordOut.model_validate(view)


@router.post(
    "/{key}/transitions",
    response_model=RecordOut,
    summary="Move the current version along its lifecycle (unsigned steps)",
)
def transition(key: Key, body: TransitionIn, spine: SpineDep, user: CurrentUser) -> RecordOut:
    view = spine.records.transition(user.username, key, body.to, body.expected_version, body.reason)
    return RecordOut.model_validate(view)


@router.post(
    "/{key}/signatures",
    response_model=SignatureOut,
    status_code=201,
    summary="Sign the current version, re-entering the password (21 CFR 11.50)",
)
def sign(key: Key, body: SignIn, spine: SpineDep, user: CurrentUser) -> SignatureOut:
    signed = spine.signing.sign(
        user.username, body.password, key, body.meaning, body.expected_version, body.reason
    )
    return SignatureOut.model_validate(signed)
