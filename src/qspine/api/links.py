"""/api/v1/links: create, remove, confirm; a record's links; every suspect link."""

from __future__ import annotations

from fastapi import APIRouter

from qspine.api.deps import CurrentUser, SpineDep
from qspine.api.schemas import LinkIn, LinkOut, LinkRemove, LinksOut

router = APIRouter(tags=["links"])


@router.post("/links", response_model=LinkOut, status_code=201, summary="Link two records")
def create_link(body: LinkIn, spine: SpineDep, user: CurrentUser) -> LinkOut:
    made = spine.links.link(user.username, body.type, body.source, body.target, body.reason)
    return LinkOut.model_validate(made)


@router.post(
    "/links/remove",
    response_model=LinkOut,
    summary="Remove a link (kept in history, marked removed; reason required)",
)
def remove_link(body: LinkRemove, spine: SpineDep, user: CurrentUser) -> LinkOut:
    removed = spine.links.unlink(user.username, body.type, body.source, body.target, body.reason)
    return LinkOut.model_validate(removed)


@router.post(
    "/links/confirm",
    response_model=LinkOut,
    summary="Re-review a suspect link against the target's current version",
)
def confirm_link(body: LinkIn, spine: SpineDep, user: CurrentUser) -> LinkOut:
    confirmed = spine.links.confirm(user.username, body.type, body.source, body.target, body.reason)
    return LinkOut.model_validate(confirmed)


@router.get("/links/suspect", response_model=list[LinkOut], summary="Every suspect link")
def suspect_links(spine: SpineDep, user: CurrentUser) -> list[LinkOut]:
    spine.users.permits(user, "read")
    return [LinkOut.model_validate(link) for link in spine.links.suspect()]


@router.get("/records/{key}/links", response_model=LinksOut, summary="A record's links")
async def record_links(key: str, spine: SpineDep, user: CurrentUser) -> LinksOut:
    spine.users.permits(user, "read")
    outgoing, incoming = spine.links.of(key)
    return LinksOut(
        out=[LinkOut.model_validate(x) for x in outgoing],
        into=[LinkOut.model_validate(x) for x in incoming],
    )
